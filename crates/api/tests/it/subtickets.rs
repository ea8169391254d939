//! Sub-tickets and their privacy rules (PRODUCT.md): the parent's owner sees
//! all sub-tickets; a sub-ticket's owner sees the parent read-only and may
//! comment on it, but not sibling sub-tickets; admins see everything.

use crate::common;

use common::*;
use lazo_domain::wire::{Comment, Ticket, TicketCounts, TicketPage};
use lazo_domain::Access;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;

fn sub_tickets(id: i64) -> String {
    format!("/api/v1/tickets/{id}/sub-tickets")
}

fn ticket(id: i64) -> String {
    format!("/api/v1/tickets/{id}")
}

/// Parent P in Support owned by Ana; S1 for Sofía in Billing; S2 for Marc
/// in Support. Both sub-tickets created by Ana, the parent's owner.
struct Family {
    app: TestApp,
    admin: String,
    d: Demo,
    parent: Ticket,
    s1: Ticket,
    s2: Ticket,
}

async fn family() -> Family {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let parent = app
        .create_ticket(
            &admin,
            &json!({"subject": "Customer wants a refund and a replacement",
                    "type_id": d.detractor, "group_id": d.support, "owner_id": d.ana,
                    "status_id": d.open, "custom_fields": {"order_id": "ORD-5"}}),
        )
        .await;
    let ana = app.login(ANA).await;
    let s1: Ticket = created(
        app.post(
            &ana,
            &sub_tickets(parent.id),
            &json!({"subject": "Issue the refund", "group_id": d.billing, "owner_id": d.sofia,
                    "priority": "high", "comment": {"body": "Please refund 20 EUR", "internal": true}}),
        )
        .await,
    )
    .await;
    let s2: Ticket = created(
        app.post(
            &ana,
            &sub_tickets(parent.id),
            &json!({"subject": "Ship a replacement", "group_id": d.support, "owner_id": d.marc}),
        )
        .await,
    )
    .await;
    Family {
        app,
        admin,
        d,
        parent,
        s1,
        s2,
    }
}

fn ids(p: &TicketPage) -> Vec<i64> {
    p.items.iter().map(|t| t.id).collect()
}

#[tokio::test]
async fn a_sub_ticket_is_created_under_its_parent() {
    let f = family().await;
    assert_eq!(f.s1.parent.as_ref().unwrap().id, f.parent.id);
    assert_eq!(f.s1.parent.as_ref().unwrap().number, f.parent.number);
    assert_eq!(f.s1.owner.as_ref().unwrap().id, f.d.sofia);
    assert_eq!(f.s1.group.as_ref().unwrap().id, f.d.billing);
    assert_eq!(f.s1.access, Access::Full);
    let parent = f.app.ticket(&f.admin, f.parent.id).await;
    assert_eq!(parent.sub_ticket_count, 2);
    // The creation's answer (built without the sub-ticket and merge
    // lookups) is the ticket as read back.
    assert_eq!(f.app.ticket(&f.admin, f.s1.id).await, f.s1);
    let list: TicketPage = ok(f.app.get(&f.admin, &sub_tickets(f.parent.id)).await).await;
    assert_eq!(ids(&list), [f.s1.id, f.s2.id], "oldest first");
    assert!(list.items.iter().all(|t| t.parent_id == Some(f.parent.id)));
    // The parent's history notes each sub-ticket.
    let h: lazo_domain::wire::HistoryPage = ok(f
        .app
        .get(
            &f.admin,
            &format!("/api/v1/tickets/{}/history", f.parent.id),
        )
        .await)
    .await;
    let subs: Vec<String> = h
        .items
        .iter()
        .filter(|e| e.field == "sub_ticket")
        .filter_map(|e| e.new_value.clone())
        .collect();
    assert_eq!(
        subs,
        [
            format!("#{} Issue the refund", f.s1.number),
            format!("#{} Ship a replacement", f.s2.number)
        ]
    );
}

