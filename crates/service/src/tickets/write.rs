//! Ticket writes. Each public function runs inside the caller's transaction
//! and writes the change and its history rows together.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::{Event, FieldChange};
use lazo_domain::limits::{NAME_MAX, SUBJECT_MAX, TAGS_MAX, TEXT_MAX};
use lazo_domain::rules::{
    self, check_line, check_text, ChangeContext, GroupRules, TicketState, TypeRules,
};
use lazo_domain::wire::Actor as WireActor;
use lazo_domain::wire::{
    normalize_tag, CommentInput, ContactInput, CreateTicket, FieldError, FieldValues, OrgSettings,
    Status, TicketType, UpdateTicket,
};
use lazo_domain::{ErrorCode, HistoryField};
use lazo_domain::{Priority, Role, StatusCategory};
use serde_json::Value;
use std::collections::HashMap;

use super::{load_writable, TicketRow};
use crate::auth::Principal;
use crate::directory::group_rules;
use crate::directory::{load_settings, load_status, load_type, type_rules};
use crate::error::ServiceError;
use lazo_storage::schema::{
    comments, counters, events, history, root_causes, statuses, ticket_groups, ticket_tags,
    tickets, users,
};
use lazo_storage::{now, DbConn};

/// Who made a change: a person, an API token, or Lazo itself (a scheduled
/// job, later an inbound email). History rows and events name it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub token_id: Option<i64>,
    pub name: String,
    pub role: Option<Role>,
}

impl Actor {
    pub fn of(who: &Principal) -> Actor {
        match who {
            Principal::User(u) => Actor {
                user_id: Some(u.id),
                token_id: None,
                name: u.name.clone(),
                role: Some(u.role),
            },
            Principal::Token(t) => Actor {
                user_id: None,
                token_id: Some(t.id),
                name: format!("API token {}", t.name),
                role: None,
            },
            Principal::System(name) => Actor {
                user_id: None,
                token_id: None,
                name: name.clone(),
                role: None,
            },
        }
    }

    pub fn wire(&self) -> WireActor {
        let (kind, id) = match (self.user_id, self.token_id) {
            (Some(u), _) => ("user", Some(u)),
            (None, Some(t)) => ("token", Some(t)),
            (None, None) => ("system", None),
        };
        WireActor {
            kind: kind.into(),
            id,
            name: self.name.clone(),
        }
    }
}

/// One history row: the field, its old and new value as people read them.
pub type Change<'a> = (&'a str, Option<String>, Option<String>);

/// A history row for one value change (no ids).
pub fn record(
    c: &mut DbConn,
    ticket_id: i64,
    actor: &Actor,
    at: NaiveDateTime,
    change: Change,
    comment_id: Option<i64>,
) -> Result<(), ServiceError> {
    let (field, old, new) = change;
    record_changes(
        c,
        ticket_id,
        actor,
        at,
        &[FieldChange::value(field, old, new)],
        comment_id,
    )
}

