//! Notifications through HTTP: who is told of what, nobody of their own
//! change, preferences per kind, the bell's paging and unread count, and the
//! email copy delivered to a real SMTP server (maildev) without the
//! customer's message.

use crate::common;
use crate::mail;

use common::*;
use diesel::prelude::*;
use lazo_api::db::schema::events;
use lazo_api::state::Config;
use lazo_domain::notification::{MarkedRead, NotificationPage, NotificationPrefs};
use lazo_domain::NotificationKind;
use lazo_service::email::MailConfig;
use mail::MailDev;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

fn mail_config(smtp_url: Option<String>) -> Arc<MailConfig> {
    let mut cfg = MailConfig::new("Acme Support <support@acme.test>", b"k".to_vec()).unwrap();
    cfg.smtp_url = smtp_url;
    cfg.smtp_timeout = std::time::Duration::from_secs(5);
    Arc::new(cfg)
}

async fn bell(app: &TestApp, token: &str) -> NotificationPage {
    ok(app.get(token, "/api/v1/notifications?limit=200").await).await
}

/// Turns every kind's email off for the person behind `token`, the bell on.
async fn no_email(app: &TestApp, token: &str) {
    let prefs: NotificationPrefs = ok(app.get(token, "/api/v1/notifications/prefs").await).await;
    let items: Vec<_> = prefs
        .items
        .iter()
        .map(|p| json!({"kind": p.kind, "in_app": true, "email": false}))
        .collect();
    let res = app
        .request(reqwest::Method::PUT, token, "/api/v1/notifications/prefs")
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_owner_or_the_group_hears_of_changes_but_nobody_of_their_own() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let (ana, marc, lucia) = (
        app.login(ANA).await,
        app.login(MARC).await,
        app.login(LUCIA).await,
    );
    let d = app.demo(&admin).await;
    let w = notification_worker(&app, mail_config(None), "https://lazo.acme.test");
    // Everyone turns email off: this test is about the bell.
    for t in [&ana, &marc, &lucia, &admin] {
        no_email(&app, t).await;
    }
    settle(&app, &w).await;
    let before = |p: &NotificationPage| p.items.first().map(|n| n.id).unwrap_or(0);
    let (a0, m0, l0) = (
        before(&bell(&app, &ana).await),
        before(&bell(&app, &marc).await),
        before(&bell(&app, &lucia).await),
    );

    // A ticket for Support goes to its single manager, Lucia (the group
    // rule): she hears of it; the other members do not.
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Cold coffee", "group_id": d.support}),
        )
        .await;
    assert_eq!(t.owner.as_ref().map(|o| o.id), Some(d.lucia));
    settle(&app, &w).await;
    let p = bell(&app, &lucia).await;
    let new: Vec<_> = p.items.iter().filter(|n| n.id > l0).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].kind, NotificationKind::Created);
    assert_eq!(new[0].ticket_id, Some(t.id));
    assert_eq!(new[0].title, format!("#{} Cold coffee", t.number));
    assert_eq!(new[0].actor, "Alex Admin");
    let count = |p: &NotificationPage, since: i64| p.items.iter().filter(|n| n.id > since).count();
    assert_eq!(count(&bell(&app, &ana).await, a0), 0);
    assert_eq!(count(&bell(&app, &marc).await, m0), 0);

    // Ana takes it herself: nobody hears of Ana's own change (she is the
    // new owner; Lucia is no longer responsible).
    let res = app
        .patch(
            &ana,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"owner_id": d.ana}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    settle(&app, &w).await;
    assert_eq!(
        count(&bell(&app, &ana).await, a0),
        0,
        "not told of her own change"
    );
    assert_eq!(count(&bell(&app, &lucia).await, l0), 1);

    // The admin escalates and changes the status: Ana, the owner, hears once
    // per change, and the escalation says so.
    let a1 = before(&bell(&app, &ana).await);
    app.patch(
        &admin,
        &format!("/api/v1/tickets/{}", t.id),
        &json!({"priority": "critical"}),
    )
    .await;
    app.patch(
        &admin,
        &format!("/api/v1/tickets/{}", t.id),
        &json!({"status_id": d.open}),
    )
    .await;
    app.post(
        &admin,
        &format!("/api/v1/tickets/{}/comments", t.id),
        &json!({"body": "Please call them", "internal": true}),
    )
    .await;
    settle(&app, &w).await;
    let p = bell(&app, &ana).await;
    let new: Vec<_> = p.items.iter().filter(|n| n.id > a1).collect();
    let kinds: Vec<_> = new.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::Commented,
            NotificationKind::Status,
            NotificationKind::Escalated
        ],
        "newest first"
    );
    // Ana reads Spanish: the words, the priority and the status names are
    // hers (the statuses' Spanish names).
    assert_eq!(new[2].detail, "Prioridad: media → crítica");
    assert_eq!(new[1].detail, "Estado: Nuevo → Abierto");
    assert_eq!(new[0].detail, "Nueva nota interna");
    // The app asks for the language it shows (Accept-Language): the same
    // notifications read in French or English, names included; without a
    // header they read as written for her account, the words of her emails.
    let read_in = |lang: &'static str| {
        let (app, ana) = (&app, &ana);
        async move {
            let res = app
                .request(reqwest::Method::GET, ana, "/api/v1/notifications?limit=200")
                .header("Accept-Language", lang)
                .send()
                .await
                .unwrap();
            let header = |n: &str| res.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
            let (content, vary) = (header("content-language"), header("vary"));
            let p: NotificationPage = ok(res).await;
            let texts: Vec<String> = p
                .items
                .iter()
                .filter(|n| n.id > a1)
                .map(|n| n.detail.clone())
                .collect();
            (texts, content, vary)
        }
    };
    let (fr, content, vary) = read_in("fr-CA,fr;q=0.9,en;q=0.8").await;
    assert_eq!(
        fr,
        [
            "Nouvelle note interne",
            "Statut: Nouveau → Ouvert",
            "Priorité: moyenne → critique"
        ]
    );
    assert_eq!(content.as_deref(), Some("fr"));
    assert!(
        vary.is_some_and(|v| v.to_lowercase().contains("accept-language")),
        "a cache must not hand French to a Spanish reader"
    );
    let (en, content, _) = read_in("de-DE, en;q=0.5").await;
    assert_eq!(
        en,
        [
            "New internal note",
            "Status: New → Open",
            "Priority: medium → critical"
        ]
    );
    assert_eq!(content.as_deref(), Some("en"));
    // Only languages Lazo does not speak: English, as the app shows.
    assert_eq!(read_in("de").await.0[1], "Status: New → Open");
    let (es, content, _) = read_in("*").await;
    assert_eq!(es[2], "Prioridad: media → crítica");
    assert_eq!(content, None);
    assert_eq!(
        p.unread,
        p.items.iter().filter(|n| n.read_at.is_none()).count() as i64
    );
    // Marc hears nothing of Ana's ticket.
    assert_eq!(count(&bell(&app, &marc).await, m0), 0);

    // Reassigning to Marc tells Marc.
    app.patch(
        &admin,
        &format!("/api/v1/tickets/{}", t.id),
        &json!({"owner_id": d.marc}),
    )
    .await;
    settle(&app, &w).await;
    let p = bell(&app, &marc).await;
    assert_eq!(p.items[0].kind, NotificationKind::Assigned);
    // Marc reads French.
    assert!(
        p.items[0]
            .detail
            .starts_with("Responsable: Ana García → Marc"),
        "{}",
        p.items[0].detail
    );

    // Mark read: one, then all; the count follows; others' are untouched.
    let unread = bell(&app, &ana).await.unread;
    assert!(unread >= 3);
    let first = bell(&app, &ana).await.items[0].id;
    let r: MarkedRead = ok(app
        .post(&ana, "/api/v1/notifications/read", &json!({"ids": [first]}))
        .await)
    .await;
    assert_eq!((r.marked, r.unread), (1, unread - 1));
    // Someone else's id is not marked.
    let marcs = bell(&app, &marc).await.items[0].id;
    let r: MarkedRead = ok(app
        .post(&ana, "/api/v1/notifications/read", &json!({"ids": [marcs]}))
        .await)
    .await;
    assert_eq!(r.marked, 0);
    let r: MarkedRead = ok(app
        .post(&ana, "/api/v1/notifications/read", &json!({"all": true}))
        .await)
    .await;
    assert_eq!(r.unread, 0);
    let only_unread: NotificationPage =
        ok(app.get(&ana, "/api/v1/notifications?unread=true").await).await;
    assert!(only_unread.items.is_empty());
    assert!(bell(&app, &marc).await.unread > 0);

    // Paging.
    let page: NotificationPage = ok(app.get(&ana, "/api/v1/notifications?limit=2").await).await;
    assert_eq!(page.items.len(), 2);
    let next: NotificationPage = ok(app
        .get(
            &ana,
            &format!(
                "/api/v1/notifications?limit=2&cursor={}",
                page.next_cursor.unwrap()
            ),
        )
        .await)
    .await;
    assert!(next.items[0].id < page.items[1].id);

    // An import of old tickets rings no bell, even for their owner.
    let before_import = bell(&app, &marc).await.items.len();
    let res = app
        .post(
            &admin,
            "/api/v1/import/tickets",
            &json!({"tickets": [{"external_id": "old-1", "subject": "From the old desk",
                "owner_id": d.marc, "created_at": "2024-01-02T10:00:00Z"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    settle(&app, &w).await;
    assert_eq!(bell(&app, &marc).await.items.len(), before_import);

    // Fanning the last event out again (as after a crash before the
    // fan-out's commit) adds nothing.
    let n = bell(&app, &marc).await.items.len();
    app.db
        .write_blocking(|c| {
            let last: i64 = events::table
                .select(diesel::dsl::max(events::id))
                .first::<Option<i64>>(c)?
                .unwrap();
            diesel::update(events::table.find(last))
                .set((
                    events::dispatched_at.eq(None::<chrono::NaiveDateTime>),
                    events::position.eq(None::<i64>),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    settle(&app, &w).await;
    assert_eq!(bell(&app, &marc).await.items.len(), n);
}

/// Forty new tickets fanned out in one batch: the batch reads people,
/// preferences and tickets once for all its events, and still each owner
/// hears once of each of their tickets, nobody else does, and an email job
/// follows exactly the notifications of people who want that email.
#[tokio::test]
async fn one_fan_out_batch_tells_each_person_once_per_event() {
    use lazo_api::db::schema::jobs;
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let marc = app.login(MARC).await;
    let d = app.demo(&admin).await;
    let w = notification_worker(&app, mail_config(None), "https://lazo.acme.test");
    // Marc wants no email at all; Ana and Lucia keep the defaults.
    no_email(&app, &marc).await;
    settle(&app, &w).await;
    let last_id: i64 = app
        .db
        .write_blocking(|c| {
            Ok(lazo_api::db::schema::notifications::table
                .select(diesel::dsl::max(lazo_api::db::schema::notifications::id))
                .first::<Option<i64>>(c)?
                .unwrap_or(0))
        })
        .unwrap();

    // Owners round-robin over Ana, Marc and (through Support's rule) Lucia.
    let mut owner_of = std::collections::HashMap::new();
    for i in 0..40 {
        let body = match i % 3 {
            0 => json!({"subject": format!("Batch {i}"), "owner_id": d.ana}),
            1 => json!({"subject": format!("Batch {i}"), "owner_id": d.marc}),
            _ => json!({"subject": format!("Batch {i}"), "group_id": d.support}),
        };
        let t = app.create_ticket(&admin, &body).await;
        owner_of.insert(t.id, t.owner.expect("every batch ticket has an owner").id);
    }
    // One worker round fans all forty out together.
    let w2 = w.clone();
    let fanned = tokio::task::spawn_blocking(move || w2.tick().expect("a worker round"))
        .await
        .unwrap();
    assert!(fanned >= 40, "one round took the batch: {fanned}");
    settle(&app, &w).await;

    let rows: Vec<(i64, i64, Option<i64>, String)> = app
        .db
        .write_blocking(move |c| {
            use lazo_api::db::schema::notifications as n;
            Ok(n::table
                .filter(n::id.gt(last_id))
                .order(n::id)
                .select((n::id, n::user_id, n::ticket_id, n::kind))
                .load(c)?)
        })
        .unwrap();
    assert_eq!(rows.len(), 40, "one notification per ticket: {rows:?}");
    let mut told = std::collections::HashMap::new();
    for (_, uid, tid, kind) in &rows {
        let tid = tid.expect("a ticket notification");
        assert_eq!(kind, "created");
        assert_eq!(
            Some(uid),
            owner_of.get(&tid),
            "ticket {tid}: its owner is told"
        );
        assert!(told.insert(tid, *uid).is_none(), "ticket {tid} told twice");
    }
    // The bell shows them too, newest first, each with its own title.
    let p = bell(&app, &marc).await;
    let marcs: Vec<_> = p.items.iter().filter(|n| n.id > last_id).collect();
    assert_eq!(
        marcs.len(),
        owner_of.values().filter(|o| **o == d.marc).count()
    );
    assert!(marcs.windows(2).all(|w| w[0].id > w[1].id));
    assert!(marcs
        .iter()
        .all(|n| n.title.starts_with('#') && n.title.contains("Batch")));

    // Email jobs: exactly for the notifications of people who want a
    // "created" email (Marc turned his off).
    let keys: std::collections::HashSet<String> = app
        .db
        .write_blocking(|c| {
            Ok(jobs::table
                .filter(jobs::kind.eq("notification.email"))
                .select(jobs::unique_key)
                .load::<Option<String>>(c)?
                .into_iter()
                .flatten()
                .collect())
        })
        .unwrap();
    let ana_prefs: NotificationPrefs = ok(app
        .get(&app.login(ANA).await, "/api/v1/notifications/prefs")
        .await)
    .await;
    let ana_emails_created = ana_prefs
        .items
        .iter()
        .any(|p| p.kind == NotificationKind::Created && p.email);
    assert!(ana_emails_created, "a new ticket is emailed by default");
    for (id, uid, _, _) in &rows {
        let want = *uid != d.marc && ana_emails_created;
        assert_eq!(
            keys.contains(&format!("notification.email:{id}")),
            want,
            "notification {id} for user {uid}"
        );
    }
}

#[tokio::test]
async fn preferences_switch_kinds_off_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let w = notification_worker(&app, mail_config(None), "https://lazo.acme.test");
    let prefs: NotificationPrefs = ok(app.get(&ana, "/api/v1/notifications/prefs").await).await;
    assert_eq!(prefs.items.len(), NotificationKind::ALL.len());
    let status = prefs
        .items
        .iter()
        .find(|p| p.kind == NotificationKind::Status)
        .unwrap();
    assert!(
        status.in_app && !status.email,
        "status changes are not emailed by default"
    );
    let assigned = prefs
        .items
        .iter()
        .find(|p| p.kind == NotificationKind::Assigned)
        .unwrap();
    assert!(assigned.email, "assignment is emailed by default");

    let put = |body: serde_json::Value| {
        app.request(reqwest::Method::PUT, &ana, "/api/v1/notifications/prefs")
            .json(&body)
            .send()
    };
    let res = put(json!({"items": [
        {"kind": "status", "in_app": false, "email": false},
        {"kind": "assigned", "in_app": true, "email": false},
        {"kind": "escalated", "in_app": true, "email": false},
        {"kind": "created", "in_app": true, "email": false},
    ]}))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    settle(&app, &w).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Quiet", "owner_id": d.ana}))
        .await;
    settle(&app, &w).await;
    let since = bell(&app, &ana).await.items[0].id;
    app.patch(
        &admin,
        &format!("/api/v1/tickets/{}", t.id),
        &json!({"status_id": d.open}),
    )
    .await;
    settle(&app, &w).await;
    assert_eq!(bell(&app, &ana).await.items[0].id, since, "status is off");

    for (body, field) in [(
        json!({"items": [{"kind": "status", "in_app": true, "email": true}, {"kind": "status", "in_app": true, "email": true}]}),
        "items[1].kind",
    )] {
        let p = problem(put(body).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), [field]);
    }
    for body in [
        json!({"items": [{"kind": "weather", "in_app": true, "email": true}]}),
        json!({"items": [{"kind": "status"}]}),
        json!([]),
    ] {
        let res = put(body.clone()).await.unwrap();
        assert!(res.status().is_client_error(), "{body}: {}", res.status());
    }
    let p = problem(
        app.post(&ana, "/api/v1/notifications/read", &json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["ids"]);
    // Tokens have no notifications.
    let tok: serde_json::Value = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "crm", "scopes": ["tickets:read"]}),
        )
        .await,
    )
    .await;
    let secret = tok["secret"].as_str().unwrap();
    assert_eq!(
        app.get(secret, "/api/v1/notifications").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("", "/api/v1/notifications").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_assignment_and_a_customer_reply_are_emailed_without_the_customers_words() {
    let smtp = MailDev::start(&[]).await;
    let cfg = mail_config(Some(smtp.smtp_url()));
    let app = TestApp::spawn_with(Config {
        mail: cfg.clone(),
        ..Config::default()
    })
    .await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let w = notification_worker(&app, cfg, "https://lazo.acme.test");
    settle(&app, &w).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Broken lamp", "owner_id": d.ana, "requester": {"email": "pia@example.com"}}),
        )
        .await;
    settle(&app, &w).await;
    // The customer writes in, quoting the ticket number.
    let raw = format!(
        "From: pia@example.com\r\nTo: support@acme.test\r\nSubject: Re: [#{}] Broken lamp\r\nMessage-ID: <pia-1@example.com>\r\n\r\nMy secret words about the lamp.\r\n",
        t.number
    );
    let res = app
        .request(reqwest::Method::POST, &admin, "/api/v1/inbound/email")
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    settle(&app, &w).await;
    let got = smtp.wait_for(2).await;
    assert_eq!(got.len(), 2, "{got:#?}");
    for m in &got {
        assert_eq!(m["to"][0]["address"], "ana@demo.lazo");
        assert_eq!(mail::header(m, "auto-submitted"), Some("auto-generated"));
        let text = m["text"].as_str().unwrap_or_default();
        assert!(
            text.contains(&format!("https://lazo.acme.test/tickets/{}", t.number)),
            "{text}"
        );
        assert!(!text.contains("secret words"), "{text}");
        // Ana's language, around the detail too.
        assert!(
            text.contains("Recibes este correo por tus ajustes de notificaciones"),
            "{text}"
        );
    }
    let subjects: Vec<&str> = got.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert!(
        subjects.iter().any(|s| s.ends_with(": Ticket nuevo")),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.ends_with(": El cliente respondió por correo")),
        "{subjects:?}"
    );
    // Delivered once: more rounds send nothing more.
    settle(&app, &w).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().await.len(), 2);
}
