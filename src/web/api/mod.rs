//! The JSON API under `/api/v1` (docs/API.md). Handlers call the same actions as the pages;
//! errors use docs/API.md's format; the OpenAPI description is generated from this code.

pub mod accounts;
pub mod challenges;
pub mod evaluation;
pub mod openapi;
pub mod organisations;
pub mod pilots;
pub mod proposals;
pub mod search;
pub mod topics;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, Error, HttpRequest, ResponseError};

use crate::auth::csrf;
use crate::error::AppError;
use crate::web::context::SESSION_COOKIE;
use crate::web::state::AppState;

/// The answer to a request that created something it does not describe further.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    /// The id of what was created.
    pub id: i64,
}

/// The largest JSON body the API reads.
pub const JSON_LIMIT: usize = 256 * 1024;

/// Mounts the API under `/api/v1`: CSRF check for cookie sessions, JSON and path errors in
/// the API's format, every resource's routes, `/openapi.json`, and 404 for anything else.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .wrap(from_fn(csrf_for_cookie_auth))
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(|e, _| bad_input(e.to_string())),
            )
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .app_data(web::QueryConfig::default().error_handler(|e, _| bad_input(e.to_string())))
            .configure(accounts::configure)
            .configure(organisations::configure)
            .configure(challenges::configure)
            .configure(proposals::configure)
            .configure(evaluation::configure)
            .configure(pilots::configure)
            .configure(search::configure)
            .configure(topics::configure)
            .route("/openapi.json", web::get().to(openapi::serve))
            .default_service(web::to(|| async { Err::<String, _>(AppError::NotFound) })),
    );
}

fn bad_input(detail: String) -> Error {
    AppError::BadRequest(detail).into()
}

/// Cookie-authenticated state changes must carry the page's CSRF token in
/// `X-CSRF-Token`; bearer-token requests carry no ambient authority and need none.
async fn csrf_for_cookie_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if !safe && !bearer {
        if let Some(binding) = session_cookie(req.request()) {
            let presented = req
                .headers()
                .get(csrf::HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !csrf::is_valid(&binding, presented) {
                let (req, _) = req.into_parts();
                return Ok(ServiceResponse::new(req, AppError::Csrf.error_response()));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn session_cookie(req: &HttpRequest) -> Option<String> {
    let name = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.cookie_name(SESSION_COOKIE))?;
    req.cookie(&name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}
