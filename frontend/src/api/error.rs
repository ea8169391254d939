pub use crate::i18n::field_message;
use crate::i18n::{fill, problem_code, ticket_refs, with_refs, Lang, T};
use lazo_domain::wire::{FieldError, Problem};

/// Why an API call failed, in the terms the UI reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401 on a signed-in call: the session expired or was revoked; the app
    /// goes back to the login page, remembering where the person was.
    Unauthorized,
    /// 404: missing, or invisible to the caller (the API never says which).
    NotFound,
    /// 412: the ticket changed since it was loaded; reload and redo.
    Stale,
    /// 429: wait this many seconds (when the server said).
    RateLimited { retry_after: Option<u64> },
    /// Any other answer with a problem document: validation and rule errors
    /// (422, with `errors` naming fields), 403, 409, 5xx...
    Problem(Problem),
    /// The request got no answer (server down, network gone).
    Network(String),
    /// An answer outside the contract (undecodable body, non-problem error).
    Unexpected(String),
}

impl ApiError {
    pub fn from_status(status: u16, problem: Option<Problem>, retry_after: Option<u64>) -> Self {
        match (status, problem) {
            // A 401 carrying a specific code (e.g. `invalid_credentials` on
            // login) is a message, not the end of a session.
            (401, Some(p)) if p.code != "unauthorized" && p.code != "unauthenticated" => {
                ApiError::Problem(p)
            }
            (401, _) => ApiError::Unauthorized,
            (404, _) => ApiError::NotFound,
            (412, _) => ApiError::Stale,
            (429, _) => ApiError::RateLimited { retry_after },
            (_, Some(p)) => ApiError::Problem(p),
            (s, None) => ApiError::Unexpected(format!("HTTP {s}")),
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// Field errors of a validation or rule refusal.
    pub fn field_errors(&self) -> &[FieldError] {
        self.problem().map(|p| p.errors.as_slice()).unwrap_or(&[])
    }

    /// Plain words for a person, in their language. Known codes are
    /// translated; others show the server's human text.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Unauthorized => T::SessionExpired.get(lang).to_owned(),
            ApiError::NotFound => T::ErrNotFound.get(lang).to_owned(),
            ApiError::Stale => T::ErrStale.get(lang).to_owned(),
            ApiError::RateLimited { retry_after } => fill(
                lang,
                T::ErrRateLimited,
                &[("n", &retry_after.unwrap_or(30).to_string())],
            ),
            ApiError::Network(_) => T::ErrNetwork.get(lang).to_owned(),
            ApiError::Unexpected(_) => T::ErrUnexpected.get(lang).to_owned(),
            ApiError::Problem(p) => {
                if p.status >= 500 {
                    return T::ErrServer.get(lang).to_owned();
                }
                // One field error: say it. Several: the per-field messages
                // sit next to their fields; the banner says to look there.
                if p.errors.len() == 1 {
                    // "Taken" says less than the problem's own code
                    // (`name_taken`, `email_taken`...).
                    if let (true, Some(t)) = (p.errors[0].code == "taken", problem_code(&p.code)) {
                        if lang != Lang::En {
                            return t.get(lang).to_owned();
                        }
                    }
                    return field_message(&p.errors[0], lang);
                }
                if !p.errors.is_empty() {
                    return T::FixErrors.get(lang).to_owned();
                }
                if let Some(t) = problem_code(&p.code) {
                    let refs = p.detail.as_deref().map(ticket_refs).unwrap_or_default();
                    return with_refs(t.get(lang), &refs);
                }
                if p.status == 403 {
                    return T::ErrForbidden.get(lang).to_owned();
                }
                p.detail.clone().unwrap_or_else(|| p.title.clone())
            }
        }
    }
}
