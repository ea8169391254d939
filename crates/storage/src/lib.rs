//! Storage: one connection type over SQLite and PostgreSQL, a pool, the
//! embedded migrations, the diesel [`schema`], and the two ways code above
//! touches the database: [`Db::transaction`] (writes) and [`Db::with_conn`]
//! (reads). Both are blocking; the API runs them on the blocking pool.
//!
//! Each aggregate has a module of typed rows (read by column name, never by
//! position) and the writes whose unique keys callers answer for: those fail
//! with [`StorageError::Conflict`] naming the [`Unique`] key.
//!
//! This crate knows no HTTP, no rules and no service: it may not import
//! `lazo-service` or `lazo-api`.

pub mod attachments;
pub mod comments;
mod error;
mod gate;
pub mod groups;
pub mod history;
pub mod links;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod statuses;
pub mod ticket_types;
pub mod tokens;
pub mod ts;
pub mod users;
pub mod webhooks;

pub use error::{StorageError, Unique};

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

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

/// A pooled connection and when it was last given back to the pool.
pub struct Pooled {
    conn: DbConn,
    returned: std::time::Instant,
}

/// A connection given back this recently is not tested again when next
/// checked out: it just worked. HikariCP's `aliveBypassWindowMs`, same
/// value. Under load every check-out falls in the window, which spares
/// PostgreSQL two `SELECT 1` round trips per request; an idle connection
/// (a server restarted overnight) is still tested before use.
const ALIVE_BYPASS: std::time::Duration = std::time::Duration::from_millis(500);

impl Manager {
    /// A new connection, set up for Lazo.
    fn open(&self) -> Result<DbConn, diesel::r2d2::Error> {
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
                // temp_store = MEMORY keeps savepoint sub-journals (one per
                // item of a batch) and sorter spills out of temp files: a
                // batch import spent a third of its time in write(2) there.
                // A 2 MB page cache: pooled connections mostly read, the OS
                // page cache holds the file anyway, and eight 8 MB caches
                // filled by random reads were a third of the server's memory
                // at a million tickets. The group committer's own connection
                // has 8 MB (see `group_committer`). Checkpoints are the
                // checkpointer thread's (see `checkpointer`); the automatic
                // one is only a backstop.
                c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -2048; PRAGMA wal_autocheckpoint = 10000;")
                .map_err(diesel::r2d2::Error::QueryError)?;
                DbConn::Sqlite(c)
            }
        };
        Ok(conn)
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        Ok(Pooled {
            conn: self.open()?,
            returned: std::time::Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), Self::Error> {
        if conn.returned.elapsed() < ALIVE_BYPASS {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// Called by the pool on every check-in: also when the connection was
    /// last given back.
    fn has_broken(&self, conn: &mut Pooled) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.returned = std::time::Instant::now();
        // A connection given back mid-transaction (a panic) or whose server
        // went away is dropped, not handed to the next request.
        std::thread::panicking()
            || match &mut conn.conn {
                DbConn::Pg(c) => c.is_broken(),
                DbConn::Sqlite(c) => c.is_broken(),
            }
    }
}

/// A connection checked out of the pool, in its turn (see [`gate`]): given
/// back, then its place in line, when dropped.
pub struct Checkout {
    // Declared first, so dropped first: the connection is back in the pool
    // before the next in line is let in to take it.
    conn: r2d2::PooledConnection<Manager>,
    _permit: gate::Permit,
}

impl std::ops::Deref for Checkout {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn.conn
    }
}

impl std::ops::DerefMut for Checkout {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn.conn
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// The database: a pool, the backend, and on SQLite the writer lock.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// One place per pooled connection, handed out in order of arrival.
    gate: gate::Gate,
    url: String,
    pub backend: Backend,
    /// SQLite has one writer at a time; taking this lock before `BEGIN` makes
    /// writers queue in-process instead of failing with SQLITE_BUSY when a
    /// deferred transaction upgrades to a write lock.
    write_lock: Arc<Mutex<()>>,
    /// The group committer's queue (SQLite), started by the first grouped
    /// write. The thread holds no `Db`, so it ends when the last handle goes.
    group: Arc<OnceLock<mpsc::Sender<GroupedWrite>>>,
}

