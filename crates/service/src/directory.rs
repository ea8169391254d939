//! Reading the organisation's directory and configuration: statuses, ticket
//! types, settings, groups and users, as the ticket service and the API's
//! configuration handlers need them.

use diesel::prelude::*;
use lazo_domain::rules::{GroupRules, TypeRules};
use lazo_domain::wire::{
    Group, GroupMember, Me, NamedRef, OrgSettings, RootCause, Status, TicketType, User, UserRef,
};
use lazo_domain::RootCauseRule;
use lazo_storage::schema::{
    group_members, org_settings, root_cause_rules, root_causes, statuses, ticket_groups,
    ticket_types, users,
};
use lazo_storage::{now, utc, DbConn};
use std::collections::HashMap;

use crate::error::ServiceError;

pub type StatusRow = (i64, String, String, i32, bool);

pub fn status_cols() -> (
    statuses::id,
    statuses::name,
    statuses::category,
    statuses::position,
    statuses::active,
) {
    (
        statuses::id,
        statuses::name,
        statuses::category,
        statuses::position,
        statuses::active,
    )
}

pub fn to_status(r: StatusRow) -> Result<Status, ServiceError> {
    Ok(Status {
        id: r.0,
        name: r.1,
        category: r.2.parse().map_err(ServiceError::internal)?,
        position: r.3,
        active: r.4,
    })
}

pub fn load_statuses(c: &mut DbConn) -> Result<Vec<Status>, ServiceError> {
    let rows: Vec<StatusRow> = statuses::table
        .select(status_cols())
        .order((statuses::position, statuses::id))
        .load(c)?;
    rows.into_iter().map(to_status).collect()
}

pub fn load_status(c: &mut DbConn, id: i64) -> Result<Option<Status>, ServiceError> {
    let row: Option<StatusRow> = statuses::table
        .find(id)
        .select(status_cols())
        .first(c)
        .optional()?;
    row.map(to_status).transpose()
}

pub type TypeRow = (i64, String, String, bool, bool, bool, String);

pub fn type_cols() -> (
    ticket_types::id,
    ticket_types::name,
    ticket_types::description,
    ticket_types::show_summary,
    ticket_types::show_survey,
    ticket_types::active,
    ticket_types::fields,
) {
    (
        ticket_types::id,
        ticket_types::name,
        ticket_types::description,
        ticket_types::show_summary,
        ticket_types::show_survey,
        ticket_types::active,
        ticket_types::fields,
    )
}

pub fn assemble_type(c: &mut DbConn, r: TypeRow) -> Result<TicketType, ServiceError> {
    let causes: Vec<(i64, String, bool)> = root_causes::table
        .filter(root_causes::ticket_type_id.eq(r.0))
        .select((root_causes::id, root_causes::name, root_causes::active))
        .order((root_causes::position, root_causes::id))
        .load(c)?;
    let rules: Vec<(i64, String)> = root_cause_rules::table
        .filter(root_cause_rules::ticket_type_id.eq(r.0))
        .select((root_cause_rules::status_id, root_cause_rules::rule))
        .order(root_cause_rules::status_id)
        .load(c)?;
    let pick = |rule: RootCauseRule| {
        rules
            .iter()
            .filter(|(_, x)| x == rule.as_str())
            .map(|(s, _)| *s)
            .collect()
    };
    Ok(TicketType {
        id: r.0,
        name: r.1,
        description: r.2,
        show_summary: r.3,
        show_survey: r.4,
        active: r.5,
        root_causes: causes
            .into_iter()
            .map(|(id, name, active)| RootCause { id, name, active })
            .collect(),
        root_cause_required_for: pick(RootCauseRule::Required),
        root_cause_prohibited_for: pick(RootCauseRule::Prohibited),
        fields: serde_json::from_str(&r.6).map_err(ServiceError::internal)?,
    })
}

pub fn load_type(c: &mut DbConn, id: i64) -> Result<Option<TicketType>, ServiceError> {
    let row: Option<TypeRow> = ticket_types::table
        .find(id)
        .select(type_cols())
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
    let row: Option<(String, bool, bool, Option<i64>)> = org_settings::table
        .find(1)
        .select((
            org_settings::name,
            org_settings::agents_may_close,
            org_settings::comment_required_on_update,
            org_settings::inbound_email_status_id,
        ))
        .first(c)
        .optional()?;
    Ok(match row {
        Some((name, agents_may_close, comment_required_on_update, inbound_email_status_id)) => {
            OrgSettings {
                name,
                agents_may_close,
                comment_required_on_update,
                inbound_email_status_id,
            }
        }
        None => default_settings(),
    })
}

pub fn default_settings() -> OrgSettings {
    OrgSettings {
        name: "Lazo".into(),
        agents_may_close: true,
        comment_required_on_update: false,
        inbound_email_status_id: None,
    }
}

