DROP TRIGGER challenges_counted ON challenges;
DROP FUNCTION challenges_counted();
DROP TABLE publisher_counts;
DROP TABLE challenge_status_counts;
