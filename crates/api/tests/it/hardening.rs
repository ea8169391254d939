//! Regressions found by testing the released binary: the login limit and
//! forwarded addresses, caching of token responses, NUL characters
//! (PostgreSQL refuses them), body shape (objects only, no unknown fields),
//! the problem contract under `/api` when the SPA is served, statuses and
//! constraints the OpenAPI document must state.

use crate::common;

use common::*;
use lazo_api::net::TrustedProxies;
use lazo_api::state::Config;
use lazo_api::ServeOptions;
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

// ------------------------------------------------------------ NUL characters

#[tokio::test]
async fn nul_in_a_login_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "",
            "/api/v1/auth/login",
            &json!({"email": "admin\u{0}@demo.lazo", "password": DEMO_PASSWORD}),
        )
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_codes(&p), [("email", "invalid_character")]);
}

#[tokio::test]
async fn nul_in_any_body_string_is_a_422_naming_every_field() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ticket = app
        .create_ticket(&admin, &json!({"subject": "NUL checks"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket.id);
    let cases = [
        (
            Method::POST,
            "/api/v1/tickets".to_owned(),
            json!({"subject": "x", "description": "a\u{0}b", "summary_comment": "\u{0}",
                   "tags": ["ok", "t\u{0}"], "custom_fields": {"k\u{0}": "v"}}),
            vec![
                "custom_fields.k\\u0000",
                "description",
                "summary_comment",
                "tags[1]",
            ],
        ),
        (
            Method::PATCH,
            path.clone(),
            json!({"source": "s\u{0}", "comment": {"body": "hi\u{0}"}}),
            vec!["comment.body", "source"],
        ),
        (
            Method::POST,
            format!("{path}/comments"),
            json!({"body": "\u{0}"}),
            vec!["body"],
        ),
        (
            Method::POST,
            "/api/v1/tickets/bulk".to_owned(),
            json!({"ids": [ticket.id], "changes": {"description": "\u{0}"}}),
            vec!["changes.description"],
        ),
        (
            Method::POST,
            "/api/v1/groups".to_owned(),
            json!({"name": "g", "description": "d\u{0}"}),
            vec!["description"],
        ),
    ];
    for (method, path, body, expected) in cases {
        let res = app
            .request(method.clone(), &admin, &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let mut got: Vec<&str> = fields(&p);
        got.sort();
        assert_eq!(got, expected, "{method} {path}: {p:?}");
        assert!(p.errors.iter().all(|e| e.code == "invalid_character"));
    }
    // Nothing was stored.
    assert_eq!(app.ticket(&admin, ticket.id).await.version, ticket.version);
}

#[tokio::test]
async fn nul_in_a_query_parameter_is_a_400_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for (path, field) in [
        ("/api/v1/tickets?tags=vip%00", "tags"),
        ("/api/v1/tickets?source=email%00", "source"),
        ("/api/v1/tickets?q=refund%00", "q"),
        ("/api/v1/tickets/counts?q=%00", "q"),
        ("/api/v1/tickets/counts?tags=%00x", "tags"),
        ("/api/v1/tickets?cursor=%00", "cursor"),
        ("/api/v1/tickets/1/comments?cursor=1%00", "cursor"),
        ("/api/v1/tickets/1/history?cursor=%00", "cursor"),
        ("/api/v1/tickets/1/sub-tickets?cursor=%00", "cursor"),
        // Endpoints that read no query at all refuse it too.
        ("/api/v1/users?search=%00", "search"),
        ("/api/v1/me?x=1&y=a%00b", "y"),
    ] {
        let res = app.get(&admin, path).await;
        let p = problem_code(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(field_codes(&p), [(field, "invalid_character")], "{path}");
    }
}

// ------------------------------------------------------------ body shape

#[tokio::test]
async fn an_array_body_is_refused_not_mapped_by_position() {
    let app = TestApp::spawn().await;
    let res = app
        .post("", "/api/v1/auth/login", &json!([ADMIN, DEMO_PASSWORD]))
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_codes(&p), [("body", "not_an_object")]);
    assert!(p.detail.unwrap().contains("array"));
    // Nested objects too.
    let admin = app.login(ADMIN).await;
    let res = app
        .post(
            &admin,
            "/api/v1/tickets",
            &json!({"subject": "x", "requester": ["a@example.com", "A"]}),
        )
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&p), ["requester"], "{p:?}");
    let res = app
        .post(&admin, "/api/v1/tickets/1/comments", &json!("a comment"))
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_codes(&p), [("body", "not_an_object")]);
}

