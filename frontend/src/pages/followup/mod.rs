//! The follow-up page: the caller's tickets, filtered by the URL, with status
//! tiles, sortable columns, cursor paging, keyboard navigation and bulk update.

mod bulk;

use crate::api::{self, ApiError};
use crate::components::{use_nav, ErrorBox, Loading, PriorityTag, StatusPill};
use crate::i18n::{self, fill, T};
use crate::listview::{self, Column, PAGE_SIZE};
use crate::state::{use_list, use_prefs, use_refdata, ListCache};
use crate::util;
use bulk::BulkBar;
use lazo_domain::wire::{TicketCounts, TicketListItem, TicketQuery};
use lazo_domain::SortKey;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;

fn col_label(c: Column) -> T {
    match c {
        Column::Number => T::ColNumber,
        Column::Subject => T::ColSubject,
        Column::Email => T::ColEmail,
        Column::Status => T::Status,
        Column::Priority => T::Priority,
        Column::Owner => T::Owner,
        Column::Group => T::Group,
        Column::OriginGroup => T::OriginGroup,
        Column::Reported => T::ColReported,
        Column::Updated => T::ColUpdated,
        Column::Due => T::ColDue,
        Column::Comment => T::ColComment,
    }
}

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
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

    let set_query = move |f: &dyn Fn(&mut TicketQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        let s = listview::to_search(&q, today);
        nav.go_keep_scroll(&if s.is_empty() {
            "/tickets".into()
        } else {
            format!("/tickets?{s}")
        });
    };

    let load = move |force: bool| {
        let k = key.get_untracked();
        let cached = list
            .0
            .with_untracked(|c| c.search.as_deref() == Some(k.as_str()));
        if cached && !force {
            // Back from a ticket: same list, same place.
            let y = list.0.with_untracked(|c| c.scroll_y);
            util::later(0, move || util::scroll_to(y));
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
        let idx = items
            .with_untracked(|it| it.iter().position(|i| i.id == id))
            .unwrap_or(0);
        list.0.update(|c| {
            c.scroll_y = util::scroll_y();
            c.cursor = idx;
        });
        nav.go(&format!("/tickets/{id}"));
    };

    let move_cursor = move |delta: i64| {
        let n = items.with_untracked(|i| i.len()) as i64;
        if n == 0 {
            return;
        }
        let c = (cursor.get_untracked() as i64 + delta).clamp(0, n - 1) as usize;
        cursor.set(c);
        list.0.update(|l| l.cursor = c);
        if let Some(el) = document().get_element_by_id(&format!("row-{c}")) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
        }
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
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
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
            set_query(&|q| q.q = (!text.is_empty()).then(|| text.clone()));
        }
    };

    let status_filter = move || query.with(|q| q.status.clone());
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

    let tiles = move || {
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
                        <span class="tile-name">{st.name}</span>
                    </button>
                }
                .into_any(),
            );
        }
        out.collect_view()
    };

    let select_filter = move |label: T,
                              current: Option<String>,
                              options: Vec<(String, String)>,
                              any: T,
                              set: fn(&mut TicketQuery, Option<String>)| {
        view! {
            <label class="filter">
                <span class="filter-label">{move || t(label)}</span>
                <select
                    aria-label=move || t(label)
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q| set(q, (!v.is_empty()).then(|| v.clone())));
                    }
                    prop:value=current.clone().unwrap_or_default()
                >
                    <option value="">{move || t(any)}</option>
                    {options
                        .into_iter()
                        .map(|(v, l)| {
                            let sel = current.as_deref() == Some(v.as_str());
                            view! { <option value=v selected=sel>{l}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };

    let filters = move || {
        let lang = prefs.lang.get();
        let q = query.get();
        let statuses: Vec<(String, String)> = refdata.statuses.with(|s| {
            s.iter()
                .map(|s| (s.id.to_string(), s.name.clone()))
                .collect()
        });
        let priorities: Vec<(String, String)> = lazo_domain::Priority::ALL
            .iter()
            .rev()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    i18n::priority(*p).get(lang).to_owned(),
                )
            })
            .collect();
        let mut owners = vec![
            ("me".to_owned(), T::Me.get(lang).to_owned()),
            ("none".to_owned(), T::Unassigned.get(lang).to_owned()),
        ];
        refdata
            .users
            .with(|u| owners.extend(u.iter().map(|u| (u.id.to_string(), u.name.clone()))));
        let mut groups = vec![("none".to_owned(), T::NoGroup.get(lang).to_owned())];
        refdata
            .groups
            .with(|g| groups.extend(g.iter().map(|g| (g.id.to_string(), g.name.clone()))));
        view! {
            {select_filter(T::Status, q.status.clone(), statuses, T::AnyStatus, |q, v| {
                q.status = v;
                q.category = None;
            })}
            {select_filter(T::Priority, q.priority.clone(), priorities, T::AnyPriority, |q, v| q.priority = v)}
            {select_filter(T::Owner, q.owner.clone(), owners, T::Anyone, |q, v| q.owner = v)}
            {select_filter(T::Group, q.group.clone(), groups, T::AnyGroup, |q, v| q.group = v)}
            <label class="filter">
                <span class="filter-label">{T::Tags.get(lang)}</span>
                <input
                    type="text"
                    class="tags-filter"
                    aria-label=T::Tags.get(lang)
                    placeholder="vip, refund"
                    prop:value=q.tags.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let v = v.trim().to_owned();
                        set_query(&|q| q.tags = (!v.is_empty()).then(|| v.clone()));
                    }
                />
            </label>
            <label class="filter">
                <span class="filter-label">{T::ReportedFrom.get(lang)}</span>
                <input
                    type="date"
                    aria-label=T::ReportedFrom.get(lang)
                    prop:value=q.created_from.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q| q.created_from = (!v.is_empty()).then(|| v.clone()));
                    }
                />
            </label>
            <label class="filter">
                <span class="filter-label">{T::ReportedTo.get(lang)}</span>
                <input
                    type="date"
                    aria-label=T::ReportedTo.get(lang)
                    prop:value=q.created_to.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q| q.created_to = (!v.is_empty()).then(|| v.clone()));
                    }
                />
            </label>
        }
    };

    let columns_menu = move || {
        view! {
            <details class="menu">
                <summary class="btn">{move || t(T::Columns)}</summary>
                <div class="menu-pop" role="group" aria-label=move || t(T::Columns)>
                    {Column::ALL
                        .iter()
                        .map(|c| {
                            let c = *c;
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || prefs.columns.with(|cs| cs.contains(&c))
                                        disabled=c == Column::Subject
                                        on:change=move |_| prefs.toggle_column(c)
                                    />
                                    {move || t(col_label(c))}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </details>
        }
    };

    let header = move || {
        let q = query.get();
        let sort: SortKey = q
            .sort
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(SortKey::Created);
        let asc = q.order.as_deref() == Some("asc");
        let all_ids: Vec<i64> = items.with(|i| i.iter().map(|i| i.id).collect());
        let all_ids2 = all_ids.clone();
        view! {
            <tr>
                <th class="col-check">
                    <input
                        type="checkbox"
                        aria-label=move || t(T::SelectAll)
                        prop:checked=move || {
                            let s = selected.get();
                            !all_ids.is_empty() && all_ids.iter().all(|i| s.contains(i))
                        }
                        on:change=move |ev| {
                            if event_target_checked(&ev) {
                                selected.set(all_ids2.iter().copied().collect());
                            } else {
                                selected.set(BTreeSet::new());
                            }
                        }
                    />
                </th>
                {move || {
                    prefs
                        .columns
                        .get()
                        .into_iter()
                        .map(|c| {
                            let label = col_label(c);
                            match c.sort_key() {
                                Some(k) => {
                                    let active = k == sort;
                                    let aria = if !active { "none" } else if asc { "ascending" } else { "descending" };
                                    let arrow = if !active { "" } else if asc { " ▲" } else { " ▼" };
                                    view! {
                                        <th class=format!("col-{}", c.key()) aria-sort=aria>
                                            <button
                                                class="sort"
                                                on:click=move |_| {
                                                    let (s, o) = listview::toggle_sort(&query.get_untracked(), k);
                                                    set_query(&|q| {
                                                        q.sort = Some(s.clone());
                                                        q.order = Some(o.clone());
                                                    })
                                                }
                                            >
                                                {move || t(label)}
                                                <span aria-hidden="true">{arrow}</span>
                                            </button>
                                        </th>
                                    }
                                    .into_any()
                                }
                                None => view! { <th class=format!("col-{}", c.key())>{move || t(label)}</th> }.into_any(),
                            }
                        })
                        .collect_view()
                }}
            </tr>
        }
    };

    let cell = move |c: Column, it: &TicketListItem| -> AnyView {
        let lang = prefs.lang.get_untracked();
        let dash = || "—".to_owned();
        match c {
            Column::Number => view! { <td class="col-number">{format!("#{}", it.number)}</td> }.into_any(),
            Column::Subject => {
                let href = format!("/tickets/{}", it.id);
                let id = it.id;
                view! {
                    <td class="col-subject">
                        <a
                            href=href
                            class="subject-link"
                            on:click=move |ev| {
                                ev.prevent_default();
                                ev.stop_propagation();
                                open(id);
                            }
                        >
                            {it.subject.clone()}
                        </a>
                        {it.parent_id.map(|_| view! { <span class="badge sub">"↳"</span> })}
                        {it.tags.iter().take(3).map(|tg| view! { <span class="tag">{tg.clone()}</span> }).collect_view()}
                    </td>
                }
                .into_any()
            }
            Column::Email => view! { <td class="col-email">{it.requester_email.clone().unwrap_or_else(dash)}</td> }.into_any(),
            Column::Status => view! { <td class="col-status"><StatusPill status=it.status.clone() /></td> }.into_any(),
            Column::Priority => view! { <td class="col-priority"><PriorityTag priority=it.priority /></td> }.into_any(),
            Column::Owner => {
                let o = it.owner.as_ref().map(|o| o.name.clone());
                let empty = o.is_none();
                view! { <td class="col-owner" class:muted=empty>{o.unwrap_or_else(|| T::Unassigned.get(lang).to_owned())}</td> }.into_any()
            }
            Column::Group => view! { <td class="col-group">{it.group.as_ref().map(|g| g.name.clone()).unwrap_or_else(dash)}</td> }.into_any(),
            Column::OriginGroup => view! { <td class="col-origin_group">{it.origin_group.as_ref().map(|g| g.name.clone()).unwrap_or_else(dash)}</td> }.into_any(),
            Column::Reported => {
                let at = it.created_at;
                view! { <td class="col-reported">{move || util::date(prefs.lang.get(), &at)}</td> }.into_any()
            }
            Column::Updated => {
                let at = it.updated_at;
                view! { <td class="col-updated">{move || util::date(prefs.lang.get(), &at)}</td> }.into_any()
            }
            Column::Due => {
                let due = it.due_at;
                let overdue = it.overdue;
                view! {
                    <td class="col-due" class:overdue=overdue>
                        {move || due.map(|d| util::date(prefs.lang.get(), &d)).unwrap_or_else(dash)}
                        {overdue.then(|| view! { <span class="sr-only">{T::Overdue.get(lang)}</span> })}
                    </td>
                }
                .into_any()
            }
            Column::Comment => view! { <td class="col-comment">{it.summary_comment.clone().unwrap_or_default()}</td> }.into_any(),
        }
    };

    let rows = move || {
        let cols = prefs.columns.get();
        items
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, it)| {
                let id = it.id;
                let number = it.number;
                let cells = cols.iter().map(|c| cell(*c, &it)).collect_view();
                view! {
                    <tr
                        id=format!("row-{i}")
                        class="row"
                        class:cursor=move || cursor.get() == i
                        class:selected=move || selected.with(|s| s.contains(&id))
                        class:overdue-row=it.overdue
                        on:click=move |_| {
                            cursor.set(i);
                            open(id)
                        }
                    >
                        <td class="col-check" on:click=|ev| ev.stop_propagation()>
                            <input
                                type="checkbox"
                                aria-label=move || fill(prefs.lang.get(), T::SelectTicket, &[("n", &number.to_string())])
                                prop:checked=move || selected.with(|s| s.contains(&id))
                                on:change=move |_| toggle_select(id)
                            />
                        </td>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="page followup">
            <div class="page-head">
                <h1>{move || t(T::FollowUp)}</h1>
                <div class="search">
                    <input
                        node_ref=search_ref
                        type="search"
                        id="ticket-search"
                        aria-label=move || t(T::SearchTickets)
                        placeholder=move || t(T::SearchPlaceholder)
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
                    {columns_menu}
                    <A href="/tickets/new" attr:class="btn primary">{move || t(T::NewTicket)}</A>
                </div>
            </div>
            <div class="tiles" role="group" aria-label=move || t(T::StatusOverview)>
                {tiles}
            </div>
            <div class="filters" role="group" aria-label=move || t(T::Filters)>
                {filters}
                <button class="btn ghost small" on:click=move |_| nav.go_keep_scroll("/tickets")>
                    {move || t(T::ResetFilters)}
                </button>
            </div>
            <BulkBar selected=selected on_done=Callback::new(move |_| refresh()) />
            {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| refresh()) /> })}
            <div class="table-wrap" class:busy=move || loading.get()>
                <table class="tickets" aria-label=move || t(T::Tickets) aria-busy=move || loading.get().to_string()>
                    <thead>{header}</thead>
                    <tbody>{rows}</tbody>
                </table>
                <Show when=move || loading.get() && items.with(|i| i.is_empty())>
                    <Loading />
                </Show>
                <Show when=move || !loading.get() && error.with(|e| e.is_none()) && items.with(|i| i.is_empty())>
                    <p class="empty">{move || t(T::NoTickets)}</p>
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
                <Show when=move || next_cursor.with(|c| c.is_some())>
                    <button class="btn" on:click=move |_| load_more() disabled=move || loading_more.get()>
                        {move || if loading_more.get() { t(T::Loading) } else { t(T::LoadMore) }}
                    </button>
                </Show>
                <span class="muted kbd-hint">{move || t(T::KeyboardHint)}</span>
            </div>
        </section>
    }
}
