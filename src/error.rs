//! The one error type, [`AppError`], and how it becomes an HTTP response.
//!
//! Every error renders as the JSON body of docs/API.md (`{"error", "message", "fields"}`).
//! For pages outside `/api/` the `web::errors` middleware replaces that body with a
//! translated HTML error page. Internal details (SQL, paths, causes) are logged, never sent.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::i18n;

/// Problems with single input fields: field name -> the message (a translation id and,
/// where the text names a limit or a value, its arguments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(BTreeMap<String, FieldMessage>);

/// One field's problem: a translation id and the named arguments its text takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldMessage {
    /// The translation id of the message.
    pub id: String,
    /// The named arguments of the message, in the order given.
    pub args: Vec<(String, String)>,
}

impl FieldMessage {
    /// The message translated into `lang`, with its arguments filled in.
    pub fn text(&self, lang: i18n::Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        i18n::text_with(lang, &self.id, &args)
    }
}

impl FieldErrors {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records the first problem of a field; later ones for the same field are dropped so
    /// the person sees one clear message per field.
    pub fn add(&mut self, field: &str, message_id: &str) {
        self.add_with(field, message_id, &[]);
    }
    /// Like [`FieldErrors::add`], for a message that names values (`{ $max }`).
    pub fn add_with(&mut self, field: &str, message_id: &str, args: &[(&str, String)]) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| FieldMessage {
                id: message_id.to_string(),
                args: args
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            });
    }
    /// Whether no field has a problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many fields have a problem.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The translation id of a field's problem.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(|m| m.id.as_str())
    }
    /// The translated message of a field's problem.
    pub fn text(&self, field: &str, lang: i18n::Lang) -> Option<String> {
        self.0.get(field).map(|m| m.text(lang))
    }
    /// Each field with its problem, in field-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldMessage)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// Records a problem already made, unless the field has one.
    pub fn add_message(&mut self, field: &str, message: FieldMessage) {
        self.0.entry(field.to_string()).or_insert(message);
    }
    /// Adds every problem of `other` under `prefix` (`"answers."`), keeping the first
    /// problem of each field.
    pub fn merge_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(format!("{prefix}{k}")).or_insert(v);
        }
    }
    /// `Ok(())` when nothing was recorded, else the validation error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
    /// The validation error of one field's problem.
    pub fn single(field: &str, message_id: &str) -> AppError {
        let mut e = FieldErrors::new();
        e.add(field, message_id);
        AppError::Validation(e)
    }
}

impl IntoIterator for FieldErrors {
    type Item = (String, FieldMessage);
    type IntoIter = std::collections::btree_map::IntoIter<String, FieldMessage>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Why an uploaded file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    /// The file has no bytes.
    Empty,
    /// The file is larger than an upload may be.
    TooLarge,
    /// The file's content is not of a type the platform accepts.
    TypeNotAllowed,
    /// The file would take its pilot run past the bytes a run may store.
    RunQuotaExceeded,
}

impl FileProblem {
    /// The translation id explaining the problem (shown next to the file field).
    pub fn message_id(self) -> &'static str {
        match self {
            FileProblem::Empty => "file-empty",
            FileProblem::TooLarge => "file-too-large",
            FileProblem::TypeNotAllowed => "file-type",
            FileProblem::RunQuotaExceeded => "file-run-quota",
        }
    }
}

