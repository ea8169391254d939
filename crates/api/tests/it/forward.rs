//! Forwarding a ticket by email, through HTTP, delivered to a real SMTP
//! server (maildev): recipients by address and by user, the note, comments
//! and history on request, one history row, bad input refused.

use crate::common;
use crate::mail;

use common::*;
use lazo_api::jobs::{Registry, Worker};
use lazo_api::state::Config;
use lazo_domain::forward::Forwarded;
use lazo_domain::wire::HistoryPage;
use lazo_service::email::MailConfig;
use mail::MailDev;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

fn worker(app: &TestApp, mail: Arc<MailConfig>) -> Arc<Worker> {
    let mut r = Registry::default();
    lazo_service::forward::register(&mut r, mail);
    Arc::new(Worker::new(app.db.storage(), r, quick_worker()))
}

#[tokio::test]
async fn a_ticket_is_forwarded_with_its_comments_and_history_to_addresses_and_users() {
    let smtp = MailDev::start(&[]).await;
    let mut cfg = MailConfig::new("Acme Support <support@acme.test>", b"k".to_vec()).unwrap();
    cfg.smtp_url = Some(smtp.smtp_url());
    let cfg = Arc::new(cfg);
    let app = TestApp::spawn_with(Config {
        mail: cfg.clone(),
        ..Config::default()
    })
    .await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Parcel lost", "description": "Order 77 never arrived.", "requester": {"email": "leo@example.com"}}),
        )
        .await;
    app.post(
        &admin,
        &format!("/api/v1/tickets/{}/comments", t.id),
        &json!({"body": "Carrier says it was delivered.", "internal": true}),
    )
    .await;
    let f: Forwarded = expect(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/forward", t.id),
            &json!({
                "to": ["Warehouse@Supplier.example", "warehouse@supplier.example"],
                "user_ids": [d.sofia],
                "message": "Can you check where it went?",
                "include_comments": true,
                "include_history": true
            }),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(f.to, ["warehouse@supplier.example", "sofia@demo.lazo"]);
    assert_eq!(f.subject, format!("Fwd: [#{}] Parcel lost", t.number));

    let w = worker(&app, cfg);
    tokio::task::spawn_blocking(move || {
        for _ in 0..50 {
            w.tick().unwrap();
        }
    })
    .await
    .unwrap();
    let got = smtp.wait_for(1).await;
    assert_eq!(got.len(), 1, "one message for every recipient");
    let m = &got[0];
    let to: Vec<&str> = m["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["warehouse@supplier.example", "sofia@demo.lazo"]);
    assert_eq!(m["subject"], f.subject.as_str());
    assert_eq!(
        m["messageId"].as_str().unwrap().trim_matches(['<', '>']),
        f.message_id
    );
    let text = m["text"].as_str().unwrap();
    for want in [
        "Can you check where it went?",
        "Order 77 never arrived.",
        "Carrier says it was delivered.",
        "internal note",
        "---------- History ----------",
        "Forwarded by Alex Admin",
        "leo@example.com",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    // Recorded in the ticket's history.
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    let row = h
        .items
        .iter()
        .find(|e| e.field == "forwarded")
        .expect("a forwarded row");
    assert_eq!(
        row.new_value.as_deref(),
        Some("warehouse@supplier.example, sofia@demo.lazo")
    );

    // Bad input: 422 naming the field, nothing queued or recorded.
    for (body, field) in [
        (json!({}), "to"),
        (json!({"to": ["not an address"]}), "to[0]"),
        (
            json!({"to": ["a@b.example"], "user_ids": [999999]}),
            "user_ids[0]",
        ),
        (
            json!({"to": ["a@b.example"], "subject": "two\nlines"}),
            "subject",
        ),
        (
            json!({"to": (0..21).map(|i| format!("p{i}@x.example")).collect::<Vec<_>>()}),
            "to",
        ),
    ] {
        let p = problem(
            app.post(&admin, &format!("/api/v1/tickets/{}/forward", t.id), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{body}");
    }
    let h2: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    assert_eq!(h2.items.len(), h.items.len());
    // A ticket the caller cannot see: 404.
    let sofia = app.login(SOFIA).await;
    let res = app
        .post(
            &sofia,
            &format!("/api/v1/tickets/{}/forward", t.id),
            &json!({"to": ["a@b.example"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
