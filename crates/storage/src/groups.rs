//! Ticket groups and their members; a name clash comes back as
//! [`Unique::GroupName`](crate::Unique::GroupName).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{group_members, ticket_groups};
use crate::users::UserRefRow;
use crate::{DbConn, StorageError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_groups)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub restrict_assignees: bool,
    /// Names per language, a JSON object.
    pub names: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_groups)]
pub struct GroupRefRow {
    pub id: i64,
    pub name: String,
}

/// A member with the user's name, from `group_members` joined to `users`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_members)]
pub struct MemberRow {
    pub group_id: i64,
    pub manager: bool,
    #[diesel(embed)]
    pub user: UserRefRow,
}

/// A group a user belongs to, from `group_members` joined to `ticket_groups`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_members)]
pub struct UserGroupRow {
    pub user_id: i64,
    #[diesel(embed)]
    pub group: GroupRefRow,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = group_members)]
pub struct Membership {
    pub group_id: i64,
    pub user_id: i64,
    pub manager: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_groups)]
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub restrict_assignees: bool,
    pub names: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A partial update: `None` leaves the column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = ticket_groups)]
pub struct GroupChanges<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub restrict_assignees: Option<bool>,
    pub names: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn insert(c: &mut DbConn, row: &NewGroup) -> Result<i64, StorageError> {
    Ok(diesel::insert_into(ticket_groups::table)
        .values(row)
        .returning(ticket_groups::id)
        .get_result(c)?)
}

/// Changes a group in one statement; `false` when there is no such group.
pub fn update(c: &mut DbConn, id: i64, changes: &GroupChanges) -> Result<bool, StorageError> {
    Ok(diesel::update(ticket_groups::table.find(id))
        .set(changes)
        .execute(c)?
        > 0)
}

/// Replaces the member list. Row by row: the multi-backend connection does
/// not take a batch insert.
pub fn replace_members(
    c: &mut DbConn,
    group_id: i64,
    members: &[Membership],
) -> Result<(), StorageError> {
    diesel::delete(group_members::table.filter(group_members::group_id.eq(group_id))).execute(c)?;
    for m in members {
        diesel::insert_into(group_members::table)
            .values(m)
            .execute(c)?;
    }
    Ok(())
}
