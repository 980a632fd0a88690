-- Staged evaluation: stage status, evaluators and their invitations, declared conflicts,
-- proposals in stages with decisions, assignments and reviews.

ALTER TABLE stages ADD COLUMN status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'running', 'released'));
ALTER TABLE stages ADD COLUMN released_at TIMESTAMP;
-- The agency's choice at release: whether teams see their scores with the outcome.
ALTER TABLE stages ADD COLUMN scores_released BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE invitations_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'evaluator')),
    organisation_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
    challenge_id BIGINT REFERENCES challenges(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT CHECK (role IN ('owner', 'member')),
    expertise TEXT NOT NULL DEFAULT '',
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    declined_at TIMESTAMP,
    CHECK ((kind = 'organisation' AND organisation_id IS NOT NULL AND role IS NOT NULL)
        OR (kind = 'evaluator' AND challenge_id IS NOT NULL))
);
INSERT INTO invitations_new (id, kind, organisation_id, email, role, invited_by, created_at, expires_at, accepted_at, declined_at)
    SELECT id, kind, organisation_id, email, role, invited_by, created_at, expires_at, accepted_at, declined_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_email ON invitations(email);

-- Evaluators of one challenge: people who accepted an evaluator invitation.
CREATE TABLE evaluators (
    id INTEGER PRIMARY KEY,
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Topic slugs, comma separated: what the assignment prefers to match.
    expertise TEXT NOT NULL DEFAULT '',
    joined_at TIMESTAMP NOT NULL,
    UNIQUE (challenge_id, user_id)
);
CREATE INDEX evaluators_user ON evaluators(user_id);

-- Conflicts an evaluator declared. Conflicts through memberships (current, or ended less
-- than a year ago) are not stored: they are read from `memberships` when needed, so they
-- can never be stale.
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    evaluator_id BIGINT NOT NULL REFERENCES evaluators(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (evaluator_id, organisation_id)
);

-- A proposal in a stage. No outcome: pending; an outcome: decided, and visible to its team
-- once the stage is released (the stage's status says so; it is not copied here).
CREATE TABLE stage_entries (
    id INTEGER PRIMARY KEY,
    stage_id BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    outcome TEXT CHECK (outcome IN ('advance', 'reject', 'shelve')),
    feedback TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at TIMESTAMP,
    UNIQUE (stage_id, proposal_id)
);
CREATE INDEX stage_entries_proposal ON stage_entries(proposal_id);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    stage_id BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    evaluator_id BIGINT NOT NULL REFERENCES evaluators(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    declined_at TIMESTAMP,
    decline_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (stage_id, proposal_id, evaluator_id)
);
CREATE INDEX assignments_evaluator ON assignments(evaluator_id, stage_id);

-- One review per assignment. `scores` and `comments` map criterion ids to values (JSON);
-- `score` is the weighted 0-100 result, kept so that a ranking reads one number per review.
CREATE TABLE reviews (
    assignment_id BIGINT PRIMARY KEY REFERENCES assignments(id) ON DELETE CASCADE,
    scores TEXT NOT NULL DEFAULT '{}',
    comments TEXT NOT NULL DEFAULT '{}',
    comment TEXT NOT NULL DEFAULT '',
    confidence BIGINT,
    score DOUBLE PRECISION,
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
