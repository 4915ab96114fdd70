//! How the two records every answer writes, attempts and scheduling states, are encoded.
//!
//! Every other record is JSON. These two are written once per answer and read by the hot
//! paths over every learner (the daily plan reads every scheduling state, an export every
//! attempt), where JSON cost more than sled itself: encoding them was a tenth of an answer's
//! instructions, decoding them a sixth of daily planning, and at about 400 bytes an attempt
//! they made sled's pages (which it copies on every insert and rewrites on every split) three
//! times larger. They are stored as a tag byte, [`COMPACT`], and then the record in
//! [postcard](https://docs.rs/postcard) (varints, strings as length and bytes) in the field
//! order of the `Wire` structs below; times as whole seconds and nanoseconds, dates as days.
//!
//! A JSON record starts with `{`, so records written before this encoding are still read as
//! they are. A record's fields can change only with a new tag: postcard has no field names,
//! so the `Wire` structs below are the format and must not be reordered.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Result, StoreError};
use crate::domain::{Attempt, Mode, SrsState};

/// The tag of the compact encoding (a JSON record starts with `{`).
const COMPACT: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Time {
    secs: i64,
    nanos: u32,
}

impl Time {
    fn of(t: &DateTime<Utc>) -> Time {
        Time {
            secs: t.timestamp(),
            nanos: t.timestamp_subsec_nanos(),
        }
    }

    fn time(&self) -> Result<DateTime<Utc>> {
        DateTime::from_timestamp(self.secs, self.nanos)
            .ok_or_else(|| StoreError::Corrupt(format!("a time of {} s", self.secs)))
    }
}

fn date(days: i32) -> Result<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days)
        .ok_or_else(|| StoreError::Corrupt(format!("a date {days} days into the era")))
}

#[derive(Serialize, Deserialize)]
struct SrsWire<'a> {
    stability: f32,
    difficulty: f32,
    due: i32,
    last_review: Time,
    reps: u32,
    lapses: u32,
    last_correct: bool,
    leech: bool,
    #[serde(borrow)]
    last_question: Option<Cow<'a, str>>,
    #[serde(borrow)]
    last_delivery: Option<Cow<'a, str>>,
    last_option: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct AttemptWire<'a> {
    learner: u64,
    #[serde(borrow)]
    item: Cow<'a, str>,
    #[serde(borrow)]
    question: Cow<'a, str>,
    option: u64,
    correct: bool,
    response_ms: u64,
    #[serde(borrow)]
    platform: Cow<'a, str>,
    at: Time,
    #[serde(borrow)]
    delivery: Cow<'a, str>,
    mode: u8,
}

fn mode_byte(m: Mode) -> u8 {
    match m {
        Mode::Daily => 0,
        Mode::Practice => 1,
        Mode::Cohort => 2,
    }
}

fn mode_of(b: u8) -> Result<Mode> {
    match b {
        0 => Ok(Mode::Daily),
        1 => Ok(Mode::Practice),
        2 => Ok(Mode::Cohort),
        other => Err(StoreError::Corrupt(format!("an attempt of mode {other}"))),
    }
}

fn tagged<T: Serialize>(wire: &T) -> Vec<u8> {
    // Room for a usual record at once (about a hundred bytes).
    let mut out = Vec::with_capacity(128);
    out.push(COMPACT);
    // Serialising into a growing vector cannot fail.
    postcard::to_extend(wire, out).unwrap_or_default()
}

/// The record after its tag, in postcard, or `None` for a JSON record.
fn untagged<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<Option<T>> {
    match bytes.split_first() {
        Some((&COMPACT, rest)) => postcard::from_bytes(rest)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{what}: {e}"))),
        Some((b'{', _)) => Ok(None),
        _ => Err(StoreError::Corrupt(format!("{what}: an unknown encoding"))),
    }
}

fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn encode_srs(s: &SrsState) -> Vec<u8> {
    tagged(&SrsWire {
        stability: s.stability,
        difficulty: s.difficulty,
        due: s.due.num_days_from_ce(),
        last_review: Time::of(&s.last_review),
        reps: s.reps,
        lapses: s.lapses,
        last_correct: s.last_correct,
        leech: s.leech,
        last_question: s.last_question.as_deref().map(Cow::Borrowed),
        last_delivery: s.last_delivery.as_deref().map(Cow::Borrowed),
        last_option: s.last_option.map(|o| o as u64),
    })
}

pub(super) fn decode_srs(bytes: &[u8]) -> Result<SrsState> {
    let Some(w) = untagged::<SrsWire>(bytes, "a scheduling state")? else {
        return json(bytes);
    };
    Ok(SrsState {
        stability: w.stability,
        difficulty: w.difficulty,
        due: date(w.due)?,
        last_review: w.last_review.time()?,
        reps: w.reps,
        lapses: w.lapses,
        last_correct: w.last_correct,
        leech: w.leech,
        last_question: w.last_question.map(Cow::into_owned),
        last_delivery: w.last_delivery.map(Cow::into_owned),
        last_option: w.last_option.map(|o| o as usize),
    })
}

pub(super) fn encode_attempt(a: &Attempt) -> Vec<u8> {
    tagged(&AttemptWire {
        learner: a.learner,
        item: Cow::Borrowed(&a.item),
        question: Cow::Borrowed(&a.question),
        option: a.option as u64,
        correct: a.correct,
        response_ms: a.response_ms,
        platform: Cow::Borrowed(&a.platform),
        at: Time::of(&a.at),
        delivery: Cow::Borrowed(&a.delivery),
        mode: mode_byte(a.mode),
    })
}

