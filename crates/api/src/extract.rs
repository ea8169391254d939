//! Request extractors that turn every malformed request into a problem
//! document: JSON bodies with the failing field's path, query strings, path
//! parameters, and the `If-Match` / `Idempotency-Key` headers.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use lazo_domain::limits::BODY_MAX_BYTES;
use lazo_domain::wire::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body. Unlike `web::Json` it names the failing field
/// (`serde_path_to_error`) and answers 400/413/415/422 as problem documents.
pub struct JsonBody<T> {
    pub value: T,
    /// The raw bytes, for idempotency fingerprints.
    pub raw: web::Bytes,
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared.is_some_and(|n| n > BODY_MAX_BYTES) {
                return Err(ApiError::PayloadTooLarge);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: "bad_body",
                    detail: e.to_string(),
                    errors: vec![],
                })?;
                if body.len() + chunk.len() > BODY_MAX_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            let raw = body.freeze();
            // Two steps: syntax first (400), then shape (422 naming the field).
            // serde_json reports some type mismatches as syntax errors when it
            // deserialises straight into `T`, so it must see a `Value` first.
            let value: serde_json::Value =
                serde_json::from_slice(&raw).map_err(|e| ApiError::BadRequest {
                    code: "malformed_json",
                    detail: format!("the body is not valid JSON: {e}"),
                    errors: vec![],
                })?;
            match serde_path_to_error::deserialize::<_, T>(value) {
                Ok(value) => Ok(JsonBody { value, raw }),
                Err(e) => {
                    let path = e.path().to_string();
                    let msg = e.into_inner().to_string();
                    Err(ApiError::invalid(vec![field_error(&path, &msg)]))
                }
            }
        })
    }
}

/// Names the failing field. serde reports a missing field at its parent's
/// path ("missing field `subject`" at "."), so the name is taken from the
/// message and joined to that path.
pub fn field_error(path: &str, msg: &str) -> FieldError {
    let parent = if path == "." { "" } else { path };
    if let Some(name) = msg
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let field = if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        };
        return FieldError::new(field, "required", format!("{name} is required"));
    }
    let field = if parent.is_empty() {
        "body".to_owned()
    } else {
        parent.to_owned()
    };
    FieldError::new(field, "invalid", msg.to_owned())
}

/// A query string, deserialised with the failing parameter named (actix's
/// `web::Query` reports only serde's message).
pub struct QueryParams<T>(pub T);

impl<T> std::ops::Deref for QueryParams<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = form_urlencoded_parse(req.query_string());
        std::future::ready(parsed.map(QueryParams))
    }
}

fn form_urlencoded_parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(url_pairs(query));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let err = field_error(&path, &msg);
        ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("{}: {}", err.field, err.message),
            errors: vec![err],
        }
    })
}

fn url_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// Query and path extractor configuration: malformed values become 400s.
pub fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|err, _| {
        ApiError::BadRequest {
            code: "invalid_query",
            detail: err.to_string(),
            errors: vec![],
        }
        .into()
    }))
    .app_data(
        web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into()),
    )
    .app_data(
        web::JsonConfig::default()
            .limit(BODY_MAX_BYTES)
            .error_handler(|err, _| {
                ApiError::BadRequest {
                    code: "malformed_json",
                    detail: err.to_string(),
                    errors: vec![],
                }
                .into()
            }),
    );
}

/// The version an `If-Match` header names, if any. Accepts `"7"`, `W/"7"` and
/// `*` (any version).
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim();
    if s == "*" {
        return Ok(None);
    }
    let tag = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    tag.parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::BadRequest {
            code: "invalid_if_match",
            detail: "If-Match must be an ETag returned by this API".into(),
            errors: vec![],
        })
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `Idempotency-Key`: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(s) if !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(s.to_owned()))
        }
        _ => Err(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            detail: "Idempotency-Key must be 1-255 visible ASCII characters".into(),
            errors: vec![],
        }),
    }
}

/// Paging of lists ordered by id (comments, history): the page size and the
/// id the page starts after. Their cursor is that id, in the clear: these
/// lists only grow at the end, so an id is all a cursor needs.
pub fn id_page(q: &lazo_domain::wire::PageQuery) -> Result<(i64, i64), ApiError> {
    let limit = q.limit().map_err(|e| ApiError::BadRequest {
        code: "invalid_query",
        detail: e.message.clone(),
        errors: vec![e],
    })?;
    let after = match &q.cursor {
        Some(c) => c.parse().map_err(|_| ApiError::BadRequest {
            code: "invalid_cursor",
            detail: "not a cursor from this list".into(),
            errors: vec![],
        })?,
        None => 0,
    };
    Ok((limit, after))
}

/// Cuts a page fetched with `limit + 1` rows to `limit` and returns the
/// cursor of the next page, if there is one.
pub fn next_id_cursor<T>(rows: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| id(r).to_string())
    } else {
        None
    }
}
