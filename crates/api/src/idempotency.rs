//! `Idempotency-Key` records: a write that carries a key stores its answer
//! under (caller, key) in its own transaction; a retry with the same key and
//! the same request gets that answer again, a different request with the key
//! is refused. Used by ticket create and survey intake.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::{now, DbConn};
use crate::error::ApiError;

/// The answer stored under `key` for this caller, if the key was used for
/// the same request (`hash`); 422 if it was used for another one.
pub fn stored(
    c: &mut DbConn,
    principal: &str,
    key: &str,
    hash: &str,
) -> Result<Option<String>, ApiError> {
    // Keys older than a day no longer count. The hourly
    // `idempotency.expire` job removes them; this only clears the one in
    // the way of re-using it.
    let cutoff = now() - crate::jobs::tasks::IDEMPOTENCY_TTL;
    let prior: Option<(String, String, NaiveDateTime)> = idempotency_keys::table
        .find((principal, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::body,
            idempotency_keys::created_at,
        ))
        .first(c)
        .optional()?;
    // A key is new far more often than it is expired: one SELECT, and the
    // DELETE only for an expired key in the way.
    let prior = match prior {
        Some((.., at)) if at < cutoff => {
            diesel::delete(idempotency_keys::table.find((principal, key))).execute(c)?;
            None
        }
        other => other.map(|(h, b, _)| (h, b)),
    };
    match prior {
        Some((h, _)) if h != hash => Err(ApiError::Unprocessable {
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
