//! The follow-up page query: visibility, filters, keyset pagination and
//! per-status counts. Every filter maps to an indexed column (see the
//! migration) and pages are keyset-based, so page N costs what page 1 does.

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};
use lazo_domain::wire::{TextQuery, TicketFilter};
use lazo_domain::{SortDir, SortKey, StatusCategory};
use serde::{Deserialize, Serialize};

use super::TicketRow;
use crate::auth::Principal;
use crate::error::ServiceError;
use lazo_storage::schema::{survey_responses, ticket_tags, tickets};
use lazo_storage::{Backend, DbBackend, DbConn};

diesel::define_sql_function!(fn coalesce(x: Nullable<Timestamp>, y: Timestamp) -> Timestamp);

type Boxed = tickets::BoxedQuery<'static, DbBackend>;

/// Sort value for tickets without a due date: after every real date.
fn far_future() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid date")
}

pub(crate) fn backend_of(c: &DbConn) -> Backend {
    match c {
        DbConn::Sqlite(_) => Backend::Sqlite,
        DbConn::Pg(_) => Backend::Postgres,
    }
}

/// What limits an agent's view of the ticket table.
#[derive(Debug, Clone)]
pub struct Visibility {
    pub user_id: i64,
    pub group_ids: Vec<i64>,
    pub parents_of_mine: Vec<i64>,
}

/// `None` for callers who see every ticket.
pub fn visibility(c: &mut DbConn, who: &Principal) -> Result<Option<Visibility>, ServiceError> {
    let Principal::User(u) = who else {
        return Ok(None);
    };
    if u.role.sees_all_tickets() {
        return Ok(None);
    }
    // A range scan of tickets_owner_parent.
    let parents_of_mine: Vec<Option<i64>> = tickets::table
        .filter(tickets::owner_id.eq(u.id))
        .filter(tickets::parent_id.is_not_null())
        .select(tickets::parent_id)
        .load(c)?;
    Ok(Some(Visibility {
        user_id: u.id,
        group_ids: u.group_ids.clone(),
        parents_of_mine: parents_of_mine.into_iter().flatten().collect(),
    }))
}

