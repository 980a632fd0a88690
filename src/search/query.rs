//! Reading what people type into the search box. Every input is a query: there is no
//! syntax error. Recognised:
//!
//! - words: each must match (if none matches all, results for any are offered);
//! - `"a phrase"`: the words in this order (an unclosed quote runs to the end);
//! - `-word`, `-"a phrase"`, `NOT word`: must not match;
//! - `topic:KI`, `status:open`, `agency:stadt-musterhausen`, `kind:proposal` (German
//!   names too: `thema:`, `behoerde:`, `art:`), values quoted when they have spaces;
//! - `AND`, `OR`, `&&`, `||` and a leading `+` are ignored.
//!
//! Control characters are dropped; input longer than [`MAX_CHARS`] is cut, and more than
//! [`MAX_GROUPS`] words or phrases are ignored, both with a notice.

use crate::text;

/// The most characters of input read; the rest is cut, with a notice.
pub const MAX_CHARS: usize = 200;
/// The most words and phrases used; later ones are ignored, with a notice.
pub const MAX_GROUPS: usize = 12;

/// A word or a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The word, or the words of the phrase, as typed.
    pub text: String,
    /// Whether it was quoted: its words must occur in this order.
    pub phrase: bool,
}

/// The query after reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// The words and phrases that must match, at most `MAX_GROUPS`.
    pub groups: Vec<Group>,
    /// The words and phrases that must not match (`-word`, `NOT word`).
    pub excluded: Vec<Group>,
    /// The value of a `kind:` (`art:`) filter, as typed.
    pub kind: Option<String>,
    /// The value of a `topic:` (`thema:`) filter, as typed.
    pub topic: Option<String>,
    /// The value of a `status:` filter, as typed.
    pub status: Option<String>,
    /// The value of an `agency:` (`behoerde:`) filter, as typed.
    pub agency: Option<String>,
    /// Some of the input was cut or ignored.
    pub truncated: bool,
}

#[derive(Clone, Copy)]
enum Filter {
    Kind,
    Topic,
    Status,
    Agency,
}

fn filter_named(name: &str) -> Option<Filter> {
    match text::slugify(name).as_str() {
        "kind" | "art" | "typ" | "type" => Some(Filter::Kind),
        "topic" | "thema" | "themen" | "topics" => Some(Filter::Topic),
        "status" | "stand" => Some(Filter::Status),
        "agency" | "behoerde" | "behorde" | "organisation" | "org" => Some(Filter::Agency),
        _ => None,
    }
}

/// Reads any input into a query; never fails (see the module's rules).
pub fn parse(input: &str) -> ParsedQuery {
    let cleaned = text::clean(input).replace(['\n', '\t'], " ");
    let mut q = ParsedQuery::default();
    let mut chars: Vec<char> = cleaned.chars().collect();
    if chars.len() > MAX_CHARS {
        chars.truncate(MAX_CHARS);
        q.truncated = true;
    }
    let mut i = 0;
    let mut negate_next = false;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negate = std::mem::take(&mut negate_next);
        if chars[i] == '-' || chars[i] == '+' {
            negate |= chars[i] == '-';
            i += 1;
            if i >= chars.len() || chars[i].is_whitespace() {
                continue;
            }
        }
        let group = if chars[i] == '"' {
            let (value, next) = quoted(&chars, i);
            i = next;
            Group {
                text: value,
                phrase: true,
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
                i += 1;
            }
            let token: String = chars[start..i].iter().collect();
            if let Some((name, rest)) = token.split_once(':') {
                if let Some(filter) = filter_named(name) {
                    let value = if rest.is_empty() && chars.get(i) == Some(&'"') {
                        let (value, next) = quoted(&chars, i);
                        i = next;
                        value
                    } else {
                        rest.to_string()
                    };
                    let value = value.trim().to_string();
                    if !value.is_empty() {
                        let slot = match filter {
                            Filter::Kind => &mut q.kind,
                            Filter::Topic => &mut q.topic,
                            Filter::Status => &mut q.status,
                            Filter::Agency => &mut q.agency,
                        };
                        *slot = Some(value);
                    }
                    continue;
                }
            }
            match token.as_str() {
                "AND" | "OR" | "&&" | "||" | "UND" | "ODER" => continue,
                "NOT" | "NICHT" => {
                    negate_next = true;
                    continue;
                }
                _ => Group {
                    text: token,
                    phrase: false,
                },
            }
        };
        // Something has to be left to search for once punctuation is gone.
        if !group.text.chars().any(char::is_alphanumeric) {
            continue;
        }
        let list = if negate {
            &mut q.excluded
        } else {
            &mut q.groups
        };
        if list.len() >= MAX_GROUPS {
            q.truncated = true;
        } else if !list.contains(&group) {
            list.push(group);
        }
    }
    q
}

/// The text of a quote starting at `open`, and where reading goes on.
fn quoted(chars: &[char], open: usize) -> (String, usize) {
    let start = open + 1;
    let end = chars[start..]
        .iter()
        .position(|&c| c == '"')
        .map_or(chars.len(), |p| start + p);
    let value: String = chars[start..end].iter().collect();
    (value.trim().to_string(), (end + 1).min(chars.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &ParsedQuery) -> Vec<(&str, bool)> {
        q.groups
            .iter()
            .map(|g| (g.text.as_str(), g.phrase))
            .collect()
    }

    #[test]
    fn words_phrases_filters_and_exclusions() {
        let q =
            parse(r#"Hundesteuer "online antrag" -Papier topic:KI status:"offen" kind:vorschlag"#);
        assert_eq!(words(&q), [("Hundesteuer", false), ("online antrag", true)]);
        assert_eq!(q.excluded[0].text, "Papier");
        assert_eq!(q.topic.as_deref(), Some("KI"));
        assert_eq!(q.status.as_deref(), Some("offen"));
        assert_eq!(q.kind.as_deref(), Some("vorschlag"));
        assert!(!q.truncated);
    }

    #[test]
    fn broken_input_is_read_leniently() {
        let q = parse(r#""unclosed phrase AND || -  + :: foo:bar x:"" NOT"#);
        assert_eq!(
            words(&q),
            [
                ("unclosed phrase AND || -  + :: foo:bar x:", true),
                ("NOT", true)
            ]
        );
        let q = parse("a:b -\"\" \"\" ((( ))) NOT Steuer");
        assert_eq!(words(&q), [("a:b", false)]);
        assert_eq!(q.excluded[0].text, "Steuer");
        let q = parse("topic: agency:\"Stadt Musterhausen\"");
        assert_eq!(q.topic, None);
        assert_eq!(q.agency.as_deref(), Some("Stadt Musterhausen"));
    }

    #[test]
    fn long_input_is_cut_with_a_notice() {
        let q = parse(&"wort ".repeat(100));
        assert!(q.truncated);
        assert_eq!(q.groups.len(), 1, "repeated words count once");
        let many: String = (0..30).map(|i| format!("w{i} ")).collect();
        let q = parse(&many);
        assert_eq!(q.groups.len(), MAX_GROUPS);
        assert!(q.truncated);
        let q = parse("a\u{0}b\u{7}c");
        assert_eq!(words(&q), [("abc", false)]);
    }
}
