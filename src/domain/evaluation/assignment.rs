//! Automatic assignment of evaluators to the proposals of a stage.
//!
//! The plan gives every proposal `per_proposal` evaluators, never one who is excluded
//! from it (a conflict of interest, or a declined assignment), and spreads the work so
//! that loads differ by at most one wherever the exclusions allow it. Within those
//! bounds it prefers evaluators whose expertise matches the proposal's topics. The same
//! input always gives the same plan: every choice is ordered by ids.
//!
//! It works in two passes. A greedy pass fills the most constrained proposals first,
//! each slot with the best evaluator that still has room under the balanced capacity.
//! Slots it cannot fill go to a repair pass that looks for a chain of moves (an
//! augmenting path): evaluator A takes the slot, giving up one of its new proposals to
//! B, who gives up one to C, ... until someone with room takes the last one. Only when no
//! such chain exists under any capacity that `max_load` allows is a slot reported
//! unfilled.

use std::collections::{BTreeMap, VecDeque};

/// A proposal to be reviewed in the stage.
#[derive(Debug, Clone, Default)]
pub struct ProposalSlots {
    /// The proposal.
    pub id: i64,
    /// Topic ids, for matching expertise.
    pub topics: Vec<i64>,
    /// Evaluators already assigned (manually or by an earlier run).
    pub assigned: Vec<i64>,
    /// Evaluators who must never get it: conflicts and declined assignments.
    pub excluded: Vec<i64>,
}

/// An evaluator of the challenge who has accepted.
#[derive(Debug, Clone, Default)]
pub struct Evaluator {
    /// The evaluator's id in the challenge's pool (`evaluators.id`).
    pub id: i64,
    /// Topic ids the evaluator knows, matched against the proposals' topics.
    pub expertise: Vec<i64>,
}

/// What an automatic assignment would create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// New `(proposal, evaluator)` pairs, ordered by proposal then evaluator.
    pub pairs: Vec<(i64, i64)>,
    /// Every evaluator's load in the stage afterwards (existing assignments included).
    pub loads: BTreeMap<i64, u32>,
    /// Proposals that still lack evaluators, with how many are missing.
    pub unfilled: Vec<(i64, u32)>,
}

impl Plan {
    /// The lightest load of any evaluator after the plan; 0 without evaluators.
    pub fn min_load(&self) -> u32 {
        self.loads.values().copied().min().unwrap_or(0)
    }
    /// The heaviest load of any evaluator after the plan; 0 without evaluators.
    pub fn max_load(&self) -> u32 {
        self.loads.values().copied().max().unwrap_or(0)
    }
}

/// Plans the assignments that bring every proposal to `per_proposal` evaluators.
/// `max_load` caps any evaluator's total in the stage.
pub fn plan(
    proposals: &[ProposalSlots],
    evaluators: &[Evaluator],
    per_proposal: u32,
    max_load: Option<u32>,
) -> Plan {
    Planner::new(proposals, evaluators, per_proposal, max_load).run()
}

/// Working state, with evaluators and proposals as indexes into sorted lists.
struct Planner<'a> {
    evaluators: Vec<&'a Evaluator>,
    proposals: Vec<&'a ProposalSlots>,
    /// `allowed[p][e]`: evaluator `e` may get proposal `p` (not excluded, not already on it).
    allowed: Vec<Vec<bool>>,
    /// `fit[p][e]`: how many of the proposal's topics the evaluator knows.
    fit: Vec<Vec<u16>>,
    /// Slots each proposal still needs.
    missing: Vec<u32>,
    load: Vec<u32>,
    /// New assignments per evaluator (the only ones the repair pass may move).
    new_of: Vec<Vec<usize>>,
    /// `on[p][e]`: `e` reviews `p` (existing or new).
    on: Vec<Vec<bool>>,
    cap: Vec<u32>,
    max_load: u32,
}

