-- Platform admins retire topics instead of deleting them: a retired topic stays on the
-- challenges and evaluators that carry it and leaves the filters and forms.
ALTER TABLE topics ADD COLUMN retired_at TIMESTAMP;

-- Only a new name changes what the index holds: retiring a topic must not rebuild it.
DROP TRIGGER topics_search_update;
CREATE TRIGGER topics_search_update AFTER UPDATE OF name_de, name_en ON topics
WHEN OLD.name_de IS NOT NEW.name_de OR OLD.name_en IS NOT NEW.name_en
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('all', 0); END;
