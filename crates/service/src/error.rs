//! What the services fail with. No HTTP here: the API maps each variant to
//! its status and problem document (`ApiError: From<ServiceError>`).

use lazo_domain::wire::FieldError;
use lazo_domain::ErrorCode;
use lazo_storage::{StorageError, Unique};
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request cannot be read (a bad query or cursor).
    #[error("bad request ({code}): {detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Credentials that are wrong, expired or revoked.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// The role or token scope does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such thing, or one the caller may not see (existence never leaks).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// Conflicts with existing data (a duplicate name, a state that forbids it).
    #[error("conflict ({code}): {detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// The version the change was based on is no longer current.
    #[error("stale: now version {current_version}")]
    Stale { current_version: i64 },
    /// Well-formed but invalid, or refused by a ticket rule.
    #[error("unprocessable ({code}): {detail}")]
    Unprocessable {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Our fault; the cause is for the log only.
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    /// An internal error. The cause keeps the error's display and its debug
    /// form, which for diesel and r2d2 errors carries the nested causes too.
    pub fn internal(e: impl fmt::Display + fmt::Debug) -> ServiceError {
        let (shown, debug) = (e.to_string(), format!("{e:?}"));
        if debug.trim_matches('"') == shown {
            ServiceError::Internal(shown)
        } else {
            ServiceError::Internal(format!("{shown} ({debug})"))
        }
    }

    /// Input that breaks field validation.
    pub fn invalid(errors: Vec<FieldError>) -> ServiceError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ServiceError::Unprocessable {
            code: ErrorCode::ValidationFailed.as_str(),
            detail,
            errors,
        }
    }

    /// A ticket rule refused the change; the `code` is the rule's code when
    /// one rule failed, so clients can react to it directly.
    pub fn rules(errors: Vec<FieldError>) -> ServiceError {
        let mut e = ServiceError::invalid(errors);
        if let ServiceError::Unprocessable { code, errors, .. } = &mut e {
            let first = errors[0].code.as_str();
            if errors.iter().all(|x| x.code == first) {
                *code = rule_code(first);
            }
        }
        e
    }

    /// A unique value already in use, e.g. `taken(ErrorCode::NameTaken.as_str(), "name",
    /// "another group has this name")`.
    pub fn taken(code: &'static str, field: &str, message: &str) -> ServiceError {
        ServiceError::Conflict {
            code,
            detail: message.to_owned(),
            errors: vec![FieldError::new(field, ErrorCode::Taken, message)],
        }
    }

    /// A link between two tickets that exists already (409 `link_exists`,
    /// on the field `ticket`).
    pub fn link_exists(message: &str) -> ServiceError {
        ServiceError::Conflict {
            code: ErrorCode::LinkExists.as_str(),
            detail: message.to_owned(),
            errors: vec![FieldError::new("ticket", ErrorCode::LinkExists, message)],
        }
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::invalid(vec![FieldError::new(field, code, message)])
    }
}

/// Field errors carry their code as text (the wire type is shared with the
/// SPA); the problem's code is the rule's when it is one of the known rules.
fn rule_code(code: &str) -> &'static str {
    match code.parse::<ErrorCode>() {
        Ok(c) if c.is_rule() => c.as_str(),
        _ => ErrorCode::ValidationFailed.as_str(),
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        // Through storage, so a unique violation is named by its key whether
        // it came from a storage function or a query written here.
        StorageError::from(e).into()
    }
}

impl From<StorageError> for ServiceError {
    fn from(e: StorageError) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            StorageError::Conflict(key) => taken(key),
            // Lookups of what the caller named answer NotFound themselves; a
            // row missing below that is our inconsistency, not the caller's.
            StorageError::Query(Error::NotFound) => {
                ServiceError::internal("a row the request depends on is missing")
            }
            StorageError::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                ServiceError::Conflict {
                    code: ErrorCode::Conflict.as_str(),
                    detail: format!(
                        "already exists ({})",
                        info.constraint_name()
                            .or(info.table_name())
                            .unwrap_or("unique key")
                    ),
                    errors: vec![],
                }
            }
            StorageError::Query(Error::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation,
                _,
            )) => ServiceError::Conflict {
                code: ErrorCode::InUse.as_str(),
                detail: "another record refers to this one".into(),
                errors: vec![],
            },
            other => ServiceError::internal(other),
        }
    }
}

/// The answer to a unique key already in use: the code, field and message
/// clients have always had for it.
fn taken(key: Unique) -> ServiceError {
    let (code, field, message) = match key {
        Unique::UserEmail => (
            ErrorCode::EmailTaken.as_str(),
            "email",
            "another user has this email",
        ),
        Unique::GroupName => (
            ErrorCode::NameTaken.as_str(),
            "name",
            "another group has this name",
        ),
        Unique::StatusName => (
            ErrorCode::NameTaken.as_str(),
            "name",
            "another status has this name",
        ),
        Unique::TicketTypeName => (
            ErrorCode::NameTaken.as_str(),
            "name",
            "another ticket type has this name",
        ),
        Unique::RootCauseName => (
            ErrorCode::NameTaken.as_str(),
            "root_causes",
            "another root cause of this type has this name",
        ),
        Unique::ContactEmail => (
            ErrorCode::EmailTaken.as_str(),
            "email",
            "another contact has this email",
        ),
        Unique::ContactExternalRef => (
            ErrorCode::ExternalRefTaken.as_str(),
            "external_ref",
            "another contact has this external reference",
        ),
        Unique::SurveyResponseExternalId => (
            ErrorCode::DuplicateResponse.as_str(),
            "external_id",
            "a different response with this external id was already received",
        ),
        // Not a value someone else "took": the field says what is wrong.
        Unique::TicketLink => {
            return ServiceError::link_exists("these tickets are already linked so")
        }
        Unique::TicketMergedOnce => {
            return ServiceError::Conflict {
                code: ErrorCode::AlreadyMerged.as_str(),
                detail: "this ticket was merged already".into(),
                errors: vec![],
            }
        }
    };
    ServiceError::taken(code, field, message)
}
