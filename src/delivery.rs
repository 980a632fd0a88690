//! Webhook delivery over HTTP: every instance runs one delivery thread that takes due
//! deliveries from the database queue (`domain::pilots::webhooks`), POSTs them signed, and
//! records how each attempt went. A receiver that does not answer 2xx within 10 seconds
//! is tried again later with exponential backoff.
//!
//! Addresses are checked again right before sending: a host that now resolves to this
//! machine or a private network is refused unless the operator allows such receivers.

use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::db::{self, DbPool};
use crate::domain::pilots::webhooks::{self, Outcome, Outgoing};
use crate::error::AppResult;

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken per round.
const BATCH: i64 = 20;

/// The HTTP client of the delivery thread.
pub struct Sender {
    agent: ureq::Agent,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> Sender {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent("Innolab-Webhooks/1")
            .build()
            .into();
        Sender {
            agent,
            allow_private,
        }
    }

    /// One attempt: the signed POST and what came back.
    pub fn send(&self, out: &Outgoing, now_unix: i64) -> Outcome {
        let started = Instant::now();
        let result = self.resolve_check(&out.url).and_then(|()| {
            self.agent
                .post(&out.url)
                .header("Content-Type", "application/json")
                .header(
                    "Innolab-Signature",
                    webhooks::signature(&out.secret, now_unix, &out.body),
                )
                .send(&out.body[..])
                .map_err(|e| e.to_string())
        });
        let duration_ms = started.elapsed().as_millis() as i64;
        match result {
            Ok(resp) => Outcome {
                status_code: Some(resp.status().as_u16()),
                error: String::new(),
                duration_ms,
            },
            Err(error) => Outcome {
                status_code: None,
                error,
                duration_ms,
            },
        }
    }

    /// Refuses hosts that resolve to this machine or a private network (unless allowed).
    fn resolve_check(&self, url: &str) -> Result<(), String> {
        webhooks::check_url(url, self.allow_private).map_err(|e| e.to_string())?;
        if self.allow_private {
            return Ok(());
        }
        let rest = url.split("://").nth(1).unwrap_or("");
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let with_port = if host_port.contains(':') && !host_port.ends_with(']') {
            host_port.to_string()
        } else {
            let port = if url.starts_with("https://") { 443 } else { 80 };
            format!("{host_port}:{port}")
        };
        let addrs = with_port
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve host: {e}"))?;
        for a in addrs {
            if webhooks::is_private_ip(&a.ip()) {
                return Err("host resolves to a private address".into());
            }
        }
        Ok(())
    }
}

/// Sends every delivery due at `now`; returns how many attempts were made. Several
/// instances may run this at once: each delivery is sent by the one that claimed it.
pub fn deliver_due(pool: &DbPool, sender: &Sender, now: NaiveDateTime) -> AppResult<usize> {
    let mut conn = db::checkout(pool)?;
    let due = webhooks::due(&mut conn, now, BATCH)?;
    if due.is_empty() {
        return Ok(0);
    }
    // The round's leases in one write: submissions keep the database's writer to themselves
    // for longer (SQLite has one).
    let claimed: Vec<i64> = db::write_tx(&mut conn, |c| {
        let mut mine = Vec::new();
        for id in &due {
            if webhooks::claim(c, *id, now)? {
                mine.push(*id);
            }
        }
        Ok::<_, crate::error::AppError>(mine)
    })?;
    let mut attempts = 0;
    for id in claimed {
        let outgoing = webhooks::outgoing(&mut conn, id)?;
        let outcome = match outgoing {
            Some(out) => sender.send(&out, now.and_utc().timestamp()),
            // The answers were deleted (retention): nothing is left to deliver.
            None => Outcome {
                status_code: None,
                error: "answers deleted after the retention period".into(),
                duration_ms: 0,
            },
        };
        db::write_tx(&mut conn, |c| webhooks::record(c, id, &outcome, now))?;
        attempts += 1;
    }
    Ok(attempts)
}

/// Delivery threads per instance: a receiver that takes its time (up to the 10 s timeout)
/// holds up one of them, not every pilot's deliveries.
const WORKERS: usize = 2;

/// The delivery threads: each sends rounds back to back while rounds find work and waits
/// a second when one found nothing due.
pub fn start(pool: DbPool, allow_private: bool) {
    for n in 0..WORKERS {
        let pool = pool.clone();
        std::thread::Builder::new()
            .name(format!("webhooks-{n}"))
            .spawn(move || {
                let sender = Sender::new(allow_private);
                loop {
                    match deliver_due(&pool, &sender, db::now()) {
                        Ok(attempts) if attempts > 0 => continue,
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
            .expect("the webhook threads start");
    }
}
