//! The shared application state handed to every handler.

use crate::auth::passwords::Hasher;
use crate::config::Config;
use crate::db::DbPool;
use crate::domain::accounts::sessions::Limits;
use crate::mail::Mailer;
use crate::web::assets::Assets;
use crate::web::templates::Templates;

pub struct AppState {
    pub config: Config,
    pub pool: DbPool,
    /// Statements run by this instance so far.
    pub statements: crate::db::StatementCounter,
    pub templates: Templates,
    pub mailer: Mailer,
    pub hasher: Hasher,
    pub assets: Assets,
    pub page_cache: crate::web::page_cache::PageCache,
    /// This instance's search index, kept current by its indexer thread.
    pub search: std::sync::Arc<crate::search::Search>,
    /// Threads running searches (see [`crate::workers`]).
    pub searches: crate::workers::Workers,
    /// Which refusals the audit log records (see [`crate::domain::audit::DenialBudget`]).
    pub denials: crate::domain::audit::DenialBudget,
}

impl AppState {
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
