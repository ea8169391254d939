//! Email over HTTP: templates, sending from a ticket, delivery by a real job
//! worker to a real SMTP server (maildev on loopback), SMTP outages and
//! permanent failures, retry.

use crate::common;
use crate::mail;

use common::*;
use lazo_api::jobs::{tasks, Registry, Worker};
use lazo_api::state::Config;
use lazo_domain::email::{Email, EmailPage, EmailTemplate};
use lazo_domain::wire::{CommentPage, HistoryPage, Ticket};
use lazo_service::email::{delivery, token, MailConfig};
use mail::{header, MailDev};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

const TOKEN_KEY: &[u8] = b"test-token-key";

fn mail_config(smtp_url: Option<String>) -> Arc<MailConfig> {
    let mut cfg = MailConfig::new("Acme Support <support@acme.test>", TOKEN_KEY.to_vec()).unwrap();
    cfg.smtp_url = smtp_url;
    cfg.smtp_timeout = std::time::Duration::from_secs(5);
    Arc::new(cfg)
}

async fn spawn(mail: Arc<MailConfig>) -> TestApp {
    TestApp::spawn_with(Config {
        mail,
        ..Config::default()
    })
    .await
}

fn worker(app: &TestApp, mail: Arc<MailConfig>) -> Arc<Worker> {
    let mut r: Registry = tasks::standard();
    delivery::register(&mut r, mail);
    Arc::new(Worker::new(app.db.storage(), r, quick_worker()))
}

