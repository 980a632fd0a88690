DROP TABLE reviews;
DROP TABLE assignments;
DROP TABLE stage_entries;
DROP TABLE conflicts;
DROP TABLE evaluators;
CREATE TABLE invitations_old (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('organisation')),
    organisation_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    declined_at TIMESTAMP
);
INSERT INTO invitations_old SELECT id, kind, organisation_id, email, role, invited_by, created_at, expires_at, accepted_at, declined_at
    FROM invitations WHERE kind = 'organisation';
DROP TABLE invitations;
ALTER TABLE invitations_old RENAME TO invitations;
CREATE INDEX invitations_email ON invitations(email);
ALTER TABLE stages DROP COLUMN scores_released;
ALTER TABLE stages DROP COLUMN released_at;
ALTER TABLE stages DROP COLUMN status;
