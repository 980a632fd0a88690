DROP INDEX audit_log_actor;
DROP INDEX audit_log_created;
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
ALTER TABLE audit_log DROP COLUMN personal;
ALTER TABLE audit_log DROP COLUMN format;
