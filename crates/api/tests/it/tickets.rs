//! Creating, reading, changing and deleting tickets: validation, the ticket
//! rules with their codes, ETag/If-Match, idempotent creation, bulk updates.

use crate::common;

use common::*;
use lazo_domain::wire::{BulkResult, Ticket, TicketCounts, TicketPage};
use lazo_domain::{Access, Priority, StatusCategory};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn path(id: i64) -> String {
    format!("/api/v1/tickets/{id}")
}

/// A Detractor follow-up ticket in Support owned by Ana, created by the admin.
async fn detractor_ticket(app: &TestApp, admin: &str, d: &Demo) -> Ticket {
    app.create_ticket(
        admin,
        &json!({
            "subject": "Parcel lost",
            "type_id": d.detractor,
            "group_id": d.support,
            "owner_id": d.ana,
            "status_id": d.open,
        }),
    )
    .await
}

#[tokio::test]
async fn creating_a_ticket_with_every_field_returns_it_with_etag_and_location() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let res = app
        .post(
            &admin,
            "/api/v1/tickets",
            &json!({
                "subject": "  Late delivery, angry customer  ",
                "description": "The parcel arrived a week late.\nSecond time.",
                "type_id": d.detractor,
                "priority": "high",
                "status_id": d.open,
                "group_id": d.support,
                "owner_id": d.marc,
                "requester": {
                    "email": "Paula.Client@Example.com",
                    "name": "Paula Client",
                    "phone": "+34 600 000 000",
                    "language": "es",
                    "external_ref": "CRM-77"
                },
                "tags": ["VIP ", "vip", "Refund"],
                "source": "Survey",
                "due_at": "2030-01-15T10:00:00Z",
                "summary_score": 2,
                "summary_comment": "Never again",
                "custom_fields": {"order_id": "ORD-1", "channel": "web", "refund_amount": 12.5},
                "public": false,
                "comment": {"body": "Created from the survey", "internal": true}
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let tag = etag(&res);
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let t: Ticket = res.json().await.unwrap();
    assert_eq!(tag, "\"1\"");
    assert_eq!(location, path(t.id));
    assert_eq!(t.version, 1);
    assert!(
        t.number > DEMO_TICKETS as i64,
        "numbers continue after the demo"
    );
    assert_eq!(t.subject, "Late delivery, angry customer");
    assert_eq!(
        t.description,
        "The parcel arrived a week late.\nSecond time."
    );
    assert_eq!(t.ticket_type.as_ref().unwrap().name, "Detractor follow-up");
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.status.name, "Open");
    assert_eq!(t.status.category, StatusCategory::Open);
    assert_eq!(t.group.as_ref().unwrap().name, "Support");
    assert_eq!(t.origin_group.as_ref().unwrap().id, d.support);
    assert_eq!(t.owner.as_ref().unwrap().email, MARC);
    let r = t.requester.as_ref().unwrap();
    assert_eq!(r.email.as_deref(), Some("paula.client@example.com"));
    assert_eq!(r.name.as_deref(), Some("Paula Client"));
    assert_eq!(r.phone.as_deref(), Some("+34 600 000 000"));
    assert_eq!(r.language.as_deref(), Some("es"));
    assert_eq!(r.external_ref.as_deref(), Some("CRM-77"));
    assert_eq!(t.tags, ["refund", "vip"]);
    assert_eq!(t.source.as_deref(), Some("survey"));
    assert_eq!(t.due_at.unwrap().to_rfc3339(), "2030-01-15T10:00:00+00:00");
    assert_eq!(t.summary.score, Some(2));
    assert_eq!(t.summary.comment.as_deref(), Some("Never again"));
    assert_eq!(
        serde_json::Value::Object(t.custom_fields.clone()),
        json!({"order_id": "ORD-1", "channel": "web", "refund_amount": 12.5})
    );
    assert!(!t.public);
    assert!(t.parent.is_none());
    assert_eq!(t.sub_ticket_count, 0);
    assert!(t.closed_at.is_none());
    assert_eq!(t.access, Access::Full);
    // Reading it back gives the same ticket and ETag.
    let res = app.get(&admin, &path(t.id)).await;
    assert_eq!(etag(&res), "\"1\"");
    let again: Ticket = ok(res).await;
    assert_eq!(again, t);
}

#[tokio::test]
async fn a_minimal_ticket_gets_the_defaults() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Just a subject"}))
        .await;
    assert_eq!(t.status.name, "New");
    assert_eq!(t.priority, Priority::Medium);
    assert!(t.public);
    assert!(t.owner.is_none() && t.group.is_none() && t.ticket_type.is_none());
    assert!(t.tags.is_empty());
    assert_eq!(t.description, "");
}

#[tokio::test]
async fn creating_a_ticket_without_subject_is_rejected() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem_code(
        app.post(&admin, "/api/v1/tickets", &json!({"subject": "   "}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("subject", "required")]);
    // Leaving the field out names it too.
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"description": "no subject"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["subject"], "{p:?}");
}

