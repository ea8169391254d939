//! Events (the outbox), the durable job queue and snooze (scheduled reopen),
//! through HTTP and a real job worker on the test's database.

use crate::common;

use chrono::{Duration, Utc};
use common::*;
use diesel::prelude::*;
use lazo_api::db::schema::{events, idempotency_keys, jobs, sessions, tickets};
use lazo_api::db::{now, DbConn};
use lazo_api::jobs::{
    enqueue, tasks, worker::backoff, EventConsumer, NewJob, Outcome, Registry, Worker, WorkerConfig,
};
use lazo_domain::event::{Event, StoredEvent};
use lazo_domain::wire::{HistoryPage, Job, JobPage, Ticket};
use lazo_domain::StatusCategory;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn fast() -> WorkerConfig {
    WorkerConfig {
        poll: std::time::Duration::from_millis(20),
        lease: Duration::seconds(30),
        backoff_base: Duration::milliseconds(20),
        backoff_max: Duration::milliseconds(200),
        batch: 20,
    }
}

/// Runs worker rounds on a blocking thread until `done` holds or 15 s pass.
async fn work_until(worker: Arc<Worker>, done: impl Fn() -> bool + Send + 'static) {
    tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        while !done() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(15),
                "the worker did not get there in 15 s"
            );
            if worker.tick().expect("a worker round") == 0 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    })
    .await
    .unwrap();
}

/// Collects every event fanned out to it.
#[derive(Default)]
struct Recorder(Mutex<Vec<StoredEvent>>);

impl EventConsumer for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }
    fn jobs_for(&self, _: &mut DbConn, events: &[StoredEvent]) -> anyhow::Result<Vec<NewJob>> {
        self.0.lock().unwrap().extend_from_slice(events);
        Ok(vec![])
    }
}

