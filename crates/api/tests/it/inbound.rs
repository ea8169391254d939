//! Inbound email over HTTP (`POST /inbound/email`) and through the real
//! `lazo mailgate` binary: storage and dedupe, matching in the issue's
//! order, auto-replies and bounces, bad input, attachments, reprocess.

use crate::common;

use common::*;
use lazo_api::state::Config;
use lazo_domain::email::{Email, EmailPage, InboundMessage, InboundMessagePage};
use lazo_domain::wire::{CreatedApiToken, HistoryPage, Ticket};
use lazo_service::email::{token, MailConfig};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::Arc;

const KEY: &[u8] = b"inbound-test-key";

async fn spawn() -> TestApp {
    let cfg = MailConfig::new("Acme Support <support@acme.test>", KEY.to_vec()).unwrap();
    TestApp::spawn_with(Config {
        mail: Arc::new(cfg),
        ..Config::default()
    })
    .await
}

async fn inbound_token(app: &TestApp, admin: &str, scopes: &[&str]) -> String {
    let t: CreatedApiToken = created(
        app.post(
            admin,
            "/api/v1/tokens",
            &json!({"name": format!("mta {scopes:?}"), "scopes": scopes}),
        )
        .await,
    )
    .await;
    t.secret
}

async fn post_raw(app: &TestApp, token: &str, raw: impl Into<reqwest::Body>) -> reqwest::Response {
    app.request(reqwest::Method::POST, token, "/api/v1/inbound/email")
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap()
}

async fn deliver(app: &TestApp, token: &str, raw: &str) -> InboundMessage {
    created(post_raw(app, token, raw.replace('\n', "\r\n")).await).await
}

fn mail(from: &str, to: &str, subject: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{}@customer.test>\nDate: Thu, 26 Nov 2026 08:00:00 +0000\n{extra}MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n",
        uuid::Uuid::new_v4()
    )
}

async fn emails(app: &TestApp, token: &str, ticket: i64) -> Vec<Email> {
    let p: EmailPage = ok(app
        .get(token, &format!("/api/v1/tickets/{ticket}/emails"))
        .await)
    .await;
    p.items
}

async fn customer_ticket(app: &TestApp, token: &str, email: &str) -> Ticket {
    app.create_ticket(
        token,
        &json!({"subject": "Late delivery", "requester": {"email": email, "name": "Ada"}}),
    )
    .await
}

#[tokio::test]
async fn replies_match_by_token_then_message_id_then_subject_tag_from_participants_only() {
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let mta = inbound_token(&app, &admin, &["inbound:write"]).await;
    ok::<serde_json::Value>(
        app.patch(
            &admin,
            "/api/v1/settings",
            &json!({"inbound_email_status_id": d.open}),
        )
        .await,
    )
    .await;
    let t = customer_ticket(&app, &admin, "ada@customer.test").await;
    assert_eq!(t.status.id, d.new);

    // 1. The signed reply-to token, even from another address.
    let reply_to = token::reply_address(KEY, "support@acme.test", t.number);
    let m = deliver(
        &app,
        &mta,
        &mail(
            "Ada <ada@other.test>",
            &reply_to,
            "Re: hello",
            "",
            "Thanks, it works now.",
        ),
    )
    .await;
    assert_eq!(m.ticket_id, Some(t.id));
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "matched");
    let th = emails(&app, &admin, t.id).await;
    assert_eq!(th.len(), 1);
    assert_eq!(serde_json::to_value(th[0].direction).unwrap(), "inbound");
    assert_eq!(th[0].from, "ada@other.test");
    assert!(th[0].body.contains("it works now"));
    // The reply moved the ticket to the organisation's inbound status.
    assert_eq!(app.ticket(&admin, t.id).await.status.id, d.open);
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    assert!(h.items.iter().any(|i| i.field == "email_received"));

    // A forged token does not match: a new ticket for the sender instead.
    let forged = reply_to.replace(&format!("+t{}.", t.number), &format!("+t{}.", t.number + 1));
    let m = deliver(
        &app,
        &mta,
        &mail("mallory@evil.test", &forged, "hi", "", "x"),
    )
    .await;
    assert_ne!(m.ticket_id, Some(t.id));

    // 2. Our Message-ID in In-Reply-To.
    let sent: Email = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/emails", t.id),
            &json!({"subject": "Follow-up", "body": "How was it?"}),
        )
        .await,
    )
    .await;
    let m = deliver(
        &app,
        &mta,
        &mail(
            "ada@customer.test",
            "support@acme.test",
            "Re: Follow-up",
            &format!("In-Reply-To: <{}>\n", sent.message_id),
            "Fine.",
        ),
    )
    .await;
    assert_eq!(m.ticket_id, Some(t.id));

    // 3. [#number] from the requester: matched.
    let subject = format!("About [#{}]", t.number);
    let m = deliver(
        &app,
        &mta,
        &mail(
            "ADA@customer.test",
            "support@acme.test",
            &subject,
            "",
            "Me again",
        ),
    )
    .await;
    assert_eq!(m.ticket_id, Some(t.id));

    // ... from a stranger: a new ticket, never the stranger's mail on Ada's.
    let before = emails(&app, &admin, t.id).await.len();
    let m = deliver(
        &app,
        &mta,
        &mail(
            "eve@stranger.test",
            "support@acme.test",
            &subject,
            "",
            "Let me in",
        ),
    )
    .await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "created");
    let other = m.ticket_id.unwrap();
    assert_ne!(other, t.id);
    assert_eq!(emails(&app, &admin, t.id).await.len(), before);
    let theirs = app.ticket(&admin, other).await;
    assert_eq!(
        theirs.requester.unwrap().email.as_deref(),
        Some("eve@stranger.test")
    );

    // 4. Nothing to go by: a new ticket for the sender's contact.
    let m = deliver(
        &app,
        &mta,
        &mail(
            "Bob Buyer <bob@customer.test>",
            "support@acme.test",
            "Broken blender",
            "",
            "It smokes.",
        ),
    )
    .await;
    let created_ticket = app.ticket(&admin, m.ticket_id.unwrap()).await;
    assert_eq!(created_ticket.subject, "Broken blender");
    assert_eq!(created_ticket.source.as_deref(), Some("email"));
    let r = created_ticket.requester.unwrap();
    assert_eq!(
        (r.email.as_deref(), r.name.as_deref()),
        (Some("bob@customer.test"), Some("Bob Buyer"))
    );
}

