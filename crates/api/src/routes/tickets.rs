use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::BULK_MAX;
use lazo_domain::wire::{
    BulkItemResult, BulkResult, BulkUpdate, CreateTicket, FieldError, SnoozeTicket, StatusCount,
    Ticket, TicketCounts, TicketPage, TicketQuery, UpdateTicket,
};
use lazo_domain::{SortDir, SortKey};
use sha2::{Digest, Sha256};

use crate::auth::{Caller, Principal};
use crate::batch::Answer;
use crate::creates::{Outcome, Pending};
use crate::db::schema::tickets as t;
use crate::db::{now, DbConn};
use crate::error::ApiError;
use crate::extract::{etag, idempotency_key, if_match, JsonBody};
use crate::extract::{ListQuery, QueryParams};
use crate::state::AppState;
use crate::tickets::{self, list as query, write};
use lazo_service::directory::load_statuses;
use lazo_service::ServiceError;

fn parse_query(q: &TicketQuery) -> Result<lazo_domain::wire::TicketFilter, ApiError> {
    q.parse().map_err(|errors| ApiError::BadRequest {
        code: "invalid_query",
        detail: "some query parameters are invalid".into(),
        errors,
    })
}

fn ticket_response(status: actix_web::http::StatusCode, ticket: &Ticket) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(ticket.version)))
        .insert_header(("Location", format!("/api/v1/tickets/{}", ticket.id)))
        .json(ticket)
}

fn load_ticket(c: &mut DbConn, who: &Principal, id: i64) -> Result<Ticket, ApiError> {
    let (row, acc) = tickets::load_visible(c, who, id)?;
    Ok(tickets::to_ticket(c, who, row, acc)?)
}

/// A change to one ticket through a service, answered with the ticket as
/// the caller now sees it (and its new ETag), all in one transaction.
pub(crate) async fn change_ticket(
    state: &AppState,
    who: Caller,
    id: i64,
    change: impl FnOnce(&mut DbConn, &Principal) -> Result<(), ServiceError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let ticket = state
        .db
        .write(move |c| {
            change(c, &who)?;
            load_ticket(c, &who, id)
        })
        .await?;
    Ok(ticket_response(actix_web::http::StatusCode::OK, &ticket))
}

