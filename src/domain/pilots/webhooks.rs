//! Webhooks: each pilot submission is POSTed as signed JSON to every active webhook of
//! the pilot (docs/FORMS.md), retried with exponential backoff for more than a day, and every
//! attempt is logged. This module keeps the queue and the log and computes signatures;
//! `crate::delivery` does the HTTP.
//!
//! The queue lives in the database, so deliveries survive restarts and several instances
//! share the work: an instance claims a due delivery with a conditional update (a lease),
//! and only the one whose update took it sends.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;

use crate::auth::secrets;
use crate::db::schema::{
    form_versions, pilot_submissions, pilot_webhooks, webhook_attempts, webhook_deliveries,
};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::DeliveryStatus;
use crate::text;

/// A receiver in the team's systems that each submission of the pilot is POSTed to.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pilot_webhooks)]
pub struct Webhook {
    /// Row id.
    pub id: i64,
    /// The pilot whose submissions it receives.
    pub pilot_id: i64,
    /// Where the submissions are POSTed: an `http(s)` URL of at most 500 bytes.
    pub url: String,
    /// The signing key of the `Innolab-Signature` header (never serialised).
    #[serde(skip)]
    pub secret: String,
    /// Who added it; `None` once their account is deleted.
    pub created_by: Option<i64>,
    /// When it was added.
    pub created_at: NaiveDateTime,
    /// When it was switched off; `None` while active (only active ones get deliveries).
    pub disabled_at: Option<NaiveDateTime>,
}

/// One submission to be delivered to one webhook, with its retry state.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The webhook it goes to.
    pub webhook_id: i64,
    /// The submission it carries.
    pub submission_id: i64,
    /// Pending, delivered or failed (given up).
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it is due next (see `backoff`).
    pub next_attempt_at: NaiveDateTime,
    /// The lease of the instance sending it; free again after this time.
    pub claimed_until: Option<NaiveDateTime>,
    /// The HTTP status of the last attempt; `None` before one or when no answer came.
    pub last_status: Option<i64>,
    /// What went wrong in the last attempt, at most 500 characters; empty if nothing did.
    pub last_error: String,
    /// When it was queued or last redelivered; retries stop `GIVE_UP_AFTER_HOURS` after it.
    pub created_at: NaiveDateTime,
    /// When a 2xx answer came; `None` until then.
    pub delivered_at: Option<NaiveDateTime>,
}

/// One attempt at a delivery, for the log.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    /// Row id.
    pub id: i64,
    /// The delivery attempted.
    pub delivery_id: i64,
    /// When it was made.
    pub attempted_at: NaiveDateTime,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status_code: Option<i64>,
    /// What went wrong, at most 500 characters; empty if nothing did.
    pub error: String,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// Retries stop once a delivery is this old.
pub const GIVE_UP_AFTER_HOURS: i64 = 25;
/// A claimed delivery is someone else's for this long (well above the 10 s timeout).
const LEASE_SECONDS: i64 = 60;
/// At most this many webhooks per pilot.
const MAX_PER_PILOT: i64 = 5;

/// The wait before attempt `n + 1` after `n` failed ones: 30 s, doubling, at most 6 h.
pub fn backoff(failed_attempts: i64) -> Duration {
    let exp = failed_attempts.clamp(1, 20) - 1;
    Duration::seconds((30i64 << exp).min(6 * 3600))
}

/// The signature header of docs/FORMS.md: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, unix: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(unix.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={unix},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Adds a webhook. The secret is the team's (their receiver checks it); when none is
/// given one is generated and shown once.
pub fn add(
    conn: &mut DbConnection,
    pilot_id: i64,
    url: &str,
    secret: Option<&str>,
    allow_private: bool,
    by: i64,
    now: NaiveDateTime,
) -> AppResult<(Webhook, String)> {
    let mut e = FieldErrors::new();
    let url = text::clean(url).trim().to_string();
    if let Err(id) = check_url(&url, allow_private) {
        e.add("url", id);
    }
    let secret = match secret.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() < 16 || s.len() > 200 => {
            e.add("secret", "webhook-secret-short");
            String::new()
        }
        Some(s) => s.to_string(),
        None => secrets::new_token(),
    };
    let count: i64 = pilot_webhooks::table
        .filter(pilot_webhooks::pilot_id.eq(pilot_id))
        .filter(pilot_webhooks::disabled_at.is_null())
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_PILOT {
        e.add("url", "webhook-too-many");
    }
    e.into_result()?;
    let hook = diesel::insert_into(pilot_webhooks::table)
        .values((
            pilot_webhooks::pilot_id.eq(pilot_id),
            pilot_webhooks::url.eq(&url),
            pilot_webhooks::secret.eq(&secret),
            pilot_webhooks::created_by.eq(by),
            pilot_webhooks::created_at.eq(now),
        ))
        .returning(pilot_webhooks::all_columns)
        .get_result(conn)?;
    Ok((hook, secret))
}

