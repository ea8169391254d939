//! The follow-up list (`GET /api/v1/tickets`): filters, sorting, cursor
//! pagination, and the counts endpoint. Every filter is checked against the
//! same predicate applied to the complete list, so a filter that drops or
//! adds a ticket fails.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use lazo_domain::wire::{Problem, Ticket, TicketCounts, TicketListItem, TicketPage};
use lazo_domain::{Priority, StatusCategory};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// The app with a few tickets besides the demo ones, so every filter value
/// has something to find: an ungrouped ticket, a General inquiry, a ticket
/// that moved from Billing to Support, one with a future due date.
struct Fixture {
    app: TestApp,
    admin: String,
    d: Demo,
    /// Every ticket, newest first (the default order).
    all: Vec<TicketListItem>,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    app.create_ticket(
        &admin,
        &json!({"subject": "Ungrouped question", "type_id": d.general, "source": "Phone",
                "tags": ["Press"], "requester": {"email": "zoe.press@news.example"}}),
    )
    .await;
    let moved = app
        .create_ticket(
            &admin,
            &json!({"subject": "Moved from billing", "group_id": d.billing, "priority": "critical"}),
        )
        .await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", moved.id),
            &json!({"group_id": d.support}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.create_ticket(
        &admin,
        &json!({"subject": "Due later", "group_id": d.support, "owner_id": d.ana,
                "due_at": (Utc::now() + Duration::days(5)).to_rfc3339()}),
    )
    .await;
    let all = app.all_pages(&admin, "limit=200").await;
    assert_eq!(
        all.len(),
        DEMO_TICKETS + 1 + 3,
        "40 demo tickets, 1 sub-ticket, 3 more"
    );
    Fixture { app, admin, d, all }
}

fn ids(items: &[TicketListItem]) -> Vec<i64> {
    items.iter().map(|t| t.id).collect()
}

impl Fixture {
    /// The list for `query` (all pages) equals the complete list narrowed by
    /// `keep`, in the same order, and is not trivially empty or complete
    /// unless `allow_trivial`; the counts endpoint agrees.
    async fn check(&self, query: &str, keep: impl Fn(&TicketListItem) -> bool) {
        self.check_as(&self.admin, &self.all, query, keep, false)
            .await
    }