/// What a grouped write reports once its batch's fate is known: `Ok` when
/// the batch committed, the commit's error otherwise.
pub type Finish = Box<dyn FnOnce(Result<(), StorageError>) + Send>;

/// A write for the group committer. It runs in its own savepoint of the
/// batch's transaction (`Err` when the transaction could not begin) and
/// answers whether it succeeded (its savepoint is kept) and how to finish.
pub type GroupedWrite = Box<dyn FnOnce(Result<&mut DbConn, StorageError>) -> (bool, Finish) + Send>;

/// SQLite's process-wide settings, made once before the first connection
/// opens (later they are refused, harmlessly: SQLITE_MISUSE, defaults kept).
/// - No memory statistics: with them every allocation inside SQLite takes
///   one process-wide mutex, which the pool's threads then queue on.
/// - Multi-thread mode: no mutex per connection call. A pooled connection
///   is only ever used by the thread that checked it out (diesel's
///   connections are not `Sync`), which is what the mode requires.
fn sqlite_process_config() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called before any connection of this
        // process opened (or fails with SQLITE_MISUSE and changes nothing),
        // with the argument types these two options take.
        unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            );
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
        }
    });
}

/// Runs `f` in a transaction opened by `begin` (a `BEGIN` with the options
/// diesel's own transaction cannot give on this connection type: SQLite's
/// `IMMEDIATE`, PostgreSQL's isolation level), committed when `f` succeeds
/// and rolled back when it fails.
pub fn transaction_begun_with<T, E, F>(c: &mut DbConn, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    crate::each_backend!(&mut *c, conn => AnsiTransactionManager::begin_transaction_sql(conn, begin))?;
    let result = f(c);
    match result {
        Ok(v) => {
            crate::each_backend!(&mut *c, conn => AnsiTransactionManager::commit_transaction(conn))?;
            Ok(v)
        }
        Err(e) => {
            crate::each_backend!(&mut *c, conn => AnsiTransactionManager::rollback_transaction(conn))?;
            Err(e)
        }
    }
}

/// A count set by the environment variable `name`: a number from 1 to
/// `max`, else `None` (unset or not such a number: the caller's default).
pub fn count_from_env(name: &str, max: usize) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=max).contains(n))
}

/// The cores this process may use (2 when the system cannot say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// How long a request waits for a pooled connection before it fails.
const CHECKOUT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Most writes one group commit takes.
const GROUP_MAX: usize = 64;

