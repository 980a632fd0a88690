//! Translations: German first, English second.
//!
//! Every visible string lives in `templates/locales/{de,en}/*.ftl` (Fluent), compiled into
//! the binary. [`Lang`] is the closed set of languages the platform speaks; [`negotiate`]
//! picks one from an `Accept-Language` header.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
use serde::{Deserialize, Serialize};

static_loader! {
    static LOCALES = {
        locales: "./templates/locales",
        fallback_language: "de",
        // Isolation marks around arguments would show up inside HTML attributes and mails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().get(..2) {
            Some("de") => Some(Lang::De),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    fn identifier(self) -> LanguageIdentifier {
        match self {
            Lang::De => fluent_templates::langid!("de"),
            Lang::En => fluent_templates::langid!("en"),
        }
    }
}

/// The translated text of `id`; the id itself when it is missing (a test keeps that from
/// happening for every id the code uses).
pub fn text(lang: Lang, id: &str) -> String {
    LOCALES
        .try_lookup(&lang.identifier(), id)
        .unwrap_or_else(|| id.to_string())
}

/// Like [`text`], with named arguments.
pub fn text_with(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
        .collect();
    LOCALES
        .try_lookup_with_args(&lang.identifier(), id, &args)
        .unwrap_or_else(|| id.to_string())
}

/// Whether `id` exists in the given language (used by tests and by the flash messages,
/// which accept only known ids).
pub fn has(lang: Lang, id: &str) -> bool {
    LOCALES.try_lookup(&lang.identifier(), id).is_some()
}

/// Picks the preferred supported language of an `Accept-Language` header.
pub fn negotiate(accept_language: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in accept_language.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag) {
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(negotiate("en-US,en;q=0.9,de;q=0.8"), Some(Lang::En));
        assert_eq!(negotiate("fr, de;q=0.5, en;q=0.3"), Some(Lang::De));
        assert_eq!(negotiate("fr, it"), None);
        assert_eq!(negotiate(""), None);
    }

    #[test]
    fn translations_exist_in_both_languages() {
        assert_eq!(text(Lang::De, "nav-home"), "Startseite");
        assert_eq!(text(Lang::En, "nav-home"), "Home");
    }

    #[test]
    fn every_german_id_has_an_english_twin_and_back() {
        let ids = |lang: &str| -> std::collections::BTreeSet<String> {
            let dir = format!("{}/templates/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
            let mut ids = std::collections::BTreeSet::new();
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for line in text.lines() {
                    if let Some((id, _)) = line.split_once(" =") {
                        if !id.starts_with([' ', '#', '.', '-']) && !id.is_empty() {
                            ids.insert(id.trim().to_string());
                        }
                    }
                }
            }
            ids
        };
        let (de, en) = (ids("de"), ids("en"));
        let only_de: Vec<_> = de.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&de).collect();
        assert!(only_de.is_empty(), "missing in English: {only_de:?}");
        assert!(only_en.is_empty(), "missing in German: {only_en:?}");
    }
}
