//! `Idempotency-Key` records: a write that carries a key stores its answer
//! under (caller, key) in its own transaction; a retry with the same key and
//! the same request gets that answer again, a different request with the key
//! is refused. Used by ticket create and survey intake.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

use crate::db::schema::idempotency_keys;
use crate::db::{now, DbConn};
use crate::error::ApiError;

/// A key a request came with: whose, which, and the hash of its body.
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    pub principal: &'a str,
    pub key: &'a str,
    pub hash: &'a str,
}

/// An answer to store under a key.
pub struct Remember<'a> {
    pub ask: Ask<'a>,
    pub status: i16,
    pub body: &'a str,
}

/// What is stored under a key: the request's hash, the answer, when.
type Prior = (String, String, NaiveDateTime);

/// The answer stored under `key` for this caller, if the key was used for
/// the same request (`hash`); 422 if it was used for another one.
pub fn stored(
    c: &mut DbConn,
    principal: &str,
    key: &str,
    hash: &str,
) -> Result<Option<String>, ApiError> {
    let prior: Option<Prior> = idempotency_keys::table
        .find((principal, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::body,
            idempotency_keys::created_at,
        ))
        .first(c)
        .optional()?;
    verdict(
        c,
        Ask {
            principal,
            key,
            hash,
        },
        prior,
    )
}

/// [`stored`] for several keys (a batch of creates) in one query; the
/// answers in the order of `asks`.
pub fn stored_many<'a>(
    c: &mut DbConn,
    asks: impl Iterator<Item = Ask<'a>>,
) -> Result<Vec<Result<Option<String>, ApiError>>, ApiError> {
    let asks: Vec<Ask<'a>> = asks.collect();
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    let principals: Vec<&str> = asks.iter().map(|a| a.principal).collect();
    let keys: Vec<&str> = asks.iter().map(|a| a.key).collect();
    // Both columns of the primary key: an index search per (principal,
    // key) pair, the pairs sorted out below.
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = idempotency_keys::table
        .filter(idempotency_keys::principal.eq_any(&principals))
        .filter(idempotency_keys::idem_key.eq_any(&keys))
        .select((
            idempotency_keys::principal,
            idempotency_keys::idem_key,
            idempotency_keys::request_hash,
            idempotency_keys::body,
            idempotency_keys::created_at,
        ))
        .load(c)?;
    let mut found: HashMap<(String, String), Prior> = rows
        .into_iter()
        .map(|(p, k, h, b, at)| ((p, k), (h, b, at)))
        .collect();
    let mut out = Vec::with_capacity(asks.len());
    for a in asks {
        let prior = found.remove(&(a.principal.to_owned(), a.key.to_owned()));
        out.push(match verdict(c, a, prior) {
            Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
            other => other,
        });
    }
    Ok(out)
}

/// What a stored key means for a request asking with it.
fn verdict(c: &mut DbConn, a: Ask<'_>, prior: Option<Prior>) -> Result<Option<String>, ApiError> {
    // Keys older than a day no longer count. The hourly
    // `idempotency.expire` job removes them; this only clears the one in
    // the way of re-using it.
    let cutoff = now() - crate::jobs::tasks::IDEMPOTENCY_TTL;
    // A key is new far more often than it is expired: one SELECT, and the
    // DELETE only for an expired key in the way.
    let prior = match prior {
        Some((.., at)) if at < cutoff => {
            diesel::delete(idempotency_keys::table.find((a.principal, a.key))).execute(c)?;
            None
        }
        other => other.map(|(h, b, _)| (h, b)),
    };
    match prior {
        Some((h, _)) if h != a.hash => Err(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was used for a different request".into(),
            errors: vec![],
        }),
        Some((_, body)) => Ok(Some(body)),
        None => Ok(None),
    }
}

/// Stores the answer of a write under `key`, in the write's transaction.
pub fn remember(
    c: &mut DbConn,
    principal: &str,
    key: &str,
    hash: &str,
    status: i16,
    body: &str,
) -> Result<(), ApiError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal.eq(principal),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::status.eq(status),
            idempotency_keys::body.eq(body),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

/// [`remember`] for several answers in one statement.
pub fn remember_many<'a>(
    c: &mut DbConn,
    all: impl Iterator<Item = Remember<'a>>,
) -> Result<(), ApiError> {
    let t = now();
    let rows: Vec<_> = all
        .map(|r| {
            (
                idempotency_keys::principal.eq(r.ask.principal),
                idempotency_keys::idem_key.eq(r.ask.key),
                idempotency_keys::request_hash.eq(r.ask.hash),
                idempotency_keys::status.eq(r.status),
                idempotency_keys::body.eq(r.body),
                idempotency_keys::created_at.eq(t),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    lazo_storage::insert_rows!(c, idempotency_keys::table, rows)?;
    Ok(())
}
