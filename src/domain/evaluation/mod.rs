//! Staged evaluation of proposals: who reviews what, how reviews add up, and the order
//! in which stages run and decisions are made.
//!
//! - [`workflow`]: the one state machine for stages and a proposal's place in a stage.
//! - [`assignment`]: balanced, conflict-free assignment of evaluators.
//! - [`ranking`]: review scores, means, spreads, calibration and flags.

pub mod assignment;
pub mod ranking;
pub mod workflow;
