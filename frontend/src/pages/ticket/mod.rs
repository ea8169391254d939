//! Ticket detail: its own URL, header fields edited as a draft and saved with
//! `If-Match`, root-cause rules explained, comments and notes, history,
//! files, sub-tickets, links and merge, snooze, and next/previous through the list it was opened from.
//!
//! [`TicketPage`] owns the URL, the walk through the list and the keyboard;
//! each ticket it shows is a [`TicketScreen`] of its own, so everything loaded
//! for one ticket (the ticket, comments, history, sub-tickets) lives and dies
//! with it: an answer for a ticket left behind (j/k) lands nowhere.

mod activity;
mod attachments;
mod comments;
pub(crate) mod customer;
mod draft;
mod emails;
mod head;
mod history;
mod links;
mod properties;
mod snooze;
mod subtickets;

use crate::api::{self, ApiError};
use crate::components::{use_nav, ConfirmDialog, ErrorBox, Fold, Loading, Paged};
use crate::drafts::DraftStore;
use crate::i18n::{fill, T};
use crate::listview::{self, PAGE_SIZE};
use crate::state::{
    use_list, use_notices, use_prefs, use_session, ListCtx, Notices, Prefs, RefData,
};
use crate::util;
use activity::{Activity, Tab};
use draft::{Draft, KeptEdits};
use head::{CustomFieldsCard, SummaryCard, TicketHead};
use lazo_domain::wire::{
    Comment, CommentInput, HistoryEntry, Ticket, TicketListItem, UpdateTicket,
};
use lazo_domain::Access;
use leptos::prelude::*;
use leptos::task::spawn_local;
use links::{Links, MergedBanner};
use properties::Properties;
use snooze::Snooze;
use subtickets::SubTickets;
use wasm_bindgen::JsCast;

/// Puts the keyboard on the element with this id, unfolding its section
/// first when the agent had folded it.
fn focus_id(id: &'static str) {
    let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    if crate::components::unfold_around(&el) {
        util::later(0, move || focus_id(id));
    } else {
        let _ = el.focus();
    }
}

/// Where the person asked to go from a ticket.
#[derive(Clone, Debug, PartialEq)]
enum Leave {
    Close,
    Next,
    Prev,
    Url(String),
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let list = use_list();
    let notices = use_notices();
    let nav = use_nav();
    let params = leptos_router::hooks::use_params_map();
    let t = move |k: T| prefs.t(k);

