//! The durable job queue and its worker.
//!
//! Work that must happen after a commit (reopening a snoozed ticket, expiring
//! idempotency keys and sessions, and with the email and webhook issues,
//! deliveries) is a row in `jobs`, written by [`enqueue`] inside the
//! transaction of the change that causes it. A [`Worker`] claims due jobs by
//! setting a lease; a worker that dies leaves a lease that runs out, and the
//! job is claimed again. So every job runs **at least once** and every handler
//! must be idempotent.
//!
//! On PostgreSQL several `lazo` processes may each run a worker: claims use
//! `FOR UPDATE SKIP LOCKED`, so two workers never hold the same job, and a
//! job's completion only counts for the lease that claimed it. On SQLite one
//! process writes, so one in-process worker runs.
//!
//! The worker also fans the outbox's events out to their [`EventConsumer`]s:
//! each undispatched event becomes the consumers' jobs in one transaction.

pub mod queue;
pub mod tasks;
pub mod worker;

pub use queue::{cancel, enqueue, enqueue_all, ensure, JobRow, NewJob};
pub use worker::{EventConsumer, Handler, Outcome, Registry, Worker, WorkerConfig};
