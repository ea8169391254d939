//! The typed client of the Lazo API. Every body is a type of
//! `lazo_domain::wire`; every failure is an [`ApiError`], which the UI shows in
//! plain words ([`ApiError::message`]).

pub mod error;
pub mod warm;

pub use error::ApiError;

use lazo_domain::wire::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

type RenewedHook = Rc<dyn Fn(LoginResponse)>;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static BASE: RefCell<Option<String>> = const { RefCell::new(None) };
    static LANG: std::cell::Cell<&'static str> = const { std::cell::Cell::new("en") };
    static ON_UNAUTHORIZED: RefCell<Option<Rc<dyn Fn()>>> = RefCell::new(None);
    static ON_RENEWED: RefCell<Option<RenewedHook>> = RefCell::new(None);
    /// The renewal in flight: every caller that needs one awaits this promise,
    /// so concurrent 401s cost one `POST /auth/refresh`.
    static RENEWING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// The bearer token sent with every request (`None` after logout).
pub fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The language the app shows, sent as `Accept-Language` so that what the
/// server words itself (notifications) reads in it too.
pub fn set_language(code: &'static str) {
    LANG.with(|l| l.set(code));
}

fn token() -> Option<String> {
    TOKEN.with(|t| t.borrow().clone())
}

/// Called when the API answers 401 to a signed-in request and renewing the
/// token did not help: the session ended.
pub fn on_unauthorized(f: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(Rc::new(f)));
}

/// Called with the new token (and a fresh copy of the person) after a renewal.
pub fn on_renewed(f: impl Fn(LoginResponse) + 'static) {
    ON_RENEWED.with(|h| *h.borrow_mut() = Some(Rc::new(f)));
}

/// Renews the session's JWT with `POST /auth/refresh` (the current token must
/// still be valid). Concurrent callers share one request. `Unauthorized`: the
/// session is over; `Network`: try again later.
pub async fn renew_session() -> Result<(), ApiError> {
    let Some(old) = token() else {
        return Err(ApiError::Unauthorized);
    };
    let promise = RENEWING.with(|r| r.borrow().clone()).unwrap_or_else(|| {
        let p = wasm_bindgen_futures::future_to_promise(async move {
            let r = call_once(
                &Call {
                    method: Method::Post,
                    path: "/auth/refresh",
                    body: None,
                    if_match: None,
                    session: false,
                },
                Some(&old),
            )
            .await
            .and_then(parse::<LoginResponse>);
            RENEWING.with(|r| *r.borrow_mut() = None);
            // 0: renewed; 1: refused (session over); 2: no answer.
            let code = match r {
                // Logged out (or renewed) meanwhile: leave that as it is.
                Ok(_) if token().as_deref() != Some(old.as_str()) => 0,
                Ok(a) => {
                    set_token(Some(a.body.token.clone()));
                    if let Some(h) = ON_RENEWED.with(|h| h.borrow().clone()) {
                        h(a.body);
                    }
                    0
                }
                Err(ApiError::Unauthorized) => 1,
                Err(ApiError::Problem(p)) if p.status == 401 || p.status == 403 => 1,
                Err(_) => 2,
            };
            Ok(wasm_bindgen::JsValue::from(code))
        });
        RENEWING.with(|r| *r.borrow_mut() = Some(p.clone()));
        p
    });
    let code = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(2.0);
    match code as u8 {
        0 => Ok(()),
        1 => Err(ApiError::Unauthorized),
        _ => Err(ApiError::Network("renewal failed".into())),
    }
}

/// The API origin from `<meta name="lazo-api-base">`; empty means the SPA's own.
fn base() -> String {
    BASE.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| {
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("meta[name=lazo-api-base]").ok().flatten())
                    .and_then(|m| m.get_attribute("content"))
                    .map(|s| s.trim().trim_end_matches('/').to_owned())
                    .unwrap_or_default()
            })
            .clone()
    })
}

/// A successful answer and its `ETag`, if any.
pub struct Answer<T> {
    pub body: T,
    pub etag: Option<String>,
}

struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<String>,
    if_match: Option<&'a str>,
    /// False for the login call: its 401 means "wrong password", not "session over".
    session: bool,
}

