DROP INDEX assignments_proposal;
