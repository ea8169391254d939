//! Timestamps read without chrono's format parser. Diesel reads a SQLite
//! timestamp (TEXT) by trying `strftime`-style formats with
//! `NaiveDateTime::parse_from_str`, which interprets the format string for
//! every value: on a list page of 50 tickets that was 7% of the request's
//! CPU. Lazo writes one shape, `YYYY-MM-DD HH:MM:SS[.fraction]`; it is read
//! here by hand, and anything else still goes to diesel. PostgreSQL sends
//! binary timestamps and is read as before.
//!
//! Used as `#[diesel(deserialize_as = Ts)]` (or [`TsOpt`] for a nullable
//! column) on `NaiveDateTime` fields of hot rows.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::{Sqlite, SqliteType};

use crate::DbBackend;

/// A `Timestamp` column read quickly (see the module).
#[derive(Debug, Clone, Copy, diesel::deserialize::FromSqlRow)]
pub struct Ts(pub NaiveDateTime);

/// A `Nullable<Timestamp>` column read quickly.
#[derive(Debug, Clone, Copy, diesel::deserialize::FromSqlRow)]
pub struct TsOpt(pub Option<NaiveDateTime>);

impl From<Ts> for NaiveDateTime {
    fn from(t: Ts) -> Self {
        t.0
    }
}

impl From<TsOpt> for Option<NaiveDateTime> {
    fn from(t: TsOpt) -> Self {
        t.0
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or `T` between), optionally `.` and 1-9 digits;
/// `None` for anything else (leap seconds, offsets, other shapes).
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |v, c| {
            c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let nanos = match b.len() {
        19 => 0,
        21..=29 if b[19] == b'.' => num(20, b.len())? * 10u32.pow(29 - b.len() as u32),
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, nanos)?;
    Some(date.and_time(time))
}

impl FromSql<Timestamp, Sqlite> for Ts {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if value.value_type() == Some(SqliteType::Text) {
            if let Some(t) = parse_timestamp(value.read_text()) {
                return Ok(Ts(t));
            }
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Ts)
    }
}

impl FromSql<Timestamp, Pg> for Ts {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Ts)
    }
}

impl FromSql<Timestamp, DbBackend> for Ts {
    fn from_sql(value: <DbBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Ts, Timestamp>()
    }
}

impl FromSql<Nullable<Timestamp>, DbBackend> for TsOpt {
    fn from_sql(value: <DbBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Ts, Timestamp>().map(|t| TsOpt(Some(t.0)))
    }

    fn from_nullable_sql(
        value: Option<<DbBackend as Backend>::RawValue<'_>>,
    ) -> deserialize::Result<Self> {
        match value {
            Some(v) => Self::from_sql(v),
            None => Ok(TsOpt(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_diesel_reads() {
        for s in [
            "2026-11-26 16:00:44.326",
            "2026-11-26 16:00:44",
            "2026-11-26T16:00:44.5",
            "1969-12-31 23:59:59.999999999",
            "2024-02-29 00:00:00.000001",
        ] {
            let want = NaiveDateTime::parse_from_str(s, "%F %T%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%FT%T%.f"))
                .unwrap();
            assert_eq!(parse_timestamp(s), Some(want), "{s}");
        }
    }

    #[test]
    fn leaves_other_shapes_to_diesel() {
        for s in [
            "",
            "2026-11-26",
            "2026-11-26 16:00",
            "2026-11-26 16:00:44.",
            "2026-11-26 16:00:44.1234567890",
            "2026-11-26 16:00:44+02:00",
            "2026-11-26 16:00:44Z",
            "2026-02-30 16:00:44",
            "2026-11-26 16:00:60",
            "2026-1a-26 16:00:44",
            "+2026-11-26 16:00:4",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s:?}");
        }
    }
}