    // The URL names the ticket by the number people see (`/tickets/1042`);
    // the API wants its id. The list it was opened from knows both; a deep
    // link asks the API (`q=#1042`, which looks in all dates).
    let number = Memo::new(move |_| {
        params.with(|p| {
            p.get("number")
                .and_then(|s| s.trim_start_matches('#').parse::<i64>().ok())
        })
    });
    let found = RwSignal::new(None::<(i64, Result<i64, ApiError>)>);
    let id = Memo::new(move |_| {
        let n = number.get()?;
        list.0
            .with(|l| l.items.iter().find(|i| i.number == n).map(|i| i.id))
            .or_else(|| {
                found.with(|f| match f {
                    Some((fnum, Ok(id))) if *fnum == n => Some(*id),
                    _ => None,
                })
            })
    });
    let lookup_error = Memo::new(move |_| {
        let n = number.get()?;
        found.with(|f| match f {
            Some((fnum, Err(e))) if *fnum == n => Some(e.clone()),
            _ => None,
        })
    });
    let lookup = move |n: i64| {
        spawn_local(async move {
            let r = api::tickets(&format!("q=%23{n}&limit=1"))
                .await
                .and_then(|p| {
                    p.items
                        .into_iter()
                        .find(|i| i.number == n)
                        .map(|i| i.id)
                        .ok_or(ApiError::NotFound)
                });
            // `try_`: the page may be gone.
            if number.try_get_untracked().flatten() == Some(n) {
                found.set(Some((n, r)));
            }
        });
    };
    Effect::new(move |_| {
        if let Some(n) = number.get() {
            if id.get_untracked().is_none() {
                lookup(n);
            }
        }
    });
    // The ticket on screen once loaded (the delete button waits for it).
    let shown = RwSignal::new(None::<i64>);
    let tab = RwSignal::new(Tab::Comments);
    let alive = StoredValue::new(());

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
        let mut number = None;
        list.0.update(|l| {
            if let Some(i) = l.items.iter().position(|r| r.id == tid) {
                l.cursor = i;
                number = Some(l.items[i].number);
            }
        });
        if let Some(n) = number {
            nav.go(&format!("/tickets/{n}"));
        }
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
            if alive.try_get_value().is_none() {
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
    // ---- leaving with unsaved property edits asks first
    let current = RwSignal::new(None::<TicketState>);
    let pending = RwSignal::new(None::<Leave>);
    let dirty_now = move || {
        current
            .get_untracked()
            .and_then(|st| st.dirty.try_get_untracked())
            .unwrap_or(false)
    };
    let go = move |to: Leave| match to {
        Leave::Close => close(),
        Leave::Next => go_next(),
        Leave::Prev => go_prev(),
        Leave::Url(u) => nav.go(&u),
    };
    let leave = move |to: Leave| {
        if dirty_now() {
            pending.set(Some(to));
        } else {
            go(to);
        }
    };
    let discard_and_leave = Callback::new(move |_| {
        if let Some(st) = current.get_untracked() {
            st.discard();
        }
        if let Some(to) = pending.get_untracked() {
            pending.set(None);
            go(to);
        }
    });
    // Links out of the ticket (the top bar, a parent, a linked ticket) ask
    // too: seen before the router's own click handler, which leaves a
    // click alone once its default is prevented.
    let on_link = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(
        move |ev: web_sys::MouseEvent| {
            if ev.default_prevented()
                || ev.button() != 0
                || ev.ctrl_key()
                || ev.meta_key()
                || ev.shift_key()
                || ev.alt_key()
                || !dirty_now()
            {
                return;
            }
            let Some(a) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten())
            else {
                return;
            };
            let href = a.get_attribute("href").unwrap_or_default();
            let own_page = href.starts_with('/') && !href.starts_with("//");
            if !own_page
                || href.starts_with("/api/")
                || a.has_attribute("download")
                || a.get_attribute("target").is_some_and(|t| t != "_self")
                || href == util::current_place()
            {
                return;
            }
            ev.prevent_default();
            ev.stop_propagation();
            pending.set(Some(Leave::Url(href)));
        },
    )
    .into_js_value()
    .unchecked_into::<js_sys::Function>();
    let _ = window().add_event_listener_with_callback_and_bool("click", &on_link, true);
    let on_link = StoredValue::new_local(on_link);
    on_cleanup(move || {
        on_link.with_value(|f| {
            let _ = window().remove_event_listener_with_callback_and_bool("click", f, true);
        })
    });

