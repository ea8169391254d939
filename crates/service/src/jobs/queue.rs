//! Queue operations, each inside the caller's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::upsert::excluded;
use serde_json::Value;

use lazo_storage::schema::jobs;
use lazo_storage::{now, DbConn};

/// Default number of tries before a job is marked dead.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;

/// A job to run at `run_at` (or as soon as a worker is free).
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    pub run_at: NaiveDateTime,
    /// Names a logical job: enqueueing the same key again reschedules that
    /// job instead of adding a second one.
    pub unique_key: Option<String>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: Value) -> NewJob {
        NewJob {
            kind: kind.into(),
            payload,
            run_at: now(),
            unique_key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn at(mut self, run_at: NaiveDateTime) -> NewJob {
        self.run_at = run_at;
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> NewJob {
        self.unique_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, n: i32) -> NewJob {
        self.max_attempts = n.max(1);
        self
    }
}

/// A new `jobs` row, queued. `None` is written as NULL, not DEFAULT (the
/// same here), which SQLite needs to insert many rows in one statement.
#[derive(Insertable, Clone)]
#[diesel(table_name = jobs, treat_none_as_default_value = false)]
struct JobInsert<'a> {
    kind: &'a str,
    payload: String,
    unique_key: Option<&'a str>,
    state: &'static str,
    run_at: NaiveDateTime,
    attempts: i32,
    max_attempts: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl<'a> JobInsert<'a> {
    fn new(job: &'a NewJob, t: NaiveDateTime) -> Self {
        JobInsert {
            kind: &job.kind,
            payload: job.payload.to_string(),
            unique_key: job.unique_key.as_deref(),
            state: "queued",
            run_at: job.run_at,
            attempts: 0,
            max_attempts: job.max_attempts,
            created_at: t,
            updated_at: t,
        }
    }
}

/// A `jobs` row.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub unique_key: Option<String>,
    pub state: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub lease: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// What an enqueue with a taken key sets: the new kind, payload and time,
/// queued afresh (whatever state the job was in).
macro_rules! rearm {
    ($t:expr) => {
        (
            jobs::kind.eq(excluded(jobs::kind)),
            jobs::payload.eq(excluded(jobs::payload)),
            jobs::state.eq("queued"),
            jobs::run_at.eq(excluded(jobs::run_at)),
            jobs::attempts.eq(0),
            jobs::max_attempts.eq(excluded(jobs::max_attempts)),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::lease.eq(None::<String>),
            jobs::last_error.eq(None::<String>),
            jobs::updated_at.eq($t),
            jobs::finished_at.eq(None::<NaiveDateTime>),
        )
    };
}

/// Adds `job`, or, when a job with its key exists, re-arms that job with the
/// new time and payload (whatever state it was in). A worker still running
/// the old version loses its lease, so its completion does not undo this.
pub fn enqueue(c: &mut DbConn, job: NewJob) -> QueryResult<()> {
    let t = now();
    let values = JobInsert::new(&job, t);
    if job.unique_key.is_none() {
        diesel::insert_into(jobs::table).values(values).execute(c)?;
        return Ok(());
    }
    lazo_storage::each_backend!(c, conn => diesel::insert_into(jobs::table)
        .values(values)
        .on_conflict(jobs::unique_key)
        .do_update()
        .set(rearm!(t))
        .execute(conn))?;
    Ok(())
}

/// Rows per multi-row statement: under SQLite's 32,766 bound parameters at
/// the nine columns of a job.
const CHUNK: usize = 1_000;

/// [`enqueue`] for many jobs, in a statement per chunk instead of one per
/// job (a fan-out batch makes hundreds). Keyed jobs re-arm as with
/// `enqueue`; of two with one key in `jobs`, the later wins, as it would in
/// turn (one statement may not update a row twice on PostgreSQL).
pub fn enqueue_all(c: &mut DbConn, jobs: Vec<NewJob>) -> QueryResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let t = now();
    let mut last: std::collections::HashMap<&str, usize> = Default::default();
    for (i, j) in jobs.iter().enumerate() {
        if let Some(k) = &j.unique_key {
            last.insert(k, i);
        }
    }
    let (keyed, plain): (Vec<_>, Vec<_>) = jobs
        .iter()
        .enumerate()
        .filter(|(i, j)| j.unique_key.as_deref().is_none_or(|k| last[k] == *i))
        .map(|(_, j)| JobInsert::new(j, t))
        .partition(|r| r.unique_key.is_some());
    for chunk in plain.chunks(CHUNK) {
        lazo_storage::each_backend!(c, conn => diesel::insert_into(jobs::table)
            .values(chunk)
            .execute(conn))?;
    }
    for chunk in keyed.chunks(CHUNK) {
        lazo_storage::each_backend!(c, conn => diesel::insert_into(jobs::table)
            .values(chunk)
            .on_conflict(jobs::unique_key)
            .do_update()
            .set(rearm!(t))
            .execute(conn))?;
    }
    Ok(())
}

/// Adds `job` unless a job with its key exists (periodic tasks: every
/// worker start ensures them, the first one wins).
pub fn ensure(c: &mut DbConn, job: NewJob) -> QueryResult<()> {
    let values = JobInsert::new(&job, now());
    lazo_storage::each_backend!(c, conn => diesel::insert_into(jobs::table)
        .values(values)
        .on_conflict(jobs::unique_key)
        .do_nothing()
        .execute(conn))?;
    Ok(())
}

/// Withdraws the queued job named `key`, if any (a running one finishes, and
/// being idempotent, finds nothing left to do).
pub fn cancel(c: &mut DbConn, key: &str) -> QueryResult<()> {
    let t = now();
    diesel::update(
        jobs::table
            .filter(jobs::unique_key.eq(key))
            .filter(jobs::state.eq("queued")),
    )
    .set((
        jobs::state.eq("done"),
        jobs::last_error.eq("cancelled"),
        jobs::finished_at.eq(t),
        jobs::updated_at.eq(t),
    ))
    .execute(c)?;
    Ok(())
}

/// Claims up to `limit` due jobs (queued and due, or running with a lease
/// that ran out) for `lease` until `until`, counting the attempt.
pub(crate) fn claim(
    c: &mut DbConn,
    lease: &str,
    at: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    // One statement: the UPDATE takes the rows the sub-select found. On
    // PostgreSQL SKIP LOCKED lets concurrent workers pass each other's
    // claims instead of waiting on (and then re-claiming) the same rows.
    const PICK: &str = "SELECT id FROM jobs \
        WHERE (state = 'queued' AND run_at <= {at}) \
           OR (state = 'running' AND locked_until < {at}) \
        ORDER BY run_at, id LIMIT {limit}";
    match c {
        DbConn::Pg(conn) => {
            let pick = PICK.replace("{at}", "$3").replace("{limit}", "$4");
            diesel::sql_query(format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
                 lease = $1, locked_until = $2, updated_at = $3 \
                 WHERE id IN ({pick} FOR UPDATE SKIP LOCKED) RETURNING *"
            ))
            .bind::<Text, _>(lease)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(conn)
        }
        DbConn::Sqlite(conn) => {
            let pick = PICK.replace("{at}", "?3").replace("{limit}", "?4");
            diesel::sql_query(format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
                 lease = ?1, locked_until = ?2, updated_at = ?3 \
                 WHERE id IN ({pick}) RETURNING *"
            ))
            .bind::<Text, _>(lease)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(conn)
        }
    }
}