impl<'a> Planner<'a> {
    fn new(
        proposals: &'a [ProposalSlots],
        evaluators: &'a [Evaluator],
        per_proposal: u32,
        max_load: Option<u32>,
    ) -> Self {
        let mut evaluators: Vec<&Evaluator> = evaluators.iter().collect();
        evaluators.sort_by_key(|e| e.id);
        evaluators.dedup_by_key(|e| e.id);
        let mut proposals: Vec<&ProposalSlots> = proposals.iter().collect();
        proposals.sort_by_key(|p| p.id);
        proposals.dedup_by_key(|p| p.id);
        let index: BTreeMap<i64, usize> = evaluators
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        let m = evaluators.len();
        let mut load = vec![0u32; m];
        let mut on = Vec::with_capacity(proposals.len());
        let mut allowed = Vec::with_capacity(proposals.len());
        let mut fit = Vec::with_capacity(proposals.len());
        let mut missing = Vec::with_capacity(proposals.len());
        for p in &proposals {
            let mut on_p = vec![false; m];
            for id in &p.assigned {
                if let Some(&e) = index.get(id) {
                    if !on_p[e] {
                        on_p[e] = true;
                        load[e] += 1;
                    }
                }
            }
            let mut allowed_p: Vec<bool> = on_p.iter().map(|on| !on).collect();
            for id in &p.excluded {
                if let Some(&e) = index.get(id) {
                    allowed_p[e] = false;
                }
            }
            fit.push(
                evaluators
                    .iter()
                    .map(|e| overlap(&p.topics, &e.expertise))
                    .collect(),
            );
            let have = on_p.iter().filter(|&&on| on).count() as u32;
            missing.push(per_proposal.saturating_sub(have));
            on.push(on_p);
            allowed.push(allowed_p);
        }
        Planner {
            new_of: vec![Vec::new(); m],
            cap: vec![0; m],
            max_load: max_load.unwrap_or(u32::MAX),
            evaluators,
            proposals,
            allowed,
            fit,
            missing,
            load,
            on,
        }
    }

    fn run(mut self) -> Plan {
        let mut order: Vec<usize> = (0..self.proposals.len()).collect();
        // The proposals with the fewest possible evaluators go first, while there is
        // still room with those few.
        order.sort_by_key(|&p| (self.allowed[p].iter().filter(|&&a| a).count(), p));
        let mut level = self.balanced_level(self.missing.iter().sum());
        loop {
            self.set_caps(level, self.missing.iter().sum());
            for &p in &order {
                while self.missing[p] > 0 {
                    match self.best_with_room(p) {
                        Some(e) => self.assign(p, e),
                        None => break,
                    }
                }
            }
            for &p in &order {
                while self.missing[p] > 0 && self.augment(p) {}
            }
            let left: u32 = self.missing.iter().sum();
            // Exclusions can make the balanced capacity too tight; then allow one more
            // per evaluator and try again, as far as `max_load` permits.
            if left == 0 || !self.capacity_binds() {
                break;
            }
            level += 1;
        }
        self.into_plan()
    }

    /// The load every evaluator would reach if the new work were spread perfectly on
    /// top of the existing work ("water filling"): the highest level such that topping
    /// every evaluator up to it takes no more than `wanted` slots.
    fn balanced_level(&self, wanted: u32) -> u32 {
        let top_up = |level: u32| -> u64 {
            self.load
                .iter()
                .map(|&l| u64::from(level.saturating_sub(l)))
                .sum()
        };
        if self.load.is_empty() {
            return 0;
        }
        let (mut lo, mut hi) = (0u32, self.load.iter().max().unwrap_or(&0) + wanted);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if top_up(mid) <= u64::from(wanted) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo.min(self.max_load)
    }

