//! `lazo`: serve the API and SPA, migrate, create the first admin, print the
//! OpenAPI document.

use clap::{Parser, Subcommand};
use lazo_api::db::{Backend, Db};
use lazo_api::jobs::{Worker, WorkerConfig};
use lazo_api::net::TrustedProxies;
use lazo_api::state::{AppState, Config};
use lazo_api::{demo, ServeOptions};
use lazo_service::email::imap::ImapConfig;
use lazo_service::email::MailConfig;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "lazo",
    version,
    about = "Lazo: closed-loop follow-up ticketing"
)]
struct Cli {
    /// `postgres://...` for PostgreSQL, else a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "data/lazo.db",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API (and the SPA, if built).
    Serve {
        #[arg(long, env = "LAZO_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the demo organisation into an empty database.
        #[arg(long, env = "LAZO_DEMO")]
        demo: bool,
        /// Number of demo tickets.
        #[arg(long, env = "LAZO_DEMO_TICKETS", default_value_t = 300)]
        demo_tickets: usize,
        /// Built SPA to serve at `/`.
        #[arg(long, env = "LAZO_STATIC_DIR", default_value = "frontend/dist")]
        static_dir: PathBuf,
        /// Comma-separated origins allowed to call the API from a browser.
        #[arg(
            long,
            env = "LAZO_CORS_ORIGINS",
            default_value = "",
            value_delimiter = ','
        )]
        cors_origins: Vec<String>,
        /// HMAC key for session JWTs. Unset: a random key kept in
        /// `<data dir>/jwt-secret` (set it when running several servers).
        #[arg(long, env = "LAZO_JWT_SECRET", hide_env_values = true)]
        jwt_secret: Option<String>,
        #[arg(long, env = "LAZO_JWT_TTL_MINUTES", default_value_t = 30)]
        jwt_ttl_minutes: i64,
        /// Login attempts allowed per minute per client address and email.
        #[arg(long, env = "LAZO_LOGIN_PER_MINUTE", default_value_t = 10)]
        login_per_minute: u32,
        /// Login attempts allowed per minute per email from all addresses
        /// together; default three times LAZO_LOGIN_PER_MINUTE.
        #[arg(long, env = "LAZO_LOGIN_PER_ACCOUNT_PER_MINUTE")]
        login_per_account_per_minute: Option<u32>,
        /// Comma-separated proxy addresses or CIDR blocks whose
        /// X-Forwarded-For names the client (for the login rate limit).
        #[arg(long, env = "LAZO_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        #[arg(long, env = "LAZO_WORKERS")]
        workers: Option<usize>,
        /// Largest ticket attachment accepted, in bytes (per file).
        #[arg(long, env = "LAZO_ATTACHMENT_MAX_BYTES", default_value_t = lazo_domain::attachment::DEFAULT_MAX_BYTES)]
        attachment_max_bytes: u64,
        /// First admin, created when the database has no users.
        #[arg(long, env = "LAZO_ADMIN_EMAIL")]
        admin_email: Option<String>,
        #[arg(long, env = "LAZO_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
        /// Do not run the job worker in this process (run `lazo worker`
        /// elsewhere).
        #[arg(long, env = "LAZO_NO_WORKER")]
        no_worker: bool,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Run only the job worker (no HTTP): scheduled reopens, clean-ups and,
    /// later, deliveries. On PostgreSQL run as many as you like, beside
    /// `serve --no-worker` processes; on SQLite keep to one.
    Worker {
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an admin user (the first one on a new installation).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Admin")]
        name: String,
        /// Read from LAZO_ADMIN_PASSWORD when not given.
        #[arg(long, env = "LAZO_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Read one email on stdin and post it to the server's
    /// `/api/v1/inbound/email` (for an MTA's pipe transport, e.g. Postfix
    /// `mailbox_command` or an alias `|lazo mailgate`). Exits 75
    /// (EX_TEMPFAIL) on any failure so the MTA keeps the message and retries.
    Mailgate {
        /// The Lazo server, e.g. `https://lazo.example.com`.
        #[arg(long, env = "LAZO_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        /// An API token with the `inbound:write` scope.
        #[arg(long, env = "LAZO_MAILGATE_TOKEN", hide_env_values = true)]
        token: String,
        /// Give up on the server after this many seconds.
        #[arg(long, env = "LAZO_MAILGATE_TIMEOUT_SECS", default_value_t = 60)]
        timeout_secs: u64,
    },
}