#[tokio::test]
async fn auto_replies_and_bounces_are_kept_but_inert_and_a_permanent_bounce_blocks_the_address() {
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let mta = inbound_token(&app, &admin, &["inbound:write"]).await;
    ok::<serde_json::Value>(
        app.patch(
            &admin,
            "/api/v1/settings",
            &json!({"inbound_email_status_id": d.open}),
        )
        .await,
    )
    .await;
    let t = customer_ticket(&app, &admin, "gone@customer.test").await;
    let reply_to = token::reply_address(KEY, "support@acme.test", t.number);

    let m = deliver(
        &app,
        &mta,
        &mail(
            "gone@customer.test",
            &reply_to,
            "Out of office",
            "Auto-Submitted: auto-replied\n",
            "I am away.",
        ),
    )
    .await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "auto");
    let th = emails(&app, &admin, t.id).await;
    assert_eq!(serde_json::to_value(th[0].state).unwrap(), "auto");
    assert_eq!(
        app.ticket(&admin, t.id).await.status.id,
        d.new,
        "an auto-reply changes no status"
    );

    // An unmatched list mail: stored, no ticket.
    let m = deliver(
        &app,
        &mta,
        &mail(
            "news@shop.test",
            "support@acme.test",
            "Deals",
            "Precedence: bulk\n",
            "Buy!",
        ),
    )
    .await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "auto");
    assert_eq!(m.ticket_id, None);

    // A DSN with a permanent failure for the customer.
    let dsn = "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\nTo: support@acme.test\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn1@mx.customer.test>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.test\n\nFinal-Recipient: rfc822; gone@customer.test\nAction: failed\nStatus: 5.1.1\n\n--b1--\n";
    let m = deliver(&app, &mta, dsn).await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "auto");
    let p = problem(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/emails", t.id),
            &json!({"subject": "s", "body": "b"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("to", "address_bounced")]);
}