/// Everything that can go wrong in a request or a command; each variant has its HTTP status
/// and its `code` in docs/API.md.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The configuration is missing or wrong (500; also stops the server from starting).
    #[error("configuration: {0}")]
    Config(String),
    /// A query failed (500, or 404 for a row that is not there).
    #[error("database: {0}")]
    Database(diesel::result::Error),
    /// No database connection could be had (503).
    #[error("database connection: {0}")]
    Pool(String),
    /// The thing asked for does not exist, or the person may not know that it does (404).
    #[error("not found")]
    NotFound,
    /// Signing in is required (401).
    #[error("authentication required")]
    Unauthorized,
    /// Signed in, but not allowed to do this (403).
    #[error("forbidden")]
    Forbidden,
    /// A form or upload came without a valid CSRF token (403).
    #[error("CSRF token missing or invalid")]
    Csrf,
    /// A malformed request; the text says what is wrong and is sent to the client (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A request body above its cap; nothing after the cap was read.
    #[error("request body too large")]
    PayloadTooLarge,
    /// Input with problems in named fields (422), each with its own message.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// An uploaded file that cannot be taken; its status says why (docs/API.md).
    #[error("file not accepted: {0:?}")]
    File(FileProblem),
    /// The request clashes with the current state, such as a status that has moved on (409);
    /// `message_id` is the translation id explaining it.
    #[error("conflict: {message_id}")]
    Conflict {
        /// The translation id explaining the clash.
        message_id: &'static str,
    },
    /// A rate limit; `message_id` says which one, in words the person understands.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until the limit lets the request through again (the `Retry-After` header).
        retry_after_secs: u64,
        /// The translation id explaining the limit.
        message_id: &'static str,
    },
    /// A service the request needs (the mail relay) failed; trying later may help.
    #[error("unavailable: {message_id}")]
    Unavailable {
        /// The translation id saying what failed.
        message_id: &'static str,
    },
    /// The server's queue for this kind of work is full; try again after a moment.
    #[error("busy")]
    Busy {
        /// Seconds to wait before trying again (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// A bug or an unexpected failure (500); the text is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// An `Internal` error with the text of `e`.
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    /// The machine-readable code of docs/API.md's error format.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Database(diesel::result::Error::NotFound) => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Validation(_) | AppError::File(_) => "validation_failed",
            AppError::Conflict { .. } => "conflict",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Pool(_) | AppError::Unavailable { .. } | AppError::Busy { .. } => {
                "unavailable"
            }
            AppError::Config(_) | AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }

    /// A human message in English (the API's language); pages translate by status instead.
    pub fn public_message(&self) -> String {
        let id = match self {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                "error-not-found"
            }
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::Csrf => "error-csrf",
            AppError::BadRequest(detail) => return format!("Bad request: {detail}"),
            AppError::PayloadTooLarge => "error-payload-too-large",
            AppError::Validation(_) | AppError::File(_) => "error-validation",
            AppError::Conflict { message_id } => message_id,
            AppError::TooManyRequests { message_id, .. } => message_id,
            AppError::Unavailable { message_id } => message_id,
            AppError::Pool(_) | AppError::Busy { .. } => "error-unavailable",
            _ => "error-internal",
        };
        i18n::text(i18n::Lang::En, id)
    }
}

/// Marks a response whose body should become an HTML error page for browser routes;
/// carries the translation id of a specific explanation, where there is one.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPageMarker(pub Option<&'static str>);

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<&'a str, String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                StatusCode::NOT_FOUND
            }
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Validation(_) | AppError::File(FileProblem::Empty) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::File(FileProblem::TooLarge | FileProblem::RunQuotaExceeded) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            AppError::File(FileProblem::TypeNotAllowed) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Pool(_) | AppError::Unavailable { .. } | AppError::Busy { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Config(_) | AppError::Database(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let fields = match self {
            AppError::Validation(f) => f.iter().map(|(k, m)| (k, m.text(i18n::Lang::En))).collect(),
            AppError::File(problem) => {
                BTreeMap::from([("file", i18n::text(i18n::Lang::En, problem.message_id()))])
            }
            _ => BTreeMap::new(),
        };
        let mut resp = HttpResponse::build(status);
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        }
        | AppError::Busy { retry_after_secs } = self
        {
            resp.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        let mut resp = resp.json(ErrorBody {
            error: self.code(),
            message: self.public_message(),
            fields,
        });
        let explanation = match self {
            AppError::Conflict { message_id } | AppError::Unavailable { message_id } => {
                Some(*message_id)
            }
            AppError::Csrf => Some("error-csrf"),
            _ => None,
        };
        resp.extensions_mut().insert(ErrorPageMarker(explanation));
        resp
    }
}

impl From<diesel::result::Error> for AppError {
    /// A duplicate key (two people racing for the same email or slug) is a conflict the
    /// person can resolve, not a server error.
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => AppError::Conflict {
                message_id: "conflict-duplicate",
            },
            other => AppError::Database(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task failed: {e}"))
    }
}

/// The result of everything that can fail with an `AppError`.
pub type AppResult<T> = Result<T, AppError>;
