//! The handlebars registries, built once at start-up: one for HTML pages (escaping on,
//! strict mode) and one for plain-text mails (no HTML escaping). In development
//! (`dev_templates`) templates are read from `templates/` on every render.
//!
//! Helpers: `t` (translate; `{{t "id" name=value}}`, usable as a sub-expression),
//! `eq`, `ne`, `datetime` (shown in Europe/Berlin), `csrf_field` (the hidden input every
//! POST form carries).

use chrono_tz::Europe::Berlin;
use handlebars::{
    html_escape, no_escape, Context, DirectorySourceOptions, Handlebars, Helper, HelperDef,
    HelperResult, Output, RenderContext, RenderError, RenderErrorReason, ScopedJson,
};
use rust_embed::RustEmbed;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.hbs"]
struct Embedded;

/// The page and mail registries, shared by every request through the application state.
pub struct Templates {
    pages: Handlebars<'static>,
    mails: Handlebars<'static>,
}

impl Templates {
    /// Registers every template with the helpers: from the binary, or with `dev` from
    /// `templates/` on each render. A template that does not parse is a `Config` error.
    pub fn load(dev: bool) -> AppResult<Templates> {
        let mut pages = Handlebars::new();
        let mut mails = Handlebars::new();
        mails.register_escape_fn(no_escape);
        for (prefix, reg) in [("", &mut pages), ("emails/", &mut mails)] {
            reg.set_strict_mode(true);
            // A partial's output must come out as written: handlebars would otherwise
            // indent every line of it, the text inside a <textarea> included, by the
            // indentation of the partial call (each save of an edit form indented again).
            reg.set_prevent_indent(true);
            register_helpers(reg);
            if dev {
                reg.set_dev_mode(true);
                reg.register_templates_directory("templates", DirectorySourceOptions::default())
                    .map_err(|e| AppError::Config(format!("templates: {e}")))?;
            } else {
                for name in Embedded::iter().filter(|n| n.starts_with(prefix) || prefix.is_empty())
                {
                    let file = Embedded::get(&name)
                        .ok_or_else(|| AppError::Config(format!("template {name} vanished")))?;
                    let source = std::str::from_utf8(&file.data)
                        .map_err(|e| AppError::Config(format!("template {name}: {e}")))?;
                    reg.register_template_string(name.trim_end_matches(".hbs"), source)
                        .map_err(|e| AppError::Config(format!("template {name}: {e}")))?;
                }
            }
        }
        Ok(Templates { pages, mails })
    }

    /// Renders the page template, then the layout around it (`page_html`). Two passes
    /// rather than a layout partial: handlebars copies the whole context at every partial
    /// boundary, which made large pages spend most of their time copying their data.
    pub fn render_page(&self, name: &str, data: Value) -> AppResult<String> {
        let mut context = Context::from(data);
        let content = self.render_with(name, &context)?;
        self.render_layout(std::mem::take(context.data_mut()), content)
    }

    /// The page template alone, without the layout.
    pub fn render_content(&self, name: &str, data: Value) -> AppResult<String> {
        self.render_with(name, &Context::from(data))
    }

    /// The layout around already rendered page content; `data` holds the base values.
    pub fn render_layout(&self, mut data: Value, page_html: String) -> AppResult<String> {
        if let Value::Object(m) = &mut data {
            m.insert("page_html".into(), Value::String(page_html));
        }
        self.render_with("layouts/base", &Context::from(data))
    }

    fn render_with(&self, name: &str, context: &Context) -> AppResult<String> {
        self.pages
            .render_with_context(name, context)
            .map_err(|e| AppError::Internal(format!("rendering {name}: {e}")))
    }

    /// Renders the plain-text mail template `name` (`emails/...`) without HTML escaping.
    pub fn render_mail(&self, name: &str, data: &Value) -> AppResult<String> {
        self.mails
            .render(name, data)
            .map_err(|e| AppError::Internal(format!("rendering {name}: {e}")))
    }

    /// The names of all page templates (for the test that renders every one).
    pub fn page_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .pages
            .get_templates()
            .keys()
            .filter(|k| k.starts_with("pages/"))
            .cloned()
            .collect();
        v.sort();
        v
    }
}

