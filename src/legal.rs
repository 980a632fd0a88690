//! The operator's legal texts: the Impressum (§ 5 DDG) and the privacy notice (Art. 13
//! DSGVO), markdown files named in the configuration, read once at start-up and rendered
//! sanitised. Unset texts show a placeholder that says what is missing.

use std::path::Path;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// Which legal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalPage {
    /// `/impressum`: who runs the site.
    Impressum,
    /// `/datenschutz`: what the site stores and why.
    Privacy,
}

/// One text in both languages, as sanitised HTML; `None` where the operator gave none.
#[derive(Debug, Clone, Default)]
pub struct LegalText {
    /// The German text.
    pub de: Option<String>,
    /// The English text; the German one stands in while it is unset.
    pub en: Option<String>,
}

impl LegalText {
    /// The text for `lang` and whether it is in another language than asked for.
    pub fn for_lang(&self, lang: Lang) -> Option<(&str, bool)> {
        let (own, other) = match lang {
            Lang::De => (&self.de, &self.en),
            Lang::En => (&self.en, &self.de),
        };
        own.as_deref()
            .map(|t| (t, false))
            .or_else(|| other.as_deref().map(|t| (t, true)))
    }
}

/// Both legal texts of this installation.
#[derive(Debug, Clone, Default)]
pub struct LegalTexts {
    /// The Impressum.
    pub impressum: LegalText,
    /// The privacy notice.
    pub privacy: LegalText,
}

impl LegalTexts {
    /// Reads the files the configuration names; a named file that cannot be read stops the
    /// start (a site must not run with a legal page silently missing).
    pub fn load(config: &Config) -> AppResult<LegalTexts> {
        let read = |path: &Option<std::path::PathBuf>| -> AppResult<Option<String>> {
            path.as_deref().map(read_markdown).transpose()
        };
        Ok(LegalTexts {
            impressum: LegalText {
                de: read(&config.legal.impressum_de)?,
                en: read(&config.legal.impressum_en)?,
            },
            privacy: LegalText {
                de: read(&config.legal.privacy_de)?,
                en: read(&config.legal.privacy_en)?,
            },
        })
    }

    /// The text of `page`.
    pub fn get(&self, page: LegalPage) -> &LegalText {
        match page {
            LegalPage::Impressum => &self.impressum,
            LegalPage::Privacy => &self.privacy,
        }
    }

    /// The configuration keys still unset, for the warning at start-up.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.impressum.de.is_none() && self.impressum.en.is_none() {
            out.push("impressum_file");
        }
        if self.privacy.de.is_none() && self.privacy.en.is_none() {
            out.push("privacy_file");
        }
        out
    }
}

/// The largest legal text read, in bytes: a page of law, not a book.
const MAX_BYTES: u64 = 512 * 1024;

fn read_markdown(path: &Path) -> AppResult<String> {
    let cannot = |e: String| AppError::Config(format!("legal text {}: {e}", path.display()));
    let size = std::fs::metadata(path)
        .map_err(|e| cannot(e.to_string()))?
        .len();
    if size > MAX_BYTES {
        return Err(cannot(format!("larger than {MAX_BYTES} bytes")));
    }
    let source = std::fs::read_to_string(path).map_err(|e| cannot(e.to_string()))?;
    Ok(crate::text::render_markdown(&source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_falls_back_to_the_other_and_says_so() {
        let t = LegalText {
            de: Some("<p>Amt</p>".into()),
            en: None,
        };
        assert_eq!(t.for_lang(Lang::De), Some(("<p>Amt</p>", false)));
        assert_eq!(t.for_lang(Lang::En), Some(("<p>Amt</p>", true)));
        assert_eq!(LegalText::default().for_lang(Lang::En), None);
    }

    #[test]
    fn files_are_read_as_sanitised_markdown_and_unreadable_ones_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("impressum.md");
        std::fs::write(
            &file,
            "# Stadt Musterhausen\n\n<script>x()</script>Bürgermeisterin",
        )
        .unwrap();
        let mut config = Config::for_data_dir(dir.path());
        config.legal.impressum_de = Some(file);
        let texts = LegalTexts::load(&config).unwrap();
        let html = texts.impressum.de.as_deref().unwrap();
        // Headings move one level down: the page has its own h1.
        assert!(html.contains("<h2>Stadt Musterhausen</h2>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert_eq!(texts.missing(), vec!["privacy_file"]);
        config.legal.privacy_en = Some(dir.path().join("fehlt.md"));
        assert!(matches!(
            LegalTexts::load(&config),
            Err(AppError::Config(_))
        ));
    }
}
