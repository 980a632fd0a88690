DROP TABLE challenge_reminders;
