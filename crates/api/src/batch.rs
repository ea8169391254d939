//! Writes of one kind, coalesced: a request hands its write to a runner
//! thread, which takes every write of that kind waiting (up to
//! [`BATCH_MAX`]) and makes them in one transaction with one statement per
//! table ([`Kind::make`]). On PostgreSQL a write's cost is mostly per
//! statement, not per row (docs/BENCHMARKS.md, sessions 20 and 21); on
//! SQLite the batch is one turn of the group committer.
//!
//! Each request still gets its own answer, and only once its batch has
//! committed. A write its checks refuse writes nothing and gets its own
//! 4xx; the others go on. When the batch's transaction fails (a database
//! error, an idempotency key a concurrent request just stored), nothing of
//! it was written and each write is answered [`Answer::Alone`]: the
//! handler then makes it in a transaction of its own, exactly as it was
//! made before batching, so a failure is never shared.

use std::sync::{mpsc, Arc, Mutex, OnceLock};

use lazo_storage::{Backend, DbConn};

use crate::error::ApiError;

/// Most writes one batch takes: enough to share each statement among all
/// 16-64 clients of a busy server, few enough that one batch's rows (at
/// most 28 binds each) stay far below either database's bind limit.
const BATCH_MAX: usize = 64;

/// A kind of write that can be made in batches.
pub trait Kind: 'static {
    /// One request's write.
    type Item: Send + 'static;
    /// What the request is answered.
    type Done: Send + 'static;
    /// For the runner threads' names and the log.
    const NAME: &'static str;

    /// Which of `items` must not share a batch with the ones before them
    /// (made alone once the batch is done).
    fn alone(items: &[Self::Item]) -> Vec<bool> {
        vec![false; items.len()]
    }

    /// Makes `items` in the caller's transaction: an answer per item, in
    /// order; `Err` when the database failed (the batch is then lost).
    fn make(
        c: &mut DbConn,
        items: &[Self::Item],
    ) -> Result<Vec<Result<Self::Done, ApiError>>, ApiError>;
}

/// A batch's answer to one write.
pub enum Answer<T> {
    Done(Result<T, ApiError>),
    /// Not made in a batch: make it alone.
    Alone,
}

struct Queued<K: Kind> {
    item: K::Item,
    reply: tokio::sync::oneshot::Sender<Answer<K::Done>>,
}

/// The batcher of one kind: a queue and its runner threads, started by
/// the first write.
pub struct Batcher<K: Kind> {
    db: lazo_storage::Db,
    queue: Arc<OnceLock<mpsc::Sender<Queued<K>>>>,
}

impl<K: Kind> Clone for Batcher<K> {
    fn clone(&self) -> Self {
        Batcher {
            db: self.db.clone(),
            queue: Arc::clone(&self.queue),
        }
    }
}

impl<K: Kind> Batcher<K> {
    pub fn new(db: lazo_storage::Db) -> Batcher<K> {
        Batcher {
            db,
            queue: Arc::new(OnceLock::new()),
        }
    }

    /// Queues `item` for the next batch and waits for its answer.
    pub async fn submit(&self, item: K::Item) -> Answer<K::Done> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.sender().send(Queued { item, reply }).is_err() {
            return Answer::Alone;
        }
        // A runner that panicked dropped the reply: the write may not have
        // been made, and is made alone.
        answer.await.unwrap_or(Answer::Alone)
    }

    fn sender(&self) -> &mpsc::Sender<Queued<K>> {
        self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Queued<K>>();
            let rx = Arc::new(Mutex::new(rx));
            for i in 0..runners(self.db.backend) {
                let (db, rx) = (self.db.clone(), Arc::clone(&rx));
                std::thread::Builder::new()
                    .name(format!("lazo-{}-{i}", K::NAME))
                    .spawn(move || runner::<K>(db, rx))
                    .expect("spawning a batch runner");
            }
            tx
        })
    }
}

/// How many batches of one kind may be in flight at once
/// (`LAZO_BATCH_RUNNERS`). SQLite: one, since every write is the single
/// writer's turn anyway (its batch joins the group committer's).
/// PostgreSQL: half the cores (at least one, at most four), so the other
/// half serves HTTP; each batch in flight holds one pooled connection. On 2
/// cores one create runner made 933-972 creates/s at p99 25-39 ms, two
/// 849-859 at 49-50 ms: the fewer batches, the fuller each, and a fuller
/// batch costs less per write (docs/BENCHMARKS.md).
fn runners(backend: Backend) -> usize {
    lazo_storage::count_from_env("LAZO_BATCH_RUNNERS", 64).unwrap_or(match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => (lazo_storage::cores() / 2).clamp(1, 4),
    })
}

/// A runner's loop: waits for a write, takes every other one waiting with
/// it, makes them, answers each. Ends when the last sender is gone.
fn runner<K: Kind>(db: lazo_storage::Db, rx: Arc<Mutex<mpsc::Receiver<Queued<K>>>>) {
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
        run::<K>(&db, batch);
    }
}

fn run<K: Kind>(db: &lazo_storage::Db, batch: Vec<Queued<K>>) {
    let (items, replies): (Vec<K::Item>, Vec<_>) =
        batch.into_iter().map(|q| (q.item, q.reply)).unzip();
    let alone = K::alone(&items);
    let (mut mine, mut mine_replies, mut later) = (Vec::new(), Vec::new(), Vec::new());
    for ((item, reply), alone) in items.into_iter().zip(replies).zip(alone) {
        if alone {
            later.push(reply);
        } else {
            mine.push(item);
            mine_replies.push(reply);
        }
    }
    match crate::db::write_on_thread(db, move |c| K::make(c, &mine)) {
        Ok(answers) => {
            for (reply, answer) in mine_replies.into_iter().zip(answers) {
                let _ = reply.send(Answer::Done(answer));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, kind = K::NAME, "a batch failed; each of its writes is made alone");
            for reply in mine_replies {
                let _ = reply.send(Answer::Alone);
            }
        }
    }
    for reply in later {
        let _ = reply.send(Answer::Alone);
    }
}