/// An `http(s)` URL with a host; hosts that name this machine or a private network are
/// refused unless the operator allows them (an intranet receiver, the tests).
pub fn check_url(url: &str, allow_private: bool) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("webhook-url-invalid")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host.is_empty() || url.len() > 500 || url.contains(char::is_whitespace) {
        return Err("webhook-url-invalid");
    }
    if !allow_private && is_private_host(host) {
        return Err("webhook-url-private");
    }
    Ok(())
}

/// Names and addresses of this machine and of private networks.
pub fn is_private_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host.ends_with(".internal")
    {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => is_private_ip(&ip),
        Err(_) => false,
    }
}

/// Whether an address is anything but a public unicast one: this machine, private and
/// shared networks (RFC 1918, CGNAT, unique local), link-local, the IETF protocol block
/// 192.0.0.0/24, benchmarking 198.18.0.0/15, reserved 240.0.0.0/4 (broadcast included),
/// "this network" 0.0.0.0/8, multicast, unspecified, and the IPv6 forms that carry an
/// IPv4 address to somewhere else (mapped, compatible, NAT64 64:ff9b::/96, 6to4
/// 2002::/16, Teredo 2001::/32), which are judged by the address they carry or refused.
pub fn is_private_ip(ip: &std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                // 100.64.0.0/10, carrier-grade NAT
                || (a == 100 && (b & 0xc0) == 64)
                // 192.0.0.0/24, IETF protocol assignments
                || (a == 192 && b == 0 && c == 0)
                // 198.18.0.0/15, benchmarking
                || (a == 198 && (b & 0xfe) == 18)
                // 240.0.0.0/4, reserved, with the broadcast address
                || a >= 240
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_ip(&std::net::IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                // ::/96, IPv4-compatible (deprecated), and the rest of ::/8
                || s[0] == 0
                // 64:ff9b::/96 and 64:ff9b:1::/48, NAT64
                || (s[0] == 0x64 && s[1] == 0xff9b)
                // 2002::/16, 6to4
                || s[0] == 0x2002
                // 2001::/32, Teredo
                || (s[0] == 0x2001 && s[1] == 0)
        }
    }
}

/// The webhook with this id; not found (404) if there is none.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Webhook> {
    pilot_webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The pilot's active webhooks, oldest first.
pub fn of_pilot(conn: &mut DbConnection, pilot_id: i64) -> AppResult<Vec<Webhook>> {
    Ok(pilot_webhooks::table
        .filter(pilot_webhooks::pilot_id.eq(pilot_id))
        .filter(pilot_webhooks::disabled_at.is_null())
        .order(pilot_webhooks::id.asc())
        .select(Webhook::as_select())
        .load(conn)?)
}

/// Queues a delivery of the submission to every active webhook of the pilot.
pub fn enqueue(
    conn: &mut DbConnection,
    pilot_id: i64,
    submission_id: i64,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let hooks: Vec<i64> = pilot_webhooks::table
        .filter(pilot_webhooks::pilot_id.eq(pilot_id))
        .filter(pilot_webhooks::disabled_at.is_null())
        .select(pilot_webhooks::id)
        .load(conn)?;
    for h in &hooks {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(*h),
                webhook_deliveries::submission_id.eq(submission_id),
                webhook_deliveries::status.eq(DeliveryStatus::Pending),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(hooks.len())
}

/// Deliveries whose next attempt is due and that nobody holds.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> AppResult<Vec<i64>> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(now)),
        )
        .order(webhook_deliveries::next_attempt_at.asc())
        .select(webhook_deliveries::id)
        .limit(limit)
        .load(conn)?)
}

