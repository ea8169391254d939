//! The bulk action bar: one change (status, priority, owner, group) applied to
//! every selected ticket, with the API's result shown per ticket.

use crate::api::{self, ApiError};
use crate::i18n::{self, fill, T};
use crate::state::{use_list, use_notices, use_prefs, use_refdata, use_session};
use lazo_domain::wire::{BulkItemResult, BulkUpdate, CommentInput, UpdateTicket};
use lazo_domain::Named;
use lazo_domain::Priority;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;

#[component]
pub fn BulkBar(selected: RwSignal<BTreeSet<i64>>, on_done: Callback<()>) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let session = use_session();
    let list = use_list();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);

    let status = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let results = RwSignal::new(Vec::<BulkItemResult>::new());
    let error = RwSignal::new(None::<ApiError>);
    let need_comment = move || {
        session.0.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.me.settings.comment_required_on_update)
        })
    };

    let number_of = move |id: i64| {
        list.0
            .with_untracked(|l| l.items.iter().find(|i| i.id == id).map(|i| i.number))
            .map(|n| format!("#{n}"))
            .unwrap_or_else(|| format!("id {id}"))
    };

    let apply = move |_| {
        let mut changes = UpdateTicket::default();
        if let Ok(id) = status.get_untracked().parse() {
            changes.status_id = Some(id);
        }
        if let Ok(p) = priority.get_untracked().parse::<Priority>() {
            changes.priority = Some(p);
        }
        match owner.get_untracked().as_str() {
            "" => {}
            "none" => changes.owner_id = Some(None),
            id => changes.owner_id = id.parse().ok().map(Some),
        }
        match group.get_untracked().as_str() {
            "" => {}
            "none" => changes.group_id = Some(None),
            id => changes.group_id = id.parse().ok().map(Some),
        }
        if changes.changes_nothing() {
            error.set(None);
            results.set(vec![]);
            notices.error(t(T::BulkNothing));
            return;
        }
        let c = comment.get_untracked();
        if !c.trim().is_empty() {
            changes.comment = Some(CommentInput {
                body: c,
                internal: true,
            });
        }
        let ids: Vec<i64> = selected.get_untracked().into_iter().collect();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::bulk_update(&BulkUpdate { ids, changes }).await {
                Ok(r) => {
                    // Keep the failures selected so they can be fixed and retried.
                    let failed: BTreeSet<i64> =
                        r.results.iter().filter(|x| !x.ok).map(|x| x.id).collect();
                    results.set(r.results);
                    selected.set(failed);
                    on_done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let select = move |label: T, sig: RwSignal<String>, options: Vec<(String, String)>| {
        view! {
            <label class="filter">
                <span class="filter-label">{move || t(label)}</span>
                <select
                    aria-label=move || format!("{} ({})", t(label), t(T::BulkBar))
                    prop:value=move || sig.get()
                    on:change=move |ev| sig.set(event_target_value(&ev))
                >
                    <option value="">{prefs.text(T::NoChange)}</option>
                    {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </label>
        }
    };

    let bar = move || {
        let lang = prefs.lang.get();
        let statuses: Vec<(String, String)> = refdata.statuses.with(|s| {
            s.iter()
                .filter(|s| s.active)
                .map(|s| (s.id.to_string(), s.localized(lang.code()).to_owned()))
                .collect()
        });
        let priorities: Vec<(String, String)> = Priority::ALL
            .iter()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    i18n::priority(*p).get(lang).to_owned(),
                )
            })
            .collect();
        let mut owners = vec![("none".to_owned(), T::NoOwner.get(lang).to_owned())];
        refdata.users.with(|u| {
            owners.extend(
                u.iter()
                    .filter(|u| u.active)
                    .map(|u| (u.id.to_string(), u.name.clone())),
            )
        });
        let mut groups = vec![("none".to_owned(), T::NoGroup.get(lang).to_owned())];
        refdata.groups.with(|g| {
            groups.extend(
                g.iter()
                    .map(|g| (g.id.to_string(), g.localized(lang.code()).to_owned())),
            )
        });
        view! {
            <div class="bulk-bar" role="region" aria-label=T::BulkBar.get(lang)>
                <strong class="bulk-count">
                    {move || fill(prefs.lang.get(), T::SelectedCount, &[("n", &selected.with(|s| s.len()).to_string())])}
                </strong>
                {select(T::Status, status, statuses)}
                {select(T::Priority, priority, priorities)}
                {select(T::Owner, owner, owners)}
                {select(T::Group, group, groups)}
                <Show when=need_comment>
                    <label class="filter">
                        <span class="filter-label">{prefs.text(T::Comment)}</span>
                        <input
                            type="text"
                            aria-label=prefs.text(T::ChangeComment)
                            bind:value=comment
                        />
                    </label>
                </Show>
                <button class="btn primary" on:click=apply disabled=move || busy.get()>
                    {move || if busy.get() { t(T::Saving) } else { t(T::Apply) }}
                </button>
                <button class="btn ghost" on:click=move |_| selected.set(BTreeSet::new())>
                    {prefs.text(T::ClearSelection)}
                </button>
            </div>
        }
    };

    view! {
        <Show when=move || !selected.with(|s| s.is_empty())>{bar}</Show>
        {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        <Show when=move || !results.with(|r| r.is_empty())>
            <div class="bulk-results" role="status" aria-label=prefs.text(T::BulkBar)>
                <div class="bulk-results-head">
                    <strong>
                        {move || {
                            let (ok, failed) = results.with(|r| {
                                (r.iter().filter(|x| x.ok).count(), r.iter().filter(|x| !x.ok).count())
                            });
                            fill(prefs.lang.get(), T::BulkSummary, &[("ok", &ok.to_string()), ("failed", &failed.to_string())])
                        }}
                    </strong>
                    <button class="btn ghost small" aria-label=prefs.text(T::Close) on:click=move |_| results.set(vec![])>
                        "×"
                    </button>
                </div>
                <ul>
                    {move || {
                        let lang = prefs.lang.get();
                        results
                            .get()
                            .into_iter()
                            .map(|r| {
                                let msg = if r.ok {
                                    T::Updated.get(lang).to_owned()
                                } else {
                                    r.error
                                        .map(|p| ApiError::Problem(p).message(lang))
                                        .unwrap_or_default()
                                };
                                view! {
                                    <li class=if r.ok { "ok" } else { "err" }>
                                        <span class="bulk-num">{number_of(r.id)}</span>
                                        " "
                                        {msg}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