    async fn check_as(
        &self,
        token: &str,
        all: &[TicketListItem],
        query: &str,
        keep: impl Fn(&TicketListItem) -> bool,
        allow_trivial: bool,
    ) {
        let got = self.app.all_pages(token, &format!("{query}&limit=9")).await;
        let want: Vec<TicketListItem> = all.iter().filter(|t| keep(t)).cloned().collect();
        assert_eq!(ids(&got), ids(&want), "filter {query}");
        if !allow_trivial {
            assert!(!want.is_empty(), "filter {query} should find something");
            assert!(
                want.len() < all.len(),
                "filter {query} should leave something out"
            );
        }
        let counts: TicketCounts = ok(self
            .app
            .get(token, &format!("/api/v1/tickets/counts?{query}"))
            .await)
        .await;
        assert_eq!(counts.total, want.len() as i64, "counts total for {query}");
        for sc in &counts.by_status {
            let n = want.iter().filter(|t| t.status.id == sc.status.id).count() as i64;
            assert_eq!(sc.count, n, "count of {} for {query}", sc.status.name);
        }
    }
}

fn owner(t: &TicketListItem) -> Option<i64> {
    t.owner.as_ref().map(|o| o.id)
}
fn group(t: &TicketListItem) -> Option<i64> {
    t.group.as_ref().map(|g| g.id)
}

#[tokio::test]
async fn filters_by_status_category_and_priority() {
    let f = fixture().await;
    let d = f.d.clone();
    f.check(&format!("status={}", d.open), |t| t.status.id == d.open)
        .await;
    f.check(&format!("status={},{}", d.open, d.escalated), |t| {
        t.status.id == d.open || t.status.id == d.escalated
    })
    .await;
    f.check("category=closed", |t| {
        t.status.category == StatusCategory::Closed
    })
    .await;
    f.check("category=new,open", |t| {
        matches!(
            t.status.category,
            StatusCategory::New | StatusCategory::Open
        )
    })
    .await;
    f.check("priority=high,critical", |t| t.priority >= Priority::High)
        .await;
    f.check("priority=low", |t| t.priority == Priority::Low)
        .await;
    // Lists may also be repeated parameters (OpenAPI's exploded form, which
    // some generated clients send), mixed with the comma form.
    f.check("priority=high&priority=critical", |t| {
        t.priority >= Priority::High
    })
    .await;
    f.check(
        &format!("status={}&category=open&status={}", d.open, d.escalated),
        |t| t.status.id == d.open || t.status.id == d.escalated,
    )
    .await;
    f.check("category=new&category=open,closed&priority=low", |t| {
        t.priority == Priority::Low && t.status.category != StatusCategory::Pending
    })
    .await;
    // Filters combine.
    f.check(
        &format!("category=open&priority=low&group={}", d.support),
        |t| {
            t.status.category == StatusCategory::Open
                && t.priority == Priority::Low
                && group(t) == Some(d.support)
        },
    )
    .await;
}

#[tokio::test]
async fn filters_by_owner_group_origin_group_and_type() {
    let f = fixture().await;
    let d = f.d.clone();
    f.check(&format!("owner={}", d.marc), |t| owner(t) == Some(d.marc))
        .await;
    f.check("owner=none", |t| owner(t).is_none()).await;
    f.check(&format!("owner=none,{}", d.sofia), |t| {
        owner(t).is_none() || owner(t) == Some(d.sofia)
    })
    .await;
    f.check(&format!("group={}", d.billing), |t| {
        group(t) == Some(d.billing)
    })
    .await;
    f.check("group=none", |t| group(t).is_none()).await;
    f.check(&format!("group=none,{}", d.billing), |t| {
        group(t).is_none() || group(t) == Some(d.billing)
    })
    .await;
    f.check(&format!("origin_group={}", d.billing), |t| {
        t.origin_group.as_ref().map(|g| g.id) == Some(d.billing)
    })
    .await;
    // The moved ticket is in Support but came from Billing.
    f.check(
        &format!("group={}&origin_group={}", d.support, d.billing),
        |t| group(t) == Some(d.support) && t.origin_group.as_ref().map(|g| g.id) == Some(d.billing),
    )
    .await;
    f.check(&format!("type={}", d.general), |t| {
        t.ticket_type.as_ref().map(|x| x.id) == Some(d.general)
    })
    .await;
    f.check(&format!("type={},{}", d.general, d.detractor), |t| {
        t.ticket_type.is_some()
    })
    .await;
}

#[tokio::test]
async fn owner_me_means_the_caller() {
    let f = fixture().await;
    let d = f.d.clone();
    let ana = f.app.login(ANA).await;
    let mine = f.app.all_pages(&ana, "owner=me").await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|t| owner(t) == Some(d.ana)));
    let want: Vec<i64> = f
        .all
        .iter()
        .filter(|t| owner(t) == Some(d.ana))
        .map(|t| t.id)
        .collect();
    assert_eq!(ids(&mine), want);
    let ana_all = f.app.all_pages(&ana, "limit=200").await;
    f.check_as(
        &ana,
        &ana_all,
        "owner=me,none",
        |t| owner(t) == Some(d.ana) || owner(t).is_none(),
        false,
    )
    .await;
}

#[tokio::test]
async fn filters_by_source_and_tags() {
    let f = fixture().await;
    f.check("source=phone", |t| t.source.as_deref() == Some("phone"))
        .await;
    f.check("source=Survey,EMAIL", |t| {
        matches!(t.source.as_deref(), Some("survey") | Some("email"))
    })
    .await;
    f.check("tags=vip", |t| t.tags.iter().any(|x| x == "vip"))
        .await;
    f.check("tags=VIP,press", |t| {
        t.tags.iter().any(|x| x == "vip" || x == "press")
    })
    .await;
}

