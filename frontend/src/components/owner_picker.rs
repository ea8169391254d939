//! The owner type-ahead: one field over people and groups. Picking a person
//! makes them the owner; picking a group hands the ticket to the group alone.

use crate::i18n::T;
use crate::state::{use_prefs, use_refdata};
use lazo_domain::Named;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerChoice {
    Nobody,
    User(i64),
    Group(i64),
}

#[derive(Clone, PartialEq)]
struct Opt {
    choice: OwnerChoice,
    label: String,
    hint: String,
}

#[component]
pub fn OwnerPicker(
    /// What the field shows when closed (the current owner or group).
    #[prop(into)]
    current: Signal<String>,
    on_pick: Callback<OwnerChoice>,
    #[prop(into, optional)] disabled: Signal<bool>,
    /// Unique per page: ties the input to its list for screen readers.
    id: &'static str,
    /// Offer groups as well as people.
    #[prop(default = true)]
    groups: bool,
) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);

    let options = Memo::new(move |_| {
        let q = text.get().trim().to_lowercase();
        let mut out = vec![Opt {
            choice: OwnerChoice::Nobody,
            label: prefs.t(T::NoOwner).to_owned(),
            hint: String::new(),
        }];
        refdata.users.with(|users| {
            out.extend(
                users
                    .iter()
                    .filter(|u| u.active)
                    .filter(|u| {
                        q.is_empty()
                            || u.name.to_lowercase().contains(&q)
                            || u.email.to_lowercase().contains(&q)
                    })
                    .take(8)
                    .map(|u| Opt {
                        choice: OwnerChoice::User(u.id),
                        label: u.name.clone(),
                        hint: u.email.clone(),
                    }),
            )
        });
        if groups {
            let lang = prefs.lang.get().code();
            refdata.groups.with(|gs| {
                out.extend(
                    gs.iter()
                        .filter(|g| {
                            q.is_empty()
                                || g.name.to_lowercase().contains(&q)
                                || g.localized(lang).to_lowercase().contains(&q)
                        })
                        .take(6)
                        .map(|g| Opt {
                            choice: OwnerChoice::Group(g.id),
                            label: g.localized(lang).to_owned(),
                            hint: prefs.t(T::Group).to_owned(),
                        }),
                )
            });
        }
        out
    });

    let pick = move |o: OwnerChoice| {
        on_pick.run(o);
        open.set(false);
        text.set(String::new());
    };

    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = options.with(|o| o.len());
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = (*a + 1).min(n.saturating_sub(1)));
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = a.saturating_sub(1));
            }
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(o) = options.with(|o| o.get(active.get_untracked()).map(|o| o.choice)) {
                    pick(o);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                ev.stop_propagation();
                open.set(false);
                text.set(String::new());
            }
            _ => {}
        }
    };

    view! {
        <div class="combo">
            <input
                id=id
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls=format!("{id}-list")
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=move || {
                    if open.get() { format!("{id}-list-{}", active.get()) } else { String::new() }
                }
                placeholder=prefs.text(T::OwnerSearch)
                disabled=move || disabled.get()
                prop:value=move || if open.get() { text.get() } else { current.get() }
                on:focus=move |_| {
                    text.set(String::new());
                    active.set(0);
                    open.set(true);
                }
                on:blur=move |_| open.set(false)
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    active.set(if text.get_untracked().is_empty() { 0 } else { 1 });
                    open.set(true);
                }
                on:keydown=on_key
            />
            <Show when=move || open.get()>
                <ul class="combo-list" role="listbox" id=format!("{id}-list")>
                    {move || {
                        let opts = options.get();
                        if opts.len() <= 1 && !text.get().is_empty() {
                            return view! { <li class="combo-empty">{prefs.t(T::NoMatches)}</li> }
                                .into_any();
                        }
                        opts.into_iter()
                            .enumerate()
                            .map(|(i, o)| {
                                let choice = o.choice;
                                let kind = match choice {
                                    OwnerChoice::Group(_) => "combo-opt group",
                                    OwnerChoice::Nobody => "combo-opt nobody",
                                    OwnerChoice::User(_) => "combo-opt",
                                };
                                view! {
                                    <li
                                        id=format!("{id}-list-{i}")
                                        role="option"
                                        class=kind
                                        class:active=move || active.get() == i
                                        aria-selected=move || (active.get() == i).to_string()
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            pick(choice);
                                        }
                                    >
                                        <span class="combo-label">{o.label}</span>
                                        <span class="combo-hint">{o.hint}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </Show>
        </div>
    }
}
