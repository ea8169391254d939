//! The conversation (comments, notes and emails in one stream), history, the
//! email thread and the files, as tabs; the conversation is the first.
//! Comments and history come a page at a time ("Load more" at the end); they
//! start loading with the ticket, except history loads when its tab is first
//! opened. All of it belongs to the ticket's screen, so nothing of another
//! ticket ever shows here.

use super::attachments::Attachments;
use super::comments::Comments;
use super::emails::{Emails, Thread};
use super::history::History;
use super::TicketState;
use crate::api::ApiError;
use crate::components::Paged;
use crate::i18n::T;
use crate::state::use_prefs;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Comments,
    History,
    Emails,
    Attachments,
}

#[component]
pub fn Activity(
    st: TicketState,
    /// The open tab; the page keeps it while walking from ticket to ticket.
    tab: RwSignal<Tab>,
) -> impl IntoView {
    let prefs = use_prefs();
    let tid = st.tid;
    let requester_email = st
        .ticket
        .with_untracked(|t| t.as_ref().and_then(|t| t.requester.as_ref()?.email.clone()));
    let (comments, history) = (st.comments, st.history);
    // Again whenever a save or a snooze recorded something new.
    Effect::new(move |prev: Option<u64>| {
        let n = st.history_changed.get();
        if prev.is_some_and(|p| p != n) && history.started.get_untracked() {
            history.reload();
        }
        n
    });
    // Emails load with the screen: they are part of the conversation.
    let thread = Thread::new(tid);
    // Files load with the screen, for the tab's count.
    let files: super::attachments::Files = RwSignal::new(None);
    super::attachments::load(tid, files);
    let files_count = move || {
        files.with(|f| match f {
            Some(Ok(v)) => Some(v.len()),
            _ => None,
        })
    };
    let count = move || {
        let n = comments.items.with(|c| c.len()) + thread.items.with(|e| e.len());
        let more = comments.next.with(|c| c.is_some());
        format!("{n}{}", if more { "+" } else { "" })
    };

    view! {
        <div class="tabs" role="tablist" aria-label=prefs.text(T::Comments)>
            <button role="tab" id="tab-comments" aria-controls="panel-comments" aria-selected=move || (tab.get() == Tab::Comments).to_string()
                on:click=move |_| tab.set(Tab::Comments)>
                {prefs.text(T::ConversationTab)}
                <span class="count">{count}</span>
            </button>
            <button role="tab" id="tab-history" aria-controls="panel-history" aria-selected=move || (tab.get() == Tab::History).to_string()
                on:click=move |_| {
                    tab.set(Tab::History);
                    if !history.started.get_untracked() { history.reload() }
                }>
                {prefs.text(T::History)}
            </button>
            <button role="tab" id="tab-emails" aria-controls="panel-emails" aria-selected=move || (tab.get() == Tab::Emails).to_string()
                on:click=move |_| tab.set(Tab::Emails)>
                {prefs.text(T::Emails)}
                {move || thread.items.with(|e| (!e.is_empty()).then(|| view! { <span class="count">{e.len()}</span> }))}
            </button>
            <button role="tab" id="tab-attachments" aria-controls="panel-attachments" aria-selected=move || (tab.get() == Tab::Attachments).to_string()
                on:click=move |_| tab.set(Tab::Attachments)>
                {prefs.text(T::Attachments)}
                {move || files_count().map(|n| view! { <span class="count">{n}</span> })}
            </button>
        </div>
        {move || match tab.get() {
            Tab::Comments => view! {
                <div role="tabpanel" id="panel-comments" aria-labelledby="tab-comments" class="tabpanel">
                    <Comments ticket_id=tid comments=comments thread=thread />
                </div>
            }.into_any(),
            Tab::History => view! {
                <div role="tabpanel" id="panel-history" aria-labelledby="tab-history" class="tabpanel">
                    <History history=history />
                </div>
            }.into_any(),
            Tab::Emails => view! {
                <div role="tabpanel" id="panel-emails" aria-labelledby="tab-emails" class="tabpanel">
                    <Emails thread=thread requester_email=requester_email.clone() />
                </div>
            }.into_any(),
            Tab::Attachments => view! {
                <div role="tabpanel" id="panel-attachments" aria-labelledby="tab-attachments" class="tabpanel">
                    <Attachments st=st items=files />
                </div>
            }.into_any(),
        }}
    }
}

/// "Load more" under a paged list while it has more; its error, if any.
pub fn more_button<T: Send + Sync + 'static>(list: Paged<T>) -> impl IntoView {
    let more = Signal::derive(move || {
        list.next.with(|n| n.is_some())
            || (list.error.with(|e| e.is_some()) && list.items.with(|i| !i.is_empty()))
    });
    view! { <MoreButton more=more loading=list.loading error=list.error on_more=Callback::new(move |_| list.more()) /> }
}

#[component]
fn MoreButton(
    more: Signal<bool>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    on_more: Callback<()>,
) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    view! {
        <Show when=move || more.get()>
            <div class="list-more">
                {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                <button class="btn" on:click=move |_| on_more.run(()) disabled=move || loading.get()>
                    {move || if loading.get() { t(T::Loading) } else { t(T::LoadMore) }}
                </button>
            </div>
        </Show>
    }
}
