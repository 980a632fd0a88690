//! A short-lived cache of public pages as anonymous visitors see them.
//!
//! Visitors without a session all get the same page for the same address and language,
//! except for their CSRF token (in the language switch and the question form). The page
//! is rendered once with a marker where the token goes; each hit fills in the visitor's
//! own token. Entries live for `page_cache_ms` (1 s by default), so a change is visible
//! within that time; 0 turns the cache off. Signed-in people share the content of pages
//! that show everyone the same (the challenge list), in a layout rendered for them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Stands where the visitor's CSRF token goes; cannot occur in rendered text (handlebars
/// escapes nothing into control characters, and user input has them removed).
pub const TOKEN_MARK: &str = "\u{1}csrf-token\u{1}";

/// The most pages kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 2_000;

/// Values by key, each kept for the time to live.
pub struct TtlCache<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

/// Rendered pages (and public JSON answers) by language and address.
pub type PageCache = TtlCache<Cached>;

/// A cached answer: a whole page or JSON body, or, for signed-in people, a page's content
/// with its title, which still goes into the layout with their own name and token.
#[derive(Clone)]
pub struct Cached {
    /// The page title as shown; empty for whole pages and JSON bodies.
    pub title: Arc<str>,
    /// The HTML or JSON text, with `TOKEN_MARK` where the visitor's CSRF token goes.
    pub body: Arc<str>,
}

impl<V: Clone> TtlCache<V> {
    /// An empty cache keeping each entry for `ttl_ms` milliseconds; 0 turns it off.
    pub fn new(ttl_ms: u64) -> Self {
        TtlCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Whether entries are kept at all (the time to live is not zero).
    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The cached page, or `None` when the caller should render it. When an entry has just
    /// expired, the first caller is told to render while everyone else keeps getting the
    /// old copy until the new one is in: no stampede of renders every second.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut entries = self.entries.lock().ok()?;
        let (at, value) = entries.get_mut(key)?;
        let age = at.elapsed();
        if age < self.ttl {
            return Some(value.clone());
        }
        if age < self.ttl * 4 {
            // Claim the refresh: the others see the entry as fresh for one more period.
            *at = Instant::now();
        }
        None
    }

    /// Stores `value` under `key`, fresh from now (nothing when turned off). When the
    /// cache is full, expired entries go first and, if that is not enough, all of them.
    pub fn put(&self, key: String, value: V) {
        if !self.enabled() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_a_zero_ttl_disables() {
        let c = TtlCache::new(50);
        c.put("k".into(), Arc::<str>::from("page"));
        assert_eq!(c.get("k").as_deref(), Some("page"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(c.get("k"), None, "the first caller after expiry renders");
        assert_eq!(
            c.get("k").as_deref(),
            Some("page"),
            "the others keep the old copy meanwhile"
        );
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(c.get("k"), None, "a long-expired entry is not served");
        assert_eq!(c.get("k"), None);
        assert!(!PageCache::new(0).enabled());
    }
}
