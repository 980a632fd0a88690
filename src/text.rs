//! Text rules shared by the aggregates: email addresses, slugs, lengths and user markdown.

use crate::error::FieldErrors;

diesel::define_sql_function! {
    /// SQL `lower()`, so that searches ignore case on both backends alike.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Removes control characters except line breaks and tabs. PostgreSQL refuses NUL in
/// text, and none of them belong in what people type.
pub fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Whether `typed` (already cleaned and trimmed, as every input is) says what `stored`
/// says: stored text may carry whitespace a form cannot show (a trailing line break from
/// an import), and sending it back unchanged must not count as a change.
pub fn same_text(stored: &str, typed: &str) -> bool {
    clean(stored).trim() == typed
}

/// The address trimmed and lower-cased; `None` when it is not plausibly an email address.
pub fn normalise_email(raw: &str) -> Option<String> {
    if raw.chars().any(char::is_control) {
        return None;
    }
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        // Reserved, never delivered: erased accounts carry such addresses, and nobody
        // may register one of them first.
        && !domain.ends_with(".invalid")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    plausible.then_some(email)
}

/// Whether `s` could be a slug this platform made (checked before any lookup).
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Slugs that are routes of their own (`/challenges/new`, `/organisations/new`).
const RESERVED_SLUGS: [&str; 2] = ["new", "edit"];

/// The first of `base`, `base-2`, `base-3`, … that is neither taken nor a route.
pub fn free_slug(base: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|s| !taken.contains(s) && !RESERVED_SLUGS.contains(&s.as_str()))
        .unwrap_or_else(|| base.to_string())
}

/// A URL path segment from a name: lower case ASCII, umlauts spelled out, dashes between words.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'é' | 'è' | 'ê' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-')
                }
            }
        }
    }
    let slug: String = out.trim_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "org".to_string()
    } else {
        slug
    }
}

/// Trims `value` and records a problem when it is empty (if required) or too long.
pub fn required_text(
    value: &str,
    field: &str,
    max_chars: usize,
    errors: &mut FieldErrors,
) -> String {
    let v = clean(value).trim().to_string();
    if v.is_empty() {
        errors.add(field, "field-required");
    } else if v.chars().count() > max_chars {
        errors.add(field, "field-too-long");
    }
    v
}

/// Like [`required_text`] for optional fields: empty becomes `None`.
pub fn optional_text(
    value: Option<&str>,
    field: &str,
    max_chars: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let v = clean(value?).trim().to_string();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max_chars {
        errors.add(field, "field-too-long");
    }
    Some(v)
}

/// Accepts only http(s) URLs, so a profile link can never be `javascript:`.
pub fn optional_url(value: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let v = optional_text(value, field, 300, errors)?;
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() > "https://".len()
        && !v.contains(char::is_whitespace);
    if !ok {
        errors.add(field, "url-invalid");
    }
    Some(v)
}

/// Renders user markdown to HTML and strips everything not on ammonia's safe list;
/// links get `rel="noopener noreferrer nofollow"`.
pub fn render_markdown(source: &str) -> String {
    use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    fn deeper(level: HeadingLevel) -> HeadingLevel {
        match level {
            HeadingLevel::H1 => HeadingLevel::H2,
            HeadingLevel::H2 => HeadingLevel::H3,
            HeadingLevel::H3 => HeadingLevel::H4,
            HeadingLevel::H4 => HeadingLevel::H5,
            _ => HeadingLevel::H6,
        }
    }
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // User headings start at h2: the page's own title is the only h1.
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: deeper(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(deeper(level))),
        other => other,
    });
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// The words of a markdown text without its markup (for the search index and snippets):
/// blocks end in a line break, links keep their text and drop their address.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// At most `max` characters of `text`, cut after a whole word with an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

/// `text` safe inside HTML text and attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    // Copies the runs between special characters whole: snippets escape a lot of text.
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#x27;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normalise_email("  Erika@Example.ORG "),
            Some("erika@example.org".into())
        );
        for bad in [
            "",
            "erika",
            "@example.org",
            "erika@",
            "erika@org",
            "a b@example.org",
            "a@b@c.de",
            "x@.de",
            "erased-5@erased.invalid",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean("a\0b\u{7}c\nd\te"), "abc\nd\te");
        assert_eq!(normalise_email("a\0@example.org"), None);
        let mut e = FieldErrors::new();
        assert_eq!(required_text("\0\0", "f", 10, &mut e), "");
        assert_eq!(e.get("f"), Some("field-required"));
    }

    #[test]
    fn slugs_spell_out_umlauts() {
        assert_eq!(
            slugify("Stadt Münster – Bürgerservice"),
            "stadt-muenster-buergerservice"
        );
        assert_eq!(slugify("Straße & Co. KG"), "strasse-co-kg");
        assert_eq!(slugify("!!!"), "org");
        let taken = vec!["hundesteuer".to_string(), "hundesteuer-2".to_string()];
        assert_eq!(free_slug("hundesteuer", &taken), "hundesteuer-3");
        assert_eq!(free_slug("wohngeld", &taken), "wohngeld");
        assert_eq!(free_slug("new", &[]), "new-2", "a route is never a slug");
    }

    #[test]
    fn markdown_is_sanitised() {
        let html = render_markdown("**fett** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(html.contains("<strong>fett</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
        let headings = render_markdown("# Eins\n\n## Zwei");
        assert!(
            headings.contains("<h2>Eins</h2>") && headings.contains("<h3>Zwei</h3>"),
            "{headings}"
        );
        let link = render_markdown("[Seite](https://example.org)");
        assert!(link.contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn only_http_urls() {
        let mut e = FieldErrors::new();
        optional_url(Some("javascript:alert(1)"), "website", &mut e);
        assert_eq!(e.get("website"), Some("url-invalid"));
        let mut e = FieldErrors::new();
        assert_eq!(
            optional_url(Some(" https://bund.de "), "website", &mut e).as_deref(),
            Some("https://bund.de")
        );
        assert!(e.is_empty());
    }

    #[test]
    fn plain_text_drops_markup_and_excerpts_cut_at_words() {
        assert_eq!(
            plain_text("# Titel\n\nSiehe [die Seite](https://example.org) *jetzt*."),
            "Titel\nSiehe die Seite jetzt."
        );
        assert_eq!(excerpt("kurz", 10), "kurz");
        assert_eq!(excerpt("ein langer Satz mit Worten", 14), "ein langer…");
        let mut html = String::new();
        escape_html("<b a=\"x\">&'", &mut html);
        assert_eq!(html, "&lt;b a=&quot;x&quot;&gt;&amp;&#x27;");
    }
}
