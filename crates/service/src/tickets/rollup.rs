//! Per-status counts from the `ticket_counts` rollup (migration 000009).
//!
//! Triggers on `tickets` keep one row per UTC creation day and combination
//! of status, category, priority, owner, group, parent owner, parent group,
//! type and source, in the transaction of every statement that changes a
//! ticket. SQLite upserts the rollup directly (one writer). PostgreSQL
//! appends to `ticket_count_deltas` instead, because an upsert would hold the
//! row of (today, New, ...) locked until each creating transaction commits
//! and so serialise concurrent creates; [`compact`] (the
//! `tickets.compact_counts` job) folds committed deltas in, and readers add
//! rollup and pending deltas in one snapshot.
//!
//! A count is then: whole UTC days of the range summed from the rollup, the
//! partial days at either end counted exactly by the index scan (a day is
//! ~2,500 tickets at a million), plus, for an agent, the parents of their
//! sub-tickets that nothing else lets them see (a handful of rows, checked
//! one by one). Filters the rollup has no column for fall back to the scan.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::connection::{TransactionManager, TransactionManagerStatus};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use lazo_domain::wire::TicketFilter;
use std::collections::BTreeMap;

use super::list::{backend_of, filtered, scan_counts, visibility, Visibility};
use crate::auth::Principal;
use crate::error::ServiceError;
use lazo_storage::schema::{ticket_count_deltas, ticket_counts, ticket_month_counts, tickets};
use lazo_storage::DbConn;

const DAY: i64 = 86_400;

/// Whether every active filter of `f` has a rollup column. Destructured
/// field by field so a new filter does not compile until it is sorted into
/// covered or not: a filter left out here would be silently ignored.
pub fn covers(f: &TicketFilter) -> bool {
    let TicketFilter {
        status_ids: _,
        categories: _,
        priorities: _,
        owner: _,
        group_ids: _,
        group_none: _,
        type_ids: _,
        sources: _,
        created_from: _,
        created_to: _,
        // Not rolled up: origin group (one more column multiplies the rows
        // for a filter the page rarely uses), tags and surveys (other
        // tables), scores, the update time (changes on every write), overdue
        // (depends on the time of the query) and text search.
        origin_group_ids,
        tags,
        surveys,
        score_min,
        score_max,
        updated_from,
        updated_to,
        overdue,
        text,
        // Paging and order do not change counts.
        sort: _,
        dir: _,
        cursor: _,
        limit: _,
    } = f;
    origin_group_ids.is_empty()
        && tags.is_empty()
        && surveys.is_empty()
        && score_min.is_none()
        && score_max.is_none()
        && updated_from.is_none()
        && updated_to.is_none()
        && overdue.is_none()
        && text.is_none()
}

/// A creation range cut at UTC midnights: whole days `[lo, hi)` (either end
/// open) for the rollup, and up to two partial days for the scan.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    lo: Option<i64>,
    hi: Option<i64>,
    edges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

fn day_start(day: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(day * DAY, 0).expect("a day within chrono's range")
}

fn on_midnight(t: DateTime<Utc>) -> bool {
    t.timestamp().rem_euclid(DAY) == 0 && t.timestamp_subsec_nanos() == 0
}

