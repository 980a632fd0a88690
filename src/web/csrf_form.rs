//! Form extraction with the CSRF check built in: a page handler that changes state takes
//! [`CsrfForm<T>`] and cannot forget the token.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::auth::csrf;
use crate::error::AppError;
use crate::web::context::Ctx;

/// The most a plain form body may hold (uploads use multipart and their own limit).
pub const FORM_LIMIT: usize = 256 * 1024;

#[derive(Deserialize)]
struct TokenOnly {
    csrf_token: Option<String>,
}

/// A url-encoded form whose `csrf_token` field matched the request's binding.
pub struct CsrfForm<T> {
    /// The request context the token was checked against.
    pub ctx: Ctx,
    /// The form's fields (the token is read separately and need not be in `T`).
    pub data: T,
}

/// A form with no fields but the token (logout, revoke, verify).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let ctx = Ctx::extract(&req).await?;
            let body = body
                .await
                .map_err(|_| AppError::BadRequest("unreadable form body".into()))?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("form too large".into()));
            }
            let token: TokenOnly = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::BadRequest("malformed form".into()))?;
            if !csrf::is_valid(&ctx.csrf_binding, token.csrf_token.as_deref().unwrap_or("")) {
                return Err(AppError::Csrf);
            }
            let data = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
            Ok(CsrfForm { ctx, data })
        })
    }
}
