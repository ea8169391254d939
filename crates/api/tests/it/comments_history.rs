//! Comments (public replies and internal notes) and the ticket history.

use crate::common;

use common::*;
use lazo_domain::wire::{Comment, CommentPage, CreatedApiToken, HistoryEntry, HistoryPage, Ticket};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn comments(id: i64) -> String {
    format!("/api/v1/tickets/{id}/comments")
}

fn history(id: i64) -> String {
    format!("/api/v1/tickets/{id}/history")
}

/// A Support ticket owned by Ana.
async fn support_ticket(app: &TestApp, admin: &str, d: &Demo) -> Ticket {
    app.create_ticket(
        admin,
        &json!({"subject": "Broken lamp", "type_id": d.detractor, "group_id": d.support,
                "owner_id": d.ana, "status_id": d.open}),
    )
    .await
}

async fn all_history(app: &TestApp, token: &str, id: i64) -> Vec<HistoryEntry> {
    let page: HistoryPage = ok(app.get(token, &format!("{}?limit=200", history(id))).await).await;
    assert!(page.next_cursor.is_none());
    page.items
}

#[tokio::test]
async fn replies_and_internal_notes_are_listed_oldest_first() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let reply: Comment = created(
        app.post(&ana, &comments(t.id), &json!({"body": "  We are on it.  "}))
            .await,
    )
    .await;
    assert_eq!(reply.body, "We are on it.");
    assert!(!reply.internal, "public unless said otherwise");
    assert_eq!(reply.ticket_id, t.id);
    assert_eq!(reply.author.as_ref().unwrap().email, ANA);
    let note: Comment = created(
        app.post(
            &ana,
            &comments(t.id),
            &json!({"body": "Customer is a VIP", "internal": true}),
        )
        .await,
    )
    .await;
    assert!(note.internal);
    let marc = app.login(MARC).await;
    let page: CommentPage = ok(app.get(&marc, &comments(t.id)).await).await;
    assert_eq!(page.items, [reply.clone(), note.clone()]);
    assert!(page.next_cursor.is_none());
    // Commenting is a change of the ticket: it moves up in "updated".
    let after = app.ticket(&admin, t.id).await;
    assert!(after.updated_at >= note.created_at);
    assert_eq!(
        after.version, t.version,
        "a comment does not change the version"
    );
    // And each is in the history, linked to its comment.
    let h = all_history(&app, &admin, t.id).await;
    let kinds: Vec<(&str, Option<i64>)> = h
        .iter()
        .filter(|e| e.field == "comment" || e.field == "internal_note")
        .map(|e| (e.field.as_str(), e.comment_id))
        .collect();
    assert_eq!(
        kinds,
        [
            ("comment", Some(reply.id)),
            ("internal_note", Some(note.id))
        ]
    );
}

