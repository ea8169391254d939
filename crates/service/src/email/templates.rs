//! Email templates: CRUD over `email_templates` and rendering with
//! minijinja. Undefined placeholders are errors (strict mode), so a typo
//! such as `{{ contact.nmae }}` is refused when the template is saved, not
//! mailed to a customer as an empty string.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use lazo_domain::email::{CreateEmailTemplate, EmailTemplate, UpdateEmailTemplate, TEMPLATE_MAX};
use lazo_domain::limits::NAME_MAX;
use lazo_domain::rules::{check_line, check_text};
use lazo_domain::wire::FieldError;
use lazo_domain::{ErrorCode, Language};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::ServiceError;
use lazo_storage::schema::email_templates;
use lazo_storage::{now, utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_templates)]
pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TemplateRow {
    pub fn wire(self) -> EmailTemplate {
        EmailTemplate {
            id: self.id,
            language: self.language.parse().unwrap_or(Language::En),
            name: self.name,
            subject: self.subject,
            body: self.body,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        }
    }
}

/// What a template can refer to.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub ticket: TicketVars,
    pub contact: ContactVars,
    pub agent: AgentVars,
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketVars {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub status: String,
    pub priority: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactVars {
    /// The contact's name, else their address, else empty.
    pub name: String,
    pub email: String,
    pub language: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentVars {
    pub name: String,
    pub email: String,
}

impl Context {
    /// A context with every variable set, to check a template's placeholders
    /// when it is saved.
    pub fn sample() -> Context {
        Context {
            ticket: TicketVars {
                id: 1,
                number: 1042,
                subject: "Late delivery".into(),
                description: "The parcel arrived a week late.".into(),
                status: "Open".into(),
                priority: "high".into(),
            },
            contact: ContactVars {
                name: "Ada Customer".into(),
                email: "ada@example.com".into(),
                language: "en".into(),
            },
            agent: AgentVars {
                name: "Lucía Agent".into(),
                email: "lucia@example.com".into(),
            },
        }
    }
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Plain-text email: nothing is HTML-escaped.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// Renders template source `src` over `ctx`.
pub fn render(src: &str, ctx: &Context) -> Result<String, minijinja::Error> {
    env().render_str(src, ctx)
}

/// The problem with a template's `subject` and `body`: they must parse and
/// render over the sample context (every placeholder known).
fn check_sources(fields: &[(&str, &str)], errors: &mut Vec<FieldError>) {
    let sample = Context::sample();
    for (field, src) in fields {
        if let Err(e) = render(src, &sample) {
            errors.push(FieldError::new(
                *field,
                ErrorCode::Invalid.as_str(),
                format!("not a valid template: {e}"),
            ));
        }
    }
}

fn validate(
    name: Option<&str>,
    subject: Option<&str>,
    body: Option<&str>,
) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    if let Some(n) = name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    for (field, v) in [("subject", subject), ("body", body)] {
        if let Some(v) = v {
            if v.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    ErrorCode::Required,
                    "must not be blank",
                ));
            }
            check_text(field, v, TEMPLATE_MAX, &mut errors);
        }
    }
    if errors.is_empty() {
        let srcs: Vec<(&str, &str)> = [("subject", subject), ("body", body)]
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v)))
            .collect();
        check_sources(&srcs, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid(errors))
    }
}

/// A (name, language) pair already in use: 409 naming the field.
fn taken_or(e: DieselError) -> ServiceError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ServiceError::taken(
            ErrorCode::NameTaken.as_str(),
            "name",
            "another template has this name in this language",
        ),
        other => other.into(),
    }
}

pub fn list(c: &mut DbConn) -> Result<Vec<EmailTemplate>, ServiceError> {
    Ok(email_templates::table
        .order((email_templates::name, email_templates::language))
        .select(TemplateRow::as_select())
        .load(c)?
        .into_iter()
        .map(TemplateRow::wire)
        .collect())
}

pub fn find(c: &mut DbConn, id: i64) -> Result<TemplateRow, ServiceError> {
    email_templates::table
        .find(id)
        .select(TemplateRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ServiceError::NotFound("email template"))
}

pub fn create(c: &mut DbConn, input: &CreateEmailTemplate) -> Result<EmailTemplate, ServiceError> {
    validate(Some(&input.name), Some(&input.subject), Some(&input.body))?;
    let t = now();
    let id: i64 = diesel::insert_into(email_templates::table)
        .values((
            email_templates::name.eq(input.name.trim()),
            email_templates::language.eq(input.language.unwrap_or(Language::En).as_str()),
            email_templates::subject.eq(&input.subject),
            email_templates::body.eq(&input.body),
            email_templates::created_at.eq(t),
            email_templates::updated_at.eq(t),
        ))
        .returning(email_templates::id)
        .get_result(c)
        .map_err(taken_or)?;
    Ok(find(c, id)?.wire())
}

#[derive(AsChangeset)]
#[diesel(table_name = email_templates)]
struct Changes<'a> {
    name: Option<&'a str>,
    language: Option<&'static str>,
    subject: Option<&'a str>,
    body: Option<&'a str>,
    updated_at: NaiveDateTime,
}

pub fn update(
    c: &mut DbConn,
    id: i64,
    input: &UpdateEmailTemplate,
) -> Result<EmailTemplate, ServiceError> {
    validate(
        input.name.as_deref(),
        input.subject.as_deref(),
        input.body.as_deref(),
    )?;
    find(c, id)?;
    diesel::update(email_templates::table.find(id))
        .set(Changes {
            name: input.name.as_deref().map(str::trim),
            language: input.language.map(Language::as_str),
            subject: input.subject.as_deref(),
            body: input.body.as_deref(),
            updated_at: now(),
        })
        .execute(c)
        .map_err(taken_or)?;
    Ok(find(c, id)?.wire())
}

pub fn delete(c: &mut DbConn, id: i64) -> Result<(), ServiceError> {
    // Emails sent from it keep their text; their template_id becomes NULL.
    let n = diesel::delete(email_templates::table.find(id)).execute(c)?;
    if n == 0 {
        return Err(ServiceError::NotFound("email template"));
    }
    Ok(())
}

/// The variant of template `id` to use for a reader of `language`: the
/// same name in that language, else in English, else the one asked for.
pub fn variant(c: &mut DbConn, id: i64, language: &str) -> Result<TemplateRow, ServiceError> {
    let asked = find(c, id)?;
    if asked.language == language {
        return Ok(asked);
    }
    let siblings: Vec<TemplateRow> = email_templates::table
        .filter(email_templates::name.eq(&asked.name))
        .select(TemplateRow::as_select())
        .load(c)?;
    let pick = |lang: &str| siblings.iter().find(|t| t.language == lang).cloned();
    Ok(pick(language)
        .or_else(|| pick(Language::En.as_str()))
        .unwrap_or(asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders_and_refuses_unknown_ones() {
        let ctx = Context::sample();
        assert_eq!(
            render("#{{ ticket.number }} for {{ contact.name }}", &ctx).unwrap(),
            "#1042 for Ada Customer"
        );
        assert!(render("{{ contact.nmae }}", &ctx).is_err());
        assert!(render("{% if %}", &ctx).is_err());
        // Plain text: no HTML escaping.
        let mut ctx = ctx;
        ctx.contact.name = "A & B <x>".into();
        assert_eq!(render("{{ contact.name }}", &ctx).unwrap(), "A & B <x>");
    }
}
