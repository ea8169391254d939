//! Ticket statuses; a name clash comes back as
//! [`Unique::StatusName`](crate::Unique::StatusName).

use diesel::prelude::*;

use crate::schema::statuses;
use crate::{DbConn, StorageError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = statuses)]
pub struct StatusRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub position: i32,
    pub active: bool,
    /// Names per language, a JSON object.
    pub names: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = statuses)]
pub struct NewStatus<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub position: i32,
    pub active: bool,
    pub names: &'a str,
}

/// A partial update: `None` leaves the column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = statuses)]
pub struct StatusChanges<'a> {
    pub name: Option<&'a str>,
    pub category: Option<&'a str>,
    pub position: Option<i32>,
    pub active: Option<bool>,
    pub names: Option<&'a str>,
}

impl StatusChanges<'_> {
    /// Statuses have no `updated_at`, so a change can be empty, and diesel
    /// refuses an empty `SET`.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.category.is_none()
            && self.position.is_none()
            && self.active.is_none()
            && self.names.is_none()
    }
}

pub fn insert(c: &mut DbConn, row: &NewStatus) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(statuses::table)
        .values(row)
        .returning(statuses::id)
        .get_result(c)?)
}

/// Changes a status in one statement (none when nothing changes).
pub fn update(c: &mut DbConn, id: i64, changes: &StatusChanges) -> Result<(), StorageError> {
    if !changes.is_empty() {
        diesel::update(statuses::table.find(id))
            .set(changes)
            .execute(c)?;
    }
    Ok(())
}
