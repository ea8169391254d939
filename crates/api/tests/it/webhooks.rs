//! Webhooks and the change feed, through HTTP, with a real HTTP receiver on
//! loopback that verifies every signature with the Standard Webhooks
//! reference library and can answer 500, 410, Retry-After or slowly.

use crate::common;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::Duration;
use common::*;
use diesel::prelude::*;
use lazo_api::db::schema::events;
use lazo_api::jobs::{Registry, Worker, WorkerConfig};
use lazo_api::state::Config;
use lazo_domain::webhook::{
    ChangeFeedPage, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryPage, WebhookEndpoint,
    WebhookEndpointWithSecret,
};
use lazo_service::webhooks::{register, WebhookConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// How the receiver answers its next request.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// Waits this many milliseconds, then answers 200.
    Slow(u64),
}

#[derive(Debug, Clone)]
struct Got {
    path: String,
    id: String,
    signature: String,
    verified: bool,
    answered: u16,
    body: Value,
}

#[derive(Default)]
struct RecvState {
    secrets: Vec<String>,
    script: VecDeque<Answer>,
    got: Vec<Got>,
}

#[derive(Clone)]
struct Receiver {
    base: String,
    state: Arc<Mutex<RecvState>>,
}

impl Receiver {
    fn got(&self) -> Vec<Got> {
        self.state.lock().unwrap().got.clone()
    }
    fn set_secrets(&self, s: &[&str]) {
        self.state.lock().unwrap().secrets = s.iter().map(|x| x.to_string()).collect();
    }
    fn script(&self, answers: &[Answer]) {
        self.state
            .lock()
            .unwrap()
            .script
            .extend(answers.iter().copied());
    }
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    st: web::Data<Arc<Mutex<RecvState>>>,
) -> HttpResponse {
    let mut headers = http::HeaderMap::new();
    for (k, v) in req.headers() {
        headers.append(
            http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    let (answer, secrets) = {
        let mut s = st.lock().unwrap();
        (
            s.script.pop_front().unwrap_or(Answer::Status(200)),
            s.secrets.clone(),
        )
    };
    let verified = secrets.iter().any(|sec| {
        standardwebhooks::Webhook::new(sec)
            .map(|w| w.verify(&body, &headers).is_ok())
            .unwrap_or(false)
    });
    let (status, retry_after) = match answer {
        Answer::Status(s) => (s, None),
        Answer::RetryAfter(s, secs) => (s, Some(secs)),
        Answer::Slow(ms) => {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(ms)).await;
            (200, None)
        }
    };
    let status = if verified { status } else { 401 };
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    st.lock().unwrap().got.push(Got {
        path: req.path().to_owned(),
        id: header("webhook-id"),
        signature: header("webhook-signature"),
        verified,
        answered: status,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(s) = retry_after {
        res.insert_header(("Retry-After", s.to_string()));
    }
    res.body(format!("answered {status}"))
}

fn start_receiver_on(listener: TcpListener) -> Receiver {
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(Mutex::new(RecvState::default()));
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    Receiver {
        base: format!("http://127.0.0.1:{port}"),
        state,
    }
}

fn start_receiver() -> Receiver {
    start_receiver_on(TcpListener::bind("127.0.0.1:0").unwrap())
}

fn fast_worker() -> WorkerConfig {
    WorkerConfig {
        poll: std::time::Duration::from_millis(20),
        lease: Duration::seconds(30),
        backoff_base: Duration::milliseconds(20),
        backoff_max: Duration::milliseconds(200),
        batch: 20,
    }
}

fn hooks_cfg(retry_ms: u64) -> WebhookConfig {
    WebhookConfig {
        schedule: vec![std::time::Duration::from_millis(retry_ms); 7],
        timeout: std::time::Duration::from_millis(700),
        allow_private: true,
    }
}

fn worker(app: &TestApp, cfg: WebhookConfig) -> Arc<Worker> {
    let mut reg = Registry::default();
    register(&mut reg, cfg);
    Arc::new(Worker::new(app.db.storage(), reg, fast_worker()))
}

/// Runs worker rounds on a blocking thread until `done` holds or 20 s pass.
async fn work_until(w: Arc<Worker>, done: impl Fn() -> bool + Send + 'static) {
    tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        while !done() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "the worker did not get there in 20 s"
            );
            if w.tick().expect("a worker round") == 0 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    })
    .await
    .unwrap();
}

