//! Reading the dates and times records hold, fast.
//!
//! Records keep dates as chrono writes them (`2026-11-23`, `2026-11-23T10:00:00Z`, with a
//! fraction of a second when there is one). chrono's own parser reads any ISO 8601 form
//! through a general format machine, which was a tenth of daily planning's time (forty
//! scheduling states a learner, two dates each). These read exactly the forms chrono writes
//! with a few byte checks and hand anything else to chrono, so every record chrono can read is
//! still read, and read the same (a test checks both ways agree).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Digits `s[from..to]` as a number, if they are all digits.
fn digits(s: &[u8], from: usize, to: usize) -> Option<u32> {
    s.get(from..to)?.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `s`.
fn ymd(s: &[u8]) -> Option<NaiveDate> {
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(s, 0, 4)? as i32, digits(s, 5, 7)?, digits(s, 8, 10)?)
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    match s.len() {
        10 => ymd(s.as_bytes()),
        _ => None,
    }
    .or_else(|| s.parse().ok())
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, else whatever chrono reads.
pub(crate) fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let fast = || {
        if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b.last()? != &b'Z' {
            return None;
        }
        let date = ymd(b)?;
        let (h, m, sec) = (digits(b, 11, 13)?, digits(b, 14, 16)?, digits(b, 17, 19)?);
        let nanos = match &b[19..b.len() - 1] {
            [] => 0,
            [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
                digits(frac, 0, frac.len())? * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
        Some(date.and_time(time).and_utc())
    };
    fast().or_else(|| s.parse().ok())
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date like 2026-11-23")
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<NaiveDate, E> {
        parse_date(s).ok_or_else(|| E::custom(format!("not a date: {s:?}")))
    }
}

struct UtcVisitor;

impl Visitor<'_> for UtcVisitor {
    type Value = DateTime<Utc>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a time like 2026-11-23T10:00:00Z")
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<DateTime<Utc>, E> {
        parse_utc(s).ok_or_else(|| E::custom(format!("not a time: {s:?}")))
    }
}

/// `#[serde(deserialize_with = "...")]` for a `NaiveDate`.
pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

/// `#[serde(deserialize_with = "...")]` for a `DateTime<Utc>`.
pub(crate) fn utc<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(UtcVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What chrono writes, read back fast, is what chrono reads.
        #[test]
        fn reads_what_chrono_writes(secs in 0i64..8_000_000_000, nanos in 0u32..1_000_000_000, whole: bool) {
            let t = DateTime::from_timestamp(secs, if whole { 0 } else { nanos }).unwrap();
            let json = serde_json::to_string(&t).unwrap();
            let text: String = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(parse_utc(&text), Some(t));
            prop_assert_eq!(text.parse::<DateTime<Utc>>().ok(), Some(t));
            let d = t.date_naive();
            let text: String = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
            prop_assert_eq!(parse_date(&text), Some(d));
        }

        /// Any text reads as chrono reads it (or not at all).
        #[test]
        fn agrees_with_chrono(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,10})?(Z|\\+01:00)?)?") {
            prop_assert_eq!(parse_utc(&s), s.parse::<DateTime<Utc>>().ok());
            prop_assert_eq!(parse_date(&s), s.parse::<NaiveDate>().ok());
        }
    }

    #[test]
    fn other_forms_go_to_chrono() {
        assert_eq!(
            parse_utc("2026-11-23T11:00:00+01:00"),
            parse_utc("2026-11-23T10:00:00Z")
        );
        assert_eq!(parse_utc("2026-02-30T10:00:00Z"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("+2026-11-23"), "+2026-11-23".parse().ok());
    }
}
