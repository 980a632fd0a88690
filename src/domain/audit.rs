//! The audit log: append-only (database triggers refuse UPDATE and DELETE) and
//! hash-chained, so that a changed or removed entry breaks the chain from there on.
//!
//! `hash = SHA-256(prev_hash | created_at | actor | action | object_type | object_id |
//! details | "format" | "2")`; the first entry's `prev_hash` is [`GENESIS`]. The client
//! address and what a person typed (`personal`: an email address) stay outside the chain,
//! so that they can be erased when the person's account is, or after the retention
//! period, while the chain still verifies: the database lets an update do that and
//! nothing else. Entries written before (format 1) hashed their address in its place and
//! keep it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_log, users};
use crate::db::{self, DbConnection};
use crate::domain::pagination::{Page, Paged};
use crate::error::AppResult;

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The advisory lock key that serialises appends on PostgreSQL.
const APPEND_LOCK: i64 = 0x001A_0D17;

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// The account that acted; `None` for a visitor or the system.
    pub actor: Option<i64>,
    /// What happened, in snake case (`challenge_created`).
    pub action: &'a str,
    /// The kind of thing acted on (`challenge`, `question`).
    pub object_type: &'a str,
    /// The id of the thing acted on, if it has one.
    pub object_id: Option<i64>,
    /// Further facts as a JSON object; `{}` when there are none.
    pub details: serde_json::Value,
    /// Personal data the entry keeps until it is erased (outside the chain); `{}` when
    /// there is none.
    pub personal: serde_json::Value,
    /// The client address of the request; empty when there was none.
    pub ip: &'a str,
}

impl<'a> Event<'a> {
    /// An event without details or address.
    pub fn new(
        actor: Option<i64>,
        action: &'a str,
        object_type: &'a str,
        object_id: Option<i64>,
    ) -> Self {
        Event {
            actor,
            action,
            object_type,
            object_id,
            details: serde_json::json!({}),
            personal: serde_json::json!({}),
            ip: "",
        }
    }
    /// Sets the details.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
    /// Sets personal data (what a person typed), kept outside the chain.
    pub fn personal(mut self, personal: serde_json::Value) -> Self {
        self.personal = personal;
        self
    }
    /// Sets the client address.
    pub fn ip(mut self, ip: &'a str) -> Self {
        self.ip = ip;
        self
    }
}

/// A recorded entry, as stored in `audit_log`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    /// Primary key; entries are chained in id order.
    pub id: i64,
    /// When it was recorded (UTC, to the microsecond in the hash).
    pub created_at: NaiveDateTime,
    /// The account that acted, kept after the account is deleted; `None` for a visitor or
    /// the system.
    pub actor_user_id: Option<i64>,
    /// What happened, in snake case (`challenge_created`).
    pub action: String,
    /// The kind of thing acted on.
    pub object_type: String,
    /// The id of the thing acted on, if it has one.
    pub object_id: Option<i64>,
    /// Further facts as JSON text, exactly as hashed.
    pub details: String,
    /// The client address; empty when there was none or once erased.
    pub ip: String,
    /// The `hash` of the entry before, or `GENESIS` for the first.
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's content, hex-encoded.
    pub hash: String,
    /// 2: address and `personal` outside the chain; 1: written before, address hashed.
    pub format: i32,
    /// Personal data as JSON text, outside the chain; `{}` when none or once erased.
    pub personal: String,
}

