//! The worker: claims due jobs, runs their handlers, records the outcome, and
//! fans events out to their consumers.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Timestamp};
use lazo_domain::event::{Event, StoredEvent};
use lazo_domain::wire::Actor;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::queue::{self, JobRow, NewJob};
use crate::ServiceError;
use lazo_storage::schema::{counters, events};

/// The counter handing out change-feed positions.
const EVENT_POSITION: &str = "event_position";
use lazo_storage::{now, utc, Db, DbConn};

/// What a handler asks for after a successful run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Run the same job again at this time (periodic tasks).
    Again(NaiveDateTime),
}

/// What a handler gets: the database (it opens its own transactions) and
/// the job's payload.
pub type Handler = Arc<dyn Fn(&Db, &Value) -> anyhow::Result<Outcome> + Send + Sync>;

/// Turns events into the jobs of one consumer (webhook deliveries, email
/// notifications...), inside the fan-out transaction. It is handed a whole
/// fan-out batch (in feed order) so that what the events share, endpoints,
/// tickets, people, is read once per batch, not once per event: at a few
/// statements per event the fan-out fell behind a busy server's writes.
pub trait EventConsumer: Send + Sync {
    fn name(&self) -> &str;
    fn jobs_for(&self, c: &mut DbConn, events: &[StoredEvent]) -> anyhow::Result<Vec<NewJob>>;
}

/// The job kinds a worker knows and the event consumers it feeds.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
    consumers: Vec<Arc<dyn EventConsumer>>,
}

impl Registry {
    pub fn register(
        &mut self,
        kind: impl Into<String>,
        f: impl Fn(&Db, &Value) -> anyhow::Result<Outcome> + Send + Sync + 'static,
    ) -> &mut Self {
        self.handlers.insert(kind.into(), Arc::new(f));
        self
    }

    pub fn consume(&mut self, consumer: Arc<dyn EventConsumer>) -> &mut Self {
        self.consumers.push(consumer);
        self
    }
}

/// Timing of a worker; defaults suit production, tests shorten them.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Sleep between polls when there was nothing to do.
    pub poll: std::time::Duration,
    /// How long a claim holds a job; a worker that dies frees its jobs then.
    pub lease: Duration,
    /// First retry delay; doubled per attempt, capped at `backoff_max`, with
    /// jitter so a burst of failures does not retry in lockstep.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Jobs claimed per poll.
    pub batch: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll: std::time::Duration::from_millis(500),
            lease: Duration::minutes(5),
            backoff_base: Duration::seconds(10),
            backoff_max: Duration::hours(1),
            batch: 20,
        }
    }
}

/// Delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`
/// capped at `max`, then a random 50-100% of that ("equal jitter").
pub fn backoff(cfg: &WorkerConfig, attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 30) - 1;
    let ms = cfg
        .backoff_base
        .num_milliseconds()
        .saturating_mul(1i64 << exp)
        .min(cfg.backoff_max.num_milliseconds())
        .max(1);
    let jitter = 0.5 + rand::random::<f64>() * 0.5;
    Duration::milliseconds((ms as f64 * jitter) as i64)
}

pub struct Worker {
    db: Db,
    registry: Registry,
    cfg: WorkerConfig,
    /// Names this worker's claims in the log.
    name: String,
}

impl Worker {
    pub fn new(db: Db, registry: Registry, cfg: WorkerConfig) -> Worker {
        Worker {
            db,
            registry,
            cfg,
            name: format!("worker-{}", &uuid::Uuid::new_v4().to_string()[..8]),
        }
    }