/// `None` when the range holds no whole day: the scan counts it (less than
/// two days of tickets).
fn split(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<Split> {
    let lo = from.map(|t| t.timestamp().div_euclid(DAY) + i64::from(!on_midnight(t)));
    let hi = to.map(|t| t.timestamp().div_euclid(DAY));
    if let (Some(l), Some(h)) = (lo, hi) {
        if l >= h {
            return None;
        }
    }
    let mut edges = Vec::new();
    if let (Some(t), Some(l)) = (from, lo) {
        if !on_midnight(t) {
            edges.push((t, day_start(l)));
        }
    }
    if let (Some(t), Some(h)) = (to, hi) {
        if !on_midnight(t) {
            edges.push((day_start(h), t));
        }
    }
    Some(Split { lo, hi, edges })
}

/// Months since 1970-01 of a day since 1970-01-01 (UTC), as the migration's
/// triggers compute it.
fn month_of(day: i64) -> i64 {
    let date = day_start(day).date_naive();
    (i64::from(date.year()) - 1970) * 12 + i64::from(date.month0())
}

/// The first day of a month since 1970-01.
fn month_start(month: i64) -> i64 {
    let year = i32::try_from(1970 + month.div_euclid(12)).expect("a year chrono holds");
    let first = NaiveDate::from_ymd_opt(year, month.rem_euclid(12) as u32 + 1, 1)
        .expect("the first of a month");
    first
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp()
        .div_euclid(DAY)
}

/// Whole days `[lo, hi)` read at the coarsest level that fits: whole
/// calendar months from `ticket_month_counts`, the days before the first and
/// after the last of them from `ticket_counts` (at most two short ranges).
#[derive(Debug, PartialEq, Eq)]
struct Levels {
    days: Vec<(Option<i64>, Option<i64>)>,
    months: Option<(Option<i64>, Option<i64>)>,
}

fn by_month(lo: Option<i64>, hi: Option<i64>) -> Levels {
    let first = lo.map(|l| {
        let m = month_of(l);
        if month_start(m) == l {
            m
        } else {
            m + 1
        }
    });
    // The month holding `hi` is not whole: its days up to `hi` are read by
    // day.
    let last = hi.map(month_of);
    if let (Some(a), Some(b)) = (first, last) {
        if a >= b {
            return Levels {
                days: vec![(lo, hi)],
                months: None,
            };
        }
    }
    let mut days = Vec::new();
    if let (Some(l), Some(m)) = (lo, first) {
        if l < month_start(m) {
            days.push((Some(l), Some(month_start(m))));
        }
    }
    if let (Some(h), Some(m)) = (hi, last) {
        if month_start(m) < h {
            days.push((Some(month_start(m)), Some(h)));
        }
    }
    Levels {
        days,
        months: Some((first, last)),
    }
}

/// Applies the filter to a grouped, boxed query over `ticket_counts`,
/// `ticket_month_counts` or `ticket_count_deltas` (same columns but the key,
/// `day` or `month`, bounded by `[lo, hi)`; NULL stored as 0 or '').
macro_rules! rollup_sum {
    ($t:ident, $key:ident, $c:expr, $vis:expr, $me:expr, $f:expr, $lo:expr, $hi:expr) => {{
        let (vis, me, f, lo, hi): (
            Option<&Visibility>,
            Option<i64>,
            &TicketFilter,
            Option<i64>,
            Option<i64>,
        ) = ($vis, $me, $f, $lo, $hi);
        let mut q = $t::table
            .group_by($t::status_id)
            .select(($t::status_id, diesel::dsl::sum($t::n)))
            .into_boxed();
        if let Some(d) = lo {
            q = q.filter($t::$key.ge(d));
        }
        if let Some(d) = hi {
            q = q.filter($t::$key.lt(d));
        }
        if let Some(v) = vis {
            // The visibility of `list::apply_filters` but for the parents of
            // the caller's sub-tickets, which `counts` adds row by row.
            q = q.filter(
                $t::owner_id
                    .eq(v.user_id)
                    .or($t::group_id.eq_any(v.group_ids.clone()))
                    .or($t::parent_owner_id.eq(v.user_id))
                    .or($t::parent_group_id.eq_any(v.group_ids.clone())),
            );
        }
        if !f.status_ids.is_empty() {
            q = q.filter($t::status_id.eq_any(f.status_ids.clone()));
        }
        if !f.categories.is_empty() {
            q = q.filter(
                $t::status_category.eq_any(
                    f.categories
                        .iter()
                        .map(|c| c.as_str().to_owned())
                        .collect::<Vec<_>>(),
                ),
            );
        }
        if !f.priorities.is_empty() {
            q = q.filter(
                $t::priority.eq_any(f.priorities.iter().map(|p| p.rank()).collect::<Vec<_>>()),
            );
        }
        if let Some(o) = &f.owner {
            let mut ids = real_ids(&o.ids);
            if o.me {
                if let Some(me) = me {
                    ids.push(me);
                }
            }
            q = match (o.none, ids.is_empty()) {
                (true, true) => q.filter($t::owner_id.eq(0)),
                (true, false) => q.filter($t::owner_id.eq(0).or($t::owner_id.eq_any(ids))),
                (false, _) => q.filter($t::owner_id.eq_any(ids)),
            };
        }
        let groups = real_ids(&f.group_ids);
        q = match (f.group_none, f.group_ids.is_empty()) {
            (false, true) => q,
            (true, true) => q.filter($t::group_id.eq(0)),
            (true, false) => q.filter($t::group_id.eq(0).or($t::group_id.eq_any(groups))),
            (false, false) => q.filter($t::group_id.eq_any(groups)),
        };
        if !f.type_ids.is_empty() {
            q = q.filter($t::type_id.eq_any(real_ids(&f.type_ids)));
        }
        if !f.sources.is_empty() {
            let sources: Vec<String> = f
                .sources
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect();
            q = q.filter($t::source.eq_any(sources));
        }
        q.load::<(i64, Option<i64>)>($c)
    }};
}

/// Ids a row can hold: 0 stands for NULL in the rollup, so a requested id
/// of 0 (or below) must not match the unassigned rows. The query parser
/// already refuses them; the service does not rely on its callers for that.
fn real_ids(ids: &[i64]) -> Vec<i64> {
    ids.iter().copied().filter(|&i| i > 0).collect()
}

/// The counts of [`super::list::counts`] when [`covers`] holds: in one
/// read-only snapshot (REPEATABLE READ on PostgreSQL), so a compaction
/// committing between the statements neither hides nor doubles a delta.
pub fn counts(
    c: &mut DbConn,
    who: &Principal,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    let in_transaction = matches!(
        <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(c),
        TransactionManagerStatus::Valid(s) if s.transaction_depth().is_some()
    );
    if in_transaction {
        return counts_in_snapshot(c, who, f, now);
    }
    if let DbConn::Sqlite(_) = c {
        return c.transaction(|c| counts_in_snapshot(c, who, f, now));
    }
    // The snapshot's level in BEGIN itself: one round trip, where diesel's
    // transaction and a SET TRANSACTION took two.
    lazo_storage::transaction_begun_with(
        c,
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        |c| counts_in_snapshot(c, who, f, now),
    )
}

fn counts_in_snapshot(
    c: &mut DbConn,
    who: &Principal,
    f: &TicketFilter,
    now: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    let vis = visibility(c, who)?;
    let me = who.user().map(|u| u.id);
    let Some(split) = split(f.created_from, f.created_to) else {
        return scan_counts(c, vis.as_ref(), me, f, now);
    };
    let mut total: BTreeMap<i64, i64> = BTreeMap::new();
    let mut add = |rows: Vec<(i64, i64)>| {
        for (status, n) in rows {
            *total.entry(status).or_default() += n;
        }
    };
    for (from, to) in &split.edges {
        let part = TicketFilter {
            created_from: Some(*from),
            created_to: Some(*to),
            ..f.clone()
        };
        add(scan_counts(c, vis.as_ref(), me, &part, now)?);
    }
    let (lo, hi) = (split.lo, split.hi);
    let levels = by_month(lo, hi);
    let mut rolled = Vec::new();
    for (lo, hi) in levels.days {
        rolled.extend(rollup_sum!(
            ticket_counts,
            day,
            c,
            vis.as_ref(),
            me,
            f,
            lo,
            hi
        )?);
    }
    if let Some((lo, hi)) = levels.months {
        rolled.extend(rollup_sum!(
            ticket_month_counts,
            month,
            c,
            vis.as_ref(),
            me,
            f,
            lo,
            hi
        )?);
    }
    // Pending deltas (PostgreSQL) are few and keyed by day: the whole range.
    let pending = rollup_sum!(ticket_count_deltas, day, c, vis.as_ref(), me, f, lo, hi)?;
    add(rolled
        .into_iter()
        .chain(pending)
        .map(|(s, n)| (s, n.unwrap_or(0)))
        .collect());
    if let Some(v) = &vis {
        add(parents_seen_only_as_parents(c, v, me, f, &split, now)?);
    }
    Ok(total.into_iter().filter(|(_, n)| *n != 0).collect())
}

/// The whole-day part of the range, as the scan's filter.
fn whole_days(f: &TicketFilter, split: &Split) -> TicketFilter {
    TicketFilter {
        created_from: split.lo.map(day_start),
        created_to: split.hi.map(day_start),
        ..f.clone()
    }
}

/// Tickets in the whole days that the caller sees only because they own one
/// of its sub-tickets: the rollup has no row for "parent of mine", so these
/// are loaded (a handful) and checked against the rest of the visibility.
fn parents_seen_only_as_parents(
    c: &mut DbConn,
    v: &Visibility,
    me: Option<i64>,
    f: &TicketFilter,
    split: &Split,
    now: NaiveDateTime,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    if v.parents_of_mine.is_empty() {
        return Ok(vec![]);
    }
    // (status, owner, group, parent owner, parent group)
    type Row = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = filtered(backend_of(c), None, me, &whole_days(f, split), now)
        .filter(tickets::id.eq_any(v.parents_of_mine.clone()))
        .select((
            tickets::status_id,
            tickets::owner_id,
            tickets::group_id,
            tickets::parent_owner_id,
            tickets::parent_group_id,
        ))
        .load(c)?;
    let mine = |u: Option<i64>| u == Some(v.user_id);
    let ours = |g: Option<i64>| g.is_some_and(|g| v.group_ids.contains(&g));
    Ok(rows
        .into_iter()
        .filter(|(_, owner, group, p_owner, p_group)| {
            !(mine(*owner) || ours(*group) || mine(*p_owner) || ours(*p_group))
        })
        .map(|(status, ..)| (status, 1))
        .collect())
}

#[derive(QueryableByName)]
struct FoldedDay {
    #[diesel(sql_type = BigInt)]
    day: i64,
}

/// Folds the committed deltas into the rollup (PostgreSQL) and drops rollup
/// rows that reached zero; returns how many deltas were folded.
///
/// Safe beside writers and other compactions: the DELETE only takes
/// committed delta rows, and a second compaction waits on the rows the first
/// is deleting, then skips them once they are gone, so each delta is added
/// exactly once; the rollup and the deltas change in one transaction, which
/// a reader's snapshot sees whole or not at all.
pub fn compact(c: &mut DbConn) -> Result<usize, ServiceError> {
    const KEY: &str = "day, status_id, status_category, priority, owner_id, group_id, \
                       parent_owner_id, parent_group_id, type_id, source";
    match c {
        DbConn::Pg(_) => {
            // One compaction at a time across processes: the month trigger
            // upserts rows in the order of the fold, and two folds upserting
            // the same month rows in different orders could deadlock.
            diesel::sql_query("SELECT pg_advisory_xact_lock(7204816530)").execute(c)?;
            let folded: Vec<FoldedDay> = diesel::sql_query(format!(
                "WITH moved AS (DELETE FROM ticket_count_deltas RETURNING {KEY}, n)
                 INSERT INTO ticket_counts ({KEY}, n)
                 SELECT {KEY}, sum(n) FROM moved GROUP BY {KEY}
                 ON CONFLICT ({KEY}) DO UPDATE SET n = ticket_counts.n + EXCLUDED.n
                 RETURNING day"
            ))
            .load(c)?;
            let mut days: Vec<i64> = folded.iter().map(|d| d.day).collect();
            days.sort_unstable();
            days.dedup();
            // Only the days just touched: a range of the primary key, not a
            // pass over the whole rollup every few seconds.
            diesel::delete(
                ticket_counts::table
                    .filter(ticket_counts::day.eq_any(days))
                    .filter(ticket_counts::n.eq(0)),
            )
            .execute(c)?;
            drop_empty_months(c)?;
            Ok(folded.len())
        }
        DbConn::Sqlite(_) => {
            diesel::delete(ticket_counts::table.filter(ticket_counts::n.eq(0))).execute(c)?;
            drop_empty_months(c)?;
            Ok(0)
        }
    }
}

/// The month level has a few rows per month and combination: a pass over
/// it is cheap, and keeps it from collecting zeros.
fn drop_empty_months(c: &mut DbConn) -> Result<(), ServiceError> {
    diesel::delete(ticket_month_counts::table.filter(ticket_month_counts::n.eq(0))).execute(c)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> i64 {
        t(s).timestamp() / DAY
    }

    #[test]
    fn a_range_splits_into_whole_days_and_exact_edges() {
        let s = split(
            Some(t("2026-10-27T14:03:00.25Z")),
            Some(t("2026-11-26T09:00:00Z")),
        )
        .unwrap();
        assert_eq!(s.lo, Some(day("2026-10-28T00:00:00Z")));
        assert_eq!(s.hi, Some(day("2026-11-26T00:00:00Z")));
        assert_eq!(
            s.edges,
            vec![
                (t("2026-10-27T14:03:00.25Z"), t("2026-10-28T00:00:00Z")),
                (t("2026-11-26T00:00:00Z"), t("2026-11-26T09:00:00Z")),
            ]
        );
    }

    #[test]
    fn midnights_need_no_edge_and_open_ends_no_bound() {
        let s = split(Some(t("2026-10-27T00:00:00Z")), None).unwrap();
        assert_eq!((s.lo, s.hi), (Some(day("2026-10-27T00:00:00Z")), None));
        assert!(s.edges.is_empty());
        let s = split(None, Some(t("2026-10-27T00:00:00.000001Z"))).unwrap();
        assert_eq!((s.lo, s.hi), (None, Some(day("2026-10-27T00:00:00Z"))));
        assert_eq!(s.edges.len(), 1);
        let s = split(None, None).unwrap();
        assert_eq!((s.lo, s.hi, s.edges.len()), (None, None, 0));
    }

    #[test]
    fn a_range_without_a_whole_day_is_left_to_the_scan() {
        assert!(split(
            Some(t("2026-10-27T01:00:00Z")),
            Some(t("2026-10-28T23:00:00Z"))
        )
        .is_none());
        assert!(split(
            Some(t("2026-10-28T00:00:00Z")),
            Some(t("2026-10-27T00:00:00Z"))
        )
        .is_none());
    }

    #[test]
    fn long_ranges_read_whole_months_and_days_at_the_ends() {
        let (lo, hi) = (day("2026-08-14T00:00:00Z"), day("2026-11-26T00:00:00Z"));
        assert_eq!(
            by_month(Some(lo), Some(hi)),
            Levels {
                days: vec![
                    (Some(lo), Some(day("2026-09-01T00:00:00Z"))),
                    (Some(day("2026-11-01T00:00:00Z")), Some(hi)),
                ],
                months: Some((
                    Some(month_of(day("2026-09-01T00:00:00Z"))),
                    Some(month_of(hi))
                )),
            }
        );
        // All dates: the month level alone.
        assert_eq!(
            by_month(None, None),
            Levels {
                days: vec![],
                months: Some((None, None))
            }
        );
        // Starting on the first of a month, ending on the first of another:
        // no days.
        let l = by_month(
            Some(day("2026-01-01T00:00:00Z")),
            Some(day("2026-03-01T00:00:00Z")),
        );
        assert!(l.days.is_empty());
        assert_eq!(l.months, Some((Some(672), Some(674))));
        // Within one month, or across one month boundary without a whole
        // month: days only.
        let (lo, hi) = (day("2026-10-27T00:00:00Z"), day("2026-11-26T00:00:00Z"));
        assert_eq!(
            by_month(Some(lo), Some(hi)),
            Levels {
                days: vec![(Some(lo), Some(hi))],
                months: None
            }
        );
    }

    #[test]
    fn months_count_from_1970_both_ways() {
        assert_eq!(month_of(0), 0);
        assert_eq!(month_of(day("2000-01-01T00:00:00Z")), 360);
        assert_eq!(month_of(-1), -1);
        assert_eq!(month_start(-1), day("1969-12-01T00:00:00Z"));
        assert_eq!(month_start(671), day("2025-12-01T00:00:00Z"));
        for m in [-25, -1, 0, 1, 11, 12, 360, 682] {
            assert_eq!(month_of(month_start(m)), m);
            assert_eq!(month_of(month_start(m) - 1), m - 1);
        }
    }

    #[test]
    fn days_before_1970_round_down() {
        let s = split(Some(t("1969-12-31T12:00:00Z")), None).unwrap();
        assert_eq!(s.lo, Some(0));
        assert_eq!(s.edges, vec![(t("1969-12-31T12:00:00Z"), day_start(0))]);
    }
}
