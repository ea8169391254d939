//! The API's view of storage: [`lazo_storage`], with reads and writes that
//! run on actix's blocking pool (diesel is synchronous and must never block
//! an actix worker) and fail with [`ApiError`].

pub use lazo_storage::{
    at_micros, now, schema, utc, Backend, DbBackend, DbConn, Manager, Pool, StorageError,
    PG_MIGRATIONS, SQLITE_MIGRATIONS,
};

use crate::error::ApiError;

/// The database handle handlers use.
#[derive(Clone)]
pub struct Db(lazo_storage::Db);

impl std::ops::Deref for Db {
    type Target = lazo_storage::Db;
    fn deref(&self) -> &lazo_storage::Db {
        &self.0
    }
}

impl From<lazo_storage::Db> for Db {
    fn from(db: lazo_storage::Db) -> Db {
        Db(db)
    }
}

impl Db {
    pub fn connect(url: &str) -> Result<Db, StorageError> {
        Ok(Db(lazo_storage::Db::connect(url)?))
    }

    /// The storage handle, for the service layer (job workers...).
    pub fn storage(&self) -> lazo_storage::Db {
        self.0.clone()
    }

    /// Runs `f` as one all-or-nothing write and answers once it is
    /// committed. PostgreSQL: its own transaction on a blocking thread
    /// (concurrent writers each hold a connection). SQLite: queued for the
    /// group committer, which runs the writes waiting together in one
    /// transaction, each in its own savepoint ([`lazo_storage::Db::submit_grouped`]);
    /// no thread waits meanwhile.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.0.backend == Backend::Postgres {
            let db = self.0.clone();
            return actix_web::web::block(move || db.transaction(f))
                .await
                .map_err(ApiError::internal)?;
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
        self.0.submit_grouped(grouped(f, move |r| {
            let _ = tx.send(r);
        }));
        rx.await
            .map_err(|_| ApiError::internal("the write was lost (it panicked)"))?
    }

    /// [`Db::write`] for code already off the actix workers (CLI, seeding).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
    {
        self.0.transaction(f)
    }

    /// Runs `f` on a blocking thread with a pooled connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.0.clone();
        actix_web::web::block(move || db.with_conn(f))
            .await
            .map_err(ApiError::internal)?
    }
}

/// [`Db::write`] for a thread of its own (the create runners): the same
/// transaction on PostgreSQL, the same turn of the group committer on
/// SQLite, waited for by blocking this thread.
pub fn write_on_thread<T, F>(db: &lazo_storage::Db, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if db.backend == Backend::Postgres {
        return db.transaction(f);
    }
    let (tx, rx) = std::sync::mpsc::channel::<Result<T, ApiError>>();
    db.submit_grouped(grouped(f, move |r| {
        let _ = tx.send(r);
    }));
    rx.recv()
        .unwrap_or_else(|_| Err(ApiError::internal("the write was lost (it panicked)")))
}

/// `f` as a write for SQLite's group committer: run in its savepoint, its
/// result handed to `answer` once the batch's fate is known.
fn grouped<T, F, A>(f: F, answer: A) -> lazo_storage::GroupedWrite
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
    A: FnOnce(Result<T, ApiError>) + Send + 'static,
{
    Box::new(move |conn| match conn {
        Err(e) => {
            answer(Err(e.into()));
            (false, Box::new(|_| {}))
        }
        Ok(c) => {
            let r = f(c);
            let ok = r.is_ok();
            let finish: lazo_storage::Finish = Box::new(move |committed| {
                answer(match (r, committed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(e)) => Err(e.into()),
                    (Err(e), _) => Err(e),
                })
            });
            (ok, finish)
        }
    })
}
