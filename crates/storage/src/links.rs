//! Links between tickets (`related`, `duplicate_of`, `merged_into`). A row
//! is directed, `ticket_id` → `other_ticket_id`; `related` has no direction
//! and is stored with the lower id first, so the unique key
//! (`Unique::TicketLink`) refuses it in either direction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::ticket_links;
use crate::{DbConn, StorageError};

/// The stored kinds (the CHECK constraint's list).
pub const RELATED: &str = "related";
pub const DUPLICATE_OF: &str = "duplicate_of";
pub const MERGED_INTO: &str = "merged_into";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_links)]
pub struct LinkRow {
    pub id: i64,
    pub ticket_id: i64,
    pub other_ticket_id: i64,
    pub kind: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl LinkRow {
    /// The ticket at the other end, seen from `from`.
    pub fn other(&self, from: i64) -> i64 {
        if self.ticket_id == from {
            self.other_ticket_id
        } else {
            self.ticket_id
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ticket_links)]
pub struct NewLink<'a> {
    pub ticket_id: i64,
    pub other_ticket_id: i64,
    pub kind: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a link (a `related` one in its stored order) and returns its id.
/// A link that exists already is `StorageError::Conflict(Unique::TicketLink)`;
/// a second merge of one ticket `Conflict(Unique::TicketMergedOnce)`.
pub fn insert(c: &mut DbConn, link: NewLink) -> Result<i64, StorageError> {
    let mut link = link;
    if link.kind == RELATED && link.ticket_id > link.other_ticket_id {
        std::mem::swap(&mut link.ticket_id, &mut link.other_ticket_id);
    }
    Ok(diesel::insert_into(ticket_links::table)
        .values(&link)
        .returning(ticket_links::id)
        .get_result(c)?)
}

/// Every link of `ticket`, both directions, oldest first.
pub fn of_ticket(c: &mut DbConn, ticket: i64) -> Result<Vec<LinkRow>, StorageError> {
    Ok(ticket_links::table
        .filter(
            ticket_links::ticket_id
                .eq(ticket)
                .or(ticket_links::other_ticket_id.eq(ticket)),
        )
        .order(ticket_links::id)
        .select(LinkRow::as_select())
        .load(c)?)
}

pub fn find(c: &mut DbConn, id: i64) -> Result<Option<LinkRow>, StorageError> {
    Ok(ticket_links::table
        .find(id)
        .select(LinkRow::as_select())
        .first(c)
        .optional()?)
}

pub fn delete(c: &mut DbConn, id: i64) -> Result<usize, StorageError> {
    Ok(diesel::delete(ticket_links::table.find(id)).execute(c)?)
}

/// The ticket `ticket` was merged into, if it was.
pub fn merged_into(c: &mut DbConn, ticket: i64) -> Result<Option<i64>, StorageError> {
    Ok(ticket_links::table
        .filter(ticket_links::ticket_id.eq(ticket))
        .filter(ticket_links::kind.eq(MERGED_INTO))
        .select(ticket_links::other_ticket_id)
        .first(c)
        .optional()?)
}

/// Whether a `kind` link from `a` to `b` exists.
pub fn exists(c: &mut DbConn, a: i64, b: i64, kind: &str) -> Result<bool, StorageError> {
    let n: i64 = ticket_links::table
        .filter(ticket_links::ticket_id.eq(a))
        .filter(ticket_links::other_ticket_id.eq(b))
        .filter(ticket_links::kind.eq(kind))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}