fn undispatched(app: &TestApp) -> i64 {
    app.db
        .write_blocking(|c| {
            Ok(events::table
                .filter(events::dispatched_at.is_null())
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

#[tokio::test]
async fn every_change_writes_its_events_in_its_transaction() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    // Drain what the demo load wrote, so only this test's events follow.
    let recorder = Arc::new(Recorder::default());
    let mut reg = Registry::default();
    reg.consume(recorder.clone());
    let worker = Arc::new(Worker::new(app.db.storage(), reg, fast()));
    let w = app.db.clone();
    work_until(worker.clone(), move || {
        w.write_blocking(|c| {
            Ok(events::table
                .filter(events::dispatched_at.is_null())
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap()
            == 0
    })
    .await;
    recorder.0.lock().unwrap().clear();

    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Cold soup", "group_id": d.support, "status_id": d.new}),
        )
        .await;
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.open, "priority": "high", "owner_id": d.ana,
                    "comment": {"body": "On it", "internal": true}}),
        )
        .await;
    let _: Ticket = ok(res).await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/tickets/{}/comments", t.id),
            &json!({"body": "We are sorry"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // A refused change writes nothing: no half-written event.
    let before = undispatched(&app);
    let res = app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"owner_id": 999999}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(undispatched(&app), before);

    let w = app.db.clone();
    work_until(worker, move || {
        w.write_blocking(|c| {
            Ok(events::table
                .filter(events::dispatched_at.is_null())
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap()
            == 0
    })
    .await;
    let seen = recorder.0.lock().unwrap().clone();
    let kinds: Vec<&str> = seen.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        ["ticket.created", "ticket.updated", "ticket.commented"]
    );
    assert!(seen.iter().all(|e| e.ticket_id == Some(t.id)));
    assert_eq!(seen[0].actor.kind, "user");
    assert_eq!(seen[0].actor.id, Some(d.admin));
    let Event::TicketUpdated {
        changes,
        comment_id,
    } = &seen[1].event
    else {
        panic!("{:?}", seen[1]);
    };
    assert!(comment_id.is_some(), "the comment written with the change");
    let status = changes.iter().find(|c| c.field == "status").unwrap();
    assert_eq!((status.old_id, status.new_id), (Some(d.new), Some(d.open)));
    assert_eq!(status.new.as_deref(), Some("Open"));
    let owner = changes.iter().find(|c| c.field == "owner").unwrap();
    // Support's single manager got it when it was created.
    assert_eq!((owner.old_id, owner.new_id), (Some(d.lucia), Some(d.ana)));
    let prio = changes.iter().find(|c| c.field == "priority").unwrap();
    assert_eq!(prio.new.as_deref(), Some("high"));
    // Events are fanned out once: a second round finds nothing.
    assert_eq!(undispatched(&app), 0);
}

#[tokio::test]
async fn history_keeps_ids_so_a_renamed_status_keeps_its_meaning() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Late", "status_id": d.new}))
        .await;
    let _: Ticket = ok(app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.escalated, "group_id": d.billing}),
        )
        .await)
    .await;
    let _: serde_json::Value = ok(app
        .patch(
            &admin,
            &format!("/api/v1/statuses/{}", d.escalated),
            &json!({"name": "Urgent"}),
        )
        .await)
    .await;
    let h: HistoryPage = ok(app
        .get(&admin, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    let status = h.items.iter().find(|e| e.field == "status").unwrap();
    assert_eq!(
        (status.old_id, status.new_id),
        (Some(d.new), Some(d.escalated))
    );
    // The snapshot is what people saw then; the id says which status it was.
    assert_eq!(status.new_value.as_deref(), Some("Escalated"));
    let group = h.items.iter().find(|e| e.field == "group").unwrap();
    assert_eq!((group.old_id, group.new_id), (None, Some(d.billing)));
    let subject_row = h.items.iter().find(|e| e.field == "created").unwrap();
    assert_eq!((subject_row.old_id, subject_row.new_id), (None, None));
}

// ---------------------------------------------------------------- snooze

fn snooze_path(id: i64) -> String {
    format!("/api/v1/tickets/{id}/snooze")
}

async fn snooze(app: &TestApp, token: &str, id: i64, until: chrono::DateTime<Utc>) -> Ticket {
    ok(app
        .post(token, &snooze_path(id), &json!({ "until": until }))
        .await)
    .await
}

async fn reopen_jobs(app: &TestApp, admin: &str, id: i64) -> Vec<Job> {
    let page: JobPage = ok(app
        .get(
            admin,
            "/api/v1/admin/jobs?kind=ticket.reopen_snoozed&limit=200",
        )
        .await)
    .await;
    page.items
        .into_iter()
        .filter(|j| j.payload["ticket_id"] == id)
        .collect()
}

#[tokio::test]
async fn a_snoozed_ticket_waits_then_reopens_by_itself_with_history() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Call back Friday", "group_id": d.support, "owner_id": d.ana,
                    "status_id": d.escalated}),
        )
        .await;

    let until = Utc::now() + Duration::seconds(2);
    let s = snooze(&app, &ana, t.id, until).await;
    assert_eq!(s.status.category, StatusCategory::Pending);
    assert_eq!(s.version, t.version + 1);
    let got = s.snooze_until.expect("snooze_until is set");
    assert!(
        (got - until).num_milliseconds().abs() < 1,
        "{got} vs {until}"
    );
    // The follow-up list shows it too.
    let rows = app.all_pages(&ana, "category=pending").await;
    let row = rows
        .iter()
        .find(|r| r.id == t.id)
        .expect("listed as pending");
    assert_eq!(row.snooze_until, s.snooze_until);
    let jobs = reopen_jobs(&app, &admin, t.id).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].state, "queued");

    // Not before its time...
    let worker = Arc::new(Worker::new(app.db.storage(), tasks::standard(), fast()));
    worker.tick().unwrap();
    assert_eq!(app.ticket(&ana, t.id).await.status.id, s.status.id);
    // ...then by itself, to the status it had.
    let (db, id) = (app.db.clone(), t.id);
    work_until(worker.clone(), move || {
        let until: Option<chrono::NaiveDateTime> = db
            .write_blocking(move |c| {
                Ok(tickets::table
                    .find(id)
                    .select(tickets::snooze_until)
                    .first(c)?)
            })
            .unwrap();
        until.is_none()
    })
    .await;
    let back = app.ticket(&ana, t.id).await;
    assert_eq!(back.status.id, d.escalated);
    let h: HistoryPage = ok(app
        .get(&ana, &format!("/api/v1/tickets/{}/history", t.id))
        .await)
    .await;
    let reopen = h
        .items
        .iter()
        .rfind(|e| e.field == "status")
        .expect("the reopen is in the history");
    assert_eq!(reopen.actor.kind, "system");
    assert_eq!(reopen.new_id, Some(d.escalated));
    assert!(h.items.iter().any(|e| e.field == "snooze_until"));
    let jobs = reopen_jobs(&app, &admin, t.id).await;
    assert_eq!(jobs[0].state, "done");
    // Running the job again (at least once means maybe twice) changes nothing.
    let v = back.version;
    app.db
        .write_blocking(move |c| Ok(lazo_api::tickets::snooze::reopen_due(c, id, now())?))
        .unwrap();
    assert_eq!(app.ticket(&ana, t.id).await.version, v);
}

