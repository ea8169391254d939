//! What happened to a ticket, as the rest of the system learns it.
//!
//! Every committed change writes one [`Event`] into the `events` table in its
//! own transaction (a transactional outbox); the job runner fans events out to
//! their consumers (webhooks, email notifications, SLA clocks...). Events are
//! versioned by kind: a consumer reads `kind` and deserialises `data`, and a
//! field is only ever added, never renamed.

use serde::{Deserialize, Serialize};

use crate::wire::Actor;

/// One changed field: the ids it moved between (for reference fields such as
/// status, group, owner, type and root cause) and the values as people read
/// them at the time of the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_id: Option<i64>,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl FieldChange {
    /// A change of a plain value field (no ids).
    pub fn value(field: impl Into<String>, old: Option<String>, new: Option<String>) -> Self {
        FieldChange {
            field: field.into(),
            old_id: None,
            new_id: None,
            old,
            new,
        }
    }

    /// A change of a reference field, with both ids and their names.
    pub fn reference(
        field: impl Into<String>,
        old: (Option<i64>, Option<String>),
        new: (Option<i64>, Option<String>),
    ) -> Self {
        FieldChange {
            field: field.into(),
            old_id: old.0,
            new_id: new.0,
            old: old.1,
            new: new.1,
        }
    }
}

/// The payload of an event, tagged by its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data")]
pub enum Event {
    #[serde(rename = "ticket.created")]
    TicketCreated {
        number: i64,
        subject: String,
        parent_id: Option<i64>,
    },
    /// One write that changed one or more fields (with or without a comment).
    #[serde(rename = "ticket.updated")]
    TicketUpdated {
        changes: Vec<FieldChange>,
        comment_id: Option<i64>,
    },
    #[serde(rename = "ticket.commented")]
    TicketCommented { comment_id: i64, internal: bool },
    #[serde(rename = "ticket.comment_edited")]
    CommentEdited { comment_id: i64 },
    #[serde(rename = "ticket.comment_deleted")]
    CommentDeleted { comment_id: i64 },
    /// Written on the parent when a sub-ticket is created under it.
    #[serde(rename = "ticket.sub_ticket_created")]
    SubTicketCreated { sub_ticket_id: i64, number: i64 },
    #[serde(rename = "ticket.deleted")]
    TicketDeleted { number: i64 },
    /// An email to the customer was written and queued for delivery (again,
    /// on a retry).
    #[serde(rename = "ticket.email_queued")]
    EmailQueued { email_id: i64, to: String },
    /// The SMTP server accepted it.
    #[serde(rename = "ticket.email_sent")]
    EmailSent { email_id: i64 },
    /// Delivery failed for good; `smtp_answer` says why.
    #[serde(rename = "ticket.email_failed")]
    EmailFailed { email_id: i64, smtp_answer: String },
    /// An inbound email landed on the ticket. `auto` for auto-replies and
    /// bounces, which notify nobody and change nothing.
    #[serde(rename = "ticket.email_received")]
    EmailReceived {
        email_id: i64,
        from: String,
        auto: bool,
    },
    /// Forwarded by email to people not on the ticket.
    #[serde(rename = "ticket.forwarded")]
    TicketForwarded { to: Vec<String> },
    /// A file was attached (`GET /tickets/{id}/attachments/{attachment_id}`
    /// downloads it while it stays).
    #[serde(rename = "ticket.attachment_added")]
    AttachmentAdded {
        attachment_id: i64,
        filename: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
    },
    #[serde(rename = "ticket.attachment_removed")]
    AttachmentRemoved {
        attachment_id: i64,
        filename: String,
    },
    /// A link made from this ticket to another one; `kind` as stored
    /// (`related`, `duplicate_of`: this ticket duplicates the other).
    #[serde(rename = "ticket.linked")]
    TicketLinked {
        link_id: i64,
        kind: String,
        other_ticket_id: i64,
        other_number: i64,
    },
    /// A link removed; `kind` as stored, seen from the ticket the link
    /// was removed on.
    #[serde(rename = "ticket.unlinked")]
    TicketUnlinked {
        link_id: i64,
        kind: String,
        other_ticket_id: i64,
        other_number: i64,
    },
    /// This ticket was merged into another one: closed (`changes` holds
    /// the status change) and linked `merged_into`; the survivor got an
    /// internal note.
    #[serde(rename = "ticket.merged")]
    TicketMerged {
        into_ticket_id: i64,
        into_number: i64,
        changes: Vec<FieldChange>,
    },
}