    /// Capacities for a level: everyone below it up to it, and what remains of
    /// `wanted` (the part that does not divide evenly) as one more for as many of them,
    /// lowest loads first.
    fn set_caps(&mut self, level: u32, wanted: u32) {
        let filled: u32 = self.load.iter().map(|&l| level.saturating_sub(l)).sum();
        let mut extra = wanted.saturating_sub(filled);
        let mut by_load: Vec<usize> = (0..self.load.len()).collect();
        by_load.sort_by_key(|&e| (self.load[e], e));
        for e in by_load {
            let mut cap = self.load[e].max(level);
            if extra > 0 && self.load[e] <= level {
                cap = level + 1;
                extra -= 1;
            }
            self.cap[e] = cap.min(self.max_load).max(self.load[e]);
        }
    }

    /// Whether some evaluator is held back by the capacity (and not yet by `max_load`):
    /// only then can a higher level fill more.
    fn capacity_binds(&self) -> bool {
        (0..self.load.len()).any(|e| !self.has_room(e) && self.cap[e] < self.max_load)
    }

    fn has_room(&self, e: usize) -> bool {
        self.load[e] < self.cap[e]
    }

    /// The evaluator with room who fits `p` best: most matching expertise, then the
    /// lowest load, then the lowest id.
    fn best_with_room(&self, p: usize) -> Option<usize> {
        (0..self.evaluators.len())
            .filter(|&e| self.allowed[p][e] && self.has_room(e))
            .min_by_key(|&e| (std::cmp::Reverse(self.fit[p][e]), self.load[e], e))
    }

    fn assign(&mut self, p: usize, e: usize) {
        self.allowed[p][e] = false;
        self.on[p][e] = true;
        self.load[e] += 1;
        self.missing[p] -= 1;
        self.new_of[e].push(p);
    }

    /// Fills one slot of `p` through a chain of moves, if one exists (breadth first, so
    /// the shortest chain). Returns whether it did.
    fn augment(&mut self, p: usize) -> bool {
        let m = self.evaluators.len();
        // parent[e] = (previous evaluator in the chain, the proposal moved from it to e).
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; m];
        let mut seen = vec![false; m];
        let mut queue = VecDeque::new();
        for (e, &allowed) in self.allowed[p].iter().enumerate() {
            if allowed {
                seen[e] = true;
                queue.push_back(e);
            }
        }
        while let Some(e) = queue.pop_front() {
            if self.has_room(e) {
                self.apply_chain(p, e, &parent);
                return true;
            }
            for &q in &self.new_of[e] {
                for f in 0..m {
                    if !seen[f] && self.allowed[q][f] {
                        seen[f] = true;
                        parent[f] = Some((e, q));
                        queue.push_back(f);
                    }
                }
            }
        }
        false
    }

    /// Walks the chain back from `last` (who has room): each evaluator takes the
    /// proposal its predecessor gives up, and the first one takes `p`.
    fn apply_chain(&mut self, p: usize, last: usize, parent: &[Option<(usize, usize)>]) {
        let mut e = last;
        while let Some((from, q)) = parent[e] {
            self.hand_over(q, from, e);
            e = from;
        }
        self.assign(p, e);
    }

    /// Moves a new assignment of `q` from one evaluator to another.
    fn hand_over(&mut self, q: usize, from: usize, to: usize) {
        self.on[q][from] = false;
        self.allowed[q][from] = true;
        self.load[from] -= 1;
        if let Some(i) = self.new_of[from].iter().position(|&x| x == q) {
            self.new_of[from].swap_remove(i);
        }
        self.missing[q] += 1;
        self.assign(q, to);
    }

    fn into_plan(self) -> Plan {
        let mut pairs: Vec<(i64, i64)> = self
            .new_of
            .iter()
            .enumerate()
            .flat_map(|(e, ps)| {
                let evaluator = self.evaluators[e].id;
                let proposals = &self.proposals;
                ps.iter().map(move |&p| (proposals[p].id, evaluator))
            })
            .collect();
        pairs.sort_unstable();
        Plan {
            pairs,
            loads: self
                .evaluators
                .iter()
                .zip(&self.load)
                .map(|(e, &l)| (e.id, l))
                .collect(),
            unfilled: self
                .proposals
                .iter()
                .zip(&self.missing)
                .filter(|(_, &n)| n > 0)
                .map(|(p, &n)| (p.id, n))
                .collect(),
        }
    }
}

