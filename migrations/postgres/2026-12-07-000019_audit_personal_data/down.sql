DROP INDEX audit_log_actor;
DROP INDEX audit_log_created;
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;
$$ LANGUAGE plpgsql;
ALTER TABLE audit_log DROP COLUMN personal;
ALTER TABLE audit_log DROP COLUMN format;
