//! The customer beside the ticket: the survey response it came from (answers,
//! scores, what the alert rules did) and the contact with their timeline of
//! touchpoints (click one for its details).

use crate::api;
use crate::i18n::T;
use crate::state::use_prefs;
use crate::util;
use lazo_domain::feedback::{SurveyResponse, Touchpoint};
use lazo_domain::wire::Contact;
use lazo_domain::{RuleAction, TouchpointKind};
use leptos::prelude::*;
use serde_json::Value;

fn show_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(show_value).collect::<Vec<_>>().join(", "),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// The survey response a ticket came from, when it came from one.
#[component]
pub fn SurveyResponseCard(ticket: i64) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let response = LocalResource::new(move || api::ticket_response(ticket));
    let card = move |r: SurveyResponse| {
        let lang = prefs.lang.get_untracked();
        let scores = [("NPS", r.scores.nps), ("CSAT", r.scores.csat), ("CES", r.scores.ces)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| view! { <span class="score-chip"><span class="muted">{k}</span>" "<strong>{v}</strong></span> }))
            .collect_view();
        let survey = r.survey_name.clone().unwrap_or_else(|| r.survey_id.clone());
        view! {
            <section class="card survey" aria-labelledby="survey-h">
                <div class="card-head">
                    <h2 id="survey-h">{prefs.text(T::SurveyResponse)}</h2>
                    <span class="muted small">{survey}" · "{util::datetime(lang, &r.submitted_at)}</span>
                </div>
                <div class="scores">{scores}</div>
                {r.comment.clone().map(|c| view! { <blockquote class="verbatim">{c}</blockquote> })}
                <dl class="answers">
                    {r.answers.iter().map(|a| view! {
                        <dt>{a.question.clone()}</dt>
                        <dd>{show_value(&a.answer)}</dd>
                    }).collect_view()}
                </dl>
                {(!r.embedded.is_empty()).then(|| view! {
                    <details class="embedded">
                        <summary>{prefs.text(T::EmbeddedData)}</summary>
                        <dl>{r.embedded.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{show_value(v)}</dd> }).collect_view()}</dl>
                    </details>
                })}
                {(!r.rules.is_empty()).then(|| view! {
                    <p class="muted small rules">
                        {prefs.text(T::AlertRules)}": "
                        {r.rules.iter().map(|o| {
                            let what = match o.action {
                                RuleAction::TicketCreated => t(T::RuleCreatedTicket),
                                RuleAction::Recorded => t(T::RuleRecorded),
                                RuleAction::Failed => t(T::RuleFailed),
                            };
                            format!("{} ({what})", o.rule_name)
                        }).collect::<Vec<_>>().join(", ")}
                    </p>
                })}
            </section>
        }
    };
    move || response.get().and_then(|r| r.ok().flatten()).map(card)
}

fn kind_label(k: TouchpointKind) -> T {
    match k {
        TouchpointKind::SurveyResponse => T::TpSurvey,
        TouchpointKind::Email => T::TpEmail,
        TouchpointKind::Ticket => T::TpTicket,
        TouchpointKind::Call => T::TpCall,
        TouchpointKind::Chat => T::TpChat,
        TouchpointKind::Custom => T::TpOther,
    }
}

/// The requester and their timeline, this ticket's touchpoint first.
#[component]
pub fn CustomerCard(contact: Contact, ticket: i64) -> impl IntoView {
    let prefs = use_prefs();
    let cid = contact.id;
    view! {
        <section class="card requester" aria-labelledby="req-h">
            <div class="card-head">
                <h2 id="req-h">{prefs.text(T::Customer)}</h2>
                <a class="small" href=format!("/contacts/{cid}")>{prefs.text(T::CustomerProfile)}</a>
            </div>
            <ContactDetails contact=contact />
            <h3 class="timeline-h">{prefs.text(T::Timeline)}</h3>
            <Timeline contact=cid ticket=Some(ticket) />
        </section>
    }
}

/// A contact's details as a definition list.
#[component]
pub fn ContactDetails(contact: Contact) -> impl IntoView {
    let prefs = use_prefs();
    let c = contact;
    view! {
        <dl>
            {c.name.map(|n| view! { <dt>{prefs.text(T::Name)}</dt><dd>{n}</dd> })}
            {c.email.map(|e| view! { <dt>{prefs.text(T::Email)}</dt><dd><a href=format!("mailto:{e}")>{e.clone()}</a></dd> })}
            {c.phone.map(|p| view! { <dt>{prefs.text(T::Phone)}</dt><dd>{p}</dd> })}
            {c.language.map(|l| view! { <dt>{prefs.text(T::Language)}</dt><dd>{l}</dd> })}
            {c.external_ref.map(|x| view! { <dt>{prefs.text(T::ExternalRef)}</dt><dd>{x}</dd> })}
            {(!c.subscribed).then(|| view! { <dt>{prefs.text(T::Subscribed)}</dt><dd>{prefs.text(T::No)}</dd> })}
            {c.attributes.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{show_value(&v)}</dd> }).collect_view()}
        </dl>
    }
}

/// A contact's touchpoints, newest first (asked from a ticket: its own
/// first); a touchpoint opens its details.
#[component]
pub fn Timeline(contact: i64, ticket: Option<i64>) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = crate::state::use_refdata();
    let t = move |k: T| prefs.t(k);
    let items = RwSignal::new(Vec::<Touchpoint>::new());
    let next = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    let open = RwSignal::new(None::<i64>);
    let load = move |cursor: Option<String>| {
        leptos::task::spawn_local(async move {
            match api::timeline(contact, ticket, cursor.clone()).await {
                Ok(page) => {
                    if cursor.is_some() {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next_cursor);
                }
                Err(_) => failed.set(true),
            }
        })
    };
    load(None);
    view! {
        {move || failed.get().then(|| view! { <p class="muted small">{prefs.text(T::ErrNetwork)}</p> })}
        <ol class="timeline" aria-label=prefs.text(T::Timeline)>
            {move || items.get().into_iter().map(|tp| {
                let id = tp.id;
                let here = ticket.is_some() && tp.ticket_id == ticket;
                let lang = prefs.lang.get_untracked();
                let payload = tp.payload.clone();
                view! {
                    <li class:here=here>
                        <button class="linklike" aria-expanded=move || (open.get() == Some(id)).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                            <span class="tp-kind">{t(kind_label(tp.kind))}</span>
                            <span class="tp-title">{tp.title.clone()}</span>
                        </button>
                        <div class="muted small">{util::datetime(lang, &tp.occurred_at)}{tp.channel.clone().map(|c| format!(" · {}", refdata.source_name(&c, lang)))}</div>
                        {move || (open.get() == Some(id)).then(|| {
                            let p = payload.clone();
                            view! {
                                <dl class="tp-detail">
                                    {p.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{show_value(v)}</dd> }).collect_view()}
                                    {tp.ticket_id.filter(|x| Some(*x) != ticket).map(|x| view! { <dt>{prefs.text(T::Ticket)}</dt><dd><a href=format!("/tickets/id/{x}")>{prefs.text(T::KsOpen)}</a></dd> })}
                                </dl>
                            }
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || items.with(|v| v.is_empty()).then(|| view! { <p class="muted small">{prefs.text(T::NothingYet)}</p> })}
        {move || next.get().map(|c| view! {
            <button class="btn small" on:click=move |_| load(Some(c.clone()))>{prefs.text(T::LoadMore)}</button>
        })}
    }
}
