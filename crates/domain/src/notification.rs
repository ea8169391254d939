//! In-app notifications and each person's choices of what to be told and
//! how (PRODUCT.md "Notifications").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::NotificationKind;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One thing a person is told about a ticket they are responsible for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// Absent once the ticket is deleted.
    pub ticket_id: Option<i64>,
    /// The ticket as it was: `#1042 Late refund`.
    pub title: String,
    /// What changed, e.g. `Status: Open → Resolved`.
    pub detail: String,
    /// Who did it.
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    /// Unread notifications in all (the bell's number).
    pub unread: i64,
}

/// Query of `GET /notifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 20, pattern = "^[0-9]+$"))]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

/// Body of `POST /notifications/read`: these ids, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub ids: Vec<i64>,
    /// Every unread notification of the caller.
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MarkedRead {
    /// How many were unread and are now read.
    pub marked: i64,
    pub unread: i64,
}

/// How a person wants to hear of one kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPref {
    pub kind: NotificationKind,
    /// Under the bell.
    pub in_app: bool,
    /// By email.
    pub email: bool,
}

/// Every kind with the caller's choice (or the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub items: Vec<NotificationPref>,
}