    let has_next = move || {
        position.with(|p| {
            p.as_ref().is_some_and(|(p, _)| p.next.is_some())
                || (p.is_some() && list.0.with(|l| l.next_cursor.is_some()))
        })
    };

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        // A dialog (leaving, the shortcut list) answers its own keys.
        if pending.with_untracked(|p| p.is_some()) || util::modal_open() {
            return;
        }
        // Ctrl/Cmd+S saves the property edits, from anywhere on the ticket
        // (in a field too), instead of the browser saving the page.
        if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && ev.key().eq_ignore_ascii_case("s") {
            ev.prevent_default();
            if let Some(st) = current.get_untracked() {
                st.save();
            }
            return;
        }
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
                leave(Leave::Next);
            }
            "k" | "ArrowLeft" => {
                ev.prevent_default();
                leave(Leave::Prev);
            }
            "Escape" => {
                ev.prevent_default();
                leave(Leave::Close);
            }
            "s" | "p" => {
                ev.prevent_default();
                let id = if ev.key() == "s" {
                    "f-status"
                } else {
                    "f-priority"
                };
                focus_id(id);
            }
            "a" => {
                if let (Some(st), Some(me)) = (current.get_untracked(), session.me_id()) {
                    ev.prevent_default();
                    if !st.read_only() {
                        st.draft.update(|d| {
                            if let Some(d) = d {
                                d.owner_id = Some(me)
                            }
                        });
                        notices.ok(t(T::AssignedToYouUnsaved));
                    }
                }
            }
            "r" | "n" => {
                ev.prevent_default();
                let note = ev.key() == "n";
                tab.set(Tab::Comments);
                // Once the comments tab is drawn: the kind, then the text.
                util::later(0, move || {
                    let which = if note {
                        ".composer .seg.note"
                    } else {
                        ".composer .seg:not(.note)"
                    };
                    if let Some(b) = document()
                        .query_selector(which)
                        .ok()
                        .flatten()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        b.click();
                    }
                    if let Some(ta) = document()
                        .query_selector(".composer textarea")
                        .ok()
                        .flatten()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = ta.focus();
                    }
                });
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());

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

    let nav_bar = view! {
        <div class="ticket-nav">
            <button class="btn icon" aria-label=prefs.text(T::CloseTicket) title=move || format!("{} (Esc)", t(T::CloseTicket)) on:click=move |_| leave(Leave::Close)>
                "✕"
            </button>
            // Walking only makes sense for a ticket opened from the list.
            <Show when=move || position.with(|p| p.is_some())>
            <button class="btn icon" aria-label=prefs.text(T::PrevTicket) title=move || format!("{} (k)", t(T::PrevTicket))
                disabled=move || position.with(|p| p.as_ref().is_none_or(|(p, _)| p.prev.is_none()))
                on:click=move |_| leave(Leave::Prev)>
                "‹"
            </button>
            <span class="muted pos">
                {move || position.get().map(|(p, n)| {
                    let lang = prefs.lang.get();
                    fill(lang, T::PositionOf, &[("n", &(p.index + 1).to_string()), ("total", &n.to_string())])
                })}
            </span>
            <button class="btn icon" aria-label=prefs.text(T::NextTicket) title=move || format!("{} (j)", t(T::NextTicket))
                disabled=move || !has_next()
                on:click=move |_| leave(Leave::Next)>
                "›"
            </button>
            </Show>
            <span class="spacer"></span>
            <Show when=move || session.is_admin() && id.get().is_some() && shown.get() == id.get()>
                <button class="btn ghost small danger" on:click=move |_| delete()>{prefs.text(T::DeleteTicket)}</button>
            </Show>
        </div>
    };

    view! {
        <section class="page ticket-page">
            {nav_bar}
            // A new screen (and reactive scope) per ticket.
            {move || id.get().map(|tid| view! { <TicketScreen tid=tid shown=shown tab=tab current=current /> })}
            {move || lookup_error.get().map(|e| {
                let retry = Callback::new(move |_| {
                    if let Some(n) = number.get_untracked() {
                        found.set(None);
                        lookup(n);
                    }
                });
                view! { <ErrorBox error=e retry=retry /> }
            })}
            <ConfirmDialog
                open=Signal::derive(move || pending.with(|p| p.is_some()))
                title=T::LeaveTitle
                text=T::LeaveText
                confirm=T::DiscardAndLeave
                cancel=T::KeepEditing
                on_confirm=discard_and_leave
                on_cancel=Callback::new(move |_| pending.set(None))
            />
        </section>
    }
}

