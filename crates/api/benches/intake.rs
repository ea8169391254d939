//! Survey intake throughput: the real HTTP server in-process on a fresh
//! database (SQLite in a temp dir, or PostgreSQL when
//! LAZO_BENCH_DATABASE_URL names a fresh, empty database), ten alert rules,
//! and responses posted one by one by 8 concurrent clients
//! (LAZO_BENCH_SINGLE, default 2,000) and in batches of 500
//! (LAZO_BENCH_BATCHES, default 10). About 7 in 11 responses are NPS
//! detractors, so most create a ticket. Then the ticket import: batches of
//! 1,000 tickets with a requester and one comment each (LAZO_BENCH_IMPORT,
//! default 5 batches). Results: docs/BENCHMARKS.md.

use lazo_api::db::Db;
use lazo_api::state::{AppState, Config};
use lazo_api::ServeOptions;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn response(i: usize) -> Value {
    json!({
        "external_id": format!("bench-{i}"),
        "survey_id": if i.is_multiple_of(3) { "relationship" } else { "transactional" },
        "survey_name": "Customer survey",
        "respondent": {"email": format!("customer{}@example.org", i % 5000), "name": format!("Customer {i}")},
        "scores": {"nps": i % 11, "csat": 1 + i % 5, "ces": 1 + i % 7},
        "comment": if i.is_multiple_of(4) { "The parcel arrived broken, I want a refund" } else { "Fine" },
        "answers": [
            {"question_id": "q1", "question": "What went wrong?", "type": "choice", "answer": if i.is_multiple_of(2) { "Delivery" } else { "Price" }},
            {"question_id": "q2", "question": "Why?", "type": "text", "answer": "The courier was rude"},
            {"question_id": "q3", "question": "Channels used", "type": "multi_choice", "answer": ["web", "phone"]}
        ],
        "embedded": {"store": if i.is_multiple_of(2) { "Madrid" } else { "Lyon" }, "order_id": format!("ORD-{i}")}
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("LAZO_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let db = Db::connect(&url).expect("database");
    db.migrate().expect("migrations");
    db.write_blocking(|c| Ok(lazo_api::demo::load_demo(c, 0)?))
        .expect("demo organisation");
    let listener = TcpListener::bind("127.0.0.1:0").expect("port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = lazo_api::serve(
        listener,
        AppState::new(db.clone(), Config::default()),
        ServeOptions::default(),
    )
    .expect("server");
    tokio::spawn(server);
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "admin@demo.lazo", "password": lazo_api::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = login["token"].as_str().unwrap().to_owned();
    let token: Value = http
        .post(format!("{base}/api/v1/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"name": "bench", "scopes": ["responses:write"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["secret"].as_str().unwrap().to_owned();
    // Nine rules before the default one (which stops at the first match), all
    // going on to the next: ten evaluated for every response.
    let rules = [
        json!({"answers": [{"question": "q1", "equals": "delivery"}]}),
        json!({"comment_contains": ["refund", "broken"]}),
        json!({"scores": [{"kind": "csat", "max": 1}]}),
        json!({"embedded": [{"key": "store", "equals": "Madrid"}], "scores": [{"kind": "nps", "max": 6}]}),
        json!({"surveys": ["never"]}),
        json!({"scores": [{"kind": "ces", "min": 7}]}),
        json!({"answers": [{"question": "Why?", "contains": "rude"}]}),
        json!({"scores": [{"kind": "nps", "min": 7, "max": 8}]}),
        json!({"scores": [{"kind": "nps", "min": 9}]}),
    ];
    for (i, conditions) in rules.into_iter().enumerate() {
        // Two of them create tickets, the rest only record.
        let r = http
            .post(format!("{base}/api/v1/alert-rules"))
            .bearer_auth(&admin)
            .json(&json!({
                "name": format!("rule {i}"), "position": -10 + i as i64, "stop_on_match": false,
                "record_only": !(i == 2 || i == 5), "conditions": conditions,
                "ticket": {"subject_template": "{{ survey.name }}: {{ scores.nps }} from {{ respondent.name }}", "summary_score": "csat"}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    let single = env("LAZO_BENCH_SINGLE", 2000);
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, base, token, next) =
                (http.clone(), base.clone(), token.clone(), next.clone());
            tokio::spawn(async move {
                let mut tickets = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= single {
                        return tickets;
                    }
                    let r = http
                        .post(format!("{base}/api/v1/responses"))
                        .bearer_auth(&token)
                        .json(&response(i))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    let v: Value = r.json().await.unwrap();
                    tickets += v["tickets"].as_array().unwrap().len();
                }
            })
        })
        .collect();
    let mut tickets = 0;
    for t in tasks {
        tickets += t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "single: {single} responses in {secs:.2} s = {:.0} responses/s ({tickets} tickets, {:?}, 10 rules, 8 clients)",
        single as f64 / secs,
        db.backend
    );

    let batches = env("LAZO_BENCH_BATCHES", 10);
    let started = Instant::now();
    let mut tickets = 0;
    for b in 0..batches {
        let items: Vec<Value> = (0..500).map(|k| response(single + b * 500 + k)).collect();
        let r = http
            .post(format!("{base}/api/v1/responses/batch"))
            .bearer_auth(&token)
            .json(&json!({ "responses": items }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        for item in v["results"].as_array().unwrap() {
            assert_eq!(item["status"], 201, "{item}");
            tickets += item["result"]["tickets"].as_array().unwrap().len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "batch: {} responses in {secs:.2} s = {:.0} responses/s ({tickets} tickets, batches of 500, one client)",
        batches * 500,
        (batches * 500) as f64 / secs
    );

    let imports = env("LAZO_BENCH_IMPORT", 5);
    let started = Instant::now();
    for b in 0..imports {
        let items: Vec<Value> = (0..1000)
            .map(|k| {
                let i = b * 1000 + k;
                json!({
                    "external_id": format!("zd-{i}"),
                    "number": 1_000_000 + i,
                    "subject": format!("Imported ticket {i}"),
                    "description": "Brought over from the old help desk",
                    "priority": "medium",
                    "tags": ["imported"],
                    "custom_fields": {"order_id": format!("Z-{i}")},
                    "requester": {"email": format!("old{}@example.org", i % 3000)},
                    "created_at": "2023-05-01T10:00:00Z",
                    "updated_at": "2023-05-02T10:00:00Z",
                    "comments": [{"body": "First reply", "created_at": "2023-05-01T11:00:00Z", "author_email": "ana@demo.lazo"}]
                })
            })
            .collect();
        let r = http
            .post(format!("{base}/api/v1/import/tickets"))
            .bearer_auth(&admin)
            .json(&json!({ "tickets": items }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        for item in v["results"].as_array().unwrap() {
            assert_eq!(item["status"], 201, "{item}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "import: {} tickets with one comment in {secs:.2} s = {:.0} tickets/s (batches of 1,000, one client)",
        imports * 1000,
        (imports * 1000) as f64 / secs
    );
}
