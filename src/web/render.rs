//! Turning view data into responses: full pages in the base layout, form pages that
//! keep what was typed and list the problems, redirects with a one-time notice.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n;
use crate::web::context::{Ctx, FLASH_COOKIE};
use crate::web::page_cache::{Cached, TOKEN_MARK};

/// The values every page template can rely on.
pub fn base_context(ctx: &Ctx, title_id: &str) -> Map<String, Value> {
    let user = ctx.user.as_ref().map(|u| {
        json!({
            "id": u.id,
            "display_name": u.display_name,
            "is_admin": u.is_admin,
            "email_verified": u.is_verified(),
        })
    });
    let mut m = Map::new();
    m.insert("lang".into(), json!(ctx.lang.code()));
    m.insert("other_lang".into(), json!(ctx.lang.other().code()));
    m.insert("title".into(), json!(i18n::text(ctx.lang, title_id)));
    m.insert("user".into(), user.unwrap_or(Value::Null));
    m.insert("csrf_token".into(), json!(ctx.csrf_token()));
    m.insert("flash".into(), json!(ctx.flash));
    m.insert("current_path".into(), json!(ctx.path));
    m.insert("nav_section".into(), json!(nav_section(&ctx.path)));
    m.insert("asset_version".into(), json!(ctx.state.assets.version));
    m.insert("page".into(), json!(""));
    m.insert("errors".into(), json!({}));
    m.insert("error_list".into(), json!([]));
    m.insert("form".into(), json!({}));
    m
}

/// What the layout itself reads; a page's data must not use these names (a page once
/// set `other_lang` and sent the language switch to `lang=false`).
const LAYOUT_KEYS: [&str; 8] = [
    "lang",
    "other_lang",
    "user",
    "csrf_token",
    "flash",
    "current_path",
    "nav_section",
    "asset_version",
];

/// Puts a page's data over the base context; in debug builds (the tests) a name the
/// layout reads is refused.
fn merge_page_data(m: &mut Map<String, Value>, extra: Map<String, Value>) {
    debug_assert!(
        !extra.keys().any(|k| LAYOUT_KEYS.contains(&k.as_str())),
        "page data overrides a layout value: {:?}",
        extra
            .keys()
            .filter(|k| LAYOUT_KEYS.contains(&k.as_str()))
            .collect::<Vec<_>>()
    );
    m.extend(extra);
}

/// Which main navigation entry the path belongs to (marked with `aria-current`).
pub fn nav_section(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    match first {
        "" => "home",
        "organisations" => "organisations",
        "challenges" | "proposals" | "questions" => "challenges",
        "dashboard" | "notifications" => "dashboard",
        "admin" => "admin",
        "evaluation" | "assignments" => "evaluation",
        "search" => "search",
        "account" | "invitations" => "account",
        _ => "",
    }
}

/// Renders `pages/<name>` with `data` merged over the base context.
pub fn page(ctx: &Ctx, name: &str, title_id: &str, data: Value) -> AppResult<HttpResponse> {
    page_status(
        ctx,
        StatusCode::OK,
        name,
        &i18n::text(ctx.lang, title_id),
        data,
    )
}

/// Who sees a public page's content alike, and so may share its cached copy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SameFor {
    /// Visitors without a session (the content shows per-person state once signed in).
    Visitors,
    /// Everyone with the same language, signed in or not (only the layout differs).
    Everyone,
}

