//! The command line: `serve` (the default), `migrate`, `seed`, `user create`, `audit verify`,
//! `reindex`, `files move`, `backup`, `restore`.
//! Flags and environment variables follow the operations contract in docs/ARCHITECTURE.md.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Durability, FileConfig};
use crate::db;
use crate::domain::{accounts, audit};
use crate::error::{AppError, AppResult};

/// The parsed command line: global flags and the sub-command (`None` means `serve`).
#[derive(Parser, Debug)]
#[command(
    name = "innolab",
    version,
    about = "Challenge and co-creation platform for the public sector"
)]
pub struct Cli {
    /// Flags every sub-command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The sub-command given, if any.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every sub-command takes; each has an environment variable too.
#[derive(Args, Debug, Default)]
pub struct GlobalArgs {
    /// Configuration file (TOML); `./innolab.toml` is read when present.
    #[arg(long, env = "INNOLAB_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data folder: SQLite file, uploads, search index, mail outbox.
    #[arg(long, env = "INNOLAB_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Base URL for links in mails; https:// turns on secure cookies and HSTS.
    #[arg(long, env = "INNOLAB_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// SQLite durability: full (default, survives power loss) or normal.
    #[arg(long, env = "INNOLAB_DURABILITY", global = true)]
    pub durability: Option<Durability>,
    /// SMTP relay (smtp://host:587 or smtps://host:465); without it mail goes to the outbox.
    #[arg(long, env = "INNOLAB_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// SMTP login name.
    #[arg(long, env = "INNOLAB_SMTP_USERNAME", global = true, hide = true)]
    pub smtp_username: Option<String>,
    /// SMTP password.
    #[arg(long, env = "INNOLAB_SMTP_PASSWORD", global = true, hide = true)]
    pub smtp_password: Option<String>,
    /// Sender address of outgoing mail.
    #[arg(long, env = "INNOLAB_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// This instance's search index folder (default: <data-dir>/search); each instance
    /// needs its own.
    #[arg(long, env = "INNOLAB_SEARCH_DIR", global = true)]
    pub search_dir: Option<PathBuf>,
    /// Allow pilot webhooks to private networks and this machine (intranet receivers).
    #[arg(long, env = "INNOLAB_WEBHOOK_ALLOW_PRIVATE", global = true)]
    pub webhook_allow_private: Option<bool>,
    /// Pilot runs one address may start per hour (0: no limit; default 120).
    #[arg(long, env = "INNOLAB_PILOT_STARTS_PER_HOUR", global = true)]
    pub pilot_starts_per_hour: Option<i64>,
    /// Registrations one client address may attempt per hour (0: no limit; default 20).
    #[arg(long, env = "INNOLAB_REGISTRATIONS_PER_HOUR", global = true)]
    pub registrations_per_hour: Option<i64>,
}

/// The sub-commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web application (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo and reference data from seed/ (idempotent).
    Seed(SeedArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Rebuild this instance's search index from the database (stop the server first).
    Reindex,
    /// Uploaded files.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Write a backup of the database and the stored files into one file, while the
    /// server runs (the search index is rebuilt on restore, not saved).
    Backup {
        /// The file to write (it must not exist yet); its SHA-256 goes beside it as
        /// FILE.sha256.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty database of either backend (`--database-url`),
    /// then rebuild this instance's search index.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
}

/// The sub-commands of `files`.
#[derive(Subcommand, Debug)]
pub enum FilesCommand {
    /// Move every stored file from one store into another (stop the servers first),
    /// then set `file_store` to match; running it again moves nothing.
    Move {
        /// Where the files are now: `database`, `folder` or `s3` (default: the
        /// configured `file_store`).
        #[arg(long)]
        from: Option<crate::config::FileStorage>,
        /// Where they go: `database` (shared by every instance), `s3` (an object store
        /// shared by every instance, see `s3_bucket`) or `folder` (one instance).
        #[arg(long)]
        to: crate::config::FileStorage,
    },
}

/// Flags of `seed`.
#[derive(Args, Debug, Default)]
pub struct SeedArgs {
    /// Add a large synthetic data set (for benchmarks) instead of the demo data.
    #[arg(long)]
    pub synthetic: bool,
    /// Synthetic challenges to add.
    #[arg(long, default_value_t = 10_000, requires = "synthetic")]
    pub challenges: usize,
    /// Synthetic proposals to add.
    #[arg(long, default_value_t = 100_000, requires = "synthetic")]
    pub proposals: usize,
    /// Synthetic reviews to add, about (default: three per proposal); every handed-in
    /// proposal of a challenge in evaluation or concluded gets as many reviewers (at most
    /// twelve) as it takes.
    #[arg(long, requires = "synthetic")]
    pub reviews: Option<usize>,
}

/// Flags of `serve`.
#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "INNOLAB_LISTEN")]
    pub listen: Option<String>,
    /// Do not load demo data into an empty database.
    #[arg(long)]
    pub no_demo: bool,
    /// Worker threads (default: one per core).
    #[arg(long, env = "INNOLAB_WORKERS")]
    pub workers: Option<usize>,
    /// Largest accepted upload in MB (default 20).
    #[arg(long, env = "INNOLAB_UPLOAD_LIMIT_MB")]
    pub upload_limit_mb: Option<usize>,
    /// Re-read templates on every request (development).
    #[arg(long, env = "INNOLAB_DEV_TEMPLATES")]
    pub dev_templates: bool,
}

/// The sub-commands of `user`.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a verified account.
    Create {
        /// Email address of the account.
        #[arg(long)]
        email: String,
        /// Password of the account.
        #[arg(long)]
        password: String,
        /// Display name (default: the part of the address before the @).
        #[arg(long)]
        name: Option<String>,
        /// Make the account a platform admin.
        #[arg(long)]
        admin: bool,
    },
}

