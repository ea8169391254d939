//! Importing tickets from another help desk: original times and numbers,
//! requester contacts, comments and notes with their times, tags and custom
//! fields. History records one `imported` row per ticket (not one per
//! field); the outbox gets the ticket's `ticket.created` event, so
//! integrators learn of it like of any new ticket. Idempotent by the
//! ticket's id in the other system.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::Event;
use lazo_domain::feedback::ImportTicket;
use lazo_domain::limits::{IMPORT_COMMENTS_MAX, NAME_MAX, SUBJECT_MAX, TEXT_MAX};
use lazo_domain::rules::{check_line, check_text};
use lazo_domain::wire::{CommentInput, FieldError, TicketRef};
use lazo_domain::{ErrorCode, HistoryField, Priority, StatusCategory, TouchpointKind};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

use crate::auth::Principal;
use crate::error::ServiceError;
use crate::tickets::write::{
    check_comment, check_tags, drop_nulls, next_numbers, normalized_tags, raise_numbers_to,
    resolve_group, resolve_type, Actor,
};
use crate::touchpoints::{self, NewTouchpoint};
use lazo_storage::schema::{
    comments, events, history, statuses, ticket_imports, ticket_tags, tickets, users,
};
use lazo_storage::{at_micros, each_backend, DbConn};

/// What one import keeps between tickets (one transaction): users by email
/// (comment authors) and statuses.
#[derive(Default)]
pub struct ImportCache {
    users: HashMap<String, Option<i64>>,
    /// Tickets imported before, by external id, looked up for the whole
    /// batch in one query by [`ImportCache::preload`] (a lookup per ticket
    /// was one of a dozen statements each ticket cost).
    prior: Option<HashMap<String, TicketRef>>,
    new_status: Option<i64>,
    statuses: HashMap<i64, Option<StatusCategory>>,
}

impl ImportCache {
    /// Finds, in one query per 500 ids, which of a batch's external ids were
    /// imported before. The batch's own ids are distinct (the route refuses
    /// duplicates), so nothing imported later in the batch can be missed.
    pub fn preload<'a>(
        &mut self,
        c: &mut DbConn,
        external_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ServiceError> {
        let ids: Vec<&str> = external_ids.into_iter().map(str::trim).collect();
        let mut prior = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(String, i64, i64, String)> = ticket_imports::table
                .inner_join(tickets::table.on(tickets::id.eq(ticket_imports::ticket_id)))
                .filter(ticket_imports::external_id.eq_any(chunk))
                .select((
                    ticket_imports::external_id,
                    tickets::id,
                    tickets::number,
                    tickets::subject,
                ))
                .load(c)?;
            for (x, id, number, subject) in rows {
                prior.insert(
                    x,
                    TicketRef {
                        id,
                        number,
                        subject,
                    },
                );
            }
        }
        self.prior = Some(prior);
        Ok(())
    }
}

fn author(
    c: &mut DbConn,
    cache: &mut ImportCache,
    email: &str,
) -> Result<Option<i64>, ServiceError> {
    let email = email.trim().to_lowercase();
    if let Some(id) = cache.users.get(&email) {
        return Ok(*id);
    }
    let id: Option<i64> = users::table
        .filter(users::email.eq(&email))
        .select(users::id)
        .first(c)
        .optional()?;
    cache.users.insert(email, id);
    Ok(id)
}

/// One item's outcome: its ticket and whether it is new, or its refusal.
pub type ItemOutcome = Result<(TicketRef, bool), ServiceError>;

/// A ticket of the batch that passed every check and has no rows yet.
struct Planned<'a> {
    index: usize,
    input: &'a ImportTicket,
    external_id: &'a str,
    status_id: i64,
    category: StatusCategory,
    created: NaiveDateTime,
    updated: NaiveDateTime,
    closed: Option<NaiveDateTime>,
    contact_id: Option<i64>,
    requester_email: Option<String>,
    number: i64,
}

/// What the checks made of one item.
enum Checked {
    /// Imported before under this external id: left as it is.
    Prior(TicketRef),
    New {
        status_id: i64,
        category: StatusCategory,
        created: NaiveDateTime,
        updated: NaiveDateTime,
        closed: Option<NaiveDateTime>,
    },
}

