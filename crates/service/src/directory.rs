//! Reading the organisation's directory and configuration: statuses, ticket
//! types, settings, groups and users, as the ticket service and the API's
//! configuration handlers need them.

use diesel::prelude::*;
use lazo_domain::rules::{GroupRules, TypeRules};
use lazo_domain::wire::{
    Group, GroupMember, Me, NamedRef, OrgSettings, RootCause, Status, TicketType, User, UserRef,
};
use lazo_domain::{Names, RootCauseRule};
use lazo_storage::groups::{GroupRow, MemberRow, Membership, UserGroupRow};
use lazo_storage::schema::{
    group_members, root_cause_rules, root_causes, statuses, ticket_groups, ticket_types, users,
};
use lazo_storage::settings::{NewSettings, SettingsChanges};
use lazo_storage::statuses::StatusRow;
use lazo_storage::ticket_types::{RootCauseRow, RootCauseRuleRow, TicketTypeRow};
use lazo_storage::users::{UserRefRow, UserRow};
use lazo_storage::{now, settings, utc, DbConn};
use std::collections::HashMap;

use crate::error::ServiceError;

pub fn to_status(r: StatusRow) -> Result<Status, ServiceError> {
    Ok(Status {
        id: r.id,
        name: r.name,
        names: Names::from_json(&r.names),
        category: r.category.parse().map_err(ServiceError::internal)?,
        position: r.position,
        active: r.active,
    })
}

pub fn load_statuses(c: &mut DbConn) -> Result<Vec<Status>, ServiceError> {
    let rows: Vec<StatusRow> = statuses::table
        .select(StatusRow::as_select())
        .order((statuses::position, statuses::id))
        .load(c)?;
    rows.into_iter().map(to_status).collect()
}

pub fn load_status(c: &mut DbConn, id: i64) -> Result<Option<Status>, ServiceError> {
    let row: Option<StatusRow> = statuses::table
        .find(id)
        .select(StatusRow::as_select())
        .first(c)
        .optional()?;
    row.map(to_status).transpose()
}

pub fn assemble_type(c: &mut DbConn, r: TicketTypeRow) -> Result<TicketType, ServiceError> {
    let causes: Vec<RootCauseRow> = root_causes::table
        .filter(root_causes::ticket_type_id.eq(r.id))
        .select(RootCauseRow::as_select())
        .order((root_causes::position, root_causes::id))
        .load(c)?;
    let rules: Vec<RootCauseRuleRow> = root_cause_rules::table
        .filter(root_cause_rules::ticket_type_id.eq(r.id))
        .select(RootCauseRuleRow::as_select())
        .order(root_cause_rules::status_id)
        .load(c)?;
    let pick = |rule: RootCauseRule| {
        rules
            .iter()
            .filter(|x| x.rule == rule.as_str())
            .map(|x| x.status_id)
            .collect()
    };
    Ok(TicketType {
        id: r.id,
        name: r.name,
        names: Names::from_json(&r.names),
        description: r.description,
        show_summary: r.show_summary,
        show_survey: r.show_survey,
        active: r.active,
        root_causes: causes
            .into_iter()
            .map(|rc| RootCause {
                id: rc.id,
                name: rc.name,
                names: Names::from_json(&rc.names),
                active: rc.active,
            })
            .collect(),
        root_cause_required_for: pick(RootCauseRule::Required),
        root_cause_prohibited_for: pick(RootCauseRule::Prohibited),
        fields: serde_json::from_str(&r.fields).map_err(ServiceError::internal)?,
    })
}

/// Every ticket type, by name.
pub fn load_types(c: &mut DbConn) -> Result<Vec<TicketType>, ServiceError> {
    let rows: Vec<TicketTypeRow> = ticket_types::table
        .select(TicketTypeRow::as_select())
        .order(ticket_types::name)
        .load(c)?;
    rows.into_iter().map(|r| assemble_type(c, r)).collect()
}

pub fn load_type(c: &mut DbConn, id: i64) -> Result<Option<TicketType>, ServiceError> {
    let row: Option<TicketTypeRow> = ticket_types::table
        .find(id)
        .select(TicketTypeRow::as_select())
        .first(c)
        .optional()?;
    row.map(|r| assemble_type(c, r)).transpose()
}

