//! The conversation: comments, internal notes and the emails with the
//! customer in one stream, in the order the agent chose (kept per person in
//! localStorage), under the reply box. Comments are written, edited and
//! deleted by their authors (admins may delete any). Notes look different so
//! nobody mistakes them for something the customer sees.

use super::activity::more_button;
use super::emails::{email_article, Thread};
use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading, Paged};
use crate::drafts::DraftStore;
use crate::i18n::T;
use crate::state::{use_notices, use_prefs, use_session};
use crate::util;
use chrono::{DateTime, Utc};
use lazo_domain::email::Email;
use lazo_domain::wire::{Comment, CommentInput, UpdateComment};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

/// A reply or note being written (kept until added: `crate::drafts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ReplyDraft {
    body: String,
    internal: bool,
}

/// Which end of the conversation comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Oldest,
    Newest,
}

impl Order {
    fn key(user: Option<i64>) -> String {
        format!("lazo.convo-order.{}", user.unwrap_or(0))
    }

    fn load(user: Option<i64>) -> Self {
        match util::load(&Self::key(user)).as_deref() {
            Some("newest") => Order::Newest,
            _ => Order::Oldest,
        }
    }

    fn store(self, user: Option<i64>) {
        match self {
            Order::Newest => util::store(&Self::key(user), "newest"),
            Order::Oldest => util::forget(&Self::key(user)),
        }
    }
}

enum Entry {
    Comment(Comment),
    Email(Email),
}

impl Entry {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::Comment(c) => c.created_at,
            Entry::Email(e) => e.created_at,
        }
    }
}

/// Comments and emails in one stream. While older comments wait behind
/// "Load more", emails newer than the last comment loaded wait too, so the
/// stream never skips a stretch of time.
fn merge(comments: Vec<Comment>, more: bool, emails: Vec<Email>, order: Order) -> Vec<Entry> {
    let horizon = if more {
        comments.last().map(|c| c.created_at)
    } else {
        None
    };
    let mut out: Vec<Entry> = comments.into_iter().map(Entry::Comment).collect();
    out.extend(
        emails
            .into_iter()
            .filter(|e| horizon.is_none_or(|h| e.created_at <= h))
            .map(Entry::Email),
    );
    out.sort_by_key(Entry::at);
    if order == Order::Newest {
        out.reverse();
    }
    out
}

