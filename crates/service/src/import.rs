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
use std::collections::HashMap;

use crate::auth::Principal;
use crate::error::ServiceError;
use crate::tickets::write::{
    check_comment, check_tags, drop_nulls, emit, next_number, normalized_tags, record,
    resolve_group, resolve_type, Actor,
};
use crate::touchpoints::{self, NewTouchpoint};
use lazo_storage::schema::{
    comments, counters, statuses, ticket_imports, ticket_tags, tickets, users,
};
use lazo_storage::{at_micros, DbConn};

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

/// Imports one ticket in the caller's transaction; `false` when a ticket
/// with this external id was imported before (it is left as it is).
///
/// The inner result is the item's own outcome: every check that can refuse
/// an item runs before its first write, so a refused item has written
/// nothing and the batch goes on without a savepoint per item (a savepoint
/// and its release were two of a dozen statements per ticket). The outer
/// error is a failure after a write began (the database, not the input):
/// the caller must roll the whole batch back.
pub fn import_one(
    c: &mut DbConn,
    who: &Principal,
    input: &ImportTicket,
    cache: &mut ImportCache,
) -> Result<Result<(TicketRef, bool), ServiceError>, ServiceError> {
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
        return Ok(Ok((prior, false)));
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
    // Writes from here on: no error below is the item's fault.
    let category = category.unwrap_or(StatusCategory::New);
    let closed = (category == StatusCategory::Closed).then(|| {
        input
            .closed_at
            .map(|t| at_micros(t.naive_utc()))
            .unwrap_or(updated)
    });
    let (contact_id, requester_email) = match &input.requester {
        Some(r) => {
            let (id, e) = crate::contacts::upsert(c, r)?;
            (Some(id), e)
        }
        None => (None, None),
    };
    let number = match input.number {
        Some(n) => {
            // The counter is at least every number given so far: a number
            // above it is free, and moving the counter up to it keeps later
            // tickets off it (one statement, the common case of an import).
            let above = diesel::update(
                counters::table
                    .find("ticket_number")
                    .filter(counters::value.lt(n)),
            )
            .set(counters::value.eq(n))
            .execute(c)?;
            let taken = above == 0
                && tickets::table
                    .filter(tickets::number.eq(n))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
            if taken {
                next_number(c)?
            } else {
                n
            }
        }
        None => next_number(c)?,
    };
    let actor = Actor::of(who);
    let custom_fields = Value::Object(drop_nulls(input.custom_fields.clone())).to_string();
    let id: i64 = diesel::insert_into(tickets::table)
        .values((
            tickets::number.eq(number),
            tickets::subject.eq(input.subject.trim()),
            tickets::description.eq(input.description.as_deref().unwrap_or("")),
            tickets::type_id.eq(input.type_id),
            tickets::priority.eq(input.priority.unwrap_or(Priority::Medium).rank()),
            tickets::status_id.eq(status_id),
            tickets::status_category.eq(category.as_str()),
            tickets::group_id.eq(input.group_id),
            tickets::origin_group_id.eq(input.group_id),
            tickets::owner_id.eq(input.owner_id),
            tickets::contact_id.eq(contact_id),
            tickets::requester_email.eq(&requester_email),
            tickets::source.eq(input.source.as_ref().map(|s| s.trim().to_lowercase())),
            tickets::custom_fields.eq(custom_fields),
            tickets::closed_at.eq(closed),
            tickets::created_by_user.eq(actor.user_id),
            tickets::created_by_token.eq(actor.token_id),
            tickets::created_at.eq(created),
            tickets::updated_at.eq(updated),
            tickets::version.eq(1i64),
        ))
        .returning(tickets::id)
        .get_result(c)?;
    diesel::insert_into(ticket_imports::table)
        .values((
            ticket_imports::external_id.eq(external_id),
            ticket_imports::ticket_id.eq(id),
            ticket_imports::imported_at.eq(lazo_storage::now()),
        ))
        .execute(c)?;
    // A new ticket has no tags to replace: insert only.
    for tag in normalized_tags(&input.tags) {
        diesel::insert_into(ticket_tags::table)
            .values((ticket_tags::ticket_id.eq(id), ticket_tags::tag.eq(tag)))
            .execute(c)?;
    }
    for cm in &input.comments {
        let author_id = match &cm.author_email {
            Some(e) => author(c, cache, e)?,
            None => None,
        };
        let at: NaiveDateTime = at_micros(cm.created_at.naive_utc());
        diesel::insert_into(comments::table)
            .values((
                comments::ticket_id.eq(id),
                comments::author_id.eq(author_id),
                comments::body.eq(cm.body.trim()),
                comments::internal.eq(cm.internal),
                comments::created_at.eq(at),
                comments::updated_at.eq(at),
            ))
            .execute(c)?;
    }
    let subject = input.subject.trim().to_owned();
    record(
        c,
        id,
        &actor,
        created,
        (
            HistoryField::Imported.as_str(),
            None,
            Some(format!("{external_id}: #{number} {subject}")),
        ),
        None,
    )?;
    emit(
        c,
        Some(id),
        &actor,
        lazo_storage::now(),
        &Event::TicketCreated {
            number,
            subject: subject.clone(),
            parent_id: None,
        },
    )?;
    if let Some(contact_id) = contact_id {
        touchpoints::record(
            c,
            NewTouchpoint {
                contact_id,
                kind: TouchpointKind::Ticket,
                channel: input.source.as_ref().map(|s| s.trim().to_lowercase()),
                title: format!("#{number} {subject}"),
                payload: serde_json::json!({"ticket_id": id, "number": number, "imported": external_id}),
                ticket_id: Some(id),
                survey_response_id: None,
                occurred_at: created,
            },
        )?;
    }
    Ok(Ok((
        TicketRef {
            id,
            number,
            subject,
        },
        true,
    )))
}
