//! Prometheus metrics at `/metrics`: requests by route pattern, method and status, latency
//! histograms by route, and, read when scraped, the database pool, the search and password
//! queues, the search index's lag, pending webhook deliveries and the process's memory.
//!
//! Labels are route patterns (`/challenges/{slug}`), never paths, so the number of series
//! is bounded by the routes whatever addresses are asked for. Who may scrape is the
//! policy's rule ([`Action::ReadMetrics`]): the addresses or the token the configuration
//! names; everyone else gets a 404.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpRequest, HttpResponse};
use diesel::prelude::*;

use crate::auth::policy::{self, Action, Actor};
use crate::db::schema::webhook_deliveries;
use crate::error::{AppError, AppResult};
use crate::web::context::run_db;
use crate::web::state::AppState;

/// Counts every request by the route it matched (`unmatched` for none) and times it.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    if let Some(state) = state {
        let route = res.request().match_pattern();
        state.metrics.record(
            res.request().method().as_str(),
            route.as_deref().unwrap_or("unmatched"),
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// Whether `ip` lies in one of `allowed`: addresses (`127.0.0.1`) or networks
/// (`10.0.0.0/8`, `fd00::/8`); entries that are neither match nothing.
pub fn address_allowed(ip: &str, allowed: &[String]) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    allowed.iter().any(|entry| {
        let (net, bits) = match entry.split_once('/') {
            Some((net, bits)) => (net, bits.parse::<u32>().ok()),
            None => (entry.as_str(), None),
        };
        match (net.trim().parse::<IpAddr>(), ip) {
            (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
                let bits = bits.unwrap_or(32).min(32);
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
                let bits = bits.unwrap_or(128).min(128);
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    })
}

/// Whether the request carries the configured metrics token (compared in constant time).
fn token_matches(req: &HttpRequest, configured: Option<&str>) -> bool {
    let Some(expected) = configured.filter(|t| !t.is_empty()) else {
        return false;
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    crate::auth::secrets::constant_time_eq(presented.as_bytes(), expected.as_bytes())
}

/// `GET /metrics`.
pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ip = crate::web::context::client_ip(&req, state.config.trust_proxy);
    // Through a reverse proxy that is not trusted, the peer is the proxy (often this very
    // machine), not the client: such a request never counts as coming from an allowed
    // address.
    let proxied = !state.config.trust_proxy
        && (req.headers().contains_key("x-forwarded-for")
            || req.headers().contains_key(header::FORWARDED));
    let scrape = policy::MetricsAccess {
        from_allowed_address: !proxied && address_allowed(&ip, &state.config.metrics_allow),
        with_token: token_matches(&req, state.config.metrics_token.as_deref()),
    };
    policy::authorize(&Actor::anonymous(), Action::ReadMetrics(&scrape))
        .map_err(|_| AppError::NotFound)?;
    let pending_webhooks: i64 = run_db(&state, |conn| {
        Ok(webhook_deliveries::table
            .filter(webhook_deliveries::status.eq("pending"))
            .count()
            .get_result(conn)?)
    })
    .await?;
    let mut out = String::with_capacity(16 * 1024);
    state.metrics.write_requests(&mut out);
    let pool = state.pool.state();
    let gauges: [(&str, &str, f64); 9] = [
        (
            "innolab_db_pool_connections",
            "Connections the request pool holds.",
            f64::from(pool.connections),
        ),
        (
            "innolab_db_pool_idle_connections",
            "Of those, connections not in use.",
            f64::from(pool.idle_connections),
        ),
        (
            "innolab_db_pool_size",
            "The most connections the request pool may hold.",
            f64::from(state.config.pool_size),
        ),
        (
            "innolab_search_lag_seconds",
            "Seconds since this instance's search index last held everything committed.",
            state.search.lag().as_secs_f64(),
        ),
        (
            "innolab_search_queue_waiting",
            "Searches waiting for a search thread.",
            state.searches.waiting() as f64,
        ),
        (
            "innolab_password_hash_queue_waiting",
            "Password hashes waiting for a hashing thread.",
            state.hasher.waiting() as f64,
        ),
        (
            "innolab_webhook_deliveries_pending",
            "Webhook deliveries not yet delivered or given up (all instances).",
            pending_webhooks as f64,
        ),
        (
            "innolab_page_cache_enabled",
            "Whether public pages are cached (page_cache_ms > 0).",
            if state.page_cache.enabled() { 1.0 } else { 0.0 },
        ),
        (
            "innolab_process_resident_memory_bytes",
            "Resident memory of this process.",
            resident_bytes() as f64,
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(out))
}

/// Resident memory from `/proc/self/statm` (0 where there is none).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_networks_are_matched_exactly() {
        let allowed = vec![
            "127.0.0.1".to_string(),
            "10.1.0.0/16".to_string(),
            "fd00::/8".to_string(),
            "kein-netz".to_string(),
        ];
        for ip in ["127.0.0.1", "10.1.200.3", "fd12::1"] {
            assert!(address_allowed(ip, &allowed), "{ip}");
        }
        for ip in ["127.0.0.2", "10.2.0.1", "::1", "fe80::1", "", "unknown"] {
            assert!(!address_allowed(ip, &allowed), "{ip}");
        }
        assert!(address_allowed("192.0.2.7", &["0.0.0.0/0".to_string()]));
    }
}
