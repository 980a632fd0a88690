-- The search index is derived from the database. Every change to a searchable record
-- leaves a row here in the same transaction (written by triggers, so no write path can
-- forget it); each instance's indexer applies the rows after its own cursor.
-- AUTOINCREMENT: ids never come back after old rows are pruned, so a cursor stays valid.
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('challenge', 'proposal', 'question', 'organisation', 'all')),
    record_id BIGINT NOT NULL,
    -- Only PostgreSQL needs the writing transaction (see the postgres migration).
    tx_id BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX search_outbox_created ON search_outbox(created_at);

CREATE TRIGGER challenges_search_insert AFTER INSERT ON challenges
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('challenge', NEW.id); END;
CREATE TRIGGER challenges_search_update AFTER UPDATE ON challenges
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('challenge', NEW.id); END;
CREATE TRIGGER challenges_search_delete AFTER DELETE ON challenges
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('challenge', OLD.id); END;

CREATE TRIGGER challenge_topics_search_insert AFTER INSERT ON challenge_topics
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('challenge', NEW.challenge_id); END;
CREATE TRIGGER challenge_topics_search_delete AFTER DELETE ON challenge_topics
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('challenge', OLD.challenge_id); END;

CREATE TRIGGER proposals_search_insert AFTER INSERT ON proposals
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', NEW.id); END;
CREATE TRIGGER proposals_search_update AFTER UPDATE ON proposals
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', NEW.id); END;
CREATE TRIGGER proposals_search_delete AFTER DELETE ON proposals
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', OLD.id); END;

CREATE TRIGGER questions_search_insert AFTER INSERT ON questions
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('question', NEW.id); END;
CREATE TRIGGER questions_search_update AFTER UPDATE ON questions
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('question', NEW.id); END;
CREATE TRIGGER questions_search_delete AFTER DELETE ON questions
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('question', OLD.id); END;

CREATE TRIGGER organisations_search_insert AFTER INSERT ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('organisation', NEW.id); END;
CREATE TRIGGER organisations_search_update AFTER UPDATE ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('organisation', NEW.id); END;
CREATE TRIGGER organisations_search_delete AFTER DELETE ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('organisation', OLD.id); END;

-- Topic names are indexed with every tagged record: a renamed topic means a rebuild.
CREATE TRIGGER topics_search_update AFTER UPDATE ON topics
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('all', 0); END;
