//! Feedback intake over HTTP: contacts (visibility, search, merge),
//! touchpoints and the timeline, survey responses (idempotency, batches, bad
//! input leaving nothing behind), alert rules (CRUD, order and modes,
//! templates, preview) and the ticket's survey response and filters.

use crate::common;

use common::*;
use lazo_domain::feedback::{
    AlertRule, AlertRuleTest, ContactPage, IntakeResult, ResponseBatchResult, SurveyResponse,
    Touchpoint, TouchpointPage,
};
use lazo_domain::wire::{Contact, CreatedApiToken, HistoryPage, Ticket};
use lazo_domain::{Priority, RuleAction, TouchpointKind};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn token(app: &TestApp, admin: &str, scopes: &[&str]) -> String {
    let t: CreatedApiToken = created(
        app.post(
            admin,
            "/api/v1/tokens",
            &json!({"name": format!("tool {}", scopes.join(" ")), "scopes": scopes}),
        )
        .await,
    )
    .await;
    t.secret
}

fn detractor(external_id: &str, email: &str, nps: i64) -> Value {
    json!({
        "external_id": external_id,
        "survey_id": "relationship-2026",
        "survey_name": "Relationship NPS",
        "respondent": {"email": email, "name": "Paula Client", "external_ref": format!("CRM-{external_id}")},
        "scores": {"nps": nps},
        "comment": "The courier never came",
        "answers": [
            {"question_id": "q1", "question": "What went wrong?", "type": "choice", "answer": "Delivery"},
            {"question": "Would you buy again?", "type": "boolean", "answer": false}
        ],
        "embedded": {"order_id": "ORD-9", "store": "Madrid"},
        "submitted_at": "2026-11-20T10:00:00Z"
    })
}

async fn count_responses(app: &TestApp, admin: &str) -> usize {
    // Every response with a respondent records a touchpoint; the test
    // respondents are all under example.org.
    let mut n = 0;
    let mut cursor = String::new();
    loop {
        let page: ContactPage = ok(app
            .get(admin, &format!("/api/v1/contacts?limit=200{cursor}"))
            .await)
        .await;
        for c in &page.items {
            let tl: TouchpointPage = ok(app
                .get(
                    admin,
                    &format!("/api/v1/contacts/{}/timeline?limit=200", c.id),
                )
                .await)
            .await;
            n += tl
                .items
                .iter()
                .filter(|t| t.kind == TouchpointKind::SurveyResponse)
                .count();
        }
        match page.next_cursor {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return n,
        }
    }
}

// ---------------------------------------------------------------- contacts