/// The sub-commands of `audit`.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the hash chain; exits non-zero at the first broken entry.
    Verify,
}

/// Reads the config file, then lets environment and flags override it.
pub fn resolve_config(global: &GlobalArgs, serve: Option<&ServeArgs>) -> AppResult<Config> {
    let file = match &global.config {
        Some(path) => FileConfig::load(path)?,
        None if std::path::Path::new("innolab.toml").exists() => {
            FileConfig::load(std::path::Path::new("innolab.toml"))?
        }
        None => FileConfig::default(),
    };
    let demo_env = std::env::var("INNOLAB_DEMO")
        .ok()
        .map(|v| !matches!(v.as_str(), "0" | "false" | "no" | "off"));
    let no_demo = serve.is_some_and(|s| s.no_demo).then_some(false);
    let overrides = FileConfig {
        listen: serve.and_then(|s| s.listen.clone()),
        data_dir: global.data_dir.clone(),
        database_url: global.database_url.clone().filter(|u| !u.is_empty()),
        demo: no_demo.or(demo_env),
        public_url: global.public_url.clone(),
        mail_from: global.mail_from.clone(),
        smtp_url: global.smtp_url.clone(),
        smtp_username: global.smtp_username.clone(),
        smtp_password: global.smtp_password.clone(),
        durability: global.durability,
        search_dir: global.search_dir.clone(),
        webhook_allow_private: global.webhook_allow_private,
        pilot_starts_per_hour: global.pilot_starts_per_hour,
        registrations_per_hour: global.registrations_per_hour,
        workers: serve.and_then(|s| s.workers),
        upload_limit_mb: serve.and_then(|s| s.upload_limit_mb),
        dev_templates: serve.and_then(|s| s.dev_templates.then_some(true)),
        ..FileConfig::default()
    };
    Ok(Config::from_layers(file.overlay(overrides)))
}

/// A progress bar of `template` (indicatif's syntax) that starts at zero of zero.
fn progress_bar(template: &str) -> AppResult<indicatif::ProgressBar> {
    Ok(indicatif::ProgressBar::new(0)
        .with_style(indicatif::ProgressStyle::with_template(template).map_err(AppError::internal)?))
}

