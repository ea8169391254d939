//! The caller's notifications (the bell) and what they want to be told.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use lazo_domain::notification::{
    negotiate_language, MarkRead, MarkedRead, NotificationPage, NotificationPrefs,
    NotificationQuery,
};
use lazo_domain::wire::PageQuery;
use lazo_service::notifications as notes;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{id_page, JsonBody, QueryParams};
use crate::state::AppState;

/// The caller's notifications, newest first, with the unread count. Each
/// `detail` is written in the language `Accept-Language` asks for (`en`,
/// `es` or `fr`; English if it names none of them), else in the caller's
/// account language.
#[utoipa::path(operation_id = "listNotifications", tag = "notifications",
    params(NotificationQuery,
        ("Accept-Language" = Option<String>, Header, description = "Languages to read the details in, as browsers send them (`es-MX,es;q=0.9,en;q=0.8`)", example = "es")),
    responses((status = 200, body = NotificationPage, headers(
        ("Content-Language" = String, description = "The language of the details, when Accept-Language chose it"),
        ("Vary" = String, description = "`Accept-Language`")))))]
#[get("/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    q: QueryParams<NotificationQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let lang = negotiate_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let q = q.0;
    let (limit, before) = id_page(&PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    })?;
    let p = who.0.clone();
    let only = q.unread.unwrap_or(false);
    let page = state
        .db
        .read(move |c| Ok(notes::list(c, &p, only, before, limit, lang)?))
        .await?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::VARY, "Accept-Language"));
    if let Some(l) = lang {
        res.insert_header((header::CONTENT_LANGUAGE, l));
    }
    Ok(res.json(page))
}

/// Mark notifications read: `ids`, or `all: true`.
#[utoipa::path(operation_id = "markNotificationsRead", tag = "notifications", request_body(content = MarkRead, example = json!({"all": true})), responses((status = 200, body = MarkedRead)))]
#[post("/notifications/read")]
pub async fn read(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<MarkRead>,
) -> Result<HttpResponse, ApiError> {
    let (p, body) = (who.0.clone(), body.value);
    let out = state
        .db
        .write(move |c| Ok(notes::mark_read(c, &p, &body)?))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// What the caller is told of, and how (in the app, by email), per kind.
#[utoipa::path(operation_id = "getNotificationPrefs", tag = "notifications", responses((status = 200, body = NotificationPrefs)))]
#[get("/notifications/prefs")]
pub async fn get_prefs(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    let uid =
        who.0.user().map(|u| u.id).ok_or_else(|| {
            ApiError::Forbidden("notifications belong to people, not tokens".into())
        })?;
    let out = state.db.read(move |c| Ok(notes::prefs(c, uid)?)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Change the caller's choices; kinds not listed keep theirs.
#[utoipa::path(operation_id = "setNotificationPrefs", tag = "notifications", request_body(content = NotificationPrefs, example = json!({"items": [{"kind": "status", "in_app": true, "email": false}]})), responses((status = 200, body = NotificationPrefs)))]
#[put("/notifications/prefs")]
pub async fn set_prefs(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<NotificationPrefs>,
) -> Result<HttpResponse, ApiError> {
    let (p, body) = (who.0.clone(), body.value);
    let out = state
        .db
        .write(move |c| Ok(notes::set_prefs(c, &p, &body)?))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
