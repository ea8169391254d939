//! Ticket links (related, duplicate of; parent/child listed beside them),
//! merging a ticket into another, and inbound email for a merged ticket
//! landing on its survivor. Runs on SQLite, and on PostgreSQL with
//! `LAZO_TEST_DATABASE_URL` (`.ci/with-postgres.sh`).

use crate::common;

use common::*;
use lazo_api::state::Config;
use lazo_domain::email::InboundMessage;
use lazo_domain::links::{LinkKind, TicketLink, TicketLinks};
use lazo_domain::wire::{CommentPage, HistoryEntry, HistoryPage, Ticket};
use lazo_domain::StatusCategory;
use lazo_service::email::{token, MailConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

fn links_path(id: i64) -> String {
    format!("/api/v1/tickets/{id}/links")
}

fn merge_path(id: i64) -> String {
    format!("/api/v1/tickets/{id}/merge")
}

async fn links(app: &TestApp, token: &str, id: i64) -> Vec<TicketLink> {
    let l: TicketLinks = ok(app.get(token, &links_path(id)).await).await;
    l.items
}

async fn link(app: &TestApp, token: &str, id: i64, body: Value) -> TicketLink {
    created(app.post(token, &links_path(id), &body).await).await
}

async fn history(app: &TestApp, token: &str, id: i64) -> Vec<HistoryEntry> {
    let h: HistoryPage = ok(app
        .get(token, &format!("/api/v1/tickets/{id}/history?limit=200"))
        .await)
    .await;
    h.items
}

async fn comments(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let p: CommentPage = ok(app
        .get(token, &format!("/api/v1/tickets/{id}/comments?limit=200"))
        .await)
    .await;
    p.items.into_iter().map(|c| c.body).collect()
}

/// The events written for ticket `id`, oldest first: (kind, data).
fn events(app: &TestApp, id: i64) -> Vec<(String, Value)> {
    app.db
        .write_blocking(move |c| {
            use diesel::prelude::*;
            use lazo_api::db::schema::events;
            let rows: Vec<(String, String)> = events::table
                .filter(events::ticket_id.eq(id))
                .order(events::id)
                .select((events::kind, events::data))
                .load(c)?;
            Ok(rows
                .into_iter()
                .map(|(k, d)| (k, serde_json::from_str(&d).unwrap()))
                .collect())
        })
        .unwrap()
}

fn of_kind(evs: &[(String, Value)], kind: &str) -> Vec<Value> {
    evs.iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, d)| d.clone())
        .collect()
}

fn rows<'a>(h: &'a [HistoryEntry], field: &str) -> Vec<&'a HistoryEntry> {
    h.iter().filter(|e| e.field == field).collect()
}

async fn support_ticket(app: &TestApp, token: &str, d: &Demo, subject: &str) -> Ticket {
    app.create_ticket(
        token,
        &json!({"subject": subject, "group_id": d.support, "status_id": d.open}),
    )
    .await
}