    /// Runs until `stop` is set. Blocking: call it on a thread of its own.
    pub fn run(&self, stop: &AtomicBool) {
        tracing::info!(worker = %self.name, "job worker started");
        while !stop.load(Ordering::Relaxed) {
            let busy = match self.tick() {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!(worker = %self.name, error = ?e, "job worker poll failed");
                    false
                }
            };
            if !busy {
                // Sleep in slices so a stop request is seen promptly.
                let until = std::time::Instant::now() + self.cfg.poll;
                while std::time::Instant::now() < until && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(50).min(self.cfg.poll));
                }
            }
        }
        tracing::info!(worker = %self.name, "job worker stopped");
    }

    /// Starts the worker on a thread; set the flag to stop it.
    pub fn spawn(self) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("lazo-jobs".into())
            .spawn(move || self.run(&flag))
            .expect("spawn the job worker thread");
        (stop, handle)
    }

    /// One round: fan out pending events, then run what is due. Returns how
    /// much it did (0: idle).
    pub fn tick(&self) -> anyhow::Result<usize> {
        let fanned = self.fan_out()?;
        let lease = uuid::Uuid::new_v4().to_string();
        let at = now();
        let until = at + self.cfg.lease;
        let batch = self.cfg.batch;
        let lease_c = lease.clone();
        let claimed = self.db.transaction::<_, ServiceError, _>(move |c| {
            Ok(queue::claim(c, &lease_c, at, until, batch)?)
        })?;
        let mut claimed = claimed;
        // UPDATE ... RETURNING has no order: run them as they were due, so
        // first attempts of deliveries go out in event order.
        claimed.sort_by_key(|j| (j.run_at, j.id));
        let n = claimed.len();
        for job in claimed {
            self.execute(job, &lease);
        }
        Ok(fanned + n)
    }

    fn execute(&self, job: JobRow, lease: &str) {
        let started = std::time::Instant::now();
        let result = match self.registry.handlers.get(&job.kind) {
            Some(h) => {
                let payload: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
                // A panicking handler is a failed attempt, not a dead worker.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    h(&self.db, &payload)
                })) {
                    Ok(r) => r,
                    Err(_) => Err(anyhow::anyhow!("the job handler panicked")),
                }
            }
            None => Err(anyhow::anyhow!("no handler for job kind {:?}", job.kind)),
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let (id, lease) = (job.id, lease.to_owned());
        let recorded = match result {
            Ok(outcome) => {
                tracing::info!(job_id = id, kind = %job.kind, attempt = job.attempts, elapsed_ms = ms, "job done");
                let again = match outcome {
                    Outcome::Done => None,
                    Outcome::Again(t) => Some(t),
                };
                self.db.transaction::<_, ServiceError, _>(move |c| {
                    Ok(queue::finish(c, id, &lease, again)?)
                })
            }
            Err(e) => {
                let error = format!("{e:#}");
                let retry_at = (job.attempts < job.max_attempts)
                    .then(|| now() + backoff(&self.cfg, job.attempts));
                if retry_at.is_some() {
                    tracing::warn!(job_id = id, kind = %job.kind, attempt = job.attempts, error = %error, "job failed, will retry");
                } else {
                    tracing::error!(job_id = id, kind = %job.kind, attempt = job.attempts, error = %error, "job failed for the last time: dead");
                }
                self.db.transaction::<_, ServiceError, _>(move |c| {
                    Ok(queue::fail(c, id, &lease, &error, retry_at)?)
                })
            }
        };
        match recorded {
            Ok(true) => {}
            // Re-armed (rescheduled) while running, or the lease ran out and
            // another worker took it: that claim now decides.
            Ok(false) => {
                tracing::info!(
                    job_id = id,
                    "job outcome not recorded: lease no longer held"
                )
            }
            Err(e) => tracing::error!(job_id = id, error = ?e, "recording a job outcome failed"),
        }
    }

    /// Turns undispatched events into their consumers' jobs and marks them
    /// dispatched, in one transaction, so an event is fanned out exactly once
    /// even with several workers (PostgreSQL: SKIP LOCKED).
    fn fan_out(&self) -> anyhow::Result<usize> {
        let consumers = self.registry.consumers.clone();
        self.db
            .transaction::<_, ServiceError, _>(move |c| {
                let rows: Vec<EventRow> = pending_events(c, 200)?;
                if rows.is_empty() {
                    return Ok(0);
                }
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                // Feed positions, in the order dispatched. The counter row's
                // lock is held to commit, so a second worker's positions are
                // all greater and become visible after these: a reader paging
                // by position never passes one still uncommitted.
                let n = ids.len() as i64;
                diesel::update(counters::table.find(EVENT_POSITION))
                    .set(counters::value.eq(counters::value + n))
                    .execute(c)?;
                let last: i64 = counters::table
                    .find(EVENT_POSITION)
                    .select(counters::value)
                    .first(c)?;
                number_events(c, &ids, last - n + 1)?;
                let events: Vec<StoredEvent> = rows
                    .iter()
                    .filter_map(|row| {
                        let ev = row.stored();
                        if ev.is_none() {
                            tracing::error!(event_id = row.id, kind = %row.kind, "unreadable event skipped");
                        }
                        ev
                    })
                    .collect();
                let mut jobs = vec![];
                for consumer in &consumers {
                    jobs.extend(
                        consumer
                            .jobs_for(c, &events)
                            .map_err(crate::error::ServiceError::internal)?,
                    );
                }
                queue::enqueue_all(c, jobs)?;
                Ok(ids.len())
            })
            .map_err(anyhow::Error::from)
    }
}

#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = events)]
struct EventRow {
    id: i64,
    kind: String,
    ticket_id: Option<i64>,
    actor: String,
    data: String,
    created_at: NaiveDateTime,
}

impl EventRow {
    fn stored(&self) -> Option<StoredEvent> {
        let data: Value = serde_json::from_str(&self.data).ok()?;
        Some(StoredEvent {
            id: self.id,
            ticket_id: self.ticket_id,
            actor: serde_json::from_str::<Actor>(&self.actor).ok()?,
            event: Event::from_parts(&self.kind, data).ok()?,
            at: utc(self.created_at),
        })
    }
}

/// Gives `ids` (in order) the feed positions from `first` on and marks them
/// dispatched: on PostgreSQL one statement for the batch, where a statement
/// per event was a round trip each.
fn number_events(c: &mut DbConn, ids: &[i64], first: i64) -> QueryResult<()> {
    let at = now();
    match c {
        DbConn::Pg(pg) => diesel::sql_query(
            "UPDATE events SET position = $1 + x.ord - 1, dispatched_at = $2 \
             FROM unnest($3::bigint[]) WITH ORDINALITY AS x(id, ord) WHERE events.id = x.id",
        )
        .bind::<BigInt, _>(first)
        .bind::<Timestamp, _>(at)
        .bind::<Array<BigInt>, _>(ids)
        .execute(pg)?,
        // SQLite has no round trips to save, and a json_each lookup per row
        // is quadratic in the batch: a cached UPDATE by primary key each.
        DbConn::Sqlite(_) => {
            for (i, id) in ids.iter().enumerate() {
                diesel::update(events::table.find(*id))
                    .set((
                        events::position.eq(first + i as i64),
                        events::dispatched_at.eq(at),
                    ))
                    .execute(c)?;
            }
            ids.len()
        }
    };
    Ok(())
}

fn pending_events(c: &mut DbConn, limit: i64) -> QueryResult<Vec<EventRow>> {
    // A macro, not a closure: `as_select` is generic over the backend, and
    // each arm needs its own.
    macro_rules! q {
        () => {
            events::table
                .filter(events::dispatched_at.is_null())
                .order(events::id)
                .limit(limit)
                .select(EventRow::as_select())
        };
    }
    match c {
        DbConn::Pg(conn) => q!().for_update().skip_locked().load(conn),
        DbConn::Sqlite(conn) => q!().load(conn),
    }
}