pub(super) fn decode_attempt(bytes: &[u8]) -> Result<Attempt> {
    let Some(w) = untagged::<AttemptWire>(bytes, "an attempt")? else {
        return json(bytes);
    };
    Ok(Attempt {
        learner: w.learner,
        item: w.item.into_owned(),
        question: w.question.into_owned(),
        option: w.option as usize,
        correct: w.correct,
        response_ms: w.response_ms,
        platform: w.platform.into_owned(),
        at: w.at.time()?,
        delivery: w.delivery.into_owned(),
        mode: mode_of(w.mode)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn time() -> impl Strategy<Value = DateTime<Utc>> {
        // 1970 to 2100, to the nanosecond.
        (0i64..4_102_444_800, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or_default())
    }

    fn text() -> impl Strategy<Value = String> {
        "\\PC{0,40}"
    }

    fn srs() -> impl Strategy<Value = SrsState> {
        (
            (any::<f32>(), any::<f32>(), -100_000i32..1_000_000, time()),
            (any::<u32>(), any::<u32>(), any::<bool>(), any::<bool>()),
            (
                proptest::option::of(text()),
                proptest::option::of(text()),
                proptest::option::of(0usize..1000),
            ),
        )
            .prop_map(
                |((st, df, due, last), (reps, lapses, lc, leech), (q, d, o))| SrsState {
                    stability: st,
                    difficulty: df,
                    due: NaiveDate::from_num_days_from_ce_opt(due).unwrap_or_default(),
                    last_review: last,
                    reps,
                    lapses,
                    last_correct: lc,
                    leech,
                    last_question: q,
                    last_delivery: d,
                    last_option: o,
                },
            )
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        (
            (any::<u64>(), text(), text(), 0usize..10, any::<bool>()),
            (any::<u64>(), text(), time(), text(), 0u8..3),
        )
            .prop_map(
                |((learner, item, question, option, correct), (ms, platform, at, d, m))| Attempt {
                    learner,
                    item,
                    question,
                    option,
                    correct,
                    response_ms: ms,
                    platform,
                    at,
                    delivery: d,
                    mode: mode_of(m).unwrap_or(Mode::Daily),
                },
            )
    }

    /// Equal, with floats compared bit for bit (a NaN stays the NaN it was).
    fn same_srs(a: &SrsState, b: &SrsState) -> bool {
        a.stability.to_bits() == b.stability.to_bits()
            && a.difficulty.to_bits() == b.difficulty.to_bits()
            && SrsState {
                stability: 0.0,
                difficulty: 0.0,
                ..a.clone()
            } == SrsState {
                stability: 0.0,
                difficulty: 0.0,
                ..b.clone()
            }
    }

    proptest! {
        #[test]
        fn a_scheduling_state_reads_back_as_written(s in srs()) {
            let bytes = encode_srs(&s);
            prop_assert!(same_srs(&decode_srs(&bytes).unwrap(), &s));
        }

        #[test]
        fn an_attempt_reads_back_as_written(a in attempt()) {
            prop_assert_eq!(decode_attempt(&encode_attempt(&a)).unwrap(), a);
        }

        #[test]
        fn json_records_still_read(s in srs(), a in attempt()) {
            // JSON cannot hold a NaN or an infinity, so those states were never written.
            prop_assume!(s.stability.is_finite() && s.difficulty.is_finite());
            let json_srs = serde_json::to_vec(&s).unwrap();
            prop_assert!(same_srs(&decode_srs(&json_srs).unwrap(), &s));
            let json_attempt = serde_json::to_vec(&a).unwrap();
            prop_assert_eq!(decode_attempt(&json_attempt).unwrap(), a);
        }

        #[test]
        fn damaged_records_are_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_srs(&bytes);
            let _ = decode_attempt(&bytes);
        }
    }

    #[test]
    fn records_are_small() {
        let at: DateTime<Utc> = "2026-11-23T10:00:00.123Z".parse().unwrap();
        let s = SrsState {
            stability: 3.2,
            difficulty: 5.1,
            due: at.date_naive(),
            last_review: at,
            reps: 1,
            lapses: 0,
            last_correct: true,
            leech: false,
            last_question: Some("HSCCLD352/K2/scenario-2".into()),
            last_delivery: Some("0000000000000001-0000000000010002".into()),
            last_option: Some(1),
        };
        let a = Attempt {
            learner: 1,
            item: "HSCCLD352/K2".into(),
            question: "HSCCLD352/K2/scenario-2".into(),
            option: 1,
            correct: true,
            response_ms: 12_345,
            platform: "telegram".into(),
            at,
            delivery: "0000000000000001-0000000000010002".into(),
            mode: Mode::Daily,
        };
        let (srs, attempt) = (encode_srs(&s), encode_attempt(&a));
        assert!(srs.len() < 90, "{} bytes", srs.len());
        assert!(attempt.len() < 110, "{} bytes", attempt.len());
        let json = serde_json::to_vec(&a).unwrap().len();
        assert!(
            json > 2 * attempt.len(),
            "{json} bytes in JSON, {} here",
            attempt.len()
        );
        assert!(decode_attempt(&[]).is_err());
        assert!(decode_srs(&[2, 0]).is_err(), "an unknown tag");
    }
}
