//! The integration-test harness: every test starts the real server on port 0
//! with its own fresh database holding the demo organisation, and talks HTTP.
//!
//! The database is a SQLite file in a temporary directory, or, when
//! `LAZO_TEST_DATABASE_URL` names a PostgreSQL maintenance database (e.g.
//! `postgres://postgres@127.0.0.1:5439/postgres`), a new database
//! `lazo_t_<uuid>` created on that server for this test and dropped after it.
//! Either way tests share nothing and run in parallel.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use diesel::{Connection, RunQueryDsl};
use lazo_api::db::Db;
use lazo_api::state::{AppState, Config};
use lazo_api::ServeOptions;
use lazo_domain::wire::{Group, Problem, Status, Ticket, TicketPage, TicketType, User};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::net::TcpListener;

pub use lazo_api::demo::DEMO_PASSWORD;

/// Demo tickets loaded into every test database.
pub const DEMO_TICKETS: usize = 40;

pub const ADMIN: &str = "admin@demo.lazo";
pub const LUCIA: &str = "lucia@demo.lazo";
pub const ANA: &str = "ana@demo.lazo";
pub const MARC: &str = "marc@demo.lazo";
pub const SOFIA: &str = "sofia@demo.lazo";

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: reqwest::Client,
    /// The server's database, for tests that run a job worker beside it.
    pub db: Db,
    /// Keeps the SQLite file alive for the test's lifetime.
    _dir: Option<tempfile::TempDir>,
    /// (maintenance URL, database name) of a PostgreSQL test database.
    pg: Option<(String, String)>,
}