/// How many entries two sorted-or-not small lists share.
fn overlap(a: &[i64], b: &[i64]) -> u16 {
    a.iter().filter(|t| b.contains(t)).count() as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn evaluators(n: i64) -> Vec<Evaluator> {
        (1..=n)
            .map(|id| Evaluator {
                id,
                expertise: vec![],
            })
            .collect()
    }

    fn proposals(n: i64) -> Vec<ProposalSlots> {
        (101..=100 + n)
            .map(|id| ProposalSlots {
                id,
                ..Default::default()
            })
            .collect()
    }

    fn reviewers_of(plan: &Plan, proposal: i64) -> Vec<i64> {
        plan.pairs
            .iter()
            .filter(|(p, _)| *p == proposal)
            .map(|&(_, e)| e)
            .collect()
    }

    #[test]
    fn every_proposal_gets_k_distinct_evaluators_and_loads_differ_by_at_most_one() {
        let plan = plan(&proposals(10), &evaluators(4), 3, None);
        assert!(plan.unfilled.is_empty());
        assert_eq!(plan.pairs.len(), 30);
        for p in 101..=110 {
            let mut r = reviewers_of(&plan, p);
            r.dedup();
            assert_eq!(r.len(), 3, "proposal {p}: {r:?}");
        }
        assert_eq!((plan.min_load(), plan.max_load()), (7, 8));
    }

    #[test]
    fn conflicts_and_declines_are_never_assigned() {
        let mut ps = proposals(6);
        ps[0].excluded = vec![1, 2];
        ps[3].excluded = vec![3];
        let plan = plan(&ps, &evaluators(4), 2, None);
        assert!(plan.unfilled.is_empty());
        assert!(reviewers_of(&plan, 101).iter().all(|e| *e > 2));
        assert!(!reviewers_of(&plan, 104).contains(&3));
        assert_eq!((plan.min_load(), plan.max_load()), (3, 3));
    }

    #[test]
    fn the_same_input_in_another_order_gives_the_same_plan() {
        let mut ps = proposals(25);
        for (i, p) in ps.iter_mut().enumerate() {
            p.topics = vec![(i % 3) as i64];
            p.excluded = vec![(i % 7) as i64 + 1];
        }
        let mut es = evaluators(7);
        for e in &mut es {
            e.expertise = vec![e.id % 3];
        }
        let first = plan(&ps, &es, 3, None);
        ps.reverse();
        es.reverse();
        assert_eq!(plan(&ps, &es, 3, None), first);
    }

    #[test]
    fn expertise_is_preferred_within_the_balanced_loads() {
        let mut ps = proposals(4);
        ps[0].topics = vec![7];
        ps[1].topics = vec![7];
        let mut es = evaluators(4);
        es[3].expertise = vec![7];
        let plan = plan(&ps, &es, 1, None);
        // Evaluator 4 knows topic 7 but may take only one of the four (balance).
        assert_eq!(reviewers_of(&plan, 101), vec![4]);
        assert_eq!((plan.min_load(), plan.max_load()), (1, 1));
    }

    #[test]
    fn slots_that_cannot_be_filled_are_reported() {
        let mut ps = proposals(2);
        ps[0].excluded = vec![1, 2];
        let plan = plan(&ps, &evaluators(3), 2, None);
        assert_eq!(plan.unfilled, vec![(101, 1)]);
        assert_eq!(reviewers_of(&plan, 101), vec![3]);
        assert_eq!(reviewers_of(&plan, 102).len(), 2);
    }

    #[test]
    fn an_explicit_maximum_is_respected() {
        let plan = plan(&proposals(10), &evaluators(3), 2, Some(5));
        assert_eq!(plan.max_load(), 5);
        assert_eq!(plan.pairs.len(), 15);
        let missing: u32 = plan.unfilled.iter().map(|(_, n)| n).sum();
        assert_eq!(missing, 5);
    }

    #[test]
    fn existing_assignments_count_and_are_not_repeated() {
        let mut ps = proposals(4);
        ps[0].assigned = vec![1, 2];
        ps[1].assigned = vec![1];
        let plan = plan(&ps, &evaluators(3), 2, None);
        assert!(plan.unfilled.is_empty());
        assert!(reviewers_of(&plan, 101).is_empty());
        assert_eq!(reviewers_of(&plan, 102).len(), 1);
        assert!(!reviewers_of(&plan, 102).contains(&1));
        // 8 slots over 3 evaluators, 3 of them existing: loads 3, 3, 2.
        assert_eq!((plan.min_load(), plan.max_load()), (2, 3));
    }

    #[test]
    fn a_chain_of_moves_fills_what_the_greedy_pass_left_open() {
        // The greedy pass gives 101 to evaluators 1 and 2 (4 is excluded, nobody fits
        // better), and 102 to 4 (the expert); 102's second slot then finds 1 and 2
        // full and 3 excluded. The repair moves 101 from 1 to 3 and gives 102 to 1,
        // so the loads stay even instead of 1 taking two.
        let mut ps = proposals(2);
        ps[0].topics = vec![1];
        ps[0].excluded = vec![4];
        ps[1].topics = vec![1];
        ps[1].excluded = vec![3];
        let mut es = evaluators(4);
        es[3].expertise = vec![1];
        let plan = plan(&ps, &es, 2, None);
        assert!(plan.unfilled.is_empty());
        assert_eq!(plan.pairs, vec![(101, 2), (101, 3), (102, 1), (102, 4)]);
        assert_eq!((plan.min_load(), plan.max_load()), (1, 1));
    }

    proptest! {
        /// Whatever the exclusions: no excluded or repeated evaluator, no proposal over
        /// k, no load over the maximum; without exclusions, everything filled within one.
        #[test]
        fn plans_keep_their_promises(
            n_props in 1usize..30,
            n_evals in 1usize..12,
            k in 1u32..4,
            max_load in proptest::option::of(1u32..15),
            exclusions in proptest::collection::vec((0usize..30, 0usize..12), 0..40),
        ) {
            let es = evaluators(n_evals as i64);
            let mut ps = proposals(n_props as i64);
            for &(p, e) in &exclusions {
                if p < n_props && e < n_evals {
                    ps[p].excluded.push(e as i64 + 1);
                }
            }
            let plan = plan(&ps, &es, k, max_load);
            for p in &ps {
                let r = reviewers_of(&plan, p.id);
                prop_assert!(r.len() as u32 <= k);
                prop_assert!(r.iter().all(|e| !p.excluded.contains(e)));
                let mut unique = r.clone();
                unique.dedup();
                prop_assert_eq!(unique.len(), r.len());
                if max_load.is_none() {
                    // Without a maximum nothing but the exclusions leaves a slot open.
                    let mut excluded = p.excluded.clone();
                    excluded.sort_unstable();
                    excluded.dedup();
                    let possible = (n_evals - excluded.len()) as u32;
                    prop_assert_eq!(r.len() as u32, k.min(possible));
                }
            }
            if let Some(max) = max_load {
                prop_assert!(plan.max_load() <= max);
            }
            let no_exclusions = ps.iter().all(|p| p.excluded.is_empty());
            if no_exclusions && max_load.is_none() && k as usize <= n_evals {
                prop_assert!(plan.unfilled.is_empty());
                prop_assert!(plan.max_load() - plan.min_load() <= 1);
            }
        }
    }
}
