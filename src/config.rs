//! Runtime configuration: one [`Config`] assembled from defaults, an optional TOML file,
//! environment variables and command-line flags (later sources win).
//!
//! The defaults need no set-up at all: SQLite in `./data`, listening on 127.0.0.1:8080,
//! mail written as `.eml` files to `./data/outbox`. The names follow the operations
//! contract in docs/ARCHITECTURE.md.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::AppError;

/// How mail leaves the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// One `.eml` file per message in `<data-dir>/outbox/` (the default).
    Outbox,
    /// An SMTP relay; `smtp://host:port` (STARTTLS when offered) or `smtps://host:port`.
    Smtp {
        /// The relay's URL, `smtp://` or `smtps://`.
        url: String,
        /// The login name, when the relay wants one.
        username: Option<String>,
        /// The password that goes with `username`.
        password: Option<String>,
    },
}

/// SQLite's `synchronous` pragma. `Full` survives power loss; `Normal` (with WAL) survives
/// a crash of the process but may lose the last transactions on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// Waits for the disk on every commit (the default).
    Full,
    /// Faster commits that a power loss may undo.
    Normal,
}

impl Durability {
    /// The value for `PRAGMA synchronous`.
    pub fn pragma_value(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

impl std::str::FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(Durability::Full),
            "normal" => Ok(Durability::Normal),
            other => Err(format!("unknown durability {other:?}: use full or normal")),
        }
    }
}

/// Where uploaded files are kept (see `domain::files`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStorage {
    /// In the database: every instance on it serves every file (the default).
    Database,
    /// In `<data-dir>/uploads`: one instance only.
    Folder,
    /// In an S3-compatible object store ([`S3Config`]): every instance.
    S3,
}

impl FileStorage {
    /// The name `file_store` takes for it.
    pub fn name(self) -> &'static str {
        match self {
            FileStorage::Database => "database",
            FileStorage::Folder => "folder",
            FileStorage::S3 => "s3",
        }
    }
}

impl std::str::FromStr for FileStorage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "database" => Ok(FileStorage::Database),
            "folder" => Ok(FileStorage::Folder),
            "s3" => Ok(FileStorage::S3),
            other => Err(format!(
                "unknown file store {other:?}: use database, folder or s3"
            )),
        }
    }
}

/// Everything the process needs to know about its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address and port the HTTP server listens on, `127.0.0.1:8080` by default.
    pub listen: String,
    /// The folder for the SQLite file, uploads, the search index and the mail outbox.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; by default the SQLite file in the data folder.
    pub database_url: String,
    /// Load the demo data at start-up when the database is empty (on by default).
    pub demo_data: bool,
    /// The base URL people reach the platform at, without a trailing slash (links in mails,
    /// cookie security).
    pub public_url: String,
    /// The `From` mailbox of every mail, `Name <address>`.
    pub mail_from: String,
    /// Where mail goes: the outbox folder unless an SMTP URL is configured.
    pub mail: MailTransport,
    /// How safely SQLite commits (`Full` by default); PostgreSQL ignores it.
    pub durability: Durability,
    /// The most connections the request pool holds (at least 2; 16 by default); background
    /// workers have pools of their own.
    pub pool_size: u32,
    /// SQLite's page cache per connection, in MiB (1 to 1024; 4 by default): the pool may
    /// hold `pool_size` times this much; PostgreSQL ignores it.
    pub sqlite_cache_mb: u32,
    /// Minutes without a request after which a session ends (at least 1; 120 by default).
    pub session_idle_minutes: i64,
    /// Hours after signing in after which a session ends however active (at least 1; 12 by
    /// default).
    pub session_max_hours: i64,
    /// Re-read templates from `templates/` on every render (development only).
    pub dev_templates: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind a reverse proxy).
    pub trust_proxy: bool,
    /// HTTP worker threads (at least 1; one per core by default).
    pub workers: usize,
    /// Largest accepted upload, in bytes.
    pub upload_limit_bytes: usize,
    /// How long public pages are cached for anonymous visitors (0: not at all).
    pub page_cache_ms: u64,
    /// This instance's own search index (never shared between instances); see
    /// [`Config::search_dir`].
    pub search_dir: Option<PathBuf>,
    /// Let pilot webhooks deliver to this machine and private networks (an intranet
    /// receiver); off by default so a team cannot make the server probe its own network.
    pub webhook_allow_private: bool,
    /// Pilot runs one address may start per hour (spam protection; 0: no limit).
    pub pilot_starts_per_hour: i64,
    /// Registrations one client address may attempt per hour (0: no limit).
    pub registrations_per_hour: i64,
    /// The operator's legal texts (markdown files).
    pub legal: LegalFiles,
    /// Addresses and networks (`10.0.0.0/8`) that may read `/metrics`; this machine only
    /// by default.
    pub metrics_allow: Vec<String>,
    /// A bearer token that opens `/metrics` from anywhere; none by default.
    pub metrics_token: Option<String>,
    /// Days after which client addresses and user agents are removed from sessions,
    /// sign-in attempts and audit entries (at least 1; 90 by default).
    pub personal_data_days: i64,
    /// Where uploaded files are kept (the database by default).
    pub file_storage: FileStorage,
    /// The bucket of `file_store = "s3"`.
    pub s3: S3Config,
}