/// Applies visibility and filters to a boxed query over `tickets` (plain or
/// grouped: diesel cannot group an already boxed query, so this is a macro
/// rather than a function over one query type).
macro_rules! apply_filters {
    ($q:expr, $backend:expr, $visibility:expr, $me:expr, $f:expr, $now:expr) => {
        apply_filters!($q, $backend, $visibility, $me, $f, $now, false)
    };
    ($q:expr, $backend:expr, $visibility:expr, $me:expr, $f:expr, $now:expr, $counting:expr) => {{
        let mut q = $q;
        let counting: bool = $counting;
        let (visibility, me, f, now): (
            Option<&Visibility>,
            Option<i64>,
            &TicketFilter,
            NaiveDateTime,
        ) = ($visibility, $me, $f, $now);
        let backend: Backend = $backend;
        if let Some(v) = visibility {
            // Owned, held by one of the caller's groups, a sub-ticket of a
            // ticket so held (denormalised parent columns), or the parent of a
            // sub-ticket the caller owns (ids found beforehand: a handful).
            q = q.filter(
                tickets::owner_id
                    .eq(v.user_id)
                    .or(tickets::group_id.eq_any(v.group_ids.clone()))
                    .or(tickets::parent_owner_id.eq(v.user_id))
                    .or(tickets::parent_group_id.eq_any(v.group_ids.clone()))
                    .or(tickets::id.eq_any(v.parents_of_mine.clone())),
            );
        }
        if !f.status_ids.is_empty() {
            q = q.filter(tickets::status_id.eq_any(f.status_ids.clone()));
        }
        if !f.categories.is_empty() {
            q = q.filter(
                tickets::status_category.eq_any(
                    f.categories
                        .iter()
                        .map(|c| c.as_str().to_owned())
                        .collect::<Vec<_>>(),
                ),
            );
        }
        if !f.priorities.is_empty() {
            q = q.filter(
                tickets::priority.eq_any(f.priorities.iter().map(|p| p.rank()).collect::<Vec<_>>()),
            );
        }
        if let Some(o) = &f.owner {
            let mut ids = o.ids.clone();
            if o.me {
                if let Some(me) = me {
                    ids.push(me);
                }
            }
            q = match (o.none, ids.is_empty()) {
                (true, true) => q.filter(tickets::owner_id.is_null()),
                (true, false) => q.filter(
                    tickets::owner_id
                        .is_null()
                        .or(tickets::owner_id.eq_any(ids)),
                ),
                (false, _) => q.filter(tickets::owner_id.eq_any(ids)),
            };
        }
        q = match (f.group_none, f.group_ids.is_empty()) {
            (false, true) => q,
            (true, true) => q.filter(tickets::group_id.is_null()),
            (true, false) => q.filter(
                tickets::group_id
                    .is_null()
                    .or(tickets::group_id.eq_any(f.group_ids.clone())),
            ),
            (false, false) => q.filter(tickets::group_id.eq_any(f.group_ids.clone())),
        };
        if !f.origin_group_ids.is_empty() {
            q = q.filter(tickets::origin_group_id.eq_any(f.origin_group_ids.clone()));
        }
        if !f.type_ids.is_empty() {
            q = q.filter(tickets::type_id.eq_any(f.type_ids.clone()));
        }
        if !f.sources.is_empty() {
            q = q.filter(tickets::source.eq_any(f.sources.clone()));
        }
        if !f.tags.is_empty() && counting {
            // Counting visits every tagged ticket anyway: one pass over the
            // tag index beats a probe per ticket.
            let tagged = ticket_tags::table.filter(ticket_tags::tag.eq_any(f.tags.clone())).select(ticket_tags::ticket_id);
            q = q.filter(tickets::id.eq_any(tagged));
        } else if !f.tags.is_empty() {
            // Correlated EXISTS: an ordered page probes the tag index row by
            // row and stops at the page size, instead of materialising and
            // sorting every tagged ticket.
            let tagged = ticket_tags::table
                .filter(ticket_tags::ticket_id.eq(tickets::id))
                .filter(ticket_tags::tag.eq_any(f.tags.clone()));
            q = q.filter(diesel::dsl::exists(tagged));
        }
        if !f.surveys.is_empty() {
            let answered = survey_responses::table
                .filter(survey_responses::survey.eq_any(f.surveys.clone()))
                .select(survey_responses::id.nullable());
            q = q.filter(tickets::survey_response_id.eq_any(answered));
        }
        if let Some(s) = f.score_min {
            q = q.filter(tickets::summary_score.ge(s));
        }
        if let Some(s) = f.score_max {
            q = q.filter(tickets::summary_score.le(s));
        }
        if let Some(t) = f.created_from {
            q = q.filter(tickets::created_at.ge(t.naive_utc()));
        }
        if let Some(t) = f.created_to {
            q = q.filter(tickets::created_at.lt(t.naive_utc()));
        }
        if let Some(t) = f.updated_from {
            q = q.filter(tickets::updated_at.ge(t.naive_utc()));
        }
        if let Some(t) = f.updated_to {
            q = q.filter(tickets::updated_at.lt(t.naive_utc()));
        }
        match f.overdue {
            Some(true) => {
                q = q
                    .filter(tickets::status_category.ne(StatusCategory::Closed.as_str()))
                    .filter(tickets::due_at.lt(now));
            }
            Some(false) => {
                q = q.filter(
                    tickets::due_at
                        .is_null()
                        .or(tickets::due_at.ge(now))
                        .or(tickets::status_category.eq(StatusCategory::Closed.as_str())),
                );
            }
            None => {}
        }
        match &f.text {
            Some(TextQuery::Number(n, _)) => {
                q = q.filter(tickets::number.eq(*n));
            }
            Some(TextQuery::Email(e)) => {
                // A prefix range, so the requester_email index serves it.
                q = q
                    .filter(tickets::requester_email.ge(e.clone()))
                    .filter(tickets::requester_email.lt(format!("{e}\u{10FFFF}")));
            }
            Some(TextQuery::Words(terms)) => {
                // Full-text indexes (see the migrations), word prefixes ANDed.
                q = match backend {
                    Backend::Sqlite => {
                        let m = fts5_match(terms);
                        q.filter(
                            sql::<Bool>("tickets.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                                .bind::<Text, _>(m)
                                .sql(")"),
                        )
                    }
                    Backend::Postgres => {
                        let m = terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ");
                        q.filter(
                            sql::<Bool>("to_tsvector('simple', tickets.subject || ' ' || tickets.description) @@ to_tsquery('simple', ")
                                .bind::<Text, _>(m)
                                .sql(")"),
                        )
                    }
                };
            }
            None => {}
        }
        q
    }};
}

/// Tickets visible under `visibility`, narrowed by `f` (no sort, no paging).
pub fn filtered(
    backend: Backend,
    visibility: Option<&Visibility>,
    me: Option<i64>,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Boxed {
    apply_filters!(tickets::table.into_boxed(), backend, visibility, me, f, now)
}

/// Where the next page starts: the last row's sort value and id.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Sort key the cursor was made for.
    s: String,
    /// Sort value: a timestamp or an integer.
    v: serde_json::Value,
    id: i64,
}

const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

fn bad_cursor() -> ServiceError {
    ServiceError::BadRequest {
        code: "invalid_cursor",
        detail: "the cursor is not one this list returned; start again without it".into(),
        errors: vec![],
    }
}

fn decode_cursor(s: &str, key: SortKey) -> Result<Cursor, ServiceError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad_cursor())?;
    if c.s != key.as_str() {
        return Err(bad_cursor());
    }
    Ok(c)
}

