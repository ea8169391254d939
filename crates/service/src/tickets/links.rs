//! Ticket links (related, duplicate of) and merges. Each link, unlink and
//! merge runs in the caller's transaction and writes a history row on both
//! tickets and one event, on the ticket the caller acted on.
//!
//! Merge decisions (documented in docs/API.md):
//! - the source is moved to the organisation's first active status of the
//!   `closed` category by position (the demo's "Resolved"), unless it is in
//!   a closed status already; close rules (who may close, root cause
//!   required) do not apply: the merge note is the explanation, and the
//!   ticket's work continues on the survivor;
//! - a ticket is merged once (a partial unique index), never into itself,
//!   and never into a ticket that was merged itself: that is a 409
//!   `target_merged` naming the survivor, so the person picks the ticket
//!   that is worked on rather than us following a chain silently;
//! - a ticket with open sub-tickets is refused (409 `open_sub_tickets`):
//!   moving them would change who sees them, closing them would lose work;
//! - comments, emails and history stay on the source; a merge is not undone
//!   (its link cannot be deleted), and inbound email for the source goes to
//!   its survivor ([`survivor`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::{Event, FieldChange};
use lazo_domain::limits::TEXT_MAX;
use lazo_domain::links::{
    CreateTicketLink, LinkKind, LinkedTicket, MergeTicket, TicketLink, TicketLinks, TicketSelector,
};
use lazo_domain::rules::check_text;
use lazo_domain::wire::{CommentInput, FieldError, StatusRef};
use lazo_domain::{Access, ErrorCode, HistoryField, StatusCategory};
use lazo_storage::links::{self as store, NewLink, DUPLICATE_OF, MERGED_INTO};
use lazo_storage::schema::{statuses, tickets};
use lazo_storage::{now, utc, DbConn};
use std::collections::HashMap;

use super::write::{emit, insert_comment, record_changes, show_time, Actor};
use super::{access, find_row, load_visible, load_writable, TicketRow};
use crate::auth::Principal;
use crate::error::ServiceError;

/// How far inbound email follows `merged_into` (a merged ticket cannot be
/// a merge target, so real chains have length 1; older data may differ).
const CHAIN_MAX: usize = 10;

/// The ticket a selector names, if `who` may see it; unknown and invisible
/// are both 404 so existence does not leak.
pub fn resolve(
    c: &mut DbConn,
    who: &Principal,
    sel: &TicketSelector,
    field: &str,
) -> Result<(TicketRow, Access), ServiceError> {
    let id = match sel.number() {
        None => match sel {
            TicketSelector::Id(id) => *id,
            TicketSelector::Number(_) => unreachable!("number() is None only for ids"),
        },
        Some(Err(())) => {
            return Err(ServiceError::field(
                field,
                ErrorCode::Invalid.as_str(),
                "a ticket id (integer) or number (\"#1042\")",
            ))
        }
        Some(Ok(n)) => tickets::table
            .filter(tickets::number.eq(n))
            .select(tickets::id)
            .first::<i64>(c)
            .optional()?
            .ok_or(ServiceError::NotFound("ticket"))?,
    };
    load_visible(c, who, id)
}

fn statuses_by_id(c: &mut DbConn) -> Result<HashMap<i64, StatusRef>, ServiceError> {
    let rows: Vec<(i64, String, String)> = statuses::table
        .select((statuses::id, statuses::name, statuses::category))
        .load(c)?;
    rows.into_iter()
        .map(|(id, name, cat)| {
            Ok((
                id,
                StatusRef {
                    id,
                    name,
                    category: cat.parse().map_err(ServiceError::internal)?,
                },
            ))
        })
        .collect()
}

fn linked(row: &TicketRow, st: &HashMap<i64, StatusRef>) -> LinkedTicket {
    LinkedTicket {
        id: row.id,
        number: row.number,
        subject: row.subject.clone(),
        status: st.get(&row.status_id).cloned().unwrap_or(StatusRef {
            id: row.status_id,
            name: "?".into(),
            category: row.category().unwrap_or(StatusCategory::Open),
        }),
    }
}

