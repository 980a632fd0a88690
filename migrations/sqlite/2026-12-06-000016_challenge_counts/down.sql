DROP TRIGGER challenges_counted_update;
DROP TRIGGER challenges_counted_delete;
DROP TRIGGER challenges_counted_insert;
DROP TABLE publisher_counts;
DROP TABLE challenge_status_counts;
