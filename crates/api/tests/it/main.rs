//! The API's integration tests, all through HTTP (or the real binary), as
//! one test binary: one link of the server and its dependencies instead of
//! one per file, and `common` compiled once. Run one file's tests with
//! `cargo test -p lazo-api --test it email::`.

mod common;
mod mail;

mod attachments;
mod auth;
mod comments_history;
mod config;
mod counts_rollup;
mod delivery;
mod email;
mod follow_up;
mod forward;
mod hardening;
mod http;
mod imap;
mod import;
mod inbound;
mod intake;
mod jobs;
mod links;
mod names;
mod notifications;
mod subtickets;
mod tickets;
mod webhooks;