impl Db {
    pub fn connect(url: &str) -> Result<Db, StorageError> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite {
            sqlite_process_config();
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
        let write_lock = Arc::new(Mutex::new(()));
        if backend == Backend::Sqlite {
            let path = url.strip_prefix("sqlite://").unwrap_or(url).to_owned();
            let alive = Arc::downgrade(&write_lock);
            std::thread::Builder::new()
                .name("lazo-checkpoint".into())
                .spawn(move || checkpointer(&path, alive))?;
        }
        let size = count_from_env("LAZO_DB_POOL_SIZE", 512)
            .map(|n| n as u32)
            .unwrap_or(match backend {
                // Readers of one file; 4 read as fast as 8 at a million
                // tickets, 16 slower (docs/BENCHMARKS.md).
                Backend::Sqlite => 8,
                // Each connection is a server process competing for the same
                // cores: the usual rule (HikariCP's) of twice the cores plus
                // one. On 2 cores, 5 connections created 990-1,030 tickets/s
                // where 16 managed 704-938.
                Backend::Postgres => (2 * cores() + 1) as u32,
            });
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(2))
            // A `SELECT 1` before every check-out finds a PostgreSQL
            // connection the server closed (a restart, a failover) before a
            // request does. A SQLite file cannot go away: there it was only
            // a statement more per request.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(CHECKOUT_TIMEOUT)
            .build(Manager {
                url: url.to_owned(),
                backend,
            })?;
        Ok(Db {
            gate: gate::Gate::new(size as usize),
            pool,
            url: url.to_owned(),
            backend,
            write_lock,
            group: Arc::new(OnceLock::new()),
        })
    }

    /// A pooled connection, waiting in line for one at most
    /// [`CHECKOUT_TIMEOUT`].
    fn checkout(&self) -> Result<Checkout, StorageError> {
        let permit = self
            .gate
            .enter(CHECKOUT_TIMEOUT)
            .ok_or(StorageError::PoolTimeout)?;
        Ok(Checkout {
            conn: self.pool.get()?,
            _permit: permit,
        })
    }

    /// How many connections the pool holds at most.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// The URL this handle was opened with (another pool may connect to it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StorageError> {
        let mut conn = self.checkout()?;
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => PG_MIGRATIONS,
        };
        let ran = conn
            .run_pending_migrations(migrations)
            .map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(ran.len())
    }

    /// Synchronous access for the CLI, seeding and benchmarks.
    pub fn conn(&self) -> Result<Checkout, StorageError> {
        self.checkout()
    }

    /// Runs `f` in one write transaction. On SQLite it first takes the
    /// in-process writer lock, then a pooled connection.
    pub fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error> + From<StorageError>,
    {
        // The writer lock first: writers queued on it must not sit on pooled
        // connections that readers need meanwhile.
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|e| e.into_inner())),
            Backend::Postgres => None,
        };
        let mut conn = self.checkout()?;
        if let DbConn::Sqlite(_) = &*conn {
            // BEGIN IMMEDIATE takes the write lock up front, so another
            // process writing the same file (`lazo migrate`, `create-admin`,
            // a second worker) makes us wait out busy_timeout instead of
            // failing the deferred transaction's upgrade with SQLITE_BUSY.
            return transaction_begun_with(&mut conn, "BEGIN IMMEDIATE", f);
        }
        conn.transaction(|c| f(c))
    }

    /// Queues a write for the group committer (SQLite only): one thread
    /// takes every write waiting, runs each in a savepoint of one
    /// transaction, commits once, and then finishes each. Each write is
    /// still all-or-nothing (a failed one rolls back its savepoint, the
    /// others stay), and none is answered before its batch commits; a
    /// failed commit fails them all. One commit per batch is what SQLite's
    /// single writer can share: the pages every write touches (the tail of
    /// each index, the counter, the full-text segment) go to the WAL once
    /// per batch instead of once per write.
    pub fn submit_grouped(&self, w: GroupedWrite) {
        debug_assert_eq!(self.backend, Backend::Sqlite);
        let tx = self.group.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<GroupedWrite>();
            let manager = Manager {
                url: self.url.clone(),
                backend: self.backend,
            };
            let lock = self.write_lock.clone();
            std::thread::Builder::new()
                .name("lazo-group-commit".into())
                .spawn(move || group_committer(manager, lock, rx))
                .expect("spawning the group committer");
            tx
        });
        if let Err(mpsc::SendError(w)) = tx.send(w) {
            // The committer died (a panic outside any write): answer the
            // write rather than leave it waiting forever.
            w(Err(StorageError::NotCommitted(
                "the group committer stopped".into(),
            )))
            .1(Ok(()));
        }
    }

    /// Runs `f` with a pooled connection, outside any explicit transaction.
    pub fn with_conn<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<StorageError>,
    {
        let mut conn = self.checkout()?;
        f(&mut conn)
    }
}

