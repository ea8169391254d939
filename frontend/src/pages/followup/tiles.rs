//! The status tiles: how many tickets per status (within the other
//! filters); a tile filters the list by its status.

use super::ListView;
use crate::i18n::T;
use crate::state::{use_prefs, use_refdata};
use crate::util;
use lazo_domain::wire::TicketCounts;
use leptos::prelude::*;

#[component]
pub fn StatusTiles(view: ListView, counts: RwSignal<Option<TicketCounts>>) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let query = view.query;
    let set_query = move |f: &dyn Fn(&mut lazo_domain::wire::TicketQuery)| view.set(f);
    let status_filter = move || query.with(|q| q.status.clone());
    move || {
        let lang = prefs.lang.get();
        let current = status_filter();
        let c = counts.get();
        let total_count = c
            .as_ref()
            .map(|c| util::number(lang, c.total))
            .unwrap_or_else(|| "–".into());
        let total_pressed = current.is_none();
        let mut out = vec![view! {
            <button
                class="tile total"
                aria-pressed=total_pressed.to_string()
                on:click=move |_| set_query(&|q| {
                    q.status = None;
                    q.category = None;
                })
            >
                <span class="tile-count">{total_count}</span>
                <span class="tile-name">{T::Total.get(lang)}</span>
            </button>
        }
        .into_any()];
        let statuses = match c {
            Some(c) => c
                .by_status
                .into_iter()
                .map(|b| (b.status, Some(b.count)))
                .collect::<Vec<_>>(),
            None => refdata.statuses.with(|s| {
                s.iter()
                    .filter(|s| s.active)
                    .map(|s| {
                        (
                            lazo_domain::wire::StatusRef {
                                id: s.id,
                                name: s.name.clone(),
                                category: s.category,
                            },
                            None,
                        )
                    })
                    .collect()
            }),
        };
        for (st, n) in statuses {
            let id = st.id.to_string();
            let pressed = current.as_deref() == Some(id.as_str());
            let class = format!("tile {}", crate::components::category_class(st.category));
            let count = n
                .map(|n| util::number(lang, n))
                .unwrap_or_else(|| "–".into());
            out.push(
                view! {
                    <button
                        class=class
                        aria-pressed=pressed.to_string()
                        on:click=move |_| {
                            let id = id.clone();
                            set_query(&|q| {
                                q.category = None;
                                q.status = if pressed { None } else { Some(id.clone()) };
                            })
                        }
                    >
                        <span class="tile-count">{count}</span>
                        <span class="tile-name">{refdata.status_name(st.id, &st.name, lang)}</span>
                    </button>
                }
                .into_any(),
            );
        }
        out.collect_view()
    }
}
