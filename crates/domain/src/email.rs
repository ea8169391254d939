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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailPage {
    /// Oldest first.
    pub items: Vec<Email>,
    pub next_cursor: Option<String>,
}
