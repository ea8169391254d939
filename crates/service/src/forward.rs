//! Forwarding a ticket by email (Reputation's "Reenviar"): the text is
//! composed when the agent forwards (the ticket as it is then), written with
//! a history row and an event in the request's transaction, and sent by a
//! `ticket.forward` job with a Message-ID fixed up front, so a retry never
//! sends a second, different email.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::Event;
use lazo_domain::forward::{ForwardTicket, Forwarded};
use lazo_domain::limits::{SUBJECT_MAX, TEXT_MAX};
use lazo_domain::rules::is_email;
use lazo_domain::wire::{CommentInput, FieldError};
use lazo_domain::{ErrorCode, HistoryField, Priority};
use lazo_storage::schema::{comments, history, statuses, users};
use lazo_storage::{now, Db, DbConn};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::Message;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

use crate::auth::Principal;
use crate::email::MailConfig;
use crate::jobs::{NewJob, Outcome, Registry};
use crate::mailer::{self, SendError};
use crate::tickets::load_writable;
use crate::tickets::write::{add_comment, emit, record, Actor};
use crate::ServiceError;

pub const FORWARD: &str = "ticket.forward";
const RECIPIENTS_MAX: usize = 20;

/// Everything the job needs: composed at request time.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Job {
    ticket_id: i64,
    to: Vec<String>,
    reply_to: Option<String>,
    subject: String,
    body: String,
    message_id: String,
    by: String,
}

