//! The `innolab` binary: parses the command line and hands over to the library.

use std::process::ExitCode;
use std::time::Instant;

use actix_web::HttpServer;
use clap::Parser;
use innolab::cli::{self, Cli, Command, ServeArgs};
use innolab::error::AppError;

fn main() -> ExitCode {
    let started = Instant::now();
    limit_malloc_arenas();
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(&cli.global, ServeArgs::default(), started),
        Some(Command::Serve(args)) => serve(&cli.global, args, started),
        Some(ref other) => cli::run_offline(&cli.global, other),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("innolab: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if std::env::var("INNOLAB_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Every ten minutes, followers of challenges whose deadline is within three days are
/// told so (once per challenge, whichever instance gets there first).
fn start_reminders(pool: innolab::db::DbPool) {
    std::thread::spawn(move || loop {
        let sent = innolab::db::checkout(&pool).and_then(|mut conn| {
            innolab::db::write_tx(&mut conn, |c| {
                innolab::domain::challenges::remind_deadlines(c, chrono::Duration::days(3))
            })
        });
        match sent {
            Ok(0) => {}
            Ok(n) => tracing::info!(challenges = n, "deadline reminders sent"),
            Err(e) => tracing::warn!(error = %e, "deadline reminders failed"),
        }
        std::thread::sleep(std::time::Duration::from_secs(600));
    });
}

/// Every hour, pilot answers past their retention period are deleted (whichever instance
/// gets there first; the second finds nothing left), and so are rate-limit events whose
/// window has passed; client addresses older than `personal_data_days` are removed.
fn start_retention(pool: innolab::db::DbPool, files: innolab::domain::files::FileStore, days: i64) {
    std::thread::spawn(move || loop {
        let cutoff = innolab::db::now() - chrono::Duration::days(days);
        let forgotten = innolab::db::checkout(&pool).and_then(|mut conn| {
            innolab::db::write_tx(&mut conn, |c| {
                innolab::domain::accounts::personal_data::forget_addresses(c, cutoff)
            })
        });
        match forgotten {
            Ok(f) if f == Default::default() => {}
            Ok(f) => tracing::info!(
                sessions = f.sessions,
                sign_in_attempts = f.sign_in_attempts,
                audit_entries = f.audit_entries,
                "old client addresses removed"
            ),
            Err(e) => tracing::warn!(error = %e, "removing old client addresses failed"),
        }
        if let Err(e) = innolab::db::checkout(&pool)
            .and_then(|mut conn| innolab::domain::rate::prune(&mut conn))
        {
            tracing::warn!(error = %e, "pruning rate-limit events failed");
        }
        let purged = innolab::db::checkout(&pool).and_then(|mut conn| {
            innolab::db::write_tx(&mut conn, |c| {
                innolab::domain::pilots::retention::purge_expired(c, &files, innolab::db::now())
            })
        });
        match purged {
            Ok(p) if p == Default::default() => {}
            Ok(p) => tracing::info!(
                submissions = p.submissions,
                runs = p.runs,
                files = p.files,
                "pilot answers purged"
            ),
            Err(e) => tracing::warn!(error = %e, "pilot retention failed"),
        }
        std::thread::sleep(std::time::Duration::from_secs(3600));
    });
}

fn serve(global: &cli::GlobalArgs, args: ServeArgs, started: Instant) -> Result<(), AppError> {
    let config = cli::resolve_config(global, Some(&args))?;
    let state = innolab::build_state(config.clone())?;
    {
        // Old throttling rows only slow the checks down.
        let mut conn = innolab::db::checkout(&state.pool)?;
        innolab::auth::throttle::prune(&mut conn)?;
        innolab::domain::rate::prune(&mut conn)?;
        let added = innolab::seed::reference_topics(&mut conn)?;
        if added > 0 {
            tracing::info!(topics = added, "reference topics added");
        }
    }
    if config.demo_data {
        let mut conn = innolab::db::checkout(&state.pool)?;
        if innolab::seed::is_empty(&mut conn)? {
            let r = innolab::seed::apply(&mut conn)?;
            tracing::info!(
                users = r.users_created,
                organisations = r.organisations_created,
                "demo data loaded"
            );
        }
    }
    let missing = state.legal.missing();
    if !missing.is_empty() {
        tracing::warn!(
            unset = ?missing,
            "no Impressum or privacy notice configured: /impressum and /datenschutz show a placeholder; a public body may not run the site like this (see README, Operating Innolab)"
        );
    }
    tracing::info!(
        listen = %config.listen,
        database = %cli::redact(&config.database_url),
        public_url = %config.public_url,
        "starting"
    );
    start_reminders(state.pool.clone());
    start_retention(
        state.pool.clone(),
        state.files.clone(),
        config.personal_data_days,
    );
    innolab::delivery::start(state.pool.clone(), config.webhook_allow_private);
    let workers = config.workers;
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || innolab::build_app(state.clone()))
            .workers(workers)
            .bind(&config.listen)
            .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.listen)))?
            .run();
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "serving on http://{}",
            config.listen
        );
        server.await.map_err(AppError::internal)
    })
}

/// glibc gives each thread that allocates an arena of its own, up to eight per core, and
/// each arena keeps what was freed in it. Under 50 connections the request and blocking
/// threads spread the same small allocations over all of them: after `benches/pages.sh`
/// (SQLite, 2 cores) the server held 302 MB with glibc's default, 263 MB with two arenas
/// per core, 204 MB with two in all, at throughputs within the run-to-run noise. Two per
/// core; an operator's `MALLOC_ARENA_MAX` wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let arenas = i32::try_from(2 * cores).unwrap_or(i32::MAX);
    // SAFETY: mallopt only sets a tunable of the allocator; called before any thread is
    // started, nothing allocates concurrently.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

/// Other C libraries have no arenas to limit.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