/// Replaces the database name in a PostgreSQL URL, keeping any query string.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let server = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// A migrated database with the demo organisation, made once per test binary;
/// each PostgreSQL test copies it (`CREATE DATABASE ... TEMPLATE`), which is
/// far cheaper than loading the demo statement by statement over the network.
fn pg_template(admin_url: &str) -> &'static str {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("lazo_tpl_{}", uuid::Uuid::new_v4().simple());
        let mut c =
            diesel::PgConnection::establish(admin_url).expect("connect to LAZO_TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .expect("create the template database");
        let db = Db::connect(&with_database(admin_url, &name)).expect("connect to the template");
        db.migrate().expect("migrate the template");
        db.write_blocking(|c| Ok(lazo_api::demo::load_demo(c, DEMO_TICKETS)?))
            .expect("load the demo organisation");
        // Copies need a template nobody is connected to: close the pool.
        drop(db);
        name
    })
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Config::default()).await
    }

    /// Starts the app with a given configuration (e.g. a low login limit).
    pub async fn spawn_with(config: Config) -> TestApp {
        TestApp::spawn_opts(config, ServeOptions::default()).await
    }

    /// Starts the app with a configuration and serve options (e.g. a static
    /// directory, as `lazo serve` has when the SPA is built).
    pub async fn spawn_opts(config: Config, opts: ServeOptions) -> TestApp {
        let (url, dir, pg) = match std::env::var("LAZO_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let template = pg_template(&admin_url);
                let name = format!("lazo_t_{}", uuid::Uuid::new_v4().simple());
                let mut c = diesel::PgConnection::establish(&admin_url)
                    .expect("connect to LAZO_TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut c)
                    .expect("create the test database");
                (
                    with_database(&admin_url, &name),
                    None,
                    Some((admin_url, name)),
                )
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = dir.path().join("lazo.db").to_string_lossy().into_owned();
                (url, Some(dir), None)
            }
        };
        let db = Db::connect(&url).expect("connect to the test database");
        if pg.is_none() {
            db.migrate().expect("migrate the test database");
            db.write_blocking(|c| Ok(lazo_api::demo::load_demo(c, DEMO_TICKETS)?))
                .expect("load the demo organisation");
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().unwrap().port();
        let server = lazo_api::serve(listener, AppState::new(db.clone(), config), opts)
            .expect("start the server");
        tokio::spawn(server);
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db,
            _dir: dir,
            pg,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request with a bearer token (none when `token` is empty).
    pub fn request(&self, method: Method, token: &str, path: &str) -> RequestBuilder {
        let r = self.client.request(method, self.url(path));
        if token.is_empty() {
            r
        } else {
            r.bearer_auth(token)
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.request(Method::GET, token, path).send().await.unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.request(Method::POST, token, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, token, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.request(Method::DELETE, token, path)
            .send()
            .await
            .unwrap()
    }

    /// Logs in a demo user and returns the JWT.
    pub async fn login(&self, email: &str) -> String {
        let res = self
            .post(
                "",
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// The demo organisation's ids, read through the API.
    pub async fn demo(&self, token: &str) -> Demo {
        let statuses: Vec<Status> = ok(self.get(token, "/api/v1/statuses").await).await;
        let groups: Vec<Group> = ok(self.get(token, "/api/v1/groups").await).await;
        let types: Vec<TicketType> = ok(self.get(token, "/api/v1/ticket-types").await).await;
        let users: Vec<User> = ok(self.get(token, "/api/v1/users").await).await;
        let status = |n: &str| statuses.iter().find(|s| s.name == n).unwrap().id;
        let group = |n: &str| groups.iter().find(|g| g.name == n).unwrap().id;
        let user = |e: &str| users.iter().find(|u| u.email == e).unwrap().id;
        let detractor = types
            .iter()
            .find(|t| t.name == "Detractor follow-up")
            .unwrap()
            .clone();
        let general = types
            .iter()
            .find(|t| t.name == "General inquiry")
            .unwrap()
            .id;
        Demo {
            new: status("New"),
            open: status("Open"),
            escalated: status("Escalated"),
            resolved: status("Resolved"),
            support: group("Support"),
            billing: group("Billing"),
            detractor: detractor.id,
            causes: detractor.root_causes.iter().map(|r| r.id).collect(),
            general,
            admin: user(ADMIN),
            lucia: user(LUCIA),
            ana: user(ANA),
            marc: user(MARC),
            sofia: user(SOFIA),
        }
    }

    /// Creates a ticket and returns it (asserting 201).
    pub async fn create_ticket(&self, token: &str, body: &Value) -> Ticket {
        let res = self.post(token, "/api/v1/tickets", body).await;
        created(res).await
    }

    pub async fn ticket(&self, token: &str, id: i64) -> Ticket {
        ok(self.get(token, &format!("/api/v1/tickets/{id}")).await).await
    }

    /// Every ticket of a list query, following cursors; `query` has no cursor.
    pub async fn all_pages(
        &self,
        token: &str,
        query: &str,
    ) -> Vec<lazo_domain::wire::TicketListItem> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let mut path = format!("/api/v1/tickets?{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page: TicketPage = ok(self.get(token, &path).await).await;
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return items,
            }
        }
        panic!("pagination did not end");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // FORCE ends the server's pooled connections (PostgreSQL 13+).
            if let Ok(mut c) = diesel::PgConnection::establish(&admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

/// Ids of the demo organisation.
#[derive(Debug, Clone)]
pub struct Demo {
    pub new: i64,
    pub open: i64,
    pub escalated: i64,
    pub resolved: i64,
    pub support: i64,
    pub billing: i64,
    pub detractor: i64,
    pub causes: Vec<i64>,
    pub general: i64,
    pub admin: i64,
    pub lucia: i64,
    pub ana: i64,
    pub marc: i64,
    pub sofia: i64,
}

/// Asserts `status` and parses the JSON body.
pub async fn expect<T: DeserializeOwned>(res: Response, status: StatusCode) -> T {
    let got = res.status();
    let url = res.url().to_string();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{url} answered {got}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
}

pub async fn ok<T: DeserializeOwned>(res: Response) -> T {
    expect(res, StatusCode::OK).await
}

pub async fn created<T: DeserializeOwned>(res: Response) -> T {
    expect(res, StatusCode::CREATED).await
}

/// Asserts an error response: its status, `application/problem+json`, a
/// `type` and `code`, and returns the problem.
pub async fn problem(res: Response, status: StatusCode) -> Problem {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let got = res.status();
    let url = res.url().to_string();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{url} answered {got}: {text}");
    assert!(
        ct.starts_with("application/problem+json"),
        "{url}: content-type {ct:?} for {text}"
    );
    let p: Problem = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"));
    assert_eq!(p.status, status.as_u16());
    assert!(p.type_.starts_with("urn:lazo:problem:"), "type {}", p.type_);
    assert!(!p.code.is_empty());
    p
}

/// Asserts a problem with `status` and `code`.
pub async fn problem_code(res: Response, status: StatusCode, code: &str) -> Problem {
    let p = problem(res, status).await;
    assert_eq!(p.code, code, "{p:?}");
    p
}

/// The fields a problem names, in order.
pub fn fields(p: &Problem) -> Vec<&str> {
    p.errors.iter().map(|e| e.field.as_str()).collect()
}

/// The (field, code) pairs a problem names.
pub fn field_codes(p: &Problem) -> Vec<(&str, &str)> {
    p.errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect()
}

pub fn etag(res: &Response) -> String {
    res.headers()
        .get("etag")
        .expect("an ETag header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// A job worker that polls every 20 ms and retries a failed job after
/// 50-300 ms, for tests that run one beside the server.
pub fn quick_worker() -> lazo_api::jobs::WorkerConfig {
    lazo_api::jobs::WorkerConfig {
        poll: std::time::Duration::from_millis(20),
        lease: chrono::Duration::seconds(30),
        backoff_base: chrono::Duration::milliseconds(50),
        backoff_max: chrono::Duration::milliseconds(300),
        batch: 20,
    }
}

/// A worker running only the notification consumer (links in emails point
/// at `public_url`), for the tests of who is told what.
pub fn notification_worker(
    app: &TestApp,
    mail: std::sync::Arc<lazo_service::email::MailConfig>,
    public_url: &str,
) -> std::sync::Arc<lazo_api::jobs::Worker> {
    let mut r = lazo_api::jobs::Registry::default();
    lazo_service::notifications::register(&mut r, mail, public_url.into());
    std::sync::Arc::new(lazo_api::jobs::Worker::new(
        app.db.storage(),
        r,
        lazo_api::jobs::WorkerConfig {
            batch: 50,
            ..quick_worker()
        },
    ))
}

/// Worker rounds until every event is fanned out and nothing is left to run.
pub async fn settle(app: &TestApp, w: &std::sync::Arc<lazo_api::jobs::Worker>) {
    use diesel::prelude::*;
    use lazo_api::db::schema::events;
    let (w, db) = (w.clone(), app.db.clone());
    tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            let n = w.tick().expect("a worker round");
            let left: i64 = db
                .write_blocking(|c| {
                    Ok(events::table
                        .filter(events::dispatched_at.is_null())
                        .count()
                        .get_result(c)?)
                })
                .unwrap();
            if n == 0 && left == 0 {
                return;
            }
        }
        panic!("the worker did not settle");
    })
    .await
    .unwrap();
}
