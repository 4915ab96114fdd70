//! FSRS weights from the store's own review logs, checked against the defaults on reviews held
//! back from the fit.
//!
//! Each learner's answers to one item in daily and tutor-led quizzes (the ones that feed the
//! schedule; extra practice does not) make one review history, graded as the scheduler grades
//! them (right = Good, wrong = Again) with whole days between reviews. Histories are split by a
//! hash of learner and item: about one in five is held back, the rest fit the weights with the
//! `fsrs` crate's `compute_parameters`, and both the fitted and the default weights are scored on
//! the held-back reviews by the crate's log loss. A fit is kept only when it has at least
//! [`MIN_REVIEWS`] reviews to learn from and beats the defaults on the held-back ones.

use std::collections::BTreeMap;

use fsrs::{ComputeParametersInput, FSRS, FSRSItem, FSRSReview};

use super::{GRADE_RIGHT, GRADE_WRONG};
use crate::domain::{Attempt, LearnerId, Mode, fnv1a};

/// Reviews a fit needs at the least. The crate fits all 21 weights only from 64 training
/// examples (below that it returns the defaults or only the first four); reviews of one item
/// by one learner are far from independent, so ksbquiz asks for many more.
pub const MIN_REVIEWS: usize = 1_000;

/// One history in this many is held back to score the fit.
const HOLD_BACK: u64 = 5;

/// Why no weights were fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("{have} reviews to learn from; a fit needs at least {need}")]
    TooFew { have: usize, need: usize },
    #[error("no reviews held back to check the fit against")]
    NothingHeldBack,
    #[error("the FSRS fit failed: {0}")]
    Fsrs(String),
}

/// A fit and how it compares with the default weights on reviews it did not see.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub weights: Vec<f32>,
    /// Reviews the weights were fitted on, and reviews held back.
    pub reviews: usize,
    pub held_back: usize,
    /// Log loss on the held-back reviews with the fitted and with the default weights.
    pub log_loss: f32,
    pub default_log_loss: f32,
}

impl Fit {
    /// Whether the fitted weights predict the held-back reviews better than the defaults.
    pub fn better(&self) -> bool {
        self.log_loss < self.default_log_loss
    }
}

/// One learner's history of one item: (whole days since the previous review, right or not).
pub type History = Vec<(u32, bool)>;

/// Review histories from attempts (any order): per learner and item, the answers that feed the
/// schedule, oldest first.
pub fn histories<'a>(
    attempts: impl IntoIterator<Item = &'a Attempt>,
) -> Vec<((LearnerId, String), History)> {
    let mut by: BTreeMap<(LearnerId, &str), Vec<&Attempt>> = BTreeMap::new();
    for a in attempts {
        if matches!(a.mode, Mode::Daily | Mode::Cohort) {
            by.entry((a.learner, a.item.as_str())).or_default().push(a);
        }
    }
    by.into_iter()
        .map(|((l, item), mut v)| {
            v.sort_by_key(|a| a.at);
            let mut prev = None;
            let h = v
                .into_iter()
                .map(|a| {
                    let d = prev.map_or(0, |p: chrono::DateTime<chrono::Utc>| {
                        (a.at.date_naive() - p.date_naive()).num_days().max(0) as u32
                    });
                    prev = Some(a.at);
                    (d, a.correct)
                })
                .collect();
            ((l, item.to_string()), h)
        })
        .collect()
}

/// The crate's training examples from one history: every prefix that ends in a review after
/// at least a day (the first review of a history predicts nothing).
fn examples(h: &History) -> Vec<FSRSItem> {
    let reviews: Vec<FSRSReview> = h
        .iter()
        .map(|&(delta_t, right)| FSRSReview {
            rating: if right { GRADE_RIGHT } else { GRADE_WRONG },
            delta_t,
        })
        .collect();
    (2..=reviews.len())
        .filter(|&n| reviews[n - 1].delta_t > 0)
        .map(|n| {
            let mut r = reviews[..n].to_vec();
            r[0].delta_t = 0;
            FSRSItem { reviews: r }
        })
        .collect()
}

/// Fits weights to `histories`, holding back about one in [`HOLD_BACK`] of them to score the
/// fit, and refuses with fewer than `min_reviews` reviews to learn from.
pub fn fit(
    histories: &[((LearnerId, String), History)],
    min_reviews: usize,
) -> Result<Fit, FitError> {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    let (mut train_reviews, mut test_reviews) = (0, 0);
    for ((learner, item), h) in histories {
        let held = fnv1a(&format!("{learner}|{item}")).is_multiple_of(HOLD_BACK);
        let ex = examples(h);
        if held {
            test_reviews += h.len();
            test.extend(ex);
        } else {
            train_reviews += h.len();
            train.extend(ex);
        }
    }
    if train_reviews < min_reviews {
        return Err(FitError::TooFew {
            have: train_reviews,
            need: min_reviews,
        });
    }
    if test.is_empty() {
        return Err(FitError::NothingHeldBack);
    }
    let weights = fsrs::compute_parameters(ComputeParametersInput {
        train_set: train,
        // Reviews are a day apart at the least: no same-day steps to learn.
        enable_short_term: false,
        ..ComputeParametersInput::default()
    })
    .map_err(|e| FitError::Fsrs(e.to_string()))?;
    let score = |w: &[f32]| -> Result<f32, FitError> {
        let model = FSRS::new(w).map_err(|e| FitError::Fsrs(e.to_string()))?;
        model
            .evaluate(test.clone(), |_| true)
            .map(|e| e.log_loss)
            .map_err(|e| FitError::Fsrs(e.to_string()))
    };
    Ok(Fit {
        log_loss: score(&weights)?,
        default_log_loss: score(&[])?,
        weights,
        reviews: train_reviews,
        held_back: test_reviews,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_reviews_are_refused() {
        let h: Vec<((LearnerId, String), History)> = (0..50)
            .map(|i| {
                (
                    (i, format!("X/K{i}")),
                    vec![(0, true), (2, true), (5, false)],
                )
            })
            .collect();
        match fit(&h, MIN_REVIEWS) {
            Err(FitError::TooFew { have, need }) => {
                assert!(have < 150 && need == MIN_REVIEWS)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_first_review_predicts_nothing_and_same_day_answers_are_not_examples() {
        let ex = examples(&vec![(0, true), (0, false), (3, true), (4, true)]);
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].reviews.len(), 3);
        assert_eq!(ex[0].reviews[0].delta_t, 0);
    }
}
