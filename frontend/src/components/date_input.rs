//! A date (or date and time) field in the interface's language; see
//! `crate::dates` for why it is not a bare `<input type=date>`.

use crate::dates;
use crate::i18n::{fill, T};
use crate::state::use_prefs;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// `value` and `on_change` speak ISO (`YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM`
/// with `with_time`), `""` for no date; the person reads and types the
/// date in their language, or picks it from the browser's calendar.
#[component]
pub fn DateInput(
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional, into)] id: Option<String>,
    /// For a field without a `<label for>`.
    #[prop(optional, into)]
    aria_label: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] with_time: bool,
    #[prop(optional, into)] class: Option<String>,
) -> impl IntoView {
    let prefs = use_prefs();
    // What was typed and could not be read: kept on screen with the error.
    let bad = RwSignal::new(None::<String>);
    let proxy = NodeRef::<leptos::html::Input>::new();
    let shown = move || {
        bad.get()
            .unwrap_or_else(|| dates::show(prefs.lang.get(), &value.get(), with_time))
    };
    let commit =
        move |typed: String| match dates::read(prefs.lang.get_untracked(), &typed, with_time) {
            Some(iso) => {
                bad.set(None);
                on_change.run(iso);
            }
            None => bad.set(Some(typed)),
        };
    // The native calendar, opened from the button: it fills the field but
    // never shows its own (browser-locale) text.
    let open_calendar = move |_| {
        let Some(el) = proxy.get() else { return };
        let el: &web_sys::HtmlInputElement = el.unchecked_ref();
        el.set_value(&value.get_untracked());
        if let Ok(f) = js_sys::Reflect::get(el, &"showPicker".into()) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call0(el);
            }
        }
    };
    let error = move || {
        bad.get().map(|_| {
            let lang = prefs.lang.get();
            view! {
                <span class="field-error date-error" role="alert">
                    {fill(lang, T::ErrDateFormat, &[("f", dates::pattern(lang, with_time))])}
                </span>
            }
        })
    };
    view! {
        <span class=format!("date-input {}", class.unwrap_or_default())>
            <span class="date-row">
            <input
                type="text"
                id=id
                aria-label=aria_label
                inputmode="numeric"
                autocomplete="off"
                class:date-text=true
                placeholder=move || dates::pattern(prefs.lang.get(), with_time)
                aria-invalid=move || bad.with(Option::is_some).to_string()
                disabled=disabled
                prop:value=shown
                on:change=move |ev| commit(event_target_value(&ev))
            />
            <button
                type="button"
                class="btn icon small date-pick"
                aria-label=prefs.text(T::PickDate)
                title=prefs.text(T::PickDate)
                disabled=disabled
                on:click=open_calendar
            >
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <rect x="2" y="3.2" width="12" height="10.6" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
                    <path d="M2 6.6h12M5.2 1.8v2.6M10.8 1.8v2.6" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
                </svg>
            </button>
            <input
                node_ref=proxy
                type=if with_time { "datetime-local" } else { "date" }
                class="date-proxy"
                tabindex="-1"
                aria-hidden="true"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        bad.set(None);
                        on_change.run(v);
                    }
                }
            />
            </span>
            {error}
        </span>
    }
}
