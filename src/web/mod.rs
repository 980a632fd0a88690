//! HTTP: pages and the JSON API over the same actions, the request context, forms with
//! CSRF protection, templates and the response middleware.

pub mod actions;
pub mod api;
pub mod assets;
pub mod chart;
pub mod context;
pub mod csrf_form;
pub mod downloads;
pub mod metrics;
pub mod middleware;
pub mod multipart;
pub mod page_cache;
pub mod pages;
pub mod render;
pub mod request_counts;
pub mod state;
pub mod templates;
pub mod views;

use actix_web::web;

use crate::error::AppError;
use crate::web::context::Ctx;

/// Every route of the application.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::FormConfig::default().limit(csrf_form::FORM_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| AppError::BadRequest(e.to_string()).into()),
        )
        .route("/metrics", web::get().to(metrics::serve))
        .configure(api::configure)
        .configure(pages::home::configure)
        .configure(pages::feeds::configure)
        .configure(pages::legal::configure)
        .configure(pages::auth::configure)
        .configure(pages::account::configure)
        .configure(pages::organisations::configure)
        .configure(pages::challenges::configure)
        .configure(pages::proposals::configure)
        .configure(pages::search::configure)
        .configure(pages::stages::configure)
        .configure(pages::evaluation::configure)
        .configure(pages::pilot_run::configure)
        .configure(pages::form_library::configure)
        .configure(pages::proposal_answers::configure)
        .configure(pages::form_editors::configure)
        .configure(pages::pilots::configure)
        .configure(pages::dashboard::configure)
        .configure(pages::admin::configure)
        .configure(pages::admin_topics::configure);
}

/// Unknown paths: a 404 page in the visitor's language (the context gives the language).
pub async fn not_found(_ctx: Option<Ctx>) -> Result<String, AppError> {
    Err(AppError::NotFound)
}
