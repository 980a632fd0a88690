DROP INDEX challenges_title;
DROP INDEX challenges_newest;
DROP INDEX challenges_deadline;
