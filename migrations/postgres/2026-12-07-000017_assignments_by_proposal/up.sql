-- A proposal's reviews (its reviews page, the evaluator's check on a proposal page, the
-- discussion) are found through its assignments: without this index a lookup by proposal
-- scanned the assignments of every stage.
CREATE INDEX assignments_proposal ON assignments(proposal_id, stage_id);