/// One request; a 401 on a signed-in call renews the token once (shared with
/// other 401s) and retries, so an expired JWT never interrupts work while the
/// session lasts.
async fn call<T: DeserializeOwned>(c: Call<'_>) -> Result<Answer<T>, ApiError> {
    parse(call_raw(c).await?)
}

/// [`call`] up to the body's text: not generic, so the request, renewal and
/// warm-start code exists once in the bundle rather than once per answer type.
async fn call_raw(c: Call<'_>) -> Result<Answer<String>, ApiError> {
    let sent_with = token();
    let first = call_once(&c, sent_with.as_deref()).await;
    if !c.session || !matches!(first, Err(ApiError::Unauthorized)) {
        return first;
    }
    let current = token();
    let renewed = if current.is_some() && current != sent_with {
        Ok(()) // renewed meanwhile by another call
    } else {
        renew_session().await
    };
    let r = match renewed {
        Ok(()) => call_once(&c, token().as_deref()).await,
        Err(_) => first,
    };
    if matches!(r, Err(ApiError::Unauthorized)) {
        if let Some(h) = ON_UNAUTHORIZED.with(|h| h.borrow().clone()) {
            h();
        }
    }
    r
}

/// The HTTP methods the API uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

fn network(e: JsValue) -> ApiError {
    ApiError::Network(format!("{e:?}"))
}

/// `fetch` through web-sys itself: gloo-net's wrapper over these few calls
/// (and the `http` crate's types under it) cost the wasm about 10 KB.
async fn fetch(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<web_sys::Response, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method.as_str());
    let h = web_sys::Headers::new().map_err(network)?;
    for (name, value) in headers {
        h.set(name, value).map_err(network)?;
    }
    init.set_headers(&h);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(network)?
        .dyn_into()
        .map_err(network)
}

/// A response's body as text; empty when it cannot be read.
async fn text(resp: &web_sys::Response) -> String {
    match resp.text() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn call_once(c: &Call<'_>, token: Option<&str>) -> Result<Answer<String>, ApiError> {
    let warm = if c.method == Method::Get {
        warm::note(c.path);
        match warm::take(c.path, token) {
            Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok(),
            None => None,
        }
    } else {
        None
    };
    let resp = match warm.and_then(|r| r.dyn_into::<web_sys::Response>().ok()) {
        Some(r) => r,
        None => {
            let bearer = token.map(|t| format!("Bearer {t}"));
            let mut headers = vec![
                ("Accept", "application/json"),
                ("Accept-Language", LANG.with(|l| l.get())),
            ];
            if let Some(b) = &bearer {
                headers.push(("Authorization", b));
            }
            if let Some(tag) = c.if_match {
                headers.push(("If-Match", tag));
            }
            if c.body.is_some() {
                headers.push(("Content-Type", "application/json"));
            }
            let url = format!("{}/api/v1{}", base(), c.path);
            fetch(c.method, &url, &headers, c.body.as_deref()).await?
        }
    };
    let status = resp.status();
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    let etag = header("etag");
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let text = text(&resp).await;
    if (200..300).contains(&status) {
        return Ok(Answer { body: text, etag });
    }
    let problem: Option<Problem> = serde_json::from_str(&text).ok();
    Err(ApiError::from_status(status, problem, retry_after))
}

/// A successful answer's body as `T` (an empty body reads as `null`).
fn parse<T: DeserializeOwned>(a: Answer<String>) -> Result<Answer<T>, ApiError> {
    let text = if a.body.trim().is_empty() {
        "null"
    } else {
        a.body.as_str()
    };
    serde_json::from_str(text)
        .map(|body| Answer { body, etag: a.etag })
        .map_err(|e| ApiError::Unexpected(format!("unreadable answer: {e}")))
}

fn json<B: Serialize>(b: &B) -> Option<String> {
    Some(serde_json::to_string(b).expect("wire types serialise"))
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    call(Call {
        method: Method::Get,
        path,
        body: None,
        if_match: None,
        session: true,
    })
    .await
    .map(|a| a.body)
}

async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    call(Call {
        method,
        path,
        body: json(body),
        if_match: None,
        session: true,
    })
    .await
    .map(|a| a.body)
}

async fn delete(path: &str) -> Result<(), ApiError> {
    call_raw(Call {
        method: Method::Delete,
        path,
        body: None,
        if_match: None,
        session: true,
    })
    .await
    .map(|_| ())
}

