//! The request counters behind `/metrics` (see `web::metrics`): by route pattern, method
//! and status, with latency histograms, kept in this process's memory. The number of
//! series is bounded by the routes, since labels are patterns, never paths.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Counts of one route and method.
#[derive(Default)]
struct RouteStats {
    by_status: Mutex<BTreeMap<u16, u64>>,
    /// Requests at or below each bound of [`BUCKETS`] (not cumulative here).
    buckets: [AtomicU64; BUCKETS.len()],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

/// The request counters of this process.
#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<(String, String), Arc<RouteStats>>>,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = (method.to_string(), route.to_string());
        let found = self.routes.read().ok().and_then(|m| m.get(&key).cloned());
        let stats = match found {
            Some(s) => s,
            None => match self.routes.write() {
                Ok(mut m) => m.entry(key).or_default().clone(),
                Err(_) => return,
            },
        };
        if let Ok(mut s) = stats.by_status.lock() {
            *s.entry(status).or_default() += 1;
        }
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            stats.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        stats
            .sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        stats.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The request series in the text format.
    pub fn write_requests(&self, out: &mut String) {
        let Ok(routes) = self.routes.read() else {
            return;
        };
        let mut keys: Vec<&(String, String)> = routes.keys().collect();
        keys.sort();
        out.push_str("# HELP innolab_http_requests_total Requests answered, by route pattern, method and status.\n# TYPE innolab_http_requests_total counter\n");
        for key @ (method, route) in &keys {
            if let Ok(by_status) = routes[*key].by_status.lock() {
                for (status, n) in by_status.iter() {
                    let _ = writeln!(
                        out,
                        "innolab_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                        label(route)
                    );
                }
            }
        }
        out.push_str("# HELP innolab_http_request_duration_seconds Time from the request's arrival to its answer, by route pattern and method.\n# TYPE innolab_http_request_duration_seconds histogram\n");
        for key @ (method, route) in &keys {
            let s = &routes[*key];
            let labels = format!("method=\"{method}\",route=\"{}\"", label(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "innolab_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "innolab_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\ninnolab_http_request_duration_seconds_sum{{{labels}}} {}\ninnolab_http_request_duration_seconds_count{{{labels}}} {count}",
                s.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
        }
    }
}

/// A label value with `\`, `"` and line breaks escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_counted_by_route_and_status_with_cumulative_buckets() {
        let m = Metrics::default();
        m.record("GET", "/challenges/{slug}", 200, 0.003);
        m.record("GET", "/challenges/{slug}", 200, 0.2);
        m.record("GET", "/challenges/{slug}", 404, 0.0005);
        let mut out = String::new();
        m.write_requests(&mut out);
        assert!(out.contains("innolab_http_requests_total{method=\"GET\",route=\"/challenges/{slug}\",status=\"200\"} 2"), "{out}");
        assert!(out.contains("status=\"404\"} 1"), "{out}");
        assert!(out.contains("le=\"0.001\"} 1\n"), "{out}");
        assert!(out.contains("le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("le=\"0.25\"} 3\n"), "{out}");
        assert!(out.contains("le=\"+Inf\"} 3\n"), "{out}");
        assert!(
            out.contains("_count{method=\"GET\",route=\"/challenges/{slug}\"} 3"),
            "{out}"
        );
    }
}
