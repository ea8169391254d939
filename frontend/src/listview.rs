//! The follow-up list's state as it lives in the URL, and the columns a person
//! chose. Pure, so it is unit-tested on the host.
//!
//! The URL query string *is* a [`TicketQuery`] (the same struct the API parses),
//! with one twist: the page defaults to the last 30 days, so an absent
//! `created_from` means "30 days before today" and an empty one means "no lower
//! bound". A bookmarked default view therefore keeps meaning "the last 30 days".
//! A search (`q`) is the exception: a ticket looked for by number, email or
//! words is found however old it is, so with `q` an absent `created_from`
//! means "no lower bound" (an explicit one still applies).

use chrono::{Days, NaiveDate};
use lazo_domain::wire::TicketQuery;
use lazo_domain::SortKey;

/// How far back the follow-up page looks by default.
pub const DEFAULT_DAYS: u64 = 30;
/// Rows fetched per page; the API allows up to 200.
pub const PAGE_SIZE: i64 = 50;

/// The default lower bound of the reported date.
pub fn default_from(today: NaiveDate) -> String {
    crate::dates::iso_date(
        today
            .checked_sub_days(Days::new(DEFAULT_DAYS))
            .unwrap_or(today),
    )
}

/// The lower bound of the reported date when the URL names none: the last 30
/// days, or all dates for a search.
pub fn implied_from(text: Option<&str>, today: NaiveDate) -> Option<String> {
    match text {
        Some(_) => None,
        None => Some(default_from(today)),
    }
}

/// The list with another search text. A lower bound that was only implied
/// by the old text follows the new one (searching looks in all dates,
/// clearing the search brings the last 30 days back); a chosen one stays.
pub fn with_text(q: &TicketQuery, text: Option<String>, today: NaiveDate) -> TicketQuery {
    let mut out = q.clone();
    if q.created_from == implied_from(q.q.as_deref(), today) {
        out.created_from = implied_from(text.as_deref(), today);
    }
    out.q = text;
    out
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads the list state from a URL query string (with or without `?`).
pub fn from_search(search: &str, today: NaiveDate) -> TicketQuery {
    let search = search.trim_start_matches('?');
    let mut q: TicketQuery = serde_urlencoded::from_str(search).unwrap_or_default();
    let has_from = search
        .split('&')
        .any(|kv| kv.split('=').next() == Some("created_from"));
    q.q = clean(q.q);
    q.created_from = if has_from {
        clean(q.created_from)
    } else {
        implied_from(q.q.as_deref(), today)
    };
    q.status = clean(q.status);
    q.category = clean(q.category);
    q.priority = clean(q.priority);
    q.owner = clean(q.owner);
    q.group = clean(q.group);
    q.origin_group = clean(q.origin_group);
    q.ticket_type = clean(q.ticket_type);
    q.source = clean(q.source);
    q.tags = clean(q.tags);
    q.survey = clean(q.survey);
    q.created_to = clean(q.created_to);
    q.updated_from = clean(q.updated_from);
    q.updated_to = clean(q.updated_to);
    q.sort = clean(q.sort);
    q.order = clean(q.order);
    q.cursor = None;
    q.limit = None;
    q
}

/// Writes the list state as a URL query string (without `?`); the inverse of
/// [`from_search`].
pub fn to_search(q: &TicketQuery, today: NaiveDate) -> String {
    let mut q = q.clone();
    q.cursor = None;
    q.limit = None;
    let implied = implied_from(q.q.as_deref(), today);
    let from = q.created_from.take();
    let mut s = serde_urlencoded::to_string(&q).unwrap_or_default();
    match from {
        f if f == implied => {}
        Some(f) => {
            let part = serde_urlencoded::to_string([("created_from", f)]).unwrap_or_default();
            push_part(&mut s, &part);
        }
        None => push_part(&mut s, "created_from="),
    }
    s
}

fn push_part(s: &mut String, part: &str) {
    if !s.is_empty() {
        s.push('&');
    }
    s.push_str(part);
}

/// How many filters of the bar differ from the default view (the phone's
/// folded filter bar shows the number on its button). The search, the
/// status tiles and the sort are not in the bar.
pub fn active_filters(q: &TicketQuery, today: NaiveDate) -> usize {
    [
        q.priority.is_some(),
        q.owner.is_some(),
        q.group.is_some(),
        q.ticket_type.is_some(),
        q.origin_group.is_some(),
        q.source.is_some(),
        q.overdue.is_some(),
        q.tags.is_some(),
        q.survey.is_some(),
        q.score_min.is_some() || q.score_max.is_some(),
        q.created_from != implied_from(q.q.as_deref(), today),
        q.created_to.is_some(),
    ]
    .iter()
    .filter(|on| **on)
    .count()
}

/// The query string of `GET /api/v1/tickets` for one page of the list.
pub fn api_list_query(q: &TicketQuery, cursor: Option<&str>, limit: i64) -> String {
    let mut q = q.clone();
    q.cursor = cursor.map(str::to_owned);
    q.limit = Some(limit);
    serde_urlencoded::to_string(&q).unwrap_or_default()
}

/// The query string of `GET /api/v1/tickets/counts` behind the status tiles:
/// every filter but the status itself, so each tile shows what clicking it
/// would list.
pub fn api_counts_query(q: &TicketQuery) -> String {
    let mut q = q.clone();
    q.status = None;
    q.category = None;
    q.sort = None;
    q.order = None;
    q.cursor = None;
    q.limit = None;
    serde_urlencoded::to_string(&q).unwrap_or_default()
}

/// The sort a header click asks for: the same key flips the direction, a new
/// key starts descending (newest, most urgent first).
pub fn toggle_sort(q: &TicketQuery, key: SortKey) -> (String, String) {
    let current = q
        .sort
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SortKey::Created);
    let desc = q.order.as_deref() != Some("asc");
    if current == key {
        (
            key.as_str().to_owned(),
            if desc { "asc" } else { "desc" }.to_owned(),
        )
    } else {
        (key.as_str().to_owned(), "desc".to_owned())
    }
}