/// sysexits.h EX_TEMPFAIL: the MTA queues the message and tries again.
const EX_TEMPFAIL: i32 = 75;

/// Posts stdin to the server; any failure is a temporary one for the MTA.
fn mailgate(url: &str, token: &str, timeout_secs: u64) -> Result<String, String> {
    use std::io::Read;
    let mut raw = Vec::new();
    std::io::stdin()
        .read_to_end(&mut raw)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(timeout_secs.max(1)))
        .user_agent(concat!("lazo-mailgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let endpoint = format!("{}/api/v1/inbound/email", url.trim_end_matches('/'));
    let res = client
        .post(&endpoint)
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let status = res.status();
    let text = res.text().unwrap_or_default();
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!("{endpoint} answered {status}: {text}"))
    }
}

/// Timing of the job worker.
#[derive(clap::Args, Clone)]
struct JobArgs {
    /// Pause between polls of the job queue when idle.
    #[arg(long, env = "LAZO_JOB_POLL_MS", default_value_t = 500)]
    job_poll_ms: u64,
    /// How long a worker holds a claimed job before another may take it.
    #[arg(long, env = "LAZO_JOB_LEASE_SECS", default_value_t = 300)]
    job_lease_secs: i64,
    /// First retry delay of a failed job (doubled per attempt, with jitter).
    #[arg(long, env = "LAZO_JOB_BACKOFF_MS", default_value_t = 10_000)]
    job_backoff_ms: i64,
    /// Where people open Lazo; links in notification emails point here.
    #[arg(long, env = "LAZO_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

/// Outgoing (and inbound) email. README.md, "Email".
#[derive(clap::Args, Clone)]
struct MailArgs {
    /// SMTP server: `smtp://host:port` (plain; `?tls=opportunistic` for
    /// STARTTLS when offered),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS required),
    /// `smtps://user:pass@host:465` (TLS). Unset: emails wait in the queue.
    #[arg(long, env = "LAZO_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// From of every email, e.g. `Acme Support <support@acme.test>`.
    #[arg(long, env = "LAZO_MAIL_FROM", default_value = "Lazo <lazo@localhost>")]
    mail_from: String,
    /// Where replies go (plus-addressed with the signed ticket token);
    /// default: the From address.
    #[arg(long, env = "LAZO_MAIL_REPLY_TO")]
    mail_reply_to: Option<String>,
    /// HMAC key of the reply-to token. Default: the JWT secret (from
    /// LAZO_JWT_SECRET or `<data dir>/jwt-secret`).
    #[arg(long, env = "LAZO_MAIL_TOKEN_KEY", hide_env_values = true)]
    mail_token_key: Option<String>,
    /// Seconds before an SMTP conversation is abandoned (and retried).
    #[arg(long, env = "LAZO_SMTP_TIMEOUT_SECS", default_value_t = 30)]
    smtp_timeout_secs: u64,
    /// Mailbox polled for inbound email by the job worker:
    /// `imaps://user:pass@host:993/INBOX`, `imap://...?tls=required`
    /// (STARTTLS), `imap://...?tls=none` (plain). Unset: no polling.
    #[arg(long, env = "LAZO_IMAP_URL", hide_env_values = true)]
    imap_url: Option<String>,
    /// Seconds between two IMAP polls.
    #[arg(long, env = "LAZO_IMAP_POLL_SECS", default_value_t = 60)]
    imap_poll_secs: i64,
}

impl MailArgs {
    fn config(&self, jwt_key: &[u8]) -> anyhow::Result<Arc<MailConfig>> {
        let key = match &self.mail_token_key {
            Some(k) if !k.is_empty() => k.as_bytes().to_vec(),
            _ => jwt_key.to_vec(),
        };
        let mut cfg = MailConfig::new(&self.mail_from, key)?;
        if let Some(r) = &self.mail_reply_to {
            cfg.reply_to = r
                .parse()
                .map_err(|e| anyhow::anyhow!("LAZO_MAIL_REPLY_TO {r:?}: {e}"))?;
        }
        cfg.smtp_url = self.smtp_url.clone().filter(|u| !u.is_empty());
        cfg.smtp_timeout = std::time::Duration::from_secs(self.smtp_timeout_secs.max(1));
        Ok(Arc::new(cfg))
    }