/// One worker round, off the async threads (deliveries block).
async fn tick(w: &Arc<Worker>) {
    let w = w.clone();
    tokio::task::spawn_blocking(move || w.tick().expect("a worker round"))
        .await
        .unwrap();
}

/// Runs worker rounds until `done` (async, e.g. an HTTP read) holds.
async fn work_until_async<F, Fut>(w: &Arc<Worker>, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the worker did not get there in 20 s"
        );
        let w2 = w.clone();
        let n = tokio::task::spawn_blocking(move || w2.tick().expect("a worker round"))
            .await
            .unwrap();
        if n == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

fn undispatched(app: &TestApp) -> i64 {
    app.db
        .write_blocking(|c| {
            Ok(events::table
                .filter(events::dispatched_at.is_null())
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

/// Dispatches what the demo load wrote, so only the test's events follow.
async fn drain(app: &TestApp, w: &Arc<Worker>) {
    let db = app.db.clone();
    work_until(w.clone(), move || {
        db.write_blocking(|c| {
            Ok(events::table
                .filter(events::dispatched_at.is_null())
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap()
            == 0
    })
    .await;
    assert_eq!(undispatched(app), 0);
}

async fn private_app() -> TestApp {
    TestApp::spawn_with(Config {
        webhook_allow_private: true,
        ..Config::default()
    })
    .await
}

async fn endpoint(
    app: &TestApp,
    admin: &str,
    url: &str,
    types: &[&str],
) -> WebhookEndpointWithSecret {
    created(
        app.post(
            admin,
            "/api/v1/webhooks",
            &json!({"url": url, "description": "test receiver", "event_types": types}),
        )
        .await,
    )
    .await
}

async fn deliveries(app: &TestApp, admin: &str, ep: i64) -> Vec<WebhookDelivery> {
    let page: WebhookDeliveryPage = ok(app
        .get(
            admin,
            &format!("/api/v1/webhooks/{ep}/deliveries?limit=200"),
        )
        .await)
    .await;
    page.items
}

#[tokio::test]
async fn signed_events_reach_a_real_receiver_filtered_by_kind() {
    let app = private_app().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let w = worker(&app, hooks_cfg(50));
    drain(&app, &w).await;
    let rx = start_receiver();
    let all = endpoint(&app, &admin, &format!("{}/all", rx.base), &[]).await;
    let comments = endpoint(
        &app,
        &admin,
        &format!("{}/comments", rx.base),
        &["ticket.commented"],
    )
    .await;
    assert!(all.secret.starts_with("whsec_"), "{}", all.secret);
    assert_ne!(all.secret, comments.secret);
    rx.set_secrets(&[&all.secret, &comments.secret]);
    // The secret is shown once: never in a read.
    let read: Value = ok(app
        .get(&admin, &format!("/api/v1/webhooks/{}", all.endpoint.id))
        .await)
    .await;
    assert!(read.get("secret").is_none(), "{read}");
    assert!(!read.to_string().contains(&all.secret));

    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Hook me", "group_id": d.support}),
        )
        .await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.open}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/comments", t.id),
            &json!({"body": "Called the customer", "internal": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let r = rx.clone();
    work_until(w.clone(), move || r.got().len() >= 4).await;
    let got = rx.got();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got.iter().all(|g| g.verified && g.answered == 200),
        "{got:#?}"
    );
    let to_all: Vec<&Got> = got.iter().filter(|g| g.path == "/all").collect();
    let kinds: Vec<&str> = to_all
        .iter()
        .map(|g| g.body["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["ticket.created", "ticket.updated", "ticket.commented"]
    );
    for g in &got {
        // The versioned envelope, and the id the header names.
        assert_eq!(g.id, format!("msg_{}", g.body["data"]["id"]));
        assert_eq!(g.body["data"]["schema_version"], 1);
        assert_eq!(g.body["data"]["ticket_id"], t.id);
        assert_eq!(g.body["data"]["kind"], g.body["type"]);
        assert!(g.signature.starts_with("v1,"));
    }
    let updated = to_all[1];
    assert_eq!(
        updated.body["data"]["data"]["changes"][0]["field"],
        "status"
    );
    assert_eq!(updated.body["data"]["data"]["changes"][0]["new_id"], d.open);
    let only: Vec<&Got> = got.iter().filter(|g| g.path == "/comments").collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].body["type"], "ticket.commented");

    // The delivery log.
    let ds = deliveries(&app, &admin, all.endpoint.id).await;
    assert_eq!(ds.len(), 3);
    assert!(ds.iter().all(|x| x.state == "succeeded" && x.attempts == 1));
    let detail: WebhookDeliveryDetail = ok(app
        .get(
            &admin,
            &format!(
                "/api/v1/webhooks/{}/deliveries/{}",
                all.endpoint.id, ds[0].id
            ),
        )
        .await)
    .await;
    assert_eq!(detail.attempt_log.len(), 1);
    assert_eq!(detail.attempt_log[0].status, Some(200));
    assert_eq!(
        detail.attempt_log[0].response.as_deref(),
        Some("answered 200")
    );
    // Another endpoint's delivery is not found under this one.
    let other = deliveries(&app, &admin, comments.endpoint.id).await;
    let res = app
        .get(
            &admin,
            &format!(
                "/api/v1/webhooks/{}/deliveries/{}",
                all.endpoint.id, other[0].id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Fanning out again adds nothing: one delivery per endpoint and event.
    tick(&w).await;
    assert_eq!(deliveries(&app, &admin, all.endpoint.id).await.len(), 3);
}

#[tokio::test]
async fn a_receiver_down_then_up_gets_every_delivery_exactly_once() {
    let app = private_app().await;
    let admin = app.login(ADMIN).await;
    let w = worker(&app, hooks_cfg(300));
    drain(&app, &w).await;
    // A port with nothing listening: connections are refused.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let ep = endpoint(&app, &admin, &format!("http://127.0.0.1:{port}/hook"), &[]).await;
    for i in 0..5 {
        app.create_ticket(&admin, &json!({"subject": format!("Down {i}")}))
            .await;
    }
    // Every delivery tried at least once while the receiver is down.
    let (a, t) = (app.address.clone(), admin.clone());
    let client = app.client.clone();
    let id = ep.endpoint.id;
    work_until_async(&w, || {
        let (a, t, client) = (a.clone(), t.clone(), client.clone());
        async move {
            let page: WebhookDeliveryPage = client
                .get(format!("{a}/api/v1/webhooks/{id}/deliveries"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page.items.len() == 5 && page.items.iter().all(|d| d.attempts >= 1)
        }
    })
    .await;
    let ds = deliveries(&app, &admin, id).await;
    assert!(ds.iter().all(|d| d.state == "pending"), "{ds:#?}");
    assert!(ds
        .iter()
        .all(|d| d.last_error.as_deref().is_some_and(|e| !e.is_empty())));

    // Up again, on the same port.
    let rx = start_receiver_on(TcpListener::bind(("127.0.0.1", port)).unwrap());
    rx.set_secrets(&[&ep.secret]);
    let r = rx.clone();
    work_until(w.clone(), move || r.got().len() >= 5).await;
    // A few more rounds: nothing is sent twice.
    for _ in 0..10 {
        tick(&w).await;
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    let got = rx.got();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for g in &got {
        assert!(g.verified);
        *by_id.entry(g.id.clone()).or_default() += 1;
    }
    assert_eq!(by_id.len(), 5, "{got:#?}");
    assert!(by_id.values().all(|n| *n == 1), "{by_id:?}");
    let ds = deliveries(&app, &admin, id).await;
    assert!(ds.iter().all(|d| d.state == "succeeded"), "{ds:#?}");
    let detail: WebhookDeliveryDetail = ok(app
        .get(
            &admin,
            &format!("/api/v1/webhooks/{id}/deliveries/{}", ds[0].id),
        )
        .await)
    .await;
    let log = &detail.attempt_log;
    assert!(log.len() >= 2);
    assert!(
        log[0].status.is_none() && log[0].error.is_some(),
        "{log:#?}"
    );
    assert_eq!(log.last().unwrap().status, Some(200));
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_slow_receiver_times_out() {
    let app = private_app().await;
    let admin = app.login(ADMIN).await;
    let w = worker(&app, hooks_cfg(50));
    drain(&app, &w).await;
    let rx = start_receiver();
    let ep = endpoint(&app, &admin, &format!("{}/h", rx.base), &["ticket.created"]).await;
    rx.set_secrets(&[&ep.secret]);
    rx.script(&[
        Answer::RetryAfter(503, 1),
        Answer::Slow(1500),
        Answer::Status(500),
        Answer::Status(200),
    ]);
    app.create_ticket(&admin, &json!({"subject": "Busy receiver"}))
        .await;
    let (a, t, client, id) = (
        app.address.clone(),
        admin.clone(),
        app.client.clone(),
        ep.endpoint.id,
    );
    work_until_async(&w, || {
        let (a, t, client) = (a.clone(), t.clone(), client.clone());
        async move {
            let page: WebhookDeliveryPage = client
                .get(format!("{a}/api/v1/webhooks/{id}/deliveries"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page.items.first().is_some_and(|d| d.state == "succeeded")
        }
    })
    .await;
    let ds = deliveries(&app, &admin, id).await;
    let detail: WebhookDeliveryDetail = ok(app
        .get(
            &admin,
            &format!("/api/v1/webhooks/{id}/deliveries/{}", ds[0].id),
        )
        .await)
    .await;
    let log = &detail.attempt_log;
    assert_eq!(log.len(), 4, "{log:#?}");
    assert_eq!(log[0].status, Some(503));
    // The schedule said 50 ms; the receiver asked for a second.
    let gap = log[1].attempted_at - log[0].attempted_at;
    assert!(gap >= Duration::milliseconds(950), "{gap}");
    assert_eq!(log[1].status, None);
    assert!(
        log[1].error.as_deref().unwrap().contains("timed out"),
        "{log:#?}"
    );
    assert!(
        log[1].latency_ms >= 600 && log[1].latency_ms < 1500,
        "{log:#?}"
    );
    assert_eq!(log[2].status, Some(500));
    assert_eq!(log[3].status, Some(200));
    assert_eq!(detail.delivery.attempts, 4);
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_a_schedule_runs_out() {
    let app = private_app().await;
    let admin = app.login(ADMIN).await;
    let mut cfg = hooks_cfg(20);
    cfg.schedule.truncate(2); // three attempts in all
    let w = worker(&app, cfg);
    drain(&app, &w).await;
    let rx = start_receiver();
    let gone = endpoint(&app, &admin, &format!("{}/gone", rx.base), &[]).await;
    rx.set_secrets(&[&gone.secret]);
    rx.script(&[Answer::Status(410)]);
    app.create_ticket(&admin, &json!({"subject": "To a closed door"}))
        .await;
    let id = gone.endpoint.id;
    let (a, t, client) = (app.address.clone(), admin.clone(), app.client.clone());
    let disabled = || {
        let (a, t, client) = (a.clone(), t.clone(), client.clone());
        async move {
            let ep: WebhookEndpoint = client
                .get(format!("{a}/api/v1/webhooks/{id}"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            !ep.enabled
        }
    };
    work_until_async(&w, disabled).await;
    let ep: WebhookEndpoint = ok(app.get(&admin, &format!("/api/v1/webhooks/{id}")).await).await;
    assert!(
        ep.disabled_reason.as_deref().unwrap().contains("410"),
        "{ep:?}"
    );
    let ds = deliveries(&app, &admin, id).await;
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].state, "failed");
    assert_eq!(ds[0].attempts, 1, "410 is not retried");
    // A disabled endpoint gets no new deliveries.
    app.create_ticket(&admin, &json!({"subject": "After the door closed"}))
        .await;
    drain(&app, &w).await;
    assert_eq!(deliveries(&app, &admin, id).await.len(), 1);
    // Enabling clears the reason.
    let ep: WebhookEndpoint = ok(app
        .patch(
            &admin,
            &format!("/api/v1/webhooks/{id}"),
            &json!({"enabled": true}),
        )
        .await)
    .await;
    assert!(ep.enabled && ep.disabled_reason.is_none());
    app.patch(
        &admin,
        &format!("/api/v1/webhooks/{id}"),
        &json!({"enabled": false}),
    )
    .await;

    // A receiver that always fails: three attempts, then failed for good.
    let failing = endpoint(&app, &admin, &format!("{}/fail", rx.base), &[]).await;
    rx.set_secrets(&[&failing.secret]);
    rx.script(&[Answer::Status(500); 10]);
    app.create_ticket(&admin, &json!({"subject": "Never acknowledged"}))
        .await;
    let fid = failing.endpoint.id;
    let (a, t, client) = (app.address.clone(), admin.clone(), app.client.clone());
    work_until_async(&w, || {
        let (a, t, client) = (a.clone(), t.clone(), client.clone());
        async move {
            let page: WebhookDeliveryPage = client
                .get(format!("{a}/api/v1/webhooks/{fid}/deliveries?state=failed"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page.items.len() == 1
        }
    })
    .await;
    let ds = deliveries(&app, &admin, fid).await;
    assert_eq!(ds[0].attempts, 3);
    assert_eq!(ds[0].last_status, Some(500));
    assert!(ds[0].next_attempt_at.is_none());
    assert_eq!(rx.got().iter().filter(|g| g.path == "/fail").count(), 3);
}

#[tokio::test]
async fn replay_resends_the_same_id_and_a_rotated_secret_signs_beside_the_old() {
    let app = private_app().await;
    let admin = app.login(ADMIN).await;
    let w = worker(&app, hooks_cfg(50));
    drain(&app, &w).await;
    let rx = start_receiver();
    let ep = endpoint(&app, &admin, &format!("{}/r", rx.base), &["ticket.created"]).await;
    rx.set_secrets(&[&ep.secret]);
    app.create_ticket(&admin, &json!({"subject": "Replay me"}))
        .await;
    let r = rx.clone();
    work_until(w.clone(), move || !r.got().is_empty()).await;
    let id = ep.endpoint.id;
    let ds = deliveries(&app, &admin, id).await;
    assert_eq!(ds[0].state, "succeeded");

    let again: WebhookDelivery = ok(app
        .post(
            &admin,
            &format!("/api/v1/webhooks/{id}/deliveries/{}/replay", ds[0].id),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!(again.state, "pending");
    let r = rx.clone();
    work_until(w.clone(), move || r.got().len() >= 2).await;
    let got = rx.got();
    assert_eq!(got[0].id, got[1].id, "a replay keeps the webhook-id");
    assert!(got[1].verified);

    // Rotation: the old secret keeps signing beside the new one.
    let rotated: WebhookEndpointWithSecret = ok(app
        .post(
            &admin,
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            &json!({}),
        )
        .await)
    .await;
    assert_ne!(rotated.secret, ep.secret);
    assert!(rotated.endpoint.previous_secret_expires_at.is_some());
    rx.set_secrets(&[&ep.secret]);
    app.create_ticket(&admin, &json!({"subject": "Old secret still verifies"}))
        .await;
    let r = rx.clone();
    work_until(w.clone(), move || r.got().len() >= 3).await;
    rx.set_secrets(&[&rotated.secret]);
    app.create_ticket(&admin, &json!({"subject": "New secret verifies"}))
        .await;
    let r = rx.clone();
    work_until(w.clone(), move || r.got().len() >= 4).await;
    let got = rx.got();
    assert!(got[2].verified && got[3].verified, "{got:#?}");
    assert_eq!(
        got[3].signature.split(' ').count(),
        2,
        "{}",
        got[3].signature
    );
    // Unknown delivery and endpoint.
    let res = app
        .post(
            &admin,
            &format!("/api/v1/webhooks/{id}/deliveries/999999/replay"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn endpoints_refuse_internal_urls_bad_input_and_non_admins() {
    // The default configuration: private delivery off.
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/",
        "http://[::1]:8080/",
    ] {
        let p = problem(
            app.post(&admin, "/api/v1/webhooks", &json!({"url": url}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(field_codes(&p), [("url", "url_not_allowed")], "{url}");
    }
    for (body, field) in [
        (json!({"url": "ftp://example.com/"}), "url"),
        (json!({"url": "https://u:p@example.com/"}), "url"),
        (json!({"url": "https://example.com/\u{0}"}), "url"),
        (
            json!({"url": "https://example.com/", "event_types": ["ticket.exploded"]}),
            "event_types",
        ),
        (
            json!({"url": "https://example.com/", "description": "a\u{0}b"}),
            "description",
        ),
        (
            json!({"url": format!("https://example.com/{}", "a".repeat(2000))}),
            "url",
        ),
    ] {
        let p = problem(
            app.post(&admin, "/api/v1/webhooks", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{body}");
    }
    // Wrong shapes are 4xx, never 5xx.
    for body in [
        json!([{"url": "https://example.com/"}]),
        json!({"url": ["https://example.com/"]}),
        json!({"url": "https://example.com/", "secret": "whsec_mine"}),
        json!({}),
    ] {
        let res = app.post(&admin, "/api/v1/webhooks", &body).await;
        assert!(res.status().is_client_error(), "{body}: {}", res.status());
    }
    let ok_ep = endpoint(
        &app,
        &admin,
        "https://example.com/hook",
        &["ticket.created"],
    )
    .await;
    // A PATCH cannot sneak an internal URL in either.
    let p = problem(
        app.patch(
            &admin,
            &format!("/api/v1/webhooks/{}", ok_ep.endpoint.id),
            &json!({"url": "http://127.0.0.1/"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("url", "url_not_allowed")]);
    // Agents may not touch webhooks.
    let ana = app.login(ANA).await;
    assert_eq!(
        app.get(&ana, "/api/v1/webhooks").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &ana,
            "/api/v1/webhooks",
            &json!({"url": "https://example.com/"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .get(
            &admin,
            &format!(
                "/api/v1/webhooks/{}/deliveries?state=lost",
                ok_ep.endpoint.id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .delete(&admin, &format!("/api/v1/webhooks/{}", ok_ep.endpoint.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .get(&admin, &format!("/api/v1/webhooks/{}", ok_ep.endpoint.id))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn feed(app: &TestApp, token: &str, after: &str, limit: i64) -> ChangeFeedPage {
    ok(app
        .get(
            token,
            &format!("/api/v1/events?after={after}&limit={limit}"),
        )
        .await)
    .await
}

#[tokio::test]
async fn the_change_feed_pages_in_commit_order_and_shows_agents_only_their_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let w = worker(&app, hooks_cfg(50));
    drain(&app, &w).await;
    let start = feed(&app, &admin, "0", 1000).await;
    assert!(!start.items.is_empty(), "the demo's events are in the feed");
    let mut cursor = start.next_cursor.clone();
    while feed(&app, &admin, &cursor, 1000).await.has_more {
        cursor = feed(&app, &admin, &cursor, 1000).await.next_cursor;
    }
    let tail = feed(&app, &admin, &cursor, 1000).await;
    cursor = tail.next_cursor;

    let mine = app
        .create_ticket(&ana, &json!({"subject": "Ana's", "group_id": d.support}))
        .await;
    let hidden = app
        .create_ticket(
            &admin,
            &json!({"subject": "Billing only", "group_id": d.billing}),
        )
        .await;
    app.patch(
        &admin,
        &format!("/api/v1/tickets/{}", hidden.id),
        &json!({"priority": "high"}),
    )
    .await;
    app.patch(
        &ana,
        &format!("/api/v1/tickets/{}", mine.id),
        &json!({"priority": "low"}),
    )
    .await;
    // Not in the feed until dispatched.
    assert!(feed(&app, &admin, &cursor, 100).await.items.is_empty());
    drain(&app, &w).await;

    // Admin: all four, in order, over pages of one.
    let mut seen = vec![];
    let mut c = cursor.clone();
    loop {
        let page = feed(&app, &admin, &c, 1).await;
        if page.items.is_empty() {
            assert_eq!(page.next_cursor, c, "an empty page keeps the cursor");
            assert!(!page.has_more);
            break;
        }
        assert_eq!(page.items.len(), 1);
        c = page.next_cursor.clone();
        seen.extend(page.items);
    }
    let ids: Vec<(Option<i64>, &str)> =
        seen.iter().map(|e| (e.ticket_id, e.event.kind())).collect();
    assert_eq!(
        ids,
        [
            (Some(mine.id), "ticket.created"),
            (Some(hidden.id), "ticket.created"),
            (Some(hidden.id), "ticket.updated"),
            (Some(mine.id), "ticket.updated"),
        ]
    );
    assert!(seen.windows(2).all(|p| p[0].position < p[1].position));
    // Ana: only the ticket she sees.
    let hers = feed(&app, &ana, &cursor, 100).await;
    assert!(
        hers.items.iter().all(|e| e.ticket_id == Some(mine.id)),
        "{hers:#?}"
    );
    assert_eq!(hers.items.len(), 2);

    // Bad cursors and limits are 400s naming the parameter.
    for q in [
        "after=abc",
        "after=-1",
        "limit=0",
        "limit=1001",
        "after=99999999999999999999999",
    ] {
        let res = app.get(&admin, &format!("/api/v1/events?{q}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{q}");
    }
    assert_eq!(
        app.get("", "/api/v1/events").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// On PostgreSQL transactions commit concurrently: an event can get a
/// smaller id than one already committed and read. The feed must still
/// return it after the reader's cursor.
#[tokio::test]
async fn the_feed_never_skips_an_event_committed_late() {
    let app = TestApp::spawn().await;
    if !app.db.storage().url().starts_with("postgres") {
        // SQLite has one writer: ids are handed out in commit order.
        return;
    }
    let admin = app.login(ADMIN).await;
    let w = worker(&app, hooks_cfg(50));
    drain(&app, &w).await;
    let url = app.db.storage().url().to_owned();
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let slow = std::thread::spawn(move || {
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        diesel::sql_query("BEGIN").execute(&mut c).unwrap();
        diesel::sql_query(
            "INSERT INTO events (kind, ticket_id, actor, data, created_at) VALUES \
             ('ticket.deleted', NULL, '{\"kind\":\"system\",\"id\":null,\"name\":\"slow\"}', \
              '{\"number\":4242}', now())",
        )
        .execute(&mut c)
        .unwrap();
        ready_tx.send(()).unwrap();
        hold_rx.recv().unwrap();
        diesel::sql_query("COMMIT").execute(&mut c).unwrap();
    });
    ready_rx.recv().unwrap();
    // A faster transaction commits after the slow one took its id.
    app.create_ticket(&admin, &json!({"subject": "Fast"})).await;
    drain(&app, &w).await;
    let before = feed(&app, &admin, "0", 1000).await;
    let mut cursor = before.next_cursor.clone();
    let mut has_more = before.has_more;
    let mut last_kind = before.items.last().map(|e| e.event.kind());
    while has_more {
        let p = feed(&app, &admin, &cursor, 1000).await;
        cursor = p.next_cursor;
        has_more = p.has_more;
        if let Some(e) = p.items.last() {
            last_kind = Some(e.event.kind());
        }
    }
    assert_eq!(last_kind, Some("ticket.created"));
    hold_tx.send(()).unwrap();
    slow.join().unwrap();
    drain(&app, &w).await;
    let after = feed(&app, &admin, &cursor, 1000).await;
    assert_eq!(after.items.len(), 1, "{after:#?}");
    assert_eq!(after.items[0].event.kind(), "ticket.deleted");
    assert!(after.items[0].id < after.items[0].position || after.items[0].position > 0);
}
