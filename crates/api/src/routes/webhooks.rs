//! Webhook endpoints (admins): subscribe a URL to event kinds, read its
//! delivery log, replay a delivery. Deliveries themselves are made by the job
//! runner (`lazo_service::webhooks`).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use lazo_domain::webhook::{
    NewWebhookEndpoint, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryPage,
    WebhookDeliveryQuery, WebhookEndpoint, WebhookEndpointList, WebhookEndpointPatch,
    WebhookEndpointWithSecret,
};
use lazo_domain::wire::{FieldError, PageQuery};
use lazo_service::webhooks as hooks;
use lazo_storage::webhooks as store;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, JsonBody, QueryParams};
use crate::state::AppState;

/// Every webhook endpoint.
#[utoipa::path(operation_id = "listWebhookEndpoints", tag = "webhooks", responses((status = 200, body = WebhookEndpointList)))]
#[get("/webhooks")]
pub async fn list(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    let p = who.0.clone();
    let items = state
        .db
        .read(move |c| Ok(hooks::list_endpoints(c, &p)?))
        .await?;
    Ok(HttpResponse::Ok().json(WebhookEndpointList { items }))
}

/// Subscribe a URL to event kinds. The answer carries the signing secret,
/// shown this once. URLs into loopback, private or link-local networks are
/// refused (422 `url_not_allowed`) unless the server allows them.
#[utoipa::path(operation_id = "createWebhookEndpoint", tag = "webhooks", request_body(content = NewWebhookEndpoint, example = json!({"url": "https://example.com/lazo-hook", "description": "CRM sync", "event_types": ["ticket.created", "ticket.updated"]})), responses((status = 201, body = WebhookEndpointWithSecret)))]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<NewWebhookEndpoint>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let p = who.0.clone();
    let allow = state.config.webhook_allow_private;
    let body = body.value;
    let created = state
        .db
        .write(move |c| Ok(hooks::create_endpoint(c, &p, &body, allow)?))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/webhooks/{}", created.endpoint.id),
        ))
        .json(created))
}

/// One webhook endpoint (without its secret).
#[utoipa::path(operation_id = "getWebhookEndpoint", tag = "webhooks", params(("id" = i64, Path)), responses((status = 200, body = WebhookEndpoint)))]
#[get("/webhooks/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (p, id) = (who.0.clone(), id.into_inner());
    let ep = state
        .db
        .read(move |c| Ok(hooks::get_endpoint(c, &p, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(ep))
}

/// Change an endpoint's URL, description, event kinds, or enable/disable
/// it (enabling clears the reason it was disabled).
#[utoipa::path(operation_id = "updateWebhookEndpoint", tag = "webhooks", params(("id" = i64, Path)), request_body(content = WebhookEndpointPatch, example = json!({"enabled": true})), responses((status = 200, body = WebhookEndpoint)))]
#[patch("/webhooks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<WebhookEndpointPatch>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let (p, id, body) = (who.0.clone(), id.into_inner(), body.value);
    let allow = state.config.webhook_allow_private;
    let ep = state
        .db
        .write(move |c| Ok(hooks::update_endpoint(c, &p, id, &body, allow)?))
        .await?;
    Ok(HttpResponse::Ok().json(ep))
}

/// Delete an endpoint with its delivery log.
#[utoipa::path(operation_id = "deleteWebhookEndpoint", tag = "webhooks", params(("id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (p, id) = (who.0.clone(), id.into_inner());
    state
        .db
        .write(move |c| Ok(hooks::delete_endpoint(c, &p, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret, shown this once. The previous secret keeps signing
/// beside it (two signatures per message) for 24 hours.
#[utoipa::path(operation_id = "rotateWebhookSecret", tag = "webhooks", params(("id" = i64, Path)), responses((status = 200, body = WebhookEndpointWithSecret)))]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (p, id) = (who.0.clone(), id.into_inner());
    let out = state
        .db
        .write(move |c| Ok(hooks::rotate_secret(c, &p, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

const STATES: [&str; 3] = ["pending", "succeeded", "failed"];

/// An endpoint's deliveries, newest first, by state.
#[utoipa::path(operation_id = "listWebhookDeliveries", tag = "webhooks", params(("id" = i64, Path), WebhookDeliveryQuery), responses((status = 200, body = WebhookDeliveryPage)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    q: QueryParams<WebhookDeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let (p, id, q) = (who.0.clone(), id.into_inner(), q.0);
    if let Some(s) = q.state.as_deref().filter(|s| !STATES.contains(s)) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("unknown delivery state {s:?}"),
            errors: vec![FieldError::new(
                "state",
                "invalid",
                "one of pending, succeeded, failed",
            )],
        });
    }
    let (limit, before) = id_page(&PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    })?;
    let page = state
        .db
        .read(move |c| {
            hooks::get_endpoint(c, &p, id)?;
            let mut rows = store::deliveries(c, id, q.state.as_deref(), before, limit + 1)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.id);
            Ok(WebhookDeliveryPage {
                items: rows.into_iter().map(hooks::to_delivery).collect(),
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One delivery with its attempt log (status, latency, the start of the
/// receiver's answer, or the error).
#[utoipa::path(operation_id = "getWebhookDelivery", tag = "webhooks", params(("id" = i64, Path), ("delivery_id" = i64, Path)), responses((status = 200, body = WebhookDeliveryDetail)))]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn delivery(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let (id, did) = path.into_inner();
    let out = state
        .db
        .read(move |c| {
            let d = store::delivery(c, did)?
                .filter(|d| d.endpoint_id == id)
                .ok_or(ApiError::NotFound("webhook delivery"))?;
            let attempt_log = store::attempts(c, did)?
                .into_iter()
                .map(hooks::to_attempt)
                .collect();
            Ok(WebhookDeliveryDetail {
                delivery: hooks::to_delivery(d),
                attempt_log,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Send a delivery again with the same `webhook-id` (receivers deduplicate
/// by it), from a fresh retry schedule.
#[utoipa::path(operation_id = "replayWebhookDelivery", tag = "webhooks", params(("id" = i64, Path), ("delivery_id" = i64, Path)), responses((status = 200, body = WebhookDelivery)))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/replay")]
pub async fn replay(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let p = who.0.clone();
    let (id, did) = path.into_inner();
    let out = state
        .db
        .write(move |c| Ok(hooks::replay(c, &p, id, did)?))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