/// Rows per multi-row statement: far below both backends' bind limits
/// (SQLite 32,766, PostgreSQL 65,535) at 20 columns.
const CHUNK: usize = 500;

/// Imports a batch in the caller's transaction. One result per item, in
/// order: the ticket and `true` when new, `false` when this external id was
/// imported before (it is left as it is), or the item's refusal.
///
/// Every check that can refuse an item runs before the batch's first write,
/// so a refused item writes nothing and the others go on without a
/// savepoint per item. The outer error is a failure of the database, not of
/// the input: the caller must roll the whole batch back.
///
/// The rows are written table by table with multi-row inserts (tickets,
/// imports, tags, comments, history, events, touchpoints): a ticket costs a
/// few statements per batch instead of a dozen of its own, and on SQLite
/// the full-text index flushes once per statement instead of once per
/// ticket.
pub fn import_batch(
    c: &mut DbConn,
    who: &Principal,
    items: &[ImportTicket],
) -> Result<Vec<ItemOutcome>, ServiceError> {
    let mut cache = ImportCache::default();
    cache.preload(c, items.iter().map(|t| t.external_id.as_str()))?;
    let mut results: Vec<Option<ItemOutcome>> = Vec::with_capacity(items.len());
    let mut planned: Vec<Planned> = Vec::new();
    for (index, input) in items.iter().enumerate() {
        match check(c, input, &mut cache)? {
            Err(e) => results.push(Some(Err(e))),
            Ok(Checked::Prior(t)) => results.push(Some(Ok((t, false)))),
            Ok(Checked::New {
                status_id,
                category,
                created,
                updated,
                closed,
            }) => {
                results.push(None);
                planned.push(Planned {
                    index,
                    input,
                    external_id: input.external_id.trim(),
                    status_id,
                    category,
                    created,
                    updated,
                    closed,
                    contact_id: None,
                    requester_email: None,
                    number: 0,
                });
            }
        }
    }
    // Writes from here on: no error below is an item's fault.
    for p in planned.iter_mut() {
        if let Some(r) = &p.input.requester {
            let (id, e) = crate::contacts::upsert(c, r)?;
            p.contact_id = Some(id);
            p.requester_email = e;
        }
    }
    assign_numbers(c, &mut planned)?;
    let actor = Actor::of(who);
    let ids = insert_tickets(c, &actor, &mut planned)?;
    insert_rows(c, &actor, &planned, &ids, &mut cache)?;
    for (p, id) in planned.iter().zip(&ids) {
        results[p.index] = Some(Ok((
            TicketRef {
                id: *id,
                number: p.number,
                subject: p.input.subject.trim().to_owned(),
            },
            true,
        )));
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every item has a result"))
        .collect())
}