/// Columns of the follow-up table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Subject,
    Email,
    Status,
    Priority,
    Owner,
    Group,
    OriginGroup,
    Reported,
    Updated,
    Due,
    Comment,
}

impl Column {
    pub const ALL: &'static [Column] = &[
        Column::Number,
        Column::Subject,
        Column::Email,
        Column::Status,
        Column::Priority,
        Column::Owner,
        Column::Group,
        Column::OriginGroup,
        Column::Reported,
        Column::Updated,
        Column::Due,
        Column::Comment,
    ];
    /// Shown until a person chooses otherwise (the column list).
    pub const DEFAULT: &'static [Column] = &[
        Column::Number,
        Column::Subject,
        Column::Email,
        Column::Status,
        Column::Priority,
        Column::Owner,
        Column::Group,
        Column::Reported,
        Column::Updated,
        // What is late has to show without configuring anything.
        Column::Due,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Column::Number => "number",
            Column::Subject => "subject",
            Column::Email => "email",
            Column::Status => "status",
            Column::Priority => "priority",
            Column::Owner => "owner",
            Column::Group => "group",
            Column::OriginGroup => "origin_group",
            Column::Reported => "reported",
            Column::Updated => "updated",
            Column::Due => "due",
            Column::Comment => "comment",
        }
    }

    /// The API sort key behind a column header, when it sorts.
    pub fn sort_key(self) -> Option<SortKey> {
        match self {
            Column::Number => Some(SortKey::Number),
            Column::Priority => Some(SortKey::Priority),
            Column::Reported => Some(SortKey::Created),
            Column::Updated => Some(SortKey::Updated),
            Column::Due => Some(SortKey::Due),
            _ => None,
        }
    }
}

/// Parses a stored column list; unknown names are dropped, an empty or
/// unreadable list falls back to the defaults. The subject always shows.
pub fn parse_columns(s: &str) -> Vec<Column> {
    let mut cols: Vec<Column> = Column::ALL
        .iter()
        .copied()
        .filter(|c| s.split(',').any(|k| k.trim() == c.key()))
        .collect();
    if cols.is_empty() {
        return Column::DEFAULT.to_vec();
    }
    if !cols.contains(&Column::Subject) {
        cols.insert(1.min(cols.len()), Column::Subject);
        cols.sort_by_key(|c| Column::ALL.iter().position(|a| a == c));
    }
    cols
}

pub fn columns_to_string(cols: &[Column]) -> String {
    cols.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
}

/// Where a ticket sits in the list it was opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Zero-based index.
    pub index: usize,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

