//! Logging in and out, sessions, `/me`, and integrator API tokens.

use crate::common;

use common::*;
use lazo_api::state::Config;
use lazo_domain::wire::{ApiToken, CreatedApiToken, LoginResponse, Me, TicketPage, User};
use lazo_domain::{Role, Scope};
use reqwest::StatusCode;
use serde_json::json;

async fn login_raw(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post(
        "",
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
    )
    .await
}

#[tokio::test]
async fn logging_in_with_the_right_password_returns_a_jwt_and_the_user() {
    let app = TestApp::spawn().await;
    let res = login_raw(&app, "  Ana@Demo.LAZO ", DEMO_PASSWORD).await;
    let body: LoginResponse = ok(res).await;
    assert_eq!(body.token_type, "Bearer");
    assert_eq!(body.token.split('.').count(), 3, "a JWT has three parts");
    assert_eq!(body.user.email, ANA);
    assert_eq!(body.user.role, Role::Agent);
    let now = chrono::Utc::now();
    assert!(body.expires_at > now + chrono::Duration::minutes(25));
    assert!(body.expires_at <= now + chrono::Duration::minutes(31));
    let me: Me = ok(app.get(&body.token, "/api/v1/me").await).await;
    assert_eq!(me, body.user);
}

#[tokio::test]
async fn logging_in_with_a_wrong_password_is_refused_as_invalid_credentials() {
    let app = TestApp::spawn().await;
    let res = login_raw(&app, ANA, "not-the-password").await;
    assert_eq!(
        res.headers().get("www-authenticate").unwrap(),
        "Bearer",
        "401 carries the auth scheme"
    );
    let p = problem_code(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(p.type_, "urn:lazo:problem:invalid-credentials");
}

#[tokio::test]
async fn logging_in_with_an_unknown_email_looks_like_a_wrong_password() {
    let app = TestApp::spawn().await;
    let unknown = problem_code(
        login_raw(&app, "nobody@demo.lazo", DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let wrong = problem(
        login_raw(&app, ANA, "wrong-password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(unknown.detail, wrong.detail, "no user enumeration");
}

#[tokio::test]
async fn a_login_body_that_is_not_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_login_without_a_password_is_rejected_naming_the_field() {
    let app = TestApp::spawn().await;
    let res = app
        .post("", "/api/v1/auth/login", &json!({"email": ANA}))
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&p), ["password"], "{p:?}");
}

#[tokio::test]
async fn too_many_login_attempts_are_refused_with_retry_after() {
    let app = TestApp::spawn_with(Config {
        login_per_minute: 2,
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        problem(
            login_raw(&app, MARC, "wrong-password").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    // The third attempt is refused before the password is even checked.
    let res = login_raw(&app, MARC, DEMO_PASSWORD).await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    problem_code(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The limit is per email: another person still logs in.
    app.login(ANA).await;
}

#[tokio::test]
async fn logging_out_revokes_the_session_at_once() {
    let app = TestApp::spawn().await;
    let token = app.login(ANA).await;
    let other = app.login(ANA).await;
    let res = app
        .request(reqwest::Method::POST, &token, "/api/v1/auth/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem_code(
        app.get(&token, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    // Another session of the same person is not affected.
    let _: Me = ok(app.get(&other, "/api/v1/me").await).await;
}

#[tokio::test]
async fn logging_out_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let res = app
        .request(reqwest::Method::POST, "", "/api/v1/auth/logout")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn refreshing_gives_a_new_token_of_the_same_session() {
    let app = TestApp::spawn().await;
    let token = app.login(MARC).await;
    let res = app
        .request(reqwest::Method::POST, &token, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    let fresh: LoginResponse = ok(res).await;
    assert_eq!(fresh.user.email, MARC);
    let me: Me = ok(app.get(&fresh.token, "/api/v1/me").await).await;
    assert_eq!(me.email, MARC);
    // Logging out ends the session, so the refreshed token dies with it.
    let res = app
        .request(reqwest::Method::POST, &token, "/api/v1/auth/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&fresh.token, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let res = app
        .request(reqwest::Method::POST, &fresh.token, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn an_expired_jwt_renews_while_its_session_lives_but_not_after_logout() {
    let app = TestApp::spawn_with(Config {
        jwt_ttl: chrono::Duration::seconds(1),
        ..Config::default()
    })
    .await;
    let token = app.login(ANA).await;
    let other = app.login(MARC).await;
    // Past the JWT's lifetime and the 5 s clock leeway.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    problem_code(
        app.get(&token, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let res = app
        .request(reqwest::Method::POST, &token, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    let fresh: LoginResponse = ok(res).await;
    let me: Me = ok(app.get(&fresh.token, "/api/v1/me").await).await;
    assert_eq!(me.email, ANA);
    // A logged-out session does not renew, expired JWT or not.
    let res = app
        .request(reqwest::Method::POST, &fresh.token, "/api/v1/auth/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .request(reqwest::Method::POST, &token, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // A forged signature never renews.
    let (head, _) = other.rsplit_once('.').unwrap();
    let forged = format!("{head}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let res = app
        .request(reqwest::Method::POST, &forged, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = app
        .request(
            reqwest::Method::POST,
            "lazo_not-a-token",
            "/api/v1/auth/refresh",
        )
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn me_shows_the_callers_groups_role_and_the_organisation_settings() {
    let app = TestApp::spawn().await;
    let token = app.login(LUCIA).await;
    let me: Me = ok(app.get(&token, "/api/v1/me").await).await;
    assert_eq!(me.email, LUCIA);
    assert_eq!(me.role, Role::TicketAdmin);
    assert_eq!(me.language, "es");
    let groups: Vec<&str> = me.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, ["Support"]);
    assert!(me.settings.agents_may_close);
    assert!(!me.settings.comment_required_on_update);
}

#[tokio::test]
async fn a_person_sets_the_language_of_their_own_account() {
    let app = TestApp::spawn().await;
    let lucia = app.login(LUCIA).await;
    let me: Me = ok(app
        .patch(&lucia, "/api/v1/me", &json!({"language": "fr"}))
        .await)
    .await;
    assert_eq!((me.email.as_str(), me.language.as_str()), (LUCIA, "fr"));
    let me: Me = ok(app.get(&lucia, "/api/v1/me").await).await;
    assert_eq!(me.language, "fr");
    // An empty change changes nothing.
    let me: Me = ok(app.patch(&lucia, "/api/v1/me", &json!({})).await).await;
    assert_eq!(me.language, "fr");
    // Only the language, and only one Lazo speaks; the rest is an admin's.
    let p = problem(
        app.patch(&lucia, "/api/v1/me", &json!({"language": "de"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.errors[0].field, "language", "{p:?}");
    for body in [
        json!({"role": "admin"}),
        json!({"language": "es", "name": "X"}),
    ] {
        let p = problem_code(
            app.patch(&lucia, "/api/v1/me", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
        )
        .await;
        assert!(!p.errors.is_empty(), "{p:?}");
    }
    problem(
        app.patch(&lucia, "/api/v1/me", &json!(["fr"])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let me: Me = ok(app.get(&lucia, "/api/v1/me").await).await;
    assert_eq!((me.language.as_str(), me.role), ("fr", Role::TicketAdmin));
    // Another person's account is untouched; a token has no account.
    let ana = app.login(ANA).await;
    let other: Me = ok(app.get(&ana, "/api/v1/me").await).await;
    assert_eq!(other.language, "es");
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "CRM", &["tickets:write"]).await;
    problem_code(
        app.patch(&t.secret, "/api/v1/me", &json!({"language": "en"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn me_without_valid_credentials_is_unauthenticated() {
    let app = TestApp::spawn().await;
    problem_code(
        app.get("", "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    problem_code(
        app.get("not.a.jwt", "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    problem_code(
        app.get("lazo_not-a-real-token", "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let token = app.login(ANA).await;
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    // Two servers with different secrets: one's JWT means nothing to the other.
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    let token = a.login(ANA).await;
    problem(b.get(&token, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
}

// ---------------------------------------------------------------- API tokens

async fn create_token(app: &TestApp, admin: &str, name: &str, scopes: &[&str]) -> CreatedApiToken {
    created(
        app.post(
            admin,
            "/api/v1/tokens",
            &json!({"name": name, "scopes": scopes}),
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn creating_an_api_token_shows_its_secret_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(
        &app,
        &admin,
        "Survey tool",
        &["tickets:write", "tickets:read"],
    )
    .await;
    assert!(t.secret.starts_with("lazo_"), "{}", t.secret);
    assert!(t.secret.len() > 40, "a long random secret");
    assert!(t.secret.starts_with(&t.token.prefix));
    assert_eq!(t.token.name, "Survey tool");
    assert_eq!(t.token.scopes, [Scope::TicketsRead, Scope::TicketsWrite]);
    assert_eq!(t.token.created_by.as_ref().unwrap().email, ADMIN);
    assert!(t.token.revoked_at.is_none());

    let res = app.get(&admin, "/api/v1/tokens").await;
    let text = res.text().await.unwrap();
    assert!(!text.contains(&t.secret), "the list never shows the secret");
    let list: Vec<ApiToken> = serde_json::from_str(&text).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, t.token.id);
    assert_eq!(list[0].prefix, t.token.prefix);
}

#[tokio::test]
async fn an_api_token_works_as_a_bearer_token() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "CRM", &["tickets:write"]).await;
    let page: TicketPage = ok(app.get(&t.secret, "/api/v1/tickets?limit=200").await).await;
    // Tokens act for the organisation: they see every ticket.
    let admin_page: TicketPage = ok(app.get(&admin, "/api/v1/tickets?limit=200").await).await;
    assert_eq!(page.items.len(), admin_page.items.len());
    assert!(page.items.len() > DEMO_TICKETS);
    let ticket = app
        .create_ticket(&t.secret, &json!({"subject": "From the CRM"}))
        .await;
    assert_eq!(ticket.subject, "From the CRM");
    let list: Vec<ApiToken> = ok(app.get(&admin, "/api/v1/tokens").await).await;
    assert!(list[0].last_used_at.is_some(), "use is recorded");
}

#[tokio::test]
async fn a_read_only_token_cannot_change_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "BI export", &["tickets:read"]).await;
    let page: TicketPage = ok(app.get(&t.secret, "/api/v1/tickets?limit=1").await).await;
    let id = page.items[0].id;
    let _ = app.ticket(&t.secret, id).await;
    problem_code(
        app.patch(
            &t.secret,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "high"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.post(&t.secret, "/api/v1/tickets", &json!({"subject": "nope"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem_code(
        app.post(
            &t.secret,
            &format!("/api/v1/tickets/{id}/comments"),
            &json!({"body": "nope"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Unchanged.
    assert_eq!(
        app.ticket(&admin, id).await.priority,
        page.items[0].priority
    );
}

#[tokio::test]
async fn a_token_without_ticket_scopes_cannot_read_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "Responses only", &["responses:write"]).await;
    problem_code(
        app.get(&t.secret, "/api/v1/tickets").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn tokens_have_no_session_so_me_logout_and_refresh_are_forbidden() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "CRM", &["tickets:write"]).await;
    problem_code(
        app.get(&t.secret, "/api/v1/me").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for path in ["/api/v1/auth/logout", "/api/v1/auth/refresh"] {
        let res = app
            .request(reqwest::Method::POST, &t.secret, path)
            .send()
            .await
            .unwrap();
        problem_code(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn only_admins_and_admin_tokens_manage_tokens() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "x", "scopes": ["tickets:read"]});
    for who in [LUCIA, ANA] {
        let token = app.login(who).await;
        problem_code(
            app.post(&token, "/api/v1/tokens", &body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        problem_code(
            app.get(&token, "/api/v1/tokens").await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    problem_code(
        app.post("", "/api/v1/tokens", &body).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let admin = app.login(ADMIN).await;
    let writer = create_token(&app, &admin, "writer", &["tickets:write"]).await;
    problem_code(
        app.post(&writer.secret, "/api/v1/tokens", &body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let admin_token = create_token(&app, &admin, "provisioning", &["admin"]).await;
    let made = create_token(
        &app,
        &admin_token.secret,
        "made by a token",
        &["tickets:read"],
    )
    .await;
    assert!(made.token.created_by.is_none());
}

#[tokio::test]
async fn a_token_needs_a_name_and_known_scopes() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = problem_code(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": " ", "scopes": []}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [("name", "required"), ("scopes", "required")]
    );
    let p = problem(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "x", "scopes": ["superuser"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["scopes[0]"]);
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let t = create_token(&app, &admin, "CRM", &["tickets:read"]).await;
    let _: TicketPage = ok(app.get(&t.secret, "/api/v1/tickets").await).await;
    let res = app
        .delete(&admin, &format!("/api/v1/tokens/{}", t.token.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem_code(
        app.get(&t.secret, "/api/v1/tickets").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let list: Vec<ApiToken> = ok(app.get(&admin, "/api/v1/tokens").await).await;
    assert!(list[0].revoked_at.is_some());
    problem_code(
        app.delete(&admin, "/api/v1/tokens/999999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let ana = app.login(ANA).await;
    problem_code(
        app.delete(&ana, &format!("/api/v1/tokens/{}", t.token.id))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_user_can_no_longer_log_in_or_use_their_session() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let marc = app.login(MARC).await;
    let u: User = ok(app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", d.marc),
            &json!({"active": false}),
        )
        .await)
    .await;
    assert!(!u.active);
    problem(app.get(&marc, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    problem(
        login_raw(&app, MARC, DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn a_new_password_ends_the_old_sessions_and_works_for_login() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let ana = app.login(ANA).await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/users/{}", d.ana),
            &json!({"password": "a-brand-new-one"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    problem(app.get(&ana, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    problem(
        login_raw(&app, ANA, DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let _: LoginResponse = ok(login_raw(&app, ANA, "a-brand-new-one").await).await;
}
