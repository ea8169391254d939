//! Importing tickets from another help desk over HTTP: original times and
//! numbers, comments and notes, one history row, idempotency by external id.

use crate::common;

use common::*;
use lazo_domain::feedback::ImportResult;
use lazo_domain::wire::{CommentPage, HistoryPage, Ticket};
use lazo_domain::StatusCategory;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn tickets_are_imported_with_their_history_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let taken = app.ticket(&admin, 1).await.number;
    let body = json!({"tickets": [
        {
            "external_id": "zd-1", "number": 90000, "subject": "Broken charger",
            "description": "Arrived broken", "status_id": d.resolved, "priority": "high",
            "group_id": d.support, "owner_id": d.ana, "tags": ["Imported", "vip"],
            "custom_fields": {"order_id": "Z-1"},
            "requester": {"email": "old.customer@example.org", "name": "Old Customer"},
            "created_at": "2024-01-02T10:00:00Z", "updated_at": "2024-01-05T10:00:00Z",
            "closed_at": "2024-01-05T09:00:00Z",
            "comments": [
                {"body": "It does not charge", "created_at": "2024-01-02T10:00:00Z", "author_email": "old.customer@example.org"},
                {"body": "Replacement sent", "internal": true, "created_at": "2024-01-03T08:00:00Z", "author_email": "ANA@demo.lazo"}
            ]
        },
        {"external_id": "zd-2", "number": taken, "subject": "Number taken", "created_at": "2024-02-01T00:00:00Z"},
        {"external_id": "zd-3", "subject": "Bad", "status_id": 999999, "created_at": "2024-02-01T00:00:00Z",
         "requester": {"email": "never.written@example.org"},
         "comments": [{"body": " ", "created_at": "2024-02-01T00:00:00Z"}]}
    ]});
    let r: ImportResult = ok(app.post(&admin, "/api/v1/import/tickets", &body).await).await;
    let statuses: Vec<(bool, u16)> = r.results.iter().map(|x| (x.ok, x.status)).collect();
    assert_eq!(statuses, [(true, 201), (true, 201), (false, 422)]);
    let errs: Vec<&str> = r.results[2]
        .error
        .as_ref()
        .unwrap()
        .errors
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(
        errs,
        ["tickets[2].comments[0].body", "tickets[2].status_id"]
    );
    let a = r.results[0].ticket.clone().unwrap();
    assert_eq!(a.number, 90000, "a free number is kept");
    let b = r.results[1].ticket.clone().unwrap();
    assert_ne!(b.number, taken, "a taken number is not");

    let t: Ticket = app.ticket(&admin, a.id).await;
    assert_eq!(t.created_at.to_rfc3339(), "2024-01-02T10:00:00+00:00");
    assert_eq!(t.updated_at.to_rfc3339(), "2024-01-05T10:00:00+00:00");
    assert_eq!(
        t.closed_at.unwrap().to_rfc3339(),
        "2024-01-05T09:00:00+00:00"
    );
    assert_eq!(t.status.category, StatusCategory::Closed);
    assert_eq!(t.tags, ["imported", "vip"]);
    assert_eq!(t.custom_fields["order_id"], "Z-1");
    assert_eq!(t.owner.unwrap().id, d.ana);
    assert_eq!(
        t.requester.unwrap().email.as_deref(),
        Some("old.customer@example.org")
    );
    let comments: CommentPage = ok(app
        .get(&ana, &format!("/api/v1/tickets/{}/comments", a.id))
        .await)
    .await;
    assert_eq!(comments.items.len(), 2);
    assert_eq!(comments.items[0].author, None, "the customer is no user");
    assert_eq!(comments.items[1].author.as_ref().unwrap().id, d.ana);
    assert!(comments.items[1].internal);
    assert_eq!(
        comments.items[1].created_at.to_rfc3339(),
        "2024-01-03T08:00:00+00:00"
    );
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", a.id))
        .await)
    .await;
    assert_eq!(h.items.len(), 1, "one row for the whole import: {h:?}");
    assert_eq!(h.items[0].field, "imported");
    assert_eq!(h.items[0].at.to_rfc3339(), "2024-01-02T10:00:00+00:00");

    // A refused item wrote nothing, not even its new requester.
    let found: Value = ok(app
        .get(&admin, "/api/v1/contacts?q=never.written@example.org")
        .await)
    .await;
    assert_eq!(found["items"], json!([]), "{found}");

    // Again: found, not duplicated; the bad one can be fixed and sent again.
    let mut again = body.clone();
    again["tickets"][2]["status_id"] = json!(d.open);
    again["tickets"][2]["comments"][0]["body"] = json!("Fixed");
    let r: ImportResult = ok(app.post(&admin, "/api/v1/import/tickets", &again).await).await;
    let statuses: Vec<(bool, u16)> = r.results.iter().map(|x| (x.ok, x.status)).collect();
    assert_eq!(statuses, [(true, 200), (true, 200), (true, 201)]);
    assert_eq!(r.results[0].ticket.as_ref().unwrap().id, a.id);
    let found: Value = ok(app
        .get(&admin, "/api/v1/contacts?q=never.written@example.org")
        .await)
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    // New tickets number after the imported ones.
    let next = app
        .create_ticket(&admin, &json!({"subject": "After"}))
        .await;
    assert!(next.number > 90000, "{}", next.number);

    // Admins only; one external id twice refuses the import.
    problem_code(
        app.post(&ana, "/api/v1/import/tickets", &body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let p = problem(
        app.post(
            &admin,
            "/api/v1/import/tickets",
            &json!({"tickets": [
                {"external_id": "x", "subject": "a", "created_at": "2024-01-01T00:00:00Z"},
                {"external_id": "x", "subject": "b", "created_at": "2024-01-01T00:00:00Z"}
            ]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("tickets[1].external_id", "duplicate")]);
}

/// A full batch crosses the multi-row statements' chunk boundary (500):
/// every ticket gets its own id, number, tags and requester, a refused item
/// in the middle writes nothing, and one number given twice in a batch is
/// kept once.
#[tokio::test]
async fn a_full_batch_keeps_each_ticket_apart() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let items: Vec<Value> = (0..1000)
        .map(|i| {
            let mut t = json!({
                "external_id": format!("big-{i}"),
                "subject": format!("Imported {i}"),
                "created_at": "2024-03-01T00:00:00Z",
                "tags": [format!("t{}", i % 7)],
                "requester": {"email": format!("big{i}@example.org")},
                "comments": [{"body": format!("Comment {i}"), "created_at": "2024-03-02T00:00:00Z"}]
            });
            if i < 2 {
                t["number"] = json!(70000);
            }
            if i == 600 {
                t["status_id"] = json!(999999);
            }
            t
        })
        .collect();
    let r: ImportResult = ok(app
        .post(&admin, "/api/v1/import/tickets", &json!({"tickets": items}))
        .await)
    .await;
    assert_eq!(r.results.len(), 1000);
    let refused: Vec<usize> = r
        .results
        .iter()
        .filter(|x| !x.ok)
        .map(|x| x.index)
        .collect();
    assert_eq!(refused, [600]);
    let tickets: Vec<_> = r.results.iter().filter_map(|x| x.ticket.clone()).collect();
    let numbers: std::collections::HashSet<i64> = tickets.iter().map(|t| t.number).collect();
    assert_eq!(numbers.len(), 999, "numbers are distinct");
    assert_eq!(tickets[0].number, 70000, "a free number is kept");
    assert_ne!(
        tickets[1].number, 70000,
        "the same number twice is kept once"
    );
    for i in [0usize, 1, 499, 500, 501, 599, 601, 999] {
        let x = &r.results[i];
        let t: Ticket = ok(app
            .get(
                &admin,
                &format!("/api/v1/tickets/{}", x.ticket.as_ref().unwrap().id),
            )
            .await)
        .await;
        assert_eq!(t.subject, format!("Imported {i}"));
        assert_eq!(t.number, x.ticket.as_ref().unwrap().number);
        assert_eq!(t.tags, [format!("t{}", i % 7)]);
        assert_eq!(
            t.requester.as_ref().and_then(|c| c.email.as_deref()),
            Some(format!("big{i}@example.org").as_str())
        );
        let comments: CommentPage = ok(app
            .get(&admin, &format!("/api/v1/tickets/{}/comments", t.id))
            .await)
        .await;
        assert_eq!(comments.items.len(), 1);
        assert_eq!(comments.items[0].body, format!("Comment {i}"));
        let h: HistoryPage = ok(app
            .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
            .await)
        .await;
        assert_eq!(h.items.len(), 1);
        assert_eq!(
            h.items[0].new_value.as_deref(),
            Some(format!("big-{i}: #{} Imported {i}", t.number).as_str())
        );
    }
    // The refused item's requester was not created; a word search finds
    // the imported tickets (the full-text index took the whole batch).
    let found: Value = ok(app
        .get(&admin, "/api/v1/contacts?q=big600@example.org")
        .await)
    .await;
    assert_eq!(found["items"], json!([]), "{found}");
    let page: Value = ok(app
        .get(
            &admin,
            "/api/v1/tickets?q=Imported&created_from=2024-01-01T00:00:00Z&limit=1",
        )
        .await)
    .await;
    assert!(page["next_cursor"].is_string(), "{page}");
}

/// Concurrent imports giving the same number (and creates beside them): on
/// PostgreSQL the writes really overlap, and the number a concurrent writer
/// took is skipped and renumbered instead of failing the batch.
#[tokio::test]
async fn concurrent_imports_of_one_number_keep_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let imports = (0..8).map(|k| {
        let (app, admin) = (&app, &admin);
        async move {
            let items: Vec<Value> = (0..20)
                .map(|i| {
                    json!({
                        "external_id": format!("race-{k}-{i}"),
                        "number": 95000 + i,
                        "subject": format!("Race {k} {i}"),
                        "created_at": "2024-05-01T00:00:00Z"
                    })
                })
                .collect();
            let r: ImportResult = ok(app
                .post(admin, "/api/v1/import/tickets", &json!({"tickets": items}))
                .await)
            .await;
            r
        }
    });
    let creates = (0..8).map(|k| {
        let (app, admin) = (&app, &admin);
        async move {
            app.create_ticket(admin, &json!({"subject": format!("Beside {k}")}))
                .await
                .number
        }
    });
    let (results, created) = futures_util::future::join(
        futures_util::future::join_all(imports),
        futures_util::future::join_all(creates),
    )
    .await;
    let mut numbers: Vec<i64> = results
        .iter()
        .flat_map(|r| r.results.iter())
        .map(|x| {
            assert!(x.ok, "{x:?}");
            x.ticket.as_ref().unwrap().number
        })
        .chain(created)
        .collect();
    assert_eq!(numbers.len(), 168);
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 168, "every ticket has its own number");
    for n in 95000..95020 {
        assert!(
            numbers.contains(&n),
            "#{n} was given and is free: kept once"
        );
    }
}
