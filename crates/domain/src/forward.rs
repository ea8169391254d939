//! Forwarding a ticket by email to people who are not on it (a colleague
//! in another team, a supplier): Reputation's "Reenviar".

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Body of `POST /tickets/{id}/forward`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForwardTicket {
    /// Email addresses.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub to: Vec<String>,
    /// Lazo users, by id (their email is used).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub user_ids: Vec<i64>,
    /// Defaults to `Fwd: [#number] subject`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subject: Option<String>,
    /// A note above the ticket.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub message: Option<String>,
    /// Add the ticket's history.
    #[serde(default)]
    pub include_history: bool,
    /// Add its comments (public replies and internal notes).
    #[serde(default)]
    pub include_comments: bool,
}

/// What was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Forwarded {
    /// Every recipient address, users' included.
    pub to: Vec<String>,
    pub subject: String,
    /// The Message-ID the email carries (on every retry).
    pub message_id: String,
}
