//! Form extraction with the CSRF check built in: a page handler that changes state takes
//! [`CsrfForm<T>`] and cannot forget the token.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::auth::csrf;
use crate::error::{AppError, FileProblem};
use crate::web::context::Ctx;

/// The most a plain form body may hold (uploads use multipart and their own limit).
pub const FORM_LIMIT: usize = 256 * 1024;

#[derive(Deserialize)]
struct TokenOnly {
    csrf_token: Option<String>,
}

/// A url-encoded form whose `csrf_token` field matched the request's binding.
pub struct CsrfForm<T> {
    pub ctx: Ctx,
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

/// A file sent with `multipart/form-data` together with the CSRF token (which must come
/// first in the form) and an optional note.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Reads a multipart upload: checks the CSRF token (unless the request carries a bearer
/// token) and stops reading at `limit` bytes with a 413-style field error.
pub async fn read_upload(
    ctx: &Ctx,
    mut payload: actix_multipart::Multipart,
    limit: usize,
) -> Result<Upload, AppError> {
    use futures_util::StreamExt;
    let mut token_ok = matches!(ctx.auth, crate::web::context::AuthMethod::Bearer { .. });
    let mut file: Option<Upload> = None;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("malformed upload: {e}")))?;
        let name = field.name().unwrap_or("").to_string();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut buf: Vec<u8> = Vec::new();
        let cap = if name == "file" { limit } else { 4096 };
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| AppError::BadRequest(format!("malformed upload: {e}")))?;
            if buf.len() + chunk.len() > cap {
                return Err(AppError::File(FileProblem::TooLarge));
            }
            buf.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => {
                token_ok |=
                    csrf::is_valid(&ctx.csrf_binding, std::str::from_utf8(&buf).unwrap_or(""))
            }
            "file" => {
                if !token_ok {
                    return Err(AppError::Csrf);
                }
                file = Some(Upload {
                    filename: filename.unwrap_or_default(),
                    bytes: buf,
                });
            }
            _ => {}
        }
    }
    if !token_ok {
        return Err(AppError::Csrf);
    }
    file.ok_or(AppError::File(FileProblem::Empty))
}

/// A file sent in a form with several fields.
pub struct NamedUpload {
    /// The form field it was sent in.
    pub field: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// The file was larger than the limit; its bytes were dropped.
    pub too_large: bool,
}

/// A form's fields and files, sent url-encoded or as multipart, with the CSRF token
/// checked.
pub struct Sent {
    pub fields: Vec<(String, String)>,
    pub files: Vec<NamedUpload>,
}

impl Sent {
    /// The answers to a form-engine form: every field but the page's own controls (the
    /// CSRF token and names starting with `_`, which field keys never do).
    pub fn answers(&self) -> crate::forms::Raw {
        crate::forms::Raw::from_pairs(
            self.fields
                .iter()
                .filter(|(k, _)| !k.starts_with('_') && k != csrf::FIELD)
                .cloned(),
        )
    }
}

/// Reads a form that may carry files. A file above `file_limit` does not fail the
/// request: it is marked, so the page can say so next to its field and keep the rest of
/// what was typed. Empty file inputs (nothing chosen) are skipped.
pub async fn read_sent(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    file_limit: usize,
) -> Result<Sent, AppError> {
    use futures_util::StreamExt;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut sent = Sent {
        fields: Vec::new(),
        files: Vec::new(),
    };
    if multipart {
        let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
        let mut text_bytes = 0usize;
        while let Some(part) = parts.next().await {
            let mut part =
                part.map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
            let name = part.name().unwrap_or("").to_string();
            let filename = part
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_string);
            let cap = if filename.is_some() {
                file_limit
            } else {
                FORM_LIMIT
            };
            let mut buf: Vec<u8> = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = part.next().await {
                let chunk =
                    chunk.map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
                if buf.len() + chunk.len() > cap {
                    too_large = true;
                    buf.clear();
                } else if !too_large {
                    buf.extend_from_slice(&chunk);
                }
            }
            match filename {
                Some(filename) if !filename.is_empty() || too_large || !buf.is_empty() => {
                    sent.files.push(NamedUpload {
                        field: name,
                        filename,
                        bytes: buf,
                        too_large,
                    })
                }
                Some(_) => {}
                None => {
                    text_bytes += buf.len();
                    if too_large || text_bytes > FORM_LIMIT {
                        return Err(AppError::BadRequest("form too large".into()));
                    }
                    sent.fields
                        .push((name, String::from_utf8_lossy(&buf).into_owned()));
                }
            }
        }
    } else {
        let body = web::Bytes::from_request(req, &mut payload.into_inner())
            .await
            .map_err(|_| AppError::BadRequest("form too large".into()))?;
        sent.fields = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadRequest("malformed form".into()))?;
    }
    let token = sent
        .fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map_or("", |(_, v)| v.as_str());
    if !csrf::is_valid(&ctx.csrf_binding, token) {
        return Err(AppError::Csrf);
    }
    Ok(sent)
}
