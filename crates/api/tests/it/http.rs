//! HTTP conventions shared by every endpoint: problem documents for unknown
//! paths and wrong methods, health and readiness, request ids, the OpenAPI
//! document and the docs UI.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness_answer_without_credentials() {
    let app = TestApp::spawn().await;
    let res = app.get("", "/api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok"}));
    let res = app.get("", "/api/ready").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"status": "ready"}));
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/tickets", "GET, POST"),
        (Method::DELETE, "/api/v1/users", "GET, POST"),
        (Method::POST, "/api/v1/tickets/1", "GET, PATCH, DELETE"),
        (Method::PUT, "/api/v1/tickets/1/comments/2", "PATCH, DELETE"),
        (Method::GET, "/api/v1/auth/login", "POST"),
        (Method::POST, "/api/health", "GET"),
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
        let p = problem_code(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
        assert_eq!(p.type_, "urn:lazo:problem:method-not-allowed");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for path in [
        "/api/v1/nothing",
        "/api/v2/tickets",
        "/api/v1/tickets/1/nothing",
        "/api",
    ] {
        let p = problem_code(
            app.get(&admin, path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        assert_eq!(p.type_, "urn:lazo:problem:not-found", "{path}");
    }
    // Without credentials too: no route, nothing to authenticate for.
    problem_code(
        app.get("", "/api/v1/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Outside /api there is no SPA in tests: still a problem document.
    problem(app.get("", "/tickets/42").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_request_id_is_echoed_or_made_up() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "trace-abc-123");
    let res = app.get("", "/api/v1/me").await;
    let made = res
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made}");
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "errors carry it too"
    );
    let other = app.get("", "/api/health").await;
    assert_ne!(
        other
            .headers()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap(),
        made
    );
    // An id that could inject into logs is replaced.
    let res = app
        .client
        .get(app.url("/api/health"))
        .header("x-request-id", "evil id; rm -rf")
        .send()
        .await
        .unwrap();
    let id = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert_ne!(id, "evil id; rm -rf");
    assert_eq!(id.len(), 36);
}

#[tokio::test]
async fn the_served_openapi_document_equals_the_committed_one() {
    let app = TestApp::spawn().await;
    let res = app.get("", "/api/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let served: Value = res.json().await.unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}; run `just openapi`"));
    let committed: Value = serde_json::from_str(&committed).unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is out of date: run `just openapi` \
         (cargo run -p lazo-api -- openapi > openapi/openapi.json)"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let doc: Value = ok(app.get("", "/api/openapi.json").await).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/health", &["get"][..]),
        ("/api/ready", &["get"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
        ("/api/v1/auth/refresh", &["post"]),
        ("/api/v1/me", &["get"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{id}", &["get", "patch"]),
        ("/api/v1/groups", &["get", "post"]),
        ("/api/v1/groups/{id}", &["get", "patch", "delete"]),
        ("/api/v1/statuses", &["get", "post"]),
        ("/api/v1/statuses/{id}", &["patch"]),
        ("/api/v1/ticket-types", &["get", "post"]),
        ("/api/v1/ticket-types/{id}", &["get", "patch"]),
        ("/api/v1/settings", &["get", "patch"]),
        ("/api/v1/tokens", &["get", "post"]),
        ("/api/v1/tokens/{id}", &["delete"]),
        ("/api/v1/tickets", &["get", "post"]),
        ("/api/v1/tickets/counts", &["get"]),
        ("/api/v1/tickets/bulk", &["post"]),
        ("/api/v1/tickets/{id}", &["get", "patch", "delete"]),
        ("/api/v1/tickets/{id}/sub-tickets", &["get", "post"]),
        ("/api/v1/tickets/{id}/comments", &["get", "post"]),
        (
            "/api/v1/tickets/{id}/comments/{comment_id}",
            &["patch", "delete"],
        ),
        ("/api/v1/tickets/{id}/history", &["get"]),
    ] {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} undocumented"));
        for m in methods {
            assert!(item.get(*m).is_some(), "{m} {path} undocumented");
        }
    }
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    // Error responses are documented as problem documents.
    let patch = &paths["/api/v1/tickets/{id}"]["patch"]["responses"];
    for status in ["401", "403", "404", "412", "422"] {
        assert!(
            patch[status]["content"]["application/problem+json"].is_object(),
            "PATCH ticket {status}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_names_enum_values_as_they_travel() {
    let app = TestApp::spawn().await;
    let doc: Value = ok(app.get("", "/api/openapi.json").await).await;
    let schemas = &doc["components"]["schemas"];
    for (name, values) in [
        ("Priority", &["low", "medium", "high", "critical"][..]),
        ("Role", &["admin", "ticket_admin", "agent"]),
        ("StatusCategory", &["new", "open", "pending", "closed"]),
        (
            "Scope",
            &[
                "tickets:read",
                "tickets:write",
                "responses:write",
                "inbound:write",
                "admin",
            ],
        ),
        ("FieldKind", &["text", "number", "date", "choice", "email"]),
        ("Access", &["full", "comment"]),
    ] {
        let got: Vec<&str> = schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no enum"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(got, values, "{name} in the OpenAPI document");
    }
    // And they are what the API really sends.
    let admin = app.login(ADMIN).await;
    let me: Value = ok(app.get(&admin, "/api/v1/me").await).await;
    assert_eq!(me["role"], "admin");
    let t: Value = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "x", "scopes": ["tickets:read"]}),
        )
        .await,
    )
    .await;
    assert_eq!(t["token"]["scopes"], json!(["tickets:read"]));
}

#[tokio::test]
async fn the_docs_ui_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let res = app.get("", "/api/docs").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers().get("location").unwrap(), "/api/docs/");
    let res = app.get("", "/api/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "Swagger UI page");
    assert!(!html.contains("cdn."), "no CDN");
}

#[tokio::test]
async fn oversized_bodies_are_refused_on_every_write() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let big = "x".repeat(257 * 1024);
    for (method, path) in [
        (Method::POST, "/api/v1/tickets/1/comments"),
        (Method::PATCH, "/api/v1/tickets/1"),
        (Method::POST, "/api/v1/users"),
        (Method::PATCH, "/api/v1/settings"),
    ] {
        let res = app
            .request(method.clone(), &admin, path)
            .json(&json!({"body": big, "name": big}))
            .send()
            .await
            .unwrap();
        problem_code(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
    // Chunked, without Content-Length: counted while reading.
    let stream = futures_body(big.clone());
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .header("content-type", "application/json")
        .body(stream)
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

/// A body reqwest sends chunked (its length unknown up front).
fn futures_body(big: String) -> reqwest::Body {
    let json = format!("{{\"subject\": \"{big}\"}}");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = json
        .into_bytes()
        .chunks(16 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn a_wrong_content_type_is_refused_on_every_write() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for (method, path) in [
        (Method::POST, "/api/v1/auth/login"),
        (Method::PATCH, "/api/v1/tickets/1"),
        (Method::POST, "/api/v1/groups"),
        (Method::POST, "/api/v1/ticket-types"),
        (Method::POST, "/api/v1/tokens"),
        (Method::POST, "/api/v1/tickets/bulk"),
    ] {
        let res = app
            .request(method.clone(), &admin, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=x")
            .send()
            .await
            .unwrap();
        problem_code(
            res,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }
    // application/json with a charset, or a +json type, is fine.
    let res = app
        .request(Method::POST, &admin, "/api/v1/tickets")
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"subject": "charset"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}
