//! Comments and internal notes of a ticket.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::comments;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    pub author_token_id: Option<i64>,
    pub body: String,
    pub internal: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
