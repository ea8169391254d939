use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(operation_id = "getHealth", tag = "health", security(()), responses((status = 200, description = "Alive")))]
#[get("/api/health")]
pub async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the database answers a query.
#[utoipa::path(operation_id = "getReadiness", tag = "health", security(()), responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "The database is unreachable", body = lazo_domain::wire::Problem, content_type = "application/problem+json"),
))]
#[get("/api/ready")]
pub async fn readiness(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .read(|c| {
            c.batch_execute("SELECT 1")
                .map_err(|_| ApiError::Unavailable)
        })
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
