//! Static assets (CSS, icons, fonts) compiled into the binary and served with long cache
//! lifetimes. Links carry a version derived from the content, so a new build is fetched
//! at once.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Files;

/// What the pages need to know about the embedded assets.
pub struct Assets {
    /// Short content hash of all files, appended to asset links as `?v=`.
    pub version: String,
}

impl Assets {
    /// Computes the version from the embedded files' names and content hashes.
    pub fn load() -> Assets {
        let mut h = Sha256::new();
        let mut names: Vec<_> = Files::iter().collect();
        names.sort();
        for name in names {
            if let Some(f) = Files::get(&name) {
                h.update(name.as_bytes());
                h.update(f.metadata.sha256_hash());
            }
        }
        Assets {
            version: hex::encode(h.finalize())[..12].to_string(),
        }
    }
}

/// `/static/{path}`: the embedded file with its type, an ETag (304 when it matches) and
/// a one-year immutable cache lifetime; 404 for unknown paths.
pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Files::get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let mime = mime_for(&path);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, etag))
        .body(file.data.into_owned()))
}

fn mime_for(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
