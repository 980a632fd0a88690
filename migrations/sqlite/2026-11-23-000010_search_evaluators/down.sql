DROP TRIGGER stages_search_update;
DROP TRIGGER assignments_search_delete;
DROP TRIGGER assignments_search_update;
DROP TRIGGER assignments_search_insert;
