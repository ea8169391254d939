//! Ticket creates, coalesced. `POST /tickets` hands its create to a runner
//! thread, which takes every create waiting (up to [`BATCH_MAX`]) and makes
//! them in one transaction with one statement per table
//! ([`write::create_many`]): on PostgreSQL a create's cost is mostly per
//! statement, not per row (docs/BENCHMARKS.md, sessions 20 and 21).
//!
//! Each request still gets its own answer, and only once its batch has
//! committed. A create its checks refuse writes nothing and gets its own
//! 4xx; the others go on. When the batch's transaction fails (a database
//! error, an idempotency key a concurrent request just stored), nothing of
//! it was written and each create is answered [`Answer::Alone`]: the
//! handler then runs it in a transaction of its own, exactly as a single
//! create always ran, so a failure is never shared.

use std::collections::HashSet;
use std::sync::{mpsc, Arc, Mutex, OnceLock};

use lazo_domain::wire::{CreateTicket, Ticket};
use lazo_service::auth::Principal;
use lazo_service::tickets::{self, write};
use lazo_storage::{Backend, DbConn};

use crate::error::ApiError;

/// Most creates one batch takes: enough to share each statement among all
/// 16-64 clients of a busy server, few enough that one batch's rows (27
/// binds each) stay far below either database's bind limit.
const BATCH_MAX: usize = 64;

/// What a create became.
pub enum Outcome {
    Fresh(Box<Ticket>),
    /// The answer stored under the request's idempotency key.
    Replay(String),
}

/// A batch's answer to one create.
pub enum Answer {
    Done(Result<Outcome, ApiError>),
    /// Not made in a batch: make it alone.
    Alone,
}

/// One create waiting for its batch.
pub struct Pending {
    pub who: Principal,
    pub key: Option<String>,
    /// SHA-256 of the request body, for the idempotency key.
    pub hash: String,
    pub input: CreateTicket,
}

struct Queued {
    create: Pending,
    reply: tokio::sync::oneshot::Sender<Answer>,
}

/// The create batcher: a queue and its runner threads, started by the
/// first create.
#[derive(Clone)]
pub struct Creates {
    db: lazo_storage::Db,
    queue: Arc<OnceLock<mpsc::Sender<Queued>>>,
}

impl Creates {
    pub fn new(db: lazo_storage::Db) -> Creates {
        Creates {
            db,
            queue: Arc::new(OnceLock::new()),
        }
    }

    /// Queues `create` for the next batch and waits for its answer.
    pub async fn submit(&self, create: Pending) -> Answer {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.sender().send(Queued { create, reply }).is_err() {
            return Answer::Alone;
        }
        // A runner that panicked dropped the reply: the create may not have
        // been made, and is made alone.
        answer.await.unwrap_or(Answer::Alone)
    }

    fn sender(&self) -> &mpsc::Sender<Queued> {
        self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Queued>();
            let rx = Arc::new(Mutex::new(rx));
            let runners = runners(self.db.backend);
            for i in 0..runners {
                let (db, rx) = (self.db.clone(), Arc::clone(&rx));
                std::thread::Builder::new()
                    .name(format!("lazo-creates-{i}"))
                    .spawn(move || runner(db, rx))
                    .expect("spawning a create runner");
            }
            tx
        })
    }
}

/// How many batches of creates may be in flight at once
/// (`LAZO_CREATE_RUNNERS`). SQLite: one, since every write is the single
/// writer's turn anyway (its batch joins the group committer's).
/// PostgreSQL: half the cores (at least one, at most four), so the other
/// half serves HTTP; each batch in flight holds one pooled connection. On 2
/// cores one runner made 933-972 creates/s at p99 25-39 ms, two 849-859 at
/// 49-50 ms: the fewer batches, the fuller each, and a fuller batch costs
/// less per create (docs/BENCHMARKS.md).
fn runners(backend: Backend) -> usize {
    std::env::var("LAZO_CREATE_RUNNERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => {
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                (cores / 2).clamp(1, 4)
            }
        })
}

