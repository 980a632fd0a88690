-- Refused answers counted in a run so far: a run adds at most a fixed number to its
-- pilot's report, so one visitor sending a page again and again cannot skew it.
ALTER TABLE pilot_runs ADD COLUMN refused BIGINT NOT NULL DEFAULT 0;
