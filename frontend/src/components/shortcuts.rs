//! `?` anywhere (outside a text field): every keyboard shortcut, in a modal
//! `<dialog>` (Esc or the button closes it).

use crate::i18n::T;
use crate::state::use_prefs;
use crate::util;
use leptos::prelude::*;

const LIST: &[(&str, T)] = &[
    ("j  ↓", T::KsNextRow),
    ("k  ↑", T::KsPrevRow),
    ("Enter", T::KsOpen),
    ("x", T::KsSelect),
    ("/", T::KsSearch),
    ("Esc", T::KsClearSelection),
];

const TICKET: &[(&str, T)] = &[
    ("j  →", T::NextTicket),
    ("k  ←", T::PrevTicket),
    ("Esc", T::CloseTicket),
    ("s", T::KsStatus),
    ("p", T::KsPriority),
    ("a", T::KsAssignMe),
    ("r", T::KsReply),
    ("n", T::KsNote),
    ("Ctrl+S", T::SaveChanges),
    ("Ctrl+Enter", T::AddComment),
    ("?", T::KsHelp),
];

/// Opens the list of shortcuts (the top bar's "?" button).
#[derive(Clone, Copy)]
pub struct ShortcutsCtx(pub RwSignal<bool>);

#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let open = expect_context::<ShortcutsCtx>().0;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "?" && !util::typing_in_field(&ev) && !util::modal_open() {
            ev.prevent_default();
            open.set(true);
        }
    });
    on_cleanup(move || handle.remove());
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let show = open.get();
        let Some(d) = dialog.get() else { return };
        if show && !d.open() {
            let _ = d.show_modal();
        } else if !show && d.open() {
            d.close();
        }
    });
    let section = move |title: T, keys: &'static [(&'static str, T)]| {
        view! {
            <section>
                <h3>{move || t(title)}</h3>
                <dl class="keys">
                    {keys
                        .iter()
                        .map(|(k, what)| {
                            let what = *what;
                            view! {
                                <dt><kbd>{*k}</kbd></dt>
                                <dd>{move || t(what)}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
            </section>
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="shortcuts-dialog"
            aria-labelledby="shortcuts-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                open.set(false);
            }
        >
            <div class="card-head">
                <h2 id="shortcuts-title">{prefs.text(T::Shortcuts)}</h2>
                <button class="btn ghost small" on:click=move |_| open.set(false)>{prefs.text(T::Close)}</button>
            </div>
            <div class="shortcut-cols">
                {section(T::FollowUp, LIST)}
                {section(T::Ticket, TICKET)}
            </div>
        </dialog>
    }
}
