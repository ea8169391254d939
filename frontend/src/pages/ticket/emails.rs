//! The ticket's email thread with the customer, oldest first: what went out
//! (queued, sent, or failed with the SMTP answer and "Retry now") and what
//! came back (customer replies, auto-replies), and the composer. A
//! half-written email is kept per ticket in the browser until sent or
//! discarded (`crate::drafts`), so a reload or a walk to another ticket
//! loses nothing.

use crate::api::{self, ApiError};
use crate::drafts::DraftStore;
use crate::i18n::T;
use crate::state::{use_notices, use_prefs, Notices, Prefs};
use crate::util;
use lazo_domain::email::{Email, EmailTemplate, SendEmail};
use lazo_domain::{EmailDirection, EmailState};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ComposerDraft {
    to: String,
    template_id: Option<i64>,
    subject: String,
    body: String,
}

fn state_pill(t: impl Fn(T) -> &'static str, e: &Email) -> impl IntoView {
    let (class, label) = match e.state {
        EmailState::Queued => ("pill cat-new", t(T::EmailQueued)),
        EmailState::Sent => ("pill cat-closed", t(T::EmailSent)),
        EmailState::Failed => ("pill cat-open failed", t(T::EmailFailedState)),
        EmailState::Received => ("pill cat-pending", t(T::EmailReceived)),
        EmailState::Auto => ("pill", t(T::EmailAuto)),
    };
    view! { <span class=class>{label}</span> }
}

/// The ticket's emails, loaded with its screen: the conversation and the
/// Emails tab show the same list.
#[derive(Clone, Copy)]
pub struct Thread {
    ticket: i64,
    pub items: RwSignal<Vec<Email>>,
    pub loaded: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    notices: Notices,
    prefs: Prefs,
}

impl Thread {
    pub fn new(ticket: i64) -> Self {
        let th = Thread {
            ticket,
            items: RwSignal::new(vec![]),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            notices: use_notices(),
            prefs: use_prefs(),
        };
        th.load();
        // Queued emails change state by themselves: look again while any is.
        Effect::new(move |_| {
            if th
                .items
                .with(|v| v.iter().any(|e| e.state == EmailState::Queued))
            {
                util::later(2000, move || th.load());
            }
        });
        th
    }

    pub fn load(&self) {
        let th = *self;
        leptos::task::spawn_local(async move {
            let mut all = vec![];
            let mut cursor = None;
            loop {
                match api::ticket_emails(th.ticket, cursor).await {
                    Ok(page) => {
                        all.extend(page.items);
                        match page.next_cursor {
                            Some(c) => cursor = Some(c),
                            None => break,
                        }
                    }
                    Err(e) => {
                        th.error.set(Some(e));
                        return;
                    }
                }
            }
            th.error.set(None);
            th.items.set(all);
            th.loaded.set(true);
        })
    }

    fn retry(&self, id: i64) {
        let th = *self;
        leptos::task::spawn_local(async move {
            let lang = th.prefs.lang.get_untracked();
            match api::retry_email(th.ticket, id).await {
                Ok(_) => {
                    th.notices.ok(T::RetryQueued.get(lang));
                    th.load();
                }
                Err(e) => th.notices.error(e.message(lang)),
            }
        })
    }
}

/// One email as the thread and the conversation show it.
pub fn email_article(th: Thread, e: Email) -> impl IntoView {
    let prefs = th.prefs;
    let t = move |k: T| prefs.t(k);
    let lang = prefs.lang.get_untracked();
    let inbound = e.direction == EmailDirection::Inbound;
    let id = e.id;
    let failed = e.state == EmailState::Failed;
    let who = if inbound {
        format!("{} {}", t(T::EmailFrom), e.from)
    } else {
        format!("{} {}", t(T::EmailTo), e.to)
    };
    let by = e.sent_by.as_ref().map(|u| u.name.clone());
    view! {
        <article class="email" class:inbound=inbound class:failed=failed aria-label=e.subject.clone()>
            <header>
                <span class="avatar mail" aria-hidden="true">"@"</span>
                {inbound.then(|| view! { <span class="badge reply">{prefs.text(T::CustomerReply)}</span> })}
                <strong class="subject">{e.subject.clone()}</strong>
                {state_pill(t, &e)}
            </header>
            <div class="meta muted small">
                {who}
                {by.map(|b| format!(" · {b}"))}
                " · "{util::datetime(lang, &e.sent_at.unwrap_or(e.created_at))}
            </div>
            <div class="body">{e.body.clone()}</div>
            {(!e.attachments.is_empty()).then(|| view! {
                <ul class="attachments">
                    {e.attachments.iter().map(|a| view! {
                        <li><a href=format!("/api/v1/inbound/attachments/{}", a.id) download=a.filename.clone()>{a.filename.clone()}</a>
                            <span class="muted small">{format!(" {} KB", (a.size_bytes + 1023) / 1024)}</span></li>
                    }).collect_view()}
                </ul>
            })}
            {failed.then(|| view! {
                <div class="smtp-answer" role="alert">
                    <span>{prefs.text(T::SmtpAnswer)}": "</span>
                    <code>{e.smtp_answer.clone().unwrap_or_default()}</code>
                    <button class="btn small" on:click=move |_| th.retry(id)>{prefs.text(T::RetryNow)}</button>
                </div>
            })}
            {(e.state == EmailState::Queued && e.attempts > 0).then(|| view! {
                <div class="muted small">{prefs.text(T::EmailRetrying)}{e.smtp_answer.clone().map(|a| format!(" ({a})"))}</div>
            })}
        </article>
    }
}

