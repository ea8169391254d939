//! Writing to the customer from a ticket: the email row, its history entry,
//! its event and its delivery job, in the caller's one transaction. The
//! message is fixed here (Message-ID, threading headers, reply-to token), so
//! a delivery that runs twice or a retry sends the very same email.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::email::{Email, SendEmail, REFERENCES_MAX};
use lazo_domain::event::Event;
use lazo_domain::limits::{EMAIL_MAX, SUBJECT_MAX, TEXT_MAX};
use lazo_domain::rules::{check_line, check_text, is_email};
use lazo_domain::wire::FieldError;
use lazo_domain::{EmailDirection, EmailState, ErrorCode, HistoryField};
use serde_json::Value;

use super::templates::{self, AgentVars, ContactVars, Context, TicketVars};
use super::{delivery, token, MailConfig};
use crate::auth::Principal;
use crate::directory::user_refs;
use crate::error::ServiceError;
use crate::tickets::write::{emit, record, Actor};
use crate::tickets::{load_visible, load_writable, TicketRow};
use lazo_storage::schema::{contacts, email_suppressions, emails, statuses, ticket_types, tickets};
use lazo_storage::{now, utc, DbConn};

/// An `emails` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emails)]
pub struct EmailRow {
    pub id: i64,
    pub ticket_id: i64,
    pub direction: String,
    pub state: String,
    pub from_addr: String,
    pub to_addr: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub refs: String,
    pub template_id: Option<i64>,
    pub sent_by: Option<i64>,
    pub inbound_id: Option<i64>,
    pub attempts: i32,
    pub smtp_answer: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

pub fn find(c: &mut DbConn, id: i64) -> Result<Option<EmailRow>, ServiceError> {
    Ok(emails::table
        .find(id)
        .select(EmailRow::as_select())
        .first(c)
        .optional()?)
}

/// Rows as the API shows them.
pub fn to_wire(c: &mut DbConn, rows: Vec<EmailRow>) -> Result<Vec<Email>, ServiceError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.sent_by).collect();
    let refs = user_refs(c, &ids)?;
    let inbound_ids: Vec<i64> = rows.iter().filter_map(|r| r.inbound_id).collect();
    let files = super::inbound::attachments_of(c, &inbound_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Email {
            id: r.id,
            ticket_id: r.ticket_id,
            direction: r.direction.parse().unwrap_or(EmailDirection::Outbound),
            state: r.state.parse().unwrap_or(EmailState::Queued),
            from: r.from_addr,
            to: r.to_addr,
            subject: r.subject,
            body: r.body,
            message_id: r.message_id,
            in_reply_to: r.in_reply_to,
            template_id: r.template_id,
            sent_by: r.sent_by.and_then(|u| refs.get(&u).cloned()),
            attempts: r.attempts,
            smtp_answer: r.smtp_answer,
            attachments: files
                .iter()
                .filter(|(m, _)| Some(*m) == r.inbound_id)
                .map(|(_, a)| a.clone())
                .collect(),
            inbound_id: r.inbound_id,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            sent_at: r.sent_at.map(utc),
        })
        .collect())
}

/// A page of a ticket's thread, oldest first, after email id `after`.
pub fn page(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<EmailRow>, ServiceError> {
    load_visible(c, who, ticket_id)?;
    Ok(emails::table
        .filter(emails::ticket_id.eq(ticket_id))
        .filter(emails::id.gt(after))
        .order(emails::id)
        .limit(limit + 1)
        .select(EmailRow::as_select())
        .load(c)?)
}

/// A contact's email, name and language, each optional.
type ContactFacts = (Option<String>, Option<String>, Option<String>);

/// The contact's (email, name, language) of a ticket.
fn contact_of(c: &mut DbConn, row: &TicketRow) -> Result<ContactFacts, ServiceError> {
    let Some(cid) = row.contact_id else {
        return Ok((row.requester_email.clone(), None, None));
    };
    let found: Option<ContactFacts> = contacts::table
        .find(cid)
        .select((contacts::email, contacts::name, contacts::language))
        .first(c)
        .optional()?;
    let (email, name, language) = found.unwrap_or((None, None, None));
    Ok((
        email.or_else(|| row.requester_email.clone()),
        name,
        language,
    ))
}

/// A custom field named Email (by key or by its type's label) holding an
/// address: the recipient when the ticket has no contact email.
fn custom_email(c: &mut DbConn, row: &TicketRow) -> Result<Option<String>, ServiceError> {
    let values: Value = serde_json::from_str(&row.custom_fields).unwrap_or(Value::Null);
    let Some(values) = values.as_object() else {
        return Ok(None);
    };
    let mut keys: Vec<String> = values
        .keys()
        .filter(|k| k.eq_ignore_ascii_case("email"))
        .cloned()
        .collect();
    if let Some(type_id) = row.type_id {
        let defs: Option<String> = ticket_types::table
            .find(type_id)
            .select(ticket_types::fields)
            .first(c)
            .optional()?;
        let defs: Value = defs
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null);
        for d in defs.as_array().into_iter().flatten() {
            if d["label"]
                .as_str()
                .is_some_and(|l| l.trim().eq_ignore_ascii_case("email"))
            {
                if let Some(k) = d["key"].as_str() {
                    keys.push(k.to_owned());
                }
            }
        }
    }
    Ok(keys
        .iter()
        .filter_map(|k| values.get(k).and_then(Value::as_str))
        .map(|v| v.trim().to_owned())
        .find(|v| is_email(v)))
}

