//! Ticket types with their root causes and root-cause rules. Name clashes
//! come back as [`Unique::TicketTypeName`](crate::Unique::TicketTypeName) and
//! [`Unique::RootCauseName`](crate::Unique::RootCauseName).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{root_cause_rules, root_causes, ticket_types};
use crate::{DbConn, StorageError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_types)]
pub struct TicketTypeRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub show_summary: bool,
    pub show_survey: bool,
    pub active: bool,
    /// JSON array of field definitions.
    pub fields: String,
    /// Names per language, a JSON object.
    pub names: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_types)]
pub struct NewTicketType<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub show_summary: bool,
    pub show_survey: bool,
    pub active: bool,
    pub fields: &'a str,
    pub names: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A partial update: `None` leaves the column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = ticket_types)]
pub struct TicketTypeChanges<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub show_summary: Option<bool>,
    pub show_survey: Option<bool>,
    pub active: Option<bool>,
    pub fields: Option<&'a str>,
    pub names: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = root_causes)]
pub struct RootCauseRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// Names per language, a JSON object.
    pub names: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = root_causes)]
pub struct NewRootCause<'a> {
    pub ticket_type_id: i64,
    pub name: &'a str,
    pub active: bool,
    pub position: i32,
    pub names: &'a str,
}

/// A partial update of a root cause: `None` leaves the column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = root_causes)]
pub struct RootCauseChanges<'a> {
    pub name: Option<&'a str>,
    pub active: bool,
    pub position: i32,
    pub names: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = root_cause_rules)]
pub struct RootCauseRuleRow {
    pub ticket_type_id: i64,
    pub status_id: i64,
    pub rule: String,
}

pub fn insert(c: &mut DbConn, row: &NewTicketType) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(ticket_types::table)
        .values(row)
        .returning(ticket_types::id)
        .get_result(c)?)
}

/// Changes a type in one statement; `false` when there is no such type.
pub fn update(c: &mut DbConn, id: i64, changes: &TicketTypeChanges) -> Result<bool, StorageError> {
    Ok(diesel::update(ticket_types::table.find(id))
        .set(changes)
        .execute(c)?
        > 0)
}

pub fn insert_cause(c: &mut DbConn, row: &NewRootCause) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(root_causes::table)
        .values(row)
        .returning(root_causes::id)
        .get_result(c)?)
}

pub fn update_cause(
    c: &mut DbConn,
    id: i64,
    changes: &RootCauseChanges,
) -> Result<(), StorageError> {
    diesel::update(root_causes::table.find(id))
        .set(changes)
        .execute(c)?;
    Ok(())
}
