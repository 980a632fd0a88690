//! Mails the actions send: rendered from `templates/emails` in the addressee's language.

use serde_json::json;

use crate::error::AppResult;
use crate::i18n::{self, Lang};
use crate::mail::Mail;
use crate::web::context::Ctx;

/// Renders and sends `emails/<template>` in `lang`; the subject is the translation `subject_id`.
pub async fn send_mail(
    ctx: &Ctx,
    to: &str,
    lang: Lang,
    template: &str,
    subject_id: &str,
    data: serde_json::Value,
) {
    if let Some(mail) = rendered(ctx, to, lang, template, subject_id, data) {
        ctx.state.mailer.send(mail).await
    }
}

/// `emails/<template>` rendered for sending; a template that fails is logged, since the
/// action behind the mail has happened and the person can ask for it again.
pub(super) fn rendered(
    ctx: &Ctx,
    to: &str,
    lang: Lang,
    template: &str,
    subject_id: &str,
    data: serde_json::Value,
) -> Option<Mail> {
    compose(ctx, to, lang, template, i18n::text(lang, subject_id), data)
        .inspect_err(|e| tracing::error!(error = %e, template, "mail not rendered"))
        .ok()
}

/// Renders `emails/<template>` in `lang` as a mail to `to`, without attachments.
pub fn compose(
    ctx: &Ctx,
    to: &str,
    lang: Lang,
    template: &str,
    subject: String,
    mut data: serde_json::Value,
) -> AppResult<Mail> {
    if let serde_json::Value::Object(m) = &mut data {
        m.insert("lang".into(), json!(lang.code()));
        m.insert("public_url".into(), json!(ctx.state.config.public_url));
    }
    let body = ctx
        .state
        .templates
        .render_mail(&format!("emails/{template}"), &data)?;
    Ok(Mail {
        to: to.to_string(),
        subject,
        body,
        attachments: Vec::new(),
    })
}

pub(crate) fn link(ctx: &Ctx, path_and_query: &str) -> String {
    format!("{}{}", ctx.state.config.public_url, path_and_query)
}
