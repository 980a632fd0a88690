DROP TRIGGER stages_search ON stages;
DROP FUNCTION search_outbox_stage();
DROP TRIGGER assignments_search ON assignments;