#[tokio::test]
async fn raw_messages_are_deduplicated_and_bad_input_is_stored_or_refused_never_a_500() {
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let agent = app.login(ANA).await;
    let mta = inbound_token(&app, &admin, &["inbound:write"]).await;
    let reader = inbound_token(&app, &admin, &["tickets:read"]).await;
    let raw = mail(
        "zoe@customer.test",
        "support@acme.test",
        "Dedupe",
        "",
        "Once",
    )
    .replace('\n', "\r\n");

    let first: InboundMessage = created(post_raw(&app, &mta, raw.clone()).await).await;
    let again: InboundMessage = ok(post_raw(&app, &mta, raw.clone()).await).await;
    assert_eq!(first.id, again.id);
    assert!(first.first_seen && !again.first_seen);
    assert_eq!(first.source, "api");

    // Who may post.
    problem(
        post_raw(&app, &reader, raw.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post_raw(&app, &agent, raw.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post_raw(&app, "", raw.clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let wrong_type = app
        .request(reqwest::Method::POST, &mta, "/api/v1/inbound/email")
        .header("content-type", "text/plain")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    problem(wrong_type, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    problem(
        post_raw(&app, &mta, "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Over 25 MB: refused before it is stored.
    let huge = vec![b'a'; 25 * 1024 * 1024 + 1];
    problem(
        post_raw(&app, &mta, huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    // Not MIME at all / no From: stored, failed, with the reason.
    let m: InboundMessage =
        created(post_raw(&app, &mta, "\u{0}\u{1}garbage without headers").await).await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "failed");
    assert!(m.parse_error.is_some());
    let m = deliver(&app, &mta, "Subject: who am I\n\nno from header").await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "failed");
    assert!(m.parse_error.as_deref().unwrap().contains("From"), "{m:?}");
    // Broken MIME structure and an unknown charset: still a ticket.
    let m = deliver(&app, &mta, "From: a@b.test\nSubject: broken\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\nContent-Type: text/plain; charset=x-klingon\n\n\u{00e9}t\u{00e9} caf\u{00e9}\n").await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "created");
    // NUL bytes (PostgreSQL refuses them in text) in headers and body.
    let m = deliver(
        &app,
        &mta,
        "From: nul@b.test\nSubject: nul\u{0}here\nMessage-ID: <a\u{0}b@x>\n\nbody\u{0}text\n",
    )
    .await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "created", "{m:?}");
    // HTML only: the text is extracted.
    let m = deliver(&app, &mta, "From: h@b.test\nSubject: html\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hello <b>there</b></p><script>x()</script></body></html>\n").await;
    let th = emails(&app, &admin, m.ticket_id.unwrap()).await;
    assert!(
        th[0].body.contains("Hello") && th[0].body.contains("there"),
        "{:?}",
        th[0].body
    );
    assert!(!th[0].body.contains("<b>"));

    // Admins see the failed ones, and reprocessing a failed message keeps
    // it failed (nothing changed) while a processed one is refused.
    let page: InboundMessagePage = ok(app
        .get(&admin, "/api/v1/inbound/messages?outcome=failed")
        .await)
    .await;
    assert_eq!(page.items.len(), 2);
    problem(
        app.get(&agent, "/api/v1/inbound/messages").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let again: InboundMessage = ok(app
        .post(
            &admin,
            &format!("/api/v1/inbound/messages/{}/reprocess", page.items[0].id),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!(serde_json::to_value(again.outcome).unwrap(), "failed");
    problem_code(
        app.post(
            &admin,
            &format!("/api/v1/inbound/messages/{}/reprocess", first.id),
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "already_processed",
    )
    .await;
}

#[tokio::test]
async fn attachments_are_kept_and_served_as_downloads_only() {
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let mta = inbound_token(&app, &admin, &["inbound:write"]).await;
    let raw = "From: ada@customer.test\nTo: support@acme.test\nSubject: Photo\nMessage-ID: <att1@customer.test>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: text/html; name=\"evil.html\"\nContent-Disposition: attachment; filename=\"evil.html\"\n\n<script>alert(1)</script>\n--b\nContent-Type: image/svg+xml; name=\"pic.svg\"\nContent-Disposition: inline; filename=\"pic.svg\"\nContent-Transfer-Encoding: base64\n\nPHN2Zz48L3N2Zz4=\n--b--\n";
    let m = deliver(&app, &mta, raw).await;
    let th = emails(&app, &admin, m.ticket_id.unwrap()).await;
    let files = &th[0].attachments;
    assert_eq!(
        files
            .iter()
            .map(|f| f.filename.as_str())
            .collect::<Vec<_>>(),
        ["evil.html", "pic.svg"]
    );
    for f in files {
        let res = app
            .get(&admin, &format!("/api/v1/inbound/attachments/{}", f.id))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/octet-stream");
        let cd = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let bytes = res.bytes().await.unwrap();
        assert_eq!(bytes.len() as i64, f.size_bytes);
    }
    let svg = app
        .get(
            &admin,
            &format!("/api/v1/inbound/attachments/{}", files[1].id),
        )
        .await;
    assert_eq!(svg.bytes().await.unwrap().as_ref(), b"<svg></svg>");
    problem(
        app.get(&admin, "/api/v1/inbound/attachments/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn the_mailgate_posts_stdin_and_exits_75_on_any_failure() {
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let mta = inbound_token(&app, &admin, &["inbound:write"]).await;
    let run = |url: String, token: String, raw: String| {
        tokio::task::spawn_blocking(move || {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lazo"))
                .args(["mailgate", "--url", &url, "--timeout-secs", "5"])
                .env("LAZO_MAILGATE_TOKEN", token)
                .env("LAZO_LOG", "warn")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(raw.as_bytes())
                .unwrap();
            child.wait().unwrap().code()
        })
    };
    let raw = mail(
        "gate@customer.test",
        "support@acme.test",
        "Via the gate",
        "",
        "Piped in.",
    );
    assert_eq!(
        run(app.address.clone(), mta.clone(), raw.clone())
            .await
            .unwrap(),
        Some(0)
    );
    let page: InboundMessagePage = ok(app.get(&admin, "/api/v1/inbound/messages").await).await;
    assert_eq!(page.items[0].source, "mailgate");
    assert_eq!(page.items[0].subject.as_deref(), Some("Via the gate"));
    // Wrong token, server down, no token at all: EX_TEMPFAIL.
    assert_eq!(
        run(app.address.clone(), "lazo_wrong".into(), raw.clone())
            .await
            .unwrap(),
        Some(75)
    );
    assert_eq!(
        run("http://127.0.0.1:9".into(), mta.clone(), raw.clone())
            .await
            .unwrap(),
        Some(75)
    );
    assert_eq!(
        run(app.address.clone(), String::new(), raw).await.unwrap(),
        Some(75)
    );
}

/// A run of generated messages, a third replies by token, a third by
/// Message-ID, a third from new senders, through the same service call IMAP
/// polling makes (no HTTP): every reply lands on its ticket, every stranger
/// gets a ticket. Also the benchmark: `LAZO_BENCH_INBOUND=1000 cargo test -p
/// lazo-api --test inbound many_messages -- --nocapture` prints the rate
/// (default 90 messages, so the suite stays fast).
#[tokio::test]
async fn many_messages_are_parsed_and_matched_each_to_its_ticket() {
    let n: usize = std::env::var("LAZO_BENCH_INBOUND")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    let app = spawn().await;
    let admin = app.login(ADMIN).await;
    let t = customer_ticket(&app, &admin, "ada@customer.test").await;
    let sent: Email = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/emails", t.id),
            &json!({"subject": "s", "body": "b"}),
        )
        .await,
    )
    .await;
    let reply_to = token::reply_address(KEY, "support@acme.test", t.number);
    let messages: Vec<String> = (0..n)
        .map(|i| {
            match i % 3 {
                0 => mail(
                    "ada@customer.test",
                    &reply_to,
                    &format!("Re: {i}"),
                    "",
                    "By token.\n\n> quoted",
                ),
                1 => mail(
                    "ada@customer.test",
                    "support@acme.test",
                    &format!("Re: {i}"),
                    &format!(
                        "In-Reply-To: <{}>\nReferences: <a@b> <{}>\n",
                        sent.message_id, sent.message_id
                    ),
                    "By Message-ID.",
                ),
                _ => mail(
                    &format!("new{i}@customer.test"),
                    "support@acme.test",
                    &format!("Problem {i}"),
                    "",
                    "A new ticket.",
                ),
            }
            .replace('\n', "\r\n")
        })
        .collect();
    let cfg = MailConfig::new("Acme Support <support@acme.test>", KEY.to_vec()).unwrap();
    let db = app.db.clone();
    let elapsed = tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        for raw in &messages {
            db.write_blocking(|c| {
                Ok(lazo_service::email::inbound::receive(
                    c,
                    &cfg,
                    raw.as_bytes(),
                    "bench",
                )?)
            })
            .unwrap();
        }
        start.elapsed()
    })
    .await
    .unwrap();
    let tid = t.id;
    let on_ticket = app
        .db
        .write_blocking(move |c| {
            use diesel::prelude::*;
            use lazo_api::db::schema::emails;
            Ok(emails::table
                .filter(emails::ticket_id.eq(tid))
                .count()
                .get_result::<i64>(c)? as usize)
        })
        .unwrap();
    eprintln!(
        "BENCH inbound: {n} messages parsed, matched and written in {:.2}s ({:.0}/s); {on_ticket} on the replied-to ticket",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    // The outbound email plus every reply (i % 3 != 2).
    assert_eq!(on_ticket, 1 + (0..n).filter(|i| i % 3 != 2).count());
    // Each new sender opened one ticket of their own.
    let strangers = (0..n).filter(|i| i % 3 == 2).count();
    let opened = app
        .db
        .write_blocking(|c| {
            use diesel::prelude::*;
            use lazo_api::db::schema::tickets;
            Ok(tickets::table
                .filter(tickets::requester_email.like("new%@customer.test"))
                .count()
                .get_result::<i64>(c)? as usize)
        })
        .unwrap();
    assert_eq!(opened, strangers);
}
