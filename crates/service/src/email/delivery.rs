//! Delivery of queued emails over SMTP with lettre, as a job of the durable
//! queue. At least once: the row's state is checked first, so a job that
//! runs again after its email was sent does nothing; a crash between the
//! SMTP server's "250" and our commit re-sends the same message with the
//! same Message-ID, which receivers deduplicate.

use diesel::prelude::*;
use lazo_domain::event::Event;
use lazo_domain::wire::CommentInput;
use lazo_domain::{EmailDirection, EmailState, HistoryField};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

use super::outbound::{self, EmailRow};
use super::MailConfig;
use crate::auth::Principal;
use crate::error::ServiceError;
use crate::jobs::queue::NewJob;
use crate::jobs::worker::{Outcome, Registry};
use crate::tickets::write::{add_comment, emit, record, Actor};
use lazo_storage::schema::emails;
use lazo_storage::{now, Db, DbConn};

pub const DELIVER: &str = "email.deliver";
/// Transient failures (server down, 4xx) are retried this many times with
/// the queue's backoff before the email is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;
/// The name history and notes show for delivery.
pub const SYSTEM_NAME: &str = "Lazo (email delivery)";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    pub email_id: i64,
}

/// The delivery job of an email: one per email (a retry re-arms it).
pub fn job(email_id: i64) -> NewJob {
    NewJob::new(DELIVER, json!(Deliver { email_id }))
        .key(format!("{DELIVER}:{email_id}"))
        // The email's own attempt count decides when to give up.
        .max_attempts(MAX_ATTEMPTS + 2)
}

/// The SMTP transport of a worker, built on first use and kept: lettre's
/// pool reuses connections across deliveries (opening one costs a server
/// ~100 ms: greeting, reverse DNS, EHLO), and checks an idle one is alive
/// before reusing it.
#[derive(Default)]
pub struct Smtp(std::sync::OnceLock<Result<SmtpTransport, String>>);

