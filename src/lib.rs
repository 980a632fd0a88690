//! Innolab: a challenge and co-creation platform for the public sector.
//!
//! Agencies publish challenges; startups, civil-society groups and research teams answer
//! with proposals and runnable pilot forms; evaluators score them in staged workflows.
//! This crate is the whole platform: [`build_state`] wires configuration, database, mail
//! and templates together, [`build_app`] assembles the HTTP application from it.
//!
//! Layers, one way only (`tests/it/module_graph.rs` keeps it so): `web` (HTTP,
//! templates, the actions shared by pages and API) -> `search` -> `domain` (rules,
//! queries, read models) -> `forms` (the form engine) -> `auth` (the policy, secrets,
//! passwords) -> `kinds` (the statuses and kinds stored in columns) -> `db` (schema,
//! connections); `text`, `i18n` and `error` are leaves.

#![warn(missing_docs)]

pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod kinds;
pub mod legal;
pub mod mail;
pub mod search;
pub mod seed;
pub mod synthetic;
pub mod text;
pub mod web;
pub mod workers;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web as aweb, App};

use crate::auth::passwords::Hasher;
use crate::config::Config;
use crate::error::AppResult;
use crate::mail::Mailer;
use crate::web::assets::Assets;
use crate::web::state::AppState;
use crate::web::templates::Templates;

/// Opens (and migrates) the database and loads everything the handlers share.
pub fn build_state(config: Config) -> AppResult<aweb::Data<AppState>> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        error::AppError::Config(format!("cannot create {}: {e}", config.data_dir.display()))
    })?;
    domain::rate::init_key(&config.data_dir)?;
    let statements = db::StatementCounter::default();
    let pool = db::connect_counted(&config, statements.clone())?;
    let templates = Templates::load(config.dev_templates)?;
    let legal = legal::LegalTexts::load(&config)?;
    let mailer = Mailer::new(&config)?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // The indexer reads with connections of its own (see `db::pool_of`).
    let indexer_pool = db::pool_of(&config, 2, db::StatementCounter::default())?;
    let search = std::sync::Arc::new(search::Search::open(&config.search_dir(), indexer_pool)?);
    search.start_indexer();
    Ok(aweb::Data::new(AppState {
        search,
        hasher: Hasher::new(cores)?,
        // Waiting searches: 64 per core, which at 1-3 ms a search (10x the synthetic
        // size) is at most about 200 ms of waiting, and bounds the memory of a flood.
        // Fewer refused searches that would have answered in time: actix-web runs the
        // requests of clients that hung up to their end, so their searches keep places
        // (32 per core met 503s at 10x when 64 connections followed 50 that had gone).
        searches: workers::Workers::new("search", cores, cores * 64)?,
        assets: Assets::load(),
        denials: domain::audit::DenialBudget::default(),
        page_cache: web::page_cache::PageCache::new(config.page_cache_ms),
        list_choices: web::page_cache::TtlCache::new(config.page_cache_ms),
        db_turns: matches!(
            db::parse_url(&config.database_url),
            Ok((db::Backend::Postgres, _))
        )
        .then(|| tokio::sync::Semaphore::new(config.pool_size as usize)),
        legal,
        files: domain::files::FileStore::configured(&config)?,
        metrics: web::request_counts::Metrics::default(),
        config,
        pool,
        statements,
        templates,
        mailer,
    }))
}

/// The one place the application is assembled: routes, middleware, error pages.
pub fn build_app(
    state: aweb::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .wrap(from_fn(web::middleware::head_as_get))
        .wrap(from_fn(web::middleware::body_cap))
        .wrap(from_fn(web::middleware::error_pages))
        .wrap(from_fn(web::middleware::finish))
        .wrap(Compress::default())
        .wrap(from_fn(web::metrics::record))
        .configure(web::configure)
        .default_service(aweb::to(web::not_found))
}
