//! Webhooks (Standard Webhooks) and the change feed.
//!
//! An event is written in the transaction of the change (the outbox). The job
//! runner's fan-out gives it its feed position and, through
//! [`WebhookConsumer`], one delivery row plus one `webhook.deliver` job per
//! subscribed endpoint, in one transaction; a delivery is unique per
//! (endpoint, event), so a repeated fan-out adds nothing. The job signs and
//! POSTs the event, logs the attempt, and reschedules itself on the Standard
//! Webhooks retry schedule until the receiver answers 2xx, answers 410 (the
//! endpoint is disabled) or the schedule runs out.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use lazo_domain::event::{Event, StoredEvent};
use lazo_domain::webhook::{
    ChangeEvent, ChangeFeedPage, NewWebhookEndpoint, WebhookAttempt, WebhookDelivery,
    WebhookEndpoint, WebhookEndpointPatch, WebhookEndpointWithSecret, WebhookMessage,
    SCHEMA_VERSION,
};
use lazo_domain::wire::{Actor, FieldError};
use lazo_domain::ErrorCode;
use lazo_storage::schema::{events, tickets};
use lazo_storage::webhooks::{
    self as store, AttemptRow, DeliveryOutcome, DeliveryRow, EndpointChanges, EndpointRow,
    NewAttempt, NewDelivery, NewEndpoint,
};
use lazo_storage::{now, utc, Db, DbConn};
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use crate::auth::Principal;
use crate::jobs::{EventConsumer, NewJob, Outcome, Registry};
use crate::tickets::list::visibility;
use crate::ServiceError;

/// The job kind of one delivery attempt.
pub const DELIVER: &str = "webhook.deliver";
/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// How much of a receiver's answer the log keeps.
const RESPONSE_KEEP: usize = 2048;
const URL_MAX: usize = 2000;
const DESCRIPTION_MAX: usize = 500;

/// How deliveries are made; from the environment in production
/// ([`WebhookConfig::from_env`]), built directly by tests.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Delays before the 2nd, 3rd... attempt (the first is immediate).
    pub schedule: Vec<std::time::Duration>,
    /// Whole-request timeout of one attempt.
    pub timeout: std::time::Duration,
    /// Deliver to loopback/private/link-local addresses (on-premise, tests).
    pub allow_private: bool,
}

impl Default for WebhookConfig {
    /// The Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h,
    /// 5 h, 10 h, 10 h.
    fn default() -> Self {
        let s = std::time::Duration::from_secs;
        WebhookConfig {
            schedule: vec![s(5), s(300), s(1800), s(7200), s(18000), s(36000), s(36000)],
            timeout: s(15),
            allow_private: false,
        }
    }
}

impl WebhookConfig {
    /// `LAZO_WEBHOOK_RETRY_SCHEDULE` (seconds, comma separated, fractions
    /// allowed), `LAZO_WEBHOOK_TIMEOUT_MS`, `LAZO_WEBHOOK_ALLOW_PRIVATE`.
    pub fn from_env() -> WebhookConfig {
        let mut cfg = WebhookConfig::default();
        if let Ok(s) = std::env::var("LAZO_WEBHOOK_RETRY_SCHEDULE") {
            let parsed: Option<Vec<_>> = s
                .split(',')
                .map(|x| x.trim().parse::<f64>().ok().filter(|v| *v >= 0.0))
                .map(|x| x.map(std::time::Duration::from_secs_f64))
                .collect();
            match parsed {
                Some(v) => cfg.schedule = v,
                None => {
                    tracing::warn!(value = %s, "LAZO_WEBHOOK_RETRY_SCHEDULE unreadable; using the standard schedule")
                }
            }
        }
        if let Some(ms) = std::env::var("LAZO_WEBHOOK_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            cfg.timeout = std::time::Duration::from_millis(ms.max(1));
        }
        cfg.allow_private = allow_private_from_env();
        cfg
    }
}

/// `LAZO_WEBHOOK_ALLOW_PRIVATE=1|true`: the API checks new URLs by it too.
pub fn allow_private_from_env() -> bool {
    matches!(
        std::env::var("LAZO_WEBHOOK_ALLOW_PRIVATE").as_deref(),
        Ok("1" | "true" | "yes")
    )
}

