//! What answering touches, all under the learner's prefix in `ldata`: scheduling states,
//! sessions and their planned questions, deliveries, recording an answer, and attempts.

use chrono::{DateTime, NaiveDate, Utc};

use super::cache::{Hot, Stripe, due_by_day};
use super::codec;
use super::keys::{
    K_ATTEMPT, K_PICK, K_SESSION, K_SRS, SESSION_BITS, attempt_key_of, delivery_id, delivery_key,
    learner_of, lkind, session_seq,
};
use super::{
    Answered, Attempt, Delivery, LearnerId, Mode, Pick, Result, Session, SrsState, Store,
    StoreError, dec, enc,
};

/// What recording an answer did.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// First answer to this delivery: recorded with the new scheduling state; `next` is the
    /// next question opened in the same step, if the session goes on. The attempt says which
    /// answer counted (after a crash and a retry, the one the schedule was made from).
    New {
        attempt: Box<Attempt>,
        /// The delivery answered, as stored (the order it showed its options in).
        delivery: Box<Delivery>,
        srs: Option<SrsState>,
        session: Option<Box<Session>>,
        next: Option<Delivery>,
    },
    /// The delivery was already answered (a double click, a retried webhook): nothing changed.
    Duplicate { delivery: Delivery },
    /// The delivery's quiz ended before this answer came: nothing recorded.
    Closed { delivery: Delivery },
    /// The plan's `grade` refused the answer (not the asker's question, say): nothing recorded.
    Refused { delivery: Delivery },
    /// No such delivery.
    Unknown,
}

/// How many of a learner's items are due on a day (what the scheduler spreads due dates by).
pub type Load<'a> = dyn Fn(NaiveDate) -> usize + 'a;

/// The new scheduling state for a delivery's item: the delivery, the old state, whether the
/// answer was right, and the learner's load by day in.
pub type Schedule<'a> = dyn Fn(&Delivery, Option<SrsState>, bool, &Load) -> Option<SrsState> + 'a;

/// How the engine wants one answer recorded: the store supplies the current records, the
/// closures say what to write.
pub struct AnswerPlan<'a> {
    pub delivery: &'a str,
    pub platform: &'a str,
    pub now: DateTime<Utc>,
    /// What the answer means for the delivery as stored (the option it chose, as the bank
    /// numbers them, and whether it is right); `None` refuses the answer (not the asker's
    /// question, no such option...) and nothing is recorded.
    pub grade: &'a dyn Fn(&Delivery) -> Option<Graded>,
    /// New scheduling state for the delivery's item from the old one and whether the answer
    /// was right (None: nothing to write, e.g. practice of an item not yet studied).
    pub schedule: &'a Schedule<'a>,
}

/// An answer as the engine reads it against its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graded {
    /// The bank's option chosen (a learner's question shows its options in its own order).
    pub option: usize,
    pub correct: bool,
}

/// A learner's scheduling states by item, read at one moment: a session planned from them
/// remembers its items' states (see [`Store::start_session`]) when no state of the learner
/// was written since, so its answers need not read them from sled.
#[derive(Debug, Clone, Default)]
pub struct SrsSnapshot {
    pub states: std::collections::HashMap<String, SrsState>,
    /// The stripe's `srs_writes` before the read; None: not to be remembered.
    writes: Option<u64>,
}

impl Store {
    // ---- spaced repetition ------------------------------------------------------------

    pub fn srs(&self, id: LearnerId, item: &str) -> Result<Option<SrsState>> {
        self.inner
            .ldata
            .get(lkind(id, K_SRS, item.as_bytes()))?
            .map(|v| codec::decode_srs(&v))
            .transpose()
    }

    /// All of a learner's scheduling states, by item id.
    pub fn srs_all(&self, id: LearnerId) -> Result<Vec<(String, SrsState)>> {
        self.inner
            .ldata
            .scan_prefix(lkind(id, K_SRS, &[]))
            .map(|r| {
                let (k, v) = r?;
                Ok((
                    String::from_utf8_lossy(&k[9..]).into_owned(),
                    codec::decode_srs(&v)?,
                ))
            })
            .collect()
    }

    /// All of a learner's scheduling states, as a snapshot a session can start from.
    pub fn srs_snapshot(&self, id: LearnerId) -> Result<SrsSnapshot> {
        let writes = self.lock(id).srs_writes;
        Ok(SrsSnapshot {
            states: self.srs_all(id)?.into_iter().collect(),
            writes: Some(writes),
        })
    }

