//! Tickets: loading with access control, creating, updating (with history in
//! the same transaction), deleting, and the follow-up query ([`list`]).
//! Everything here runs inside a `Db::read`/`Db::write` closure.

pub mod links;
pub mod list;
pub mod rollup;
pub mod snooze;
pub mod write;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::access::{TicketFacts, Viewer};
use lazo_domain::wire::{NamedRef, StatusRef, Summary, Ticket, TicketListItem, TicketRef, UserRef};
use lazo_domain::{Access, Priority, StatusCategory};
use std::collections::HashMap;

use crate::auth::Principal;
use crate::error::ServiceError;
use diesel::sql_types::{Nullable, Text};
use lazo_storage::schema::{
    root_causes, statuses, ticket_groups, ticket_tags, ticket_types, tickets, users,
};
use lazo_storage::{id_in, now, utc, DbConn};

/// A `tickets` row, read by column name (`TicketRow::as_select()`). It
/// stays in the service, not in storage, because its accessors speak domain
/// types, which storage may not import.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
#[diesel(check_for_backend(lazo_storage::DbBackend))]
pub struct TicketRow {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub type_id: Option<i64>,
    pub priority: i16,
    pub status_id: i64,
    pub status_category: String,
    pub root_cause_id: Option<i64>,
    pub group_id: Option<i64>,
    pub origin_group_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub parent_owner_id: Option<i64>,
    pub parent_group_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub requester_email: Option<String>,
    pub source: Option<String>,
    #[diesel(deserialize_as = lazo_storage::ts::TsOpt)]
    pub due_at: Option<NaiveDateTime>,
    pub summary_score: Option<i32>,
    pub summary_comment: Option<String>,
    pub custom_fields: String,
    pub is_public: bool,
    #[diesel(deserialize_as = lazo_storage::ts::TsOpt)]
    pub closed_at: Option<NaiveDateTime>,
    pub created_by_user: Option<i64>,
    pub created_by_token: Option<i64>,
    #[diesel(deserialize_as = lazo_storage::ts::Ts)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = lazo_storage::ts::Ts)]
    pub updated_at: NaiveDateTime,
    pub version: i64,
    #[diesel(deserialize_as = lazo_storage::ts::TsOpt)]
    pub snooze_until: Option<NaiveDateTime>,
    /// The open status a snoozed ticket returns to.
    pub snooze_status_id: Option<i64>,
}

impl TicketRow {
    pub fn priority(&self) -> Priority {
        Priority::from_rank(self.priority).unwrap_or(Priority::Medium)
    }
    pub fn category(&self) -> Option<StatusCategory> {
        self.status_category.parse().ok()
    }
}

pub fn find_row(c: &mut DbConn, id: i64) -> Result<Option<TicketRow>, ServiceError> {
    Ok(tickets::table
        .find(id)
        .select(TicketRow::as_select())
        .first(c)
        .optional()?)
}

/// What `who` may do with `row`; `None` when it is invisible to them.
pub fn access(
    c: &mut DbConn,
    who: &Principal,
    row: &TicketRow,
) -> Result<Option<Access>, ServiceError> {
    let Principal::User(u) = who else {
        return Ok(Some(Access::Full));
    };
    let viewer = Viewer {
        user_id: u.id,
        role: u.role,
        group_ids: &u.group_ids,
    };
    if u.role.sees_all_tickets() {
        return Ok(Some(Access::Full));
    }
    let owns_child: i64 = tickets::table
        .filter(tickets::parent_id.eq(row.id))
        .filter(tickets::owner_id.eq(u.id))
        .count()
        .get_result(c)?;
    let facts = TicketFacts {
        owner_id: row.owner_id,
        group_id: row.group_id,
        parent_owner_id: row.parent_owner_id,
        parent_group_id: row.parent_group_id,
        viewer_owns_a_child: owns_child > 0,
    };
    Ok(viewer.access(&facts))
}

