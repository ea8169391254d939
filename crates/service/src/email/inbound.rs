//! Inbound email: every raw message (API, `lazo mailgate`, IMAP) is stored
//! first, deduplicated by SHA-256, then processed: parsed with mail-parser,
//! matched to a ticket in the order of issue 8 (our signed reply-to token;
//! our Message-IDs in In-Reply-To/References; `[#number]` in the subject only
//! from the requester or a CC; else a new ticket), and written to the
//! ticket's email thread with history and an event. Auto-replies and bounces
//! are kept but change nothing; a permanent bounce suppresses the address.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::email::{EmailAttachment, InboundMessage, InboundOutcome};
use lazo_domain::event::Event;
use lazo_domain::limits::{SUBJECT_MAX, TEXT_MAX};
use lazo_domain::rules::is_email;
use lazo_domain::wire::{ContactInput, CreateTicket, UpdateTicket};
use lazo_domain::{EmailDirection, EmailState, HistoryField};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use super::{token, MailConfig};
use crate::auth::Principal;
use crate::directory::load_settings;
use crate::error::ServiceError;
use crate::tickets::write::{self, emit, record, Actor};
use crate::tickets::{find_row, links};
use lazo_storage::links::RELATED;
use lazo_storage::schema::{
    contacts, email_suppressions, emails, inbound_attachments, inbound_messages, tickets,
};
use lazo_storage::{now, utc, DbConn};

/// A table of the first migration that only inbound matching reads;
/// declared locally so the shared schema stays as others use it.
mod extra {
    diesel::table! {
        ticket_cc (ticket_id, email) {
            ticket_id -> BigInt,
            email -> Text,
        }
    }
}
use extra::ticket_cc;

/// The name history shows for changes made by inbound email.
pub const SYSTEM_NAME: &str = "Lazo (inbound email)";
/// Longest email text kept on the thread, in characters.
const BODY_KEEP: usize = 100_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_messages)]
pub struct InboundRow {
    pub id: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub source: String,
    pub message_id: Option<String>,
    pub from_addr: Option<String>,
    pub subject: Option<String>,
    pub outcome: String,
    pub parse_error: Option<String>,
    pub ticket_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
}

impl InboundRow {
    pub fn wire(self, first_seen: bool) -> InboundMessage {
        InboundMessage {
            id: self.id,
            sha256: self.sha256,
            size_bytes: self.size_bytes,
            source: self.source,
            message_id: self.message_id,
            from: self.from_addr,
            subject: self.subject,
            outcome: InboundOutcome::parse(&self.outcome).unwrap_or(InboundOutcome::New),
            parse_error: self.parse_error,
            ticket_id: self.ticket_id,
            first_seen,
            received_at: utc(self.received_at),
            processed_at: self.processed_at.map(utc),
        }
    }
}

pub fn find(c: &mut DbConn, id: i64) -> Result<Option<InboundRow>, ServiceError> {
    Ok(inbound_messages::table
        .find(id)
        .select(InboundRow::as_select())
        .first(c)
        .optional()?)
}

/// Stores `raw` unless the same bytes were stored before. Returns the
/// message's id and whether it is new.
pub fn store(c: &mut DbConn, raw: &[u8], source: &str) -> Result<(i64, bool), ServiceError> {
    let sha = hex::encode(Sha256::digest(raw));
    let values = (
        inbound_messages::sha256.eq(&sha),
        inbound_messages::raw.eq(raw),
        inbound_messages::size_bytes.eq(raw.len() as i64),
        inbound_messages::source.eq(source),
        inbound_messages::outcome.eq(InboundOutcome::New.as_str()),
        inbound_messages::received_at.eq(now()),
    );
    // The unique hash decides, not a count first: two deliveries of the
    // same message at once store it once.
    let inserted = match c {
        DbConn::Sqlite(conn) => diesel::insert_into(inbound_messages::table)
            .values(values)
            .on_conflict(inbound_messages::sha256)
            .do_nothing()
            .execute(conn)?,
        DbConn::Pg(conn) => diesel::insert_into(inbound_messages::table)
            .values(values)
            .on_conflict(inbound_messages::sha256)
            .do_nothing()
            .execute(conn)?,
    };
    let id = inbound_messages::table
        .filter(inbound_messages::sha256.eq(&sha))
        .select(inbound_messages::id)
        .first(c)?;
    Ok((id, inserted == 1))
}

/// Without control characters: PostgreSQL refuses NUL in text, and no
/// address or Message-ID has any.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn lower_addr(s: &str) -> String {
    clean(s.trim().trim_matches(|c| c == '<' || c == '>')).to_lowercase()
}