#[tokio::test]
async fn contacts_are_created_matched_searched_and_paged() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let res = app
        .post(
            &admin,
            "/api/v1/contacts",
            &json!({
                "email": "Marta.Diaz@Example.org", "name": "Marta Díaz", "phone": "+34 600 1",
                "language": "es", "external_ref": "CRM-1", "subscribed": false,
                "attributes": {"plan": "gold", "region": "south"}
            }),
        )
        .await;
    let marta: Contact = created(res).await;
    assert_eq!(marta.email.as_deref(), Some("marta.diaz@example.org"));
    assert!(!marta.subscribed);
    assert_eq!(marta.attributes["plan"], "gold");

    // Same email: 409 naming the field.
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/contacts",
            &json!({"email": "marta.diaz@example.org"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/contacts",
            &json!({"email": "not-an-email", "phone": " ", "attributes": {"": 1}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["email", "phone", "attributes."]);

    // A ticket whose requester names the external reference finds Marta,
    // even with another email: the reference wins.
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Call back", "requester": {"email": "other@example.org", "external_ref": "CRM-1"}}),
        )
        .await;
    assert_eq!(t.requester.as_ref().unwrap().id, marta.id);

    // Update: null clears, attributes merge (null removes one).
    let updated: Contact = ok(app
        .patch(
            &admin,
            &format!("/api/v1/contacts/{}", marta.id),
            &json!({"phone": null, "subscribed": true, "attributes": {"region": null, "tier": 2}}),
        )
        .await)
    .await;
    assert_eq!(updated.phone, None);
    assert!(updated.subscribed);
    assert_eq!(
        updated.attributes,
        json!({"plan": "gold", "tier": 2})
            .as_object()
            .unwrap()
            .clone()
    );

    for i in 0..5 {
        created::<Contact>(
            app.post(
                &admin,
                "/api/v1/contacts",
                &json!({"email": format!("pager{i}@example.org"), "name": format!("Pager Person {i}")}),
            )
            .await,
        )
        .await;
    }
    let page: ContactPage = ok(app
        .get(&admin, "/api/v1/contacts?q=pager%20person&limit=2")
        .await)
    .await;
    assert_eq!(page.items.len(), 2);
    let next = page.next_cursor.unwrap();
    let page2: ContactPage = ok(app
        .get(
            &admin,
            &format!("/api/v1/contacts?q=pager%20person&limit=2&cursor={next}"),
        )
        .await)
    .await;
    assert_eq!(page2.items.len(), 2);
    assert!(page2.items[0].id > page.items[1].id);
    let by_email: ContactPage = ok(app.get(&admin, "/api/v1/contacts?q=PAGER3@").await).await;
    assert_eq!(by_email.items.len(), 1);
    assert_eq!(
        by_email.items[0].email.as_deref(),
        Some("pager3@example.org")
    );
    let by_ref: ContactPage = ok(app.get(&admin, "/api/v1/contacts?q=CRM-1").await).await;
    assert_eq!(
        by_ref.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [marta.id]
    );
    problem_code(
        app.get(&admin, "/api/v1/contacts?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn agents_see_the_contacts_of_the_tickets_they_see() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let mine = app
        .create_ticket(
            &admin,
            &json!({"subject": "Support case", "group_id": d.support, "requester": {"email": "seen@example.org"}}),
        )
        .await;
    let theirs = app
        .create_ticket(
            &admin,
            &json!({"subject": "Billing case", "group_id": d.billing, "owner_id": d.sofia, "requester": {"email": "hidden@example.org"}}),
        )
        .await;
    let seen = mine.requester.unwrap().id;
    let hidden = theirs.requester.unwrap().id;
    ok::<Contact>(app.get(&ana, &format!("/api/v1/contacts/{seen}")).await).await;
    problem_code(
        app.get(&ana, &format!("/api/v1/contacts/{hidden}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&ana, &format!("/api/v1/contacts/{hidden}/timeline"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.patch(
            &ana,
            &format!("/api/v1/contacts/{hidden}"),
            &json!({"name": "X"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let all: ContactPage = ok(app.get(&ana, "/api/v1/contacts?limit=200").await).await;
    let ids: Vec<i64> = all.items.iter().map(|c| c.id).collect();
    assert!(ids.contains(&seen));
    assert!(!ids.contains(&hidden));
    // The contact's ticket in Billing stays out of Ana's view of its
    // timeline, even when she names it.
    let billing = app
        .create_ticket(
            &admin,
            &json!({"subject": "Secret billing case", "group_id": d.billing, "owner_id": d.sofia, "requester": {"email": "seen@example.org"}}),
        )
        .await;
    let tl: TouchpointPage = ok(app
        .get(
            &ana,
            &format!("/api/v1/contacts/{seen}/timeline?ticket={}", billing.id),
        )
        .await)
    .await;
    assert_eq!(
        tl.items.iter().map(|t| t.ticket_id).collect::<Vec<_>>(),
        [Some(mine.id)]
    );
    let tl: TouchpointPage = ok(app
        .get(
            &admin,
            &format!("/api/v1/contacts/{seen}/timeline?ticket={}", billing.id),
        )
        .await)
    .await;
    assert_eq!(
        tl.items.iter().map(|t| t.ticket_id).collect::<Vec<_>>(),
        [Some(billing.id), Some(mine.id)]
    );
    // The admin sees both; agents may not delete or merge.
    let all: ContactPage = ok(app.get(&admin, "/api/v1/contacts?limit=200").await).await;
    assert!(all.items.iter().any(|c| c.id == hidden));
    problem_code(
        app.delete(&ana, &format!("/api/v1/contacts/{seen}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.post(
            &ana,
            &format!("/api/v1/contacts/{seen}/merge"),
            &json!({"from": hidden}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn merging_moves_tickets_touchpoints_and_responses_and_records_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    let survivor: Contact = created(
        app.post(
            &admin,
            "/api/v1/contacts",
            &json!({"name": "Jo Survivor", "external_ref": "S-1"}),
        )
        .await,
    )
    .await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Old case", "requester": {"email": "jo@example.org", "phone": "+1 5"}}))
        .await;
    let gone = t.requester.as_ref().unwrap().id;
    let r: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("m-1", "jo@example.org", 9),
        )
        .await,
    )
    .await;
    assert_eq!(r.contact_id, Some(gone));

    problem_code(
        app.post(
            &admin,
            &format!("/api/v1/contacts/{}/merge", survivor.id),
            &json!({"from": survivor.id}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let merged: Contact = ok(app
        .post(
            &admin,
            &format!("/api/v1/contacts/{}/merge", survivor.id),
            &json!({"from": gone}),
        )
        .await)
    .await;
    assert_eq!(merged.id, survivor.id);
    assert_eq!(
        merged.email.as_deref(),
        Some("jo@example.org"),
        "details it lacked"
    );
    assert_eq!(merged.external_ref.as_deref(), Some("S-1"), "its own kept");
    assert_eq!(merged.phone.as_deref(), Some("+1 5"));
    problem(
        app.get(&admin, &format!("/api/v1/contacts/{gone}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let ticket = app.ticket(&admin, t.id).await;
    assert_eq!(ticket.requester.unwrap().id, survivor.id);
    assert_eq!(ticket.version, 2);
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    let change = h
        .items
        .iter()
        .find(|e| e.field == "requester")
        .expect("history of the merge");
    assert_eq!(
        (change.old_id, change.new_id),
        (Some(gone), Some(survivor.id))
    );
    let tl: TouchpointPage = ok(app
        .get(
            &admin,
            &format!("/api/v1/contacts/{}/timeline", survivor.id),
        )
        .await)
    .await;
    let kinds: Vec<TouchpointKind> = tl.items.iter().map(|t| t.kind).collect();
    assert!(kinds.contains(&TouchpointKind::Ticket));
    assert!(kinds.contains(&TouchpointKind::SurveyResponse));
    assert!(tl
        .items
        .iter()
        .any(|t| t.kind == TouchpointKind::Custom
            && t.title.starts_with("Merged with jo@example.org")));
    // The response follows too: the same respondent now matches the survivor.
    let again: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("m-2", "jo@example.org", 10),
        )
        .await,
    )
    .await;
    assert_eq!(again.contact_id, Some(survivor.id));
}

// ---------------------------------------------------------------- touchpoints

#[tokio::test]
async fn the_timeline_is_newest_first_paged_and_puts_the_ticket_first() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let tool = token(&app, &admin, &["tickets:write"]).await;
    let reader = token(&app, &admin, &["tickets:read"]).await;
    let first = app
        .create_ticket(&admin, &json!({"subject": "First", "source": "Phone", "requester": {"email": "tl@example.org"}}))
        .await;
    let cid = first.requester.as_ref().unwrap().id;
    let tp: Touchpoint = created(
        app.post(
            &tool,
            "/api/v1/touchpoints",
            &json!({"contact_id": cid, "kind": "call", "channel": "Phone", "title": "Called about the refund",
                    "payload": {"minutes": 12}, "occurred_at": "2030-01-01T09:00:00Z"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (tp.kind, tp.channel.as_deref()),
        (TouchpointKind::Call, Some("phone"))
    );
    for i in 0..3 {
        created::<Touchpoint>(
            app.post(
                &tool,
                "/api/v1/touchpoints",
                &json!({"contact": {"email": "TL@example.org"}, "kind": "chat", "title": format!("Chat {i}"),
                        "occurred_at": format!("2025-0{}-01T00:00:00Z", i + 1)}),
            )
            .await,
        )
        .await;
    }
    let later = app
        .create_ticket(
            &admin,
            &json!({"subject": "Later", "requester": {"email": "tl@example.org"}}),
        )
        .await;
    problem_code(
        app.post(
            &reader,
            "/api/v1/touchpoints",
            &json!({"contact_id": cid, "kind": "call", "title": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let p = problem(
        app.post(
            &tool,
            "/api/v1/touchpoints",
            &json!({"kind": "ticket", "title": " "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["kind", "contact_id", "title"]);
    let p = problem(
        app.post(
            &tool,
            "/api/v1/touchpoints",
            &json!({"contact_id": 999999, "kind": "call", "title": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("contact_id", "unknown_reference")]);

    // All of them, newest first, two per page.
    let mut titles = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: TouchpointPage = ok(app
            .get(
                &admin,
                &format!("/api/v1/contacts/{cid}/timeline?limit=2&cursor={cursor}"),
            )
            .await)
        .await;
        assert!(page.items.len() <= 2);
        titles.extend(page.items.iter().map(|t| t.title.clone()));
        match page.next_cursor {
            Some(c) => cursor = c,
            None => break,
        }
    }
    assert_eq!(
        titles,
        [
            "Called about the refund".to_owned(),
            format!("#{} Later", later.number),
            format!("#{} First", first.number),
            "Chat 2".into(),
            "Chat 1".into(),
            "Chat 0".into()
        ]
    );
    // Asked from the first ticket: its touchpoint leads and is not repeated.
    let page: TouchpointPage = ok(app
        .get(
            &admin,
            &format!(
                "/api/v1/contacts/{cid}/timeline?ticket={}&limit=2",
                first.id
            ),
        )
        .await)
    .await;
    assert_eq!(page.items[0].ticket_id, Some(first.id));
    assert_eq!(page.items[0].channel.as_deref(), Some("phone"));
    assert_eq!(page.items.len(), 3);
    let rest: TouchpointPage = ok(app
        .get(
            &admin,
            &format!(
                "/api/v1/contacts/{cid}/timeline?ticket={}&limit=50&cursor={}",
                first.id,
                page.next_cursor.unwrap()
            ),
        )
        .await)
    .await;
    assert!(rest.items.iter().all(|t| t.ticket_id != Some(first.id)));
    assert_eq!(rest.items.len(), 3);
    problem_code(
        app.get(
            &admin,
            &format!("/api/v1/contacts/{cid}/timeline?cursor=nope"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
}

// ---------------------------------------------------------------- intake

#[tokio::test]
async fn a_detractor_response_creates_its_ticket_in_the_same_write() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    let res = app
        .post(
            &intake,
            "/api/v1/responses",
            &detractor("r-1", "paula@example.org", 3),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().get("idempotent-replayed").is_none());
    let r: IntakeResult = res.json().await.unwrap();
    assert_eq!(r.tickets.len(), 1, "{r:?}");
    assert_eq!(r.rules.len(), 1);
    assert_eq!(r.rules[0].rule_name, "NPS detractor");
    assert_eq!(r.rules[0].action, RuleAction::TicketCreated);
    let t: Ticket = app.ticket(&admin, r.tickets[0].id).await;
    assert_eq!(t.subject, "NPS 3 from Paula Client");
    assert_eq!(t.summary.score, Some(3));
    assert_eq!(t.summary.comment.as_deref(), Some("The courier never came"));
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.source.as_deref(), Some("survey"));
    assert_eq!(t.requester.as_ref().unwrap().id, r.contact_id.unwrap());
    assert!(t.description.contains("What went wrong?: Delivery"));
    // Its history and event were written with it.
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    assert_eq!(h.items[0].field, "created");
    assert_eq!(
        h.items[0].actor.name,
        "Alert rule \u{201c}NPS detractor\u{201d}"
    );
    // The ticket shows the response.
    let sr: SurveyResponse = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/response", t.id))
        .await)
    .await;
    assert_eq!(sr.id, r.response_id);
    assert_eq!(sr.external_id.as_deref(), Some("r-1"));
    assert_eq!(sr.answers.len(), 2);
    assert_eq!(sr.answers[0].question, "What went wrong?");
    assert_eq!(sr.scores.nps, Some(3));
    assert_eq!(sr.summary.score, Some(3));
    assert_eq!(sr.embedded["store"], "Madrid");
    assert_eq!(sr.submitted_at.to_rfc3339(), "2026-11-20T10:00:00+00:00");
    assert_eq!(sr.rules[0].ticket_id, Some(t.id));
    // A ticket without a response: 404.
    let plain = app
        .create_ticket(&admin, &json!({"subject": "Plain"}))
        .await;
    problem(
        app.get(&admin, &format!("/api/v1/tickets/{}/response", plain.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A promoter creates nothing.
    let p: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("r-2", "paula@example.org", 9),
        )
        .await,
    )
    .await;
    assert!(p.tickets.is_empty() && p.rules.is_empty());
    assert_eq!(p.contact_id, r.contact_id, "matched by external reference");
    // The contact's timeline has both responses and the ticket.
    let tl: TouchpointPage = ok(app
        .get(
            &admin,
            &format!(
                "/api/v1/contacts/{}/timeline?ticket={}",
                r.contact_id.unwrap(),
                t.id
            ),
        )
        .await)
    .await;
    assert_eq!(tl.items[0].ticket_id, Some(t.id));
    assert_eq!(
        tl.items
            .iter()
            .filter(|x| x.kind == TouchpointKind::SurveyResponse)
            .count(),
        2
    );
    // The follow-up list filters by survey and score.
    let items = app
        .all_pages(&admin, "survey=relationship-2026&score_min=0&score_max=6")
        .await;
    assert_eq!(items.iter().map(|i| i.id).collect::<Vec<_>>(), [t.id]);
    let items = app.all_pages(&admin, "survey=other-survey").await;
    assert!(items.is_empty());
    let p = problem_code(
        app.get(&admin, "/api/v1/tickets?score_min=7&score_max=2")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_eq!(fields(&p), ["score_max"]);
}

#[tokio::test]
async fn intake_is_idempotent_by_external_id_and_by_key() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    let body = detractor("dup-1", "dup@example.org", 2);
    let first: IntakeResult = created(app.post(&intake, "/api/v1/responses", &body).await).await;
    // The same content (other key order, other spacing) is the same answer.
    let text = serde_json::to_string_pretty(&body).unwrap();
    let res = app
        .request(reqwest::Method::POST, &intake, "/api/v1/responses")
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers().get("idempotent-replayed").unwrap(), "true");
    let again: IntakeResult = res.json().await.unwrap();
    assert_eq!(again, first);
    // Other content under that external id: 409 naming it, nothing written.
    let mut other = body.clone();
    other["scores"]["nps"] = json!(1);
    let p = problem_code(
        app.post(&intake, "/api/v1/responses", &other).await,
        StatusCode::CONFLICT,
        "duplicate_response",
    )
    .await;
    assert_eq!(fields(&p), ["external_id"]);
    let open = app.all_pages(&admin, "survey=relationship-2026").await;
    assert_eq!(open.len(), 1);

    // Idempotency-Key without an external id.
    let mut keyed = body.clone();
    keyed.as_object_mut().unwrap().remove("external_id");
    let send = |b: Value, key: &'static str| {
        app.request(reqwest::Method::POST, &intake, "/api/v1/responses")
            .header("Idempotency-Key", key)
            .json(&b)
            .send()
    };
    let a: IntakeResult = created(send(keyed.clone(), "k-1").await.unwrap()).await;
    let res = send(keyed.clone(), "k-1").await.unwrap();
    assert_eq!(res.headers().get("idempotent-replayed").unwrap(), "true");
    let b: IntakeResult = created(res).await;
    assert_eq!(a, b);
    problem_code(
        send(other.clone(), "k-1").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(
        app.all_pages(&admin, "survey=relationship-2026")
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn bad_responses_name_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    let reader = token(&app, &admin, &["tickets:write"]).await;
    let agent = app.login(ANA).await;
    let before = count_responses(&app, &admin).await;
    let tickets_before = app.all_pages(&admin, "").await.len();

    problem_code(
        app.post(
            &reader,
            "/api/v1/responses",
            &detractor("x", "x@example.org", 1),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.post(
            &agent,
            "/api/v1/responses",
            &detractor("x", "x@example.org", 1),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["mood"] = json!("angry");
                b
            },
            vec!["mood"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["scores"]["nps"] = json!(11);
                b
            },
            vec!["scores.nps"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["scores"] = json!({"csat": 0, "ces": 8});
                b
            },
            vec!["scores.csat", "scores.ces"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["scores"]["sus"] = json!(3);
                b
            },
            vec!["scores.sus"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["respondent"] = json!({"email": "not an email"});
                b
            },
            vec!["respondent.email"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["respondent"] = json!({"name": "No Address"});
                b
            },
            vec!["respondent.email"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["respondent"] = json!("x@example.org");
                b
            },
            vec!["respondent"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["answers"][1]["answer"] = json!("yes");
                b
            },
            vec!["answers[1].answer"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["answers"][0]["type"] = json!("essay");
                b
            },
            vec!["answers[0].type"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["embedded"] = json!({"deep": {"x": 1}});
                b
            },
            vec!["embedded"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b.as_object_mut().unwrap().remove("survey_id");
                b
            },
            vec!["survey_id"],
        ),
        (
            {
                let mut b = detractor("x", "x@example.org", 1);
                b["answers"] = Value::Array(
                    (0..10_000)
                        .map(
                            |i| json!({"question": format!("Q{i}"), "type": "number", "answer": i}),
                        )
                        .collect(),
                );
                b
            },
            vec!["answers"],
        ),
    ];
    for (body, want) in cases {
        let p = problem(
            app.post(&intake, "/api/v1/responses", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), want, "{p:?}");
    }
    // A batch with a duplicate external id is refused whole.
    let p = problem(
        app.post(
            &intake,
            "/api/v1/responses/batch",
            &json!({"responses": [detractor("b-1", "b@example.org", 1), detractor("b-2", "b@example.org", 1), detractor("b-1", "b@example.org", 2)]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("responses[2].external_id", "duplicate")]);
    let too_many: Vec<Value> = (0..501)
        .map(|i| detractor(&format!("m{i}"), "m@example.org", 9))
        .collect();
    let p = problem(
        app.post(
            &intake,
            "/api/v1/responses/batch",
            &json!({"responses": too_many}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("responses", "too_many")]);
    assert_eq!(count_responses(&app, &admin).await, before);
    assert_eq!(app.all_pages(&admin, "").await.len(), tickets_before);
}

#[tokio::test]
async fn a_batch_answers_per_item_and_keeps_the_good_ones() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    for x in ["bt-0", "bt-9"] {
        created::<IntakeResult>(
            app.post(
                &intake,
                "/api/v1/responses",
                &detractor(x, "bt@example.org", 4),
            )
            .await,
        )
        .await;
    }
    let mut bad = detractor("bt-2", "bt@example.org", 1);
    bad["scores"]["nps"] = json!(-1);
    let mut conflicting = detractor("bt-9", "bt@example.org", 4);
    conflicting["comment"] = json!("changed");
    let res: ResponseBatchResult = ok(app
        .post(
            &intake,
            "/api/v1/responses/batch",
            &json!({"responses": [
                detractor("bt-1", "bt@example.org", 5),
                bad,
                detractor("bt-0", "bt@example.org", 4),
                conflicting,
                detractor("bt-3", "bt2@example.org", 10),
            ]}),
        )
        .await)
    .await;
    let statuses: Vec<(bool, u16)> = res.results.iter().map(|r| (r.ok, r.status)).collect();
    assert_eq!(
        statuses,
        [
            (true, 201),
            (false, 422),
            (true, 200),
            (false, 409),
            (true, 201)
        ]
    );
    assert_eq!(res.results[0].result.as_ref().unwrap().tickets.len(), 1);
    assert_eq!(res.results[4].result.as_ref().unwrap().tickets.len(), 0);
    let e = res.results[1].error.as_ref().unwrap();
    assert_eq!(e.errors[0].field, "responses[1].scores.nps");
    assert_eq!(
        res.results[3].error.as_ref().unwrap().errors[0].field,
        "responses[3].external_id"
    );
    // bt-0, bt-9 and bt-1 made tickets; nothing of the bad items.
    assert_eq!(
        app.all_pages(&admin, "survey=relationship-2026")
            .await
            .len(),
        3
    );
}

// ---------------------------------------------------------------- alert rules

#[tokio::test]
async fn alert_rules_run_in_order_with_their_modes_and_templates() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let lucia = app.login(LUCIA).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    let rules: Vec<AlertRule> = ok(app.get(&lucia, "/api/v1/alert-rules").await).await;
    assert_eq!(rules.len(), 1, "the default rule of a new installation");
    let default = rules[0].clone();
    assert!(default.enabled && default.stop_on_match && !default.record_only);
    problem_code(
        app.get(&ana, "/api/v1/alert-rules").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Delivery complaints first, for every score, in Support (whose single
    // manager, Lucía, owns it), and evaluation goes on.
    let delivery: AlertRule = created(
        app.post(
            &lucia,
            "/api/v1/alert-rules",
            &json!({
                "name": "Delivery complaints", "position": -10, "stop_on_match": false,
                "conditions": {
                    "answers": [{"question": "q1", "equals": "delivery"}],
                    "comment_contains": ["courier", "parcel"],
                    "embedded": [{"key": "store", "equals": "Madrid"}],
                    "surveys": ["relationship-2026"]
                },
                "ticket": {
                    "type_id": d.detractor, "priority": "critical", "group_id": d.support,
                    "subject_template": "{{ survey.name }}: {{ answers['What went wrong?'] | upper }} ({{ embedded.order_id }})",
                    "summary_score": "nps", "summary_comment": "answer:q1"
                }
            }),
        )
        .await,
    )
    .await;
    // Promoters of the VIP survey are only recorded.
    let record: AlertRule = created(
        app.post(
            &admin,
            "/api/v1/alert-rules",
            &json!({"name": "Promoters", "position": 5, "record_only": true,
                    "conditions": {"scores": [{"kind": "nps", "min": 9}]},
                    "ticket": {"subject_template": "unused"}}),
        )
        .await,
    )
    .await;
    let list: Vec<AlertRule> = ok(app.get(&admin, "/api/v1/alert-rules").await).await;
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        [delivery.id, default.id, record.id]
    );

    let r: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("ar-1", "ar@example.org", 2),
        )
        .await,
    )
    .await;
    let actions: Vec<(i64, RuleAction)> = r.rules.iter().map(|o| (o.rule_id, o.action)).collect();
    assert_eq!(
        actions,
        [
            (delivery.id, RuleAction::TicketCreated),
            (default.id, RuleAction::TicketCreated)
        ]
    );
    let t = app.ticket(&admin, r.tickets[0].id).await;
    assert_eq!(t.subject, "Relationship NPS: DELIVERY (ORD-9)");
    assert_eq!(t.priority, Priority::Critical);
    assert_eq!(t.group.unwrap().id, d.support);
    assert_eq!(t.owner.unwrap().id, d.lucia, "the group's single manager");
    assert_eq!(t.ticket_type.unwrap().id, d.detractor);
    assert_eq!(
        (t.summary.score, t.summary.comment.as_deref()),
        (Some(2), Some("Delivery"))
    );

    // A promoter with a delivery complaint: the first rule, then "record".
    let r: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("ar-2", "ar@example.org", 10),
        )
        .await,
    )
    .await;
    let actions: Vec<(i64, RuleAction)> = r.rules.iter().map(|o| (o.rule_id, o.action)).collect();
    assert_eq!(
        actions,
        [
            (delivery.id, RuleAction::TicketCreated),
            (record.id, RuleAction::Recorded)
        ]
    );
    assert_eq!(r.tickets.len(), 1);

    // Disabled rules are skipped; replace keeps the id.
    let mut body = json!({"name": "Delivery complaints", "enabled": false, "ticket": {"subject_template": "x"}});
    let replaced: AlertRule = ok(app
        .request(
            reqwest::Method::PUT,
            &admin,
            &format!("/api/v1/alert-rules/{}", delivery.id),
        )
        .json(&body)
        .send()
        .await
        .unwrap())
    .await;
    assert!(!replaced.enabled);
    let r: IntakeResult = created(
        app.post(
            &intake,
            "/api/v1/responses",
            &detractor("ar-3", "ar@example.org", 0),
        )
        .await,
    )
    .await;
    assert_eq!(
        r.rules.iter().map(|o| o.rule_id).collect::<Vec<_>>(),
        [default.id]
    );

    // Bad rules name their fields.
    body = json!({
        "name": " ", "position": 2000000,
        "conditions": {"scores": [{"kind": "csat", "min": 0}, {"kind": "csat", "max": 3}]},
        "ticket": {"subject_template": "{{ oops", "group_id": 999999, "status_id": 999999, "summary_comment": "title"}
    });
    let p = problem(
        app.post(&admin, "/api/v1/alert-rules", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        fields(&p),
        [
            "name",
            "position",
            "conditions.scores[0].min",
            "conditions.scores[1].kind",
            "ticket.summary_comment",
            "ticket.subject_template",
            "ticket.status_id",
            "ticket.group_id"
        ]
    );
    problem_code(
        app.post(
            &admin,
            "/api/v1/alert-rules",
            &json!({"name": "x", "ticket": {"subject_template": "x"}, "when": 1}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_field",
    )
    .await;

    // Delete.
    let res = app
        .delete(&admin, &format!("/api/v1/alert-rules/{}", record.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&admin, &format!("/api/v1/alert-rules/{}", record.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_rule_preview_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let rules: Vec<AlertRule> = ok(app.get(&admin, "/api/v1/alert-rules").await).await;
    let default = rules[0].id;
    let before = app.all_pages(&admin, "").await.len();
    let hit: AlertRuleTest = ok(app
        .post(
            &admin,
            &format!("/api/v1/alert-rules/{default}/test"),
            &detractor("p-1", "p@example.org", 6),
        )
        .await)
    .await;
    assert!(hit.matched);
    assert_eq!(hit.action, Some(RuleAction::TicketCreated));
    let preview = hit.ticket.unwrap();
    assert_eq!(preview.subject, "NPS 6 from Paula Client");
    assert_eq!(preview.priority, Priority::High);
    assert_eq!(preview.summary.score, Some(6));
    let miss: AlertRuleTest = ok(app
        .post(
            &admin,
            &format!("/api/v1/alert-rules/{default}/test"),
            &detractor("p-1", "p@example.org", 7),
        )
        .await)
    .await;
    assert!(!miss.matched && miss.ticket.is_none());
    // An anonymous sample: the template's fallback.
    let mut anon = detractor("p-2", "p@example.org", 0);
    anon.as_object_mut().unwrap().remove("respondent");
    let t: AlertRuleTest = ok(app
        .post(
            &admin,
            &format!("/api/v1/alert-rules/{default}/test"),
            &anon,
        )
        .await)
    .await;
    assert_eq!(t.ticket.unwrap().subject, "NPS 0 from a customer");
    // A rule in a group with one manager previews that owner.
    let rule: AlertRule = created(
        app.post(&admin, "/api/v1/alert-rules", &json!({"name": "G", "ticket": {"group_id": d.support, "subject_template": "{{ comment }}"}}))
            .await,
    )
    .await;
    let t: AlertRuleTest = ok(app
        .post(
            &admin,
            &format!("/api/v1/alert-rules/{}/test", rule.id),
            &detractor("p-3", "p@example.org", 9),
        )
        .await)
    .await;
    let t = t.ticket.unwrap();
    assert_eq!(
        (t.owner_id, t.subject.as_str()),
        (Some(d.lucia), "The courier never came")
    );
    let p = problem(
        app.post(
            &admin,
            &format!("/api/v1/alert-rules/{default}/test"),
            &json!({"survey_id": "s", "scores": {"nps": 12}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["scores.nps"]);
    assert_eq!(app.all_pages(&admin, "").await.len(), before);
    assert_eq!(count_responses(&app, &admin).await, 0);
}

#[tokio::test]
async fn concurrent_writes_for_one_new_customer_share_one_contact() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let intake = token(&app, &admin, &["responses:write"]).await;
    // Neither an external id nor a key: nothing above the contact retries.
    let mut response = detractor("unused", "Race.Customer@example.org", 9);
    let o = response.as_object_mut().unwrap();
    o.remove("external_id");
    o["respondent"]
        .as_object_mut()
        .unwrap()
        .remove("external_ref");
    let ticket = json!({"subject": "Race", "requester": {"email": "race.customer@example.org"}});
    let sends = (0..16).map(|i| {
        if i % 2 == 0 {
            app.post(&intake, "/api/v1/responses", &response)
        } else {
            app.post(&admin, "/api/v1/tickets", &ticket)
        }
    });
    let mut contacts = Vec::new();
    for (i, res) in futures_util::future::join_all(sends)
        .await
        .into_iter()
        .enumerate()
    {
        contacts.push(if i % 2 == 0 {
            created::<IntakeResult>(res).await.contact_id.unwrap()
        } else {
            created::<Ticket>(res).await.requester.unwrap().id
        });
    }
    contacts.sort_unstable();
    contacts.dedup();
    assert_eq!(contacts.len(), 1, "{contacts:?}");
}
