//! Notifications: who is told what about a ticket, in the app and by email.
//!
//! A consumer of the outbox: each committed ticket event is turned, in the
//! job runner's fan-out transaction, into at most one notification per
//! person (unique per person and event, so a repeated fan-out adds nothing)
//! and, where the person wants it, one `notification.email` job. Who hears
//! of a change: the ticket's owner, or, while it has none, the members of its
//! group; a new owner or a group that receives an unowned ticket hears of
//! that. Nobody is told of their own change; deactivated people are not told.
//! An email notification names the change and links to the ticket: a
//! customer's message is never forwarded to agents' inboxes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::{Event, StoredEvent};
use lazo_domain::notification::{
    Change, Detail, MarkRead, MarkedRead, Notification, NotificationPage, NotificationPref,
    NotificationPrefs,
};
use lazo_domain::wire::FieldError;
use lazo_domain::{ErrorCode, HistoryField, NotificationKind, Priority};
use lazo_storage::schema::{
    group_members, notification_prefs, notifications, statuses, ticket_groups, ticket_imports,
    tickets, users,
};
use lazo_storage::{now, utc, Db, DbConn};
use lettre::message::header::ContentType;
use lettre::Message;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::auth::Principal;
use crate::email::MailConfig;
use crate::jobs::{EventConsumer, NewJob, Outcome, Registry};
use crate::ServiceError;

pub const EMAIL: &str = "notification.email";

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct Row {
    id: i64,
    user_id: i64,
    ticket_id: Option<i64>,
    kind: String,
    title: String,
    detail: String,
    actor: String,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
    emailed_at: Option<NaiveDateTime>,
    detail_data: Option<String>,
}

impl Row {
    /// The notification, its detail in `lang` when it has one and the row
    /// kept the detail as data (else the text written for the account).
    fn wire(self, lang: Option<(&str, &RecordNames)>) -> Notification {
        let detail = match (lang, &self.detail_data) {
            (Some((lang, names)), Some(data)) => serde_json::from_str::<Detail>(data)
                .map(|d| names.localize(&d, lang).render(lang))
                .unwrap_or(self.detail),
            _ => self.detail,
        };
        Notification {
            id: self.id,
            kind: self.kind.parse().unwrap_or(NotificationKind::Status),
            ticket_id: self.ticket_id,
            title: self.title,
            detail,
            actor: self.actor,
            created_at: utc(self.created_at),
            read_at: self.read_at.map(utc),
        }
    }
}

/// `None` is written as NULL, not DEFAULT (the same here), which SQLite
/// needs to insert many rows in one statement.
#[derive(Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
struct NewRow<'a> {
    user_id: i64,
    ticket_id: Option<i64>,
    event_id: i64,
    kind: &'a str,
    title: &'a str,
    detail: &'a str,
    actor: &'a str,
    in_app: bool,
    created_at: NaiveDateTime,
    detail_data: Option<&'a str>,
}

/// The caller's effective choice for every kind.
pub fn prefs(c: &mut DbConn, user_id: i64) -> Result<NotificationPrefs, ServiceError> {
    let stored: BTreeMap<String, (bool, bool)> = notification_prefs::table
        .filter(notification_prefs::user_id.eq(user_id))
        .select((
            notification_prefs::kind,
            (notification_prefs::in_app, notification_prefs::email),
        ))
        .load::<(String, (bool, bool))>(c)?
        .into_iter()
        .collect();
    Ok(NotificationPrefs {
        items: NotificationKind::ALL
            .iter()
            .map(|k| {
                let (in_app, email) = stored
                    .get(k.as_str())
                    .copied()
                    .unwrap_or((true, k.emails_by_default()));
                NotificationPref {
                    kind: *k,
                    in_app,
                    email,
                }
            })
            .collect(),
    })
}

fn me(who: &Principal) -> Result<i64, ServiceError> {
    who.user()
        .map(|u| u.id)
        .ok_or_else(|| ServiceError::Forbidden("notifications belong to people, not tokens".into()))
}

