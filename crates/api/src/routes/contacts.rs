//! Contacts (customer profiles), their timeline, and integrators'
//! touchpoints. An agent sees the contacts of the tickets they see.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use lazo_domain::feedback::{
    ContactPage, ContactQuery, CreateContact, CreateTouchpoint, MergeContacts, TimelineQuery,
    Touchpoint, TouchpointPage, UpdateContact,
};
use lazo_domain::wire::{Contact, FieldError, PageQuery};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, JsonBody, QueryParams};
use crate::state::AppState;
use lazo_service::{contacts, touchpoints};

/// Contacts the caller may see, by id, optionally searched.
#[utoipa::path(operation_id = "listContacts", tag = "contacts", params(ContactQuery), responses((status = 200, body = ContactPage)))]
#[get("/contacts")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    q: QueryParams<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let (limit, after) = id_page(&PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    })?;
    let text = q.q.clone();
    if text.as_deref().is_some_and(|t| t.chars().count() > 100) {
        let e = FieldError::new("q", "too_long", "search text is at most 100 characters");
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: e.message.clone(),
            errors: vec![e],
        });
    }
    let page = state
        .db
        .read(move |c| {
            let mut items = contacts::list(c, &who, text.as_deref(), after, limit)?;
            let next_cursor = next_id_cursor(&mut items, limit, |r| r.id);
            Ok(ContactPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a contact.
#[utoipa::path(operation_id = "createContact", tag = "contacts", request_body = CreateContact, responses((status = 201, body = Contact)))]
#[post("/contacts")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateContact>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let input = body.value;
    let contact = state
        .db
        .write(move |c| Ok(contacts::create(c, &input)?))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/contacts/{}", contact.id)))
        .json(contact))
}

/// One contact.
#[utoipa::path(operation_id = "getContact", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = Contact)))]
#[get("/contacts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let contact = state
        .db
        .read(move |c| Ok(contacts::load_visible(c, &who, id)?.wire()))
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Change a contact. Absent fields stay; `null` clears; attributes merge.
#[utoipa::path(operation_id = "updateContact", tag = "contacts", params(("id" = i64, Path)), request_body = UpdateContact, responses((status = 200, body = Contact)))]
#[patch("/contacts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateContact>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let input = body.value;
    let contact = state
        .db
        .write(move |c| Ok(contacts::update(c, &who, id, &input)?))
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Delete a contact (admins and ticket admins). Its tickets and responses stay, without a contact.
#[utoipa::path(operation_id = "deleteContact", tag = "contacts", params(("id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/contacts/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db
        .write(move |c| Ok(contacts::delete(c, &who, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Merge another contact into this one (admins). Tickets, touchpoints and survey responses of `from` move here; each moved ticket records the change in its history; `from` is deleted.
#[utoipa::path(operation_id = "mergeContact", tag = "contacts", params(("id" = i64, Path)), request_body = MergeContacts, responses((status = 200, description = "The surviving contact", body = Contact)))]
#[post("/contacts/{id}/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<MergeContacts>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    let from = body.value.from;
    let contact = state
        .db
        .write(move |c| Ok(contacts::merge(c, &who, id, from)?))
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// The contact's touchpoints, newest first. With `ticket`, that ticket's own touchpoint leads the first page.
#[utoipa::path(operation_id = "getContactTimeline", tag = "contacts", params(("id" = i64, Path), TimelineQuery), responses((status = 200, body = TouchpointPage)))]
#[get("/contacts/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    q: QueryParams<TimelineQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let (limit, _) = id_page(&PageQuery {
        cursor: None,
        limit: q.limit,
    })?;
    let (ticket, cursor) = (q.ticket, q.cursor.clone());
    let page = state
        .db
        .read(move |c| {
            let (items, next_cursor) =
                touchpoints::timeline(c, &who, id, ticket, cursor.as_deref(), limit)?;
            Ok(TouchpointPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Record an interaction of a contact (a call, a chat, an email elsewhere...).
#[utoipa::path(operation_id = "createTouchpoint", tag = "contacts", request_body = CreateTouchpoint, responses((status = 201, body = Touchpoint)))]
#[post("/touchpoints")]
pub async fn create_touchpoint(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateTouchpoint>,
) -> Result<HttpResponse, ApiError> {
    if who.require_ticket_write().is_err() {
        who.require_intake()?;
    }
    let input = body.value;
    let tp = state
        .db
        .write(move |c| Ok(touchpoints::create(c, &who, &input)?))
        .await?;
    Ok(HttpResponse::Created().json(tp))
}
