//! Dates as people type them, in the interface's language.
//!
//! Chromium shows `<input type=date>` in the browser's locale, whatever the
//! page's `lang`: a Spanish agent on an English browser would read
//! `mm/dd/yyyy` beside Spanish labels, and the other way round. So the SPA's
//! date fields are text fields in the app's language (`dd/mm/aaaa`,
//! `jj/mm/aaaa`, `mm/dd/yyyy`, the order `Intl` uses for the same language),
//! with the native calendar behind a button. Values stay ISO
//! (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`) everywhere else; ISO typed in is read
//! too, whatever the language.
//!
//! ISO values are read and written by hand, not with chrono's strftime-style
//! `format`/`parse_from_str`: these few fixed shapes do not need its general
//! pattern interpreter, which cost the SPA's wasm about 15 KB.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// `YYYY-MM-DD`.
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `YYYY-MM-DDTHH:MM`, the shape of `<input type=datetime-local>`.
pub fn iso_datetime(t: NaiveDateTime) -> String {
    format!("{}T{:02}:{:02}", iso_date(t.date()), t.hour(), t.minute())
}

/// One to `max` ASCII digits as a number.
fn digits(s: &str, max: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD`; the month and day may have one digit.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    NaiveDate::from_ymd_opt(digits(y, 4)? as i32, digits(m, 2)?, digits(d, 2)?)
}

/// `YYYY-MM-DDTHH:MM`, with `:SS` or not, and a space for the `T` or not.
pub fn parse_iso_datetime(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.split_once(['T', ' '])?;
    let mut parts = time.splitn(3, ':');
    let (h, m) = (digits(parts.next()?, 2)?, digits(parts.next()?, 2)?);
    let sec = match parts.next() {
        Some(sec) => digits(sec, 2)?,
        None => 0,
    };
    Some(parse_iso_date(date)?.and_time(NaiveTime::from_hms_opt(h, m, sec)?))
}

/// Whether the day comes before the month.
fn day_first(lang: Lang) -> bool {
    !matches!(lang, Lang::En)
}

/// The pattern a person sees as a hint.
pub fn pattern(lang: Lang, with_time: bool) -> &'static str {
    match (lang, with_time) {
        (Lang::En, false) => "mm/dd/yyyy",
        (Lang::Es, false) => "dd/mm/aaaa",
        (Lang::Fr, false) => "jj/mm/aaaa",
        (Lang::En, true) => "mm/dd/yyyy hh:mm",
        (Lang::Es, true) => "dd/mm/aaaa hh:mm",
        (Lang::Fr, true) => "jj/mm/aaaa hh:mm",
    }
}

pub fn format_date(lang: Lang, d: NaiveDate) -> String {
    let (a, b) = if day_first(lang) {
        (d.day(), d.month())
    } else {
        (d.month(), d.day())
    };
    format!("{a:02}/{b:02}/{:04}", d.year())
}

pub fn parse_date(lang: Lang, s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some(d) = parse_iso_date(s) {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.', '-']).map(str::trim).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (a, b) = (num(a)?, num(b)?);
    let (day, month) = if day_first(lang) { (a, b) } else { (b, a) };
    let year = match (y.len(), num(y)?) {
        (2, y) => 2000 + y as i32,
        (4, y) => y as i32,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `HH:MM` (24 hours), or `h:mm am/pm`.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim().to_ascii_lowercase();
    let (clock, pm) = if let Some(c) = s.strip_suffix("pm") {
        (c.trim(), Some(true))
    } else if let Some(c) = s.strip_suffix("am") {
        (c.trim(), Some(false))
    } else {
        (s.as_str(), None)
    };
    let (h, m) = clock.split_once([':', 'h', '.'])?;
    let (mut h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    match pm {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) if h != 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

pub fn format_datetime(lang: Lang, t: NaiveDateTime) -> String {
    format!(
        "{} {:02}:{:02}",
        format_date(lang, t.date()),
        t.hour(),
        t.minute()
    )
}

pub fn parse_datetime(lang: Lang, s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Some(t) = parse_iso_datetime(s) {
        return Some(t);
    }
    let (date, time) = s.split_once([' ', ','])?;
    Some(parse_date(lang, date)?.and_time(parse_time(time.trim_start_matches(',').trim())?))
}

/// An ISO value (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`) as the person reads it;
/// anything else as it is.
pub fn show(lang: Lang, iso: &str, with_time: bool) -> String {
    if with_time {
        parse_datetime(lang, iso)
            .filter(|_| iso.contains('T'))
            .map(|t| format_datetime(lang, t))
    } else {
        parse_iso_date(iso).map(|d| format_date(lang, d))
    }
    .unwrap_or_else(|| iso.to_owned())
}

