//! Delivery over HTTP: precompressed SPA files chosen by `Accept-Encoding`,
//! cache lifetimes, JSON compressed on the fly (ETag/If-Match and problem
//! documents intact), and the security headers on every kind of response.

use crate::common;

use common::*;
use lazo_api::state::Config;
use lazo_api::ServeOptions;
use lazo_domain::wire::TicketPage;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use std::io::Read;

const LOADER: &str = "\nimport init from '/app-abc123.js';\nawait init('/app-abc123.wasm');\n";

/// A built SPA in miniature: index.html with trunk's kind of inline loader,
/// a hashed wasm with `.br`/`.gz` siblings (marked contents, so the test sees
/// which one was sent), a hashed script without siblings, an unhashed file.
fn spa_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("index.html"),
        format!("<!doctype html><title>Lazo</title><script type=\"module\">{LOADER}</script>"),
    )
    .unwrap();
    std::fs::write(p.join("app-abc123.wasm"), b"\0asm raw").unwrap();
    std::fs::write(p.join("app-abc123.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(p.join("app-abc123.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(
        p.join("app-abc123.js"),
        "export default function init() {}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(p.join("robots.txt"), "User-agent: *\n").unwrap();
    dir
}

async fn spawn_spa(dir: &tempfile::TempDir) -> TestApp {
    TestApp::spawn_opts(
        Config::default(),
        ServeOptions {
            static_dir: Some(dir.path().to_owned()),
            ..ServeOptions::default()
        },
    )
    .await
}

fn header(res: &Response, name: &str) -> Option<String> {
    let all: Vec<String> = res
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (!all.is_empty()).then(|| all.join(", "))
}

async fn get_enc(app: &TestApp, path: &str, accept: Option<&str>) -> Response {
    let mut r = app.request(Method::GET, "", path);
    if let Some(a) = accept {
        r = r.header("accept-encoding", a);
    }
    r.send().await.unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

fn assert_security_headers(res: &Response, what: &str) {
    let csp = header(res, "content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(
        header(res, "x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(res, "referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(
        header(res, "x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
}

#[tokio::test]
async fn hashed_assets_are_sent_precompressed_by_accept_encoding_and_cached_for_a_year() {
    let dir = spa_dir();
    let app = spawn_spa(&dir).await;
    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), &b"brotli bytes"[..]),
        (Some("gzip, deflate, br, zstd"), Some("br"), b"brotli bytes"),
        (Some("gzip"), Some("gzip"), b"gzip bytes"),
        (Some("br;q=0, gzip"), Some("gzip"), b"gzip bytes"),
        (Some("*"), Some("br"), b"brotli bytes"),
        (Some("identity"), None, b"\0asm raw"),
        (None, None, b"\0asm raw"),
    ] {
        let res = get_enc(&app, "/app-abc123.wasm", accept).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            header(&res, "content-encoding").as_deref(),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("application/wasm"),
            "{accept:?}"
        );
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("public, max-age=31536000, immutable"),
            "{accept:?}"
        );
        let vary = header(&res, "vary")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "{accept:?}: vary {vary}");
        assert_security_headers(&res, "wasm");
        assert_eq!(&res.bytes().await.unwrap()[..], body, "{accept:?}");
    }
    // A range is of the original bytes, never of an encoded sibling.
    let res = app
        .request(Method::GET, "", "/app-abc123.wasm")
        .header("accept-encoding", "br")
        .header("range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(&res.bytes().await.unwrap()[..], b"\0asm");
    // The siblings are not addressable by name; that path is the SPA's.
    for path in [
        "/app-abc123.wasm.br",
        "/app-abc123.wasm.gz",
        "/app-abc123.wasm.br/x",
    ] {
        let res = get_enc(&app, path, None).await;
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
    }

    // No sibling: compressed on the fly when accepted, with its type kept.
    let res = get_enc(&app, "/app-abc123.js", Some("gzip")).await;
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    assert!(
        header(&res, "content-type")
            .unwrap()
            .starts_with("text/javascript")
            || header(&res, "content-type")
                .unwrap()
                .starts_with("application/javascript")
    );
    assert_eq!(
        header(&res, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let body = gunzip(&res.bytes().await.unwrap());
    assert!(body.starts_with(b"export default function init()"));
    let res = get_enc(&app, "/app-abc123.js", None).await;
    assert_eq!(header(&res, "content-encoding"), None);

    // The SPA's files and pages are read-only.
    for path in ["/app-abc123.wasm", "/tickets/12"] {
        let res = app.request(Method::POST, "", path).send().await.unwrap();
        assert_eq!(
            header(&res, "allow").as_deref(),
            Some("GET, HEAD"),
            "{path}"
        );
        assert_security_headers(&res, path);
        problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    }
    let res = app
        .request(Method::HEAD, "", "/app-abc123.wasm")
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("br"));

    // Unhashed files are revalidated.
    let res = get_enc(&app, "/robots.txt", None).await;
    assert_eq!(header(&res, "cache-control").as_deref(), Some("no-cache"));
    assert_eq!(res.text().await.unwrap(), "User-agent: *\n");
}

#[tokio::test]
async fn index_html_and_the_history_fallback_are_no_cache_with_the_spa_csp() {
    let dir = spa_dir();
    let app = spawn_spa(&dir).await;
    let hash = lazo_api::delivery::inline_script_hashes(&format!(
        "<script type=\"module\">{LOADER}</script>"
    ));
    assert_eq!(hash.len(), 1);
    for path in ["/", "/index.html", "/tickets/12", "/login?next=%2Ftickets"] {
        let res = get_enc(&app, path, Some("gzip")).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert_eq!(
            header(&res, "content-encoding").as_deref(),
            Some("gzip"),
            "{path}"
        );
        assert_security_headers(&res, path);
        let csp = header(&res, "content-security-policy").unwrap();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains(&format!("'{}'", hash[0])), "{csp}");
        assert!(!csp.contains("'unsafe-inline'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        let body = String::from_utf8(gunzip(&res.bytes().await.unwrap())).unwrap();
        assert!(body.contains("<title>Lazo</title>"), "{path}");
    }
}

#[tokio::test]
async fn a_rebuilt_index_html_gets_its_new_loader_hash_without_a_restart() {
    let dir = spa_dir();
    let app = spawn_spa(&dir).await;
    let csp = |res: &Response| header(res, "content-security-policy").unwrap();
    let before = csp(&get_enc(&app, "/", None).await);
    let loader = "\nawait import('/app-def456.js');\n";
    // A different size and a later modification time, as a rebuild gives.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        dir.path().join("index.html"),
        format!(
            "<!doctype html><title>Lazo rebuilt</title><script type=\"module\">{loader}</script>"
        ),
    )
    .unwrap();
    let after = csp(&get_enc(&app, "/tickets", None).await);
    let hash = &lazo_api::delivery::inline_script_hashes(&format!(
        "<script type=\"module\">{loader}</script>"
    ))[0];
    assert_ne!(before, after);
    assert!(after.contains(&format!("'{hash}'")), "{after}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = spa_dir();
    let app = spawn_spa(&dir).await;
    let admin = app.login(ADMIN).await;
    for (token, path, status) in [
        ("", "/api/health", StatusCode::OK),
        (admin.as_str(), "/api/v1/tickets", StatusCode::OK),
        ("", "/api/v1/tickets", StatusCode::UNAUTHORIZED),
        ("", "/api/v1/nothing", StatusCode::NOT_FOUND),
        ("", "/api/openapi.json", StatusCode::OK),
        ("", "/api/docs", StatusCode::PERMANENT_REDIRECT),
        ("", "/api/docs/", StatusCode::OK),
        ("", "/api/docs/swagger-ui.css", StatusCode::OK),
        ("", "/", StatusCode::OK),
        ("", "/app-abc123.wasm", StatusCode::OK),
    ] {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut r = client.get(app.url(path));
        if !token.is_empty() {
            r = r.bearer_auth(token);
        }
        let res = r.send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_security_headers(&res, path);
        let csp = header(&res, "content-security-policy").unwrap();
        if path.starts_with("/api/docs") {
            // Swagger UI's own policy: its files, data: icons, no inline script.
            assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
            assert!(csp.contains("img-src 'self' data:"), "{path}: {csp}");
        } else if path.starts_with("/api") {
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        } else {
            assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
        }
    }
    // A wrong method, a NUL in the query, a malformed body: errors too.
    let res = app
        .request(Method::DELETE, "", "/api/health")
        .send()
        .await
        .unwrap();
    assert_security_headers(&res, "405");
    problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    let res = app.get(&admin, "/api/v1/tickets?q=%00").await;
    assert_security_headers(&res, "NUL");
    problem(res, StatusCode::BAD_REQUEST).await;
    // Without a SPA the headers are there as well.
    let bare = TestApp::spawn().await;
    let res = bare.get("", "/nothing").await;
    assert_security_headers(&res, "no SPA");
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn json_is_compressed_when_accepted_and_etags_and_problems_still_work() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;

    // Not accepted: plain JSON.
    let res = app.get(&admin, "/api/v1/tickets").await;
    assert_eq!(header(&res, "content-encoding"), None);
    assert!(header(&res, "vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    let plain: TicketPage = ok(res).await;

    // Accepted: gzip or brotli, the same JSON once decoded.
    let res = app
        .request(Method::GET, &admin, "/api/v1/tickets")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        header(&res, "content-type").as_deref(),
        Some("application/json")
    );
    assert!(header(&res, "vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    let raw = res.bytes().await.unwrap();
    let page: TicketPage = serde_json::from_slice(&gunzip(&raw)).unwrap();
    assert_eq!(page.items.len(), plain.items.len());
    assert!(
        raw.len()
            < serde_json::to_vec(&serde_json::to_value(&plain).unwrap())
                .unwrap()
                .len()
    );
    let res = app
        .request(Method::GET, &admin, "/api/v1/tickets")
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("br"));

    // ETag and If-Match through a compressed exchange.
    let id = plain.items[0].id;
    let path = format!("/api/v1/tickets/{id}");
    let res = app
        .request(Method::GET, &admin, &path)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    let tag = etag(&res);
    let res = app
        .request(Method::PATCH, &admin, &path)
        .header("accept-encoding", "gzip")
        .header("if-match", &tag)
        .json(&json!({"subject": "Compressed and current"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(etag(&res), tag);
    let t: Value = serde_json::from_slice(&gunzip(&res.bytes().await.unwrap())).unwrap();
    assert_eq!(t["subject"], "Compressed and current");
    let res = app
        .request(Method::PATCH, &admin, &path)
        .header("accept-encoding", "gzip")
        .header("if-match", &tag)
        .json(&json!({"subject": "Stale"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        header(&res, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let p: Value = serde_json::from_slice(&gunzip(&res.bytes().await.unwrap())).unwrap();
    assert_eq!(p["code"], "stale");
    assert_eq!(p["status"], 412);
}
