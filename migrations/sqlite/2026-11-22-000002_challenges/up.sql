-- Challenges with stages and criteria, public questions, proposals with revisions,
-- attachments, the co-creation thread, follows, notifications and rate limits.
CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
    eligibility TEXT NOT NULL DEFAULT 'startup,civil_society,research',
    level TEXT NOT NULL CHECK (level IN ('bund', 'land', 'kommune')),
    region TEXT NOT NULL DEFAULT '',
    budget_eur BIGINT,
    submission_deadline TIMESTAMP NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    proposal_visibility TEXT NOT NULL DEFAULT 'private' CHECK (proposal_visibility IN ('private', 'public_after_deadline')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'evaluating', 'concluded', 'archived')),
    published_at TIMESTAMP,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX challenges_status_deadline ON challenges(status, submission_deadline);
CREATE INDEX challenges_organisation ON challenges(organisation_id);
CREATE INDEX challenges_published ON challenges(status, published_at);

CREATE TABLE challenge_topics (
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    PRIMARY KEY (challenge_id, topic_id)
);
CREATE INDEX challenge_topics_topic ON challenge_topics(topic_id, challenge_id);

CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'eligibility')),
    reviewers_per_proposal BIGINT NOT NULL DEFAULT 2,
    blind BOOLEAN NOT NULL DEFAULT FALSE,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP
);
CREATE INDEX stages_challenge ON stages(challenge_id, position);

CREATE TABLE criteria (
    id INTEGER PRIMARY KEY,
    stage_id BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    weight DOUBLE PRECISION NOT NULL DEFAULT 1,
    scale_min BIGINT NOT NULL DEFAULT 1,
    scale_max BIGINT NOT NULL DEFAULT 5,
    comment_required BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX criteria_stage ON criteria(stage_id, position);

CREATE TABLE follows (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, challenge_id)
);
CREATE INDEX follows_challenge ON follows(challenge_id);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    -- NULL for anonymous questions: who asked is not stored at all.
    asker_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'declined')),
    answer TEXT,
    decline_reason TEXT,
    answered_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    answered_at TIMESTAMP,
    hidden_at TIMESTAMP,
    hidden_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    hidden_reason TEXT,
    -- Lets an anonymous asker follow the question by a private link.
    follow_key_hash TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX questions_challenge ON questions(challenge_id, status, created_at);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    approach TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    pilot_scope TEXT NOT NULL DEFAULT '',
    pilot_duration TEXT NOT NULL DEFAULT '',
    pilot_kpis TEXT NOT NULL DEFAULT '',
    cost_estimate_eur BIGINT,
    data_protection TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    answers TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'withdrawn')),
    revision BIGINT NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX proposals_challenge ON proposals(challenge_id, status);
CREATE INDEX proposals_organisation ON proposals(organisation_id, status);

CREATE TABLE proposal_revisions (
    id INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (proposal_id, number)
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner_type TEXT NOT NULL CHECK (owner_type IN ('challenge', 'proposal')),
    owner_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_name TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_type, owner_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX messages_proposal ON messages(proposal_id, created_at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    link TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, created_at);

-- Generic rate limiting (questions from visitors, uploads): one row per event.
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX rate_events_key ON rate_events(bucket, subject, at);
