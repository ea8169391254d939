//! The organisation's settings: one row, id 1, absent until first saved.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::org_settings;
use crate::{DbConn, StorageError};

/// The one settings row's id.
pub const ID: i64 = 1;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = org_settings)]
pub struct SettingsRow {
    pub name: String,
    pub agents_may_close: bool,
    pub comment_required_on_update: bool,
    pub inbound_email_status_id: Option<i64>,
    /// Named sources, a JSON array.
    pub sources: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = org_settings)]
pub struct NewSettings<'a> {
    pub id: i64,
    pub name: &'a str,
    pub agents_may_close: bool,
    pub comment_required_on_update: bool,
    pub inbound_email_status_id: Option<i64>,
    pub sources: &'a str,
    pub updated_at: NaiveDateTime,
}

/// A partial update: `None` leaves the column as it is; for the inbound
/// status, `Some(None)` clears it.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = org_settings)]
pub struct SettingsChanges<'a> {
    pub name: Option<&'a str>,
    pub agents_may_close: Option<bool>,
    pub comment_required_on_update: Option<bool>,
    pub inbound_email_status_id: Option<Option<i64>>,
    pub sources: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn load(c: &mut DbConn) -> Result<Option<SettingsRow>, StorageError> {
    Ok(org_settings::table
        .find(ID)
        .select(SettingsRow::as_select())
        .first(c)
        .optional()?)
}

/// Changes the row in one statement; `false` when it does not exist yet.
pub fn update(c: &mut DbConn, changes: &SettingsChanges) -> Result<bool, StorageError> {
    Ok(diesel::update(org_settings::table.find(ID))
        .set(changes)
        .execute(c)?
        > 0)
}

pub fn insert(c: &mut DbConn, row: &NewSettings) -> Result<(), StorageError> {
    diesel::insert_into(org_settings::table)
        .values(row)
        .execute(c)?;
    Ok(())
}