fn encode_cursor(key: SortKey, row: &TicketRow) -> String {
    let v = match key {
        SortKey::Created => serde_json::json!(row.created_at.format(TS_FORMAT).to_string()),
        SortKey::Updated => serde_json::json!(row.updated_at.format(TS_FORMAT).to_string()),
        SortKey::Due => serde_json::json!(row
            .due_at
            .unwrap_or_else(far_future)
            .format(TS_FORMAT)
            .to_string()),
        SortKey::Priority => serde_json::json!(row.priority),
        SortKey::Number => serde_json::json!(row.number),
    };
    let c = Cursor {
        s: key.as_str().to_owned(),
        v,
        id: row.id,
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&c).unwrap_or_default())
}

fn ts(v: &serde_json::Value) -> Result<NaiveDateTime, ServiceError> {
    v.as_str()
        .and_then(|s| NaiveDateTime::parse_from_str(s, TS_FORMAT).ok())
        .ok_or_else(bad_cursor)
}

fn int(v: &serde_json::Value) -> Result<i64, ServiceError> {
    v.as_i64().ok_or_else(bad_cursor)
}

macro_rules! after {
    ($q:expr, $col:expr, $val:expr, $id:expr, $dir:expr) => {
        match $dir {
            SortDir::Desc => $q.filter($col.lt($val).or($col.eq($val).and(tickets::id.lt($id)))),
            SortDir::Asc => $q.filter($col.gt($val).or($col.eq($val).and(tickets::id.gt($id)))),
        }
    };
}

macro_rules! order {
    ($q:expr, $col:expr, $dir:expr) => {
        match $dir {
            SortDir::Desc => $q.order(($col.desc(), tickets::id.desc())),
            SortDir::Asc => $q.order(($col.asc(), tickets::id.asc())),
        }
    };
}

/// The FTS5 query for search terms: word prefixes, all required. Terms are
/// letters and digits only (`search_terms`), quoted anyway.
fn fts5_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which tickets a page may come from when the words are searched by
/// walking the full-text index (see [`words_by_created`]): the matches on
/// the near side of `edge` in id order, and `extra` matches beyond it.
struct Candidates<'a> {
    fts: &'a str,
    edge: i64,
    dir: SortDir,
    extra: Vec<i64>,
}

