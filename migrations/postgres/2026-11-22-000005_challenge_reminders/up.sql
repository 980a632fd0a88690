-- One row per challenge whose followers were told that its deadline is near; the primary
-- key makes sure only one instance sends the reminder.
CREATE TABLE challenge_reminders (
    challenge_id BIGINT PRIMARY KEY REFERENCES challenges(id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL
);