#[tokio::test]
async fn a_sub_ticket_is_validated_like_any_ticket() {
    let f = family().await;
    let p = problem_code(
        f.app
            .post(&f.admin, &sub_tickets(f.parent.id), &json!({"subject": ""}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&p), ["subject"]);
    problem_code(
        f.app
            .post(
                &f.admin,
                &sub_tickets(f.parent.id),
                &json!({"subject": "x", "group_id": f.d.billing, "owner_id": f.d.ana}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_not_in_group",
    )
    .await;
    problem_code(
        f.app
            .post(
                &f.admin,
                &sub_tickets(999_999),
                &json!({"subject": "orphan"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        f.app
            .post("", &sub_tickets(f.parent.id), &json!({"subject": "x"}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let list: TicketPage = ok(f.app.get(&f.admin, &sub_tickets(f.parent.id)).await).await;
    assert_eq!(list.items.len(), 2, "nothing was added");
}

#[tokio::test]
async fn the_parent_owner_sees_and_edits_every_sub_ticket() {
    let f = family().await;
    let ana = f.app.login(ANA).await;
    let list: TicketPage = ok(f.app.get(&ana, &sub_tickets(f.parent.id)).await).await;
    assert_eq!(ids(&list), [f.s1.id, f.s2.id]);
    // S1 lives in Billing, which Ana is not in: she sees it through the parent.
    let s1 = f.app.ticket(&ana, f.s1.id).await;
    assert_eq!(s1.access, Access::Full);
    let s1: Ticket = ok(f
        .app
        .patch(&ana, &ticket(f.s1.id), &json!({"priority": "critical"}))
        .await)
    .await;
    assert_eq!(s1.version, 2);
    // And in her follow-up list.
    let mine: HashSet<i64> = f
        .app
        .all_pages(&ana, "limit=200")
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    assert!(mine.contains(&f.s1.id) && mine.contains(&f.s2.id) && mine.contains(&f.parent.id));
}

#[tokio::test]
async fn a_sub_ticket_owner_sees_the_parent_read_only_and_may_comment() {
    let f = family().await;
    let sofia = f.app.login(SOFIA).await;
    let parent = f.app.ticket(&sofia, f.parent.id).await;
    assert_eq!(parent.access, Access::Comment);
    assert_eq!(parent.subject, f.parent.subject);
    let p = problem_code(
        f.app
            .patch(&sofia, &ticket(f.parent.id), &json!({"priority": "low"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(p.detail.is_some());
    // Read-only also means no sub-tickets of her own under it.
    problem_code(
        f.app
            .post(
                &sofia,
                &sub_tickets(f.parent.id),
                &json!({"subject": "mine"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let bulk: lazo_domain::wire::BulkResult = ok(f
        .app
        .post(
            &sofia,
            "/api/v1/tickets/bulk",
            &json!({"ids": [f.parent.id], "changes": {"priority": "low"}}),
        )
        .await)
    .await;
    let e = bulk.results[0].error.as_ref().expect("refused");
    assert_eq!((e.status, e.code.as_str()), (403, "forbidden"));
    let c: Comment = created(
        f.app
            .post(
                &sofia,
                &format!("/api/v1/tickets/{}/comments", f.parent.id),
                &json!({"body": "Refund issued"}),
            )
            .await,
    )
    .await;
    assert_eq!(c.author.unwrap().email, SOFIA);
    let _: lazo_domain::wire::CommentPage = ok(f
        .app
        .get(&sofia, &format!("/api/v1/tickets/{}/comments", f.parent.id))
        .await)
    .await;
    let _: lazo_domain::wire::HistoryPage = ok(f
        .app
        .get(&sofia, &format!("/api/v1/tickets/{}/history", f.parent.id))
        .await)
    .await;
    let after = f.app.ticket(&f.admin, f.parent.id).await;
    assert_eq!(after.priority, f.parent.priority, "unchanged");
    // Her own sub-ticket is fully hers.
    let s1: Ticket = ok(f
        .app
        .patch(&sofia, &ticket(f.s1.id), &json!({"priority": "low"}))
        .await)
    .await;
    assert_eq!(s1.access, Access::Full);
}

#[tokio::test]
async fn a_sub_ticket_owner_does_not_see_sibling_sub_tickets() {
    let f = family().await;
    let sofia = f.app.login(SOFIA).await;
    problem_code(
        f.app.get(&sofia, &ticket(f.s2.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        f.app
            .post(
                &sofia,
                &format!("/api/v1/tickets/{}/comments", f.s2.id),
                &json!({"body": "peek"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let list: TicketPage = ok(f.app.get(&sofia, &sub_tickets(f.parent.id)).await).await;
    assert_eq!(ids(&list), [f.s1.id]);
    let mine: HashSet<i64> = f
        .app
        .all_pages(&sofia, "limit=200")
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    assert!(mine.contains(&f.parent.id), "the parent is in her list");
    assert!(mine.contains(&f.s1.id));
    assert!(!mine.contains(&f.s2.id), "the sibling is not");
}

#[tokio::test]
async fn someone_unrelated_sees_neither_parent_nor_sub_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    // Parent in Billing (Sofía's), sub-ticket for Sofía too: Marc has no link.
    let parent = app
        .create_ticket(
            &admin,
            &json!({"subject": "p", "group_id": d.billing, "owner_id": d.sofia}),
        )
        .await;
    let sub: Ticket = created(
        app.post(
            &admin,
            &sub_tickets(parent.id),
            &json!({"subject": "s", "group_id": d.billing}),
        )
        .await,
    )
    .await;
    let marc = app.login(MARC).await;
    for id in [parent.id, sub.id] {
        problem(app.get(&marc, &ticket(id)).await, StatusCode::NOT_FOUND).await;
    }
    problem(
        app.get(&marc, &sub_tickets(parent.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn admins_see_everything_in_the_family() {
    let f = family().await;
    for who in [ADMIN, LUCIA] {
        let token = f.app.login(who).await;
        for t in [&f.parent, &f.s1, &f.s2] {
            assert_eq!(f.app.ticket(&token, t.id).await.access, Access::Full);
        }
        let list: TicketPage = ok(f.app.get(&token, &sub_tickets(f.parent.id)).await).await;
        assert_eq!(ids(&list), [f.s1.id, f.s2.id]);
    }
}

#[tokio::test]
async fn the_sub_ticket_list_pages_and_checks_its_parameters() {
    let f = family().await;
    let mut made = vec![f.s1.id, f.s2.id];
    for i in 0..3 {
        let t: Ticket = created(
            f.app
                .post(
                    &f.admin,
                    &sub_tickets(f.parent.id),
                    &json!({"subject": format!("part {i}")}),
                )
                .await,
        )
        .await;
        made.push(t.id);
    }
    let mut seen = Vec::new();
    let mut url = format!("{}?limit=2", sub_tickets(f.parent.id));
    for _ in 0..10 {
        let page: TicketPage = ok(f.app.get(&f.admin, &url).await).await;
        seen.extend(ids(&page));
        match page.next_cursor {
            Some(c) => url = format!("{}?limit=2&cursor={c}", sub_tickets(f.parent.id)),
            None => break,
        }
    }
    assert_eq!(seen, made);
    let p = problem_code(
        f.app
            .get(&f.admin, &format!("{}?limit=0", sub_tickets(f.parent.id)))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_eq!(fields(&p), ["limit"]);
    problem(
        f.app
            .get(
                &f.admin,
                &format!("{}?cursor=nope", sub_tickets(f.parent.id)),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_sub_ticket_owner_learns_nothing_about_siblings_through_the_parent() {
    let f = family().await;
    let sofia = f.app.login(SOFIA).await;
    let h: lazo_domain::wire::HistoryPage = ok(f
        .app
        .get(
            &sofia,
            &format!("/api/v1/tickets/{}/history?limit=200", f.parent.id),
        )
        .await)
    .await;
    for e in &h.items {
        for v in [&e.old_value, &e.new_value].into_iter().flatten() {
            assert!(
                !v.contains(&f.s2.subject),
                "the parent's history shows her a sibling: {e:?}"
            );
        }
    }
    let parent = f.app.ticket(&sofia, f.parent.id).await;
    assert_eq!(
        parent.sub_ticket_count, 1,
        "only her own sub-ticket counts for her"
    );
}

/// `write::create_many`, the batch `POST /tickets` makes concurrent creates
/// in, given one batch of every kind at once: a plain create, one its checks
/// refuse, two for one new customer with a comment each, and a sub-ticket.
/// Each is answered on its own, the refused one writes nothing, and the
/// others are exactly what one create at a time makes.
#[tokio::test]
async fn one_batch_of_mixed_creates_makes_each_as_alone() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let parent = app
        .create_ticket(&admin, &json!({"subject": "Parent", "group_id": d.support}))
        .await;
    let me = lazo_service::auth::Principal::System("batch test".into());
    let input = |v: serde_json::Value| -> lazo_domain::wire::CreateTicket {
        serde_json::from_value(v).unwrap()
    };
    let customer = json!({"email": "New.Customer@example.com", "name": "New Customer"});
    let items = vec![
        (
            input(json!({"subject": "Plain", "tags": ["b", "a", "a"]})),
            None,
        ),
        (
            input(json!({"subject": "Refused", "owner_id": 987654})),
            None,
        ),
        (
            input(
                json!({"subject": "First of the customer", "requester": customer,
                "comment": {"body": "Called in", "internal": true}, "source": " Phone "}),
            ),
            None,
        ),
        (
            input(
                json!({"subject": "Second of the customer", "requester": customer,
                "comment": {"body": "Called again", "internal": false}}),
            ),
            None,
        ),
        (input(json!({"subject": "Child"})), Some(parent.id)),
    ];
    let answers = app
        .db
        .write_blocking(move |c| {
            let batch = items
                .into_iter()
                .map(|(input, parent_id)| lazo_api::tickets::write::NewTicket {
                    who: &me,
                    input,
                    parent_id,
                })
                .collect();
            Ok(lazo_api::tickets::write::create_many(c, batch)?)
        })
        .unwrap();
    assert_eq!(answers.len(), 5);
    match &answers[1] {
        Err(lazo_service::ServiceError::Unprocessable { errors, .. }) => {
            assert_eq!(errors[0].field, "owner_id")
        }
        other => panic!("the refused create was answered {other:?}"),
    }
    let ids: Vec<i64> = [0, 2, 3, 4]
        .iter()
        .map(|&i| *answers[i].as_ref().unwrap())
        .collect();
    let made: Vec<Ticket> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(app.ticket(&admin, *id).await);
        }
        v
    };
    assert_eq!(made[0].tags, ["a", "b"]);
    // One customer for both of their tickets, found again, not made twice.
    let (a, b) = (
        made[1].requester.as_ref().unwrap(),
        made[2].requester.as_ref().unwrap(),
    );
    assert_eq!(a.id, b.id);
    assert_eq!(a.email.as_deref(), Some("new.customer@example.com"));
    assert_eq!(made[1].source.as_deref(), Some("phone"));
    // Numbers in the batch's order, after the parent's.
    let numbers: Vec<i64> = made.iter().map(|t| t.number).collect();
    assert_eq!(
        numbers,
        (parent.number + 1..=parent.number + 4).collect::<Vec<_>>()
    );
    // The sub-ticket hangs under its parent, which records it.
    assert_eq!(made[3].parent.as_ref().map(|p| p.id), Some(parent.id));
    let parent_now = app.ticket(&admin, parent.id).await;
    assert_eq!(parent_now.sub_ticket_count, 1);
    // Each made ticket: its created history row (with its comment for the
    // customer's two), its event; the parent: its sub_ticket row and event.
    let rows = app
        .db
        .write_blocking(move |c| {
            use diesel::prelude::*;
            use lazo_api::db::schema::{comments, events, history};
            let mut out = Vec::new();
            for id in ids.iter().copied().chain([parent.id]) {
                let h: Vec<(String, Option<String>, Option<i64>)> = history::table
                    .filter(history::ticket_id.eq(id))
                    .order(history::id)
                    .select((history::field, history::new_value, history::comment_id))
                    .load(c)?;
                let e: Vec<String> = events::table
                    .filter(events::ticket_id.eq(id))
                    .order(events::id)
                    .select(events::kind)
                    .load(c)?;
                let cm: Vec<String> = comments::table
                    .filter(comments::ticket_id.eq(id))
                    .select(comments::body)
                    .load(c)?;
                out.push((h, e, cm));
            }
            Ok(out)
        })
        .unwrap();
    for (i, (h, e, cm)) in rows.iter().take(4).enumerate() {
        assert_eq!(h.len(), 1, "ticket {i}: {h:?}");
        assert_eq!(h[0].0, "created");
        assert_eq!(
            h[0].1.as_deref(),
            Some(format!("#{} {}", made[i].number, made[i].subject).as_str())
        );
        assert_eq!(h[0].2.is_some(), i == 1 || i == 2, "ticket {i}'s comment");
        assert_eq!(e, &["ticket.created"]);
        assert_eq!(cm.len(), usize::from(i == 1 || i == 2));
    }
    let (h, e, _) = &rows[4];
    assert_eq!(
        h.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["created", "sub_ticket"]
    );
    assert_eq!(e, &["ticket.created", "ticket.sub_ticket_created"]);
    // The refused one left nothing behind.
    let counts: TicketCounts = ok(app.get(&admin, "/api/v1/tickets/counts?q=refused").await).await;
    assert_eq!(counts.total, 0);
}