#[tokio::test]
async fn a_comment_needs_text_within_the_limit() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let p = problem_code(
        app.post(&admin, &comments(t.id), &json!({"body": "   "}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("body", "required")]);
    let p = problem(
        app.post(
            &admin,
            &comments(t.id),
            &json!({"body": "x".repeat(20_001)}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("body", "too_long")]);
    let p = problem(
        app.post(
            &admin,
            &comments(t.id),
            &json!({"body": "x", "internal": "yes"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["internal"]);
    let res = app
        .request(Method::POST, &admin, &comments(t.id))
        .header("content-type", "application/json")
        .body("{body: 1}")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "malformed_json").await;
    let res = app
        .request(Method::POST, &admin, &comments(t.id))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    problem_code(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn comments_of_a_ticket_one_cannot_see_are_not_found() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let c: Comment = created(
        app.post(&admin, &comments(t.id), &json!({"body": "hi"}))
            .await,
    )
    .await;
    let sofia = app.login(SOFIA).await;
    problem_code(
        app.get(&sofia, &comments(t.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.post(&sofia, &comments(t.id), &json!({"body": "hello"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.patch(
            &sofia,
            &format!("{}/{}", comments(t.id), c.id),
            &json!({"body": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.delete(&sofia, &format!("{}/{}", comments(t.id), c.id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&sofia, &history(t.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&admin, &comments(999_999)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for (m, p) in [
        (Method::PATCH, format!("{}/{}", comments(t.id), c.id)),
        (Method::DELETE, format!("{}/{}", comments(t.id), c.id)),
    ] {
        let res = app
            .request(m, "", &p)
            .json(&json!({"body": "x"}))
            .send()
            .await
            .unwrap();
        problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

#[tokio::test]
async fn only_its_author_edits_a_comment() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let c: Comment = created(
        app.post(&ana, &comments(t.id), &json!({"body": "Frist draft"}))
            .await,
    )
    .await;
    let url = format!("{}/{}", comments(t.id), c.id);
    let edited: Comment = ok(app.patch(&ana, &url, &json!({"body": "First draft"})).await).await;
    assert_eq!(edited.body, "First draft");
    assert_eq!(edited.created_at, c.created_at);
    assert!(edited.updated_at >= c.updated_at);
    for who in [MARC, ADMIN] {
        let token = app.login(who).await;
        problem_code(
            app.patch(&token, &url, &json!({"body": "Hijacked"})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let p = problem(
        app.patch(&ana, &url, &json!({"body": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("body", "required")]);
    problem(
        app.patch(
            &ana,
            &format!("{}/999999", comments(t.id)),
            &json!({"body": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A comment is only reachable under its own ticket.
    let other = support_ticket(&app, &admin, &d).await;
    problem(
        app.patch(
            &ana,
            &format!("{}/{}", comments(other.id), c.id),
            &json!({"body": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    assert_eq!(page.items[0].body, "First draft");
    let h = all_history(&app, &admin, t.id).await;
    let e = h
        .iter()
        .find(|e| e.field == "comment_edited")
        .expect("edit recorded");
    assert_eq!(e.old_value.as_deref(), Some("Frist draft"));
    assert_eq!(e.new_value.as_deref(), Some("First draft"));
    assert_eq!(e.comment_id, Some(c.id));
    assert_eq!(e.actor.id, Some(d.ana));
}

#[tokio::test]
async fn a_comment_is_deleted_by_its_author_or_an_admin() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let a: Comment = created(
        app.post(&ana, &comments(t.id), &json!({"body": "one"}))
            .await,
    )
    .await;
    let b: Comment = created(
        app.post(&ana, &comments(t.id), &json!({"body": "two"}))
            .await,
    )
    .await;
    let c: Comment = created(
        app.post(&ana, &comments(t.id), &json!({"body": "three"}))
            .await,
    )
    .await;
    for who in [MARC, LUCIA] {
        let token = app.login(who).await;
        problem_code(
            app.delete(&token, &format!("{}/{}", comments(t.id), a.id))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let res = app
        .delete(&ana, &format!("{}/{}", comments(t.id), a.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .delete(&admin, &format!("{}/{}", comments(t.id), b.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.delete(&admin, &format!("{}/{}", comments(t.id), b.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    assert_eq!(page.items, [c]);
    let h = all_history(&app, &admin, t.id).await;
    let deleted: Vec<(Option<&str>, Option<i64>)> = h
        .iter()
        .filter(|e| e.field == "comment_deleted")
        .map(|e| (e.old_value.as_deref(), e.actor.id))
        .collect();
    assert_eq!(
        deleted,
        [(Some("one"), Some(d.ana)), (Some("two"), Some(d.admin))]
    );
}

#[tokio::test]
async fn comments_page_with_a_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let mut made = Vec::new();
    for i in 0..5 {
        let c: Comment = created(
            app.post(&admin, &comments(t.id), &json!({"body": format!("c{i}")}))
                .await,
        )
        .await;
        made.push(c.id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!("{}?limit=2", comments(t.id));
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: CommentPage = ok(app.get(&admin, &url).await).await;
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages < 10);
    }
    assert_eq!(seen, made);
    assert_eq!(pages, 3);
    for q in ["limit=0", "limit=201", "cursor=abc", "limit=x"] {
        problem(
            app.get(&admin, &format!("{}?{q}", comments(t.id))).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

// ---------------------------------------------------------------- history

#[tokio::test]
async fn creation_is_recorded_with_its_first_comment() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Noisy fridge", "comment": {"body": "Logged by phone", "internal": true}}),
        )
        .await;
    let h = all_history(&app, &admin, t.id).await;
    assert_eq!(h.len(), 1);
    let e = &h[0];
    assert_eq!(e.field, "created");
    assert_eq!(e.old_value, None);
    assert_eq!(e.new_value, Some(format!("#{} Noisy fridge", t.number)));
    assert_eq!(
        (e.actor.kind.as_str(), e.actor.name.as_str()),
        ("user", "Alex Admin")
    );
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    assert_eq!(page.items.len(), 1);
    assert!(page.items[0].internal);
    assert_eq!(e.comment_id, Some(page.items[0].id));
}

#[tokio::test]
async fn every_change_is_recorded_with_old_and_new_values_and_the_comment() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Old subject", "type_id": d.detractor, "group_id": d.support,
                    "owner_id": d.ana, "status_id": d.open, "priority": "low", "tags": ["a"],
                    "source": "email", "custom_fields": {"channel": "web"},
                    "requester": {"email": "old@example.com"}}),
        )
        .await;
    let marc = app.login(MARC).await;
    let updated: Ticket = ok(app
        .patch(
            &marc,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({
                "subject": "New subject",
                "priority": "high",
                "status_id": d.resolved,
                "root_cause_id": d.causes[2],
                "owner_id": d.marc,
                "tags": ["b", "a"],
                "source": "phone",
                "due_at": "2031-05-01T08:00:00Z",
                "summary_score": 4,
                "public": false,
                "custom_fields": {"channel": "store", "order_id": "ORD-7"},
                "requester": {"email": "new@example.com"},
                "comment": {"body": "Refunded and closed", "internal": false}
            }),
        )
        .await)
    .await;
    assert_eq!(updated.version, 2);
    let h = all_history(&app, &admin, t.id).await;
    assert_eq!(h[0].field, "created");
    let changes: Vec<&HistoryEntry> = h.iter().skip(1).collect();
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    let comment_id = page.items.last().unwrap().id;
    for e in &changes {
        assert_eq!(
            e.comment_id,
            Some(comment_id),
            "{} carries the comment",
            e.field
        );
        assert_eq!(e.actor.id, Some(d.marc));
        assert_eq!(e.actor.name, "Marc Dubois");
        assert_eq!(e.at, changes[0].at, "one change, one instant");
    }
    let mut got: Vec<(&str, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|e| {
            (
                e.field.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        ("subject", Some("Old subject"), Some("New subject")),
        ("priority", Some("low"), Some("high")),
        ("status", Some("Open"), Some("Resolved")),
        ("root_cause", None, Some("Billing error")),
        ("owner", Some("Ana García"), Some("Marc Dubois")),
        ("tags", Some("a"), Some("a, b")),
        ("source", Some("email"), Some("phone")),
        ("due_at", None, Some("2031-05-01T08:00:00Z")),
        ("summary_score", None, Some("4")),
        ("public", Some("true"), Some("false")),
        ("custom_fields.channel", Some("web"), Some("store")),
        ("custom_fields.order_id", None, Some("ORD-7")),
        (
            "requester",
            Some("old@example.com"),
            Some("new@example.com"),
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    // A comment-only update records the comment, nothing else.
    let _: Ticket = ok(app
        .patch(
            &marc,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"comment": {"body": "Follow-up call done", "internal": true}}),
        )
        .await)
    .await;
    let h2 = all_history(&app, &admin, t.id).await;
    assert_eq!(h2.len(), h.len() + 1);
    assert_eq!(h2.last().unwrap().field, "internal_note");
    assert_eq!(app.ticket(&admin, t.id).await.version, 2);
}

#[tokio::test]
async fn changes_by_an_api_token_name_the_token() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let tok: CreatedApiToken = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "Survey sync", "scopes": ["tickets:write"]}),
        )
        .await,
    )
    .await;
    let t = app
        .create_ticket(&tok.secret, &json!({"subject": "From the survey"}))
        .await;
    let _: Ticket = ok(app
        .patch(
            &tok.secret,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"priority": "high"}),
        )
        .await)
    .await;
    let c: Comment = created(
        app.post(&tok.secret, &comments(t.id), &json!({"body": "Synced"}))
            .await,
    )
    .await;
    assert!(c.author.is_none(), "a token is not a person");
    let h = all_history(&app, &admin, t.id).await;
    assert_eq!(h.len(), 3);
    for e in &h {
        assert_eq!(e.actor.kind, "token");
        assert_eq!(e.actor.id, Some(tok.token.id));
        assert!(e.actor.name.contains("Survey sync"), "{}", e.actor.name);
    }
    // The token edits its own comment.
    let edited: Comment = ok(app
        .patch(
            &tok.secret,
            &format!("{}/{}", comments(t.id), c.id),
            &json!({"body": "Synced twice"}),
        )
        .await)
    .await;
    assert_eq!(edited.body, "Synced twice");
}

#[tokio::test]
async fn history_pages_with_a_cursor_and_checks_its_parameters() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    for p in ["low", "high", "critical", "medium"] {
        let _: Ticket = ok(app
            .patch(
                &admin,
                &format!("/api/v1/tickets/{}", t.id),
                &json!({"priority": p}),
            )
            .await)
        .await;
    }
    let all = all_history(&app, &admin, t.id).await;
    assert_eq!(all.len(), 5);
    let first: HistoryPage = ok(app.get(&admin, &format!("{}?limit=3", history(t.id))).await).await;
    assert_eq!(first.items, all[..3]);
    let cursor = first.next_cursor.unwrap();
    let second: HistoryPage = ok(app
        .get(
            &admin,
            &format!("{}?limit=3&cursor={cursor}", history(t.id)),
        )
        .await)
    .await;
    assert_eq!(second.items, all[3..]);
    assert!(second.next_cursor.is_none());
    let values: Vec<(Option<&str>, Option<&str>)> = all[1..]
        .iter()
        .map(|e| (e.old_value.as_deref(), e.new_value.as_deref()))
        .collect();
    assert_eq!(
        values,
        [
            (Some("medium"), Some("low")),
            (Some("low"), Some("high")),
            (Some("high"), Some("critical")),
            (Some("critical"), Some("medium")),
        ]
    );
    let p = problem_code(
        app.get(&admin, &format!("{}?limit=500", history(t.id)))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_eq!(fields(&p), ["limit"]);
    problem_code(
        app.get(&admin, &format!("{}?cursor=zzz", history(t.id)))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
    problem_code(
        app.get("", &history(t.id)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn a_refused_change_leaves_no_history_and_no_comment() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    problem_code(
        app.patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.resolved, "priority": "high", "comment": {"body": "Closing"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_required",
    )
    .await;
    assert_eq!(all_history(&app, &admin, t.id).await.len(), 1);
    let page: CommentPage = ok(app.get(&admin, &comments(t.id)).await).await;
    assert!(page.items.is_empty());
    let again = app.ticket(&admin, t.id).await;
    assert_eq!(again, t);
}

/// Comments that arrive together are made in batches, one transaction and
/// one statement per table for all (`lazo_api::batch`); each must still
/// get exactly its own answer. Thirty at once: twelve on one hot ticket,
/// twelve across six others, by the admin and by Ana, public and internal,
/// and six she may not make (a Billing ticket she cannot see, a ticket that
/// does not exist) that must be refused without touching the others.
#[tokio::test]
async fn a_burst_of_comments_gets_each_its_own_answer() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let hot = support_ticket(&app, &admin, &d).await;
    let mut others = Vec::new();
    for _ in 0..6 {
        others.push(support_ticket(&app, &admin, &d).await);
    }
    let hidden = app
        .create_ticket(
            &admin,
            &json!({"subject": "Billing only", "group_id": d.billing}),
        )
        .await;
    // The setup holds: Ana cannot see the Billing ticket.
    problem(
        app.get(&ana, &format!("/api/v1/tickets/{}", hidden.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let before: Vec<Ticket> = {
        let mut v = vec![app.ticket(&admin, hot.id).await];
        for t in &others {
            v.push(app.ticket(&admin, t.id).await);
        }
        v
    };
    let mut sends = tokio::task::JoinSet::new();
    // (token is Ana's, ticket, body, internal, expected to be made)
    let mut plan: Vec<(bool, i64, String, bool, bool)> = Vec::new();
    for i in 0..12 {
        plan.push((i % 2 == 0, hot.id, format!("Hot {i}"), i % 3 == 0, true));
    }
    for i in 0..12 {
        plan.push((
            i % 2 == 1,
            others[i % 6].id,
            format!("Other {i}"),
            false,
            true,
        ));
    }
    for i in 0..3 {
        plan.push((true, hidden.id, format!("Hidden {i}"), false, false));
        plan.push((false, 987_654, format!("Nowhere {i}"), false, false));
    }
    for (i, (by_ana, ticket, body, internal, _)) in plan.iter().enumerate() {
        let token = if *by_ana { &ana } else { &admin };
        let req = app
            .request(Method::POST, token, &comments(*ticket))
            .json(&json!({"body": body, "internal": internal}));
        sends.spawn(async move { (i, req.send().await.unwrap()) });
    }
    let mut made = Vec::new();
    while let Some(done) = sends.join_next().await {
        let (i, res) = done.unwrap();
        let (by_ana, ticket, body, internal, ok) = &plan[i];
        if !ok {
            problem(res, StatusCode::NOT_FOUND).await;
            continue;
        }
        let cm: Comment = created(res).await;
        assert_eq!(
            (cm.ticket_id, &cm.body, cm.internal),
            (*ticket, body, *internal)
        );
        let author = if *by_ana { ANA } else { ADMIN };
        assert_eq!(cm.author.as_ref().unwrap().email, author);
        made.push(cm);
    }
    assert_eq!(made.len(), 24);
    // Each ticket lists exactly its comments, as answered, each once; its
    // history has a row per comment naming it; it was touched.
    for (t, before) in std::iter::once(&hot).chain(&others).zip(&before) {
        let page: CommentPage = ok(app
            .get(&admin, &format!("{}?limit=200", comments(t.id)))
            .await)
        .await;
        let mut mine: Vec<&Comment> = made.iter().filter(|m| m.ticket_id == t.id).collect();
        mine.sort_by_key(|m| m.id);
        assert_eq!(
            serde_json::to_value(&page.items).unwrap(),
            serde_json::to_value(&mine).unwrap(),
            "ticket {}",
            t.id
        );
        let noted: Vec<i64> = all_history(&app, &admin, t.id)
            .await
            .iter()
            .filter(|h| h.field == "comment" || h.field == "internal_note")
            .map(|h| h.comment_id.unwrap())
            .collect();
        let mut ids: Vec<i64> = mine.iter().map(|m| m.id).collect();
        let mut noted_sorted = noted.clone();
        noted_sorted.sort_unstable();
        ids.sort_unstable();
        assert_eq!(noted_sorted, ids, "ticket {}'s history", t.id);
        let now = app.ticket(&admin, t.id).await;
        assert!(
            now.updated_at > before.updated_at,
            "ticket {} touched",
            t.id
        );
    }
    assert_eq!(made.iter().filter(|m| m.ticket_id == hot.id).count(), 12);
    // The refused ones left nothing.
    let page: CommentPage = ok(app.get(&admin, &comments(hidden.id)).await).await;
    assert!(page.items.is_empty());
}
