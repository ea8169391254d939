//! Snooze (scheduled reopen): a ticket waits in a pending status until a
//! date, then a job puts it back in the open status it had. PRODUCT.md,
//! "Ticket operations". The writes go through [`write::update_with`], so the
//! ticket rules, history and events are the same as for any status change.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use lazo_domain::wire::{FieldError, UpdateTicket};
use lazo_domain::ErrorCode;
use lazo_domain::StatusCategory;

use super::write::{self, Snooze, Updated};
use super::{find_row, load_writable};
use crate::auth::Principal;
use crate::error::ServiceError;
use lazo_storage::schema::statuses;
use lazo_storage::{now, DbConn};

/// How far ahead a snooze may go.
pub const MAX_AHEAD: Duration = Duration::days(366);

/// The name history shows for the scheduled reopen.
pub const SYSTEM_NAME: &str = "Lazo (scheduled reopen)";

fn first_active(c: &mut DbConn, category: StatusCategory) -> Result<Option<i64>, ServiceError> {
    Ok(statuses::table
        .filter(statuses::category.eq(category.as_str()))
        .filter(statuses::active.eq(true))
        .order((statuses::position, statuses::id))
        .select(statuses::id)
        .first(c)
        .optional()?)
}

/// The default statuses have no pending one (PRODUCT.md: New, Open,
/// Escalated, Resolved). Rather than refuse the first snooze, Lazo adds a
/// pending status "Snoozed" that admins may rename or reorder like any other.
fn create_snoozed_status(c: &mut DbConn) -> Result<i64, ServiceError> {
    let position: Option<i32> = statuses::table
        .select(diesel::dsl::max(statuses::position))
        .first(c)?;
    let name = match statuses::table
        .filter(statuses::name.eq(SNOOZED_STATUS))
        .count()
        .get_result::<i64>(c)?
    {
        0 => SNOOZED_STATUS.to_owned(),
        // An inactive or non-pending status already has the name.
        _ => format!("{SNOOZED_STATUS} ({})", StatusCategory::Pending.as_str()),
    };
    Ok(diesel::insert_into(statuses::table)
        .values((
            statuses::name.eq(name),
            statuses::category.eq(StatusCategory::Pending.as_str()),
            statuses::position.eq(position.unwrap_or(0) + 1),
            statuses::active.eq(true),
            statuses::names.eq(crate::demo::names_es_fr(SNOOZED_NAMES)),
        ))
        .returning(statuses::id)
        .get_result(c)?)
}

/// Name of the pending status created by the first snooze, when none exists.
pub const SNOOZED_STATUS: &str = "Snoozed";
const SNOOZED_NAMES: [&str; 2] = ["Pospuesto", "Reporté"];

/// The status to reopen to: the remembered one while it is still active and
/// not a pending or closed one, else the first active open status.
fn reopen_status(c: &mut DbConn, remembered: Option<i64>) -> Result<i64, ServiceError> {
    if let Some(id) = remembered {
        let ok: Option<(String, bool)> = statuses::table
            .find(id)
            .select((statuses::category, statuses::active))
            .first(c)
            .optional()?;
        if let Some((cat, true)) = ok {
            if cat == StatusCategory::New.as_str() || cat == StatusCategory::Open.as_str() {
                return Ok(id);
            }
        }
    }
    first_active(c, StatusCategory::Open)?
        .ok_or_else(|| ServiceError::internal("no active status of category open"))
}

/// Snoozes ticket `id` until `until`; snoozing again moves the date.
pub fn snooze(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
    until: NaiveDateTime,
) -> Result<Updated, ServiceError> {
    let t = now();
    if until <= t || until > t + MAX_AHEAD {
        return Err(ServiceError::invalid(vec![FieldError::new(
            "until",
            ErrorCode::OutOfRange,
            "must be in the future, at most a year ahead",
        )]));
    }
    let cur = load_writable(c, who, id)?;
    let (status_id, return_to) = match cur.category() {
        Some(StatusCategory::Closed) => {
            return Err(ServiceError::Unprocessable {
                code: "ticket_closed",
                detail: "a closed ticket cannot be snoozed".into(),
                errors: vec![],
            })
        }
        // Already waiting: it stays in its status and keeps where it goes back.
        Some(StatusCategory::Pending) => {
            (cur.status_id, Some(reopen_status(c, cur.snooze_status_id)?))
        }
        _ => {
            let pending = match first_active(c, StatusCategory::Pending)? {
                Some(id) => id,
                None => create_snoozed_status(c)?,
            };
            (pending, Some(cur.status_id))
        }
    };
    write::update_with(
        c,
        who,
        id,
        expected,
        UpdateTicket {
            status_id: Some(status_id),
            ..Default::default()
        },
        Some(Snooze {
            until: Some(until),
            return_to,
        }),
    )
}

/// Ends the snooze now: the ticket goes back to its open status.
pub fn unsnooze(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
) -> Result<Updated, ServiceError> {
    let cur = load_writable(c, who, id)?;
    if cur.snooze_until.is_none() {
        return Err(ServiceError::Conflict {
            code: "not_snoozed",
            detail: "this ticket is not snoozed".into(),
            errors: vec![],
        });
    }
    let status_id = reopen_status(c, cur.snooze_status_id)?;
    write::update_with(
        c,
        who,
        id,
        expected,
        UpdateTicket {
            status_id: Some(status_id),
            ..Default::default()
        },
        Some(Snooze {
            until: None,
            return_to: None,
        }),
    )
}

/// The scheduled reopen: ends the snooze that `until` names if it is still
/// the ticket's and has come. Anything else (unsnoozed, moved, deleted,
/// closed meanwhile, or already done by an earlier run) is nothing to do.
pub fn reopen_due(c: &mut DbConn, id: i64, until: NaiveDateTime) -> Result<(), ServiceError> {
    let Some(cur) = find_row(c, id)? else {
        return Ok(());
    };
    if cur.snooze_until != Some(until) || until > now() {
        return Ok(());
    }
    let system = Principal::System(SYSTEM_NAME.into());
    if cur.category() == Some(StatusCategory::Closed) {
        write::update_with(
            c,
            &system,
            id,
            None,
            UpdateTicket::default(),
            Some(Snooze {
                until: None,
                return_to: None,
            }),
        )?;
        return Ok(());
    }
    unsnooze(c, &system, id, None)?;
    Ok(())
}
