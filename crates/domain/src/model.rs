//! The vocabulary of Lazo. Enums serialise in `snake_case`, which is also how
//! they are stored in the database.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        // Written by hand: utoipa's derive does not see `serde(rename)` values
        // that come from a macro, and would document the Rust variant names.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }
    };
}

/// A string that names no variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a valid {}", self.value, self.kind)
    }
}

string_enum!(
    /// What a person may do. Integrator tokens have scopes instead.
    Role {
        /// Organisation admin: everything, including deleting tickets.
        Admin => "admin",
        /// Sees every ticket, reassigns to anyone, configures ticketing.
        TicketAdmin => "ticket_admin",
        /// Sees tickets owned by them or their groups.
        Agent => "agent",
    }
);

impl Role {
    /// Sees and changes every ticket.
    pub fn sees_all_tickets(self) -> bool {
        matches!(self, Role::Admin | Role::TicketAdmin)
    }
    /// May change ticketing configuration (statuses, types, groups, settings).
    pub fn configures_ticketing(self) -> bool {
        matches!(self, Role::Admin | Role::TicketAdmin)
    }
}

string_enum!(
    /// Ticket urgency, ordered from least to most urgent.
    Priority {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

impl Priority {
    /// Rank used for sorting (and stored in the database so sorting by
    /// priority is an index scan, not a string comparison).
    pub fn rank(self) -> i16 {
        match self {
            Priority::Low => 0,
            Priority::Medium => 1,
            Priority::High => 2,
            Priority::Critical => 3,
        }
    }
    pub fn from_rank(rank: i16) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(rank).ok()?).copied()
    }
}

string_enum!(
    /// The fixed meaning behind a configurable status.
    StatusCategory {
        New => "new",
        Open => "open",
        /// Waiting on someone outside; SLA clocks pause.
        Pending => "pending",
        /// Inactive ticket.
        Closed => "closed",
    }
);

string_enum!(
    /// What an integrator token may do.
    Scope {
        TicketsRead => "tickets:read",
        TicketsWrite => "tickets:write",
        ResponsesWrite => "responses:write",
        Admin => "admin",
    }
);

string_enum!(
    /// Type of a custom field defined by a ticket type.
    FieldKind {
        Text => "text",
        Number => "number",
        Date => "date",
        Choice => "choice",
        Email => "email",
    }
);

string_enum!(
    /// How two tickets relate.
    LinkKind {
        Related => "related",
        DuplicateOf => "duplicate_of",
        MergedInto => "merged_into",
    }
);

string_enum!(
    /// Whether a root cause is required or prohibited for a status.
    RootCauseRule {
        Required => "required",
        Prohibited => "prohibited",
    }
);

string_enum!(
    /// How much of a ticket the caller may touch.
    Access {
        /// Read, comment and update.
        Full => "full",
        /// Read and comment only: the parent of a sub-ticket the caller owns.
        Comment => "comment",
    }
);

string_enum!(
    /// Sort keys of the follow-up list.
    SortKey {
        Created => "created",
        Updated => "updated",
        Priority => "priority",
        Due => "due",
        Number => "number",
    }
);

string_enum!(
    SortDir {
        Asc => "asc",
        Desc => "desc",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_text() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), *p);
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
        assert_eq!("tickets:read".parse::<Scope>().unwrap(), Scope::TicketsRead);
        assert!("superuser".parse::<Role>().is_err());
        assert_eq!(
            serde_json::to_string(&Scope::TicketsWrite).unwrap(),
            "\"tickets:write\""
        );
        assert_eq!(
            serde_json::from_str::<Role>("\"ticket_admin\"").unwrap(),
            Role::TicketAdmin
        );
    }

    #[test]
    fn priorities_are_ordered_by_urgency() {
        assert!(Priority::Low < Priority::Critical);
        assert!(Priority::High.rank() > Priority::Medium.rank());
    }
}
