-- Counts the challenge list would otherwise compute on every request by walking an
-- index of every challenge: how many challenges are in each status (the total of a list
-- filtered by status alone) and how many each organisation has published (the agencies
-- the list's filter offers). Triggers keep them, so every way of writing a challenge
-- (pages, API, seeds, imports) counts alike.
CREATE TABLE challenge_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL DEFAULT 0
);
INSERT INTO challenge_status_counts (status, n)
SELECT s.status, (SELECT COUNT(*) FROM challenges c WHERE c.status = s.status)
FROM (SELECT 'draft' AS status UNION ALL SELECT 'open' UNION ALL SELECT 'closed'
      UNION ALL SELECT 'evaluating' UNION ALL SELECT 'concluded' UNION ALL SELECT 'archived') s;

CREATE TABLE publisher_counts (
    organisation_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    published BIGINT NOT NULL DEFAULT 0
);
INSERT INTO publisher_counts (organisation_id, published)
SELECT organisation_id, COUNT(*) FROM challenges WHERE status <> 'draft' GROUP BY organisation_id;
-- The busiest publishers first, straight from the index.
CREATE INDEX publisher_counts_busiest ON publisher_counts(published DESC, organisation_id);

CREATE TRIGGER challenges_counted_insert AFTER INSERT ON challenges
BEGIN
    UPDATE challenge_status_counts SET n = n + 1 WHERE status = NEW.status;
    INSERT OR IGNORE INTO publisher_counts (organisation_id, published)
    VALUES (NEW.organisation_id, 0);
    UPDATE publisher_counts SET published = published + 1
    WHERE organisation_id = NEW.organisation_id AND NEW.status <> 'draft';
END;

CREATE TRIGGER challenges_counted_delete AFTER DELETE ON challenges
BEGIN
    UPDATE challenge_status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE publisher_counts SET published = published - 1
    WHERE organisation_id = OLD.organisation_id AND OLD.status <> 'draft';
END;

CREATE TRIGGER challenges_counted_update AFTER UPDATE OF status, organisation_id ON challenges
WHEN OLD.status <> NEW.status OR OLD.organisation_id <> NEW.organisation_id
BEGIN
    UPDATE challenge_status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE challenge_status_counts SET n = n + 1 WHERE status = NEW.status;
    UPDATE publisher_counts SET published = published - 1
    WHERE organisation_id = OLD.organisation_id AND OLD.status <> 'draft';
    INSERT OR IGNORE INTO publisher_counts (organisation_id, published)
    VALUES (NEW.organisation_id, 0);
    UPDATE publisher_counts SET published = published + 1
    WHERE organisation_id = NEW.organisation_id AND NEW.status <> 'draft';
END;
