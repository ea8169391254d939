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
use serde_json::Value;

use crate::error::ApiError;

/// A JSON body. Unlike `web::Json` it names the failing field
/// (`serde_path_to_error`) and answers 400/413/415/422 as problem documents.
/// `MAX` is the body cap in bytes (survey intake takes more than the
/// default).
pub struct JsonBody<T, const MAX: usize = BODY_MAX_BYTES> {
    pub value: T,
    /// The raw bytes, for idempotency fingerprints.
    pub raw: web::Bytes,
}

impl<T: DeserializeOwned + 'static, const MAX: usize> FromRequest for JsonBody<T, MAX> {
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
            if declared.is_some_and(|n| n > MAX) {
                return Err(ApiError::PayloadTooLarge);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: "bad_body",
                    detail: e.to_string(),
                    errors: vec![],
                })?;
                if body.len() + chunk.len() > MAX {
                    return Err(ApiError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            let raw = body.freeze();
            // Two steps: syntax first (400), then shape (422 naming the field).
            // serde_json reports some type mismatches as syntax errors when it
            // deserialises straight into `T`, so it must see a `Value` first.
            let mut value: Value =
                serde_json::from_slice(&raw).map_err(|e| ApiError::BadRequest {
                    code: "malformed_json",
                    detail: format!("the body is not valid JSON: {e}"),
                    errors: vec![],
                })?;
            check_body(&mut value)?;
            match serde_path_to_error::deserialize::<_, T>(strict::Strict(value)) {
                Ok(value) => Ok(JsonBody { value, raw }),
                Err(e) => {
                    let path = e.path().to_string();
                    let msg = e.into_inner().to_string();
                    let err = field_error(&path, &msg);
                    Err(if err.code == "unknown_field" {
                        ApiError::rules(vec![err])
                    } else {
                        ApiError::invalid(vec![err])
                    })
                }
            }
        })
    }
}

/// What every body must be, whatever its type: an object (serde would map an
/// array to a struct's fields by position), and free of NUL characters, which
/// PostgreSQL cannot store in text and SQLite would store silently.
fn check_body(value: &mut Value) -> Result<(), ApiError> {
    if !value.is_object() {
        let kind = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(ApiError::field(
            "body",
            "not_an_object",
            format!("the body must be a JSON object, not {kind}"),
        ));
    }
    let mut errors = Vec::new();
    walk(value, String::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Collects every string (value or key) holding a NUL, by its path in the
/// `serde_path_to_error` notation (`comment.body`, `tags[2]`), and turns
/// integral floats into integers: JSON Schema counts `3.0` as an integer, so
/// the OpenAPI document promises it is accepted where serde would refuse it.
fn walk(value: &mut Value, path: String, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => {
            if s.contains('\0') {
                errors.push(nul_error(path));
            }
        }
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| !n.is_i64() && !n.is_u64()) {
                // Beyond 2^53 a float no longer names one integer.
                if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                    *n = serde_json::Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                walk(v, format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let p = if path.is_empty() {
                    k.replace('\0', "\\u0000")
                } else {
                    format!("{path}.{}", k.replace('\0', "\\u0000"))
                };
                if k.contains('\0') {
                    errors.push(nul_error(p.clone()));
                }
                walk(v, p, errors);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

fn nul_error(field: String) -> FieldError {
    let field = if field.is_empty() {
        "body".into()
    } else {
        field
    };
    FieldError::new(
        field,
        "invalid_character",
        "must not contain the NUL character (U+0000)",
    )
}

/// A `Value` deserializer that refuses an array where a struct is expected,
/// at any depth: serde's derived structs also accept a sequence and map its
/// elements to fields by position, so `"requester": ["a@b.c"]` would pass.
mod strict {
    use serde::de::{
        self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor,
    };
    use serde_json::{Error, Value};

    pub struct Strict(pub Value);

    impl<'de> Deserializer<'de> for Strict {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Array(items) => {
                    let len = items.len();
                    let mut seq = Seq(items.into_iter());
                    let out = visitor.visit_seq(&mut seq)?;
                    if seq.0.len() == 0 {
                        Ok(out)
                    } else {
                        Err(de::Error::invalid_length(len, &"fewer elements in array"))
                    }
                }
                Value::Object(map) => visitor.visit_map(Obj {
                    iter: map.into_iter(),
                    value: None,
                }),
                other => other.deserialize_any(visitor),
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Null => visitor.visit_none(),
                other => visitor.visit_some(Strict(other)),
            }
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            match &self.0 {
                Value::Object(_) => self.deserialize_any(visitor),
                other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            // Request enums are plain strings; nothing nested to guard.
            self.0.deserialize_enum(name, variants, visitor)
        }

        fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_unit()
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
        }
    }

    fn unexpected(v: &Value) -> Unexpected<'_> {
        match v {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Unexpected::Unsigned(u),
                (_, Some(i)) => Unexpected::Signed(i),
                _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }

    struct Seq(std::vec::IntoIter<Value>);

    impl<'de> SeqAccess<'de> for Seq {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            self.0
                .next()
                .map(|v| seed.deserialize(Strict(v)))
                .transpose()
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.0.len())
        }
    }

    struct Obj {
        iter: serde_json::map::IntoIter,
        value: Option<Value>,
    }

    impl<'de> MapAccess<'de> for Obj {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Error> {
            match self.iter.next() {
                Some((k, v)) => {
                    self.value = Some(v);
                    seed.deserialize(de::value::StringDeserializer::<Error>::new(k))
                        .map(Some)
                }
                None => Ok(None),
            }
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
            let v = self
                .value
                .take()
                .ok_or_else(|| de::Error::custom("a map value was read twice"))?;
            seed.deserialize(Strict(v))
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.iter.len())
        }
    }
}

