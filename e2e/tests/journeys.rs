//! Integrator journeys against the real `lazo` binary (`LAZO_BIN`), on a
//! fresh SQLite file, or on a fresh PostgreSQL database when
//! `LAZO_TEST_DATABASE_URL` names a server.

use diesel::{Connection, RunQueryDsl};
use lazo_domain::wire::*;
use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

struct Server {
    child: Child,
    base: String,
    http: Client,
    /// The database, kept across a restart.
    db_url: String,
    dir: Arc<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `lazo serve --demo` on a free port with a fresh database.
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match std::env::var("LAZO_TEST_DATABASE_URL") {
            Ok(admin) => {
                let name = format!("lazo_e2e_{}", uuid::Uuid::new_v4().simple());
                let mut c = diesel::PgConnection::establish(&admin).expect("postgres reachable");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .expect("create database");
                let base = admin.rsplit_once('/').expect("url with a database").0;
                format!("{base}/{name}")
            }
            Err(_) => dir.path().join("lazo.db").to_string_lossy().into_owned(),
        };
        Server::launch(url, Arc::new(dir))
    }

    /// Starts the binary on `db_url` and waits for its banner.
    fn launch(db_url: String, dir: Arc<tempfile::TempDir>) -> Server {
        let bin = std::env::var("LAZO_BIN").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/debug/lazo").into()
        });
        let mut child = Command::new(&bin)
            .args([
                "serve",
                "--demo",
                "--demo-tickets",
                "60",
                "--bind",
                "127.0.0.1:0",
                "--static-dir",
                "/nonexistent",
            ])
            .env("DATABASE_URL", &db_url)
            .env("LAZO_LOG", "warn")
            .env("LAZO_JOB_POLL_MS", "100")
            // The JWT key lives beside the database, so a restart keeps it.
            .env(
                "LAZO_JWT_SECRET",
                "e2e-secret-0123456789-0123456789-0123456789",
            )
            .env("LAZO_LOGIN_PER_MINUTE", "1000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin}: {e} (build it with `cargo build -p lazo-api`)")
            });
        let stderr = child.stderr.take().expect("stderr piped");
        let mut lines = BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("lazo exited before listening")
                .expect("readable stderr");
            if let Some(rest) = line.strip_prefix("Lazo listening on ") {
                break rest.split_whitespace().next().expect("address").to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            http: Client::new(),
            db_url,
            dir,
        }
    }

    /// SIGKILL (kill -9): no shutdown, no chance to finish anything.
    fn kill_9(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// Starts the binary again on the same database.
    fn restart(&mut self) {
        let next = Server::launch(self.db_url.clone(), self.dir.clone());
        drop(std::mem::replace(self, next));
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn login(&self, email: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": "lazo-demo-1"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login of {email}");
        r.json::<LoginResponse>().unwrap().token
    }

    /// A new API token named `name` with `scopes`, made by `admin`.
    fn token(&self, admin: &str, name: &str, scopes: &[&str]) -> CreatedApiToken {
        let r = self
            .http
            .post(self.url("/api/v1/tokens"))
            .bearer_auth(admin)
            .json(&json!({"name": name, "scopes": scopes}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "token {name}");
        r.json().unwrap()
    }
}

fn problem(r: Response, status: StatusCode, code: &str) -> Problem {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Problem = r.json().unwrap();
    assert_eq!(p.code, code, "{p:?}");
    p
}

#[test]
fn an_agent_works_a_ticket_through_its_whole_loop() {
    let s = Server::start();
    let ana = s.login("ana@demo.lazo");
    let auth = |rb: reqwest::blocking::RequestBuilder| rb.bearer_auth(&ana);

    let types: Vec<TicketType> = auth(s.http.get(s.url("/api/v1/ticket-types")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let detractor = types
        .iter()
        .find(|t| t.name == "Detractor follow-up")
        .unwrap();
    let statuses: Vec<Status> = auth(s.http.get(s.url("/api/v1/statuses")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let resolved = statuses.iter().find(|s| s.name == "Resolved").unwrap().id;
    let groups: Vec<Group> = auth(s.http.get(s.url("/api/v1/groups")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let support = groups.iter().find(|g| g.name == "Support").unwrap().id;

    // Create.
    let r = auth(s.http.post(s.url("/api/v1/tickets")))
        .json(&json!({
            "subject": "Parcel never arrived",
            "description": "NPS 2: still waiting after two weeks",
            "type_id": detractor.id,
            "priority": "high",
            "group_id": support,
            "requester": {"email": "Journey.Customer@example.com", "name": "Journey Customer"},
            "tags": ["VIP", "late"],
            "source": "survey",
            "summary_score": 2,
            "custom_fields": {"order_id": "ORD-77", "channel": "web"}
        }))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let t: Ticket = r.json().unwrap();
    assert_eq!(
        t.requester.as_ref().unwrap().email.as_deref(),
        Some("journey.customer@example.com")
    );
    assert_eq!(t.tags, vec!["late", "vip"]);
    // Support has one manager, and the ticket came without an owner.
    assert_eq!(
        t.owner.as_ref().map(|o| o.email.as_str()),
        Some("lucia@demo.lazo")
    );

    // Find it in the follow-up list by email and by number.
    let page: TicketPage = auth(s.http.get(s.url("/api/v1/tickets?q=journey.customer@")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![t.id]
    );
    let page: TicketPage = auth(s.http.get(s.url(&format!(
        "/api/v1/tickets?q=%23{}&priority=high&tags=vip",
        t.number
    ))))
    .send()
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(page.items[0].id, t.id);

    // Resolving needs a root cause: refused, then accepted with one.
    let r = auth(s.http.patch(s.url(&format!("/api/v1/tickets/{}", t.id))))
        .header("If-Match", &etag)
        .json(&json!({"status_id": resolved}))
        .send()
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "root_cause_required");
    assert_eq!(p.errors[0].field, "root_cause_id");
    let cause = detractor.root_causes[0].id;
    let r = auth(s.http.patch(s.url(&format!("/api/v1/tickets/{}", t.id))))
        .header("If-Match", &etag)
        .json(&json!({"status_id": resolved, "root_cause_id": cause, "comment": {"body": "Refunded the shipping", "internal": false}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let done: Ticket = r.json().unwrap();
    assert_eq!(done.status.name, "Resolved");
    assert!(done.closed_at.is_some());

    // The stale ETag is now refused.
    let r = auth(s.http.patch(s.url(&format!("/api/v1/tickets/{}", t.id))))
        .header("If-Match", &etag)
        .json(&json!({"priority": "low"}))
        .send()
        .unwrap();
    problem(r, StatusCode::PRECONDITION_FAILED, "stale");

    // An internal note, then the history shows every change with its comment.
    let r = auth(
        s.http
            .post(s.url(&format!("/api/v1/tickets/{}/comments", t.id))),
    )
    .json(&json!({"body": "Customer happy now", "internal": true}))
    .send()
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let h: HistoryPage = auth(
        s.http
            .get(s.url(&format!("/api/v1/tickets/{}/history", t.id))),
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    let fields: Vec<&str> = h.items.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["created", "status", "root_cause", "internal_note"]
    );
    let status_change = &h.items[1];
    assert_eq!(
        (
            status_change.old_value.as_deref(),
            status_change.new_value.as_deref()
        ),
        (Some("New"), Some("Resolved"))
    );
    assert!(status_change.comment_id.is_some());
    assert_eq!(status_change.actor.name, "Ana García");

    // A sub-ticket for Billing.
    let r = auth(
        s.http
            .post(s.url(&format!("/api/v1/tickets/{}/sub-tickets", t.id))),
    )
    .json(&json!({"subject": "Confirm the refund"}))
    .send()
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sub: Ticket = r.json().unwrap();
    assert_eq!(sub.parent.as_ref().map(|p| p.id), Some(t.id));
    let subs: TicketPage = auth(
        s.http
            .get(s.url(&format!("/api/v1/tickets/{}/sub-tickets", t.id))),
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(
        subs.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![sub.id]
    );
}

#[test]
fn every_bad_request_gets_a_problem_document() {
    let s = Server::start();
    let ana = s.login("ana@demo.lazo");
    let tickets = s.url("/api/v1/tickets");

    problem(
        s.http.get(&tickets).send().unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    problem(
        s.http.get(&tickets).bearer_auth("nonsense").send().unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    let r = s
        .http
        .post(&tickets)
        .bearer_auth(&ana)
        .header("content-type", "application/json")
        .body("{\"subject\": ")
        .send()
        .unwrap();
    problem(r, StatusCode::BAD_REQUEST, "malformed_json");
    let r = s
        .http
        .post(&tickets)
        .bearer_auth(&ana)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .unwrap();
    problem(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let r = s
        .http
        .post(&tickets)
        .bearer_auth(&ana)
        .json(&json!({"subject": "  ", "priority": "urgent"}))
        .send()
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(p.errors[0].field, "priority");
    let r = s
        .http
        .post(&tickets)
        .bearer_auth(&ana)
        .json(&json!({"subject": "  "}))
        .send()
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(p.errors[0].field, "subject");
    let big = "x".repeat(300 * 1024);
    let r = s
        .http
        .post(&tickets)
        .bearer_auth(&ana)
        .json(&json!({"subject": "big", "description": big}))
        .send()
        .unwrap();
    problem(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = s
        .http
        .get(s.url("/api/v1/tickets?sort=sideways&limit=0"))
        .bearer_auth(&ana)
        .send()
        .unwrap();
    let p = problem(r, StatusCode::BAD_REQUEST, "invalid_query");
    assert_eq!(
        p.errors
            .iter()
            .map(|e| e.field.as_str())
            .collect::<Vec<_>>(),
        vec!["sort", "limit"]
    );
    problem(
        s.http
            .put(s.url("/api/v1/tickets/1"))
            .bearer_auth(&ana)
            .send()
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    problem(
        s.http.get(s.url("/api/v1/nothing-here")).send().unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    );
    problem(
        s.http
            .get(s.url("/api/v1/tickets/999999"))
            .bearer_auth(&ana)
            .send()
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Only admins delete tickets.
    let first: TicketPage = s
        .http
        .get(&tickets)
        .bearer_auth(&ana)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let r = s
        .http
        .delete(s.url(&format!("/api/v1/tickets/{}", first.items[0].id)))
        .bearer_auth(&ana)
        .send()
        .unwrap();
    problem(r, StatusCode::FORBIDDEN, "forbidden");
}

#[test]
fn an_integrator_creates_tickets_idempotently_with_a_scoped_token() {
    let s = Server::start();
    let admin = s.login("admin@demo.lazo");
    let created = s.token(&admin, "Survey tool", &["tickets:write"]);
    assert!(created.secret.starts_with("lazo_"));
    let token = created.secret;

    let body = json!({"subject": "Detractor from the survey", "summary_score": 1, "summary_comment": "Too slow", "source": "survey"});
    let send = |b: &Value| {
        s.http
            .post(s.url("/api/v1/tickets"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "resp-8812")
            .json(b)
            .send()
            .unwrap()
    };
    let first = send(&body);
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Ticket = first.json().unwrap();
    let again = send(&body);
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Ticket>().unwrap().id, first.id);
    problem(
        send(&json!({"subject": "Another"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );

    // The token cannot manage people, and stops working once revoked.
    problem(
        s.http
            .get(s.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .send()
            .unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let r = s
        .http
        .delete(s.url(&format!("/api/v1/tokens/{}", created.token.id)))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        s.http
            .get(s.url("/api/v1/tickets"))
            .bearer_auth(&token)
            .send()
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
}

#[test]
fn a_snoozed_ticket_reopens_after_the_server_was_killed_with_sigkill() {
    let mut s = Server::start();
    let admin = s.login("admin@demo.lazo");
    let statuses: Vec<Status> = s
        .http
        .get(s.url("/api/v1/statuses"))
        .bearer_auth(&admin)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let open = statuses.iter().find(|x| x.name == "Open").unwrap().id;
    let t: Ticket = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth(&admin)
        .json(&json!({"subject": "Call me back in a moment", "status_id": open}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let until = chrono::Utc::now() + chrono::Duration::seconds(3);
    let r = s
        .http
        .post(s.url(&format!("/api/v1/tickets/{}/snooze", t.id)))
        .bearer_auth(&admin)
        .json(&json!({ "until": until }))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let snoozed: Ticket = r.json().unwrap();
    assert_eq!(
        snoozed.status.category,
        lazo_domain::StatusCategory::Pending
    );

    // The process dies before the time comes, and stays down past it.
    s.kill_9();
    std::thread::sleep(std::time::Duration::from_secs(4));
    s.restart();
    let admin = s.login("admin@demo.lazo");
    let start = std::time::Instant::now();
    let reopened = loop {
        let t: Ticket = s
            .http
            .get(s.url(&format!("/api/v1/tickets/{}", t.id)))
            .bearer_auth(&admin)
            .send()
            .unwrap()
            .json()
            .unwrap();
        if t.snooze_until.is_none() {
            break t;
        }
        assert!(
            start.elapsed().as_secs() < 20,
            "not reopened 20 s after the restart"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(reopened.status.id, open);
    let h: HistoryPage = s
        .http
        .get(s.url(&format!("/api/v1/tickets/{}/history", t.id)))
        .bearer_auth(&admin)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let last = h.items.iter().rfind(|e| e.field == "status").unwrap();
    assert_eq!(last.actor.kind, "system");
    assert_eq!(last.new_id, Some(open));
}

#[test]
fn sixteen_token_clients_create_concurrently_without_a_single_5xx() {
    let s = Server::start();
    let admin = s.login("admin@demo.lazo");
    let token = s.token(&admin, "load", &["tickets:write"]);
    let total: usize = std::env::var("LAZO_E2E_CREATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let (next, url, secret) =
                (next.clone(), s.url("/api/v1/tickets"), token.secret.clone());
            std::thread::spawn(move || {
                let http = Client::new();
                let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= total {
                        return statuses;
                    }
                    let r = http
                        .post(&url)
                        .bearer_auth(&secret)
                        .json(&json!({"subject": format!("load {i}"), "tags": ["load"]}))
                        .send()
                        .expect("the server answers");
                    *statuses.entry(r.status().as_u16()).or_default() += 1;
                }
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for c in clients {
        for (k, v) in c.join().unwrap() {
            *statuses.entry(k).or_default() += v;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{total} creates by 16 token clients in {secs:.1} s ({:.0}/s): {statuses:?}",
        total as f64 / secs
    );
    assert_eq!(statuses.get(&201).copied(), Some(total), "{statuses:?}");
}

/// Two `lazo` processes on one database (scale-out), each making creates
/// in batches: eight clients on each send the same 600 keyed creates at
/// about the same time. Every key must become exactly one ticket, both
/// processes must answer it with that ticket, and every ticket must have
/// its own number. The two processes' batches race on the same keys: a
/// batch that loses a key to the other process fails as a whole and its
/// creates are made alone, replaying the key's ticket.
#[test]
fn two_processes_make_each_keyed_create_once() {
    const KEYS: usize = 600;
    let a = Server::start();
    let b = Server::launch(a.db_url.clone(), a.dir.clone());
    let admin = a.login("admin@demo.lazo");
    let token = a.token(&admin, "both", &["tickets:write"]);
    // (key, process) -> (ticket id, number, replayed)
    type Answers = std::collections::HashMap<(usize, usize), (i64, i64, bool)>;
    let answers = Arc::new(std::sync::Mutex::new(Answers::new()));
    let mut clients = Vec::new();
    for (p, base) in [a.base.clone(), b.base.clone()].into_iter().enumerate() {
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..8 {
            let (next, base, secret, answers) = (
                next.clone(),
                base.clone(),
                token.secret.clone(),
                answers.clone(),
            );
            clients.push(std::thread::spawn(move || {
                let http = Client::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= KEYS {
                        return;
                    }
                    let r = http
                        .post(format!("{base}/api/v1/tickets"))
                        .bearer_auth(&secret)
                        .header("Idempotency-Key", format!("both-{i}"))
                        .json(&json!({"subject": format!("Both {i}"), "tags": ["both"]}))
                        .send()
                        .expect("the server answers");
                    assert_eq!(r.status(), StatusCode::CREATED, "key {i} on process {p}");
                    let replayed = r.headers().contains_key("idempotent-replayed");
                    let t: Ticket = r.json().unwrap();
                    assert_eq!(t.subject, format!("Both {i}"));
                    answers
                        .lock()
                        .unwrap()
                        .insert((i, p), (t.id, t.number, replayed));
                }
            }));
        }
    }
    for c in clients {
        c.join().unwrap();
    }
    let answers = answers.lock().unwrap();
    let mut numbers = std::collections::HashSet::new();
    for i in 0..KEYS {
        let (first, second) = (answers[&(i, 0)], answers[&(i, 1)]);
        assert_eq!(first.0, second.0, "key {i}: one ticket for both processes");
        assert!(first.2 != second.2, "key {i}: made once, replayed once");
        assert!(numbers.insert(first.1), "number {} twice", first.1);
    }
    let counts: TicketCounts = a
        .http
        .get(a.url("/api/v1/tickets/counts?tags=both"))
        .bearer_auth(&admin)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(counts.total, KEYS as i64);
}

#[test]
fn create_admin_refuses_a_bad_name_and_creates_nothing() {
    let bin = std::env::var("LAZO_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/debug/lazo").into());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lazo.db");
    let run = |name: &str| {
        Command::new(&bin)
            .args([
                "create-admin",
                "--email",
                "boss@example.com",
                "--name",
                name,
                "--password",
                "a-long-password",
            ])
            .env("DATABASE_URL", &db)
            .env("LAZO_LOG", "warn")
            .output()
            .expect("run lazo create-admin")
    };
    for bad in ["", "two\nlines", &"x".repeat(101)] {
        let out = run(bad);
        assert!(!out.status.success(), "accepted the name {bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("name"), "{err}");
    }
    let out = run("The Boss");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The refused attempts left nothing behind: the email is free until now.
    let again = run("The Boss");
    assert!(
        !again.status.success(),
        "the email is taken by the one success"
    );
}

/// A detractor response for the kill -9 journey: one ticket each (the
/// default rule), told apart by `external_id`.
fn intake_body(i: usize) -> Value {
    json!({
        "external_id": format!("kill9-{i}"),
        "survey_id": "kill9",
        "respondent": {"email": format!("kill9.{}@example.org", i % 50)},
        "scores": {"nps": (i % 7) as i64},
        "comment": format!("response {i}"),
    })
}

#[test]
fn every_acknowledged_response_has_its_ticket_after_a_kill_9() {
    const N: usize = 1000;
    let mut s = Server::start();
    let admin = s.login("admin@demo.lazo");
    let token = s.token(&admin, "Survey tool", &["responses:write"]);
    let token = Arc::new(token.secret);

    // Eight clients post the 1,000 responses; the process is killed while
    // they do. An acknowledged response (201) is remembered with its ticket.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<(usize, i64)>::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (base, token, acked, next) =
                (s.base.clone(), token.clone(), acked.clone(), next.clone());
            std::thread::spawn(move || {
                let http = Client::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= N {
                        return;
                    }
                    let r = http
                        .post(format!("{base}/api/v1/responses"))
                        .bearer_auth(&*token)
                        .json(&intake_body(i))
                        .send();
                    match r {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            let result: lazo_domain::feedback::IntakeResult = r.json().unwrap();
                            assert_eq!(result.tickets.len(), 1, "{result:?}");
                            acked.lock().unwrap().push((i, result.tickets[0].id));
                        }
                        Ok(r) => panic!("response {i} answered {}", r.status()),
                        // The server is gone: this one was not acknowledged.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let start = std::time::Instant::now();
    while acked.lock().unwrap().len() < 300 {
        assert!(start.elapsed().as_secs() < 120, "too slow before the kill");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    s.kill_9();
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 300 && acked.len() < N,
        "{} acknowledged",
        acked.len()
    );

    s.restart();
    let admin = s.login("admin@demo.lazo");
    // Every acknowledged response is there with its ticket.
    for (i, ticket) in &acked {
        let r: lazo_domain::feedback::SurveyResponse = s
            .http
            .get(s.url(&format!("/api/v1/tickets/{ticket}/response")))
            .bearer_auth(&admin)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(r.external_id, Some(format!("kill9-{i}")));
    }
    // Sending everything again stores the rest and replays the rest: in the
    // end each response has exactly one ticket.
    let mut replays = 0;
    for i in 0..N {
        let r = s
            .http
            .post(s.url("/api/v1/responses"))
            .bearer_auth(&*token)
            .json(&intake_body(i))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "response {i}");
        replays += usize::from(r.headers().contains_key("idempotent-replayed"));
    }
    assert!(replays >= acked.len(), "{replays} replays");
    let counts: TicketCounts = s
        .http
        .get(s.url("/api/v1/tickets/counts?survey=kill9"))
        .bearer_auth(&admin)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(counts.total, N as i64);
}
