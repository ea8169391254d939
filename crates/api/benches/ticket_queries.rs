//! Follow-up page benchmark: loads N tickets (env LAZO_BENCH_TICKETS, default
//! 1,000,000) into a fresh database (SQLite in a temp dir, or PostgreSQL when
//! LAZO_BENCH_DATABASE_URL names a fresh, empty database) and times the list
//! and counts queries the SPA issues, through the same code the HTTP handlers
//! call. Counts are timed twice: as the handler answers them (from the
//! `ticket_counts` rollup where it covers the filter) and by the scan alone
//! (`list::scan_counts`, the query before the rollup). Then concurrent
//! creates per second with the rollup's triggers, without them, and with a
//! trigger upserting the rollup row directly (PostgreSQL: the design the
//! deltas avoid). Dataset: docs/BENCHMARKS.md.

use chrono::Duration;
use diesel::connection::SimpleConnection;
use lazo_api::auth::{Principal, UserPrincipal};
use lazo_api::db::{now, Backend, Db};
use lazo_api::tickets::list;
use lazo_api::tickets::rollup as list_rollup;
use lazo_domain::wire::TicketQuery;
use lazo_domain::Role;
use std::time::Instant;

fn main() {
    let n: i64 = std::env::var("LAZO_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    // LAZO_BENCH_KEEP=path: only build the dataset there (SQLite) and keep
    // it, for the HTTP benchmark (`just bench-http`) to serve.
    let keep = std::env::var("LAZO_BENCH_KEEP").ok();
    if let Some(path) = &keep {
        if std::path::Path::new(path).exists() {
            println!("{path} exists: keeping it");
            return;
        }
    }
    let url = keep.clone().unwrap_or_else(|| {
        std::env::var("LAZO_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned())
    });
    let db = Db::connect(&url).expect("database");
    db.migrate().expect("migrations");
    db.write_blocking(|c| Ok(lazo_api::demo::load_demo(c, 0)?))
        .expect("demo organisation");

    let started = Instant::now();
    let mut conn = db.conn().expect("connection");
    conn.batch_execute(&load_sql(db.backend, n))
        .expect("bulk load");
    println!(
        "loaded {n} tickets in {:.1} s ({:?})",
        started.elapsed().as_secs_f64(),
        db.backend
    );
    // The triggers filled the rollup during the load (SQLite) or appended
    // deltas for the job to fold (PostgreSQL): fold them as the worker would
    // within seconds.
    let started = Instant::now();
    let folded = db
        .write_blocking(|c| Ok(list_rollup::compact(c)?))
        .expect("compaction");
    println!(
        "compacted {folded} count deltas in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    // The load's ANALYZE saw the rollup before the fold (PostgreSQL);
    // autovacuum would refresh it after a change this size.
    conn.batch_execute("ANALYZE ticket_counts; ANALYZE ticket_count_deltas;")
        .expect("analyze");
    if keep.is_some() {
        return;
    }

    let admin = Principal::User(UserPrincipal {
        id: 1,
        name: "Alex Admin".into(),
        email: "admin@demo.lazo".into(),
        role: Role::Admin,
        group_ids: vec![],
        session_id: String::new(),
    });
    // Ana (id 3) is an agent in Support (group 1).
    let agent = Principal::User(UserPrincipal {
        id: 3,
        name: "Ana García".into(),
        email: "ana@demo.lazo".into(),
        role: Role::Agent,
        group_ids: vec![1],
        session_id: String::new(),
    });
    let last_30 = (now() - Duration::days(30)).format("%Y-%m-%d").to_string();
    // The SPA sends a date; a script may send the instant 30 days ago, which
    // cuts a day in two (counted exactly by the scan).
    let last_30_exact = (chrono::Utc::now() - Duration::days(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let q = |f: &dyn Fn(&mut TicketQuery)| {
        let mut t = TicketQuery::default();
        f(&mut t);
        t
    };
    let cases: Vec<(&str, &Principal, TicketQuery)> = vec![
        ("admin: newest 50", &admin, q(&|_| {})),
        ("agent: newest 50 (visibility)", &agent, q(&|_| {})),
        (
            "agent: last 30 days (page default)",
            &agent,
            q(&|t| t.created_from = Some(last_30.clone())),
        ),
        (
            "agent: last 30 days to the second",
            &agent,
            q(&|t| t.created_from = Some(last_30_exact.clone())),
        ),
        (
            "admin: last 30 days to the second",
            &admin,
            q(&|t| t.created_from = Some(last_30_exact.clone())),
        ),
        (
            "agent: group Support, priority high+critical",
            &agent,
            q(&|t| {
                t.group = Some("1".into());
                t.priority = Some("high,critical".into());
            }),
        ),
        (
            "admin: status Escalated",
            &admin,
            q(&|t| t.status = Some("3".into())),
        ),
        (
            "admin: category open, priority critical",
            &admin,
            q(&|t| {
                t.category = Some("open".into());
                t.priority = Some("critical".into());
            }),
        ),
        (
            "agent: owner=me sort updated",
            &agent,
            q(&|t| {
                t.owner = Some("me".into());
                t.sort = Some("updated".into());
            }),
        ),
        (
            "admin: unassigned, sort priority",
            &admin,
            q(&|t| {
                t.owner = Some("none".into());
                t.sort = Some("priority".into());
            }),
        ),
        (
            "admin: overdue, sort due asc",
            &admin,
            q(&|t| {
                t.overdue = Some(true);
                t.sort = Some("due".into());
                t.order = Some("asc".into());
            }),
        ),
        (
            "admin: tag vip",
            &admin,
            q(&|t| t.tags = Some("vip".into())),
        ),
        (
            "admin: q=#number",
            &admin,
            q(&|t| t.q = Some(format!("#{}", 1000 + n / 2))),
        ),
        (
            "admin: q=email prefix",
            &admin,
            q(&|t| t.q = Some("customer777@".into())),
        ),
        (
            "admin: q=word (scan)",
            &admin,
            q(&|t| t.q = Some("refund".into())),
        ),
    ];

    println!(
        "\n{:<46} {:>10} {:>10} {:>12} {:>12} {:>10} {:>10}",
        "query", "list p50", "list p95", "counts p50", "counts p95", "scan p50", "scan p95"
    );
    let mut conn = db.conn().expect("connection");
    for (name, who, query) in &cases {
        let f = query.parse().expect("valid query");
        let list_t = time(7, || {
            list::page(&mut conn, who, &f, now()).expect("page");
        });
        let count_t = time(7, || {
            list::counts(&mut conn, who, &f, now()).expect("counts");
        });
        let me = match who {
            Principal::User(u) => Some(u.id),
            _ => None,
        };
        let mut scanned = Vec::new();
        let scan_t = time(5, || {
            let vis = list::visibility(&mut conn, who).expect("visibility");
            scanned = list::scan_counts(&mut conn, vis.as_ref(), me, &f, now()).expect("scan");
        });
        let mut answered = list::counts(&mut conn, who, &f, now()).expect("counts");
        answered.sort_unstable();
        scanned.sort_unstable();
        assert_eq!(answered, scanned, "{name}: rollup and scan disagree");
        println!(
            "{name:<46} {:>8.2}ms {:>8.2}ms {:>10.2}ms {:>10.2}ms {:>8.2}ms {:>8.2}ms",
            list_t.0, list_t.1, count_t.0, count_t.1, scan_t.0, scan_t.1
        );
    }
    // Deep paging: follow the cursor 20 pages down.
    let f = q(&|_| {}).parse().expect("valid");
    let mut f = f;
    let started = Instant::now();
    for _ in 0..20 {
        let (_, next) = list::page(&mut conn, &admin, &f, now()).expect("page");
        f.cursor = next;
    }
    println!(
        "{:<42} {:>8.2}ms per page",
        "admin: 20 pages by cursor",
        started.elapsed().as_secs_f64() * 1e3 / 20.0
    );
    drop(conn);
    create_throughput(&db, &admin);
}

/// Creates per second from 8 threads (the production create: ticket,
/// history, event in one transaction) with the rollup's triggers, without
/// them, and, on PostgreSQL, with a row trigger upserting `ticket_counts`
/// directly, which makes same-day same-status creates queue on one row lock.
fn create_throughput(db: &Db, admin: &Principal) {
    const THREADS: usize = 8;
    const EACH: usize = 150;
    let ours = [
        "ticket_counts_insert",
        "ticket_counts_update",
        "ticket_counts_delete",
    ];
    let set = |sql: String| {
        let mut c = db.conn().expect("connection");
        c.batch_execute(&sql).expect("trigger change");
    };
    let disable = || {
        for t in ours {
            set(match db.backend {
                Backend::Postgres => format!("ALTER TABLE tickets DISABLE TRIGGER {t}"),
                // SQLite cannot disable a trigger; the database is thrown
                // away after this last measurement.
                Backend::Sqlite => format!("DROP TRIGGER {t}"),
            });
        }
    };
    let run = |label: &str| {
        let started = Instant::now();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                s.spawn(move || {
                    for i in 0..EACH {
                        let input = lazo_domain::wire::CreateTicket {
                            subject: format!("Throughput {t}-{i}"),
                            status_id: Some(1),
                            ..Default::default()
                        };
                        db.write_blocking(|c| {
                            Ok(lazo_api::tickets::write::create(c, admin, input, None)?)
                        })
                        .expect("create");
                    }
                });
            }
        });
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label:<46} {:>8.0} creates/s ({} in {secs:.2} s, {THREADS} threads)",
            (THREADS * EACH) as f64 / secs,
            THREADS * EACH
        );
    };
    println!();
    run("creates: with the rollup triggers");
    disable();
    run("creates: without rollup triggers");
    if db.backend == Backend::Postgres {
        set("CREATE FUNCTION bench_hot_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               INSERT INTO ticket_counts VALUES ((NEW.created_at::date - DATE '1970-01-01'), NEW.status_id,
                 NEW.status_category, NEW.priority, COALESCE(NEW.owner_id, 0), COALESCE(NEW.group_id, 0),
                 COALESCE(NEW.parent_owner_id, 0), COALESCE(NEW.parent_group_id, 0),
                 COALESCE(NEW.type_id, 0), COALESCE(NEW.source, ''), 1)
               ON CONFLICT (day, status_id, status_category, priority, owner_id, group_id,
                            parent_owner_id, parent_group_id, type_id, source)
               DO UPDATE SET n = ticket_counts.n + 1;
               RETURN NULL;
             END $$;
             CREATE TRIGGER bench_hot_upsert AFTER INSERT ON tickets
               FOR EACH ROW EXECUTE FUNCTION bench_hot_upsert();"
            .into());
        run("creates: upserting one rollup row (rejected)");
        set("DROP TRIGGER bench_hot_upsert ON tickets; DROP FUNCTION bench_hot_upsert();".into());
        for t in ours {
            set(format!("ALTER TABLE tickets ENABLE TRIGGER {t}"));
        }
    }
}