impl Smtp {
    pub fn get(&self, cfg: &MailConfig) -> Result<&SmtpTransport, String> {
        let url = cfg.smtp_url.as_deref().ok_or("LAZO_SMTP_URL is not set")?;
        self.0
            .get_or_init(|| {
                SmtpTransport::from_url(url)
                    .map(|b| b.timeout(Some(cfg.smtp_timeout)).build())
                    .map_err(|e| format!("LAZO_SMTP_URL: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Adds the delivery handler to a worker's registry.
pub fn register(r: &mut Registry, cfg: Arc<MailConfig>) {
    let smtp = Arc::new(Smtp::default());
    r.register(DELIVER, move |db: &Db, payload: &Value| {
        let p: Deliver = serde_json::from_value(payload.clone())?;
        deliver(db, &cfg, &smtp, p.email_id)
    });
}

/// What became of one SMTP try.
enum Tried {
    Sent(String),
    /// 5xx, or a message that cannot be built (bad address): never retried.
    Permanent(String),
    Transient(String),
}

fn system() -> Actor {
    Actor::of(&Principal::System(SYSTEM_NAME.into()))
}

pub fn deliver(db: &Db, cfg: &MailConfig, smtp: &Smtp, email_id: i64) -> anyhow::Result<Outcome> {
    // Claim a try: count it, unless the email is no longer waiting.
    let row = db.transaction::<_, ServiceError, _>(|c| {
        let Some(row) = outbound::find(c, email_id)? else {
            return Ok(None);
        };
        if row.direction != EmailDirection::Outbound.as_str()
            || row.state != EmailState::Queued.as_str()
        {
            return Ok(None);
        }
        diesel::update(emails::table.find(email_id))
            .set(emails::attempts.eq(emails::attempts + 1))
            .execute(c)?;
        Ok(Some(row))
    })?;
    let Some(row) = row else {
        return Ok(Outcome::Done);
    };
    let attempt = row.attempts + 1;
    let tried = try_send(cfg, smtp, &row);
    match tried {
        Tried::Sent(answer) => {
            db.transaction::<_, ServiceError, _>(|c| {
                let at = now();
                let n = diesel::update(
                    emails::table
                        .find(email_id)
                        .filter(emails::state.eq(EmailState::Queued.as_str())),
                )
                .set((
                    emails::state.eq(EmailState::Sent.as_str()),
                    emails::smtp_answer.eq(&answer),
                    emails::sent_at.eq(at),
                    emails::updated_at.eq(at),
                ))
                .execute(c)?;
                if n == 1 {
                    emit(
                        c,
                        Some(row.ticket_id),
                        &system(),
                        at,
                        &Event::EmailSent { email_id },
                    )?;
                }
                Ok(())
            })?;
            Ok(Outcome::Done)
        }
        Tried::Permanent(answer) => {
            db.transaction::<_, ServiceError, _>(|c| fail(c, &row, &answer))?;
            Ok(Outcome::Done)
        }
        Tried::Transient(answer) if attempt >= MAX_ATTEMPTS => {
            let answer = format!("gave up after {attempt} tries: {answer}");
            db.transaction::<_, ServiceError, _>(|c| fail(c, &row, &answer))?;
            Ok(Outcome::Done)
        }
        Tried::Transient(answer) => {
            db.transaction::<_, ServiceError, _>(|c| {
                diesel::update(emails::table.find(email_id))
                    .set((
                        emails::smtp_answer.eq(&answer),
                        emails::updated_at.eq(now()),
                    ))
                    .execute(c)?;
                Ok(())
            })?;
            // The queue retries with backoff.
            Err(anyhow::anyhow!("email {email_id}: {answer}"))
        }
    }
}

/// Marks the email failed with the SMTP answer, in history, as an event
/// and as an internal note on the ticket, so agents see it where they work.
fn fail(c: &mut DbConn, row: &EmailRow, answer: &str) -> Result<(), ServiceError> {
    let at = now();
    let n = diesel::update(
        emails::table
            .find(row.id)
            .filter(emails::state.eq(EmailState::Queued.as_str())),
    )
    .set((
        emails::state.eq(EmailState::Failed.as_str()),
        emails::smtp_answer.eq(answer),
        emails::updated_at.eq(at),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(());
    }
    let actor = system();
    record(
        c,
        row.ticket_id,
        &actor,
        at,
        (
            HistoryField::EmailFailed.as_str(),
            Some(row.to_addr.clone()),
            Some(answer.to_owned()),
        ),
        None,
    )?;
    emit(
        c,
        Some(row.ticket_id),
        &actor,
        at,
        &Event::EmailFailed {
            email_id: row.id,
            smtp_answer: answer.to_owned(),
        },
    )?;
    add_comment(
        c,
        row.ticket_id,
        &actor,
        &CommentInput {
            body: format!(
                "The email \"{}\" to {} could not be delivered.\nSMTP answer: {}",
                row.subject, row.to_addr, answer
            ),
            internal: true,
        },
        at,
    )?;
    Ok(())
}

/// The message exactly as queued: same Message-ID and Date on every try.
pub fn build(row: &EmailRow) -> Result<Message, String> {
    let from: Mailbox = row
        .from_addr
        .parse()
        .map_err(|e| format!("From {:?}: {e}", row.from_addr))?;
    let to: Mailbox = row
        .to_addr
        .parse()
        .map_err(|e| format!("To {:?}: {e}", row.to_addr))?;
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!("<{}>", row.message_id)))
        .date(row.created_at.and_utc().into())
        .header(ContentType::TEXT_PLAIN);
    if let Some(r) = &row.reply_to {
        b = b.reply_to(r.parse().map_err(|e| format!("Reply-To {r:?}: {e}"))?);
    }
    if let Some(irt) = &row.in_reply_to {
        b = b.in_reply_to(format!("<{irt}>"));
    }
    if !row.refs.trim().is_empty() {
        let refs: Vec<String> = row
            .refs
            .split_whitespace()
            .map(|r| format!("<{r}>"))
            .collect();
        b = b.references(refs.join(" "));
    }
    b.body(row.body.clone()).map_err(|e| e.to_string())
}

fn try_send(cfg: &MailConfig, smtp: &Smtp, row: &EmailRow) -> Tried {
    let msg = match build(row) {
        Ok(m) => m,
        Err(e) => return Tried::Permanent(format!("cannot build the message: {e}")),
    };
    let transport = match smtp.get(cfg) {
        Ok(t) => t,
        // Missing or unreadable configuration is the admin's to fix: the
        // email waits (and retries) meanwhile.
        Err(e) => return Tried::Transient(e),
    };
    match transport.send(&msg) {
        Ok(resp) => Tried::Sent(format!(
            "{} {}",
            resp.code(),
            resp.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) if e.is_permanent() => Tried::Permanent(smtp_error(&e)),
        Err(e) => Tried::Transient(smtp_error(&e)),
    }
}

/// The error with its causes (lettre keeps the server's answer in them).
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(cause) = src {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        src = cause.source();
    }
    s.chars().take(1000).collect()
}
