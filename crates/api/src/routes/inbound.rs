//! Inbound email: raw messages posted by an MTA (`lazo mailgate`) or an
//! integrator, the admins' list of what arrived (parse errors included), a
//! reprocess button, and inbound attachments served as downloads.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use futures_util::StreamExt;
use lazo_domain::email::{
    EmailStatus, ImapStatus, InboundMessage, InboundMessagePage, InboundOutcome, InboundQuery,
    INBOUND_MAX_BYTES,
};
use lazo_domain::wire::PageQuery;
use lazo_service::email::inbound;

use crate::auth::Caller;
use crate::db::schema::inbound_messages;
use crate::error::ApiError;
use crate::extract::{id_page, QueryParams};
use crate::state::AppState;

/// Raw bytes, as the document describes a body of them.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// Stores the message, then processes it in a transaction of its own: a
/// message that cannot be processed stays stored, marked failed with the
/// reason, and can be reprocessed.
pub async fn receive(
    state: &AppState,
    raw: Vec<u8>,
    source: &'static str,
) -> Result<(InboundMessage, bool), ApiError> {
    let (id, first_seen) = state
        .db
        .write(move |c| Ok(inbound::store(c, &raw, source)?))
        .await?;
    let cfg = state.config.mail.clone();
    let processed = state
        .db
        .write(move |c| Ok(inbound::process(c, &cfg, id)?))
        .await;
    if let Err(e) = processed {
        let why = match &e {
            // The cause of an internal error goes to the log, not the row.
            ApiError::Internal(cause) => {
                tracing::error!(inbound_id = id, %cause, "inbound message not processed");
                "internal error while processing; see the server log".to_owned()
            }
            other => other.problem().detail.unwrap_or_else(|| other.to_string()),
        };
        state
            .db
            .write(move |c| Ok(inbound::mark_failed(c, id, &why)?))
            .await?;
    }
    let row = state
        .db
        .read(move |c| inbound::find(c, id)?.ok_or(ApiError::NotFound("inbound message")))
        .await?;
    Ok((row.wire(first_seen), first_seen))
}

/// Receive one raw email (`Content-Type: message/rfc822` or `application/octet-stream`, at most 25 MB). Needs a token with the `inbound:write` scope (or an admin). The message is stored (deduplicated by SHA-256) and matched to a ticket: signed reply-to token, then our Message-IDs in In-Reply-To/References, then `[#number]` in the subject when the sender is the requester or a CC, else a new ticket. 201 for a new message, 200 when these exact bytes were received before; a message that cannot be used is stored with `outcome: failed` and its `parse_error`.
#[utoipa::path(
    operation_id = "receiveInboundEmail",
    tag = "email",
    request_body(
        description = "The raw message, headers and body, as an MTA delivers it (`application/octet-stream` is taken as the same)",
        content((Binary = "message/rfc822"), (Binary = "application/octet-stream"))
    ),
    responses(
        (status = 201, body = InboundMessage, description = "Stored and processed"),
        (status = 200, body = InboundMessage, description = "These exact bytes were received before"),
        (status = 413, body = lazo_domain::wire::Problem, content_type = "application/problem+json", description = "The message is larger than 25 MB"),
        (status = 415, body = lazo_domain::wire::Problem, content_type = "application/problem+json", description = "The body is not message/rfc822 (or application/octet-stream)"),
    )
)]
#[post("/inbound/email")]
pub async fn receive_email(
    state: web::Data<AppState>,
    who: Caller,
    req: HttpRequest,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    who.require_inbound_write()?;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    // Some MTAs and HTTP tools only know octet-stream: the bytes are the
    // message either way.
    if !essence.eq_ignore_ascii_case("message/rfc822")
        && !essence.eq_ignore_ascii_case("application/octet-stream")
    {
        return Err(ApiError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > INBOUND_MAX_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut raw = Vec::with_capacity(declared.unwrap_or(0).min(INBOUND_MAX_BYTES));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: "bad_body",
            detail: format!("the body could not be read: {e}"),
            errors: vec![],
        })?;
        if raw.len() + chunk.len() > INBOUND_MAX_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        raw.extend_from_slice(&chunk);
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::field("body", "required", "the message is empty"));
    }
    let source = if req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.starts_with("lazo-mailgate"))
    {
        "mailgate"
    } else {
        "api"
    };
    let (msg, first_seen) = receive(&state, raw, source).await?;
    Ok(if first_seen {
        HttpResponse::Created().json(msg)
    } else {
        HttpResponse::Ok().json(msg)
    })
}