#[tokio::test]
async fn snoozing_again_moves_the_one_job_and_unsnoozing_withdraws_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Wait", "status_id": d.open}))
        .await;
    let first = Utc::now() + Duration::hours(3);
    snooze(&app, &admin, t.id, first).await;
    let later = Utc::now() + Duration::days(2);
    let s = snooze(&app, &admin, t.id, later).await;
    let jobs = reopen_jobs(&app, &admin, t.id).await;
    assert_eq!(jobs.len(), 1, "one job per ticket, rescheduled");
    assert!((jobs[0].run_at - later).num_milliseconds().abs() < 1);
    assert_eq!(
        s.snooze_until
            .map(|u| (u - later).num_milliseconds().abs() < 1),
        Some(true)
    );

    let res = app.delete(&admin, &snooze_path(t.id)).await;
    let u: Ticket = ok(res).await;
    assert_eq!(u.status.id, d.open, "back to where it was");
    assert!(u.snooze_until.is_none());
    let jobs = reopen_jobs(&app, &admin, t.id).await;
    assert_eq!(jobs[0].state, "done");
    assert_eq!(jobs[0].last_error.as_deref(), Some("cancelled"));
    let res = app.delete(&admin, &snooze_path(t.id)).await;
    problem_code(res, StatusCode::CONFLICT, "not_snoozed").await;
}

#[tokio::test]
async fn changing_the_status_by_hand_ends_the_snooze() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(&admin, &json!({"subject": "Hand", "status_id": d.open}))
        .await;
    snooze(&app, &admin, t.id, Utc::now() + Duration::hours(1)).await;
    let u: Ticket = ok(app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"status_id": d.escalated}),
        )
        .await)
    .await;
    assert!(u.snooze_until.is_none());
    let jobs = reopen_jobs(&app, &admin, t.id).await;
    assert_eq!(jobs[0].state, "done");
    // Other changes leave it snoozed.
    let s = snooze(&app, &admin, t.id, Utc::now() + Duration::hours(1)).await;
    let u: Ticket = ok(app
        .patch(
            &admin,
            &format!("/api/v1/tickets/{}", t.id),
            &json!({"priority": "low"}),
        )
        .await)
    .await;
    assert_eq!(u.snooze_until, s.snooze_until);
}