#[tokio::test]
async fn a_ticket_with_invalid_fields_is_rejected_naming_every_field() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({
                "subject": "x".repeat(201),
                "tags": ["ok", "a,b"],
                "requester": {"email": "not-an-email"},
                "summary_score": 5000,
                "comment": {"body": "  "},
                "status_id": 999999,
                "type_id": 999999,
                "group_id": 999999,
                "owner_id": 999999
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let got = field_codes(&p);
    for want in [
        ("subject", "too_long"),
        ("tags[1]", "invalid"),
        ("requester.email", "invalid"),
        ("summary_score", "out_of_range"),
        ("comment.body", "required"),
        ("status_id", "unknown_reference"),
        ("type_id", "unknown_reference"),
        ("group_id", "unknown_reference"),
        ("owner_id", "unknown_reference"),
    ] {
        assert!(got.contains(&want), "{want:?} missing from {got:?}");
    }
    // 200 characters is the limit, inclusive.
    let t = app
        .create_ticket(&admin, &json!({"subject": "x".repeat(200)}))
        .await;
    assert_eq!(t.subject.chars().count(), 200);
}

#[tokio::test]
async fn a_field_of_the_wrong_json_type_is_rejected_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "priority": "urgent"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["priority"]);
    // A number where an enum is expected is valid JSON of the wrong type.
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "priority": 3}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["priority"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "requester": {"email": 42}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["requester.email"]);
}

