//! Touchpoints: one interaction of a contact (a ticket, a survey response,
//! an email, a call...), and the contact's timeline of them, newest first.

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::feedback::{CreateTouchpoint, Touchpoint};
use lazo_domain::TouchpointKind;
use serde_json::Value;

use crate::auth::Principal;
use crate::contacts;
use crate::error::ServiceError;
use lazo_storage::schema::{tickets, touchpoints as tp};
use lazo_storage::{now, utc, DbConn};

/// A touchpoint to record.
pub struct NewTouchpoint {
    pub contact_id: i64,
    pub kind: TouchpointKind,
    pub channel: Option<String>,
    pub title: String,
    pub payload: Value,
    pub ticket_id: Option<i64>,
    pub survey_response_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
}

/// Records a touchpoint in the caller's transaction.
pub fn record(c: &mut DbConn, n: NewTouchpoint) -> Result<i64, ServiceError> {
    let title: String = n
        .title
        .chars()
        .take(lazo_domain::limits::SUBJECT_MAX)
        .collect();
    Ok(diesel::insert_into(tp::table)
        .values((
            tp::contact_id.eq(n.contact_id),
            tp::kind.eq(n.kind.as_str()),
            tp::channel.eq(&n.channel),
            tp::title.eq(title),
            tp::payload.eq(n.payload.to_string()),
            tp::ticket_id.eq(n.ticket_id),
            tp::survey_response_id.eq(n.survey_response_id),
            tp::occurred_at.eq(n.occurred_at),
            tp::created_at.eq(now()),
        ))
        .returning(tp::id)
        .get_result(c)?)
}

/// Records many touchpoints, a statement per 500 (imports).
pub fn record_many(c: &mut DbConn, all: &[NewTouchpoint]) -> Result<(), ServiceError> {
    let at = now();
    for chunk in all.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    tp::contact_id.eq(n.contact_id),
                    tp::kind.eq(n.kind.as_str()),
                    tp::channel.eq(&n.channel),
                    tp::title.eq(n
                        .title
                        .chars()
                        .take(lazo_domain::limits::SUBJECT_MAX)
                        .collect::<String>()),
                    tp::payload.eq(n.payload.to_string()),
                    tp::ticket_id.eq(n.ticket_id),
                    tp::survey_response_id.eq(n.survey_response_id),
                    tp::occurred_at.eq(n.occurred_at),
                    tp::created_at.eq(at),
                )
            })
            .collect();
        lazo_storage::each_backend!(c, conn => diesel::insert_into(tp::table)
            .values(rows)
            .execute(conn))?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tp)]
pub struct TouchpointRow {
    pub id: i64,
    pub contact_id: i64,
    pub kind: String,
    pub channel: Option<String>,
    pub title: String,
    pub payload: String,
    pub ticket_id: Option<i64>,
    pub survey_response_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl TouchpointRow {
    pub fn wire(self) -> Touchpoint {
        Touchpoint {
            id: self.id,
            contact_id: self.contact_id,
            kind: self.kind.parse().unwrap_or(TouchpointKind::Custom),
            channel: self.channel,
            title: self.title,
            payload: serde_json::from_str(&self.payload).unwrap_or_default(),
            ticket_id: self.ticket_id,
            survey_response_id: self.survey_response_id,
            occurred_at: utc(self.occurred_at),
            created_at: utc(self.created_at),
        }
    }
}

/// An integrator's touchpoint (a call, a chat...). The contact is named by
/// id (and must be visible to the caller) or found/created from details.
pub fn create(
    c: &mut DbConn,
    who: &Principal,
    input: &CreateTouchpoint,
) -> Result<Touchpoint, ServiceError> {
    let mut errors = Vec::new();
    input.check(&mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let contact_id = match (&input.contact_id, &input.contact) {
        (Some(id), _) => match contacts::load_visible(c, who, *id) {
            Ok(row) => row.id,
            Err(ServiceError::NotFound(_)) => {
                return Err(ServiceError::field(
                    "contact_id",
                    "unknown_reference",
                    "no such contact",
                ))
            }
            Err(e) => return Err(e),
        },
        (None, Some(r)) => contacts::upsert(c, r)?.0,
        (None, None) => unreachable!("checked above"),
    };
    let id = record(
        c,
        NewTouchpoint {
            contact_id,
            kind: input.kind,
            channel: input.channel.as_ref().map(|s| s.trim().to_lowercase()),
            title: input.title.trim().to_owned(),
            payload: Value::Object(input.payload.clone()),
            ticket_id: None,
            survey_response_id: None,
            occurred_at: input
                .occurred_at
                .map(|t| lazo_storage::at_micros(t.naive_utc()))
                .unwrap_or_else(now),
        },
    )?;
    Ok(tp::table
        .find(id)
        .select(TouchpointRow::as_select())
        .first(c)?
        .wire())
}

const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

fn bad_cursor() -> ServiceError {
    ServiceError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this list returned; start again without it".into(),
        errors: vec![],
    }
}

fn encode_cursor(row: &TouchpointRow) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}~{}",
        row.occurred_at.format(TS_FORMAT),
        row.id
    ))
}

