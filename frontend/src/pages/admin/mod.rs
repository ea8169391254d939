//! Configuration screens for admins and ticket admins.

mod alert_rules;
mod email;
mod groups;
mod settings;
mod statuses;
mod types;
mod users;
mod webhooks;

use crate::i18n::T;
use crate::state::{use_prefs, use_session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AdminPage() -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let params = use_params_map();
    let section = Memo::new(move |_| params.with(|p| p.get("section").unwrap_or_default()));
    // Memos, so that a change to the person that leaves their rights alone
    // (a renamed group, a new language) keeps the open form and its input.
    let configures = Memo::new(move |_| session.configures());
    let is_admin = Memo::new(move |_| session.is_admin());
    let body = move || {
        if !configures.get() {
            return view! { <p class="info-box">{prefs.text(T::AdminOnly)}</p> }.into_any();
        }
        match section.get().as_str() {
            "users" => view! { <users::Users /> }.into_any(),
            "groups" => view! { <groups::Groups /> }.into_any(),
            "statuses" => view! { <statuses::Statuses /> }.into_any(),
            "types" => view! { <types::Types /> }.into_any(),
            "settings" => view! { <settings::Settings /> }.into_any(),
            "email-templates" => view! { <email::EmailTemplates /> }.into_any(),
            "inbound" => view! { <email::InboundMessages /> }.into_any(),
            "alert-rules" => view! { <alert_rules::AlertRules /> }.into_any(),
            "webhooks" if is_admin.get() => view! { <webhooks::Webhooks /> }.into_any(),
            "webhooks" => view! { <p class="info-box">{prefs.text(T::AdminOnly)}</p> }.into_any(),
            _ => view! { <crate::pages::NotFound /> }.into_any(),
        }
    };
    view! {
        <section class="page admin">
            <h1>{prefs.text(T::Admin)}</h1>
            <nav class="subnav" aria-label=prefs.text(T::Admin)>
                <A href="/admin/users">{prefs.text(T::Users)}</A>
                <A href="/admin/groups">{prefs.text(T::Groups)}</A>
                <A href="/admin/statuses">{prefs.text(T::Statuses)}</A>
                <A href="/admin/types">{prefs.text(T::TicketTypes)}</A>
                <A href="/admin/settings">{prefs.text(T::Settings)}</A>
                <A href="/admin/alert-rules">{prefs.text(T::AlertRules)}</A>
                <A href="/admin/email-templates">{prefs.text(T::EmailTemplates)}</A>
                <A href="/admin/inbound">{prefs.text(T::InboundMessages)}</A>
                {move || is_admin.get().then(|| view! { <A href="/admin/webhooks">{prefs.text(T::Webhooks)}</A> })}
            </nav>
            {body}
        </section>
    }
}

/// Runs admin writes and reports their outcome: on success the reference
/// data reloads (dropdowns everywhere stay current) and `then` runs. Created
/// while the component is built, because contexts are not reachable from
/// event handlers.
#[derive(Clone, Copy)]
pub(crate) struct Writer {
    prefs: crate::state::Prefs,
    notices: crate::state::Notices,
    refdata: crate::state::RefData,
}

pub(crate) fn writer() -> Writer {
    Writer {
        prefs: use_prefs(),
        notices: crate::state::use_notices(),
        refdata: crate::state::use_refdata(),
    }
}

impl Writer {
    pub fn run<R: 'static>(
        self,
        fut: impl std::future::Future<Output = Result<R, crate::api::ApiError>> + 'static,
        error: RwSignal<Option<crate::api::ApiError>>,
        then: impl FnOnce(R) + 'static,
    ) {
        error.set(None);
        leptos::task::spawn_local(async move {
            match fut.await {
                Ok(r) => {
                    self.saved();
                    then(r);
                }
                Err(e) => self.failed(e, error),
            }
        });
    }

    // The outcome's reporting is not generic, so it exists once in the wasm
    // rather than once per write (`run` has ~20 instances).
    fn saved(self) {
        self.notices
            .ok(T::Saved.get(self.prefs.lang.get_untracked()));
        self.refdata.reload();
    }

    fn failed(self, e: crate::api::ApiError, error: RwSignal<Option<crate::api::ApiError>>) {
        self.notices
            .error(e.message(self.prefs.lang.get_untracked()));
        error.set(Some(e));
    }
}

/// The Spanish and French names of a record being edited; its base name is
/// the English one (an English name given through the API is kept as it
/// was).
#[derive(Clone, Copy)]
pub(crate) struct NameEdits {
    en: StoredValue<Option<String>>,
    es: RwSignal<String>,
    fr: RwSignal<String>,
}

impl NameEdits {
    pub fn new(n: &lazo_domain::Names) -> Self {
        NameEdits {
            en: StoredValue::new(n.en.clone()),
            es: RwSignal::new(n.es.clone().unwrap_or_default()),
            fr: RwSignal::new(n.fr.clone().unwrap_or_default()),
        }
    }

    /// The names to send: an empty field is no name (the base shows).
    pub fn names(&self) -> lazo_domain::Names {
        let given = |s: RwSignal<String>| {
            let v = s.get_untracked().trim().to_owned();
            (!v.is_empty()).then_some(v)
        };
        lazo_domain::Names {
            en: self.en.get_value(),
            es: given(self.es),
            fr: given(self.fr),
        }
    }

    pub fn clear(&self) {
        self.es.set(String::new());
        self.fr.set(String::new());
    }

    /// Labelled fields, for a form.
    pub fn fields(self) -> impl IntoView {
        let prefs = use_prefs();
        let one = move |label: T, sig: RwSignal<String>, lang: &'static str| {
            view! {
                <label class="field"><span>{move || prefs.t(label)}</span>
                    <input type="text" lang=lang maxlength=lazo_domain::limits::NAME_MAX
                        bind:value=sig /></label>
            }
        };
        view! {
            {one(T::NameEs, self.es, "es")}
            {one(T::NameFr, self.fr, "fr")}
        }
    }

    /// Inputs named by `aria-label` (the record's name after the language),
    /// for a table row or a list item.
    pub fn inputs(self, of: String) -> impl IntoView {
        let prefs = use_prefs();
        let one = move |label: T, sig: RwSignal<String>, lang: &'static str, of: String| {
            view! {
                <input type="text" class="name-lang" lang=lang maxlength=lazo_domain::limits::NAME_MAX
                    aria-label=move || format!("{} ({of})", prefs.t(label))
                    placeholder=lang
                    bind:value=sig />
            }
        };
        view! {
            {one(T::NameEs, self.es, "es", of.clone())}
            {one(T::NameFr, self.fr, "fr", of)}
        }
    }
}
