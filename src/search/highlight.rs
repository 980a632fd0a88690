//! Snippets: the passage of a result's text with the most matches, escaped, with the
//! matched words in `<mark>`.
//!
//! Tantivy's own snippet generator only knows exact query terms; here a word counts as a
//! match in every way the query can match it (stem in either language, part of a
//! compound, a typo away), so the reader sees why the result came up.

use std::collections::HashSet;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::analysis::{fold_word_into, Analyzers, MIN_PART};
use crate::text::escape_html;

/// Characters of text in a snippet.
const SNIPPET_CHARS: usize = 220;
/// How much of a stem a word must start with to be looked at closely (stemmers change
/// endings, such as English "study" to "studi", never the first letters).
const PREFIX_CHARS: usize = 4;
/// Characters shown before the first match of the chosen passage.
const LEAD_CHARS: usize = 40;

/// What counts as a match, derived from the query's words.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    /// The query's terms as the German analyzer makes them.
    pub de: HashSet<String>,
    /// The query's terms as the English analyzer makes them.
    pub en: HashSet<String>,
    /// German stems long enough to be looked for inside compounds.
    pub parts: Vec<String>,
    /// German stems and folded words with the number of typos they tolerate.
    pub fuzzy: Vec<(String, usize)>,
    /// The first letters of every stem (see [`Matcher::ready`]).
    heads: Vec<String>,
}

impl Matcher {
    /// Whether there are no terms, so nothing would be marked.
    pub fn is_empty(&self) -> bool {
        self.de.is_empty() && self.en.is_empty()
    }

    /// Completes the matcher once its terms are in.
    pub fn ready(mut self) -> Matcher {
        self.heads = self
            .de
            .iter()
            .chain(&self.en)
            .map(|stem| stem.chars().take(PREFIX_CHARS).collect())
            .collect();
        self.heads.sort();
        self.heads.dedup();
        self
    }

    /// A quick first look at a folded word: stems are (nearly) prefixes of the words
    /// they come from, so a word that starts unlike every stem cannot match.
    fn may_match(&self, folded: &str) -> bool {
        self.fuzzy
            .iter()
            .any(|(q, d)| near_some_start(q, folded, *d))
            || self.heads.iter().any(|h| folded.starts_with(h.as_str()))
            || self.parts.iter().any(|p| folded.contains(p.as_str()))
    }

    fn matches_de(&self, stem: &str, folded: &str) -> bool {
        if self.de.contains(stem) {
            return true;
        }
        self.parts
            .iter()
            .any(|p| p.len() >= MIN_PART && folded.contains(p.as_str()))
            || self
                .fuzzy
                .iter()
                .any(|(q, d)| within_distance(q, stem, *d) || within_distance(q, folded, *d))
    }
}

/// The snippet of `text` for `matcher`, as safe HTML. Without a match it is the start of
/// the text.
pub fn snippet(analyzers: &Analyzers, matcher: &Matcher, text: &str) -> String {
    let spans = spans_for(analyzers, matcher, text);
    let (start, end) = window(text, &spans);
    render(text, &spans, start, end)
}

/// All of `text` (a title) as safe HTML with the matches marked.
pub fn marked(analyzers: &Analyzers, matcher: &Matcher, text: &str) -> String {
    let spans = spans_for(analyzers, matcher, text);
    render(text, &spans, 0, text.len())
}

fn spans_for(analyzers: &Analyzers, matcher: &Matcher, text: &str) -> Vec<(usize, usize)> {
    if matcher.is_empty() {
        Vec::new()
    } else {
        match_spans(analyzers, matcher, text)
    }
}

/// `text[start..end]` escaped, the spans inside it marked, an ellipsis where cut.
fn render(text: &str, spans: &[(usize, usize)], start: usize, end: usize) -> String {
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    let mut at = start;
    for &(from, to) in spans.iter().filter(|(f, t)| *f >= start && *t <= end) {
        push_text(&text[at..from], &mut html);
        html.push_str("<mark>");
        push_text(&text[from..to], &mut html);
        html.push_str("</mark>");
        at = to;
    }
    push_text(&text[at..end], &mut html);
    if end < text.len() {
        html.push('…');
    }
    html
}

/// Escaped, with line breaks as spaces (a snippet is one paragraph).
fn push_text(text: &str, out: &mut String) {
    for (i, line) in text.split(['\n', '\r', '\t']).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        escape_html(line, out);
    }
}

/// The byte ranges of the words of `text`: runs of letters and digits, as the analyzers'
/// tokenizer splits them (without copying each word, as it does).
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        let (start, _) = chars.find(|(_, c)| c.is_alphanumeric())?;
        let end = chars
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(text.len(), |(i, _)| i);
        Some((start, end))
    })
}