/// Median and 95th percentile in milliseconds over `runs` runs.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    (v[runs / 2], v[(runs * 95 / 100).min(runs - 1)])
}

/// One INSERT ... SELECT per table, generating rows in the database: the
/// dataset is deterministic (a function of the row number i).
fn load_sql(backend: Backend, n: i64) -> String {
    // i spreads creation over the last 400 days; the other columns cycle
    // with co-prime periods so filters combine realistically:
    // status 4 ways, priority 4, owner 1 of 5 users or none, group
    // Support/Billing/none, 10% tagged vip, due dates around creation.
    let cols = "number, subject, description, type_id, priority, status_id, status_category, group_id, origin_group_id, owner_id, \
                requester_email, source, due_at, summary_score, summary_comment, custom_fields, is_public, created_at, updated_at, version";
    match backend {
        Backend::Sqlite => format!(
            "BEGIN;
             WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
             INSERT INTO tickets ({cols})
             SELECT 1000 + i,
                    CASE i % 5 WHEN 0 THEN 'Refund not received for order ' || i WHEN 1 THEN 'Delivery late' WHEN 2 THEN 'Rude staff'
                         WHEN 3 THEN 'App crashes when paying' ELSE 'Wrong size delivered' END,
                    'Survey response ' || i,
                    1, i % 4, 1 + (i * 7) % 4,
                    CASE 1 + (i * 7) % 4 WHEN 1 THEN 'new' WHEN 4 THEN 'closed' ELSE 'open' END,
                    CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE NULL END,
                    CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE NULL END,
                    CASE i % 6 WHEN 5 THEN NULL ELSE 1 + i % 5 END,
                    'customer' || i || '@example.com',
                    CASE i % 3 WHEN 0 THEN 'survey' WHEN 1 THEN 'email' ELSE 'phone' END,
                    strftime('%Y-%m-%d %H:%M:%f', 'now', '-400 days', '+' || (i * 34560000 / {n}) || ' seconds', '+5 days'),
                    i % 11, 'comment ' || i, '{{}}', 1,
                    strftime('%Y-%m-%d %H:%M:%f', 'now', '-400 days', '+' || (i * 34560000 / {n}) || ' seconds'),
                    strftime('%Y-%m-%d %H:%M:%f', 'now', '-400 days', '+' || (i * 34560000 / {n} + i % 86400) || ' seconds'),
                    1
             FROM s;
             UPDATE counters SET value = 1000 + {n} WHERE name = 'ticket_number';
             INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'vip' FROM tickets WHERE id % 10 = 0;
             COMMIT;
             ANALYZE;"
        ),
        Backend::Postgres => format!(
            "INSERT INTO tickets ({cols})
             SELECT 1000 + i,
                    CASE i % 5 WHEN 0 THEN 'Refund not received for order ' || i WHEN 1 THEN 'Delivery late' WHEN 2 THEN 'Rude staff'
                         WHEN 3 THEN 'App crashes when paying' ELSE 'Wrong size delivered' END,
                    'Survey response ' || i,
                    1, i % 4, 1 + (i * 7) % 4,
                    CASE 1 + (i * 7) % 4 WHEN 1 THEN 'new' WHEN 4 THEN 'closed' ELSE 'open' END,
                    CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE NULL END,
                    CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE NULL END,
                    CASE i % 6 WHEN 5 THEN NULL ELSE 1 + i % 5 END,
                    'customer' || i || '@example.com',
                    CASE i % 3 WHEN 0 THEN 'survey' WHEN 1 THEN 'email' ELSE 'phone' END,
                    (now() at time zone 'utc') - interval '400 days' + (i * 34560000 / {n}) * interval '1 second' + interval '5 days',
                    i % 11, 'comment ' || i, '{{}}', true,
                    (now() at time zone 'utc') - interval '400 days' + (i * 34560000 / {n}) * interval '1 second',
                    (now() at time zone 'utc') - interval '400 days' + (i * 34560000 / {n} + i % 86400) * interval '1 second',
                    1
             FROM generate_series(1::bigint, {n}) AS s(i);
             SELECT setval('ticket_numbers', 1000 + {n});
             INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'vip' FROM tickets WHERE id % 10 = 0;
             ANALYZE;"
        ),
    }
}
