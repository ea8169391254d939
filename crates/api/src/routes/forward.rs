//! Forward a ticket by email.

use actix_web::{post, web, HttpResponse};
use lazo_domain::forward::{ForwardTicket, Forwarded};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Forward a ticket by email to addresses or users, with a note and, on
/// request, its comments and history. Recorded in the ticket's history; sent
/// by the job queue (a retry never sends a second email).
#[utoipa::path(operation_id = "forwardTicket", tag = "email", params(("id" = i64, Path)), request_body(content = ForwardTicket, example = json!({"to": ["warehouse@supplier.example"], "message": "Can you check this delivery?", "include_comments": true})), responses((status = 202, body = Forwarded)))]
#[post("/tickets/{id}/forward")]
pub async fn forward(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<ForwardTicket>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (p, id, body) = (who.0.clone(), id.into_inner(), body.value);
    let mail = state.config.mail.clone();
    let out = state
        .db
        .write(move |c| Ok(lazo_service::forward::forward(c, &p, id, &body, &mail)?))
        .await?;
    Ok(HttpResponse::Accepted().json(out))
}