/// One page of the follow-up list and the cursor of the next.
pub fn page(
    c: &mut DbConn,
    who: &Principal,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<(Vec<TicketRow>, Option<String>), ServiceError> {
    let vis = visibility(c, who)?;
    let mut rows = match (&f.text, f.sort, backend_of(c)) {
        (Some(TextQuery::Words(terms)), SortKey::Created, Backend::Sqlite) => {
            match words_by_created(c, who, vis.as_ref(), f, now, terms)? {
                Some(rows) => rows,
                None => load_page(c, who, vis.as_ref(), f, now, None)?,
            }
        }
        _ => load_page(c, who, vis.as_ref(), f, now, None)?,
    };
    let next = if rows.len() as i64 > f.limit {
        rows.truncate(f.limit as usize);
        rows.last().map(|r| encode_cursor(f.sort, r))
    } else {
        None
    };
    Ok((rows, next))
}

/// Matches to read from the full-text index per try, first and at most.
const WALK_FIRST: i64 = 1_024;
const WALK_MAX: i64 = 65_536;
/// Tickets beyond the walked ids that could still sort into the page
/// (created out of id order: imports of recent tickets, clock skew), at most.
const OUT_OF_ORDER_MAX: i64 = 256;

/// A word search sorted by creation on SQLite, without reading every match.
///
/// FTS5 hands out matches in rowid (ticket id) order and stops when told,
/// but sorting every match by date means reading all of them: 0.4 s for a
/// word in a fifth of a million tickets. Ids are given in creation order,
/// so the first K matches in id order from the page's end almost always
/// hold the page: take them, build the page from them, and then make sure
/// no ticket beyond them could sort into it. Such a ticket is on the far
/// side of the K-th id and on the page's side of its last row's date; an
/// index range finds those (normally none), and the full-text index says
/// which of them match. Not enough rows from K matches: try 4K. `None`
/// asks for the plain query: fewer than K matches in all (cheap to sort)
/// or too many tries.
fn words_by_created(
    c: &mut DbConn,
    who: &Principal,
    vis: Option<&Visibility>,
    f: &TicketFilter,
    now: NaiveDateTime,
    terms: &[String],
) -> Result<Option<Vec<TicketRow>>, ServiceError> {
    #[derive(QueryableByName)]
    struct Rowid {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rowid: i64,
    }
    let fts = fts5_match(terms);
    let order = match f.dir {
        SortDir::Desc => "DESC",
        SortDir::Asc => "ASC",
    };
    let walk = format!(
        "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid {order} LIMIT 1 OFFSET ?"
    );
    let mut k = WALK_FIRST;
    while k <= WALK_MAX {
        let edge: Option<Rowid> = diesel::sql_query(&walk)
            .bind::<Text, _>(&fts)
            .bind::<diesel::sql_types::BigInt, _>(k - 1)
            .get_result(c)
            .optional()?;
        let Some(Rowid { rowid: edge }) = edge else {
            return Ok(None);
        };
        let mut cand = Candidates {
            fts: &fts,
            edge,
            dir: f.dir,
            extra: vec![],
        };
        let rows = load_page(c, who, vis, f, now, Some(&cand))?;
        let Some(last) = rows.get(f.limit as usize) else {
            k *= 4;
            continue;
        };
        let far = tickets::table.select(tickets::id).into_boxed();
        let far = match f.dir {
            SortDir::Desc => far
                .filter(tickets::created_at.ge(last.created_at))
                .filter(tickets::id.lt(edge)),
            SortDir::Asc => far
                .filter(tickets::created_at.le(last.created_at))
                .filter(tickets::id.gt(edge)),
        };
        let far: Vec<i64> = far.limit(OUT_OF_ORDER_MAX + 1).load(c)?;
        if far.is_empty() {
            return Ok(Some(rows));
        }
        if far.len() as i64 > OUT_OF_ORDER_MAX {
            return Ok(None);
        }
        let list = far.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        cand.extra = diesel::sql_query(format!(
            "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid IN ({list})"
        ))
        .bind::<Text, _>(&fts)
        .load::<Rowid>(c)?
        .into_iter()
        .map(|r| r.rowid)
        .collect();
        if cand.extra.is_empty() {
            return Ok(Some(rows));
        }
        return Ok(Some(load_page(c, who, vis, f, now, Some(&cand))?));
    }
    Ok(None)
}

/// The page's rows and one more (there is a next page when it is there):
/// the filter's tickets, or only the `candidates` among them (their words
/// are then matched through the candidates, not the filter).
fn load_page(
    c: &mut DbConn,
    who: &Principal,
    vis: Option<&Visibility>,
    f: &TicketFilter,
    now: NaiveDateTime,
    candidates: Option<&Candidates>,
) -> Result<Vec<TicketRow>, ServiceError> {
    let mut q = match candidates {
        None => filtered(backend_of(c), vis, who.user().map(|u| u.id), f, now),
        Some(cand) => {
            let words_elsewhere = TicketFilter {
                text: None,
                ..f.clone()
            };
            let q = filtered(
                backend_of(c),
                vis,
                who.user().map(|u| u.id),
                &words_elsewhere,
                now,
            );
            let (side, range) = match cand.dir {
                SortDir::Desc => (">=", ">="),
                SortDir::Asc => ("<=", "<="),
            };
            let extra = cand
                .extra
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            q.filter(
                sql::<Bool>(&format!("((tickets.id {side} "))
                    .bind::<diesel::sql_types::BigInt, _>(cand.edge)
                    .sql(" AND tickets.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                    .bind::<Text, _>(cand.fts.to_owned())
                    .sql(&format!(" AND rowid {range} "))
                    .bind::<diesel::sql_types::BigInt, _>(cand.edge)
                    .sql(&format!(")) OR tickets.id IN ({extra}))")),
            )
        }
    };
    let far = far_future();
    if let Some(cur) = &f.cursor {
        let cur = decode_cursor(cur, f.sort)?;
        q = match f.sort {
            SortKey::Created => after!(q, tickets::created_at, ts(&cur.v)?, cur.id, f.dir),
            SortKey::Updated => after!(q, tickets::updated_at, ts(&cur.v)?, cur.id, f.dir),
            SortKey::Due if f.overdue == Some(true) => {
                after!(q, tickets::due_at, ts(&cur.v)?, cur.id, f.dir)
            }
            SortKey::Due => after!(
                q,
                coalesce(tickets::due_at, far),
                ts(&cur.v)?,
                cur.id,
                f.dir
            ),
            SortKey::Priority => {
                let p = i16::try_from(int(&cur.v)?).map_err(|_| bad_cursor())?;
                after!(q, tickets::priority, p, cur.id, f.dir)
            }
            SortKey::Number => after!(q, tickets::number, int(&cur.v)?, cur.id, f.dir),
        };
    }
    q = match f.sort {
        SortKey::Created => order!(q, tickets::created_at, f.dir),
        SortKey::Updated => order!(q, tickets::updated_at, f.dir),
        // Overdue tickets all have a due date: sort on the indexed column.
        SortKey::Due if f.overdue == Some(true) => order!(q, tickets::due_at, f.dir),
        SortKey::Due => order!(q, coalesce(tickets::due_at, far), f.dir),
        SortKey::Priority => order!(q, tickets::priority, f.dir),
        SortKey::Number => order!(q, tickets::number, f.dir),
    };
    Ok(q.limit(f.limit + 1)
        .select(TicketRow::as_select())
        .load(c)?)
}

/// Count of matching tickets per status id: summed from the `ticket_counts`
/// rollup when it covers every active filter ([`super::rollup::covers`]),
/// else one pass over the filtered tickets. Both give the same answer.
pub fn counts(
    c: &mut DbConn,
    who: &Principal,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    if super::rollup::covers(f) {
        return super::rollup::counts(c, who, f, now);
    }
    let vis = visibility(c, who)?;
    scan_counts(c, vis.as_ref(), who.user().map(|u| u.id), f, now)
}

/// Per-status counts by a GROUP BY over the filtered tickets (a covering
/// index serves the common filters): the fallback of [`counts`] and the
/// rollup's way to count part of a day exactly.
pub fn scan_counts(
    c: &mut DbConn,
    vis: Option<&Visibility>,
    me: Option<i64>,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    let grouped = tickets::table
        .group_by(tickets::status_id)
        .select((tickets::status_id, diesel::dsl::count_star()))
        .into_boxed();
    Ok(apply_filters!(grouped, backend_of(c), vis, me, f, now, true).load(c)?)
}

/// Sub-tickets of `parent` visible to `who`, oldest first.
pub fn page_children(
    c: &mut DbConn,
    who: &Principal,
    parent: i64,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<(Vec<TicketRow>, Option<String>), ServiceError> {
    let vis = visibility(c, who)?;
    let mut q = filtered(
        backend_of(c),
        vis.as_ref(),
        who.user().map(|u| u.id),
        f,
        now,
    )
    .filter(tickets::parent_id.eq(parent));
    if let Some(cur) = &f.cursor {
        let cur = decode_cursor(cur, SortKey::Created)?;
        q = after!(q, tickets::created_at, ts(&cur.v)?, cur.id, SortDir::Asc);
    }
    let mut rows: Vec<TicketRow> = order!(q, tickets::created_at, SortDir::Asc)
        .limit(f.limit + 1)
        .select(TicketRow::as_select())
        .load(c)?;
    let next = if rows.len() as i64 > f.limit {
        rows.truncate(f.limit as usize);
        rows.last().map(|r| encode_cursor(SortKey::Created, r))
    } else {
        None
    };
    Ok((rows, next))
}

/// How many sub-tickets of `parent` `who` may see.
pub fn count_children(c: &mut DbConn, who: &Principal, parent: i64) -> Result<i64, ServiceError> {
    let vis = visibility(c, who)?;
    let all = TicketFilter::default();
    Ok(filtered(
        backend_of(c),
        vis.as_ref(),
        who.user().map(|u| u.id),
        &all,
        chrono::Utc::now().naive_utc(),
    )
    .filter(tickets::parent_id.eq(parent))
    .count()
    .get_result(c)?)
}