/// Replaces the caller's choices (kinds not listed keep theirs).
pub fn set_prefs(
    c: &mut DbConn,
    who: &Principal,
    body: &NotificationPrefs,
) -> Result<NotificationPrefs, ServiceError> {
    let uid = me(who)?;
    for (i, p) in body.items.iter().enumerate() {
        if body.items[..i].iter().any(|q| q.kind == p.kind) {
            return Err(ServiceError::invalid(vec![FieldError::new(
                format!("items[{i}].kind"),
                ErrorCode::Duplicate,
                "each kind at most once",
            )]));
        }
    }
    for p in &body.items {
        diesel::delete(
            notification_prefs::table
                .filter(notification_prefs::user_id.eq(uid))
                .filter(notification_prefs::kind.eq(p.kind.as_str())),
        )
        .execute(c)?;
        diesel::insert_into(notification_prefs::table)
            .values((
                notification_prefs::user_id.eq(uid),
                notification_prefs::kind.eq(p.kind.as_str()),
                notification_prefs::in_app.eq(p.in_app),
                notification_prefs::email.eq(p.email),
            ))
            .execute(c)?;
    }
    prefs(c, uid)
}

fn unread(c: &mut DbConn, uid: i64) -> Result<i64, ServiceError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(uid))
        .filter(notifications::in_app.eq(true))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(c)?)
}

/// The caller's notifications, newest first, below id `before` (0: from
/// the newest), their details in `lang` (see
/// [`lazo_domain::notification::negotiate_language`]) or, without one, as
/// written for the account.
pub fn list(
    c: &mut DbConn,
    who: &Principal,
    only_unread: bool,
    before: i64,
    limit: i64,
    lang: Option<&str>,
) -> Result<NotificationPage, ServiceError> {
    let uid = me(who)?;
    let mut q = notifications::table
        .filter(notifications::user_id.eq(uid))
        .filter(notifications::in_app.eq(true))
        .into_boxed();
    if before > 0 {
        q = q.filter(notifications::id.lt(before));
    }
    if only_unread {
        q = q.filter(notifications::read_at.is_null());
    }
    let mut rows: Vec<Row> = q
        .order(notifications::id.desc())
        .limit(limit + 1)
        .select(Row::as_select())
        .load(c)?;
    let next_cursor = (rows.len() as i64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    let names = match lang {
        Some(l) if rows.iter().any(|r| r.detail_data.is_some()) => Some((l, RecordNames::load(c)?)),
        _ => None,
    };
    let lang = names.as_ref().map(|(l, n)| (*l, n));
    Ok(NotificationPage {
        items: rows.into_iter().map(|r| r.wire(lang)).collect(),
        next_cursor,
        unread: unread(c, uid)?,
    })
}

pub fn mark_read(
    c: &mut DbConn,
    who: &Principal,
    body: &MarkRead,
) -> Result<MarkedRead, ServiceError> {
    let uid = me(who)?;
    if !body.all && body.ids.is_empty() {
        return Err(ServiceError::invalid(vec![FieldError::new(
            "ids",
            ErrorCode::Required,
            "give the ids to mark read, or all: true",
        )]));
    }
    if body.ids.len() > 500 {
        return Err(ServiceError::invalid(vec![FieldError::new(
            "ids",
            ErrorCode::TooMany,
            "at most 500 ids",
        )]));
    }
    let mut q = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(uid))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    if !body.all {
        q = q.filter(notifications::id.eq_any(body.ids.clone()));
    }
    let marked = q.set(notifications::read_at.eq(now())).execute(c)? as i64;
    Ok(MarkedRead {
        marked,
        unread: unread(c, uid)?,
    })
}

// ---------------------------------------------------------------------------
// Who hears of what

#[derive(Queryable)]
struct TicketFacts {
    id: i64,
    number: i64,
    subject: String,
    owner_id: Option<i64>,
    group_id: Option<i64>,
}

