-- A login attempt is recorded before the password is checked (so parallel guesses are
-- counted) and settled afterwards; only settled failures count against an address.
ALTER TABLE login_attempts ADD COLUMN settled BOOLEAN NOT NULL DEFAULT TRUE;