/// Rebuilds the search index of this instance from the database, with a progress bar.
fn rebuild_search(config: &Config, pool: &db::DbPool) -> AppResult<()> {
    let started = Instant::now();
    let search = crate::search::Search::open(&config.search_dir(), pool.clone())?;
    let bar = progress_bar("{bar:40} {pos}/{len} records ({per_sec}, {eta} left)")?;
    let records = search.rebuild(&mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    println!(
        "search index rebuilt: {records} records in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        search.dir().display()
    );
    Ok(())
}

/// Checks the audit log's chain and says so; a broken chain is an error.
fn verify_audit(conn: &mut db::DbConnection) -> AppResult<()> {
    let started = Instant::now();
    let v = audit::verify(conn)?;
    match v.first_broken {
        None => {
            println!(
                "audit log intact: {} entries checked in {:?}",
                v.checked,
                started.elapsed()
            );
            Ok(())
        }
        Some(id) => Err(AppError::Config(format!(
            "audit log broken at entry {id} ({} entries before it are intact)",
            v.checked
        ))),
    }
}

/// `innolab backup --to FILE`: writes `FILE.partial`, renames it when complete, and
/// puts the SHA-256 of the file beside it.
fn backup(config: &Config, conn: &mut db::DbConnection, to: &std::path::Path) -> AppResult<()> {
    use sha2::{Digest, Sha256};
    /// Hashes what it passes on to the file.
    struct Hashing<W>(W, Sha256, u64);
    impl<W: std::io::Write> std::io::Write for Hashing<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.0.write(buf)?;
            self.1.update(&buf[..n]);
            self.2 += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }
    let started = Instant::now();
    if to.exists() {
        return Err(AppError::Config(format!(
            "{} exists already; name a new file",
            to.display()
        )));
    }
    let beside = |suffix: &str| {
        let mut path = to.as_os_str().to_owned();
        path.push(suffix);
        std::path::PathBuf::from(path)
    };
    let partial = beside(".partial");
    let cannot =
        |e: std::io::Error| AppError::Config(format!("cannot write {}: {e}", partial.display()));
    let file = std::fs::File::create(&partial).map_err(cannot)?;
    let mut out = Hashing(std::io::BufWriter::new(file), Sha256::new(), 0);
    let bar = progress_bar("{bar:40} {pos}/{len} rows and files ({per_sec}, {eta} left)")?;
    let written = crate::backup::write(
        conn,
        &crate::domain::files::FileStore::configured(config)?,
        &mut out,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let summary = match written {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    out.0
        .into_inner()
        .map_err(|e| cannot(e.into_error()))?
        .sync_all()
        .map_err(cannot)?;
    std::fs::rename(&partial, to).map_err(cannot)?;
    let sha = hex::encode(out.1.finalize());
    let name = to
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    std::fs::write(beside(".sha256"), format!("{sha}  {name}\n")).map_err(cannot)?;
    if summary.missing_files > 0 {
        eprintln!(
            "warning: {} files the records name were in no store and are not in the backup",
            summary.missing_files
        );
    }
    println!(
        "backup written: {} ({} rows, {} files, {:.1} MB) in {:.1} s; sha256 {sha}",
        to.display(),
        summary.rows,
        summary.files,
        out.2 as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `innolab restore --from FILE`: fills the empty database, rebuilds the search index
/// and checks the audit log.
fn restore(config: &Config, from: &std::path::Path) -> AppResult<()> {
    let started = Instant::now();
    let open = || {
        std::fs::File::open(from)
            .map(std::io::BufReader::new)
            .map_err(|e| AppError::Config(format!("cannot read {}: {e}", from.display())))
    };
    let header = crate::backup::header_of(open()?)?;
    println!(
        "restoring the backup of {} UTC from {} (Innolab {}: {} rows, {} files) into {}",
        header.created_at.format("%Y-%m-%d %H:%M:%S"),
        header.source,
        header.innolab,
        header.units() - header.files,
        header.files,
        redact(&config.database_url)
    );
    let pool = db::connect_unmigrated(config)?;
    let mut conn = db::checkout(&pool)?;
    let bar = progress_bar("{bar:40} {pos}/{len} rows and files ({per_sec}, {eta} left)")?;
    let summary = crate::backup::restore(
        &mut conn,
        &crate::domain::files::FileStore::configured(config)?,
        open()?,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let summary = summary?;
    db::analyze(&mut conn)?;
    println!(
        "restored: {} rows, {} files in {:.1} s",
        summary.rows,
        summary.files,
        started.elapsed().as_secs_f64()
    );
    verify_audit(&mut conn)?;
    rebuild_search(config, &pool)
}

/// Runs a command that needs only the database.
pub fn run_offline(global: &GlobalArgs, command: &Command) -> AppResult<()> {
    let config = resolve_config(global, None)?;
    if let Command::Restore { from } = command {
        return restore(&config, from);
    }
    let pool = db::connect(&config)?;
    let mut conn = db::checkout(&pool)?;
    match command {
        Command::Migrate => {
            println!("database is up to date ({})", redact(&config.database_url));
        }
        Command::Seed(args) if args.synthetic => {
            let started = Instant::now();
            // Topics are the shared vocabulary the synthetic challenges are tagged with.
            crate::seed::apply(&mut conn)?;
            let reviews = args.reviews.unwrap_or(3 * args.proposals);
            let s =
                crate::synthetic::generate(&mut conn, args.challenges, args.proposals, reviews)?;
            println!(
                "synthetic data added: {} organisations, {} challenges, {} proposals, {} evaluator places, {} reviews in {:.1} s",
                s.organisations,
                s.challenges,
                s.proposals,
                s.evaluators,
                s.reviews,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Seed(_) => {
            let r = crate::seed::apply(&mut conn)?;
            println!(
                "seed applied: {} topics, {} organisations created, {} users created, {} challenges created, {} proposals created, {} reviews created",
                r.topics, r.organisations_created, r.users_created, r.challenges_created, r.proposals_created, r.reviews_created
            );
        }
        Command::User(UserCommand::Create {
            email,
            password,
            name,
            admin,
        }) => {
            let display_name = name
                .clone()
                .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
            let valid = accounts::validate_registration(&accounts::RegistrationInput {
                email: email.clone(),
                display_name,
                password: password.clone(),
                locale: None,
            })
            .map_err(|e| match e {
                AppError::Validation(f) => AppError::Config(
                    f.iter()
                        .map(|(k, m)| format!("{k}: {}", m.text(crate::i18n::Lang::En)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                other => other,
            })?;
            if accounts::find_by_email(&mut conn, &valid.email)?.is_some() {
                return Err(AppError::Config(format!(
                    "an account for {} exists already",
                    valid.email
                )));
            }
            let hash = crate::auth::passwords::hash_now(password)?;
            let user = db::write_tx(&mut conn, |c| {
                let user = accounts::create_verified(c, &valid, &hash, *admin)?;
                audit::append(
                    c,
                    audit::Event::new(None, "user_created_cli", "user", Some(user.id))
                        .details(serde_json::json!({ "admin": admin })),
                )?;
                Ok::<_, AppError>(user)
            })?;
            println!(
                "created user {} ({}){}",
                user.id,
                user.email,
                if *admin { " as admin" } else { "" }
            );
        }
        Command::Audit(AuditCommand::Verify) => verify_audit(&mut conn)?,
        Command::Reindex => rebuild_search(&config, &pool)?,
        Command::Backup { to } => backup(&config, &mut conn, to)?,
        Command::Files(FilesCommand::Move { from, to }) => {
            use crate::domain::files::{self, FileStore};
            let from = from.unwrap_or(config.file_storage);
            if from == *to {
                return Err(AppError::Config(format!(
                    "the files are to move from {} to {} itself; name the store they are in with --from",
                    from.name(),
                    to.name()
                )));
            }
            let (source, target) = (
                FileStore::of_kind(&config, from)?,
                FileStore::of_kind(&config, *to)?,
            );
            let bar = progress_bar("{bar:40} {pos}/{len} files ({eta} left)")?;
            let moved = files::move_all(&mut conn, &source, &target, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?;
            bar.finish_and_clear();
            println!(
                "files moved: {} moved, {} there already, {} missing; set file_store = \"{}\"",
                moved.moved,
                moved.present,
                moved.missing,
                to.name()
            );
        }
        Command::Serve(_) | Command::Restore { .. } => {
            unreachable!("serve and restore open the database themselves")
        }
    }
    Ok(())
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn bare_invocation_parses_as_serve_defaults() {
        let cli = Cli::try_parse_from(["innolab"]).unwrap();
        assert!(cli.command.is_none());
        let cli =
            Cli::try_parse_from(["innolab", "serve", "--listen", "0.0.0.0:9000", "--no-demo"])
                .unwrap();
        let Some(Command::Serve(s)) = cli.command else {
            panic!()
        };
        assert_eq!(s.listen.as_deref(), Some("0.0.0.0:9000"));
        assert!(s.no_demo);
    }
}
