//! One module per area of the app.

pub mod admin;
pub mod contacts;
pub mod followup;
pub mod login;
pub mod me;
pub mod new_ticket;
pub mod ticket;

use crate::i18n::T;
use crate::state::use_prefs;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    let prefs = use_prefs();
    view! {
        <section class="page narrow empty-state">
            <h1>{prefs.text(T::NotFound)}</h1>
            <p>{prefs.text(T::NotFoundText)}</p>
            <A href="/tickets">{prefs.text(T::BackToList)}</A>
        </section>
    }
}