/// The format [`append`] writes.
const FORMAT: i32 = 2;

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev: &str,
    at: NaiveDateTime,
    actor: Option<i64>,
    action: &str,
    object_type: &str,
    object_id: Option<i64>,
    details: &str,
    format: i32,
    ip: &str,
) -> String {
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let actor = actor.map(|a| a.to_string()).unwrap_or_default();
    let object_id = object_id.map(|a| a.to_string()).unwrap_or_default();
    let mut parts = vec![prev, &at, &actor, action, object_type, &object_id, details];
    // Format 1 hashed the address last; format 2 ends in two parts naming its format,
    // which no address of format 1 can imitate (the length prefixes differ).
    let format_name = format.to_string();
    if format == 1 {
        parts.push(ip);
    } else {
        parts.extend(["format", format_name.as_str()]);
    }
    let mut h = Sha256::new();
    for part in parts {
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// How many refusals of one signed-in person each instance records per hour. Refusals
/// of visitors are not recorded at all: a 404 for an anonymous guess is no event about
/// anyone, and recording it would let anyone fill the log (and serialise every such
/// request on the append lock).
pub const DENIALS_PER_HOUR: u32 = 30;

/// How many people [`DenialBudget`] keeps count of before it starts afresh: bounds its
/// memory whatever the traffic.
const DENIAL_COUNTS_MAX: usize = 10_000;

/// Counts, in this instance's memory, the refusals recorded per person and hour.
#[derive(Debug, Default)]
pub struct DenialBudget {
    counts: std::sync::Mutex<std::collections::HashMap<i64, (NaiveDateTime, u32)>>,
}

/// Whether a refusal is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialRecord {
    /// Not recorded: a visitor, or the person's budget for this hour is spent.
    Skip,
    /// Recorded.
    Record,
    /// Recorded, and the last one this hour: the entry says that more were not.
    RecordLast,
}

impl DenialBudget {
    /// Counts a refusal of `actor` at `now` and says whether to record it; visitors are never
    /// recorded, and each person at most `DENIALS_PER_HOUR` times an hour.
    pub fn admit(&self, actor: Option<i64>, now: NaiveDateTime) -> DenialRecord {
        let Some(actor) = actor else {
            return DenialRecord::Skip;
        };
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= DENIAL_COUNTS_MAX && !counts.contains_key(&actor) {
            // Forget finished hours first; start afresh only if the map is still full.
            counts.retain(|_, (since, _)| now - *since < chrono::Duration::hours(1));
            if counts.len() >= DENIAL_COUNTS_MAX {
                counts.clear();
            }
        }
        let slot = counts.entry(actor).or_insert((now, 0));
        if now - slot.0 >= chrono::Duration::hours(1) {
            *slot = (now, 0);
        }
        slot.1 += 1;
        match slot.1.cmp(&DENIALS_PER_HOUR) {
            std::cmp::Ordering::Less => DenialRecord::Record,
            std::cmp::Ordering::Equal => DenialRecord::RecordLast,
            std::cmp::Ordering::Greater => DenialRecord::Skip,
        }
    }
}

/// Appends an entry. Runs inside the caller's write transaction, so the entry commits
/// together with the change it records.
pub fn append(conn: &mut DbConnection, event: Event<'_>) -> AppResult<()> {
    db::lock_for_append(conn, APPEND_LOCK)?;
    let prev: String = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::hash)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let at = db::now();
    let details = event.details.to_string();
    let hash = chain_hash(
        &prev,
        at,
        event.actor,
        event.action,
        event.object_type,
        event.object_id,
        &details,
        FORMAT,
        event.ip,
    );
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::created_at.eq(at),
            audit_log::actor_user_id.eq(event.actor),
            audit_log::action.eq(event.action),
            audit_log::object_type.eq(event.object_type),
            audit_log::object_id.eq(event.object_id),
            audit_log::details.eq(details),
            audit_log::ip.eq(event.ip),
            audit_log::prev_hash.eq(&prev),
            audit_log::hash.eq(&hash),
            audit_log::format.eq(FORMAT),
            audit_log::personal.eq(event.personal.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The entries a person made or that are about their account.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn about_person(user_id: i64) -> _ {
    let user: &'static str = "user";
    audit_log::actor_user_id
        .eq(user_id)
        .or(audit_log::object_type
            .eq(user)
            .and(audit_log::object_id.eq(user_id)))
}

/// Erases address and personal data of the entries a person made or that are about
/// their account (format 2; the chain is unaffected). Returns how many changed.
pub fn erase_person(conn: &mut DbConnection, user_id: i64) -> AppResult<usize> {
    Ok(diesel::update(
        audit_log::table
            .filter(audit_log::format.eq(FORMAT))
            .filter(about_person(user_id))
            .filter(audit_log::ip.ne("").or(audit_log::personal.ne("{}"))),
    )
    .set((audit_log::ip.eq(""), audit_log::personal.eq("{}")))
    .execute(conn)?)
}

/// Erases address and personal data of entries written before `cutoff` (format 2).
pub fn erase_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(
        audit_log::table
            .filter(audit_log::format.eq(FORMAT))
            .filter(audit_log::created_at.lt(cutoff))
            .filter(audit_log::ip.ne("").or(audit_log::personal.ne("{}"))),
    )
    .set((audit_log::ip.eq(""), audit_log::personal.eq("{}")))
    .execute(conn)?)
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// How many entries matched before the first broken one (all of them if none is).
    pub checked: u64,
    /// The id of the first entry whose link or content does not match, if any.
    pub first_broken: Option<i64>,
}