/// Finds `id` in the walked list.
pub fn position(ids: &[i64], id: i64) -> Option<Position> {
    let index = ids.iter().position(|&x| x == id)?;
    Some(Position {
        index,
        prev: index.checked_sub(1).map(|i| ids[i]),
        next: ids.get(index + 1).copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
    }

    #[test]
    fn an_empty_url_means_the_last_thirty_days() {
        let q = from_search("", today());
        assert_eq!(q.created_from.as_deref(), Some("2026-03-01"));
        assert_eq!(to_search(&q, today()), "");
    }

    #[test]
    fn an_empty_created_from_means_no_lower_bound_and_survives_the_round_trip() {
        let q = from_search("?created_from=", today());
        assert_eq!(q.created_from, None);
        assert_eq!(to_search(&q, today()), "created_from=");
        assert_eq!(from_search(&to_search(&q, today()), today()), q);
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let q = TicketQuery {
            status: Some("2".into()),
            priority: Some("high,critical".into()),
            owner: Some("me".into()),
            group: Some("3".into()),
            tags: Some("vip".into()),
            q: Some("late delivery & refund".into()),
            created_from: Some("2026-01-01".into()),
            created_to: Some("2026-02-01".into()),
            sort: Some("priority".into()),
            order: Some("asc".into()),
            ..Default::default()
        };
        let s = to_search(&q, today());
        assert!(s.contains("q=late+delivery+%26+refund"), "{s}");
        assert_eq!(from_search(&s, today()), q);
    }

    #[test]
    fn a_search_looks_in_all_dates_unless_a_date_was_chosen() {
        let q = from_search("q=%231042", today());
        assert_eq!(q.created_from, None);
        assert_eq!(to_search(&q, today()), "q=%231042");
        // A chosen lower bound stays, the default one included.
        let q = from_search("q=refund&created_from=2026-03-01", today());
        assert_eq!(q.created_from.as_deref(), Some("2026-03-01"));
        assert_eq!(from_search(&to_search(&q, today()), today()), q);
    }

    #[test]
    fn searching_drops_the_implied_range_and_clearing_brings_it_back() {
        let q = from_search("", today());
        let searched = with_text(&q, Some("1042".into()), today());
        assert_eq!(searched.created_from, None);
        assert_eq!(to_search(&searched, today()), "q=1042");
        let cleared = with_text(&searched, None, today());
        assert_eq!(cleared, q);
        // A range the person chose is theirs to keep.
        let q = from_search("created_from=2026-01-01", today());
        let searched = with_text(&q, Some("1042".into()), today());
        assert_eq!(searched.created_from.as_deref(), Some("2026-01-01"));
        let all = from_search("created_from=", today());
        assert_eq!(
            with_text(&all, Some("x".into()), today()).created_from,
            None
        );
    }

    #[test]
    fn the_filter_count_leaves_the_default_view_out() {
        assert_eq!(active_filters(&from_search("", today()), today()), 0);
        assert_eq!(active_filters(&from_search("q=x", today()), today()), 0);
        assert_eq!(
            active_filters(&from_search("status=2&sort=due", today()), today()),
            0
        );
        let q = from_search(
            "overdue=true&type=3&created_from=&score_min=0&score_max=6",
            today(),
        );
        assert_eq!(active_filters(&q, today()), 4);
    }

    #[test]
    fn junk_in_the_url_is_ignored_not_fatal() {
        let q = from_search("?limit=abc&status=&foo=bar&cursor=zzz", today());
        assert_eq!(q.status, None);
        assert_eq!(q.cursor, None);
    }

    #[test]
    fn api_queries_carry_paging_and_tiles_ignore_the_status() {
        let q = from_search("status=2&sort=updated", today());
        let list = api_list_query(&q, Some("abc"), 50);
        assert!(
            list.contains("status=2") && list.contains("cursor=abc") && list.contains("limit=50")
        );
        let counts = api_counts_query(&q);
        assert!(!counts.contains("status") && !counts.contains("sort"));
        assert!(counts.contains("created_from=2026-03-01"));
    }

    #[test]
    fn clicking_a_header_twice_flips_the_order() {
        let q = from_search("", today());
        assert_eq!(
            toggle_sort(&q, SortKey::Priority),
            ("priority".into(), "desc".into())
        );
        let q = from_search("sort=priority&order=desc", today());
        assert_eq!(
            toggle_sort(&q, SortKey::Priority),
            ("priority".into(), "asc".into())
        );
        // default sort is created desc
        assert_eq!(
            toggle_sort(&from_search("", today()), SortKey::Created).1,
            "asc"
        );
    }

    #[test]
    fn column_choice_round_trips_and_keeps_the_subject() {
        let cols = vec![Column::Number, Column::Subject, Column::Due];
        assert_eq!(parse_columns(&columns_to_string(&cols)), cols);
        assert_eq!(parse_columns(""), Column::DEFAULT.to_vec());
        assert_eq!(parse_columns("nonsense"), Column::DEFAULT.to_vec());
        assert_eq!(
            parse_columns("number,due"),
            vec![Column::Number, Column::Subject, Column::Due]
        );
    }

    #[test]
    fn walking_the_list_finds_neighbours() {
        let ids = [10, 20, 30];
        assert_eq!(
            position(&ids, 20),
            Some(Position {
                index: 1,
                prev: Some(10),
                next: Some(30)
            })
        );
        assert_eq!(position(&ids, 10).unwrap().prev, None);
        assert_eq!(position(&ids, 30).unwrap().next, None);
        assert_eq!(position(&ids, 99), None);
    }
}
