//! The shared application state handed to every handler.

use crate::auth::passwords::Hasher;
use crate::config::Config;
use crate::db::DbPool;
use crate::domain::accounts::sessions::Limits;
use crate::mail::Mailer;
use crate::web::assets::Assets;
use crate::web::templates::Templates;

/// Everything a request may need, built once at start-up (see `crate::build_state`).
pub struct AppState {
    /// The configuration the server started with.
    pub config: Config,
    /// Database connections for requests.
    pub pool: DbPool,
    /// On PostgreSQL one permit per connection of `pool`: requests wait for a connection
    /// here, first come first served, without holding a thread (see
    /// [`crate::web::context::run_db`]). SQLite's connections are back in the pool so soon
    /// that the queue cost more than it evened out (2,600 against 1,900 req/s).
    pub db_turns: Option<tokio::sync::Semaphore>,
    /// Statements run by this instance so far.
    pub statements: crate::db::StatementCounter,
    /// Page and mail templates.
    pub templates: Templates,
    /// Sends mail through the configured transport.
    pub mailer: Mailer,
    /// Password hashing on threads of its own.
    pub hasher: Hasher,
    /// The embedded static files' version for asset links.
    pub assets: Assets,
    /// Rendered public pages and JSON answers, kept for `page_cache_ms`.
    pub page_cache: crate::web::page_cache::PageCache,
    /// The challenge list's filter choices (every topic, the busiest agencies): the same
    /// for everyone, kept as long as public pages (`page_cache_ms`).
    pub list_choices: crate::web::page_cache::TtlCache<std::sync::Arc<ListChoices>>,
    /// This instance's search index, kept current by its indexer thread.
    pub search: std::sync::Arc<crate::search::Search>,
    /// Threads running searches (see [`crate::workers`]).
    pub searches: crate::workers::Workers,
    /// Where uploaded files are kept (see [`crate::domain::files`]).
    pub files: crate::domain::files::FileStore,
    /// This process's request counters for `/metrics`.
    pub metrics: crate::web::request_counts::Metrics,
    /// The operator's Impressum and privacy notice, read at start-up.
    pub legal: crate::legal::LegalTexts,
    /// Which refusals the audit log records (see [`crate::domain::audit::DenialBudget`]).
    pub denials: crate::domain::audit::DenialBudget,
}

/// What the challenge list's filter offers beside statuses, levels and sort orders.
pub struct ListChoices {
    /// Every topic, by German name.
    pub topics: Vec<crate::domain::topics::Topic>,
    /// The agencies with the most published challenges, as (slug, name) by name.
    pub agencies: Vec<(String, String)>,
}

impl AppState {
    /// How long a session lasts idle and at most, from the configuration.
    pub fn session_limits(&self) -> Limits {
        Limits {
            idle: chrono::Duration::minutes(self.config.session_idle_minutes),
            absolute: chrono::Duration::hours(self.config.session_max_hours),
        }
    }

    /// Cookie names get the `__Host-` prefix over HTTPS, which pins them to this host.
    pub fn cookie_name(&self, base: &str) -> String {
        if self.config.is_https() {
            format!("__Host-{base}")
        } else {
            base.to_string()
        }
    }
}
