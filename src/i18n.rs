//! Translations: German first, English second.
//!
//! Every visible string lives in `templates/locales/{de,en}/*.ftl` (Fluent), compiled into
//! the binary. [`Lang`] is the closed set of languages the platform speaks; [`negotiate`]
//! picks one from an `Accept-Language` header.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

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

/// A language the platform speaks; German is the default and the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// German.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// Every language, German first.
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    /// The other language (the one the language switch offers).
    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }

    /// The two-letter code, `de` or `en`, as stored and sent (cookie, templates, columns).
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// The language a tag starts with, ignoring case and region (`en-GB` is English);
    /// `None` for any other language.
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
    let formatted = &FORMATTED[lang as usize];
    if let Some(text) = formatted
        .read()
        .ok()
        .and_then(|known| known.get(id).cloned())
    {
        return text;
    }
    let Some(text) = LOCALES.try_lookup(&lang.identifier(), id) else {
        return id.to_string();
    };
    // Only ids of existing messages are kept, so the map stays as small as the catalogue.
    if let Ok(mut known) = formatted.write() {
        known.insert(id.to_string(), text.clone());
    }
    text
}

/// Messages without arguments as formatted once, by language (`Lang as usize`). A page
/// looks up the same labels over and over (a list page about 150 times); formatting them
/// through Fluent each time took about 4% of the list's CPU time in a profile.
static FORMATTED: LazyLock<[RwLock<HashMap<String, String>>; 2]> =
    LazyLock::new(|| [RwLock::default(), RwLock::default()]);

/// Like [`text`], with named arguments. Arguments that read as numbers are passed as
/// numbers, so plural rules (`[one]`, `*[other]`) apply to them.
pub fn text_with(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| {
            let value = match v.parse::<f64>() {
                Ok(n)
                    if v.chars()
                        .all(|c| c.is_ascii_digit() || c == '-' || c == '.') =>
                {
                    FluentValue::from(n)
                }
                _ => FluentValue::from(v.clone()),
            };
            (Cow::Owned(k.to_string()), value)
        })
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
    fn formatted_messages_are_kept_per_language_and_unknown_ids_are_not() {
        let de = text(Lang::De, "form-filter");
        let en = text(Lang::En, "form-filter");
        assert_ne!(de, en, "each language keeps its own text");
        assert_eq!(text(Lang::De, "form-filter"), de);
        assert_eq!(text(Lang::En, "form-filter"), en);
        assert!(FORMATTED[Lang::En as usize]
            .read()
            .unwrap()
            .contains_key("form-filter"));
        assert_eq!(text(Lang::De, "no-such-message-7"), "no-such-message-7");
        assert!(!FORMATTED[Lang::De as usize]
            .read()
            .unwrap()
            .contains_key("no-such-message-7"));
    }

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(negotiate("en-US,en;q=0.9,de;q=0.8"), Some(Lang::En));
        assert_eq!(negotiate("fr, de;q=0.5, en;q=0.3"), Some(Lang::De));
        assert_eq!(negotiate("fr, it"), None);
        assert_eq!(negotiate(""), None);
    }

    #[test]
    fn numbers_select_plural_forms() {
        assert_eq!(
            text_with(Lang::De, "organisations-count", &[("count", "1".into())]),
            "Eine Organisation"
        );
        assert_eq!(
            text_with(Lang::En, "organisations-count", &[("count", "3".into())]),
            "3 organisations"
        );
    }

    #[test]
    fn translations_exist_in_both_languages() {
        assert_eq!(text(Lang::De, "nav-home"), "Startseite");
        assert_eq!(text(Lang::En, "nav-home"), "Home");
    }

    /// The message ids a locale's `.ftl` files define.
    fn defined_ids(lang: &str) -> std::collections::BTreeSet<String> {
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
    }

    #[test]
    fn every_german_id_has_an_english_twin_and_back() {
        let (de, en) = (defined_ids("de"), defined_ids("en"));
        let only_de: Vec<_> = de.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&de).collect();
        assert!(only_de.is_empty(), "missing in English: {only_de:?}");
        assert!(only_en.is_empty(), "missing in German: {only_en:?}");
    }

    /// Every message id the templates and the code name exists in both languages.
    #[test]
    fn every_id_used_is_translated() {
        fn files(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    files(&p, ext, out);
                } else if p.extension().is_some_and(|x| x == ext) {
                    out.push(p);
                }
            }
        }
        // The quoted words after each marker, e.g. `{{t "nav-home"` or `"flash-saved"`.
        fn quoted_after(text: &str, marker: &str) -> Vec<String> {
            text.match_indices(marker)
                .filter_map(|(i, _)| {
                    let rest = &text[i + marker.len()..];
                    let end = rest.find('"')?;
                    let id = &rest[..end];
                    let is_id = !id.is_empty()
                        && id.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        });
                    // A trailing dash marks a prefix completed at run time ("kind-" + kind).
                    (is_id && !id.ends_with('-')).then(|| id.to_string())
                })
                .collect()
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = Vec::new();
        let mut hbs = Vec::new();
        files(&root.join("templates"), "hbs", &mut hbs);
        for f in hbs {
            let text = std::fs::read_to_string(&f).unwrap();
            for marker in ["{{t \"", "(t \"", "label=\"", "hint=\""] {
                used.extend(quoted_after(&text, marker));
            }
        }
        let mut rs = Vec::new();
        files(&root.join("src"), "rs", &mut rs);
        for f in rs {
            let text = std::fs::read_to_string(&f).unwrap();
            for marker in [
                ", \"field-",
                ", \"flash-",
                "message_id: \"",
                "\"error-",
                "\"mail-",
                "-title\"",
            ] {
                for id in quoted_after(&text, marker) {
                    let full = match marker {
                        ", \"field-" => format!("field-{id}"),
                        ", \"flash-" => format!("flash-{id}"),
                        "\"error-" => format!("error-{id}"),
                        "\"mail-" => format!("mail-{id}"),
                        _ => id,
                    };
                    used.push(full);
                }
            }
            // Field errors: the second argument of `add(field, "id")` and `single(field, "id")`.
            for marker in ["add(", "single("] {
                for (i, _) in text.match_indices(marker) {
                    let call = &text[i..text.len().min(i + 120)];
                    if let Some(second) = call.split(", \"").nth(1) {
                        if let Some(id) = second.split('"').next() {
                            if id.contains('-') && !id.contains(' ') {
                                used.push(id.to_string());
                            }
                        }
                    }
                }
            }
        }
        used.sort();
        used.dedup();
        assert!(used.len() > 100, "the scan found only {} ids", used.len());
        let (de, en) = (defined_ids("de"), defined_ids("en"));
        let missing: Vec<_> = used
            .iter()
            .filter(|id| !(de.contains(*id) && en.contains(*id)))
            .collect();
        assert!(
            missing.is_empty(),
            "message ids without a translation: {missing:?}"
        );
    }
}
