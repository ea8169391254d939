//! Feedback intake: contacts' timelines, survey responses as integrators send
//! them, and alert rules that turn a response into a ticket (PRODUCT.md,
//! "Feedback intake and automation"). Wire types, their validation and the
//! pure evaluation of a rule's conditions: the server runs it in the intake
//! transaction, the rule preview runs the same code without writing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::limits::{
    ANSWERS_MAX, EMAIL_MAX, KEYS_MAX, NAME_MAX, QUESTION_MAX, SUBJECT_MAX, TEXT_MAX,
};
use crate::model::*;
use crate::rules::{check_line, check_text, is_email};
use crate::wire::{Contact, ContactInput, FieldError, FieldValues, Problem, Summary, TicketRef};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[cfg(feature = "openapi")]
fn typed(t: utoipa::openapi::schema::Type) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(t)
        .build()
}

/// A value a condition compares with, in the OpenAPI document: a string, a
/// number or a boolean.
#[cfg(feature = "openapi")]
pub struct Scalar;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Scalar {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(typed(Type::String))
            .item(typed(Type::Number))
            .item(typed(Type::Boolean))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for Scalar {}

/// An answer's value in the OpenAPI document: a string, a number, a boolean
/// or an array of strings (which one its `type` says).
#[cfg(feature = "openapi")]
pub struct AnswerValue;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AnswerValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(typed(Type::String))
            .item(typed(Type::Number))
            .item(typed(Type::Boolean))
            .item(
                ArrayBuilder::new()
                    .items(typed(Type::String))
                    .max_items(Some(ANSWERS_MAX)),
            )
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for AnswerValue {}

fn is_scalar(v: &Value) -> bool {
    v.is_string() || v.is_number() || v.is_boolean()
}

// ---------------------------------------------------------------- contacts

/// A new contact. Email and external reference are each unique.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateContact {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 50, pattern = r"\S")
    )]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 35, pattern = r"\S")
    )]
    pub language: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub external_ref: Option<String>,
    /// Defaults to `true`.
    #[serde(default)]
    pub subscribed: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: FieldValues,
}

/// A change to a contact: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    #[serde(
        default,
        deserialize_with = "crate::wire::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 254))]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::wire::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 100, pattern = r"\S"))]
    pub name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::wire::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 50, pattern = r"\S"))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::wire::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 35, pattern = r"\S"))]
    pub language: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::wire::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 100, pattern = r"\S"))]
    pub external_ref: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<bool>,
    /// Merged into the attributes; a `null` value removes that attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub attributes: Option<FieldValues>,
}

/// Merge contact `from` into the contact of the path: its tickets,
/// touchpoints and survey responses move to the survivor, details the
/// survivor lacks are copied, and `from` is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeContacts {
    pub from: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactPage {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

/// Query string of `GET /api/v1/contacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ContactQuery {
    /// Words of the name, an email prefix, or an exact external reference
    /// or phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 100))]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

/// Checks a contact's details; `prefix` is the path of the contact in the
/// request (`requester`, `respondent`, or empty for a contact body).
pub fn check_contact_fields(
    prefix: &str,
    email: Option<&str>,
    lines: [(&str, Option<&str>, usize); 4],
    attributes: Option<&FieldValues>,
    errors: &mut Vec<FieldError>,
) {
    let path = |f: &str| {
        if prefix.is_empty() {
            f.to_owned()
        } else {
            format!("{prefix}.{f}")
        }
    };
    if let Some(e) = email {
        if e.len() > EMAIL_MAX || !is_email(e.trim()) {
            errors.push(FieldError::new(
                path("email"),
                ErrorCode::Invalid,
                "must be an email address",
            ));
        }
    }
    for (f, v, max) in lines {
        if let Some(v) = v {
            check_line(&path(f), v, max, errors);
        }
    }
    if let Some(a) = attributes {
        check_keys(&path("attributes"), a, errors);
    }
}

/// The contact lines and their limits, in the order [`check_contact_fields`]
/// takes them.
pub fn contact_lines<'a>(
    name: Option<&'a str>,
    phone: Option<&'a str>,
    language: Option<&'a str>,
    external_ref: Option<&'a str>,
) -> [(&'static str, Option<&'a str>, usize); 4] {
    [
        ("name", name, NAME_MAX),
        ("phone", phone, 50),
        ("language", language, 35),
        ("external_ref", external_ref, NAME_MAX),
    ]
}

