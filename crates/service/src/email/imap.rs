//! IMAP polling of the inbound mailbox (`LAZO_IMAP_URL`), as a periodic job
//! of the durable queue. Each message is stored, processed and its UID
//! recorded in ONE transaction, so a crash re-reads at most the message in
//! hand (and the SHA-256 dedupe absorbs it): nothing is read twice into a
//! ticket, nothing is skipped. A new UIDVALIDITY (the mailbox was
//! recreated) starts over from UID 1; what was stored before is found by
//! its hash. Messages are fetched with `BODY.PEEK[]`, leaving their flags.

use chrono::Duration;
use diesel::prelude::*;
use imap::{ClientBuilder, ConnectionMode, TlsKind};
use serde_json::{json, Value};
use std::sync::Arc;

use super::{inbound, MailConfig};
use crate::error::ServiceError;
use crate::jobs::queue::{self, NewJob};
use crate::jobs::worker::{Outcome, Registry};
use lazo_storage::schema::imap_state;
use lazo_storage::{now, Db, DbConn};

pub const POLL: &str = "email.imap_poll";
/// UIDs fetched per round trip.
const CHUNK: usize = 50;

/// Where and how to poll, from `LAZO_IMAP_URL`:
/// `imap://user:pass@host:143/INBOX` (STARTTLS when offered),
/// `imap://...?tls=required` (STARTTLS required), `imap://...?tls=none`
/// (plain, for loopback), `imaps://user:pass@host:993/INBOX` (TLS).
#[derive(Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub mode: ConnectionMode,
    pub user: String,
    pub password: String,
    pub mailbox: String,
    pub every: Duration,
}

impl std::fmt::Debug for ImapConfig {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.key())
    }
}

impl ImapConfig {
    pub fn parse(url: &str, every: Duration) -> anyhow::Result<ImapConfig> {
        let u = url::Url::parse(url).map_err(|e| anyhow::anyhow!("LAZO_IMAP_URL: {e}"))?;
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (mode, default_port) = match (u.scheme(), tls.as_deref()) {
            ("imaps", _) => (ConnectionMode::Tls, 993),
            ("imap", Some("required")) => (ConnectionMode::StartTls, 143),
            ("imap", Some("none")) => (ConnectionMode::Plaintext, 143),
            ("imap", None | Some("opportunistic")) => (ConnectionMode::Auto, 143),
            (s, t) => anyhow::bail!("LAZO_IMAP_URL: unsupported scheme {s:?} or tls={t:?}"),
        };
        let decode = |s: &str| -> anyhow::Result<String> {
            percent_decode(s).ok_or_else(|| anyhow::anyhow!("LAZO_IMAP_URL: bad percent-encoding"))
        };
        let mailbox = decode(u.path().trim_start_matches('/'))?;
        Ok(ImapConfig {
            host: u
                .host_str()
                .ok_or_else(|| anyhow::anyhow!("LAZO_IMAP_URL: no host"))?
                .to_owned(),
            port: u.port().unwrap_or(default_port),
            mode,
            user: decode(u.username())?,
            password: decode(u.password().unwrap_or(""))?,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
            every,
        })
    }

    /// Names the mailbox in `imap_state`.
    pub fn key(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.mailbox)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Registers the poll job's handler; [`ensure`] schedules it.
pub fn register(r: &mut Registry, mail: Arc<MailConfig>, imap: Arc<ImapConfig>) {
    r.register(POLL, move |db: &Db, _: &Value| {
        let key = imap.key();
        match poll(db, &mail, &imap) {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(mailbox = %key, messages = n, "IMAP poll");
                }
            }
            Err(e) => {
                // Kept for admins (GET /inbound/status); polling goes on.
                let why = format!("{e:#}");
                tracing::warn!(mailbox = %key, error = %why, "IMAP poll failed");
                db.transaction::<_, ServiceError, _>(|c| record(c, &key, None, Some(&why)))?;
            }
        }
        Ok(Outcome::Again(now() + imap.every))
    });
}

/// Makes sure the periodic poll exists (each worker start; the first wins).
pub fn ensure(db: &Db) -> anyhow::Result<()> {
    db.transaction::<_, ServiceError, _>(|c| {
        queue::ensure(c, NewJob::new(POLL, json!({})).key(POLL))?;
        Ok(())
    })
    .map_err(anyhow::Error::from)
}

