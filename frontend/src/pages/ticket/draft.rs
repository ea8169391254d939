//! The editable copy of a ticket's properties, and the change it amounts to.

use crate::util;
use lazo_domain::wire::{FieldValues, Ticket, UpdateTicket};
use lazo_domain::Priority;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Unsaved property edits as kept in the browser (`crate::drafts`): the
/// change they amount to, replayed on the ticket as it is when shown again
/// (so only the person's own edits come back), and the change comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptEdits {
    pub changes: UpdateTicket,
    pub comment: String,
    pub internal: bool,
}

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

    /// `u`'s changes made in this draft (the inverse of [`Draft::diff`]).
    pub fn with_changes(&mut self, u: &UpdateTicket) {
        if let Some(v) = u.status_id {
            self.status_id = v;
        }
        if let Some(v) = u.priority {
            self.priority = v;
        }
        if let Some(v) = u.owner_id {
            self.owner_id = v;
        }
        if let Some(v) = u.group_id {
            self.group_id = v;
        }
        if let Some(v) = u.root_cause_id {
            self.root_cause_id = v;
        }
        if let Some(v) = &u.due_at {
            self.due = v.as_ref().map(util::input_date).unwrap_or_default();
        }
        if let Some(v) = &u.tags {
            self.tags = v.clone();
        }
        if let Some(v) = u.public {
            self.public = v;
        }
        for (k, v) in u.custom_fields.iter().flatten() {
            if v.is_null() {
                self.custom.remove(k);
            } else {
                self.custom.insert(k.clone(), v.clone());
            }
        }
    }

    /// Leaves out of `mine` every field `theirs` changed too: on a conflict
    /// the other person's saved value shows, the rest of the edit stays.
    pub fn without_conflicts(mine: &UpdateTicket, theirs: &UpdateTicket) -> UpdateTicket {
        fn keep<T: Clone>(m: &Option<T>, t: &Option<T>) -> Option<T> {
            if t.is_some() {
                None
            } else {
                m.clone()
            }
        }
        let custom = mine.custom_fields.as_ref().map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    theirs
                        .custom_fields
                        .as_ref()
                        .is_none_or(|t| !t.contains_key(*k))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<FieldValues>()
        });
        UpdateTicket {
            status_id: keep(&mine.status_id, &theirs.status_id),
            priority: keep(&mine.priority, &theirs.priority),
            owner_id: keep(&mine.owner_id, &theirs.owner_id),
            group_id: keep(&mine.group_id, &theirs.group_id),
            root_cause_id: keep(&mine.root_cause_id, &theirs.root_cause_id),
            due_at: keep(&mine.due_at, &theirs.due_at),
            tags: keep(&mine.tags, &theirs.tags),
            public: keep(&mine.public, &theirs.public),
            custom_fields: custom.filter(|c| !c.is_empty()),
            ..Default::default()
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