#[tokio::test]
async fn ticket_bodies_must_be_json_of_bounded_size() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .header("content-type", "application/json")
        .body("{\"subject\": \"x\",")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "malformed_json").await;
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .header("content-type", "text/plain")
        .body("{\"subject\": \"x\"}")
        .send()
        .await
        .unwrap();
    problem_code(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .body("{\"subject\": \"x\"}")
        .send()
        .await
        .unwrap();
    problem_code(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let big = json!({"subject": "big", "description": "x".repeat(300 * 1024)});
    problem_code(
        app.post(&admin, "/api/v1/tickets", &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    // A description over 20 000 characters fits the body limit but not the
    // field's.
    let long = json!({"subject": "long", "description": "x".repeat(20_001)});
    let p = problem(
        app.post(&admin, "/api/v1/tickets", &long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("description", "too_long")]);
    // Nothing was created by any of these.
    let counts: TicketCounts = ok(app.get(&admin, "/api/v1/tickets/counts?q=big").await).await;
    assert_eq!(counts.total, 0);
}

#[tokio::test]
async fn ticket_endpoints_need_credentials() {
    let app = TestApp::spawn().await;
    let checks = [
        (Method::GET, "/api/v1/tickets"),
        (Method::GET, "/api/v1/tickets/counts"),
        (Method::POST, "/api/v1/tickets"),
        (Method::POST, "/api/v1/tickets/bulk"),
        (Method::GET, "/api/v1/tickets/1"),
        (Method::PATCH, "/api/v1/tickets/1"),
        (Method::DELETE, "/api/v1/tickets/1"),
        (Method::GET, "/api/v1/tickets/1/comments"),
        (Method::POST, "/api/v1/tickets/1/comments"),
        (Method::GET, "/api/v1/tickets/1/history"),
        (Method::GET, "/api/v1/tickets/1/sub-tickets"),
        (Method::POST, "/api/v1/tickets/1/sub-tickets"),
    ];
    for (method, p) in checks {
        let res = app
            .request(method.clone(), "", p)
            .json(&json!({"subject": "x", "body": "x"}))
            .send()
            .await
            .unwrap();
        let pr = problem(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(pr.code, "unauthenticated", "{method} {p}");
    }
}

#[tokio::test]
async fn an_agent_cannot_see_tickets_of_other_groups() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let billing = app
        .create_ticket(
            &admin,
            &json!({"subject": "Billing only", "group_id": d.billing, "owner_id": d.sofia}),
        )
        .await;
    let ana = app.login(ANA).await;
    problem_code(
        app.get(&ana, &path(billing.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Changing it answers the same 404: existence does not leak.
    problem_code(
        app.patch(&ana, &path(billing.id), &json!({"priority": "low"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&ana, &path(999_999)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&ana, "/api/v1/tickets/not-a-number").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let sofia = app.login(SOFIA).await;
    assert_eq!(app.ticket(&sofia, billing.id).await.id, billing.id);
    // Lucía is a ticket admin: she sees every ticket.
    let lucia = app.login(LUCIA).await;
    assert_eq!(app.ticket(&lucia, billing.id).await.access, Access::Full);
}

#[tokio::test]
async fn an_agent_sees_tickets_they_own_outside_their_groups() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Direct to Marc", "owner_id": d.marc}),
        )
        .await;
    let marc = app.login(MARC).await;
    assert_eq!(app.ticket(&marc, t.id).await.access, Access::Full);
    let sofia = app.login(SOFIA).await;
    problem(app.get(&sofia, &path(t.id)).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn updating_with_the_current_etag_succeeds_and_a_stale_one_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let res = app
        .request(Method::PATCH, &ana, &path(t.id))
        .header("if-match", "\"1\"")
        .json(&json!({"priority": "critical", "subject": "Parcel lost twice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(etag(&res), "\"2\"");
    let updated: Ticket = ok(res).await;
    assert_eq!(updated.version, 2);
    assert_eq!(updated.priority, Priority::Critical);
    assert_eq!(updated.subject, "Parcel lost twice");
    // Marc read version 1 and tries to write over Ana's change.
    let marc = app.login(MARC).await;
    let res = app
        .request(Method::PATCH, &marc, &path(t.id))
        .header("if-match", "\"1\"")
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    let p = problem_code(res, StatusCode::PRECONDITION_FAILED, "stale").await;
    assert_eq!(p.type_, "urn:lazo:problem:stale");
    assert_eq!(app.ticket(&admin, t.id).await.priority, Priority::Critical);
    // Weak and wildcard forms are accepted.
    for tag in ["W/\"2\"", "*"] {
        let res = app
            .request(Method::PATCH, &marc, &path(t.id))
            .header("if-match", tag)
            .json(&json!({"priority": if tag == "*" { "high" } else { "low" }}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "If-Match {tag}");
    }
    assert_eq!(app.ticket(&admin, t.id).await.version, 4);
    let res = app
        .request(Method::PATCH, &marc, &path(t.id))
        .header("if-match", "yesterday")
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "invalid_if_match").await;
}

#[tokio::test]
async fn an_update_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let same: Ticket = ok(app
        .patch(
            &admin,
            &path(t.id),
            &json!({"priority": "medium", "subject": "Parcel lost"}),
        )
        .await)
    .await;
    assert_eq!(same.version, 1);
}

#[tokio::test]
async fn clearing_nullable_fields_with_null_works() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({
                "subject": "Clear me",
                "type_id": d.detractor,
                "group_id": d.support,
                "owner_id": d.marc,
                "source": "email",
                "due_at": "2031-01-01T00:00:00Z",
                "summary_score": 3,
                "requester": {"email": "c@example.com"},
                "custom_fields": {"order_id": "ORD-9", "channel": "store"}
            }),
        )
        .await;
    let t: Ticket = ok(app
        .patch(
            &admin,
            &path(t.id),
            &json!({
                "owner_id": null, "source": null, "due_at": null, "summary_score": null,
                "requester": null, "custom_fields": {"order_id": null}
            }),
        )
        .await)
    .await;
    // Unowned in Support goes to Support's single manager only when the
    // ticket moves into the group, not when its owner is cleared in place.
    assert!(t.owner.is_none(), "{:?}", t.owner);
    assert!(t.source.is_none() && t.due_at.is_none() && t.summary.score.is_none());
    assert!(t.requester.is_none());
    assert_eq!(
        serde_json::Value::Object(t.custom_fields),
        json!({"channel": "store"})
    );
    assert_eq!(t.version, 2);
}

#[tokio::test]
async fn deleting_a_ticket_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let child = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", t.id),
            &json!({"subject": "Child", "group_id": d.support}),
        )
        .await;
    let child: Ticket = created(child).await;
    for who in [LUCIA, ANA] {
        let token = app.login(who).await;
        problem_code(
            app.delete(&token, &path(t.id)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // Sofía cannot see it: 404, not 403.
    let sofia = app.login(SOFIA).await;
    problem_code(
        app.delete(&sofia, &path(t.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = app
        .request(Method::DELETE, &admin, &path(t.id))
        .header("if-match", "\"7\"")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::PRECONDITION_FAILED, "stale").await;
    let res = app
        .request(Method::DELETE, &admin, &path(t.id))
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem_code(
        app.get(&admin, &path(t.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(app.delete(&admin, &path(t.id)).await, StatusCode::NOT_FOUND).await;
    // The sub-ticket stays, without a parent.
    let child = app.ticket(&admin, child.id).await;
    assert!(child.parent.is_none());
}

// ---------------------------------------------------------------- rules

#[tokio::test]
async fn resolving_a_detractor_ticket_without_a_root_cause_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let p = problem_code(
        app.patch(&ana, &path(t.id), &json!({"status_id": d.resolved}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_required",
    )
    .await;
    assert_eq!(field_codes(&p), [("root_cause_id", "root_cause_required")]);
    assert_eq!(p.type_, "urn:lazo:problem:root-cause-required");
    assert_eq!(app.ticket(&admin, t.id).await.version, 1, "nothing changed");
    let t: Ticket = ok(app
        .patch(
            &ana,
            &path(t.id),
            &json!({"status_id": d.resolved, "root_cause_id": d.causes[0]}),
        )
        .await)
    .await;
    assert_eq!(t.status.category, StatusCategory::Closed);
    assert_eq!(t.root_cause.as_ref().unwrap().name, "Delivery delay");
    assert!(t.closed_at.is_some());
    // Clearing the cause while resolved breaks the same rule.
    problem_code(
        app.patch(&ana, &path(t.id), &json!({"root_cause_id": null}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_required",
    )
    .await;
    // Reopening clears closed_at.
    let t: Ticket = ok(app
        .patch(&ana, &path(t.id), &json!({"status_id": d.open}))
        .await)
    .await;
    assert!(t.closed_at.is_none());
}

#[tokio::test]
async fn a_root_cause_in_a_prohibited_status_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "type_id": d.detractor, "status_id": d.new, "root_cause_id": d.causes[1]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_prohibited",
    )
    .await;
    assert_eq!(fields(&p), ["root_cause_id"]);
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "x", "type_id": d.detractor, "status_id": d.open, "root_cause_id": d.causes[1]}),
        )
        .await;
    problem_code(
        app.patch(&admin, &path(t.id), &json!({"status_id": d.new}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_prohibited",
    )
    .await;
    let t: Ticket = ok(app
        .patch(
            &admin,
            &path(t.id),
            &json!({"status_id": d.new, "root_cause_id": null}),
        )
        .await)
    .await;
    assert_eq!(t.status.name, "New");
    assert!(t.root_cause.is_none());
}

#[tokio::test]
async fn a_root_cause_of_another_type_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "type_id": d.general, "status_id": d.open, "root_cause_id": d.causes[0]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_unknown",
    )
    .await;
    assert_eq!(fields(&p), ["root_cause_id"]);
}

#[tokio::test]
async fn custom_field_values_are_checked_against_the_type() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let create = |cf: serde_json::Value| json!({"subject": "cf", "type_id": d.detractor, "custom_fields": cf});
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &create(json!({"channel": "fax"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [("custom_fields.channel", "invalid_value")]
    );
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &create(json!({"refund_amount": "ten"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
    )
    .await;
    assert_eq!(fields(&p), ["custom_fields.refund_amount"]);
    let p = problem_code(
        app.post(&admin, "/api/v1/tickets", &create(json!({"order_id": 12})))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
    )
    .await;
    assert_eq!(fields(&p), ["custom_fields.order_id"]);
    let p = problem_code(
        app.post(&admin, "/api/v1/tickets", &create(json!({"ghost": 1})))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_field",
    )
    .await;
    assert_eq!(field_codes(&p), [("custom_fields.ghost", "unknown_field")]);
    // Several different failures: every field named, generic code.
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &create(json!({"channel": "fax", "ghost": 1})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["custom_fields.channel", "custom_fields.ghost"]);
    // A ticket without a type has no custom fields.
    problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "custom_fields": {"order_id": "A"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_field",
    )
    .await;
    // And on update.
    let t = app
        .create_ticket(
            &admin,
            &create(json!({"channel": "phone", "refund_amount": 3})),
        )
        .await;
    problem_code(
        app.patch(
            &admin,
            &path(t.id),
            &json!({"custom_fields": {"channel": "pigeon"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
    )
    .await;
    let t: Ticket = ok(app
        .patch(
            &admin,
            &path(t.id),
            &json!({"custom_fields": {"channel": "web"}}),
        )
        .await)
    .await;
    assert_eq!(
        serde_json::Value::Object(t.custom_fields),
        json!({"channel": "web", "refund_amount": 3})
    );
}

#[tokio::test]
async fn a_restricted_group_only_takes_its_members_as_owners() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "group_id": d.billing, "owner_id": d.ana}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_not_in_group",
    )
    .await;
    assert_eq!(fields(&p), ["owner_id"]);
    // Moving Ana's ticket to Billing keeps Ana as owner: refused.
    let t = detractor_ticket(&app, &admin, &d).await;
    problem_code(
        app.patch(&admin, &path(t.id), &json!({"group_id": d.billing}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_not_in_group",
    )
    .await;
    let t: Ticket = ok(app
        .patch(
            &admin,
            &path(t.id),
            &json!({"group_id": d.billing, "owner_id": d.sofia}),
        )
        .await)
    .await;
    assert_eq!(t.owner.as_ref().unwrap().id, d.sofia);
    assert_eq!(t.group.as_ref().unwrap().id, d.billing);
    assert_eq!(
        t.origin_group.as_ref().unwrap().id,
        d.support,
        "origin stays"
    );
    // Support does not restrict: anyone may own its tickets.
    let s = app
        .create_ticket(
            &admin,
            &json!({"subject": "x", "group_id": d.support, "owner_id": d.sofia}),
        )
        .await;
    assert_eq!(s.owner.unwrap().id, d.sofia);
}

#[tokio::test]
async fn agents_cannot_close_when_the_organisation_does_not_allow_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let lucia = app.login(LUCIA).await;
    let _: serde_json::Value = ok(app
        .patch(
            &lucia,
            "/api/v1/settings",
            &json!({"agents_may_close": false}),
        )
        .await)
    .await;
    let ana = app.login(ANA).await;
    let close = json!({"status_id": d.resolved, "root_cause_id": d.causes[0]});
    let p = problem_code(
        app.patch(&ana, &path(t.id), &close).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "closing_not_allowed",
    )
    .await;
    assert_eq!(fields(&p), ["status_id"]);
    // Agents still change everything else.
    let _: Ticket = ok(app
        .patch(&ana, &path(t.id), &json!({"status_id": d.escalated}))
        .await)
    .await;
    // A ticket admin closes.
    let t: Ticket = ok(app.patch(&lucia, &path(t.id), &close).await).await;
    assert_eq!(t.status.category, StatusCategory::Closed);
    // With the setting back on, agents close too.
    let t2 = detractor_ticket(&app, &admin, &d).await;
    let _: serde_json::Value = ok(app
        .patch(
            &lucia,
            "/api/v1/settings",
            &json!({"agents_may_close": true}),
        )
        .await)
    .await;
    let t2: Ticket = ok(app.patch(&ana, &path(t2.id), &close).await).await;
    assert_eq!(t2.status.name, "Resolved");
}

#[tokio::test]
async fn a_comment_is_required_on_every_update_when_the_setting_is_on() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let _: serde_json::Value = ok(app
        .patch(
            &admin,
            "/api/v1/settings",
            &json!({"comment_required_on_update": true}),
        )
        .await)
    .await;
    let ana = app.login(ANA).await;
    let p = problem_code(
        app.patch(&ana, &path(t.id), &json!({"priority": "high"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "comment_required",
    )
    .await;
    assert_eq!(fields(&p), ["comment"]);
    let t: Ticket = ok(app
        .patch(
            &ana,
            &path(t.id),
            &json!({"priority": "high", "comment": {"body": "Customer called again"}}),
        )
        .await)
    .await;
    assert_eq!(t.priority, Priority::High);
    // Creating needs no comment.
    let _ = app.create_ticket(&ana, &json!({"subject": "new"})).await;
}

#[tokio::test]
async fn moving_an_unowned_ticket_into_support_assigns_its_single_manager() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    // Billing has no manager: the ticket stays unowned there.
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Refund?", "group_id": d.billing}),
        )
        .await;
    assert!(t.owner.is_none());
    let t: Ticket = ok(app
        .patch(&admin, &path(t.id), &json!({"group_id": d.support}))
        .await)
    .await;
    assert_eq!(t.owner.as_ref().unwrap().email, LUCIA);
    let h: lazo_domain::wire::HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    let owner = h
        .items
        .iter()
        .find(|e| e.field == "owner")
        .expect("owner change recorded");
    assert_eq!(owner.old_value, None);
    assert_eq!(owner.new_value.as_deref(), Some("Lucía Torres"));
    // Created straight into Support without an owner: the same.
    let c = app
        .create_ticket(&admin, &json!({"subject": "x", "group_id": d.support}))
        .await;
    assert_eq!(c.owner.unwrap().id, d.lucia);
    // An explicit owner wins.
    let e = app
        .create_ticket(
            &admin,
            &json!({"subject": "x", "group_id": d.support, "owner_id": d.marc}),
        )
        .await;
    assert_eq!(e.owner.unwrap().id, d.marc);
}

#[tokio::test]
async fn assigning_an_owner_whose_id_equals_the_ticket_id_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    // Demo ticket ids start at 1, so a ticket whose id is Marc's user id exists.
    let t: Ticket = ok(app
        .patch(
            &admin,
            &path(d.marc),
            &json!({"group_id": d.support, "owner_id": d.marc}),
        )
        .await)
    .await;
    assert_eq!(t.id, d.marc);
    assert_eq!(t.owner.unwrap().id, d.marc);
}

#[tokio::test]
async fn assigning_a_deactivated_user_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", d.marc),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "owner_id": d.marc}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("owner_id", "inactive")]);
}

// ---------------------------------------------------------------- idempotency

#[tokio::test]
async fn retrying_a_creation_with_the_same_idempotency_key_returns_the_first_ticket() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let body = json!({"subject": "From the survey tool", "priority": "high"});
    let send = |token: String, body: serde_json::Value, key: &'static str| {
        let req = app
            .request(Method::POST, &token, "/api/v1/tickets")
            .header("idempotency-key", key)
            .json(&body);
        async move { req.send().await.unwrap() }
    };
    let first = send(admin.clone(), body.clone(), "resp-5001").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Ticket = first.json().await.unwrap();
    let again = send(admin.clone(), body.clone(), "resp-5001").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(etag(&again), "\"1\"");
    let again: Ticket = again.json().await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.number, first.number);
    let counts: TicketCounts = ok(app
        .get(&admin, "/api/v1/tickets/counts?q=survey%20tool")
        .await)
    .await;
    assert_eq!(counts.total, 1, "one ticket, not two");
    // Another request under the same key is refused.
    let p = problem_code(
        send(
            admin.clone(),
            json!({"subject": "Something else"}),
            "resp-5001",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(p.type_, "urn:lazo:problem:idempotency-key-reused");
    // Keys belong to their caller: Lucía's same key is a new ticket.
    let lucia = app.login(LUCIA).await;
    let other = send(lucia, body.clone(), "resp-5001").await;
    assert!(other.headers().get("idempotent-replayed").is_none());
    let other: Ticket = created(other).await;
    assert_ne!(other.id, first.id);
    // A bad key is a bad request.
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .header("idempotency-key", "k".repeat(256))
        .json(&body)
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
}

// ---------------------------------------------------------------- bulk

#[tokio::test]
async fn a_bulk_update_reports_a_result_per_ticket() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let a = detractor_ticket(&app, &admin, &d).await;
    let b = app
        .create_ticket(
            &admin,
            &json!({"subject": "b", "group_id": d.support, "owner_id": d.marc}),
        )
        .await;
    let hidden = app
        .create_ticket(&admin, &json!({"subject": "c", "group_id": d.billing}))
        .await;
    let ana = app.login(ANA).await;
    let res: BulkResult = ok(app
        .post(
            &ana,
            "/api/v1/tickets/bulk",
            &json!({"ids": [a.id, hidden.id, b.id, 999_999], "changes": {"priority": "critical"}}),
        )
        .await)
    .await;
    let r = &res.results;
    assert_eq!(
        r.iter().map(|x| x.id).collect::<Vec<_>>(),
        [a.id, hidden.id, b.id, 999_999]
    );
    assert!(r[0].ok && r[0].version == Some(2) && r[0].error.is_none());
    assert!(!r[1].ok && r[1].version.is_none());
    assert_eq!(r[1].error.as_ref().unwrap().code, "not_found");
    assert_eq!(r[1].error.as_ref().unwrap().status, 404);
    assert!(r[2].ok && r[2].version == Some(2));
    assert_eq!(r[3].error.as_ref().unwrap().code, "not_found");
    assert_eq!(app.ticket(&admin, a.id).await.priority, Priority::Critical);
    assert_eq!(
        app.ticket(&admin, hidden.id).await.priority,
        Priority::Medium
    );
    // A rule refusal affects only its own ticket.
    let res: BulkResult = ok(app
        .post(
            &admin,
            "/api/v1/tickets/bulk",
            &json!({"ids": [a.id, b.id], "changes": {"status_id": d.resolved}}),
        )
        .await)
    .await;
    let e = res.results[0].error.as_ref().unwrap();
    assert_eq!((e.status, e.code.as_str()), (422, "root_cause_required"));
    assert_eq!(fields(e), ["root_cause_id"]);
    assert!(res.results[1].ok);
    assert_eq!(app.ticket(&admin, b.id).await.status.name, "Resolved");
    assert_eq!(app.ticket(&admin, a.id).await.status.name, "Open");
}

#[tokio::test]
async fn a_bulk_update_needs_ids_and_write_access() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets/bulk",
            &json!({"ids": [], "changes": {}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("ids", "out_of_range")]);
    let ids: Vec<i64> = (1..=501).collect();
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets/bulk",
            &json!({"ids": ids, "changes": {}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["ids"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets/bulk",
            &json!({"ids": [1], "changes": {"priority": 3}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["changes.priority"]);
    let t: lazo_domain::wire::CreatedApiToken = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "ro", "scopes": ["tickets:read"]}),
        )
        .await,
    )
    .await;
    problem_code(
        app.post(
            &t.secret,
            "/api/v1/tickets/bulk",
            &json!({"ids": [1], "changes": {"priority": "low"}}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn numbers_are_unique_and_increasing() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let mut last = 0;
    for i in 0..3 {
        let t = app
            .create_ticket(&admin, &json!({"subject": format!("n{i}")}))
            .await;
        assert!(t.number > last);
        last = t.number;
    }
    let page: TicketPage = ok(app
        .get(&admin, "/api/v1/tickets?sort=number&limit=200")
        .await)
    .await;
    let mut numbers: Vec<i64> = page.items.iter().map(|t| t.number).collect();
    let n = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), n);
    assert_eq!(numbers[0], last);
}

// ---------------------------------------------------------------- concurrency

#[tokio::test]
async fn of_two_concurrent_updates_from_the_same_version_one_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = detractor_ticket(&app, &admin, &d).await;
    let ana = app.login(ANA).await;
    let marc = app.login(MARC).await;
    let send = |token: &str, priority: &str| {
        app.request(Method::PATCH, token, &path(t.id))
            .header("if-match", "\"1\"")
            .json(&json!({"priority": priority}))
            .send()
    };
    let (a, b) = tokio::join!(send(&ana, "high"), send(&marc, "low"));
    let mut statuses = [a.unwrap().status(), b.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    let now = app.ticket(&admin, t.id).await;
    assert_eq!(now.version, 2);
    let h: lazo_domain::wire::HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    assert_eq!(h.items.iter().filter(|e| e.field == "priority").count(), 1);
}

#[tokio::test]
async fn concurrent_creations_get_distinct_numbers() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let create = |i: i32| {
        app.request(Method::POST, &admin, "/api/v1/tickets")
            .json(&json!({"subject": format!("burst {i}")}))
            .send()
    };
    let (a, b, c, e) = tokio::join!(create(1), create(2), create(3), create(4));
    let mut numbers = Vec::new();
    for r in [a, b, c, e] {
        let t: Ticket = created(r.unwrap()).await;
        numbers.push(t.number);
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 4, "{numbers:?}");
}

/// A key older than a day no longer counts, even before the hourly job has
/// removed it: the same key then makes a new ticket, for any request.
#[tokio::test]
async fn an_expired_idempotency_key_not_yet_cleaned_up_makes_a_new_ticket() {
    use diesel::prelude::*;
    use lazo_api::db::schema::idempotency_keys;
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let send = |body: serde_json::Value| {
        let req = app
            .request(Method::POST, &admin, "/api/v1/tickets")
            .header("idempotency-key", "resp-expiring")
            .json(&body);
        async move { req.send().await.unwrap() }
    };
    let first: Ticket = created(send(json!({"subject": "Yesterday's"})).await).await;
    let old = lazo_api::db::now() - chrono::Duration::hours(25);
    app.db
        .write_blocking(move |c| {
            diesel::update(idempotency_keys::table)
                .set(idempotency_keys::created_at.eq(old))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    // Another body under the expired key: not refused as reused.
    let res = send(json!({"subject": "Today's"})).await;
    assert!(res.headers().get("idempotent-replayed").is_none());
    let second: Ticket = created(res).await;
    assert_ne!(second.id, first.id);
    assert_eq!(second.subject, "Today's");
    // The key now stands for the new ticket.
    let again = send(json!({"subject": "Today's"})).await;
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again: Ticket = again.json().await.unwrap();
    assert_eq!(again.id, second.id);
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_create_one_ticket() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let send = || {
        app.request(Method::POST, &admin, "/api/v1/tickets")
            .header("idempotency-key", "burst-key")
            .json(&json!({"subject": "Exactly once"}))
            .send()
    };
    // Four at once: on PostgreSQL they overlap in separate transactions.
    let (a, b, c, e) = tokio::join!(send(), send(), send(), send());
    let mut ids = Vec::new();
    for r in [a, b, c, e] {
        let t: Ticket = created(r.unwrap()).await;
        ids.push(t.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one ticket for one key: {ids:?}");
    let counts: TicketCounts = ok(app
        .get(&admin, "/api/v1/tickets/counts?q=exactly%20once")
        .await)
    .await;
    assert_eq!(counts.total, 1);
}

#[tokio::test]
async fn only_an_admin_token_deletes_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "to delete"}))
        .await;
    let writer: lazo_domain::wire::CreatedApiToken = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "w", "scopes": ["tickets:write"]}),
        )
        .await,
    )
    .await;
    problem_code(
        app.delete(&writer.secret, &path(t.id)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let adm: lazo_domain::wire::CreatedApiToken = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "a", "scopes": ["admin"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        app.delete(&adm.secret, &path(t.id)).await.status(),
        StatusCode::NO_CONTENT
    );
}

/// Patches without If-Match on one ticket at once all apply: each is a
/// change to the ticket as it is, so none is refused as stale (PostgreSQL
/// runs them concurrently; a write that lost the race reads again).
#[tokio::test]
async fn concurrent_patches_without_if_match_all_apply() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Hot ticket"}))
        .await;
    let priorities = ["low", "medium", "high", "critical"];
    let patches = (0..16).map(|k| {
        let (app, admin) = (&app, &admin);
        async move {
            app.patch(
                admin,
                &format!("/api/v1/tickets/{}", t.id),
                &json!({"priority": priorities[k % 4], "summary_score": k}),
            )
            .await
            .status()
        }
    });
    let statuses = futures_util::future::join_all(patches).await;
    assert!(
        statuses.iter().all(|s| s.is_success()),
        "every patch applies: {statuses:?}"
    );
    let after = app.ticket(&admin, t.id).await;
    assert_eq!(after.version, t.version + 16, "one version per patch");
}

/// How many `created` history rows and `ticket.created` events there are.
fn creations(app: &TestApp) -> (i64, i64) {
    app.db
        .write_blocking(|c| {
            use diesel::prelude::*;
            use lazo_api::db::schema::{events, history};
            Ok((
                history::table
                    .filter(history::field.eq("created"))
                    .count()
                    .get_result(c)?,
                events::table
                    .filter(events::kind.eq("ticket.created"))
                    .count()
                    .get_result(c)?,
            ))
        })
        .unwrap()
}

/// What one create of the burst below must be answered.
enum Expect {
    Fresh,
    Refused,
    /// One of several requests with one key: all get one ticket.
    OneOf,
    /// A retry of the create made before the burst.
    Replay,
    /// The earlier key with another body.
    Reused,
}

/// Creates that arrive together are made in batches, one transaction and
/// one statement per table for all (`lazo_api::creates`); each must still
/// get exactly its own answer. Forty at once mix good creates (with and
/// without keys, by two people), creates the checks refuse, one key sent
/// four times, and retries of an earlier key with the same and another
/// body.
#[tokio::test]
async fn a_burst_of_creates_gets_each_its_own_answer() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let lucia = app.login(LUCIA).await;
    let d = app.demo(&admin).await;
    let earlier: Ticket = created(
        app.request(Method::POST, &admin, "/api/v1/tickets")
            .header("idempotency-key", "before-the-burst")
            .json(&json!({"subject": "Before the burst"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let before = creations(&app);
    let mut sends = tokio::task::JoinSet::new();
    let mut plan = Vec::new();
    let mut add = |token: &str, key: Option<&str>, body: serde_json::Value, expect: Expect| {
        let mut req = app
            .request(Method::POST, token, "/api/v1/tickets")
            .json(&body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let i = plan.len();
        plan.push((body, expect));
        sends.spawn(async move { (i, req.send().await.unwrap()) });
    };
    for i in 0..24 {
        let body = json!({
            "subject": format!("Burst {i}"),
            "priority": "high",
            "tags": ["burst", format!("n{i}")],
            "group_id": if i % 2 == 0 { Some(d.support) } else { None },
        });
        let token = if i % 3 == 0 { &lucia } else { &admin };
        let key = format!("burst-{i}");
        add(token, (i % 2 == 0).then_some(&key), body, Expect::Fresh);
    }
    for i in 0..6 {
        let body = json!({"subject": format!("Refused {i}"), "group_id": 987654});
        add(&admin, None, body, Expect::Refused);
    }
    for _ in 0..4 {
        let body = json!({"subject": "Once for four"});
        add(&admin, Some("burst-once"), body, Expect::OneOf);
    }
    for _ in 0..3 {
        let body = json!({"subject": "Before the burst"});
        add(&admin, Some("before-the-burst"), body, Expect::Replay);
    }
    for _ in 0..3 {
        let body = json!({"subject": "Not what the key was for"});
        add(&admin, Some("before-the-burst"), body, Expect::Reused);
    }
    let mut numbers = vec![earlier.number];
    let mut once = Vec::new();
    while let Some(done) = sends.join_next().await {
        let (i, res) = done.unwrap();
        let (body, expect) = &plan[i];
        match expect {
            Expect::Fresh => {
                assert!(res.headers().get("idempotent-replayed").is_none());
                let t: Ticket = created(res).await;
                assert_eq!(t.subject, body["subject"]);
                assert_eq!(t.priority, Priority::High);
                assert_eq!(t.group.as_ref().map(|g| g.id), body["group_id"].as_i64());
                // The answer is the ticket as stored.
                let stored = app.ticket(&admin, t.id).await;
                assert_eq!(
                    serde_json::to_value(&t).unwrap(),
                    serde_json::to_value(&stored).unwrap()
                );
                let n = format!("n{}", &body["subject"].as_str().unwrap()[6..]);
                assert_eq!(t.tags, ["burst".to_owned(), n]);
                numbers.push(t.number);
            }
            Expect::Refused => {
                let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
                assert_eq!(field_codes(&p), [("group_id", "unknown_reference")]);
            }
            Expect::OneOf => {
                let t: Ticket = created(res).await;
                assert_eq!(t.subject, "Once for four");
                once.push(t.id);
            }
            Expect::Replay => {
                assert_eq!(res.headers().get("idempotent-replayed").unwrap(), "true");
                let t: Ticket = created(res).await;
                assert_eq!(t.id, earlier.id);
            }
            Expect::Reused => {
                problem_code(
                    res,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                )
                .await;
            }
        }
    }
    once.dedup();
    assert_eq!(once.len(), 1, "one ticket for one key: {once:?}");
    let once = app.ticket(&admin, once[0]).await;
    numbers.push(once.number);
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 26, "every ticket its own number");
    // Nothing of the refused ones, one of the four, and each made ticket
    // has its one history row and its one event.
    let counts: TicketCounts = ok(app.get(&admin, "/api/v1/tickets/counts?q=refused").await).await;
    assert_eq!(counts.total, 0);
    let counts: TicketCounts = ok(app
        .get(&admin, "/api/v1/tickets/counts?q=%22once%20for%20four%22")
        .await)
    .await;
    assert_eq!(counts.total, 1);
    let (history, events) = creations(&app);
    assert_eq!((history, events), (before.0 + 25, before.1 + 25));
}
