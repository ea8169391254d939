//! Request and response bodies of the REST API under `/api/v1`.
//!
//! One definition serves the server (which derives OpenAPI schemas from it with
//! the `openapi` feature) and the SPA's typed client. Field names are the JSON
//! names; timestamps are RFC 3339 in UTC.
//!
//! Request bodies deny unknown fields: a misspelt field (`priorty`) would
//! otherwise be dropped and the call answer 200 having changed nothing. Their
//! schemas state the limits the server checks (`limits.rs`): a non-blank
//! string is `minLength: 1` with pattern `\S`; single-line strings (names,
//! subjects, tags) also refuse control characters, which JSON Schema
//! patterns cannot say portably.

use crate::model::*;
use crate::names::{Named, Names};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A ticket tag in the OpenAPI document: one non-blank line of at most 100
/// characters, without commas (the list filter splits on them).
#[cfg(feature = "openapi")]
pub struct Tag;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Tag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(crate::limits::NAME_MAX))
            .pattern(Some(r"^[^,]*\S[^,]*$"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for Tag {}

/// Custom field values of a ticket, keyed by the field's `key`.
pub type FieldValues = Map<String, Value>;

/// Deserialises a present-but-null field as `Some(None)`, so an update can tell
/// "leave unchanged" (absent) from "clear" (null) from "set" (a value).
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

// ---------------------------------------------------------------- problems

/// An RFC 9457 problem document, the body of every error response
/// (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// URI naming the problem type, stable across releases
    /// (`urn:lazo:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short human summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Human explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, e.g. `validation_failed`, `root_cause_required`.
    pub code: String,
    /// Every failing field, for validation and rule errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Request id, also in the `X-Request-Id` header and the server log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    /// JSON path of the field, e.g. `subject` or `custom_fields.order_id`.
    pub field: String,
    /// Stable code, e.g. `required`, `too_long`, `root_cause_required`.
    pub code: String,
    /// Human explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------- auth

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginResponse {
    /// JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: String,
    /// When the JWT stops being accepted; log in again after it.
    pub expires_at: DateTime<Utc>,
    pub user: Me,
}

/// The caller, as `GET /api/v1/me` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// BCP 47 language tag, e.g. `en`, `es`, `fr`.
    pub language: String,
    pub role: Role,
    pub groups: Vec<NamedRef>,
    pub settings: OrgSettings,
}

// ---------------------------------------------------------------- people

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
    pub role: Role,
    pub active: bool,
    pub groups: Vec<NamedRef>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|es|fr)$"))]
    pub language: Option<String>,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: String,
    #[serde(default)]
    pub active: Option<bool>,
}

/// Body of `PATCH /me`: what a person may change of their own account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// The language of their notification emails, and of the bell for a
    /// client that sends no `Accept-Language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|es|fr)$"))]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|es|fr)$"))]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Sets a new password; the user's sessions are revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupMember {
    pub user: UserRef,
    pub manager: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Group {
    pub id: i64,
    pub name: String,
    /// The name per language; the SPA shows the agent's, else `name`.
    #[serde(default)]
    pub names: Names,
    pub description: String,
    /// Only members may own tickets of this group.
    pub restrict_assignees: bool,
    pub members: Vec<GroupMember>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupMemberInput {
    pub user_id: i64,
    #[serde(default)]
    pub manager: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// The name per language (`en`, `es`, `fr`).
    #[serde(default)]
    pub names: Names,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(default)]
    pub restrict_assignees: Option<bool>,
    #[serde(default)]
    pub members: Vec<GroupMemberInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Replaces the names per language when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_assignees: Option<bool>,
    /// Replaces the member list when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<GroupMemberInput>>,
}