fn order(k: LinkKind) -> u8 {
    match k {
        LinkKind::MergedInto => 0,
        LinkKind::MergedFrom => 1,
        LinkKind::DuplicateOf => 2,
        LinkKind::DuplicatedBy => 3,
        LinkKind::Related => 4,
        LinkKind::Parent => 5,
        LinkKind::Child => 6,
    }
}

/// The links of ticket `id` that `who` may see, both directions, with its
/// parent and sub-tickets.
pub fn list(c: &mut DbConn, who: &Principal, id: i64) -> Result<TicketLinks, ServiceError> {
    let (row, _) = load_visible(c, who, id)?;
    let st = statuses_by_id(c)?;
    let mut items = Vec::new();
    for l in store::of_ticket(c, id)? {
        let Some(kind) = LinkKind::of_stored(&l.kind, l.ticket_id == id) else {
            continue;
        };
        let Some(other) = find_row(c, l.other(id))? else {
            continue;
        };
        if access(c, who, &other)?.is_none() {
            continue;
        }
        items.push(TicketLink {
            id: Some(l.id),
            kind,
            ticket: linked(&other, &st),
            created_at: Some(utc(l.created_at)),
        });
    }
    if let Some(p) = row.parent_id.map(|p| find_row(c, p)).transpose()?.flatten() {
        if access(c, who, &p)?.is_some() {
            items.push(TicketLink {
                id: None,
                kind: LinkKind::Parent,
                ticket: linked(&p, &st),
                created_at: None,
            });
        }
    }
    let children: Vec<TicketRow> = tickets::table
        .filter(tickets::parent_id.eq(id))
        .order(tickets::id)
        .select(TicketRow::as_select())
        .load(c)?;
    for ch in children {
        if access(c, who, &ch)?.is_some() {
            items.push(TicketLink {
                id: None,
                kind: LinkKind::Child,
                ticket: linked(&ch, &st),
                created_at: None,
            });
        }
    }
    items.sort_by_key(|l| order(l.kind));
    Ok(TicketLinks { items })
}

/// A link's history row on one of its tickets: the other ticket appears
/// (`linked`) or disappears as the new or old value, by id and number.
fn link_change(
    kind: LinkKind,
    other: &TicketRow,
    linked: bool,
) -> Result<FieldChange, ServiceError> {
    let field = kind
        .history_field()
        .ok_or_else(|| ServiceError::internal("no history field for a sub-ticket relation"))?;
    let side = (Some(other.id), Some(format!("#{}", other.number)));
    Ok(if linked {
        FieldChange::reference(field.as_str(), (None, None), side)
    } else {
        FieldChange::reference(field.as_str(), side, (None, None))
    })
}

/// Takes the row locks of two tickets, in id order so two requests over
/// the same pair cannot deadlock (a no-op update: PostgreSQL locks the row
/// until commit; SQLite already runs one writer at a time). Checks made
/// after it see what a concurrent link or merge of the pair committed, so
/// "A into B" and "B into A" at once cannot both pass and make a cycle.
fn lock_pair(c: &mut DbConn, a: i64, b: i64) -> Result<(), ServiceError> {
    for id in [a.min(b), a.max(b)] {
        diesel::update(tickets::table.find(id))
            .set(tickets::updated_at.eq(tickets::updated_at))
            .execute(c)?;
    }
    Ok(())
}

