//! Survey intake (integrators, scope `responses:write`) and the survey
//! response a ticket was created from.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use diesel::Connection;
use lazo_domain::feedback::{
    BatchItemResult, IntakeResult, ResponseBatch, ResponseBatchResult, SurveyResponse,
    SurveyResponseInput,
};
use lazo_domain::limits::{
    RESPONSES_BATCH_BODY_MAX_BYTES, RESPONSES_BATCH_MAX, RESPONSE_BODY_MAX_BYTES,
};
use lazo_domain::wire::{FieldError, Problem};
use sha2::{Digest, Sha256};

use crate::auth::{Caller, Principal};
use crate::error::ApiError;
use crate::extract::{idempotency_key, JsonBody};
use crate::idempotency;
use crate::state::AppState;
use lazo_service::{alert_rules, intake};

/// The fingerprint of a response's content: its canonical JSON, so the same
/// response sent with other spacing or key order is the same response.
fn content_hash(r: &SurveyResponseInput) -> Result<String, ApiError> {
    let canonical = serde_json::to_vec(r).map_err(ApiError::internal)?;
    Ok(hex::encode(Sha256::digest(canonical)))
}

fn replayed(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    res
}

async fn ingest_once(
    state: &AppState,
    who: Caller,
    key: Option<String>,
    hash: String,
    input: SurveyResponseInput,
) -> Result<(IntakeResult, bool), ApiError> {
    state
        .db
        .write(move |c| {
            let principal = who.key();
            if let Some(k) = &key {
                if let Some(body) = idempotency::stored(c, &principal, k, &hash)? {
                    let result = serde_json::from_str(&body).map_err(ApiError::internal)?;
                    return Ok((result, true));
                }
            }
            let rules = alert_rules::enabled(c)?;
            let done = intake::ingest(c, &who, &input, &hash, &rules)?;
            if let Some(k) = &key {
                let body = serde_json::to_string(&done.result).map_err(ApiError::internal)?;
                idempotency::remember(c, &principal, k, &hash, 201, &body)?;
            }
            Ok((done.result, done.replayed))
        })
        .await
}

/// Receive a survey response. It is stored with its respondent (a contact, found by external reference then email, or created) and evaluated against the alert rules in the same transaction; the tickets they create are in the answer. Sending the same `external_id` (or `Idempotency-Key`) again with the same content returns the first answer with `Idempotent-Replayed: true`; other content with the same `external_id` is a 409.
#[utoipa::path(
    operation_id = "createResponse",
    tag = "intake",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first result for 24 hours")),
    request_body = SurveyResponseInput,
    responses(
        (status = 201, description = "Stored (or the first answer again for a repeat)", body = IntakeResult, headers(
            ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer of an earlier identical request"),
        )),
        (status = 413, description = "The body is larger than 1 MiB", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/responses")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    body: JsonBody<SurveyResponseInput, RESPONSE_BODY_MAX_BYTES>,
) -> Result<HttpResponse, ApiError> {
    who.require_intake()?;
    let key = idempotency_key(&req)?;
    let input = body.value;
    let hash = content_hash(&input)?;
    let first = ingest_once(
        &state,
        who.clone(),
        key.clone(),
        hash.clone(),
        input.clone(),
    )
    .await;
    // Two deliveries of one response racing: the loser's insert of the
    // external id (or key) fails once the winner commits. Run it again, and
    // it now finds the winner's answer.
    let (result, again) = match first {
        Err(ApiError::Conflict { .. }) if key.is_some() || input.external_id.is_some() => {
            ingest_once(&state, who, key, hash, input).await?
        }
        other => other?,
    };
    let res = HttpResponse::Created().json(result);
    Ok(if again { replayed(res) } else { res })
}

/// The field paths of an item's errors, prefixed with its place in the batch.
fn item_problem(e: ApiError, index: usize) -> (u16, Problem) {
    let status = e.status_code().as_u16();
    let mut p = e.problem();
    for fe in p.errors.iter_mut() {
        fe.field = format!("responses[{index}].{}", fe.field);
    }
    (status, p)
}

/// Receive up to 500 survey responses. Each is stored and evaluated as `POST /responses` does, in a savepoint of its own: a bad item gets its error in its result and the others are kept. Duplicate `external_id`s within one batch refuse the whole batch.
#[utoipa::path(
    operation_id = "createResponseBatch",
    tag = "intake",
    request_body = ResponseBatch,
    responses(
        (status = 200, description = "One result per response, in request order", body = ResponseBatchResult),
        (status = 413, description = "The body is larger than 16 MiB", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/responses/batch")]
pub async fn batch(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<ResponseBatch, RESPONSES_BATCH_BODY_MAX_BYTES>,
) -> Result<HttpResponse, ApiError> {
    who.require_intake()?;
    let items = body.value.responses;
    if items.is_empty() || items.len() > RESPONSES_BATCH_MAX {
        return Err(ApiError::field(
            "responses",
            if items.is_empty() {
                "required"
            } else {
                "too_many"
            },
            format!("1 to {RESPONSES_BATCH_MAX} responses"),
        ));
    }
    let mut dupes = Vec::new();
    for (i, r) in items.iter().enumerate() {
        if let Some(x) = &r.external_id {
            if items[..i]
                .iter()
                .any(|o| o.external_id.as_deref().map(str::trim) == Some(x.trim()))
            {
                dupes.push(FieldError::new(
                    format!("responses[{i}].external_id"),
                    "duplicate",
                    "an earlier response of this batch has this external id",
                ));
            }
        }
    }
    if !dupes.is_empty() {
        return Err(ApiError::invalid(dupes));
    }
    let hashes = items
        .iter()
        .map(content_hash)
        .collect::<Result<Vec<_>, _>>()?;
    let results = state
        .db
        .write(move |c| {
            let rules = alert_rules::enabled(c)?;
            let principal: &Principal = &who;
            let mut results = Vec::with_capacity(items.len());
            for (index, (item, hash)) in items.iter().zip(&hashes).enumerate() {
                // A savepoint per item: a refused item leaves nothing behind
                // and the others stand.
                let r: Result<intake::Ingested, ApiError> =
                    c.transaction(|c| Ok(intake::ingest(c, principal, item, hash, &rules)?));
                results.push(match r {
                    Ok(done) => BatchItemResult {
                        index,
                        ok: true,
                        status: if done.replayed { 200 } else { 201 },
                        result: Some(done.result),
                        error: None,
                    },
                    Err(e) if e.status_code().is_server_error() => return Err(e),
                    Err(e) => {
                        let (status, problem) = item_problem(e, index);
                        BatchItemResult {
                            index,
                            ok: false,
                            status,
                            result: None,
                            error: Some(problem),
                        }
                    }
                });
            }
            Ok(results)
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::OK).json(ResponseBatchResult { results }))
}

/// The survey response a ticket was created from, with its answers and what the alert rules did with it.
#[utoipa::path(operation_id = "getTicketResponse", tag = "tickets", params(("id" = i64, Path)), responses((status = 200, body = SurveyResponse)))]
#[get("/tickets/{id}/response")]
pub async fn of_ticket(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let r = state
        .db
        .read(move |c| Ok(intake::of_ticket(c, &who, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}