    fn imap(&self) -> anyhow::Result<Option<Arc<ImapConfig>>> {
        match self.imap_url.as_deref().filter(|u| !u.is_empty()) {
            None => Ok(None),
            Some(u) => Ok(Some(Arc::new(ImapConfig::parse(
                u,
                chrono::Duration::seconds(self.imap_poll_secs.max(1)),
            )?))),
        }
    }
}

impl JobArgs {
    fn worker(
        &self,
        db: Db,
        mail: Arc<MailConfig>,
        imap: Option<Arc<ImapConfig>>,
    ) -> anyhow::Result<Worker> {
        lazo_api::jobs::tasks::ensure_periodic(&db)?;
        let mut registry = lazo_api::jobs::tasks::standard();
        lazo_service::email::delivery::register(&mut registry, mail.clone());
        lazo_service::forward::register(&mut registry, mail.clone());
        lazo_service::notifications::register(&mut registry, mail.clone(), self.public_url.clone());
        if let Some(imap) = imap {
            tracing::info!(mailbox = ?imap, "polling IMAP");
            lazo_service::email::imap::ensure(&db)?;
            lazo_service::email::imap::register(&mut registry, mail, imap);
        }
        Ok(Worker::new(
            db.storage(),
            registry,
            WorkerConfig {
                poll: std::time::Duration::from_millis(self.job_poll_ms.max(10)),
                lease: chrono::Duration::seconds(self.job_lease_secs.max(1)),
                backoff_base: chrono::Duration::milliseconds(self.job_backoff_ms.max(1)),
                ..WorkerConfig::default()
            },
        ))
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LAZO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LAZO_LOG_FORMAT").is_ok_and(|v| v == "json");
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn open(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)?;
    let ran = db.migrate()?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    db.write_blocking(|c| Ok(demo::bootstrap(c)?))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(db)
}

fn jwt_secret(given: Option<String>, url: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = given.filter(|s| !s.is_empty()) {
        return Ok(s.into_bytes());
    }
    let dir = match Backend::of_url(url) {
        Backend::Sqlite => PathBuf::from(url)
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".")),
        Backend::Postgres => PathBuf::from("data"),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("jwt-secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        if s.trim().len() >= 32 {
            return Ok(s.trim().as_bytes().to_vec());
        }
    }
    let s = lazo_api::auth::random_secret();
    std::fs::write(&path, &s)?;
    Ok(s.into_bytes())
}