#[tokio::test]
async fn links_read_from_both_ends_with_history_and_events_and_can_be_removed() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let a = support_ticket(&app, &admin, &d, "Printer on fire").await;
    let b = support_ticket(&app, &admin, &d, "Smoke in the office").await;
    let c = support_ticket(&app, &admin, &d, "Printer on fire (again)").await;

    // By id and by number.
    let ab = link(
        &app,
        &admin,
        a.id,
        json!({"ticket": b.id, "kind": "related"}),
    )
    .await;
    assert_eq!(ab.kind, LinkKind::Related);
    assert_eq!(ab.ticket.number, b.number);
    assert_eq!(ab.ticket.subject, "Smoke in the office");
    assert_eq!(ab.ticket.status.id, d.open);
    let ca = link(
        &app,
        &admin,
        c.id,
        json!({"ticket": format!("#{}", a.number), "kind": "duplicate_of"}),
    )
    .await;
    assert_eq!(ca.kind, LinkKind::DuplicateOf);
    assert_eq!(ca.ticket.id, a.id);

    let la = links(&app, &admin, a.id).await;
    let kinds: Vec<(LinkKind, i64)> = la.iter().map(|l| (l.kind, l.ticket.id)).collect();
    assert_eq!(
        kinds,
        vec![(LinkKind::DuplicatedBy, c.id), (LinkKind::Related, b.id)]
    );
    let lb = links(&app, &admin, b.id).await;
    assert_eq!(lb.len(), 1);
    assert_eq!((lb[0].kind, lb[0].ticket.id), (LinkKind::Related, a.id));
    assert_eq!(lb[0].id, ab.id, "one stored link, seen from both ends");
    let lc = links(&app, &admin, c.id).await;
    assert_eq!((lc[0].kind, lc[0].ticket.id), (LinkKind::DuplicateOf, a.id));

    // History on both ends: the other ticket appears, by id and number.
    let ha = history(&app, &admin, a.id).await;
    let r = rows(&ha, "link_related");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].new_value.as_deref(), Some(&*format!("#{}", b.number)));
    assert_eq!((r[0].old_id, r[0].new_id), (None, Some(b.id)));
    assert_eq!(rows(&ha, "link_duplicated_by")[0].new_id, Some(c.id));
    let hb = history(&app, &admin, b.id).await;
    assert_eq!(rows(&hb, "link_related")[0].new_id, Some(a.id));
    let hc = history(&app, &admin, c.id).await;
    assert_eq!(rows(&hc, "link_duplicate_of")[0].new_id, Some(a.id));

    // One event, on the ticket the link was made from.
    let linked = of_kind(&events(&app, a.id), "ticket.linked");
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["kind"], "related");
    assert_eq!(linked[0]["other_ticket_id"], b.id);
    assert_eq!(linked[0]["other_number"], b.number);
    assert!(of_kind(&events(&app, b.id), "ticket.linked").is_empty());
    assert_eq!(
        of_kind(&events(&app, c.id), "ticket.linked")[0]["kind"],
        "duplicate_of"
    );

    // Removal from the other end: one link gone, history on both, an event.
    let ab_id = ab.id.unwrap();
    let res = app
        .delete(&admin, &format!("/api/v1/tickets/{}/links/{ab_id}", b.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(links(&app, &admin, b.id).await.is_empty());
    assert_eq!(links(&app, &admin, a.id).await.len(), 1);
    let ha = history(&app, &admin, a.id).await;
    let r = rows(&ha, "link_related");
    assert_eq!(r.len(), 2);
    let unlink = r.iter().find(|e| e.new_value.is_none()).unwrap();
    assert_eq!(
        unlink.old_value.as_deref(),
        Some(&*format!("#{}", b.number))
    );
    assert_eq!(unlink.old_id, Some(b.id));
    let hb = history(&app, &admin, b.id).await;
    assert_eq!(rows(&hb, "link_related").len(), 2);
    let unlinked = of_kind(&events(&app, b.id), "ticket.unlinked");
    assert_eq!(unlinked.len(), 1);
    assert_eq!(unlinked[0]["link_id"], ab_id);
    assert_eq!(unlinked[0]["other_ticket_id"], a.id);
    // Gone is gone; a link of other tickets is not this ticket's.
    problem_code(
        app.delete(&admin, &format!("/api/v1/tickets/{}/links/{ab_id}", a.id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.delete(
            &admin,
            &format!("/api/v1/tickets/{}/links/{}", b.id, ca.id.unwrap()),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // And it can be made again.
    link(
        &app,
        &admin,
        b.id,
        json!({"ticket": a.id, "kind": "related"}),
    )
    .await;

    // Sub-tickets are listed as parent and child, without a link id.
    let sub: Ticket = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", a.id),
            &json!({"subject": "Buy a new printer", "group_id": d.support}),
        )
        .await,
    )
    .await;
    let la = links(&app, &admin, a.id).await;
    let child = la.iter().find(|l| l.kind == LinkKind::Child).unwrap();
    assert_eq!((child.ticket.id, child.id), (sub.id, None));
    let ls = links(&app, &admin, sub.id).await;
    assert_eq!(ls.len(), 1);
    assert_eq!((ls[0].kind, ls[0].ticket.id), (LinkKind::Parent, a.id));
}

#[tokio::test]
async fn link_refusals_have_their_status_and_problem_type() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let a = support_ticket(&app, &admin, &d, "One").await;
    let b = support_ticket(&app, &admin, &d, "Two").await;
    link(
        &app,
        &admin,
        a.id,
        json!({"ticket": b.id, "kind": "related"}),
    )
    .await;
    link(
        &app,
        &admin,
        a.id,
        json!({"ticket": b.id, "kind": "duplicate_of"}),
    )
    .await;
    let before = history(&app, &admin, b.id).await.len();

    // The same link, and `related` the other way round, exist already.
    for (from, to, kind) in [
        (a.id, b.id, "related"),
        (b.id, a.id, "related"),
        (a.id, b.id, "duplicate_of"),
        // "B duplicates A" contradicts "A duplicates B".
        (b.id, a.id, "duplicate_of"),
    ] {
        let p = problem_code(
            app.post(
                &admin,
                &links_path(from),
                &json!({"ticket": to, "kind": kind}),
            )
            .await,
            StatusCode::CONFLICT,
            "link_exists",
        )
        .await;
        assert_eq!(p.type_, "urn:lazo:problem:link-exists");
        assert_eq!(
            field_codes(&p),
            vec![("ticket", "link_exists")],
            "{from} {kind}"
        );
    }
    let p = problem_code(
        app.post(
            &admin,
            &links_path(a.id),
            &json!({"ticket": format!("#{}", a.number), "kind": "related"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), vec![("ticket", "self_link")]);
    // Unknown by id or number: 404, as a ticket the caller may not see.
    for t in [json!(999_999), json!("#999999")] {
        problem_code(
            app.post(
                &admin,
                &links_path(a.id),
                &json!({"ticket": t, "kind": "related"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem_code(
        app.post(
            &admin,
            &links_path(999_999),
            &json!({"ticket": a.id, "kind": "related"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let p = problem(
        app.post(
            &admin,
            &links_path(a.id),
            &json!({"ticket": "#x", "kind": "related"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), vec!["ticket"]);
    // Merges have their own operation; parent/child come from sub-tickets.
    for kind in ["merged_into", "parent", "nonsense"] {
        let p = problem(
            app.post(
                &admin,
                &links_path(a.id),
                &json!({"ticket": b.id, "kind": kind}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), vec!["kind"], "{kind}");
    }
    // Nothing of that reached the history.
    assert_eq!(history(&app, &admin, b.id).await.len(), before);
}

#[tokio::test]
async fn tickets_the_caller_cannot_see_are_404_and_left_out_and_read_only_is_403() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let marc = app.login(MARC).await;
    let sofia = app.login(SOFIA).await;
    // Marc (Support agent) does not see Billing's ticket owned by Sofía.
    let mine = app
        .create_ticket(
            &marc,
            &json!({"subject": "Marc's", "group_id": d.support, "owner_id": d.marc}),
        )
        .await;
    let billing = app
        .create_ticket(
            &admin,
            &json!({"subject": "Secret billing matter", "group_id": d.billing, "owner_id": d.sofia}),
        )
        .await;
    problem_code(
        app.get(&marc, &format!("/api/v1/tickets/{}", billing.id))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.post(
            &marc,
            &links_path(mine.id),
            &json!({"ticket": billing.id, "kind": "related"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.post(
            &marc,
            &links_path(mine.id),
            &json!({"ticket": format!("#{}", billing.number), "kind": "related"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem_code(
        app.get(&marc, &links_path(billing.id)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // An admin links them: Marc's list leaves the ticket he cannot see out,
    // and he cannot remove that link either.
    let l = link(
        &app,
        &admin,
        mine.id,
        json!({"ticket": billing.id, "kind": "related"}),
    )
    .await;
    assert!(links(&app, &marc, mine.id).await.is_empty());
    // Sofía, in Billing, does not see Marc's Support ticket either.
    assert!(links(&app, &sofia, billing.id).await.is_empty());
    assert_eq!(links(&app, &admin, billing.id).await.len(), 1);
    problem_code(
        app.delete(
            &marc,
            &format!("/api/v1/tickets/{}/links/{}", mine.id, l.id.unwrap()),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Nor merge into it.
    problem_code(
        app.post(&marc, &merge_path(mine.id), &json!({"into": billing.id}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // A sub-ticket's owner reads the parent but may not change it: linking
    // from it, or merging into it, is 403.
    let parent = app
        .create_ticket(
            &admin,
            &json!({"subject": "Parent", "group_id": d.support, "owner_id": d.ana}),
        )
        .await;
    let sub: Ticket = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", parent.id),
            &json!({"subject": "Sofía's part", "group_id": d.billing, "owner_id": d.sofia}),
        )
        .await,
    )
    .await;
    problem_code(
        app.post(
            &sofia,
            &links_path(parent.id),
            &json!({"ticket": billing.id, "kind": "related"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // She may link her own ticket to the parent she sees.
    link(
        &app,
        &sofia,
        billing.id,
        json!({"ticket": parent.id, "kind": "related"}),
    )
    .await;
    problem_code(
        app.post(&sofia, &merge_path(billing.id), &json!({"into": parent.id}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_ne!(
        app.ticket(&admin, billing.id).await.status.category,
        StatusCategory::Closed,
        "a refused merge changed nothing"
    );
    // Marc's ticket merged (by an admin) into one he cannot see: he learns
    // that it was merged and the number, not the other ticket's subject.
    ok::<Ticket>(
        app.post(&admin, &merge_path(mine.id), &json!({"into": billing.id}))
            .await,
    )
    .await;
    let seen = app.ticket(&marc, mine.id).await.merged_into.unwrap();
    assert_eq!((seen.id, seen.number), (billing.id, billing.number));
    assert_eq!(seen.subject, "");
    let by_admin = app.ticket(&admin, mine.id).await.merged_into.unwrap();
    assert_eq!(by_admin.subject, "Secret billing matter");
    // The parent lists the sub-ticket as a child for those who see both.
    let lp = links(&app, &admin, parent.id).await;
    assert!(lp
        .iter()
        .any(|l| l.kind == LinkKind::Child && l.ticket.id == sub.id));
}

#[tokio::test]
async fn merge_closes_the_source_links_notes_and_records_both_tickets_in_one_go() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let src = support_ticket(&app, &admin, &d, "Invoice wrong").await;
    let dst = support_ticket(&app, &admin, &d, "Invoice wrong, second mail").await;
    created::<Value>(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/comments", src.id),
            &json!({"body": "Called the customer", "internal": false}),
        )
        .await,
    )
    .await;

    // A stale If-Match changes nothing.
    let res = app
        .get(&admin, &format!("/api/v1/tickets/{}", src.id))
        .await;
    let tag = etag(&res);
    problem_code(
        app.request(Method::POST, &admin, &merge_path(src.id))
            .header("if-match", "\"999\"")
            .json(&json!({"into": dst.id}))
            .send()
            .await
            .unwrap(),
        StatusCode::PRECONDITION_FAILED,
        "stale",
    )
    .await;
    assert!(links(&app, &admin, src.id).await.is_empty());

    let res = app
        .request(Method::POST, &admin, &merge_path(src.id))
        .header("if-match", &tag)
        .json(
            &json!({"into": format!("#{}", dst.number), "comment": "Same customer, same invoice"}),
        )
        .send()
        .await
        .unwrap();
    let new_tag = etag(&res);
    let merged: Ticket = ok(res).await;
    assert_ne!(new_tag, tag);
    assert_eq!(merged.id, src.id);
    assert_eq!(merged.version, src.version + 1);
    // The demo's first active closed status.
    assert_eq!(merged.status.id, d.resolved);
    assert_eq!(merged.status.category, StatusCategory::Closed);
    assert!(merged.closed_at.is_some());
    let into = merged.merged_into.clone().expect("merged_into");
    assert_eq!(
        (into.id, into.number, into.subject.as_str()),
        (dst.id, dst.number, "Invoice wrong, second mail")
    );
    assert_eq!(app.ticket(&admin, src.id).await.merged_into, Some(into));
    assert_eq!(app.ticket(&admin, dst.id).await.merged_into, None);

    // Internal notes on both, with the comment.
    let cs = comments(&app, &admin, src.id).await;
    assert!(cs.iter().any(|b| b == "Called the customer"), "{cs:?}");
    let note = cs.iter().find(|b| b.starts_with("Merged into")).unwrap();
    assert_eq!(
        note,
        &format!("Merged into #{}\n\nSame customer, same invoice", dst.number)
    );
    let cd = comments(&app, &admin, dst.id).await;
    assert!(cd
        .iter()
        .any(|b| b.starts_with(&format!("#{} was merged into this ticket", src.number))));

    // History on both, the source's rows tied to its note.
    let hs = history(&app, &admin, src.id).await;
    let st = rows(&hs, "status");
    let st = st.last().unwrap();
    assert_eq!((st.old_id, st.new_id), (Some(d.open), Some(d.resolved)));
    let m = rows(&hs, "merged_into");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].new_id, Some(dst.id));
    assert_eq!(
        m[0].new_value.as_deref(),
        Some(&*format!("#{}", dst.number))
    );
    assert!(m[0].comment_id.is_some());
    assert_eq!(st.comment_id, m[0].comment_id);
    let hd = history(&app, &admin, dst.id).await;
    let m = rows(&hd, "merged_from");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].new_id, Some(src.id));

    // The links, from both ends.
    let ls = links(&app, &admin, src.id).await;
    assert_eq!(
        (ls[0].kind, ls[0].ticket.id),
        (LinkKind::MergedInto, dst.id)
    );
    let ld = links(&app, &admin, dst.id).await;
    assert_eq!(
        (ld[0].kind, ld[0].ticket.id),
        (LinkKind::MergedFrom, src.id)
    );
    assert_eq!(ld[0].ticket.status.category, StatusCategory::Closed);

    // One event, on the source, naming the survivor and the status change.
    let ev = of_kind(&events(&app, src.id), "ticket.merged");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["into_ticket_id"], dst.id);
    assert_eq!(ev[0]["into_number"], dst.number);
    assert_eq!(ev[0]["changes"][0]["field"], "status");
    assert_eq!(ev[0]["changes"][0]["new_id"], d.resolved);

    // A merge is not undone by removing its link.
    problem_code(
        app.delete(
            &admin,
            &format!("/api/v1/tickets/{}/links/{}", dst.id, ld[0].id.unwrap()),
        )
        .await,
        StatusCode::CONFLICT,
        "merge_link_fixed",
    )
    .await;
}

#[tokio::test]
async fn merge_refusals_have_their_status_and_problem_type() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let a = support_ticket(&app, &admin, &d, "A").await;
    let b = support_ticket(&app, &admin, &d, "B").await;
    let c = support_ticket(&app, &admin, &d, "C").await;

    let p = problem_code(
        app.post(&admin, &merge_path(a.id), &json!({"into": a.id}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_codes(&p), vec![("into", "self_link")]);
    for into in [json!(999_999), json!("#999999")] {
        problem_code(
            app.post(&admin, &merge_path(a.id), &json!({"into": into}))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    // A deleted ticket is no target.
    let gone = support_ticket(&app, &admin, &d, "Deleted").await;
    let res = app
        .delete(&admin, &format!("/api/v1/tickets/{}", gone.id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem_code(
        app.post(&admin, &merge_path(a.id), &json!({"into": gone.id}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    ok::<Ticket>(
        app.post(&admin, &merge_path(a.id), &json!({"into": b.id}))
            .await,
    )
    .await;
    // Merged once.
    problem_code(
        app.post(&admin, &merge_path(a.id), &json!({"into": c.id}))
            .await,
        StatusCode::CONFLICT,
        "already_merged",
    )
    .await;
    // Not into a merged ticket: the problem names the survivor.
    let p = problem_code(
        app.post(&admin, &merge_path(c.id), &json!({"into": a.id}))
            .await,
        StatusCode::CONFLICT,
        "target_merged",
    )
    .await;
    assert_eq!(p.type_, "urn:lazo:problem:target-merged");
    assert!(
        p.detail
            .as_deref()
            .unwrap_or("")
            .contains(&format!("#{}", b.number)),
        "{p:?}"
    );
    assert_eq!(field_codes(&p), vec![("into", "target_merged")]);

    // Open sub-tickets: refused, named; once closed, the merge goes through.
    let sub: Ticket = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/sub-tickets", c.id),
            &json!({"subject": "Part", "group_id": d.support, "status_id": d.open}),
        )
        .await,
    )
    .await;
    let p = problem_code(
        app.post(&admin, &merge_path(c.id), &json!({"into": b.id}))
            .await,
        StatusCode::CONFLICT,
        "open_sub_tickets",
    )
    .await;
    assert!(p
        .detail
        .as_deref()
        .unwrap_or("")
        .contains(&format!("#{}", sub.number)));
    assert_eq!(app.ticket(&admin, c.id).await.status.id, d.open);
    assert!(links(&app, &admin, c.id)
        .await
        .iter()
        .all(|l| l.kind != LinkKind::MergedInto));
    ok::<Ticket>(
        app.patch(
            &admin,
            &format!("/api/v1/tickets/{}", sub.id),
            &json!({"status_id": d.resolved}),
        )
        .await,
    )
    .await;
    let merged: Ticket = ok(app
        .post(&admin, &merge_path(c.id), &json!({"into": b.id}))
        .await)
    .await;
    assert_eq!(merged.merged_into.map(|m| m.id), Some(b.id));

    // Only one merge event per merge went out.
    assert_eq!(of_kind(&events(&app, a.id), "ticket.merged").len(), 1);
    assert_eq!(of_kind(&events(&app, c.id), "ticket.merged").len(), 1);
}

#[tokio::test]
async fn two_tickets_merged_into_each_other_at_once_do_not_make_a_cycle() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    for round in 0..5 {
        let a = support_ticket(&app, &admin, &d, &format!("A{round}")).await;
        let b = support_ticket(&app, &admin, &d, &format!("B{round}")).await;
        let (pa, pb) = (merge_path(a.id), merge_path(b.id));
        let (ba, bb) = (json!({"into": b.id}), json!({"into": a.id}));
        let (ra, rb) = tokio::join!(app.post(&admin, &pa, &ba), app.post(&admin, &pb, &bb));
        let mut statuses = [ra.status(), rb.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
        let (ta, tb) = (
            app.ticket(&admin, a.id).await,
            app.ticket(&admin, b.id).await,
        );
        // Exactly one of them is merged, into the other.
        match (ta.merged_into, tb.merged_into) {
            (Some(m), None) => assert_eq!(m.id, b.id),
            (None, Some(m)) => assert_eq!(m.id, a.id),
            other => panic!("round {round}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn merging_a_snoozed_ticket_ends_its_snooze() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let a = support_ticket(&app, &admin, &d, "Snoozed").await;
    let b = support_ticket(&app, &admin, &d, "Survivor").await;
    let until = chrono::Utc::now() + chrono::Duration::days(3);
    let snoozed: Ticket = ok(app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/snooze", a.id),
            &json!({"until": until}),
        )
        .await)
    .await;
    assert!(snoozed.snooze_until.is_some());
    let key = format!("ticket.reopen_snoozed:{}", a.id);
    let queued = |key: String| {
        app.db
            .write_blocking(move |c| {
                use diesel::prelude::*;
                use lazo_api::db::schema::jobs;
                Ok(jobs::table
                    .filter(jobs::unique_key.eq(key))
                    .filter(jobs::state.eq("queued"))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .unwrap()
    };
    assert_eq!(queued(key.clone()), 1, "the snooze queued its reopen job");
    let merged: Ticket = ok(app
        .post(&admin, &merge_path(a.id), &json!({"into": b.id}))
        .await)
    .await;
    assert_eq!(merged.snooze_until, None);
    assert_eq!(merged.status.category, StatusCategory::Closed);
    let h = history(&app, &admin, a.id).await;
    let s = rows(&h, "snooze_until");
    assert_eq!(s.last().unwrap().new_value, None);
    // The reopen job was withdrawn: nothing is due for this ticket.
    assert_eq!(queued(key), 0);
}

#[tokio::test]
async fn the_merged_tickets_owner_hears_where_the_work_went() {
    use lazo_api::jobs::{Registry, Worker};
    use lazo_domain::notification::NotificationPage;
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let mut r = Registry::default();
    let mail = Arc::new(MailConfig::new("Acme <support@acme.test>", b"k".to_vec()).unwrap());
    lazo_service::notifications::register(&mut r, mail, "https://lazo.acme.test".into());
    let w = Arc::new(Worker::new(app.db.storage(), r, quick_worker()));
    let settle = || {
        let w = w.clone();
        tokio::task::spawn_blocking(move || while w.tick().expect("a worker round") > 0 {})
    };
    let src = app
        .create_ticket(
            &admin,
            &json!({"subject": "Ana's", "group_id": d.support, "owner_id": d.ana, "status_id": d.open}),
        )
        .await;
    let dst = support_ticket(&app, &admin, &d, "Survivor").await;
    settle().await.unwrap();
    let bell = |t: String| {
        let app = &app;
        async move {
            let p: NotificationPage =
                ok(app.get(&t, "/api/v1/notifications?limit=200").await).await;
            p.items
        }
    };
    let seen = bell(ana.clone()).await.first().map(|n| n.id).unwrap_or(0);
    ok::<Ticket>(
        app.post(&admin, &merge_path(src.id), &json!({"into": dst.id}))
            .await,
    )
    .await;
    settle().await.unwrap();
    let new: Vec<_> = bell(ana.clone())
        .await
        .into_iter()
        .filter(|n| n.id > seen)
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].kind, lazo_domain::NotificationKind::Status);
    assert_eq!(new[0].ticket_id, Some(src.id));
    // In Ana's language (Spanish), status names included.
    assert_eq!(
        new[0].detail,
        format!("Fusionado en #{}. Estado: Abierto → Resuelto", dst.number)
    );
    // Nobody hears of their own merge.
    let mine = bell(admin.clone()).await;
    assert!(mine.iter().all(|n| n.ticket_id != Some(src.id)), "{mine:?}");
}

// ------------------------------------------------------------ inbound email

const KEY: &[u8] = b"links-test-key";

async fn spawn_mail() -> TestApp {
    let cfg = MailConfig::new("Acme Support <support@acme.test>", KEY.to_vec()).unwrap();
    TestApp::spawn_with(Config {
        mail: Arc::new(cfg),
        ..Config::default()
    })
    .await
}

fn mail(from: &str, to: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@customer.test>\r\nDate: Thu, 26 Nov 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAny news?\r\n",
        uuid::Uuid::new_v4()
    )
}

async fn deliver(app: &TestApp, token: &str, raw: String) -> InboundMessage {
    created(
        app.request(Method::POST, token, "/api/v1/inbound/email")
            .header("content-type", "message/rfc822")
            .body(raw)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn replies_to_a_merged_ticket_land_on_its_survivor_along_the_chain() {
    let app = spawn_mail().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let secret: lazo_domain::wire::CreatedApiToken = created(
        app.post(
            &admin,
            "/api/v1/tokens",
            &json!({"name": "mta", "scopes": ["inbound:write"]}),
        )
        .await,
    )
    .await;
    let mta = secret.secret;
    let src = app
        .create_ticket(
            &admin,
            &json!({"subject": "Late delivery", "group_id": d.support,
                    "requester": {"email": "ada@customer.test", "name": "Ada"}}),
        )
        .await;
    let mid = support_ticket(&app, &admin, &d, "Late delivery (phone)").await;
    let end = support_ticket(&app, &admin, &d, "Late deliveries, all of them").await;
    ok::<Ticket>(
        app.post(&admin, &merge_path(src.id), &json!({"into": mid.id}))
            .await,
    )
    .await;

    // The reply-to token of the merged ticket.
    let to = token::reply_address(KEY, "support@acme.test", src.number);
    let m = deliver(&app, &mta, mail("ada@customer.test", &to, "Re: hello")).await;
    assert_eq!(m.ticket_id, Some(mid.id));
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "matched");
    // `[#n]` from the merged ticket's requester (not on the survivor).
    let m = deliver(
        &app,
        &mta,
        mail(
            "ada@customer.test",
            "support@acme.test",
            &format!("Re: Late delivery [#{}]", src.number),
        ),
    )
    .await;
    assert_eq!(m.ticket_id, Some(mid.id));
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "matched");

    // The survivor is merged in turn: the chain is followed.
    ok::<Ticket>(
        app.post(&admin, &merge_path(mid.id), &json!({"into": end.id}))
            .await,
    )
    .await;
    let m = deliver(&app, &mta, mail("ada@customer.test", &to, "Re: again")).await;
    assert_eq!(m.ticket_id, Some(end.id));
    let thread: lazo_domain::email::EmailPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/emails", end.id))
        .await)
    .await;
    assert_eq!(thread.items.len(), 1);
    assert_eq!(thread.items[0].from, "ada@customer.test");
    // The merged tickets kept what they had: the second reply on `mid`.
    let thread: lazo_domain::email::EmailPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/emails", mid.id))
        .await)
    .await;
    assert_eq!(thread.items.len(), 2);

    // A stranger quoting the merged number: a new ticket, related to the
    // survivor, with history and an event like any link.
    let m = deliver(
        &app,
        &mta,
        mail(
            "bob@elsewhere.test",
            "support@acme.test",
            &format!("About [#{}]", src.number),
        ),
    )
    .await;
    assert_eq!(serde_json::to_value(m.outcome).unwrap(), "created");
    let new = m.ticket_id.unwrap();
    let l = links(&app, &admin, new).await;
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].kind, l[0].ticket.id), (LinkKind::Related, end.id));
    assert_eq!(
        rows(&history(&app, &admin, end.id).await, "link_related")[0].new_id,
        Some(new)
    );
    assert_eq!(of_kind(&events(&app, new), "ticket.linked").len(), 1);
}