/// A runner's loop: waits for a create, takes every other one waiting with
/// it, makes them, answers each. Ends when the last sender is gone.
fn runner(db: lazo_storage::Db, rx: Arc<Mutex<mpsc::Receiver<Queued>>>) {
    loop {
        let batch = {
            let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
            let Ok(first) = rx.recv() else { return };
            let mut batch = vec![first];
            while batch.len() < BATCH_MAX {
                match rx.try_recv() {
                    Ok(q) => batch.push(q),
                    Err(_) => break,
                }
            }
            batch
        };
        run(&db, batch);
    }
}

fn run(db: &lazo_storage::Db, batch: Vec<Queued>) {
    // A key twice in one batch: the first is made here, the others alone
    // afterwards, where they find it stored and replay it.
    let mut keys = HashSet::new();
    let (mine, later): (Vec<Queued>, Vec<Queued>) = batch.into_iter().partition(|q| {
        q.create
            .key
            .as_ref()
            .is_none_or(|k| keys.insert((q.create.who.key(), k.clone())))
    });
    let (creates, replies): (Vec<Pending>, Vec<_>) =
        mine.into_iter().map(|q| (q.create, q.reply)).unzip();
    let result = crate::db::write_on_thread(db, move |c| make(c, &creates));
    match result {
        Ok(answers) => {
            for (reply, answer) in replies.into_iter().zip(answers) {
                let _ = reply.send(Answer::Done(answer));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "a batch of creates failed; each is made alone");
            for reply in replies {
                let _ = reply.send(Answer::Alone);
            }
        }
    }
    for q in later {
        let _ = q.reply.send(Answer::Alone);
    }
}

/// Makes a batch of creates in the caller's transaction: replays those
/// whose key is stored, creates the rest, stores their keys.
fn make(c: &mut DbConn, creates: &[Pending]) -> Result<Vec<Result<Outcome, ApiError>>, ApiError> {
    let principals: Vec<String> = creates.iter().map(|p| p.who.key()).collect();
    let asks: Vec<(usize, crate::idempotency::Ask<'_>)> = creates
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.key.as_deref().map(|k| {
                (
                    i,
                    crate::idempotency::Ask {
                        principal: &principals[i],
                        key: k,
                        hash: &p.hash,
                    },
                )
            })
        })
        .collect();
    let found = crate::idempotency::stored_many(c, asks.iter().map(|(_, a)| *a))?;
    let mut answers: Vec<Option<Result<Outcome, ApiError>>> = std::iter::repeat_with(|| None)
        .take(creates.len())
        .collect();
    for ((i, _), prior) in asks.iter().zip(found) {
        match prior {
            Ok(None) => {}
            Ok(Some(body)) => answers[*i] = Some(Ok(Outcome::Replay(body))),
            Err(e) => answers[*i] = Some(Err(e)),
        }
    }
    let to_make: Vec<usize> = (0..creates.len())
        .filter(|i| answers[*i].is_none())
        .collect();
    let made = write::create_many(
        c,
        to_make
            .iter()
            .map(|&i| write::NewTicket {
                who: &creates[i].who,
                input: creates[i].input.clone(),
                parent_id: None,
            })
            .collect(),
    )?;
    let mut fresh = Vec::new();
    for (&i, result) in to_make.iter().zip(made) {
        match result {
            Ok(id) => fresh.push((i, id)),
            Err(e) => answers[i] = Some(Err(e.into())),
        }
    }
    let ids: Vec<i64> = fresh.iter().map(|(_, id)| *id).collect();
    let made = tickets::to_new_tickets(c, &ids)?;
    let mut remember = Vec::new();
    for ((i, _), ticket) in fresh.iter().zip(made) {
        if let Some(k) = &creates[*i].key {
            let body = serde_json::to_string(&ticket).map_err(ApiError::internal)?;
            remember.push((*i, k.as_str(), body));
        }
        answers[*i] = Some(Ok(Outcome::Fresh(Box::new(ticket))));
    }
    crate::idempotency::remember_many(
        c,
        remember
            .iter()
            .map(|(i, k, body)| crate::idempotency::Remember {
                ask: crate::idempotency::Ask {
                    principal: &principals[*i],
                    key: k,
                    hash: &creates[*i].hash,
                },
                status: 201,
                body,
            }),
    )?;
    Ok(answers
        .into_iter()
        .map(|a| a.expect("every create answered"))
        .collect())
}
