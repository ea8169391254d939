//! The change feed: every event the caller may see, in commit order, so an
//! integrator catches up after downtime without webhooks.

use actix_web::{get, web, HttpResponse};
use lazo_domain::webhook::{ChangeFeedPage, ChangeFeedQuery};
use lazo_domain::wire::FieldError;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Events after a cursor, oldest first, in commit order: a page never skips
/// an event that a slower transaction commits later (docs/API.md, "Change
/// feed"). Poll with the returned `next_cursor`.
#[utoipa::path(operation_id = "listEvents", tag = "events", params(ChangeFeedQuery), responses((status = 200, body = ChangeFeedPage)))]
#[get("/events")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    q: QueryParams<ChangeFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.0;
    let after = match q.after.as_deref() {
        None => 0,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0 && s.len() <= 20)
            .ok_or_else(|| ApiError::BadRequest {
                code: "invalid_cursor",
                detail: "`after` is not a cursor of this feed".into(),
                errors: vec![FieldError::new(
                    "after",
                    "invalid",
                    "a next_cursor from this feed",
                )],
            })?,
    };
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                detail: "limit must be between 1 and 1000".into(),
                errors: vec![FieldError::new("limit", "out_of_range", "1 to 1000")],
            })
        }
    };
    let p = who.0.clone();
    let page = state
        .db
        .read(move |c| Ok(lazo_service::webhooks::feed(c, &p, after, limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
