//! The follow-up page: the caller's tickets, filtered by the URL, with status
//! tiles, sortable columns, cursor paging, keyboard navigation and bulk update.

mod bulk;
mod filters;
mod table;
mod tiles;

use crate::api::{self, ApiError};
use crate::components::{use_nav, ErrorBox, Loading, Nav};
use crate::i18n::{fill, T};
use crate::listview::{self, PAGE_SIZE};
use crate::state::{use_list, use_prefs, ListCache};
use crate::util;
use bulk::BulkBar;
use chrono::NaiveDate;
use filters::Filters;
use lazo_domain::wire::{TicketCounts, TicketQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use std::collections::BTreeSet;
use table::{ColumnsMenu, TicketTable};
use tiles::StatusTiles;
use wasm_bindgen::JsCast;

/// Puts the keyboard on row `i` (the cursor row is the table's one tab
/// stop), scrolled into view; `always` also takes the focus from elsewhere
/// (j/k), otherwise only from nobody (back from a ticket).
fn focus_row(i: usize, always: bool) {
    let Some(el) = document()
        .get_element_by_id(&format!("row-{i}"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let idle = document()
        .active_element()
        .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
    if always || idle {
        let opts = web_sys::FocusOptions::new();
        opts.set_prevent_scroll(true);
        let _ = el.focus_with_options(&opts);
    }
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
}

/// The list's filters as the URL holds them, and the way to change them
/// (a new URL, which reloads the list).
#[derive(Clone, Copy)]
pub struct ListView {
    pub query: Memo<TicketQuery>,
    nav: Nav,
    today: NaiveDate,
}

impl ListView {
    pub fn set(&self, f: &dyn Fn(&mut TicketQuery)) {
        let mut q = self.query.get_untracked();
        f(&mut q);
        let s = listview::to_search(&q, self.today);
        self.nav.go_keep_scroll(&if s.is_empty() {
            "/tickets".into()
        } else {
            format!("/tickets?{s}")
        });
    }
}

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let prefs = use_prefs();
    let list = use_list();
    let nav = use_nav();
    let location = use_location();
    let today = util::today();
    let t = move |k: T| prefs.t(k);

    // Only this page's URL is its state: while the router moves on to a ticket
    // (and before this page is gone), keep the last filters rather than
    // reloading the list for the ticket's empty query string.
    let query = Memo::new(move |prev: Option<&TicketQuery>| match prev {
        Some(p) if location.pathname.get() != "/tickets" => p.clone(),
        _ => listview::from_search(&location.search.get(), today),
    });
    // Normalised form of the filters: equal filters, equal key.
    let key = Memo::new(move |_| listview::to_search(&query.get(), today));

    let items = Memo::new(move |_| list.0.with(|c| c.items.clone()));
    let next_cursor = Memo::new(move |_| list.0.with(|c| c.next_cursor.clone()));
    let cursor = RwSignal::new(list.0.with_untracked(|c| c.cursor));
    let loading = RwSignal::new(false);
    let loading_more = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let counts = RwSignal::new(None::<TicketCounts>);
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let generation = StoredValue::new(0u64);
    let search_text = RwSignal::new(query.get_untracked().q.unwrap_or_default());
    let search_ref = NodeRef::<leptos::html::Input>::new();
    let filters_open = RwSignal::new(false);

    let view = ListView { query, nav, today };
    let set_query = move |f: &dyn Fn(&mut TicketQuery)| view.set(f);

    let load = move |force: bool| {
        let k = key.get_untracked();
        let cached = list
            .0
            .with_untracked(|c| c.search.as_deref() == Some(k.as_str()));
        if cached && !force {
            // Back from a ticket: same list, same place, the keyboard on the
            // row it left from.
            let y = list.0.with_untracked(|c| c.scroll_y);
            util::later(0, move || {
                util::scroll_to(y);
                focus_row(cursor.get_untracked(), false);
            });
            return;
        }
        let my = generation.get_value() + 1;
        generation.set_value(my);
        loading.set(true);
        error.set(None);
        let q = query.get_untracked();
        spawn_local(async move {
            let r = api::tickets(&listview::api_list_query(&q, None, PAGE_SIZE)).await;
            if generation.try_get_value() != Some(my) {
                return; // a newer filter won
            }
            loading.set(false);
            match r {
                Ok(page) => {
                    if !cached {
                        cursor.set(0);
                    }
                    list.0.set(ListCache {
                        search: Some(k),
                        items: page.items,
                        next_cursor: page.next_cursor,
                        scroll_y: 0.0,
                        cursor: cursor.get_untracked(),
                    });
                    // The next thing is most likely a ticket: its screen is
                    // fetched once these rows are drawn (a timer runs after
                    // the render effects), not ahead of them.
                    util::later(0, crate::app::preload_ticket_screen);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let load_counts = move || {
        let q = query.get_untracked();
        spawn_local(async move {
            if let Ok(c) = api::ticket_counts(&listview::api_counts_query(&q)).await {
                counts.set(Some(c));
            }
        });
    };

    let refresh = move || {
        load(true);
        load_counts();
    };

    Effect::new(move |_| {
        key.track();
        search_text.set(query.get_untracked().q.unwrap_or_default());
        selected.set(BTreeSet::new());
        load(false);
        load_counts();
    });

    let load_more = move || {
        let Some(c) = next_cursor.get_untracked() else {
            return;
        };
        if loading_more.get_untracked() {
            return;
        }
        loading_more.set(true);
        let q = query.get_untracked();
        let my = generation.get_value();
        spawn_local(async move {
            let r = api::tickets(&listview::api_list_query(&q, Some(&c), PAGE_SIZE)).await;
            loading_more.set(false);
            if generation.try_get_value() != Some(my) {
                return;
            }
            match r {
                Ok(page) => list.0.update(|l| {
                    l.items.extend(page.items);
                    l.next_cursor = page.next_cursor;
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let open = move |id: i64| {
        let Some((idx, number)) = items.with_untracked(|it| {
            it.iter()
                .enumerate()
                .find(|(_, i)| i.id == id)
                .map(|(n, i)| (n, i.number))
        }) else {
            return;
        };
        list.0.update(|c| {
            c.scroll_y = util::scroll_y();
            c.cursor = idx;
        });
        // The address agents read and share: the ticket's number.
        nav.go(&format!("/tickets/{number}"));
    };

    let move_cursor = move |delta: i64| {
        let n = items.with_untracked(|i| i.len()) as i64;
        if n == 0 {
            return;
        }
        let c = (cursor.get_untracked() as i64 + delta).clamp(0, n - 1) as usize;
        cursor.set(c);
        list.0.update(|l| l.cursor = c);
        focus_row(c, true);
        // Near the end: fetch the next page so j keeps going.
        if c as i64 >= n - 3 {
            load_more();
        }
    };

    let toggle_select = move |id: i64| {
        selected.update(|s| {
            if !s.insert(id) {
                s.remove(&id);
            }
        })
    };

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || util::modal_open() {
            return;
        }
        if util::typing_in_field(&ev) {
            if ev.key() == "Escape" {
                if let Some(el) = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.blur();
                }
            }
            return;
        }
        match ev.key().as_str() {
            "/" => {
                ev.prevent_default();
                if let Some(i) = search_ref.get_untracked() {
                    let _ = i.focus();
                    i.select();
                }
            }
            "j" | "ArrowDown" => {
                ev.prevent_default();
                move_cursor(1);
            }
            "k" | "ArrowUp" => {
                ev.prevent_default();
                move_cursor(-1);
            }
            "Enter" => {
                let tag = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|e| e.tag_name().to_ascii_lowercase())
                    .unwrap_or_default();
                if tag == "button" || tag == "a" || tag == "summary" {
                    return;
                }
                if let Some(id) =
                    items.with_untracked(|i| i.get(cursor.get_untracked()).map(|i| i.id))
                {
                    ev.prevent_default();
                    open(id);
                }
            }
            "x" => {
                if let Some(id) =
                    items.with_untracked(|i| i.get(cursor.get_untracked()).map(|i| i.id))
                {
                    toggle_select(id);
                }
            }
            "Escape" => selected.set(BTreeSet::new()),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());

    // Search: typing updates the URL after a pause; Enter at once.
    let search_version = StoredValue::new(0u64);
    let commit_search = move || {
        let text = search_text.get_untracked();
        let text = text.trim().to_owned();
        if query.get_untracked().q.unwrap_or_default() != text {
            let text = (!text.is_empty()).then_some(text);
            set_query(&|q| *q = listview::with_text(q, text.clone(), today));
        }
    };

    let shown_total = move || {
        counts.with(|c| {
            c.as_ref().map(|c| match query.with(|q| q.status.clone()) {
                Some(s) => c
                    .by_status
                    .iter()
                    .filter(|b| s.split(',').any(|id| id.trim() == b.status.id.to_string()))
                    .map(|b| b.count)
                    .sum(),
                None => c.total,
            })
        })
    };

    view! {
        <section class="page followup">
            <div class="page-head">
                <h1>{prefs.text(T::FollowUp)}</h1>
                <div class="search">
                    <input
                        node_ref=search_ref
                        type="search"
                        id="ticket-search"
                        aria-label=prefs.text(T::SearchTickets)
                        placeholder=prefs.text(T::SearchPlaceholder)
                        prop:value=move || search_text.get()
                        on:input=move |ev| {
                            search_text.set(event_target_value(&ev));
                            let v = search_version.get_value() + 1;
                            search_version.set_value(v);
                            util::later(400, move || {
                                // `try_`: the page may be gone by then.
                                if search_version.try_get_value() == Some(v) {
                                    commit_search();
                                }
                            });
                        }
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                search_version.update_value(|v| *v += 1);
                                commit_search();
                            }
                        }
                    />
                </div>
                <div class="head-actions">
                    <ColumnsMenu />
                    <A href="/tickets/new" attr:class="btn primary">{prefs.text(T::NewTicket)}</A>
                </div>
            </div>
            <div class="tiles" role="group" aria-label=prefs.text(T::StatusOverview)>
                <StatusTiles view=view counts=counts />
            </div>
            // Phones fold the filter bar behind this button (CSS shows it
            // only there); the number says how many filters are on.
            <button
                class="btn filters-toggle"
                aria-expanded=move || filters_open.get().to_string()
                aria-controls="filter-bar"
                on:click=move |_| filters_open.update(|o| *o = !*o)
            >
                {move || {
                    let n = query.with(|q| listview::active_filters(q, today));
                    if n == 0 { t(T::Filters).to_owned() } else { format!("{} ({n})", t(T::Filters)) }
                }}
            </button>
            <div id="filter-bar" class="filters" class:open=move || filters_open.get() role="group" aria-label=prefs.text(T::Filters)>
                <Filters view=view />
                <button class="btn ghost small" on:click=move |_| nav.go_keep_scroll("/tickets")>
                    {prefs.text(T::ResetFilters)}
                </button>
            </div>
            <BulkBar selected=selected on_done=Callback::new(move |_| refresh()) />
            {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| refresh()) /> })}
            <div class="table-wrap" class:busy=move || loading.get()>
                <TicketTable view=view items=items cursor=cursor selected=selected loading=loading open=Callback::new(open) />
                <Show when=move || loading.get() && items.with(|i| i.is_empty())>
                    <Loading />
                </Show>
                <Show when=move || !loading.get() && error.with(|e| e.is_none()) && items.with(|i| i.is_empty())>
                    <p class="empty">{prefs.text(T::NoTickets)}</p>
                </Show>
            </div>
            <div class="list-foot">
                <span class="muted">
                    {move || {
                        let n = items.with(|i| i.len()) as i64;
                        let lang = prefs.lang.get();
                        shown_total()
                            .map(|total| {
                                fill(lang, T::ShowingOf, &[("n", &util::number(lang, n)), ("total", &util::number(lang, total))])
                            })
                            .unwrap_or_default()
                    }}
                </span>
                // The default range hides older tickets: say so, and one
                // click shows them all.
                <Show when=move || query.with(|q| q.created_from == Some(listview::default_from(today)))>
                    <span class="muted range-hint">
                        {move || fill(prefs.lang.get(), T::LastDaysHint, &[("n", &listview::DEFAULT_DAYS.to_string())])}
                        " "
                        <button class="btn ghost small" on:click=move |_| set_query(&|q| q.created_from = None)>
                            {prefs.text(T::AllDates)}
                        </button>
                    </span>
                </Show>
                <Show when=move || next_cursor.with(|c| c.is_some())>
                    <button class="btn" on:click=move |_| load_more() disabled=move || loading_more.get()>
                        {move || if loading_more.get() { t(T::Loading) } else { t(T::LoadMore) }}
                    </button>
                </Show>
                <span class="muted kbd-hint">{prefs.text(T::KeyboardHint)}</span>
            </div>
        </section>
    }
}
