//! Ticket detail: its own URL, header fields edited as a draft and saved with
//! `If-Match`, root-cause rules explained, comments and notes, history,
//! sub-tickets, and next/previous through the list it was opened from.

mod comments;
mod draft;
mod history;
mod subtickets;

use crate::api::{self, ApiError};
use crate::components::{field_errors_view, use_nav, ErrorBox, Loading, OwnerChoice, OwnerPicker};
use crate::i18n::{self, fill, T};
use crate::listview::{self, PAGE_SIZE};
use crate::rules::{self, RootCauseNeed};
use crate::state::{use_list, use_notices, use_prefs, use_refdata, use_session};
use crate::util;
use comments::Comments;
use draft::Draft;
use history::History;
use lazo_domain::wire::{Comment, CommentInput, FieldDef, HistoryEntry, Ticket, TicketListItem};
use lazo_domain::{Access, FieldKind, Priority};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde_json::Value;
use subtickets::SubTickets;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Comments,
    History,
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let session = use_session();
    let list = use_list();
    let notices = use_notices();
    let nav = use_nav();
    let params = use_params_map();
    let t = move |k: T| prefs.t(k);

    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let ticket = RwSignal::new(None::<Ticket>);
    let etag = StoredValue::new(String::new());
    let load_error = RwSignal::new(None::<ApiError>);
    let draft = RwSignal::new(None::<Draft>);
    let change_comment = RwSignal::new(String::new());
    let change_internal = RwSignal::new(true);
    let save_error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let comments = RwSignal::new(None::<Result<Vec<Comment>, ApiError>>);
    let history = RwSignal::new(None::<Result<Vec<HistoryEntry>, ApiError>>);
    let subs = RwSignal::new(None::<Result<Vec<TicketListItem>, ApiError>>);
    let tab = RwSignal::new(Tab::Comments);
    let generation = StoredValue::new(0u64);

    let load_comments = move |tid: i64| {
        let my = generation.get_value();
        spawn_local(async move {
            let r = api::comments(tid, None).await.map(|p| p.items);
            if generation.try_get_value() == Some(my) {
                comments.set(Some(r));
            }
        });
    };
    let load_history = move |tid: i64| {
        let my = generation.get_value();
        spawn_local(async move {
            let r = api::history(tid, None).await.map(|p| p.items);
            if generation.try_get_value() == Some(my) {
                history.set(Some(r));
            }
        });
    };
    let load_subs = move |tid: i64| {
        let my = generation.get_value();
        spawn_local(async move {
            let r = api::sub_tickets(tid).await.map(|p| p.items);
            if generation.try_get_value() == Some(my) {
                subs.set(Some(r));
            }
        });
    };
    let apply_ticket = move |tk: Ticket, tag: String| {
        etag.set_value(tag);
        draft.set(Some(Draft::of(&tk)));
        change_comment.set(String::new());
        // Keep the list the ticket came from truthful.
        list.0.update(|l| {
            if let Some(row) = l.items.iter_mut().find(|r| r.id == tk.id) {
                row.status = tk.status.clone();
                row.priority = tk.priority;
                row.owner = tk.owner.clone();
                row.group = tk.group.clone();
                row.tags = tk.tags.clone();
                row.due_at = tk.due_at;
                row.updated_at = tk.updated_at;
            }
        });
        ticket.set(Some(tk));
    };
    let load = move |tid: i64| {
        let my = generation.get_value() + 1;
        generation.set_value(my);
        // Clear first: never show the previous ticket's data under the new URL.
        ticket.set(None);
        draft.set(None);
        load_error.set(None);
        save_error.set(None);
        comments.set(None);
        history.set(None);
        subs.set(None);
        spawn_local(async move {
            let r = api::ticket(tid).await;
            if generation.try_get_value() != Some(my) {
                return;
            }
            match r {
                Ok((tk, tag)) => apply_ticket(tk, tag),
                Err(e) => load_error.set(Some(e)),
            }
        });
        load_comments(tid);
        load_subs(tid);
        if tab.get_untracked() == Tab::History {
            load_history(tid);
        }
    };
    Effect::new(move |_| {
        if let Some(tid) = id.get() {
            load(tid);
        }
    });

    // ---- walking the list
    let position = Memo::new(move |_| {
        let tid = id.get()?;
        list.0
            .with(|l| listview::position(&l.ids(), tid).map(|p| (p, l.items.len())))
    });
    let list_url = move || {
        list.0
            .with_untracked(|l| l.search.clone())
            .map(|s| {
                if s.is_empty() {
                    "/tickets".to_owned()
                } else {
                    format!("/tickets?{s}")
                }
            })
            .unwrap_or_else(|| "/tickets".into())
    };
    let go_to = move |tid: i64| {
        list.0.update(|l| {
            if let Some(i) = l.items.iter().position(|r| r.id == tid) {
                l.cursor = i;
            }
        });
        nav.go(&format!("/tickets/{tid}"));
    };
    let walking = RwSignal::new(false);
    let go_next = move || {
        let Some((p, _)) = position.get_untracked() else {
            return;
        };
        if let Some(n) = p.next {
            go_to(n);
            return;
        }
        // At the end of what is loaded: fetch the list's next page and go on.
        let (search, cursor) = list
            .0
            .with_untracked(|l| (l.search.clone(), l.next_cursor.clone()));
        let (Some(search), Some(cursor)) = (search, cursor) else {
            return;
        };
        if walking.get_untracked() {
            return;
        }
        walking.set(true);
        spawn_local(async move {
            let q = listview::from_search(&search, util::today());
            let r = api::tickets(&listview::api_list_query(&q, Some(&cursor), PAGE_SIZE)).await;
            if generation.try_get_value().is_none() {
                return; // the page is gone
            }
            if let Ok(page) = r {
                let first = page.items.first().map(|i| i.id);
                list.0.update(|l| {
                    l.items.extend(page.items);
                    l.next_cursor = page.next_cursor;
                });
                if let Some(f) = first {
                    go_to(f);
                }
            }
            walking.set(false);
        });
    };
    let go_prev = move || {
        if let Some(p) = position.get_untracked().and_then(|(p, _)| p.prev) {
            go_to(p);
        }
    };
    let close = move || nav.go_keep_scroll(&list_url());
    let has_next = move || {
        position.with(|p| {
            p.as_ref().is_some_and(|(p, _)| p.next.is_some())
                || (p.is_some() && list.0.with(|l| l.next_cursor.is_some()))
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
            "j" | "ArrowRight" => {
                ev.prevent_default();
                go_next();
            }
            "k" | "ArrowLeft" => {
                ev.prevent_default();
                go_prev();
            }
            "Escape" => {
                ev.prevent_default();
                close();
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());

    // ---- saving
    let dirty = Memo::new(move |_| {
        ticket.with(|tk| {
            draft.with(|d| match (tk, d) {
                (Some(tk), Some(d)) => !d.diff(tk).changes_nothing(),
                _ => false,
            })
        })
    });
    let save = move || {
        let (Some(tk), Some(d)) = (ticket.get_untracked(), draft.get_untracked()) else {
            return;
        };
        let mut upd = d.diff(&tk);
        if upd.changes_nothing() || saving.get_untracked() {
            return;
        }
        let c = change_comment.get_untracked();
        if !c.trim().is_empty() {
            upd.comment = Some(CommentInput {
                body: c,
                internal: change_internal.get_untracked(),
            });
        }
        let with_comment = upd.comment.is_some();
        saving.set(true);
        save_error.set(None);
        let tid = tk.id;
        let tag = etag.get_value();
        spawn_local(async move {
            let r = api::update_ticket(tid, &tag, &upd).await;
            if generation.try_get_value().is_none() {
                return; // the page is gone
            }
            match r {
                Ok((tk, tag)) => {
                    apply_ticket(tk, tag);
                    notices.ok(t(T::TicketSaved));
                    if with_comment {
                        load_comments(tid);
                    }
                    if history.with_untracked(|h| h.is_some()) {
                        load_history(tid);
                    }
                }
                Err(ApiError::Stale) => {
                    // Someone else changed it: show theirs, say so.
                    notices.error(t(T::ErrStale));
                    if let Ok((tk, tag)) = api::ticket(tid).await {
                        apply_ticket(tk, tag);
                    }
                    save_error.set(Some(ApiError::Stale));
                }
                Err(e) => save_error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let discard = move || {
        if let Some(tk) = ticket.get_untracked() {
            draft.set(Some(Draft::of(&tk)));
        }
        save_error.set(None);
    };

    let delete = move || {
        let Some(tid) = id.get_untracked() else {
            return;
        };
        if !window()
            .confirm_with_message(t(T::ConfirmDelete))
            .unwrap_or(false)
        {
            return;
        }
        spawn_local(async move {
            match api::delete_ticket(tid).await {
                Ok(()) => {
                    notices.ok(t(T::TicketDeleted));
                    list.0.update(|l| l.items.retain(|r| r.id != tid));
                    close();
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };

    let nav_bar = move || {
        view! {
            <div class="ticket-nav">
                <button class="btn icon" aria-label=move || t(T::CloseTicket) title=move || format!("{} (Esc)", t(T::CloseTicket)) on:click=move |_| close()>
                    "✕"
                </button>
                // Walking only makes sense for a ticket opened from the list.
                <Show when=move || position.with(|p| p.is_some())>
                <button class="btn icon" aria-label=move || t(T::PrevTicket) title=move || format!("{} (k)", t(T::PrevTicket))
                    disabled=move || position.with(|p| p.as_ref().is_none_or(|(p, _)| p.prev.is_none()))
                    on:click=move |_| go_prev()>
                    "‹"
                </button>
                <span class="muted pos">
                    {move || position.get().map(|(p, n)| {
                        let lang = prefs.lang.get();
                        fill(lang, T::PositionOf, &[("n", &(p.index + 1).to_string()), ("total", &n.to_string())])
                    })}
                </span>
                <button class="btn icon" aria-label=move || t(T::NextTicket) title=move || format!("{} (j)", t(T::NextTicket))
                    disabled=move || !has_next()
                    on:click=move |_| go_next()>
                    "›"
                </button>
                </Show>
                <span class="spacer"></span>
                <Show when=move || session.is_admin() && ticket.with(|t| t.is_some())>
                    <button class="btn ghost small danger" on:click=move |_| delete()>{move || t(T::DeleteTicket)}</button>
                </Show>
            </div>
        }
    };

    let body = move || {
        if let Some(e) = load_error.get() {
            return view! { <ErrorBox error=e retry=Callback::new(move |_| { if let Some(i) = id.get_untracked() { load(i) } }) /> }.into_any();
        }
        let Some(tk) = ticket.get() else {
            return view! { <div class="skeleton"><Loading /></div> }.into_any();
        };
        view! {
            <TicketView
                tk=tk
                draft=draft
                dirty=dirty
                saving=saving
                save_error=save_error
                change_comment=change_comment
                change_internal=change_internal
                comments=comments
                history=history
                subs=subs
                tab=tab
                on_save=Callback::new(move |_| save())
                on_discard=Callback::new(move |_| discard())
                reload_comments=Callback::new(move |_| { if let Some(i) = id.get_untracked() { load_comments(i) } })
                reload_history=Callback::new(move |_| { if let Some(i) = id.get_untracked() { load_history(i) } })
                reload_subs=Callback::new(move |_| { if let Some(i) = id.get_untracked() { load_subs(i) } })
            />
        }
        .into_any()
    };

    let _ = refdata;
    view! {
        <section class="page ticket-page">
            {nav_bar}
            {body}
        </section>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn TicketView(
    tk: Ticket,
    draft: RwSignal<Option<Draft>>,
    dirty: Memo<bool>,
    saving: RwSignal<bool>,
    save_error: RwSignal<Option<ApiError>>,
    change_comment: RwSignal<String>,
    change_internal: RwSignal<bool>,
    comments: RwSignal<Option<Result<Vec<Comment>, ApiError>>>,
    history: RwSignal<Option<Result<Vec<HistoryEntry>, ApiError>>>,
    subs: RwSignal<Option<Result<Vec<TicketListItem>, ApiError>>>,
    tab: RwSignal<Tab>,
    on_save: Callback<()>,
    on_discard: Callback<()>,
    reload_comments: Callback<()>,
    reload_history: Callback<()>,
    reload_subs: Callback<()>,
) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let session = use_session();
    let t = move |k: T| prefs.t(k);
    let read_only = tk.access == Access::Comment;
    let tid = tk.id;
    let ty = tk
        .ticket_type
        .as_ref()
        .and_then(|r| refdata.ticket_type(r.id));
    let ty_id = tk.ticket_type.as_ref().map(|r| r.id);
    let ticket_type = Memo::new(move |_| {
        ty_id.and_then(|id| {
            refdata
                .types
                .with(|ts| ts.iter().find(|t| t.id == id).cloned())
        })
    });
    let comment_required = session.0.with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| s.me.settings.comment_required_on_update)
    });
    let upd = move |f: &dyn Fn(&mut Draft)| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };

    // ---- owner: a person, or the group alone
    let owner_text = Signal::derive(move || {
        let lang = prefs.lang.get();
        draft.with(|d| {
            let Some(d) = d else { return String::new() };
            match d.owner_id {
                Some(id) => refdata
                    .users
                    .with(|u| u.iter().find(|u| u.id == id).map(|u| u.name.clone()))
                    .unwrap_or_else(|| format!("#{id}")),
                None => d
                    .group_id
                    .and_then(|g| {
                        refdata
                            .groups
                            .with(|gs| gs.iter().find(|x| x.id == g).map(|x| x.name.clone()))
                    })
                    .map(|g| format!("{g} ({})", T::Unassigned.get(lang)))
                    .unwrap_or_else(|| T::NoOwner.get(lang).to_owned()),
            }
        })
    });
    let pick_owner = Callback::new(move |c: OwnerChoice| match c {
        OwnerChoice::Nobody => upd(&|d| d.owner_id = None),
        OwnerChoice::User(id) => upd(&|d| d.owner_id = Some(id)),
        OwnerChoice::Group(g) => upd(&|d| {
            d.group_id = Some(g);
            d.owner_id = None;
        }),
    });

    // ---- root cause, with the type's rules spelled out
    let root_cause_block = move || {
        let lang = prefs.lang.get();
        let Some(ty) = ticket_type.get() else {
            // A ticket without a type has no root causes: nothing to choose.
            let _ = lang;
            return ().into_any();
        };
        let statuses = refdata.statuses.get();
        let d = draft.get();
        let status_id = d.as_ref().map(|d| d.status_id).unwrap_or_default();
        let current = d.as_ref().and_then(|d| d.root_cause_id);
        let need = rules::root_cause_need(&ty, status_id);
        let status_name = statuses
            .iter()
            .find(|s| s.id == status_id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let warning = rules::root_cause_violation(&ty, status_id, current).map(|code| {
            let key = if code == "root_cause_required" {
                T::RootCauseNeeded
            } else {
                T::RootCauseForbidden
            };
            fill(lang, key, &[("status", &status_name)])
        });
        let req = rules::status_names(&statuses, &ty.root_cause_required_for);
        let pro = rules::status_names(&statuses, &ty.root_cause_prohibited_for);
        let causes: Vec<_> = ty
            .root_causes
            .iter()
            .filter(|c| c.active || Some(c.id) == current)
            .cloned()
            .collect();
        view! {
            <div class="field" class:has-error=move || save_error.with(|e| e.as_ref().is_some_and(|e| !rules_errors(e, "root_cause_id").is_empty()))>
                <label for="f-root-cause">
                    {T::RootCause.get(lang)}
                    {(need == RootCauseNeed::Required).then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                </label>
                <select
                    id="f-root-cause"
                    disabled=read_only
                    aria-invalid=warning.is_some().to_string()
                    aria-describedby="root-cause-help"
                    on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<i64>().ok();
                        upd(&|d| d.root_cause_id = v);
                    }
                >
                    <option value="" selected=current.is_none()>"—"</option>
                    {causes.into_iter().map(|c| view! {
                        <option value=c.id.to_string() selected=Some(c.id) == current>{c.name}</option>
                    }).collect_view()}
                </select>
                <div id="root-cause-help" class="help">
                    {(!req.is_empty()).then(|| view! { <p>{fill(lang, T::RootCauseRequiredIn, &[("statuses", &req.join(", "))])}</p> })}
                    {(!pro.is_empty()).then(|| view! { <p>{fill(lang, T::RootCauseProhibitedIn, &[("statuses", &pro.join(", "))])}</p> })}
                </div>
                // The preview stands aside once the server has said the same.
                {move || {
                    let refused = save_error.with(|e| e.as_ref().is_some_and(|e| !rules_errors(e, "root_cause_id").is_empty()));
                    (!refused).then(|| warning.clone().map(|w| view! { <p class="warn">{w}</p> }))
                }}
                {field_errors_view(save_error.get(), "root_cause_id", lang)}
            </div>
        }
        .into_any()
    };

    let status_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().map(|d| d.status_id));
        view! {
            <div class="field">
                <label for="f-status">{T::Status.get(lang)}</label>
                <select id="f-status" disabled=read_only on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                        upd(&|d| d.status_id = v);
                    }
                }>
                    {refdata.statuses.get().into_iter().filter(|s| s.active || Some(s.id) == current).map(|s| view! {
                        <option value=s.id.to_string() selected=Some(s.id) == current>{s.name}</option>
                    }).collect_view()}
                </select>
                {field_errors_view(save_error.get(), "status_id", lang)}
            </div>
        }
    };

    let priority_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().map(|d| d.priority));
        view! {
            <div class="field">
                <label for="f-priority">{T::Priority.get(lang)}</label>
                <select id="f-priority" disabled=read_only on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<Priority>() {
                        upd(&|d| d.priority = p);
                    }
                }>
                    {Priority::ALL.iter().map(|p| view! {
                        <option value=p.as_str() selected=Some(*p) == current>{i18n::priority(*p).get(lang)}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };

    let group_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().and_then(|d| d.group_id));
        view! {
            <div class="field">
                <label for="f-group">{T::Group.get(lang)}</label>
                <select id="f-group" disabled=read_only on:change=move |ev| {
                    let v = event_target_value(&ev).parse::<i64>().ok();
                    upd(&|d| d.group_id = v);
                }>
                    <option value="" selected=current.is_none()>{T::NoGroup.get(lang)}</option>
                    {refdata.groups.get().into_iter().map(|g| view! {
                        <option value=g.id.to_string() selected=Some(g.id) == current>{g.name}</option>
                    }).collect_view()}
                </select>
                {field_errors_view(save_error.get(), "group_id", lang)}
            </div>
        }
    };

    let tag_input = RwSignal::new(String::new());
    let tags_block = move || {
        let lang = prefs.lang.get();
        let tags = draft.with(|d| d.as_ref().map(|d| d.tags.clone()).unwrap_or_default());
        view! {
            <div class="field">
                <label for="f-tag">{T::Tags.get(lang)}</label>
                <div class="tag-editor">
                    {tags.into_iter().map(|tg| {
                        let tg2 = tg.clone();
                        view! {
                            <span class="tag">
                                {tg.clone()}
                                {(!read_only).then(|| view! {
                                    <button type="button" class="tag-x" aria-label=format!("{} {}", T::Remove.get(lang), tg)
                                        on:click=move |_| { let x = tg2.clone(); upd(&|d| d.tags.retain(|t| *t != x)) }>"×"</button>
                                })}
                            </span>
                        }
                    }).collect_view()}
                    {(!read_only).then(|| view! {
                        <input id="f-tag" type="text" class="tag-input" placeholder="+" aria-label=format!("{} ({})", T::Add.get(lang), T::Tags.get(lang))
                            prop:value=move || tag_input.get()
                            on:input=move |ev| tag_input.set(event_target_value(&ev))
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" || ev.key() == "," {
                                    ev.prevent_default();
                                    let v = lazo_domain::wire::normalize_tag(&tag_input.get_untracked());
                                    if !v.is_empty() {
                                        upd(&|d| if !d.tags.contains(&v) { d.tags.push(v.clone()) });
                                    }
                                    tag_input.set(String::new());
                                }
                            } />
                    })}
                </div>
            </div>
        }
    };

    let due_block = move || {
        let lang = prefs.lang.get();
        let due = draft.with(|d| d.as_ref().map(|d| d.due.clone()).unwrap_or_default());
        view! {
            <div class="field">
                <label for="f-due">{T::DueDate.get(lang)}</label>
                <input id="f-due" type="date" disabled=read_only prop:value=due
                    on:change=move |ev| { let v = event_target_value(&ev); upd(&|d| d.due = v.clone()) } />
                {field_errors_view(save_error.get(), "due_at", lang)}
            </div>
        }
    };

    let custom_fields = move || {
        let ty = ticket_type.get()?;
        if ty.fields.is_empty() {
            return None;
        }
        let lang = prefs.lang.get();
        Some(view! {
            <section class="card" aria-labelledby="details-h">
                <h2 id="details-h">{T::Details.get(lang)}</h2>
                <div class="field-grid">
                    {ty.fields.into_iter().map(|f| custom_field(f, draft, read_only, save_error, lang)).collect_view()}
                </div>
            </section>
        })
    };

    let summary = {
        let show = ty.as_ref().is_none_or(|t| t.show_summary);
        let s = tk.summary.clone();
        (show && (s.score.is_some() || s.comment.is_some())).then(|| {
            let score_class = match s.score {
                Some(n) if n <= 6 => "score detractor",
                Some(n) if n <= 8 => "score passive",
                _ => "score promoter",
            };
            view! {
                <section class="card summary" aria-labelledby="summary-h">
                    <h2 id="summary-h">{move || t(T::Summary)}</h2>
                    <div class="summary-body">
                        {s.score.map(|n| view! {
                            <div class=score_class aria-label=move || format!("{} {}", t(T::Score), n)>
                                <span class="score-n">{n}</span><span class="score-label">{move || t(T::Score)}</span>
                            </div>
                        })}
                        {s.comment.map(|c| view! { <blockquote aria-label=move || t(T::CustomerComment)>{c}</blockquote> })}
                    </div>
                </section>
            }
        })
    };

    let requester = tk.requester.clone().map(|r| view! {
        <section class="card requester" aria-labelledby="req-h">
            <h2 id="req-h">{move || t(T::Requester)}</h2>
            <dl>
                {r.name.map(|n| view! { <dt>{move || t(T::Name)}</dt><dd>{n}</dd> })}
                {r.email.map(|e| view! { <dt>{move || t(T::Email)}</dt><dd><a href=format!("mailto:{e}")>{e.clone()}</a></dd> })}
                {r.phone.map(|p| view! { <dt>{move || t(T::Phone)}</dt><dd>{p}</dd> })}
                {r.external_ref.map(|x| view! { <dt>{move || t(T::ExternalRef)}</dt><dd>{x}</dd> })}
            </dl>
        </section>
    });

    let save_bar = move || {
        let lang = prefs.lang.get();
        view! {
            <div class="save-bar" role="region" aria-label=T::UnsavedChanges.get(lang)>
                <strong>{T::UnsavedChanges.get(lang)}</strong>
                <label class="field">
                    <span>{T::ChangeComment.get(lang)}{comment_required.then_some(" *")}</span>
                    <textarea rows="2" aria-label=T::ChangeComment.get(lang)
                        prop:value=move || change_comment.get()
                        on:input=move |ev| change_comment.set(event_target_value(&ev))></textarea>
                    {comment_required.then(|| view! { <span class="help">{T::ChangeCommentRequired.get(lang)}</span> })}
                    {field_errors_view(save_error.get(), "comment", lang)}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || change_internal.get() on:change=move |ev| change_internal.set(event_target_checked(&ev)) />
                    {T::ChangeCommentInternal.get(lang)}
                </label>
                // Errors that sit next to their fields are not repeated here.
                {move || save_error.get().filter(|e| {
                    const SHOWN: [&str; 7] = ["status_id", "owner_id", "group_id", "root_cause_id", "due_at", "comment", "custom_fields."];
                    let errs = e.field_errors();
                    errs.is_empty() || errs.iter().any(|f| !SHOWN.iter().any(|s| f.field == *s || (s.ends_with('.') && f.field.starts_with(s))))
                }).map(|e| {
                    let lang = prefs.lang.get();
                    view! { <p class="error-box" role="alert">{e.message(lang)}</p> }
                })}
                <div class="composer-actions">
                    <button class="btn ghost" on:click=move |_| on_discard.run(())>{T::Discard.get(lang)}</button>
                    <button class="btn primary" on:click=move |_| on_save.run(()) disabled=move || saving.get()>
                        {move || if saving.get() { t(T::Saving) } else { t(T::SaveChanges) }}
                    </button>
                </div>
            </div>
        }
    };

    let parent = tk.parent.clone();
    let meta = {
        let created = tk.created_at;
        let ty_name = tk.ticket_type.as_ref().map(|t| t.name.clone());
        let source = tk.source.clone();
        let public = tk.public;
        view! {
            <div class="ticket-meta muted">
                <span class="num">{format!("#{}", tk.number)}</span>
                {ty_name.map(|n| view! { <span>"· "{n}</span> })}
                {source.map(|s| view! { <span>"· "{s}</span> })}
                <span>"· "{move || t(if public { T::Public } else { T::Internal })}</span>
                <span>"· "{move || t(T::Created)}" "{move || util::datetime(prefs.lang.get(), &created)}</span>
            </div>
        }
    };

    let description = tk.description.clone();
    let subject = tk.subject.clone();

    view! {
        <div class="ticket-grid">
            <div class="ticket-main">
                <header class="ticket-head">
                    {meta}
                    <h1>{subject}</h1>
                    {parent.map(|p| view! {
                        <p class="parent-link">
                            {move || t(T::ParentTicket)}": "
                            <A href=format!("/tickets/{}", p.id)>{format!("#{} {}", p.number, p.subject)}</A>
                        </p>
                    })}
                    {read_only.then(|| view! { <p class="info-box" role="note">{move || t(T::ReadOnlyParent)}</p> })}
                </header>
                {(!description.trim().is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="desc-h">
                        <h2 id="desc-h">{move || t(T::Description)}</h2>
                        <div class="description">{description.clone()}</div>
                    </section>
                })}
                {summary}
                {custom_fields}
                <SubTickets parent_id=tid subs=subs reload=reload_subs can_create=!read_only && tk.parent.is_none() />
                <div class="tabs" role="tablist" aria-label=move || t(T::Comments)>
                    <button role="tab" id="tab-comments" aria-controls="panel-comments" aria-selected=move || (tab.get() == Tab::Comments).to_string()
                        on:click=move |_| tab.set(Tab::Comments)>
                        {move || t(T::Comments)}
                        <span class="count">{move || comments.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| c.len()).unwrap_or(0))}</span>
                    </button>
                    <button role="tab" id="tab-history" aria-controls="panel-history" aria-selected=move || (tab.get() == Tab::History).to_string()
                        on:click=move |_| {
                            tab.set(Tab::History);
                            if history.with_untracked(|h| h.is_none()) { reload_history.run(()) }
                        }>
                        {move || t(T::History)}
                    </button>
                </div>
                <Show when=move || tab.get() == Tab::Comments fallback=move || view! {
                    <div role="tabpanel" id="panel-history" aria-labelledby="tab-history" class="tabpanel">
                        <History history=history reload=reload_history />
                    </div>
                }>
                    <div role="tabpanel" id="panel-comments" aria-labelledby="tab-comments" class="tabpanel">
                        <Comments ticket_id=tid comments=comments reload=reload_comments />
                    </div>
                </Show>
            </div>
            <aside class="ticket-side" aria-label=move || t(T::TicketProperties)>
                <section class="card props">
                    {status_select}
                    {priority_select}
                    <div class="field">
                        <label for="f-owner">{move || t(T::Owner)}</label>
                        <OwnerPicker id="f-owner" current=owner_text on_pick=pick_owner disabled=Signal::derive(move || read_only) />
                        {move || field_errors_view(save_error.get(), "owner_id", prefs.lang.get())}
                    </div>
                    {group_select}
                    {root_cause_block}
                    {due_block}
                    {tags_block}
                    <Show when=move || dirty.get() && !read_only>{save_bar}</Show>
                </section>
                {requester}
            </aside>
        </div>
    }
    .into_any()
}

