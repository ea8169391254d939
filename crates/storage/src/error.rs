//! What storage fails with. A unique violation becomes [`StorageError::Conflict`]
//! naming the key, so callers insert or update directly and answer "taken"
//! from the database's own check: counting first and inserting after races
//! with a concurrent insert of the same value.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Every pooled connection stayed busy for as long as a request waits.
    #[error("no database connection: none came free in time")]
    PoolTimeout,
    #[error("cannot open the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("cannot create the database directory: {0}")]
    Io(#[from] std::io::Error),
    /// A unique key the application answers for (see [`Unique`]).
    #[error("{0} is already taken")]
    Conflict(Unique),
    #[error(transparent)]
    Query(Error),
    /// A grouped write's batch could not begin or commit (SQLite's group
    /// committer): nothing of the write was kept.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
}

impl From<Error> for StorageError {
    fn from(e: Error) -> Self {
        match Unique::of(&e) {
            Some(key) => StorageError::Conflict(key),
            None => StorageError::Query(e),
        }
    }
}

/// The unique keys whose violation callers turn into a "taken" answer.
/// Others (a ticket number, a job key...) stay [`StorageError::Query`]:
/// hitting them is a bug, not a caller's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    UserEmail,
    GroupName,
    StatusName,
    TicketTypeName,
    /// Root cause names are unique within their type.
    RootCauseName,
    ContactEmail,
    ContactExternalRef,
    SurveyResponseExternalId,
    /// One link of a kind between two tickets (`related` is stored with
    /// the lower id first, so either direction hits it).
    TicketLink,
    /// A ticket is merged at most once (a partial unique index).
    TicketMergedOnce,
}

/// Each key as PostgreSQL names its constraint (the default name of an
/// inline `UNIQUE`) and as SQLite lists its columns in the message.
const KEYS: &[(Unique, &str, &str)] = &[
    (Unique::UserEmail, "users_email_key", "users.email"),
    (
        Unique::GroupName,
        "ticket_groups_name_key",
        "ticket_groups.name",
    ),
    (Unique::StatusName, "statuses_name_key", "statuses.name"),
    (
        Unique::TicketTypeName,
        "ticket_types_name_key",
        "ticket_types.name",
    ),
    (
        Unique::RootCauseName,
        "root_causes_ticket_type_id_name_key",
        "root_causes.ticket_type_id, root_causes.name",
    ),
    // Partial unique indexes: PostgreSQL names the index.
    (Unique::ContactEmail, "contacts_email", "contacts.email"),
    (
        Unique::ContactExternalRef,
        "contacts_external_ref",
        "contacts.external_ref",
    ),
    (
        Unique::SurveyResponseExternalId,
        "survey_responses_external_id",
        "survey_responses.external_id",
    ),
    (
        Unique::TicketLink,
        "ticket_links_ticket_id_other_ticket_id_kind_key",
        "ticket_links.ticket_id, ticket_links.other_ticket_id, ticket_links.kind",
    ),
    (
        Unique::TicketMergedOnce,
        "ticket_links_merged_once",
        "ticket_links.ticket_id",
    ),
];

impl Unique {
    /// The key a unique violation broke, if it is one of ours.
    pub fn of(e: &Error) -> Option<Unique> {
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Unique::of_info(&**info)
            }
            _ => None,
        }
    }

    fn of_info(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Unique> {
        // PostgreSQL names the constraint; SQLite only says
        // "UNIQUE constraint failed: table.column[, table.column]".
        if let Some(name) = info.constraint_name() {
            return KEYS.iter().find(|k| k.1 == name).map(|k| k.0);
        }
        let columns = info
            .message()
            .strip_prefix("UNIQUE constraint failed: ")?
            .trim();
        KEYS.iter().find(|k| k.2 == columns).map(|k| k.0)
    }

    /// `table.column`, for logs and messages.
    pub fn key(self) -> &'static str {
        KEYS.iter()
            .find(|k| k.0 == self)
            .map_or("unique key", |k| k.2)
    }
}

impl fmt::Display for Unique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str, Option<&'static str>);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.1
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn unique(message: &'static str, constraint: Option<&'static str>) -> Error {
        Error::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new(Info(message, constraint)),
        )
    }

    #[test]
    fn sqlite_messages_name_the_key_by_its_columns() {
        let e = unique("UNIQUE constraint failed: users.email", None);
        assert_eq!(Unique::of(&e), Some(Unique::UserEmail));
        let e = unique(
            "UNIQUE constraint failed: root_causes.ticket_type_id, root_causes.name",
            None,
        );
        assert_eq!(Unique::of(&e), Some(Unique::RootCauseName));
        let e = unique("UNIQUE constraint failed: tickets.number", None);
        assert_eq!(Unique::of(&e), None);
    }

    #[test]
    fn postgres_names_the_constraint() {
        let e = unique(
            "duplicate key value violates unique constraint \"ticket_groups_name_key\"",
            Some("ticket_groups_name_key"),
        );
        assert_eq!(Unique::of(&e), Some(Unique::GroupName));
        assert!(matches!(
            StorageError::from(unique("x", Some("tickets_number_key"))),
            StorageError::Query(_)
        ));
    }

    #[test]
    fn other_errors_are_no_conflict() {
        assert_eq!(Unique::of(&Error::NotFound), None);
    }
}