fn decode_cursor(s: &str) -> Result<(NaiveDateTime, i64), ServiceError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    let (t, id) = text.split_once('~').ok_or_else(bad_cursor)?;
    Ok((
        NaiveDateTime::parse_from_str(t, TS_FORMAT).map_err(|_| bad_cursor())?,
        id.parse().map_err(|_| bad_cursor())?,
    ))
}

/// One page of a contact's timeline, newest first. With `ticket`, that
/// ticket's own touchpoint leads the first page (one item more than
/// `limit`) and is left out of every page after it.
pub fn timeline(
    c: &mut DbConn,
    who: &Principal,
    contact_id: i64,
    ticket: Option<i64>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<(Vec<Touchpoint>, Option<String>), ServiceError> {
    contacts::load_visible(c, who, contact_id)?;
    // Only a ticket the caller sees leads the page.
    let ticket = ticket.filter(|t| crate::tickets::load_visible(c, who, *t).is_ok());
    let pinned: Option<TouchpointRow> = match ticket {
        Some(t) => tp::table
            .filter(tp::contact_id.eq(contact_id))
            .filter(tp::kind.eq(TouchpointKind::Ticket.as_str()))
            .filter(tp::ticket_id.eq(t))
            .order(tp::id.asc())
            .select(TouchpointRow::as_select())
            .first(c)
            .optional()?,
        None => None,
    };
    let mut q = tp::table.filter(tp::contact_id.eq(contact_id)).into_boxed();
    if let Some(p) = &pinned {
        q = q.filter(tp::id.ne(p.id));
    }
    if let Some(v) = crate::tickets::list::visibility(c, who)? {
        // Invisible is invisible: an agent does not learn of the contact's
        // tickets in groups they are not in, not even their subjects.
        let seen = tickets::table
            .filter(tickets::id.nullable().eq(tp::ticket_id))
            .filter(crate::visible_ticket!(v));
        q = q.filter(tp::ticket_id.is_null().or(diesel::dsl::exists(seen)));
    }
    if let Some(cur) = cursor.filter(|s| !s.is_empty()) {
        let (t, id) = decode_cursor(cur)?;
        q = q.filter(
            tp::occurred_at
                .lt(t)
                .or(tp::occurred_at.eq(t).and(tp::id.lt(id))),
        );
    }
    let mut rows: Vec<TouchpointRow> = q
        .order((tp::occurred_at.desc(), tp::id.desc()))
        .limit(limit + 1)
        .select(TouchpointRow::as_select())
        .load(c)?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(encode_cursor)
    } else {
        None
    };
    let mut items = Vec::with_capacity(rows.len() + 1);
    if cursor.is_none_or(str::is_empty) {
        items.extend(pinned.map(TouchpointRow::wire));
    }
    items.extend(rows.into_iter().map(TouchpointRow::wire));
    Ok((items, next))
}
