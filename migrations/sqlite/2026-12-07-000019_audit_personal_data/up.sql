-- Personal data of audit entries moves out of the hash chain, so that it can be erased
-- (an erased account, the retention period) while the chain keeps verifying. Entries of
-- format 1 (written before) hash their address; those of format 2 hash neither the
-- address nor `personal` (what a person typed: an email address), and only those two
-- may be emptied. Everything the chain covers stays unchangeable.
ALTER TABLE audit_log ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN personal TEXT NOT NULL DEFAULT '{}';

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.format = 2 AND NEW.format = 2
    AND NEW.id = OLD.id AND NEW.created_at = OLD.created_at
    AND NEW.actor_user_id IS OLD.actor_user_id AND NEW.action = OLD.action
    AND NEW.object_type = OLD.object_type AND NEW.object_id IS OLD.object_id
    AND NEW.details = OLD.details AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND (NEW.ip = OLD.ip OR NEW.ip = '')
    AND (NEW.personal = OLD.personal OR NEW.personal = '{}')
)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only; only personal data may be erased'); END;

-- The retention job finds old addresses by time.
CREATE INDEX audit_log_created ON audit_log(created_at);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id);