#[tokio::test]
async fn unknown_fields_are_refused_naming_their_path() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ticket = app
        .create_ticket(&admin, &json!({"subject": "typos"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket.id);
    for (method, path, body, field) in [
        (
            Method::PATCH,
            path.clone(),
            json!({"priorty": "critical"}),
            "priorty",
        ),
        (
            Method::PATCH,
            path.clone(),
            json!({"comment": {"body": "x", "internl": true}}),
            "comment.internl",
        ),
        (
            Method::POST,
            "/api/v1/tickets/bulk".to_owned(),
            json!({"ids": [ticket.id], "changes": {"prio": "low"}}),
            "changes.prio",
        ),
        (
            Method::POST,
            "/api/v1/tickets".to_owned(),
            json!({"subject": "x", "requester": {"email": "a@example.com", "nmae": "A"}}),
            "requester.nmae",
        ),
        (
            Method::POST,
            "/api/v1/auth/login".to_owned(),
            json!({"email": ADMIN, "password": DEMO_PASSWORD, "remember": true}),
            "remember",
        ),
        (
            Method::PATCH,
            "/api/v1/settings".to_owned(),
            json!({"agents_may_closed": true}),
            "agents_may_closed",
        ),
    ] {
        let res = app
            .request(method.clone(), &admin, &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "unknown_field").await;
        assert_eq!(
            field_codes(&p),
            [(field, "unknown_field")],
            "{method} {path}"
        );
    }
    assert_eq!(app.ticket(&admin, ticket.id).await.version, ticket.version);
}

#[tokio::test]
async fn integral_floats_count_as_integers() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ticket = app
        .create_ticket(&admin, &json!({"subject": "floats"}))
        .await;
    let path = format!("/api/v1/tickets/{}", ticket.id);
    let t: lazo_domain::wire::Ticket = ok(app
        .patch(&admin, &path, &json!({"summary_score": 3.0}))
        .await)
    .await;
    assert_eq!(t.summary.score, Some(3));
    let res = app
        .patch(&admin, &path, &json!({"summary_score": 3.5}))
        .await;
    let p = problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&p), ["summary_score"]);
}

// ------------------------------------------------------------ /api with the SPA

#[tokio::test]
async fn api_errors_keep_the_problem_contract_when_the_spa_is_served() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Lazo</title>",
    )
    .unwrap();
    let app = TestApp::spawn_opts(
        Config::default(),
        ServeOptions {
            static_dir: Some(dir.path().to_owned()),
            ..ServeOptions::default()
        },
    )
    .await;
    let admin = app.login(ADMIN).await;
    for (method, path) in [
        (Method::GET, "/api/v1/nothing"),
        (Method::POST, "/api/v1/nothing"),
        (Method::GET, "/api/v1/tickets/1/nothing"),
        (Method::GET, "/api/nothing"),
        (Method::DELETE, "/api/nothing"),
        (Method::GET, "/api"),
        (Method::GET, "/api/index.html"),
    ] {
        let res = app
            .request(method.clone(), &admin, path)
            .send()
            .await
            .unwrap();
        let p = problem_code(res, StatusCode::NOT_FOUND, "not_found").await;
        assert_eq!(p.type_, "urn:lazo:problem:not-found", "{method} {path}");
    }
    for (method, path, allow) in [
        (Method::POST, "/api/health", "GET"),
        (Method::DELETE, "/api/ready", "GET"),
        (Method::PUT, "/api/v1/tickets", "GET, POST"),
        (Method::POST, "/api/v1/tickets/1", "GET, PATCH, DELETE"),
        (Method::GET, "/api/v1/auth/login", "POST"),
        (Method::POST, "/api/openapi.json", "GET"),
    ] {
        let res = app
            .request(method.clone(), &admin, path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let got = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        problem_code(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
    }
    // The API itself and the SPA still answer.
    assert_eq!(app.get("", "/api/health").await.status(), StatusCode::OK);
    for path in ["/", "/tickets/12", "/index.html"] {
        let res = app.get("", path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap().contains("<title>Lazo</title>"));
    }
}

// ------------------------------------------------------------ the document

#[tokio::test]
async fn a_malformed_if_match_is_a_documented_400() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ticket = app.create_ticket(&admin, &json!({"subject": "etag"})).await;
    let res = app
        .request(
            Method::DELETE,
            &admin,
            &format!("/api/v1/tickets/{}", ticket.id),
        )
        .header("if-match", "not-an-etag")
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::BAD_REQUEST, "invalid_if_match").await;
    let doc: Value = ok(app.get("", "/api/openapi.json").await).await;
    let responses = &doc["paths"]["/api/v1/tickets/{id}"]["delete"]["responses"];
    assert!(responses.get("400").is_some(), "{responses}");
}

#[tokio::test]
async fn the_document_states_the_limits_the_server_enforces() {
    let app = TestApp::spawn().await;
    let doc: Value = ok(app.get("", "/api/openapi.json").await).await;
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    let create = schema("CreateTicket");
    assert_eq!(create["properties"]["subject"]["minLength"], 1);
    assert_eq!(create["properties"]["subject"]["maxLength"], 200);
    assert_eq!(create["properties"]["description"]["maxLength"], 20_000);
    assert_eq!(create["properties"]["tags"]["maxItems"], 50);
    assert_eq!(create["additionalProperties"], false);
    assert_eq!(schema("CommentInput")["properties"]["body"]["minLength"], 1);
    assert_eq!(
        schema("CreateUser")["properties"]["password"]["minLength"],
        8
    );
    assert_eq!(
        schema("CreateUser")["properties"]["email"]["maxLength"],
        254
    );
    assert_eq!(
        schema("CreateGroup")["properties"]["name"]["maxLength"],
        100
    );
    for path in ["/api/v1/tickets", "/api/v1/tickets/{id}/comments"] {
        let limit = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap()["schema"]
            .clone();
        assert_eq!(
            (limit["minimum"].clone(), limit["maximum"].clone()),
            (json!(1), json!(200)),
            "{path}"
        );
    }
}