/// The follow-up list: the caller's tickets, filtered, sorted and paged.
#[utoipa::path(operation_id = "listTickets", tag = "tickets", params(TicketQuery), responses((status = 200, body = TicketPage)))]
#[get("/tickets")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    q: ListQuery<TicketQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let f = parse_query(&q)?;
    let page = state
        .db
        .read(move |c| {
            let (rows, next_cursor) = query::page(c, &who, &f, now())?;
            Ok(TicketPage {
                items: tickets::list_items(c, rows)?,
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Ticket counts per status for the same filters as the list (no paging or
/// order: the list's `cursor`, `sort`, `order` and `limit` do not apply).
#[utoipa::path(operation_id = "countTickets", tag = "tickets", params(TicketQuery), responses((status = 200, body = TicketCounts)))]
#[get("/tickets/counts")]
pub async fn counts(
    state: web::Data<AppState>,
    who: Caller,
    q: ListQuery<TicketQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let f = parse_query(&q)?;
    let counts = state
        .db
        .read(move |c| {
            let n: std::collections::HashMap<i64, i64> =
                query::counts(c, &who, &f, now())?.into_iter().collect();
            // Active statuses always (the overview tiles), retired ones only
            // while tickets still sit in them, so the total adds up.
            let by_status: Vec<StatusCount> = load_statuses(c)?
                .into_iter()
                .map(|s| (n.get(&s.id).copied().unwrap_or(0), s))
                .filter(|(count, s)| s.active || *count > 0)
                .map(|(count, s)| StatusCount {
                    status: lazo_domain::wire::StatusRef {
                        id: s.id,
                        name: s.name,
                        category: s.category,
                    },
                    count,
                })
                .collect();
            Ok(TicketCounts {
                total: by_status.iter().map(|s| s.count).sum(),
                by_status,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(counts))
}

/// Create a ticket. With `Idempotency-Key`, a retry of the same request
/// returns the first result (header `Idempotent-Replayed: true`) and a
/// different request with the same key is refused.
#[utoipa::path(
    operation_id = "createTicket",
    tag = "tickets",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first result for 24 hours")),
    request_body = CreateTicket,
    responses((status = 201, description = "Created, or the first result again for a repeated Idempotency-Key", body = Ticket, headers(
        ("ETag" = String, description = "Version of the ticket, for If-Match"),
        ("Location" = String, description = "URL of the ticket"),
        ("Idempotent-Replayed" = String, description = "`true` when this is the stored result of an earlier request with the same Idempotency-Key"),
    )))
)]
#[post("/tickets")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    body: JsonBody<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let key = idempotency_key(&req)?;
    let hash = hex::encode(Sha256::digest(&body.raw));
    let input = body.value;
    // Made in a batch with the creates waiting beside it, or alone when the
    // batch could not take it (see `crate::creates`).
    let batched = state
        .creates
        .submit(Pending {
            who: who.0.clone(),
            key: key.clone(),
            hash: hash.clone(),
            input: input.clone(),
        })
        .await;
    let first = match batched {
        Answer::Done(r) => r,
        Answer::Alone => {
            create_or_replay(
                &state,
                who.clone(),
                key.clone(),
                hash.clone(),
                input.clone(),
            )
            .await
        }
    };
    // Two requests with one key racing on PostgreSQL: the loser's insert of
    // the key fails once the winner commits. Run it again, and it now finds
    // the key and replays the winner's ticket.
    let outcome = match first {
        Err(ApiError::Conflict { .. }) if key.is_some() => {
            create_or_replay(&state, who, key, hash, input).await?
        }
        other => other?,
    };
    Ok(match outcome {
        Outcome::Fresh(t) => ticket_response(actix_web::http::StatusCode::CREATED, &t),
        Outcome::Replay(body) => {
            let t: Ticket = serde_json::from_str(&body).map_err(ApiError::internal)?;
            let mut res = ticket_response(actix_web::http::StatusCode::CREATED, &t);
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            res
        }
    })
}

/// Creates the ticket and records the idempotency key in one transaction,
/// or replays the response stored under the key.
async fn create_or_replay(
    state: &AppState,
    who: Caller,
    key: Option<String>,
    hash: String,
    input: CreateTicket,
) -> Result<Outcome, ApiError> {
    state
        .db
        .write(move |c| {
            let principal = who.key();
            if let Some(k) = &key {
                if let Some(body) = crate::idempotency::stored(c, &principal, k, &hash)? {
                    return Ok(Outcome::Replay(body));
                }
            }
            let id = write::create(c, &who, input, None)?;
            let row = tickets::find_row(c, id)?.ok_or(ApiError::NotFound("ticket"))?;
            let ticket = tickets::to_new_ticket(c, row)?;
            if let Some(k) = &key {
                let body = serde_json::to_string(&ticket).map_err(ApiError::internal)?;
                crate::idempotency::remember(c, &principal, k, &hash, 201, &body)?;
            }
            Ok(Outcome::Fresh(Box::new(ticket)))
        })
        .await
}

/// One ticket; the ETag header names its version (send it back as If-Match).
#[utoipa::path(operation_id = "getTicket", tag = "tickets", params(("id" = i64, Path)), responses((status = 200, body = Ticket, headers(("ETag" = String)))))]
#[get("/tickets/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let ticket = state.db.read(move |c| load_ticket(c, &who, id)).await?;
    Ok(ticket_response(actix_web::http::StatusCode::OK, &ticket))
}

/// Change a ticket. Send `If-Match` with the ETag you read to be told (412)
/// instead of overwriting someone else's change. Every changed field is
/// recorded in the history with the comment that came with it.
#[utoipa::path(
    operation_id = "updateTicket",
    tag = "tickets",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on")),
    request_body = UpdateTicket,
    responses((status = 200, body = Ticket, headers(("ETag" = String))))
)]
#[patch("/tickets/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<UpdateTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let expected = if_match(&req)?;
    let changes = body.value;
    change_ticket(&state, who, id, move |c, who| {
        write::update(c, who, id, expected, changes).map(drop)
    })
    .await
}

/// Snooze a ticket: it moves to a pending status now and back to the open
/// status it had when `until` comes (a scheduled job reopens it, recorded in
/// the history). Snoozing a snoozed ticket again moves the date. Changing
/// the status by hand ends the snooze.
#[utoipa::path(
    operation_id = "snoozeTicket",
    tag = "tickets",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on")),
    request_body = SnoozeTicket,
    responses((status = 200, body = Ticket, headers(("ETag" = String))))
)]
#[post("/tickets/{id}/snooze")]
pub async fn snooze(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<SnoozeTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let expected = if_match(&req)?;
    let until = crate::db::at_micros(body.value.until.naive_utc());
    change_ticket(&state, who, id, move |c, who| {
        tickets::snooze::snooze(c, who, id, expected, until).map(drop)
    })
    .await
}

