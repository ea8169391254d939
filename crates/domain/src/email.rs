//! Wire types of email: templates, a ticket's email thread, sending and
//! raw inbound messages. Kept apart from `wire.rs` because email is one
//! area of its own; the same conventions apply (requests deny unknown
//! fields, timestamps are RFC 3339 UTC).

use crate::model::{EmailDirection, EmailState, Language};
use crate::wire::UserRef;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Longest template source (subject or body), in characters.
pub const TEMPLATE_MAX: usize = 20_000;
/// Largest raw inbound message accepted, in bytes. 25 MB is the common
/// provider limit; anything larger is refused with 413 before it is stored.
pub const INBOUND_MAX_BYTES: usize = 25 * 1024 * 1024;
/// At most this many Message-IDs in an outgoing `References` header
/// (RFC 5322 sets no limit; long threads would otherwise grow it forever).
pub const REFERENCES_MAX: usize = 10;

/// A reusable email, one variant per (name, language). Subject and body are
/// minijinja templates over `ticket`, `contact` and `agent`, e.g.
/// `{{ ticket.number }}`, `{{ contact.name }}`, `{{ agent.name }}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailTemplate {
    pub id: i64,
    pub name: String,
    pub language: Language,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateEmailTemplate {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// Defaults to `en`.
    #[serde(default)]
    pub language: Option<Language>,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 20000,
            pattern = r"\S",
            example = "Your ticket [#{{ ticket.number }}]"
        )
    )]
    pub subject: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 20000,
            pattern = r"\S",
            example = "Hello {{ contact.name }},\n\n{{ agent.name }}"
        )
    )]
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateEmailTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: Option<String>,
}

/// `POST /tickets/{id}/emails`: either a subject and body, or a template
/// (rendered in the contact's language), or a template with the subject or
/// body overridden. The recipient defaults to the contact's email, else a
/// custom field named Email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendEmail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 254, format = "email"))]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<i64>,
}

/// One email of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Email {
    pub id: i64,
    pub ticket_id: i64,
    pub direction: EmailDirection,
    pub state: EmailState,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub template_id: Option<i64>,
    pub sent_by: Option<UserRef>,
    /// Delivery tries so far (outbound).
    pub attempts: i32,
    /// The SMTP server's last answer, or the error of the last try.
    pub smtp_answer: Option<String>,
    /// The raw inbound message it came from (admins see it under
    /// `/inbound/messages`).
    pub inbound_id: Option<i64>,
    /// Files that came with an inbound email, downloaded from
    /// `/inbound/attachments/{id}` (always as an attachment, never inline).
    pub attachments: Vec<EmailAttachment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailAttachment {
    pub id: i64,
    pub filename: String,
    /// As the sender declared it; served as `application/octet-stream`.
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailPage {
    /// Oldest first.
    pub items: Vec<Email>,
    pub next_cursor: Option<String>,
}

/// What became of a raw inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InboundOutcome {
    /// Stored, not processed yet.
    New,
    /// Landed on an existing ticket (reply matched by token, Message-ID or
    /// subject tag).
    Matched,
    /// Opened a new ticket.
    Created,
    /// An auto-reply or bounce: kept, changed nothing (a permanent bounce
    /// flags the address).
    Auto,
    /// Could not be used; `parse_error` says why. Reprocess after a fix.
    Failed,
}

impl InboundOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            InboundOutcome::New => "new",
            InboundOutcome::Matched => "matched",
            InboundOutcome::Created => "created",
            InboundOutcome::Auto => "auto",
            InboundOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<InboundOutcome> {
        [
            InboundOutcome::New,
            InboundOutcome::Matched,
            InboundOutcome::Created,
            InboundOutcome::Auto,
            InboundOutcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// A raw inbound message as admins see it (the bytes stay on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InboundMessage {
    pub id: i64,
    /// SHA-256 of the raw bytes: the same message posted twice is stored once.
    pub sha256: String,
    pub size_bytes: i64,
    /// `api`, `mailgate` or `imap`.
    pub source: String,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub outcome: InboundOutcome,
    pub parse_error: Option<String>,
    pub ticket_id: Option<i64>,
    /// False when this exact message had been received before.
    pub first_seen: bool,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InboundMessagePage {
    /// Newest first.
    pub items: Vec<InboundMessage>,
    pub next_cursor: Option<String>,
}

/// Filters of `GET /inbound/messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InboundQuery {
    /// Only messages with this outcome, e.g. `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<InboundOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}
