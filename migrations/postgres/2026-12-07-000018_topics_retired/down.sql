DROP TRIGGER topics_search ON topics;
CREATE TRIGGER topics_search AFTER UPDATE ON topics
    FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_rebuild();
ALTER TABLE topics DROP COLUMN retired_at;
