//! Email: templates (admins and ticket admins) and a ticket's email thread
//! (send, list, retry). Sending writes the email, its history, its event and
//! its delivery job in one transaction; the job runner delivers it.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use lazo_domain::email::{
    CreateEmailTemplate, Email, EmailPage, EmailTemplate, SendEmail, UpdateEmailTemplate,
};
use lazo_domain::wire::PageQuery;
use lazo_service::email::{outbound, templates};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, JsonBody, QueryParams};
use crate::state::AppState;

/// Email templates, by name then language.
#[utoipa::path(operation_id = "listEmailTemplates", tag = "email", responses((status = 200, body = Vec<EmailTemplate>)))]
#[get("/email-templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    who: Caller,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let list = state.db.read(|c| Ok(templates::list(c)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One email template.
#[utoipa::path(operation_id = "getEmailTemplate", tag = "email", params(("id" = i64, Path)), responses((status = 200, body = EmailTemplate)))]
#[get("/email-templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let t = state
        .db
        .read(move |c| Ok(templates::find(c, id)?.wire()))
        .await?;
    Ok(HttpResponse::Ok().json(t))
}

/// Create an email template. Subject and body are minijinja templates over `ticket`, `contact` and `agent` (e.g. `{{ ticket.number }}`, `{{ contact.name }}`, `{{ agent.name }}`); one that does not parse or names an unknown placeholder is a 422 naming the field.
#[utoipa::path(operation_id = "createEmailTemplate", tag = "email", request_body = CreateEmailTemplate, responses((status = 201, body = EmailTemplate)))]
#[post("/email-templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateEmailTemplate>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let t = state
        .db
        .write(move |c| Ok(templates::create(c, &input)?))
        .await?;
    Ok(HttpResponse::Created().json(t))
}

/// Change an email template.
#[utoipa::path(operation_id = "updateEmailTemplate", tag = "email", params(("id" = i64, Path)), request_body = UpdateEmailTemplate, responses((status = 200, body = EmailTemplate)))]
#[patch("/email-templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateEmailTemplate>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let (id, input) = (id.into_inner(), body.value);
    let t = state
        .db
        .write(move |c| Ok(templates::update(c, id, &input)?))
        .await?;
    Ok(HttpResponse::Ok().json(t))
}

/// Delete an email template (emails sent from it keep their text).
#[utoipa::path(operation_id = "deleteEmailTemplate", tag = "email", params(("id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/email-templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    state
        .db
        .write(move |c| Ok(templates::delete(c, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A ticket's email thread, oldest first: direction, delivery state, SMTP answer.
#[utoipa::path(operation_id = "listTicketEmails", tag = "email", params(("id" = i64, Path), PageQuery), responses((status = 200, body = EmailPage)))]
#[get("/tickets/{id}/emails")]
pub async fn list_emails(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    q: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let (limit, after) = id_page(&q)?;
    let page = state
        .db
        .read(move |c| {
            let mut rows = outbound::page(c, &who, id, after, limit)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.id);
            Ok(EmailPage {
                items: outbound::to_wire(c, rows)?,
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

fn one(c: &mut crate::db::DbConn, id: i64) -> Result<Email, ApiError> {
    let row = outbound::find(c, id)?.ok_or(ApiError::NotFound("email"))?;
    Ok(outbound::to_wire(c, vec![row])?.remove(0))
}

/// Send an email to the ticket's customer. The recipient defaults to the contact's email, else a custom field named Email. Give a subject and body, or a `template_id` (rendered in the contact's language, falling back to English), or both to override the template. The email is queued with the ticket's history in one transaction and delivered by the job runner; its state moves from `queued` to `sent` or `failed`.
#[utoipa::path(operation_id = "sendTicketEmail", tag = "email", params(("id" = i64, Path)), request_body(content = SendEmail, example = json!({"subject": "About your feedback", "body": "Hello, thank you for your answer..."})), responses((status = 201, body = Email)))]
#[post("/tickets/{id}/emails")]
pub async fn send_email(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<SendEmail>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, input) = (id.into_inner(), body.value);
    let cfg = state.config.mail.clone();
    let email = state
        .db
        .write(move |c| {
            let eid = outbound::send(c, &who, &cfg, id, &input)?;
            one(c, eid)
        })
        .await?;
    Ok(HttpResponse::Created().json(email))
}

/// Retry a failed email now. The same message (same Message-ID) is queued again; a sent or inbound email cannot be retried (409).
#[utoipa::path(operation_id = "retryTicketEmail", tag = "email", params(("id" = i64, Path), ("email_id" = i64, Path)), responses((status = 200, body = Email)))]
#[post("/tickets/{id}/emails/{email_id}/retry")]
pub async fn retry_email(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, eid) = path.into_inner();
    let email = state
        .db
        .write(move |c| {
            outbound::retry(c, &who, id, eid)?;
            one(c, eid)
        })
        .await?;
    Ok(HttpResponse::Ok().json(email))
}
