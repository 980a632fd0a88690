//! Webhook delivery over HTTP: every instance runs one delivery thread that takes due
//! deliveries from the database queue (`domain::pilots::webhooks`), POSTs them signed, and
//! records how each attempt went. A receiver that does not answer 2xx within 10 seconds
//! is tried again later with exponential backoff.
//!
//! Server-side request forgery is the risk of sending where a team tells us to. So the
//! receiver's name is resolved once per attempt, by [`PinnedResolver`], and the
//! connection goes to the address that passed the check: a name that answers with a
//! public address for a check and with 127.0.0.1 for the connection cannot move it. Every
//! address of the name must be public (see [`webhooks::is_private_ip`]) unless the
//! operator allows private receivers; the `Host` header and the TLS name stay the URL's.
//! No proxy from the environment is used. A refusal reads "refused: address not allowed"
//! in the delivery log, also for a name that does not resolve, so the log does not tell a
//! team which names exist inside the operator's network.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::db::{self, DbPool};
use crate::domain::pilots::webhooks::{self, AttemptOutcome, Outgoing};
use crate::error::AppResult;

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken per round.
const BATCH: i64 = 20;
/// What the delivery log says when the address is refused.
pub const REFUSED: &str = "refused: address not allowed";

/// How a host name becomes addresses: the system's resolver, or a stand-in in tests.
pub type Lookup = Arc<dyn Fn(&str, u16) -> std::io::Result<Vec<SocketAddr>> + Send + Sync>;

/// The system's resolver.
pub fn system_lookup() -> Lookup {
    Arc::new(|host: &str, port: u16| Ok((host, port).to_socket_addrs()?.collect()))
}

/// Resolves once and passes on only addresses that were checked; the connection is made
/// to one of them and to nothing else.
pub struct PinnedResolver {
    allow_private: bool,
    lookup: Lookup,
}

impl fmt::Debug for PinnedResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedResolver")
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

/// The receiver's address was refused (or could not be found).
#[derive(Debug)]
struct AddressRefused;

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REFUSED)
    }
}

impl std::error::Error for AddressRefused {}

impl Resolver for PinnedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let refused = || ureq::Error::Other(Box::new(AddressRefused));
        let host = uri.host().ok_or_else(refused)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        let addrs = (self.lookup)(host, port).map_err(|_| refused())?;
        if addrs.is_empty()
            || (!self.allow_private && addrs.iter().any(|a| webhooks::is_private_ip(&a.ip())))
        {
            return Err(refused());
        }
        let mut out = self.empty();
        for a in addrs {
            if out.try_push(a).is_err() {
                break;
            }
        }
        Ok(out)
    }
}

/// The HTTP client of the delivery thread.
pub struct Sender {
    agent: ureq::Agent,
    allow_private: bool,
}

impl Sender {
    /// A sender using the system's resolver and the 10 s timeout; `allow_private` lets it reach
    /// this machine and private networks.
    pub fn new(allow_private: bool) -> Sender {
        Sender::with_lookup(allow_private, system_lookup(), TIMEOUT)
    }

    /// A sender resolving names with `lookup` and giving receivers `timeout` to answer.
    pub fn with_lookup(allow_private: bool, lookup: Lookup, timeout: Duration) -> Sender {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent("Innolab-Webhooks/1")
            .build();
        let resolver = PinnedResolver {
            allow_private,
            lookup,
        };
        Sender {
            agent: ureq::Agent::with_parts(config, DefaultConnector::default(), resolver),
            allow_private,
        }
    }

    /// One attempt: the signed POST and what came back.
    pub fn send(&self, out: &Outgoing, now_unix: i64) -> AttemptOutcome {
        let started = Instant::now();
        let result = webhooks::check_url(&out.url, self.allow_private)
            .map_err(|_| REFUSED.to_string())
            .and_then(|()| {
                self.agent
                    .post(&out.url)
                    .header("Content-Type", "application/json")
                    .header(
                        "Innolab-Signature",
                        webhooks::signature(&out.secret, now_unix, &out.body),
                    )
                    .send(&out.body[..])
                    .map_err(|e| match e {
                        ureq::Error::Other(inner) if inner.is::<AddressRefused>() => {
                            REFUSED.to_string()
                        }
                        other => other.to_string(),
                    })
            });
        let duration_ms = started.elapsed().as_millis() as i64;
        match result {
            Ok(resp) => AttemptOutcome {
                status_code: Some(resp.status().as_u16()),
                error: String::new(),
                duration_ms,
            },
            Err(error) => AttemptOutcome {
                status_code: None,
                error,
                duration_ms,
            },
        }
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
            None => AttemptOutcome {
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