/// What a person typed as an ISO value: `Some("")` for nothing, `None` when
/// it is not a date (or date and time) in their language.
pub fn read(lang: Lang, typed: &str, with_time: bool) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Some(String::new());
    }
    if with_time {
        parse_datetime(lang, typed).map(iso_datetime)
    } else {
        parse_date(lang, typed).map(iso_date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_read_in_the_interface_language() {
        assert_eq!(format_date(Lang::Es, d(2026, 12, 5)), "05/12/2026");
        assert_eq!(format_date(Lang::Fr, d(2026, 12, 5)), "05/12/2026");
        assert_eq!(format_date(Lang::En, d(2026, 12, 5)), "12/05/2026");
        assert_eq!(parse_date(Lang::Es, "5/12/2026"), Some(d(2026, 12, 5)));
        assert_eq!(parse_date(Lang::En, "5/12/2026"), Some(d(2026, 5, 12)));
        assert_eq!(parse_date(Lang::Fr, " 05.12.26 "), Some(d(2026, 12, 5)));
        // ISO is unambiguous in every language.
        assert_eq!(parse_date(Lang::Es, "2026-12-05"), Some(d(2026, 12, 5)));
        for bad in [
            "31/02/2026",
            "13/13/2026",
            "5/12",
            "abc",
            "5/12/202",
            "1/2/3/4",
        ] {
            assert_eq!(parse_date(Lang::Es, bad), None, "{bad}");
        }
        assert_eq!(pattern(Lang::Es, false), "dd/mm/aaaa");
    }

    #[test]
    fn date_and_time_read_in_the_interface_language() {
        let t = d(2026, 12, 5).and_hms_opt(14, 30, 0).unwrap();
        assert_eq!(format_datetime(Lang::Fr, t), "05/12/2026 14:30");
        assert_eq!(parse_datetime(Lang::Es, "05/12/2026 14:30"), Some(t));
        assert_eq!(parse_datetime(Lang::En, "12/05/2026 2:30 pm"), Some(t));
        assert_eq!(parse_datetime(Lang::Fr, "05/12/2026 14h30"), Some(t));
        assert_eq!(parse_datetime(Lang::En, "2026-12-05T14:30"), Some(t));
        assert_eq!(parse_datetime(Lang::En, "12/05/2026 13:30 pm"), None);
        assert_eq!(parse_datetime(Lang::Es, "05/12/2026"), None);
    }

    #[test]
    fn iso_by_hand() {
        let t = d(2026, 3, 5).and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(iso_date(d(2026, 3, 5)), "2026-03-05");
        assert_eq!(iso_date(d(987, 12, 25)), "0987-12-25");
        assert_eq!(iso_datetime(t), "2026-03-05T09:05");
        assert_eq!(parse_iso_date("2026-03-05"), Some(d(2026, 3, 5)));
        assert_eq!(parse_iso_date("2026-3-5"), Some(d(2026, 3, 5)));
        assert_eq!(parse_iso_datetime("2026-03-05T09:05"), Some(t));
        assert_eq!(parse_iso_datetime("2026-03-05 9:05"), Some(t));
        assert_eq!(
            parse_iso_datetime("2026-03-05T09:05:07"),
            d(2026, 3, 5).and_hms_opt(9, 5, 7)
        );
        for bad in [
            "",
            "2026-03",
            "2026-02-30",
            "2026-03-05-",
            "2026-03-05x",
            "20260-03-05",
            "2026-003-05",
            "+2026-03-05",
            "2026/03/05",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        for bad in [
            "2026-03-05",
            "2026-03-05T",
            "2026-03-05T24:00",
            "2026-03-05T09:60",
            "2026-03-05T09:05:",
            "2026-03-05T09:05:07:01",
            "2026-03-05T9",
        ] {
            assert_eq!(parse_iso_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_stay_iso() {
        assert_eq!(show(Lang::Es, "2026-12-05", false), "05/12/2026");
        assert_eq!(show(Lang::Es, "2026-12-05T09:05", true), "05/12/2026 09:05");
        assert_eq!(show(Lang::Es, "", false), "");
        assert_eq!(
            read(Lang::Es, "05/12/2026", false).as_deref(),
            Some("2026-12-05")
        );
        assert_eq!(
            read(Lang::En, "12/05/2026 9:05", true).as_deref(),
            Some("2026-12-05T09:05")
        );
        assert_eq!(read(Lang::Fr, "  ", false).as_deref(), Some(""));
        assert_eq!(read(Lang::Fr, "demain", false), None);
    }
}