/// Where `file_store = "s3"` keeps files: a bucket of AWS S3 or of any store that speaks
/// its protocol (MinIO, Ceph, the object storage of a German cloud).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region (`us-east-1` by default, which MinIO expects too).
    pub region: String,
    /// The store's address for anything but AWS (`https://s3.example.de`; `http://` only
    /// on a trusted network); requests then name the bucket in the path.
    pub endpoint: Option<String>,
    /// The folder in the bucket the files go under (`innolab` by default).
    pub prefix: String,
    /// The access key; without it, the AWS environment variables and roles are used.
    pub access_key_id: Option<String>,
    /// The secret belonging to the access key.
    pub secret_access_key: Option<String>,
}

/// The markdown files of the Impressum and the privacy notice; unset ones show a
/// placeholder, and the server warns at start-up.
#[derive(Debug, Clone, Default)]
pub struct LegalFiles {
    /// The Impressum in German (`impressum_file`).
    pub impressum_de: Option<PathBuf>,
    /// The Impressum in English (`impressum_file_en`); the German one stands in.
    pub impressum_en: Option<PathBuf>,
    /// The privacy notice in German (`privacy_file`).
    pub privacy_de: Option<PathBuf>,
    /// The privacy notice in English (`privacy_file_en`); the German one stands in.
    pub privacy_en: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_layers(FileConfig::default())
    }
}