/// A free-form object (attributes, embedded data, payload): at most
/// [`KEYS_MAX`] keys of at most 100 characters.
pub fn check_keys(field: &str, m: &FieldValues, errors: &mut Vec<FieldError>) {
    if m.len() > KEYS_MAX {
        errors.push(FieldError::new(
            field,
            ErrorCode::TooMany,
            format!("at most {KEYS_MAX} keys"),
        ));
    }
    for k in m.keys() {
        if k.trim().is_empty() || k.chars().count() > NAME_MAX {
            errors.push(FieldError::new(
                format!("{field}.{k}"),
                ErrorCode::Invalid,
                "keys are 1 to 100 characters",
            ));
        }
    }
}

/// A contact input (ticket requester, survey respondent) is valid.
pub fn check_contact_input(prefix: &str, r: &ContactInput, errors: &mut Vec<FieldError>) {
    check_contact_fields(
        prefix,
        r.email.as_deref(),
        contact_lines(
            r.name.as_deref(),
            r.phone.as_deref(),
            r.language.as_deref(),
            r.external_ref.as_deref(),
        ),
        r.attributes.as_ref(),
        errors,
    );
    if r.email.is_none() && r.external_ref.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}.email"),
            ErrorCode::Required,
            format!("a {prefix} needs an email or an external_ref"),
        ));
    }
}

// ---------------------------------------------------------------- touchpoints

/// One interaction of a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Touchpoint {
    pub id: i64,
    pub contact_id: i64,
    pub kind: TouchpointKind,
    /// Where it happened (`web`, `phone`, `store`...), as the source names it.
    pub channel: Option<String>,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: FieldValues,
    /// The ticket it is about (kind `ticket`), if any.
    pub ticket_id: Option<i64>,
    /// The survey response it records (kind `survey_response`), if any.
    pub survey_response_id: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// An interaction an integrator records (a call, a chat, a purchase...).
/// Tickets and survey responses record their own touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTouchpoint {
    /// The contact, by id; or give `contact` to find or create one.
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub contact: Option<ContactInput>,
    /// `email`, `call`, `chat` or `custom`.
    pub kind: TouchpointKind,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub channel: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: FieldValues,
    /// Defaults to now.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TouchpointPage {
    /// Newest first; with `ticket`, that ticket's own touchpoint first.
    pub items: Vec<Touchpoint>,
    pub next_cursor: Option<String>,
}

/// Query string of `GET /api/v1/contacts/{id}/timeline`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TimelineQuery {
    /// Asked from this ticket: its own touchpoint comes first (on the first
    /// page) and is not repeated further down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub ticket: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

impl CreateTouchpoint {
    pub fn check(&self, errors: &mut Vec<FieldError>) {
        if matches!(
            self.kind,
            TouchpointKind::Ticket | TouchpointKind::SurveyResponse
        ) {
            errors.push(FieldError::new(
                "kind",
                ErrorCode::Invalid,
                "tickets and survey responses record their own touchpoints",
            ));
        }
        match (&self.contact_id, &self.contact) {
            (None, None) => errors.push(FieldError::new(
                "contact_id",
                ErrorCode::Required,
                "name the contact by contact_id or contact",
            )),
            (Some(_), Some(_)) => errors.push(FieldError::new(
                "contact",
                ErrorCode::Invalid,
                "give contact_id or contact, not both",
            )),
            (_, Some(c)) => check_contact_input("contact", c, errors),
            _ => {}
        }
        if let Some(ch) = &self.channel {
            check_line("channel", ch, NAME_MAX, errors);
        }
        check_line("title", &self.title, SUBJECT_MAX, errors);
        check_keys("payload", &self.payload, errors);
    }
}