/// Marks the job done, or re-arms it for `again` (periodic jobs), if `lease`
/// still holds it. Returns whether it did.
pub(crate) fn finish(
    c: &mut DbConn,
    id: i64,
    lease: &str,
    again: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let t = now();
    let mine = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::lease.eq(lease))
        .filter(jobs::state.eq("running"));
    let n = match again {
        None => diesel::update(mine)
            .set((
                jobs::state.eq("done"),
                jobs::lease.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(None::<String>),
                jobs::finished_at.eq(t),
                jobs::updated_at.eq(t),
            ))
            .execute(c)?,
        Some(at) => diesel::update(mine)
            .set((
                jobs::state.eq("queued"),
                jobs::run_at.eq(at),
                jobs::attempts.eq(0),
                jobs::lease.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(None::<String>),
                jobs::updated_at.eq(t),
            ))
            .execute(c)?,
    };
    Ok(n == 1)
}

/// Records a failed attempt: retried at `retry_at`, or dead when `dead`.
pub(crate) fn fail(
    c: &mut DbConn,
    id: i64,
    lease: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let t = now();
    let mine = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::lease.eq(lease))
        .filter(jobs::state.eq("running"));
    let error: String = error.chars().take(2000).collect();
    let n = match retry_at {
        Some(at) => diesel::update(mine)
            .set((
                jobs::state.eq("queued"),
                jobs::run_at.eq(at),
                jobs::lease.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(&error),
                jobs::updated_at.eq(t),
            ))
            .execute(c)?,
        None => diesel::update(mine)
            .set((
                jobs::state.eq("dead"),
                jobs::lease.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(&error),
                jobs::finished_at.eq(t),
                jobs::updated_at.eq(t),
            ))
            .execute(c)?,
    };
    Ok(n == 1)
}

/// Puts a dead (or waiting) job back in the queue to run now, with a fresh
/// set of attempts. Returns the row after the change, or `None` if absent.
pub fn retry_now(c: &mut DbConn, id: i64) -> QueryResult<Option<JobRow>> {
    let t = now();
    diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::state.eq_any(["dead", "queued"])),
    )
    .set((
        jobs::state.eq("queued"),
        jobs::run_at.eq(t),
        jobs::attempts.eq(0),
        jobs::finished_at.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(t),
    ))
    .execute(c)?;
    jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(c)
        .optional()
}