/// Byte ranges of the matching words, in order, without overlaps. Words are split and
/// folded cheaply; only those that could match (they start like a query stem, contain a
/// compound part, or typos are tolerated) go through the stemmers.
fn match_spans(analyzers: &Analyzers, matcher: &Matcher, text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut de = analyzers.de.clone();
    let mut en = analyzers.en.clone();
    let mut folded = String::new();
    for (from, to) in words(text) {
        let word = &text[from..to];
        fold_word_into(word, true, &mut folded);
        if !matcher.may_match(&folded) {
            continue;
        }
        let de_hit = first_term(&mut de, word).is_some_and(|t| matcher.matches_de(&t, &folded));
        let en_hit = !de_hit && first_term(&mut en, word).is_some_and(|t| matcher.en.contains(&t));
        if de_hit || en_hit {
            spans.push((from, to));
        }
    }
    spans
}

/// The term a single word becomes under `analyzer` (none for a stop word).
fn first_term(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(word);
    stream.advance().then(|| stream.token().text.clone())
}

/// The passage to show: starting a little before the run of matches that fits the most
/// into [`SNIPPET_CHARS`], on word boundaries.
fn window(text: &str, spans: &[(usize, usize)]) -> (usize, usize) {
    let budget = byte_len_of_chars(text, 0, SNIPPET_CHARS);
    let best_first = (0..spans.len())
        .max_by_key(|&i| {
            let limit = spans[i].0 + budget;
            // Earlier runs win ties: max_by_key keeps the last maximum, so count down.
            (
                spans[i..].iter().take_while(|s| s.1 <= limit).count(),
                usize::MAX - i,
            )
        })
        .map(|i| spans[i].0);
    let mut start = match best_first {
        Some(first) if first > 0 => {
            let lead_start = back_chars(text, first, LEAD_CHARS);
            if lead_start == 0 {
                0
            } else {
                // Begin at the next word.
                text[lead_start..first]
                    .find(char::is_whitespace)
                    .map_or(first, |i| lead_start + i + 1)
            }
        }
        _ => 0,
    };
    start = start.min(text.len());
    let mut end = start + byte_len_of_chars(text, start, SNIPPET_CHARS);
    if end < text.len() {
        if let Some(i) = text[start..end].rfind(char::is_whitespace) {
            if i > 0 {
                end = start + i;
            }
        }
    }
    (start, end)
}

/// Bytes taken by up to `chars` characters of `text` from byte `from`.
fn byte_len_of_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len() - from, |(i, _)| i)
}

