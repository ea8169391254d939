//! What integrators receive: webhook endpoints and their deliveries, and the
//! change feed. A [`ChangeEvent`] is the one versioned shape of an event for
//! the outside world: the webhook body's `data` and an item of
//! `GET /events` are the same type, so a consumer parses one thing whichever
//! way it learns of a change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::wire::Actor;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The version of [`ChangeEvent`]'s shape. Fields are added without a new
/// version; a rename or removal would take version 2.
pub const SCHEMA_VERSION: u32 = 1;

/// One committed change, as webhooks and the change feed carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeEvent {
    /// The event's id (stable; the webhook-id is `msg_<id>`).
    pub id: i64,
    /// Its place in commit order: the change feed's cursor.
    pub position: i64,
    /// Version of this shape (1 today).
    pub schema_version: u32,
    pub occurred_at: DateTime<Utc>,
    /// The ticket it happened to (absent for events of other resources).
    pub ticket_id: Option<i64>,
    pub actor: Actor,
    /// `kind` names the event; `data` is its kind's payload.
    #[serde(flatten)]
    pub event: Event,
}

/// The body of a webhook request (Standard Webhooks: `type`, `timestamp`,
/// `data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookMessage {
    /// The event kind, e.g. `ticket.updated`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When this attempt was signed.
    pub timestamp: DateTime<Utc>,
    pub data: ChangeEvent,
}

/// A page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeFeedPage {
    /// In commit order, oldest first.
    pub items: Vec<ChangeEvent>,
    /// Pass as `after` to get what follows, now or later: it is the last
    /// item's position, or the `after` given when the page is empty.
    pub next_cursor: String,
    /// True when this page was cut by `limit` (more is waiting now).
    pub has_more: bool,
}

/// Query of `GET /events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ChangeFeedQuery {
    /// A `next_cursor` from an earlier page; absent: from the beginning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 20, pattern = "^[0-9]+$"))]
    pub after: Option<String>,
    /// Page size, 1 to 1000; default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<i64>,
}

/// A webhook endpoint (the secret is shown only when created or rotated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// Event kinds delivered here; empty: every kind.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why it is disabled: by an admin, or by Lazo when the receiver
    /// answered 410 Gone.
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs (after a rotation).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint with its signing secret: the answer to create and rotate,
/// the only times the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_` + base64 of 32 random bytes (Standard Webhooks).
    pub secret: String,
}

/// Body of `POST /webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// `https://` (or `http://`) URL, at most 2000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub url: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: Option<String>,
    /// Event kinds to deliver; empty or absent: every kind.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Body of `PATCH /webhooks/{id}`: absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointPatch {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub url: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: Option<String>,
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    /// Enabling clears `disabled_reason`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// One event for one endpoint and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    /// The `webhook-id` header: the same on every attempt and replay.
    pub msg_id: String,
    pub event_type: String,
    /// `pending` (trying), `succeeded` or `failed` (gave up, or the
    /// endpoint is disabled).
    pub state: String,
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookAttempt {
    pub id: i64,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when there was no answer.
    pub status: Option<i32>,
    pub latency_ms: i32,
    /// The first 2 KB of the receiver's answer.
    pub response: Option<String>,
    /// Connection error, timeout or refused address.
    pub error: Option<String>,
}

/// A delivery with its attempt log, oldest attempt first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookDeliveryDetail {
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    pub attempt_log: Vec<WebhookAttempt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookDeliveryPage {
    /// Newest first.
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEndpointList {
    pub items: Vec<WebhookEndpoint>,
}

/// Filters of `GET /webhooks/{id}/deliveries`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WebhookDeliveryQuery {
    /// `pending`, `succeeded` or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 20, pattern = "^[0-9]+$"))]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_event_carries_kind_and_data_beside_its_envelope() {
        let e = ChangeEvent {
            id: 7,
            position: 5,
            schema_version: SCHEMA_VERSION,
            occurred_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            ticket_id: Some(3),
            actor: Actor {
                kind: "user".into(),
                id: Some(1),
                name: "Ana".into(),
            },
            event: Event::TicketDeleted { number: 1042 },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "ticket.deleted");
        assert_eq!(v["data"]["number"], 1042);
        assert_eq!(v["position"], 5);
        let back: ChangeEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }
}