// ---------------------------------------------------------------- configuration

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Status {
    pub id: i64,
    pub name: String,
    /// The name per language; the SPA shows the agent's, else `name`.
    #[serde(default)]
    pub names: Names,
    pub category: StatusCategory,
    /// Order in lists and dropdowns, ascending.
    pub position: i32,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStatus {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// The name per language (`en`, `es`, `fr`).
    #[serde(default)]
    pub names: Names,
    pub category: StatusCategory,
    /// Defaults to after the last status.
    #[serde(default)]
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Replaces the names per language when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<StatusCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RootCause {
    pub id: i64,
    pub name: String,
    /// The name per language; the SPA shows the agent's, else `name`.
    #[serde(default)]
    pub names: Names,
    pub active: bool,
}

/// A custom field a ticket type defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Key in `custom_fields`: lowercase letters, digits and `_`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_]{1,64}$"))]
    pub key: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub label: String,
    /// The label per language.
    #[serde(default, skip_serializing_if = "Names::is_empty")]
    pub names: Names,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// Allowed values of a `choice` field.
    #[serde(default)]
    pub options: Vec<String>,
    /// Labels of `options` per language, by option value (the value is what
    /// a ticket stores; an option without labels shows its value).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_names: BTreeMap<String, Names>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketType {
    pub id: i64,
    pub name: String,
    /// The name per language; the SPA shows the agent's, else `name`.
    #[serde(default)]
    pub names: Names,
    pub description: String,
    /// The ticket shows the summary (score and comment).
    pub show_summary: bool,
    /// The ticket shows the survey response behind it.
    pub show_survey: bool,
    pub active: bool,
    pub root_causes: Vec<RootCause>,
    /// Status ids that need a root cause.
    pub root_cause_required_for: Vec<i64>,
    /// Status ids in which a ticket must not have a root cause.
    pub root_cause_prohibited_for: Vec<i64>,
    pub fields: Vec<FieldDef>,
}

/// A root cause in a ticket type write: with `id` it renames or (de)activates
/// an existing cause, without it adds one. Causes left out are deactivated,
/// never deleted, so history stays readable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RootCauseInput {
    #[serde(default)]
    pub id: Option<i64>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// The name per language (`en`, `es`, `fr`).
    #[serde(default)]
    pub names: Names,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTicketType {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// The name per language (`en`, `es`, `fr`).
    #[serde(default)]
    pub names: Names,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(default)]
    pub show_summary: Option<bool>,
    #[serde(default)]
    pub show_survey: Option<bool>,
    #[serde(default)]
    pub root_causes: Vec<RootCauseInput>,
    #[serde(default)]
    pub root_cause_required_for: Vec<i64>,
    #[serde(default)]
    pub root_cause_prohibited_for: Vec<i64>,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Replaces the names per language when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_summary: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_survey: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_causes: Option<Vec<RootCauseInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause_required_for: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause_prohibited_for: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldDef>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrgSettings {
    pub name: String,
    /// Agents may move tickets into a closed status; otherwise only admins and
    /// ticket admins close.
    pub agents_may_close: bool,
    /// Every ticket update must carry a comment.
    pub comment_required_on_update: bool,
    /// Status an inbound customer email moves its ticket to.
    pub inbound_email_status_id: Option<i64>,
    /// The ticket sources the organisation names (`email`, `phone`...),
    /// with their labels per language. A ticket's `source` stays free text;
    /// one not listed here shows as it is.
    #[serde(default)]
    pub sources: Vec<SourceDef>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents_may_close: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_required_on_update: Option<bool>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub inbound_email_status_id: Option<Option<i64>>,
    /// Replaces the list of named sources when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub sources: Option<Vec<SourceDef>>,
}

/// A ticket source the organisation names: `key` is the value tickets carry
/// (lowercase, as the list's `source` filter compares), `name` its label,
/// `names` the label per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"^\S+$")
    )]
    pub key: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    #[serde(default)]
    pub names: Names,
}

macro_rules! named {
    ($($ty:ty => $base:ident),+ $(,)?) => {
        $(impl Named for $ty {
            fn base_name(&self) -> &str {
                &self.$base
            }
            fn names(&self) -> &Names {
                &self.names
            }
        })+
    };
}

