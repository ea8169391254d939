//! Building blocks shared by the pages.

mod bell;
mod confirm;
mod custom_fields;
mod date_input;
mod fold;
mod owner_picker;
mod paged;
mod shortcuts;

pub use bell::Bell;
pub use confirm::ConfirmDialog;
pub use custom_fields::{set_field, CustomFieldInput};
pub use date_input::DateInput;
pub use fold::{unfold_around, Fold};
pub use owner_picker::{OwnerChoice, OwnerPicker};
pub use paged::Paged;
pub use shortcuts::{ShortcutsCtx, ShortcutsHelp};

use crate::api::ApiError;
use crate::i18n::{self, Lang, T};
use crate::state::{use_notices, use_prefs, NoticeKind};
use lazo_domain::wire::StatusRef;
use lazo_domain::{Priority, StatusCategory};
use leptos::prelude::*;

/// The language picker (top bar and login page).
#[component]
pub fn LangSelect() -> impl IntoView {
    let prefs = use_prefs();
    view! {
        <label class="lang-select">
            <span class="sr-only">{prefs.text(T::Language)}</span>
            <select
                aria-label=prefs.text(T::Language)
                on:change=move |ev| {
                    if let Some(l) = Lang::from_tag(&event_target_value(&ev)) {
                        prefs.set_lang(l);
                    }
                }
                prop:value=move || prefs.lang.get().code()
            >
                {Lang::ALL
                    .iter()
                    .map(|l| view! { <option value=l.code()>{l.native_name()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A failed request, in plain words, with an optional retry.
#[component]
pub fn ErrorBox(
    error: ApiError,
    #[prop(optional, into)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let prefs = use_prefs();
    let err = StoredValue::new(error);
    view! {
        <div class="error-box" role="alert">
            <span>{move || err.with_value(|e| e.message(prefs.lang.get()))}</span>
            {retry
                .map(|r| {
                    view! {
                        <button class="btn small" on:click=move |_| r.run(())>
                            {prefs.text(T::Retry)}
                        </button>
                    }
                })}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let prefs = use_prefs();
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {prefs.text(T::Loading)}
        </div>
    }
}

pub fn category_class(c: StatusCategory) -> &'static str {
    match c {
        StatusCategory::New => "cat-new",
        StatusCategory::Open => "cat-open",
        StatusCategory::Pending => "cat-pending",
        StatusCategory::Closed => "cat-closed",
    }
}

/// A status as a coloured pill (colour from its category).
#[component]
pub fn StatusPill(status: StatusRef) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = crate::state::use_refdata();
    let name = move || refdata.status_name(status.id, &status.name, prefs.lang.get());
    view! { <span class=format!("pill {}", category_class(status.category))>{name}</span> }
}

#[component]
pub fn PriorityTag(priority: Priority) -> impl IntoView {
    let prefs = use_prefs();
    view! {
        <span class=format!("prio prio-{}", priority.as_str())>
            <span class="prio-dot" aria-hidden="true"></span>
            {move || prefs.t(i18n::priority(priority))}
        </span>
    }
}

/// A small clock (snooze), drawn: emoji fonts are not everywhere.
pub fn clock_icon() -> impl IntoView {
    view! {
        <svg class="icon-clock" viewBox="0 0 16 16" width="13" height="13" aria-hidden="true">
            <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6" />
            <path d="M8 4.2V8l2.6 1.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
        </svg>
    }
}

/// The notice line at the bottom; `aria-live` so screen readers hear it.
#[component]
pub fn NoticeArea() -> impl IntoView {
    let notices = use_notices();
    view! {
        <div class="notice-area" aria-live="polite">
            {move || {
                notices
                    .0
                    .get()
                    .map(|n| {
                        let class = match n.kind {
                            NoticeKind::Ok => "notice ok",
                            NoticeKind::Error => "notice err",
                        };
                        let role = if n.kind == NoticeKind::Error { "alert" } else { "status" };
                        view! {
                            <div class=class role=role>
                                {n.text}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Messages of the field errors that name `field`, shown under the field.
pub fn field_errors_view(
    error: Option<ApiError>,
    field: &'static str,
    lang: Lang,
) -> impl IntoView {
    let msgs: Vec<String> = error
        .and_then(|e| e.problem().cloned())
        .map(|p| {
            crate::rules::errors_for(&p, field)
                .into_iter()
                .map(|e| crate::api::error::field_message(e, lang))
                .collect()
        })
        .unwrap_or_default();
    msgs.into_iter()
        .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        .collect_view()
}

type NavFn = std::rc::Rc<dyn Fn(&str, leptos_router::NavigateOptions)>;

/// `use_navigate` in a `Copy` handle, so event handlers can capture it freely.
#[derive(Clone, Copy)]
pub struct Nav(StoredValue<NavFn, leptos::prelude::LocalStorage>);

impl Nav {
    /// A new history entry, scrolled to the top.
    pub fn go(&self, url: &str) {
        // `try_`: a late async callback of a page that is gone does nothing.
        let _ = self
            .0
            .try_with_value(|n| n(url, leptos_router::NavigateOptions::default()));
    }
    /// A new history entry; the page keeps (or restores) its own scroll.
    pub fn go_keep_scroll(&self, url: &str) {
        let _ = self.0.try_with_value(|n| {
            n(
                url,
                leptos_router::NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    }
}

pub fn use_nav() -> Nav {
    let n = leptos_router::hooks::use_navigate();
    Nav(StoredValue::new_local(std::rc::Rc::new(n)))
}