/// A public page that may come from the page cache. Visitors without a session get the
/// whole page from it; for `SameFor::Everyone` signed-in people get the content from it,
/// in the layout with their own name and token. `build` produces the title and the data
/// and runs only on a miss (or always with a notice to show, or with the cache off).
pub async fn public_page<F, Fut>(
    ctx: &Ctx,
    name: &str,
    same_for: SameFor,
    build: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<(String, Value)>>,
{
    let cache = &ctx.state.page_cache;
    let signed_in = ctx.user.is_some();
    let cacheable =
        cache.enabled() && ctx.flash.is_none() && (!signed_in || same_for == SameFor::Everyone);
    if !cacheable {
        let (title, data) = build().await?;
        return page_status(ctx, StatusCode::OK, name, &title, data);
    }
    let part = if signed_in { "content" } else { "page" };
    let key = format!("{part}|{}|{}", ctx.lang.code(), ctx.path);
    let cached = match cache.get(&key) {
        Some(c) => c,
        None => {
            let (title, data) = build().await?;
            // Rendered with a marker for the token, so that the copy serves everyone.
            let mut m = base_context(ctx, "");
            m.insert("title".into(), json!(title));
            m.insert("page".into(), json!(name));
            m.insert("csrf_token".into(), json!(TOKEN_MARK));
            if let Value::Object(extra) = data {
                merge_page_data(&mut m, extra);
            }
            if signed_in {
                // Shared by everyone signed in: nothing about this person may go in.
                m.insert("user".into(), json!({ "signed_in": true }));
            }
            let templates = &ctx.state.templates;
            let template = format!("pages/{name}");
            let body = if signed_in {
                templates.render_content(&template, Value::Object(m))?
            } else {
                templates.render_page(&template, Value::Object(m))?
            };
            let c = Cached {
                title: title.into(),
                body: body.into(),
            };
            cache.put(key, c.clone());
            c
        }
    };
    let html = cached.body.replace(TOKEN_MARK, &ctx.csrf_token());
    let html = if signed_in {
        let mut m = base_context(ctx, "");
        m.insert("title".into(), json!(&*cached.title));
        m.insert("page".into(), json!(name));
        ctx.state.templates.render_layout(Value::Object(m), html)?
    } else {
        html
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// A public JSON answer that requests without credentials may get from the page cache
/// (they are all alike); `build` runs on a miss, or always for authenticated callers.
pub async fn public_json<F, Fut>(ctx: &Ctx, build: F) -> AppResult<HttpResponse>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<Value>>,
{
    if ctx.user.is_some() {
        return Ok(HttpResponse::Ok().json(build().await?));
    }
    shared_body(ctx, "application/json", || async {
        Ok(build().await?.to_string())
    })
    .await
}

/// An answer that is the same for everyone asking for this address in this language (it
/// holds only public data: feeds, sitemaps), kept in the page cache; `build` runs on a
/// miss.
pub async fn shared_body<F, Fut>(
    ctx: &Ctx,
    content_type: &'static str,
    build: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<String>>,
{
    let cache = &ctx.state.page_cache;
    let body: std::sync::Arc<str> = if cache.enabled() {
        let key = format!("shared|{}|{}", ctx.lang.code(), ctx.path);
        match cache.get(&key) {
            Some(c) => c.body,
            None => {
                let body: std::sync::Arc<str> = build().await?.into();
                cache.put(
                    key,
                    Cached {
                        title: "".into(),
                        body: body.clone(),
                    },
                );
                body
            }
        }
    } else {
        build().await?.into()
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .body(body.to_string()))
}

/// Like [`page`], with a title that is data (an organisation's name) rather than a message.
pub fn page_titled(ctx: &Ctx, name: &str, title: &str, data: Value) -> AppResult<HttpResponse> {
    page_status(ctx, StatusCode::OK, name, title, data)
}

/// Renders `pages/<name>` with a status and a title given as text.
pub fn page_status(
    ctx: &Ctx,
    status: StatusCode,
    name: &str,
    title: &str,
    data: Value,
) -> AppResult<HttpResponse> {
    let mut m = base_context(ctx, "");
    m.insert("title".into(), json!(title));
    m.insert("page".into(), json!(name));
    if let Value::Object(extra) = data {
        merge_page_data(&mut m, extra);
    }
    let html = ctx
        .state
        .templates
        .render_page(&format!("pages/{name}"), Value::Object(m))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// Re-renders a form page after a problem: what was typed stays (`form`), each field shows
/// its message and the error summary at the top links to the fields. Passwords are
/// never sent back. Errors other than validation and throttling are passed on.
pub fn form_error(
    ctx: &Ctx,
    err: AppError,
    name: &str,
    title_id: &str,
    form: Value,
    extra: Value,
) -> AppResult<HttpResponse> {
    // Refusals that are not about one field are listed for the whole form.
    let (status, fields) = match err {
        AppError::Validation(f) => (StatusCode::UNPROCESSABLE_ENTITY, f),
        AppError::TooManyRequests { message_id, .. }
        | AppError::Conflict { message_id }
        | AppError::Unavailable { message_id } => {
            let status = err.status_code();
            let mut f = FieldErrors::new();
            f.add("form", message_id);
            (status, f)
        }
        other => return Err(other),
    };
    let errors: Map<String, Value> = fields
        .iter()
        .map(|(k, m)| (k.to_string(), json!(m.text(ctx.lang))))
        .collect();
    let error_list: Vec<Value> = fields
        .iter()
        // "form" and "token" problems have no field to jump to.
        .map(|(k, m)| json!({ "field": k, "link": !matches!(k, "form" | "token"), "message": m.text(ctx.lang) }))
        .collect();
    let mut data = match extra {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut form = match form {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for secret in [
        "password",
        "current_password",
        "new_password",
        "password_confirm",
    ] {
        form.remove(secret);
    }
    data.insert("form".into(), Value::Object(form));
    data.insert("errors".into(), Value::Object(errors));
    data.insert("error_list".into(), Value::Array(error_list));
    let title = format!(
        "{}: {}",
        i18n::text(ctx.lang, "error-summary-prefix"),
        i18n::text(ctx.lang, title_id)
    );
    page_status(ctx, status, name, &title, Value::Object(data))
}

/// A file to save (never shown inline): its type, a name safe in both header forms,
/// and no caching.
pub fn download(
    content_type: &str,
    filename: &str,
    bytes: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    HttpResponse::Ok()
        .insert_header(("Content-Type", content_type.to_string()))
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                urlencoding::encode(filename)
            ),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes)
}

/// 303 See Other to `location` (after a POST), with a notice for the next page.
pub fn redirect_with(location: &str, kind: &str, message_id: &str) -> HttpResponse {
    let mut resp = redirect(location);
    let value = format!("{kind}:{message_id}");
    let _ = resp.add_cookie(
        &Cookie::build(FLASH_COOKIE, urlencoding::encode(&value).into_owned())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish(),
    );
    resp
}

/// 303 See Other to `location`, without a notice.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// A local path to continue to after login; anything else (other hosts, `//evil`) is `/`.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_string();
    };
    // A path on this site: printable ASCII only (browsers drop tabs and newlines, which
    // would turn "/\t/evil" into "//evil"), no backslash, and never "//" (another host).
    let ok = n.starts_with('/')
        && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
        && n.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\')
        && n.len() <= 2000;
    if ok {
        n.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\u{1}")), "/");
        assert_eq!(safe_next(Some("/a b")), "/");
        assert_eq!(
            safe_next(Some("/organisations?kind=agency&page=2")),
            "/organisations?kind=agency&page=2"
        );
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    #[should_panic(expected = "overrides a layout value")]
    fn page_data_may_not_override_what_the_layout_reads() {
        let mut m = Map::new();
        let extra = json!({ "other_lang": false, "topics": [] });
        merge_page_data(&mut m, extra.as_object().cloned().unwrap_or_default());
    }
}