named!(
    Status => name,
    Group => name,
    TicketType => name,
    RootCause => name,
    FieldDef => label,
    SourceDef => name,
);

impl FieldDef {
    /// The label of option `value` in `lang`, else the value itself.
    pub fn option_label<'a>(&'a self, value: &'a str, lang: &str) -> &'a str {
        match self.option_names.get(value) {
            Some(n) => n.localized(lang, value),
            None => value,
        }
    }
}

// ---------------------------------------------------------------- api tokens

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// First characters of the secret, to recognise it in lists.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<Scope>,
}

/// The only time the secret is shown: it is stored hashed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedApiToken {
    pub token: ApiToken,
    pub secret: String,
}

// ---------------------------------------------------------------- tickets

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusRef {
    pub id: i64,
    pub name: String,
    pub category: StatusCategory,
}

/// The customer behind a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Contact {
    pub id: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub external_ref: Option<String>,
    /// Whether the contact accepts surveys and messages.
    #[serde(default = "yes")]
    pub subscribed: bool,
    /// Free attributes (plan, region, CRM fields...).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: FieldValues,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The requester of a new ticket: found by email (or external reference) and
/// created when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
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
    /// Sets the subscription status (new contacts are subscribed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<bool>,
    /// Merged into the contact's attributes; a `null` value removes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub attributes: Option<FieldValues>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Summary {
    /// Score from the source, e.g. NPS 0-10.
    pub score: Option<i32>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketRef {
    pub id: i64,
    pub number: i64,
    pub subject: String,
}

/// A ticket with everything the detail view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ticket {
    /// Stable id for machines.
    pub id: i64,
    /// Number for people, shown as `#1042`.
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub ticket_type: Option<NamedRef>,
    pub priority: Priority,
    pub status: StatusRef,
    pub root_cause: Option<NamedRef>,
    pub group: Option<NamedRef>,
    /// Group the ticket was created in.
    pub origin_group: Option<NamedRef>,
    pub owner: Option<UserRef>,
    pub parent: Option<TicketRef>,
    pub requester: Option<Contact>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub summary: Summary,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: FieldValues,
    /// Public tickets may be shown to the customer; internal ones never.
    pub public: bool,
    pub sub_ticket_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When a snoozed ticket reopens by itself (`POST /tickets/{id}/snooze`).
    #[serde(default)]
    pub snooze_until: Option<DateTime<Utc>>,
    /// The ticket this one was merged into (`POST /tickets/{id}/merge`).
    #[serde(default)]
    pub merged_into: Option<TicketRef>,
    /// Increases with every change; the `ETag` is derived from it.
    pub version: i64,
    /// What the caller may do with this ticket.
    pub access: Access,
}

/// Snooze a ticket: it moves to a pending status now and back to the open
/// status it had when `until` comes (a scheduled job does it, with history).
/// Snoozing a snoozed ticket again moves the date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnoozeTicket {
    /// When the ticket reopens; must be in the future (at most a year ahead).
    pub until: DateTime<Utc>,
}

/// A row of the follow-up page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketListItem {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub requester_email: Option<String>,
    pub status: StatusRef,
    pub priority: Priority,
    pub owner: Option<UserRef>,
    pub group: Option<NamedRef>,
    pub origin_group: Option<NamedRef>,
    pub ticket_type: Option<NamedRef>,
    pub parent_id: Option<i64>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub summary_comment: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Set while the ticket is snoozed: when it reopens.
    #[serde(default)]
    pub snooze_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketPage {
    pub items: Vec<TicketListItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusCount {
    pub status: StatusRef,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketCounts {
    pub total: i64,
    /// Every active status in order, zero counts included, and any retired
    /// status that still holds matching tickets.
    pub by_status: Vec<StatusCount>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
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
    /// Defaults to `medium`.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Defaults to the first status of category `new`.
    #[serde(default)]
    pub status_id: Option<i64>,
    #[serde(default)]
    pub root_cause_id: Option<i64>,
    #[serde(default)]
    pub group_id: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub requester: Option<ContactInput>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Tag>, max_items = 50))]
    pub tags: Vec<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub source: Option<String>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -1000, maximum = 1000))]
    pub summary_score: Option<i32>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub summary_comment: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: FieldValues,
    /// Defaults to `true`.
    #[serde(default)]
    pub public: Option<bool>,
    /// A first comment, recorded with the creation.
    #[serde(default)]
    pub comment: Option<CommentInput>,
}