/// The optional configuration file (`innolab.toml` or `--config FILE`); every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See `Config::listen`.
    pub listen: Option<String>,
    /// See `Config::data_dir`.
    pub data_dir: Option<PathBuf>,
    /// See `Config::database_url`.
    pub database_url: Option<String>,
    /// See `Config::demo_data`.
    pub demo: Option<bool>,
    /// See `Config::public_url`.
    pub public_url: Option<String>,
    /// See `Config::mail_from`.
    pub mail_from: Option<String>,
    /// The SMTP relay; unset or empty keeps mail in the outbox folder.
    pub smtp_url: Option<String>,
    /// The relay's login name.
    pub smtp_username: Option<String>,
    /// The relay's password.
    pub smtp_password: Option<String>,
    /// See `Config::durability`.
    pub durability: Option<Durability>,
    /// See `Config::pool_size`.
    pub pool_size: Option<u32>,
    /// See `Config::sqlite_cache_mb`.
    pub sqlite_cache_mb: Option<u32>,
    /// See `Config::session_idle_minutes`.
    pub session_idle_minutes: Option<i64>,
    /// See `Config::session_max_hours`.
    pub session_max_hours: Option<i64>,
    /// See `Config::dev_templates`.
    pub dev_templates: Option<bool>,
    /// See `Config::trust_proxy`.
    pub trust_proxy: Option<bool>,
    /// See `Config::workers`.
    pub workers: Option<usize>,
    /// Largest accepted upload in MiB (1 to 1024; 20 by default).
    pub upload_limit_mb: Option<usize>,
    /// See `Config::page_cache_ms` (at most 60 000; 1000 by default).
    pub page_cache_ms: Option<u64>,
    /// See `Config::search_dir`.
    pub search_dir: Option<PathBuf>,
    /// See `Config::webhook_allow_private`.
    pub webhook_allow_private: Option<bool>,
    /// See `Config::pilot_starts_per_hour` (120 by default).
    pub pilot_starts_per_hour: Option<i64>,
    /// See `Config::registrations_per_hour` (20 by default).
    pub registrations_per_hour: Option<i64>,
    /// See `LegalFiles::impressum_de`.
    pub impressum_file: Option<PathBuf>,
    /// See `LegalFiles::impressum_en`.
    pub impressum_file_en: Option<PathBuf>,
    /// See `LegalFiles::privacy_de`.
    pub privacy_file: Option<PathBuf>,
    /// See `LegalFiles::privacy_en`.
    pub privacy_file_en: Option<PathBuf>,
    /// See `Config::metrics_allow` (`["127.0.0.1", "::1"]` by default).
    pub metrics_allow: Option<Vec<String>>,
    /// See `Config::metrics_token`.
    pub metrics_token: Option<String>,
    /// See `Config::personal_data_days`.
    pub personal_data_days: Option<i64>,
    /// See `Config::file_storage` (`file_store = "database"`, `"folder"` or `"s3"`).
    pub file_store: Option<FileStorage>,
    /// See `S3Config::bucket`.
    pub s3_bucket: Option<String>,
    /// See `S3Config::region`.
    pub s3_region: Option<String>,
    /// See `S3Config::endpoint`.
    pub s3_endpoint: Option<String>,
    /// See `S3Config::prefix`.
    pub s3_prefix: Option<String>,
    /// See `S3Config::access_key_id`.
    pub s3_access_key_id: Option<String>,
    /// See `S3Config::secret_access_key`.
    pub s3_secret_access_key: Option<String>,
}

impl FileConfig {
    /// Reads a TOML file; an unreadable file, bad syntax or an unknown key is a `Config` error.
    pub fn load(path: &Path) -> Result<Self, AppError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            AppError::Config(format!("cannot read config file {}: {e}", path.display()))
        })?;
        toml::from_str(&text)
            .map_err(|e| AppError::Config(format!("invalid config file {}: {e}", path.display())))
    }

    /// Values given on the command line or in the environment replace those from the file.
    pub fn overlay(mut self, other: FileConfig) -> FileConfig {
        macro_rules! take {
            ($($field:ident),*) => { $( if other.$field.is_some() { self.$field = other.$field; } )* };
        }
        take!(
            listen,
            data_dir,
            database_url,
            demo,
            public_url,
            mail_from,
            smtp_url,
            smtp_username,
            smtp_password,
            durability,
            pool_size,
            sqlite_cache_mb,
            session_idle_minutes,
            session_max_hours,
            dev_templates,
            trust_proxy,
            workers,
            upload_limit_mb,
            page_cache_ms,
            search_dir,
            webhook_allow_private,
            pilot_starts_per_hour,
            registrations_per_hour,
            impressum_file,
            impressum_file_en,
            privacy_file,
            privacy_file_en,
            metrics_allow,
            metrics_token,
            personal_data_days,
            file_store,
            s3_bucket,
            s3_region,
            s3_endpoint,
            s3_prefix,
            s3_access_key_id,
            s3_secret_access_key
        );
        self
    }
}

