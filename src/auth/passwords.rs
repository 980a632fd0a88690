//! Password hashing (argon2id, PHC strings) and the strength rules.
//!
//! Hashing costs ~19 MiB and tens of milliseconds, so [`Hasher`] runs it on threads of its
//! own, one hash per core in flight and a bounded queue: a burst of logins queues here
//! instead of starving every other request, and a flood is refused instead of queued.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::workers::Workers;

/// OWASP's argon2id minimum: 19 MiB, two passes, one lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Argon2 passes over the memory (time cost).
pub const ITERATIONS: u32 = 2;
/// Argon2 lanes.
pub const PARALLELISM: u32 = 1;

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted, in characters.
pub const MAX_LENGTH: usize = 128;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously; call through [`Hasher`] from request handlers.
pub fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Whether `password` matches the stored PHC string (any argon2 variant or parameters).
pub fn verify_now(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Whether a stored hash was made with other parameters than today's and should be redone.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() != MEMORY_KIB || p.t_cost() != ITERATIONS || p.p_cost() != PARALLELISM,
        Err(_) => true,
    }
}

/// A verification against a hash that cannot match, so that an unknown email costs the
/// same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_now("innolab-timing-equaliser").unwrap_or_default())
}

/// Hashing on threads of its own, as many as `threads`, with a bounded queue (a full
/// queue answers 503). New accounts may hold at most half the threads: registration is
/// open to anyone, and a flood of it must leave room for the people signing in.
#[derive(Clone)]
pub struct Hasher {
    threads: Workers,
    registrations: Arc<Semaphore>,
    /// How long a hash took lately, in microseconds (a moving average).
    typical_micros: Arc<AtomicU64>,
}

/// Waiting hashes per thread: at about 30 ms a hash, a full queue is about half a
/// second of work, after which an answer would come too late to be of use.
const QUEUE_PER_THREAD: usize = 8;

impl Hasher {
    /// A hasher with `threads` threads (at least one) and a queue of 8 hashes per thread.
    /// Fails if the threads cannot be started.
    pub fn new(threads: usize) -> AppResult<Self> {
        let threads = threads.max(1);
        Ok(Hasher {
            threads: Workers::new("hash", threads, threads * QUEUE_PER_THREAD)?,
            registrations: Arc::new(Semaphore::new(threads.div_ceil(2))),
            typical_micros: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The PHC string of `password`, hashed on the hasher's threads. Fails with 503 when the
    /// queue is full.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        let typical = self.typical_micros.clone();
        self.threads
            .run(move || {
                let started = Instant::now();
                let hash = hash_now(&password);
                let took = started.elapsed().as_micros().min(u64::MAX as u128) as u64;
                // An average over the last few hashes; racing updates lose one sample.
                let old = typical.load(Ordering::Relaxed);
                let new = if old == 0 { took } else { (old * 7 + took) / 8 };
                typical.store(new, Ordering::Relaxed);
                hash
            })
            .await?
    }

    /// How long hashing a new password takes here lately (30 ms before the first).
    pub fn typical_hash_time(&self) -> Duration {
        match self.typical_micros.load(Ordering::Relaxed) {
            0 => Duration::from_millis(30),
            micros => Duration::from_micros(micros),
        }
    }

    /// Hashes waiting for a thread (for `/metrics`).
    pub fn waiting(&self) -> usize {
        self.threads.waiting()
    }

    /// The hash of a new account's password, refused with 503 while as many
    /// registrations are hashing as they may.
    pub async fn hash_for_registration(&self, password: String) -> AppResult<String> {
        let _permit = self
            .registrations
            .try_acquire()
            .map_err(|_| AppError::Busy {
                retry_after_secs: 1,
            })?;
        self.hash(password).await
    }

    /// Whether `password` matches the stored PHC string, checked on the hasher's threads.
    /// Fails with 503 when the queue is full.
    pub async fn verify(&self, password: String, stored: String) -> AppResult<bool> {
        self.threads
            .run(move || verify_now(&password, &stored))
            .await
    }
}

/// Checks length and guessability. `context` holds the person's own words (email, name),
/// which make a password guessable too. Problems are recorded on `field`.
pub fn check_strength(password: &str, context: &[&str], field: &str, errors: &mut FieldErrors) {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        errors.add(field, "password-too-short");
        return;
    }
    if chars > MAX_LENGTH {
        errors.add(field, "password-too-long");
        return;
    }
    // The estimator matches whole words, so names and addresses go in by their parts.
    let mut words: Vec<&str> = context
        .iter()
        .flat_map(|c| c.split(|ch: char| !ch.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3)
        .chain(context.iter().copied())
        .collect();
    words.extend(["innolab", "passwort", "password", "kennwort"]);
    let estimate = zxcvbn::zxcvbn(password, &words);
    if (estimate.score() as u8) < 3 {
        let id = match estimate.feedback().and_then(|f| f.warning()) {
            Some(zxcvbn::feedback::Warning::ThisIsATop10Password)
            | Some(zxcvbn::feedback::Warning::ThisIsATop100Password)
            | Some(zxcvbn::feedback::Warning::ThisIsACommonPassword)
            | Some(zxcvbn::feedback::Warning::ThisIsSimilarToACommonlyUsedPassword) => {
                "password-common"
            }
            Some(zxcvbn::feedback::Warning::RepeatsLikeAaaAreEasyToGuess)
            | Some(zxcvbn::feedback::Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess) => {
                "password-repeats"
            }
            Some(zxcvbn::feedback::Warning::SequencesLikeAbcAreEasyToGuess)
            | Some(zxcvbn::feedback::Warning::StraightRowsOfKeysAreEasyToGuess)
            | Some(zxcvbn::feedback::Warning::ShortKeyboardPatternsAreEasyToGuess) => {
                "password-pattern"
            }
            Some(zxcvbn::feedback::Warning::DatesAreOftenEasyToGuess)
            | Some(zxcvbn::feedback::Warning::RecentYearsAreEasyToGuess) => "password-dates",
            Some(zxcvbn::feedback::Warning::NamesAndSurnamesByThemselvesAreEasyToGuess)
            | Some(zxcvbn::feedback::Warning::CommonNamesAndSurnamesAreEasyToGuess) => {
                "password-names"
            }
            _ => "password-weak",
        };
        errors.add(field, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(pw: &str) -> Option<String> {
        let mut e = FieldErrors::new();
        check_strength(
            pw,
            &["erika@example.org", "Erika Mustermann"],
            "password",
            &mut e,
        );
        e.get("password").map(str::to_string)
    }

    #[test]
    fn strength_rules() {
        assert_eq!(problem("kurz").as_deref(), Some("password-too-short"));
        assert_eq!(
            problem(&"x".repeat(129)).as_deref(),
            Some("password-too-long")
        );
        assert!(problem("password1234").is_some());
        assert!(problem("qwertyuiopasdf").is_some());
        assert!(problem("ErikaMustermann").is_some());
        assert!(problem("aaaaaaaaaaaaaaaa").is_some());
        assert_eq!(problem("Wolken-Fahrrad-Tinte-42"), None);
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash_now("Wolken-Fahrrad-Tinte-42").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_now("Wolken-Fahrrad-Tinte-42", &h));
        assert!(!verify_now("Wolken-Fahrrad-Tinte-43", &h));
        assert!(!needs_rehash(&h));
        assert!(!verify_now("x", "not a hash"));
    }

    #[test]
    fn weaker_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let h = weak.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(needs_rehash(&h));
        assert!(verify_now("pw", &h), "old hashes still verify");
    }
}