/// The ticket if `who` may see it, else 404 (never 403: existence must not
/// leak).
pub fn load_visible(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
) -> Result<(TicketRow, Access), ServiceError> {
    let row = find_row(c, id)?.ok_or(ServiceError::NotFound("ticket"))?;
    let acc = access(c, who, &row)?.ok_or(ServiceError::NotFound("ticket"))?;
    Ok((row, acc))
}

/// Like [`load_visible`], but the caller must be allowed to change it.
pub fn load_writable(c: &mut DbConn, who: &Principal, id: i64) -> Result<TicketRow, ServiceError> {
    let (row, acc) = load_visible(c, who, id)?;
    if acc != Access::Full {
        return Err(ServiceError::Forbidden(
            "you see this ticket because you own one of its sub-tickets: you may read and comment, not change it".into(),
        ));
    }
    Ok(row)
}

/// Names for the ids a page of tickets refers to, fetched in a few batched
/// queries instead of one per ticket.
#[derive(Default)]
pub struct Names {
    pub statuses: HashMap<i64, StatusRef>,
    pub groups: HashMap<i64, String>,
    pub types: HashMap<i64, String>,
    pub users: HashMap<i64, UserRef>,
    pub causes: HashMap<i64, String>,
    pub tags: HashMap<i64, Vec<String>>,
}

