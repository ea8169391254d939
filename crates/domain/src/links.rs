//! Ticket links and merges on the wire: what `GET /tickets/{id}/links`
//! lists, what `POST .../links` and `POST .../merge` take.
//!
//! A stored link is directed (`ticket_links.ticket_id` → `other_ticket_id`);
//! a list shows each link from the listed ticket's side, so the stored
//! `duplicate_of` reads `duplicated_by` from the other end and `merged_into`
//! reads `merged_from`. Parent and child come from sub-tickets, not from
//! links, and are listed beside them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::wire::StatusRef;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A link as seen from the listed ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Related, in both directions.
    Related,
    /// This ticket duplicates the other one.
    DuplicateOf,
    /// The other ticket duplicates this one.
    DuplicatedBy,
    /// This ticket was merged into the other one (and closed).
    MergedInto,
    /// The other ticket was merged into this one.
    MergedFrom,
    /// The other ticket is this one's parent (a sub-ticket relation).
    Parent,
    /// The other ticket is a sub-ticket of this one.
    Child,
}

impl LinkKind {
    pub const ALL: [LinkKind; 7] = [
        LinkKind::Related,
        LinkKind::DuplicateOf,
        LinkKind::DuplicatedBy,
        LinkKind::MergedInto,
        LinkKind::MergedFrom,
        LinkKind::Parent,
        LinkKind::Child,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::DuplicateOf => "duplicate_of",
            LinkKind::DuplicatedBy => "duplicated_by",
            LinkKind::MergedInto => "merged_into",
            LinkKind::MergedFrom => "merged_from",
            LinkKind::Parent => "parent",
            LinkKind::Child => "child",
        }
    }

    /// The history field a link of this kind is recorded under, on the
    /// ticket that sees it so.
    pub fn history_field(self) -> Option<crate::HistoryField> {
        use crate::HistoryField as H;
        Some(match self {
            LinkKind::Related => H::LinkRelated,
            LinkKind::DuplicateOf => H::LinkDuplicateOf,
            LinkKind::DuplicatedBy => H::LinkDuplicatedBy,
            LinkKind::MergedInto => H::MergedInto,
            LinkKind::MergedFrom => H::MergedFrom,
            LinkKind::Parent | LinkKind::Child => return None,
        })
    }

    /// How a stored link (`kind` from `ticket_links`) reads from its
    /// `ticket_id` end (`outgoing`) or from its `other_ticket_id` end.
    pub fn of_stored(kind: &str, outgoing: bool) -> Option<LinkKind> {
        Some(match (kind, outgoing) {
            ("related", _) => LinkKind::Related,
            ("duplicate_of", true) => LinkKind::DuplicateOf,
            ("duplicate_of", false) => LinkKind::DuplicatedBy,
            ("merged_into", true) => LinkKind::MergedInto,
            ("merged_into", false) => LinkKind::MergedFrom,
            _ => return None,
        })
    }
}

/// The kinds a person or integrator may create; merges have their own
/// operation and parent/child come from sub-tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NewLinkKind {
    Related,
    /// This ticket duplicates the one named.
    DuplicateOf,
}

impl NewLinkKind {
    /// As stored in `ticket_links.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            NewLinkKind::Related => "related",
            NewLinkKind::DuplicateOf => "duplicate_of",
        }
    }
}

/// Names a ticket: an integer is its id, a string its number (`"#1042"` or
/// `"1042"`), as people type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TicketSelector {
    Id(i64),
    Number(String),
}

// Written by hand: utoipa documents an untagged enum's variants without
// their constraints.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TicketSelector {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some("The ticket's id")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^#?[1-9][0-9]{0,17}$"))
                    .description(Some("The ticket's number, as `#1042` or `1042`")),
            )
            .description(Some(
                "A ticket: its id (an integer) or its number (a string, `#1042`)",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for TicketSelector {}

impl TicketSelector {
    /// The number a string selector names; `None` for an id, `Some(Err)` for
    /// a string that is no number.
    pub fn number(&self) -> Option<Result<i64, ()>> {
        match self {
            TicketSelector::Id(_) => None,
            TicketSelector::Number(s) => Some(
                s.trim()
                    .strip_prefix('#')
                    .unwrap_or(s.trim())
                    .parse::<i64>()
                    .map_err(|_| ())
                    .and_then(|n| if n > 0 { Ok(n) } else { Err(()) }),
            ),
        }
    }
}

/// The ticket at the other end of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkedTicket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: StatusRef,
}

/// One link of a ticket, seen from that ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketLink {
    /// The stored link's id (for `DELETE .../links/{link_id}`); `null` for
    /// parent and child, which are sub-ticket relations.
    pub id: Option<i64>,
    pub kind: LinkKind,
    pub ticket: LinkedTicket,
    /// When the link was made; `null` for parent and child.
    pub created_at: Option<DateTime<Utc>>,
}

/// A ticket's links: merges first, then duplicates, related, parent and
/// children. Tickets the caller may not see are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketLinks {
    pub items: Vec<TicketLink>,
}

/// Link this ticket to another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTicketLink {
    /// The other ticket: its id (an integer) or its number (`"#1042"`).
    pub ticket: TicketSelector,
    pub kind: NewLinkKind,
}

/// Merge this ticket into another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeTicket {
    /// The surviving ticket: its id (an integer) or its number (`"#1042"`).
    pub into: TicketSelector,
    /// Added to the internal notes written on both tickets.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_kinds_read_from_both_ends() {
        assert_eq!(
            LinkKind::of_stored("duplicate_of", false),
            Some(LinkKind::DuplicatedBy)
        );
        assert_eq!(
            LinkKind::of_stored("merged_into", true),
            Some(LinkKind::MergedInto)
        );
        assert_eq!(
            LinkKind::of_stored("related", false),
            Some(LinkKind::Related)
        );
        assert_eq!(LinkKind::of_stored("parent", true), None);
        for k in LinkKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn selectors_take_ids_and_numbers() {
        let s: TicketSelector = serde_json::from_str("42").unwrap();
        assert_eq!(s, TicketSelector::Id(42));
        assert_eq!(s.number(), None);
        let s: TicketSelector = serde_json::from_str("\"#1042\"").unwrap();
        assert_eq!(s.number(), Some(Ok(1042)));
        let s: TicketSelector = serde_json::from_str("\" 7 \"").unwrap();
        assert_eq!(s.number(), Some(Ok(7)));
        for bad in ["\"#x\"", "\"\"", "\"#0\"", "\"-3\""] {
            let s: TicketSelector = serde_json::from_str(bad).unwrap();
            assert_eq!(s.number(), Some(Err(())), "{bad}");
        }
    }
}
