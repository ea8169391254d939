//! Configuration: users, groups, statuses, ticket types and organisation
//! settings, and how each change shows up in ticket behaviour.

use crate::common;

use common::*;
use futures_util::future::join_all;
use lazo_domain::wire::{Group, OrgSettings, Status, Ticket, TicketCounts, TicketType, User};
use lazo_domain::{FieldKind, Role, StatusCategory};
use reqwest::{Method, StatusCode};
use serde_json::json;

// ---------------------------------------------------------------- users

#[tokio::test]
async fn everyone_signed_in_can_read_the_directory() {
    let app = TestApp::spawn().await;
    let ana = app.login(ANA).await;
    let users: Vec<User> = ok(app.get(&ana, "/api/v1/users").await).await;
    let mut emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, [ADMIN, ANA, LUCIA, MARC, SOFIA]);
    let lucia = users.iter().find(|u| u.email == LUCIA).unwrap();
    assert_eq!(lucia.role, Role::TicketAdmin);
    assert_eq!(
        lucia
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["Support"]
    );
    let one: User = ok(app.get(&ana, &format!("/api/v1/users/{}", lucia.id)).await).await;
    assert_eq!(&one, lucia);
    problem_code(
        app.get(&ana, "/api/v1/users/999999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for p in [
        "/api/v1/users",
        "/api/v1/groups",
        "/api/v1/statuses",
        "/api/v1/ticket-types",
        "/api/v1/settings",
    ] {
        problem_code(
            app.get("", p).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
    }
}

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_log_in() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let res = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({"email": " Nora@Demo.LAZO", "name": "Nora Vidal", "language": "fr",
                    "role": "agent", "password": "long-enough-pw"}),
        )
        .await;
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let u: User = created(res).await;
    assert_eq!(location, format!("/api/v1/users/{}", u.id));
    assert_eq!(u.email, "nora@demo.lazo");
    assert_eq!(
        (u.name.as_str(), u.language.as_str(), u.role),
        ("Nora Vidal", "fr", Role::Agent)
    );
    assert!(u.active);
    assert!(u.groups.is_empty());
    let res = app
        .post(
            "",
            "/api/v1/auth/login",
            &json!({"email": "nora@demo.lazo", "password": "long-enough-pw"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/users",
            &json!({"email": "ANA@demo.lazo", "name": "Other Ana", "role": "agent", "password": "long-enough-pw"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
    assert_eq!(field_codes(&p), [("email", "taken")]);
    problem_code(
        app.patch(
            &admin,
            &format!("/api/v1/users/{}", d.marc),
            &json!({"email": ANA}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
}

#[tokio::test]
async fn a_user_with_invalid_fields_is_rejected_naming_each() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/users",
            &json!({"email": "nope", "name": " ", "language": "de", "role": "agent", "password": "short"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), ["email", "name", "language", "password"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/users",
            &json!({"email": "x@demo.lazo", "name": "X", "role": "superuser", "password": "long-enough-pw"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["role"]);
}

#[tokio::test]
async fn only_organisation_admins_manage_users() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let body =
        json!({"email": "x@demo.lazo", "name": "X", "role": "agent", "password": "long-enough-pw"});
    for who in [LUCIA, ANA] {
        let token = app.login(who).await;
        problem_code(
            app.post(&token, "/api/v1/users", &body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        problem_code(
            app.patch(
                &token,
                &format!("/api/v1/users/{}", d.marc),
                &json!({"name": "M"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    problem_code(
        app.post("", "/api/v1/users", &body).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn an_admin_changes_a_user_but_not_their_own_role() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let u: User = ok(app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", d.marc),
            &json!({"name": "Marc D.", "language": "en", "role": "ticket_admin"}),
        )
        .await)
    .await;
    assert_eq!(
        (u.name.as_str(), u.language.as_str(), u.role),
        ("Marc D.", "en", Role::TicketAdmin)
    );
    // Marc now sees Billing's tickets too.
    let marc = app.login(MARC).await;
    let billing = app
        .create_ticket(&admin, &json!({"subject": "b", "group_id": d.billing}))
        .await;
    assert_eq!(app.ticket(&marc, billing.id).await.id, billing.id);
    let p = problem(
        app.patch(
            &admin,
            &format!("/api/v1/users/{}", d.admin),
            &json!({"role": "agent"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("role", "self_lockout")]);
    problem_code(
        app.patch(&admin, "/api/v1/users/999999", &json!({"name": "Ghost"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn concurrent_creates_of_one_email_make_one_user() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    only_one_create_wins(
        &app,
        &admin,
        "/api/v1/users",
        json!({"email": "twin@demo.lazo", "name": "Twin", "role": "agent", "password": "long-enough-pw"}),
        "email_taken",
        "email",
    )
    .await;
}

// ---------------------------------------------------------------- groups

#[tokio::test]
async fn the_demo_groups_have_their_members_managers_and_restriction() {
    let app = TestApp::spawn().await;
    let ana = app.login(ANA).await;
    let groups: Vec<Group> = ok(app.get(&ana, "/api/v1/groups").await).await;
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Billing", "Support"]);
    let support = &groups[1];
    assert!(!support.restrict_assignees);
    let mut members: Vec<(&str, bool)> = support
        .members
        .iter()
        .map(|m| (m.user.email.as_str(), m.manager))
        .collect();
    members.sort();
    assert_eq!(members, [(ANA, false), (LUCIA, true), (MARC, false)]);
    let billing: Group = ok(app
        .get(&ana, &format!("/api/v1/groups/{}", groups[0].id))
        .await)
    .await;
    assert!(billing.restrict_assignees);
    assert_eq!(billing.members.len(), 1);
    assert_eq!(billing.members[0].user.email, SOFIA);
    problem(
        app.get(&ana, "/api/v1/groups/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_ticket_admin_creates_a_group_with_members_and_a_manager() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let lucia = app.login(LUCIA).await;
    let res = app
        .post(
            &lucia,
            "/api/v1/groups",
            &json!({"name": "Stores", "description": "Shop complaints", "restrict_assignees": true,
                    "members": [{"user_id": d.marc, "manager": true}, {"user_id": d.sofia}]}),
        )
        .await;
    let g: Group = created(res).await;
    assert_eq!(g.name, "Stores");
    assert_eq!(g.description, "Shop complaints");
    assert!(g.restrict_assignees);
    let mut members: Vec<(i64, bool)> = g.members.iter().map(|m| (m.user.id, m.manager)).collect();
    members.sort();
    assert_eq!(members, [(d.marc, true), (d.sofia, false)]);
    // The single manager takes unowned tickets; members may own them; others not.
    let t = app
        .create_ticket(&admin, &json!({"subject": "Shop", "group_id": g.id}))
        .await;
    assert_eq!(t.owner.unwrap().id, d.marc);
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Shop", "group_id": g.id, "owner_id": d.sofia}),
        )
        .await;
    assert_eq!(t.owner.unwrap().id, d.sofia);
    problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "Shop", "group_id": g.id, "owner_id": d.ana}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_not_in_group",
    )
    .await;
    // Sofía sees the group's tickets now.
    let sofia = app.login(SOFIA).await;
    let c: TicketCounts = ok(app
        .get(&sofia, &format!("/api/v1/tickets/counts?group={}", g.id))
        .await)
    .await;
    assert_eq!(c.total, 2);
}

#[tokio::test]
async fn group_names_are_unique_and_members_must_exist() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(&admin, "/api/v1/groups", &json!({"name": "Support"}))
            .await,
        StatusCode::CONFLICT,
        "name_taken",
    )
    .await;
    assert_eq!(fields(&p), ["name"]);
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/groups",
            &json!({"name": "New", "members": [{"user_id": 999999}, {"user_id": d.ana}, {"user_id": d.ana}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [
            ("members[0].user_id", "unknown_reference"),
            ("members[2].user_id", "duplicate")
        ]
    );
    let p = problem(
        app.post(&admin, "/api/v1/groups", &json!({"name": ""}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("name", "required")]);
    let groups: Vec<Group> = ok(app.get(&admin, "/api/v1/groups").await).await;
    assert_eq!(groups.len(), 2, "nothing was created");
}

#[tokio::test]
async fn agents_cannot_change_groups() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let ana = app.login(ANA).await;
    problem_code(
        app.post(&ana, "/api/v1/groups", &json!({"name": "Mine"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.patch(
            &ana,
            &format!("/api/v1/groups/{}", d.support),
            &json!({"restrict_assignees": true}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.delete(&ana, &format!("/api/v1/groups/{}", d.support))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn updating_a_group_replaces_members_and_changes_visibility() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Support job", "group_id": d.support, "owner_id": d.ana}),
        )
        .await;
    let sofia = app.login(SOFIA).await;
    problem(
        app.get(&sofia, &format!("/api/v1/tickets/{}", t.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let g: Group = ok(app
        .patch(
            &admin,
            &format!("/api/v1/groups/{}", d.support),
            &json!({"name": "Front line", "restrict_assignees": true,
                    "members": [{"user_id": d.sofia}, {"user_id": d.ana}]}),
        )
        .await)
    .await;
    assert_eq!(g.name, "Front line");
    assert!(g.restrict_assignees);
    assert_eq!(g.members.len(), 2);
    assert!(g.members.iter().all(|m| !m.manager));
    // Sofía is a member now; Marc is not, and may no longer own its tickets.
    assert_eq!(app.ticket(&sofia, t.id).await.id, t.id);
    let marc = app.login(MARC).await;
    problem(
        app.get(&marc, &format!("/api/v1/tickets/{}", t.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem_code(
        app.patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"owner_id": d.marc}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_not_in_group",
    )
    .await;
    // No manager any more: unowned tickets stay unowned.
    let n = app
        .create_ticket(&admin, &json!({"subject": "x", "group_id": d.support}))
        .await;
    assert!(n.owner.is_none());
    problem_code(
        app.patch(
            &admin,
            &format!("/api/v1/groups/{}", d.support),
            &json!({"name": "Billing"}),
        )
        .await,
        StatusCode::CONFLICT,
        "name_taken",
    )
    .await;
    problem(
        app.patch(&admin, "/api/v1/groups/999999", &json!({"name": "Z"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn only_a_group_without_tickets_can_be_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    problem_code(
        app.delete(&admin, &format!("/api/v1/groups/{}", d.billing))
            .await,
        StatusCode::CONFLICT,
        "group_in_use",
    )
    .await;
    let g: Group = created(
        app.post(
            &admin,
            "/api/v1/groups",
            &json!({"name": "Temp", "members": [{"user_id": d.ana}]}),
        )
        .await,
    )
    .await;
    let res = app
        .delete(&admin, &format!("/api/v1/groups/{}", g.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&admin, &format!("/api/v1/groups/{}", g.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let me: lazo_domain::wire::Me = ok(app.get(&app.login(ANA).await, "/api/v1/me").await).await;
    assert_eq!(me.groups.len(), 1, "membership went with the group");
    problem(
        app.delete(&admin, &format!("/api/v1/groups/{}", g.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn concurrent_creates_of_one_group_name_make_one_group() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    only_one_create_wins(
        &app,
        &admin,
        "/api/v1/groups",
        json!({"name": "Night shift"}),
        "name_taken",
        "name",
    )
    .await;
}

// ---------------------------------------------------------------- statuses

#[tokio::test]
async fn the_default_statuses_are_ordered_with_their_categories() {
    let app = TestApp::spawn().await;
    let ana = app.login(ANA).await;
    let s: Vec<Status> = ok(app.get(&ana, "/api/v1/statuses").await).await;
    let got: Vec<(&str, StatusCategory, bool)> = s
        .iter()
        .map(|s| (s.name.as_str(), s.category, s.active))
        .collect();
    assert_eq!(
        got,
        [
            ("New", StatusCategory::New, true),
            ("Open", StatusCategory::Open, true),
            ("Escalated", StatusCategory::Open, true),
            ("Resolved", StatusCategory::Closed, true),
        ]
    );
    assert!(s.windows(2).all(|w| w[0].position < w[1].position));
}

#[tokio::test]
async fn a_ticket_admin_adds_and_reorders_statuses() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let lucia = app.login(LUCIA).await;
    let waiting: Status = created(
        app.post(
            &lucia,
            "/api/v1/statuses",
            &json!({"name": "Waiting on customer", "category": "pending"}),
        )
        .await,
    )
    .await;
    assert_eq!(waiting.category, StatusCategory::Pending);
    assert!(waiting.active);
    let list: Vec<Status> = ok(app.get(&lucia, "/api/v1/statuses").await).await;
    assert_eq!(
        list.last().unwrap().id,
        waiting.id,
        "added after the last one"
    );
    // Move it between Open and Escalated.
    let open_pos = list.iter().find(|s| s.id == d.open).unwrap().position;
    let esc_pos = list.iter().find(|s| s.id == d.escalated).unwrap().position;
    let _ = esc_pos;
    let _: Status = ok(app
        .patch(
            &lucia,
            &format!("/api/v1/statuses/{}", d.escalated),
            &json!({"position": open_pos + 20}),
        )
        .await)
    .await;
    let _: Status = ok(app
        .patch(
            &lucia,
            &format!("/api/v1/statuses/{}", waiting.id),
            &json!({"position": open_pos + 10}),
        )
        .await)
    .await;
    let list: Vec<Status> = ok(app.get(&lucia, "/api/v1/statuses").await).await;
    let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
    let wi = names
        .iter()
        .position(|n| *n == "Waiting on customer")
        .unwrap();
    let oi = names.iter().position(|n| *n == "Open").unwrap();
    let ei = names.iter().position(|n| *n == "Escalated").unwrap();
    assert!(oi < wi && wi < ei, "{names:?}");
    // Counts follow the configured order and include the new status.
    let c: TicketCounts = ok(app.get(&lucia, "/api/v1/tickets/counts").await).await;
    let cnames: Vec<&str> = c.by_status.iter().map(|s| s.status.name.as_str()).collect();
    assert_eq!(cnames, names);
    // Tickets can use it.
    let t = app
        .create_ticket(&admin, &json!({"subject": "x", "status_id": waiting.id}))
        .await;
    assert_eq!(t.status.category, StatusCategory::Pending);
}

#[tokio::test]
async fn status_input_is_validated() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    problem_code(
        app.post(
            &admin,
            "/api/v1/statuses",
            &json!({"name": "Open", "category": "open"}),
        )
        .await,
        StatusCode::CONFLICT,
        "name_taken",
    )
    .await;
    let p = problem(
        app.post(
            &admin,
            "/api/v1/statuses",
            &json!({"name": " ", "category": "open"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("name", "required")]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/statuses",
            &json!({"name": "Limbo", "category": "limbo"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["category"]);
    problem(
        app.patch(&admin, "/api/v1/statuses/999999", &json!({"name": "Z"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let ana = app.login(ANA).await;
    problem_code(
        app.post(
            &ana,
            "/api/v1/statuses",
            &json!({"name": "Mine", "category": "open"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.patch(&ana, "/api/v1/statuses/1", &json!({"name": "Mine"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn recategorising_a_status_moves_its_tickets_to_the_new_category() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let before: TicketCounts = ok(app
        .get(
            &admin,
            &format!("/api/v1/tickets/counts?status={}", d.escalated),
        )
        .await)
    .await;
    assert!(before.total > 0, "the demo has escalated tickets");
    let s: Status = ok(app
        .patch(
            &admin,
            &format!("/api/v1/statuses/{}", d.escalated),
            &json!({"category": "pending"}),
        )
        .await)
    .await;
    assert_eq!(s.category, StatusCategory::Pending);
    let pending: TicketCounts = ok(app
        .get(&admin, "/api/v1/tickets/counts?category=pending")
        .await)
    .await;
    assert_eq!(pending.total, before.total);
    let page: lazo_domain::wire::TicketPage = ok(app
        .get(&admin, &format!("/api/v1/tickets?status={}", d.escalated))
        .await)
    .await;
    assert!(page
        .items
        .iter()
        .all(|t| t.status.category == StatusCategory::Pending));
}

#[tokio::test]
async fn the_last_active_new_status_cannot_go_and_inactive_statuses_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    for change in [json!({"active": false}), json!({"category": "open"})] {
        let p = problem(
            app.patch(&admin, &format!("/api/v1/statuses/{}", d.new), &change)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(field_codes(&p), [("category", "last_new_status")]);
    }
    let s: Vec<Status> = ok(app.get(&admin, "/api/v1/statuses").await).await;
    let new = s.iter().find(|s| s.id == d.new).unwrap();
    assert!(
        new.active && new.category == StatusCategory::New,
        "refusal rolled back"
    );
    // Deactivating Escalated: not offered to new tickets; still counted while
    // tickets sit in it.
    let _: Status = ok(app
        .patch(
            &admin,
            &format!("/api/v1/statuses/{}", d.escalated),
            &json!({"active": false}),
        )
        .await)
    .await;
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "status_id": d.escalated}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("status_id", "inactive")]);
    let c: TicketCounts = ok(app.get(&admin, "/api/v1/tickets/counts").await).await;
    let retired = c.by_status.iter().find(|s| s.status.id == d.escalated);
    assert!(
        retired.is_some_and(|s| s.count > 0),
        "a retired status is listed while it holds tickets"
    );
    assert_eq!(c.total, c.by_status.iter().map(|s| s.count).sum::<i64>());
    // Tickets still in the inactive status are listed, so the total counts
    // them too: the total is the list's length.
    let all = app.all_pages(&admin, "limit=200").await;
    assert!(all.iter().any(|t| t.status.id == d.escalated));
    assert_eq!(c.total, all.len() as i64, "counts total vs list length");
}

#[tokio::test]
async fn concurrent_creates_of_one_status_name_make_one_status() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    only_one_create_wins(
        &app,
        &admin,
        "/api/v1/statuses",
        json!({"name": "Waiting on vendor", "category": "pending"}),
        "name_taken",
        "name",
    )
    .await;
}

// ---------------------------------------------------------------- ticket types

#[tokio::test]
async fn the_detractor_type_has_root_causes_rules_and_fields() {
    let app = TestApp::spawn().await;
    let ana = app.login(ANA).await;
    let d = app.demo(&ana).await;
    let t: TicketType = ok(app
        .get(&ana, &format!("/api/v1/ticket-types/{}", d.detractor))
        .await)
    .await;
    let causes: Vec<&str> = t.root_causes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        causes,
        [
            "Delivery delay",
            "Product quality",
            "Billing error",
            "Staff attitude",
            "Other"
        ]
    );
    assert_eq!(t.root_cause_required_for, [d.resolved]);
    assert_eq!(t.root_cause_prohibited_for, [d.new]);
    let f: Vec<(&str, FieldKind)> = t.fields.iter().map(|f| (f.key.as_str(), f.kind)).collect();
    assert_eq!(
        f,
        [
            ("order_id", FieldKind::Text),
            ("channel", FieldKind::Choice),
            ("refund_amount", FieldKind::Number)
        ]
    );
    assert_eq!(t.fields[1].options, ["web", "store", "phone"]);
    let general: TicketType = ok(app
        .get(&ana, &format!("/api/v1/ticket-types/{}", d.general))
        .await)
    .await;
    assert!(general.root_causes.is_empty() && general.fields.is_empty());
    problem(
        app.get(&ana, "/api/v1/ticket-types/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_new_ticket_type_brings_its_own_rules() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let lucia = app.login(LUCIA).await;
    let res = app
        .post(
            &lucia,
            "/api/v1/ticket-types",
            &json!({
                "name": "Complaint",
                "description": "Formal complaints",
                "root_causes": [{"name": "Price"}, {"name": "Service"}],
                "root_cause_required_for": [d.escalated, d.resolved],
                "root_cause_prohibited_for": [],
                "fields": [
                    {"key": "visit_date", "label": "Visit", "kind": "date"},
                    {"key": "contact_email", "label": "Email", "kind": "email", "required": true}
                ]
            }),
        )
        .await;
    let ty: TicketType = created(res).await;
    assert_eq!(ty.name, "Complaint");
    assert_eq!(ty.root_causes.len(), 2);
    assert!(ty.root_causes.iter().all(|r| r.active));
    let mut req = ty.root_cause_required_for.clone();
    req.sort();
    let mut want = vec![d.escalated, d.resolved];
    want.sort();
    assert_eq!(req, want);
    let listed: Vec<TicketType> = ok(app.get(&admin, "/api/v1/ticket-types").await).await;
    assert_eq!(listed.len(), 3);
    // Required field, date and email checks.
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "type_id": ty.id}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required",
    )
    .await;
    assert_eq!(fields(&p), ["custom_fields.contact_email"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "type_id": ty.id,
                    "custom_fields": {"contact_email": "nope", "visit_date": "31/12/2025"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut f = field_codes(&p);
    f.sort();
    assert_eq!(
        f,
        [
            ("custom_fields.contact_email", "invalid_value"),
            ("custom_fields.visit_date", "invalid_value")
        ]
    );
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "x", "type_id": ty.id, "status_id": d.open,
                    "custom_fields": {"contact_email": "a@b.example", "visit_date": "2025-12-31"}}),
        )
        .await;
    problem_code(
        app.patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.escalated}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "root_cause_required",
    )
    .await;
    let t: Ticket = ok(app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.escalated, "root_cause_id": ty.root_causes[1].id}),
        )
        .await)
    .await;
    assert_eq!(t.root_cause.unwrap().name, "Service");
}

#[tokio::test]
async fn invalid_ticket_type_definitions_are_rejected_naming_each_field() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/ticket-types",
            &json!({
                "name": "Broken",
                "root_causes": [{"name": "Same"}, {"name": "Same"}],
                "root_cause_required_for": [d.open, 999999],
                "root_cause_prohibited_for": [d.open],
                "fields": [
                    {"key": "Bad Key", "label": "A", "kind": "text"},
                    {"key": "pick", "label": "B", "kind": "choice"},
                    {"key": "pick", "label": "", "kind": "number"}
                ]
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let got = field_codes(&p);
    for want in [
        ("root_causes[1].name", "duplicate"),
        ("root_cause_required_for", "unknown_reference"),
        ("root_cause_prohibited_for", "conflict"),
        ("fields[0].key", "invalid"),
        ("fields[1].options", "required"),
        ("fields[2].key", "duplicate"),
        ("fields[2].label", "required"),
    ] {
        assert!(got.contains(&want), "{want:?} missing from {got:?}");
    }
    let p = problem(
        app.post(
            &admin,
            "/api/v1/ticket-types",
            &json!({"name": "X", "fields": [{"key": "a", "label": "A", "kind": "colour"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["fields[0].kind"]);
    problem_code(
        app.post(
            &admin,
            "/api/v1/ticket-types",
            &json!({"name": "General inquiry"}),
        )
        .await,
        StatusCode::CONFLICT,
        "name_taken",
    )
    .await;
    let types: Vec<TicketType> = ok(app.get(&admin, "/api/v1/ticket-types").await).await;
    assert_eq!(types.len(), 2, "nothing was created");
    let ana = app.login(ANA).await;
    problem_code(
        app.post(&ana, "/api/v1/ticket-types", &json!({"name": "Mine"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.patch(
            &ana,
            &format!("/api/v1/ticket-types/{}", d.general),
            &json!({"name": "Mine"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn updating_a_type_deactivates_left_out_root_causes_and_changes_rules() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "x", "type_id": d.detractor, "status_id": d.open, "root_cause_id": d.causes[4]}),
        )
        .await;
    let ty: TicketType = ok(app
        .patch(
            &admin,
            &format!("/api/v1/ticket-types/{}", d.detractor),
            &json!({
                "root_causes": [
                    {"id": d.causes[0], "name": "Late delivery"},
                    {"id": d.causes[1], "name": "Product quality"},
                    {"name": "Fraud"}
                ],
                "root_cause_required_for": [d.resolved, d.escalated]
            }),
        )
        .await)
    .await;
    let active: Vec<&str> = ty
        .root_causes
        .iter()
        .filter(|r| r.active)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(active, ["Late delivery", "Product quality", "Fraud"]);
    let inactive: Vec<&str> = ty
        .root_causes
        .iter()
        .filter(|r| !r.active)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        inactive.len(),
        3,
        "left-out causes stay, inactive: {inactive:?}"
    );
    assert!(ty.root_cause_required_for.contains(&d.escalated));
    assert_eq!(
        ty.root_cause_prohibited_for,
        [d.new],
        "untouched list stays"
    );
    // A ticket keeps its now-inactive cause, but nobody can pick one anew.
    let kept = app.ticket(&admin, t.id).await;
    assert_eq!(kept.root_cause.unwrap().id, d.causes[4]);
    let other = app
        .create_ticket(
            &admin,
            &json!({"subject": "y", "type_id": d.detractor, "status_id": d.open}),
        )
        .await;
    let p = problem(
        app.patch(
            &admin,
            &format!("/api/v1/tickets/{}", other.id),
            &json!({"root_cause_id": d.causes[3]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("root_cause_id", "inactive")]);
    // The renamed cause shows its new name on tickets.
    let r: Ticket = ok(app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", other.id),
            &json!({"status_id": d.escalated, "root_cause_id": d.causes[0]}),
        )
        .await)
    .await;
    assert_eq!(r.root_cause.unwrap().name, "Late delivery");
    problem(
        app.patch(
            &admin,
            &format!("/api/v1/ticket-types/{}", d.detractor),
            &json!({"root_cause_prohibited_for": [d.resolved]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.patch(&admin, "/api/v1/ticket-types/999999", &json!({"name": "Z"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_inactive_type_is_refused_for_new_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let ty: TicketType = ok(app
        .patch(
            &admin,
            &format!("/api/v1/ticket-types/{}", d.general),
            &json!({"active": false}),
        )
        .await)
    .await;
    assert!(!ty.active);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "type_id": d.general}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("type_id", "inactive")]);
}

#[tokio::test]
async fn concurrent_creates_of_one_type_name_make_one_type() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    only_one_create_wins(
        &app,
        &admin,
        "/api/v1/ticket-types",
        json!({"name": "Outage", "root_causes": [{"name": "Power"}]}),
        "name_taken",
        "name",
    )
    .await;
}

// ---------------------------------------------------------------- settings

#[tokio::test]
async fn settings_are_read_by_everyone_and_changed_by_ticket_admins() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let ana = app.login(ANA).await;
    let s: OrgSettings = ok(app.get(&ana, "/api/v1/settings").await).await;
    assert!(s.agents_may_close);
    assert!(!s.comment_required_on_update);
    assert_eq!(s.inbound_email_status_id, None);
    problem_code(
        app.patch(
            &ana,
            "/api/v1/settings",
            &json!({"agents_may_close": false}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let lucia = app.login(LUCIA).await;
    let s: OrgSettings = ok(app
        .patch(
            &lucia,
            "/api/v1/settings",
            &json!({"name": "Acme Retail", "agents_may_close": false,
                    "comment_required_on_update": true, "inbound_email_status_id": d.open}),
        )
        .await)
    .await;
    assert_eq!(
        s,
        OrgSettings {
            name: "Acme Retail".into(),
            agents_may_close: false,
            comment_required_on_update: true,
            inbound_email_status_id: Some(d.open),
            sources: vec![],
        }
    );
    let me: lazo_domain::wire::Me = ok(app.get(&ana, "/api/v1/me").await).await;
    assert_eq!(me.settings, s);
    // Absent fields stay; null clears.
    let s: OrgSettings = ok(app
        .patch(
            &lucia,
            "/api/v1/settings",
            &json!({"inbound_email_status_id": null}),
        )
        .await)
    .await;
    assert_eq!(s.inbound_email_status_id, None);
    assert_eq!(s.name, "Acme Retail");
    assert!(!s.agents_may_close);
    let p = problem(
        app.patch(
            &lucia,
            "/api/v1/settings",
            &json!({"inbound_email_status_id": 999999}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [("inbound_email_status_id", "unknown_reference")]
    );
    let p = problem(
        app.patch(&lucia, "/api/v1/settings", &json!({"name": ""}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["name"]);
    let res = app
        .request(Method::PATCH, "", "/api/v1/settings")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

/// Sends `RACERS` identical creates at once: the database's unique key, not a
/// count before the insert, must decide, so exactly one wins and every other
/// gets the usual "taken" problem.
async fn only_one_create_wins(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
    code: &str,
    field: &str,
) {
    const RACERS: usize = 8;
    let responses = join_all((0..RACERS).map(|_| app.post(token, path, &body))).await;
    let mut created = 0;
    for res in responses {
        if res.status() == StatusCode::CREATED {
            created += 1;
        } else {
            let p = problem_code(res, StatusCode::CONFLICT, code).await;
            assert_eq!(field_codes(&p), [(field, "taken")]);
        }
    }
    assert_eq!(created, 1, "{path}: one create wins");
}
