//! The one state machine of an evaluation: a stage's status, and the state of each
//! proposal in a stage (its "entry").
//!
//! ```text
//! stage:  planned --start--> running --release--> released
//! entry:  pending --decide--> decided(outcome) --release--> released(outcome)
//!                 <--retract--
//! ```
//!
//! The rules that span stages live here too: a stage starts only after the one before
//! it was released (no stage is skipped), a stage is released only when every entry is
//! decided, a decision is made once (it can be retracted until release, never changed
//! after), and reviews change only while their stage runs and its deadline has not
//! passed. The functions are pure; the database layer loads the facts, asks here, and
//! records the transition with an audit entry.

use crate::kinds::{Outcome, StageStatus};
use chrono::NaiveDateTime;

impl From<Refusal> for crate::error::AppError {
    fn from(r: Refusal) -> Self {
        crate::error::AppError::Conflict {
            message_id: r.message_id(),
        }
    }
}

/// A proposal's state in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// No decision yet.
    Pending,
    /// Decided, not yet released: the agency may still retract it; the team does not see it.
    Decided(Outcome),
    /// Decided and released with the stage: final, and the team sees it.
    Released(Outcome),
}

/// Why a transition is refused. Each is a 409 with its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The stage before this one has not been released.
    PreviousNotReleased,
    /// The stage is running or released already.
    AlreadyStarted,
    /// The stage is not running: planned, or already released.
    NotRunning,
    /// Entries without a decision, so the stage cannot be released.
    Undecided(usize),
    /// The entry has a decision already; retract it first.
    AlreadyDecided,
    /// There is no decision to retract.
    NotDecided,
    /// The stage's deadline has passed: reviews are final.
    DeadlinePassed,
}

impl Refusal {
    /// The message id (in the `evaluation` strings) explaining the refusal.
    pub fn message_id(self) -> &'static str {
        match self {
            Refusal::PreviousNotReleased => "stage-previous-not-released",
            Refusal::AlreadyStarted => "stage-already-started",
            Refusal::NotRunning => "stage-not-running",
            Refusal::Undecided(_) => "stage-undecided",
            Refusal::AlreadyDecided => "entry-already-decided",
            Refusal::NotDecided => "entry-not-decided",
            Refusal::DeadlinePassed => "stage-deadline-passed",
        }
    }
}

/// Starting a stage. `previous` is the status of the stage before it, if any.
pub fn start(status: StageStatus, previous: Option<StageStatus>) -> Result<StageStatus, Refusal> {
    if status != StageStatus::Planned {
        return Err(Refusal::AlreadyStarted);
    }
    if previous.is_some_and(|p| p != StageStatus::Released) {
        return Err(Refusal::PreviousNotReleased);
    }
    Ok(StageStatus::Running)
}

/// Releasing a running stage whose entries are all decided. Its entries then become
/// [`released`].
pub fn release(status: StageStatus, undecided: usize) -> Result<StageStatus, Refusal> {
    if status != StageStatus::Running {
        return Err(Refusal::NotRunning);
    }
    if undecided > 0 {
        return Err(Refusal::Undecided(undecided));
    }
    Ok(StageStatus::Released)
}

/// An entry's state once its stage is released.
pub fn released(entry: EntryState) -> EntryState {
    match entry {
        EntryState::Decided(o) | EntryState::Released(o) => EntryState::Released(o),
        EntryState::Pending => EntryState::Pending,
    }
}

/// Deciding a pending entry of a running stage.
pub fn decide(
    stage: StageStatus,
    entry: EntryState,
    outcome: Outcome,
) -> Result<EntryState, Refusal> {
    if stage != StageStatus::Running {
        return Err(Refusal::NotRunning);
    }
    match entry {
        EntryState::Pending => Ok(EntryState::Decided(outcome)),
        _ => Err(Refusal::AlreadyDecided),
    }
}

/// Taking back a decision before the stage is released.
pub fn retract(stage: StageStatus, entry: EntryState) -> Result<EntryState, Refusal> {
    if stage != StageStatus::Running {
        return Err(Refusal::NotRunning);
    }
    match entry {
        EntryState::Decided(_) => Ok(EntryState::Pending),
        _ => Err(Refusal::NotDecided),
    }
}

/// Whether a review may be written or changed now: while the stage runs, up to its
/// deadline (inclusive).
pub fn may_review(
    stage: StageStatus,
    ends_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), Refusal> {
    if stage != StageStatus::Running {
        return Err(Refusal::NotRunning);
    }
    if ends_at.is_some_and(|end| now > end) {
        return Err(Refusal::DeadlinePassed);
    }
    Ok(())
}