// ---------------------------------------------------------------- responses

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The question's id at the source, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub question_id: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 1000, pattern = r"\S")
    )]
    pub question: String,
    #[serde(rename = "type")]
    pub answer_type: AnswerType,
    /// As `type` says: a string (text, choice, date), a number (number,
    /// rating), an array of strings (multi_choice) or a boolean.
    #[cfg_attr(feature = "openapi", schema(value_type = AnswerValue))]
    pub answer: Value,
}

/// The scores of a response, each on its own scale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scores {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub nps: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub csat: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 7))]
    pub ces: Option<i32>,
}

impl Scores {
    pub fn get(&self, kind: ScoreKind) -> Option<i32> {
        match kind {
            ScoreKind::Nps => self.nps,
            ScoreKind::Csat => self.csat,
            ScoreKind::Ces => self.ces,
        }
    }
}

/// A survey response as a survey tool sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyResponseInput {
    /// The response's id at the source: sending it again with the same
    /// content returns the first result; with other content, 409.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub external_id: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub survey_id: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub survey_name: Option<String>,
    /// Who answered: found by external reference, then email; created when
    /// unknown. Anonymous responses leave it out.
    #[serde(default)]
    pub respondent: Option<ContactInput>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub scores: Scores,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub comment: Option<String>,
    /// Data the survey carried along (order id, store, plan...).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub embedded: FieldValues,
    /// When the respondent submitted it; defaults to when it arrives.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
}

fn answer_fits(t: AnswerType, v: &Value) -> bool {
    match t {
        AnswerType::Text | AnswerType::Choice => v.is_string(),
        AnswerType::Number | AnswerType::Rating => v.is_number(),
        AnswerType::MultiChoice => v
            .as_array()
            .is_some_and(|a| a.len() <= ANSWERS_MAX && a.iter().all(Value::is_string)),
        AnswerType::Boolean => v.is_boolean(),
        AnswerType::Date => v
            .as_str()
            .is_some_and(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
    }
}

impl SurveyResponseInput {
    /// Every invalid field, with `prefix` before its path (`responses[3]`
    /// in a batch).
    pub fn check(&self, prefix: &str, errors: &mut Vec<FieldError>) {
        let p = |f: &str| {
            if prefix.is_empty() {
                f.to_owned()
            } else {
                format!("{prefix}.{f}")
            }
        };
        if let Some(x) = &self.external_id {
            check_line(&p("external_id"), x, NAME_MAX, errors);
        }
        check_line(&p("survey_id"), &self.survey_id, NAME_MAX, errors);
        if let Some(n) = &self.survey_name {
            check_line(&p("survey_name"), n, SUBJECT_MAX, errors);
        }
        if let Some(r) = &self.respondent {
            check_contact_input(&p("respondent"), r, errors);
        }
        if self.answers.len() > ANSWERS_MAX {
            errors.push(FieldError::new(
                p("answers"),
                ErrorCode::TooMany,
                format!("at most {ANSWERS_MAX} answers"),
            ));
        } else {
            for (i, a) in self.answers.iter().enumerate() {
                let at = p(&format!("answers[{i}]"));
                if let Some(q) = &a.question_id {
                    check_line(&format!("{at}.question_id"), q, NAME_MAX, errors);
                }
                check_line(&format!("{at}.question"), &a.question, QUESTION_MAX, errors);
                if !answer_fits(a.answer_type, &a.answer) {
                    errors.push(FieldError::new(
                        format!("{at}.answer"),
                        ErrorCode::Invalid,
                        format!("not a valid answer of type {}", a.answer_type),
                    ));
                } else if let Some(s) = a.answer.as_str() {
                    check_text(&format!("{at}.answer"), s, TEXT_MAX, errors);
                }
            }
        }
        for kind in ScoreKind::ALL {
            if let Some(v) = self.scores.get(*kind) {
                let (lo, hi) = kind.range();
                if !(lo..=hi).contains(&v) {
                    errors.push(FieldError::new(
                        p(&format!("scores.{kind}")),
                        ErrorCode::OutOfRange,
                        format!("{kind} is between {lo} and {hi}"),
                    ));
                }
            }
        }
        if let Some(c) = &self.comment {
            check_text(&p("comment"), c, TEXT_MAX, errors);
        }
        check_keys(&p("embedded"), &self.embedded, errors);
        if self
            .embedded
            .values()
            .any(|v| v.is_object() || v.is_array())
        {
            errors.push(FieldError::new(
                p("embedded"),
                ErrorCode::Invalid,
                "embedded values are strings, numbers, booleans or null",
            ));
        }
    }

    /// The answer to `question` (its id or its text), if any.
    pub fn answer(&self, question: &str) -> Option<&Value> {
        self.answers
            .iter()
            .find(|a| a.question_id.as_deref() == Some(question) || a.question == question)
            .map(|a| &a.answer)
    }
}

/// Many responses at once (at most 500); each gets its own result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponseBatch {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub responses: Vec<SurveyResponseInput>,
}

