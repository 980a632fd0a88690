//! A small database-backed rate limiter for actions anyone may take (asking questions,
//! registering, uploading): shared by every instance on one database.
//!
//! What is limited is often a person's address or IP, and some of these actions promise
//! anonymity (an anonymous question). So the database never holds the subject itself:
//! each event stores a keyed hash of bucket, subject and time window. The key lives in
//! the data directory, not in the database, so a copy of the database cannot be matched
//! against a list of addresses; the hash changes with every window and with every bucket,
//! so events cannot be linked across buckets or over time; and events are deleted once
//! their window has passed (hourly), leaving nothing to link afterwards.

use std::path::Path;
use std::sync::OnceLock;

use chrono::Duration;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::schema::rate_events;
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};

/// The longest window any limit uses; older events are pruned.
const LONGEST_WINDOW_DAYS: i64 = 1;

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Loads the key from `<data_dir>/rate.key`, making it on first use. Every process of
/// one installation reads the same file; the first call in a process wins.
pub fn init_key(data_dir: &Path) -> AppResult<()> {
    let path = data_dir.join("rate.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(hex_key) => decode_key(hex_key.trim())
            .ok_or_else(|| AppError::Config(format!("{} is not a key", path.display())))?,
        Err(_) => {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            std::fs::create_dir_all(data_dir)
                .and_then(|()| write_private(&path, &hex::encode(key)))
                .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))?;
            key
        }
    };
    let _ = KEY.set(key);
    Ok(())
}

fn decode_key(hex_key: &str) -> Option<[u8; 32]> {
    hex::decode(hex_key).ok()?.try_into().ok()
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

/// The key; a process that never loaded one (a command-line tool) gets a random one.
fn key() -> &'static [u8; 32] {
    KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        key
    })
}

/// The stored form of `subject` in `bucket` for window number `epoch`.
fn subject_hash(bucket: &str, subject: &str, epoch: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key()).expect("HMAC accepts any key length");
    for part in [bucket.as_bytes(), &epoch.to_be_bytes(), subject.as_bytes()] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Records one event for `subject` in `bucket`, or refuses with 429 when `max` events
/// happened within `window`.
pub fn hit(
    conn: &mut DbConnection,
    bucket: &str,
    subject: &str,
    max: i64,
    window: Duration,
) -> AppResult<()> {
    let now = db::now();
    let since = now - window;
    // Windows as long as the limit's: every event of the last `window` lies in this
    // window or the one before, so both hashes together count them all.
    let length = window.num_seconds().max(1);
    let epoch = now.and_utc().timestamp().div_euclid(length);
    let (current, previous) = (
        subject_hash(bucket, subject, epoch),
        subject_hash(bucket, subject, epoch - 1),
    );
    let recent: i64 = rate_events::table
        .filter(rate_events::bucket.eq(bucket))
        .filter(rate_events::subject.eq_any([&current, &previous]))
        .filter(rate_events::at.gt(since))
        .count()
        .get_result(conn)?;
    if recent >= max {
        return Err(AppError::TooManyRequests {
            message_id: "error-too-many",
            retry_after_secs: window.num_seconds().max(1) as u64,
        });
    }
    diesel::insert_into(rate_events::table)
        .values((
            rate_events::bucket.eq(bucket),
            rate_events::subject.eq(current),
            rate_events::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops events older than the longest window; run at start-up and every hour.
pub fn prune(conn: &mut DbConnection) -> AppResult<usize> {
    let cutoff = db::now() - Duration::days(LONGEST_WINDOW_DAYS);
    Ok(diesel::delete(rate_events::table.filter(rate_events::at.lt(cutoff))).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_stored_as_hashes_that_differ_by_bucket_and_window() {
        let a = subject_hash("question_ip", "198.51.100.7", 10);
        assert_eq!(a.len(), 32);
        assert!(!a.contains("198.51"));
        assert_eq!(a, subject_hash("question_ip", "198.51.100.7", 10));
        assert_ne!(a, subject_hash("register_ip", "198.51.100.7", 10));
        assert_ne!(a, subject_hash("question_ip", "198.51.100.7", 11));
        assert_ne!(a, subject_hash("question_ip", "198.51.100.8", 10));
        // Length-prefixed parts: moving a boundary changes the hash.
        assert_ne!(subject_hash("ab", "c", 1), subject_hash("a", "bc", 1));
    }
}