/// Takes the lease on a due delivery; `false` when another instance was faster.
pub fn claim(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(
                webhook_deliveries::claimed_until
                    .is_null()
                    .or(webhook_deliveries::claimed_until.lt(now)),
            ),
    )
    .set(webhook_deliveries::claimed_until.eq(now + Duration::seconds(LEASE_SECONDS)))
    .execute(conn)?;
    Ok(n == 1)
}

/// What to send for a delivery: where, with which secret, and the body.
pub struct Outgoing {
    /// The webhook's URL.
    pub url: String,
    /// The webhook's signing key.
    pub secret: String,
    /// The JSON body: pilot, submission, reference, form version, time and answers.
    pub body: Vec<u8>,
}

/// The request of a claimed delivery; `None` when its submission's answers were deleted
/// (retention) in the meantime, so there is nothing left to send.
pub fn outgoing(conn: &mut DbConnection, delivery_id: i64) -> AppResult<Option<Outgoing>> {
    let row: (
        String,
        String,
        i64,
        i64,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        i64,
    ) = webhook_deliveries::table
        .inner_join(pilot_webhooks::table)
        .inner_join(pilot_submissions::table.inner_join(form_versions::table))
        .filter(webhook_deliveries::id.eq(delivery_id))
        .select((
            pilot_webhooks::url,
            pilot_webhooks::secret,
            pilot_submissions::pilot_id,
            pilot_submissions::id,
            pilot_submissions::reference,
            pilot_submissions::answers,
            pilot_submissions::submitted_at,
            pilot_submissions::purged_at,
            form_versions::version,
        ))
        .first(conn)?;
    let (
        url,
        secret,
        pilot_id,
        submission_id,
        reference,
        answers,
        submitted_at,
        purged_at,
        version,
    ) = row;
    if purged_at.is_some() {
        return Ok(None);
    }
    let answers: serde_json::Value = serde_json::from_str(&answers).unwrap_or(json!({}));
    let body = json!({
        "pilot_id": pilot_id,
        "submission_id": submission_id,
        "reference": reference,
        "form_version": version,
        "submitted_at": submitted_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "answers": answers,
    });
    Ok(Some(Outgoing {
        url,
        secret,
        body: body.to_string().into_bytes(),
    }))
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    /// The receiver's HTTP status; `None` when no answer came (refused, timeout, network).
    pub status_code: Option<u16>,
    /// What went wrong without an answer; empty otherwise.
    pub error: String,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: i64,
}