/// Upserts the mailbox's state: a new position (`Some((uidvalidity,
/// last_uid))`) and/or the outcome of this poll.
fn record(
    c: &mut DbConn,
    key: &str,
    position: Option<(i64, i64)>,
    error: Option<&str>,
) -> Result<(), ServiceError> {
    let t = now();
    let exists: i64 = imap_state::table
        .filter(imap_state::mailbox.eq(key))
        .count()
        .get_result(c)?;
    if exists == 0 {
        let (v, u) = position.unwrap_or((0, 0));
        diesel::insert_into(imap_state::table)
            .values((
                imap_state::mailbox.eq(key),
                imap_state::uidvalidity.eq(v),
                imap_state::last_uid.eq(u),
                imap_state::last_poll_at.eq(t),
                imap_state::last_error.eq(error),
                imap_state::updated_at.eq(t),
            ))
            .execute(c)?;
        return Ok(());
    }
    let row = imap_state::table.filter(imap_state::mailbox.eq(key));
    diesel::update(row)
        .set((
            imap_state::last_poll_at.eq(t),
            imap_state::last_error.eq(error),
            imap_state::updated_at.eq(t),
        ))
        .execute(c)?;
    if let Some((v, u)) = position {
        diesel::update(row)
            .set((imap_state::uidvalidity.eq(v), imap_state::last_uid.eq(u)))
            .execute(c)?;
    }
    Ok(())
}

/// One poll: reads what arrived since the last UID. Returns how many
/// messages it stored.
pub fn poll(db: &Db, mail: &MailConfig, cfg: &ImapConfig) -> anyhow::Result<usize> {
    let key = cfg.key();
    let client = ClientBuilder::new(cfg.host.as_str(), cfg.port)
        .mode(cfg.mode.clone())
        .tls_kind(TlsKind::Rust)
        .connect()?;
    let mut session = client
        .login(&cfg.user, &cfg.password)
        .map_err(|(e, _)| anyhow::anyhow!("IMAP login: {e}"))?;
    let mailbox = session.select(&cfg.mailbox)?;
    let validity = i64::from(
        mailbox
            .uid_validity
            .ok_or_else(|| anyhow::anyhow!("the server sent no UIDVALIDITY"))?,
    );
    let state: Option<(i64, i64)> = db.with_conn::<_, ServiceError, _>(|c| {
        Ok(imap_state::table
            .filter(imap_state::mailbox.eq(&key))
            .select((imap_state::uidvalidity, imap_state::last_uid))
            .first(c)
            .optional()?)
    })?;
    let mut last = match state {
        Some((v, u)) if v == validity => u,
        Some((v, _)) => {
            tracing::warn!(mailbox = %key, old = v, new = validity, "UIDVALIDITY changed: reading the mailbox again");
            0
        }
        None => 0,
    };
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", last + 1))?
        .into_iter()
        // `n:*` always includes the highest UID, even when it is below n.
        .filter(|u| i64::from(*u) > last)
        .collect();
    uids.sort_unstable();
    let mut stored = 0;
    for chunk in uids.chunks(CHUNK) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let fetches = session.uid_fetch(&set, "(UID BODY.PEEK[])")?;
        let mut got: Vec<(u32, Vec<u8>)> = fetches
            .iter()
            .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
            .collect();
        got.sort_by_key(|(u, _)| *u);
        for (uid, raw) in got {
            let k = key.clone();
            db.transaction::<_, ServiceError, _>(|c| {
                inbound::receive(c, mail, &raw, "imap")?;
                record(c, &k, Some((validity, i64::from(uid))), None)
            })?;
            last = i64::from(uid);
            stored += 1;
        }
    }
    db.transaction::<_, ServiceError, _>(|c| record(c, &key, Some((validity, last)), None))?;
    let _ = session.logout();
    Ok(stored)
}

/// Polling positions, as admins see them.
pub fn states(c: &mut DbConn) -> Result<Vec<ImapStateRow>, ServiceError> {
    Ok(imap_state::table
        .order(imap_state::mailbox)
        .select(ImapStateRow::as_select())
        .load(c)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imap_state)]
pub struct ImapStateRow {
    pub mailbox: String,
    pub uidvalidity: i64,
    pub last_uid: i64,
    pub last_poll_at: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
    pub updated_at: chrono::NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let c = ImapConfig::parse(
            "imaps://me%40x.test:p%2Fw@mail.x.test/Support",
            Duration::seconds(60),
        )
        .unwrap();
        assert_eq!(
            (c.user.as_str(), c.password.as_str(), c.port),
            ("me@x.test", "p/w", 993)
        );
        assert_eq!(c.mailbox, "Support");
        assert_eq!(c.mode, ConnectionMode::Tls);
        let c =
            ImapConfig::parse("imap://u:p@127.0.0.1:1143?tls=none", Duration::seconds(60)).unwrap();
        assert_eq!((c.port, c.mailbox.as_str()), (1143, "INBOX"));
        assert_eq!(c.mode, ConnectionMode::Plaintext);
        assert!(ImapConfig::parse("pop3://x", Duration::seconds(1)).is_err());
    }
}
