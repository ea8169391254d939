//! `GET /tickets/counts` from the `ticket_counts` rollup (migration 000009)
//! after every kind of ticket write: the rollup holds exactly what a GROUP BY
//! over the tickets gives, and the counts equal the tickets the list returns
//! (every page), for an admin and an agent, over many filter combinations,
//! ranges cut mid-day included, with deltas pending and after compaction
//! (PostgreSQL), and with concurrent creates.

use crate::common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use common::*;
use diesel::prelude::*;
use lazo_api::db::schema::{ticket_count_deltas, ticket_counts, ticket_month_counts, tickets};
use lazo_domain::feedback::ImportResult;
use lazo_domain::wire::{Ticket, TicketCounts};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;

/// The key of a rollup row: (day, status, category, priority, owner, group,
/// parent owner, parent group, type, source), NULL as 0 / "".
type Key = (i64, i64, String, i16, i64, i64, i64, i64, i64, String);

/// What the rollup must hold, computed here from the tickets themselves.
fn expected_rollup(app: &TestApp) -> BTreeMap<Key, i64> {
    type Row = (
        NaiveDateTime,
        i64,
        String,
        i16,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = app
        .db
        .write_blocking(|c| {
            Ok(tickets::table
                .select((
                    tickets::created_at,
                    tickets::status_id,
                    tickets::status_category,
                    tickets::priority,
                    tickets::owner_id,
                    tickets::group_id,
                    tickets::parent_owner_id,
                    tickets::parent_group_id,
                    tickets::type_id,
                    tickets::source,
                ))
                .load(c)?)
        })
        .unwrap();
    let mut m = BTreeMap::new();
    for r in rows {
        let day = r.0.and_utc().timestamp().div_euclid(86_400);
        let k = (
            day,
            r.1,
            r.2,
            r.3,
            r.4.unwrap_or(0),
            r.5.unwrap_or(0),
            r.6.unwrap_or(0),
            r.7.unwrap_or(0),
            r.8.unwrap_or(0),
            r.9.unwrap_or_default(),
        );
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// The rows of a rollup table (`ticket_counts`, `ticket_month_counts` or
/// `ticket_count_deltas`) keyed by `$key` (`day` or `month`).
macro_rules! rollup_rows {
    ($app:expr, $t:ident, $key:ident) => {{
        type Row = (i64, i64, String, i16, i64, i64, i64, i64, i64, String, i32);
        let rows: Vec<Row> = $app
            .db
            .write_blocking(|c| {
                Ok($t::table
                    .select((
                        $t::$key,
                        $t::status_id,
                        $t::status_category,
                        $t::priority,
                        $t::owner_id,
                        $t::group_id,
                        $t::parent_owner_id,
                        $t::parent_group_id,
                        $t::type_id,
                        $t::source,
                        $t::n,
                    ))
                    .load(c)?)
            })
            .unwrap();
        rows.into_iter()
            .map(|r| {
                (
                    (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9),
                    i64::from(r.10),
                )
            })
            .collect::<Vec<(Key, i64)>>()
    }};
}

/// Rows added up by key, zero rows left out.
fn summed(rows: impl IntoIterator<Item = (Key, i64)>) -> BTreeMap<Key, i64> {
    let mut m = BTreeMap::new();
    for (k, n) in rows {
        *m.entry(k).or_insert(0) += n;
    }
    m.retain(|_, n| *n != 0);
    m
}

/// The rollup plus its pending deltas, zero rows left out.
fn stored_rollup(app: &TestApp) -> BTreeMap<Key, i64> {
    summed(
        rollup_rows!(app, ticket_counts, day)
            .into_iter()
            .chain(rollup_rows!(app, ticket_count_deltas, day)),
    )
}

/// Months since 1970-01 of a day since 1970-01-01.
fn month_of(day: i64) -> i64 {
    let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(day);
    (i64::from(d.year()) - 1970) * 12 + i64::from(d.month0())
}

/// The day rollup summed per month, as `ticket_month_counts` must hold it.
fn by_month(days: &BTreeMap<Key, i64>) -> BTreeMap<Key, i64> {
    summed(days.iter().map(|(k, n)| {
        let mut k = k.clone();
        k.0 = month_of(k.0);
        (k, *n)
    }))
}

/// The month level as stored, zero rows left out.
fn stored_months(app: &TestApp) -> BTreeMap<Key, i64> {
    summed(rollup_rows!(app, ticket_month_counts, month))
}

/// The month level is the day level (without pending deltas) per month.
fn assert_months_follow_days(app: &TestApp) {
    let days = summed(rollup_rows!(app, ticket_counts, day));
    assert_eq!(stored_months(app), by_month(&days), "months follow days");
}

fn pending_deltas(app: &TestApp) -> i64 {
    app.db
        .write_blocking(|c| Ok(ticket_count_deltas::table.count().get_result(c)?))
        .unwrap()
}

/// What the `tickets.compact_counts` job does.
fn compact(app: &TestApp) -> usize {
    app.db
        .write_blocking(|c| Ok(lazo_api::tickets::rollup::compact(c)?))
        .unwrap()
}

/// The counts endpoint's answer, by status id (zeros left out).
async fn counts(app: &TestApp, token: &str, query: &str) -> BTreeMap<i64, i64> {
    let c: TicketCounts = ok(app
        .get(token, &format!("/api/v1/tickets/counts?{query}"))
        .await)
    .await;
    let by: BTreeMap<i64, i64> = c
        .by_status
        .iter()
        .filter(|s| s.count != 0)
        .map(|s| (s.status.id, s.count))
        .collect();
    assert_eq!(c.total, by.values().sum::<i64>(), "total for {query}");
    by
}

/// Every ticket the list returns for `query`, counted by status.
async fn listed(app: &TestApp, token: &str, query: &str) -> BTreeMap<i64, i64> {
    let mut by = BTreeMap::new();
    for t in app.all_pages(token, &format!("{query}&limit=200")).await {
        *by.entry(t.status.id).or_insert(0) += 1;
    }
    by
}

fn rfc(t: DateTime<Utc>) -> String {
    // Microseconds and an offset: the encoding a script would send.
    urlencoding(&t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

fn urlencoding(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

struct World {
    app: TestApp,
    admin: String,
    ana: String,
    d: Demo,
    /// A time mid-day with imported tickets on both sides of it.
    cut_from: DateTime<Utc>,
    cut_to: DateTime<Utc>,
}

/// The demo organisation, then every kind of ticket write.
async fn world() -> World {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let today = Utc::now()
        .with_hour(0)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();

    // Import: tickets over the last 40 days at 03:00 and 21:00, so a cut at
    // 12:00 leaves tickets of the same day on both sides.
    let owners = [Some(d.ana), Some(d.marc), None, Some(d.sofia)];
    let groups = [Some(d.support), Some(d.billing), None];
    let statuses = [d.new, d.open, d.escalated];
    let priorities = ["low", "medium", "high", "critical"];
    let sources = [Some("email"), Some("phone"), None];
    // Billing only accepts Sofía as owner.
    let owner_in = |g: Option<i64>, i: usize| {
        if g == Some(d.billing) {
            [Some(d.sofia), None][i % 2]
        } else {
            owners[i % 4]
        }
    };
    let mut batch = Vec::new();
    for i in 0..60usize {
        let day = today - Duration::days(40 - (i as i64 * 2 / 3));
        let at = day + Duration::hours(if i % 2 == 0 { 3 } else { 21 });
        let mut t = json!({
            "external_id": format!("old-{i}"),
            "subject": format!("Imported {i}"),
            "status_id": statuses[i % 3],
            "priority": priorities[i % 4],
            "created_at": at.to_rfc3339(),
            "updated_at": at.to_rfc3339(),
        });
        if let Some(o) = owner_in(groups[i % 3], i) {
            t["owner_id"] = json!(o);
        }
        if let Some(g) = groups[i % 3] {
            t["group_id"] = json!(g);
        }
        if i % 5 == 0 {
            t["type_id"] = json!(d.general);
        }
        batch.push(t);
    }
    // And some months back, so long ranges read whole months from the
    // month level and their ends by day.
    for i in 0..16usize {
        let at = today - Duration::days(45 + 9 * i as i64) + Duration::hours(7);
        let mut t = json!({
            "external_id": format!("older-{i}"),
            "subject": format!("Imported long ago {i}"),
            "status_id": statuses[i % 3],
            "priority": priorities[(i + 2) % 4],
            "created_at": at.to_rfc3339(),
            "updated_at": at.to_rfc3339(),
        });
        if let Some(g) = groups[(i + 1) % 3] {
            t["group_id"] = json!(g);
        }
        if let Some(o) = owner_in(groups[(i + 1) % 3], i + 1) {
            t["owner_id"] = json!(o);
        }
        batch.push(t);
    }
    let r: ImportResult = ok(app
        .post(&admin, "/api/v1/import/tickets", &json!({"tickets": batch}))
        .await)
    .await;
    assert!(r.results.iter().all(|x| x.ok), "{:?}", r.results);

    // Create: today's tickets with sources and types.
    let mut made: Vec<Ticket> = Vec::new();
    for i in 0..24usize {
        let mut body = json!({
            "subject": format!("Fresh {i}"),
            "status_id": statuses[i % 3],
            "priority": priorities[(i + 1) % 4],
        });
        if let Some(o) = owner_in(groups[(i + 1) % 3], i + 2) {
            body["owner_id"] = json!(o);
        }
        if let Some(g) = groups[(i + 1) % 3] {
            body["group_id"] = json!(g);
        }
        if let Some(s) = sources[i % 3] {
            body["source"] = json!(s);
        }
        if i % 4 == 0 {
            body["type_id"] = json!(d.general);
        }
        made.push(app.create_ticket(&admin, &body).await);
    }

    // Patch status, priority, owner and group, one field at a time and all
    // at once.
    let patch = |id: i64, body: serde_json::Value| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = app
                .patch(admin, &format!("/api/v1/tickets/{id}"), &body)
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{body}");
        }
    };
    patch(made[0].id, json!({"status_id": d.escalated})).await;
    patch(made[1].id, json!({"priority": "critical"})).await;
    patch(
        made[2].id,
        json!({"owner_id": d.ana, "group_id": d.support}),
    )
    .await;
    patch(made[3].id, json!({"group_id": null, "owner_id": null})).await;
    patch(
        made[4].id,
        json!({"status_id": d.open, "priority": "low", "group_id": d.support, "owner_id": d.marc}),
    )
    .await;
    patch(made[5].id, json!({"subject": "Only the subject"})).await;

    // Bulk: status and owner of several tickets.
    let res = app
        .post(
            &admin,
            "/api/v1/tickets/bulk",
            &json!({"ids": [made[6].id, made[7].id, made[8].id],
                    "changes": {"status_id": d.open, "owner_id": d.sofia}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Merge: the source is closed.
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/merge", made[9].id),
            &json!({"into": made[10].id}),
        )
        .await;
    assert!(res.status().is_success(), "merge: {}", res.status());

    // Sub-tickets. Ana sees Marc's parent (no group) only as the parent of
    // her sub-ticket; she sees Sofía's Billing sub-ticket only while she owns
    // its parent.
    let foreign = app
        .create_ticket(
            &admin,
            &json!({"subject": "Marc's parent", "owner_id": d.marc}),
        )
        .await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", foreign.id),
            &json!({"subject": "Ana's part", "owner_id": d.ana}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let hers = app
        .create_ticket(
            &admin,
            &json!({"subject": "Ana's parent", "owner_id": d.ana}),
        )
        .await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", hers.id),
            &json!({"subject": "Sofía's part", "owner_id": d.sofia, "group_id": d.billing}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second = app
        .create_ticket(
            &admin,
            &json!({"subject": "Changing hands", "owner_id": d.ana}),
        )
        .await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", second.id),
            &json!({"subject": "Follows its parent", "owner_id": d.sofia, "group_id": d.billing}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The parent changes owner and group: its sub-ticket's copies follow.
    patch(second.id, json!({"owner_id": d.marc, "group_id": null})).await;

    // Snooze (the ticket waits in its snooze status).
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/snooze", made[12].id),
            &json!({"until": Utc::now() + Duration::hours(5)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Delete.
    let res = app
        .delete(&admin, &format!("/api/v1/tickets/{}", made[11].id))
        .await;
    assert!(res.status().is_success(), "delete: {}", res.status());

    let cut_from = today - Duration::days(20) + Duration::hours(12) + Duration::microseconds(1);
    let cut_to = today - Duration::days(3) + Duration::hours(12) + Duration::minutes(17);
    World {
        app,
        admin,
        ana,
        d,
        cut_from,
        cut_to,
    }
}

/// Filters the page offers, alone and combined, on and off day boundaries.
fn queries(w: &World) -> Vec<String> {
    let d = &w.d;
    let day_from = (w.cut_from - Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let from = rfc(w.cut_from);
    let to = rfc(w.cut_to);
    vec![
        String::new(),
        format!("status={}", d.open),
        format!("status={},{}", d.new, d.escalated),
        "category=open".into(),
        "category=new,closed".into(),
        "priority=high,critical".into(),
        "owner=me".into(),
        "owner=none".into(),
        format!("owner={}", d.marc),
        format!("owner=none,{}", d.sofia),
        format!("owner=me,{}", d.sofia),
        format!("group={}", d.support),
        "group=none".into(),
        format!("group=none,{}", d.billing),
        format!("type={}", d.general),
        "source=email".into(),
        "source=phone,email".into(),
        format!("created_from={day_from}"),
        format!("created_from={from}"),
        format!("created_to={to}"),
        format!("created_from={from}&created_to={to}"),
        format!("created_from={day_from}&created_to={to}"),
        format!("created_from={from}&category=open&priority=low,high"),
        format!("created_from={from}&group={}&owner=none", d.support),
        format!("created_to={to}&owner=me&status={}", d.new),
        // Whole months in the middle, days at the ends (or none).
        format!("created_from={}", month_first(w, 4)),
        format!("created_to={}", month_first(w, 1)),
        format!(
            "created_from={}&created_to={}",
            month_first(w, 5),
            month_first(w, 2)
        ),
        format!(
            "created_from={}&created_to={}",
            rfc(w.cut_from - Duration::days(75)),
            rfc(w.cut_to - Duration::days(40))
        ),
        format!(
            "created_from={}&owner=none&priority=high,low",
            rfc(w.cut_from - Duration::days(100))
        ),
        // Less than a whole day: the scan alone.
        format!(
            "created_from={from}&created_to={}",
            rfc(w.cut_from + Duration::hours(20))
        ),
        // Not covered by the rollup: the scan, which must agree too.
        "tags=vip".into(),
        "overdue=false".into(),
        format!("origin_group={}", d.support),
        format!("q=Imported&created_from={from}"),
    ]
}

/// The first day of the month `back` months before this one.
fn month_first(w: &World, back: u32) -> String {
    let mut d = w.cut_to.date_naive().with_day(1).unwrap();
    for _ in 0..back {
        d = (d - Duration::days(1)).with_day(1).unwrap();
    }
    d.format("%Y-%m-%d").to_string()
}

async fn assert_counts_match(w: &World, when: &str) {
    for query in queries(w) {
        for (who, token) in [("admin", &w.admin), ("ana", &w.ana)] {
            let got = counts(&w.app, token, &query).await;
            let want = listed(&w.app, token, &query).await;
            assert_eq!(got, want, "{when}: {who}, counts?{query}");
        }
    }
}

#[tokio::test]
async fn counts_from_the_rollup_equal_the_listed_tickets_after_every_kind_of_write() {
    let w = world().await;
    assert_eq!(
        stored_rollup(&w.app),
        expected_rollup(&w.app),
        "the rollup is what a GROUP BY over the tickets gives"
    );
    assert_months_follow_days(&w.app);
    assert_counts_match(&w, "deltas pending").await;
    // The periodic job folds the deltas, as `lazo serve`'s worker does.
    lazo_api::jobs::tasks::ensure_periodic(&w.app.db).unwrap();
    let worker = std::sync::Arc::new(lazo_api::jobs::Worker::new(
        w.app.db.storage(),
        lazo_api::jobs::tasks::standard(),
        quick_worker(),
    ));
    settle(&w.app, &worker).await;
    assert_eq!(pending_deltas(&w.app), 0);
    assert_eq!(stored_rollup(&w.app), expected_rollup(&w.app));
    assert_eq!(
        stored_months(&w.app),
        by_month(&expected_rollup(&w.app)),
        "the month level holds the tickets per month"
    );
    assert_counts_match(&w, "compacted").await;
    // Rows that reached zero are gone after a compaction.
    let zeros: i64 = w
        .app
        .db
        .write_blocking(|c| {
            Ok(ticket_counts::table
                .filter(ticket_counts::n.eq(0))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(zeros, 0);
}

/// The covered filters are answered from the rollup (a row changed behind
/// the triggers' back shows), the others by the scan (it does not).
#[tokio::test]
async fn covered_filters_read_the_rollup_and_the_others_scan() {
    let w = world().await;
    compact(&w.app);
    let new = w.d.new;
    let before_all = counts(&w.app, &w.admin, "").await;
    let before_range = counts(&w.app, &w.admin, &format!("created_to={}", rfc(w.cut_to))).await;
    let before_tag = counts(&w.app, &w.admin, "tags=vip").await;
    // 100 phantom New tickets, unassigned, on 1 January 2000.
    w.app
        .db
        .write_blocking(move |c| {
            diesel::insert_into(ticket_counts::table)
                .values((
                    ticket_counts::day.eq(10_957),
                    ticket_counts::status_id.eq(new),
                    ticket_counts::status_category.eq("new"),
                    ticket_counts::priority.eq(1i16),
                    ticket_counts::owner_id.eq(0),
                    ticket_counts::group_id.eq(0),
                    ticket_counts::parent_owner_id.eq(0),
                    ticket_counts::parent_group_id.eq(0),
                    ticket_counts::type_id.eq(0),
                    ticket_counts::source.eq(""),
                    ticket_counts::n.eq(100),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let all = counts(&w.app, &w.admin, "").await;
    assert_eq!(all[&new], before_all[&new] + 100, "read from the rollup");
    let range = counts(&w.app, &w.admin, &format!("created_to={}", rfc(w.cut_to))).await;
    assert_eq!(range[&new], before_range[&new] + 100);
    let later = counts(&w.app, &w.admin, "created_from=2000-01-02").await;
    assert_eq!(
        later.get(&new).copied().unwrap_or(0),
        listed(&w.app, &w.admin, "created_from=2000-01-02")
            .await
            .get(&new)
            .copied()
            .unwrap_or(0),
        "outside the range"
    );
    // Ana sees no unassigned ticket outside her groups: not counted.
    let ana = counts(&w.app, &w.ana, "").await;
    assert_eq!(ana, listed(&w.app, &w.ana, "").await);
    assert_eq!(
        counts(&w.app, &w.admin, "tags=vip").await,
        before_tag,
        "scanned"
    );
}

/// Concurrent creates are each counted once, with compactions running
/// beside them (PostgreSQL: deltas appended and folded concurrently).
#[tokio::test]
async fn concurrent_creates_are_counted_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let before = counts(&app, &admin, "").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let compactor = {
        let (db, stop) = (app.db.clone(), stop.clone());
        tokio::task::spawn_blocking(move || {
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                db.write_blocking(|c| Ok(lazo_api::tickets::rollup::compact(c)?))
                    .unwrap();
                runs += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            runs
        })
    };
    let mut handles = Vec::new();
    for i in 0..16 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/tickets"),
            admin.clone(),
        );
        let status = d.escalated;
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"subject": format!("Parallel {i}"), "status_id": status}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::CREATED);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(compactor.await.unwrap() > 0);
    let after = counts(&app, &admin, "").await;
    assert_eq!(after[&d.escalated], before[&d.escalated] + 16);
    assert_eq!(after, listed(&app, &admin, "").await);
    compact(&app);
    assert_eq!(counts(&app, &admin, "").await, after);
    assert_eq!(stored_rollup(&app), expected_rollup(&app));
}

/// PostgreSQL: a create does not wait for another create of the same day,
/// status and so on that has not committed yet. A trigger upserting the
/// shared rollup row would hold that row locked until the first commit; the
/// deltas it appends instead share nothing. (SQLite writers queue anyway.)
#[tokio::test]
async fn a_create_does_not_wait_for_an_open_one_with_the_same_counts_key() {
    let app = TestApp::spawn().await;
    if app.db.backend != lazo_api::db::Backend::Postgres {
        return;
    }
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let body = json!({"subject": "Same key", "status_id": d.new, "priority": "medium"});
    let first = app.create_ticket(&admin, &body).await;
    let before = counts(&app, &admin, "").await;
    // A second transaction inserts a ticket with the same rollup key and
    // stays open for 4 s.
    let (held, opened) = std::sync::mpsc::channel();
    let db = app.db.clone();
    let holder = tokio::task::spawn_blocking(move || {
        db.write_blocking(move |c| {
            diesel::sql_query(format!(
                "INSERT INTO tickets (number, subject, priority, status_id, status_category, type_id,
                                      group_id, owner_id, source, created_at, updated_at)
                 SELECT number + 100000, 'Held open', priority, status_id, status_category, type_id,
                        group_id, owner_id, source, created_at, updated_at
                 FROM tickets WHERE id = {}",
                first.id
            ))
            .execute(c)?;
            held.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_secs(4));
            Ok(())
        })
        .unwrap();
    });
    tokio::task::spawn_blocking(move || opened.recv().unwrap())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    app.create_ticket(&admin, &body).await;
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(2),
        "the create waited {took:?} for the open transaction"
    );
    holder.await.unwrap();
    let after = counts(&app, &admin, "").await;
    assert_eq!(after[&d.new], before[&d.new] + 2);
    assert_eq!(stored_rollup(&app), expected_rollup(&app));
}

/// PostgreSQL: folding many deltas of one month changes each month row
/// once. With a trigger per day row, every day row folded into a month row
/// left a dead version of it in the same transaction: a million imported
/// tickets' first compaction spread 730 month rows over 282 pages, which
/// every count over a long range then read.
#[tokio::test]
async fn a_compaction_changes_each_month_row_once() {
    let app = TestApp::spawn().await;
    if app.db.backend != lazo_api::db::Backend::Postgres {
        return;
    }
    compact(&app);
    // 100 keys (priority × source) on each of the 28 days of February 1990:
    // 2,800 day rows, 100 month rows.
    app.db
        .write_blocking(|c| {
            diesel::sql_query(
                "INSERT INTO ticket_count_deltas (day, status_id, status_category, priority,
                     owner_id, group_id, parent_owner_id, parent_group_id, type_id, source, n)
                 SELECT (DATE '1990-02-01' - DATE '1970-01-01') + d, 1, 'open', p, 0, 0, 0, 0, 0,
                        's' || s, 1
                 FROM generate_series(0, 27) d, generate_series(1, 4) p, generate_series(1, 25) s",
            )
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(compact(&app), 2_800);
    assert_months_follow_days(&app);
    let (rows, bytes): (i64, i64) = app
        .db
        .write_blocking(|c| {
            #[derive(diesel::QueryableByName)]
            struct Size {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                rows: i64,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                bytes: i64,
            }
            let s: Size = diesel::sql_query(
                "SELECT (SELECT count(*) FROM ticket_month_counts
                         WHERE month = (1990 - 1970) * 12 + 1) AS rows,
                        pg_relation_size('ticket_month_counts') AS bytes",
            )
            .get_result(c)?;
            Ok((s.rows, s.bytes))
        })
        .unwrap();
    assert_eq!(rows, 100);
    // 100 month rows (and the test's few others) fit in a few 8 kB pages;
    // 2,800 versions of them would take over 25.
    assert!(bytes <= 8 * 8192, "ticket_month_counts is {bytes} bytes");
}
