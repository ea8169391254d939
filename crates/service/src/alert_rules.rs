//! Alert rules: which survey responses become tickets, and which ticket.
//! Admins and ticket admins write them; [`crate::intake`] evaluates them in
//! the transaction that stores a response; [`test`] previews one without
//! writing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::feedback::{
    AlertConditions, AlertRule, AlertRuleInput, AlertRuleTest, AlertTicket, SurveyResponseInput,
    TicketPreview,
};
use lazo_domain::limits::{ALERT_RULES_MAX, SUBJECT_MAX};
use lazo_domain::rules::auto_owner;
use lazo_domain::wire::FieldError;
use lazo_domain::{ErrorCode, Priority, RuleAction, ScoreKind};
use serde_json::{json, Map, Value};

use crate::directory::{group_rules, load_status, load_type};
use crate::error::ServiceError;
use lazo_storage::schema::{alert_rules as ar, users};
use lazo_storage::{now, utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ar)]
pub struct AlertRuleRow {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub position: i32,
    pub stop_on_match: bool,
    pub record_only: bool,
    pub conditions: String,
    pub ticket_type_id: Option<i64>,
    pub priority: i16,
    pub group_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub status_id: Option<i64>,
    pub subject_template: String,
    pub summary_score: Option<String>,
    pub summary_comment: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AlertRuleRow {
    pub fn wire(self) -> Result<AlertRule, ServiceError> {
        let conditions: AlertConditions =
            serde_json::from_str(&self.conditions).map_err(ServiceError::internal)?;
        Ok(AlertRule {
            id: self.id,
            name: self.name,
            enabled: self.enabled,
            position: self.position,
            stop_on_match: self.stop_on_match,
            record_only: self.record_only,
            conditions,
            ticket: AlertTicket {
                type_id: self.ticket_type_id,
                priority: Priority::from_rank(self.priority),
                group_id: self.group_id,
                owner_id: self.owner_id,
                status_id: self.status_id,
                subject_template: self.subject_template,
                summary_score: self
                    .summary_score
                    .as_deref()
                    .and_then(|s| s.parse::<ScoreKind>().ok()),
                summary_comment: self.summary_comment,
            },
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

/// Every rule in evaluation order (position, then id).
pub fn list(c: &mut DbConn) -> Result<Vec<AlertRule>, ServiceError> {
    ar::table
        .order((ar::position.asc(), ar::id.asc()))
        .select(AlertRuleRow::as_select())
        .load(c)?
        .into_iter()
        .map(AlertRuleRow::wire)
        .collect()
}

/// The enabled rules in evaluation order.
pub fn enabled(c: &mut DbConn) -> Result<Vec<AlertRule>, ServiceError> {
    ar::table
        .filter(ar::enabled.eq(true))
        .order((ar::position.asc(), ar::id.asc()))
        .select(AlertRuleRow::as_select())
        .load(c)?
        .into_iter()
        .map(AlertRuleRow::wire)
        .collect()
}

pub fn get(c: &mut DbConn, id: i64) -> Result<AlertRule, ServiceError> {
    ar::table
        .find(id)
        .select(AlertRuleRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ServiceError::NotFound("alert rule"))?
        .wire()
}

/// The template environment: Jinja syntax, no loader (templates cannot
/// include files), undefined values render empty.
fn env() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// What a subject template sees of a response.
fn template_context(r: &SurveyResponseInput) -> Value {
    let mut answers = Map::new();
    for a in &r.answers {
        answers.insert(a.question.clone(), a.answer.clone());
        if let Some(id) = &a.question_id {
            answers.insert(id.clone(), a.answer.clone());
        }
    }
    let respondent = r.respondent.clone().unwrap_or_default();
    json!({
        "survey": {"id": r.survey_id, "name": r.survey_name},
        "scores": {"nps": r.scores.nps, "csat": r.scores.csat, "ces": r.scores.ces},
        "comment": r.comment,
        "respondent": {
            "name": respondent.name,
            "email": respondent.email,
            "phone": respondent.phone,
            "language": respondent.language,
            "external_ref": respondent.external_ref,
        },
        "embedded": r.embedded,
        "answers": answers,
    })
}

/// The subject a rule gives the ticket for `r`: the template rendered on one
/// line, at most 200 characters; a template that fails at run time, or
/// renders nothing, gives a plain subject rather than no ticket.
pub fn render_subject(template: &str, r: &SurveyResponseInput) -> String {
    let rendered = env()
        .render_str(template, template_context(r))
        .unwrap_or_default();
    let one_line = rendered.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject = if one_line.is_empty() {
        format!(
            "Survey response to {}",
            r.survey_name.as_deref().unwrap_or(&r.survey_id)
        )
    } else {
        one_line
    };
    subject.chars().take(SUBJECT_MAX).collect()
}

/// What `rule` would make of `r`, without writing anything.
pub fn preview(
    c: &mut DbConn,
    rule: &AlertRule,
    r: &SurveyResponseInput,
) -> Result<AlertRuleTest, ServiceError> {
    if !rule.conditions.matches(r) {
        return Ok(AlertRuleTest {
            matched: false,
            action: None,
            ticket: None,
        });
    }
    if rule.record_only {
        return Ok(AlertRuleTest {
            matched: true,
            action: Some(RuleAction::Recorded),
            ticket: None,
        });
    }
    let group = match rule.ticket.group_id {
        Some(g) => group_rules(c, g)?,
        None => None,
    };
    Ok(AlertRuleTest {
        matched: true,
        action: Some(RuleAction::TicketCreated),
        ticket: Some(TicketPreview {
            subject: render_subject(&rule.ticket.subject_template, r),
            priority: rule.ticket.priority.unwrap_or(Priority::High),
            type_id: rule.ticket.type_id,
            group_id: rule.ticket.group_id,
            owner_id: auto_owner(rule.ticket.owner_id, group.as_ref()),
            status_id: rule.ticket.status_id,
            summary: rule.ticket.summary(r),
        }),
    })
}

/// Field checks, the template's syntax and the references the ticket names.
fn validate(c: &mut DbConn, input: &AlertRuleInput) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    input.check(&mut errors);
    if let Err(e) = env().template_from_str(&input.ticket.subject_template) {
        errors.push(FieldError::new(
            "ticket.subject_template",
            ErrorCode::Invalid,
            format!("not a valid template: {e}"),
        ));
    }
    let t = &input.ticket;
    if let Some(id) = t.type_id {
        match load_type(c, id)? {
            Some(ty) if ty.active => {}
            Some(_) => errors.push(FieldError::new(
                "ticket.type_id",
                ErrorCode::Inactive,
                "this ticket type is no longer in use",
            )),
            None => errors.push(FieldError::new(
                "ticket.type_id",
                ErrorCode::UnknownReference,
                "no such ticket type",
            )),
        }
    }
    if let Some(id) = t.status_id {
        match load_status(c, id)? {
            Some(s) if s.active => {}
            Some(_) => errors.push(FieldError::new(
                "ticket.status_id",
                ErrorCode::Inactive,
                "this status is no longer in use",
            )),
            None => errors.push(FieldError::new(
                "ticket.status_id",
                ErrorCode::UnknownReference,
                "no such status",
            )),
        }
    }
    if let Some(id) = t.group_id {
        if group_rules(c, id)?.is_none() {
            errors.push(FieldError::new(
                "ticket.group_id",
                ErrorCode::UnknownReference,
                "no such group",
            ));
        }
    }
    if let Some(id) = t.owner_id {
        let active: Option<bool> = users::table
            .find(id)
            .select(users::active)
            .first(c)
            .optional()?;
        match active {
            Some(true) => {}
            Some(false) => errors.push(FieldError::new(
                "ticket.owner_id",
                ErrorCode::Inactive,
                "this user is deactivated",
            )),
            None => errors.push(FieldError::new(
                "ticket.owner_id",
                ErrorCode::UnknownReference,
                "no such user",
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(errors))
    }
}

pub fn create(c: &mut DbConn, input: &AlertRuleInput) -> Result<AlertRule, ServiceError> {
    validate(c, input)?;
    let n: i64 = ar::table.count().get_result(c)?;
    if n >= ALERT_RULES_MAX as i64 {
        return Err(ServiceError::Conflict {
            code: ErrorCode::TooMany.as_str(),
            detail: format!("at most {ALERT_RULES_MAX} alert rules"),
            errors: vec![],
        });
    }
    let t = now();
    let id: i64 = diesel::insert_into(ar::table)
        .values((
            ar::name.eq(input.name.trim()),
            ar::enabled.eq(input.enabled.unwrap_or(true)),
            ar::position.eq(input.position.unwrap_or(0)),
            ar::stop_on_match.eq(input.stop_on_match.unwrap_or(true)),
            ar::record_only.eq(input.record_only.unwrap_or(false)),
            ar::conditions
                .eq(serde_json::to_string(&input.conditions).map_err(ServiceError::internal)?),
            ar::ticket_type_id.eq(input.ticket.type_id),
            ar::priority.eq(input.ticket.priority.unwrap_or(Priority::High).rank()),
            ar::group_id.eq(input.ticket.group_id),
            ar::owner_id.eq(input.ticket.owner_id),
            ar::status_id.eq(input.ticket.status_id),
            ar::subject_template.eq(&input.ticket.subject_template),
            ar::summary_score.eq(input.ticket.summary_score.map(|k| k.as_str())),
            ar::summary_comment.eq(&input.ticket.summary_comment),
            ar::created_at.eq(t),
            ar::updated_at.eq(t),
        ))
        .returning(ar::id)
        .get_result(c)?;
    get(c, id)
}

/// Replaces rule `id` with `input` (absent optional fields take their
/// defaults, as on create).
pub fn replace(c: &mut DbConn, id: i64, input: &AlertRuleInput) -> Result<AlertRule, ServiceError> {
    get(c, id)?;
    validate(c, input)?;
    diesel::update(ar::table.find(id))
        .set((
            ar::name.eq(input.name.trim()),
            ar::enabled.eq(input.enabled.unwrap_or(true)),
            ar::position.eq(input.position.unwrap_or(0)),
            ar::stop_on_match.eq(input.stop_on_match.unwrap_or(true)),
            ar::record_only.eq(input.record_only.unwrap_or(false)),
            ar::conditions
                .eq(serde_json::to_string(&input.conditions).map_err(ServiceError::internal)?),
            ar::ticket_type_id.eq(input.ticket.type_id),
            ar::priority.eq(input.ticket.priority.unwrap_or(Priority::High).rank()),
            ar::group_id.eq(input.ticket.group_id),
            ar::owner_id.eq(input.ticket.owner_id),
            ar::status_id.eq(input.ticket.status_id),
            ar::subject_template.eq(&input.ticket.subject_template),
            ar::summary_score.eq(input.ticket.summary_score.map(|k| k.as_str())),
            ar::summary_comment.eq(&input.ticket.summary_comment),
            ar::updated_at.eq(now()),
        ))
        .execute(c)?;
    get(c, id)
}

pub fn delete(c: &mut DbConn, id: i64) -> Result<(), ServiceError> {
    let n = diesel::delete(ar::table.find(id)).execute(c)?;
    if n == 0 {
        return Err(ServiceError::NotFound("alert rule"));
    }
    Ok(())
}

/// Tests rule `id` against a sample response (validated like a real one).
pub fn test(
    c: &mut DbConn,
    id: i64,
    r: &SurveyResponseInput,
) -> Result<AlertRuleTest, ServiceError> {
    let rule = get(c, id)?;
    let mut errors = Vec::new();
    r.check("", &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    preview(c, &rule, r)
}
