-- The clarification round: during a stage the agency asks a proposal's team a question
-- with a deadline; the team answers; evaluators read both.
CREATE TABLE clarifications (
    id INTEGER PRIMARY KEY,
    stage_id BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    asked_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    asked_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    answered_at TIMESTAMP
);
CREATE INDEX clarifications_proposal ON clarifications(proposal_id, id);

-- The private discussion of a proposal among its evaluators and the agency.
CREATE TABLE review_posts (
    id INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX review_posts_proposal ON review_posts(proposal_id, id);
