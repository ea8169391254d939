//! The ticket table: sortable headers, the person's columns, selection
//! boxes, the keyboard cursor row; and the menu that picks the columns.
//!
//! On a phone (style.css, ≤ 600 px) each row is drawn as a card: the check
//! box, the subject cell, and two cells of its own (number and status;
//! priority, owner, due and updated) that wider screens hide. The card's
//! fields are fixed whatever columns were chosen, and the rows stay rows, so
//! the cursor, selection and opening work unchanged.

use super::ListView;
use crate::components::{clock_icon, PriorityTag, StatusPill};
use crate::i18n::{fill, T};
use crate::listview::{self, Column};
use crate::state::{use_prefs, use_refdata};
use crate::util;
use lazo_domain::wire::TicketListItem;
use lazo_domain::SortKey;
use leptos::prelude::*;
use std::collections::BTreeSet;

pub fn col_label(c: Column) -> T {
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
pub fn ColumnsMenu() -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    {
        view! {
            <details class="menu">
                <summary class="btn">{prefs.text(T::Columns)}</summary>
                <div class="menu-pop" role="group" aria-label=prefs.text(T::Columns)>
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
    }
}

#[component]
pub fn TicketTable(
    view: ListView,
    items: Memo<Vec<TicketListItem>>,
    /// The keyboard cursor's row.
    cursor: RwSignal<usize>,
    selected: RwSignal<BTreeSet<i64>>,
    loading: RwSignal<bool>,
    /// Opens a ticket (remembering the list's place).
    open: Callback<i64>,
) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let query = view.query;
    let set_query = move |f: &dyn Fn(&mut lazo_domain::wire::TicketQuery)| view.set(f);
    let open = move |id: i64| open.run(id);
    let toggle_select = move |id: i64| {
        selected.update(|s| {
            if !s.insert(id) {
                s.remove(&id);
            }
        })
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
                        aria-label=prefs.text(T::SelectAll)
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

    let refdata = use_refdata();
    let group_name = move |g: Option<lazo_domain::wire::NamedRef>| {
        move || match &g {
            Some(g) => refdata.group_name(g.id, &g.name, prefs.lang.get()),
            None => "—".to_owned(),
        }
    };
    let cell = move |c: Column, it: &TicketListItem| -> AnyView {
        let lang = prefs.lang.get_untracked();
        let dash = || "—".to_owned();
        match c {
            Column::Number => view! { <td class="col-number">{format!("#{}", it.number)}</td> }.into_any(),
            Column::Subject => {
                let href = format!("/tickets/{}", it.number);
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
            Column::Status => {
                // A snoozed ticket: a clock and the day it reopens.
                let snoozed = it.snooze_until.map(|u| {
                    let full = move || fill(prefs.lang.get(), T::SnoozedUntil, &[("date", &util::datetime(prefs.lang.get(), &u))]);
                    view! {
                        <span class="badge snoozed" title=full>
                            {clock_icon()}<span aria-hidden="true">" "{move || util::date(prefs.lang.get(), &u)}</span>
                            <span class="sr-only">{full}</span>
                        </span>
                    }
                });
                view! { <td class="col-status"><StatusPill status=it.status.clone() />{snoozed}</td> }.into_any()
            }
            Column::Priority => view! { <td class="col-priority"><PriorityTag priority=it.priority /></td> }.into_any(),
            Column::Owner => {
                let o = it.owner.as_ref().map(|o| o.name.clone());
                let empty = o.is_none();
                view! { <td class="col-owner" class:muted=empty>{o.unwrap_or_else(|| T::Unassigned.get(lang).to_owned())}</td> }.into_any()
            }
            Column::Group => view! { <td class="col-group">{group_name(it.group.clone())}</td> }.into_any(),
            Column::OriginGroup => view! { <td class="col-origin_group">{group_name(it.origin_group.clone())}</td> }.into_any(),
            Column::Reported => {
                let at = it.created_at;
                view! { <td class="col-reported">{move || util::short_date(prefs.lang.get(), &at)}</td> }.into_any()
            }
            Column::Updated => {
                let at = it.updated_at;
                view! { <td class="col-updated">{move || util::short_date(prefs.lang.get(), &at)}</td> }.into_any()
            }
            Column::Due => {
                let due = it.due_at;
                let overdue = it.overdue;
                view! {
                    <td class="col-due" class:overdue=overdue>
                        {move || due.map(|d| util::short_date(prefs.lang.get(), &d)).unwrap_or_else(dash)}
                        {overdue.then(|| view! { <span class="badge overdue">{prefs.text(T::Overdue)}</span> })}
                    </td>
                }
                .into_any()
            }
            Column::Comment => view! { <td class="col-comment">{it.summary_comment.clone().unwrap_or_default()}</td> }.into_any(),
        }
    };

    let card_cells = move |it: &TicketListItem| {
        let lang = prefs.lang.get_untracked();
        let owner = it.owner.as_ref().map(|o| o.name.clone());
        let unowned = owner.is_none();
        let (due, overdue, updated) = (it.due_at, it.overdue, it.updated_at);
        view! {
            <td class="card-top">
                <span class="card-num">{format!("#{}", it.number)}</span>
                <StatusPill status=it.status.clone() />
                {it.snooze_until.map(|_| view! { <span class="card-snoozed">{clock_icon()}</span> })}
                <span class="spacer"></span>
                <PriorityTag priority=it.priority />
            </td>
            <td class="card-meta">
                <span class="card-owner" class:muted=unowned>{owner.unwrap_or_else(|| T::Unassigned.get(lang).to_owned())}</span>
                {due.map(|d| view! {
                    <span class="card-due" class:overdue=overdue>
                        {move || fill(prefs.lang.get(), T::DueOn, &[("date", &util::short_date(prefs.lang.get(), &d))])}
                        {overdue.then(|| view! { <span class="badge overdue">{prefs.text(T::Overdue)}</span> })}
                    </span>
                })}
                <span class="card-updated muted">{move || fill(prefs.lang.get(), T::UpdatedOn, &[("date", &util::short_date(prefs.lang.get(), &updated))])}</span>
            </td>
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
                let card = card_cells(&it);
                view! {
                    <tr
                        id=format!("row-{i}")
                        class="row"
                        class:cursor=move || cursor.get() == i
                        class:selected=move || selected.with(|s| s.contains(&id))
                        class:overdue-row=it.overdue
                        // The cursor row is the one tab stop of the rows;
                        // j/k move it (and the focus), Enter opens it.
                        tabindex=move || if cursor.get() == i { "0" } else { "-1" }
                        aria-selected=move || (cursor.get() == i).to_string()
                        on:focus=move |_| cursor.set(i)
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
                        {card}
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <table class="tickets" aria-label=prefs.text(T::Tickets) aria-busy=move || loading.get().to_string()>
            <thead>{header}</thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