/// The parts of a type the ticket rules check. Inactive root causes stay
/// valid for tickets that already have them; the API refuses them as new
/// choices separately.
pub fn type_rules(t: &TicketType) -> TypeRules {
    TypeRules {
        root_cause_ids: t.root_causes.iter().map(|r| r.id).collect(),
        required_for: t.root_cause_required_for.clone(),
        prohibited_for: t.root_cause_prohibited_for.clone(),
        fields: t.fields.clone(),
    }
}

pub fn load_settings(c: &mut DbConn) -> Result<OrgSettings, ServiceError> {
    Ok(match settings::load(c)? {
        Some(r) => OrgSettings {
            name: r.name,
            agents_may_close: r.agents_may_close,
            comment_required_on_update: r.comment_required_on_update,
            inbound_email_status_id: r.inbound_email_status_id,
            sources: serde_json::from_str(&r.sources).unwrap_or_default(),
        },
        None => default_settings(),
    })
}

pub fn default_settings() -> OrgSettings {
    OrgSettings {
        name: "Lazo".into(),
        agents_may_close: true,
        comment_required_on_update: false,
        inbound_email_status_id: None,
        sources: vec![],
    }
}

/// Writes all of `s`.
pub fn save_settings(c: &mut DbConn, s: &OrgSettings) -> Result<(), ServiceError> {
    let sources = serde_json::to_string(&s.sources).map_err(ServiceError::internal)?;
    change_settings(
        c,
        &SettingsChanges {
            name: Some(&s.name),
            agents_may_close: Some(s.agents_may_close),
            comment_required_on_update: Some(s.comment_required_on_update),
            inbound_email_status_id: Some(s.inbound_email_status_id),
            sources: Some(&sources),
            updated_at: now(),
        },
    )?;
    Ok(())
}

/// Applies a partial change: one UPDATE, or, before the first save, an
/// insert of the defaults with the change applied. Returns the settings.
pub fn change_settings(
    c: &mut DbConn,
    changes: &SettingsChanges,
) -> Result<OrgSettings, ServiceError> {
    if !settings::update(c, changes)? {
        let d = default_settings();
        settings::insert(
            c,
            &NewSettings {
                id: settings::ID,
                name: changes.name.unwrap_or(&d.name),
                agents_may_close: changes.agents_may_close.unwrap_or(d.agents_may_close),
                comment_required_on_update: changes
                    .comment_required_on_update
                    .unwrap_or(d.comment_required_on_update),
                inbound_email_status_id: changes
                    .inbound_email_status_id
                    .unwrap_or(d.inbound_email_status_id),
                sources: changes.sources.unwrap_or("[]"),
                updated_at: changes.updated_at,
            },
        )?;
    }
    load_settings(c)
}

// ---------------------------------------------------------------- groups

pub fn load_members(
    c: &mut DbConn,
    group_ids: &[i64],
) -> Result<Vec<(i64, GroupMember)>, ServiceError> {
    let rows: Vec<MemberRow> = group_members::table
        .inner_join(users::table)
        .filter(group_members::group_id.eq_any(group_ids.to_vec()))
        .select(MemberRow::as_select())
        .order(users::name)
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.group_id,
                GroupMember {
                    user: to_user_ref(r.user),
                    manager: r.manager,
                },
            )
        })
        .collect())
}

pub fn to_group(row: GroupRow, members: Vec<GroupMember>) -> Group {
    Group {
        id: row.id,
        name: row.name,
        names: Names::from_json(&row.names),
        description: row.description,
        restrict_assignees: row.restrict_assignees,
        members,
        created_at: utc(row.created_at),
    }
}

/// Every group with its members, by name.
pub fn load_groups(c: &mut DbConn) -> Result<Vec<Group>, ServiceError> {
    let rows: Vec<GroupRow> = ticket_groups::table
        .select(GroupRow::as_select())
        .order(ticket_groups::name)
        .load(c)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members: HashMap<i64, Vec<GroupMember>> = HashMap::new();
    for (g, m) in load_members(c, &ids)? {
        members.entry(g).or_default().push(m);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = members.remove(&r.id).unwrap_or_default();
            to_group(r, mine)
        })
        .collect())
}

