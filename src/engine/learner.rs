//! What a learner can do: enrol, take today's quiz or extra practice, answer, see stats,
//! change settings, pause, see and delete their data.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde_json::json;

use super::{Engine, Out, QuestionOut, Result, Verdict, command, letter};
use crate::srs::{Endgame, PlanInput};
use crate::standards::ItemKind;
use crate::store::{
    AnswerPlan, Delivery, Graded, Learner, Load, Mode, Pick, Recorded, Session, SrsSnapshot,
    SrsState,
};

/// Minutes a `/forget` waits for its confirmation.
pub const FORGET_MINUTES: i64 = 10;

/// Why an answer was refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    NotYours,
    NotAnOption(usize),
    Retired,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Engine {
    pub(super) fn start(&self, learner: Learner, code: Option<String>) -> Result<Vec<Out>> {
        // A learner created by this /start is on disk before they are welcomed.
        self.store.durable()?;
        let mut out = self.text(
            "welcome",
            json!({"name": learner.name, "enrolled": learner.standards}),
        )?;
        match code {
            Some(code) => out.extend(self.join(learner, &code)?),
            None if learner.standards.is_empty() => out.extend(self.standards_list(&learner)?),
            None => {}
        }
        Ok(out)
    }

    /// A learner with no standard asked for questions: the standards to choose from.
    fn not_enrolled(&self, learner: &Learner) -> Result<Vec<Out>> {
        let mut out = self.text("not-enrolled", json!({}))?;
        out.extend(self.standards_list(learner)?);
        Ok(out)
    }

    /// The standards one can study; a learner who studies none yet is offered them as choices
    /// (buttons, a menu, a numbered list), and choosing one starts its first quiz.
    pub(super) fn standards_list(&self, learner: &Learner) -> Result<Vec<Out>> {
        let list: Vec<_> = self
            .bank
            .standards()
            .map(|s| {
                json!({"code": s.code, "title": s.title, "enrolled": learner.standards.contains(&s.code),
                       "items": self.bank.items_of(&s.code).len()})
            })
            .collect();
        if !learner.standards.is_empty() {
            return self.text("standards", json!({"standards": list}));
        }
        let choices = self
            .bank
            .standards()
            .map(|s| {
                Ok(super::Choice {
                    label: self
                        .say("standard-choice", json!({"code": s.code, "title": s.title}))?,
                    command: format!("/enrol {}", s.code),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(vec![Out::Choices {
            text: self.say("standards-choose", json!({"standards": list}))?,
            choices,
        }])
    }

    pub(super) fn enrol(&self, mut learner: Learner, codes: &[String]) -> Result<Vec<Out>> {
        let all: Vec<String> = self.bank.standards().map(|s| s.code.clone()).collect();
        let wanted: Vec<String> = if codes.iter().any(|c| c.eq_ignore_ascii_case("all")) {
            all.clone()
        } else {
            codes.to_vec()
        };
        if wanted.is_empty() {
            return self.standards_list(&learner);
        }
        let mut added = Vec::new();
        for code in &wanted {
            let Some(real) = all.iter().find(|c| c.eq_ignore_ascii_case(code)) else {
                return self.text("bad-standard", json!({"code": code, "codes": all}));
            };
            if !learner.standards.contains(real) {
                learner.standards.push(real.clone());
                added.push(real.clone());
            }
        }
        let first = learner.standards.len() == added.len() && !added.is_empty();
        self.store.put_learner(&learner)?;
        self.store.durable()?;
        let mut out = self.text(
            "enrolled",
            json!({"added": added, "standards": learner.standards, "first": first}),
        )?;
        // A learner's first standard: the first question now, not another command to learn.
        if first {
            out.extend(self.quiz(&learner)?);
        }
        Ok(out)
    }

    pub(super) fn join(&self, learner: Learner, code: &str) -> Result<Vec<Out>> {
        let code = code.trim().to_uppercase();
        let Some(cohort) = self.store.cohort(&code)? else {
            return self.text("bad-code", json!({"code": code}));
        };
        let l = self.store.join_cohort(learner.id, &code)?;
        self.store.durable()?;
        self.text(
            "joined",
            json!({"cohort": cohort.name, "standards": l.standards}),
        )
    }

    fn states(&self, learner: &Learner) -> Result<HashMap<String, SrsState>> {
        Ok(self.store.srs_all(learner.id)?.into_iter().collect())
    }

    /// Today's quiz: resumes an unfinished one, else plans and starts a new one.
    pub(super) fn quiz(&self, learner: &Learner) -> Result<Vec<Out>> {
        if learner.standards.is_empty() {
            return self.not_enrolled(learner);
        }
        let today = self.today(learner);
        if let Some(s) = self.store.session(learner.id)? {
            if s.mode == Mode::Daily
                && s.day == today
                && let Some(d) = self.store.open_question(&s)?
                && d.answered.is_none()
                && !d.closed
            {
                let mut out = self.text("resume", json!({}))?;
                out.extend(self.question_out(learner, &s, &d)?);
                return Ok(out);
            }
            if s.mode == Mode::Daily && s.day == today && s.current.is_none() {
                return self.text(
                    "done-today",
                    json!({"correct": s.correct, "answered": s.answered}),
                );
            }
        }
        if crate::srs::is_rest(today, &learner.settings.rest_days) {
            return self.text("rest-day", json!({}));
        }
        let plan = self.plan(learner, Mode::Daily)?;
        self.begin(learner, Mode::Daily, today, plan, "quiz-start")
    }

    pub(super) fn practice(&self, learner: &Learner) -> Result<Vec<Out>> {
        if learner.standards.is_empty() {
            return self.not_enrolled(learner);
        }
        let today = self.today(learner);
        let plan = self.plan(learner, Mode::Practice)?;
        self.begin(learner, Mode::Practice, today, plan, "practice-start")
    }

    /// Plans a daily quiz or a round of practice from the learner's scheduling states, which
    /// come back too (a session started from them remembers its items' states).
    fn plan(&self, learner: &Learner, mode: Mode) -> Result<(Vec<Pick>, SrsSnapshot)> {
        let snapshot = self.store.srs_snapshot(learner.id)?;
        let input = PlanInput {
            learner,
            states: &snapshot.states,
            today: self.today(learner),
            now: self.now(),
            plan_new: learner.plan.as_ref().map(|p| p.new_per_day),
            endgame: learner.plan.as_ref().map(|p| Endgame {
                epa: p.epa,
                first_right: p.first_right,
            }),
        };
        let (sched, _) = self.scheduler_for(learner);
        let picks = match mode {
            Mode::Practice => sched.plan_practice(&input, &self.bank, self.config.practice_size),
            _ => sched.plan_day(&input, &self.bank),
        };
        Ok((picks, snapshot))
    }

    fn begin(
        &self,
        learner: &Learner,
        mode: Mode,
        day: NaiveDate,
        (queue, planned_from): (Vec<Pick>, SrsSnapshot),
        intro: &str,
    ) -> Result<Vec<Out>> {
        let now = self.now();
        let started =
            self.store
                .start_session(learner.id, mode, day, &queue, &planned_from, now)?;
        let Some((session, d)) = started else {
            return self.text("nothing-due", json!({}));
        };
        self.store.durable()?;
        let mut out = self.text(intro, json!({"count": session.total}))?;
        out.extend(self.question_out(learner, &session, &d)?);
        Ok(out)
    }

    /// Renders a delivered question. A question retired from the bank is skipped by the caller.
    fn question_out(&self, learner: &Learner, s: &Session, d: &Delivery) -> Result<Vec<Out>> {
        let Some(q) = self.bank.question(&d.question) else {
            return self.text("retired", json!({}));
        };
        let q = q.for_learner(&learner.name);
        let order = d.order_for(q.options.len());
        let (n, total, practice) = (s.pos + 1, s.total, s.mode == Mode::Practice);
        let key = format!("{n}|{total}|{practice}");
        let header = self.say_keyed(
            "question-header",
            &key,
            || json!({"n": n, "total": total, "practice": practice}),
        )?;
        Ok(vec![Out::Question(QuestionOut {
            delivery: d.id.clone(),
            header,
            stem: q.stem.clone(),
            options: order.iter().map(|&b| q.options[b].clone()).collect(),
            answer: place_of(&order, q.answer),
            explanation: self.poll_explanation(&q, matches!(q, std::borrow::Cow::Owned(_)))?,
        })])
    }

    /// What a platform that grades natively shows after the answer (Telegram's quiz poll,
    /// at most 200 characters): why the key is right, with the item, when that fits; else the
    /// item alone (the feedback message after the answer carries the rest).
    /// Keyed like the feedback: a stand-in's version of the question (`stand_in`) reads
    /// differently.
    fn poll_explanation(&self, q: &crate::bank::Question, stand_in: bool) -> Result<String> {
        let full = self.say_keyed(
            "poll-explanation",
            &format!("{}|{stand_in}", q.id),
            || json!({"why": q.why(q.answer), "explanation": q.explanation}),
        )?;
        Ok(
            if full.chars().count() <= crate::bank::check::POLL_EXPLANATION_MAX {
                full
            } else {
                q.explanation.clone()
            },
        )
    }

    /// Free text: a letter or number answers the open question; anything else gets help.
    pub(super) fn free_text(
        &self,
        learner: &Learner,
        platform: &str,
        text: &str,
    ) -> Result<Vec<Out>> {
        if let Some(s) = self.store.session(learner.id)?
            && let Some(d) = self.store.open_question(&s)?
            && let Some(q) = self.bank.question(&d.question)
        {
            if let Some(option) = command::option_index(text, q.options.len()) {
                return self.answer(learner, platform, &d.id, option);
            }
            return self.text(
                "answer-how",
                json!({"letters": (0..q.options.len()).map(letter).collect::<Vec<_>>()}),
            );
        }
        self.text("unknown-command", json!({"command": text}))
    }

    /// Records an answer and returns feedback plus the next question (or the day's summary).
    pub(super) fn answer(
        &self,
        learner: &Learner,
        platform: &str,
        delivery: &str,
        option: usize,
    ) -> Result<Vec<Out>> {
        Ok(self.answer_verdict(learner, platform, delivery, option)?.1)
    }

    /// [`Engine::answer`], also saying what became of the answer. `option` is the place the
    /// learner chose, in the order the delivery showed its options; the bank's option is
    /// recorded, and every letter said back is the place it was shown at.
    pub(super) fn answer_verdict(
        &self,
        learner: &Learner,
        platform: &str,
        delivery: &str,
        option: usize,
    ) -> Result<(Verdict, Vec<Out>)> {
        let started = std::time::Instant::now();
        let refused_with = |outs| Ok((Verdict::Refused, outs));
        // Whose question and which, and whether it is answered, are settled by `record_answer`
        // under the learner's lock; `grade` reads the place chosen against the delivery as
        // stored (the order it showed), or says why the answer is refused.
        let refused = std::cell::Cell::new(Refusal::NotYours);
        let grade = |d: &Delivery| {
            let refusal = if d.learner != learner.id {
                Refusal::NotYours
            } else {
                match self.bank.question(&d.question) {
                    None => Refusal::Retired,
                    Some(q) if option < q.options.len() => {
                        let chosen = d.order_for(q.options.len())[option];
                        return Some(Graded {
                            option: chosen,
                            correct: chosen == q.answer,
                        });
                    }
                    Some(q) => Refusal::NotAnOption(q.options.len()),
                }
            };
            refused.set(refusal);
            None
        };
        match self.record(learner, platform, delivery, &grade)? {
            Recorded::Unknown => refused_with(self.text("unknown-question", json!({}))?),
            Recorded::Refused { .. } => refused_with(match refused.get() {
                Refusal::NotYours => self.text("not-yours", json!({}))?,
                Refusal::NotAnOption(count) => {
                    self.text("not-an-option", json!({"count": count}))?
                }
                Refusal::Retired => {
                    // The bank was rebuilt without this question: close it and move on.
                    self.store.end_session(learner.id)?;
                    self.text("retired", json!({}))?
                }
            }),
            Recorded::Duplicate { delivery } => {
                let order = self.order_shown(&delivery);
                let place = |bank: usize| place_of(&order, bank);
                let a = delivery.answered.as_ref();
                let outs = self.text(
                    "already-answered",
                    json!({"letter": a.map(|a| letter(place(a.option))), "correct": a.is_some_and(|a| a.correct)}),
                )?;
                Ok((
                    Verdict::AlreadyAnswered {
                        option: a.map(|a| place(a.option)),
                    },
                    outs,
                ))
            }
            Recorded::Closed { .. } => refused_with(self.text("closed", json!({}))?),
            Recorded::New {
                attempt,
                delivery,
                srs,
                session,
                next,
            } => {
                // Tell the learner only once the answer is on disk.
                self.store.durable()?;
                let order = self.order_shown(&delivery);
                let place = |bank: usize| place_of(&order, bank);
                crate::metrics::metrics().answered(
                    platform,
                    learner.id,
                    self.now().date_naive(),
                    started.elapsed().as_secs_f64(),
                );
                let verdict = Verdict::Recorded {
                    option: place(attempt.option),
                };
                let Some(q) = self.bank.question(&attempt.question) else {
                    return Ok((verdict, self.text("retired", json!({}))?));
                };
                // The feedback on a question depends on the question, the option chosen,
                // whether the item became a leech and whether the learner meets the stand-in:
                // many learners share it.
                let leech = srs.as_ref().is_some_and(|s| s.leech);
                let q = q.for_learner(&learner.name);
                let stand_in = matches!(q, std::borrow::Cow::Owned(_));
                let (key_at, chosen_at) = (place(q.answer), place(attempt.option));
                let key = format!(
                    "{}|{}|{key_at}|{chosen_at}|{leech}|{stand_in}",
                    q.id, attempt.option
                );
                let feedback = self.say_keyed("feedback", &key, || {
                    json!({
                        "correct": attempt.correct,
                        "shortfall": q.qtype == crate::bank::QuestionType::Shortfall,
                        "letter": letter(key_at),
                        "answer": q.options[q.answer],
                        "why": q.why(q.answer),
                        "chosen_letter": letter(chosen_at),
                        "chosen": q.options.get(attempt.option),
                        "chosen_why": q.why(attempt.option),
                        "explanation": q.explanation,
                        "item": q.item,
                        "item_text": self.bank.item(&q.item).map(|i| i.text.as_str()),
                        "leech": leech,
                    })
                })?;
                let mut out = vec![Out::Text(feedback)];
                match (session, next) {
                    (Some(s), Some(n)) => out.extend(self.question_out(learner, &s, &n)?),
                    (Some(s), None) => out.extend(self.text(
                        "session-done",
                        json!({"correct": s.correct, "answered": s.answered, "practice": s.mode == Mode::Practice}),
                    )?),
                    _ => {}
                }
                Ok((verdict, out))
            }
        }
    }

    /// Records an answer to a delivery in one crash-safe step (see [`Store::record_answer`]):
    /// the item's new scheduling state (daily and cohort quizzes; practice only notes the
    /// variant asked), the attempt, and the session's next question. `grade` says whether the
    /// answer is right for the delivery as stored, or refuses it.
    ///
    /// [`Store::record_answer`]: crate::store::Store::record_answer
    pub(super) fn record(
        &self,
        learner: &Learner,
        platform: &str,
        delivery: &str,
        grade: &dyn Fn(&Delivery) -> Option<Graded>,
    ) -> Result<Recorded> {
        let now = self.now();
        let today = self.today(learner);
        let rest = &learner.settings.rest_days;
        let (sched, _) = self.scheduler_for(learner);
        let aim = self.aim_of(learner, &sched);
        let schedule = |d: &Delivery, old: Option<SrsState>, correct: bool, load: &Load| {
            // Daily quizzes and tutors' live quizzes feed spaced repetition; extra practice
            // does not, but notes the variant so the next time asks another.
            let mut s = if matches!(d.mode, Mode::Daily | Mode::Cohort) {
                sched.review(old.as_ref(), correct, now, today, rest, load, &aim)
            } else {
                old?
            };
            s.last_question = Some(d.question.clone());
            Some(s)
        };
        Ok(self.store.record_answer(&AnswerPlan {
            delivery,
            platform,
            now,
            grade: &grade,
            schedule: &schedule,
        })?)
    }

    pub(super) fn stats(&self, learner: &Learner) -> Result<Vec<Out>> {
        if learner.standards.is_empty() {
            return self.not_enrolled(learner);
        }
        let now = self.now();
        let today = self.today(learner);
        let states = self.states(learner)?;
        let (sched, _) = self.scheduler_for(learner);
        let aim = self.aim_of(learner, &sched);
        let attempts = self.store.attempts(learner.id)?;
        let (projection, epa, epa_from) = self.projection(learner, &states, &attempts)?;
        let mut standards = Vec::new();
        let (mut due_today, mut due_week, mut leeches) = (0, 0, 0);
        for (si, code) in learner.standards.iter().enumerate() {
            let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            let (mut studied, mut mastered) = (0, 0);
            let items = self.bank.items_of(code);
            for id in items {
                let kind = self.bank.item(id).map_or(ItemKind::Knowledge, |i| i.kind);
                let e = kinds.entry(kind.name()).or_default();
                e.1 += 1;
                if let Some(s) = states.get(id) {
                    studied += 1;
                    if sched.secure(s, now, epa, &aim) {
                        mastered += 1;
                        e.0 += 1;
                    }
                    if s.leech {
                        leeches += 1;
                    } else if s.due <= today {
                        due_today += 1;
                    } else if s.due <= today + chrono::Days::new(7) {
                        due_week += 1;
                    }
                }
            }
            let pct = |a: usize, b: usize| (100 * a).checked_div(b).unwrap_or(0);
            let predicted = projection
                .standards
                .get(si)
                .filter(|p| p.2 > 0)
                .map_or(0, |p| (100.0 * p.1 / p.2 as f32).round() as u32);
            standards.push(json!({
                "code": code, "items": items.len(), "studied": studied, "mastered": mastered,
                "mastery": pct(mastered, items.len()), "predicted": predicted,
                "kinds": kinds.iter().map(|(k, (m, n))| json!({"kind": k, "mastered": m, "items": n, "mastery": pct(*m, *n)})).collect::<Vec<_>>(),
            }));
        }
        let tz = learner.settings.tz();
        let days: BTreeSet<NaiveDate> = attempts
            .iter()
            .map(|a| a.at.with_timezone(&tz).date_naive())
            .collect();
        let mut streak = 0;
        let mut day = if days.contains(&today) {
            today
        } else {
            today - chrono::Days::new(1)
        };
        while days.contains(&day) {
            streak += 1;
            day = day - chrono::Days::new(1);
        }
        let right = attempts.iter().filter(|a| a.correct).count();
        self.text(
            "stats",
            json!({
                "standards": standards, "streak": streak, "due_today": due_today, "due_week": due_week,
                "leeches": leeches, "answered": attempts.len(), "right": right,
                "epa": epa.to_string(), "epa_from": epa_from.name(),
            }),
        )
    }

    /// The learner's settings, with their end-point date and the plan to it (re-decided first
    /// when it is a week old or made for another date, once the learner has answered).
    pub(super) fn settings(&self, learner: &Learner) -> Result<Vec<Out>> {
        // A learner with no answers yet has nothing to plan from (and the server plans daily).
        let learner = &if learner.plan.is_some() || !self.store.srs_all(learner.id)?.is_empty() {
            self.replan(learner)?
        } else {
            learner.clone()
        };
        let s = &learner.settings;
        let rest: Vec<&str> = s
            .rest_days
            .iter()
            .filter_map(|&d| DAYS.get(d as usize).copied())
            .collect();
        let (epa, epa_from) = self.epa_of(learner)?;
        let pct = |x: f32| (100.0 * x).round() as u32;
        let plan = learner.plan.as_ref().map(|p| {
            json!({"retention": pct(p.retention), "new_per_day": p.new_per_day, "expected": pct(p.expected),
                   "default_expected": pct(p.default_expected), "gain": pct(p.expected) as i64 - pct(p.default_expected) as i64,
                   "decided": p.decided.to_string(), "weights": p.weights,
                   "fitted": p.weights != "default", "cohort_weights": p.weights.starts_with("cohort:")})
        });
        self.text(
            "settings",
            json!({"time": s.daily_time, "timezone": s.timezone, "per_day": s.per_day, "new_per_day": s.new_per_day,
                    "paused": s.paused, "rest": rest, "epa": epa.to_string(), "epa_from": epa_from.name(),
                    "plan": plan}),
        )
    }

    fn save_settings(&self, learner: &Learner) -> Result<Vec<Out>> {
        self.store.put_learner(learner)?;
        self.store.durable()?;
        let mut out = self.text("settings-updated", json!({}))?;
        out.extend(self.settings(learner)?);
        Ok(out)
    }

    pub(super) fn set_time(&self, mut learner: Learner, t: &str) -> Result<Vec<Out>> {
        match NaiveTime::parse_from_str(t.trim(), "%H:%M") {
            Ok(time) => {
                learner.settings.daily_time = time.format("%H:%M").to_string();
                self.save_settings(&learner)
            }
            Err(_) => self.text("bad-time", json!({"given": t})),
        }
    }

    pub(super) fn set_timezone(&self, mut learner: Learner, t: &str) -> Result<Vec<Out>> {
        match t.trim().parse::<Tz>() {
            Ok(tz) => {
                learner.settings.timezone = tz.name().to_string();
                self.save_settings(&learner)
            }
            Err(_) => self.text("bad-timezone", json!({"given": t})),
        }
    }

    pub(super) fn set_per_day(&self, mut learner: Learner, t: &str) -> Result<Vec<Out>> {
        match t.trim().parse::<u32>() {
            Ok(n) if (1..=50).contains(&n) => {
                learner.settings.per_day = n;
                self.save_settings(&learner)
            }
            _ => self.text("bad-number", json!({"given": t, "min": 1, "max": 50})),
        }
    }

    pub(super) fn set_new_per_day(&self, mut learner: Learner, t: &str) -> Result<Vec<Out>> {
        match t.trim().parse::<u32>() {
            Ok(n) if n <= 50 => {
                learner.settings.new_per_day = n;
                self.save_settings(&learner)
            }
            _ => self.text("bad-number", json!({"given": t, "min": 0, "max": 50})),
        }
    }

    pub(super) fn set_rest_days(&self, mut learner: Learner, t: &str) -> Result<Vec<Out>> {
        let t = t.trim().to_lowercase();
        let mut days = Vec::new();
        if t != "none" {
            for word in t
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
            {
                let key: String = word.chars().take(3).collect();
                match DAYS.iter().position(|d| *d == key) {
                    Some(i) => days.push(i as u8),
                    None => return self.text("bad-restdays", json!({"given": word})),
                }
            }
            if days.is_empty() || days.len() >= 7 {
                return self.text("bad-restdays", json!({"given": t}));
            }
        }
        days.sort_unstable();
        days.dedup();
        learner.settings.rest_days = days;
        // Work already due on the new rest days is spread over the days around them.
        let today = self.today(&learner);
        let mut states = self.store.srs_all(learner.id)?;
        let moved = crate::srs::respread(&mut states, today, &learner.settings.rest_days);
        for (item, s) in states.iter().filter(|(i, _)| moved.contains(i)) {
            self.store.put_srs(learner.id, item, s)?;
        }
        self.save_settings(&learner)
    }

    pub(super) fn pause(&self, mut learner: Learner, paused: bool) -> Result<Vec<Out>> {
        learner.settings.paused = paused;
        self.store.put_learner(&learner)?;
        self.store.durable()?;
        self.text(if paused { "paused" } else { "resumed" }, json!({}))
    }

    /// Everything stored about the learner, as a summary and a JSON document.
    pub(super) fn my_data(&self, learner: &Learner) -> Result<Vec<Out>> {
        let attempts = self.store.attempts(learner.id)?;
        let states = self.store.srs_all(learner.id)?;
        let doc = json!({
            "learner": learner,
            "scheduling": states.iter().map(|(i, s)| json!({"item": i, "state": s})).collect::<Vec<_>>(),
            "attempts": attempts,
            "open_quiz": self.store.session(learner.id)?,
        });
        let mut out = self.text(
            "mydata",
            json!({"name": learner.name, "accounts": learner.accounts, "standards": learner.standards,
                    "cohorts": learner.cohorts, "attempts": attempts.len(), "items": states.len()}),
        )?;
        out.push(Out::Document {
            name: "ksbquiz-my-data.json".into(),
            content: serde_json::to_vec_pretty(&doc).unwrap_or_default(),
        });
        Ok(out)
    }

    /// `/forget`: asks for a confirmation, which counts for [`FORGET_MINUTES`] minutes.
    pub(super) fn forget_ask(&self, learner: &Learner) -> Result<Vec<Out>> {
        self.store.put_forget_request(learner.id, self.now())?;
        self.text("forget-confirm", json!({"minutes": FORGET_MINUTES}))
    }

    /// `/forget confirm`: deletes every record of the learner, if they asked just before;
    /// otherwise asks first (a stray confirmation deletes nothing).
    pub(super) fn forget_confirm(&self, learner: &Learner) -> Result<Vec<Out>> {
        let asked = self.store.forget_request(learner.id)?;
        let fresh = asked.is_some_and(|at| {
            let age = self.now() - at;
            age >= chrono::Duration::zero() && age <= chrono::Duration::minutes(FORGET_MINUTES)
        });
        if !fresh {
            return self.forget_ask(learner);
        }
        self.forget_links(learner.id)?;
        self.store.clear_forget_request(learner.id)?;
        self.store.forget(learner.id)?;
        self.text("forgotten", json!({}))
    }

    /// How many questions today's quiz would ask (0: nothing to prompt for).
    pub fn daily_count(&self, learner: &Learner) -> Result<usize> {
        let today = self.today(learner);
        // Already started (or finished) today's quiz: nothing to invite to.
        if self
            .store
            .session(learner.id)?
            .is_some_and(|s| s.mode == Mode::Daily && s.day == today)
        {
            return Ok(0);
        }
        Ok(self.plan(learner, Mode::Daily)?.0.len())
    }

    /// Learners whose daily prompt is due at `now` (their local time has passed their daily
    /// time today, not paused, not a rest day). Used by the bots' schedulers.
    pub fn local_prompt_due(&self, learner: &Learner) -> Option<NaiveDate> {
        let s = &learner.settings;
        if s.paused || learner.inactive || learner.standards.is_empty() {
            return None;
        }
        let local = self.now().with_timezone(&s.tz());
        let at = s.daily_at();
        let today = local.date_naive();
        if crate::srs::is_rest(today, &s.rest_days) || local.time() < at {
            return None;
        }
        Some(today)
    }
}

impl Engine {
    /// The bank's option at each place `d` showed (empty for a retired question).
    fn order_shown(&self, d: &Delivery) -> Vec<usize> {
        self.bank
            .question(&d.question)
            .map(|q| d.order_for(q.options.len()))
            .unwrap_or_default()
    }
}

/// Where the bank's option `bank` was shown, in a delivery's `order`.
fn place_of(order: &[usize], bank: usize) -> usize {
    order.iter().position(|&b| b == bank).unwrap_or(bank)
}
