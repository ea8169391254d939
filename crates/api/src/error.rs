//! Every error the API answers with, and how each becomes an RFC 9457
//! `application/problem+json` response. Handlers return `Result<_, ApiError>`;
//! nothing else writes error bodies.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use lazo_domain::wire::{FieldError, Problem};
use lazo_service::ServiceError;
use lazo_storage::StorageError;
use std::fmt;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, bad query string).
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 401: no credentials, or credentials that are wrong, expired or revoked.
    Unauthenticated(&'static str),
    /// 401 from the login call: the email and password do not match (a
    /// client tells this apart from an ended session by the code).
    InvalidCredentials,
    /// 403: authenticated, but the role or token scope does not allow this.
    Forbidden(String),
    /// 404: no such resource, or one the caller may not see (never 403, so
    /// existence does not leak).
    NotFound(&'static str),
    /// 405: the path exists with other methods.
    MethodNotAllowed { allow: Vec<&'static str> },
    /// 409: conflicts with existing data (e.g. a duplicate email).
    Conflict {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 412: `If-Match` names a version that is no longer current.
    Stale { current_version: i64 },
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 413: an uploaded file over the attachment limit, named.
    FileTooLarge {
        index: usize,
        filename: String,
        max_bytes: u64,
    },
    /// 415 from an endpoint that takes another type than JSON.
    MediaTypeExpected(&'static str),
    /// 415: body that is not JSON.
    UnsupportedMediaType,
    /// 422: well-formed but invalid, or refused by a ticket rule; `errors`
    /// names every failing field.
    Unprocessable {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 428: a write that must carry `If-Match` did not.
    PreconditionRequired,
    /// 429: slow down; `retry_after` in seconds.
    TooManyRequests { retry_after: u64 },
    /// 500: the cause is logged once, never sent.
    Internal(String),
    /// 503: the database does not answer (readiness).
    Unavailable,
}

impl ApiError {
    /// A 500. The cause keeps the error's display and its debug form, which
    /// for diesel, r2d2 and actix errors carries the nested causes too.
    pub fn internal(e: impl fmt::Display + fmt::Debug) -> ApiError {
        ServiceError::internal(e).into()
    }

    /// A 422 for input that breaks field validation.
    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        ServiceError::invalid(errors).into()
    }

    /// A 422 for a ticket rule (the rule's code when one rule failed).
    pub fn rules(errors: Vec<FieldError>) -> ApiError {
        ServiceError::rules(errors).into()
    }

    /// A 409 for a unique value already in use.
    pub fn taken(code: &'static str, field: &str, message: &str) -> ApiError {
        ServiceError::taken(code, field, message).into()
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ServiceError::field(field, code, message).into()
    }

    pub fn problem(&self) -> Problem {
        let (code, title, detail, errors): (&str, &str, Option<String>, Vec<FieldError>) = match self {
            ApiError::BadRequest { code, detail, errors } => (code, "Bad request", Some(detail.clone()), errors.clone()),
            ApiError::Unauthenticated(why) => ("unauthenticated", "Authentication required", Some((*why).to_owned()), vec![]),
            ApiError::InvalidCredentials => ("invalid_credentials", "Wrong email or password", Some("wrong email or password".into()), vec![]),
            ApiError::Forbidden(why) => ("forbidden", "Not allowed", Some(why.clone()), vec![]),
            ApiError::NotFound(what) => ("not_found", "Not found", Some(format!("no such {what}")), vec![]),
            ApiError::MethodNotAllowed { allow } => {
                ("method_not_allowed", "Method not allowed", Some(format!("allowed: {}", allow.join(", "))), vec![])
            }
            ApiError::Conflict { code, detail, errors } => (code, "Conflict", Some(detail.clone()), errors.clone()),
            ApiError::Stale { current_version } => (
                "stale",
                "Precondition failed",
                Some(format!("the ticket changed meanwhile (now version {current_version}); reload it and retry")),
                vec![],
            ),
            ApiError::PayloadTooLarge => (
                "payload_too_large",
                "Payload too large",
                Some(format!(
                    "request bodies are at most {} bytes (survey responses {}, batches of them {})",
                    lazo_domain::limits::BODY_MAX_BYTES,
                    lazo_domain::limits::RESPONSE_BODY_MAX_BYTES,
                    lazo_domain::limits::RESPONSES_BATCH_BODY_MAX_BYTES
                )),
                vec![],
            ),
            ApiError::FileTooLarge { index, filename, max_bytes } => (
                "payload_too_large",
                "Payload too large",
                Some(format!("{filename}: files are at most {max_bytes} bytes")),
                vec![FieldError::new(
                    format!("files[{index}]"),
                    "payload_too_large",
                    format!("{filename} is larger than {max_bytes} bytes"),
                )],
            ),
            ApiError::UnsupportedMediaType => {
                ("unsupported_media_type", "Unsupported media type", Some("send Content-Type: application/json".into()), vec![])
            }
            ApiError::MediaTypeExpected(expected) => {
                ("unsupported_media_type", "Unsupported media type", Some(format!("send Content-Type: {expected}")), vec![])
            }
            ApiError::Unprocessable { code, detail, errors } => (code, "Unprocessable content", Some(detail.clone()), errors.clone()),
            ApiError::PreconditionRequired => {
                ("precondition_required", "Precondition required", Some("send If-Match with the ETag you read".into()), vec![])
            }
            ApiError::TooManyRequests { retry_after } => {
                ("rate_limited", "Too many requests", Some(format!("retry after {retry_after} seconds")), vec![])
            }
            ApiError::Internal(_) => ("internal", "Internal server error", None, vec![]),
            ApiError::Unavailable => ("unavailable", "Service unavailable", Some("the database is not reachable".into()), vec![]),
        };
        Problem {
            type_: format!("urn:lazo:problem:{}", code.replace('_', "-")),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            code: code.to_owned(),
            errors,
            request_id: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.problem();
        write!(f, "{} {}", p.status, p.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge | ApiError::FileTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UnsupportedMediaType | ApiError::MediaTypeExpected(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(PROBLEM_JSON);
        match self {
            ApiError::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        let mut res = res.json(self.problem());
        if let ApiError::Internal(cause) = self {
            // The client gets an opaque body; the request log writes the
            // cause once, with the request id (see `request_log`).
            res.extensions_mut().insert(InternalCause(cause.clone()));
        }
        res
    }
}

/// The cause of a 500, carried on the response to the request log.
#[derive(Debug, Clone)]
pub struct InternalCause(pub String);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadRequest {
                code,
                detail,
                errors,
            } => ApiError::BadRequest {
                code,
                detail,
                errors,
            },
            ServiceError::Unauthenticated(why) => ApiError::Unauthenticated(why),
            ServiceError::Forbidden(why) => ApiError::Forbidden(why),
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Conflict {
                code,
                detail,
                errors,
            } => ApiError::Conflict {
                code,
                detail,
                errors,
            },
            ServiceError::Stale { current_version } => ApiError::Stale { current_version },
            ServiceError::Unprocessable {
                code,
                detail,
                errors,
            } => ApiError::Unprocessable {
                code,
                detail,
                errors,
            },
            ServiceError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::from(e).into()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        ServiceError::from(e).into()
    }
}