/// `/tickets/id/:id`: where links that only know a ticket's id land
/// (notifications, a customer's timeline, the mail log); it moves on to the
/// ticket's own address, `/tickets/<number>`.
#[component]
pub fn TicketById() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let navigate = leptos_router::hooks::use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let id = params.with_untracked(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    match id {
        Some(id) => spawn_local(async move {
            match api::ticket(id).await {
                Ok((tk, _)) => navigate(
                    &format!("/tickets/{}", tk.number),
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                ),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        }),
        None => error.set(Some(ApiError::NotFound)),
    }
    move || match error.get() {
        Some(e) => view! { <ErrorBox error=e /> }.into_any(),
        None => view! { <div class="skeleton"><Loading /></div> }.into_any(),
    }
}

/// One ticket's state, shared by the parts of its screen.
#[derive(Clone, Copy)]
pub(crate) struct TicketState {
    pub tid: i64,
    /// The ticket as the server last answered it.
    pub ticket: RwSignal<Option<Ticket>>,
    etag: StoredValue<String>,
    /// Property edits not saved yet.
    pub draft: RwSignal<Option<Draft>>,
    pub dirty: Memo<bool>,
    pub saving: RwSignal<bool>,
    pub save_error: RwSignal<Option<ApiError>>,
    pub change_comment: RwSignal<String>,
    pub change_internal: RwSignal<bool>,
    /// Where unsaved edits are kept (a reload or an expired session loses
    /// nothing), and whether they were put back into the draft yet.
    edits: DraftStore,
    restored: StoredValue<bool>,
    /// Bumped when the server recorded new history entries.
    pub history_changed: RwSignal<u64>,
    /// What is loaded for the ticket besides itself, from the start (at the
    /// same time as the ticket), and dropped with the screen.
    pub comments: Paged<Comment>,
    pub history: Paged<HistoryEntry>,
    pub subs: RwSignal<Option<Result<Vec<TicketListItem>, ApiError>>>,
    subs_version: StoredValue<u64>,
    list: ListCtx,
    refdata: RefData,
    notices: Notices,
    prefs: Prefs,
}

impl TicketState {
    fn new(tid: i64) -> Self {
        let ticket = RwSignal::new(None::<Ticket>);
        let draft = RwSignal::new(None::<Draft>);
        let dirty = Memo::new(move |_| {
            ticket.with(|tk| {
                draft.with(|d| match (tk, d) {
                    (Some(tk), Some(d)) => !d.diff(tk).changes_nothing(),
                    _ => false,
                })
            })
        });
        TicketState {
            tid,
            ticket,
            etag: StoredValue::new(String::new()),
            draft,
            dirty,
            saving: RwSignal::new(false),
            save_error: RwSignal::new(None),
            change_comment: RwSignal::new(String::new()),
            change_internal: RwSignal::new(true),
            edits: DraftStore::new("properties", tid),
            restored: StoredValue::new(false),
            history_changed: RwSignal::new(0),
            comments: Paged::new(
                |c| c.id,
                move |cursor| async move {
                    api::comments(tid, cursor)
                        .await
                        .map(|p| (p.items, p.next_cursor))
                },
            ),
            history: Paged::new(
                |h| h.id,
                move |cursor| async move {
                    api::history(tid, cursor)
                        .await
                        .map(|p| (p.items, p.next_cursor))
                },
            ),
            subs: RwSignal::new(None),
            subs_version: StoredValue::new(0),
            list: use_list(),
            refdata: crate::state::use_refdata(),
            notices: use_notices(),
            prefs: use_prefs(),
        }
    }

    /// Whether the screen is still shown (its values are disposed with it).
    fn alive(&self) -> bool {
        self.etag.try_with_value(|_| ()).is_some()
    }

    /// (Re)loads the sub-tickets; an older answer never overwrites a newer one.
    pub fn load_subs(&self) {
        let st = *self;
        let v = st.subs_version.get_value() + 1;
        st.subs_version.set_value(v);
        spawn_local(async move {
            let r = api::sub_tickets(st.tid).await.map(|p| p.items);
            if st.subs_version.try_get_value() == Some(v) {
                st.subs.set(Some(r));
            }
        });
    }

    /// The caller may only comment (a parent ticket of theirs, read-only).
    pub fn read_only(&self) -> bool {
        self.ticket
            .with_untracked(|t| t.as_ref().is_some_and(|t| t.access == Access::Comment))
    }

    /// A new version from the server: shown, the draft reset, and the list
    /// the ticket came from kept truthful. Harmless once the screen is gone.
    pub fn apply(&self, tk: Ticket, tag: String) {
        self.etag.set_value(tag);
        self.draft.set(Some(Draft::of(&tk)));
        self.change_comment.set(String::new());
        self.list.0.update(|l| {
            if let Some(row) = l.items.iter_mut().find(|r| r.id == tk.id) {
                row.status = tk.status.clone();
                row.priority = tk.priority;
                row.owner = tk.owner.clone();
                row.group = tk.group.clone();
                row.tags = tk.tags.clone();
                row.due_at = tk.due_at;
                row.snooze_until = tk.snooze_until;
                row.updated_at = tk.updated_at;
            }
        });
        // A status made meanwhile (the server makes "Snoozed" on the first
        // snooze): fetch the reference data again.
        let r = self.refdata;
        if r.ready.get_untracked()
            && r.statuses
                .with_untracked(|s| !s.is_empty() && s.iter().all(|s| s.id != tk.status.id))
        {
            r.reload();
        }
        self.ticket.set(Some(tk));
    }

    fn t(&self, k: T) -> &'static str {
        self.prefs.t(k)
    }

    /// Puts the kept edits of an earlier visit back (once, after the first
    /// load); from then on [`TicketState::keep_edits`] stores every edit.
    fn restore_edits(&self) {
        if self.restored.get_value() {
            return;
        }
        if let Some(k) = self.edits.load::<KeptEdits>() {
            self.draft.update(|d| {
                if let Some(d) = d {
                    d.with_changes(&k.changes)
                }
            });
            self.change_comment.set(k.comment);
            self.change_internal.set(k.internal);
        }
        self.restored.set_value(true);
    }

    /// Stores the unsaved edits on every change, once restored (created with
    /// the screen, so it goes with it).
    fn keep_edits(&self) {
        let st = *self;
        Effect::new(move |_| {
            let changes = st.ticket.with(|tk| {
                st.draft.with(|d| match (tk, d) {
                    (Some(tk), Some(d)) => d.diff(tk),
                    _ => UpdateTicket::default(),
                })
            });
            let comment = st.change_comment.get();
            let internal = st.change_internal.get();
            // Before the restore the draft is the ticket: storing that
            // would erase what is kept.
            if !st.restored.get_value() {
                return;
            }
            if changes.changes_nothing() && comment.trim().is_empty() {
                st.edits.forget();
            } else {
                st.edits.save(&KeptEdits {
                    changes,
                    comment,
                    internal,
                });
            }
        });
    }

    pub fn save(&self) {
        let st = *self;
        let (Some(tk), Some(d)) = (st.ticket.get_untracked(), st.draft.get_untracked()) else {
            return;
        };
        let mut upd = d.diff(&tk);
        if upd.changes_nothing() || st.saving.get_untracked() {
            return;
        }
        let c = st.change_comment.get_untracked();
        if !c.trim().is_empty() {
            upd.comment = Some(CommentInput {
                body: c,
                internal: st.change_internal.get_untracked(),
            });
        }
        let with_comment = upd.comment.is_some();
        let mine = d.diff(&tk);
        st.saving.set(true);
        st.save_error.set(None);
        let tag = st.etag.get_value();
        spawn_local(async move {
            // After each await the screen may be gone: writes then do nothing.
            match api::update_ticket(st.tid, &tag, &upd).await {
                Ok((tk, tag)) => {
                    st.apply(tk, tag);
                    st.notices.ok(st.t(T::TicketSaved));
                    if with_comment {
                        st.comments.reload();
                    }
                    st.history_changed.update(|n| *n += 1);
                }
                Err(ApiError::Stale) => {
                    // Someone else changed it: show theirs, say so.
                    st.notices.error(st.t(T::ErrStale));
                    if let Ok((theirs, tag)) = api::ticket(st.tid).await {
                        // Theirs, with the person's edits of the fields
                        // nobody else changed on top again (to check and save
                        // once more); where both changed a field, theirs shows.
                        let changed = Draft::of(&theirs).diff(&tk);
                        let kept = Draft::without_conflicts(&mine, &changed);
                        let comment = st.change_comment.get_untracked();
                        st.apply(theirs, tag);
                        st.draft.update(|d| {
                            if let Some(d) = d {
                                d.with_changes(&kept)
                            }
                        });
                        st.change_comment.set(comment);
                    }
                    st.save_error.set(Some(ApiError::Stale));
                }
                Err(e) => st.save_error.set(Some(e)),
            }
            st.saving.set(false);
        });
    }

    pub fn discard(&self) {
        if let Some(tk) = self.ticket.get_untracked() {
            self.draft.set(Some(Draft::of(&tk)));
        }
        self.change_comment.set(String::new());
        self.save_error.set(None);
        // At once: the screen may be gone before the effect that keeps the
        // edits hears of it.
        self.edits.forget();
    }
}