/// Every address the message was sent to (where a reply token may be).
fn recipients(msg: &Message) -> Vec<String> {
    let mut out: Vec<String> = msg
        .to()
        .into_iter()
        .chain(msg.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(lower_addr)
        .collect();
    for h in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(v) = msg.header_raw(h) {
            out.push(lower_addr(v));
        }
    }
    out
}

fn ids_of(v: &HeaderValue) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![clean(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| clean(t)).collect(),
        _ => vec![],
    }
}

/// Auto-replies, list mail and bounces (RFC 3834 and common practice).
fn is_auto(msg: &Message, from: &str) -> bool {
    let header = |h: &str| msg.header_raw(h).map(|v| v.trim().to_ascii_lowercase());
    if header("Auto-Submitted").is_some_and(|v| !v.is_empty() && v != "no") {
        return true;
    }
    if header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list")) {
        return true;
    }
    if header("Return-Path").is_some_and(|v| v == "<>") {
        return true;
    }
    if header("X-Autoreply").is_some() || header("X-Autorespond").is_some() {
        return true;
    }
    let local = from.split('@').next().unwrap_or("");
    if matches!(local, "mailer-daemon" | "postmaster") {
        return true;
    }
    msg.root_part().is_content_type("multipart", "report")
}

/// Recipients a delivery status notification reports as failed for good
/// (`Status: 5.x.x`), from its message/delivery-status part.
fn permanent_failures(msg: &Message) -> Vec<String> {
    let mut out = Vec::new();
    for part in msg.parts.iter() {
        if !part.is_content_type("message", "delivery-status") {
            continue;
        }
        let text = String::from_utf8_lossy(part.contents());
        // Per-recipient blocks are separated by blank lines.
        for block in text.split("\n\n").chain(text.split("\r\n\r\n")) {
            let mut recipient = None;
            let mut permanent = false;
            for line in block.lines() {
                let (k, v) = match line.split_once(':') {
                    Some(kv) => kv,
                    None => continue,
                };
                match k.trim().to_ascii_lowercase().as_str() {
                    "final-recipient" | "original-recipient" if recipient.is_none() => {
                        let addr = v.rsplit(';').next().unwrap_or(v);
                        recipient = Some(lower_addr(addr));
                    }
                    "status" => permanent = v.trim().starts_with('5'),
                    _ => {}
                }
            }
            if let (Some(r), true) = (recipient, permanent) {
                if is_email(&r) && !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// `[#1042]` in a subject.
fn subject_number(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(i) = rest.find("[#") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(']') {
            if let Ok(n) = rest[..end].parse::<i64>() {
                return Some(n);
            }
        }
    }
    None
}

fn ticket_by_number(c: &mut DbConn, number: i64) -> Result<Option<i64>, ServiceError> {
    Ok(tickets::table
        .filter(tickets::number.eq(number))
        .select(tickets::id)
        .first(c)
        .optional()?)
}

/// Whether `sender` is the ticket's requester or one of its CCs.
fn is_participant(c: &mut DbConn, ticket_id: i64, sender: &str) -> Result<bool, ServiceError> {
    let (contact_id, requester): (Option<i64>, Option<String>) = tickets::table
        .find(ticket_id)
        .select((tickets::contact_id, tickets::requester_email))
        .first(c)?;
    if requester.is_some_and(|r| r.eq_ignore_ascii_case(sender)) {
        return Ok(true);
    }
    if let Some(cid) = contact_id {
        let email: Option<Option<String>> = contacts::table
            .find(cid)
            .select(contacts::email)
            .first(c)
            .optional()?;
        if email
            .flatten()
            .is_some_and(|e| e.eq_ignore_ascii_case(sender))
        {
            return Ok(true);
        }
    }
    let cc: i64 = ticket_cc::table
        .filter(ticket_cc::ticket_id.eq(ticket_id))
        .filter(ticket_cc::email.eq(sender))
        .count()
        .get_result(c)?;
    Ok(cc > 0)
}

/// How a message found its ticket. A ticket found that was merged stands
/// for its survivor ([`links::survivor`]): replies to the merged ticket's
/// emails, token or number land where the work goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Token(i64),
    MessageId(i64),
    Subject(i64),
    /// `[#number]` from someone who is not on that ticket: a new ticket,
    /// linked to that one as related.
    Stranger(i64),
    None,
}

pub fn match_ticket(
    c: &mut DbConn,
    cfg: &MailConfig,
    msg: &Message,
    sender: &str,
) -> Result<Match, ServiceError> {
    Ok(match match_direct(c, cfg, msg, sender)? {
        Match::Token(t) => Match::Token(links::survivor(c, t)?),
        Match::MessageId(t) => Match::MessageId(links::survivor(c, t)?),
        Match::Subject(t) => Match::Subject(links::survivor(c, t)?),
        Match::Stranger(t) => Match::Stranger(links::survivor(c, t)?),
        Match::None => Match::None,
    })
}

/// The ticket the message names, merged or not. Who may use `[#n]` is
/// decided on the ticket named (its requester and CCs), before a merge is
/// followed.
fn match_direct(
    c: &mut DbConn,
    cfg: &MailConfig,
    msg: &Message,
    sender: &str,
) -> Result<Match, ServiceError> {
    for addr in recipients(msg) {
        if let Some(n) = token::ticket_of(&cfg.token_key, &addr) {
            if let Some(id) = ticket_by_number(c, n)? {
                return Ok(Match::Token(id));
            }
        }
    }
    let mut ids = ids_of(msg.in_reply_to());
    ids.extend(ids_of(msg.references()));
    if !ids.is_empty() {
        let found: Option<i64> = emails::table
            .filter(emails::message_id.eq_any(&ids))
            .order(emails::id.desc())
            .select(emails::ticket_id)
            .first(c)
            .optional()?;
        if let Some(id) = found {
            return Ok(Match::MessageId(id));
        }
    }
    if let Some(n) = msg.subject().and_then(subject_number) {
        if let Some(id) = ticket_by_number(c, n)? {
            return Ok(if is_participant(c, id, sender)? {
                Match::Subject(id)
            } else {
                Match::Stranger(id)
            });
        }
    }
    Ok(Match::None)
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s: String = s.chars().filter(|c| !c.is_control()).take(max).collect();
    if s.trim().is_empty() {
        "(no subject)".into()
    } else {
        s
    }
}

/// Stores `raw` and processes it in the caller's transaction; a message
/// that cannot be processed is kept, marked failed (a savepoint rolls back
/// the half-done processing alone). Returns its id and whether it is new.
pub fn receive(
    c: &mut DbConn,
    cfg: &MailConfig,
    raw: &[u8],
    source: &str,
) -> Result<(i64, bool), ServiceError> {
    let (id, first_seen) = store(c, raw, source)?;
    if first_seen {
        if let Err(e) = c.transaction::<_, ServiceError, _>(|c| process(c, cfg, id)) {
            let why = match e {
                ServiceError::Internal(cause) => {
                    tracing::error!(inbound_id = id, %cause, "inbound message not processed");
                    "internal error while processing; see the server log".to_owned()
                }
                other => other.to_string(),
            };
            mark_failed(c, id, &why)?;
        }
    }
    Ok((id, first_seen))
}

/// Marks a message failed with `why`, in its own statement.
pub fn mark_failed(c: &mut DbConn, id: i64, why: &str) -> Result<(), ServiceError> {
    diesel::update(inbound_messages::table.find(id))
        .set((
            inbound_messages::outcome.eq(InboundOutcome::Failed.as_str()),
            inbound_messages::parse_error.eq(why.chars().take(2000).collect::<String>()),
            inbound_messages::processed_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

/// Processes stored message `id`, in the caller's transaction. A message
/// already processed is left alone (so repeated calls change nothing);
/// one that cannot be used is marked failed with the reason.
pub fn process(c: &mut DbConn, cfg: &MailConfig, id: i64) -> Result<InboundOutcome, ServiceError> {
    let row = find(c, id)?.ok_or(ServiceError::NotFound("inbound message"))?;
    let outcome = InboundOutcome::parse(&row.outcome).unwrap_or(InboundOutcome::New);
    if !matches!(outcome, InboundOutcome::New | InboundOutcome::Failed) {
        return Ok(outcome);
    }
    let raw: Vec<u8> = inbound_messages::table
        .find(id)
        .select(inbound_messages::raw)
        .first(c)?;
    let Some(msg) = MessageParser::default().parse(&raw[..]) else {
        mark_failed(c, id, "not a MIME message: no header could be read")?;
        return Ok(InboundOutcome::Failed);
    };
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(lower_addr);
    let subject = one_line(msg.subject().unwrap_or(""), SUBJECT_MAX);
    let message_id = msg.message_id().map(clean).filter(|m| !m.is_empty());
    diesel::update(inbound_messages::table.find(id))
        .set((
            inbound_messages::from_addr.eq(&from),
            inbound_messages::subject.eq(&subject),
            inbound_messages::message_id.eq(&message_id),
        ))
        .execute(c)?;
    let Some(from) = from.filter(|f| is_email(f)) else {
        mark_failed(c, id, "no valid From address")?;
        return Ok(InboundOutcome::Failed);
    };
    let auto = is_auto(&msg, &from);
    let at = now();
    for addr in permanent_failures(&msg) {
        let values = (
            email_suppressions::email.eq(&addr),
            email_suppressions::reason.eq("permanent delivery failure (DSN)"),
            email_suppressions::inbound_id.eq(Some(id)),
            email_suppressions::created_at.eq(at),
        );
        match c {
            DbConn::Sqlite(conn) => diesel::insert_into(email_suppressions::table)
                .values(values)
                .on_conflict(email_suppressions::email)
                .do_nothing()
                .execute(conn)?,
            DbConn::Pg(conn) => diesel::insert_into(email_suppressions::table)
                .values(values)
                .on_conflict(email_suppressions::email)
                .do_nothing()
                .execute(conn)?,
        };
    }

    // The same message arriving by another way (IMAP and mailgate, say):
    // it is on its ticket already.
    if let Some(mid) = &message_id {
        let seen: Option<i64> = emails::table
            .filter(emails::message_id.eq(mid))
            .filter(emails::direction.eq(EmailDirection::Inbound.as_str()))
            .select(emails::ticket_id)
            .first(c)
            .optional()?;
        if let Some(tid) = seen {
            finish(c, id, InboundOutcome::Matched, Some(tid), None)?;
            return Ok(InboundOutcome::Matched);
        }
    }

    let system = Principal::System(SYSTEM_NAME.into());
    let actor = Actor::of(&system);
    let body: String = msg
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '\0')
        .take(BODY_KEEP)
        .collect();
    let found = match_ticket(c, cfg, &msg, &from)?;
    let (ticket_id, outcome) = match found {
        Match::Token(t) | Match::MessageId(t) | Match::Subject(t) => (t, InboundOutcome::Matched),
        // Nobody asked for it and nothing refers to it: kept, inert.
        Match::None | Match::Stranger(_) if auto => {
            finish(c, id, InboundOutcome::Auto, None, None)?;
            return Ok(InboundOutcome::Auto);
        }
        Match::None | Match::Stranger(_) => {
            let name = msg
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.name())
                .map(|n| one_line(n, 100));
            let description: String = body.chars().take(TEXT_MAX).collect();
            let input = CreateTicket {
                subject: subject.clone(),
                description: Some(description).filter(|d| !d.trim().is_empty()),
                requester: Some(ContactInput {
                    email: Some(from.clone()),
                    name,
                    ..Default::default()
                }),
                source: Some("email".into()),
                ..Default::default()
            };
            let tid = write::create(c, &system, input, None)?;
            if let Match::Stranger(other) = found {
                let missing = || ServiceError::internal("a matched ticket is missing");
                let new = find_row(c, tid)?.ok_or_else(missing)?;
                let other = find_row(c, other)?.ok_or_else(missing)?;
                links::add_link(c, &actor, &new, &other, RELATED, at)?;
            }
            (tid, InboundOutcome::Created)
        }
    };
    let outcome = if auto { InboundOutcome::Auto } else { outcome };

    let stored_id = match &message_id {
        Some(m) if !m.is_empty() => m.clone(),
        _ => format!("lazo.inbound.{id}@{}", cfg.domain()),
    };
    let in_reply_to = ids_of(msg.in_reply_to()).into_iter().next();
    let to = recipients(&msg).into_iter().next().unwrap_or_default();
    let insert = diesel::insert_into(emails::table)
        .values((
            emails::ticket_id.eq(ticket_id),
            emails::direction.eq(EmailDirection::Inbound.as_str()),
            emails::state.eq(if auto {
                EmailState::Auto.as_str()
            } else {
                EmailState::Received.as_str()
            }),
            emails::from_addr.eq(&from),
            emails::to_addr.eq(&to),
            emails::subject.eq(&subject),
            emails::body.eq(&body),
            emails::message_id.eq(&stored_id),
            emails::in_reply_to.eq(in_reply_to),
            emails::inbound_id.eq(Some(id)),
            emails::attempts.eq(0),
            emails::created_at.eq(at),
            emails::updated_at.eq(at),
        ))
        .returning(emails::id)
        .get_result::<i64>(c);
    let email_id = match insert {
        Ok(e) => e,
        // Our own outbound Message-ID reflected back: keep the message
        // under a Message-ID of its own.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            return Err(ServiceError::Conflict {
                code: lazo_domain::ErrorCode::DuplicateMessageId.as_str(),
                detail: format!("Message-ID {stored_id} is one of ours"),
                errors: vec![],
            })
        }
        Err(e) => return Err(e.into()),
    };
    for part in msg.attachments() {
        let filename = part
            .attachment_name()
            .map(|n| one_line(n, 200))
            .unwrap_or_else(|| "attachment".into());
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(st) => clean(&format!("{}/{}", ct.ctype(), st)),
                None => clean(ct.ctype()),
            })
            .unwrap_or_else(|| "application/octet-stream".into());
        let bytes = part.contents();
        diesel::insert_into(inbound_attachments::table)
            .values((
                inbound_attachments::inbound_id.eq(id),
                inbound_attachments::filename.eq(filename),
                inbound_attachments::content_type.eq(content_type),
                inbound_attachments::size_bytes.eq(bytes.len() as i64),
                inbound_attachments::content.eq(bytes),
            ))
            .execute(c)?;
    }
    record(
        c,
        ticket_id,
        &actor,
        at,
        (
            HistoryField::EmailReceived.as_str(),
            None,
            Some(from.clone()),
        ),
        None,
    )?;
    emit(
        c,
        Some(ticket_id),
        &actor,
        at,
        &Event::EmailReceived {
            email_id,
            from: from.clone(),
            auto,
        },
    )?;
    diesel::update(tickets::table.find(ticket_id))
        .set(tickets::updated_at.eq(at))
        .execute(c)?;
    if outcome == InboundOutcome::Matched {
        move_status(c, &system, ticket_id)?;
    }
    finish(c, id, outcome, Some(ticket_id), None)?;
    Ok(outcome)
}