    pub fn put_srs(&self, id: LearnerId, item: &str, s: &SrsState) -> Result<()> {
        let mut g = self.lock(id);
        self.inner
            .ldata
            .insert(lkind(id, K_SRS, item.as_bytes()), codec::encode_srs(s))?;
        g.srs_replaced(id);
        Ok(())
    }

    // ---- sessions and deliveries ------------------------------------------------------

    /// The learner's session as it stands now. A session started by schema 4 is stored as it
    /// started, and how far it got is read from the attempts on its questions (see
    /// [`Session::seq`]).
    pub fn session(&self, id: LearnerId) -> Result<Option<Session>> {
        self.inner
            .ldata
            .get(lkind(id, K_SESSION, &[]))?
            .map(|v| dec(&v).and_then(|s| self.settle(s)))
            .transpose()
    }

    /// A stored session moved on past the questions answered since it started. Only the open
    /// question can be answered, so those are its first questions, in order, and the question
    /// open now was sent when the last of them was answered.
    fn settle(&self, mut s: Session) -> Result<Session> {
        let Some(seq) = s.seq else {
            return Ok(s);
        };
        let key = |n: usize| {
            let seq = session_seq(seq, n);
            lkind(s.learner, K_ATTEMPT, &seq.to_be_bytes())
        };
        let mut last = None;
        for r in self.inner.ldata.range(key(s.pos)..key(s.total)) {
            let (k, v) = r?;
            if k.as_ref() != key(s.pos).as_slice() {
                break;
            }
            let a: Attempt = codec::decode_attempt(&v)?;
            s.pos += 1;
            s.answered += 1;
            s.correct += u32::from(a.correct);
            last = Some(a.at);
        }
        if let Some(sent) = last {
            let next = if s.pos < s.total {
                Some(self.session_pick(&s, seq)?)
            } else {
                None
            };
            s.open_next(next, sent);
        }
        Ok(s)
    }

