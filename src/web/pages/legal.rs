//! `/impressum` and `/datenschutz` (also `/imprint` and `/privacy`): the operator's texts
//! from [`crate::legal`], and on the privacy page the list of cookies this site sets.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::AppResult;
use crate::legal::LegalPage;
use crate::web::context::{Ctx, ANON_COOKIE, FLASH_COOKIE, LANG_COOKIE, SESSION_COOKIE};
use crate::web::render::{self, SameFor};

/// The legal pages under their German and English addresses.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/impressum", web::get().to(impressum))
        .route("/imprint", web::get().to(impressum))
        .route("/datenschutz", web::get().to(privacy))
        .route("/privacy", web::get().to(privacy));
}

async fn impressum(ctx: Ctx) -> AppResult<HttpResponse> {
    show(&ctx, LegalPage::Impressum).await
}

async fn privacy(ctx: Ctx) -> AppResult<HttpResponse> {
    show(&ctx, LegalPage::Privacy).await
}

async fn show(ctx: &Ctx, page: LegalPage) -> AppResult<HttpResponse> {
    render::public_page(ctx, "legal", SameFor::Everyone, || async {
        let (title_id, config_key) = match page {
            LegalPage::Impressum => ("legal-impressum-title", "impressum_file"),
            LegalPage::Privacy => ("legal-privacy-title", "privacy_file"),
        };
        let text = ctx.state.legal.get(page).for_lang(ctx.lang);
        // Not `other_lang`: the layout's language switch reads that name.
        let text_in = text
            .filter(|(_, other)| *other)
            .map(|_| ctx.lang.other().code());
        // Only cookies that the site needs to work: no banner is needed (§ 25 TDDDG).
        let state = &ctx.state;
        let cookies = (page == LegalPage::Privacy).then(|| {
            [
                (state.cookie_name(SESSION_COOKIE), "session"),
                (state.cookie_name(ANON_COOKIE), "anon"),
                (LANG_COOKIE.to_string(), "lang"),
                (FLASH_COOKIE.to_string(), "flash"),
            ]
            .into_iter()
            .map(|(name, key)| json!({ "name": name, "key": key }))
            .collect::<Vec<_>>()
        });
        Ok((
            ctx.t(title_id),
            json!({
                "title_id": title_id,
                // Rendered by `text::render_markdown` when `crate::legal` read the file.
                "body_legal_html": text.map(|(t, _)| t),
                "text_lang": text_in.unwrap_or(ctx.lang.code()),
                "text_in_other_language": text_in.is_some(),
                "config_key": config_key,
                "cookies": cookies,
                "session_hours": state.config.session_max_hours,
            }),
        ))
    })
    .await
}