/// What one alert rule did with a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RuleOutcome {
    pub rule_id: i64,
    pub rule_name: String,
    pub action: RuleAction,
    pub ticket_id: Option<i64>,
    /// Why the ticket could not be created (`failed`).
    pub error: Option<String>,
}

/// The result of an intake: the stored response, its contact, and what the
/// alert rules did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IntakeResult {
    pub response_id: i64,
    pub contact_id: Option<i64>,
    /// Tickets the rules created.
    pub tickets: Vec<TicketRef>,
    /// Every rule that matched, in evaluation order.
    pub rules: Vec<RuleOutcome>,
}

/// One response of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BatchItemResult {
    /// Position in the request.
    pub index: usize,
    pub ok: bool,
    /// `201` stored, `200` a repeat of a stored response, or the error's
    /// status.
    pub status: u16,
    pub result: Option<IntakeResult>,
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResponseBatchResult {
    pub results: Vec<BatchItemResult>,
}

/// A stored survey response, as a ticket shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SurveyResponse {
    pub id: i64,
    pub external_id: Option<String>,
    pub survey_id: String,
    pub survey_name: Option<String>,
    pub contact_id: Option<i64>,
    pub answers: Vec<Answer>,
    pub scores: Scores,
    pub comment: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub embedded: FieldValues,
    pub submitted_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The ticket's summary (score and comment) taken from this response.
    pub summary: Summary,
    /// What the alert rules did with it.
    pub rules: Vec<RuleOutcome>,
}

// ---------------------------------------------------------------- alert rules

/// A score within a range (both ends included; an open end is absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoreRange {
    pub kind: ScoreKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub min: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub max: Option<i32>,
}

/// A condition on one answer: it equals a value, or (text) contains words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerCondition {
    /// The question's id or its text.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 1000, pattern = r"\S")
    )]
    pub question: String,
    /// The answer is this value (a multi-choice answer: contains it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Scalar>))]
    pub equals: Option<Value>,
    /// The answer's text contains this, ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub contains: Option<String>,
}

/// A condition on one embedded data value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmbeddedCondition {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Scalar))]
    pub equals: Value,
}

/// When a rule matches: every condition given must hold (an empty list
/// holds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertConditions {
    /// The response is to one of these surveys (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub surveys: Vec<String>,
    /// Every score is within its range (a missing score is not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub scores: Vec<ScoreRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub answers: Vec<AnswerCondition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub embedded: Vec<EmbeddedCondition>,
    /// The comment contains one of these, ignoring case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub comment_contains: Vec<String>,
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_lowercase(),
        Value::Array(a) => a
            .iter()
            .map(text_of)
            .collect::<Vec<_>>()
            .join("\n")
            .to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Loose equality for conditions: `"3"` equals `3`, case is ignored.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(items), _) => items.iter().any(|i| same(i, b)),
        _ => text_of(a) == text_of(b),
    }
}

