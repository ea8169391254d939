//! A ticket's history: one row per changed field, with ids and the names
//! people saw.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::history;

/// A `history` row as the history page shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = history)]
pub struct HistoryRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub actor_name: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub comment_id: Option<i64>,
    pub old_id: Option<i64>,
    pub new_id: Option<i64>,
}
