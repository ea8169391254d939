//! Login sessions: a JWT names one, so revoking it ends the JWT early.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::sessions;

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Whether a session still admits its JWTs.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionState {
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
}
