//! Integrator-side benchmark (docs/BENCHMARKS.md, "Webhooks and the change
//! feed"): the change feed's page time at N events (env LAZO_BENCH_EVENTS,
//! default 1,000,000), and webhook deliveries per second from one job worker
//! to a receiver on loopback (LAZO_BENCH_DELIVERIES, default 2,000). SQLite
//! in a temp dir, or PostgreSQL when LAZO_BENCH_DATABASE_URL names a fresh,
//! empty database.

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::connection::SimpleConnection;
use lazo_api::auth::{Principal, UserPrincipal};
use lazo_api::db::{Backend, Db};
use lazo_api::jobs::{Registry, Worker, WorkerConfig};
use lazo_domain::webhook::NewWebhookEndpoint;
use lazo_domain::Role;
use lazo_service::webhooks::{self, WebhookConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

fn env_n(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n = env_n("LAZO_BENCH_EVENTS", 1_000_000);
    let deliveries = env_n("LAZO_BENCH_DELIVERIES", 2_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("LAZO_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let db = Db::connect(&url).expect("database");
    db.migrate().expect("migrations");
    db.write_blocking(|c| Ok(lazo_api::demo::load_demo(c, 40)?))
        .expect("demo organisation");
    let admin = Principal::User(UserPrincipal {
        id: 1,
        name: "Alex Admin".into(),
        email: "admin@demo.lazo".into(),
        role: Role::Admin,
        group_ids: vec![],
        session_id: String::new(),
    });

    // --- Webhook deliveries to a receiver on loopback -------------------
    let received = Arc::new(AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let r = received.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                let r = r.clone();
                App::new().default_service(web::to(move |_body: web::Bytes| {
                    let r = r.clone();
                    async move {
                        r.fetch_add(1, Ordering::Relaxed);
                        HttpResponse::NoContent().finish()
                    }
                }))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run()
            .await
        })
    });
    let mut reg = Registry::default();
    webhooks::register(
        &mut reg,
        WebhookConfig {
            allow_private: true,
            ..WebhookConfig::default()
        },
    );
    let worker = Worker::new(
        db.storage(),
        reg,
        WorkerConfig {
            batch: 100,
            ..WorkerConfig::default()
        },
    );
    // The demo's events first, with no endpoint yet.
    while worker.tick().expect("tick") > 0 {}
    let p = admin.clone();
    db.write_blocking(move |c| {
        Ok(webhooks::create_endpoint(
            c,
            &p,
            &NewWebhookEndpoint {
                url: format!("http://127.0.0.1:{port}/hook"),
                description: None,
                event_types: vec![],
                enabled: None,
            },
            true,
        )?)
    })
    .expect("endpoint");
    db.conn()
        .expect("connection")
        .batch_execute(&events_sql(db.backend, deliveries, false))
        .expect("events to deliver");
    let started = Instant::now();
    while received.load(Ordering::Relaxed) < deliveries as usize {
        if worker.tick().expect("tick") == 0 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(started.elapsed().as_secs() < 600, "deliveries stalled");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "webhooks ({:?}): {deliveries} events fanned out and delivered by one worker in {secs:.2} s = {:.0} deliveries/s",
        db.backend,
        deliveries as f64 / secs
    );

    // --- The change feed at N events ------------------------------------
    let started = Instant::now();
    db.conn()
        .expect("connection")
        .batch_execute(&events_sql(db.backend, n, true))
        .expect("bulk events");
    println!(
        "loaded {n} dispatched events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Ana, an agent in Support: sees the events of the demo tickets she sees.
    let agent = Principal::User(UserPrincipal {
        id: 3,
        name: "Ana García".into(),
        email: "ana@demo.lazo".into(),
        role: Role::Agent,
        group_ids: vec![1],
        session_id: String::new(),
    });
    let total: i64 = n + deliveries + 200;
    for (label, who, after, limit) in [
        ("admin, from the start, 100", &admin, 0, 100),
        ("admin, middle, 100", &admin, total / 2, 100),
        ("admin, near the end, 1000", &admin, total - 5_000, 1000),
        ("admin, at the end (poll, empty)", &admin, total * 2, 100),
        ("agent, near the end, 100", &agent, total - 5_000, 100),
    ] {
        let mut times = vec![];
        for _ in 0..7 {
            let who = who.clone();
            let t = Instant::now();
            // As the handler reads: a pooled connection, no transaction.
            let page = db
                .storage()
                .with_conn::<_, lazo_service::ServiceError, _>(move |c| {
                    webhooks::feed(c, &who, after, limit)
                })
                .expect("feed");
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(page);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "feed {label}: p50 {:.2} ms, max {:.2} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}

/// `count` ticket.updated events on the demo's tickets (ids 1-40). With
/// `dispatched`, they get positions after everything so far (the state after
/// fan-out); without, the worker fans them out.
fn events_sql(backend: Backend, count: i64, dispatched: bool) -> String {
    let actor = r#"{"kind":"system","id":null,"name":"bench"}"#;
    let data = r#"{"changes":[{"field":"priority","old":"low","new":"high"}],"comment_id":null}"#;
    let (disp, pos) = if dispatched {
        (
            "created_at",
            "(SELECT value FROM counters WHERE name = 'event_position') + i",
        )
    } else {
        ("NULL", "NULL")
    };
    let bump = if dispatched {
        format!("UPDATE counters SET value = value + {count} WHERE name = 'event_position';")
    } else {
        String::new()
    };
    match backend {
        Backend::Sqlite => format!(
            "BEGIN;
             WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count})
             INSERT INTO events (kind, ticket_id, actor, data, created_at, dispatched_at, position)
             SELECT 'ticket.updated', 1 + i % 40, '{actor}', '{data}', created_at, {disp}, {pos}
             FROM (SELECT i, strftime('%Y-%m-%d %H:%M:%f', 'now') AS created_at FROM s);
             {bump}
             COMMIT;
             ANALYZE;"
        ),
        Backend::Postgres => format!(
            "INSERT INTO events (kind, ticket_id, actor, data, created_at, dispatched_at, position)
             SELECT 'ticket.updated', 1 + i % 40, '{actor}', '{data}', created_at, {disp}, {pos}
             FROM (SELECT i, (now() at time zone 'utc') AS created_at FROM generate_series(1::bigint, {count}) AS s(i)) x;
             {bump}
             ANALYZE;"
        ),
    }
}