/// The checks of one item, reads only.
fn check(
    c: &mut DbConn,
    input: &ImportTicket,
    cache: &mut ImportCache,
) -> Result<Result<Checked, ServiceError>, ServiceError> {
    let mut errors = Vec::new();
    check_line("external_id", &input.external_id, NAME_MAX, &mut errors);
    check_line("subject", &input.subject, SUBJECT_MAX, &mut errors);
    if let Some(d) = &input.description {
        check_text("description", d, TEXT_MAX, &mut errors);
    }
    if let Some(s) = &input.source {
        check_line("source", s, NAME_MAX, &mut errors);
    }
    check_tags(&input.tags, &mut errors);
    if let Some(r) = &input.requester {
        lazo_domain::feedback::check_contact_input("requester", r, &mut errors);
    }
    if input.number.is_some_and(|n| n < 1) {
        errors.push(FieldError::new(
            "number",
            ErrorCode::OutOfRange,
            "ticket numbers start at 1",
        ));
    }
    if input.comments.len() > IMPORT_COMMENTS_MAX {
        errors.push(FieldError::new(
            "comments",
            ErrorCode::TooMany,
            format!("at most {IMPORT_COMMENTS_MAX} comments"),
        ));
    }
    for (i, cm) in input.comments.iter().enumerate() {
        check_comment(
            &CommentInput {
                body: cm.body.clone(),
                internal: cm.internal,
            },
            &format!("comments[{i}]"),
            &mut errors,
        );
    }
    let created = at_micros(input.created_at.naive_utc());
    let last_comment = input
        .comments
        .iter()
        .map(|cm| at_micros(cm.created_at.naive_utc()))
        .max();
    let updated = input
        .updated_at
        .map(|t| at_micros(t.naive_utc()))
        .or(last_comment)
        .unwrap_or(created)
        .max(created);
    if input.updated_at.is_some_and(|u| u < input.created_at) {
        errors.push(FieldError::new(
            "updated_at",
            ErrorCode::OutOfRange,
            "updated_at is before created_at",
        ));
    }
    let external_id = input.external_id.trim();
    let prior: Option<TicketRef> = match &cache.prior {
        Some(known) => known.get(external_id).cloned(),
        None => ticket_imports::table
            .inner_join(tickets::table.on(tickets::id.eq(ticket_imports::ticket_id)))
            .filter(ticket_imports::external_id.eq(external_id))
            .select((tickets::id, tickets::number, tickets::subject))
            .first::<(i64, i64, String)>(c)
            .optional()?
            .map(|(id, number, subject)| TicketRef {
                id,
                number,
                subject,
            }),
    };
    if let Some(prior) = prior {
        return Ok(Ok(Checked::Prior(prior)));
    }
    let status_id = match (input.status_id, cache.new_status) {
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => {
            let id = statuses::table
                .filter(statuses::category.eq(StatusCategory::New.as_str()))
                .filter(statuses::active.eq(true))
                .order((statuses::position, statuses::id))
                .select(statuses::id)
                .first(c)
                .optional()?
                .ok_or_else(|| ServiceError::internal("no active status of category new"))?;
            cache.new_status = Some(id);
            id
        }
    };
    // History is history: a retired status, type or deactivated owner of
    // the other system is imported as it was, and ticket rules (root cause
    // required...) are not applied to the past.
    let category = match cache.statuses.get(&status_id) {
        Some(cat) => *cat,
        None => {
            let cat = crate::directory::load_status(c, status_id)?.map(|s| s.category);
            cache.statuses.insert(status_id, cat);
            cat
        }
    };
    if category.is_none() {
        errors.push(FieldError::new(
            "status_id",
            ErrorCode::UnknownReference,
            "no such status",
        ));
    }
    resolve_type(c, input.type_id, false, &mut errors)?;
    resolve_group(c, input.group_id, &mut errors)?;
    if let Some(o) = input.owner_id {
        let n: i64 = users::table.find(o).count().get_result(c)?;
        if n == 0 {
            errors.push(FieldError::new(
                "owner_id",
                ErrorCode::UnknownReference,
                "no such user",
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(ServiceError::invalid(errors)));
    }
    let category = category.unwrap_or(StatusCategory::New);
    let closed = (category == StatusCategory::Closed).then(|| {
        input
            .closed_at
            .map(|t| at_micros(t.naive_utc()))
            .unwrap_or(updated)
    });
    Ok(Ok(Checked::New {
        status_id,
        category,
        created,
        updated,
        closed,
    }))
}

/// Numbers: a ticket's own number when it is free, otherwise the next ones
/// from the counter, taken for the whole batch in one statement.
fn assign_numbers(c: &mut DbConn, planned: &mut [Planned]) -> Result<(), ServiceError> {
    let mut claimed = HashSet::new();
    let mut unnumbered = Vec::new();
    for (i, p) in planned.iter_mut().enumerate() {
        let Some(n) = p.input.number.filter(|n| !claimed.contains(n)) else {
            unnumbered.push(i);
            continue;
        };
        // The numbering is at least every number given so far: a number
        // above it is free, and moving it up keeps later tickets off it
        // (one statement, the common case of an import).
        let above = raise_numbers_to(c, n)?;
        let taken = !above
            && tickets::table
                .filter(tickets::number.eq(n))
                .count()
                .get_result::<i64>(c)?
                > 0;
        if taken {
            unnumbered.push(i);
        } else {
            claimed.insert(n);
            p.number = n;
        }
    }
    if !unnumbered.is_empty() {
        // Above every number claimed: each claim moved the numbering up.
        let numbers = next_numbers(c, unnumbered.len() as i64)?;
        for (i, n) in unnumbered.into_iter().zip(numbers) {
            planned[i].number = n;
        }
    }
    Ok(())
}

/// The tickets' rows, a statement per chunk; their ids in `planned` order.
/// A number another writer took meanwhile (PostgreSQL: a create between
/// [`raise_numbers_to`] and this insert) is skipped by the insert and that
/// ticket gets a new number.
fn insert_tickets(
    c: &mut DbConn,
    actor: &Actor,
    planned: &mut [Planned],
) -> Result<Vec<i64>, ServiceError> {
    let mut by_number: HashMap<i64, i64> = HashMap::with_capacity(planned.len());
    let mut todo: Vec<usize> = (0..planned.len()).collect();
    for _ in 0..3 {
        for chunk in todo.chunks(CHUNK) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|&k| {
                    let p = &planned[k];
                    let i = p.input;
                    (
                        tickets::number.eq(p.number),
                        tickets::subject.eq(i.subject.trim()),
                        tickets::description.eq(i.description.as_deref().unwrap_or("")),
                        tickets::type_id.eq(i.type_id),
                        tickets::priority.eq(i.priority.unwrap_or(Priority::Medium).rank()),
                        tickets::status_id.eq(p.status_id),
                        tickets::status_category.eq(p.category.as_str()),
                        tickets::group_id.eq(i.group_id),
                        tickets::origin_group_id.eq(i.group_id),
                        tickets::owner_id.eq(i.owner_id),
                        tickets::contact_id.eq(p.contact_id),
                        tickets::requester_email.eq(p.requester_email.as_deref()),
                        tickets::source.eq(i.source.as_ref().map(|s| s.trim().to_lowercase())),
                        tickets::custom_fields
                            .eq(Value::Object(drop_nulls(i.custom_fields.clone())).to_string()),
                        tickets::closed_at.eq(p.closed),
                        tickets::created_by_user.eq(actor.user_id),
                        tickets::created_by_token.eq(actor.token_id),
                        tickets::created_at.eq(p.created),
                        tickets::updated_at.eq(p.updated),
                        tickets::version.eq(1i64),
                    )
                })
                .collect();
            // RETURNING's row order is not promised: match ids by number.
            let got: Vec<(i64, i64)> = each_backend!(c, conn => diesel::insert_into(tickets::table)
                .values(rows)
                .on_conflict(tickets::number)
                .do_nothing()
                .returning((tickets::number, tickets::id))
                .get_results(conn))?;
            by_number.extend(got);
        }
        todo.retain(|&k| !by_number.contains_key(&planned[k].number));
        if todo.is_empty() {
            break;
        }
        let numbers = next_numbers(c, todo.len() as i64)?;
        for (&k, n) in todo.iter().zip(numbers) {
            planned[k].number = n;
        }
    }
    planned
        .iter()
        .map(|p| {
            by_number
                .get(&p.number)
                .copied()
                .ok_or_else(|| ServiceError::internal("an imported ticket has no id"))
        })
        .collect()
}