/// Names the failing field. serde reports a missing field at its parent's
/// path ("missing field `subject`" at "."), so the name is taken from the
/// message and joined to that path; an unknown field is reported at its own
/// path.
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
    // serde_path_to_error has already stepped into the unknown key, so its
    // path names the field itself.
    if msg.starts_with("unknown field `") {
        return FieldError::new(parent, "unknown_field", msg.to_owned());
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

/// A query string whose list parameters (comma-separated, `status=1,2`)
/// may also be repeated (`status=1&status=2`): the document describes the
/// comma form (`style: form, explode: false`), and some generated clients
/// send the repeated form whatever it says.
pub struct ListQuery<T>(pub T);

/// The parameters of a query type that are comma-separated lists.
pub trait ListParams {
    const LISTS: &'static [&'static str];
}

impl ListParams for lazo_domain::wire::TicketQuery {
    const LISTS: &'static [&'static str] = &[
        "status",
        "category",
        "priority",
        "owner",
        "group",
        "origin_group",
        "type",
        "source",
        "tags",
        "survey",
    ];
}

impl<T> std::ops::Deref for ListQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + ListParams> FromRequest for ListQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = join_repeated(req.query_string(), T::LISTS);
        std::future::ready(form_urlencoded_parse(&query).map(ListQuery))
    }
}

/// The query string with each repeated list parameter joined into its first
/// occurrence (`a=1&a=2` becomes `a=1,2`); other parameters as they were.
fn join_repeated(query: &str, lists: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in url_pairs(query) {
        if lists.contains(&k.as_ref()) {
            if let Some((_, first)) = pairs.iter_mut().find(|(name, _)| *name == k) {
                first.push(',');
                first.push_str(&v);
                continue;
            }
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
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

/// Refuses a query string with a NUL in any parameter, naming each one. It
/// runs for every `/api` request (see `lib.rs`), whether or not the endpoint
/// reads its query, so no parameter can carry a NUL to the database.
/// Checked on the decoded pairs, so `%00` is caught too.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    let nul: Vec<FieldError> = url_pairs(query)
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| {
            FieldError::new(
                k.replace('\0', "\\u0000"),
                "invalid_character",
                "must not contain the NUL character (U+0000)",
            )
        })
        .collect();
    match nul.first() {
        None => Ok(()),
        Some(first) => Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("{}: must not contain the NUL character", first.field),
            errors: nul,
        }),
    }
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
