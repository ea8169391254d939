//! Email settings (admins and ticket admins): reusable templates per
//! language, and the inbound messages Lazo could not use (with the parse
//! error and "Process again").

use super::writer;
use crate::api::{self, ApiError};
use crate::i18n::T;
use crate::state::{use_notices, use_prefs};
use crate::util;
use lazo_domain::email::{
    CreateEmailTemplate, EmailTemplate, InboundMessage, InboundOutcome, UpdateEmailTemplate,
};
use lazo_domain::Language;
use leptos::prelude::*;

#[component]
pub fn EmailTemplates() -> impl IntoView {
    let prefs = use_prefs();
    let w = writer();
    let list = RwSignal::new(Vec::<EmailTemplate>::new());
    let error = RwSignal::new(None::<ApiError>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::email_templates().await {
                Ok(l) => list.set(l),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    reload();
    let name = RwSignal::new(String::new());
    let language = RwSignal::new(Language::En);
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let b = CreateEmailTemplate {
            name: name.get_untracked().trim().to_owned(),
            language: Some(language.get_untracked()),
            subject: subject.get_untracked(),
            body: body.get_untracked(),
        };
        w.run(
            async move { api::create_email_template(&b).await },
            error,
            move |_| {
                name.set(String::new());
                subject.set(String::new());
                body.set(String::new());
                reload();
            },
        );
    };
    let lang_select = move |sig: RwSignal<Language>| {
        view! {
            <select aria-label=prefs.text(T::Language) on:change=move |ev| if let Ok(l) = event_target_value(&ev).parse() { sig.set(l) }>
                {Language::ALL.iter().map(|l| view! { <option value=l.as_str() selected=move || sig.get() == *l>{l.as_str()}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <p class="muted">{prefs.text(T::TemplatesHelp)}</p>
        <form class="card form" on:submit=create aria-label=prefs.text(T::NewTemplate)>
            <h2>{prefs.text(T::NewTemplate)}</h2>
            <div class="field-row">
                <label class="field grow"><span>{prefs.text(T::Name)}</span>
                    <input type="text" required bind:value=name /></label>
                <label class="field narrow"><span>{prefs.text(T::Language)}</span>{lang_select(language)}</label>
            </div>
            <label class="field"><span>{prefs.text(T::Subject)}</span>
                <input type="text" required placeholder="[#{{ ticket.number }}] {{ ticket.subject }}" bind:value=subject /></label>
            <label class="field"><span>{prefs.text(T::Message)}</span>
                <textarea rows="6" required placeholder="Hello {{ contact.name }}, …" bind:value=body></textarea></label>
            <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        {move || list.get().into_iter().map(|tp| {
            let id = tp.id;
            let nm = RwSignal::new(tp.name.clone());
            let lang = RwSignal::new(tp.language);
            let subj = RwSignal::new(tp.subject.clone());
            let bd = RwSignal::new(tp.body.clone());
            let err = RwSignal::new(None::<ApiError>);
            let save = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let b = UpdateEmailTemplate {
                    name: Some(nm.get_untracked().trim().to_owned()),
                    language: Some(lang.get_untracked()),
                    subject: Some(subj.get_untracked()),
                    body: Some(bd.get_untracked()),
                };
                w.run(async move { api::update_email_template(id, &b).await }, err, move |_| reload());
            };
            let remove = move |_| {
                let ok = web_sys::window()
                    .and_then(|w| w.confirm_with_message(T::ConfirmDelete.get(prefs.lang.get_untracked())).ok())
                    .unwrap_or(false);
                if ok {
                    w.run(async move { api::delete_email_template(id).await }, err, move |_| reload());
                }
            };
            view! {
                <form class="card form" on:submit=save aria-label=tp.name.clone()>
                    <div class="field-row">
                        <label class="field grow"><span>{prefs.text(T::Name)}</span>
                            <input type="text" bind:value=nm /></label>
                        <label class="field narrow"><span>{prefs.text(T::Language)}</span>{lang_select(lang)}</label>
                    </div>
                    <label class="field"><span>{prefs.text(T::Subject)}</span>
                        <input type="text" bind:value=subj /></label>
                    <label class="field"><span>{prefs.text(T::Message)}</span>
                        <textarea rows="5" bind:value=bd></textarea></label>
                    {move || err.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                    <div class="form-actions">
                        <button class="btn primary" type="submit">{prefs.text(T::Save)}</button>
                        <button class="btn danger" type="button" on:click=remove>{prefs.text(T::Delete)}</button>
                    </div>
                </form>
            }
        }).collect_view()}
    }
}

#[component]
pub fn InboundMessages() -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let only_failed = RwSignal::new(true);
    let items = RwSignal::new(Vec::<InboundMessage>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |cursor: Option<String>| {
        let outcome = only_failed.get_untracked().then_some("failed");
        leptos::task::spawn_local(async move {
            match api::inbound_messages(outcome, cursor.clone()).await {
                Ok(p) => {
                    error.set(None);
                    if cursor.is_some() {
                        items.update(|v| v.extend(p.items));
                    } else {
                        items.set(p.items);
                    }
                    next.set(p.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load(None);
    let reprocess = move |id: i64| {
        leptos::task::spawn_local(async move {
            match api::reprocess_inbound(id).await {
                Ok(m) => {
                    let key = if m.outcome == InboundOutcome::Failed {
                        T::StillFailing
                    } else {
                        T::Processed
                    };
                    notices.ok(key.get(prefs.lang.get_untracked()));
                    load(None);
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        })
    };
    let outcome_label = move |o: InboundOutcome| match o {
        InboundOutcome::New => t(T::InboundNew),
        InboundOutcome::Matched => t(T::InboundMatched),
        InboundOutcome::Created => t(T::InboundCreated),
        InboundOutcome::Auto => t(T::EmailAuto),
        InboundOutcome::Failed => t(T::Failed),
    };
    let status = LocalResource::new(api::email_status);
    let status_card = move || {
        status.get().and_then(|r| r.ok()).map(|st| {
            let lang = prefs.lang.get_untracked();
            view! {
                <section class="card mail-status" aria-label=prefs.text(T::MailStatus)>
                    <h2>{prefs.text(T::MailStatus)}</h2>
                    <dl>
                        <dt>"SMTP"</dt>
                        <dd>{if st.smtp_configured { format!("{} · {}", t(T::Configured), st.from) } else { t(T::NotConfigured).to_owned() }}</dd>
                        <dt>{prefs.text(T::EmailQueued)}</dt><dd>{st.queued}</dd>
                        <dt>{prefs.text(T::EmailFailedState)}</dt><dd>{st.failed}</dd>
                        <dt>{prefs.text(T::InboundFailed)}</dt><dd>{st.inbound_failed}</dd>
                        {st.imap.iter().map(|m| view! {
                            <dt>{format!("IMAP {}", m.mailbox)}</dt>
                            <dd>
                                {m.last_poll_at.map(|p| format!("{}: {}", t(T::LastPoll), crate::util::datetime(lang, &p))).unwrap_or_else(|| t(T::NeverPolled).to_owned())}
                                {m.last_error.clone().map(|e| view! { <div class="error-text small">{e}</div> })}
                            </dd>
                        }).collect_view()}
                        {st.imap.is_empty().then(|| view! { <dt>"IMAP"</dt><dd>{prefs.text(T::NotConfigured)}</dd> })}
                    </dl>
                </section>
            }
        })
    };
    view! {
        {status_card}
        <p class="muted">{prefs.text(T::InboundHelp)}</p>
        <label class="check"><input type="checkbox" prop:checked=move || only_failed.get()
            on:change=move |ev| { only_failed.set(event_target_checked(&ev)); load(None); } />{prefs.text(T::OnlyFailed)}</label>
        {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        <table class="admin-table" aria-label=prefs.text(T::InboundMessages)>
            <thead><tr><th>{prefs.text(T::When)}</th><th>{prefs.text(T::EmailFrom)}</th><th>{prefs.text(T::Subject)}</th><th>{prefs.text(T::State)}</th><th>{prefs.text(T::Ticket)}</th><th></th></tr></thead>
            <tbody>
                {move || items.get().into_iter().map(|m| {
                    let id = m.id;
                    let lang = prefs.lang.get_untracked();
                    view! {
                        <tr>
                            <td>{util::datetime(lang, &m.received_at)}<div class="muted small">{m.source.clone()}</div></td>
                            <td>{m.from.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{m.subject.clone().unwrap_or_else(|| "—".into())}
                                {m.parse_error.clone().map(|e| view! { <div class="error-text small">{e}</div> })}</td>
                            <td>{outcome_label(m.outcome)}</td>
                            // Only the id is known here, not the number people see.
                            <td>{m.ticket_id.map(|x| view! { <a href=format!("/tickets/id/{x}")>{prefs.text(T::KsOpen)}</a> })}</td>
                            <td class="row-actions"><button class="btn small" on:click=move |_| reprocess(id)>{prefs.text(T::ProcessAgain)}</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || items.with(|v| v.is_empty()).then(|| view! { <p class="muted">{prefs.text(T::NothingYet)}</p> })}
        {move || next.get().map(|c| view! { <button class="btn small" on:click=move |_| load(Some(c.clone()))>{prefs.text(T::LoadMore)}</button> })}
    }
}
