//! Webhook endpoints, their deliveries and the attempt log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::{DbConn, StorageError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: String,
    pub enabled: bool,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A partial update: `None` leaves the column as it is; `Some(None)` clears
/// a nullable one.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges<'a> {
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    pub event_types: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<&'a str>>,
    pub secret: Option<&'a str>,
    pub previous_secret: Option<Option<&'a str>>,
    pub previous_secret_expires_at: Option<Option<NaiveDateTime>>,
    pub updated_at: NaiveDateTime,
}

impl<'a> EndpointChanges<'a> {
    pub fn at(t: NaiveDateTime) -> Self {
        EndpointChanges {
            url: None,
            description: None,
            event_types: None,
            enabled: None,
            disabled_reason: None,
            secret: None,
            previous_secret: None,
            previous_secret_expires_at: None,
            updated_at: t,
        }
    }
}

pub fn insert_endpoint(c: &mut DbConn, row: &NewEndpoint) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .returning(webhook_endpoints::id)
        .get_result(c)?)
}

/// Applies `changes`; false when there is no such endpoint.
pub fn update_endpoint(
    c: &mut DbConn,
    id: i64,
    changes: &EndpointChanges,
) -> Result<bool, StorageError> {
    Ok(diesel::update(webhook_endpoints::table.find(id))
        .set(changes)
        .execute(c)?
        > 0)
}

pub fn endpoint(c: &mut DbConn, id: i64) -> Result<Option<EndpointRow>, StorageError> {
    Ok(webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(c)
        .optional()?)
}

pub fn endpoints(c: &mut DbConn) -> Result<Vec<EndpointRow>, StorageError> {
    Ok(webhook_endpoints::table
        .order(webhook_endpoints::id)
        .select(EndpointRow::as_select())
        .load(c)?)
}

pub fn enabled_endpoints(c: &mut DbConn) -> Result<Vec<EndpointRow>, StorageError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .order(webhook_endpoints::id)
        .select(EndpointRow::as_select())
        .load(c)?)
}

pub fn delete_endpoint(c: &mut DbConn, id: i64) -> Result<bool, StorageError> {
    Ok(diesel::delete(webhook_endpoints::table.find(id)).execute(c)? > 0)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub msg_id: String,
    pub event_type: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` is written as NULL, not DEFAULT (the same here), which SQLite
/// needs to insert many rows in one statement.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
pub struct NewDelivery<'a> {
    pub endpoint_id: i64,
    pub event_id: i64,
    pub msg_id: &'a str,
    pub event_type: &'a str,
    pub state: &'static str,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts the deliveries this endpoint does not already have for this event
/// (fan-out runs at least once) and returns the ids of all of them, new or
/// not, in id order: a statement per thousand rows and one to read the ids
/// back, where a fan-out batch used to spend two per delivery.
pub fn insert_deliveries(c: &mut DbConn, rows: &[NewDelivery]) -> Result<Vec<i64>, StorageError> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    // Nine columns a row: under SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(1_000) {
        crate::each_backend!(c, conn => diesel::insert_into(webhook_deliveries::table)
            .values(chunk)
            .on_conflict((webhook_deliveries::endpoint_id, webhook_deliveries::event_id))
            .do_nothing()
            .execute(conn))?;
    }
    let wanted: std::collections::HashSet<(i64, i64)> =
        rows.iter().map(|r| (r.endpoint_id, r.event_id)).collect();
    let mut endpoints: Vec<i64> = rows.iter().map(|r| r.endpoint_id).collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    let mut events: Vec<i64> = rows.iter().map(|r| r.event_id).collect();
    events.sort_unstable();
    events.dedup();
    let found: Vec<(i64, i64, i64)> = webhook_deliveries::table
        .filter(crate::id_in(
            c,
            "webhook_deliveries.endpoint_id",
            &endpoints,
        ))
        .filter(crate::id_in(c, "webhook_deliveries.event_id", &events))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::endpoint_id,
            webhook_deliveries::event_id,
        ))
        .order(webhook_deliveries::id)
        .load(c)?;
    Ok(found
        .into_iter()
        .filter(|(_, ep, ev)| wanted.contains(&(*ep, *ev)))
        .map(|(id, _, _)| id)
        .collect())
}

pub fn delivery(c: &mut DbConn, id: i64) -> Result<Option<DeliveryRow>, StorageError> {
    Ok(webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(c)
        .optional()?)
}

/// The outcome of one attempt (written with its log row) or of a replay.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
pub struct DeliveryOutcome<'a> {
    pub state: &'a str,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn set_delivery(c: &mut DbConn, id: i64, o: &DeliveryOutcome) -> Result<(), StorageError> {
    diesel::update(webhook_deliveries::table.find(id))
        .set(o)
        .execute(c)?;
    Ok(())
}

/// A page of an endpoint's deliveries, newest first, below id `before`
/// (0: from the newest).
pub fn deliveries(
    c: &mut DbConn,
    endpoint_id: i64,
    state: Option<&str>,
    before: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StorageError> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .into_boxed();
    if before > 0 {
        q = q.filter(webhook_deliveries::id.lt(before));
    }
    if let Some(s) = state {
        q = q.filter(webhook_deliveries::state.eq(s.to_owned()));
    }
    Ok(q.order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(c)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub response: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct NewAttempt<'a> {
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
}

pub fn insert_attempt(c: &mut DbConn, row: &NewAttempt) -> Result<(), StorageError> {
    diesel::insert_into(webhook_attempts::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn attempts(c: &mut DbConn, delivery_id: i64) -> Result<Vec<AttemptRow>, StorageError> {
    Ok(webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order(webhook_attempts::id)
        .select(AttemptRow::as_select())
        .load(c)?)
}
