//! A question that needs an answer before going on, in the app's look: a
//! modal `<dialog>`, so the browser keeps focus inside it, makes the rest
//! inert and answers Esc with "cancel". The safe answer has the focus.

use crate::i18n::T;
use crate::state::use_prefs;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    /// Shown while true.
    #[prop(into)]
    open: Signal<bool>,
    title: T,
    text: T,
    /// The answer that goes on (and loses something).
    confirm: T,
    /// The safe answer.
    cancel: T,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        let show = open.get();
        let Some(d) = dialog.get() else { return };
        if show && !d.open() {
            let _ = d.show_modal();
            if let Some(b) = cancel_ref.get_untracked() {
                let _ = b.focus();
            }
        } else if !show && d.open() {
            d.close();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="confirm-dialog"
            aria-labelledby="confirm-title"
            aria-describedby="confirm-text"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            <h2 id="confirm-title">{move || t(title)}</h2>
            <p id="confirm-text">{move || t(text)}</p>
            <div class="composer-actions">
                <button class="btn" node_ref=cancel_ref on:click=move |_| on_cancel.run(())>
                    {move || t(cancel)}
                </button>
                <button class="btn danger-solid" on:click=move |_| on_confirm.run(())>
                    {move || t(confirm)}
                </button>
            </div>
        </dialog>
    }
}