// ---------------------------------------------------------------------------
// Signing

/// A new signing secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("whsec_{}", B64.encode(bytes))
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, the key being
/// the secret's base64 part decoded.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> String {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

// ---------------------------------------------------------------------------
// Address policy

/// Addresses a webhook may not reach unless private delivery is allowed:
/// loopback, private, link-local, carrier-grade NAT, unspecified, multicast
/// and broadcast, including IPv4 inside IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves `host` and refuses it when any of its addresses is internal
/// (and private delivery is not allowed): one bad address is enough for an
/// attacker who controls the DNS answer's order.
pub fn resolve_checked(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = (host, 0)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private {
        if let Some(a) = addrs.iter().find(|a| is_internal(a.ip())) {
            return Err(format!(
                "refused: {host} resolves to the internal address {}",
                a.ip()
            ));
        }
    }
    Ok(addrs)
}

/// The client's resolver: every connection's name goes through
/// [`resolve_checked`], so a name that later resolves inside (DNS
/// rebinding) is refused at delivery time, not only when saved.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let allow = self.allow_private;
        Box::pin(async move {
            let found = tokio::task::spawn_blocking(move || resolve_checked(&host, allow))
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            match found {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(e) => Err(e.into()),
            }
        })
    }
}

/// Checks a URL as it is saved: http(s), a host, no credentials, at most
/// 2000 characters, and no literal internal address or `localhost` unless
/// private delivery is allowed. Names are checked again when delivering.
pub fn check_url(field: &str, url: &str, allow_private: bool) -> Result<String, FieldError> {
    let url = url.trim();
    let bad = |code: ErrorCode, m: &str| FieldError::new(field, code, m);
    if url.chars().count() > URL_MAX {
        return Err(bad(ErrorCode::TooLong, "at most 2000 characters"));
    }
    if url.contains(char::is_control) {
        return Err(bad(
            ErrorCode::InvalidCharacter,
            "control characters are not allowed",
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| bad(ErrorCode::Invalid, &format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(ErrorCode::Invalid, "the URL must be http or https"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            ErrorCode::Invalid,
            "credentials in the URL are not allowed; verify the signature instead",
        ));
    }
    let internal = match parsed.host() {
        None => return Err(bad(ErrorCode::Invalid, "the URL has no host")),
        Some(url::Host::Ipv4(ip)) => is_internal(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_internal(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
    };
    if internal && !allow_private {
        return Err(bad(
            ErrorCode::UrlNotAllowed,
            "the URL points to a loopback, private or link-local address",
        ));
    }
    Ok(parsed.to_string())
}

// ---------------------------------------------------------------------------
// Endpoints

fn event_types_of(field: &str, kinds: &[String]) -> Result<String, FieldError> {
    let mut out: Vec<&str> = vec![];
    for k in kinds {
        match Event::KINDS.iter().find(|x| **x == k.as_str()) {
            Some(x) if !out.contains(x) => out.push(x),
            Some(_) => {}
            None => {
                return Err(FieldError::new(
                    field,
                    ErrorCode::InvalidValue,
                    format!(
                        "unknown event type {k:?}; one of {}",
                        Event::KINDS.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(serde_json::to_string(&out).expect("strings serialise"))
}

fn description_of(field: &str, d: &str) -> Result<(), FieldError> {
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(FieldError::new(
            field,
            ErrorCode::TooLong,
            "at most 500 characters",
        ));
    }
    if d.contains('\0') {
        return Err(FieldError::new(
            field,
            ErrorCode::InvalidCharacter,
            "NUL characters are not allowed",
        ));
    }
    Ok(())
}

fn to_endpoint(r: EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: r.id,
        event_types: serde_json::from_str(&r.event_types).unwrap_or_default(),
        url: r.url,
        description: r.description,
        enabled: r.enabled,
        disabled_reason: r.disabled_reason,
        previous_secret_expires_at: r.previous_secret_expires_at.filter(|t| *t > now()).map(utc),
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    }
}

pub fn list_endpoints(
    c: &mut DbConn,
    who: &Principal,
) -> Result<Vec<WebhookEndpoint>, ServiceError> {
    who.require_admin()?;
    Ok(store::endpoints(c)?.into_iter().map(to_endpoint).collect())
}

pub fn get_endpoint(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
) -> Result<WebhookEndpoint, ServiceError> {
    who.require_admin()?;
    store::endpoint(c, id)?
        .map(to_endpoint)
        .ok_or(ServiceError::NotFound("webhook endpoint"))
}

pub fn create_endpoint(
    c: &mut DbConn,
    who: &Principal,
    body: &NewWebhookEndpoint,
    allow_private: bool,
) -> Result<WebhookEndpointWithSecret, ServiceError> {
    who.require_admin()?;
    let mut errors = vec![];
    let url = check_url("url", &body.url, allow_private)
        .map_err(|e| errors.push(e))
        .ok();
    let types = event_types_of("event_types", &body.event_types)
        .map_err(|e| errors.push(e))
        .ok();
    let description = body.description.clone().unwrap_or_default();
    if let Err(e) = description_of("description", &description) {
        errors.push(e);
    }
    let (Some(url), Some(types), true) = (url, types, errors.is_empty()) else {
        return Err(ServiceError::invalid(errors));
    };
    let secret = new_secret();
    let t = now();
    let id = store::insert_endpoint(
        c,
        &NewEndpoint {
            url: &url,
            description: &description,
            event_types: types,
            enabled: body.enabled.unwrap_or(true),
            secret: &secret,
            created_at: t,
            updated_at: t,
        },
    )?;
    let endpoint = get_endpoint(c, who, id)?;
    Ok(WebhookEndpointWithSecret { endpoint, secret })
}

pub fn update_endpoint(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    patch: &WebhookEndpointPatch,
    allow_private: bool,
) -> Result<WebhookEndpoint, ServiceError> {
    who.require_admin()?;
    let mut errors = vec![];
    let url = match &patch.url {
        Some(u) => check_url("url", u, allow_private)
            .map_err(|e| errors.push(e))
            .ok(),
        None => None,
    };
    let types = match &patch.event_types {
        Some(k) => event_types_of("event_types", k)
            .map_err(|e| errors.push(e))
            .ok(),
        None => None,
    };
    if let Some(d) = &patch.description {
        if let Err(e) = description_of("description", d) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let mut changes = EndpointChanges::at(now());
    changes.url = url.as_deref();
    changes.description = patch.description.as_deref();
    changes.event_types = types;
    changes.enabled = patch.enabled;
    // Enabling clears the reason; disabling by hand says who did it.
    let reason = format!("disabled by {}", who.name());
    changes.disabled_reason = match patch.enabled {
        Some(true) => Some(None),
        Some(false) => Some(Some(reason.as_str())),
        None => None,
    };
    if !store::update_endpoint(c, id, &changes)? {
        return Err(ServiceError::NotFound("webhook endpoint"));
    }
    get_endpoint(c, who, id)
}

pub fn delete_endpoint(c: &mut DbConn, who: &Principal, id: i64) -> Result<(), ServiceError> {
    who.require_admin()?;
    if !store::delete_endpoint(c, id)? {
        return Err(ServiceError::NotFound("webhook endpoint"));
    }
    Ok(())
}

/// A new secret; the current one keeps signing beside it for
/// [`ROTATION_OVERLAP`], so a receiver can switch without losing messages.
pub fn rotate_secret(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
) -> Result<WebhookEndpointWithSecret, ServiceError> {
    who.require_admin()?;
    let row = store::endpoint(c, id)?.ok_or(ServiceError::NotFound("webhook endpoint"))?;
    let secret = new_secret();
    let t = now();
    let mut changes = EndpointChanges::at(t);
    changes.secret = Some(&secret);
    changes.previous_secret = Some(Some(&row.secret));
    changes.previous_secret_expires_at = Some(Some(t + ROTATION_OVERLAP));
    store::update_endpoint(c, id, &changes)?;
    let endpoint = get_endpoint(c, who, id)?;
    Ok(WebhookEndpointWithSecret { endpoint, secret })
}

// ---------------------------------------------------------------------------
// Deliveries

pub fn to_delivery(r: DeliveryRow) -> WebhookDelivery {
    WebhookDelivery {
        id: r.id,
        endpoint_id: r.endpoint_id,
        event_id: r.event_id,
        msg_id: r.msg_id,
        event_type: r.event_type,
        state: r.state,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at.map(utc),
        last_status: r.last_status,
        last_error: r.last_error,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    }
}

pub fn to_attempt(r: AttemptRow) -> WebhookAttempt {
    WebhookAttempt {
        id: r.id,
        attempted_at: utc(r.attempted_at),
        status: r.status,
        latency_ms: r.latency_ms,
        response: r.response,
        error: r.error,
    }
}

/// The job that delivers `delivery_id`. Keyed by delivery, so a replay
/// re-arms the same job instead of racing a second one.
fn deliver_job(delivery_id: i64) -> NewJob {
    NewJob::new(DELIVER, json!({ "delivery_id": delivery_id }))
        .key(format!("{DELIVER}:{delivery_id}"))
        // Failures of the handler itself (database down); HTTP failures are
        // the delivery's own schedule.
        .max_attempts(20)
}

/// Sends a delivery again, with the same `webhook-id`, from a fresh retry
/// schedule (the attempt log keeps what came before).
pub fn replay(
    c: &mut DbConn,
    who: &Principal,
    endpoint_id: i64,
    delivery_id: i64,
) -> Result<WebhookDelivery, ServiceError> {
    who.require_admin()?;
    let d = store::delivery(c, delivery_id)?
        .filter(|d| d.endpoint_id == endpoint_id)
        .ok_or(ServiceError::NotFound("webhook delivery"))?;
    let t = now();
    store::set_delivery(
        c,
        d.id,
        &DeliveryOutcome {
            state: "pending",
            attempts: 0,
            next_attempt_at: Some(t),
            last_status: d.last_status,
            last_error: d.last_error.as_deref(),
            updated_at: t,
        },
    )?;
    crate::jobs::enqueue(c, deliver_job(d.id))?;
    Ok(to_delivery(
        store::delivery(c, d.id)?.ok_or(ServiceError::NotFound("webhook delivery"))?,
    ))
}

/// Fans events out to the endpoints subscribed to their kind.
pub struct WebhookConsumer;

impl EventConsumer for WebhookConsumer {
    fn name(&self) -> &str {
        "webhooks"
    }

    fn jobs_for(&self, c: &mut DbConn, events: &[StoredEvent]) -> anyhow::Result<Vec<NewJob>> {
        let endpoints: Vec<(i64, Vec<String>)> = store::enabled_endpoints(c)?
            .into_iter()
            .map(|ep| {
                (
                    ep.id,
                    serde_json::from_str(&ep.event_types).unwrap_or_default(),
                )
            })
            .collect();
        if endpoints.is_empty() {
            return Ok(vec![]);
        }
        let t = now();
        let msg_ids: Vec<String> = events.iter().map(|e| format!("msg_{}", e.id)).collect();
        let mut rows = vec![];
        for (event, msg_id) in events.iter().zip(&msg_ids) {
            let kind = event.event.kind();
            for (endpoint_id, types) in &endpoints {
                if !types.is_empty() && !types.iter().any(|k| k == kind) {
                    continue;
                }
                rows.push(NewDelivery {
                    endpoint_id: *endpoint_id,
                    event_id: event.id,
                    msg_id,
                    event_type: kind,
                    state: "pending",
                    attempts: 0,
                    next_attempt_at: Some(t),
                    created_at: t,
                    updated_at: t,
                });
            }
        }
        Ok(store::insert_deliveries(c, &rows)?
            .into_iter()
            .map(deliver_job)
            .collect())
    }
}

/// Adds the webhook consumer and the delivery job to a worker's registry.
pub fn register(r: &mut Registry, cfg: WebhookConfig) {
    let client = Arc::new(ClientHolder {
        client: std::sync::OnceLock::new(),
        allow_private: cfg.allow_private,
        timeout: cfg.timeout,
    });
    let cfg = Arc::new(cfg);
    r.consume(Arc::new(WebhookConsumer));
    r.register(DELIVER, move |db: &Db, payload: &Value| {
        let id = payload["delivery_id"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("payload without delivery_id"))?;
        deliver(db, client.get(), &cfg, id)
    });
}

/// The blocking client owns a runtime: it may be neither built nor dropped
/// on an async thread (a registry is made and dropped inside tests and the
/// server's start-up). So it is built on first use, on the worker's thread,
/// and dropped on a thread of its own.
struct ClientHolder {
    client: std::sync::OnceLock<reqwest::blocking::Client>,
    allow_private: bool,
    timeout: std::time::Duration,
}

impl ClientHolder {
    fn get(&self) -> &reqwest::blocking::Client {
        self.client.get_or_init(|| {
            reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(self.timeout)
                .connect_timeout(self.timeout.min(std::time::Duration::from_secs(5)))
                .user_agent(concat!("Lazo-Webhooks/", env!("CARGO_PKG_VERSION")))
                .dns_resolver(Arc::new(GuardedResolver {
                    allow_private: self.allow_private,
                }))
                .build()
                .expect("the webhook HTTP client builds")
        })
    }
}

impl Drop for ClientHolder {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = std::thread::Builder::new()
                .name("lazo-webhook-client-drop".into())
                .spawn(move || drop(c));
        }
    }
}

/// What one attempt came to.
struct Attempt {
    status: Option<u16>,
    latency_ms: i32,
    response: Option<String>,
    error: Option<String>,
    retry_after: Option<std::time::Duration>,
    /// Refused before sending (internal address): retrying cannot help.
    refused: bool,
}

fn post(
    client: &reqwest::blocking::Client,
    cfg: &WebhookConfig,
    url: &str,
    headers: &[(&str, String)],
    body: String,
) -> Attempt {
    let started = std::time::Instant::now();
    let elapsed = |s: std::time::Instant| s.elapsed().as_millis().min(i32::MAX as u128) as i32;
    // Literal addresses never reach the resolver: check them here.
    if let Err(e) = check_url("url", url, cfg.allow_private) {
        return Attempt {
            status: None,
            latency_ms: 0,
            response: None,
            error: Some(format!("refused: {}", e.message)),
            retry_after: None,
            refused: true,
        };
    }
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    match req.send() {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut buf = Vec::with_capacity(256);
            use std::io::Read;
            let _ = resp.take(RESPONSE_KEEP as u64).read_to_end(&mut buf);
            Attempt {
                status: Some(status),
                latency_ms: elapsed(started),
                response: Some(String::from_utf8_lossy(&buf).replace('\0', "")),
                error: None,
                retry_after,
                refused: false,
            }
        }
        Err(e) => {
            let refused = format!("{e:?}").contains("refused: ");
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            Attempt {
                status: None,
                latency_ms: elapsed(started),
                response: None,
                error: Some(if e.is_timeout() {
                    format!("timed out: {msg}")
                } else {
                    msg
                }),
                retry_after: None,
                refused,
            }
        }
    }
}

/// `Retry-After`: seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<std::time::Duration> {
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(std::time::Duration::from_secs(s));
    }
    let t = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    (t.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

/// The delay before the next attempt: the schedule's, with ±20% jitter so a
/// receiver that comes back is not hit by every retry at once, and never
/// sooner than the receiver's `Retry-After` (capped at a day).
fn next_delay(
    cfg: &WebhookConfig,
    done: usize,
    retry_after: Option<std::time::Duration>,
) -> Option<Duration> {
    let base = *cfg.schedule.get(done.checked_sub(1)?)?;
    let jittered = base.mul_f64(0.8 + rand::random::<f64>() * 0.4);
    let wait = match retry_after {
        Some(r) => jittered.max(r.min(std::time::Duration::from_secs(86_400))),
        None => jittered,
    };
    Duration::from_std(wait).ok()
}

fn deliver(
    db: &Db,
    client: &reqwest::blocking::Client,
    cfg: &WebhookConfig,
    delivery_id: i64,
) -> anyhow::Result<Outcome> {
    let loaded = db.with_conn::<_, ServiceError, _>(|c| {
        let Some(d) = store::delivery(c, delivery_id)? else {
            return Ok(None);
        };
        let ep = store::endpoint(c, d.endpoint_id)?;
        let ev = load_event(c, d.event_id)?;
        Ok(Some((d, ep, ev)))
    })?;
    // Gone (endpoint deleted) or already settled: nothing to do, so a
    // duplicate run of this job is harmless.
    let Some((d, Some(ep), ev)) = loaded else {
        return Ok(Outcome::Done);
    };
    if d.state != "pending" {
        return Ok(Outcome::Done);
    }
    let t = now();
    if !ep.enabled {
        let reason = format!(
            "endpoint disabled: {}",
            ep.disabled_reason.as_deref().unwrap_or("by an admin")
        );
        settle(db, &d, "failed", None, None, Some(reason), None)?;
        return Ok(Outcome::Done);
    }
    let Some(ev) = ev else {
        settle(
            db,
            &d,
            "failed",
            None,
            None,
            Some("the event is unreadable".into()),
            None,
        )?;
        return Ok(Outcome::Done);
    };
    let body = serde_json::to_string(&WebhookMessage {
        kind: ev.event.kind().to_owned(),
        timestamp: utc(t),
        data: ev,
    })?;
    let ts = utc(t).timestamp();
    let mut signature = sign(&ep.secret, &d.msg_id, ts, &body);
    if let (Some(prev), Some(until)) = (&ep.previous_secret, ep.previous_secret_expires_at) {
        if until > t {
            signature = format!("{signature} {}", sign(prev, &d.msg_id, ts, &body));
        }
    }
    let headers = [
        ("webhook-id", d.msg_id.clone()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
    ];
    let a = post(client, cfg, &ep.url, &headers, body);
    let done = d.attempts as usize + 1;
    let (state, next, gone) = match a.status {
        Some(s) if (200..300).contains(&s) => ("succeeded", None, false),
        Some(410) => ("failed", None, true),
        _ if a.refused => ("failed", None, false),
        _ => match next_delay(cfg, done, a.retry_after) {
            Some(delay) => ("pending", Some(now() + delay), false),
            None => ("failed", None, false),
        },
    };
    let error = a.error.clone().or_else(|| {
        a.status
            .filter(|s| !(200..300).contains(s))
            .map(|s| format!("the receiver answered {s}"))
    });
    tracing::info!(delivery_id = d.id, endpoint_id = ep.id, status = ?a.status, latency_ms = a.latency_ms, state, "webhook attempt");
    let gone_reason =
        gone.then(|| format!("the receiver answered 410 Gone at {}", utc(t).to_rfc3339()));
    let recorded = settle(db, &d, state, next, Some(&a), error, gone_reason)?;
    Ok(match (recorded, next) {
        (true, Some(at)) => Outcome::Again(at),
        _ => Outcome::Done,
    })
}

/// Writes an attempt's outcome with its log row in one transaction, only if
/// the delivery is still as this run found it (a replay or a second worker
/// in between wins). Returns whether it was written.
fn settle(
    db: &Db,
    d: &DeliveryRow,
    state: &'static str,
    next: Option<NaiveDateTime>,
    a: Option<&Attempt>,
    error: Option<String>,
    disable: Option<String>,
) -> anyhow::Result<bool> {
    let (id, seen_attempts, seen_updated) = (d.id, d.attempts, d.updated_at);
    let endpoint_id = d.endpoint_id;
    let log = a.map(|a| {
        (
            a.status.map(i32::from),
            a.latency_ms,
            a.response.clone(),
            a.error.clone(),
        )
    });
    let attempts = if a.is_some() {
        seen_attempts + 1
    } else {
        seen_attempts
    };
    let status = log.as_ref().and_then(|l| l.0).or(d.last_status);
    Ok(db.transaction::<_, ServiceError, _>(move |c| {
        use lazo_storage::schema::webhook_deliveries as wd;
        let current: Option<(String, i32, NaiveDateTime)> = wd::table
            .find(id)
            .select((wd::state, wd::attempts, wd::updated_at))
            .first(c)
            .optional()?;
        if current != Some(("pending".to_owned(), seen_attempts, seen_updated)) {
            return Ok(false);
        }
        let t = now();
        if let Some((status, latency_ms, response, err)) = &log {
            store::insert_attempt(
                c,
                &NewAttempt {
                    delivery_id: id,
                    attempted_at: t,
                    status: *status,
                    latency_ms: *latency_ms,
                    response: response.as_deref(),
                    error: err.as_deref(),
                },
            )?;
        }
        store::set_delivery(
            c,
            id,
            &DeliveryOutcome {
                state,
                attempts,
                next_attempt_at: next,
                last_status: status,
                last_error: error.as_deref(),
                updated_at: t,
            },
        )?;
        if let Some(reason) = &disable {
            let mut ch = EndpointChanges::at(t);
            ch.enabled = Some(false);
            ch.disabled_reason = Some(Some(reason));
            store::update_endpoint(c, endpoint_id, &ch)?;
        }
        Ok(true)
    })?)
}

// ---------------------------------------------------------------------------
// Events as the outside world reads them

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events)]
struct FeedRow {
    id: i64,
    kind: String,
    ticket_id: Option<i64>,
    actor: String,
    data: String,
    created_at: NaiveDateTime,
    position: Option<i64>,
}

impl FeedRow {
    fn change(self) -> Option<ChangeEvent> {
        let data: Value = serde_json::from_str(&self.data).ok()?;
        Some(ChangeEvent {
            id: self.id,
            position: self.position?,
            schema_version: SCHEMA_VERSION,
            occurred_at: utc(self.created_at),
            ticket_id: self.ticket_id,
            actor: serde_json::from_str::<Actor>(&self.actor).ok()?,
            event: Event::from_parts(&self.kind, data).ok()?,
        })
    }
}

fn load_event(c: &mut DbConn, id: i64) -> Result<Option<ChangeEvent>, ServiceError> {
    let row: Option<FeedRow> = events::table
        .find(id)
        .select(FeedRow::as_select())
        .first(c)
        .optional()?;
    Ok(row.and_then(FeedRow::change))
}

/// Events after position `after`, in commit order, that the caller may see:
/// all for admins and integrator tokens with ticket read; for an agent, the
/// events of tickets the agent sees now.
pub fn feed(
    c: &mut DbConn,
    who: &Principal,
    after: i64,
    limit: i64,
) -> Result<ChangeFeedPage, ServiceError> {
    who.require_ticket_read()?;
    let vis = visibility(c, who)?;
    let mut q = events::table
        .filter(events::position.gt(after))
        .into_boxed();
    if let Some(v) = vis {
        let seen = tickets::table
            .filter(
                tickets::owner_id
                    .eq(v.user_id)
                    .or(tickets::group_id.eq_any(v.group_ids.clone()))
                    .or(tickets::parent_owner_id.eq(v.user_id))
                    .or(tickets::parent_group_id.eq_any(v.group_ids.clone()))
                    .or(tickets::id.eq_any(v.parents_of_mine.clone())),
            )
            .select(tickets::id.nullable());
        q = q.filter(events::ticket_id.eq_any(seen));
    }
    let mut rows: Vec<FeedRow> = q
        .order(events::position)
        .limit(limit + 1)
        .select(FeedRow::as_select())
        .load(c)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let last = rows.last().and_then(|r| r.position).unwrap_or(after);
    Ok(ChangeFeedPage {
        items: rows.into_iter().filter_map(FeedRow::change).collect(),
        next_cursor: last.to_string(),
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        // From the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn names_resolving_inside_are_refused_unless_allowed() {
        let e = resolve_checked("localhost", false).unwrap_err();
        assert!(e.contains("refused"), "{e}");
        assert!(!resolve_checked("localhost", true).unwrap().is_empty());
    }

    #[test]
    fn urls_are_checked_as_saved() {
        assert!(check_url("url", "https://example.com/hook", false).is_ok());
        for bad in [
            "ftp://example.com/",
            "http://user:pw@example.com/",
            "http://127.0.0.1:9000/",
            "http://[::1]/",
            "http://localhost/",
            "http://169.254.169.254/latest/meta-data",
            "not a url",
        ] {
            assert!(check_url("url", bad, false).is_err(), "{bad}");
        }
        assert!(check_url("url", "http://127.0.0.1:9000/", true).is_ok());
    }

    #[test]
    fn the_schedule_is_followed_with_jitter_and_retry_after() {
        let cfg = WebhookConfig::default();
        let d = next_delay(&cfg, 1, None).unwrap().num_milliseconds();
        assert!((4000..=6000).contains(&d), "{d}");
        let d = next_delay(&cfg, 1, Some(std::time::Duration::from_secs(60)))
            .unwrap()
            .num_seconds();
        assert_eq!(d, 60);
        assert!(next_delay(&cfg, 8, None).is_none(), "8 attempts in all");
        assert_eq!(
            parse_retry_after("120"),
            Some(std::time::Duration::from_secs(120))
        );
    }
}