impl Event {
    /// Every kind, as webhook endpoints subscribe to them.
    pub const KINDS: [&'static str; 17] = [
        "ticket.created",
        "ticket.updated",
        "ticket.commented",
        "ticket.comment_edited",
        "ticket.comment_deleted",
        "ticket.sub_ticket_created",
        "ticket.deleted",
        "ticket.email_queued",
        "ticket.email_sent",
        "ticket.email_failed",
        "ticket.email_received",
        "ticket.forwarded",
        "ticket.attachment_added",
        "ticket.attachment_removed",
        "ticket.linked",
        "ticket.unlinked",
        "ticket.merged",
    ];

    /// The stable name of the kind, as stored and as consumers filter on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::TicketCreated { .. } => "ticket.created",
            Event::TicketUpdated { .. } => "ticket.updated",
            Event::TicketCommented { .. } => "ticket.commented",
            Event::CommentEdited { .. } => "ticket.comment_edited",
            Event::CommentDeleted { .. } => "ticket.comment_deleted",
            Event::SubTicketCreated { .. } => "ticket.sub_ticket_created",
            Event::TicketDeleted { .. } => "ticket.deleted",
            Event::EmailQueued { .. } => "ticket.email_queued",
            Event::EmailSent { .. } => "ticket.email_sent",
            Event::EmailFailed { .. } => "ticket.email_failed",
            Event::EmailReceived { .. } => "ticket.email_received",
            Event::TicketForwarded { .. } => "ticket.forwarded",
            Event::AttachmentAdded { .. } => "ticket.attachment_added",
            Event::AttachmentRemoved { .. } => "ticket.attachment_removed",
            Event::TicketLinked { .. } => "ticket.linked",
            Event::TicketUnlinked { .. } => "ticket.unlinked",
            Event::TicketMerged { .. } => "ticket.merged",
        }
    }

    /// The `data` part alone, as stored beside the kind.
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => {
                m.remove("data").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }

    /// Rebuilds an event from its stored kind and data.
    pub fn from_parts(kind: &str, data: serde_json::Value) -> Result<Event, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
    }
}

/// An event as read back from the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub actor: Actor,
    pub event: Event,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_data_round_trip() {
        let e = Event::TicketUpdated {
            changes: vec![FieldChange::reference(
                "status",
                (Some(1), Some("New".into())),
                (Some(2), Some("Open".into())),
            )],
            comment_id: None,
        };
        assert_eq!(e.kind(), "ticket.updated");
        let back = Event::from_parts(e.kind(), e.data()).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.data()["changes"][0]["old_id"], 1);
    }

    #[test]
    fn every_kind_names_itself_as_serde_does() {
        let all = [
            Event::TicketCreated {
                number: 1,
                subject: "s".into(),
                parent_id: None,
            },
            Event::TicketCommented {
                comment_id: 1,
                internal: false,
            },
            Event::CommentEdited { comment_id: 1 },
            Event::CommentDeleted { comment_id: 1 },
            Event::SubTicketCreated {
                sub_ticket_id: 1,
                number: 2,
            },
            Event::TicketDeleted { number: 1 },
            Event::TicketUpdated {
                changes: vec![],
                comment_id: None,
            },
            Event::EmailQueued {
                email_id: 1,
                to: "a@b.c".into(),
            },
            Event::EmailSent { email_id: 1 },
            Event::EmailFailed {
                email_id: 1,
                smtp_answer: "550".into(),
            },
            Event::EmailReceived {
                email_id: 1,
                from: "a@b.c".into(),
                auto: false,
            },
            Event::TicketForwarded {
                to: vec!["a@b.c".into()],
            },
            Event::AttachmentAdded {
                attachment_id: 1,
                filename: "a.pdf".into(),
                content_type: "application/pdf".into(),
                size_bytes: 3,
                sha256: "ab".into(),
            },
            Event::AttachmentRemoved {
                attachment_id: 1,
                filename: "a.pdf".into(),
            },
            Event::TicketLinked {
                link_id: 1,
                kind: "related".into(),
                other_ticket_id: 2,
                other_number: 3,
            },
            Event::TicketUnlinked {
                link_id: 1,
                kind: "duplicate_of".into(),
                other_ticket_id: 2,
                other_number: 3,
            },
            Event::TicketMerged {
                into_ticket_id: 2,
                into_number: 3,
                changes: vec![],
            },
        ];
        // KINDS is what webhook endpoints validate against: it must list
        // exactly the kinds there are.
        assert_eq!(all.len(), Event::KINDS.len());
        for e in all {
            let v = serde_json::to_value(&e).unwrap();
            assert_eq!(v["kind"], e.kind());
            assert!(Event::KINDS.contains(&e.kind()));
        }
    }
}