/// Stores a `related` or `duplicate_of` link from `from` to `to` with its
/// history on both and its event on `from`. Returns the link's id.
pub(crate) fn add_link(
    c: &mut DbConn,
    actor: &Actor,
    from: &TicketRow,
    to: &TicketRow,
    kind: &str,
    at: NaiveDateTime,
) -> Result<i64, ServiceError> {
    if from.id == to.id {
        return Err(ServiceError::field(
            "ticket",
            ErrorCode::SelfLink.as_str(),
            "a ticket cannot be linked to itself",
        ));
    }
    lock_pair(c, from.id, to.id)?;
    // The reverse duplicate is not caught by the unique key (it is another
    // row): "A duplicates B" and "B duplicates A" contradict each other.
    if kind == DUPLICATE_OF && store::exists(c, to.id, from.id, DUPLICATE_OF)? {
        return Err(ServiceError::link_exists(&format!(
            "#{} is marked a duplicate of this ticket",
            to.number
        )));
    }
    let link_id = store::insert(
        c,
        NewLink {
            ticket_id: from.id,
            other_ticket_id: to.id,
            kind,
            created_by: actor.user_id,
            created_at: at,
        },
    )?;
    let mine = LinkKind::of_stored(kind, true).ok_or_else(|| ServiceError::internal(kind))?;
    let theirs = LinkKind::of_stored(kind, false).ok_or_else(|| ServiceError::internal(kind))?;
    record_changes(c, from.id, actor, at, &[link_change(mine, to, true)?], None)?;
    record_changes(
        c,
        to.id,
        actor,
        at,
        &[link_change(theirs, from, true)?],
        None,
    )?;
    emit(
        c,
        Some(from.id),
        actor,
        at,
        &Event::TicketLinked {
            link_id,
            kind: kind.to_owned(),
            other_ticket_id: to.id,
            other_number: to.number,
        },
    )?;
    Ok(link_id)
}

/// `POST /tickets/{id}/links`: the caller changes ticket `id` (full access)
/// and must see the other one.
pub fn create(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    input: CreateTicketLink,
) -> Result<TicketLink, ServiceError> {
    let from = load_writable(c, who, id)?;
    let (to, _) = resolve(c, who, &input.ticket, "ticket")?;
    let at = now();
    let kind = input.kind.as_str();
    let link_id = add_link(c, &Actor::of(who), &from, &to, kind, at)?;
    let st = statuses_by_id(c)?;
    Ok(TicketLink {
        id: Some(link_id),
        kind: LinkKind::of_stored(kind, true).ok_or_else(|| ServiceError::internal(kind))?,
        ticket: linked(&to, &st),
        created_at: Some(utc(at)),
    })
}

/// `DELETE /tickets/{id}/links/{link_id}`. A merge link stays (409).
pub fn delete(c: &mut DbConn, who: &Principal, id: i64, link_id: i64) -> Result<(), ServiceError> {
    let this = load_writable(c, who, id)?;
    let link = store::find(c, link_id)?
        .filter(|l| l.ticket_id == id || l.other_ticket_id == id)
        .ok_or(ServiceError::NotFound("link"))?;
    let other = find_row(c, link.other(id))?
        .ok_or_else(|| ServiceError::internal("a linked ticket is missing"))?;
    if access(c, who, &other)?.is_none() {
        return Err(ServiceError::NotFound("link"));
    }
    if link.kind == MERGED_INTO {
        return Err(ServiceError::Conflict {
            code: ErrorCode::MergeLinkFixed.as_str(),
            detail: "a merge cannot be undone; link the tickets as related instead".into(),
            errors: vec![],
        });
    }
    store::delete(c, link.id)?;
    let actor = Actor::of(who);
    let at = now();
    let outgoing = link.ticket_id == id;
    let mine = LinkKind::of_stored(&link.kind, outgoing)
        .ok_or_else(|| ServiceError::internal(link.kind.clone()))?;
    let theirs = LinkKind::of_stored(&link.kind, !outgoing)
        .ok_or_else(|| ServiceError::internal(link.kind.clone()))?;
    record_changes(
        c,
        this.id,
        &actor,
        at,
        &[link_change(mine, &other, false)?],
        None,
    )?;
    record_changes(
        c,
        other.id,
        &actor,
        at,
        &[link_change(theirs, &this, false)?],
        None,
    )?;
    emit(
        c,
        Some(id),
        &actor,
        at,
        &Event::TicketUnlinked {
            link_id: link.id,
            kind: link.kind.clone(),
            other_ticket_id: other.id,
            other_number: other.number,
        },
    )?;
    Ok(())
}