/// Walks the whole chain in id order, in batches.
pub fn verify(conn: &mut DbConnection) -> AppResult<Verification> {
    const BATCH: i64 = 1000;
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    let mut checked = 0u64;
    loop {
        let batch: Vec<Entry> = audit_log::table
            .filter(audit_log::id.gt(after))
            .order(audit_log::id.asc())
            .limit(BATCH)
            .select(Entry::as_select())
            .load(conn)?;
        if batch.is_empty() {
            return Ok(Verification {
                checked,
                first_broken: None,
            });
        }
        for e in &batch {
            let expected = chain_hash(
                &prev,
                e.created_at,
                e.actor_user_id,
                &e.action,
                &e.object_type,
                e.object_id,
                &e.details,
                e.format,
                &e.ip,
            );
            if e.prev_hash != prev || e.hash != expected {
                return Ok(Verification {
                    checked,
                    first_broken: Some(e.id),
                });
            }
            checked += 1;
            prev = e.hash.clone();
            after = e.id;
        }
    }
}

/// An entry with the actor's name, for the admin page.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    #[serde(flatten)]
    /// The entry itself; its fields appear at the top level when serialised.
    pub entry: Entry,
    /// The actor's current display name; `None` for a visitor, the system or a deleted
    /// account.
    pub actor_name: Option<String>,
}

/// Newest first, optionally only one action.
pub fn list(
    conn: &mut DbConnection,
    action: Option<&str>,
    page: Page,
) -> AppResult<Paged<EntryView>> {
    let action = action.map(crate::text::clean);
    let action = action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let base = || {
        let mut q = audit_log::table
            .left_join(users::table.on(users::id.nullable().eq(audit_log::actor_user_id)))
            .into_boxed();
        if let Some(a) = action {
            q = q.filter(audit_log::action.eq(a.to_string()));
        }
        q
    };
    let total = base().count().get_result(conn)?;
    let rows: Vec<(Entry, Option<String>)> = base()
        .order(audit_log::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select((Entry::as_select(), users::display_name.nullable()))
        .load(conn)?;
    Ok(Paged::new(
        rows.into_iter()
            .map(|(entry, actor_name)| EntryView { entry, actor_name })
            .collect(),
        total,
        page,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_recorded_for_people_only_and_at_most_the_hourly_budget() {
        let budget = DenialBudget::default();
        let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc();
        assert_eq!(budget.admit(None, t0), DenialRecord::Skip, "visitors");
        let seen: Vec<DenialRecord> = (0..DENIALS_PER_HOUR + 5)
            .map(|_| budget.admit(Some(7), t0))
            .collect();
        let recorded = seen.iter().filter(|r| **r != DenialRecord::Skip).count();
        assert_eq!(recorded, DENIALS_PER_HOUR as usize);
        assert_eq!(
            seen[DENIALS_PER_HOUR as usize - 1],
            DenialRecord::RecordLast
        );
        assert_eq!(
            budget.admit(Some(8), t0),
            DenialRecord::Record,
            "per person"
        );
        let later = t0 + chrono::Duration::hours(1);
        assert_eq!(
            budget.admit(Some(7), later),
            DenialRecord::Record,
            "a new hour"
        );
    }

    #[test]
    fn hash_depends_on_every_chained_field_and_the_link() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 123_000)
            .unwrap()
            .naive_utc();
        let h = |prev: &str,
                 actor: i64,
                 action: &str,
                 object: &str,
                 details: &str,
                 format: i32,
                 ip: &str| {
            chain_hash(
                prev,
                at,
                Some(actor),
                action,
                object,
                Some(1),
                details,
                format,
                ip,
            )
        };
        let base = h(GENESIS, 1, "login", "user", "{}", 2, "127.0.0.1");
        assert_eq!(base, h(GENESIS, 1, "login", "user", "{}", 2, "127.0.0.1"));
        assert_ne!(base, h("x", 1, "login", "user", "{}", 2, "127.0.0.1"));
        assert_ne!(base, h(GENESIS, 2, "login", "user", "{}", 2, "127.0.0.1"));
        assert_ne!(base, h(GENESIS, 1, "login", "user", "{ }", 2, "127.0.0.1"));
        assert_ne!(base, h(GENESIS, 1, "logi", "nuser", "{}", 2, "127.0.0.1"));
        // Format 2 leaves the address out, so erasing it keeps the chain; format 1
        // hashed it, and a format changed by hand breaks the entry.
        assert_eq!(base, h(GENESIS, 1, "login", "user", "{}", 2, ""));
        let old = h(GENESIS, 1, "login", "user", "{}", 1, "127.0.0.1");
        assert_ne!(old, h(GENESIS, 1, "login", "user", "{}", 1, ""));
        assert_ne!(old, base);
        assert_ne!(h(GENESIS, 1, "login", "user", "{}", 1, "format 2"), base);
    }
}