/// Which proposals enter a stage when it starts: for the first stage, every submitted
/// proposal; for a later one, those advanced (and released) in the stage before.
pub fn entrants(previous: Option<&[(i64, EntryState)]>, submitted: &[i64]) -> Vec<i64> {
    match previous {
        None => submitted.to_vec(),
        Some(entries) => entries
            .iter()
            .filter(|(_, e)| *e == EntryState::Released(Outcome::Advance))
            .map(|(p, _)| *p)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Clone)]
    enum Act {
        Start(usize),
        Release(usize),
        Decide(usize, i64, Outcome),
        Retract(usize, i64),
        Review(usize, i64),
        Tick,
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        prop_oneof![
            Just(Outcome::Advance),
            Just(Outcome::Reject),
            Just(Outcome::Shelve)
        ]
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            (0usize..3).prop_map(Act::Start),
            (0usize..3).prop_map(Act::Release),
            (0usize..3, 1i64..5, outcome()).prop_map(|(s, p, o)| Act::Decide(s, p, o)),
            (0usize..3, 1i64..5).prop_map(|(s, p)| Act::Retract(s, p)),
            (0usize..3, 1i64..5).prop_map(|(s, p)| Act::Review(s, p)),
            Just(Act::Tick),
        ]
    }

    /// A challenge with three stages driven only through the functions above, the way
    /// the database layer drives them.
    struct Model {
        status: [StageStatus; 3],
        ends_at: [i64; 3],
        entries: [BTreeMap<i64, EntryState>; 3],
        clock: i64,
        releases: Vec<usize>,
    }

    fn at(t: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc()
    }

    impl Model {
        fn apply(&mut self, a: &Act) -> Result<(), Refusal> {
            match *a {
                Act::Start(s) => {
                    let previous = s.checked_sub(1).map(|p| self.status[p]);
                    self.status[s] = start(self.status[s], previous)?;
                    let before: Option<Vec<(i64, EntryState)>> = s
                        .checked_sub(1)
                        .map(|p| self.entries[p].iter().map(|(k, v)| (*k, *v)).collect());
                    for p in entrants(before.as_deref(), &[1, 2, 3, 4]) {
                        self.entries[s].insert(p, EntryState::Pending);
                    }
                }
                Act::Release(s) => {
                    let undecided = self.entries[s]
                        .values()
                        .filter(|e| **e == EntryState::Pending)
                        .count();
                    self.status[s] = release(self.status[s], undecided)?;
                    for e in self.entries[s].values_mut() {
                        *e = released(*e);
                    }
                    self.releases.push(s);
                }
                Act::Decide(s, p, o) => {
                    let entry = *self.entries[s].get(&p).ok_or(Refusal::NotRunning)?;
                    let next = decide(self.status[s], entry, o)?;
                    self.entries[s].insert(p, next);
                }
                Act::Retract(s, p) => {
                    let entry = *self.entries[s].get(&p).ok_or(Refusal::NotRunning)?;
                    let next = retract(self.status[s], entry)?;
                    self.entries[s].insert(p, next);
                }
                Act::Review(s, p) => {
                    self.entries[s].get(&p).ok_or(Refusal::NotRunning)?;
                    may_review(self.status[s], Some(at(self.ends_at[s])), at(self.clock))?;
                    // The invariant the deadline protects, checked where it matters.
                    assert!(self.clock <= self.ends_at[s]);
                    assert_eq!(self.status[s], StageStatus::Running);
                }
                Act::Tick => self.clock += 1,
            }
            Ok(())
        }
    }

    proptest! {
        /// Random sequences of actions, accepted or refused, never break the rules:
        /// no stage skipped, nothing decided twice or changed after release, no review
        /// after the deadline, releases in stage order, and only advanced proposals in
        /// a later stage.
        #[test]
        fn no_sequence_of_actions_breaks_the_evaluation_rules(
            acts in proptest::collection::vec(act(), 1..80),
            ends in proptest::array::uniform3(0i64..20),
        ) {
            let mut m = Model {
                status: [StageStatus::Planned; 3],
                ends_at: ends,
                entries: Default::default(),
                clock: 0,
                releases: Vec::new(),
            };
            for a in &acts {
                let frozen: Vec<(usize, BTreeMap<i64, EntryState>)> = (0..3)
                    .filter(|&s| m.status[s] == StageStatus::Released)
                    .map(|s| (s, m.entries[s].clone()))
                    .collect();
                let decided_before = m.entries.clone();
                let result = m.apply(a);
                // Released stages never change.
                for (s, entries) in &frozen {
                    prop_assert_eq!(m.status[*s], StageStatus::Released);
                    prop_assert_eq!(&m.entries[*s], entries);
                }
                // A decision only ever replaces "pending" (or is retracted to it).
                if let (Ok(()), Act::Decide(s, p, _)) = (&result, a) {
                    prop_assert_eq!(decided_before[*s].get(p), Some(&EntryState::Pending));
                }
                for s in 0..3 {
                    if m.status[s] != StageStatus::Planned {
                        prop_assert!((0..s).all(|p| m.status[p] == StageStatus::Released));
                    }
                    if s > 0 {
                        for p in m.entries[s].keys() {
                            prop_assert_eq!(
                                m.entries[s - 1].get(p),
                                Some(&EntryState::Released(Outcome::Advance))
                            );
                        }
                    }
                }
            }
            prop_assert!(m.releases.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn a_stage_starts_only_after_the_previous_one_is_released() {
        assert_eq!(start(StageStatus::Planned, None), Ok(StageStatus::Running));
        assert_eq!(
            start(StageStatus::Planned, Some(StageStatus::Running)),
            Err(Refusal::PreviousNotReleased)
        );
        assert_eq!(
            start(StageStatus::Running, None),
            Err(Refusal::AlreadyStarted)
        );
    }

    #[test]
    fn release_needs_every_entry_decided() {
        assert_eq!(release(StageStatus::Running, 2), Err(Refusal::Undecided(2)));
        assert_eq!(release(StageStatus::Running, 0), Ok(StageStatus::Released));
        assert_eq!(release(StageStatus::Planned, 0), Err(Refusal::NotRunning));
    }

    #[test]
    fn reviews_close_at_the_deadline() {
        let end = at(100);
        assert!(may_review(StageStatus::Running, Some(end), at(100)).is_ok());
        assert_eq!(
            may_review(StageStatus::Running, Some(end), at(101)),
            Err(Refusal::DeadlinePassed)
        );
        assert_eq!(
            may_review(StageStatus::Released, None, at(0)),
            Err(Refusal::NotRunning)
        );
    }
}
