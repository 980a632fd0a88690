//! A short-lived cache of public pages as anonymous visitors see them.
//!
//! Visitors without a session all get the same page for the same address and language,
//! except for their CSRF token (in the language switch and the question form). The page
//! is rendered once with a marker where the token goes; each hit fills in the visitor's
//! own token. Entries live for `page_cache_ms` (1 s by default), so a change is visible
//! within that time; 0 turns the cache off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Stands where the visitor's CSRF token goes; cannot occur in rendered text (handlebars
/// escapes nothing into control characters, and user input has them removed).
pub const TOKEN_MARK: &str = "\u{1}csrf-token\u{1}";

/// The most pages kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 2_000;

pub struct PageCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Arc<str>)>>,
}

impl PageCache {
    pub fn new(ttl_ms: u64) -> Self {
        PageCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn get(&self, key: &str) -> Option<Arc<str>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, html)| html.clone())
    }

    pub fn put(&self, key: String, html: Arc<str>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), html));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_a_zero_ttl_disables() {
        let c = PageCache::new(50);
        c.put("k".into(), Arc::from("page"));
        assert_eq!(c.get("k").as_deref(), Some("page"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(c.get("k"), None);
        assert!(!PageCache::new(0).enabled());
    }
}