// ------------------------------------------------------------------ auth

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    call(Call {
        method: Method::Post,
        path: "/auth/login",
        body: json(req),
        if_match: None,
        session: false,
    })
    .await
    .map(|a| a.body)
    .map_err(|e| match e {
        // On the login call a 401 means wrong credentials, not an ended session.
        ApiError::Unauthorized => ApiError::Problem(Problem {
            type_: "urn:lazo:problem:invalid-credentials".into(),
            title: "Wrong email or password".into(),
            status: 401,
            detail: None,
            code: "invalid_credentials".into(),
            errors: vec![],
            request_id: None,
        }),
        e => e,
    })
}

pub async fn logout() -> Result<(), ApiError> {
    call_raw(Call {
        method: Method::Post,
        path: "/auth/logout",
        body: None,
        if_match: None,
        session: false,
    })
    .await
    .map(|_| ())
}

pub async fn me() -> Result<Me, ApiError> {
    get("/me").await
}

pub async fn update_me(b: &lazo_domain::wire::UpdateMe) -> Result<Me, ApiError> {
    send(Method::Patch, "/me", b).await
}

// ------------------------------------------------------------------ people and configuration

pub async fn users() -> Result<Vec<User>, ApiError> {
    get("/users").await
}
pub async fn create_user(b: &CreateUser) -> Result<User, ApiError> {
    send(Method::Post, "/users", b).await
}
pub async fn update_user(id: i64, b: &UpdateUser) -> Result<User, ApiError> {
    send(Method::Patch, &format!("/users/{id}"), b).await
}

pub async fn groups() -> Result<Vec<Group>, ApiError> {
    get("/groups").await
}
pub async fn create_group(b: &CreateGroup) -> Result<Group, ApiError> {
    send(Method::Post, "/groups", b).await
}
pub async fn update_group(id: i64, b: &UpdateGroup) -> Result<Group, ApiError> {
    send(Method::Patch, &format!("/groups/{id}"), b).await
}
pub async fn delete_group(id: i64) -> Result<(), ApiError> {
    delete(&format!("/groups/{id}")).await
}

pub async fn statuses() -> Result<Vec<Status>, ApiError> {
    get("/statuses").await
}
pub async fn create_status(b: &CreateStatus) -> Result<Status, ApiError> {
    send(Method::Post, "/statuses", b).await
}
pub async fn update_status(id: i64, b: &UpdateStatus) -> Result<Status, ApiError> {
    send(Method::Patch, &format!("/statuses/{id}"), b).await
}

pub async fn ticket_types() -> Result<Vec<TicketType>, ApiError> {
    get("/ticket-types").await
}
pub async fn create_ticket_type(b: &CreateTicketType) -> Result<TicketType, ApiError> {
    send(Method::Post, "/ticket-types", b).await
}
pub async fn update_ticket_type(id: i64, b: &UpdateTicketType) -> Result<TicketType, ApiError> {
    send(Method::Patch, &format!("/ticket-types/{id}"), b).await
}

pub async fn settings() -> Result<OrgSettings, ApiError> {
    get("/settings").await
}
pub async fn update_settings(b: &UpdateOrgSettings) -> Result<OrgSettings, ApiError> {
    send(Method::Patch, "/settings", b).await
}

// ------------------------------------------------------------------ tickets

/// `query` is a query string built by `listview`.
pub async fn tickets(query: &str) -> Result<TicketPage, ApiError> {
    get(&format!("/tickets?{query}")).await
}
pub async fn ticket_counts(query: &str) -> Result<TicketCounts, ApiError> {
    get(&format!("/tickets/counts?{query}")).await
}

/// A ticket and the `ETag` to send back with a change.
pub async fn ticket(id: i64) -> Result<(Ticket, String), ApiError> {
    ticket_call(Call {
        method: Method::Get,
        path: &format!("/tickets/{id}"),
        body: None,
        if_match: None,
        session: true,
    })
    .await
}

pub async fn update_ticket(
    id: i64,
    etag: &str,
    b: &UpdateTicket,
) -> Result<(Ticket, String), ApiError> {
    ticket_call(Call {
        method: Method::Patch,
        path: &format!("/tickets/{id}"),
        body: json(b),
        if_match: Some(etag),
        session: true,
    })
    .await
}

