//! A card that folds down to its heading. The choice is kept per person and
//! section in localStorage (`lazo.fold.<user>.<key>`), so what an agent never
//! reads stays out of their way on every ticket, after a reload too.

use crate::i18n::{fill, T};
use crate::state::{use_prefs, use_session};
use crate::util;
use leptos::prelude::*;

#[component]
pub fn Fold(
    /// Names the section in storage.
    key: &'static str,
    /// The section's name, for the toggle's label.
    #[prop(into)]
    label: Signal<String>,
    /// Shown unfolded whatever was chosen while this holds (unsaved edits
    /// must not hide behind a fold).
    #[prop(optional, into)]
    force_open: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let prefs = use_prefs();
    let user = use_session()
        .0
        .with_untracked(|s| s.as_ref().map(|s| s.me.id))
        .unwrap_or(0);
    let storage = StoredValue::new(format!("lazo.fold.{user}.{key}"));
    let chosen = RwSignal::new(storage.with_value(|k| util::load(k)).is_some());
    let folded = Memo::new(move |_| chosen.get() && !force_open.is_some_and(|f| f.get()));
    let toggle = move |_| {
        let fold = !folded.get_untracked();
        chosen.set(fold);
        storage.with_value(|k| {
            if fold {
                util::store(k, "1")
            } else {
                util::forget(k)
            }
        });
    };
    let label_text = move || {
        let which = if folded.get() {
            T::FoldShow
        } else {
            T::FoldHide
        };
        fill(prefs.lang.get(), which, &[("name", &label.get())])
    };
    view! {
        <div class="fold" class:folded=move || folded.get() data-fold=key>
            <button type="button" class="fold-toggle" aria-expanded=move || (!folded.get()).to_string()
                aria-label=label_text title=label_text on:click=toggle>
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
                </svg>
            </button>
            {children()}
        </div>
    }
}

/// Unfolds the fold around `el`, if any (a shortcut that puts the keyboard
/// in a folded section). True when it had to.
pub fn unfold_around(el: &web_sys::Element) -> bool {
    use wasm_bindgen::JsCast;
    let Some(fold) = el.closest(".fold.folded").ok().flatten() else {
        return false;
    };
    if let Some(b) = fold
        .query_selector(":scope > .fold-toggle")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    {
        b.click();
    }
    true
}