impl Names {
    pub fn load(c: &mut DbConn, rows: &[TicketRow]) -> Result<Names, ServiceError> {
        let mut n = Names::default();
        let ids = |f: fn(&TicketRow) -> Option<i64>| -> Vec<i64> {
            let mut v: Vec<i64> = rows.iter().filter_map(f).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let group_ids = [ids(|r| r.group_id), ids(|r| r.origin_group_id)].concat();
        let (groups, types, causes, owners) = (
            id_in(c, "ticket_groups.id", &group_ids),
            id_in(c, "ticket_types.id", &ids(|r| r.type_id)),
            id_in(c, "root_causes.id", &ids(|r| r.root_cause_id)),
            id_in(c, "users.id", &ids(|r| r.owner_id)),
        );
        // Every name in one statement, a round trip instead of five on
        // PostgreSQL: (kind, id, name, category or email). The constants
        // are binds, not SQL literals, which diesel would not let it cache
        // as a prepared statement. diesel's UNION is not offered on the
        // two-backend connection, so each backend runs the same query on
        // its own connection type.
        // A name table filtered by its ids: (kind, id, name, NULL).
        macro_rules! plain {
            ($t:ident, $kind:literal, $ids:expr) => {
                $t::table.filter($ids).select((
                    $kind.into_sql::<Text>(),
                    $t::id,
                    $t::name,
                    None::<String>.into_sql::<Nullable<Text>>(),
                ))
            };
        }
        macro_rules! all_names {
            () => {
                statuses::table
                    .select((
                        "s".into_sql::<Text>(),
                        statuses::id,
                        statuses::name,
                        statuses::category.nullable(),
                    ))
                    .union_all(plain!(ticket_groups, "g", groups))
                    .union_all(plain!(ticket_types, "t", types))
                    .union_all(plain!(root_causes, "c", causes))
                    .union_all(users::table.filter(owners).select((
                        "u".into_sql::<Text>(),
                        users::id,
                        users::name,
                        users::email.nullable(),
                    )))
            };
        }
        let named: Vec<(String, i64, String, Option<String>)> = match c {
            DbConn::Pg(pg) => all_names!().load(pg)?,
            DbConn::Sqlite(lite) => all_names!().load(lite)?,
        };
        for (kind, id, name, extra) in named {
            let extra = extra.unwrap_or_default();
            match kind.as_str() {
                "s" => {
                    let category = extra.parse().map_err(ServiceError::internal)?;
                    n.statuses.insert(id, StatusRef { id, name, category });
                }
                "g" => {
                    n.groups.insert(id, name);
                }
                "t" => {
                    n.types.insert(id, name);
                }
                "c" => {
                    n.causes.insert(id, name);
                }
                _ => {
                    n.users.insert(
                        id,
                        UserRef {
                            id,
                            name,
                            email: extra,
                        },
                    );
                }
            }
        }
        let ticket_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if !ticket_ids.is_empty() {
            let tags: Vec<(i64, String)> = ticket_tags::table
                .filter(id_in(c, "ticket_tags.ticket_id", &ticket_ids))
                .select((ticket_tags::ticket_id, ticket_tags::tag))
                .order((ticket_tags::ticket_id, ticket_tags::tag))
                .load(c)?;
            for (t, tag) in tags {
                n.tags.entry(t).or_default().push(tag);
            }
        }
        Ok(n)
    }

    fn status(&self, row: &TicketRow) -> StatusRef {
        self.statuses
            .get(&row.status_id)
            .cloned()
            .unwrap_or(StatusRef {
                id: row.status_id,
                name: "?".into(),
                category: row.category().unwrap_or(StatusCategory::Open),
            })
    }

    fn group(&self, id: Option<i64>) -> Option<NamedRef> {
        id.map(|id| NamedRef {
            id,
            name: self.groups.get(&id).cloned().unwrap_or_default(),
        })
    }

    fn named(map: &HashMap<i64, String>, id: Option<i64>) -> Option<NamedRef> {
        id.map(|id| NamedRef {
            id,
            name: map.get(&id).cloned().unwrap_or_default(),
        })
    }
}

fn overdue(row: &TicketRow, at: NaiveDateTime) -> bool {
    row.category() != Some(StatusCategory::Closed) && row.due_at.is_some_and(|d| d < at)
}

pub fn list_item(row: TicketRow, names: &Names, at: NaiveDateTime) -> TicketListItem {
    TicketListItem {
        id: row.id,
        number: row.number,
        status: names.status(&row),
        priority: row.priority(),
        owner: row.owner_id.and_then(|o| names.users.get(&o).cloned()),
        group: names.group(row.group_id),
        origin_group: names.group(row.origin_group_id),
        ticket_type: Names::named(&names.types, row.type_id),
        parent_id: row.parent_id,
        tags: names.tags.get(&row.id).cloned().unwrap_or_default(),
        overdue: overdue(&row, at),
        due_at: row.due_at.map(utc),
        snooze_until: row.snooze_until.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        subject: row.subject,
        requester_email: row.requester_email,
        source: row.source,
        summary_comment: row.summary_comment,
    }
}

pub fn list_items(
    c: &mut DbConn,
    rows: Vec<TicketRow>,
) -> Result<Vec<TicketListItem>, ServiceError> {
    let names = Names::load(c, &rows)?;
    let at = now();
    Ok(rows.into_iter().map(|r| list_item(r, &names, at)).collect())
}

/// The ticket `id` was merged into, derived from its `merged_into` link
/// (the tickets table has no room for a column). Its subject is left empty
/// for a caller who may not see it: the merge itself is this ticket's fact.
fn merged_into(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
) -> Result<Option<TicketRef>, ServiceError> {
    let Some(into) = lazo_storage::links::merged_into(c, id)? else {
        return Ok(None);
    };
    let Some(row) = find_row(c, into)? else {
        return Ok(None);
    };
    let visible = access(c, who, &row)?.is_some();
    Ok(Some(TicketRef {
        id: row.id,
        number: row.number,
        subject: if visible { row.subject } else { String::new() },
    }))
}

/// The full ticket as the detail view shows it.
pub fn to_ticket(
    c: &mut DbConn,
    who: &Principal,
    row: TicketRow,
    acc: Access,
) -> Result<Ticket, ServiceError> {
    // Only the sub-tickets this viewer may see: a sub-ticket owner must not
    // learn of siblings through the parent.
    let sub_ticket_count = list::count_children(c, who, row.id)?;
    let merged = merged_into(c, who, row.id)?;
    wire_ticket(c, row, acc, sub_ticket_count, merged)
}

/// [`to_ticket`] for a ticket created in the caller's transaction: nothing
/// else can have seen it yet, so it has no sub-tickets and was merged into
/// nothing, and the two lookups (two round trips on PostgreSQL, in the
/// writer's turn on SQLite) are skipped.
pub fn to_new_ticket(c: &mut DbConn, row: TicketRow) -> Result<Ticket, ServiceError> {
    wire_ticket(c, row, Access::Full, 0, None)
}

/// The rows of tickets `ids` that exist, by id, in one query.
pub fn find_rows(c: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, TicketRow>, ServiceError> {
    let rows: Vec<TicketRow> = tickets::table
        .filter(id_in(c, "tickets.id", ids))
        .select(TicketRow::as_select())
        .load(c)?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// [`to_new_ticket`] for the tickets of one batch of creates (ids in the
/// batch's order), with their names looked up once for all.
pub fn to_new_tickets(c: &mut DbConn, ids: &[i64]) -> Result<Vec<Ticket>, ServiceError> {
    let mut by_id = find_rows(c, ids)?;
    let rows: Vec<TicketRow> = ids
        .iter()
        .map(|id| by_id.remove(id).ok_or(ServiceError::NotFound("ticket")))
        .collect::<Result<_, _>>()?;
    let names = Names::load(c, &rows)?;
    rows.into_iter()
        .map(|row| wire_with(c, row, &names, Access::Full, 0, None))
        .collect()
}

fn wire_ticket(
    c: &mut DbConn,
    row: TicketRow,
    acc: Access,
    sub_ticket_count: i64,
    merged: Option<TicketRef>,
) -> Result<Ticket, ServiceError> {
    let names = Names::load(c, std::slice::from_ref(&row))?;
    wire_with(c, row, &names, acc, sub_ticket_count, merged)
}

/// The wire ticket of `row`, its names taken from `names`.
fn wire_with(
    c: &mut DbConn,
    row: TicketRow,
    names: &Names,
    acc: Access,
    sub_ticket_count: i64,
    merged: Option<TicketRef>,
) -> Result<Ticket, ServiceError> {
    let requester = match row.contact_id {
        Some(id) => crate::contacts::find(c, id)?.map(crate::contacts::ContactRow::wire),
        None => None,
    };
    let parent = match row.parent_id {
        Some(p) => tickets::table
            .find(p)
            .select((tickets::id, tickets::number, tickets::subject))
            .first::<(i64, i64, String)>(c)
            .optional()?
            .map(|(id, number, subject)| TicketRef {
                id,
                number,
                subject,
            }),
        None => None,
    };
    Ok(Ticket {
        id: row.id,
        number: row.number,
        ticket_type: Names::named(&names.types, row.type_id),
        priority: row.priority(),
        status: names.status(&row),
        root_cause: Names::named(&names.causes, row.root_cause_id),
        group: names.group(row.group_id),
        origin_group: names.group(row.origin_group_id),
        owner: row.owner_id.and_then(|o| names.users.get(&o).cloned()),
        parent,
        requester,
        tags: names.tags.get(&row.id).cloned().unwrap_or_default(),
        due_at: row.due_at.map(utc),
        summary: Summary {
            score: row.summary_score,
            comment: row.summary_comment.clone(),
        },
        custom_fields: serde_json::from_str(&row.custom_fields).unwrap_or_default(),
        public: row.is_public,
        sub_ticket_count,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        closed_at: row.closed_at.map(utc),
        snooze_until: row.snooze_until.map(utc),
        merged_into: merged,
        version: row.version,
        access: acc,
        subject: row.subject,
        description: row.description,
        source: row.source,
    })
}