#[component]
pub fn Emails(thread: Thread, requester_email: Option<String>) -> impl IntoView {
    let prefs = use_prefs();
    let ticket = thread.ticket;
    let (items, loaded, error) = (thread.items, thread.loaded, thread.error);
    let list = move || {
        items
            .get()
            .into_iter()
            .map(|e| email_article(thread, e))
            .collect_view()
    };

    let forwarding = RwSignal::new(false);
    view! {
        <Composer ticket=ticket requester_email=requester_email on_sent=Callback::new(move |_| thread.load()) />
        <Show when=move || !forwarding.get() fallback=move || view! {
            <ForwardDialog ticket=ticket on_done=Callback::new(move |_| forwarding.set(false)) />
        }>
            <button class="btn forward-open" on:click=move |_| forwarding.set(true)>{prefs.text(T::Forward)}</button>
        </Show>
        {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        <div class="email-thread" aria-label=prefs.text(T::Emails)>{list}</div>
        {move || (loaded.get() && items.with(|v| v.is_empty())).then(|| view! { <p class="empty small">{prefs.text(T::NoEmails)}</p> })}
    }
}

#[component]
fn Composer(ticket: i64, requester_email: Option<String>, on_sent: Callback<()>) -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let store = DraftStore::new("email", ticket);
    let saved: Option<ComposerDraft> = store.load();
    let open = RwSignal::new(saved.is_some());
    let minimised = RwSignal::new(false);
    let d = saved.unwrap_or_default();
    let to = RwSignal::new(d.to);
    let template_id = RwSignal::new(d.template_id);
    let subject = RwSignal::new(d.subject);
    let body = RwSignal::new(d.body);
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let templates = LocalResource::new(api::email_templates);
    // Every keystroke is kept: a reload brings the email back.
    store.keep(move || ComposerDraft {
        to: to.get(),
        template_id: template_id.get(),
        subject: subject.get(),
        body: body.get(),
    });
    let clear = move || {
        to.set(String::new());
        template_id.set(None);
        subject.set(String::new());
        body.set(String::new());
        store.forget();
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let nonempty = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let req = SendEmail {
            to: nonempty(to.get_untracked()),
            subject: nonempty(subject.get_untracked()),
            body: Some(body.get_untracked()).filter(|b| !b.trim().is_empty()),
            template_id: template_id.get_untracked(),
        };
        sending.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = api::send_email(ticket, &req).await;
            sending.set(false);
            match r {
                Ok(_) => {
                    clear();
                    open.set(false);
                    notices.ok(T::EmailQueuedNotice.get(prefs.lang.get_untracked()));
                    on_sent.run(());
                }
                Err(e) => {
                    notices.error(e.message(prefs.lang.get_untracked()));
                    error.set(Some(e));
                }
            }
        });
    };
    let discard = move |_| {
        let empty = subject.with_untracked(|s| s.trim().is_empty())
            && body.with_untracked(|b| b.trim().is_empty());
        let ok = empty
            || web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(T::ConfirmDiscardEmail.get(prefs.lang.get_untracked()))
                        .ok()
                })
                .unwrap_or(false);
        if ok {
            clear();
            open.set(false);
        }
    };
    let placeholder_to = StoredValue::new(requester_email.unwrap_or_default());
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <div class="composer-closed">
                <button class="btn primary" on:click=move |_| { open.set(true); minimised.set(false); }>{prefs.text(T::SendEmail)}</button>
            </div>
        }>
            <form class="card composer" class:minimised=move || minimised.get() on:submit=send aria-label=prefs.text(T::SendEmail)>
                <div class="card-head">
                    <h3>{move || if minimised.get() {
                        format!("{} · {}", t(T::EmailDraft), subject.get())
                    } else { t(T::SendEmail).to_owned() }}</h3>
                    <button type="button" class="btn icon small" aria-label=move || if minimised.get() { t(T::Expand) } else { t(T::Minimise) }
                        on:click=move |_| minimised.update(|m| *m = !*m)>{move || if minimised.get() { "▢" } else { "▁" }}</button>
                </div>
                <Show when=move || !minimised.get()>
                    <label class="field"><span>{prefs.text(T::EmailTo)}</span>
                        <input type="email" placeholder=move || placeholder_to.get_value() bind:value=to /></label>
                    <label class="field"><span>{prefs.text(T::Template)}</span>
                        <select on:change=move |ev| template_id.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=move || template_id.get().is_none()>{prefs.text(T::NoTemplate)}</option>
                            {move || templates.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|tp: EmailTemplate| {
                                let id = tp.id;
                                view! { <option value=id.to_string() selected=move || template_id.get() == Some(id)>{format!("{} ({})", tp.name, tp.language.as_str())}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || template_id.get().is_some().then(|| view! { <p class="muted small">{prefs.text(T::TemplateHelp)}</p> })}
                    <label class="field"><span>{prefs.text(T::Subject)}</span>
                        <input type="text" bind:value=subject /></label>
                    <label class="field"><span>{prefs.text(T::Message)}</span>
                        <textarea rows="7" bind:value=body></textarea></label>
                    {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                    <div class="form-actions">
                        <button class="btn primary" type="submit" disabled=move || sending.get()>{move || if sending.get() { t(T::Sending) } else { t(T::Send) }}</button>
                        <button class="btn" type="button" on:click=discard>{prefs.text(T::Discard)}</button>
                    </div>
                </Show>
            </form>
        </Show>
    }
}

/// "Forward": to addresses and colleagues, with a note, and on request the
/// comments and history.
#[component]
pub fn ForwardDialog(ticket: i64, on_done: Callback<()>) -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let refdata = crate::state::use_refdata();
    let to = RwSignal::new(String::new());
    let users = RwSignal::new(Vec::<i64>::new());
    let subject = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let comments = RwSignal::new(true);
    let history = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = lazo_domain::forward::ForwardTicket {
            to: to
                .get_untracked()
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            user_ids: users.get_untracked(),
            subject: Some(subject.get_untracked()).filter(|s| !s.trim().is_empty()),
            message: Some(message.get_untracked()).filter(|s| !s.trim().is_empty()),
            include_history: history.get_untracked(),
            include_comments: comments.get_untracked(),
        };
        sending.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = api::forward_ticket(ticket, &body).await;
            sending.set(false);
            match r {
                Ok(_) => {
                    notices.ok(T::ForwardQueued.get(prefs.lang.get_untracked()));
                    on_done.run(());
                }
                Err(e) => {
                    notices.error(e.message(prefs.lang.get_untracked()));
                    error.set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="card composer forward" on:submit=submit aria-label=prefs.text(T::ForwardTicket)>
            <div class="card-head">
                <h3>{prefs.text(T::ForwardTicket)}</h3>
                <button type="button" class="btn icon small" aria-label=prefs.text(T::Close) on:click=move |_| on_done.run(())>"✕"</button>
            </div>
            <label class="field"><span>{prefs.text(T::ForwardTo)}</span>
                <input type="text" placeholder="warehouse@supplier.example" bind:value=to /></label>
            <fieldset class="kinds">
                <legend>{prefs.text(T::ForwardUsers)}</legend>
                {move || refdata.users.get().into_iter().filter(|u| u.active).map(|u| {
                    let id = u.id;
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || users.with(|v| v.contains(&id))
                            on:change=move |ev| { let on = event_target_checked(&ev); users.update(|v| { v.retain(|x| *x != id); if on { v.push(id) } }) } />{u.name}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="field"><span>{prefs.text(T::Subject)}</span>
                <input type="text" bind:value=subject /></label>
            <label class="field"><span>{prefs.text(T::Message)}</span>
                <textarea rows="4" bind:value=message></textarea></label>
            <label class="check"><input type="checkbox" prop:checked=move || comments.get() on:change=move |ev| comments.set(event_target_checked(&ev)) />{prefs.text(T::IncludeComments)}</label>
            <label class="check"><input type="checkbox" prop:checked=move || history.get() on:change=move |ev| history.set(event_target_checked(&ev)) />{prefs.text(T::IncludeHistory)}</label>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <div class="form-actions">
                <button class="btn primary" type="submit" disabled=move || sending.get()>{prefs.text(T::Forward)}</button>
            </div>
        </form>
    }
}