impl AlertConditions {
    /// Whether a response meets every condition.
    pub fn matches(&self, r: &SurveyResponseInput) -> bool {
        if !self.surveys.is_empty() && !self.surveys.contains(&r.survey_id) {
            return false;
        }
        for s in &self.scores {
            let Some(v) = r.scores.get(s.kind) else {
                return false;
            };
            if s.min.is_some_and(|m| v < m) || s.max.is_some_and(|m| v > m) {
                return false;
            }
        }
        for a in &self.answers {
            let Some(v) = r.answer(&a.question) else {
                return false;
            };
            if a.equals.as_ref().is_some_and(|e| !same(v, e)) {
                return false;
            }
            if a.contains
                .as_ref()
                .is_some_and(|c| !text_of(v).contains(&c.to_lowercase()))
            {
                return false;
            }
        }
        for e in &self.embedded {
            match r.embedded.get(&e.key) {
                Some(v) if same(v, &e.equals) => {}
                _ => return false,
            }
        }
        if !self.comment_contains.is_empty() {
            let c = r.comment.as_deref().unwrap_or("").to_lowercase();
            if !self
                .comment_contains
                .iter()
                .any(|w| c.contains(&w.to_lowercase()))
            {
                return false;
            }
        }
        true
    }

    pub fn check(&self, errors: &mut Vec<FieldError>) {
        for (field, n) in [
            ("conditions.surveys", self.surveys.len()),
            ("conditions.answers", self.answers.len()),
            ("conditions.embedded", self.embedded.len()),
            ("conditions.comment_contains", self.comment_contains.len()),
        ] {
            if n > 50 {
                errors.push(FieldError::new(field, ErrorCode::TooMany, "at most 50"));
            }
        }
        for (i, s) in self.surveys.iter().enumerate() {
            check_line(&format!("conditions.surveys[{i}]"), s, NAME_MAX, errors);
        }
        let mut seen = Vec::new();
        for (i, s) in self.scores.iter().enumerate() {
            let (lo, hi) = s.kind.range();
            for (end, v) in [("min", s.min), ("max", s.max)] {
                if v.is_some_and(|v| !(lo..=hi).contains(&v)) {
                    errors.push(FieldError::new(
                        format!("conditions.scores[{i}].{end}"),
                        ErrorCode::OutOfRange,
                        format!("{} is between {lo} and {hi}", s.kind),
                    ));
                }
            }
            if let (Some(a), Some(b)) = (s.min, s.max) {
                if a > b {
                    errors.push(FieldError::new(
                        format!("conditions.scores[{i}].max"),
                        ErrorCode::OutOfRange,
                        "max is below min",
                    ));
                }
            }
            if seen.contains(&s.kind) {
                errors.push(FieldError::new(
                    format!("conditions.scores[{i}].kind"),
                    ErrorCode::Duplicate,
                    "one range per score kind",
                ));
            }
            seen.push(s.kind);
        }
        for (i, a) in self.answers.iter().enumerate() {
            check_line(
                &format!("conditions.answers[{i}].question"),
                &a.question,
                QUESTION_MAX,
                errors,
            );
            if a.equals.as_ref().is_some_and(|v| !is_scalar(v)) {
                errors.push(FieldError::new(
                    format!("conditions.answers[{i}].equals"),
                    ErrorCode::Invalid,
                    "a string, a number or a boolean",
                ));
            }
            if let Some(c) = &a.contains {
                check_line(
                    &format!("conditions.answers[{i}].contains"),
                    c,
                    NAME_MAX,
                    errors,
                );
            }
        }
        for (i, e) in self.embedded.iter().enumerate() {
            check_line(
                &format!("conditions.embedded[{i}].key"),
                &e.key,
                NAME_MAX,
                errors,
            );
            if !is_scalar(&e.equals) {
                errors.push(FieldError::new(
                    format!("conditions.embedded[{i}].equals"),
                    ErrorCode::Invalid,
                    "a string, a number or a boolean",
                ));
            }
        }
        for (i, w) in self.comment_contains.iter().enumerate() {
            check_line(
                &format!("conditions.comment_contains[{i}]"),
                w,
                NAME_MAX,
                errors,
            );
        }
    }
}

