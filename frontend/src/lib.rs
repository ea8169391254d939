//! Lazo's single-page app.
//!
//! - Pure logic, compiled and unit-tested on the host as well:
//!   [`i18n`] (every visible string in English, Spanish and French),
//!   [`listview`] (follow-up filters <-> URL query string, columns, list walking),
//!   [`rules`] (what the ticket form tells before the server refuses),
//!   [`dates`] (dates typed and shown in the interface's language).
//! - The UI, wasm32 only: `api` (typed client over the shared wire types),
//!   `state` (session, preferences and reference-data contexts),
//!   `drafts` (work in progress kept per person and ticket in localStorage),
//!   `components`, `pages/<area>`.

pub mod dates;
pub mod i18n;
pub mod listview;
pub mod rules;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod drafts;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod util;

/// Mounts the app on `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    console_error_panic_hook::set_once();
    api::warm::start();
    leptos::mount::mount_to_body(app::App);
}