pub fn save_settings(c: &mut DbConn, s: &OrgSettings) -> Result<(), ServiceError> {
    let exists: i64 = org_settings::table.count().get_result(c)?;
    let values = (
        org_settings::name.eq(&s.name),
        org_settings::agents_may_close.eq(s.agents_may_close),
        org_settings::comment_required_on_update.eq(s.comment_required_on_update),
        org_settings::inbound_email_status_id.eq(s.inbound_email_status_id),
        org_settings::updated_at.eq(now()),
    );
    if exists == 0 {
        diesel::insert_into(org_settings::table)
            .values((org_settings::id.eq(1), values))
            .execute(c)?;
    } else {
        diesel::update(org_settings::table.find(1))
            .set(values)
            .execute(c)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- groups

pub type GroupRow = (i64, String, String, bool, chrono::NaiveDateTime);

pub fn group_cols() -> (
    ticket_groups::id,
    ticket_groups::name,
    ticket_groups::description,
    ticket_groups::restrict_assignees,
    ticket_groups::created_at,
) {
    (
        ticket_groups::id,
        ticket_groups::name,
        ticket_groups::description,
        ticket_groups::restrict_assignees,
        ticket_groups::created_at,
    )
}

pub fn load_members(
    c: &mut DbConn,
    group_ids: &[i64],
) -> Result<Vec<(i64, GroupMember)>, ServiceError> {
    let rows: Vec<(i64, bool, i64, String, String)> = group_members::table
        .inner_join(users::table)
        .filter(group_members::group_id.eq_any(group_ids.to_vec()))
        .select((
            group_members::group_id,
            group_members::manager,
            users::id,
            users::name,
            users::email,
        ))
        .order(users::name)
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(g, manager, id, name, email)| {
            (
                g,
                GroupMember {
                    user: UserRef { id, name, email },
                    manager,
                },
            )
        })
        .collect())
}

pub fn to_group(row: GroupRow, members: Vec<GroupMember>) -> Group {
    Group {
        id: row.0,
        name: row.1,
        description: row.2,
        restrict_assignees: row.3,
        members,
        created_at: utc(row.4),
    }
}

pub fn load_group(c: &mut DbConn, id: i64) -> Result<Group, ServiceError> {
    let row: GroupRow = ticket_groups::table
        .find(id)
        .select(group_cols())
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
    let rows: Vec<(i64, bool)> = group_members::table
        .filter(group_members::group_id.eq(id))
        .select((group_members::user_id, group_members::manager))
        .load(c)?;
    Ok(Some(GroupRules {
        restrict_assignees,
        member_ids: rows.iter().map(|r| r.0).collect(),
        manager_ids: rows.iter().filter(|r| r.1).map(|r| r.0).collect(),
    }))
}

// ---------------------------------------------------------------- users

pub type UserRow = (
    i64,
    String,
    String,
    String,
    String,
    bool,
    chrono::NaiveDateTime,
);

pub fn user_cols() -> (
    users::id,
    users::email,
    users::name,
    users::language,
    users::role,
    users::active,
    users::created_at,
) {
    (
        users::id,
        users::email,
        users::name,
        users::language,
        users::role,
        users::active,
        users::created_at,
    )
}

pub const LANGUAGES: &[&str] = &["en", "es", "fr"];

pub fn to_user(row: UserRow, groups: Vec<NamedRef>) -> Result<User, ServiceError> {
    Ok(User {
        id: row.0,
        email: row.1,
        name: row.2,
        language: row.3,
        role: row.4.parse().map_err(ServiceError::internal)?,
        active: row.5,
        groups,
        created_at: utc(row.6),
    })
}

pub fn groups_by_user(
    c: &mut DbConn,
    user_ids: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<NamedRef>>, ServiceError> {
    let mut q = group_members::table
        .inner_join(ticket_groups::table)
        .select((
            group_members::user_id,
            ticket_groups::id,
            ticket_groups::name,
        ))
        .order(ticket_groups::name)
        .into_boxed();
    if let Some(ids) = user_ids {
        q = q.filter(group_members::user_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(i64, i64, String)> = q.load(c)?;
    let mut map: HashMap<i64, Vec<NamedRef>> = HashMap::new();
    for (uid, gid, name) in rows {
        map.entry(uid).or_default().push(NamedRef { id: gid, name });
    }
    Ok(map)
}

pub fn load_user(c: &mut DbConn, id: i64) -> Result<User, ServiceError> {
    let row: UserRow = users::table
        .find(id)
        .select(user_cols())
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
    let rows: Vec<(i64, String, String)> = users::table
        .filter(users::id.eq_any(ids.to_vec()))
        .select((users::id, users::name, users::email))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email)| (id, UserRef { id, name, email }))
        .collect())
}
