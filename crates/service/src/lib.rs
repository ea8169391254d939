//! Lazo's services: what happens when someone (a person, an API token, or
//! Lazo itself) changes something. Each service function runs inside the
//! caller's transaction (`&mut DbConn`), enforces the domain rules, writes
//! history and the events of the change, and enqueues the work that follows
//! it. Nothing here knows HTTP: errors are [`ServiceError`]s, which the API
//! turns into problem documents.
//!
//! - [`tickets`]: load with access control, create, update, snooze, delete,
//!   the follow-up query.
//! - [`jobs`]: the durable job queue and its worker.
//! - [`auth`]: principals, passwords, sessions, JWTs, API tokens.
//! - [`directory`]: statuses, types, settings, groups and users as read by
//!   the services.
//! - [`contacts`], [`touchpoints`]: customer profiles and their timeline.
//! - [`intake`], [`alert_rules`]: survey responses and the rules that turn
//!   them into tickets, in one transaction.
//! - [`import`]: tickets from another help desk, with their original times.
//! - [`demo`]: first-start defaults and the demo organisation.
//! - [`webhooks`]: endpoints, signed deliveries and the change feed.
//! - [`attachments`]: files on tickets, their blobs, history and events.
//!
//! May import `lazo-domain` and `lazo-storage`; never `lazo-api` or actix.

pub mod alert_rules;
pub mod attachments;
pub mod auth;
pub mod contacts;
pub mod demo;
pub mod directory;
pub mod email;
pub mod error;
pub mod forward;
pub mod import;
pub mod intake;
pub mod jobs;
pub mod mailer;
pub mod notifications;
pub mod tickets;
pub mod touchpoints;
pub mod webhooks;

pub use error::ServiceError;