#[tokio::test]
async fn filters_by_created_and_updated_ranges() {
    let f = fixture().await;
    // Demo tickets are spread over the last 60 days.
    let mut created: Vec<DateTime<Utc>> = f.all.iter().map(|t| t.created_at).collect();
    created.sort();
    let mid = created[created.len() / 2];
    let from = mid.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    f.check(&format!("created_from={}", urlencode(&from)), |t| {
        t.created_at >= mid
    })
    .await;
    f.check(&format!("created_to={}", urlencode(&from)), |t| {
        t.created_at < mid
    })
    .await;
    // A bare date: from its start, to its end (inclusive of the whole day).
    let day = created[created.len() / 3].date_naive();
    let start = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let end = start + Duration::days(1);
    f.check(&format!("created_from={day}&created_to={day}"), |t| {
        t.created_at >= start && t.created_at < end
    })
    .await;
    let ten_days = (Utc::now() - Duration::days(10)).date_naive();
    let since = ten_days.and_hms_opt(0, 0, 0).unwrap().and_utc();
    f.check(&format!("updated_from={ten_days}"), |t| {
        t.updated_at >= since
    })
    .await;
    f.check(&format!("updated_to={ten_days}"), |t| {
        t.updated_at < since + Duration::days(1)
    })
    .await;
}

#[tokio::test]
async fn filters_overdue_tickets() {
    let f = fixture().await;
    let now = Utc::now();
    for t in &f.all {
        let expected =
            t.status.category != StatusCategory::Closed && t.due_at.is_some_and(|d| d < now);
        assert_eq!(t.overdue, expected, "overdue flag of #{}", t.number);
    }
    f.check("overdue=true", |t| t.overdue).await;
    f.check("overdue=false", |t| !t.overdue).await;
}