/// Copies the WAL back into the database every 200 ms, on a connection of
/// its own. SQLite's automatic checkpoint runs inside the commit that
/// crosses its threshold, so one write in a thousand pages paid for copying
/// them all (and the group committer's whole batch waited): at a million
/// tickets that was the p99 of creates. A passive checkpoint takes no
/// writer lock, so writes go on meanwhile. Ends with the last `Db` handle.
fn checkpointer(path: &str, alive: std::sync::Weak<Mutex<()>>) {
    let mut conn: Option<diesel::SqliteConnection> = None;
    while alive.strong_count() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        if conn.is_none() {
            conn = diesel::SqliteConnection::establish(path)
                .and_then(|mut c| {
                    c.batch_execute("PRAGMA busy_timeout = 1000;")
                        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                    Ok(c)
                })
                .ok();
        }
        if let Some(c) = &mut conn {
            if c.batch_execute("PRAGMA wal_checkpoint(PASSIVE);").is_err() {
                // Reopened at the next tick (the file may have moved away
                // in a test, or be busy being migrated).
                conn = None;
            }
        }
    }
}

/// The group committer's loop: a batch is every write queued when the
/// previous batch ends (at most [`GROUP_MAX`]), so batches grow with load and
/// a lone write waits for nobody.
/// The committer's connection is its own, not the pool's: it keeps the pool
/// whole for readers, and its larger page cache (8 MB, allocated only as
/// used) keeps a batch's dirty pages from spilling into the WAL early.
fn group_committer(manager: Manager, lock: Arc<Mutex<()>>, rx: mpsc::Receiver<GroupedWrite>) {
    let mut held: Option<DbConn> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let opened = match held.take() {
            Some(c) => Ok(c),
            None => manager.open().and_then(|mut c| {
                c.batch_execute("PRAGMA cache_size = -8192")
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(c)
            }),
        };
        let mut conn = match opened {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                for w in batch {
                    w(Err(StorageError::NotCommitted(msg.clone()))).1(Ok(()));
                }
                continue;
            }
        };
        let DbConn::Sqlite(s) = &mut conn else {
            unreachable!("group commit is for SQLite")
        };
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(s, "BEGIN IMMEDIATE") {
            let msg = e.to_string();
            for w in batch {
                w(Err(StorageError::NotCommitted(msg.clone()))).1(Ok(()));
            }
            continue;
        }
        let mut finishes = Vec::with_capacity(batch.len());
        // Once a savepoint cannot be released or rolled back, the
        // transaction is in an unknown state: the rest of the batch is
        // refused and the commit below decides for the earlier writes.
        let mut broken: Option<String> = None;
        for w in batch {
            if let Some(msg) = &broken {
                finishes.push(w(Err(StorageError::NotCommitted(msg.clone()))).1);
                continue;
            }
            let DbConn::Sqlite(s) = &mut conn else {
                unreachable!()
            };
            if let Err(e) = AnsiTransactionManager::begin_transaction(s) {
                broken = Some(e.to_string());
                finishes.push(w(Err(StorageError::NotCommitted(e.to_string()))).1);
                continue;
            }
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w(Ok(&mut conn))));
            let DbConn::Sqlite(s) = &mut conn else {
                unreachable!()
            };
            let (ok, finish) = match run {
                Ok((ok, finish)) => (ok, Some(finish)),
                // A panicking write dropped its answer channel: its caller
                // sees the write lost; its savepoint is rolled back.
                Err(_) => (false, None),
            };
            let ended = if ok {
                AnsiTransactionManager::commit_transaction(s)
            } else {
                AnsiTransactionManager::rollback_transaction(s)
            };
            if let Err(e) = ended {
                broken = Some(e.to_string());
            }
            finishes.extend(finish);
        }
        let DbConn::Sqlite(s) = &mut conn else {
            unreachable!()
        };
        let committed = match &broken {
            None => AnsiTransactionManager::commit_transaction(s).map_err(StorageError::from),
            Some(msg) => Err(StorageError::NotCommitted(msg.clone())),
        };
        if committed.is_err() {
            let _ = AnsiTransactionManager::rollback_transaction(s);
        }
        // A connection whose transaction could not end cleanly is not reused.
        if AnsiTransactionManager::transaction_manager_status_mut(s)
            .transaction_depth()
            .ok()
            == Some(None)
        {
            held = Some(conn);
        }
        drop(_guard);
        for f in finishes {
            f(match &committed {
                Ok(()) => Ok(()),
                Err(e) => Err(StorageError::NotCommitted(e.to_string())),
            });
        }
    }
}

