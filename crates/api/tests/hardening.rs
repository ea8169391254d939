//! Regressions found by testing the released binary: the login limit and
//! forwarded addresses, caching of token responses.

mod common;

use common::*;
use lazo_api::net::TrustedProxies;
use lazo_api::state::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn login_from(
    app: &TestApp,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.request(Method::POST, "", "/api/v1/auth/login")
        .header("x-forwarded-for", forwarded_for)
        .header("forwarded", format!("for={forwarded_for}"))
        .header("x-real-ip", forwarded_for)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

// ------------------------------------------------------------ login limits

#[tokio::test]
async fn spoofed_forwarded_addresses_do_not_escape_the_login_limit() {
    let app = TestApp::spawn_with(Config {
        login_per_minute: 3,
        login_per_account_per_minute: 1000,
        ..Config::default()
    })
    .await;
    let mut checked = 0;
    for i in 0..40 {
        let res = login_from(&app, &format!("198.51.100.{i}"), MARC, "wrong-password").await;
        match res.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                problem_code(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
            }
            other => panic!("attempt {i}: {other}"),
        }
    }
    // The peer is the only address: three guesses reached the password check.
    assert_eq!(checked, 3);
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_by_its_rightmost_untrusted_entry() {
    let app = TestApp::spawn_with(Config {
        login_per_minute: 2,
        login_per_account_per_minute: 1000,
        trusted_proxies: TrustedProxies::parse("127.0.0.0/8, 10.0.0.0/8").unwrap(),
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        let res = login_from(&app, "203.0.113.1", MARC, "wrong-password").await;
        problem_code(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let res = login_from(&app, "203.0.113.1", MARC, DEMO_PASSWORD).await;
    problem_code(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // What the client wrote left of the proxy's entry changes nothing; nor do
    // inner proxies (10.x) after it.
    let res = login_from(
        &app,
        "192.0.2.77, 203.0.113.1, 10.1.2.3",
        MARC,
        DEMO_PASSWORD,
    )
    .await;
    problem_code(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another client behind the same proxy has its own budget.
    let res = login_from(&app, "203.0.113.2", MARC, DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_account_is_limited_whatever_the_address() {
    let app = TestApp::spawn_with(Config {
        login_per_minute: 100,
        login_per_account_per_minute: 5,
        trusted_proxies: TrustedProxies::parse("127.0.0.1").unwrap(),
        ..Config::default()
    })
    .await;
    let mut checked = 0;
    for i in 0..40 {
        let res = login_from(&app, &format!("198.51.100.{i}"), MARC, "wrong-password").await;
        match res.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(res.headers().contains_key("retry-after"));
            }
            other => panic!("attempt {i}: {other}"),
        }
    }
    assert_eq!(checked, 5);
    // Other accounts are not locked out by it.
    app.login(ANA).await;
}

#[tokio::test]
async fn token_responses_are_not_cacheable() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "",
            "/api/v1/auth/login",
            &json!({"email": ADMIN, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .request(Method::POST, &token, "/api/v1/auth/refresh")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = app
        .post(
            &token,
            "/api/v1/tokens",
            &json!({"name": "ci", "scopes": ["tickets:read"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
}
