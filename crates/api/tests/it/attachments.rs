//! Ticket attachments through HTTP: multipart upload, the list, downloads
//! with their headers, removal and who may do what, the limits, the history
//! row and event of each change, the deduplicated blobs, and the
//! `attachments` notification to the owner (never to the uploader).

use crate::common;

use common::*;
use diesel::prelude::*;
use lazo_api::db::schema::{blobs, events};
use lazo_api::state::Config;
use lazo_domain::attachment::Attachment;
use lazo_domain::notification::{NotificationPage, NotificationPrefs};
use lazo_domain::wire::{HistoryEntry, HistoryPage, Ticket};
use lazo_domain::NotificationKind;
use lazo_service::email::MailConfig;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not really a picture";

fn files(id: i64) -> String {
    format!("/api/v1/tickets/{id}/attachments")
}

/// One part of a multipart body: its Content-Disposition parameters after
/// `form-data; name="files"` (e.g. `filename="a.txt"`), type and bytes.
struct Part<'a> {
    disposition: String,
    content_type: Option<&'a str>,
    bytes: Vec<u8>,
}

fn file<'a>(name: &str, content_type: &'a str, bytes: &[u8]) -> Part<'a> {
    Part {
        disposition: format!("filename=\"{name}\""),
        content_type: Some(content_type),
        bytes: bytes.to_vec(),
    }
}

/// A `multipart/form-data` body, written by hand so the tests control every
/// byte (names with paths, `filename*`, parts without a file name).
fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "lazo-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = if p.disposition.is_empty() {
            "form-data; name=\"files\"".to_owned()
        } else {
            format!("form-data; name=\"files\"; {}", p.disposition)
        };
        body.extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        if let Some(ct) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, token: &str, ticket: i64, parts: &[Part<'_>]) -> Response {
    let (ct, body) = multipart(parts);
    app.request(Method::POST, token, &files(ticket))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, token: &str, ticket: i64) -> Vec<Attachment> {
    ok(app.get(token, &files(ticket)).await).await
}

/// A Support ticket owned by Ana; Marc (Support) sees it, Sofía (Billing)
/// does not.
async fn support_ticket(app: &TestApp, admin: &str, d: &Demo) -> Ticket {
    app.create_ticket(
        admin,
        &json!({"subject": "Broken lamp", "group_id": d.support, "owner_id": d.ana,
                "status_id": d.open}),
    )
    .await
}

async fn history(app: &TestApp, token: &str, id: i64) -> Vec<HistoryEntry> {
    let page: HistoryPage = ok(app
        .get(token, &format!("/api/v1/tickets/{id}/history?limit=200"))
        .await)
    .await;
    page.items
}

/// The (kind, data) of the ticket's events, oldest first.
fn ticket_events(app: &TestApp, ticket: i64) -> Vec<(String, Value)> {
    app.db
        .write_blocking(move |c| {
            Ok(events::table
                .filter(events::ticket_id.eq(ticket))
                .order(events::id)
                .select((events::kind, events::data))
                .load::<(String, String)>(c)?)
        })
        .unwrap()
        .into_iter()
        .map(|(k, d)| (k, serde_json::from_str(&d).unwrap()))
        .collect()
}