pub fn forward(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    body: &ForwardTicket,
    cfg: &MailConfig,
) -> Result<Forwarded, ServiceError> {
    let row = load_writable(c, who, ticket_id)?;
    let mut errors = vec![];
    let mut to: Vec<String> = vec![];
    for (i, e) in body.to.iter().enumerate() {
        let e = e.trim().to_lowercase();
        if e.len() > 254 || !is_email(&e) || e.parse::<Mailbox>().is_err() {
            errors.push(FieldError::new(
                format!("to[{i}]"),
                ErrorCode::Invalid,
                "not an email address",
            ));
        } else if !to.contains(&e) {
            to.push(e);
        }
    }
    for (i, id) in body.user_ids.iter().enumerate() {
        let found: Option<(String, bool)> = users::table
            .find(*id)
            .select((users::email, users::active))
            .first(c)
            .optional()?;
        match found {
            Some((email, true)) => {
                if !to.contains(&email) {
                    to.push(email)
                }
            }
            Some((_, false)) => errors.push(FieldError::new(
                format!("user_ids[{i}]"),
                ErrorCode::Inactive,
                "this user is deactivated",
            )),
            None => errors.push(FieldError::new(
                format!("user_ids[{i}]"),
                ErrorCode::UnknownReference,
                "no such user",
            )),
        }
    }
    if body.to.len() + body.user_ids.len() > RECIPIENTS_MAX {
        errors.push(FieldError::new(
            "to",
            ErrorCode::TooMany,
            "at most 20 recipients",
        ));
    }
    if errors.is_empty() && to.is_empty() {
        errors.push(FieldError::new(
            "to",
            ErrorCode::Required,
            "name at least one recipient",
        ));
    }
    let default_subject = format!("Fwd: [#{}] {}", row.number, row.subject);
    let subject = body
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&default_subject)
        .to_owned();
    if subject.chars().count() > SUBJECT_MAX + 10 || subject.contains(['\r', '\n', '\0']) {
        errors.push(FieldError::new(
            "subject",
            ErrorCode::Invalid,
            "one line of at most 200 characters",
        ));
    }
    if body
        .message
        .as_deref()
        .is_some_and(|m| m.chars().count() > TEXT_MAX || m.contains('\0'))
    {
        errors.push(FieldError::new(
            "message",
            ErrorCode::TooLong,
            "at most 20 000 characters, no NUL",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }

    let actor = Actor::of(who);
    let at = now();
    let text = compose(c, &row, body, &actor.name)?;
    let message_id = format!(
        "lazo.forward.{}.{}@{}",
        row.id,
        uuid::Uuid::new_v4().simple(),
        cfg.domain()
    );
    record(
        c,
        row.id,
        &actor,
        at,
        (HistoryField::Forwarded.as_str(), None, Some(to.join(", "))),
        None,
    )?;
    emit(
        c,
        Some(row.id),
        &actor,
        at,
        &Event::TicketForwarded { to: to.clone() },
    )?;
    let reply_to = who.user().map(|u| u.email.clone());
    crate::jobs::enqueue(
        c,
        NewJob::new(
            FORWARD,
            serde_json::to_value(Job {
                ticket_id: row.id,
                to: to.clone(),
                reply_to,
                subject: subject.clone(),
                body: text,
                message_id: message_id.clone(),
                by: actor.name.clone(),
            })
            .map_err(ServiceError::internal)?,
        )
        .max_attempts(12),
    )?;
    Ok(Forwarded {
        to,
        subject,
        message_id,
    })
}

/// When, who, field, old, new.
type HistoryLine = (
    NaiveDateTime,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn fmt_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The forwarded text: the note, the ticket, and on request its comments
/// and history, oldest first.
fn compose(
    c: &mut DbConn,
    row: &crate::tickets::TicketRow,
    body: &ForwardTicket,
    by: &str,
) -> Result<String, ServiceError> {
    let mut s = String::new();
    if let Some(m) = body.message.as_deref().filter(|m| !m.trim().is_empty()) {
        s.push_str(m.trim_end());
        s.push_str("\n\n");
    }
    let status: String = statuses::table
        .find(row.status_id)
        .select(statuses::name)
        .first(c)?;
    let priority = Priority::from_rank(row.priority)
        .map(|p| p.as_str())
        .unwrap_or("");
    s.push_str(&format!(
        "---------- Forwarded ticket ----------\nTicket #{} — {}\nStatus: {status} · Priority: {priority}\nCreated: {}\n",
        row.number,
        row.subject,
        fmt_time(row.created_at)
    ));
    if let Some(e) = &row.requester_email {
        s.push_str(&format!("Customer: {e}\n"));
    }
    if let Some(score) = row.summary_score {
        s.push_str(&format!("Score: {score}\n"));
    }
    if let Some(comment) = row.summary_comment.as_deref().filter(|c| !c.is_empty()) {
        s.push_str(&format!("Customer comment: {comment}\n"));
    }
    if !row.description.trim().is_empty() {
        s.push_str(&format!("\n{}\n", row.description.trim_end()));
    }
    if body.include_comments {
        let rows: Vec<(NaiveDateTime, Option<i64>, String, bool)> = comments::table
            .filter(comments::ticket_id.eq(row.id))
            .order(comments::id)
            .select((
                comments::created_at,
                comments::author_id,
                comments::body,
                comments::internal,
            ))
            .load(c)?;
        if !rows.is_empty() {
            s.push_str("\n---------- Comments ----------\n");
        }
        for (at, author, text, internal) in rows {
            let name: String = match author {
                Some(a) => users::table
                    .find(a)
                    .select(users::name)
                    .first(c)
                    .optional()?
                    .unwrap_or_default(),
                None => "API".into(),
            };
            let kind = if internal { "internal note" } else { "reply" };
            s.push_str(&format!(
                "\n{} · {name} ({kind}):\n{}\n",
                fmt_time(at),
                text.trim_end()
            ));
        }
    }
    if body.include_history {
        let rows: Vec<HistoryLine> = history::table
            .filter(history::ticket_id.eq(row.id))
            .order(history::id)
            .select((
                history::at,
                history::actor_name,
                history::field,
                history::old_value,
                history::new_value,
            ))
            .load(c)?;
        if !rows.is_empty() {
            s.push_str("\n---------- History ----------\n");
        }
        for (at, actor, field, old, new) in rows {
            s.push_str(&format!(
                "{} · {actor} · {field}: {} → {}\n",
                fmt_time(at),
                old.as_deref().unwrap_or("—"),
                new.as_deref().unwrap_or("—")
            ));
        }
    }
    s.push_str(&format!("\n-- \nForwarded by {by} from Lazo.\n"));
    Ok(s)
}

pub fn register(r: &mut Registry, cfg: Arc<MailConfig>) {
    let smtp = Arc::new(crate::email::delivery::Smtp::default());
    r.register(FORWARD, move |db: &Db, payload: &Value| {
        let job: Job = serde_json::from_value(payload.clone())?;
        send(db, &cfg, &smtp, &job)
    });
}

fn send(
    db: &Db,
    cfg: &MailConfig,
    smtp: &crate::email::delivery::Smtp,
    job: &Job,
) -> anyhow::Result<Outcome> {
    let mut b = Message::builder()
        .from(cfg.from.clone())
        .subject(job.subject.clone())
        .message_id(Some(format!("<{}>", job.message_id)))
        .header(ContentType::TEXT_PLAIN);
    for t in &job.to {
        b = b.to(t.parse()?);
    }
    if let Some(r) = &job.reply_to {
        if let Ok(r) = r.parse() {
            b = b.reply_to(r);
        }
    }
    let msg = b.body(job.body.clone())?;
    match mailer::send(cfg, smtp, &msg) {
        Ok(()) => Ok(Outcome::Done),
        Err(SendError::Permanent(answer)) => {
            // Said where the agent works: an internal note on the ticket.
            let (tid, to) = (job.ticket_id, job.to.join(", "));
            db.transaction::<_, ServiceError, _>(move |c| {
                let actor = Actor::of(&Principal::System("email".into()));
                let exists = crate::tickets::find_row(c, tid)?.is_some();
                if exists {
                    add_comment(
                        c,
                        tid,
                        &actor,
                        &CommentInput {
                            body: format!("The forward to {to} could not be delivered.\nSMTP answer: {answer}"),
                            internal: true,
                        },
                        now(),
                    )?;
                }
                Ok(())
            })?;
            Ok(Outcome::Done)
        }
        Err(e) => Err(e.into()),
    }
}
