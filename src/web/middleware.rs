//! Cross-cutting response handling: security headers on every response, the cookies
//! the request context asked for, and HTML error pages for browser routes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use crate::error::ErrorPageMarker;
use crate::i18n::{self, Lang};
use crate::web::context::{
    browser_lang, Ctx, FlashConsumed, NewAnonCookie, ANON_COOKIE, FLASH_COOKIE, LANG_COOKIE,
};
use crate::web::render;
use crate::web::state::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// `HEAD` is answered wherever `GET` is (uptime monitors and link checkers use it): the
/// request is routed as a `GET`, and the HTTP layer sends the headers only, the
/// `Content-Length` of the body included.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Security headers (docs/QUALITY.md) and pending cookies.
pub async fn finish(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.is_https())
        .unwrap_or(false);
    let anon_name = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.cookie_name(ANON_COOKIE))
        .unwrap_or_else(|| ANON_COOKIE.to_string());
    let mut res = next.call(req).await?.map_into_boxed_body();

    let new_anon = res.request().extensions().get::<NewAnonCookie>().cloned();
    let flash_consumed = res.request().extensions().get::<FlashConsumed>().is_some();
    let sets_flash = res.response().cookies().any(|c| c.name() == FLASH_COOKIE);
    if let Some(NewAnonCookie(value)) = new_anon {
        let _ = res.response_mut().add_cookie(
            &Cookie::build(anon_name, value)
                .path("/")
                .http_only(true)
                .secure(https)
                .same_site(SameSite::Lax)
                .finish(),
        );
    }
    if flash_consumed && !sets_flash {
        let mut gone = Cookie::build(FLASH_COOKIE, "").path("/").finish();
        gone.make_removal();
        let _ = res.response_mut().add_cookie(&gone);
    }

    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry CSRF tokens and personal data: never store them.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// Browser routes get a translated HTML page instead of the JSON error body; a 401 becomes
/// a redirect to the login form that comes back here afterwards.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_api = req.path().starts_with("/api/");
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(ErrorPageMarker(explanation)) = res
        .response()
        .extensions()
        .get::<ErrorPageMarker>()
        .copied()
    else {
        return Ok(res);
    };
    if is_api {
        return Ok(res);
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    if status == StatusCode::UNAUTHORIZED {
        // After a form was sent with an expired session, come back to the page the form
        // was on (a GET of the POST target would be a 404).
        let here = if req.method() == actix_web::http::Method::GET {
            match req.uri().query() {
                Some(q) => format!("{}?{}", req.path(), q),
                None => req.path().to_string(),
            }
        } else {
            let referer = req
                .headers()
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("/");
            let path = referer
                .split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                .unwrap_or("/");
            render::safe_next(Some(path))
        };
        let login = format!("/login?next={}", urlencoding::encode(&here));
        return Ok(ServiceResponse::new(
            req,
            render::redirect_with(&login, "info", "flash-login-required"),
        ));
    }
    let ctx = req.extensions().get::<Ctx>().cloned();
    let mut data = match &ctx {
        Some(ctx) => render::base_context(ctx, "error-title"),
        None => minimal_context(&req),
    };
    let (title_id, text_id) = match status.as_u16() {
        403 => ("error-403-title", "error-403-text"),
        404 => ("error-404-title", "error-404-text"),
        409 => ("error-409-title", "error-409-text"),
        429 => ("error-429-title", "error-429-text"),
        400 | 413 | 415 | 422 => ("error-400-title", "error-400-text"),
        503 => ("error-503-title", "error-503-text"),
        _ => ("error-500-title", "error-500-text"),
    };
    let lang = data
        .get("lang")
        .and_then(Value::as_str)
        .and_then(Lang::parse)
        .unwrap_or_default();
    data.insert("title".into(), json!(i18n::text(lang, title_id)));
    data.insert("status".into(), json!(status.as_u16()));
    data.insert("page".into(), json!("error"));
    data.insert(
        "error_text".into(),
        json!(i18n::text(lang, explanation.unwrap_or(text_id))),
    );
    let html = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| {
            s.templates
                .render_page("pages/error", Value::Object(data))
                .ok()
        })
        .unwrap_or_else(|| {
            format!(
                "<!doctype html><title>{0}</title><h1>{0}</h1>",
                status.as_u16()
            )
        });
    let resp = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html);
    Ok(ServiceResponse::new(req, resp))
}

/// When the request context could not be built (e.g. the database is down), the page
/// still needs a language and the layout's variables.
fn minimal_context(req: &actix_web::HttpRequest) -> Map<String, Value> {
    let lang = browser_lang(req);
    let version = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.assets.version.clone())
        .unwrap_or_default();
    let mut m = Map::new();
    m.insert("lang".into(), json!(lang.code()));
    m.insert(
        "other_lang".into(),
        json!(if lang == Lang::De { "en" } else { "de" }),
    );
    m.insert("user".into(), Value::Null);
    m.insert("csrf_token".into(), json!(""));
    m.insert("flash".into(), Value::Null);
    m.insert("current_path".into(), json!(req.path()));
    m.insert("nav_section".into(), json!(render::nav_section(req.path())));
    m.insert("asset_version".into(), json!(version));
    m.insert("page".into(), json!(""));
    m.insert("errors".into(), json!({}));
    m.insert("error_list".into(), json!([]));
    m.insert("form".into(), json!({}));
    m
}

/// Sets the language cookie (a year), used by the header's language switch.
pub fn lang_cookie(lang: Lang, https: bool) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .secure(https)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(365))
        .finish()
}

/// What the largest request body may hold: the larger of the upload limit and a pilot's
/// file limit, plus a margin for the form around the file.
pub fn body_limit(state: &AppState) -> usize {
    const MARGIN: usize = 1024 * 1024;
    state
        .config
        .upload_limit_bytes
        .max(crate::domain::pilots::runs::MAX_FILE_BYTES)
        + MARGIN
}

/// Caps every request body at [`body_limit`]: a declared length above it is refused
/// with 413 before anything is read; a body without a declared length (chunked) fails
/// as soon as it passes the cap. Routes read far less in practice (forms and JSON have
/// their own, smaller limits); this bounds the routes that stream.
pub async fn body_cap(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(cap) = req.app_data::<web::Data<AppState>>().map(|s| body_limit(s)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(len) if len > cap as u64 => {
            let (req, _) = req.into_parts();
            let resp = crate::error::AppError::PayloadTooLarge.error_response();
            return Ok(ServiceResponse::new(req, resp));
        }
        Some(_) => {}
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let mut seen = 0usize;
            let capped = req.take_payload().map(move |chunk| {
                let chunk = chunk?;
                seen += chunk.len();
                if seen > cap {
                    Err(actix_web::error::PayloadError::Overflow)
                } else {
                    Ok(chunk)
                }
            });
            req.set_payload(actix_web::dev::Payload::Stream {
                payload: Box::pin(capped),
            });
        }
        None => {}
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