/// End a snooze now: the ticket goes back to the open status it had before.
/// 409 `not_snoozed` when it is not snoozed.
#[utoipa::path(
    operation_id = "unsnoozeTicket",
    tag = "tickets",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on")),
    responses((status = 200, body = Ticket, headers(("ETag" = String))))
)]
#[delete("/tickets/{id}/snooze")]
pub async fn unsnooze(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let expected = if_match(&req)?;
    change_ticket(&state, who, id, move |c, who| {
        tickets::snooze::unsnooze(c, who, id, expected).map(drop)
    })
    .await
}

/// Delete a ticket with its comments and history (organisation admins).
/// Its sub-tickets stay, without a parent.
#[utoipa::path(operation_id = "deleteTicket", tag = "tickets", params(("id" = i64, Path), ("If-Match" = Option<String>, Header)), responses((status = 204, description = "Deleted")))]
#[delete("/tickets/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let expected = if_match(&req)?;
    state
        .db
        .write(move |c| Ok(write::delete(c, &who, id, expected)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Apply one change to many tickets. Each ticket is its own transaction and
/// gets its own result, so one refusal does not block the others.
#[utoipa::path(operation_id = "bulkUpdateTickets", tag = "tickets", request_body = BulkUpdate, responses((status = 200, body = BulkResult)))]
#[post("/tickets/bulk")]
pub async fn bulk(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<BulkUpdate>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let BulkUpdate { ids, changes } = body.value;
    if ids.is_empty() || ids.len() > BULK_MAX {
        return Err(ApiError::invalid(vec![FieldError::new(
            "ids",
            "out_of_range",
            format!("give 1 to {BULK_MAX} ticket ids"),
        )]));
    }
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let who = who.clone();
        let changes = changes.clone();
        let r = state
            .db
            .write(move |c| {
                write::update(c, &who, id, None, changes)?;
                Ok(t::table.find(id).select(t::version).first::<i64>(c)?)
            })
            .await;
        results.push(match r {
            Ok(v) => BulkItemResult {
                id,
                ok: true,
                version: Some(v),
                error: None,
            },
            Err(e) => BulkItemResult {
                id,
                ok: false,
                version: None,
                error: Some(e.problem()),
            },
        });
    }
    Ok(HttpResponse::Ok().json(BulkResult { results }))
}

/// Sub-tickets of a ticket that the caller may see (a sub-ticket owner does
/// not see their siblings).
#[utoipa::path(operation_id = "listSubTickets", tag = "tickets", params(("id" = i64, Path), lazo_domain::wire::PageQuery), responses((status = 200, body = TicketPage)))]
#[get("/tickets/{id}/sub-tickets")]
pub async fn list_sub_tickets(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    q: QueryParams<lazo_domain::wire::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let limit = q.limit().map_err(|e| ApiError::BadRequest {
        code: "invalid_query",
        detail: e.message.clone(),
        errors: vec![e],
    })?;
    let cursor = q.cursor.clone();
    let page = state
        .db
        .read(move |c| {
            tickets::load_visible(c, &who, id)?;
            let f = lazo_domain::wire::TicketFilter {
                sort: SortKey::Created,
                dir: SortDir::Asc,
                limit,
                cursor,
                ..Default::default()
            };
            let (rows, next_cursor) = query::page_children(c, &who, id, &f, now())?;
            Ok(TicketPage {
                items: tickets::list_items(c, rows)?,
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a sub-ticket: a separate task under this ticket, usually owned by
/// someone else. The caller needs full access to the parent.
#[utoipa::path(operation_id = "createSubTicket", tag = "tickets", params(("id" = i64, Path)), request_body = CreateTicket, responses((status = 201, body = Ticket)))]
#[post("/tickets/{id}/sub-tickets")]
pub async fn create_sub_ticket(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let parent = id.into_inner();
    let input = body.value;
    let ticket = state
        .db
        .write(move |c| {
            let id = write::create(c, &who, input, Some(parent))?;
            let row = tickets::find_row(c, id)?.ok_or(ApiError::NotFound("ticket"))?;
            Ok(tickets::to_new_ticket(c, row)?)
        })
        .await?;
    Ok(ticket_response(
        actix_web::http::StatusCode::CREATED,
        &ticket,
    ))
}