impl AttemptOutcome {
    /// Whether the receiver answered with a 2xx status.
    pub fn delivered(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Logs an attempt and moves the delivery on: delivered, retried after the backoff, or
/// given up once it is older than [`GIVE_UP_AFTER_HOURS`].
pub fn record(
    conn: &mut DbConnection,
    delivery_id: i64,
    outcome: &AttemptOutcome,
    now: NaiveDateTime,
) -> AppResult<()> {
    let d: Delivery = webhook_deliveries::table
        .find(delivery_id)
        .select(Delivery::as_select())
        .first(conn)?;
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(delivery_id),
            webhook_attempts::attempted_at.eq(now),
            webhook_attempts::status_code.eq(outcome.status_code.map(i64::from)),
            webhook_attempts::error.eq(outcome.error.chars().take(500).collect::<String>()),
            webhook_attempts::duration_ms.eq(outcome.duration_ms),
        ))
        .execute(conn)?;
    let attempts = d.attempts + 1;
    let next = now + backoff(attempts);
    let status = if outcome.delivered() {
        "delivered"
    } else if next - d.created_at > Duration::hours(GIVE_UP_AFTER_HOURS) {
        "failed"
    } else {
        "pending"
    };
    diesel::update(webhook_deliveries::table.find(delivery_id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status.eq(outcome.status_code.map(i64::from)),
            webhook_deliveries::last_error.eq(outcome.error.chars().take(500).collect::<String>()),
            webhook_deliveries::delivered_at.eq(outcome.delivered().then_some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sends a delivery again now (the team's "redeliver"), whatever its state; the
/// give-up clock starts anew.
pub fn redeliver(conn: &mut DbConnection, delivery_id: i64, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(webhook_deliveries::table.find(delivery_id))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The delivery with this id and its webhook; not found (404) if there is none.
pub fn delivery(conn: &mut DbConnection, id: i64) -> AppResult<(Delivery, Webhook)> {
    webhook_deliveries::table
        .inner_join(pilot_webhooks::table)
        .filter(webhook_deliveries::id.eq(id))
        .select((Delivery::as_select(), Webhook::as_select()))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A line of the delivery log: the delivery, its webhook's URL and the submission's
/// reference, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    /// The delivery.
    pub delivery: Delivery,
    /// Its webhook's URL.
    pub url: String,
    /// The reference of the submission it carries.
    pub reference: String,
}

/// The pilot's deliveries, newest first, at most `limit`.
pub fn log(conn: &mut DbConnection, pilot_id: i64, limit: i64) -> AppResult<Vec<LogLine>> {
    let rows: Vec<(Delivery, String, String)> = webhook_deliveries::table
        .inner_join(pilot_webhooks::table)
        .inner_join(pilot_submissions::table)
        .filter(pilot_webhooks::pilot_id.eq(pilot_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((
            Delivery::as_select(),
            pilot_webhooks::url,
            pilot_submissions::reference,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, url, reference)| LogLine {
            delivery,
            url,
            reference,
        })
        .collect())
}

/// Every attempt of the given deliveries, oldest first (one statement for a log page).
pub fn attempts_of(conn: &mut DbConnection, delivery_ids: &[i64]) -> AppResult<Vec<Attempt>> {
    Ok(webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
        .order(webhook_attempts::id.asc())
        .limit(2000)
        .select(Attempt::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_follows_forms_md() {
        // HMAC-SHA256("geheim", "1700000000.{}"), computed with Python's hmac module.
        let s = signature("geheim", 1_700_000_000, b"{}");
        assert_eq!(
            s,
            "t=1700000000,v1=75e8aa01e776401a6bfda6664664c1271ca25506052e3b8c43308bdf92f3c8d5"
        );
        assert_ne!(s, signature("anders", 1_700_000_000, b"{}"));
        assert_ne!(s, signature("geheim", 1_700_000_001, b"{}"));
    }

    #[test]
    fn backoff_doubles_and_retries_span_a_day() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(30), Duration::hours(6));
        let total: i64 = (1..=14).map(|n| backoff(n).num_seconds()).sum();
        assert!(total > 24 * 3600, "{total}");
    }

    #[test]
    fn private_receivers_are_refused_unless_allowed() {
        for url in [
            "http://localhost/x",
            "http://127.0.0.1:8080/",
            "https://10.1.2.3/",
            "http://[::1]/",
            "http://192.168.0.2",
            "http://169.254.169.254/latest",
            "http://100.64.0.1/",
            "http://192.0.0.8/",
            "http://198.18.0.1/",
            "http://198.19.255.1/",
            "http://240.0.0.1/",
            "http://255.255.255.255/",
            "http://224.0.0.1/",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[64:ff9b::808:808]/",
            "http://[2002:7f00:1::]/",
            "http://[2001:0:4136:e378::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
        ] {
            assert_eq!(check_url(url, false), Err("webhook-url-private"), "{url}");
            assert_eq!(check_url(url, true), Ok(()), "{url}");
        }
        assert_eq!(check_url("https://empfang.example.org/hook", false), Ok(()));
        for public in [
            "https://93.184.216.34/",
            "https://[2606:4700::1111]/",
            "https://198.20.0.1/",
        ] {
            assert_eq!(check_url(public, false), Ok(()), "{public}");
        }
        assert_eq!(
            check_url("ftp://example.org", true),
            Err("webhook-url-invalid")
        );
        assert_eq!(check_url("https://", true), Err("webhook-url-invalid"));
        assert_eq!(
            check_url("https://user@127.0.0.1/", false),
            Err("webhook-url-private")
        );
    }
}
