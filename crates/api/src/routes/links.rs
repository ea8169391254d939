//! Ticket links (related, duplicate of) and merging a ticket into another.
//! The rules and their reasons are in `lazo_service::tickets::links`.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use lazo_domain::links::{CreateTicketLink, MergeTicket, TicketLink, TicketLinks};
use lazo_domain::wire::Ticket;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{if_match, JsonBody};
use crate::state::AppState;
use crate::tickets::links;

/// The ticket's links in both directions (a stored "A duplicate of B" is
/// `duplicated_by` from B, "A merged into B" is `merged_from`), with its
/// parent and sub-tickets. Linked tickets the caller may not see are left out.
#[utoipa::path(operation_id = "listTicketLinks", tag = "tickets", params(("id" = i64, Path)), responses((status = 200, body = TicketLinks)))]
#[get("/tickets/{id}/links")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let items = state
        .db
        .read(move |c| Ok(links::list(c, &who, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Link the ticket to another one (by id, or by number as `"#1042"`) as
/// `related` or `duplicate_of`. Both tickets get a history row. Needs full
/// access to this ticket and sight of the other; the same link twice (a
/// `related` link in either direction) is 409 `link_exists`, a ticket
/// linked to itself 422 `self_link`.
#[utoipa::path(operation_id = "createTicketLink", tag = "tickets", params(("id" = i64, Path)), request_body = CreateTicketLink, responses((status = 201, body = TicketLink)))]
#[post("/tickets/{id}/links")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<CreateTicketLink>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let input = body.value;
    let link = state
        .db
        .write(move |c| Ok(links::create(c, &who, id, input)?))
        .await?;
    Ok(HttpResponse::Created().json(link))
}

/// Remove a link of the ticket (either end may remove it). A merge's link
/// stays: 409 `merge_link_fixed`.
#[utoipa::path(operation_id = "deleteTicketLink", tag = "tickets", params(("id" = i64, Path), ("link_id" = i64, Path)), responses((status = 204, description = "Removed")))]
#[delete("/tickets/{id}/links/{link_id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, link_id) = path.into_inner();
    state
        .db
        .write(move |c| Ok(links::delete(c, &who, id, link_id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Merge the ticket into another one (`into`: id, or number as `"#1042"`).
/// In one transaction this ticket is closed (the organisation's first active
/// closed status), linked `merged_into`, and both tickets get an internal
/// note and history; `ticket.merged` is emitted. Comments, emails and
/// history stay on this ticket; inbound email for it goes to the survivor.
/// Refused: into itself (422 `self_link`), a ticket merged already (409
/// `already_merged`), into a merged ticket (409 `target_merged`, naming its
/// survivor), with open sub-tickets (409 `open_sub_tickets`); the caller
/// must be allowed to change both tickets. Answers this ticket as it is now.
#[utoipa::path(
    operation_id = "mergeTicket",
    tag = "tickets",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the merge is based on")),
    request_body = MergeTicket,
    responses((status = 200, body = Ticket, headers(("ETag" = String))))
)]
#[post("/tickets/{id}/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<MergeTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let expected = if_match(&req)?;
    let input = body.value;
    super::tickets::change_ticket(&state, who, id, move |c, who| {
        links::merge(c, who, id, expected, input)
    })
    .await
}