/// A call answering a ticket, with the `ETag` of its new version.
async fn ticket_call(c: Call<'_>) -> Result<(Ticket, String), ApiError> {
    let a: Answer<Ticket> = call(c).await?;
    let etag = a.etag.unwrap_or_else(|| format!("\"{}\"", a.body.version));
    Ok((a.body, etag))
}

/// Snoozes a ticket until `until` (or moves the date of a snoozed one): it
/// goes to a pending status now and reopens by itself then.
pub async fn snooze(id: i64, b: &SnoozeTicket) -> Result<(Ticket, String), ApiError> {
    ticket_call(Call {
        method: Method::Post,
        path: &format!("/tickets/{id}/snooze"),
        body: json(b),
        if_match: None,
        session: true,
    })
    .await
}

/// Reopens a snoozed ticket now, to the status it had before.
pub async fn unsnooze(id: i64) -> Result<(Ticket, String), ApiError> {
    ticket_call(Call {
        method: Method::Delete,
        path: &format!("/tickets/{id}/snooze"),
        body: None,
        if_match: None,
        session: true,
    })
    .await
}

pub async fn create_ticket(b: &CreateTicket) -> Result<Ticket, ApiError> {
    send(Method::Post, "/tickets", b).await
}
pub async fn delete_ticket(id: i64) -> Result<(), ApiError> {
    delete(&format!("/tickets/{id}")).await
}
pub async fn bulk_update(b: &BulkUpdate) -> Result<BulkResult, ApiError> {
    send(Method::Post, "/tickets/bulk", b).await
}

/// Comments and history come a page at a time, oldest first; pass the
/// previous page's `next_cursor` for the next one.
pub const ACTIVITY_PAGE: usize = 50;

fn page_query(cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("limit={ACTIVITY_PAGE}&cursor={}", crate::util::encode(c)),
        None => format!("limit={ACTIVITY_PAGE}"),
    }
}

pub async fn comments(ticket: i64, cursor: Option<String>) -> Result<CommentPage, ApiError> {
    get(&format!(
        "/tickets/{ticket}/comments?{}",
        page_query(cursor.as_deref())
    ))
    .await
}
pub async fn add_comment(ticket: i64, b: &CommentInput) -> Result<Comment, ApiError> {
    send(Method::Post, &format!("/tickets/{ticket}/comments"), b).await
}
pub async fn edit_comment(ticket: i64, id: i64, b: &UpdateComment) -> Result<Comment, ApiError> {
    send(
        Method::Patch,
        &format!("/tickets/{ticket}/comments/{id}"),
        b,
    )
    .await
}
pub async fn delete_comment(ticket: i64, id: i64) -> Result<(), ApiError> {
    delete(&format!("/tickets/{ticket}/comments/{id}")).await
}

pub async fn history(ticket: i64, cursor: Option<String>) -> Result<HistoryPage, ApiError> {
    get(&format!(
        "/tickets/{ticket}/history?{}",
        page_query(cursor.as_deref())
    ))
    .await
}

pub async fn sub_tickets(ticket: i64) -> Result<TicketPage, ApiError> {
    get(&format!("/tickets/{ticket}/sub-tickets?limit=200")).await
}
pub async fn create_sub_ticket(ticket: i64, b: &CreateTicket) -> Result<Ticket, ApiError> {
    send(Method::Post, &format!("/tickets/{ticket}/sub-tickets"), b).await
}

// ------------------------------------------------------------------ links and merge

use lazo_domain::links::{CreateTicketLink, MergeTicket, TicketLink, TicketLinks};

pub async fn ticket_links(ticket: i64) -> Result<TicketLinks, ApiError> {
    get(&format!("/tickets/{ticket}/links")).await
}
pub async fn create_link(ticket: i64, b: &CreateTicketLink) -> Result<TicketLink, ApiError> {
    send(Method::Post, &format!("/tickets/{ticket}/links"), b).await
}
pub async fn delete_link(ticket: i64, link: i64) -> Result<(), ApiError> {
    delete(&format!("/tickets/{ticket}/links/{link}")).await
}
/// Merges `id` into another ticket, based on the version `etag` names.
pub async fn merge_ticket(
    id: i64,
    etag: &str,
    b: &MergeTicket,
) -> Result<(Ticket, String), ApiError> {
    ticket_call(Call {
        method: Method::Post,
        path: &format!("/tickets/{id}/merge"),
        body: json(b),
        if_match: Some(etag),
        session: true,
    })
    .await
}

