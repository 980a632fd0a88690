ALTER TABLE pilot_runs DROP COLUMN refused;