/// The ticket a rule creates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertTicket {
    #[serde(default)]
    pub type_id: Option<i64>,
    /// Defaults to `high`.
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub group_id: Option<i64>,
    /// Without an owner, the group's single manager (if it has one) owns it.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Defaults to the first status of category `new`.
    #[serde(default)]
    pub status_id: Option<i64>,
    /// A Jinja template over the response: `survey` (`id`, `name`),
    /// `scores` (`nps`, `csat`, `ces`), `comment`, `respondent` (`name`,
    /// `email`...), `embedded`, `answers` (by question id or text).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 1000,
            pattern = r"\S",
            example = "NPS {{ scores.nps }} from {{ respondent.name or respondent.email }}"
        )
    )]
    pub subject_template: String,
    /// The score that becomes the ticket's summary score.
    #[serde(default)]
    pub summary_score: Option<ScoreKind>,
    /// What becomes the summary comment: `comment`, or `answer:<question id
    /// or text>`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 1000, pattern = "^(comment|answer:.+)$")
    )]
    pub summary_comment: Option<String>,
}

impl AlertTicket {
    /// The summary (score and comment) a response gives the ticket.
    pub fn summary(&self, r: &SurveyResponseInput) -> Summary {
        let comment = match self.summary_comment.as_deref() {
            Some("comment") => r.comment.clone(),
            Some(m) => m
                .strip_prefix("answer:")
                .and_then(|q| r.answer(q))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(str::to_owned).unwrap_or(x.to_string()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                }),
            None => None,
        };
        Summary {
            score: self.summary_score.and_then(|k| r.scores.get(k)),
            comment: comment
                .filter(|c| !c.trim().is_empty())
                .map(|c| c.chars().take(TEXT_MAX).collect()),
        }
    }
}

/// An alert rule as written by an admin (create and replace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertRuleInput {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// Defaults to `true`.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Evaluation order, lowest first (then by id). Defaults to 0.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -1000000, maximum = 1000000))]
    pub position: Option<i32>,
    /// `true` (default): a match ends the evaluation (first match); `false`:
    /// later rules are evaluated too (all matches).
    #[serde(default)]
    pub stop_on_match: Option<bool>,
    /// Match and record, create nothing (the "criteria not met" path of a
    /// survey that should not raise tickets).
    #[serde(default)]
    pub record_only: Option<bool>,
    #[serde(default)]
    pub conditions: AlertConditions,
    pub ticket: AlertTicket,
}

impl AlertRuleInput {
    /// Field checks that need no database (references are checked by the
    /// service).
    pub fn check(&self, errors: &mut Vec<FieldError>) {
        check_line("name", &self.name, NAME_MAX, errors);
        if self
            .position
            .is_some_and(|p| !(-1_000_000..=1_000_000).contains(&p))
        {
            errors.push(FieldError::new(
                "position",
                ErrorCode::OutOfRange,
                "position is between -1000000 and 1000000",
            ));
        }
        self.conditions.check(errors);
        check_line(
            "ticket.subject_template",
            &self.ticket.subject_template,
            QUESTION_MAX,
            errors,
        );
        if let Some(m) = &self.ticket.summary_comment {
            let ok = m == "comment"
                || m.strip_prefix("answer:")
                    .is_some_and(|q| !q.trim().is_empty() && q.chars().count() <= QUESTION_MAX);
            if !ok {
                errors.push(FieldError::new(
                    "ticket.summary_comment",
                    ErrorCode::Invalid,
                    "comment, or answer:<question id or text>",
                ));
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub position: i32,
    pub stop_on_match: bool,
    pub record_only: bool,
    pub conditions: AlertConditions,
    pub ticket: AlertTicket,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The ticket a rule would create, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketPreview {
    pub subject: String,
    pub priority: Priority,
    pub type_id: Option<i64>,
    pub group_id: Option<i64>,
    /// The owner, or the group's single manager when the rule names none.
    pub owner_id: Option<i64>,
    pub status_id: Option<i64>,
    pub summary: Summary,
}

/// What a rule would do with a sample response (nothing is written).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRuleTest {
    pub matched: bool,
    /// `ticket_created` or `recorded` when it matches.
    pub action: Option<RuleAction>,
    /// The ticket it would create.
    pub ticket: Option<TicketPreview>,
}

// ---------------------------------------------------------------- import

/// A comment or internal note of an imported ticket, with its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportComment {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: String,
    #[serde(default)]
    pub internal: bool,
    /// The author, when a Lazo user has this email (otherwise the comment
    /// has no author).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub author_email: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A ticket from another help desk, with its original times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportTicket {
    /// The ticket's id in the other help desk: importing it again finds the
    /// ticket instead of duplicating it.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub external_id: String,
    /// Kept when no ticket has it; otherwise the next free number.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub number: Option<i64>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub subject: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(default)]
    pub type_id: Option<i64>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Defaults to the first status of category `new`.
    #[serde(default)]
    pub status_id: Option<i64>,
    #[serde(default)]
    pub group_id: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub requester: Option<ContactInput>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::wire::Tag>, max_items = 50))]
    pub tags: Vec<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub source: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: FieldValues,
    pub created_at: DateTime<Utc>,
    /// Defaults to the last comment's time, or `created_at`.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// For tickets in a closed status; defaults to `updated_at` there.
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub comments: Vec<ImportComment>,
}

