-- Deep pages of the challenge list cost what page 1 costs: a page's ids come from an
-- index that holds everything the filter and the order read (the status included), so
-- skipping thousands of entries reads no row; only the page's own rows are read after.
DROP INDEX challenges_deadline;
DROP INDEX challenges_newest;
DROP INDEX challenges_title;
DROP INDEX challenges_status_deadline;
DROP INDEX challenges_published;
CREATE INDEX challenges_deadline ON challenges(submission_deadline, id, status);
CREATE INDEX challenges_newest ON challenges(published_at, id, status);
CREATE INDEX challenges_title ON challenges(title, id, status);
CREATE INDEX challenges_status_deadline ON challenges(status, submission_deadline, id);
CREATE INDEX challenges_published ON challenges(status, published_at, id);
CREATE INDEX challenges_status_title ON challenges(status, title, id);