/// A change to a ticket. Absent fields stay as they are; `null` clears a
/// nullable field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub type_id: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub root_cause_id: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub group_id: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ContactInput>))]
    pub requester: Option<Option<ContactInput>>,
    /// Replaces the tag list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Tag>>, max_items = 50))]
    pub tags: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 100, pattern = r"\S"))]
    pub source: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = -1000, maximum = 1000))]
    pub summary_score: Option<Option<i32>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 20000))]
    pub summary_comment: Option<Option<String>>,
    /// Merged into the ticket's values; a `null` value removes the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<FieldValues>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Comment that goes with the change; required when the organisation
    /// requires a comment on every update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<CommentInput>,
}

impl UpdateTicket {
    /// True when the update changes no field (a comment alone is not a change).
    pub fn changes_nothing(&self) -> bool {
        UpdateTicket {
            comment: None,
            ..self.clone()
        } == UpdateTicket::default()
    }
}

/// Apply one change to many tickets; each ticket gets its own result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkUpdate {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub ids: Vec<i64>,
    pub changes: UpdateTicket,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkItemResult {
    pub id: i64,
    pub ok: bool,
    /// New version when `ok`.
    pub version: Option<i64>,
    /// Why this ticket was not changed.
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkResult {
    pub results: Vec<BulkItemResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: String,
    /// Internal notes are never shown to customers.
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateComment {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Comment {
    pub id: i64,
    pub ticket_id: i64,
    pub author: Option<UserRef>,
    pub body: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What made a change: a person, an integrator's API token, or Lazo itself.
/// Documents `Actor::kind` (which stays a string on the wire types).
#[cfg(feature = "openapi")]
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "lowercase")]
pub enum ActorKind {
    User,
    Token,
    System,
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Actor {
    /// `user`, `token` or `system`.
    #[cfg_attr(feature = "openapi", schema(value_type = ActorKind))]
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
}

/// One change of one field. Creation is recorded as field `created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HistoryEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub field: String,
    /// Old value as shown to people (names, not ids).
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// The comment written with this change.
    pub comment_id: Option<i64>,
    /// For reference fields (status, group, owner, type, root cause): the
    /// ids the change moved between. The values above are the names at the
    /// time, kept even when the record is renamed later.
    #[serde(default)]
    pub old_id: Option<i64>,
    #[serde(default)]
    pub new_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommentPage {
    pub items: Vec<Comment>,
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------- list query

/// Query string of `GET /api/v1/tickets` and `GET /api/v1/tickets/counts`.
/// Lists are comma-separated (the API also takes them as repeated
/// parameters); every filter narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TicketQuery {
    /// Status ids, e.g. `1,2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<i64>>, style = Form, explode = false))]
    pub status: Option<String>,
    /// Status categories, e.g. `new,open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<crate::model::StatusCategory>>, style = Form, explode = false))]
    pub category: Option<String>,
    /// Priorities, e.g. `high,critical`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<crate::model::Priority>>, style = Form, explode = false))]
    pub priority: Option<String>,
    /// `me`, `none` or user ids; mixable: `me,none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<String>>, style = Form, explode = false))]
    pub owner: Option<String>,
    /// Group ids, or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<String>>, style = Form, explode = false))]
    pub group: Option<String>,
    /// Origin group ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<i64>>, style = Form, explode = false))]
    pub origin_group: Option<String>,
    /// Ticket type ids.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(rename = "type"))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<i64>>, style = Form, explode = false))]
    pub ticket_type: Option<String>,
    /// Sources, e.g. `survey,email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<String>>, style = Form, explode = false))]
    pub source: Option<String>,
    /// Tickets with any of these tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<String>>, style = Form, explode = false))]
    pub tags: Option<String>,
    /// Tickets created from a response to one of these surveys (survey ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Vec<String>>, style = Form, explode = false))]
    pub survey: Option<String>,
    /// Summary score at least this (e.g. `0` with `score_max=6`: NPS detractors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = -1000, maximum = 1000))]
    pub score_min: Option<i32>,
    /// Summary score at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = -1000, maximum = 1000))]
    pub score_max: Option<i32>,
    /// Created at or after: RFC 3339 or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from: Option<String>,
    /// Created before: RFC 3339, or `YYYY-MM-DD` meaning the end of that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_to: Option<String>,
    /// Only open tickets past their due date (`true`), or none of them (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Text: a number (`1042` or `#1042`), an email, or words in subject and
    /// description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 100))]
    pub q: Option<String>,
    /// Sort key: `created`, `updated`, `priority`, `due`, `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<crate::model::SortKey>, inline))]
    pub sort: Option<String>,
    /// `asc` or `desc` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<crate::model::SortDir>, inline))]
    pub order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

/// Owner filter of the follow-up page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerFilter {
    pub me: bool,
    pub none: bool,
    pub ids: Vec<i64>,
}

/// A [`TicketQuery`] parsed and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub status_ids: Vec<i64>,
    pub categories: Vec<StatusCategory>,
    pub priorities: Vec<Priority>,
    pub owner: Option<OwnerFilter>,
    pub group_ids: Vec<i64>,
    pub group_none: bool,
    pub origin_group_ids: Vec<i64>,
    pub type_ids: Vec<i64>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    /// Survey ids of the response a ticket was created from.
    pub surveys: Vec<String>,
    pub score_min: Option<i32>,
    pub score_max: Option<i32>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    pub overdue: Option<bool>,
    pub text: Option<TextQuery>,
    pub sort: SortKey,
    pub dir: SortDir,
    pub cursor: Option<String>,
    pub limit: i64,
}

/// How the `q` text is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextQuery {
    /// `1042` or `#1042`: the ticket number.
    Number(i64, String),
    /// Contains `@`: requester email prefix.
    Email(String),
    /// Words in subject or description: each term matches a word prefix.
    Words(Vec<String>),
}

/// The search terms of a text query: lowercased runs of letters and digits,
/// at most eight. Only these characters reach the full-text engines, so no
/// query syntax can be injected.
pub fn search_terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .take(8)
        .collect()
}

