//! Files attached to tickets (PRODUCT.md "Ticket detail").
//!
//! Who may do what follows comments: whoever sees a ticket lists, downloads
//! and attaches files (a sub-ticket owner on its read-only parent too, as
//! they may comment there); a file is removed by its uploader, the ticket's
//! owner or an organisation admin. Each upload or removal writes, in the
//! caller's transaction, the attachment row (and its blob), one history row
//! and one event per file, so the ticket's history, webhooks and
//! notifications can never disagree with the files that are there.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::attachment::{self, Attachment};
use lazo_domain::event::Event;
use lazo_domain::wire::FieldError;
use lazo_domain::{ErrorCode, HistoryField, Role};
use lazo_storage::attachments::{self as store, AttachmentRow, NewAttachment};
use lazo_storage::schema::{api_tokens, attachments, tickets};
use lazo_storage::{utc, DbConn};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::directory::user_refs;
use crate::tickets::load_visible;
use crate::tickets::write::{emit, record, Actor};
use crate::ServiceError;

/// One uploaded file as the request carried it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the client sent, before [`attachment::clean_filename`].
    pub filename: String,
    /// The part's `Content-Type`, if any.
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Checks every file before anything is written; each problem names the
/// file by its position (`files[1]`) and, in the message, by its name.
pub fn check(files: &[Upload]) -> Result<Vec<String>, ServiceError> {
    let mut errors = vec![];
    let mut names = vec![];
    if files.is_empty() {
        errors.push(FieldError::new(
            "files",
            ErrorCode::Required,
            "send at least one file (multipart/form-data)",
        ));
    }
    for (i, f) in files.iter().enumerate() {
        let field = format!("files[{i}]");
        match attachment::clean_filename(&f.filename) {
            Ok(name) => {
                if f.bytes.is_empty() {
                    errors.push(FieldError::new(
                        &field,
                        ErrorCode::Required,
                        format!("{name}: the file is empty"),
                    ));
                }
                names.push(name);
            }
            Err(bad) => {
                // The raw name may hold the very characters that were
                // refused: quote it escaped.
                errors.push(FieldError::new(
                    &field,
                    ErrorCode::InvalidValue,
                    format!("{:?}: {}", f.filename, bad.message()),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(ServiceError::invalid(errors))
    }
}

fn wire(c: &mut DbConn, rows: Vec<AttachmentRow>) -> Result<Vec<Attachment>, ServiceError> {
    let uids: Vec<i64> = rows.iter().filter_map(|r| r.uploaded_by).collect();
    let refs = user_refs(c, &uids)?;
    let tids: Vec<i64> = rows.iter().filter_map(|r| r.uploaded_by_token).collect();
    let token_names: std::collections::HashMap<i64, String> = if tids.is_empty() {
        Default::default()
    } else {
        api_tokens::table
            .filter(api_tokens::id.eq_any(tids))
            .select((api_tokens::id, api_tokens::name))
            .load::<(i64, String)>(c)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let by = r.uploaded_by.and_then(|u| refs.get(&u).cloned());
            let by_name = match (&by, r.uploaded_by_token) {
                (Some(u), _) => u.name.clone(),
                (None, Some(t)) => token_names
                    .get(&t)
                    .map(|n| format!("API token {n}"))
                    .unwrap_or_default(),
                (None, None) => String::new(),
            };
            Attachment {
                id: r.id,
                ticket_id: r.ticket_id,
                filename: r.filename,
                content_type: r.content_type,
                size_bytes: r.size_bytes,
                sha256: r.sha256,
                uploaded_by: by,
                uploaded_by_name: by_name,
                created_at: utc(r.created_at),
            }
        })
        .collect())
}

fn load_one(c: &mut DbConn, ticket_id: i64, id: i64) -> Result<AttachmentRow, ServiceError> {
    attachments::table
        .filter(attachments::id.eq(id))
        .filter(attachments::ticket_id.eq(ticket_id))
        .select(AttachmentRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ServiceError::NotFound("attachment"))
}

/// The ticket's files, oldest first.
pub fn list(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
) -> Result<Vec<Attachment>, ServiceError> {
    load_visible(c, who, ticket_id)?;
    let rows = attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .order(attachments::id)
        .select(AttachmentRow::as_select())
        .load(c)?;
    wire(c, rows)
}

/// Attaches `files` to the ticket, all or none.
pub fn add(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    files: &[Upload],
    at: NaiveDateTime,
) -> Result<Vec<Attachment>, ServiceError> {
    let names = check(files)?;
    load_visible(c, who, ticket_id)?;
    let actor = Actor::of(who);
    let mut ids = vec![];
    for (f, name) in files.iter().zip(&names) {
        let sha = hex::encode(Sha256::digest(&f.bytes));
        let ct = attachment::content_type(f.declared_type.as_deref(), &f.bytes);
        store::put_blob(c, &sha, &f.bytes, at)?;
        let id: i64 = diesel::insert_into(attachments::table)
            .values(&NewAttachment {
                ticket_id,
                filename: name,
                content_type: &ct,
                size_bytes: f.bytes.len() as i64,
                sha256: &sha,
                uploaded_by: actor.user_id,
                uploaded_by_token: actor.token_id,
                created_at: at,
            })
            .returning(attachments::id)
            .get_result(c)?;
        record(
            c,
            ticket_id,
            &actor,
            at,
            (HistoryField::Attachment.as_str(), None, Some(name.clone())),
            None,
        )?;
        emit(
            c,
            Some(ticket_id),
            &actor,
            at,
            &Event::AttachmentAdded {
                attachment_id: id,
                filename: name.clone(),
                content_type: ct,
                size_bytes: f.bytes.len() as i64,
                sha256: sha,
            },
        )?;
        ids.push(id);
    }
    touch(c, ticket_id, at)?;
    let rows = attachments::table
        .filter(attachments::id.eq_any(ids))
        .order(attachments::id)
        .select(AttachmentRow::as_select())
        .load(c)?;
    wire(c, rows)
}

/// Like a comment, a file is activity on the ticket: it moves `updated_at`
/// (not the version, which guards the ticket's fields against lost updates).
fn touch(c: &mut DbConn, ticket_id: i64, at: NaiveDateTime) -> Result<(), ServiceError> {
    diesel::update(tickets::table.find(ticket_id))
        .set(tickets::updated_at.eq(at))
        .execute(c)?;
    Ok(())
}

/// One file and its bytes.
pub fn download(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    id: i64,
) -> Result<(Attachment, Vec<u8>), ServiceError> {
    load_visible(c, who, ticket_id)?;
    let row = load_one(c, ticket_id, id)?;
    let bytes = store::blob(c, &row.sha256)?
        .ok_or_else(|| ServiceError::Internal(format!("blob {} is missing", row.sha256)))?;
    let a = wire(c, vec![row])?.remove(0);
    Ok((a, bytes))
}

/// Removes a file: its uploader, the ticket's owner or an admin.
pub fn remove(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    id: i64,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let (ticket, _) = load_visible(c, who, ticket_id)?;
    let row = load_one(c, ticket_id, id)?;
    let allowed = match who {
        Principal::User(u) => {
            row.uploaded_by == Some(u.id) || ticket.owner_id == Some(u.id) || u.role == Role::Admin
        }
        Principal::Token(t) => row.uploaded_by_token == Some(t.id),
        Principal::System(_) => true,
    };
    if !allowed {
        return Err(ServiceError::Forbidden(
            "only its uploader, the ticket's owner or an admin may remove a file".into(),
        ));
    }
    diesel::delete(attachments::table.find(id)).execute(c)?;
    store::release_blob(c, &row.sha256)?;
    let actor = Actor::of(who);
    record(
        c,
        ticket_id,
        &actor,
        at,
        (
            HistoryField::Attachment.as_str(),
            Some(row.filename.clone()),
            None,
        ),
        None,
    )?;
    emit(
        c,
        Some(ticket_id),
        &actor,
        at,
        &Event::AttachmentRemoved {
            attachment_id: id,
            filename: row.filename,
        },
    )?;
    touch(c, ticket_id, at)
}