/// One ticket: loads it (a resource of this screen: dropped with it) and
/// shows it once there.
#[component]
fn TicketScreen(
    tid: i64,
    shown: RwSignal<Option<i64>>,
    tab: RwSignal<Tab>,
    /// The page's handle on the screen shown (for the leave dialog).
    current: RwSignal<Option<TicketState>>,
) -> impl IntoView {
    // The ticket, its comments and sub-tickets (and history, when its tab is
    // open) are asked for at once. All of it belongs to this screen: answers
    // that come after it is gone write to disposed signals, i.e. nowhere.
    let st = TicketState::new(tid);
    current.set(Some(st));
    st.keep_edits();
    on_cleanup(move || {
        let _ = current.try_update(|c| {
            if c.is_some_and(|c| c.tid == tid) {
                *c = None;
            }
        });
    });
    let load_error = RwSignal::new(None::<ApiError>);
    let load = move || {
        load_error.set(None);
        spawn_local(async move {
            match api::ticket(tid).await {
                Ok((tk, tag)) if st.alive() => {
                    st.apply(tk, tag);
                    st.restore_edits();
                    shown.set(Some(tid));
                }
                Ok(_) => {}
                Err(e) => load_error.set(Some(e)),
            }
        });
    };
    load();
    st.load_subs();
    st.comments.reload();
    if tab.get_untracked() == Tab::History {
        st.history.reload();
    }
    let has_ticket = Memo::new(move |_| st.ticket.with(|t| t.is_some()));
    move || {
        if let Some(e) = load_error.get() {
            return view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any();
        }
        if !has_ticket.get() {
            return view! { <div class="skeleton"><Loading /></div> }.into_any();
        }
        view! { <TicketView st=st tab=tab /> }.into_any()
    }
}

