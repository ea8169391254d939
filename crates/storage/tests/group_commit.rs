//! SQLite's group committer: writes queued together share one transaction,
//! each stays all-or-nothing in its own savepoint, and none is answered
//! before the batch that holds it is committed.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use lazo_storage::{Db, DbConn, Finish, StorageError};
use std::sync::mpsc;

fn temp_db(name: &str) -> (Db, String) {
    let dir = std::env::temp_dir().join(format!("lazo-group-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("db.sqlite").to_string_lossy().into_owned();
    let db = Db::connect(&path).unwrap();
    db.conn()
        .unwrap()
        .batch_execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        .unwrap();
    (db, path)
}

fn insert(c: &mut DbConn, k: &str) -> QueryResult<usize> {
    diesel::sql_query("INSERT INTO t (k) VALUES (?)")
        .bind::<diesel::sql_types::Text, _>(k)
        .execute(c)
}

/// What a write does inside its savepoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    /// Inserts its key and succeeds.
    Keep,
    /// Inserts its key, then fails: its insert must vanish.
    FailAfterWrite,
    /// Inserts a key a kept write holds: the database refuses it.
    Duplicate,
    /// Inserts its key and panics.
    Panic,
}

/// Submits a write and returns where its answer arrives.
fn submit(db: &Db, key: String, act: Act) -> mpsc::Receiver<Result<(), String>> {
    let (tx, rx) = mpsc::channel();
    db.submit_grouped(Box::new(move |conn| {
        let c = match conn {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return (false, Box::new(|_| {}));
            }
        };
        let r: Result<(), String> = match act {
            Act::Keep => insert(c, &key).map(drop).map_err(|e| e.to_string()),
            Act::FailAfterWrite => {
                insert(c, &key).unwrap();
                Err("refused after writing".into())
            }
            Act::Duplicate => insert(c, "k-1").map(drop).map_err(|e| e.to_string()),
            Act::Panic => {
                insert(c, &key).unwrap();
                panic!("a write that panics")
            }
        };
        let ok = r.is_ok();
        let finish: Finish = Box::new(move |committed: Result<(), StorageError>| {
            let _ = tx.send(r.and(committed.map_err(|e| e.to_string())));
        });
        (ok, finish)
    }));
    rx
}

fn act_of(i: usize) -> Act {
    match i % 4 {
        0 | 1 => Act::Keep,
        2 => Act::FailAfterWrite,
        _ => Act::Duplicate,
    }
}

#[test]
fn each_write_of_a_batch_is_all_or_nothing_and_answered_after_commit() {
    let (db, path) = temp_db("batch");
    // k-1 first, alone, so every Duplicate below collides with a committed key.
    submit(&db, "k-1".into(), Act::Keep)
        .recv()
        .unwrap()
        .unwrap();
    let outcomes: Vec<(usize, Act, Result<(), String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let db = db.clone();
                let path = path.clone();
                s.spawn(move || {
                    // A connection of its own, outside the pool: what it
                    // sees is committed.
                    let mut other = diesel::SqliteConnection::establish(&path).unwrap();
                    let mut out = Vec::new();
                    for n in 0..25 {
                        let i = 2 + t * 25 + n;
                        let act = act_of(i);
                        let r = submit(&db, format!("k-{i}"), act).recv().unwrap();
                        if r.is_ok() {
                            let seen: i64 = diesel::sql_query(format!(
                                "SELECT count(*) AS n FROM t WHERE k = 'k-{i}'"
                            ))
                            .get_result::<Count>(&mut other)
                            .unwrap()
                            .n;
                            assert_eq!(seen, 1, "k-{i} answered before its commit");
                        }
                        out.push((i, act, r));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), 400);
    for (i, act, r) in &outcomes {
        assert_eq!(r.is_ok(), *act == Act::Keep, "k-{i} ({act:?}): {r:?}");
    }
    let kept = kept(&db);
    let mut want: Vec<String> = std::iter::once("k-1".to_string())
        .chain(
            outcomes
                .iter()
                .filter(|(_, a, _)| *a == Act::Keep)
                .map(|(i, _, _)| format!("k-{i}")),
        )
        .collect();
    want.sort();
    assert_eq!(kept, want);
}

#[test]
fn a_panicking_write_is_lost_alone() {
    let (db, _) = temp_db("panic");
    // Queued together behind a slow first write, so they share a batch.
    let (hold_tx, hold_rx) = mpsc::channel::<()>();
    let (first_tx, first_rx) = mpsc::channel();
    db.submit_grouped(Box::new(move |conn| {
        let c = conn.unwrap();
        insert(c, "first").unwrap();
        hold_rx.recv().unwrap();
        (
            true,
            Box::new(move |r: Result<(), StorageError>| first_tx.send(r.is_ok()).unwrap()),
        )
    }));
    let before = submit(&db, "before".into(), Act::Keep);
    let panics = submit(&db, "panics".into(), Act::Panic);
    let after = submit(&db, "after".into(), Act::Keep);
    hold_tx.send(()).unwrap();
    assert!(first_rx.recv().unwrap());
    assert_eq!(before.recv().unwrap(), Ok(()));
    assert!(panics.recv().is_err(), "a panicked write has no answer");
    assert_eq!(after.recv().unwrap(), Ok(()));
    let kept = kept(&db);
    assert_eq!(kept, ["after", "before", "first"]);
}

/// Every key in the table, sorted.
fn kept(db: &Db) -> Vec<String> {
    let mut c = db.conn().unwrap();
    let mut kept: Vec<String> = diesel::sql_query("SELECT k FROM t")
        .load::<Key>(&mut *c)
        .unwrap()
        .into_iter()
        .map(|k| k.k)
        .collect();
    kept.sort();
    kept
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    k: String,
}

/// The WAL is copied into the database by the checkpointer thread, not by
/// the commit that crosses SQLite's threshold (set far above what this test
/// writes, so only the thread can have done it).
#[test]
fn the_checkpointer_copies_the_wal_into_the_database() {
    let (db, path) = temp_db("checkpoint");
    let before = std::fs::metadata(&path).unwrap().len();
    for i in 0..40 {
        // 40 writes of 64 KiB: 2.5 MiB of pages, ~640 WAL frames.
        let key = format!("{i}-{}", "x".repeat(64 * 1024));
        submit(&db, key, Act::Keep).recv().unwrap().unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut size = before;
    while std::time::Instant::now() < deadline {
        size = std::fs::metadata(&path).unwrap().len();
        if size > 2 * 1024 * 1024 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        size > 2 * 1024 * 1024,
        "the database file is {size} bytes (was {before}): the WAL was not checkpointed"
    );
}
