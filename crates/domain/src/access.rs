//! Who sees which ticket, and how much of it.
//!
//! The rules (PRODUCT.md, "Roles and the rules that protect tickets"):
//! - admins, ticket admins and integrator tokens see every ticket in full;
//! - an agent sees, in full, tickets owned by them or by one of their groups;
//! - who has full access to a parent has full access to its sub-tickets;
//! - the owner of a sub-ticket sees its parent read-only and may comment on it,
//!   but sees no sibling sub-ticket through that;
//! - anyone else does not see the ticket at all, and the API answers 404.
//!
//! The API's list query encodes the same rules in SQL; its tests check that the
//! two agree.

use crate::model::{Access, Role};

/// The facts about a ticket that decide access.
#[derive(Debug, Clone, Default)]
pub struct TicketFacts {
    pub owner_id: Option<i64>,
    pub group_id: Option<i64>,
    /// Owner and group of the parent, for a sub-ticket.
    pub parent_owner_id: Option<i64>,
    pub parent_group_id: Option<i64>,
    /// Does the viewer own one of this ticket's sub-tickets?
    pub viewer_owns_a_child: bool,
}

/// A person looking at tickets.
#[derive(Debug, Clone)]
pub struct Viewer<'a> {
    pub user_id: i64,
    pub role: Role,
    pub group_ids: &'a [i64],
}

impl Viewer<'_> {
    fn holds(&self, owner: Option<i64>, group: Option<i64>) -> bool {
        owner == Some(self.user_id) || group.is_some_and(|g| self.group_ids.contains(&g))
    }

    /// `None` means the ticket is invisible to this viewer.
    pub fn access(&self, t: &TicketFacts) -> Option<Access> {
        if self.role.sees_all_tickets()
            || self.holds(t.owner_id, t.group_id)
            || self.holds(t.parent_owner_id, t.parent_group_id)
        {
            Some(Access::Full)
        } else if t.viewer_owns_a_child {
            Some(Access::Comment)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUPS: &[i64] = &[10];
    fn agent() -> Viewer<'static> {
        Viewer {
            user_id: 1,
            role: Role::Agent,
            group_ids: GROUPS,
        }
    }

    #[test]
    fn agents_see_their_own_and_their_groups_tickets() {
        assert_eq!(
            agent().access(&TicketFacts {
                owner_id: Some(1),
                ..Default::default()
            }),
            Some(Access::Full)
        );
        assert_eq!(
            agent().access(&TicketFacts {
                group_id: Some(10),
                owner_id: Some(2),
                ..Default::default()
            }),
            Some(Access::Full)
        );
        assert_eq!(
            agent().access(&TicketFacts {
                group_id: Some(11),
                owner_id: Some(2),
                ..Default::default()
            }),
            None
        );
    }

    #[test]
    fn sub_ticket_owner_sees_the_parent_read_only_and_not_siblings() {
        let parent = TicketFacts {
            owner_id: Some(2),
            group_id: Some(11),
            viewer_owns_a_child: true,
            ..Default::default()
        };
        assert_eq!(agent().access(&parent), Some(Access::Comment));
        let sibling = TicketFacts {
            owner_id: Some(3),
            group_id: Some(12),
            parent_owner_id: Some(2),
            parent_group_id: Some(11),
            ..Default::default()
        };
        assert_eq!(agent().access(&sibling), None);
    }

    #[test]
    fn parent_owner_sees_all_sub_tickets_and_admins_see_everything() {
        let child = TicketFacts {
            owner_id: Some(3),
            group_id: Some(12),
            parent_owner_id: Some(1),
            ..Default::default()
        };
        assert_eq!(agent().access(&child), Some(Access::Full));
        let admin = Viewer {
            user_id: 9,
            role: Role::TicketAdmin,
            group_ids: &[],
        };
        assert_eq!(admin.access(&TicketFacts::default()), Some(Access::Full));
    }
}