fn blob_count(app: &TestApp) -> i64 {
    app.db
        .write_blocking(|c| Ok(blobs::table.count().get_result(c)?))
        .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn files_are_uploaded_listed_downloaded_and_removed_with_history_and_events() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let marc = app.login(MARC).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    assert!(list(&app, &marc, t.id).await.is_empty());

    // Two files in one request; the second says it is HTML, comes with a
    // client path, and is a PNG.
    let got: Vec<Attachment> = created(
        upload(
            &app,
            &marc,
            t.id,
            &[
                file("notes.txt", "text/plain; charset=utf-8", b"hello, lamp"),
                file("../../photo.png", "text/html", PNG),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].filename, "notes.txt");
    assert_eq!(got[0].content_type, "text/plain");
    assert_eq!(got[0].size_bytes, 11);
    assert_eq!(got[0].sha256, sha(b"hello, lamp"));
    assert_eq!(got[0].ticket_id, t.id);
    assert_eq!(got[0].uploaded_by.as_ref().unwrap().id, d.marc);
    assert_eq!(got[0].uploaded_by_name, "Marc Dubois");
    assert_eq!(got[1].filename, "photo.png", "the client's path is dropped");
    assert_eq!(got[1].content_type, "image/png", "the bytes, not the claim");
    assert_eq!(list(&app, &admin, t.id).await, got);

    // Download: the same bytes, as an attachment, never sniffed.
    let res = app
        .get(&marc, &format!("{}/{}", files(t.id), got[0].id))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(header(&res, "content-type"), "text/plain");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"hello, lamp");
    let res = app
        .get(&admin, &format!("{}/{}", files(t.id), got[1].id))
        .await;
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // HTML and SVG are never served as themselves; a UTF-8 name survives.
    let html = b"<html><script>alert(1)</script></html>";
    let web: Vec<Attachment> = created(
        upload(
            &app,
            &admin,
            t.id,
            &[
                file("página.html", "text/html", html),
                file("logo.svg", "image/svg+xml", b"<svg onload=alert(1)></svg>"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(web[0].content_type, "text/html");
    for (a, bytes) in [
        (&web[0], &html[..]),
        (&web[1], b"<svg onload=alert(1)></svg>"),
    ] {
        let res = app.get(&admin, &format!("{}/{}", files(t.id), a.id)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "content-type"), "application/octet-stream");
        assert!(header(&res, "content-disposition").starts_with("attachment;"));
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes);
    }
    let res = app
        .get(&admin, &format!("{}/{}", files(t.id), web[0].id))
        .await;
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"p_gina.html\"; filename*=UTF-8''p%C3%A1gina.html"
    );

    // Each file has its history row and its event.
    let h = history(&app, &admin, t.id).await;
    let rows: Vec<_> = h.iter().filter(|e| e.field == "attachment").collect();
    assert_eq!(rows.len(), 4, "{h:?}");
    let notes = rows
        .iter()
        .find(|e| e.new_value.as_deref() == Some("notes.txt"))
        .expect("a history row for notes.txt");
    assert_eq!(notes.old_value, None);
    assert_eq!(notes.actor.id, Some(d.marc));
    let ev = ticket_events(&app, t.id);
    let added: Vec<_> = ev
        .iter()
        .filter(|(k, _)| k == "ticket.attachment_added")
        .collect();
    assert_eq!(added.len(), 4);
    assert_eq!(added[0].1["attachment_id"], got[0].id);
    assert_eq!(added[0].1["filename"], "notes.txt");
    assert_eq!(added[0].1["size_bytes"], 11);
    assert_eq!(added[0].1["sha256"], got[0].sha256);

    // Marc removes his file: gone from the list and the downloads, with a
    // history row and an event.
    let res = app
        .delete(&marc, &format!("{}/{}", files(t.id), got[0].id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let left: Vec<i64> = list(&app, &admin, t.id)
        .await
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(left, [got[1].id, web[0].id, web[1].id]);
    problem_code(
        app.get(&admin, &format!("{}/{}", files(t.id), got[0].id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.delete(&admin, &format!("{}/{}", files(t.id), got[0].id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let h = history(&app, &admin, t.id).await;
    assert!(
        h.iter().any(|e| e.field == "attachment"
            && e.old_value.as_deref() == Some("notes.txt")
            && e.new_value.is_none()
            && e.actor.id == Some(d.marc)),
        "{h:?}"
    );
    let ev = ticket_events(&app, t.id);
    let (kind, data) = ev.last().unwrap();
    assert_eq!(kind, "ticket.attachment_removed");
    assert_eq!(data["attachment_id"], got[0].id);
    assert_eq!(data["filename"], "notes.txt");

    // A file on another ticket's id is not found through this one.
    let other = support_ticket(&app, &admin, &d).await;
    problem_code(
        app.get(&admin, &format!("{}/{}", files(other.id), got[1].id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn identical_files_share_one_blob_until_the_last_goes() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let (a, b) = (
        support_ticket(&app, &admin, &d).await,
        support_ticket(&app, &admin, &d).await,
    );
    let before = blob_count(&app);
    let bytes = b"the same invoice, twice";
    let x: Vec<Attachment> = created(
        upload(
            &app,
            &admin,
            a.id,
            &[file("inv.pdf", "application/pdf", bytes)],
        )
        .await,
    )
    .await;
    let y: Vec<Attachment> = created(
        upload(
            &app,
            &admin,
            b.id,
            &[file("copy.pdf", "application/pdf", bytes)],
        )
        .await,
    )
    .await;
    assert_eq!(x[0].sha256, y[0].sha256);
    assert_eq!(blob_count(&app), before + 1);
    let res = app
        .delete(&admin, &format!("{}/{}", files(a.id), x[0].id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        blob_count(&app),
        before + 1,
        "still used by the other ticket"
    );
    let res = app
        .get(&admin, &format!("{}/{}", files(b.id), y[0].id))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes);
    let res = app
        .delete(&admin, &format!("{}/{}", files(b.id), y[0].id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        blob_count(&app),
        before,
        "the last reference took the bytes"
    );
}

#[tokio::test]
async fn only_who_sees_the_ticket_reaches_its_files_and_few_may_remove_them() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let (ana, marc, sofia) = (
        app.login(ANA).await,
        app.login(MARC).await,
        app.login(SOFIA).await,
    );
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let by_admin: Vec<Attachment> =
        created(upload(&app, &admin, t.id, &[file("a.txt", "text/plain", b"a")]).await).await;
    let by_marc: Vec<Attachment> =
        created(upload(&app, &marc, t.id, &[file("m.txt", "text/plain", b"m")]).await).await;
    let one = |a: &Vec<Attachment>| format!("{}/{}", files(t.id), a[0].id);

    // Sofía does not see the ticket: everything is a 404, nothing leaks.
    for res in [
        app.get(&sofia, &files(t.id)).await,
        app.get(&sofia, &one(&by_admin)).await,
        app.delete(&sofia, &one(&by_admin)).await,
        upload(&app, &sofia, t.id, &[file("s.txt", "text/plain", b"s")]).await,
    ] {
        problem_code(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    problem_code(
        app.get(&admin, &files(999_999)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Marc sees it but neither uploaded the admin's file nor owns the ticket.
    let p = problem_code(
        app.delete(&marc, &one(&by_admin)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(p.detail.unwrap().contains("uploader"));
    // Ana owns the ticket; the admin may remove anything.
    assert_eq!(
        app.delete(&ana, &one(&by_admin)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&admin, &one(&by_marc)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(list(&app, &admin, t.id).await.is_empty());

    // A read-only token lists and downloads, but does not upload.
    let token: Value = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "Reader", "scopes": ["tickets:read"]}),
        )
        .await,
    )
    .await;
    let reader = token["secret"].as_str().unwrap();
    assert!(list(&app, reader, t.id).await.is_empty());
    problem_code(
        upload(&app, reader, t.id, &[file("r.txt", "text/plain", b"r")]).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Without credentials: 401.
    problem(app.get("", &files(t.id)).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn oversized_empty_badly_named_and_non_files_are_refused_and_nothing_is_kept() {
    let app = TestApp::spawn_with(Config {
        attachment_max_bytes: 1024,
        ..Config::default()
    })
    .await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = support_ticket(&app, &admin, &d).await;
    let events_before = ticket_events(&app, t.id).len();

    // Exactly the limit is fine; one byte more is a 413 naming the file.
    created::<Vec<Attachment>>(
        upload(
            &app,
            &admin,
            t.id,
            &[file("edge.bin", "application/octet-stream", &[7; 1024])],
        )
        .await,
    )
    .await;
    let p = problem_code(
        upload(
            &app,
            &admin,
            t.id,
            &[
                file("ok.txt", "text/plain", b"fine"),
                file("big.bin", "application/octet-stream", &[7; 1025]),
            ],
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_eq!(fields(&p), ["files[1]"]);
    assert!(p.detail.as_deref().unwrap().contains("big.bin"), "{p:?}");
    assert!(p.errors[0].message.contains("1024"), "{p:?}");
    // Far over the limit (megabytes): the client still reads the answer.
    let p = problem_code(
        upload(
            &app,
            &admin,
            t.id,
            &[file(
                "huge.bin",
                "application/octet-stream",
                &vec![1; 3 << 20],
            )],
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert!(p.detail.unwrap().contains("huge.bin"));

    // An empty file beside a good one: 422 naming it, and neither is kept.
    let p = problem_code(
        upload(
            &app,
            &admin,
            t.id,
            &[
                file("good.txt", "text/plain", b"good"),
                file("empty.txt", "text/plain", b""),
            ],
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("files[1]", "required")]);
    assert!(p.errors[0].message.contains("empty.txt"), "{p:?}");

    // Names: only dots, or NUL through RFC 5987 encoding.
    let bad = [
        Part {
            disposition: "filename=\"..\"".into(),
            content_type: Some("text/plain"),
            bytes: b"x".to_vec(),
        },
        Part {
            disposition: "filename*=UTF-8''a%00b.txt".into(),
            content_type: Some("text/plain"),
            bytes: b"x".to_vec(),
        },
    ];
    let p = problem_code(
        upload(&app, &admin, t.id, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [("files[0]", "invalid_value"), ("files[1]", "invalid_value")]
    );
    assert!(p.errors[1].message.contains("control"), "{p:?}");

    // A part that is not a file; a body with no part; not multipart at all.
    let p = problem_code(
        upload(
            &app,
            &admin,
            t.id,
            &[Part {
                disposition: String::new(),
                content_type: None,
                bytes: b"just text".to_vec(),
            }],
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), ["files[0]"]);
    let p = problem_code(
        upload(&app, &admin, t.id, &[]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("files", "required")]);
    problem_code(
        app.post(&admin, &files(t.id), &json!({"files": []})).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    // Eleven files at once are one too many.
    let eleven: Vec<Part> = (0..11)
        .map(|i| file(&format!("f{i}.txt"), "text/plain", b"x"))
        .collect();
    let p = problem_code(
        upload(&app, &admin, t.id, &eleven).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), [("files", "too_many")]);

    // Only the file at the limit was kept, with its one event.
    let kept = list(&app, &admin, t.id).await;
    assert_eq!(
        kept.iter().map(|a| a.filename.as_str()).collect::<Vec<_>>(),
        ["edge.bin"]
    );
    assert_eq!(ticket_events(&app, t.id).len(), events_before + 1);
}

// ------------------------------------------------------------ notifications

async fn bell(
    app: &TestApp,
    token: &str,
    after: i64,
) -> Vec<lazo_domain::notification::Notification> {
    let page: NotificationPage = ok(app.get(token, "/api/v1/notifications?limit=200").await).await;
    page.items.into_iter().filter(|n| n.id > after).collect()
}

#[tokio::test]
async fn the_owner_hears_of_files_but_not_of_their_own_and_not_by_email_unless_asked() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let (ana, marc) = (app.login(ANA).await, app.login(MARC).await);
    let d = app.demo(&admin).await;
    let w = notification_worker(
        &app,
        Arc::new(MailConfig::new("Lazo <lazo@localhost>", b"k".to_vec()).unwrap()),
        "https://lazo.test",
    );

    // The new kind is listed, in the app but not by email by default.
    let prefs: NotificationPrefs = ok(app.get(&ana, "/api/v1/notifications/prefs").await).await;
    let p = prefs
        .items
        .iter()
        .find(|p| p.kind == NotificationKind::Attachments)
        .expect("the attachments kind");
    assert!(p.in_app && !p.email);

    let t = support_ticket(&app, &admin, &d).await;
    settle(&app, &w).await;
    let a0 = bell(&app, &ana, 0).await.first().map(|n| n.id).unwrap_or(0);
    let m0 = bell(&app, &marc, 0)
        .await
        .first()
        .map(|n| n.id)
        .unwrap_or(0);

    let up: Vec<Attachment> = created(
        upload(
            &app,
            &marc,
            t.id,
            &[file("plan.pdf", "application/pdf", b"%PDF-1.4")],
        )
        .await,
    )
    .await;
    settle(&app, &w).await;
    let new = bell(&app, &ana, a0).await;
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].kind, NotificationKind::Attachments);
    assert_eq!(new[0].ticket_id, Some(t.id));
    // Ana's account reads Spanish.
    assert_eq!(new[0].detail, "Archivo adjuntado: plan.pdf");
    assert_eq!(new[0].actor, "Marc Dubois");
    assert!(bell(&app, &marc, m0).await.is_empty(), "not the uploader");
    // No email copy by default: no `notification.email` job for it.
    let id = new[0].id;
    let emailed: i64 = app
        .db
        .write_blocking(move |c| {
            use lazo_api::db::schema::jobs;
            Ok(jobs::table
                .filter(jobs::unique_key.eq(format!("notification.email:{id}")))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(emailed, 0, "attachments are not emailed by default");

    // The removal is news too; the owner's own upload is not news to her.
    let res = app
        .delete(&marc, &format!("{}/{}", files(t.id), up[0].id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    created::<Vec<Attachment>>(
        upload(&app, &ana, t.id, &[file("mine.txt", "text/plain", b"mine")]).await,
    )
    .await;
    settle(&app, &w).await;
    let new = bell(&app, &ana, a0).await;
    let details: Vec<&str> = new.iter().map(|n| n.detail.as_str()).collect();
    assert_eq!(
        details,
        ["Archivo quitado: plan.pdf", "Archivo adjuntado: plan.pdf"]
    );
    assert!(bell(&app, &marc, m0).await.is_empty());
}

#[tokio::test]
async fn removing_a_file_while_the_same_bytes_arrive_elsewhere_never_loses_them() {
    // On PostgreSQL the two transactions really overlap: the upload's upsert
    // locks the blob, so the removal's delete of it waits and is refused by
    // the foreign key, or it went first and the upload stores the bytes anew.
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let (a, b) = (
        support_ticket(&app, &admin, &d).await,
        support_ticket(&app, &admin, &d).await,
    );
    let bytes = b"the shared contract, v3";
    for round in 0..12 {
        let x: Vec<Attachment> = created(
            upload(
                &app,
                &admin,
                a.id,
                &[file("c.pdf", "application/pdf", bytes)],
            )
            .await,
        )
        .await;
        let path = format!("{}/{}", files(a.id), x[0].id);
        let again = [file("c.pdf", "application/pdf", bytes)];
        let (removed, uploaded) = tokio::join!(
            app.delete(&admin, &path),
            upload(&app, &admin, b.id, &again),
        );
        assert_eq!(removed.status(), StatusCode::NO_CONTENT, "round {round}");
        let y: Vec<Attachment> = created(uploaded).await;
        let res = app
            .get(&admin, &format!("{}/{}", files(b.id), y[0].id))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "round {round}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes, "round {round}");
        let res = app
            .delete(&admin, &format!("{}/{}", files(b.id), y[0].id))
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn the_bytes_of_a_deleted_tickets_files_are_swept() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let (gone, kept) = (
        support_ticket(&app, &admin, &d).await,
        support_ticket(&app, &admin, &d).await,
    );
    let before = blob_count(&app);
    created::<Vec<Attachment>>(
        upload(
            &app,
            &admin,
            gone.id,
            &[file("only-here.txt", "text/plain", b"only here")],
        )
        .await,
    )
    .await;
    created::<Vec<Attachment>>(
        upload(
            &app,
            &admin,
            gone.id,
            &[file("both.txt", "text/plain", b"on both")],
        )
        .await,
    )
    .await;
    let k: Vec<Attachment> = created(
        upload(
            &app,
            &admin,
            kept.id,
            &[file("both.txt", "text/plain", b"on both")],
        )
        .await,
    )
    .await;
    assert_eq!(blob_count(&app), before + 2);
    let res = app
        .delete(&admin, &format!("/api/v1/tickets/{}", gone.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The rows went with the ticket; the bytes wait for the sweep.
    assert_eq!(blob_count(&app), before + 2);
    let swept = app
        .db
        .write_blocking(|c| Ok(lazo_storage::attachments::sweep_blobs(c)?))
        .unwrap();
    assert_eq!(swept, 1);
    assert_eq!(blob_count(&app), before + 1);
    let res = app
        .get(&admin, &format!("{}/{}", files(kept.id), k[0].id))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"on both");
}
