-- The public list is ordered by deadline, publication or title across statuses; these
-- indexes let it read the first page in order instead of sorting every challenge.
CREATE INDEX challenges_deadline ON challenges(submission_deadline, id);
CREATE INDEX challenges_newest ON challenges(published_at, id);
CREATE INDEX challenges_title ON challenges(title, id);