impl Config {
    /// Fills every unset value with its default. Derived defaults (database URL, public URL)
    /// follow the values they derive from.
    pub fn from_layers(file: FileConfig) -> Config {
        let listen = file.listen.unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let data_dir = file.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = file
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("innolab.db").display()));
        let public_url = file
            .public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let mail = match file.smtp_url {
            Some(url) if !url.is_empty() => MailTransport::Smtp {
                url,
                username: file.smtp_username,
                password: file.smtp_password,
            },
            _ => MailTransport::Outbox,
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Config {
            listen,
            data_dir,
            database_url,
            demo_data: file.demo.unwrap_or(true),
            public_url,
            mail_from: file
                .mail_from
                .unwrap_or_else(|| "Innolab <noreply@innolab.localhost>".to_string()),
            mail,
            durability: file.durability.unwrap_or(Durability::Full),
            pool_size: file.pool_size.unwrap_or(16).max(2),
            sqlite_cache_mb: file.sqlite_cache_mb.unwrap_or(4).clamp(1, 1024),
            session_idle_minutes: file.session_idle_minutes.unwrap_or(120).max(1),
            session_max_hours: file.session_max_hours.unwrap_or(12).max(1),
            dev_templates: file.dev_templates.unwrap_or(false),
            trust_proxy: file.trust_proxy.unwrap_or(false),
            workers: file.workers.unwrap_or(cores).max(1),
            upload_limit_bytes: file.upload_limit_mb.unwrap_or(20).clamp(1, 1024) * 1024 * 1024,
            page_cache_ms: file.page_cache_ms.unwrap_or(1000).min(60_000),
            search_dir: file.search_dir,
            webhook_allow_private: file.webhook_allow_private.unwrap_or(false),
            pilot_starts_per_hour: file.pilot_starts_per_hour.unwrap_or(120).max(0),
            registrations_per_hour: file.registrations_per_hour.unwrap_or(20).max(0),
            legal: LegalFiles {
                impressum_de: file.impressum_file,
                impressum_en: file.impressum_file_en,
                privacy_de: file.privacy_file,
                privacy_en: file.privacy_file_en,
            },
            metrics_allow: file
                .metrics_allow
                .unwrap_or_else(|| vec!["127.0.0.1".into(), "::1".into()]),
            metrics_token: file.metrics_token.filter(|t| !t.is_empty()),
            personal_data_days: file.personal_data_days.unwrap_or(90).max(1),
            file_storage: file.file_store.unwrap_or(FileStorage::Database),
            s3: S3Config {
                bucket: file.s3_bucket.unwrap_or_default(),
                region: file.s3_region.unwrap_or_else(|| "us-east-1".into()),
                endpoint: file.s3_endpoint.filter(|e| !e.is_empty()),
                prefix: file.s3_prefix.unwrap_or_else(|| "innolab".into()),
                access_key_id: file.s3_access_key_id.filter(|k| !k.is_empty()),
                secret_access_key: file.s3_secret_access_key.filter(|k| !k.is_empty()),
            },
        }
    }

    /// Cookies get `Secure` and the `__Host-` prefix only when the public URL is HTTPS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Uploaded files, outside anything served statically.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// Where the outbox transport writes its `.eml` files.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The search index folder: as configured, or `search/` in the data folder.
    pub fn search_dir(&self) -> PathBuf {
        self.search_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// A configuration for tests and tools: everything under `dir`, no demo data.
    pub fn for_data_dir(dir: &Path) -> Config {
        Config::from_layers(FileConfig {
            data_dir: Some(dir.to_path_buf()),
            demo: Some(false),
            ..FileConfig::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_setup() {
        let c = Config::default();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://./data/innolab.db");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.demo_data);
        assert_eq!(c.mail, MailTransport::Outbox);
        assert_eq!(c.durability, Durability::Full);
    }

    #[test]
    fn derived_defaults_follow_their_source_and_later_layers_win() {
        let file = FileConfig {
            listen: Some("0.0.0.0:9000".into()),
            data_dir: Some("/srv/innolab".into()),
            demo: Some(true),
            ..FileConfig::default()
        };
        let flags = FileConfig {
            demo: Some(false),
            ..FileConfig::default()
        };
        let c = Config::from_layers(file.overlay(flags));
        assert_eq!(c.database_url, "sqlite:///srv/innolab/innolab.db");
        assert_eq!(c.public_url, "http://0.0.0.0:9000");
        assert!(!c.demo_data);
    }

    #[test]
    fn config_file_rejects_unknown_keys() {
        let err = toml::from_str::<FileConfig>("lisen = \"x\"").unwrap_err();
        assert!(err.to_string().contains("lisen"));
    }
}
