-- Uploaded files live in the database by default, so that every instance on one
-- database serves them. A file is stored in chunks of at most 256 KiB, read and written
-- one chunk at a time: a 20 MB file never sits whole in memory.
CREATE TABLE file_chunks (
    storage_name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (storage_name, seq)
);