fn split_list(s: &Option<String>) -> impl Iterator<Item = &str> {
    s.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn parse_ids(field: &str, s: &Option<String>, errors: &mut Vec<FieldError>) -> Vec<i64> {
    let mut out = Vec::new();
    for part in split_list(s) {
        match part.parse::<i64>() {
            Ok(id) if id > 0 => out.push(id),
            _ => errors.push(FieldError::new(
                field,
                "invalid",
                format!("'{part}' is not an id"),
            )),
        }
    }
    out
}

fn parse_enums<T: std::str::FromStr<Err = UnknownValue>>(
    field: &str,
    s: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for part in split_list(s) {
        match part.parse::<T>() {
            Ok(v) => out.push(v),
            Err(e) => errors.push(FieldError::new(field, "invalid", e.to_string())),
        }
    }
    out
}

/// Parses an instant: RFC 3339, or a bare date taken as the start of that day
/// (UTC), or its end when `end_of_day` (so `created_to=2026-11-22` includes the
/// whole 22nd).
pub fn parse_instant(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let d = if end_of_day { d.succ_opt()? } else { d };
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

fn parse_time(
    field: &str,
    s: &Option<String>,
    end: bool,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let s = s.as_deref()?.trim();
    if s.is_empty() {
        return None;
    }
    let t = parse_instant(s, end);
    if t.is_none() {
        errors.push(FieldError::new(
            field,
            "invalid",
            format!("'{s}' is not a date (YYYY-MM-DD) or RFC 3339 time"),
        ));
    }
    t
}

impl TicketQuery {
    /// Checks every parameter and names each bad one.
    pub fn parse(&self) -> Result<TicketFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut f = TicketFilter {
            status_ids: parse_ids("status", &self.status, &mut errors),
            categories: parse_enums("category", &self.category, &mut errors),
            priorities: parse_enums("priority", &self.priority, &mut errors),
            origin_group_ids: parse_ids("origin_group", &self.origin_group, &mut errors),
            type_ids: parse_ids("type", &self.ticket_type, &mut errors),
            sources: split_list(&self.source).map(str::to_lowercase).collect(),
            tags: split_list(&self.tags).map(normalize_tag).collect(),
            surveys: split_list(&self.survey).map(str::to_owned).collect(),
            score_min: self.score_min,
            score_max: self.score_max,
            created_from: parse_time("created_from", &self.created_from, false, &mut errors),
            created_to: parse_time("created_to", &self.created_to, true, &mut errors),
            updated_from: parse_time("updated_from", &self.updated_from, false, &mut errors),
            updated_to: parse_time("updated_to", &self.updated_to, true, &mut errors),
            overdue: self.overdue,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            limit: crate::limits::PAGE_DEFAULT,
            ..TicketFilter::default()
        };
        if self.owner.is_some() {
            let mut o = OwnerFilter::default();
            for part in split_list(&self.owner) {
                match part {
                    "me" => o.me = true,
                    "none" => o.none = true,
                    _ => match part.parse::<i64>() {
                        Ok(id) if id > 0 => o.ids.push(id),
                        _ => errors.push(FieldError::new(
                            "owner",
                            "invalid",
                            format!("'{part}' is not me, none or a user id"),
                        )),
                    },
                }
            }
            f.owner = Some(o);
        }
        for part in split_list(&self.group) {
            if part == "none" {
                f.group_none = true;
            } else {
                match part.parse::<i64>() {
                    Ok(id) if id > 0 => f.group_ids.push(id),
                    _ => errors.push(FieldError::new(
                        "group",
                        "invalid",
                        format!("'{part}' is not none or a group id"),
                    )),
                }
            }
        }
        for (field, v) in [("score_min", self.score_min), ("score_max", self.score_max)] {
            if v.is_some_and(|v| !(-1000..=1000).contains(&v)) {
                errors.push(FieldError::new(
                    field,
                    "out_of_range",
                    "a score is between -1000 and 1000",
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (self.score_min, self.score_max) {
            if lo > hi {
                errors.push(FieldError::new(
                    "score_max",
                    "out_of_range",
                    "score_max is below score_min",
                ));
            }
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > crate::limits::NAME_MAX {
                errors.push(FieldError::new(
                    "q",
                    "too_long",
                    "search text is at most 100 characters",
                ));
            }
            let digits = q.strip_prefix('#').unwrap_or(q);
            f.text = Some(if let Ok(n) = digits.parse::<i64>() {
                TextQuery::Number(n, q.to_owned())
            } else if q.contains('@') {
                TextQuery::Email(q.to_lowercase())
            } else {
                let terms = search_terms(q);
                if terms.is_empty() {
                    errors.push(FieldError::new(
                        "q",
                        "invalid",
                        "search for words, a ticket number or an email",
                    ));
                }
                TextQuery::Words(terms)
            });
        }
        if let Some(s) = self.sort.as_deref().filter(|s| !s.is_empty()) {
            match s.parse() {
                Ok(k) => f.sort = k,
                Err(e) => errors.push(FieldError::new("sort", "invalid", e.to_string())),
            }
        }
        f.dir = SortDir::Desc;
        if let Some(s) = self.order.as_deref().filter(|s| !s.is_empty()) {
            match s.parse() {
                Ok(d) => f.dir = d,
                Err(e) => errors.push(FieldError::new("order", "invalid", e.to_string())),
            }
        }
        if let Some(l) = self.limit {
            if !(1..=crate::limits::PAGE_MAX).contains(&l) {
                errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    "limit must be between 1 and 200",
                ));
            } else {
                f.limit = l;
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }
}

// The enums come from `string_enum!`, which cannot take `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for SortKey {
    fn default() -> Self {
        SortKey::Created
    }
}

#[allow(clippy::derivable_impls)]
impl Default for SortDir {
    fn default() -> Self {
        SortDir::Desc
    }
}

/// Tags are case-insensitive and trimmed: `VIP ` and `vip` are one tag.
pub fn normalize_tag(t: &str) -> String {
    t.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_tells_absent_from_null_from_value() {
        let u: UpdateTicket = serde_json::from_str(r#"{"owner_id": null, "group_id": 3}"#).unwrap();
        assert_eq!(u.owner_id, Some(None));
        assert_eq!(u.group_id, Some(Some(3)));
        assert_eq!(u.type_id, None);
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({"owner_id": null, "group_id": 3})
        );
    }

    #[test]
    fn a_comment_alone_changes_nothing() {
        let u = UpdateTicket {
            comment: Some(CommentInput {
                body: "hi".into(),
                internal: false,
            }),
            ..Default::default()
        };
        assert!(u.changes_nothing());
        assert!(!UpdateTicket {
            priority: Some(Priority::High),
            ..Default::default()
        }
        .changes_nothing());
    }

    #[test]
    fn ticket_query_parses_every_filter() {
        let q = TicketQuery {
            status: Some("1, 2".into()),
            owner: Some("me,none,7".into()),
            group: Some("none,4".into()),
            q: Some("#1042".into()),
            sort: Some("priority".into()),
            order: Some("asc".into()),
            created_to: Some("2026-11-22".into()),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!(f.status_ids, vec![1, 2]);
        assert_eq!(
            f.owner,
            Some(OwnerFilter {
                me: true,
                none: true,
                ids: vec![7]
            })
        );
        assert!(f.group_none);
        assert_eq!(f.group_ids, vec![4]);
        assert_eq!(f.text, Some(TextQuery::Number(1042, "#1042".into())));
        assert_eq!((f.sort, f.dir), (SortKey::Priority, SortDir::Asc));
        assert_eq!(
            f.created_to.unwrap().to_rfc3339(),
            "2026-11-23T00:00:00+00:00"
        );
    }

    #[test]
    fn ticket_query_names_every_bad_parameter() {
        let q = TicketQuery {
            status: Some("x".into()),
            priority: Some("urgent".into()),
            limit: Some(1000),
            created_from: Some("yesterday".into()),
            ..Default::default()
        };
        let fields: Vec<_> = q
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["status", "priority", "created_from", "limit"]);
    }
}

/// Query string of list endpoints that only page (`cursor`, `limit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The page size, or the field error for a bad one.
    pub fn limit(&self) -> Result<i64, FieldError> {
        match self.limit {
            None => Ok(crate::limits::PAGE_DEFAULT),
            Some(l) if (1..=crate::limits::PAGE_MAX).contains(&l) => Ok(l),
            Some(_) => Err(FieldError::new(
                "limit",
                "out_of_range",
                "limit must be between 1 and 200",
            )),
        }
    }
}

/// A job of the durable queue, as admins see it (`GET /admin/jobs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Job {
    pub id: i64,
    /// What it does, e.g. `ticket.reopen_snoozed`, `idempotency.expire`.
    pub kind: String,
    /// `queued`, `running`, `done` or `dead` (failed `max_attempts` times).
    pub state: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// Names a logical job (one per snoozed ticket, one per periodic task).
    pub unique_key: Option<String>,
    /// When it runs next (queued) or last became due.
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    /// While running: when its claim runs out and another worker may take it.
    pub locked_until: Option<DateTime<Utc>>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobPage {
    /// Newest first.
    pub items: Vec<Job>,
    pub next_cursor: Option<String>,
}

/// Filters of `GET /admin/jobs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct JobQuery {
    /// `queued`, `running`, `done` or `dead`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}
