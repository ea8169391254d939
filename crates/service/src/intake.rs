//! Survey intake: a response is stored with its contact and touchpoint and
//! evaluated against the alert rules in ONE transaction, the caller's. The
//! tickets the rules create go through the ticket service's create path
//! ([`crate::tickets::write::create`]), so their history, events and jobs are
//! written in that same transaction: a response and its tickets are never
//! half-written, and an acknowledged response always has its tickets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::feedback::{
    AlertRule, Answer, IntakeResult, RuleOutcome, Scores, SurveyResponse, SurveyResponseInput,
};
use lazo_domain::limits::TEXT_MAX;
use lazo_domain::wire::{CreateTicket, Summary, TicketRef};
use lazo_domain::{ErrorCode, RuleAction, TouchpointKind};
use serde_json::{json, Value};

use crate::alert_rules;
use crate::auth::Principal;
use crate::contacts;
use crate::error::ServiceError;
use crate::tickets::{self, write};
use crate::touchpoints::{self, NewTouchpoint};
use lazo_storage::schema::{survey_responses as sr, tickets as t};
use lazo_storage::{at_micros, now, utc, DbConn};

/// What an intake call answers: the result, and whether it is the stored
/// result of an earlier call with the same external id.
pub struct Ingested {
    pub result: IntakeResult,
    pub replayed: bool,
}