/// Worker rounds until the email reaches `state` (or 20 s pass).
async fn deliver_until(
    app: &TestApp,
    w: &Arc<Worker>,
    token: &str,
    ticket: i64,
    email: i64,
    state: &str,
) -> Email {
    let start = std::time::Instant::now();
    loop {
        let w2 = w.clone();
        tokio::task::spawn_blocking(move || w2.tick().expect("a worker round"))
            .await
            .unwrap();
        let page: EmailPage = ok(app
            .get(token, &format!("/api/v1/tickets/{ticket}/emails"))
            .await)
        .await;
        let e = page
            .items
            .into_iter()
            .find(|e| e.id == email)
            .expect("the email");
        if serde_json::to_value(e.state).unwrap() == state {
            return e;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "email still {:?} ({:?})",
            e.state,
            e.smtp_answer
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn customer_ticket(app: &TestApp, token: &str, email: &str, language: &str) -> Ticket {
    app.create_ticket(
        token,
        &json!({
            "subject": "Late delivery",
            "requester": {"email": email, "name": "Ada Customer", "language": language},
        }),
    )
    .await
}

#[tokio::test]
async fn templates_are_managed_by_admins_and_checked_when_saved() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let agent = app.login(ANA).await;
    let body = json!({"name": "Follow-up", "subject": "About #{{ ticket.number }}", "body": "Hello {{ contact.name }}"});
    let t: EmailTemplate = created(app.post(&admin, "/api/v1/email-templates", &body).await).await;
    assert_eq!(serde_json::to_value(t.language).unwrap(), "en");

    // Agents may read them but not change them.
    problem(
        app.post(&agent, "/api/v1/email-templates", &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let list: Vec<EmailTemplate> = ok(app.get(&agent, "/api/v1/email-templates").await).await;
    assert_eq!(list.len(), 1);

    // Same name and language: taken; another language: a variant.
    let p = problem(
        app.post(&admin, "/api/v1/email-templates", &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(fields(&p), ["name"]);
    let mut es = body.clone();
    es["language"] = json!("es");
    es["body"] = json!("Hola {{ contact.name }}");
    let _: EmailTemplate = created(app.post(&admin, "/api/v1/email-templates", &es).await).await;

    // A template that does not parse, or names an unknown placeholder, is a
    // 422 naming the field.
    let p = problem(
        app.post(
            &admin,
            "/api/v1/email-templates",
            &json!({"name": "Bad", "subject": "ok", "body": "{% if %}"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["body"]);
    let p = problem(
        app.patch(
            &admin,
            &format!("/api/v1/email-templates/{}", t.id),
            &json!({"subject": "{{ contact.nmae }}"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["subject"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/email-templates",
            &json!({"name": "Bad", "language": "de", "subject": "s", "body": "b"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        !p.errors.is_empty() || p.detail.as_deref().unwrap_or("").contains("language"),
        "{p:?}"
    );

    let t2: EmailTemplate = ok(app
        .patch(
            &admin,
            &format!("/api/v1/email-templates/{}", t.id),
            &json!({"subject": "Re: {{ ticket.subject }}"}),
        )
        .await)
    .await;
    assert_eq!(t2.subject, "Re: {{ ticket.subject }}");
    assert_eq!(t2.body, t.body);
    let res = app
        .delete(&admin, &format!("/api/v1/email-templates/{}", t.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&admin, &format!("/api/v1/email-templates/{}", t.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_template_email_arrives_with_threading_headers_and_a_signed_reply_to() {
    let smtp = MailDev::start(&[]).await;
    let cfg = mail_config(Some(smtp.smtp_url()));
    let app = spawn(cfg.clone()).await;
    let admin = app.login(ADMIN).await;
    let agent = app.login(LUCIA).await;
    let en: EmailTemplate = created(
        app.post(
            &admin,
            "/api/v1/email-templates",
            &json!({
                "name": "Follow-up", "subject": "Your ticket", "body": "Hello {{ contact.name }}"
            }),
        )
        .await,
    )
    .await;
    let _es: EmailTemplate = created(
        app.post(
            &admin,
            "/api/v1/email-templates",
            &json!({
                "name": "Follow-up", "language": "es", "subject": "Su caso {{ ticket.number }}",
                "body": "Hola {{ contact.name }}, soy {{ agent.name }}."
            }),
        )
        .await,
    )
    .await;
    let ticket = customer_ticket(&app, &agent, "ada@customer.test", "es").await;

    // The English template id, rendered in the contact's language (es).
    let e: Email = created(
        app.post(
            &agent,
            &format!("/api/v1/tickets/{}/emails", ticket.id),
            &json!({"template_id": en.id}),
        )
        .await,
    )
    .await;
    assert_eq!(e.to, "ada@customer.test");
    assert_eq!(serde_json::to_value(e.state).unwrap(), "queued");
    assert_eq!(e.subject, format!("Su caso {n} [#{n}]", n = ticket.number));
    assert!(e.body.starts_with("Hola Ada Customer, soy "), "{}", e.body);

    // The queued email is on the ticket's history.
    let h: HistoryPage = ok(app
        .get(&agent, &format!("/api/v1/tickets/{}/history", ticket.id))
        .await)
    .await;
    assert!(h
        .items
        .iter()
        .any(|i| i.field == "email_queued" && i.new_value.as_deref() == Some("ada@customer.test")));

    let w = worker(&app, cfg.clone());
    let sent = deliver_until(&app, &w, &agent, ticket.id, e.id, "sent").await;
    assert!(
        sent.smtp_answer.as_deref().unwrap_or("").starts_with("250"),
        "{:?}",
        sent.smtp_answer
    );
    assert!(sent.sent_at.is_some());

    let msgs = smtp.wait_for(1).await;
    let m = &msgs[0];
    assert_eq!(m["subject"], e.subject);
    assert_eq!(m["to"][0]["address"], "ada@customer.test");
    assert_eq!(m["from"][0]["address"], "support@acme.test");
    assert_eq!(
        header(m, "message-id"),
        Some(format!("<{}>", e.message_id).as_str())
    );
    assert!(e.message_id.ends_with("@acme.test"));
    let reply_to = m["headers"]["reply-to"].as_str().expect("a Reply-To");
    let addr = reply_to
        .trim_start_matches(|c| c != '<')
        .trim_matches(|c| c == '<' || c == '>');
    let addr = if addr.is_empty() { reply_to } else { addr };
    assert!(
        addr.starts_with(&format!("support+t{}.", ticket.number)),
        "{reply_to}"
    );
    assert_eq!(token::ticket_of(TOKEN_KEY, addr), Some(ticket.number));
    assert!(m["text"].as_str().unwrap().contains("Hola Ada Customer"));

    // A second email threads under the first.
    let e2: Email = created(
        app.post(
            &agent,
            &format!("/api/v1/tickets/{}/emails", ticket.id),
            &json!({
                "subject": "One more thing", "body": "Plain text, no template."
            }),
        )
        .await,
    )
    .await;
    assert_eq!(e2.in_reply_to.as_deref(), Some(e.message_id.as_str()));
    deliver_until(&app, &w, &agent, ticket.id, e2.id, "sent").await;
    let msgs = smtp.wait_for(2).await;
    let m2 = msgs
        .iter()
        .find(|m| header(m, "message-id") == Some(&format!("<{}>", e2.message_id)))
        .unwrap();
    assert_eq!(
        header(m2, "in-reply-to"),
        Some(format!("<{}>", e.message_id).as_str())
    );
    assert!(header(m2, "references").unwrap().contains(&e.message_id));
    assert_eq!(
        m2["subject"],
        format!("One more thing [#{}]", ticket.number)
    );

    // Thread, oldest first.
    let page: EmailPage = ok(app
        .get(&agent, &format!("/api/v1/tickets/{}/emails", ticket.id))
        .await)
    .await;
    assert_eq!(
        page.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [e.id, e2.id]
    );

    // A sent email cannot be retried.
    problem_code(
        app.post(
            &agent,
            &format!("/api/v1/tickets/{}/emails/{}/retry", ticket.id, e.id),
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_not_retryable",
    )
    .await;
}

#[tokio::test]
async fn bad_sends_are_refused_with_the_field_named() {
    let app = spawn(mail_config(None)).await;
    let agent = app.login(LUCIA).await;
    let no_contact = app
        .create_ticket(&agent, &json!({"subject": "Walk-in"}))
        .await;
    let url = format!("/api/v1/tickets/{}/emails", no_contact.id);
    let p = problem(
        app.post(&agent, &url, &json!({"subject": "s", "body": "b"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["to"]);
    let p = problem(
        app.post(
            &agent,
            &url,
            &json!({"to": "not-an-address", "subject": "s", "body": "b"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["to"]);
    let p = problem(
        app.post(&agent, &url, &json!({"to": "a@b.test"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["subject", "body"]);
    let p = problem(
        app.post(
            &agent,
            &url,
            &json!({"to": "a@b.test", "template_id": 999_999}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["template_id"]);
    problem(
        app.post(
            &agent,
            "/api/v1/tickets/999999/emails",
            &json!({"to": "a@b.test", "subject": "s", "body": "b"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Given explicitly, the recipient is used as is.
    let e: Email = created(
        app.post(
            &agent,
            &url,
            &json!({"to": "Someone@Else.test", "subject": "s", "body": "b"}),
        )
        .await,
    )
    .await;
    assert_eq!(e.to, "someone@else.test");
}

#[tokio::test]
async fn smtp_down_during_a_send_then_up_delivers_exactly_once() {
    let mut smtp = MailDev::stopped(&[]);
    let cfg = mail_config(Some(smtp.smtp_url()));
    let app = spawn(cfg.clone()).await;
    let agent = app.login(LUCIA).await;
    let ticket = customer_ticket(&app, &agent, "bob@customer.test", "en").await;
    let e: Email = created(
        app.post(
            &agent,
            &format!("/api/v1/tickets/{}/emails", ticket.id),
            &json!({
                "subject": "Checking in", "body": "Did it arrive?"
            }),
        )
        .await,
    )
    .await;

    // Server down: the try fails, the email waits (queued, error kept).
    let w = worker(&app, cfg.clone());
    let w2 = w.clone();
    tokio::task::spawn_blocking(move || w2.tick().unwrap())
        .await
        .unwrap();
    let page: EmailPage = ok(app
        .get(&agent, &format!("/api/v1/tickets/{}/emails", ticket.id))
        .await)
    .await;
    let waiting = &page.items[0];
    assert_eq!(serde_json::to_value(waiting.state).unwrap(), "queued");
    assert_eq!(waiting.attempts, 1);
    assert!(waiting.smtp_answer.is_some());

    smtp.up().await;
    let sent = deliver_until(&app, &w, &agent, ticket.id, e.id, "sent").await;
    assert!(sent.attempts >= 2);
    // More rounds change nothing: the job is done and the row says sent.
    for _ in 0..5 {
        let w2 = w.clone();
        tokio::task::spawn_blocking(move || w2.tick().unwrap())
            .await
            .unwrap();
    }
    let msgs = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let msgs2 = smtp.messages().await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs2.len(), 1);
    assert_eq!(
        header(&msgs2[0], "message-id"),
        Some(format!("<{}>", e.message_id).as_str())
    );
}

#[tokio::test]
async fn a_permanent_smtp_failure_marks_the_email_failed_with_a_note_and_retry_sends_it() {
    // This server wants a login: without one it answers 530 (permanent).
    let smtp = MailDev::start(&["--incoming-user", "lazo", "--incoming-pass", "s3cret"]).await;
    let cfg = mail_config(Some(smtp.smtp_url()));
    let app = spawn(cfg.clone()).await;
    let agent = app.login(LUCIA).await;
    let ticket = customer_ticket(&app, &agent, "cy@customer.test", "en").await;
    let e: Email = created(
        app.post(
            &agent,
            &format!("/api/v1/tickets/{}/emails", ticket.id),
            &json!({
                "subject": "Hello", "body": "Anyone there?"
            }),
        )
        .await,
    )
    .await;
    let failed = deliver_until(
        &app,
        &worker(&app, cfg.clone()),
        &agent,
        ticket.id,
        e.id,
        "failed",
    )
    .await;
    let answer = failed.smtp_answer.clone().unwrap();
    assert!(
        answer.contains("530") || answer.to_lowercase().contains("auth"),
        "{answer}"
    );
    assert_eq!(failed.attempts, 1, "a permanent failure is not retried");

    // An internal note and a history entry tell the agents.
    let notes: CommentPage = ok(app
        .get(&agent, &format!("/api/v1/tickets/{}/comments", ticket.id))
        .await)
    .await;
    let note = notes
        .items
        .iter()
        .find(|c| c.internal && c.body.contains("could not be delivered"))
        .expect("a note");
    assert!(note.body.contains(&answer));
    let h: HistoryPage = ok(app
        .get(&agent, &format!("/api/v1/tickets/{}/history", ticket.id))
        .await)
    .await;
    assert!(h.items.iter().any(|i| i.field == "email_failed"));
    assert!(smtp.messages().await.is_empty());

    // With the credentials configured, "retry now" sends the same message.
    let authed = mail_config(Some(format!(
        "smtp://lazo:s3cret@127.0.0.1:{}",
        smtp.smtp_port
    )));
    let again: Email = ok(app
        .post(
            &agent,
            &format!("/api/v1/tickets/{}/emails/{}/retry", ticket.id, e.id),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!(serde_json::to_value(again.state).unwrap(), "queued");
    deliver_until(&app, &worker(&app, authed), &agent, ticket.id, e.id, "sent").await;
    let msgs = smtp.wait_for(1).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        header(&msgs[0], "message-id"),
        Some(format!("<{}>", e.message_id).as_str())
    );
}
