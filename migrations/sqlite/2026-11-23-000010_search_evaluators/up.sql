-- Assigned evaluators find their proposals through search (stages that are not blind):
-- a change of an assignment, or of a stage's status or blindness, re-indexes the
-- proposals concerned.
CREATE TRIGGER assignments_search_insert AFTER INSERT ON assignments
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', NEW.proposal_id); END;
CREATE TRIGGER assignments_search_update AFTER UPDATE ON assignments
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', NEW.proposal_id); END;
CREATE TRIGGER assignments_search_delete AFTER DELETE ON assignments
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('proposal', OLD.proposal_id); END;
CREATE TRIGGER stages_search_update AFTER UPDATE OF status, blind ON stages
BEGIN
    INSERT INTO search_outbox (kind, record_id)
    SELECT 'proposal', proposal_id FROM stage_entries WHERE stage_id = NEW.id;
END;
