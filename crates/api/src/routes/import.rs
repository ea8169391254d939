//! Importing tickets from another help desk (admins).

use actix_web::{post, web, HttpResponse, ResponseError};
use lazo_domain::feedback::{ImportItemResult, ImportResult, ImportTickets};
use lazo_domain::limits::{IMPORT_BODY_MAX_BYTES, IMPORT_MAX};
use lazo_domain::wire::{FieldError, Problem};

use crate::auth::{Caller, Principal};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::import::import_batch;

/// Import up to 1,000 tickets from another help desk, with their original times, numbers (kept when free), requester, comments and notes, tags and custom fields. Each ticket is imported in a savepoint of one transaction and gets its own result; a ticket imported before (same `external_id`) is found, not duplicated. History records one `imported` row per ticket.
#[utoipa::path(
    operation_id = "importTickets",
    tag = "tickets",
    request_body = ImportTickets,
    responses(
        (status = 200, description = "One result per ticket, in request order", body = ImportResult),
        (status = 413, description = "The body is larger than 32 MiB", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/import/tickets")]
pub async fn tickets(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<ImportTickets, IMPORT_BODY_MAX_BYTES>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let items = body.value.tickets;
    if items.is_empty() || items.len() > IMPORT_MAX {
        return Err(ApiError::field(
            "tickets",
            if items.is_empty() {
                "required"
            } else {
                "too_many"
            },
            format!("1 to {IMPORT_MAX} tickets"),
        ));
    }
    let mut dupes = Vec::new();
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for (i, t) in items.iter().enumerate() {
        if !seen.insert(t.external_id.trim()) {
            dupes.push(FieldError::new(
                format!("tickets[{i}].external_id"),
                "duplicate",
                "an earlier ticket of this import has this external id",
            ));
        }
    }
    if !dupes.is_empty() {
        return Err(ApiError::invalid(dupes));
    }
    let results = state
        .db
        .write(move |c| {
            let principal: &Principal = &who;
            let outcomes = import_batch(c, principal, &items)?;
            let mut results = Vec::with_capacity(items.len());
            for (index, r) in outcomes.into_iter().enumerate() {
                let r: Result<_, ApiError> = r.map_err(ApiError::from);
                results.push(match r {
                    Ok((ticket, fresh)) => ImportItemResult {
                        index,
                        ok: true,
                        status: if fresh { 201 } else { 200 },
                        ticket: Some(ticket),
                        error: None,
                    },
                    Err(e) if e.status_code().is_server_error() => return Err(e),
                    Err(e) => {
                        let status = e.status_code().as_u16();
                        let mut problem = e.problem();
                        for fe in problem.errors.iter_mut() {
                            fe.field = format!("tickets[{index}].{}", fe.field);
                        }
                        ImportItemResult {
                            index,
                            ok: false,
                            status,
                            ticket: None,
                            error: Some(problem),
                        }
                    }
                });
            }
            Ok(results)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ImportResult { results }))
}
