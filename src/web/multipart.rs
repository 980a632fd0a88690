//! Reading `multipart/form-data` bodies within bounds that an anonymous sender cannot
//! stretch: the CSRF token must be the first part and is checked before anything else is
//! read; files are taken only under the names the route expects at that point of the
//! form; and the number of parts, the text, each file and the whole body have caps.
//! Nothing past a cap is read: the request ends with 400, 403 or 413 at once.
//!
//! Browsers send the parts in document order, and every form of Innolab starts with its
//! CSRF field and the hidden fields that say where it stands (a pilot's `_page`), so the
//! rules cost honest senders nothing.

use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;

use crate::auth::csrf;
use crate::error::{AppError, FileProblem};
use crate::web::context::{AuthMethod, Ctx};
use crate::web::csrf_form::FORM_LIMIT;

/// The most parts one form may have: the largest form (a pilot page) has a few dozen
/// fields; the builder's forms fewer.
pub const MAX_PARTS: usize = 200;

/// A file sent in a form.
pub struct NamedUpload {
    /// The form field it was sent in.
    pub field: String,
    /// The name the browser gave, as sent (not yet checked or cleaned).
    pub filename: String,
    /// The content; empty when `too_large`.
    pub bytes: Vec<u8>,
    /// The file was larger than the limit; its bytes were dropped.
    pub too_large: bool,
}

/// A form's fields and files, sent url-encoded or as multipart, with the CSRF token
/// checked.
pub struct Sent {
    /// Text fields as name and value, in the order sent, the CSRF token included.
    pub fields: Vec<(String, String)>,
    /// Files in the order sent; an empty file input (nothing chosen) is left out.
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

    /// The first value of a text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Whether a file may come under a field name, given the text fields sent before it.
pub type AcceptsFile<'a> = &'a dyn Fn(&str, &[(String, String)]) -> bool;

/// What a route takes in files.
pub struct FileRules<'a> {
    /// The most one file may hold.
    pub file_limit: usize,
    /// Which field names may carry a file at that point of the form; any other file
    /// fails the request with 400.
    pub accepts: AcceptsFile<'a>,
    /// A file above `file_limit` fails the whole request (413) instead of being marked
    /// `too_large` for the page to explain next to its field.
    pub strict: bool,
}

impl FileRules<'_> {
    /// No files at all.
    pub const NONE: FileRules<'static> = FileRules {
        file_limit: 0,
        accepts: &|_, _| false,
        strict: true,
    };
}

/// Reads a form that may carry files, url-encoded or multipart, and checks its CSRF
/// token (a request with a bearer token needs none).
pub async fn read(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    rules: FileRules<'_>,
) -> Result<Sent, AppError> {
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let parts = actix_multipart::Multipart::new(req.headers(), payload);
        return read_multipart(ctx, parts, rules).await;
    }
    let body = web::Bytes::from_request(req, &mut payload.into_inner())
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("malformed form".into()))?;
    let token = fields
        .iter()
        .find(|(k, _)| k == csrf::FIELD)
        .map_or("", |(_, v)| v.as_str());
    if !bearer(ctx) && !csrf::is_valid(&ctx.csrf_binding, token) {
        return Err(AppError::Csrf);
    }
    Ok(Sent {
        fields,
        files: Vec::new(),
    })
}

/// The one file of an upload form (field `file`), refused with 413 above `limit`.
pub async fn read_file(
    ctx: &Ctx,
    parts: actix_multipart::Multipart,
    limit: usize,
) -> Result<NamedUpload, AppError> {
    let sent = read_multipart(
        ctx,
        parts,
        FileRules {
            file_limit: limit,
            accepts: &|name, _| name == "file",
            strict: true,
        },
    )
    .await?;
    sent.files
        .into_iter()
        .next_back()
        .filter(|f| !f.bytes.is_empty())
        .ok_or(AppError::File(FileProblem::Empty))
}

fn bearer(ctx: &Ctx) -> bool {
    matches!(ctx.auth, AuthMethod::Bearer { .. })
}

async fn read_multipart(
    ctx: &Ctx,
    mut parts: actix_multipart::Multipart,
    rules: FileRules<'_>,
) -> Result<Sent, AppError> {
    let malformed =
        |e: actix_multipart::MultipartError| AppError::BadRequest(format!("malformed form: {e}"));
    let mut sent = Sent {
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut token_ok = bearer(ctx);
    let mut count = 0usize;
    let mut text_bytes = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(malformed)?;
        count += 1;
        if count > MAX_PARTS {
            return Err(AppError::BadRequest("too many form parts".into()));
        }
        let name = part.name().unwrap_or("").to_string();
        // Nothing but the token is read before the token is checked.
        if !token_ok && name != csrf::FIELD {
            return Err(AppError::Csrf);
        }
        let filename = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let is_file = filename.is_some();
        if is_file && !(rules.accepts)(&name, &sent.fields) {
            return Err(AppError::BadRequest(format!(
                "no file is expected under {name:?} here"
            )));
        }
        let cap = if is_file {
            rules.file_limit
        } else {
            FORM_LIMIT - text_bytes
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if too_large {
                continue;
            }
            if buf.len() + chunk.len() > cap {
                if !is_file || rules.strict {
                    return Err(if is_file {
                        AppError::File(FileProblem::TooLarge)
                    } else {
                        AppError::PayloadTooLarge
                    });
                }
                // Kept going (to say so next to the field) but nothing more is held;
                // the whole body's cap bounds what is still read.
                too_large = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
        match filename {
            Some(filename) => {
                // An empty file input (nothing chosen) is no file.
                if !filename.is_empty() || too_large || !buf.is_empty() {
                    sent.files.push(NamedUpload {
                        field: name,
                        filename,
                        bytes: buf,
                        too_large,
                    })
                }
            }
            None => {
                text_bytes += buf.len();
                let value = String::from_utf8_lossy(&buf).into_owned();
                if name == csrf::FIELD && !token_ok {
                    if !csrf::is_valid(&ctx.csrf_binding, &value) {
                        return Err(AppError::Csrf);
                    }
                    token_ok = true;
                }
                sent.fields.push((name, value));
            }
        }
    }
    if !token_ok {
        return Err(AppError::Csrf);
    }
    Ok(sent)
}