/// The facts of the tickets `ids`, by id (a ticket deleted since is absent).
fn facts(c: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, TicketFacts>> {
    let rows: Vec<TicketFacts> = tickets::table
        .filter(lazo_storage::id_in(c, "tickets.id", ids))
        .select((
            tickets::id,
            tickets::number,
            tickets::subject,
            tickets::owner_id,
            tickets::group_id,
        ))
        .load(c)?;
    Ok(rows.into_iter().map(|t| (t.id, t)).collect())
}

fn active_members(c: &mut DbConn, group: i64) -> QueryResult<Vec<i64>> {
    group_members::table
        .inner_join(users::table)
        .filter(group_members::group_id.eq(group))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(c)
}

/// What the events of one fan-out batch share, read once for all of them:
/// group members, people's language and choices, the record names.
#[derive(Default)]
struct Lookups {
    members: HashMap<i64, Vec<i64>>,
    people: HashMap<i64, (String, NotificationPrefs)>,
    names: Option<RecordNames>,
}

impl Lookups {
    fn members(&mut self, c: &mut DbConn, group: i64) -> QueryResult<Vec<i64>> {
        if let Some(m) = self.members.get(&group) {
            return Ok(m.clone());
        }
        let m = active_members(c, group)?;
        self.members.insert(group, m.clone());
        Ok(m)
    }

    /// The people responsible for the ticket now: its owner, else its group.
    fn watchers(&mut self, c: &mut DbConn, t: &TicketFacts) -> QueryResult<Vec<i64>> {
        match (t.owner_id, t.group_id) {
            (Some(o), _) => Ok(vec![o]),
            (None, Some(g)) => self.members(c, g),
            (None, None) => Ok(vec![]),
        }
    }

    /// A person's language and notification choices.
    fn person(
        &mut self,
        c: &mut DbConn,
        uid: i64,
    ) -> Result<&(String, NotificationPrefs), ServiceError> {
        if let std::collections::hash_map::Entry::Vacant(v) = self.people.entry(uid) {
            let lang: String = users::table
                .find(uid)
                .select(users::language)
                .first(c)
                .optional()?
                .unwrap_or_default();
            v.insert((lang, prefs(c, uid)?));
        }
        Ok(&self.people[&uid])
    }

    fn names(&mut self, c: &mut DbConn) -> QueryResult<&RecordNames> {
        if self.names.is_none() {
            self.names = Some(RecordNames::load(c)?);
        }
        Ok(self.names.as_ref().expect("just loaded"))
    }
}

/// The change of one history field, as a notification tells it (names as
/// recorded; [`RecordNames::localize`] puts them in the reader's language).
fn change(ch: &lazo_domain::event::FieldChange) -> Change {
    Change {
        old: ch.old.clone(),
        new: ch.new.clone(),
    }
}

/// Who is told of `event`, why, and what. Earlier entries for a person win
/// (a new owner hears "assigned", not also "status").
fn recipients(
    look: &mut Lookups,
    c: &mut DbConn,
    t: &TicketFacts,
    event: &Event,
) -> QueryResult<Vec<(i64, NotificationKind, Detail)>> {
    let mut out: Vec<(i64, NotificationKind, Detail)> = vec![];
    let mut add = |ids: Vec<i64>, k: NotificationKind, d: Detail| {
        for id in ids {
            if !out.iter().any(|(u, _, _)| *u == id) {
                out.push((id, k, d.clone()));
            }
        }
    };
    match event {
        Event::TicketCreated { .. } => add(
            look.watchers(c, t)?,
            NotificationKind::Created,
            Detail::Created,
        ),
        Event::TicketUpdated { changes, .. } => {
            let field = |f: HistoryField| changes.iter().find(|ch| ch.field == f.as_str());
            if let Some(ch) = field(HistoryField::Owner) {
                if let Some(new) = ch.new_id {
                    add(
                        vec![new],
                        NotificationKind::Assigned,
                        Detail::Owner(change(ch)),
                    );
                }
            }
            if let Some(ch) = field(HistoryField::Group) {
                let d = Detail::Group(change(ch));
                match (t.owner_id, ch.new_id) {
                    (None, Some(g)) => add(look.members(c, g)?, NotificationKind::GroupAssigned, d),
                    _ => add(look.watchers(c, t)?, NotificationKind::Group, d),
                }
            }
            if let Some(ch) = field(HistoryField::Priority) {
                let rank = |v: &Option<String>| {
                    v.as_deref()
                        .and_then(|s| s.parse::<Priority>().ok())
                        .map(|p| p.rank())
                };
                let (old, new) = (rank(&ch.old), rank(&ch.new));
                if new >= Some(Priority::High.rank()) && new > old {
                    add(
                        look.watchers(c, t)?,
                        NotificationKind::Escalated,
                        Detail::Priority(change(ch)),
                    );
                }
            }
            if let Some(ch) = field(HistoryField::Status) {
                add(
                    look.watchers(c, t)?,
                    NotificationKind::Status,
                    Detail::Status(change(ch)),
                );
            }
            if let Some(ch) = field(HistoryField::Tags) {
                add(
                    look.watchers(c, t)?,
                    NotificationKind::Tags,
                    Detail::Tags(change(ch)),
                );
            }
        }
        Event::TicketCommented { internal, .. } => add(
            look.watchers(c, t)?,
            NotificationKind::Commented,
            Detail::Commented {
                internal: *internal,
            },
        ),
        // The merged ticket is closed: its people hear of it as a status
        // change that says where the work went.
        Event::TicketMerged {
            into_number,
            changes,
            ..
        } => {
            let status = changes
                .iter()
                .find(|ch| ch.field == HistoryField::Status.as_str())
                .map(change);
            add(
                look.watchers(c, t)?,
                NotificationKind::Status,
                Detail::Merged {
                    into_number: *into_number,
                    status,
                },
            )
        }
        Event::EmailReceived { auto: false, .. } => add(
            look.watchers(c, t)?,
            NotificationKind::EmailReceived,
            Detail::CustomerEmail,
        ),
        Event::AttachmentAdded { filename, .. } => add(
            look.watchers(c, t)?,
            NotificationKind::Attachments,
            Detail::FileAdded(filename.clone()),
        ),
        Event::AttachmentRemoved { filename, .. } => add(
            look.watchers(c, t)?,
            NotificationKind::Attachments,
            Detail::FileRemoved(filename.clone()),
        ),
        _ => {}
    }
    Ok(out)
}

/// Status and group names per language, to tell each person a change in
/// their language. A value is translated only while it is still the
/// record's base name (as the SPA's history does): a record renamed since
/// keeps the name it had then.
struct RecordNames {
    statuses: BTreeMap<String, lazo_domain::Names>,
    groups: BTreeMap<String, lazo_domain::Names>,
}

impl RecordNames {
    fn load(c: &mut DbConn) -> QueryResult<RecordNames> {
        let parse = |rows: Vec<(String, String)>| {
            rows.into_iter()
                .map(|(name, names)| (name, serde_json::from_str(&names).unwrap_or_default()))
                .collect()
        };
        Ok(RecordNames {
            statuses: parse(
                statuses::table
                    .select((statuses::name, statuses::names))
                    .load(c)?,
            ),
            groups: parse(
                ticket_groups::table
                    .select((ticket_groups::name, ticket_groups::names))
                    .load(c)?,
            ),
        })
    }

    fn localize(&self, d: &Detail, lang: &str) -> Detail {
        let tr = |map: &BTreeMap<String, lazo_domain::Names>, ch: &Change| {
            let one = |v: &Option<String>| {
                v.as_ref().map(|v| match map.get(v) {
                    Some(n) => n.localized(lang, v).to_owned(),
                    None => v.clone(),
                })
            };
            Change {
                old: one(&ch.old),
                new: one(&ch.new),
            }
        };
        match d {
            Detail::Status(ch) => Detail::Status(tr(&self.statuses, ch)),
            Detail::Group(ch) => Detail::Group(tr(&self.groups, ch)),
            Detail::Merged {
                into_number,
                status,
            } => Detail::Merged {
                into_number: *into_number,
                status: status.as_ref().map(|ch| tr(&self.statuses, ch)),
            },
            other => other.clone(),
        }
    }
}

/// Fans ticket events out to the people who should hear of them.
pub struct NotificationConsumer;

impl EventConsumer for NotificationConsumer {
    fn name(&self) -> &str {
        "notifications"
    }

    fn jobs_for(&self, c: &mut DbConn, events: &[StoredEvent]) -> anyhow::Result<Vec<NewJob>> {
        let mut tids: Vec<i64> = events.iter().filter_map(|e| e.ticket_id).collect();
        tids.sort_unstable();
        tids.dedup();
        if tids.is_empty() {
            return Ok(vec![]);
        }
        let facts = facts(c, &tids)?;
        // Tickets brought over from another help desk are history, not news:
        // an import of ten thousand tickets must not ring ten thousand bells.
        let created: Vec<i64> = events
            .iter()
            .filter(|e| matches!(e.event, Event::TicketCreated { .. }))
            .filter_map(|e| e.ticket_id)
            .collect();
        let imported: HashSet<i64> = if created.is_empty() {
            HashSet::new()
        } else {
            ticket_imports::table
                .filter(lazo_storage::id_in(c, "ticket_imports.ticket_id", &created))
                .select(ticket_imports::ticket_id)
                .load::<i64>(c)?
                .into_iter()
                .collect()
        };
        let mut look = Lookups::default();
        // Who is told of what, per event, before anything is written.
        let mut told = vec![];
        for event in events {
            let Some(tid) = event.ticket_id else { continue };
            let Some(t) = facts.get(&tid) else { continue };
            if matches!(event.event, Event::TicketCreated { .. }) && imported.contains(&tid) {
                continue;
            }
            let actor_user = (event.actor.kind == "user")
                .then_some(event.actor.id)
                .flatten();
            for (uid, kind, detail) in recipients(&mut look, c, t, &event.event)? {
                if Some(uid) != actor_user {
                    told.push((event, t, uid, kind, detail));
                }
            }
        }
        if told.is_empty() {
            return Ok(vec![]);
        }
        // A repeated fan-out adds nothing: (person, event) is unique.
        let mut uids: Vec<i64> = told.iter().map(|(_, _, u, _, _)| *u).collect();
        uids.sort_unstable();
        uids.dedup();
        let eids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let exists: HashSet<(i64, i64)> = notifications::table
            .filter(lazo_storage::id_in(c, "notifications.user_id", &uids))
            .filter(lazo_storage::id_in(c, "notifications.event_id", &eids))
            .select((notifications::user_id, notifications::event_id))
            .load::<(i64, i64)>(c)?
            .into_iter()
            .collect();
        struct Out {
            uid: i64,
            tid: i64,
            event_id: i64,
            kind: NotificationKind,
            title: String,
            detail: String,
            data: String,
            in_app: bool,
            email: bool,
        }
        let mut out = vec![];
        for (event, t, uid, kind, detail) in told {
            if exists.contains(&(uid, event.id)) {
                continue;
            }
            let (lang, p) = look.person(c, uid)?;
            let (lang, p) = (
                lang.clone(),
                p.items
                    .iter()
                    .find(|p| p.kind == kind)
                    .cloned()
                    .expect("prefs list every kind"),
            );
            if !p.in_app && !p.email {
                continue;
            }
            let data = serde_json::to_string(&detail)?;
            let detail = look.names(c)?.localize(&detail, &lang).render(&lang);
            out.push(Out {
                uid,
                tid: event.ticket_id.expect("told only of ticket events"),
                event_id: event.id,
                kind,
                title: format!("#{} {}", t.number, t.subject),
                detail,
                data,
                in_app: p.in_app,
                email: p.email,
            });
        }
        let actors: HashMap<i64, &str> = events
            .iter()
            .map(|e| (e.id, e.actor.name.as_str()))
            .collect();
        let t = now();
        let rows: Vec<NewRow> = out
            .iter()
            .map(|o| NewRow {
                user_id: o.uid,
                ticket_id: Some(o.tid),
                event_id: o.event_id,
                kind: o.kind.as_str(),
                title: &o.title,
                detail: &o.detail,
                actor: actors[&o.event_id],
                in_app: o.in_app,
                created_at: t,
                detail_data: Some(&o.data),
            })
            .collect();
        let emailed: HashSet<(i64, i64)> = out
            .iter()
            .filter(|o| o.email)
            .map(|o| (o.uid, o.event_id))
            .collect();
        let mut jobs = vec![];
        // Ten columns a row: under SQLite's 32,766 bound parameters.
        for chunk in rows.chunks(1_000) {
            let ids: Vec<(i64, i64, i64)> = lazo_storage::each_backend!(c, conn => diesel::insert_into(notifications::table)
                .values(chunk)
                .returning((notifications::id, notifications::user_id, notifications::event_id))
                .get_results(conn))?;
            let mut ids = ids;
            // RETURNING's order is not promised: jobs in the order written.
            ids.sort_unstable();
            for (id, uid, eid) in ids {
                if emailed.contains(&(uid, eid)) {
                    jobs.push(
                        NewJob::new(EMAIL, json!({ "notification_id": id }))
                            .key(format!("{EMAIL}:{id}")),
                    );
                }
            }
        }
        Ok(jobs)
    }
}

/// Adds the consumer and the email job. `public_url` is where links in
/// emails point (`LAZO_PUBLIC_URL`).
pub fn register(r: &mut Registry, mail: Arc<MailConfig>, public_url: String) {
    r.consume(Arc::new(NotificationConsumer));
    let smtp = Arc::new(crate::email::delivery::Smtp::default());
    r.register(EMAIL, move |db: &Db, payload: &Value| {
        let id = payload["notification_id"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("payload without notification_id"))?;
        send_email(db, &mail, &smtp, &public_url, id)
    });
}

fn send_email(
    db: &Db,
    cfg: &MailConfig,
    smtp: &crate::email::delivery::Smtp,
    public_url: &str,
    id: i64,
) -> anyhow::Result<Outcome> {
    let found = db.with_conn::<_, ServiceError, _>(|c| {
        let Some(n) = notifications::table
            .find(id)
            .select(Row::as_select())
            .first::<Row>(c)
            .optional()?
        else {
            return Ok(None);
        };
        let to: Option<(String, String, bool, String)> = users::table
            .find(n.user_id)
            .select((users::name, users::email, users::active, users::language))
            .first(c)
            .optional()?;
        // The SPA's address of a ticket is its number (`/tickets/1042`).
        let number: Option<i64> = match n.ticket_id {
            Some(t) => tickets::table
                .find(t)
                .select(tickets::number)
                .first(c)
                .optional()?,
            None => None,
        };
        Ok(Some((n, to, number)))
    })?;
    // Gone, already emailed, or the person left: nothing to send.
    let Some((n, Some((name, email, true, lang)), number)) = found else {
        return Ok(Outcome::Done);
    };
    if n.emailed_at.is_some() {
        return Ok(Outcome::Done);
    }
    let link = number
        .map(|t| format!("{}/tickets/{t}", public_url.trim_end_matches('/')))
        .unwrap_or_default();
    // The detail was written in the person's language; the lines around
    // it follow.
    let (by, why) = lazo_domain::notification::email_words(&lang);
    let body = format!(
        "{detail}\n{by}\n\n{title}\n{link}\n\n-- \n{why}\n",
        detail = n.detail,
        by = if n.actor.is_empty() {
            String::new()
        } else {
            format!("{by} {}", n.actor)
        },
        title = n.title,
    );
    let to = format!("{name} <{email}>")
        .parse()
        .or_else(|_| email.parse())
        .map_err(|e| anyhow::anyhow!("address {email:?}: {e}"))?;
    let msg = Message::builder()
        .from(cfg.from.clone())
        .to(to)
        .subject(format!("{}: {}", n.title, n.detail))
        // The same id on every try: a retry never makes a second email.
        .message_id(Some(format!(
            "<lazo.notification.{}@{}>",
            n.id,
            cfg.domain()
        )))
        .header(ContentType::TEXT_PLAIN)
        .header(crate::mailer::AutoGenerated)
        .body(body)?;
    match crate::mailer::send(cfg, smtp, &msg) {
        Ok(()) => {}
        Err(crate::mailer::SendError::Permanent(e)) => {
            tracing::warn!(notification_id = id, error = %e, "notification email refused for good");
        }
        Err(e) => return Err(e.into()),
    }
    db.transaction::<_, ServiceError, _>(|c| {
        diesel::update(notifications::table.find(id))
            .set(notifications::emailed_at.eq(now()))
            .execute(c)?;
        Ok(())
    })?;
    Ok(Outcome::Done)
}
