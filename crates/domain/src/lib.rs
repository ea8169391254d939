//! Lazo's domain: the types both halves of the product share and the rules that
//! protect a ticket. Nothing here does IO, so the same code runs in the API
//! server and in the WebAssembly SPA, and every rule is unit-testable.
//!
//! - [`model`]: the vocabulary (roles, priorities, status categories, scopes...).
//! - [`wire`]: request and response bodies of the REST API, one definition for
//!   server and client.
//! - [`rules`]: ticket rules (root causes, custom fields, closing, assignment).
//! - [`access`]: who may see and change which ticket.
//! - [`event`]: what happened to a ticket (the outbox's events).
//! - [`feedback`]: contacts, touchpoints, survey intake and alert rules.
//! - [`limits`]: documented size limits of strings and lists.
//! - [`webhook`]: what integrators receive (webhooks, change feed).
//! - [`attachment`]: files on a ticket, their names and content types.
//! - [`links`]: ticket links and merges.
//! - [`names`]: names of configured records per language.

pub mod access;
pub mod attachment;
pub mod email;
pub mod event;
pub mod feedback;
pub mod forward;
pub mod limits;
pub mod links;
pub mod model;
pub mod names;
pub mod notification;
pub mod rules;
pub mod webhook;
pub mod wire;

pub use model::*;
pub use names::{Named, Names};