/// The byte position `chars` characters before `at`.
fn back_chars(text: &str, at: usize, chars: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Whether `a` and `b` are at most `max` edits apart (insert, delete, substitute, swap
/// two neighbours), the tolerance the fuzzy query uses.
pub fn within_distance(a: &str, b: &str, max: usize) -> bool {
    let mut chars = ['\0'; 2 * MAX_CHARS];
    let (Some(a), Some(b)) = split_chars(&mut chars, a, b, usize::MAX) else {
        return false;
    };
    a.len().abs_diff(b.len()) <= max && alignment(a, b, max, false)
}

/// Whether some start of `b` is at most `max` edits from `a`. Stems are starts of their
/// words, so a word fails this only if its stem cannot be near `a` either: the cheap test
/// before the stemmer runs.
fn near_some_start(a: &str, b: &str, max: usize) -> bool {
    let mut chars = ['\0'; 2 * MAX_CHARS];
    let (Some(a), Some(b)) = split_chars(&mut chars, a, b, a.chars().count() + max) else {
        return false;
    };
    b.len() + max >= a.len() && alignment(a, b, max, true)
}

/// Longer words are never indexed (see `analysis::MAX_WORD`), so never matched.
const MAX_CHARS: usize = 63;

/// The characters of `a` and the first `take_b` of `b`, in `buffer` (on the caller's
/// stack: this runs for every word of a snippet); `None` for words too long.
fn split_chars<'a>(
    buffer: &'a mut [char; 2 * MAX_CHARS],
    a: &str,
    b: &str,
    take_b: usize,
) -> (Option<&'a [char]>, Option<&'a [char]>) {
    let (first, second) = buffer.split_at_mut(MAX_CHARS);
    let fill = |slot: &'a mut [char], s: &str, take: usize| -> Option<&'a [char]> {
        let mut len = 0;
        for c in s.chars().take(take) {
            *slot.get_mut(len)? = c;
            len += 1;
        }
        Some(&slot[..len])
    };
    (fill(first, a, usize::MAX), fill(second, b, take_b))
}

/// Optimal string alignment of `a` against `b`: whether all of `a` is at most `max`
/// edits from all of `b`, or with `any_start` from some start of `b`.
fn alignment(a: &[char], b: &[char], max: usize, any_start: bool) -> bool {
    // The row before the previous, the previous and the current, taking turns; each
    // entry is the distance of `a[..i]` to `b[..j]` (at most 2 * MAX_CHARS).
    let mut rows = [[0u8; MAX_CHARS + 1]; 3];
    for (j, d) in rows[1].iter_mut().enumerate().take(b.len() + 1) {
        *d = j as u8;
    }
    let max = max.min(usize::from(u8::MAX) - 1) as u8;
    let (mut before, mut prev, mut cur) = (0, 1, 2);
    for i in 1..=a.len() {
        rows[cur][0] = i as u8;
        let mut row_min = i as u8;
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[before][j - 2] + 1);
            }
            rows[cur][j] = d;
            row_min = row_min.min(d);
        }
        // Rows never get smaller: once all of one is too far, so is the rest.
        if row_min > max {
            return false;
        }
        (before, prev, cur) = (prev, cur, before);
    }
    let last = &rows[prev][..=b.len()];
    if any_start {
        last.iter().any(|&d| d <= max)
    } else {
        last[b.len()] <= max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher_for(word: &str) -> (Analyzers, Matcher) {
        let analyzers = Analyzers::new();
        let mut de = analyzers.de.clone();
        let mut en = analyzers.en.clone();
        let stem = Analyzers::terms(&mut de, word).remove(0).1;
        let m = Matcher {
            de: [stem.clone()].into(),
            en: Analyzers::terms(&mut en, word)
                .into_iter()
                .map(|t| t.1)
                .collect(),
            parts: vec![stem.clone()],
            fuzzy: vec![(stem, 1)],
            ..Matcher::default()
        }
        .ready();
        (analyzers, m)
    }

    #[test]
    fn matches_are_marked_and_everything_is_escaped() {
        let (a, m) = matcher_for("Hundesteuer");
        let html = snippet(
            &a,
            &m,
            "Die <b>Online</b>-Hundesteueranmeldung & die Hundesteuer zahlen",
        );
        assert_eq!(
            html,
            "Die &lt;b&gt;Online&lt;/b&gt;-<mark>Hundesteueranmeldung</mark> &amp; die \
             <mark>Hundesteuer</mark> zahlen"
        );
    }

    #[test]
    fn the_passage_with_the_matches_is_chosen() {
        let (a, m) = matcher_for("Termin");
        let filler = "Wort ".repeat(100);
        let text = format!("{filler}Ein Termin bei der Behörde. {filler}");
        let html = snippet(&a, &m, &text);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>Termin</mark>"), "{html}");
        assert!(html.chars().count() < SNIPPET_CHARS + 40, "{html}");
    }

    #[test]
    fn without_a_match_the_text_starts() {
        let (a, m) = matcher_for("Zebra");
        assert_eq!(snippet(&a, &m, "Kurzer Text."), "Kurzer Text.");
        assert_eq!(
            marked(&a, &m, "Zebras & <Streifen>"),
            "<mark>Zebras</mark> &amp; &lt;Streifen&gt;"
        );
        assert_eq!(snippet(&a, &Matcher::default(), "ä ö ü"), "ä ö ü");
    }

    #[test]
    fn words_are_split_as_the_analyzers_split_them() {
        use tantivy::tokenizer::{SimpleTokenizer, Tokenizer};
        for text in [
            "",
            "  Hundesteuer-Anmeldung, bitte! ",
            "Straße_Nr.12 in Köln/Düsseldorf…ÄÖÜ ß 3½ 東京 x",
            "\n\tEnde",
        ] {
            let mut simple = SimpleTokenizer::default();
            let mut stream = simple.token_stream(text);
            let mut expected = Vec::new();
            while stream.advance() {
                expected.push((stream.token().offset_from, stream.token().offset_to));
            }
            assert_eq!(words(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    #[test]
    fn line_breaks_become_spaces() {
        let mut html = String::new();
        push_text("a\n<b>\r\nc\t", &mut html);
        assert_eq!(html, "a &lt;b&gt;  c ");
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert!(within_distance("behorde", "behrode", 1));
        assert!(within_distance("termin", "termn", 1));
        assert!(!within_distance("termin", "tremni", 1));
        assert!(within_distance("anmeldung", "anmedlung", 1));
        assert!(!within_distance("kurz", "lang", 2));
    }

    #[test]
    fn the_quick_test_keeps_every_word_whose_start_is_near() {
        // Stems are starts of their words: a typo'd stem is near a start of the word.
        assert!(near_some_start("bauantrg", "bauantrages", 1));
        assert!(near_some_start("anmedlung", "anmeldungen", 1));
        assert!(near_some_start("termn", "termin", 1));
        assert!(!near_some_start("termin", "vertrag", 1));
        assert!(!near_some_start("bauantrag", "bau", 2));
    }
}
