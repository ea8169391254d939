//! Storage: one connection type over SQLite and PostgreSQL, a pool, the
//! embedded migrations, and the two ways handlers touch the database
//! ([`Db::read`], [`Db::write`]), both off the actix workers.

pub mod schema;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to either backend; the variant is chosen by the URL.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens connections by URL. Written by hand rather than using diesel's
/// `ConnectionManager` because `MultiConnection::establish` tries each backend
/// in turn, and SQLite happily "opens" a file named `postgres://...`.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match self.backend {
            Backend::Postgres => DbConn::Pg(
                diesel::PgConnection::establish(&self.url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
            Backend::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap_or(&self.url);
                let mut c = diesel::SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // Foreign keys are off by default in SQLite; busy_timeout makes a
                // second process (e.g. `lazo migrate` during `serve`) wait
                // instead of failing.
                // busy_timeout first, so the other pragmas wait rather than fail
                // while another connection holds a lock. WAL mode is set once
                // per file in `Db::connect` (it persists).
                c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
                DbConn::Sqlite(c)
            }
        };
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// The database handle handlers use.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    url: String,
    pub backend: Backend,
    /// SQLite has one writer at a time; taking this lock before `BEGIN` makes
    /// writers queue in-process instead of failing with SQLITE_BUSY when a
    /// deferred transaction upgrades to a write lock.
    write_lock: Arc<Mutex<()>>,
}

impl Db {
    pub fn connect(url: &str) -> anyhow::Result<Db> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if let Some(dir) = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)?;
            }
            // WAL lets readers run beside the one writer.
            let mut c = diesel::SqliteConnection::establish(path)?;
            c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
        }
        let size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(2))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(Manager {
                url: url.to_owned(),
                backend,
            })?;
        Ok(Db {
            pool,
            url: url.to_owned(),
            backend,
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// The URL this handle was opened with (another pool may connect to it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get()?;
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => PG_MIGRATIONS,
        };
        let ran = conn
            .run_pending_migrations(migrations)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(ran.len())
    }

    /// Synchronous access for the CLI, seeding and benchmarks.
    pub fn conn(&self) -> anyhow::Result<r2d2::PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in one write transaction on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(f))
            .await
            .map_err(ApiError::internal)?
    }

    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
    {
        // The writer lock first: writers queued on it must not sit on pooled
        // connections that readers need meanwhile.
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|e| e.into_inner())),
            Backend::Postgres => None,
        };
        let mut conn = self.pool.get().map_err(ApiError::internal)?;
        conn.transaction(|c| f(c))
    }

    /// Runs `f` on a blocking thread with a pooled connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(ApiError::internal)?;
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Now, truncated to microseconds: PostgreSQL keeps microseconds, so values
/// written and read back compare equal on both backends (keyset cursors and
/// ETags depend on that).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// `t` truncated to microseconds, the precision both backends store.
pub fn at_micros(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The backend type of [`DbConn`] (diesel's generated multi-backend).
pub type DbBackend = <DbConn as diesel::Connection>::Backend;
