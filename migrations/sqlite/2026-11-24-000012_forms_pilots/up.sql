-- Forms: a definition (FORMS.md) kept in numbered versions. A version that has answers
-- is never changed; editing it writes the next version.
CREATE TABLE forms (
    id INTEGER PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX forms_organisation ON forms(organisation_id, id);

CREATE TABLE form_versions (
    id INTEGER PRIMARY KEY,
    form_id BIGINT NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (form_id, version)
);

-- The questions a challenge adds to its proposals, and the version a proposal answered.
ALTER TABLE challenges ADD COLUMN submission_form_id BIGINT REFERENCES forms(id) ON DELETE SET NULL;
ALTER TABLE proposals ADD COLUMN form_version_id BIGINT REFERENCES form_versions(id);
CREATE INDEX proposals_form_version ON proposals(form_version_id);

-- A pilot: a proposal team runs one of its forms at /p/{slug} for test users.
CREATE TABLE pilots (
    id INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    form_id BIGINT NOT NULL REFERENCES forms(id),
    slug TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('web', 'assistant')),
    title TEXT NOT NULL,
    intro TEXT NOT NULL,
    consent_text TEXT NOT NULL,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    retention_days BIGINT NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pilots_proposal ON pilots(proposal_id, id);
CREATE INDEX pilots_form ON pilots(form_id);

-- One test user's way through a pilot, resumable by the secret link whose hash is kept.
-- `page` and `question` are where they are; `furthest` the furthest page reached.
CREATE TABLE pilot_runs (
    id INTEGER PRIMARY KEY,
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    form_version_id BIGINT NOT NULL REFERENCES form_versions(id),
    token_hash TEXT NOT NULL UNIQUE,
    answers TEXT NOT NULL,
    page BIGINT NOT NULL DEFAULT 0,
    question BIGINT NOT NULL DEFAULT 0,
    furthest BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);
CREATE INDEX pilot_runs_pilot ON pilot_runs(pilot_id, completed_at);
CREATE INDEX pilot_runs_version ON pilot_runs(form_version_id);

-- A sent pilot form. Answers are emptied (and `purged_at` set) once the pilot's
-- retention period has passed; the figures of the report stay.
CREATE TABLE pilot_submissions (
    id INTEGER PRIMARY KEY,
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL UNIQUE REFERENCES pilot_runs(id) ON DELETE CASCADE,
    form_version_id BIGINT NOT NULL REFERENCES form_versions(id),
    reference TEXT NOT NULL UNIQUE,
    receipt_hash TEXT NOT NULL,
    answers TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    seconds BIGINT NOT NULL,
    rating BIGINT CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT NOT NULL DEFAULT '',
    purged_at TIMESTAMP
);
CREATE INDEX pilot_submissions_pilot ON pilot_submissions(pilot_id, id);

-- Files attached in a run (a pilot's file fields).
CREATE TABLE pilot_files (
    id INTEGER PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES pilot_runs(id) ON DELETE CASCADE,
    field_key TEXT NOT NULL,
    storage_name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pilot_files_run ON pilot_files(run_id);

-- Each refused answer, for the report's errors per field (counted when read, so
-- concurrent runs never contend for one counter row).
CREATE TABLE pilot_field_errors (
    id INTEGER PRIMARY KEY,
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    field_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pilot_field_errors_pilot ON pilot_field_errors(pilot_id, field_key);

-- Delivery into the team's systems: each submission is POSTed, signed, to every webhook.
CREATE TABLE pilot_webhooks (
    id INTEGER PRIMARY KEY,
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
CREATE INDEX pilot_webhooks_pilot ON pilot_webhooks(pilot_id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES pilot_webhooks(id) ON DELETE CASCADE,
    submission_id BIGINT NOT NULL REFERENCES pilot_submissions(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_status BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code BIGINT,
    error TEXT NOT NULL,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