    /// The delivery id and planned question at a schema-4 session's position.
    fn session_pick(&self, s: &Session, seq: u64) -> Result<(String, Pick)> {
        let pick = self.pick(s.learner, s.pos)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "learner {}'s session has no question {}",
                s.learner, s.pos
            ))
        })?;
        let id = delivery_id(s.learner, session_seq(seq, s.pos));
        Ok((id, pick))
    }

    /// The `index`-th question planned in the learner's session.
    pub fn pick(&self, id: LearnerId, index: usize) -> Result<Option<Pick>> {
        self.inner
            .ldata
            .get(lkind(id, K_PICK, &(index as u32).to_be_bytes()))?
            .map(|v| dec(&v))
            .transpose()
    }

    /// A delivery, with its answer if it has one (the answer is its attempt, stored apart).
    ///
    /// Where it lives: the question a session has open is inside the session record; one
    /// closed unanswered (its quiz replaced) or a live quiz's question has a record of its own;
    /// an answered one that has neither is told by its attempt.
    pub fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let Some(dkey) = delivery_key(id) else {
            return Ok(None);
        };
        let session = self.session(learner_of(&dkey))?;
        self.find_delivery(&dkey, id, session.as_ref())
    }

    /// The question a session has open, with its answer if it has one: [`Store::delivery`] for
    /// a caller that has read the session already.
    pub fn open_question(&self, session: &Session) -> Result<Option<Delivery>> {
        let Some(id) = session.current.as_deref() else {
            return Ok(None);
        };
        let Some(dkey) = delivery_key(id) else {
            return Ok(None);
        };
        self.find_delivery(&dkey, id, Some(session))
    }

    /// [`Store::delivery`] with the learner's session already read.
    fn find_delivery(
        &self,
        dkey: &[u8],
        id: &str,
        session: Option<&Session>,
    ) -> Result<Option<Delivery>> {
        let attempt = self
            .inner
            .ldata
            .get(attempt_key_of(dkey))?
            .map(|a| codec::decode_attempt(&a))
            .transpose()?;
        let open = session
            .filter(|s| s.current.as_deref() == Some(id))
            .and_then(|s| s.open.clone());
        let mut d = match open {
            Some(d) => d,
            None => match self.inner.ldata.get(dkey)? {
                Some(v) => dec(&v)?,
                None => match &attempt {
                    Some(a) => Delivery {
                        id: id.to_string(),
                        learner: a.learner,
                        question: a.question.clone(),
                        item: a.item.clone(),
                        sent: a.at - chrono::Duration::milliseconds(a.response_ms as i64),
                        mode: a.mode,
                        answered: None,
                        closed: false,
                        order: Delivery::dealt(id, a.mode),
                    },
                    None => return Ok(None),
                },
            },
        };
        if d.answered.is_none()
            && let Some(a) = attempt
        {
            d.answered = Some(Answered {
                option: a.option,
                correct: a.correct,
                at: a.at,
            });
        }
        Ok(Some(d))
    }

    /// A fresh delivery id for a learner, for a question asked on its own; it begins a block
    /// of sequence numbers of its own, like a session's first question.
    pub fn new_delivery_id(&self, id: LearnerId) -> Result<String> {
        Ok(delivery_id(
            id,
            session_seq(self.inner.db.generate_id()?, 0),
        ))
    }

    /// The delivery id a key names for a learner (a live quiz's question): the same key always
    /// names the same delivery, so a retried answer finds the first one. Keyed ids have the top
    /// bit set and never meet the sequential ids of [`Store::new_delivery_id`].
    pub fn keyed_delivery_id(&self, id: LearnerId, key: &str) -> String {
        delivery_id(id, crate::domain::fnv1a(key) | (1 << 63))
    }

    /// Opens a delivery outside any session (a live quiz's question) unless one with its id
    /// exists; true when it was opened now.
    pub fn open_delivery(&self, d: &Delivery) -> Result<bool> {
        let k = delivery_key(&d.id)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery id {}", d.id)))?;
        let _g = self.lock(d.learner);
        if self.inner.ldata.contains_key(&k)? {
            return Ok(false);
        }
        self.inner.ldata.insert(k, enc(d))?;
        Ok(true)
    }

    /// Starts a session of the planned questions `picks` for the learner, replacing any other
    /// (whose open question is closed and can no longer be answered), with the first question
    /// open, sent `now`. `planned_from` is what the picks were planned from: when no state was
    /// written since, the session remembers its items' states. Returns the session and its
    /// first question; `None` when `picks` is empty.
    pub fn start_session(
        &self,
        learner: LearnerId,
        mode: Mode,
        day: NaiveDate,
        picks: &[Pick],
        planned_from: &SrsSnapshot,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Delivery)>> {
        // A block numbers 2^16 questions (a quiz asks fifty at most).
        let picks = &picks[..picks.len().min(1 << SESSION_BITS)];
        let Some(first) = picks.first() else {
            return Ok(None);
        };
        let seq = self.inner.db.generate_id()?;
        let mut session = Session {
            learner,
            mode,
            day,
            total: picks.len(),
            pos: 0,
            current: None,
            correct: 0,
            answered: 0,
            open: None,
            seq: Some(seq),
        };
        session.open_next(
            Some((delivery_id(learner, session_seq(seq, 0)), first.clone())),
            now,
        );
        let Some(open) = session.open.clone() else {
            return Ok(None);
        };
        self.replace_session(learner, Some((&session, picks, planned_from)))?;
        Ok(Some((session, open)))
    }

    /// Ends the learner's session, if any, closing its open question.
    pub fn end_session(&self, learner: LearnerId) -> Result<()> {
        self.replace_session(learner, None)
    }

    /// Replaces the learner's session under their lock, remembering the new one (see `Stripe`).
    ///
    /// Single-key writes, in an order a crash cannot hurt (see [`Store::record_answer`] for why
    /// not a batch): the new picks (indexes past the new session's total are never read, so
    /// old ones need no removal), the old open question closed in a record of its own, then
    /// the new session (the switch).
    fn replace_session(
        &self,
        learner: LearnerId,
        new: Option<(&Session, &[Pick], &SrsSnapshot)>,
    ) -> Result<()> {
        let mut g = self.lock(learner);
        g.hot.remove(&learner);
        let ldata = &self.inner.ldata;
        let before = self.session(learner)?;
        if let Some(old) = before
            .as_ref()
            .map(|s| self.open_question(s))
            .transpose()?
            .flatten()
            && old.answered.is_none()
            && !old.closed
            && let Some(k) = delivery_key(&old.id)
        {
            ldata.insert(
                k,
                enc(&Delivery {
                    closed: true,
                    ..old
                }),
            )?;
        }
        let key = lkind(learner, K_SESSION, &[]);
        match new {
            Some((session, picks, planned_from)) => {
                for (n, p) in picks.iter().enumerate() {
                    ldata.insert(lkind(learner, K_PICK, &(n as u32).to_be_bytes()), enc(p))?;
                }
                ldata.insert(key, enc(session))?;
                let current = planned_from.writes == Some(g.srs_writes);
                let srs = picks
                    .iter()
                    .filter(|_| current)
                    .map(|p| (p.item.clone(), planned_from.states.get(&p.item).cloned()))
                    .collect();
                let hot = Hot {
                    session: Some(session.clone()),
                    picks: Some(picks.into()),
                    srs,
                    due: current.then(|| due_by_day(planned_from.states.values())),
                };
                g.remember(learner, hot);
            }
            None => {
                ldata.remove(key)?;
            }
        }
        Ok(())
    }

    /// Records an answer under the learner's lock: the scheduling state, then the attempt
    /// (the commit point); an older session (see [`Session::seq`]) is then moved on with its
    /// next question. Answering a delivery twice records it once.
    ///
    /// The writes are single-key inserts, not one `apply_batch`: sled 0.34 takes a global
    /// write lock for a batch, and every flush holds that lock's read side through its fsync,
    /// so batched writers queue behind each flush and group commit collapses (measured: 11k
    /// durable two-key batches/s against 50k four-insert answers/s, 16 writers). Atomicity
    /// comes from the order and from idempotence instead; an answer is acknowledged only after
    /// a flush that covers all of them, and until then a crash may keep any prefix of them:
    /// - the scheduling state remembers the delivery it reviewed and the option chosen, so a
    ///   retry records that same answer (attempt and schedule agree) and reviews once;
    /// - the attempt, keyed by its delivery, is the commit point: it makes the delivery
    ///   answered and turns a retry into a "duplicate"; there can never be two; a session
    ///   started by schema 4 is moved on by it alone (its position is read from its attempts);
    /// - an older session, with the next question inside it, comes last: a retry that finds
    ///   the attempt but the session still on this question moves the session on then.
    pub fn record_answer(&self, plan: &AnswerPlan) -> Result<Recorded> {
        let Some(dkey) = delivery_key(plan.delivery) else {
            return Ok(Recorded::Unknown);
        };
        let learner = learner_of(&dkey);
        let mut g = self.lock(learner);
        let recorded = self.record_locked(plan, &dkey, learner, &mut g);
        if recorded.is_err() {
            g.hot.remove(&learner);
        }
        recorded
    }

    /// [`Store::record_answer`] under the learner's lock: `stripe` remembers the learner's
    /// open quiz if this process wrote it last, and is kept up to date.
    fn record_locked(
        &self,
        plan: &AnswerPlan,
        dkey: &[u8],
        learner: LearnerId,
        stripe: &mut Stripe,
    ) -> Result<Recorded> {
        let ldata = &self.inner.ldata;
        let hot = stripe.hot.get(&learner);
        let session = match hot {
            Some(h) => h.session.clone(),
            None => self.session(learner)?,
        };
        let picks = hot.and_then(|h| h.picks.clone());
        let in_session = session
            .as_ref()
            .is_some_and(|s| s.current.as_deref() == Some(plan.delivery));
        // This process moved the session to this question and nothing has answered it since
        // (an answer would have moved it on), so there is no attempt to look for.
        let unanswered = hot
            .filter(|_| in_session)
            .and_then(|h| h.session.as_ref())
            .and_then(|s| s.open.clone());
        let d = match unanswered {
            Some(d) => d,
            None => match self.find_delivery(dkey, plan.delivery, session.as_ref())? {
                Some(d) => d,
                None => return Ok(Recorded::Unknown),
            },
        };
        if let Some(a) = &d.answered {
            if in_session {
                // An older session whose answer was committed but whose move a crash lost
                // (a schema-4 session is read as moved on already): make the move now.
                let correct = a.correct;
                let session =
                    self.advance_session(learner, session, picks.as_deref(), correct, plan.now)?;
                stripe.moved(learner, session, picks);
            }
            return Ok(Recorded::Duplicate { delivery: d });
        }
        if d.closed {
            return Ok(Recorded::Closed { delivery: d });
        }
        let old = match hot.and_then(|h| h.srs.get(&d.item)) {
            Some(known) => known.clone(),
            None => self.srs(learner, &d.item)?,
        };
        let (option, correct, new_srs) = match old {
            // A retry after a crash that kept this review: record the answer it was made from.
            Some(s) if s.last_delivery.as_deref() == Some(plan.delivery) => {
                let option = match s.last_option {
                    Some(o) => o,
                    None => (plan.grade)(&d).map_or(0, |g| g.option),
                };
                (option, s.last_correct, Some(s))
            }
            old => {
                let Some(Graded { option, correct }) = (plan.grade)(&d) else {
                    return Ok(Recorded::Refused { delivery: d });
                };
                // The learner's load by day: remembered with the session, or read from sled
                // once, if the scheduler asks.
                let known_due = hot.and_then(|h| h.due.as_ref());
                let read_due = std::cell::OnceCell::new();
                let load = |day: NaiveDate| {
                    let due = known_due.unwrap_or_else(|| {
                        read_due.get_or_init(|| {
                            let states = self.srs_all(learner).unwrap_or_default();
                            due_by_day(states.iter().map(|(_, s)| s))
                        })
                    });
                    due.get(&day).copied().unwrap_or(0)
                };
                let old_due = old.as_ref().map(|o| o.due);
                let new = (plan.schedule)(&d, old, correct, &load).map(|mut s| {
                    s.last_delivery = Some(d.id.clone());
                    s.last_option = Some(option);
                    s
                });
                if let Some(s) = &new {
                    ldata.insert(
                        lkind(learner, K_SRS, d.item.as_bytes()),
                        codec::encode_srs(s),
                    )?;
                    stripe.srs_written(learner, &d.item, old_due, s);
                }
                (option, correct, new)
            }
        };
        let attempt = Attempt {
            learner: d.learner,
            item: d.item.clone(),
            question: d.question.clone(),
            option,
            correct,
            response_ms: (plan.now - d.sent).num_milliseconds().max(0) as u64,
            platform: plan.platform.to_string(),
            at: plan.now,
            delivery: d.id.clone(),
            mode: d.mode,
        };
        // The commit point.
        ldata.insert(attempt_key_of(dkey), codec::encode_attempt(&attempt))?;
        let session = if in_session {
            let session =
                self.advance_session(learner, session, picks.as_deref(), correct, plan.now)?;
            stripe.moved(learner, session.clone(), picks);
            session
        } else {
            None
        };
        let next = session.as_ref().and_then(|s| s.open.clone());
        Ok(Recorded::New {
            attempt: Box::new(attempt),
            delivery: Box::new(d),
            srs: new_srs,
            session: session.map(Box::new),
            next,
        })
    }

    /// Moves the session on past its open question, opening the next planned one inside it
    /// (or ending the session after the last). A schema-4 session is not written: its
    /// attempts say how far it got. An older one is written with its next question inside.
    fn advance_session(
        &self,
        learner: LearnerId,
        session: Option<Session>,
        picks: Option<&[Pick]>,
        correct: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let Some(sess) = session else {
            return Ok(None);
        };
        let pos = sess.pos + 1;
        let next_pick = match picks {
            Some(p) => p.get(pos).cloned(),
            None if pos < sess.total => self.pick(learner, pos)?,
            None => None,
        };
        let next_id = match sess.seq {
            Some(seq) => delivery_id(learner, session_seq(seq, pos)),
            None => self.new_delivery_id(learner)?,
        };
        let written = sess.seq.is_none();
        let session = sess.advanced(correct, next_pick.map(|p| (next_id, p)), now);
        if written {
            self.inner
                .ldata
                .insert(lkind(learner, K_SESSION, &[]), enc(&session))?;
        }
        Ok(Some(session))
    }

    // ---- attempts ---------------------------------------------------------------------

    /// A learner's attempts, oldest first.
    pub fn attempts(&self, id: LearnerId) -> Result<Vec<Attempt>> {
        self.inner
            .ldata
            .scan_prefix(lkind(id, K_ATTEMPT, &[]))
            .map(|r| codec::decode_attempt(&r?.1))
            .collect::<Result<Vec<Attempt>>>()
            .map(|mut v| {
                // Keys follow deliveries (sent order), not answers: sort by time answered.
                v.sort_by_key(|a| a.at);
                v
            })
    }

    /// Every attempt of every learner (for exports and benchmarks).
    pub fn all_attempts(&self) -> impl Iterator<Item = Result<Attempt>> + '_ {
        self.inner
            .ldata
            .iter()
            .filter(|r| {
                r.as_ref()
                    .map_or(true, |(k, _)| k.get(8) == Some(&K_ATTEMPT))
            })
            .map(|r| {
                r.map_err(StoreError::from)
                    .and_then(|(_, v)| codec::decode_attempt(&v))
            })
    }

    /// Appends attempts in bulk (history imported from elsewhere, benchmark fixtures). Not an
    /// answer path: no idempotency, no scheduling; durable on return.
    pub fn import_attempts(&self, attempts: &[Attempt]) -> Result<()> {
        let mut batch = sled::Batch::default();
        for a in attempts {
            let seq = session_seq(self.inner.db.generate_id()?, 0);
            let key = lkind(a.learner, K_ATTEMPT, &seq.to_be_bytes());
            batch.insert(key, codec::encode_attempt(a));
        }
        self.inner.ldata.apply_batch(batch)?;
        self.durable()
    }

    /// Number of attempts stored (a full scan: for tests and reports, not hot paths).
    pub fn attempt_count(&self) -> usize {
        self.all_attempts().count()
    }
}
