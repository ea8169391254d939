//! The editable copy of a ticket's properties, and the change it amounts to.

use crate::util;
use lazo_domain::wire::{FieldValues, Ticket, UpdateTicket};
use lazo_domain::Priority;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub status_id: i64,
    pub priority: Priority,
    pub owner_id: Option<i64>,
    pub group_id: Option<i64>,
    pub root_cause_id: Option<i64>,
    /// `YYYY-MM-DD` (local) or empty.
    pub due: String,
    pub tags: Vec<String>,
    pub custom: FieldValues,
    pub public: bool,
}

impl Draft {
    pub fn of(t: &Ticket) -> Draft {
        Draft {
            status_id: t.status.id,
            priority: t.priority,
            owner_id: t.owner.as_ref().map(|o| o.id),
            group_id: t.group.as_ref().map(|g| g.id),
            root_cause_id: t.root_cause.as_ref().map(|r| r.id),
            due: t.due_at.as_ref().map(util::input_date).unwrap_or_default(),
            tags: t.tags.clone(),
            custom: t.custom_fields.clone(),
            public: t.public,
        }
    }

    /// Only what differs from the ticket, so the history shows real changes.
    pub fn diff(&self, t: &Ticket) -> UpdateTicket {
        let base = Draft::of(t);
        let mut u = UpdateTicket::default();
        if self.status_id != base.status_id {
            u.status_id = Some(self.status_id);
        }
        if self.priority != base.priority {
            u.priority = Some(self.priority);
        }
        if self.owner_id != base.owner_id {
            u.owner_id = Some(self.owner_id);
        }
        if self.group_id != base.group_id {
            u.group_id = Some(self.group_id);
        }
        if self.root_cause_id != base.root_cause_id {
            u.root_cause_id = Some(self.root_cause_id);
        }
        if self.due != base.due {
            u.due_at = Some(if self.due.is_empty() {
                None
            } else {
                util::end_of_local_day(&self.due)
            });
        }
        if self.tags != base.tags {
            u.tags = Some(self.tags.clone());
        }
        if self.public != base.public {
            u.public = Some(self.public);
        }
        let mut changed = FieldValues::new();
        for (k, v) in &self.custom {
            if base.custom.get(k) != Some(v) {
                changed.insert(k.clone(), v.clone());
            }
        }
        for k in base.custom.keys() {
            if !self.custom.contains_key(k) {
                changed.insert(k.clone(), Value::Null);
            }
        }
        if !changed.is_empty() {
            u.custom_fields = Some(changed);
        }
        u
    }
}