/// The message a reply should thread under: (In-Reply-To, References).
fn thread_headers(
    c: &mut DbConn,
    ticket_id: i64,
) -> Result<(Option<String>, String), ServiceError> {
    let mut ids: Vec<String> = emails::table
        .filter(emails::ticket_id.eq(ticket_id))
        .order(emails::id.desc())
        .limit(REFERENCES_MAX as i64)
        .select(emails::message_id)
        .load(c)?;
    let last = ids.first().cloned();
    ids.reverse();
    Ok((last, ids.join(" ")))
}

/// `subject` with the ticket tag `[#number]`, added once.
pub fn tagged_subject(subject: &str, number: i64) -> String {
    let tag = format!("[#{number}]");
    // One line: a header cannot carry line breaks.
    let one_line = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.contains(&tag) {
        one_line
    } else {
        format!("{one_line} {tag}")
    }
}

pub fn new_message_id(cfg: &MailConfig) -> String {
    format!("lazo.{}@{}", uuid::Uuid::new_v4().simple(), cfg.domain())
}

fn field(f: &str, code: impl Into<String>, msg: impl Into<String>) -> ServiceError {
    ServiceError::invalid(vec![FieldError::new(f, code, msg)])
}

/// Queues an email to the customer of ticket `id`. Returns the email's id.
pub fn send(
    c: &mut DbConn,
    who: &Principal,
    cfg: &MailConfig,
    id: i64,
    input: &SendEmail,
) -> Result<i64, ServiceError> {
    let mut errors = Vec::new();
    if let Some(to) = &input.to {
        check_line("to", to, EMAIL_MAX, &mut errors);
        if errors.is_empty() && !is_email(to.trim()) {
            errors.push(FieldError::new(
                "to",
                ErrorCode::Invalid,
                "must be an email address",
            ));
        }
    }
    if let Some(s) = &input.subject {
        check_line("subject", s, SUBJECT_MAX, &mut errors);
    }
    if let Some(b) = &input.body {
        if b.trim().is_empty() {
            errors.push(FieldError::new(
                "body",
                ErrorCode::Required,
                "must not be blank",
            ));
        }
        check_text("body", b, TEXT_MAX, &mut errors);
    }
    if input.template_id.is_none() {
        if input.subject.is_none() {
            errors.push(FieldError::new(
                "subject",
                ErrorCode::Required,
                "a subject, or a template_id",
            ));
        }
        if input.body.is_none() {
            errors.push(FieldError::new(
                "body",
                ErrorCode::Required,
                "a body, or a template_id",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }

    let row = load_writable(c, who, id)?;
    let (contact_email, contact_name, contact_language) = contact_of(c, &row)?;
    let to = match &input.to {
        Some(to) => to.trim().to_lowercase(),
        None => match contact_email.clone().filter(|e| is_email(e)) {
            Some(e) => e,
            None => custom_email(c, &row)?.ok_or_else(|| {
                field(
                    "to",
                    ErrorCode::Required,
                    "the ticket has no contact email and no Email field: give a recipient",
                )
            })?,
        }
        .to_lowercase(),
    };
    let suppressed: i64 = email_suppressions::table
        .filter(email_suppressions::email.eq(&to))
        .count()
        .get_result(c)?;
    if suppressed > 0 {
        return Err(field(
            "to",
            ErrorCode::AddressBounced,
            "mail to this address bounced permanently",
        ));
    }

    let (subject, body) = match input.template_id {
        None => (
            input.subject.clone().unwrap_or_default(),
            input.body.clone().unwrap_or_default(),
        ),
        Some(tid) => {
            let language = contact_language.clone().unwrap_or_else(|| "en".into());
            let tpl = templates::variant(c, tid, &language).map_err(|e| match e {
                ServiceError::NotFound(_) => field(
                    "template_id",
                    ErrorCode::UnknownReference,
                    "no such email template",
                ),
                other => other,
            })?;
            let status: String = statuses::table
                .find(row.status_id)
                .select(statuses::name)
                .first(c)?;
            let (agent_name, agent_email) = match who {
                Principal::User(u) => (u.name.clone(), u.email.clone()),
                other => (other.name(), String::new()),
            };
            let ctx = Context {
                ticket: TicketVars {
                    id: row.id,
                    number: row.number,
                    subject: row.subject.clone(),
                    description: row.description.clone(),
                    status,
                    priority: row.priority().as_str().into(),
                },
                contact: ContactVars {
                    name: contact_name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| contact_email.clone().unwrap_or_default()),
                    email: contact_email.clone().unwrap_or_default(),
                    language,
                },
                agent: AgentVars {
                    name: agent_name,
                    email: agent_email,
                },
            };
            let render = |f: &str, src: &str| {
                templates::render(src, &ctx).map_err(|e| {
                    field(
                        f,
                        ErrorCode::Invalid,
                        format!("the template does not render: {e}"),
                    )
                })
            };
            let subject = match &input.subject {
                Some(s) => s.clone(),
                None => render("template_id", &tpl.subject)?,
            };
            let body = match &input.body {
                Some(b) => b.clone(),
                None => render("template_id", &tpl.body)?,
            };
            (subject, body)
        }
    };

    let at = now();
    let (in_reply_to, refs) = thread_headers(c, id)?;
    let reply_to = token::reply_address(&cfg.token_key, cfg.reply_to.email.as_ref(), row.number);
    let reply_to = match &cfg.reply_to.name {
        Some(n) => lettre::message::Mailbox::new(
            Some(n.clone()),
            reply_to.parse().map_err(ServiceError::internal)?,
        )
        .to_string(),
        None => reply_to,
    };
    let actor = Actor::of(who);
    let email_id: i64 = diesel::insert_into(emails::table)
        .values((
            emails::ticket_id.eq(id),
            emails::direction.eq(EmailDirection::Outbound.as_str()),
            emails::state.eq(EmailState::Queued.as_str()),
            emails::from_addr.eq(cfg.from.to_string()),
            emails::to_addr.eq(&to),
            emails::reply_to.eq(Some(reply_to)),
            emails::subject.eq(tagged_subject(&subject, row.number)),
            emails::body.eq(&body),
            emails::message_id.eq(new_message_id(cfg)),
            emails::in_reply_to.eq(in_reply_to),
            emails::refs.eq(refs),
            emails::template_id.eq(input.template_id),
            emails::sent_by.eq(actor.user_id),
            emails::attempts.eq(0),
            emails::created_at.eq(at),
            emails::updated_at.eq(at),
        ))
        .returning(emails::id)
        .get_result(c)?;
    queued(c, &actor, id, email_id, &to, at)?;
    Ok(email_id)
}

/// History, event, delivery job and the ticket's `updated_at` of an email
/// (re)queued.
fn queued(
    c: &mut DbConn,
    actor: &Actor,
    ticket_id: i64,
    email_id: i64,
    to: &str,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    record(
        c,
        ticket_id,
        actor,
        at,
        (
            HistoryField::EmailQueued.as_str(),
            None,
            Some(to.to_owned()),
        ),
        None,
    )?;
    emit(
        c,
        Some(ticket_id),
        actor,
        at,
        &Event::EmailQueued {
            email_id,
            to: to.to_owned(),
        },
    )?;
    crate::jobs::queue::enqueue(c, delivery::job(email_id))?;
    diesel::update(tickets::table.find(ticket_id))
        .set(tickets::updated_at.eq(at))
        .execute(c)?;
    Ok(())
}

/// "Retry now": a failed (or still waiting) outbound email is queued again,
/// with the same Message-ID, to be delivered at once.
pub fn retry(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
    email_id: i64,
) -> Result<(), ServiceError> {
    load_writable(c, who, ticket_id)?;
    let row = find(c, email_id)?
        .filter(|r| r.ticket_id == ticket_id)
        .ok_or(ServiceError::NotFound("email"))?;
    let retryable = row.direction == EmailDirection::Outbound.as_str()
        && (row.state == EmailState::Failed.as_str() || row.state == EmailState::Queued.as_str());
    if !retryable {
        return Err(ServiceError::Conflict {
            code: lazo_domain::ErrorCode::EmailNotRetryable.as_str(),
            detail: format!("a {} {} email cannot be retried", row.state, row.direction),
            errors: vec![],
        });
    }
    let at = now();
    diesel::update(emails::table.find(email_id))
        .set((
            emails::state.eq(EmailState::Queued.as_str()),
            emails::attempts.eq(0),
            emails::updated_at.eq(at),
        ))
        .execute(c)?;
    queued(c, &Actor::of(who), ticket_id, email_id, &row.to_addr, at)
}