/// The organisation's "inbound email status": a customer's reply moves its
/// ticket there (e.g. back to Open). A ticket rule that refuses the move
/// (a root cause required...) leaves the status as it is; the reply is kept.
fn move_status(c: &mut DbConn, system: &Principal, ticket_id: i64) -> Result<(), ServiceError> {
    let Some(status) = load_settings(c)?.inbound_email_status_id else {
        return Ok(());
    };
    let current: i64 = tickets::table
        .find(ticket_id)
        .select(tickets::status_id)
        .first(c)?;
    if current == status {
        return Ok(());
    }
    // A savepoint: a refused change rolls back alone.
    let moved = c.transaction::<_, ServiceError, _>(|c| {
        write::update(
            c,
            system,
            ticket_id,
            None,
            UpdateTicket {
                status_id: Some(status),
                ..Default::default()
            },
        )
    });
    if let Err(e) = moved {
        tracing::warn!(ticket_id, error = %e, "inbound email status not applied");
    }
    Ok(())
}

fn finish(
    c: &mut DbConn,
    id: i64,
    outcome: InboundOutcome,
    ticket_id: Option<i64>,
    error: Option<&str>,
) -> Result<(), ServiceError> {
    diesel::update(inbound_messages::table.find(id))
        .set((
            inbound_messages::outcome.eq(outcome.as_str()),
            inbound_messages::ticket_id.eq(ticket_id),
            inbound_messages::parse_error.eq(error),
            inbound_messages::processed_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

/// Attachments of the inbound messages behind `inbound_ids`.
pub fn attachments_of(
    c: &mut DbConn,
    inbound_ids: &[i64],
) -> Result<Vec<(i64, EmailAttachment)>, ServiceError> {
    if inbound_ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(i64, i64, String, String, i64)> = inbound_attachments::table
        .filter(inbound_attachments::inbound_id.eq_any(inbound_ids))
        .order(inbound_attachments::id)
        .select((
            inbound_attachments::id,
            inbound_attachments::inbound_id,
            inbound_attachments::filename,
            inbound_attachments::content_type,
            inbound_attachments::size_bytes,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, inbound_id, filename, content_type, size_bytes)| {
            (
                inbound_id,
                EmailAttachment {
                    id,
                    filename,
                    content_type,
                    size_bytes,
                },
            )
        })
        .collect())
}

/// An attachment's ticket (if its message landed on one), name and bytes.
pub type AttachmentFile = (Option<i64>, String, Vec<u8>);

/// One attachment, if it exists.
pub fn attachment(c: &mut DbConn, id: i64) -> Result<Option<AttachmentFile>, ServiceError> {
    Ok(inbound_attachments::table
        .inner_join(inbound_messages::table)
        .filter(inbound_attachments::id.eq(id))
        .select((
            inbound_messages::ticket_id,
            inbound_attachments::filename,
            inbound_attachments::content,
        ))
        .first(c)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tags() {
        assert_eq!(subject_number("Re: Late [#1042]"), Some(1042));
        assert_eq!(subject_number("[#x] then [#7]"), Some(7));
        assert_eq!(subject_number("no tag #5"), None);
    }
}