/// History rows for the changes of one write, ids beside the snapshot.
pub fn record_changes(
    c: &mut DbConn,
    ticket_id: i64,
    actor: &Actor,
    at: NaiveDateTime,
    changes: &[FieldChange],
    comment_id: Option<i64>,
) -> Result<(), ServiceError> {
    // Row by row: diesel's multi-backend connection has no batch insert.
    for ch in changes {
        diesel::insert_into(history::table)
            .values((
                history::ticket_id.eq(ticket_id),
                history::at.eq(at),
                history::actor_user_id.eq(actor.user_id),
                history::actor_token_id.eq(actor.token_id),
                history::actor_name.eq(&actor.name),
                history::field.eq(&ch.field),
                history::old_value.eq(&ch.old),
                history::new_value.eq(&ch.new),
                history::comment_id.eq(comment_id),
                history::old_id.eq(ch.old_id),
                history::new_id.eq(ch.new_id),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Writes `event` into the outbox, in the caller's transaction: it is
/// committed exactly when the change is.
pub fn emit(
    c: &mut DbConn,
    ticket_id: Option<i64>,
    actor: &Actor,
    at: NaiveDateTime,
    event: &Event,
) -> Result<(), ServiceError> {
    let actor = serde_json::to_string(&actor.wire()).map_err(ServiceError::internal)?;
    diesel::insert_into(events::table)
        .values((
            events::kind.eq(event.kind()),
            events::ticket_id.eq(ticket_id),
            events::actor.eq(actor),
            events::data.eq(event.data().to_string()),
            events::created_at.eq(at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn insert_comment(
    c: &mut DbConn,
    ticket_id: i64,
    actor: &Actor,
    input: &CommentInput,
    at: NaiveDateTime,
) -> Result<i64, ServiceError> {
    Ok(diesel::insert_into(comments::table)
        .values((
            comments::ticket_id.eq(ticket_id),
            comments::author_id.eq(actor.user_id),
            comments::author_token_id.eq(actor.token_id),
            comments::body.eq(input.body.trim()),
            comments::internal.eq(input.internal),
            comments::created_at.eq(at),
            comments::updated_at.eq(at),
        ))
        .returning(comments::id)
        .get_result(c)?)
}

/// A reply or internal note on its own (no other change): the comment, its
/// history row and event, and the ticket's `updated_at`. Returns its id.
pub fn add_comment(
    c: &mut DbConn,
    ticket_id: i64,
    actor: &Actor,
    input: &CommentInput,
    at: NaiveDateTime,
) -> Result<i64, ServiceError> {
    let one = NewComment {
        ticket_id,
        actor,
        input,
    };
    Ok(add_comments(c, &[one], at)?[0])
}

/// One comment of [`add_comments`].
pub struct NewComment<'a> {
    pub ticket_id: i64,
    pub actor: &'a Actor,
    pub input: &'a CommentInput,
}

/// [`add_comment`] for several comments (on one ticket or many) with one
/// statement per table. Returns their ids in order.
pub fn add_comments(
    c: &mut DbConn,
    all: &[NewComment<'_>],
    at: NaiveDateTime,
) -> Result<Vec<i64>, ServiceError> {
    let rows: Vec<_> = all
        .iter()
        .map(|n| {
            (
                comments::ticket_id.eq(n.ticket_id),
                comments::author_id.eq(n.actor.user_id),
                comments::author_token_id.eq(n.actor.token_id),
                comments::body.eq(n.input.body.trim()),
                comments::internal.eq(n.input.internal),
                comments::created_at.eq(at),
                comments::updated_at.eq(at),
            )
        })
        .collect();
    let mut rows = rows;
    let mut ids: Vec<i64> = if rows.len() == 1 {
        // One comment: a statement diesel caches (see `insert_rows!`).
        diesel::insert_into(comments::table)
            .values(rows.pop().expect("one row"))
            .returning(comments::id)
            .get_results(c)?
    } else {
        lazo_storage::each_backend!(c, conn => diesel::insert_into(comments::table)
            .values(rows)
            .returning(comments::id)
            .get_results(conn))?
    };
    // The ids were drawn in the order of the rows (the sequence on
    // PostgreSQL, the next rowid on SQLite), though RETURNING may list them
    // in another: ascending, they are the rows' in order.
    ids.sort_unstable();
    if ids.len() != all.len() {
        return Err(ServiceError::internal("a comment was not inserted"));
    }
    let history_rows: Vec<NewHistory<'_>> = all
        .iter()
        .zip(&ids)
        .map(|(n, id)| {
            let field = if n.input.internal {
                HistoryField::InternalNote
            } else {
                HistoryField::Comment
            };
            NewHistory {
                ticket_id: n.ticket_id,
                actor: n.actor,
                change: FieldChange::value(field.as_str(), None, None),
                comment_id: Some(*id),
            }
        })
        .collect();
    insert_history(c, at, &history_rows)?;
    let events: Vec<(Option<i64>, &Actor, Event)> = all
        .iter()
        .zip(&ids)
        .map(|(n, id)| {
            (
                Some(n.ticket_id),
                n.actor,
                Event::TicketCommented {
                    comment_id: *id,
                    internal: n.input.internal,
                },
            )
        })
        .collect();
    emit_many(c, at, &events)?;
    let mut tickets_touched: Vec<i64> = all.iter().map(|n| n.ticket_id).collect();
    tickets_touched.sort_unstable();
    tickets_touched.dedup();
    if let [one] = tickets_touched[..] {
        diesel::update(tickets::table.find(one))
            .set(tickets::updated_at.eq(at))
            .execute(c)?;
    } else {
        diesel::update(tickets::table.filter(lazo_storage::id_in(
            c,
            "tickets.id",
            &tickets_touched,
        )))
        .set(tickets::updated_at.eq(at))
        .execute(c)?;
    }
    Ok(ids)
}

pub fn check_comment(input: &CommentInput, field: &str, errors: &mut Vec<FieldError>) {
    if input.body.trim().is_empty() {
        errors.push(FieldError::new(
            format!("{field}.body"),
            ErrorCode::Required,
            "a comment needs text",
        ));
    }
    check_text(&format!("{field}.body"), &input.body, TEXT_MAX, errors);
}

pub(crate) fn check_tags(tags: &[String], errors: &mut Vec<FieldError>) {
    if tags.len() > TAGS_MAX {
        errors.push(FieldError::new(
            "tags",
            ErrorCode::TooMany,
            format!("at most {TAGS_MAX} tags"),
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        check_line(&format!("tags[{i}]"), t, NAME_MAX, errors);
        if t.contains(',') {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                ErrorCode::Invalid,
                "tags cannot contain commas",
            ));
        }
    }
}

fn check_requester(r: &ContactInput, errors: &mut Vec<FieldError>) {
    lazo_domain::feedback::check_contact_input("requester", r, errors);
}

fn check_score(score: Option<i32>, errors: &mut Vec<FieldError>) {
    if score.is_some_and(|s| !(-1000..=1000).contains(&s)) {
        errors.push(FieldError::new(
            "summary_score",
            ErrorCode::OutOfRange,
            "a score is between -1000 and 1000",
        ));
    }
}

/// The values a create or an update sets (absent: not set by this write).
struct Values<'a> {
    subject: Option<&'a str>,
    description: Option<&'a str>,
    tags: Option<&'a [String]>,
    source: Option<&'a str>,
    summary_comment: Option<&'a str>,
    summary_score: Option<i32>,
    requester: Option<&'a ContactInput>,
    comment: Option<&'a CommentInput>,
}

/// Field validation shared by create and update: one place says what a
/// valid subject, tag list, score... is.
fn check_values(v: Values, errors: &mut Vec<FieldError>) {
    if let Some(s) = v.subject {
        check_line("subject", s, SUBJECT_MAX, errors);
    }
    if let Some(d) = v.description {
        check_text("description", d, TEXT_MAX, errors);
    }
    if let Some(t) = v.tags {
        check_tags(t, errors);
    }
    if let Some(s) = v.source {
        check_line("source", s, NAME_MAX, errors);
    }
    if let Some(s) = v.summary_comment {
        check_text("summary_comment", s, TEXT_MAX, errors);
    }
    check_score(v.summary_score, errors);
    if let Some(r) = v.requester {
        check_requester(r, errors);
    }
    if let Some(cm) = v.comment {
        check_comment(cm, "comment", errors);
    }
}

/// One integer column `n` of a raw query.
#[derive(QueryableByName)]
struct Int {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `k` new ticket numbers, ascending. SQLite: the counters row (one writer,
/// so no one waits on it). PostgreSQL: the `ticket_numbers` sequence, which
/// no transaction holds until its commit, unlike a row every create updates.
pub(crate) fn next_numbers(c: &mut DbConn, k: i64) -> Result<Vec<i64>, ServiceError> {
    match c {
        DbConn::Pg(_) => Ok(diesel::sql_query(
            "SELECT nextval('ticket_numbers') AS n FROM generate_series(1, $1) ORDER BY 1",
        )
        .bind::<diesel::sql_types::BigInt, _>(k)
        .load::<Int>(c)?
        .into_iter()
        .map(|r| r.n)
        .collect()),
        DbConn::Sqlite(_) => {
            let last: i64 = diesel::update(counters::table.find("ticket_number"))
                .set(counters::value.eq(counters::value + k))
                .returning(counters::value)
                .get_result(c)?;
            Ok((last - k + 1..=last).collect())
        }
    }
}

/// Moves the numbering up to `n` when it is below, so new tickets never
/// get `n` (an import keeps its tickets' numbers). `true` when it moved:
/// `n` was above every number handed out, so it is free.
pub(crate) fn raise_numbers_to(c: &mut DbConn, n: i64) -> Result<bool, ServiceError> {
    match c {
        // Not atomic with a concurrent nextval: a create may get `n` in
        // between. The import's insert then finds `n` taken (it inserts ON
        // CONFLICT DO NOTHING) and gives that ticket a new number.
        DbConn::Pg(_) => Ok(diesel::sql_query(
            "SELECT count(setval('ticket_numbers', $1)) AS n FROM ticket_numbers WHERE last_value < $1",
        )
        .bind::<diesel::sql_types::BigInt, _>(n)
        .get_result::<Int>(c)?
        .n
            > 0),
        DbConn::Sqlite(_) => Ok(diesel::update(
            counters::table
                .find("ticket_number")
                .filter(counters::value.lt(n)),
        )
        .set(counters::value.eq(n))
        .execute(c)?
            > 0),
    }
}

pub(crate) fn resolve_status(
    c: &mut DbConn,
    id: i64,
    errors: &mut Vec<FieldError>,
) -> Result<Option<StatusCategory>, ServiceError> {
    Ok(status_verdict(load_status(c, id)?.as_ref(), errors))
}

/// A status named as a ticket's new one: its category, or why it cannot be.
fn status_verdict(s: Option<&Status>, errors: &mut Vec<FieldError>) -> Option<StatusCategory> {
    match s {
        Some(s) if s.active => Some(s.category),
        Some(_) => {
            errors.push(FieldError::new(
                "status_id",
                ErrorCode::Inactive,
                "this status is no longer in use",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "status_id",
                ErrorCode::UnknownReference,
                "no such status",
            ));
            None
        }
    }
}

pub(crate) fn resolve_type(
    c: &mut DbConn,
    id: Option<i64>,
    changed: bool,
    errors: &mut Vec<FieldError>,
) -> Result<Option<TicketType>, ServiceError> {
    let Some(id) = id else { return Ok(None) };
    Ok(type_verdict(load_type(c, id)?, changed, errors))
}

/// A ticket's type as loaded: kept, or why it cannot be (a new choice of an
/// inactive type is refused; a ticket keeps the one it has).
fn type_verdict(
    t: Option<TicketType>,
    changed: bool,
    errors: &mut Vec<FieldError>,
) -> Option<TicketType> {
    match t {
        Some(t) if t.active || !changed => Some(t),
        Some(_) => {
            errors.push(FieldError::new(
                "type_id",
                ErrorCode::Inactive,
                "this ticket type is no longer in use",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "type_id",
                ErrorCode::UnknownReference,
                "no such ticket type",
            ));
            None
        }
    }
}

pub(crate) fn resolve_group(
    c: &mut DbConn,
    id: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<GroupRules>, ServiceError> {
    let Some(id) = id else { return Ok(None) };
    Ok(group_verdict(group_rules(c, id)?, errors))
}

fn group_verdict(g: Option<GroupRules>, errors: &mut Vec<FieldError>) -> Option<GroupRules> {
    if g.is_none() {
        errors.push(FieldError::new(
            "group_id",
            ErrorCode::UnknownReference,
            "no such group",
        ));
    }
    g
}

pub(crate) fn resolve_owner(
    c: &mut DbConn,
    id: Option<i64>,
    changed: bool,
    errors: &mut Vec<FieldError>,
) -> Result<(), ServiceError> {
    let Some(id) = id.filter(|_| changed) else {
        return Ok(());
    };
    owner_verdict(user_active(c, id)?, errors);
    Ok(())
}

/// Whether user `id` is active; `None` when there is no such user.
fn user_active(c: &mut DbConn, id: i64) -> Result<Option<bool>, ServiceError> {
    Ok(users::table
        .find(id)
        .select(users::active)
        .first(c)
        .optional()?)
}

fn owner_verdict(active: Option<bool>, errors: &mut Vec<FieldError>) {
    match active {
        Some(true) => {}
        Some(false) => errors.push(FieldError::new(
            "owner_id",
            ErrorCode::Inactive,
            "this user is deactivated",
        )),
        None => errors.push(FieldError::new(
            "owner_id",
            ErrorCode::UnknownReference,
            "no such user",
        )),
    }
}

fn check_new_cause(ty: Option<&TicketType>, cause: Option<i64>, errors: &mut Vec<FieldError>) {
    let (Some(ty), Some(cause)) = (ty, cause) else {
        return;
    };
    if ty.root_causes.iter().any(|rc| rc.id == cause && !rc.active) {
        errors.push(FieldError::new(
            "root_cause_id",
            ErrorCode::Inactive,
            "this root cause is no longer in use",
        ));
    }
}

fn context(c: &mut DbConn, actor: &Actor) -> Result<ChangeContext, ServiceError> {
    Ok(context_with(&load_settings(c)?, actor))
}

fn context_with(s: &OrgSettings, actor: &Actor) -> ChangeContext {
    let system = actor.user_id.is_none() && actor.token_id.is_none();
    ChangeContext {
        role: actor.role,
        agents_may_close: s.agents_may_close,
        // Lazo itself (a scheduled reopen) has nobody to write the comment.
        comment_required_on_update: s.comment_required_on_update && !system,
    }
}

pub(crate) fn set_tags(
    c: &mut DbConn,
    ticket_id: i64,
    tags: &[String],
) -> Result<(), ServiceError> {
    diesel::delete(ticket_tags::table.filter(ticket_tags::ticket_id.eq(ticket_id))).execute(c)?;
    insert_tags(c, ticket_id, tags)
}

/// One multi-row INSERT (a round trip on PostgreSQL per statement).
/// `tags` is normalised: deduplicated, at most `TAGS_MAX`.
fn insert_tags(c: &mut DbConn, ticket_id: i64, tags: &[String]) -> Result<(), ServiceError> {
    let rows: Vec<(i64, String)> = tags.iter().map(|t| (ticket_id, t.clone())).collect();
    insert_tag_rows(c, &rows)
}

/// (ticket, tag) rows of one or more tickets in one INSERT.
fn insert_tag_rows(c: &mut DbConn, tags: &[(i64, String)]) -> Result<(), ServiceError> {
    if tags.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = tags
        .iter()
        .map(|(id, t)| {
            (
                ticket_tags::ticket_id.eq(*id),
                ticket_tags::tag.eq(t.as_str()),
            )
        })
        .collect();
    lazo_storage::insert_rows!(c, ticket_tags::table, rows)?;
    Ok(())
}

pub(crate) fn normalized_tags(tags: &[String]) -> Vec<String> {
    let mut v: Vec<String> = tags
        .iter()
        .map(|t| normalize_tag(t))
        .filter(|t| !t.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Creates a ticket (a sub-ticket when `parent_id` is given).
pub fn create(
    c: &mut DbConn,
    who: &Principal,
    input: CreateTicket,
    parent_id: Option<i64>,
) -> Result<i64, ServiceError> {
    let one = NewTicket {
        who,
        input,
        parent_id,
    };
    create_many(c, vec![one])?
        .pop()
        .expect("one answer per ticket asked for")
}

/// One ticket of [`create_many`]: who asks for it, what, under which parent.
pub struct NewTicket<'a> {
    pub who: &'a Principal,
    pub input: CreateTicket,
    pub parent_id: Option<i64>,
}

/// Creates several tickets in the caller's transaction, with one statement
/// per table for all of them: on PostgreSQL most of a single create's cost
/// is per statement, not per row (docs/BENCHMARKS.md, session 20), so
/// concurrent creates coalesced here cost a fraction each.
///
/// Answers per ticket, in order: its id, or why it was refused (a ticket
/// that fails its checks writes nothing and does not stop the others).
/// `Err` only when the database failed, and then the transaction is lost
/// for all of them: the caller rolls back and may try each alone.
pub fn create_many(
    c: &mut DbConn,
    items: Vec<NewTicket<'_>>,
) -> Result<Vec<Result<i64, ServiceError>>, ServiceError> {
    let mut memo = Memo::default();
    let mut answers: Vec<Result<i64, ServiceError>> = Vec::with_capacity(items.len());
    let mut ready = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        match check_new(c, &mut memo, item) {
            Ok(checked) => {
                ready.push((at, checked));
                answers.push(Ok(0));
            }
            // A failed read may have ended the transaction (PostgreSQL
            // aborts it): nothing more can be written in it.
            Err(e @ ServiceError::Internal(_)) => return Err(e),
            Err(e) => answers.push(Err(e)),
        }
    }
    if ready.is_empty() {
        return Ok(answers);
    }
    let ids = insert_new(c, &ready)?;
    for ((at, _), id) in ready.iter().zip(ids) {
        answers[*at] = Ok(id);
    }
    Ok(answers)
}

/// A create that passed its checks, with what they resolved.
struct Checked {
    actor: Actor,
    input: CreateTicket,
    parent_id: Option<i64>,
    parent: Option<TicketRow>,
    status_id: i64,
    category: Option<StatusCategory>,
    owner_id: Option<i64>,
    custom_fields: FieldValues,
}

/// What the creates of one batch look up, once each: they mostly name the
/// same few statuses, types, groups and owners.
#[derive(Default)]
struct Memo {
    new_status: Option<i64>,
    statuses: HashMap<i64, Option<Status>>,
    types: HashMap<i64, Option<TicketType>>,
    groups: HashMap<i64, Option<GroupRules>>,
    active: HashMap<i64, Option<bool>>,
    settings: Option<OrgSettings>,
}

/// `map[id]`, loaded by `load` the first time.
fn remembered<T: Clone>(
    map: &mut HashMap<i64, T>,
    id: i64,
    load: impl FnOnce() -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    if let Some(v) = map.get(&id) {
        return Ok(v.clone());
    }
    let v = load()?;
    map.insert(id, v.clone());
    Ok(v)
}

impl Memo {
    /// The first active New status: active and of a known category by the
    /// query itself.
    fn new_status(&mut self, c: &mut DbConn) -> Result<i64, ServiceError> {
        if let Some(id) = self.new_status {
            return Ok(id);
        }
        let id = statuses::table
            .filter(statuses::category.eq(StatusCategory::New.as_str()))
            .filter(statuses::active.eq(true))
            .order((statuses::position, statuses::id))
            .select(statuses::id)
            .first::<i64>(c)
            .optional()?
            .ok_or_else(|| ServiceError::internal("no active status of category new"))?;
        self.new_status = Some(id);
        Ok(id)
    }

    fn status(&mut self, c: &mut DbConn, id: i64) -> Result<Option<Status>, ServiceError> {
        remembered(&mut self.statuses, id, || load_status(c, id))
    }

    fn ticket_type(&mut self, c: &mut DbConn, id: i64) -> Result<Option<TicketType>, ServiceError> {
        remembered(&mut self.types, id, || load_type(c, id))
    }

    fn group(&mut self, c: &mut DbConn, id: i64) -> Result<Option<GroupRules>, ServiceError> {
        remembered(&mut self.groups, id, || group_rules(c, id))
    }

    fn user_active(&mut self, c: &mut DbConn, id: i64) -> Result<Option<bool>, ServiceError> {
        remembered(&mut self.active, id, || user_active(c, id))
    }

    fn settings(&mut self, c: &mut DbConn) -> Result<&OrgSettings, ServiceError> {
        if self.settings.is_none() {
            self.settings = Some(load_settings(c)?);
        }
        Ok(self.settings.as_ref().expect("just loaded"))
    }
}

/// A create's checks: its values, its references and the ticket rules.
/// Reads only.
fn check_new(
    c: &mut DbConn,
    memo: &mut Memo,
    item: NewTicket<'_>,
) -> Result<Checked, ServiceError> {
    let NewTicket {
        who,
        input,
        parent_id,
    } = item;
    let actor = Actor::of(who);
    let mut errors = Vec::new();
    check_values(
        Values {
            subject: Some(&input.subject),
            description: input.description.as_deref(),
            tags: Some(&input.tags),
            source: input.source.as_deref(),
            summary_comment: input.summary_comment.as_deref(),
            summary_score: input.summary_score,
            requester: input.requester.as_ref(),
            comment: input.comment.as_ref(),
        },
        &mut errors,
    );
    let parent = match parent_id {
        Some(p) => Some(load_writable(c, who, p)?),
        None => None,
    };
    let (status_id, category) = match input.status_id {
        Some(id) => (
            id,
            status_verdict(memo.status(c, id)?.as_ref(), &mut errors),
        ),
        None => (memo.new_status(c)?, Some(StatusCategory::New)),
    };
    let type_id = input.type_id;
    let ty = match type_id {
        Some(id) => type_verdict(memo.ticket_type(c, id)?, true, &mut errors),
        None => None,
    };
    let group = match input.group_id {
        Some(id) => group_verdict(memo.group(c, id)?, &mut errors),
        None => None,
    };
    if let Some(id) = input.owner_id {
        owner_verdict(memo.user_active(c, id)?, &mut errors);
    }
    check_new_cause(ty.as_ref(), input.root_cause_id, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let owner_id = rules::auto_owner(input.owner_id, group.as_ref());
    let state = TicketState {
        status_id,
        status_category: category,
        type_id,
        root_cause_id: input.root_cause_id,
        owner_id,
        group_id: input.group_id,
        custom_fields: drop_nulls(input.custom_fields.clone()),
    };
    let tr: Option<TypeRules> = ty.as_ref().map(type_rules);
    let violations = rules::check(
        None,
        &state,
        tr.as_ref(),
        group.as_ref(),
        context_with(memo.settings(c)?, &actor),
        input.comment.is_some(),
    );
    if !violations.is_empty() {
        return Err(ServiceError::rules(violations));
    }
    Ok(Checked {
        actor,
        input,
        parent_id,
        parent,
        status_id,
        category,
        owner_id,
        custom_fields: state.custom_fields,
    })
}

/// Writes checked creates: their customers and comments one by one (few
/// creates carry them), every other table in one statement for all.
/// Answers the new ids in the order of `ready`.
fn insert_new(c: &mut DbConn, ready: &[(usize, Checked)]) -> Result<Vec<i64>, ServiceError> {
    let mut contacts = Vec::with_capacity(ready.len());
    for (_, ch) in ready {
        contacts.push(match &ch.input.requester {
            Some(r) => {
                let (id, e) = crate::contacts::upsert(c, r)?;
                (Some(id), e)
            }
            None => (None, None),
        });
    }
    let numbers = next_numbers(c, ready.len() as i64)?;
    let t = now();
    let sources: Vec<Option<String>> = ready
        .iter()
        .map(|(_, ch)| ch.input.source.as_ref().map(|s| s.trim().to_lowercase()))
        .collect();
    let custom: Vec<String> = ready
        .iter()
        .map(|(_, ch)| Value::Object(ch.custom_fields.clone()).to_string())
        .collect();
    let rows: Vec<_> = ready
        .iter()
        .enumerate()
        .map(|(i, (_, ch))| {
            let input = &ch.input;
            let parent = ch.parent.as_ref();
            (
                tickets::number.eq(numbers[i]),
                tickets::subject.eq(input.subject.trim()),
                tickets::description.eq(input.description.as_deref().unwrap_or("")),
                tickets::type_id.eq(input.type_id),
                tickets::priority.eq(input.priority.unwrap_or(Priority::Medium).rank()),
                tickets::status_id.eq(ch.status_id),
                tickets::status_category.eq(ch.category.unwrap_or(StatusCategory::New).as_str()),
                tickets::root_cause_id.eq(input.root_cause_id),
                tickets::group_id.eq(input.group_id),
                tickets::origin_group_id.eq(input.group_id),
                tickets::owner_id.eq(ch.owner_id),
                tickets::parent_id.eq(ch.parent_id),
                tickets::parent_owner_id.eq(parent.and_then(|p| p.owner_id)),
                tickets::parent_group_id.eq(parent.and_then(|p| p.group_id)),
                tickets::contact_id.eq(contacts[i].0),
                tickets::requester_email.eq(contacts[i].1.as_deref()),
                tickets::source.eq(sources[i].as_deref()),
                tickets::due_at.eq(input.due_at.map(|d| d.naive_utc())),
                tickets::summary_score.eq(input.summary_score),
                tickets::summary_comment.eq(input.summary_comment.as_deref()),
                tickets::custom_fields.eq(custom[i].as_str()),
                tickets::is_public.eq(input.public.unwrap_or(true)),
                tickets::closed_at.eq(if ch.category == Some(StatusCategory::Closed) {
                    Some(t)
                } else {
                    None
                }),
                tickets::created_by_user.eq(ch.actor.user_id),
                tickets::created_by_token.eq(ch.actor.token_id),
                tickets::created_at.eq(t),
                tickets::updated_at.eq(t),
                tickets::version.eq(1i64),
            )
        })
        .collect();
    // RETURNING's row order is not promised: each id is matched to its
    // ticket by the number, which is unique.
    let mut rows = rows;
    let made: Vec<(i64, i64)> = if rows.len() == 1 {
        // One ticket: a statement diesel caches (see `insert_rows!`).
        diesel::insert_into(tickets::table)
            .values(rows.pop().expect("one row"))
            .returning((tickets::number, tickets::id))
            .get_results(c)?
    } else {
        lazo_storage::each_backend!(c, conn => diesel::insert_into(tickets::table)
            .values(rows)
            .returning((tickets::number, tickets::id))
            .get_results(conn))?
    };
    let by_number: HashMap<i64, i64> = made.into_iter().collect();
    let ids: Vec<i64> = numbers
        .iter()
        .map(|n| {
            by_number.get(n).copied().ok_or_else(|| {
                ServiceError::internal(format!("ticket number {n} was not inserted"))
            })
        })
        .collect::<Result<_, _>>()?;
    // A new ticket has no tags to replace.
    let tags: Vec<(i64, String)> = ready
        .iter()
        .zip(&ids)
        .flat_map(|((_, ch), id)| {
            normalized_tags(&ch.input.tags)
                .into_iter()
                .map(move |tag| (*id, tag))
        })
        .collect();
    insert_tag_rows(c, &tags)?;
    let mut history_rows = Vec::with_capacity(ready.len());
    let mut event_rows = Vec::with_capacity(ready.len());
    for (i, (_, ch)) in ready.iter().enumerate() {
        let (id, number) = (ids[i], numbers[i]);
        let subject = ch.input.subject.trim();
        if let Some(contact_id) = contacts[i].0 {
            // The customer's timeline shows the ticket.
            crate::touchpoints::record(
                c,
                crate::touchpoints::NewTouchpoint {
                    contact_id,
                    kind: lazo_domain::TouchpointKind::Ticket,
                    channel: sources[i].clone(),
                    title: format!("#{number} {subject}"),
                    payload: serde_json::json!({"ticket_id": id, "number": number}),
                    ticket_id: Some(id),
                    survey_response_id: None,
                    occurred_at: t,
                },
            )?;
        }
        let comment_id = match &ch.input.comment {
            Some(cm) => Some(insert_comment(c, id, &ch.actor, cm, t)?),
            None => None,
        };
        let label = format!("#{number} {subject}");
        history_rows.push(NewHistory {
            ticket_id: id,
            actor: &ch.actor,
            change: FieldChange::value(HistoryField::Created.as_str(), None, Some(label.clone())),
            comment_id,
        });
        event_rows.push((
            Some(id),
            &ch.actor,
            Event::TicketCreated {
                number,
                subject: subject.to_owned(),
                parent_id: ch.parent_id,
            },
        ));
        if let Some(p) = &ch.parent {
            history_rows.push(NewHistory {
                ticket_id: p.id,
                actor: &ch.actor,
                change: FieldChange::value(HistoryField::SubTicket.as_str(), None, Some(label)),
                comment_id: None,
            });
            event_rows.push((
                Some(p.id),
                &ch.actor,
                Event::SubTicketCreated {
                    sub_ticket_id: id,
                    number,
                },
            ));
        }
    }
    insert_history(c, t, &history_rows)?;
    emit_many(c, t, &event_rows)?;
    Ok(ids)
}

/// One history row of a batch.
struct NewHistory<'a> {
    ticket_id: i64,
    actor: &'a Actor,
    change: FieldChange,
    comment_id: Option<i64>,
}

/// History rows of several writes in one statement.
fn insert_history(
    c: &mut DbConn,
    at: NaiveDateTime,
    rows: &[NewHistory<'_>],
) -> Result<(), ServiceError> {
    let values: Vec<_> = rows
        .iter()
        .map(|h| {
            (
                history::ticket_id.eq(h.ticket_id),
                history::at.eq(at),
                history::actor_user_id.eq(h.actor.user_id),
                history::actor_token_id.eq(h.actor.token_id),
                history::actor_name.eq(h.actor.name.as_str()),
                history::field.eq(h.change.field.as_str()),
                history::old_value.eq(h.change.old.as_deref()),
                history::new_value.eq(h.change.new.as_deref()),
                history::comment_id.eq(h.comment_id),
                history::old_id.eq(h.change.old_id),
                history::new_id.eq(h.change.new_id),
            )
        })
        .collect();
    lazo_storage::insert_rows!(c, history::table, values)?;
    Ok(())
}

/// [`emit`] for several events in one statement.
fn emit_many(
    c: &mut DbConn,
    at: NaiveDateTime,
    all: &[(Option<i64>, &Actor, Event)],
) -> Result<(), ServiceError> {
    let mut texts = Vec::with_capacity(all.len());
    for (_, actor, event) in all {
        let actor = serde_json::to_string(&actor.wire()).map_err(ServiceError::internal)?;
        texts.push((actor, event.data().to_string()));
    }
    let values: Vec<_> = all
        .iter()
        .zip(&texts)
        .map(|((ticket_id, _, event), (actor, data))| {
            (
                events::kind.eq(event.kind()),
                events::ticket_id.eq(*ticket_id),
                events::actor.eq(actor.as_str()),
                events::data.eq(data.as_str()),
                events::created_at.eq(at),
            )
        })
        .collect();
    lazo_storage::insert_rows!(c, events::table, values)?;
    Ok(())
}

pub(crate) fn drop_nulls(mut m: FieldValues) -> FieldValues {
    m.retain(|_, v| !v.is_null());
    m
}

fn name_of<T>(
    c: &mut DbConn,
    id: Option<i64>,
    f: impl Fn(&mut DbConn, i64) -> QueryResult<T>,
) -> Result<Option<String>, ServiceError>
where
    T: ToString,
{
    match id {
        Some(id) => Ok(Some(
            f(c, id)
                .optional()?
                .map(|n| n.to_string())
                .unwrap_or_else(|| format!("#{id}")),
        )),
        None => Ok(None),
    }
}

fn status_name(c: &mut DbConn, id: Option<i64>) -> Result<Option<String>, ServiceError> {
    name_of(c, id, |c, id| {
        statuses::table
            .find(id)
            .select(statuses::name)
            .first::<String>(c)
    })
}
fn group_name(c: &mut DbConn, id: Option<i64>) -> Result<Option<String>, ServiceError> {
    name_of(c, id, |c, id| {
        ticket_groups::table
            .find(id)
            .select(ticket_groups::name)
            .first::<String>(c)
    })
}
fn user_name(c: &mut DbConn, id: Option<i64>) -> Result<Option<String>, ServiceError> {
    name_of(c, id, |c, id| {
        users::table.find(id).select(users::name).first::<String>(c)
    })
}
fn cause_name(c: &mut DbConn, id: Option<i64>) -> Result<Option<String>, ServiceError> {
    name_of(c, id, |c, id| {
        root_causes::table
            .find(id)
            .select(root_causes::name)
            .first::<String>(c)
    })
}
fn type_name(c: &mut DbConn, id: Option<i64>) -> Result<Option<String>, ServiceError> {
    name_of(c, id, |c, id| {
        lazo_storage::schema::ticket_types::table
            .find(id)
            .select(lazo_storage::schema::ticket_types::name)
            .first::<String>(c)
    })
}

pub(crate) fn show_time(t: Option<NaiveDateTime>) -> Option<String> {
    t.map(|t| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

fn show_value(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// What an update did.
pub enum Updated {
    /// Fields changed; the ticket has a new version.
    Changed,
    /// Only a comment was added.
    Commented,
    /// Nothing to do.
    Unchanged,
}

/// Applies `changes` to ticket `id`. `expected` is the version from
/// `If-Match`; a mismatch is a 412.
pub fn update(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
    changes: UpdateTicket,
) -> Result<Updated, ServiceError> {
    update_with(c, who, id, expected, changes, None)
}

/// The snooze state a write sets (see [`super::snooze`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snooze {
    pub until: Option<NaiveDateTime>,
    /// The status the ticket reopens to.
    pub return_to: Option<i64>,
}

/// [`update`], also setting the snooze state when `snooze` is given. Without
/// it, a change of status ends a snooze: the agent decided by hand.
pub fn update_with(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
    changes: UpdateTicket,
    snooze: Option<Snooze>,
) -> Result<Updated, ServiceError> {
    // Without If-Match the caller asked for its change on whatever the
    // ticket is now. On PostgreSQL another writer can commit between our read
    // and our write (the write then matches no row): read again and apply
    // the change to that. Nothing before the write is lost by trying again
    // (checks, and a contact upsert that finds its own row).
    let mut tries = 0;
    loop {
        match update_once(c, who, id, expected, changes.clone(), snooze) {
            Err(ServiceError::Stale { .. }) if expected.is_none() && tries < 32 => tries += 1,
            r => return r,
        }
    }
}

fn update_once(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
    changes: UpdateTicket,
    snooze: Option<Snooze>,
) -> Result<Updated, ServiceError> {
    let actor = Actor::of(who);
    let cur = load_writable(c, who, id)?;
    if let Some(v) = expected.filter(|v| *v != cur.version) {
        let _ = v;
        return Err(ServiceError::Stale {
            current_version: cur.version,
        });
    }
    let mut errors = Vec::new();
    check_values(
        Values {
            subject: changes.subject.as_deref(),
            description: changes.description.as_deref(),
            tags: changes.tags.as_deref(),
            source: changes.source.as_ref().and_then(|s| s.as_deref()),
            summary_comment: changes.summary_comment.as_ref().and_then(|s| s.as_deref()),
            summary_score: changes.summary_score.flatten(),
            requester: changes.requester.as_ref().and_then(|r| r.as_ref()),
            comment: changes.comment.as_ref(),
        },
        &mut errors,
    );
    // The state after the change.
    let status_id = changes.status_id.unwrap_or(cur.status_id);
    let category = if changes.status_id.is_some_and(|s| s != cur.status_id) {
        resolve_status(c, status_id, &mut errors)?
    } else {
        cur.category()
    };
    let snooze = snooze.unwrap_or(if status_id != cur.status_id {
        Snooze {
            until: None,
            return_to: None,
        }
    } else {
        Snooze {
            until: cur.snooze_until,
            return_to: cur.snooze_status_id,
        }
    });
    let type_id = changes.type_id.unwrap_or(cur.type_id);
    let type_changed = type_id != cur.type_id;
    let ty = resolve_type(c, type_id, type_changed, &mut errors)?;
    // A new type has other root causes and fields: drop what no longer fits
    // unless the change says what to use.
    let root_cause_id = match changes.root_cause_id {
        Some(rc) => rc,
        None if type_changed => None,
        None => cur.root_cause_id,
    };
    if changes
        .root_cause_id
        .is_some_and(|rc| rc != cur.root_cause_id)
    {
        check_new_cause(ty.as_ref(), root_cause_id, &mut errors);
    }
    let group_id = changes.group_id.unwrap_or(cur.group_id);
    let group = resolve_group(c, group_id, &mut errors)?;
    let owner_changed = changes.owner_id.is_some_and(|o| o != cur.owner_id);
    let mut owner_id = changes.owner_id.unwrap_or(cur.owner_id);
    resolve_owner(c, owner_id, owner_changed, &mut errors)?;
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    if group_id != cur.group_id {
        owner_id = rules::auto_owner(owner_id, group.as_ref());
    }
    let old_fields: FieldValues = serde_json::from_str(&cur.custom_fields).unwrap_or_default();
    let mut fields = old_fields.clone();
    if type_changed {
        let keep: Vec<String> = ty
            .as_ref()
            .map(|t| t.fields.iter().map(|f| f.key.clone()).collect())
            .unwrap_or_default();
        fields.retain(|k, _| keep.contains(k));
    }
    if let Some(cf) = &changes.custom_fields {
        for (k, v) in cf {
            fields.insert(k.clone(), v.clone());
        }
    }
    let fields = drop_nulls(fields);

    let before = TicketState {
        status_id: cur.status_id,
        status_category: cur.category(),
        type_id: cur.type_id,
        root_cause_id: cur.root_cause_id,
        owner_id: cur.owner_id,
        group_id: cur.group_id,
        custom_fields: old_fields.clone(),
    };
    let after = TicketState {
        status_id,
        status_category: category,
        type_id,
        root_cause_id,
        owner_id,
        group_id,
        custom_fields: fields.clone(),
    };
    let subject = changes
        .subject
        .as_ref()
        .map(|s| s.trim().to_owned())
        .unwrap_or(cur.subject.clone());
    let description = changes
        .description
        .clone()
        .unwrap_or(cur.description.clone());
    let priority = changes.priority.map(|p| p.rank()).unwrap_or(cur.priority);
    let source = match &changes.source {
        Some(s) => s.as_ref().map(|s| s.trim().to_lowercase()),
        None => cur.source.clone(),
    };
    let due_at = match changes.due_at {
        Some(d) => d.map(|d| d.naive_utc()),
        None => cur.due_at,
    };
    let summary_score = changes.summary_score.unwrap_or(cur.summary_score);
    let summary_comment = changes
        .summary_comment
        .clone()
        .unwrap_or(cur.summary_comment.clone());
    let is_public = changes.public.unwrap_or(cur.is_public);
    let old_tags: Vec<String> = ticket_tags::table
        .filter(ticket_tags::ticket_id.eq(id))
        .select(ticket_tags::tag)
        .order(ticket_tags::tag)
        .load(c)?;
    let tags = changes
        .tags
        .as_ref()
        .map(|t| normalized_tags(t))
        .unwrap_or(old_tags.clone());

    let any_change = subject != cur.subject
        || description != cur.description
        || priority != cur.priority
        || before != after
        || source != cur.source
        || due_at != cur.due_at
        || summary_score != cur.summary_score
        || summary_comment != cur.summary_comment
        || is_public != cur.is_public
        || tags != old_tags
        || snooze.until != cur.snooze_until
        || matches!(&changes.requester, Some(r) if r.as_ref().and_then(|r| r.email.as_ref()).map(|e| e.trim().to_lowercase()) != cur.requester_email || r.is_none() != cur.contact_id.is_none());
    if !any_change && changes.comment.is_none() {
        return Ok(Updated::Unchanged);
    }

    let tr = ty.as_ref().map(type_rules);
    let ctx = context(c, &actor)?;
    if any_change {
        let violations = rules::check(
            Some(&before),
            &after,
            tr.as_ref(),
            group.as_ref(),
            ctx,
            changes.comment.is_some(),
        );
        if !violations.is_empty() {
            return Err(ServiceError::rules(violations));
        }
    }

    let t = now();
    if !any_change {
        if let Some(cm) = &changes.comment {
            add_comment(c, id, &actor, cm, t)?;
        }
        return Ok(Updated::Commented);
    }
    let comment_id = match &changes.comment {
        Some(cm) => Some(insert_comment(c, id, &actor, cm, t)?),
        None => None,
    };

    let (contact_id, requester_email) = match &changes.requester {
        Some(Some(r)) => {
            let (cid, e) = crate::contacts::upsert(c, r)?;
            (Some(cid), e)
        }
        Some(None) => (None, None),
        None => (cur.contact_id, cur.requester_email.clone()),
    };
    let closed_at = match (cur.category(), category) {
        (Some(StatusCategory::Closed), Some(StatusCategory::Closed)) => cur.closed_at,
        (_, Some(StatusCategory::Closed)) => Some(t),
        _ => None,
    };
    let n = diesel::update(
        tickets::table
            .filter(tickets::id.eq(id))
            .filter(tickets::version.eq(cur.version)),
    )
    .set((
        (
            tickets::subject.eq(&subject),
            tickets::description.eq(&description),
            tickets::type_id.eq(type_id),
            tickets::priority.eq(priority),
            tickets::status_id.eq(status_id),
            tickets::status_category
                .eq(category.map(|c| c.as_str()).unwrap_or(&cur.status_category)),
            tickets::root_cause_id.eq(root_cause_id),
            tickets::group_id.eq(group_id),
            tickets::owner_id.eq(owner_id),
            tickets::contact_id.eq(contact_id),
        ),
        (
            tickets::requester_email.eq(&requester_email),
            tickets::source.eq(&source),
            tickets::due_at.eq(due_at),
            tickets::summary_score.eq(summary_score),
            tickets::summary_comment.eq(&summary_comment),
            tickets::custom_fields.eq(Value::Object(fields.clone()).to_string()),
            tickets::is_public.eq(is_public),
            tickets::closed_at.eq(closed_at),
            tickets::updated_at.eq(t),
            tickets::version.eq(cur.version + 1),
        ),
        (
            tickets::snooze_until.eq(snooze.until),
            tickets::snooze_status_id.eq(snooze.return_to),
        ),
    ))
    .execute(c)?;
    if n == 0 {
        // Someone else committed between our read and this write.
        let v: i64 = tickets::table.find(id).select(tickets::version).first(c)?;
        return Err(ServiceError::Stale { current_version: v });
    }
    if tags != old_tags {
        set_tags(c, id, &tags)?;
    }
    if owner_id != cur.owner_id || group_id != cur.group_id {
        // Sub-tickets carry their parent's holders for the visibility query.
        diesel::update(tickets::table.filter(tickets::parent_id.eq(id)))
            .set((
                tickets::parent_owner_id.eq(owner_id),
                tickets::parent_group_id.eq(group_id),
            ))
            .execute(c)?;
    }

    // History: one row per changed field, in human-readable values.
    let mut h: Vec<FieldChange> = Vec::new();
    if subject != cur.subject {
        h.push(FieldChange::value(
            HistoryField::Subject.as_str(),
            Some(cur.subject.clone()),
            Some(subject.clone()),
        ));
    }
    if description != cur.description {
        h.push(FieldChange::value(
            HistoryField::Description.as_str(),
            Some(cur.description.clone()),
            Some(description.clone()),
        ));
    }
    if priority != cur.priority {
        let p = |r: i16| Priority::from_rank(r).map(|p| p.as_str().to_owned());
        h.push(FieldChange::value(
            HistoryField::Priority.as_str(),
            p(cur.priority),
            p(priority),
        ));
    }
    if status_id != cur.status_id {
        h.push(FieldChange::reference(
            HistoryField::Status.as_str(),
            (Some(cur.status_id), status_name(c, Some(cur.status_id))?),
            (Some(status_id), status_name(c, Some(status_id))?),
        ));
    }
    if type_id != cur.type_id {
        h.push(FieldChange::reference(
            HistoryField::Type.as_str(),
            (cur.type_id, type_name(c, cur.type_id)?),
            (type_id, type_name(c, type_id)?),
        ));
    }
    if root_cause_id != cur.root_cause_id {
        h.push(FieldChange::reference(
            HistoryField::RootCause.as_str(),
            (cur.root_cause_id, cause_name(c, cur.root_cause_id)?),
            (root_cause_id, cause_name(c, root_cause_id)?),
        ));
    }
    if group_id != cur.group_id {
        h.push(FieldChange::reference(
            HistoryField::Group.as_str(),
            (cur.group_id, group_name(c, cur.group_id)?),
            (group_id, group_name(c, group_id)?),
        ));
    }
    if owner_id != cur.owner_id {
        h.push(FieldChange::reference(
            HistoryField::Owner.as_str(),
            (cur.owner_id, user_name(c, cur.owner_id)?),
            (owner_id, user_name(c, owner_id)?),
        ));
    }
    if requester_email != cur.requester_email || contact_id != cur.contact_id {
        h.push(FieldChange::value(
            HistoryField::Requester.as_str(),
            cur.requester_email.clone(),
            requester_email.clone(),
        ));
    }
    if tags != old_tags {
        h.push(FieldChange::value(
            HistoryField::Tags.as_str(),
            Some(old_tags.join(", ")),
            Some(tags.join(", ")),
        ));
    }
    if source != cur.source {
        h.push(FieldChange::value(
            HistoryField::Source.as_str(),
            cur.source.clone(),
            source.clone(),
        ));
    }
    if due_at != cur.due_at {
        h.push(FieldChange::value(
            HistoryField::DueAt.as_str(),
            show_time(cur.due_at),
            show_time(due_at),
        ));
    }
    if summary_score != cur.summary_score {
        h.push(FieldChange::value(
            HistoryField::SummaryScore.as_str(),
            cur.summary_score.map(|s| s.to_string()),
            summary_score.map(|s| s.to_string()),
        ));
    }
    if summary_comment != cur.summary_comment {
        h.push(FieldChange::value(
            HistoryField::SummaryComment.as_str(),
            cur.summary_comment.clone(),
            summary_comment.clone(),
        ));
    }
    if is_public != cur.is_public {
        h.push(FieldChange::value(
            HistoryField::Public.as_str(),
            Some(cur.is_public.to_string()),
            Some(is_public.to_string()),
        ));
    }
    if snooze.until != cur.snooze_until {
        h.push(FieldChange::value(
            HistoryField::SnoozeUntil.as_str(),
            show_time(cur.snooze_until),
            show_time(snooze.until),
        ));
        // The reopen job follows the snooze: moved with it, or withdrawn.
        match snooze.until {
            Some(until) => crate::jobs::enqueue(c, crate::jobs::tasks::reopen_job(id, until))?,
            None => crate::jobs::cancel(c, &crate::jobs::tasks::reopen_key(id))?,
        }
    }
    let mut keys: Vec<&String> = old_fields.keys().chain(fields.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        if old_fields.get(k) != fields.get(k) {
            h.push(FieldChange::value(
                HistoryField::custom(k),
                show_value(old_fields.get(k)),
                show_value(fields.get(k)),
            ));
        }
    }
    record_changes(c, id, &actor, t, &h, comment_id)?;
    emit(
        c,
        Some(id),
        &actor,
        t,
        &Event::TicketUpdated {
            changes: h,
            comment_id,
        },
    )?;
    Ok(Updated::Changed)
}

/// Deletes a ticket with its comments, tags and history (admins only).
pub fn delete(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    expected: Option<i64>,
) -> Result<(), ServiceError> {
    let row: TicketRow = super::find_row(c, id)?.ok_or(ServiceError::NotFound("ticket"))?;
    if super::access(c, who, &row)?.is_none() {
        return Err(ServiceError::NotFound("ticket"));
    }
    who.require_admin()?;
    if expected.is_some_and(|v| v != row.version) {
        return Err(ServiceError::Stale {
            current_version: row.version,
        });
    }
    diesel::delete(tickets::table.find(id)).execute(c)?;
    emit(
        c,
        Some(id),
        &Actor::of(who),
        now(),
        &Event::TicketDeleted { number: row.number },
    )?;
    Ok(())
}