fn main() -> anyhow::Result<()> {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Even a missing token is a temporary failure for an MTA: the
        // message stays queued until the pipe is fixed.
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "mailgate") => {
            let _ = e.print();
            std::process::exit(EX_TEMPFAIL);
        }
        Err(e) => e.exit(),
    };
    let url = cli
        .database_url
        .strip_prefix("sqlite://")
        .unwrap_or(&cli.database_url)
        .to_owned();
    match cli.command {
        Command::Mailgate {
            url,
            token,
            timeout_secs,
        } => match mailgate(&url, &token, timeout_secs) {
            Ok(answer) => {
                tracing::info!(%answer, "message delivered to Lazo");
            }
            Err(e) => {
                eprintln!("lazo mailgate: {e}");
                std::process::exit(EX_TEMPFAIL);
            }
        },
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&lazo_api::openapi::document())?
            );
        }
        Command::Worker { jobs, mail } => {
            let db = open(&url)?;
            let key = jwt_secret(std::env::var("LAZO_JWT_SECRET").ok(), &url)?;
            let worker = jobs.worker(db, mail.config(&key)?, mail.imap()?)?;
            let (stop, handle) = worker.spawn();
            // Finish the job in hand on Ctrl-C/SIGTERM rather than dying mid-way;
            // a kill -9 is covered by leases.
            actix_web::rt::System::new().block_on(async {
                let _ = actix_web::rt::signal::ctrl_c().await;
            });
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = handle.join();
        }
        Command::Migrate => {
            open(&url)?;
            println!("database is up to date");
        }
        Command::CreateAdmin {
            email,
            name,
            password,
        } => {
            let db = open(&url)?;
            let id = db
                .write_blocking(|c| {
                    let mut errors = Vec::new();
                    lazo_domain::rules::check_line(
                        "name",
                        &name,
                        lazo_domain::limits::NAME_MAX,
                        &mut errors,
                    );
                    if !errors.is_empty() {
                        return Err(lazo_api::error::ApiError::invalid(errors));
                    }
                    if !lazo_domain::rules::is_email(&email) {
                        return Err(lazo_api::error::ApiError::field(
                            "email",
                            "invalid",
                            "must be an email address",
                        ));
                    }
                    if password.chars().count() < lazo_domain::limits::PASSWORD_MIN {
                        return Err(lazo_api::error::ApiError::field(
                            "password",
                            "invalid",
                            "at least 8 characters",
                        ));
                    }
                    Ok(demo::create_user(
                        c,
                        &email,
                        &name,
                        "en",
                        lazo_domain::Role::Admin,
                        &password,
                    )?)
                })
                .map_err(|e| anyhow::anyhow!("{}", e.problem().detail.unwrap_or_default()))?;
            println!("created admin {email} (id {id})");
        }
        Command::Serve {
            bind,
            demo: load_demo,
            demo_tickets,
            static_dir,
            cors_origins,
            jwt_secret: secret,
            jwt_ttl_minutes,
            login_per_minute,
            login_per_account_per_minute,
            trusted_proxies,
            workers,
            attachment_max_bytes,
            admin_email,
            admin_password,
            no_worker,
            jobs,
            mail,
        } => {
            let db = open(&url)?;
            let users = db
                .write_blocking(|c| Ok(demo::user_count(c)?))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if users == 0 {
                if let (Some(email), Some(pw)) = (&admin_email, &admin_password) {
                    db.write_blocking(|c| {
                        Ok(demo::create_user(
                            c,
                            email,
                            "Admin",
                            "en",
                            lazo_domain::Role::Admin,
                            pw,
                        )?)
                    })
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                    tracing::info!(%email, "created the first admin from LAZO_ADMIN_EMAIL");
                } else if load_demo {
                    tracing::info!(tickets = demo_tickets, "loading the demo organisation");
                    db.write_blocking(|c| Ok(demo::load_demo(c, demo_tickets)?))
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                } else {
                    tracing::warn!("no users yet: run `lazo create-admin --email ...` or set LAZO_ADMIN_EMAIL and LAZO_ADMIN_PASSWORD");
                }
            }
            if load_demo {
                eprintln!("\nDemo sign-in (password {} for all):", demo::DEMO_PASSWORD);
                for (email, _, _, role) in demo::DEMO_USERS {
                    eprintln!("  {email:<18} {role}");
                }
                eprintln!();
            }
            let jwt_key = jwt_secret(secret, &url)?;
            let imap = mail.imap()?;
            let mail_config = mail.config(&jwt_key)?;
            let config = Config {
                jwt_secret: jwt_key,
                mail: mail_config.clone(),
                jwt_ttl: chrono::Duration::minutes(jwt_ttl_minutes.max(1)),
                login_per_minute,
                login_per_account_per_minute: login_per_account_per_minute
                    .unwrap_or(login_per_minute.saturating_mul(3)),
                trusted_proxies: TrustedProxies::parse(&trusted_proxies)
                    .map_err(|e| anyhow::anyhow!("LAZO_TRUSTED_PROXIES: {e}"))?,
                attachment_max_bytes: attachment_max_bytes.max(1),
                ..Config::default()
            };
            let listener = TcpListener::bind(&bind)?;
            let addr = listener.local_addr()?;
            let has_spa = static_dir.join("index.html").is_file();
            eprintln!(
                "Lazo listening on http://{addr}  (API docs: http://{addr}/api/docs/){}",
                if has_spa {
                    ""
                } else {
                    "  [SPA not built: run `just run`]"
                }
            );
            let opts = ServeOptions {
                static_dir: Some(static_dir),
                cors_origins: cors_origins.into_iter().filter(|o| !o.is_empty()).collect(),
                workers,
            };
            let worker = if no_worker {
                None
            } else {
                Some(jobs.worker(db.clone(), mail_config, imap)?.spawn())
            };
            actix_web::rt::System::new().block_on(async move {
                lazo_api::serve(listener, AppState::new(db, config), opts)?.await
            })?;
            if let Some((stop, handle)) = worker {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                let _ = handle.join();
            }
        }
    }
    Ok(())
}
