//! People: the directory row, login credentials, and writes whose email
//! clash comes back as [`Unique::UserEmail`](crate::Unique::UserEmail).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::users;
use crate::{DbConn, StorageError};

/// A user as the directory shows it (no password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
    pub role: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// Name and email, for references to a user from elsewhere.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRefRow {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// What a login checks.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

/// What a signed-in principal carries.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct PrincipalRow {
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub role: &'a str,
    pub active: bool,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A partial update: `None` leaves the column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges<'a> {
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub language: Option<&'a str>,
    pub role: Option<&'a str>,
    pub active: Option<bool>,
    pub password_hash: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

/// Inserts a user; its id.
pub fn insert(c: &mut DbConn, row: &NewUser) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(users::table)
        .values(row)
        .returning(users::id)
        .get_result(c)?)
}

/// Changes a user in one statement; `false` when there is no such user.
pub fn update(c: &mut DbConn, id: i64, changes: &UserChanges) -> Result<bool, StorageError> {
    Ok(diesel::update(users::table.find(id))
        .set(changes)
        .execute(c)?
        > 0)
}