/// Up to 1,000 tickets to import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportTickets {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub tickets: Vec<ImportTicket>,
}

/// One ticket of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportItemResult {
    pub index: usize,
    pub ok: bool,
    /// `201` imported, `200` imported before (same external id), or the
    /// error's status.
    pub status: u16,
    pub ticket: Option<TicketRef>,
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportResult {
    pub results: Vec<ImportItemResult>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(v: Value) -> SurveyResponseInput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn conditions_and_each_kind() {
        let r = response(json!({
            "survey_id": "s1",
            "scores": {"nps": 3, "csat": 2},
            "comment": "The DELIVERY was late",
            "embedded": {"store": "Madrid", "order": 42},
            "answers": [
                {"question_id": "q1", "question": "Why?", "type": "text", "answer": "Rude staff"},
                {"question": "Channels", "type": "multi_choice", "answer": ["web", "phone"]}
            ]
        }));
        let c: AlertConditions = serde_json::from_value(json!({
            "surveys": ["s1"],
            "scores": [{"kind": "nps", "min": 0, "max": 6}],
            "answers": [{"question": "q1", "contains": "rude"}, {"question": "Channels", "equals": "PHONE"}],
            "embedded": [{"key": "order", "equals": "42"}],
            "comment_contains": ["refund", "delivery"]
        }))
        .unwrap();
        assert!(c.matches(&r));
        let mut other = c.clone();
        other.scores[0].kind = ScoreKind::Ces;
        assert!(!other.matches(&r), "a missing score does not match");
        let mut other = c.clone();
        other.surveys = vec!["s2".into()];
        assert!(!other.matches(&r));
        let mut other = c;
        other.comment_contains = vec!["refund".into()];
        assert!(!other.matches(&r));
        assert!(AlertConditions::default().matches(&r));
    }

    #[test]
    fn bad_responses_name_their_fields() {
        let r = response(json!({
            "survey_id": " ",
            "scores": {"nps": 11, "csat": 0},
            "respondent": {"email": "nope"},
            "answers": [{"question": "Q", "type": "number", "answer": "x"}],
            "embedded": {"nested": {"a": 1}}
        }));
        let mut errors = Vec::new();
        r.check("", &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "survey_id",
                "respondent.email",
                "answers[0].answer",
                "scores.nps",
                "scores.csat",
                "embedded"
            ]
        );
    }

    #[test]
    fn summary_maps_score_and_comment() {
        let r = response(json!({
            "survey_id": "s1", "scores": {"nps": 2, "csat": 1}, "comment": "bad",
            "answers": [{"question": "Why?", "type": "text", "answer": "slow"}]
        }));
        let mut t: AlertTicket = serde_json::from_value(json!({
            "subject_template": "x", "summary_score": "csat", "summary_comment": "answer:Why?"
        }))
        .unwrap();
        assert_eq!(
            t.summary(&r),
            Summary {
                score: Some(1),
                comment: Some("slow".into())
            }
        );
        t.summary_comment = Some("comment".into());
        assert_eq!(t.summary(&r).comment.as_deref(), Some("bad"));
    }
}