/// Inserts `rows` into `$table` a chunk per statement.
macro_rules! insert_chunked {
    ($c:expr, $table:expr, $rows:expr) => {{
        let mut rows = $rows;
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(CHUNK));
            let chunk = std::mem::replace(&mut rows, rest);
            each_backend!($c, conn => diesel::insert_into($table).values(chunk).execute(conn))?;
        }
    }};
}

/// Every other row of the batch's tickets, a statement per table and chunk.
fn insert_rows(
    c: &mut DbConn,
    actor: &Actor,
    planned: &[Planned],
    ids: &[i64],
    cache: &mut ImportCache,
) -> Result<(), ServiceError> {
    let at = lazo_storage::now();
    insert_chunked!(
        c,
        ticket_imports::table,
        planned
            .iter()
            .zip(ids)
            .map(|(p, id)| {
                (
                    ticket_imports::external_id.eq(p.external_id),
                    ticket_imports::ticket_id.eq(*id),
                    ticket_imports::imported_at.eq(at),
                )
            })
            .collect::<Vec<_>>()
    );
    // New tickets have no tags to replace: insert only.
    let tags: Vec<(i64, String)> = planned
        .iter()
        .zip(ids)
        .flat_map(|(p, id)| normalized_tags(&p.input.tags).into_iter().map(|t| (*id, t)))
        .collect();
    insert_chunked!(
        c,
        ticket_tags::table,
        tags.iter()
            .map(|(id, t)| (ticket_tags::ticket_id.eq(*id), ticket_tags::tag.eq(t)))
            .collect::<Vec<_>>()
    );
    let mut comment_rows = Vec::new();
    for (p, id) in planned.iter().zip(ids) {
        for cm in &p.input.comments {
            let author_id = match &cm.author_email {
                Some(e) => author(c, cache, e)?,
                None => None,
            };
            let t = at_micros(cm.created_at.naive_utc());
            comment_rows.push((
                comments::ticket_id.eq(*id),
                comments::author_id.eq(author_id),
                comments::body.eq(cm.body.trim()),
                comments::internal.eq(cm.internal),
                comments::created_at.eq(t),
                comments::updated_at.eq(t),
            ));
        }
    }
    insert_chunked!(c, comments::table, comment_rows);
    let imported: Vec<String> = planned
        .iter()
        .map(|p| {
            format!(
                "{}: #{} {}",
                p.external_id,
                p.number,
                p.input.subject.trim()
            )
        })
        .collect();
    insert_chunked!(
        c,
        history::table,
        planned
            .iter()
            .zip(ids)
            .zip(&imported)
            .map(|((p, id), line)| {
                (
                    history::ticket_id.eq(*id),
                    history::at.eq(p.created),
                    history::actor_user_id.eq(actor.user_id),
                    history::actor_token_id.eq(actor.token_id),
                    history::actor_name.eq(&actor.name),
                    history::field.eq(HistoryField::Imported.as_str()),
                    history::old_value.eq(None::<String>),
                    history::new_value.eq(Some(line)),
                    history::comment_id.eq(None::<i64>),
                )
            })
            .collect::<Vec<_>>()
    );
    let actor_json = serde_json::to_string(&actor.wire()).map_err(ServiceError::internal)?;
    let kind = Event::TicketCreated {
        number: 0,
        subject: String::new(),
        parent_id: None,
    }
    .kind();
    let data: Vec<String> = planned
        .iter()
        .map(|p| {
            Event::TicketCreated {
                number: p.number,
                subject: p.input.subject.trim().to_owned(),
                parent_id: None,
            }
            .data()
            .to_string()
        })
        .collect();
    // In item order, so the change feed lists the batch in its order.
    insert_chunked!(
        c,
        events::table,
        ids.iter()
            .zip(&data)
            .map(|(id, d)| {
                (
                    events::kind.eq(kind),
                    events::ticket_id.eq(Some(*id)),
                    events::actor.eq(&actor_json),
                    events::data.eq(d),
                    events::created_at.eq(at),
                )
            })
            .collect::<Vec<_>>()
    );
    let mut tp_rows = Vec::new();
    for (p, id) in planned.iter().zip(ids) {
        let Some(contact_id) = p.contact_id else {
            continue;
        };
        let subject = p.input.subject.trim();
        let channel = p.input.source.as_ref().map(|s| s.trim().to_lowercase());
        tp_rows.push(NewTouchpoint {
            contact_id,
            kind: TouchpointKind::Ticket,
            channel,
            title: format!("#{} {subject}", p.number),
            payload: serde_json::json!({"ticket_id": id, "number": p.number, "imported": p.external_id}),
            ticket_id: Some(*id),
            survey_response_id: None,
            occurred_at: p.created,
        });
    }
    touchpoints::record_many(c, &tp_rows)?;
    Ok(())
}
