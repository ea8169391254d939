//! The jobs Lazo runs by itself: scheduled reopen of snoozed tickets and the
//! periodic clean-ups. Each is idempotent: running it twice changes nothing
//! more than running it once.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::queue::{self, NewJob};
use super::worker::{Outcome, Registry};
use crate::ServiceError;
use lazo_storage::schema::{idempotency_keys, sessions};
use lazo_storage::{now, Db};

/// How long an Idempotency-Key replays its first response.
pub const IDEMPOTENCY_TTL: Duration = Duration::hours(24);
/// How long a revoked session is kept (it explains a 401 to its JWT).
const REVOKED_SESSION_TTL: Duration = Duration::days(1);

pub const REOPEN_SNOOZED: &str = "ticket.reopen_snoozed";
pub const EXPIRE_IDEMPOTENCY_KEYS: &str = "idempotency.expire";
pub const EXPIRE_SESSIONS: &str = "sessions.expire";
/// Deletes the bytes of files no attachment names any more (those of
/// deleted tickets: their attachment rows go with the ticket).
pub const SWEEP_BLOBS: &str = "attachments.sweep_blobs";
/// Folds PostgreSQL's pending ticket count deltas into the rollup and drops
/// rollup rows that reached zero (`tickets::rollup::compact`).
pub const COMPACT_TICKET_COUNTS: &str = "tickets.compact_counts";
/// How often deltas are folded on PostgreSQL: readers sum what is pending,
/// so the period bounds their extra work, not their accuracy.
const COMPACT_EVERY: Duration = Duration::seconds(10);

/// Payload of [`REOPEN_SNOOZED`]: the ticket and the snooze it ends, so a
/// job for a snooze that was changed or ended finds nothing to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReopenSnoozed {
    pub ticket_id: i64,
    pub until: chrono::NaiveDateTime,
}

/// The unique key of a ticket's reopen job: one per ticket, rescheduled
/// when the snooze date changes.
pub fn reopen_key(ticket_id: i64) -> String {
    format!("{REOPEN_SNOOZED}:{ticket_id}")
}

pub fn reopen_job(ticket_id: i64, until: chrono::NaiveDateTime) -> NewJob {
    NewJob::new(REOPEN_SNOOZED, json!(ReopenSnoozed { ticket_id, until }))
        .at(until)
        .key(reopen_key(ticket_id))
}

/// Every job kind Lazo itself enqueues.
pub fn standard() -> Registry {
    let mut r = Registry::default();
    crate::webhooks::register(&mut r, crate::webhooks::WebhookConfig::from_env());
    r.register(REOPEN_SNOOZED, |db: &Db, payload: &Value| {
        let p: ReopenSnoozed = serde_json::from_value(payload.clone())?;
        db.transaction::<_, ServiceError, _>(move |c| {
            crate::tickets::snooze::reopen_due(c, p.ticket_id, p.until)
        })?;
        Ok(Outcome::Done)
    });
    r.register(EXPIRE_IDEMPOTENCY_KEYS, |db: &Db, _: &Value| {
        let cutoff = now() - IDEMPOTENCY_TTL;
        let n = db.transaction::<_, ServiceError, _>(move |c| {
            Ok(diesel::delete(
                idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)),
            )
            .execute(c)?)
        })?;
        tracing::info!(deleted = n, "expired idempotency keys");
        Ok(Outcome::Again(now() + Duration::hours(1)))
    });
    r.register(EXPIRE_SESSIONS, |db: &Db, _: &Value| {
        let t = now();
        let n = db.transaction::<_, ServiceError, _>(move |c| {
            Ok(diesel::delete(
                sessions::table.filter(
                    sessions::expires_at
                        .lt(t)
                        .or(sessions::revoked_at.lt(t - REVOKED_SESSION_TTL)),
                ),
            )
            .execute(c)?)
        })?;
        tracing::info!(deleted = n, "expired sessions");
        Ok(Outcome::Again(now() + Duration::hours(1)))
    });
    r.register(SWEEP_BLOBS, |db: &Db, _: &Value| {
        let n = db.transaction::<_, ServiceError, _>(|c| {
            Ok(lazo_storage::attachments::sweep_blobs(c)?)
        })?;
        tracing::info!(deleted = n, "swept unreferenced attachment blobs");
        Ok(Outcome::Again(now() + Duration::hours(1)))
    });
    r.register(COMPACT_TICKET_COUNTS, |db: &Db, _: &Value| {
        let n = db.transaction::<_, ServiceError, _>(crate::tickets::rollup::compact)?;
        if n > 0 {
            tracing::debug!(folded = n, "compacted ticket count deltas");
        }
        // SQLite's triggers write the rollup directly: only rows that
        // reached zero are left to drop, which can wait an hour.
        Ok(Outcome::Again(
            now()
                + match db.backend {
                    lazo_storage::Backend::Postgres => COMPACT_EVERY,
                    lazo_storage::Backend::Sqlite => Duration::hours(1),
                },
        ))
    });
    r
}

/// Makes sure the periodic jobs exist (each worker start; the first wins).
pub fn ensure_periodic(db: &Db) -> anyhow::Result<()> {
    db.transaction::<_, ServiceError, _>(|c| {
        for kind in [
            EXPIRE_IDEMPOTENCY_KEYS,
            EXPIRE_SESSIONS,
            SWEEP_BLOBS,
            COMPACT_TICKET_COUNTS,
        ] {
            queue::ensure(c, NewJob::new(kind, json!({})).key(kind))?;
        }
        Ok(())
    })
    .map_err(anyhow::Error::from)
}