pub fn load_group(c: &mut DbConn, id: i64) -> Result<Group, ServiceError> {
    let row: GroupRow = ticket_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ServiceError::NotFound("group"))?;
    let members = load_members(c, &[id])?
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    Ok(to_group(row, members))
}

/// Membership facts the ticket rules need.
pub fn group_rules(c: &mut DbConn, id: i64) -> Result<Option<GroupRules>, ServiceError> {
    let restrict: Option<bool> = ticket_groups::table
        .find(id)
        .select(ticket_groups::restrict_assignees)
        .first(c)
        .optional()?;
    let Some(restrict_assignees) = restrict else {
        return Ok(None);
    };
    let rows: Vec<Membership> = group_members::table
        .filter(group_members::group_id.eq(id))
        .select(Membership::as_select())
        .load(c)?;
    Ok(Some(GroupRules {
        restrict_assignees,
        member_ids: rows.iter().map(|r| r.user_id).collect(),
        manager_ids: rows
            .iter()
            .filter(|r| r.manager)
            .map(|r| r.user_id)
            .collect(),
    }))
}

// ---------------------------------------------------------------- users

/// The languages an account may have (those Lazo speaks).
pub const LANGUAGES: &[&str] = lazo_domain::names::NAME_LANGUAGES;

pub fn to_user(row: UserRow, groups: Vec<NamedRef>) -> Result<User, ServiceError> {
    Ok(User {
        id: row.id,
        email: row.email,
        name: row.name,
        language: row.language,
        role: row.role.parse().map_err(ServiceError::internal)?,
        active: row.active,
        groups,
        created_at: utc(row.created_at),
    })
}

fn to_user_ref(r: UserRefRow) -> UserRef {
    UserRef {
        id: r.id,
        name: r.name,
        email: r.email,
    }
}

pub fn groups_by_user(
    c: &mut DbConn,
    user_ids: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<NamedRef>>, ServiceError> {
    let mut q = group_members::table
        .inner_join(ticket_groups::table)
        .select(UserGroupRow::as_select())
        .order(ticket_groups::name)
        .into_boxed();
    if let Some(ids) = user_ids {
        q = q.filter(group_members::user_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<UserGroupRow> = q.load(c)?;
    let mut map: HashMap<i64, Vec<NamedRef>> = HashMap::new();
    for r in rows {
        map.entry(r.user_id).or_default().push(NamedRef {
            id: r.group.id,
            name: r.group.name,
        });
    }
    Ok(map)
}

/// Everyone, by name, with their groups.
pub fn load_users(c: &mut DbConn) -> Result<Vec<User>, ServiceError> {
    let rows: Vec<UserRow> = users::table
        .select(UserRow::as_select())
        .order(users::name)
        .load(c)?;
    let mut groups = groups_by_user(c, None)?;
    rows.into_iter()
        .map(|r| {
            let g = groups.remove(&r.id).unwrap_or_default();
            to_user(r, g)
        })
        .collect()
}

pub fn load_user(c: &mut DbConn, id: i64) -> Result<User, ServiceError> {
    let row: UserRow = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ServiceError::NotFound("user"))?;
    let groups = groups_by_user(c, Some(&[id]))?
        .remove(&id)
        .unwrap_or_default();
    to_user(row, groups)
}

pub fn load_me(c: &mut DbConn, id: i64) -> Result<Me, ServiceError> {
    let u = load_user(c, id)?;
    Ok(Me {
        id: u.id,
        email: u.email,
        name: u.name,
        language: u.language,
        role: u.role,
        groups: u.groups,
        settings: load_settings(c)?,
    })
}

/// Names and emails of users by id, for references in tickets and lists.
pub fn user_refs(c: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, UserRef>, ServiceError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<UserRefRow> = users::table
        .filter(lazo_storage::id_in(c, "users.id", ids))
        .select(UserRefRow::as_select())
        .load(c)?;
    Ok(rows.into_iter().map(|r| (r.id, to_user_ref(r))).collect())
}
