-- Counts the challenge list would otherwise compute on every request by walking an
-- index of every challenge: how many challenges are in each status (the total of a list
-- filtered by status alone) and how many each organisation has published (the agencies
-- the list's filter offers). A trigger keeps them, so every way of writing a challenge
-- (pages, API, seeds, imports) counts alike.
CREATE TABLE challenge_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL DEFAULT 0
);
INSERT INTO challenge_status_counts (status, n)
SELECT s.status, (SELECT COUNT(*) FROM challenges c WHERE c.status = s.status)
FROM (VALUES ('draft'), ('open'), ('closed'), ('evaluating'), ('concluded'), ('archived')) AS s(status);

CREATE TABLE publisher_counts (
    organisation_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    published BIGINT NOT NULL DEFAULT 0
);
INSERT INTO publisher_counts (organisation_id, published)
SELECT organisation_id, COUNT(*) FROM challenges WHERE status <> 'draft' GROUP BY organisation_id;
-- The busiest publishers first, straight from the index.
CREATE INDEX publisher_counts_busiest ON publisher_counts(published DESC, organisation_id);

-- Each change takes its row locks in one order (status counts, then publishers), and a
-- change of status updates both of its status rows in one statement, so two changes
-- going opposite ways (open -> closed, closed -> open) cannot deadlock.
CREATE FUNCTION challenges_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE challenge_status_counts SET n = n + 1 WHERE status = NEW.status;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE challenge_status_counts SET n = n - 1 WHERE status = OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        UPDATE challenge_status_counts
        SET n = n + CASE WHEN status = NEW.status THEN 1 ELSE -1 END
        WHERE status IN (OLD.status, NEW.status);
    ELSIF OLD.organisation_id = NEW.organisation_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status <> 'draft' THEN
        UPDATE publisher_counts SET published = published - 1
        WHERE organisation_id = OLD.organisation_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO publisher_counts (organisation_id, published)
        VALUES (NEW.organisation_id, CASE WHEN NEW.status <> 'draft' THEN 1 ELSE 0 END)
        ON CONFLICT (organisation_id) DO UPDATE
        SET published = publisher_counts.published + EXCLUDED.published;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER challenges_counted AFTER INSERT OR DELETE OR UPDATE OF status, organisation_id
ON challenges FOR EACH ROW EXECUTE FUNCTION challenges_counted();