/// How email stands (admins): SMTP configured, emails waiting or failed, each IMAP mailbox's last poll and error.
#[utoipa::path(operation_id = "getEmailStatus", tag = "email", responses((status = 200, body = EmailStatus)))]
#[get("/inbound/status")]
pub async fn status(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let cfg = state.config.mail.clone();
    let status = state
        .db
        .read(move |c| {
            use crate::db::schema::emails;
            let count = |c: &mut crate::db::DbConn, s: &str| -> Result<i64, ApiError> {
                Ok(emails::table
                    .filter(emails::direction.eq("outbound"))
                    .filter(emails::state.eq(s))
                    .count()
                    .get_result(c)?)
            };
            let queued = count(c, "queued")?;
            let failed = count(c, "failed")?;
            let inbound_failed = inbound_messages::table
                .filter(inbound_messages::outcome.eq(InboundOutcome::Failed.as_str()))
                .count()
                .get_result(c)?;
            let imap = lazo_service::email::imap::states(c)?
                .into_iter()
                .map(|r| ImapStatus {
                    mailbox: r.mailbox,
                    uidvalidity: r.uidvalidity,
                    last_uid: r.last_uid,
                    last_poll_at: r.last_poll_at.map(crate::db::utc),
                    last_error: r.last_error,
                })
                .collect();
            Ok(EmailStatus {
                smtp_configured: cfg.smtp_url.is_some(),
                from: cfg.from.to_string(),
                queued,
                failed,
                inbound_failed,
                imap,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// Inbound messages, newest first (admins); `outcome=failed` lists those that could not be used.
#[utoipa::path(operation_id = "listInboundMessages", tag = "email", params(InboundQuery), responses((status = 200, body = InboundMessagePage)))]
#[get("/inbound/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    who: Caller,
    q: QueryParams<InboundQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let q = q.0;
    let (limit, before) = id_page(&PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    })?;
    let page = state
        .db
        .read(move |c| {
            let mut query = inbound_messages::table
                .select(inbound::InboundRow::as_select())
                .order(inbound_messages::id.desc())
                .limit(limit + 1)
                .into_boxed();
            if before > 0 {
                query = query.filter(inbound_messages::id.lt(before));
            }
            if let Some(o) = q.outcome {
                query = query.filter(inbound_messages::outcome.eq(o.as_str()));
            }
            let mut rows: Vec<inbound::InboundRow> = query.load(c)?;
            let next_cursor = crate::extract::next_id_cursor(&mut rows, limit, |r| r.id);
            Ok(InboundMessagePage {
                items: rows.into_iter().map(|r| r.wire(true)).collect(),
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One inbound message (admins).
#[utoipa::path(operation_id = "getInboundMessage", tag = "email", params(("id" = i64, Path)), responses((status = 200, body = InboundMessage)))]
#[get("/inbound/messages/{id}")]
pub async fn get_message(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    let row = state
        .db
        .read(move |c| inbound::find(c, id)?.ok_or(ApiError::NotFound("inbound message")))
        .await?;
    Ok(HttpResponse::Ok().json(row.wire(true)))
}

/// Process a stored message again (admins), e.g. after fixing what made it fail. Only `new` and `failed` messages; others are 409.
#[utoipa::path(operation_id = "reprocessInboundMessage", tag = "email", params(("id" = i64, Path)), responses((status = 200, body = InboundMessage)))]
#[post("/inbound/messages/{id}/reprocess")]
pub async fn reprocess(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    let row = state
        .db
        .read(move |c| inbound::find(c, id)?.ok_or(ApiError::NotFound("inbound message")))
        .await?;
    let outcome = InboundOutcome::parse(&row.outcome).unwrap_or(InboundOutcome::New);
    if !matches!(outcome, InboundOutcome::New | InboundOutcome::Failed) {
        return Err(ApiError::Conflict {
            code: lazo_domain::ErrorCode::AlreadyProcessed.as_str(),
            detail: format!("the message was processed already ({})", outcome.as_str()),
            errors: vec![],
        });
    }
    let cfg = state.config.mail.clone();
    let processed = state
        .db
        .write(move |c| Ok(inbound::process(c, &cfg, id)?))
        .await;
    if let Err(e) = processed {
        let why = match &e {
            ApiError::Internal(_) => {
                "internal error while processing; see the server log".to_owned()
            }
            other => other.problem().detail.unwrap_or_else(|| other.to_string()),
        };
        state
            .db
            .write(move |c| Ok(inbound::mark_failed(c, id, &why)?))
            .await?;
    }
    let row = state
        .db
        .read(move |c| inbound::find(c, id)?.ok_or(ApiError::NotFound("inbound message")))
        .await?;
    Ok(HttpResponse::Ok().json(row.wire(true)))
}

/// Download a file that came with an inbound email. Always served as `application/octet-stream` with `Content-Disposition: attachment`, never rendered inline.
#[utoipa::path(operation_id = "getInboundAttachment", tag = "email", params(("id" = i64, Path)), responses((status = 200, content_type = "application/octet-stream", body = Binary, description = "The file")))]
#[get("/inbound/attachments/{id}")]
pub async fn attachment(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let (filename, bytes) = state
        .db
        .read(move |c| {
            let (ticket, filename, bytes) =
                inbound::attachment(c, id)?.ok_or(ApiError::NotFound("attachment"))?;
            match ticket {
                Some(t) => {
                    // Invisible ticket, invisible attachment (404).
                    crate::tickets::load_visible(c, &who, t)
                        .map_err(|_| ApiError::NotFound("attachment"))?;
                }
                None => who.require_admin()?,
            }
            Ok((filename, bytes))
        })
        .await?;
    // An ASCII fallback name plus the RFC 5987 UTF-8 one.
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .body(bytes))
}