#[tokio::test]
async fn snooze_refuses_the_past_closed_tickets_stale_versions_and_readers() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let sofia = app.login(SOFIA).await;
    let d = app.demo(&admin).await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Past", "status_id": d.open, "group_id": d.support, "owner_id": d.ana}),
        )
        .await;
    let res = app
        .post(
            &admin,
            &snooze_path(t.id),
            &json!({"until": Utc::now() - Duration::minutes(1)}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["until"]);
    let res = app
        .post(
            &admin,
            &snooze_path(t.id),
            &json!({"until": Utc::now() + Duration::days(400)}),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app.post(&admin, &snooze_path(t.id), &json!({})).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["until"]);
    // Sofía (Billing, not Support) cannot see it.
    let res = app
        .post(
            &sofia,
            &snooze_path(t.id),
            &json!({"until": Utc::now() + Duration::hours(1)}),
        )
        .await;
    problem_code(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .request(reqwest::Method::POST, &admin, &snooze_path(t.id))
        .header("If-Match", "\"999\"")
        .json(&json!({"until": Utc::now() + Duration::hours(1)}))
        .send()
        .await
        .unwrap();
    problem_code(res, StatusCode::PRECONDITION_FAILED, "stale").await;
    let closed = app
        .create_ticket(
            &admin,
            &json!({"subject": "Done", "status_id": d.resolved, "type_id": d.general}),
        )
        .await;
    let res = app
        .post(
            &admin,
            &snooze_path(closed.id),
            &json!({"until": Utc::now() + Duration::hours(1)}),
        )
        .await;
    problem_code(res, StatusCode::UNPROCESSABLE_ENTITY, "ticket_closed").await;
    // Nothing was half-written by the refusals.
    assert!(reopen_jobs(&app, &admin, t.id).await.is_empty());
    assert!(app.ticket(&admin, t.id).await.snooze_until.is_none());
}

// ---------------------------------------------------------------- the runner

#[tokio::test]
async fn a_failing_job_backs_off_then_is_dead_and_an_admin_can_retry_it() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let tries: Arc<Mutex<Vec<std::time::Instant>>> = Arc::default();
    let mut reg = Registry::default();
    let t2 = tries.clone();
    reg.register("test.always_fails", move |_, _| {
        t2.lock().unwrap().push(std::time::Instant::now());
        anyhow::bail!("the far end said no")
    });
    app.db
        .write_blocking(|c| {
            Ok(enqueue(
                c,
                NewJob::new("test.always_fails", json!({"n": 1})).max_attempts(4),
            )?)
        })
        .unwrap();
    let worker = Arc::new(Worker::new(app.db.storage(), reg, fast()));
    let t3 = tries.clone();
    work_until(worker.clone(), move || t3.lock().unwrap().len() >= 4).await;
    // Settle the last outcome, then nothing more runs.
    worker.tick().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    worker.tick().unwrap();
    let at = tries.lock().unwrap().clone();
    assert_eq!(at.len(), 4, "exactly max_attempts tries");
    // Each wait is at least half the doubled base (20, 40, 80 ms, jittered).
    for (i, w) in at.windows(2).enumerate() {
        let min = std::time::Duration::from_millis(10 << i);
        assert!(w[1] - w[0] >= min, "retry {i} came after {:?}", w[1] - w[0]);
    }
    let page: JobPage = ok(app.get(&admin, "/api/v1/admin/jobs?state=dead").await).await;
    let dead = &page.items[0];
    assert_eq!(dead.kind, "test.always_fails");
    assert_eq!(dead.attempts, 4);
    assert!(dead
        .last_error
        .as_deref()
        .unwrap()
        .contains("the far end said no"));
    assert!(dead.finished_at.is_some());

    // Agents may not look or retry.
    let res = app.get(&ana, "/api/v1/admin/jobs").await;
    problem_code(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .post(
            &ana,
            &format!("/api/v1/admin/jobs/{}/retry", dead.id),
            &json!({}),
        )
        .await;
    problem_code(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.get(&admin, "/api/v1/admin/jobs?state=sleeping").await;
    problem_code(res, StatusCode::BAD_REQUEST, "invalid_query").await;

    let again: Job = ok(app
        .post(
            &admin,
            &format!("/api/v1/admin/jobs/{}/retry", dead.id),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!((again.state.as_str(), again.attempts), ("queued", 0));
    worker.tick().unwrap();
    assert_eq!(tries.lock().unwrap().len(), 5, "the retry ran it");
    let res = app
        .post(&admin, "/api/v1/admin/jobs/999999/retry", &json!({}))
        .await;
    problem_code(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[test]
fn backoff_doubles_with_jitter_and_is_capped() {
    let cfg = WorkerConfig {
        backoff_base: Duration::seconds(10),
        backoff_max: Duration::minutes(10),
        ..WorkerConfig::default()
    };
    for attempt in 1..=12 {
        let full = (10_000i64 << (attempt - 1)).min(600_000);
        for _ in 0..50 {
            let d = backoff(&cfg, attempt).num_milliseconds();
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d} ms");
        }
    }
}

#[tokio::test]
async fn two_workers_never_run_the_same_job_twice() {
    let app = TestApp::spawn().await;
    const N: i64 = 300;
    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let make = |runs: Arc<Mutex<HashMap<i64, u32>>>| {
        let mut reg = Registry::default();
        reg.register("test.count", move |_, p| {
            let n = p["n"].as_i64().unwrap();
            // Long enough that the two workers overlap.
            std::thread::sleep(std::time::Duration::from_millis(2));
            *runs.lock().unwrap().entry(n).or_default() += 1;
            Ok(Outcome::Done)
        });
        reg
    };
    app.db
        .write_blocking(|c| {
            for n in 0..N {
                enqueue(c, NewJob::new("test.count", json!({ "n": n })))?;
            }
            Ok(())
        })
        .unwrap();
    // Two workers with their own pools, as two `lazo worker` processes have.
    let url = app.db.url().to_owned();
    let mut handles = Vec::new();
    for _ in 0..2 {
        let db = lazo_api::db::Db::connect(&url).unwrap();
        let w = Worker::new(
            db.storage(),
            make(runs.clone()),
            WorkerConfig { batch: 5, ..fast() },
        );
        let r = runs.clone();
        handles.push(std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let mut mine = 0;
            while r.lock().unwrap().len() < N as usize {
                assert!(start.elapsed().as_secs() < 60, "workers too slow");
                mine += w.tick().unwrap();
            }
            mine
        }));
    }
    let per_worker: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), N as usize);
    assert!(runs.values().all(|&n| n == 1), "a job ran twice");
    assert!(
        per_worker.iter().all(|&n| n > 0),
        "both worked: {per_worker:?}"
    );
    let left: i64 = app
        .db
        .write_blocking(|c| {
            Ok(jobs::table
                .filter(jobs::kind.eq("test.count"))
                .filter(jobs::state.ne("done"))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_again_after_its_lease() {
    let app = TestApp::spawn().await;
    let runs: Arc<Mutex<u32>> = Arc::default();
    let mut reg = Registry::default();
    let r = runs.clone();
    reg.register("test.once", move |_, _| {
        *r.lock().unwrap() += 1;
        Ok(Outcome::Done)
    });
    app.db
        .write_blocking(|c| Ok(enqueue(c, NewJob::new("test.once", json!({})))?))
        .unwrap();
    // A worker claimed it and died before finishing: the row is left as a
    // dead worker leaves it, running under a lease that runs out in 1 s.
    app.db
        .write_blocking(|c| {
            let t = now();
            Ok(
                diesel::update(jobs::table.filter(jobs::kind.eq("test.once")))
                    .set((
                        jobs::state.eq("running"),
                        jobs::attempts.eq(1),
                        jobs::lease.eq("dead-worker"),
                        jobs::locked_until.eq(t + Duration::seconds(1)),
                    ))
                    .execute(c)?,
            )
        })
        .unwrap();
    let worker = Arc::new(Worker::new(app.db.storage(), reg, fast()));
    worker.tick().unwrap();
    assert_eq!(*runs.lock().unwrap(), 0, "the lease still holds");
    let r = runs.clone();
    work_until(worker, move || *r.lock().unwrap() == 1).await;
    let (state, attempts): (String, i32) = app
        .db
        .write_blocking(|c| {
            Ok(jobs::table
                .filter(jobs::kind.eq("test.once"))
                .select((jobs::state, jobs::attempts))
                .first(c)?)
        })
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("done", 2));
}

#[tokio::test]
async fn expired_idempotency_keys_and_sessions_are_cleaned_up_by_periodic_jobs() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let _other = app.login(ANA).await;
    for key in ["old-key", "new-key"] {
        let res = app
            .request(reqwest::Method::POST, &admin, "/api/v1/tickets")
            .header("Idempotency-Key", key)
            .json(&json!({"subject": key}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let old = now() - Duration::hours(25);
    app.db
        .write_blocking(move |c| {
            diesel::update(
                idempotency_keys::table.filter(idempotency_keys::idem_key.eq("old-key")),
            )
            .set(idempotency_keys::created_at.eq(old))
            .execute(c)?;
            // Ana's session ran out; Alex's did not.
            diesel::update(
                sessions::table.filter(
                    sessions::user_id.eq_any(
                        lazo_api::db::schema::users::table
                            .filter(lazo_api::db::schema::users::email.eq(ANA))
                            .select(lazo_api::db::schema::users::id),
                    ),
                ),
            )
            .set(sessions::expires_at.eq(old))
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    tasks::ensure_periodic(&app.db).unwrap();
    tasks::ensure_periodic(&app.db).unwrap();
    let worker = Arc::new(Worker::new(app.db.storage(), tasks::standard(), fast()));
    let db = app.db.clone();
    work_until(worker, move || {
        db.write_blocking(|c| {
            Ok(idempotency_keys::table
                .filter(idempotency_keys::idem_key.eq("old-key"))
                .count()
                .get_result::<i64>(c)?)
        })
        .unwrap()
            == 0
    })
    .await;
    let (keys, sessions_left, periodic): (
        Vec<String>,
        i64,
        Vec<(String, String, chrono::NaiveDateTime)>,
    ) = app
        .db
        .write_blocking(|c| {
            Ok((
                idempotency_keys::table
                    .select(idempotency_keys::idem_key)
                    .load(c)?,
                sessions::table.count().get_result(c)?,
                jobs::table
                    .filter(
                        jobs::kind.eq_any([tasks::EXPIRE_IDEMPOTENCY_KEYS, tasks::EXPIRE_SESSIONS]),
                    )
                    .select((jobs::kind, jobs::state, jobs::run_at))
                    .load(c)?,
            ))
        })
        .unwrap();
    assert_eq!(keys, ["new-key"]);
    // The session clean-up ran in the same rounds (both were due at once).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut left = sessions_left;
    while left != 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        left = app
            .db
            .write_blocking(|c| Ok(sessions::table.count().get_result(c)?))
            .unwrap();
    }
    assert_eq!(left, 1, "only the live session is left");
    // One row per periodic task however often it was ensured, waiting for
    // its next hour.
    assert_eq!(periodic.len(), 2, "{periodic:?}");
    let res = app.get(&admin, "/api/v1/me").await;
    assert_eq!(res.status(), StatusCode::OK);
}

// ---------------------------------------------------------------- migration

/// An empty database of the backend under test: (url, keep-alive, drop).
fn empty_database() -> (String, Option<tempfile::TempDir>, Option<(String, String)>) {
    match std::env::var("LAZO_TEST_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let name = format!("lazo_m_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&admin).unwrap();
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .unwrap();
            (with_database(&admin, &name), None, Some((admin, name)))
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let url = dir.path().join("m.db").to_string_lossy().into_owned();
            (url, Some(dir), None)
        }
    }
}

/// field, old_id, new_id
type HistoryIds = (String, Option<i64>, Option<i64>);

#[test]
fn history_written_before_ids_gets_them_from_the_names_it_stored() {
    use diesel_migrations::MigrationHarness;
    let (url, _dir, pg) = empty_database();
    {
        let db = lazo_api::db::Db::connect(&url).unwrap();
        let mut conn = db.conn().unwrap();
        let all = match db.backend {
            lazo_api::db::Backend::Sqlite => lazo_api::db::SQLITE_MIGRATIONS,
            lazo_api::db::Backend::Postgres => lazo_api::db::PG_MIGRATIONS,
        };
        // The database as the first release left it.
        conn.run_next_migration(all).unwrap();
        let ts = "'2026-11-01 10:00:00'";
        for sql in [
            "INSERT INTO statuses (name, category, position, active) VALUES \
             ('New', 'new', 1, TRUE), ('Open', 'open', 2, TRUE)"
                .to_owned(),
            format!(
                "INSERT INTO users (email, name, language, role, active, password_hash, created_at, updated_at) VALUES \
                 ('a@x.test', 'Ana', 'en', 'agent', TRUE, 'x', {ts}, {ts}), \
                 ('b@x.test', 'Ana', 'en', 'agent', TRUE, 'x', {ts}, {ts}), \
                 ('m@x.test', 'Marc', 'en', 'agent', TRUE, 'x', {ts}, {ts})"
            ),
            format!(
                "INSERT INTO tickets (number, subject, priority, status_id, status_category, created_at, updated_at) \
                 VALUES (1001, 'Old', 1, (SELECT id FROM statuses WHERE name = 'Open'), 'open', {ts}, {ts})"
            ),
            format!(
                "INSERT INTO history (ticket_id, at, actor_name, field, old_value, new_value) VALUES \
                 ((SELECT id FROM tickets), {ts}, 'x', 'status', 'New', 'Open'), \
                 ((SELECT id FROM tickets), {ts}, 'x', 'owner', NULL, 'Marc'), \
                 ((SELECT id FROM tickets), {ts}, 'x', 'owner', 'Marc', 'Ana'), \
                 ((SELECT id FROM tickets), {ts}, 'x', 'subject', 'Older', 'Old')"
            ),
        ] {
            match &mut *conn {
                DbConn::Sqlite(c) => diesel::sql_query(sql).execute(c),
                DbConn::Pg(c) => diesel::sql_query(sql).execute(c),
            }
            .unwrap();
        }
        drop(conn);
        assert!(db.migrate().unwrap() >= 1);
        use lazo_api::db::schema::{history, statuses, users};
        let (rows, new, open, marc): (Vec<HistoryIds>, i64, i64, i64) = db
            .write_blocking(|c| {
                let id = |c: &mut DbConn, n: &str| -> Result<i64, lazo_api::error::ApiError> {
                    Ok(statuses::table
                        .filter(statuses::name.eq(n))
                        .select(statuses::id)
                        .first(c)?)
                };
                Ok((
                    history::table
                        .order(history::id)
                        .select((history::field, history::old_id, history::new_id))
                        .load(c)?,
                    id(c, "New")?,
                    id(c, "Open")?,
                    users::table
                        .filter(users::name.eq("Marc"))
                        .select(users::id)
                        .first(c)?,
                ))
            })
            .unwrap();
        assert_eq!(
            rows,
            [
                ("status".to_owned(), Some(new), Some(open)),
                ("owner".to_owned(), None, Some(marc)),
                // Two people are called Ana: the name does not say which.
                ("owner".to_owned(), Some(marc), None),
                ("subject".to_owned(), None, None),
            ]
        );
    }
    if let Some((admin, name)) = pg {
        let mut c = diesel::PgConnection::establish(&admin).unwrap();
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .unwrap();
    }
}