/// Now, truncated to microseconds: PostgreSQL keeps microseconds, so values
/// written and read back compare equal on both backends (keyset cursors and
/// ETags depend on that).
pub fn now() -> NaiveDateTime {
    at_micros(Utc::now().naive_utc())
}

/// `t` truncated to microseconds, the precision both backends store.
pub fn at_micros(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Runs `$body` with the backend's own connection bound to `$conn`: the body
/// is compiled once per backend. Multi-row inserts need this: diesel's
/// multi-backend connection cannot compile them (SQLite has no `DEFAULT`
/// keyword, so its batch insert is a different statement type), and one
/// statement for a whole batch is what makes imports fast (fewer statements,
/// and on SQLite one FTS5 flush per statement instead of one per row).
#[macro_export]
macro_rules! each_backend {
    ($c:expr, $conn:ident => $body:expr) => {
        match $c {
            $crate::DbConn::Sqlite($conn) => $body,
            $crate::DbConn::Pg($conn) => $body,
        }
    };
}

/// `INSERT INTO table` the rows of a `Vec`: one row as a statement diesel
/// caches (prepared once per connection), more as one multi-row statement,
/// which diesel prepares every time (its SQL depends on the row count).
/// Evaluates to the `QueryResult` of `execute`.
#[macro_export]
macro_rules! insert_rows {
    ($c:expr, $table:expr, $rows:expr) => {{
        let mut rows = $rows;
        if rows.len() == 1 {
            let row = rows.pop().expect("one row");
            diesel::insert_into($table).values(row).execute($c)
        } else {
            $crate::each_backend!($c, conn => diesel::insert_into($table).values(rows).execute(conn))
        }
    }};
}

/// The backend type of [`DbConn`] (diesel's generated multi-backend).
pub type DbBackend = <DbConn as diesel::Connection>::Backend;

/// `column IN (ids)` written so that the statement prepares once per
/// connection: the ids travel as one JSON text bind that the database
/// unpacks, where diesel's `eq_any` writes a placeholder per id on SQLite
/// and so cannot cache the statement (a list page's name lookups prepared
/// five statements per request). `column` is SQL text the caller owns,
/// never input.
pub fn id_in(c: &DbConn, column: &'static str, ids: &[i64]) -> IdIn {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    IdIn {
        column,
        json: format!("[{}]", list.join(",")),
        sqlite: matches!(c, DbConn::Sqlite(_)),
    }
}

/// See [`id_in`].
#[derive(Debug, Clone)]
pub struct IdIn {
    column: &'static str,
    json: String,
    sqlite: bool,
}

impl diesel::expression::Expression for IdIn {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for IdIn {}
impl<QS> diesel::expression::SelectableExpression<QS> for IdIn {}

impl diesel::expression::ValidGrouping<()> for IdIn {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryId for IdIn {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB> diesel::query_builder::QueryFragment<DB> for IdIn
where
    DB: diesel::backend::Backend,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        out.push_sql(self.column);
        if self.sqlite {
            out.push_sql(" IN (SELECT value FROM json_each(");
            out.push_bind_param::<diesel::sql_types::Text, _>(&self.json)?;
            out.push_sql("))");
        } else {
            out.push_sql(" IN (SELECT json_array_elements_text(");
            out.push_bind_param::<diesel::sql_types::Text, _>(&self.json)?;
            out.push_sql("::json)::bigint)");
        }
        Ok(())
    }
}