fn register_helpers(reg: &mut Handlebars<'static>) {
    reg.register_helper("t", Box::new(Translate));
    reg.register_helper("eq", Box::new(Equals(true)));
    reg.register_helper("ne", Box::new(Equals(false)));
    reg.register_helper("datetime", Box::new(DateTime));
    reg.register_helper("csrf_field", Box::new(CsrfField));
}

fn root_lang(ctx: &Context) -> Lang {
    ctx.data()
        .get("lang")
        .and_then(Value::as_str)
        .and_then(Lang::parse)
        .unwrap_or_default()
}

/// A template value as message text: strings as they are, null as nothing.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `{{t "message-id" arg=value}}`: the message in the page's language.
struct Translate;

impl HelperDef for Translate {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        // Positional parameters are joined: `{{t "kind-" org.kind}}` looks up `kind-agency`.
        if h.params().is_empty() {
            return Err(RenderErrorReason::ParamNotFoundForIndex("t", 0).into());
        }
        let id: String = h.params().iter().map(|p| as_text(p.value())).collect();
        let id = id.as_str();
        let lang = root_lang(ctx);
        let text = if h.hash().is_empty() {
            i18n::text(lang, id)
        } else {
            let args: Vec<(&str, String)> = h
                .hash()
                .iter()
                .map(|(k, v)| (*k, as_text(v.value())))
                .collect();
            i18n::text_with(lang, id, &args)
        };
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

struct Equals(bool);

impl HelperDef for Equals {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let a = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
        let b = h.param(1).map(|p| p.value().clone()).unwrap_or(Value::Null);
        Ok(ScopedJson::Derived(Value::Bool((a == b) == self.0)))
    }
}

/// `{{datetime value}}`: a UTC timestamp shown in Europe/Berlin, in the page's language.
struct DateTime;

impl HelperDef for DateTime {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let raw = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
        Ok(ScopedJson::Derived(Value::String(format_datetime(
            raw,
            root_lang(ctx),
        ))))
    }
}

/// Formats a serialised UTC time (either spelling of `time::parse_serialised`) for people
/// in Germany.
pub fn format_datetime(raw: &str, lang: Lang) -> String {
    let Some(utc) = crate::domain::time::parse_serialised(raw) else {
        return raw.to_string();
    };
    let local = utc.and_utc().with_timezone(&Berlin);
    match lang {
        Lang::De => local.format("%d.%m.%Y, %H:%M Uhr").to_string(),
        Lang::En => local.format("%-d %b %Y, %H:%M").to_string(),
    }
}

/// `{{csrf_field}}`: the hidden CSRF input with the page's token. A helper rather than a
/// partial, because a partial would copy the page's whole context for one attribute.
struct CsrfField;

impl HelperDef for CsrfField {
    fn call<'reg: 'rc, 'rc>(
        &self,
        _: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let token = ctx.data().get("csrf_token").and_then(Value::as_str).ok_or(
            RenderErrorReason::MissingVariable(Some("csrf_token".into())),
        )?;
        out.write(r#"<input type="hidden" name="csrf_token" value=""#)?;
        out.write(&html_escape(token))?;
        out.write(r#"">"#)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_and_development_templates_are_the_same_set() {
        // Unit tests run in the crate root, where development mode finds `templates/`.
        let embedded = Templates::load(false).unwrap();
        let dev = Templates::load(true).unwrap();
        assert_eq!(embedded.page_names(), dev.page_names());
        assert!(embedded.page_names().contains(&"pages/home".to_string()));
        let mail = dev
            .render_mail("emails/verify", &serde_json::json!({ "lang": "en", "name": "A & B", "link": "https://x.example/?a=1&b=2", "hours": 48 }))
            .unwrap();
        assert!(
            mail.contains("A & B") && mail.contains("a=1&b=2"),
            "mails are not HTML-escaped: {mail}"
        );
    }

    #[test]
    fn times_are_shown_in_berlin() {
        assert_eq!(
            format_datetime("2026-07-01T10:00:00", Lang::De),
            "01.07.2026, 12:00 Uhr"
        );
        assert_eq!(
            format_datetime("2026-12-01T10:00:00.5", Lang::En),
            "1 Dec 2026, 11:00"
        );
        assert_eq!(format_datetime("garbage", Lang::De), "garbage");
    }
}