#[component]
pub fn Comments(ticket_id: i64, comments: Paged<Comment>, thread: Thread) -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let me = session.0.with_untracked(|s| s.as_ref().map(|s| s.me.id));
    let order = RwSignal::new(Order::load(me));
    let set_order = move |o: Order| {
        order.set(o);
        o.store(me);
    };
    // Newest first needs the newest comments, which the API pages last:
    // fetch the rest of the pages.
    Effect::new(move |_| {
        if order.get() == Order::Newest
            && comments.next.with(|n| n.is_some())
            && !comments.loading.get()
            && comments.error.with(|e| e.is_none())
        {
            comments.more();
        }
    });
    let store = DraftStore::new("reply", ticket_id);
    let saved: ReplyDraft = store.load().unwrap_or_default();
    let internal = RwSignal::new(saved.internal);
    let body = RwSignal::new(saved.body);
    store.keep(move || ReplyDraft {
        // A kind chosen with nothing written is no draft.
        internal: internal.get() && body.with(|b| !b.is_empty()),
        body: body.get(),
    });
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        if text.trim().is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let input = CommentInput {
            body: text,
            internal: internal.get_untracked(),
        };
        spawn_local(async move {
            match api::add_comment(ticket_id, &input).await {
                Ok(c) => {
                    body.set(String::new());
                    // Kept in the API's order, oldest first (its page, when
                    // loaded later, does not repeat it); shown as chosen.
                    comments.items.update(|cs| cs.push(c));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let list = move || {
        let cs = comments.items.get();
        let es = thread.items.get();
        if cs.is_empty() && es.is_empty() {
            return if comments.loading.get() || !comments.started.get() {
                view! { <Loading /> }.into_any()
            } else {
                match comments.error.get() {
                    Some(e) => view! { <ErrorBox error=e retry=Callback::new(move |_| comments.reload()) /> }
                        .into_any(),
                    None => view! { <p class="empty">{prefs.text(T::NoComments)}</p> }.into_any(),
                }
            };
        }
        let me = session.me_id();
        let admin = session.is_admin();
        let more = comments.next.with(|n| n.is_some());
        merge(cs, more, es, order.get())
            .into_iter()
            .map(|entry| match entry {
                Entry::Comment(c) => {
                    let own = c.author.as_ref().is_some_and(|a| Some(a.id) == me);
                    view! { <CommentItem comment=c own=own may_delete=own || admin comments=comments.items notices=notices /> }
                        .into_any()
                }
                Entry::Email(e) => email_article(thread, e).into_any(),
            })
            .collect_view()
            .into_any()
    };
    let order_button = move |o: Order, label: T| {
        view! {
            <button type="button" class="seg" aria-pressed=move || (order.get() == o).to_string()
                on:click=move |_| set_order(o)>
                {move || t(label)}
            </button>
        }
    };

    view! {
        <form class="composer" class:internal=move || internal.get() on:submit=submit>
            <div class="composer-kind" role="group" aria-label=prefs.text(T::Comment)>
                <button
                    type="button"
                    class="seg"
                    aria-pressed=move || (!internal.get()).to_string()
                    on:click=move |_| internal.set(false)
                >
                    {prefs.text(T::PublicReply)}
                </button>
                <button
                    type="button"
                    class="seg note"
                    aria-pressed=move || internal.get().to_string()
                    on:click=move |_| internal.set(true)
                >
                    {prefs.text(T::InternalNote)}
                </button>
            </div>
            <textarea
                rows="3"
                aria-label=move || if internal.get() { t(T::InternalNote) } else { t(T::PublicReply) }
                placeholder=move || if internal.get() { t(T::NotePlaceholder) } else { t(T::ReplyPlaceholder) }
                maxlength=lazo_domain::limits::TEXT_MAX.to_string()
                bind:value=body
                on:keydown=move |ev| {
                    // Ctrl/Cmd+Enter sends, as in mail clients.
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        if let Some(f) = document().query_selector("form.composer").ok().flatten() {
                            use wasm_bindgen::JsCast;
                            if let Ok(f) = f.dyn_into::<web_sys::HtmlFormElement>() {
                                let _ = f.request_submit();
                            }
                        }
                    }
                }
            ></textarea>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <div class="composer-actions">
                <button class="btn primary" type="submit" disabled=move || busy.get() || body.with(|b| b.trim().is_empty())>
                    {move || if internal.get() { t(T::AddNote) } else { t(T::AddComment) }}
                </button>
            </div>
        </form>
        <div class="convo-bar">
            <div class="seg-group" role="group" aria-label=prefs.text(T::ConversationOrder)>
                {order_button(Order::Oldest, T::OldestFirst)}
                {order_button(Order::Newest, T::NewestFirst)}
            </div>
        </div>
        <div class="comment-list">{list}</div>
        {more_button(comments)}
    }
}

#[component]
fn CommentItem(
    comment: Comment,
    own: bool,
    may_delete: bool,
    comments: RwSignal<Vec<Comment>>,
    notices: crate::state::Notices,
) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let editing = RwSignal::new(false);
    let text = RwSignal::new(comment.body.clone());
    let busy = RwSignal::new(false);
    let (ticket_id, id) = (comment.ticket_id, comment.id);
    let edited = comment.updated_at > comment.created_at;
    let at = comment.created_at;
    let author = comment
        .author
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| T::System.get(prefs.lang.get_untracked()).to_owned());
    let body = StoredValue::new(comment.body.clone());

    let save = move |_| {
        busy.set(true);
        let b = UpdateComment {
            body: text.get_untracked(),
        };
        spawn_local(async move {
            match api::edit_comment(ticket_id, id, &b).await {
                Ok(c) => {
                    body.set_value(c.body.clone());
                    comments.update(|cs| {
                        if let Some(x) = cs.iter_mut().find(|x| x.id == id) {
                            *x = c;
                        }
                    });
                    editing.set(false);
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
            busy.set(false);
        });
    };
    let delete = move |_| {
        let ok = window()
            .confirm_with_message(t(T::ConfirmDelete))
            .unwrap_or(false);
        if !ok {
            return;
        }
        spawn_local(async move {
            match api::delete_comment(ticket_id, id).await {
                Ok(()) => comments.update(|cs| cs.retain(|x| x.id != id)),
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };

    view! {
        <article class="comment" class:internal=comment.internal aria-label=move || {
            if comment.internal { t(T::InternalNote) } else { t(T::PublicReply) }
        }>
            <header class="comment-head">
                <span class="avatar" aria-hidden="true">{author.chars().next().unwrap_or('?').to_string()}</span>
                <strong>{author.clone()}</strong>
                {comment.internal.then(|| view! { <span class="badge note">{prefs.text(T::InternalNote)}</span> })}
                <time class="muted">{move || util::datetime(prefs.lang.get(), &at)}</time>
                {edited.then(|| view! { <span class="muted">"· "{prefs.text(T::Edited)}</span> })}
                <span class="spacer"></span>
                {own.then(|| view! {
                    <button class="btn ghost small" aria-label=move || format!("{} ({})", t(T::Edit), t(T::Comment)) on:click=move |_| editing.set(true)>
                        {prefs.text(T::Edit)}
                    </button>
                })}
                {may_delete.then(|| view! {
                    <button class="btn ghost small danger" aria-label=move || format!("{} ({})", t(T::Delete), t(T::Comment)) on:click=delete>
                        {prefs.text(T::Delete)}
                    </button>
                })}
            </header>
            <Show
                when=move || editing.get()
                fallback=move || view! { <div class="comment-body">{move || text.get()}</div> }
            >
                <textarea
                    rows="3"
                    aria-label=prefs.text(T::Edit)
                    bind:value=text
                ></textarea>
                <div class="composer-actions">
                    <button class="btn ghost" on:click=move |_| {
                        text.set(body.get_value());
                        editing.set(false);
                    }>{prefs.text(T::Cancel)}</button>
                    <button class="btn primary" on:click=save disabled=move || busy.get()>{prefs.text(T::Save)}</button>
                </div>
            </Show>
        </article>
    }
}