#[component]
fn TicketView(st: TicketState, tab: RwSignal<Tab>) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let Some(tk) = st.ticket.get_untracked() else {
        return ().into_any();
    };
    let read_only = st.read_only();
    // The keyboard starts on the ticket just opened (its heading), unless
    // the person is already in a field of it.
    util::later(0, || {
        let idle = document().active_element().is_none_or(|a| {
            a.tag_name().eq_ignore_ascii_case("body")
                || a.closest("tr, .ticket-nav").ok().flatten().is_some()
        });
        if idle {
            if let Some(h) = document()
                .query_selector(".ticket-head h1")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = h.focus();
            }
        }
    });
    let label = move |k: T| Signal::derive(move || t(k).to_owned());
    let can_create_subs = !read_only && tk.parent.is_none();
    let (tid, requester) = (tk.id, tk.requester.clone());
    // Conversation in the middle, the ticket's own properties on one side,
    // the customer and related tickets on the other (as help desks agents
    // know lay them out); narrower screens stack them, conversation first.
    view! {
        <div class="ticket-grid">
            <div class="ticket-main">
                <MergedBanner st=st />
                <TicketHead tk=tk.clone() read_only=read_only />
                <Activity st=st tab=tab />
            </div>
            <aside class="ticket-side" aria-label=prefs.text(T::TicketProperties)>
                <Fold key="properties" label=label(T::TicketProperties) force_open=Signal::derive(move || st.dirty.get())>
                    <section class="card props" aria-labelledby="props-h">
                        <h2 id="props-h">{prefs.text(T::TicketProperties)}</h2>
                        <Properties st=st />
                    </section>
                </Fold>
                <Snooze st=st />
                <Fold key="fields" label=label(T::Details)>
                    <CustomFieldsCard st=st />
                </Fold>
            </aside>
            <aside class="ticket-context" aria-label=prefs.text(T::TicketContext)>
                <Fold key="summary" label=label(T::Summary)>
                    <SummaryCard tk=tk.clone() />
                </Fold>
                <Fold key="survey" label=label(T::SurveyResponse)>
                    <customer::SurveyResponseCard ticket=tid />
                </Fold>
                {requester.map(|c| view! {
                    <Fold key="customer" label=label(T::Customer)>
                        <customer::CustomerCard contact=c ticket=tid />
                    </Fold>
                })}
                <Fold key="subtickets" label=label(T::SubTickets)>
                    <SubTickets st=st can_create=can_create_subs />
                </Fold>
                <Fold key="links" label=label(T::Links)>
                    <Links st=st />
                </Fold>
            </aside>
        </div>
    }
    .into_any()
}