// ------------------------------------------------------------------ webhooks (admins)

use lazo_domain::webhook::{
    NewWebhookEndpoint, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryPage,
    WebhookEndpoint, WebhookEndpointList, WebhookEndpointPatch, WebhookEndpointWithSecret,
};

pub async fn webhooks() -> Result<Vec<WebhookEndpoint>, ApiError> {
    get::<WebhookEndpointList>("/webhooks")
        .await
        .map(|l| l.items)
}
pub async fn create_webhook(b: &NewWebhookEndpoint) -> Result<WebhookEndpointWithSecret, ApiError> {
    send(Method::Post, "/webhooks", b).await
}
pub async fn update_webhook(
    id: i64,
    b: &WebhookEndpointPatch,
) -> Result<WebhookEndpoint, ApiError> {
    send(Method::Patch, &format!("/webhooks/{id}"), b).await
}
pub async fn delete_webhook(id: i64) -> Result<(), ApiError> {
    delete(&format!("/webhooks/{id}")).await
}
pub async fn rotate_webhook_secret(id: i64) -> Result<WebhookEndpointWithSecret, ApiError> {
    send(
        Method::Post,
        &format!("/webhooks/{id}/rotate-secret"),
        &serde_json::json!({}),
    )
    .await
}
pub async fn webhook_deliveries(
    id: i64,
    cursor: Option<String>,
) -> Result<WebhookDeliveryPage, ApiError> {
    let c = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
    get(&format!("/webhooks/{id}/deliveries?limit=20{c}")).await
}
pub async fn webhook_delivery(id: i64, delivery: i64) -> Result<WebhookDeliveryDetail, ApiError> {
    get(&format!("/webhooks/{id}/deliveries/{delivery}")).await
}
pub async fn replay_delivery(id: i64, delivery: i64) -> Result<WebhookDelivery, ApiError> {
    send(
        Method::Post,
        &format!("/webhooks/{id}/deliveries/{delivery}/replay"),
        &serde_json::json!({}),
    )
    .await
}

// ------------------------------------------------------------------ customer and survey

use lazo_domain::feedback::{SurveyResponse, TouchpointPage};

