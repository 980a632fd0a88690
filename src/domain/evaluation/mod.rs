//! Staged evaluation of proposals: who reviews what, how reviews add up, and the order
//! in which stages run and decisions are made.
//!
//! - [`workflow`]: the one state machine for stages and a proposal's place in a stage.
//! - [`assignment`]: balanced, conflict-free assignment of evaluators.
//! - [`ranking`]: review scores, means, spreads, calibration and flags.
//!
//! These three are pure; the database side calls them:
//!
//! - [`stages`]: the stages of a challenge and their rubric criteria, as the agency defines them.
//! - [`evaluators`]: the pool, its invitations, and conflicts of interest.
//! - [`progress`]: starting stages, decisions, release and results.
//! - [`reviews`]: assignments, the score form, what evaluators see, the ranking read.
//! - [`clarifications`]: questions to a team during a stage, and the answers.
//! - [`discussion`]: the private thread of agency and evaluators, with @mentions.

pub mod assignment;
pub mod clarifications;
pub mod discussion;
pub mod evaluators;
pub mod progress;
pub mod ranking;
pub mod reviews;
pub mod stages;
pub mod workflow;