/// Stores one response and runs the alert rules over it, in the caller's
/// transaction. `hash` fingerprints the request's content: the same
/// external id with the same content replays the first result, with other
/// content it is a 409 naming `external_id`.
pub fn ingest(
    c: &mut DbConn,
    who: &Principal,
    input: &SurveyResponseInput,
    hash: &str,
    rules: &[AlertRule],
) -> Result<Ingested, ServiceError> {
    let mut errors = Vec::new();
    input.check("", &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let external_id = input.external_id.as_ref().map(|x| x.trim().to_owned());
    if let Some(x) = &external_id {
        let prior: Option<(Option<String>, String)> = sr::table
            .filter(sr::external_id.eq(x))
            .select((sr::request_hash, sr::outcome))
            .first(c)
            .optional()?;
        if let Some((h, outcome)) = prior {
            if h.as_deref() != Some(hash) {
                return Err(duplicate());
            }
            let result = serde_json::from_str(&outcome).map_err(ServiceError::internal)?;
            return Ok(Ingested {
                result,
                replayed: true,
            });
        }
    }
    let contact_id = match &input.respondent {
        Some(r) => Some(contacts::upsert(c, r)?.0),
        None => None,
    };
    let received = now();
    let submitted = input
        .submitted_at
        .map(|s| at_micros(s.naive_utc()))
        .unwrap_or(received);
    let token = match who {
        Principal::Token(tk) => Some(tk.id),
        _ => None,
    };
    let response_id: i64 = diesel::insert_into(sr::table)
        .values((
            sr::contact_id.eq(contact_id),
            sr::survey.eq(input.survey_id.trim()),
            sr::survey_name.eq(input.survey_name.as_ref().map(|s| s.trim())),
            sr::score.eq(input.scores.nps),
            sr::csat.eq(input.scores.csat),
            sr::ces.eq(input.scores.ces),
            sr::comment.eq(&input.comment),
            sr::answers.eq(serde_json::to_string(&input.answers).map_err(ServiceError::internal)?),
            sr::embedded.eq(Value::Object(input.embedded.clone()).to_string()),
            sr::external_id.eq(&external_id),
            sr::request_hash.eq(hash),
            sr::submitted_at.eq(submitted),
            sr::received_at.eq(received),
            sr::created_by_token.eq(token),
        ))
        .returning(sr::id)
        .get_result(c)?;
    if let Some(contact_id) = contact_id {
        let survey = input.survey_name.as_deref().unwrap_or(&input.survey_id);
        let title = match input.scores.nps {
            Some(n) => format!("{survey}: NPS {n}"),
            None => survey.to_owned(),
        };
        touchpoints::record(
            c,
            NewTouchpoint {
                contact_id,
                kind: TouchpointKind::SurveyResponse,
                channel: Some("survey".into()),
                title,
                payload: json!({
                    "survey_id": input.survey_id,
                    "external_id": external_id,
                    "scores": input.scores,
                    "comment": input.comment,
                }),
                ticket_id: None,
                survey_response_id: Some(response_id),
                occurred_at: submitted,
            },
        )?;
    }
    let mut outcomes = Vec::new();
    let mut created = Vec::new();
    for rule in rules.iter().filter(|r| r.enabled) {
        if !rule.conditions.matches(input) {
            continue;
        }
        let outcome = if rule.record_only {
            RuleOutcome {
                rule_id: rule.id,
                rule_name: rule.name.clone(),
                action: RuleAction::Recorded,
                ticket_id: None,
                error: None,
            }
        } else {
            // A savepoint: a ticket the rule cannot create (a retired status,
            // a type rule) is rolled back alone; the response is kept and
            // the failure recorded rather than the response refused.
            match c.transaction(|c| create_ticket(c, rule, input, response_id)) {
                Ok(ticket) => {
                    let id = ticket.id;
                    created.push(ticket);
                    RuleOutcome {
                        rule_id: rule.id,
                        rule_name: rule.name.clone(),
                        action: RuleAction::TicketCreated,
                        ticket_id: Some(id),
                        error: None,
                    }
                }
                Err(ServiceError::Unprocessable { detail, .. }) => {
                    tracing::warn!(rule = rule.id, %detail, "alert rule could not create its ticket");
                    RuleOutcome {
                        rule_id: rule.id,
                        rule_name: rule.name.clone(),
                        action: RuleAction::Failed,
                        ticket_id: None,
                        error: Some(detail),
                    }
                }
                Err(e) => return Err(e),
            }
        };
        outcomes.push(outcome);
        if rule.stop_on_match {
            break;
        }
    }
    let result = IntakeResult {
        response_id,
        contact_id,
        tickets: created,
        rules: outcomes,
    };
    diesel::update(sr::table.find(response_id))
        .set(sr::outcome.eq(serde_json::to_string(&result).map_err(ServiceError::internal)?))
        .execute(c)?;
    Ok(Ingested {
        result,
        replayed: false,
    })
}

pub fn duplicate() -> ServiceError {
    ServiceError::taken(
        ErrorCode::DuplicateResponse.as_str(),
        "external_id",
        "a different response with this external id was already received",
    )
}

/// The ticket's description: the comment, then every answer.
fn description(r: &SurveyResponseInput) -> String {
    let mut s = String::new();
    if let Some(c) = r.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        s.push_str(c.trim());
        s.push_str("\n\n");
    }
    for a in &r.answers {
        let answer = match &a.answer {
            Value::String(x) => x.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        s.push_str(&format!("{}: {answer}\n", a.question.trim()));
    }
    s.trim_end().chars().take(TEXT_MAX).collect()
}

fn create_ticket(
    c: &mut DbConn,
    rule: &AlertRule,
    r: &SurveyResponseInput,
    response_id: i64,
) -> Result<TicketRef, ServiceError> {
    let summary = rule.ticket.summary(r);
    let subject = alert_rules::render_subject(&rule.ticket.subject_template, r);
    let input = CreateTicket {
        subject: subject.clone(),
        description: Some(description(r)),
        type_id: rule.ticket.type_id,
        priority: rule.ticket.priority,
        status_id: rule.ticket.status_id,
        group_id: rule.ticket.group_id,
        owner_id: rule.ticket.owner_id,
        requester: r.respondent.clone().map(|mut p| {
            // Already merged into the contact with the response.
            p.attributes = None;
            p.subscribed = None;
            p
        }),
        source: Some("survey".into()),
        summary_score: summary.score,
        summary_comment: summary.comment,
        ..CreateTicket::default()
    };
    // History and events name the rule as the actor.
    let actor = Principal::System(format!("Alert rule \u{201c}{}\u{201d}", rule.name));
    let id = write::create(c, &actor, input, None)?;
    diesel::update(t::table.find(id))
        .set(t::survey_response_id.eq(response_id))
        .execute(c)?;
    let number: i64 = t::table.find(id).select(t::number).first(c)?;
    Ok(TicketRef {
        id,
        number,
        subject,
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sr)]
struct ResponseRow {
    id: i64,
    contact_id: Option<i64>,
    survey: String,
    score: Option<i32>,
    comment: Option<String>,
    answers: String,
    received_at: NaiveDateTime,
    survey_name: Option<String>,
    external_id: Option<String>,
    csat: Option<i32>,
    ces: Option<i32>,
    embedded: String,
    submitted_at: Option<NaiveDateTime>,
    outcome: String,
}

/// The survey response a ticket was created from, if the caller sees the
/// ticket.
pub fn of_ticket(
    c: &mut DbConn,
    who: &Principal,
    ticket_id: i64,
) -> Result<SurveyResponse, ServiceError> {
    let (row, _) = tickets::load_visible(c, who, ticket_id)?;
    let response_id: Option<i64> = t::table
        .find(row.id)
        .select(t::survey_response_id)
        .first(c)?;
    let id = response_id.ok_or(ServiceError::NotFound("survey response"))?;
    let r: ResponseRow = sr::table
        .find(id)
        .select(ResponseRow::as_select())
        .first(c)?;
    let answers: Vec<Answer> = serde_json::from_str(&r.answers).unwrap_or_default();
    let outcome: Option<IntakeResult> = serde_json::from_str(&r.outcome).ok();
    Ok(SurveyResponse {
        id: r.id,
        external_id: r.external_id,
        survey_id: r.survey,
        survey_name: r.survey_name,
        contact_id: r.contact_id,
        answers,
        scores: Scores {
            nps: r.score,
            csat: r.csat,
            ces: r.ces,
        },
        comment: r.comment,
        embedded: serde_json::from_str(&r.embedded).unwrap_or_default(),
        submitted_at: utc(r.submitted_at.unwrap_or(r.received_at)),
        received_at: utc(r.received_at),
        summary: Summary {
            score: row.summary_score,
            comment: row.summary_comment,
        },
        rules: outcome.map(|o| o.rules).unwrap_or_default(),
    })
}
