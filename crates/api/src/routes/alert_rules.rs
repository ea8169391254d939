//! Alert rules (admins and ticket admins): which survey responses become
//! tickets. Evaluated in order of `position`, then id.

use actix_web::{delete, get, post, put, web, HttpResponse};
use lazo_domain::feedback::{AlertRule, AlertRuleInput, AlertRuleTest, SurveyResponseInput};
use lazo_domain::limits::RESPONSE_BODY_MAX_BYTES;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::alert_rules;

/// Every alert rule, in evaluation order.
#[utoipa::path(operation_id = "listAlertRules", tag = "intake", responses((status = 200, body = Vec<AlertRule>)))]
#[get("/alert-rules")]
pub async fn list(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let rules = state.db.read(|c| Ok(alert_rules::list(c)?)).await?;
    Ok(HttpResponse::Ok().json(rules))
}

/// Create an alert rule.
#[utoipa::path(operation_id = "createAlertRule", tag = "intake", request_body = AlertRuleInput, responses((status = 201, body = AlertRule)))]
#[post("/alert-rules")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<AlertRuleInput>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let rule = state
        .db
        .write(move |c| Ok(alert_rules::create(c, &input)?))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/alert-rules/{}", rule.id)))
        .json(rule))
}

/// One alert rule.
#[utoipa::path(operation_id = "getAlertRule", tag = "intake", params(("id" = i64, Path)), responses((status = 200, body = AlertRule)))]
#[get("/alert-rules/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let rule = state.db.read(move |c| Ok(alert_rules::get(c, id)?)).await?;
    Ok(HttpResponse::Ok().json(rule))
}

/// Replace an alert rule (fields left out take their defaults).
#[utoipa::path(operation_id = "replaceAlertRule", tag = "intake", params(("id" = i64, Path)), request_body = AlertRuleInput, responses((status = 200, body = AlertRule)))]
#[put("/alert-rules/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<AlertRuleInput>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let input = body.value;
    let rule = state
        .db
        .write(move |c| Ok(alert_rules::replace(c, id, &input)?))
        .await?;
    Ok(HttpResponse::Ok().json(rule))
}

/// Delete an alert rule.
#[utoipa::path(operation_id = "deleteAlertRule", tag = "intake", params(("id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/alert-rules/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    state
        .db
        .write(move |c| Ok(alert_rules::delete(c, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Test an alert rule against a sample response: whether it matches and the ticket it would create. Nothing is written.
#[utoipa::path(operation_id = "testAlertRule", tag = "intake", params(("id" = i64, Path)), request_body = SurveyResponseInput, responses((status = 200, body = AlertRuleTest)))]
#[post("/alert-rules/{id}/test")]
pub async fn test(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<SurveyResponseInput, RESPONSE_BODY_MAX_BYTES>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let sample = body.value;
    let result = state
        .db
        .read(move |c| Ok(alert_rules::test(c, id, &sample)?))
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