/// Field errors for `field` (helper for class toggles).
fn rules_errors(e: &ApiError, field: &str) -> Vec<lazo_domain::wire::FieldError> {
    e.problem()
        .map(|p| rules::errors_for(p, field).into_iter().cloned().collect())
        .unwrap_or_default()
}

/// One custom field of the ticket's type, as an input of its kind.
fn custom_field(
    f: FieldDef,
    draft: RwSignal<Option<Draft>>,
    read_only: bool,
    save_error: RwSignal<Option<ApiError>>,
    lang: crate::i18n::Lang,
) -> impl IntoView {
    let key = f.key.clone();
    let id = format!("cf-{}", f.key);
    let value = {
        let key = key.clone();
        draft.with_untracked(|d| d.as_ref().and_then(|d| d.custom.get(&key).cloned()))
    };
    let text = match &value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let kind = f.kind;
    let set = {
        let key = key.clone();
        move |raw: String| {
            let v = if raw.trim().is_empty() {
                None
            } else if kind == FieldKind::Number {
                raw.trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .or(Some(Value::String(raw.clone())))
            } else {
                Some(Value::String(raw.clone()))
            };
            draft.update(|d| {
                if let Some(d) = d {
                    match v {
                        Some(v) => {
                            d.custom.insert(key.clone(), v);
                        }
                        None => {
                            d.custom.remove(&key);
                        }
                    }
                }
            });
        }
    };
    let path = format!("custom_fields.{}", f.key);
    let errors = move || {
        save_error.with(|e| {
            e.as_ref()
                .map(|e| rules_errors(e, &path))
                .unwrap_or_default()
                .into_iter()
                .map(|fe| view! { <p class="field-error" role="alert">{crate::api::error::field_message(&fe, lang)}</p> })
                .collect_view()
        })
    };
    let input = match f.kind {
        FieldKind::Choice => {
            let set = set.clone();
            view! {
                <select id=id.clone() disabled=read_only on:change=move |ev| set(event_target_value(&ev))>
                    <option value="" selected=text.is_empty()>"—"</option>
                    {f.options.iter().map(|o| view! { <option value=o.clone() selected=*o == text>{o.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        k => {
            let ty = match k {
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                FieldKind::Email => "email",
                _ => "text",
            };
            let set = set.clone();
            view! { <input id=id.clone() type=ty disabled=read_only prop:value=text on:change=move |ev| set(event_target_value(&ev)) /> }.into_any()
        }
    };
    view! {
        <div class="field">
            <label for=id>{f.label.clone()}{f.required.then_some(" *")}</label>
            {input}
            {errors}
        </div>
    }
}
