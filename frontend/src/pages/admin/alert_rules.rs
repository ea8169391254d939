//! Alert rules (admins and ticket admins): which survey responses raise a
//! ticket and what ticket, in evaluation order, each with a "test against a
//! sample response" preview that writes nothing.

use super::writer;
use crate::api::{self, ApiError};
use crate::i18n::{self, T};
use crate::state::{use_prefs, use_refdata};
use lazo_domain::feedback::{
    AlertConditions, AlertRule, AlertRuleInput, AlertRuleTest, AlertTicket, AnswerCondition,
    EmbeddedCondition, ScoreRange, SurveyResponseInput,
};
use lazo_domain::{Priority, RuleAction, ScoreKind};
use leptos::prelude::*;
use serde_json::Value;

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// What an admin types as a value: a number or `true`/`false` when it reads
/// as one, else text.
fn typed(s: &str) -> Value {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Value::from(n);
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(s.to_owned()),
    }
}

fn untyped(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const SAMPLE: &str = r#"{
  "survey_id": "nps-2026",
  "scores": {"nps": 4},
  "comment": "Delivery was late",
  "respondent": {"email": "sample@example.com", "name": "Sample Customer"},
  "answers": [{"question": "What went wrong?", "type": "text", "answer": "Late delivery"}]
}"#;

