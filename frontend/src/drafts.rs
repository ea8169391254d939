//! Work in progress kept in the browser, per person and ticket: the email
//! being written, the reply or internal note, unsaved property edits. Each
//! keystroke is stored in localStorage, so a reload, a walk to another
//! ticket, or a session that expired (sign-in again) loses nothing. A draft
//! goes when it is sent, saved or discarded, i.e. when it is empty again.
//!
//! Keys name the person (`lazo.draft.<user>.<kind>.<ticket>`): a colleague
//! signing in on the same browser does not get someone else's half-written
//! note.

use crate::state::use_session;
use crate::util;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Where one kind of draft of one ticket lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DraftStore {
    kind: &'static str,
    ticket: i64,
    user: i64,
}

impl DraftStore {
    /// For the signed-in person (call from a component).
    pub fn new(kind: &'static str, ticket: i64) -> Self {
        let user = use_session()
            .0
            .with_untracked(|s| s.as_ref().map(|s| s.me.id))
            .unwrap_or(0);
        DraftStore { kind, ticket, user }
    }

    fn key(&self) -> String {
        format!("lazo.draft.{}.{}.{}", self.user, self.kind, self.ticket)
    }

    pub fn load<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&util::load(&self.key())?).ok()
    }

    /// Stores `value`; an empty (default) one removes the draft.
    pub fn save<T: Serialize + Default + PartialEq>(&self, value: &T) {
        if *value == T::default() {
            self.forget();
        } else if let Ok(s) = serde_json::to_string(value) {
            util::store(&self.key(), &s);
        }
    }

    pub fn forget(&self) {
        util::forget(&self.key());
    }

    /// Saves what `current` reads on every change after the first run (the
    /// first run only subscribes: it sees what was just restored, or
    /// nothing yet).
    pub fn keep<T: Serialize + Default + PartialEq + 'static>(
        self,
        current: impl Fn() -> T + 'static,
    ) {
        Effect::new(move |first: Option<()>| {
            let v = current();
            if first.is_some() {
                self.save(&v);
            }
        });
    }
}
