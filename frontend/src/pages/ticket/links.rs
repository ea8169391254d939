//! Links to other tickets (related, duplicate of, merged) and merging this
//! ticket into another one. A merged ticket says so in a banner that leads
//! to the survivor. The API also lists parent and sub-tickets; the page
//! shows those in the header and the sub-tickets card, not twice.

use super::TicketState;
use crate::api::{self, ApiError};
use crate::components::{field_errors_view, Loading, StatusPill};
use crate::i18n::{self, fill, T};
use crate::state::{use_notices, use_prefs};
use lazo_domain::links::{
    CreateTicketLink, LinkKind, MergeTicket, NewLinkKind, TicketLink, TicketSelector,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// "Merged into #n", over the ticket, while it is merged.
#[component]
pub fn MergedBanner(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    move || {
        let lang = prefs.lang.get();
        st.ticket
            .with(|t| t.as_ref().and_then(|t| t.merged_into.clone()))
            .map(|m| {
                view! {
                    <div class="merged-banner" role="status">
                        <A href=format!("/tickets/{}", m.number)>
                            <strong>{fill(lang, T::MergedInto, &[("n", &m.number.to_string())])}</strong>
                            {(!m.subject.is_empty()).then(|| view! { <span class="merged-subject">{m.subject.clone()}</span> })}
                        </A>
                        <span class="help">{T::MergedBannerHelp.get(lang)}</span>
                    </div>
                }
            })
    }
}

/// The card: the links, a form to add one, and the merge dialog.
#[component]
pub fn Links(st: TicketState) -> impl IntoView {
    let tid = st.tid;
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let read_only = st.read_only();
    let items = RwSignal::new(None::<Result<Vec<TicketLink>, ApiError>>);
    let version = StoredValue::new(0u64);
    // An older answer never overwrites a newer one.
    let load = move || {
        let v = version.get_value() + 1;
        version.set_value(v);
        spawn_local(async move {
            // The parent shows in the header and sub-tickets in their own
            // card: here only what links say.
            let r = api::ticket_links(tid).await.map(|l| {
                l.items
                    .into_iter()
                    .filter(|l| !matches!(l.kind, LinkKind::Parent | LinkKind::Child))
                    .collect::<Vec<_>>()
            });
            if version.try_get_value() == Some(v) {
                items.set(Some(r));
            }
        });
    };
    load();

    // ---- adding a link
    let adding = RwSignal::new(false);
    let number = RwSignal::new(String::new());
    let kind = RwSignal::new(NewLinkKind::Related);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = CreateTicketLink {
            ticket: TicketSelector::Number(number.get_untracked().trim().to_owned()),
            kind: kind.get_untracked(),
        };
        spawn_local(async move {
            match api::create_link(tid, &body).await {
                Ok(l) => {
                    notices.ok(fill(
                        prefs.lang.get_untracked(),
                        T::LinkAdded,
                        &[("n", &l.ticket.number.to_string())],
                    ));
                    number.set(String::new());
                    adding.set(false);
                    load();
                    st.history_changed.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let remove = move |link: i64| {
        spawn_local(async move {
            match api::delete_link(tid, link).await {
                Ok(()) => {
                    notices.ok(t(T::LinkRemoved));
                    load();
                    st.history_changed.update(|n| *n += 1);
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };

    // ---- merging
    let merging = RwSignal::new(false);
    let into = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let merge_error = RwSignal::new(None::<ApiError>);
    let merged = Memo::new(move |_| {
        st.ticket
            .with(|t| t.as_ref().is_some_and(|t| t.merged_into.is_some()))
    });
    let merge = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        merge_error.set(None);
        let c = comment.get_untracked();
        let body = MergeTicket {
            into: TicketSelector::Number(into.get_untracked().trim().to_owned()),
            comment: (!c.trim().is_empty()).then_some(c),
        };
        let tag = st.etag.get_value();
        spawn_local(async move {
            match api::merge_ticket(tid, &tag, &body).await {
                Ok((tk, tag)) => {
                    let n = tk
                        .merged_into
                        .as_ref()
                        .map(|m| m.number)
                        .unwrap_or_default();
                    st.apply(tk, tag);
                    notices.ok(fill(
                        prefs.lang.get_untracked(),
                        T::MergedInto,
                        &[("n", &n.to_string())],
                    ));
                    merging.set(false);
                    into.set(String::new());
                    comment.set(String::new());
                    load();
                    st.comments.reload();
                    st.history_changed.update(|n| *n += 1);
                }
                Err(ApiError::Stale) => {
                    // Changed meanwhile: show it as it is now, and say so.
                    if let Ok((tk, tag)) = api::ticket(tid).await {
                        st.apply(tk, tag);
                    }
                    merge_error.set(Some(ApiError::Stale));
                }
                Err(e) => merge_error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let add_form = move || {
        let lang = prefs.lang.get();
        let err = error.get();
        view! {
            <form class="link-form card inset" on:submit=add aria-label=T::AddLink.get(lang)>
                <div class="field-row">
                    <label class="field">
                        <span>{T::LinkKindField.get(lang)}</span>
                        <select on:change=move |ev| {
                            kind.set(if event_target_value(&ev) == "duplicate_of" {
                                NewLinkKind::DuplicateOf
                            } else {
                                NewLinkKind::Related
                            })
                        }>
                            <option value="related" selected=move || kind.get() == NewLinkKind::Related>{T::LinkRelated.get(lang)}</option>
                            <option value="duplicate_of" selected=move || kind.get() == NewLinkKind::DuplicateOf>{T::LinkDuplicateOf.get(lang)}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{T::LinkTicketNumber.get(lang)}</span>
                        <input
                            type="text"
                            inputmode="numeric"
                            required
                            placeholder="#1042"
                            bind:value=number
                        />
                        {field_errors_view(err.clone(), "ticket", lang)}
                    </label>
                </div>
                {err.filter(|e| e.field_errors().is_empty()).map(|e| view! { <p class="error-box" role="alert">{e.message(lang)}</p> })}
                <div class="composer-actions">
                    <button type="button" class="btn ghost" on:click=move |_| { adding.set(false); error.set(None) }>{T::Cancel.get(lang)}</button>
                    <button type="submit" class="btn primary" disabled=move || busy.get()>{T::LinkSubmit.get(lang)}</button>
                </div>
            </form>
        }
    };

    let merge_dialog = move || {
        let lang = prefs.lang.get();
        let err = merge_error.get();
        let n = st
            .ticket
            .with_untracked(|t| t.as_ref().map(|t| t.number).unwrap_or_default());
        view! {
            <form class="merge-dialog card inset" role="dialog" aria-labelledby="merge-h" on:submit=merge>
                <h3 id="merge-h">{fill(lang, T::MergeTitle, &[("n", &n.to_string())])}</h3>
                <p class="help">{T::MergeHelp.get(lang)}</p>
                <label class="field">
                    <span>{T::MergeTarget.get(lang)}</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        required
                        placeholder="#1042"
                        bind:value=into
                    />
                    {field_errors_view(err.clone(), "into", lang)}
                </label>
                <label class="field">
                    <span>{T::MergeComment.get(lang)}</span>
                    <textarea rows="2" bind:value=comment></textarea>
                </label>
                {err.filter(|e| e.field_errors().is_empty()).map(|e| view! { <p class="error-box" role="alert">{e.message(lang)}</p> })}
                <div class="composer-actions">
                    <button type="button" class="btn ghost" on:click=move |_| { merging.set(false); merge_error.set(None) }>{T::Cancel.get(lang)}</button>
                    <button type="submit" class="btn primary danger" disabled=move || busy.get()>{T::MergeConfirm.get(lang)}</button>
                </div>
            </form>
        }
    };

    let rows = move || {
        let lang = prefs.lang.get();
        match items.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <p class="error-box" role="alert">{e.message(lang)}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="empty small">{T::NoLinks.get(lang)}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="sub-list link-list">
                    {list.into_iter().map(|l| {
                        // Merges are not undone; parent and child are sub-tickets.
                        let removable = !read_only
                            && l.id.is_some()
                            && !matches!(l.kind, LinkKind::MergedInto | LinkKind::MergedFrom);
                        let link_id = l.id.unwrap_or_default();
                        view! {
                            <li>
                                <span class="link-kind">{i18n::link_kind(l.kind).get(lang)}</span>
                                <A href=format!("/tickets/{}", l.ticket.number)>
                                    <span class="num">{format!("#{}", l.ticket.number)}</span>
                                    <span class="sub-subject">{l.ticket.subject.clone()}</span>
                                </A>
                                <StatusPill status=l.ticket.status.clone() />
                                {removable.then(|| view! {
                                    <button type="button" class="btn icon small" title=T::RemoveLink.get(lang) aria-label=T::RemoveLink.get(lang)
                                        on:click=move |_| remove(link_id)>"✕"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }
    };

    view! {
        <section class="card links" aria-labelledby="links-h">
            <div class="card-head">
                <h2 id="links-h">
                    {prefs.text(T::Links)}
                    <span class="count">{move || items.with(|s| s.as_ref().and_then(|s| s.as_ref().ok()).map(|s| s.len()).unwrap_or(0))}</span>
                </h2>
                {(!read_only).then(|| view! {
                    <div class="card-actions">
                        <button class="btn small" on:click=move |_| { adding.update(|o| *o = !*o); merging.set(false) } aria-expanded=move || adding.get().to_string()>
                            {prefs.text(T::AddLink)}
                        </button>
                        <Show when=move || !merged.get()>
                            <button class="btn small" on:click=move |_| { merging.update(|o| *o = !*o); adding.set(false) } aria-expanded=move || merging.get().to_string()>
                                {prefs.text(T::MergeInto)}
                            </button>
                        </Show>
                    </div>
                })}
            </div>
            <Show when=move || adding.get()>{add_form}</Show>
            <Show when=move || merging.get() && !merged.get()>{merge_dialog}</Show>
            {rows}
        </section>
    }
}
