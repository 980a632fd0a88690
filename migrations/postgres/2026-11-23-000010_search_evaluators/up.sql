-- Assigned evaluators find their proposals through search (stages that are not blind):
-- a change of an assignment, or of a stage's status or blindness, re-indexes the
-- proposals concerned.
CREATE TRIGGER assignments_search AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION search_outbox_enqueue('proposal', 'proposal_id');

CREATE FUNCTION search_outbox_stage() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_outbox (kind, record_id)
    SELECT 'proposal', proposal_id FROM stage_entries WHERE stage_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER stages_search AFTER UPDATE OF status, blind ON stages
    FOR EACH ROW EXECUTE FUNCTION search_outbox_stage();
