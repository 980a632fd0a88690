DROP TRIGGER topics_search_update;
CREATE TRIGGER topics_search_update AFTER UPDATE ON topics
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('all', 0); END;
ALTER TABLE topics DROP COLUMN retired_at;