/// The status a merged ticket is closed with: the first active status of
/// the `closed` category by position (the demo organisation's "Resolved").
fn merge_status(c: &mut DbConn) -> Result<(i64, String), ServiceError> {
    statuses::table
        .filter(statuses::category.eq(StatusCategory::Closed.as_str()))
        .filter(statuses::active.eq(true))
        .order((statuses::position, statuses::id))
        .select((statuses::id, statuses::name))
        .first(c)
        .optional()?
        .ok_or_else(|| ServiceError::Conflict {
            code: ErrorCode::Conflict.as_str(),
            detail: "the organisation has no active closed status to close the merged ticket with"
                .into(),
            errors: vec![],
        })
}

fn status_name(c: &mut DbConn, id: i64) -> Result<Option<String>, ServiceError> {
    Ok(statuses::table
        .find(id)
        .select(statuses::name)
        .first(c)
        .optional()?)
}

/// `POST /tickets/{id}/merge`: merges ticket `id` into `input.into` (see the
/// module's decisions). `expected` is the source's version from `If-Match`.
pub fn merge(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
    input: MergeTicket,
) -> Result<(), ServiceError> {
    let src = load_writable(c, who, id)?;
    if expected.is_some_and(|v| v != src.version) {
        return Err(ServiceError::Stale {
            current_version: src.version,
        });
    }
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if let Some(cm) = &comment {
        let mut errors: Vec<FieldError> = Vec::new();
        check_text("comment", cm, TEXT_MAX, &mut errors);
        if !errors.is_empty() {
            return Err(ServiceError::invalid(errors));
        }
    }
    let (target, _) = resolve(c, who, &input.into, "into")?;
    if target.id == src.id {
        return Err(ServiceError::field(
            "into",
            ErrorCode::SelfLink.as_str(),
            "a ticket cannot be merged into itself",
        ));
    }
    // The survivor changes too (a note, history): the caller must be allowed to.
    let target = load_writable(c, who, target.id)?;
    lock_pair(c, src.id, target.id)?;
    if let Some(s) = store::merged_into(c, src.id)? {
        let n = number_of(c, s)?;
        return Err(ServiceError::Conflict {
            code: ErrorCode::AlreadyMerged.as_str(),
            detail: format!("#{} was merged into #{n} already", src.number),
            errors: vec![],
        });
    }
    if let Some(s) = store::merged_into(c, target.id)? {
        let n = number_of(c, s)?;
        return Err(ServiceError::Conflict {
            code: ErrorCode::TargetMerged.as_str(),
            detail: format!(
                "#{} was merged into #{n}: merge into #{n} instead",
                target.number
            ),
            errors: vec![FieldError::new(
                "into",
                ErrorCode::TargetMerged,
                format!("#{} was merged into #{n}", target.number),
            )],
        });
    }
    let open_subs: Vec<i64> = tickets::table
        .filter(tickets::parent_id.eq(src.id))
        .filter(tickets::status_category.ne(StatusCategory::Closed.as_str()))
        .order(tickets::number)
        .select(tickets::number)
        .load(c)?;
    if !open_subs.is_empty() {
        let list = open_subs
            .iter()
            .map(|n| format!("#{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ServiceError::Conflict {
            code: ErrorCode::OpenSubTickets.as_str(),
            detail: format!("close or move its open sub-tickets first: {list}"),
            errors: vec![],
        });
    }

    let actor = Actor::of(who);
    let at = now();
    store::insert(
        c,
        NewLink {
            ticket_id: src.id,
            other_ticket_id: target.id,
            kind: MERGED_INTO,
            created_by: actor.user_id,
            created_at: at,
        },
    )?;

    // The source: closed, snooze ended, one version further.
    let already_closed = src.category() == Some(StatusCategory::Closed);
    let (status_id, category) = if already_closed {
        (src.status_id, src.status_category.clone())
    } else {
        (
            merge_status(c)?.0,
            StatusCategory::Closed.as_str().to_owned(),
        )
    };
    let n = diesel::update(
        tickets::table
            .filter(tickets::id.eq(src.id))
            .filter(tickets::version.eq(src.version)),
    )
    .set((
        tickets::status_id.eq(status_id),
        tickets::status_category.eq(&category),
        tickets::closed_at.eq(src.closed_at.filter(|_| already_closed).or(Some(at))),
        tickets::snooze_until.eq(None::<NaiveDateTime>),
        tickets::snooze_status_id.eq(None::<i64>),
        tickets::updated_at.eq(at),
        tickets::version.eq(src.version + 1),
    ))
    .execute(c)?;
    if n == 0 {
        let v: i64 = tickets::table
            .find(src.id)
            .select(tickets::version)
            .first(c)?;
        return Err(ServiceError::Stale { current_version: v });
    }
    let mut changes = Vec::new();
    if status_id != src.status_id {
        changes.push(FieldChange::reference(
            HistoryField::Status.as_str(),
            (Some(src.status_id), status_name(c, src.status_id)?),
            (Some(status_id), status_name(c, status_id)?),
        ));
    }
    if src.snooze_until.is_some() {
        changes.push(FieldChange::value(
            HistoryField::SnoozeUntil.as_str(),
            show_time(src.snooze_until),
            None,
        ));
        crate::jobs::cancel(c, &crate::jobs::tasks::reopen_key(src.id))?;
    }
    let with = |head: String| match &comment {
        Some(cm) => format!("{head}\n\n{cm}"),
        None => head,
    };
    let src_note = insert_comment(
        c,
        src.id,
        &actor,
        &CommentInput {
            body: with(format!("Merged into #{}", target.number)),
            internal: true,
        },
        at,
    )?;
    let target_note = insert_comment(
        c,
        target.id,
        &actor,
        &CommentInput {
            body: with(format!("#{} was merged into this ticket", src.number)),
            internal: true,
        },
        at,
    )?;
    let mut src_rows = changes.clone();
    src_rows.push(link_change(LinkKind::MergedInto, &target, true)?);
    record_changes(c, src.id, &actor, at, &src_rows, Some(src_note))?;
    let target_rows = [link_change(LinkKind::MergedFrom, &src, true)?];
    record_changes(c, target.id, &actor, at, &target_rows, Some(target_note))?;
    diesel::update(tickets::table.find(target.id))
        .set(tickets::updated_at.eq(at))
        .execute(c)?;
    emit(
        c,
        Some(src.id),
        &actor,
        at,
        &Event::TicketMerged {
            into_ticket_id: target.id,
            into_number: target.number,
            changes,
        },
    )?;
    Ok(())
}

fn number_of(c: &mut DbConn, id: i64) -> Result<i64, ServiceError> {
    Ok(tickets::table.find(id).select(tickets::number).first(c)?)
}

/// The ticket that carries on for `id`: `id` itself unless it was merged,
/// else its `merged_into` ticket, followed along a chain of at most
/// [`CHAIN_MAX`] merges; a cycle (which the API cannot create) stops at the
/// last ticket before it repeats.
pub fn survivor(c: &mut DbConn, id: i64) -> Result<i64, ServiceError> {
    let mut cur = id;
    let mut seen = vec![id];
    for _ in 0..CHAIN_MAX {
        match store::merged_into(c, cur)? {
            Some(next) if !seen.contains(&next) => {
                seen.push(next);
                cur = next;
            }
            _ => break,
        }
    }
    Ok(cur)
}
