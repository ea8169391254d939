//! Ticket attachments and the content-addressed blobs that hold their bytes.
//!
//! A blob is stored once per SHA-256 however many attachments name it; an
//! attachment row references its blob (a foreign key), so a blob that is
//! still referenced can never be deleted, whatever races with what.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::schema::{attachments, blobs};
use crate::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_token: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_token: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Stores `bytes` under `sha256` unless they are stored already.
///
/// An upsert rather than "insert or do nothing": on PostgreSQL the update
/// locks an existing blob row until this transaction ends, so a concurrent
/// [`release_blob`] of the same content waits and then finds the new
/// reference instead of deleting the bytes from under it.
pub fn put_blob(c: &mut DbConn, sha256: &str, bytes: &[u8], at: NaiveDateTime) -> QueryResult<()> {
    let values = (
        blobs::sha256.eq(sha256),
        blobs::size_bytes.eq(bytes.len() as i64),
        blobs::bytes.eq(bytes),
        blobs::created_at.eq(at),
    );
    match c {
        DbConn::Sqlite(conn) => diesel::insert_into(blobs::table)
            .values(values)
            .on_conflict(blobs::sha256)
            .do_update()
            .set(blobs::size_bytes.eq(excluded(blobs::size_bytes)))
            .execute(conn)?,
        DbConn::Pg(conn) => diesel::insert_into(blobs::table)
            .values(values)
            .on_conflict(blobs::sha256)
            .do_update()
            .set(blobs::size_bytes.eq(excluded(blobs::size_bytes)))
            .execute(conn)?,
    };
    Ok(())
}

/// The bytes stored under `sha256`.
pub fn blob(c: &mut DbConn, sha256: &str) -> QueryResult<Option<Vec<u8>>> {
    blobs::table
        .find(sha256)
        .select(blobs::bytes)
        .first(c)
        .optional()
}

/// Deletes the blob if no attachment names it any more; `true` if it went.
///
/// In a savepoint: if a concurrent upload references the blob meanwhile the
/// foreign key refuses the delete, and that is the right outcome, not an
/// error of the caller's transaction.
pub fn release_blob(c: &mut DbConn, sha256: &str) -> QueryResult<bool> {
    let unused = diesel::dsl::not(diesel::dsl::exists(
        attachments::table.filter(attachments::sha256.eq(sha256)),
    ));
    let deleted = c.transaction(|c| {
        diesel::delete(blobs::table.filter(blobs::sha256.eq(sha256)).filter(unused)).execute(c)
    });
    match deleted {
        Ok(n) => Ok(n > 0),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes every blob no attachment names (those of deleted tickets, whose
/// attachment rows went with them). Returns how many went.
pub fn sweep_blobs(c: &mut DbConn) -> QueryResult<usize> {
    let unused = diesel::dsl::not(diesel::dsl::exists(
        attachments::table.filter(attachments::sha256.eq(blobs::sha256)),
    ));
    let deleted = c.transaction(|c| diesel::delete(blobs::table.filter(unused)).execute(c));
    match deleted {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(0),
        other => other,
    }
}
