-- Platform admins retire topics instead of deleting them: a retired topic stays on the
-- challenges and evaluators that carry it and leaves the filters and forms.
ALTER TABLE topics ADD COLUMN retired_at TIMESTAMP;

-- Only a new name changes what the index holds: retiring a topic must not rebuild it.
DROP TRIGGER topics_search ON topics;
CREATE TRIGGER topics_search AFTER UPDATE OF name_de, name_en ON topics
    FOR EACH ROW
    WHEN (OLD.name_de IS DISTINCT FROM NEW.name_de OR OLD.name_en IS DISTINCT FROM NEW.name_en)
    EXECUTE FUNCTION search_outbox_rebuild();