/// The survey response a ticket came from; `None` when it came from none.
pub async fn ticket_response(ticket: i64) -> Result<Option<SurveyResponse>, ApiError> {
    match get(&format!("/tickets/{ticket}/response")).await {
        Ok(r) => Ok(Some(r)),
        Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
/// A contact's touchpoints, newest first; asked from a ticket, its own first.
pub async fn timeline(
    contact: i64,
    ticket: Option<i64>,
    cursor: Option<String>,
) -> Result<TouchpointPage, ApiError> {
    let c = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
    let tk = ticket.map(|t| format!("&ticket={t}")).unwrap_or_default();
    get(&format!("/contacts/{contact}/timeline?limit=10{tk}{c}")).await
}

use lazo_domain::feedback::{ContactPage, MergeContacts, UpdateContact};

pub async fn contacts(q: &str, cursor: Option<String>) -> Result<ContactPage, ApiError> {
    let c = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
    get(&format!(
        "/contacts?limit=50&q={}{c}",
        crate::util::encode(q)
    ))
    .await
}
pub async fn contact(id: i64) -> Result<Contact, ApiError> {
    get(&format!("/contacts/{id}")).await
}
pub async fn update_contact(id: i64, b: &UpdateContact) -> Result<Contact, ApiError> {
    send(Method::Patch, &format!("/contacts/{id}"), b).await
}
pub async fn merge_contacts(id: i64, from: i64) -> Result<Contact, ApiError> {
    send(
        Method::Post,
        &format!("/contacts/{id}/merge"),
        &MergeContacts { from },
    )
    .await
}

// ------------------------------------------------------------------ alert rules (admins)

use lazo_domain::feedback::{AlertRule, AlertRuleInput, AlertRuleTest, SurveyResponseInput};

pub async fn alert_rules() -> Result<Vec<AlertRule>, ApiError> {
    get("/alert-rules").await
}
pub async fn create_alert_rule(b: &AlertRuleInput) -> Result<AlertRule, ApiError> {
    send(Method::Post, "/alert-rules", b).await
}
pub async fn replace_alert_rule(id: i64, b: &AlertRuleInput) -> Result<AlertRule, ApiError> {
    send(Method::Put, &format!("/alert-rules/{id}"), b).await
}
pub async fn delete_alert_rule(id: i64) -> Result<(), ApiError> {
    delete(&format!("/alert-rules/{id}")).await
}
pub async fn test_alert_rule(id: i64, b: &SurveyResponseInput) -> Result<AlertRuleTest, ApiError> {
    send(Method::Post, &format!("/alert-rules/{id}/test"), b).await
}

// ------------------------------------------------------------------ email

use lazo_domain::email::{
    CreateEmailTemplate, Email, EmailPage, EmailTemplate, InboundMessage, InboundMessagePage,
    SendEmail, UpdateEmailTemplate,
};

pub async fn ticket_emails(ticket: i64, cursor: Option<String>) -> Result<EmailPage, ApiError> {
    let c = cursor.map(|c| format!("?cursor={c}")).unwrap_or_default();
    get(&format!("/tickets/{ticket}/emails{c}")).await
}
pub async fn send_email(ticket: i64, b: &SendEmail) -> Result<Email, ApiError> {
    send(Method::Post, &format!("/tickets/{ticket}/emails"), b).await
}
pub async fn retry_email(ticket: i64, email: i64) -> Result<Email, ApiError> {
    send(
        Method::Post,
        &format!("/tickets/{ticket}/emails/{email}/retry"),
        &serde_json::json!({}),
    )
    .await
}
pub async fn email_templates() -> Result<Vec<EmailTemplate>, ApiError> {
    get("/email-templates").await
}
pub async fn create_email_template(b: &CreateEmailTemplate) -> Result<EmailTemplate, ApiError> {
    send(Method::Post, "/email-templates", b).await
}
pub async fn update_email_template(
    id: i64,
    b: &UpdateEmailTemplate,
) -> Result<EmailTemplate, ApiError> {
    send(Method::Patch, &format!("/email-templates/{id}"), b).await
}
pub async fn delete_email_template(id: i64) -> Result<(), ApiError> {
    delete(&format!("/email-templates/{id}")).await
}
pub async fn inbound_messages(
    outcome: Option<&str>,
    cursor: Option<String>,
) -> Result<InboundMessagePage, ApiError> {
    let mut q = vec!["limit=50".to_owned()];
    if let Some(o) = outcome {
        q.push(format!("outcome={o}"));
    }
    if let Some(c) = cursor {
        q.push(format!("cursor={c}"));
    }
    get(&format!("/inbound/messages?{}", q.join("&"))).await
}
pub async fn reprocess_inbound(id: i64) -> Result<InboundMessage, ApiError> {
    send(
        Method::Post,
        &format!("/inbound/messages/{id}/reprocess"),
        &serde_json::json!({}),
    )
    .await
}

// ------------------------------------------------------------------ notifications and forwarding

use lazo_domain::forward::{ForwardTicket, Forwarded};
use lazo_domain::notification::{MarkRead, MarkedRead, NotificationPage, NotificationPrefs};

pub async fn notifications(only_unread: bool, limit: i64) -> Result<NotificationPage, ApiError> {
    get(&format!(
        "/notifications?limit={limit}&unread={only_unread}"
    ))
    .await
}
pub async fn mark_read(b: &MarkRead) -> Result<MarkedRead, ApiError> {
    send(Method::Post, "/notifications/read", b).await
}
pub async fn notification_prefs() -> Result<NotificationPrefs, ApiError> {
    get("/notifications/prefs").await
}
pub async fn set_notification_prefs(b: &NotificationPrefs) -> Result<NotificationPrefs, ApiError> {
    send(Method::Put, "/notifications/prefs", b).await
}
pub async fn forward_ticket(ticket: i64, b: &ForwardTicket) -> Result<Forwarded, ApiError> {
    send(Method::Post, &format!("/tickets/{ticket}/forward"), b).await
}
pub async fn email_status() -> Result<lazo_domain::email::EmailStatus, ApiError> {
    get("/inbound/status").await
}

// ------------------------------------------------------------------ attachments

use lazo_domain::attachment::Attachment;
use wasm_bindgen::{JsCast, JsValue};

pub async fn attachments(ticket: i64) -> Result<Vec<Attachment>, ApiError> {
    get(&format!("/tickets/{ticket}/attachments")).await
}
pub async fn delete_attachment(ticket: i64, id: i64) -> Result<(), ApiError> {
    delete(&format!("/tickets/{ticket}/attachments/{id}")).await
}

fn js_err(e: JsValue) -> ApiError {
    ApiError::Unexpected(format!("{e:?}"))
}

/// A call outside [`call`] (bytes, a form) answered 401: renew once (shared
/// with other calls) and say whether to try again; if not, the session is
/// over and the app is told.
async fn renewed_after_401(sent_with: Option<String>) -> bool {
    let current = token();
    let ok = (current.is_some() && current != sent_with) || renew_session().await.is_ok();
    if !ok {
        if let Some(h) = ON_UNAUTHORIZED.with(|h| h.borrow().clone()) {
            h();
        }
    }
    ok
}

async fn bytes_once(path: &str, token: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("Authorization", b.as_str()))
        .collect();
    let url = format!("{}/api/v1{path}", base());
    let resp = fetch(Method::Get, &url, &headers, None).await?;
    let status = resp.status();
    if (200..300).contains(&status) {
        let buf = wasm_bindgen_futures::JsFuture::from(resp.array_buffer().map_err(network)?)
            .await
            .map_err(network)?;
        return Ok(js_sys::Uint8Array::new(&buf).to_vec());
    }
    let text = text(&resp).await;
    Err(ApiError::from_status(
        status,
        serde_json::from_str(&text).ok(),
        None,
    ))
}

/// A file's bytes. Links cannot carry the bearer token, so downloads are
/// fetched and handed to the browser as a blob (see `util::save_bytes`).
pub async fn attachment_bytes(ticket: i64, id: i64) -> Result<Vec<u8>, ApiError> {
    let path = format!("/tickets/{ticket}/attachments/{id}");
    let sent_with = token();
    let first = bytes_once(&path, sent_with.as_deref()).await;
    if !matches!(first, Err(ApiError::Unauthorized)) || !renewed_after_401(sent_with).await {
        return first;
    }
    bytes_once(&path, token().as_deref()).await
}

async fn upload_once(
    ticket: i64,
    files: &[web_sys::File],
    progress: &std::rc::Rc<dyn Fn(f64)>,
    token: Option<&str>,
) -> Result<Vec<Attachment>, ApiError> {
    let form = web_sys::FormData::new().map_err(js_err)?;
    for f in files {
        form.append_with_blob_and_filename("files", f, &f.name())
            .map_err(js_err)?;
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_err)?;
    xhr.open(
        "POST",
        &format!("{}/api/v1/tickets/{ticket}/attachments", base()),
    )
    .map_err(js_err)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(js_err)?;
    if let Some(token) = token {
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(js_err)?;
    }
    // fetch() reports no upload progress; XMLHttpRequest does.
    let p = progress.clone();
    let on_progress = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
        move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                p(e.loaded() / e.total());
            }
        },
    );
    xhr.upload()
        .map_err(js_err)?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        xhr.set_onloadend(Some(cb.unchecked_ref()));
    });
    xhr.send_with_opt_form_data(Some(&form)).map_err(js_err)?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);
    let status = xhr.status().map_err(js_err)?;
    if status == 0 {
        return Err(ApiError::Network("the upload got no answer".into()));
    }
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str(&text)
            .map_err(|e| ApiError::Unexpected(format!("{status}: {e}")));
    }
    Err(ApiError::from_status(
        status,
        serde_json::from_str(&text).ok(),
        None,
    ))
}

/// Uploads `files` in one request (all attached or none), reporting the
/// share sent so far (0 to 1) to `progress`.
pub async fn upload_attachments(
    ticket: i64,
    files: &[web_sys::File],
    progress: std::rc::Rc<dyn Fn(f64)>,
) -> Result<Vec<Attachment>, ApiError> {
    let sent_with = token();
    let first = upload_once(ticket, files, &progress, sent_with.as_deref()).await;
    if !matches!(first, Err(ApiError::Unauthorized)) || !renewed_after_401(sent_with).await {
        return first;
    }
    upload_once(ticket, files, &progress, token().as_deref()).await
}