#[component]
pub fn AlertRules() -> impl IntoView {
    let prefs = use_prefs();
    let rules = RwSignal::new(Vec::<AlertRule>::new());
    let error = RwSignal::new(None::<ApiError>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::alert_rules().await {
                Ok(r) => rules.set(r),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    reload();
    let w = writer();
    let name = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let next_position =
            rules.with_untracked(|r| r.iter().map(|r| r.position).max().unwrap_or(0) + 10);
        let body = AlertRuleInput {
            name: name.get_untracked().trim().to_owned(),
            enabled: Some(false),
            position: Some(next_position),
            stop_on_match: Some(true),
            record_only: Some(false),
            conditions: AlertConditions::default(),
            ticket: AlertTicket {
                type_id: None,
                priority: Some(Priority::High),
                group_id: None,
                owner_id: None,
                status_id: None,
                subject_template:
                    "{{ survey.name or survey.id }}: {{ respondent.name or respondent.email }}"
                        .into(),
                summary_score: Some(ScoreKind::Nps),
                summary_comment: Some("comment".into()),
            },
        };
        w.run(
            async move { api::create_alert_rule(&body).await },
            error,
            move |_| {
                name.set(String::new());
                reload();
            },
        );
    };
    view! {
        <p class="muted">{prefs.text(T::AlertRulesHelp)}</p>
        <form class="card form inline-form" on:submit=create aria-label=prefs.text(T::NewAlertRule)>
            <h2>{prefs.text(T::NewAlertRule)}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" required bind:value=name /></label>
                <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        {move || rules.get().into_iter().map(|r| view! { <RuleCard rule=r reload=Callback::new(move |_| reload()) /> }).collect_view()}
    }
}

#[derive(Clone, Copy)]
struct ScoreRow {
    kind: RwSignal<ScoreKind>,
    min: RwSignal<String>,
    max: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct PairRow {
    key: RwSignal<String>,
    value: RwSignal<String>,
    /// Answers: "contains" instead of "equals".
    contains: RwSignal<bool>,
}

#[component]
fn RuleCard(rule: AlertRule, reload: Callback<()>) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let w = writer();
    let t = move |k: T| prefs.t(k);
    let id = rule.id;
    let name = RwSignal::new(rule.name.clone());
    let enabled = RwSignal::new(rule.enabled);
    let position = RwSignal::new(rule.position.to_string());
    let stop = RwSignal::new(rule.stop_on_match);
    let record_only = RwSignal::new(rule.record_only);
    let c = rule.conditions.clone();
    let surveys = RwSignal::new(c.surveys.join(", "));
    let comment_contains = RwSignal::new(c.comment_contains.join(", "));
    let scores = RwSignal::new(
        c.scores
            .iter()
            .map(|s| ScoreRow {
                kind: RwSignal::new(s.kind),
                min: RwSignal::new(s.min.map(|v| v.to_string()).unwrap_or_default()),
                max: RwSignal::new(s.max.map(|v| v.to_string()).unwrap_or_default()),
            })
            .collect::<Vec<_>>(),
    );
    let answers = RwSignal::new(
        c.answers
            .iter()
            .map(|a| PairRow {
                key: RwSignal::new(a.question.clone()),
                value: RwSignal::new(
                    a.contains
                        .clone()
                        .or(a.equals.as_ref().map(untyped))
                        .unwrap_or_default(),
                ),
                contains: RwSignal::new(a.contains.is_some()),
            })
            .collect::<Vec<_>>(),
    );
    let embedded = RwSignal::new(
        c.embedded
            .iter()
            .map(|e| PairRow {
                key: RwSignal::new(e.key.clone()),
                value: RwSignal::new(untyped(&e.equals)),
                contains: RwSignal::new(false),
            })
            .collect::<Vec<_>>(),
    );
    let tk = rule.ticket.clone();
    let type_id = RwSignal::new(tk.type_id);
    let priority = RwSignal::new(tk.priority.unwrap_or(Priority::High));
    let group_id = RwSignal::new(tk.group_id);
    let owner_id = RwSignal::new(tk.owner_id);
    let status_id = RwSignal::new(tk.status_id);
    let subject = RwSignal::new(tk.subject_template.clone());
    let summary_score = RwSignal::new(tk.summary_score);
    let summary_comment = RwSignal::new(tk.summary_comment.clone().unwrap_or_default());
    let error = RwSignal::new(None::<ApiError>);

    let input = move || -> AlertRuleInput {
        let num = |s: String| s.trim().parse::<i32>().ok();
        AlertRuleInput {
            name: name.get_untracked().trim().to_owned(),
            enabled: Some(enabled.get_untracked()),
            position: position.get_untracked().trim().parse().ok(),
            stop_on_match: Some(stop.get_untracked()),
            record_only: Some(record_only.get_untracked()),
            conditions: AlertConditions {
                surveys: split_list(&surveys.get_untracked()),
                comment_contains: split_list(&comment_contains.get_untracked()),
                scores: scores
                    .get_untracked()
                    .iter()
                    .map(|r| ScoreRange {
                        kind: r.kind.get_untracked(),
                        min: num(r.min.get_untracked()),
                        max: num(r.max.get_untracked()),
                    })
                    .collect(),
                answers: answers
                    .get_untracked()
                    .iter()
                    .map(|r| {
                        let v = r.value.get_untracked();
                        AnswerCondition {
                            question: r.key.get_untracked().trim().to_owned(),
                            equals: (!r.contains.get_untracked()).then(|| typed(&v)),
                            contains: r.contains.get_untracked().then(|| v.trim().to_owned()),
                        }
                    })
                    .collect(),
                embedded: embedded
                    .get_untracked()
                    .iter()
                    .map(|r| EmbeddedCondition {
                        key: r.key.get_untracked().trim().to_owned(),
                        equals: typed(&r.value.get_untracked()),
                    })
                    .collect(),
            },
            ticket: AlertTicket {
                type_id: type_id.get_untracked(),
                priority: Some(priority.get_untracked()),
                group_id: group_id.get_untracked(),
                owner_id: owner_id.get_untracked(),
                status_id: status_id.get_untracked(),
                subject_template: subject.get_untracked(),
                summary_score: summary_score.get_untracked(),
                summary_comment: Some(summary_comment.get_untracked().trim().to_owned())
                    .filter(|s| !s.is_empty()),
            },
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = input();
        w.run(
            async move { api::replace_alert_rule(id, &body).await },
            error,
            move |_| reload.run(()),
        );
    };
    let remove = move |_| {
        let ok = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(T::ConfirmDelete.get(prefs.lang.get_untracked()))
                    .ok()
            })
            .unwrap_or(false);
        if ok {
            w.run(
                async move { api::delete_alert_rule(id).await },
                error,
                move |_| reload.run(()),
            );
        }
    };

    // The preview.
    let sample = RwSignal::new(SAMPLE.to_owned());
    let outcome = RwSignal::new(None::<AlertRuleTest>);
    let test_error = RwSignal::new(None::<String>);
    let run_test = move |_| {
        outcome.set(None);
        test_error.set(None);
        let parsed: Result<SurveyResponseInput, _> = serde_json::from_str(&sample.get_untracked());
        match parsed {
            Err(e) => test_error.set(Some(format!("{}: {e}", t(T::SampleNotValid)))),
            Ok(body) => leptos::task::spawn_local(async move {
                match api::test_alert_rule(id, &body).await {
                    Ok(r) => outcome.set(Some(r)),
                    Err(e) => test_error.set(Some(e.message(prefs.lang.get_untracked()))),
                }
            }),
        }
    };

    let opt_select = move |label: T,
                           sig: RwSignal<Option<i64>>,
                           options: Signal<Vec<(i64, String)>>| {
        view! {
            <label class="field"><span>{move || t(label)}</span>
                <select on:change=move |ev| sig.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=move || sig.get().is_none()>{prefs.text(T::Default)}</option>
                    {move || options.get().into_iter().map(|(v, n)| view! {
                        <option value=v.to_string() selected=move || sig.get() == Some(v)>{n}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let types = Signal::derive(move || {
        refdata
            .types
            .get()
            .into_iter()
            .map(|x| (x.id, x.name))
            .collect()
    });
    let groups = Signal::derive(move || {
        refdata
            .groups
            .get()
            .into_iter()
            .map(|x| (x.id, x.name))
            .collect()
    });
    let users = Signal::derive(move || {
        refdata
            .users
            .get()
            .into_iter()
            .filter(|u| u.active)
            .map(|x| (x.id, x.name))
            .collect()
    });
    let statuses = Signal::derive(move || {
        refdata
            .statuses
            .get()
            .into_iter()
            .filter(|s| s.active)
            .map(|x| (x.id, x.name))
            .collect()
    });
    let score_select = move |sig: RwSignal<ScoreKind>| {
        view! {
            <select aria-label=prefs.text(T::Score) on:change=move |ev| if let Ok(k) = event_target_value(&ev).parse() { sig.set(k) }>
                {ScoreKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=move || sig.get() == *k>{k.as_str().to_uppercase()}</option> }).collect_view()}
            </select>
        }
    };
    let region = rule.name.clone();
    view! {
        <section class="card rule" aria-label=region>
            <form class="form" on:submit=save>
                <div class="field-row">
                    <label class="field grow"><span>{prefs.text(T::Name)}</span>
                        <input type="text" bind:value=name /></label>
                    <label class="field narrow"><span>{prefs.text(T::Position)}</span>
                        <input type="number" bind:value=position /></label>
                </div>
                <div class="field-row">
                    <label class="check"><input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />{prefs.text(T::Enabled)}</label>
                    <label class="check"><input type="checkbox" prop:checked=move || stop.get() on:change=move |ev| stop.set(event_target_checked(&ev)) />{prefs.text(T::StopOnMatch)}</label>
                    <label class="check"><input type="checkbox" prop:checked=move || record_only.get() on:change=move |ev| record_only.set(event_target_checked(&ev)) />{prefs.text(T::RecordOnly)}</label>
                </div>

                <h3>{prefs.text(T::WhenResponse)}</h3>
                <div class="field-row">
                    <label class="field grow"><span>{prefs.text(T::SurveysField)}</span>
                        <input type="text" placeholder="nps-2026, csat-store" bind:value=surveys /></label>
                    <label class="field grow"><span>{prefs.text(T::CommentContains)}</span>
                        <input type="text" placeholder="refund, rude" bind:value=comment_contains /></label>
                </div>
                <div class="cond-rows" role="group" aria-label=prefs.text(T::ScoreRanges)>
                    <span class="field-label">{prefs.text(T::ScoreRanges)}</span>
                    {move || scores.get().into_iter().enumerate().map(|(i, r)| view! {
                        <div class="cond-row">
                            {score_select(r.kind)}
                            <input type="number" class="narrow" aria-label=prefs.text(T::From) bind:value=r.min />
                            <span>"–"</span>
                            <input type="number" class="narrow" aria-label=prefs.text(T::To) bind:value=r.max />
                            <button type="button" class="btn icon small" aria-label=prefs.text(T::Remove) on:click=move |_| scores.update(|v| { v.remove(i); })>"✕"</button>
                        </div>
                    }).collect_view()}
                    <button type="button" class="btn small" on:click=move |_| scores.update(|v| v.push(ScoreRow { kind: RwSignal::new(ScoreKind::Nps), min: RwSignal::new("0".into()), max: RwSignal::new("6".into()) }))>{prefs.text(T::AddScoreRange)}</button>
                </div>
                <div class="cond-rows" role="group" aria-label=prefs.text(T::AnswerConditions)>
                    <span class="field-label">{prefs.text(T::AnswerConditions)}</span>
                    {move || answers.get().into_iter().enumerate().map(|(i, r)| view! {
                        <div class="cond-row">
                            <input type="text" aria-label=prefs.text(T::Question) placeholder=prefs.text(T::Question) bind:value=r.key />
                            <select aria-label=prefs.text(T::Comparison) on:change=move |ev| r.contains.set(event_target_value(&ev) == "contains")>
                                <option value="equals" selected=move || !r.contains.get()>{prefs.text(T::Equals)}</option>
                                <option value="contains" selected=move || r.contains.get()>{prefs.text(T::Contains)}</option>
                            </select>
                            <input type="text" aria-label=prefs.text(T::Value) bind:value=r.value />
                            <button type="button" class="btn icon small" aria-label=prefs.text(T::Remove) on:click=move |_| answers.update(|v| { v.remove(i); })>"✕"</button>
                        </div>
                    }).collect_view()}
                    <button type="button" class="btn small" on:click=move |_| answers.update(|v| v.push(PairRow { key: RwSignal::new(String::new()), value: RwSignal::new(String::new()), contains: RwSignal::new(false) }))>{prefs.text(T::AddAnswerCondition)}</button>
                </div>
                <div class="cond-rows" role="group" aria-label=prefs.text(T::EmbeddedData)>
                    <span class="field-label">{prefs.text(T::EmbeddedData)}</span>
                    {move || embedded.get().into_iter().enumerate().map(|(i, r)| view! {
                        <div class="cond-row">
                            <input type="text" aria-label=prefs.text(T::Key) placeholder=prefs.text(T::Key) bind:value=r.key />
                            <span>"="</span>
                            <input type="text" aria-label=prefs.text(T::Value) bind:value=r.value />
                            <button type="button" class="btn icon small" aria-label=prefs.text(T::Remove) on:click=move |_| embedded.update(|v| { v.remove(i); })>"✕"</button>
                        </div>
                    }).collect_view()}
                    <button type="button" class="btn small" on:click=move |_| embedded.update(|v| v.push(PairRow { key: RwSignal::new(String::new()), value: RwSignal::new(String::new()), contains: RwSignal::new(false) }))>{prefs.text(T::AddEmbeddedCondition)}</button>
                </div>

                <h3>{prefs.text(T::ThenCreate)}</h3>
                <label class="field"><span>{prefs.text(T::SubjectTemplate)}</span>
                    <input type="text" bind:value=subject /></label>
                <div class="field-row wrap">
                    {opt_select(T::Type, type_id, types)}
                    <label class="field"><span>{prefs.text(T::Priority)}</span>
                        <select on:change=move |ev| if let Ok(p) = event_target_value(&ev).parse() { priority.set(p) }>
                            {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=move || priority.get() == *p>{move || t(i18n::priority(*p))}</option> }).collect_view()}
                        </select>
                    </label>
                    {opt_select(T::Group, group_id, groups)}
                    {opt_select(T::Owner, owner_id, users)}
                    {opt_select(T::Status, status_id, statuses)}
                </div>
                <div class="field-row">
                    <label class="field"><span>{prefs.text(T::SummaryScore)}</span>
                        <select on:change=move |ev| summary_score.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=move || summary_score.get().is_none()>"—"</option>
                            {ScoreKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=move || summary_score.get() == Some(*k)>{k.as_str().to_uppercase()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field grow"><span>{prefs.text(T::SummaryComment)}</span>
                        <input type="text" placeholder="comment | answer:What went wrong?" bind:value=summary_comment /></label>
                </div>
                {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                <div class="form-actions">
                    <button class="btn primary" type="submit">{prefs.text(T::Save)}</button>
                    <button class="btn danger" type="button" on:click=remove>{prefs.text(T::Delete)}</button>
                </div>
            </form>
            <details class="rule-test">
                <summary>{prefs.text(T::TestRule)}</summary>
                <p class="muted small">{prefs.text(T::TestRuleHelp)}</p>
                <textarea rows="8" aria-label=prefs.text(T::SampleResponse) bind:value=sample></textarea>
                <button class="btn small" type="button" on:click=run_test>{prefs.text(T::RunTest)}</button>
                {move || test_error.get().map(|e| view! { <p class="error-box" role="alert">{e}</p> })}
                {move || outcome.get().map(|o| {
                    let verdict = match (o.matched, o.action) {
                        (false, _) => t(T::RuleNoMatch).to_owned(),
                        (true, Some(RuleAction::Recorded)) => t(T::RuleRecorded).to_owned(),
                        (true, _) => t(T::RuleWouldCreate).to_owned(),
                    };
                    view! {
                        <div class="card inset test-outcome" role="status">
                            <strong>{verdict}</strong>
                            {o.ticket.map(|tp| view! {
                                <dl>
                                    <dt>{prefs.text(T::Subject)}</dt><dd>{tp.subject}</dd>
                                    <dt>{prefs.text(T::Priority)}</dt><dd>{move || t(i18n::priority(tp.priority))}</dd>
                                    <dt>{prefs.text(T::Score)}</dt><dd>{tp.summary.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{prefs.text(T::CustomerComment)}</dt><dd>{tp.summary.comment.unwrap_or_else(|| "—".into())}</dd>
                                </dl>
                            })}
                        </div>
                    }
                })}
            </details>
        </section>
    }
}