#[tokio::test]
async fn searches_by_number_email_and_words() {
    let f = fixture().await;
    let mut by_num = f.all.clone();
    by_num.sort_by_key(|t| t.number);
    let target = by_num[11].clone();
    let n = target.number;
    let by_number = |t: &TicketListItem| t.number == n;
    f.check(&format!("q={n}"), by_number).await;
    f.check(&format!("q=%23{n}"), by_number).await;
    // An email: prefix of the requester's address, case-insensitive.
    let email = target.requester_email.clone().unwrap();
    let prefix = &email[..email.find('@').unwrap() + 1];
    f.check(&format!("q={}", urlencode(&prefix.to_uppercase())), |t| {
        t.requester_email
            .as_deref()
            .is_some_and(|e| e.starts_with(prefix))
    })
    .await;
    f.check("q=zoe.press%40news.example", |t| {
        t.requester_email.as_deref() == Some("zoe.press@news.example")
    })
    .await;
    // Words, in the subject case-insensitively (no demo description says
    // "delivery").
    f.check("q=DELIVERY", |t| {
        t.subject.to_lowercase().contains("delivery")
    })
    .await;
    // Words in the description: demo descriptions name the customer.
    let person = email.split('.').next().unwrap().to_owned();
    let got = f.app.all_pages(&f.admin, &format!("q={person}")).await;
    assert!(!got.is_empty());
    assert!(got.iter().any(|t| t.id == target.id));
    for t in &got {
        let full: Ticket = f.app.ticket(&f.admin, t.id).await;
        assert!(
            full.description.to_lowercase().contains(&person)
                || full.subject.to_lowercase().contains(&person),
            "#{} does not mention {person}",
            t.number
        );
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------- sort and pages

fn far() -> DateTime<Utc> {
    "9999-12-31T00:00:00Z".parse().unwrap()
}

/// Compares two rows by a sort key; ties are broken by id.
fn cmp(key: &str, a: &TicketListItem, b: &TicketListItem) -> std::cmp::Ordering {
    let primary = match key {
        "created" => a.created_at.cmp(&b.created_at),
        "updated" => a.updated_at.cmp(&b.updated_at),
        "priority" => a.priority.cmp(&b.priority),
        "due" => a
            .due_at
            .unwrap_or_else(far)
            .cmp(&b.due_at.unwrap_or_else(far)),
        "number" => a.number.cmp(&b.number),
        _ => unreachable!(),
    };
    primary.then(a.id.cmp(&b.id))
}

#[tokio::test]
async fn every_sort_pages_through_all_tickets_in_order_without_duplicates_or_gaps() {
    let f = fixture().await;
    let everyone: HashSet<i64> = f.all.iter().map(|t| t.id).collect();
    for key in ["created", "updated", "priority", "due", "number"] {
        for order in ["asc", "desc"] {
            let got = f
                .app
                .all_pages(&f.admin, &format!("sort={key}&order={order}&limit=7"))
                .await;
            let set: HashSet<i64> = got.iter().map(|t| t.id).collect();
            assert_eq!(
                set.len(),
                got.len(),
                "duplicates in sort={key}&order={order}"
            );
            assert_eq!(set, everyone, "gaps in sort={key}&order={order}");
            let mut want = f.all.clone();
            want.sort_by(|a, b| {
                let o = cmp(key, a, b);
                if order == "asc" {
                    o
                } else {
                    o.reverse()
                }
            });
            assert_eq!(ids(&got), ids(&want), "order of sort={key}&order={order}");
        }
    }
    // The default is newest first.
    let mut want = f.all.clone();
    want.sort_by(|a, b| cmp("created", b, a));
    assert_eq!(ids(&f.all), ids(&want));
}

#[tokio::test]
async fn pages_have_the_requested_size_and_the_last_has_no_cursor() {
    let f = fixture().await;
    let first: TicketPage = ok(f.app.get(&f.admin, "/api/v1/tickets?limit=10").await).await;
    assert_eq!(first.items.len(), 10);
    assert_eq!(ids(&first.items), ids(&f.all[..10]));
    let cursor = first.next_cursor.unwrap();
    let second: TicketPage = ok(f
        .app
        .get(
            &f.admin,
            &format!("/api/v1/tickets?limit=10&cursor={cursor}"),
        )
        .await)
    .await;
    assert_eq!(ids(&second.items), ids(&f.all[10..20]));
    let n = f.all.len();
    let exact: TicketPage = ok(f
        .app
        .get(&f.admin, &format!("/api/v1/tickets?limit={n}"))
        .await)
    .await;
    assert_eq!(exact.items.len(), n);
    assert!(exact.next_cursor.is_none(), "no empty last page");
    let default: TicketPage = ok(f.app.get(&f.admin, "/api/v1/tickets").await).await;
    assert_eq!(default.items.len(), n.min(50), "default page size is 50");
    // A cursor stays valid when a new ticket arrives meanwhile (keyset).
    f.app
        .create_ticket(&f.admin, &json!({"subject": "Arrived while paging"}))
        .await;
    let second_again: TicketPage = ok(f
        .app
        .get(
            &f.admin,
            &format!("/api/v1/tickets?limit=10&cursor={cursor}"),
        )
        .await)
    .await;
    assert_eq!(ids(&second_again.items), ids(&second.items));
}

#[tokio::test]
async fn an_agent_lists_exactly_the_tickets_they_may_open() {
    let f = fixture().await;
    for who in [ANA, SOFIA] {
        let token = f.app.login(who).await;
        let listed: HashSet<i64> = f
            .app
            .all_pages(&token, "limit=5")
            .await
            .iter()
            .map(|t| t.id)
            .collect();
        let mut visible = HashSet::new();
        for t in &f.all {
            let res = f
                .app
                .get(&token, &format!("/api/v1/tickets/{}", t.id))
                .await;
            match res.status() {
                StatusCode::OK => {
                    visible.insert(t.id);
                }
                StatusCode::NOT_FOUND => {}
                s => panic!("unexpected {s}"),
            }
        }
        assert_eq!(listed, visible, "list and detail disagree for {who}");
        assert!(!listed.is_empty() && listed.len() < f.all.len());
        let counts: TicketCounts = ok(f.app.get(&token, "/api/v1/tickets/counts").await).await;
        assert_eq!(counts.total, listed.len() as i64);
    }
}

#[tokio::test]
async fn counts_list_every_active_status_in_order() {
    let f = fixture().await;
    let counts: TicketCounts = ok(f.app.get(&f.admin, "/api/v1/tickets/counts").await).await;
    let names: Vec<&str> = counts
        .by_status
        .iter()
        .map(|s| s.status.name.as_str())
        .collect();
    assert_eq!(names, ["New", "Open", "Escalated", "Resolved"]);
    assert_eq!(counts.total, f.all.len() as i64);
    let mut by_status: BTreeMap<i64, i64> = BTreeMap::new();
    for t in &f.all {
        *by_status.entry(t.status.id).or_default() += 1;
    }
    for s in &counts.by_status {
        assert_eq!(s.count, by_status.get(&s.status.id).copied().unwrap_or(0));
    }
    // A status filter leaves zero counts for the others, still listed.
    let c: TicketCounts = ok(f
        .app
        .get(
            &f.admin,
            &format!("/api/v1/tickets/counts?status={}", f.d.open),
        )
        .await)
    .await;
    assert_eq!(c.by_status.len(), 4);
    for s in &c.by_status {
        if s.status.id != f.d.open {
            assert_eq!(s.count, 0);
        }
    }
    // Cursor, sort and limit do not change counts.
    let c2: TicketCounts = ok(f
        .app
        .get(
            &f.admin,
            "/api/v1/tickets/counts?sort=number&order=asc&limit=1",
        )
        .await)
    .await;
    assert_eq!(c2, counts);
}

// ---------------------------------------------------------------- bad queries

async fn bad(app: &TestApp, token: &str, query: &str) -> Problem {
    problem_code(
        app.get(token, &format!("/api/v1/tickets?{query}")).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await
}

#[tokio::test]
async fn invalid_list_parameters_are_a_bad_request_naming_each_one() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = bad(
        &app,
        &admin,
        "status=open&category=shut&priority=urgent&owner=someone&group=x&origin_group=-1&type=t\
         &created_from=yesterday&updated_to=2026-13-45&sort=size&order=up&limit=0",
    )
    .await;
    let mut got = fields(&p);
    got.sort();
    let mut want = vec![
        "status",
        "category",
        "priority",
        "owner",
        "group",
        "origin_group",
        "type",
        "created_from",
        "updated_to",
        "sort",
        "order",
        "limit",
    ];
    want.sort();
    assert_eq!(got, want);
    let p = bad(&app, &admin, "limit=201").await;
    assert_eq!(field_codes(&p), [("limit", "out_of_range")]);
    let p = bad(&app, &admin, &format!("q={}", "a".repeat(101))).await;
    assert_eq!(field_codes(&p), [("q", "too_long")]);
    // The same checks guard the counts.
    let p = problem_code(
        app.get(&admin, "/api/v1/tickets/counts?priority=urgent")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_eq!(fields(&p), ["priority"]);
}

#[tokio::test]
async fn a_parameter_of_the_wrong_type_is_a_bad_request_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let p = bad(&app, &admin, "limit=ten").await;
    assert_eq!(fields(&p), ["limit"], "{p:?}");
    let p = bad(&app, &admin, "overdue=maybe").await;
    assert_eq!(fields(&p), ["overdue"], "{p:?}");
}

#[tokio::test]
async fn a_cursor_not_made_by_this_list_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    for cursor in ["garbage", "eyJzIjoiY3JlYXRlZCJ9"] {
        problem_code(
            app.get(&admin, &format!("/api/v1/tickets?cursor={cursor}"))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        )
        .await;
    }
    // A cursor from one sort is not valid for another.
    let page: TicketPage = ok(app.get(&admin, "/api/v1/tickets?limit=2").await).await;
    let cursor = page.next_cursor.unwrap();
    problem_code(
        app.get(
            &admin,
            &format!("/api/v1/tickets?sort=number&cursor={cursor}"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
}

#[tokio::test]
async fn a_read_token_lists_and_counts_like_an_admin() {
    let f = fixture().await;
    let t: lazo_domain::wire::CreatedApiToken = created(
        f.app
            .post(
                &f.admin,
                "/api/v1/tokens",
                &json!({"name": "bi", "scopes": ["tickets:read"]}),
            )
            .await,
    )
    .await;
    let got = f.app.all_pages(&t.secret, "limit=50").await;
    assert_eq!(ids(&got), ids(&f.all));
    let counts: TicketCounts = ok(f.app.get(&t.secret, "/api/v1/tickets/counts").await).await;
    assert_eq!(counts.total, f.all.len() as i64);
}

/// A word in more tickets than the full-text walk reads at first (1,024),
/// with tickets created out of id order: a native ticket older in id but
/// newer in date than 2,000 imported ones, and imported tickets dated after
/// later ones. Every page, in both directions and with a sparse filter, is
/// exactly the matching tickets sorted by date then id.
#[tokio::test]
async fn a_common_word_pages_in_date_order_whatever_the_id_order() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let now = Utc::now();
    let native = app
        .create_ticket(
            &admin,
            &json!({"subject": "Zebrafund native, newest of all"}),
        )
        .await;
    let mut imported = Vec::new();
    for batch in 0..2 {
        let items: Vec<_> = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                // Mostly in id order, one minute apart, older than the
                // native ticket; every 97th dated ahead of its neighbours;
                // every 5th without the word; every 13th critical.
                let mut minutes = 3000 - n as i64;
                if n % 97 == 0 {
                    minutes -= 500;
                }
                json!({
                    "external_id": format!("w-{n}"),
                    "subject": if n % 5 == 0 { format!("Zebraother {n}") } else { format!("Zebrafund {n}") },
                    "priority": if n % 13 == 0 { "critical" } else { "low" },
                    "created_at": (now - Duration::minutes(minutes)).to_rfc3339(),
                })
            })
            .collect();
        let r: lazo_domain::feedback::ImportResult = ok(app
            .post(&admin, "/api/v1/import/tickets", &json!({"tickets": items}))
            .await)
        .await;
        imported.extend(r.results.into_iter().map(|x| x.ticket.unwrap()));
    }
    let all = app.all_pages(&admin, "limit=200").await;
    for (query, words) in [
        ("q=zebrafund", true),
        ("q=zebrafund&order=asc", true),
        ("q=zebrafund&priority=critical", true),
        ("q=zebrafund&priority=critical&order=asc", true),
        ("q=zebraother", false),
    ] {
        let mut want: Vec<&TicketListItem> = all
            .iter()
            .filter(|t| {
                t.subject
                    .starts_with(if words { "Zebrafund" } else { "Zebraother" })
            })
            .filter(|t| !query.contains("critical") || t.priority == Priority::Critical)
            .collect();
        want.sort_by_key(|t| (t.created_at, t.id));
        if !query.contains("asc") {
            want.reverse();
        }
        let got = app.all_pages(&admin, &format!("{query}&limit=50")).await;
        let got: Vec<(i64, &str)> = got.iter().map(|t| (t.id, t.subject.as_str())).collect();
        let want: Vec<(i64, &str)> = want.iter().map(|t| (t.id, t.subject.as_str())).collect();
        if got != want {
            let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
            let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
            let first = got.iter().zip(&want).position(|(a, b)| a != b);
            panic!(
                "{query}: {} rows, want {}; extra {extra:?}; missing {missing:?}; first difference at {first:?}",
                got.len(),
                want.len()
            );
        }
    }
    let first: TicketPage = ok(app.get(&admin, "/api/v1/tickets?q=zebrafund&limit=5").await).await;
    assert_eq!(first.items[0].id, native.id, "the newest match comes first");
    assert!(imported.len() == 2000);
}
