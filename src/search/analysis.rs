//! How text becomes terms: one analyzer per language and one for the parts of compounds.
//!
//! - `de`: words, lower case, German stop words, folding (ä→a, ß→ss, and the typed-out
//!   spellings ae/oe/ue), German stemming. "Ausländerbehörde", "Auslaenderbehoerde" and
//!   "auslanderbehorde" end as the same term.
//! - `en`: words, lower case, English stop words, folding of accents, English stemming.
//! - `parts`: every long word once more, with each of its endings (at least
//!   [`MIN_PART`] letters long). A prefix query on this field finds a word inside a
//!   compound: "Anmeldung" in "Hundesteueranmeldung" (an ending) and "Hundesteuer" (the
//!   start of the whole word). No dictionary is needed, and ranking keeps it honest: part
//!   matches score far below whole words.
//!
//! - `pairs`: each two neighbouring `de` terms as one term (with the distance between
//!   them when a stop word stood there). A two-word phrase is then one term lookup
//!   instead of a comparison of positions in every document holding both words, and
//!   longer phrases check positions only where all their pairs occur.
//!
//! The same analyzers serve the query side ([`Analyzers::terms`]) and the highlighter, so
//! a word is always matched the way it was indexed.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// Words longer than this (in bytes) are noise such as base64 or hashes.
const MAX_WORD: usize = 48;
/// Only words at least this long are treated as possible compounds.
pub const MIN_COMPOUND: usize = 8;
/// The shortest indexed ending of a compound, and the shortest query stem looked up in it.
pub const MIN_PART: usize = 4;

/// The name the German analyzer is registered under.
pub const DE: &str = "de";
/// The name the English analyzer is registered under.
pub const EN: &str = "en";
/// The name the compound-parts analyzer is registered under.
pub const PARTS: &str = "parts";
/// The name the word-pairs analyzer is registered under.
pub const PAIRS: &str = "pairs";

/// The analyzers, built once and cloned where needed (a `TextAnalyzer` keeps buffers, so
/// each use takes its own clone).
#[derive(Clone)]
pub struct Analyzers {
    /// German: stop words, folding, German stemming.
    pub de: TextAnalyzer,
    /// English: stop words, folding of accents, English stemming.
    pub en: TextAnalyzer,
    /// Every long word with each of its endings, for finding words inside compounds.
    pub parts: TextAnalyzer,
    /// Each two neighbouring German terms as one term, for phrases.
    pub pairs: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        Analyzers::new()
    }
}

impl Analyzers {
    /// Builds the four analyzers.
    pub fn new() -> Self {
        let de = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_WORD))
            .filter(LowerCaser)
            .filter(StopWordFilter::new(Language::German).expect("German stop words"))
            .filter(Fold { german: true })
            .filter(Stemmer::new(Language::German))
            .build();
        Analyzers {
            pairs: TextAnalyzer::builder(PairsTokenizer {
                de: de.clone(),
                terms: Vec::new(),
                tokens: Vec::new(),
            })
            .build(),
            de,
            en: TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_WORD))
                .filter(LowerCaser)
                .filter(StopWordFilter::new(Language::English).expect("English stop words"))
                .filter(Fold { german: false })
                .filter(Stemmer::new(Language::English))
                .build(),
            parts: TextAnalyzer::builder(PartsTokenizer::default()).build(),
        }
    }

    /// Registers the analyzers under the names the schema uses.
    pub fn register(&self, index: &tantivy::Index) {
        let manager = index.tokenizers();
        manager.register(DE, self.de.clone());
        manager.register(EN, self.en.clone());
        manager.register(PARTS, self.parts.clone());
        manager.register(PAIRS, self.pairs.clone());
    }

    /// The terms `text` gives under `analyzer`, with their positions.
    pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t: &Token| out.push((t.position, t.text.clone())));
        out
    }
}

/// Lower-cases and folds one word the way the `de` analyzer does before stemming.
pub fn fold_word(word: &str, german: bool) -> String {
    let mut out = String::with_capacity(word.len());
    fold_word_into(word, german, &mut out);
    out
}

/// [`fold_word`] into a buffer the caller reuses (snippets fold every word of a text).
pub fn fold_word_into(word: &str, german: bool, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        // Most words; Unicode lower-casing is several times slower.
        fold_ascii(word.as_bytes(), german, out);
    } else {
        fold_chars(word.chars().flat_map(char::to_lowercase), german, out);
    }
}

/// Folds lower-case `text` into `out`: umlauts and ß to their base letters, accents
/// dropped, and (for German) ae/oe/ue as typed on keyboards without umlauts. The pair is
/// left alone after a vowel ("neue", "Steuer") and "ue" after q ("Quelle").
fn fold_into(text: &str, german: bool, out: &mut String) {
    if text.is_ascii() {
        fold_ascii(text.as_bytes(), german, out);
    } else {
        fold_chars(text.chars(), german, out);
    }
}

/// [`fold_chars`] of ASCII text, lower-cased on the way, a byte at a time: snippets fold
/// every word of every result, and most are plain ASCII.
fn fold_ascii(text: &[u8], german: bool, out: &mut String) {
    let mut before = 0u8;
    let mut i = 0;
    while i < text.len() {
        let c = text[i].to_ascii_lowercase();
        let pair = german
            && matches!(c, b'a' | b'o' | b'u')
            && text.get(i + 1).map(u8::to_ascii_lowercase) == Some(b'e')
            && !matches!(before, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
            && !(c == b'u' && before == b'q');
        out.push(char::from(c));
        (before, i) = if pair { (b'e', i + 2) } else { (c, i + 1) };
    }
}

fn fold_chars(chars: impl Iterator<Item = char>, german: bool, out: &mut String) {
    let mut chars = chars.peekable();
    let mut before: Option<char> = None;
    while let Some(c) = chars.next() {
        if german && matches!(c, 'a' | 'o' | 'u') && chars.peek() == Some(&'e') {
            let after_vowel = before.is_some_and(|b| "aeiouäöüy".contains(b));
            let after_q = c == 'u' && before == Some('q');
            if !after_vowel && !after_q {
                out.push(c);
                // The pair's "e" is what the next letter comes after.
                before = chars.next();
                continue;
            }
        }
        match c {
            'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' => out.push('a'),
            'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' => out.push('o'),
            'ü' | 'ù' | 'ú' | 'û' | 'ū' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' | 'ē' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ç' | 'č' | 'ć' => out.push('c'),
            'ñ' | 'ń' => out.push('n'),
            'š' | 'ś' => out.push('s'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'ł' => out.push('l'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            other => out.push(other),
        }
        before = Some(c);
    }
}

/// Token filter around [`fold_into`].
#[derive(Clone, Copy)]
struct Fold {
    german: bool,
}

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldTokenizer<T>;
    fn transform<T: Tokenizer>(self, inner: T) -> FoldTokenizer<T> {
        FoldTokenizer {
            inner,
            german: self.german,
            buffer: String::new(),
        }
    }
}

#[derive(Clone)]
struct FoldTokenizer<T> {
    inner: T,
    german: bool,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for FoldTokenizer<T> {
    type TokenStream<'a> = FoldStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream {
            tail: self.inner.token_stream(text),
            german: self.german,
            buffer: &mut self.buffer,
        }
    }
}

struct FoldStream<'a, T> {
    tail: T,
    german: bool,
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for FoldStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        // Plain ASCII needs nothing unless German spellings may be typed out.
        if !text.is_ascii() || (self.german && text.contains('e')) {
            self.buffer.clear();
            fold_into(text, self.german, self.buffer);
            std::mem::swap(text, self.buffer);
        }
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Emits, for every word of at least [`MIN_COMPOUND`] letters, the folded word and each
/// of its endings of at least [`MIN_PART`] letters, all at the word's position.
#[derive(Clone, Default)]
struct PartsTokenizer {
    words: SimpleTokenizer,
    tokens: Vec<Token>,
}

impl Tokenizer for PartsTokenizer {
    type TokenStream<'a> = VecStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream<'a> {
        self.tokens.clear();
        let mut words = self.words.token_stream(text);
        while words.advance() {
            let word = words.token();
            if word.text.len() > MAX_WORD || word.text.chars().count() < MIN_COMPOUND {
                continue;
            }
            let folded = fold_word(&word.text, true);
            let chars: Vec<(usize, char)> = folded.char_indices().collect();
            if chars.len() < MIN_COMPOUND {
                continue;
            }
            for (start, _) in chars.iter().take(chars.len() - MIN_PART + 1) {
                self.tokens.push(Token {
                    offset_from: word.offset_from,
                    offset_to: word.offset_to,
                    position: word.position,
                    text: folded[*start..].to_string(),
                    position_length: 1,
                });
            }
        }
        VecStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// The term of two `de` terms `gap` positions apart (1: neighbours).
pub fn pair_term(first: &str, second: &str, gap: usize) -> String {
    if gap == 1 {
        format!("{first} {second}")
    } else {
        format!("{first} {second} {gap}")
    }
}

/// Emits each two neighbouring terms of the `de` analyzer as one [`pair_term`].
#[derive(Clone)]
struct PairsTokenizer {
    de: TextAnalyzer,
    terms: Vec<Token>,
    tokens: Vec<Token>,
}

impl Tokenizer for PairsTokenizer {
    type TokenStream<'a> = VecStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream<'a> {
        self.terms.clear();
        self.tokens.clear();
        let terms = &mut self.terms;
        self.de
            .token_stream(text)
            .process(&mut |t: &Token| terms.push(t.clone()));
        for pair in self.terms.windows(2) {
            let (first, second) = (&pair[0], &pair[1]);
            self.tokens.push(Token {
                offset_from: first.offset_from,
                offset_to: second.offset_to,
                position: first.position,
                text: pair_term(&first.text, &second.text, second.position - first.position),
                position_length: 1,
            });
        }
        VecStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

struct VecStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for VecStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de(text: &str) -> Vec<String> {
        let mut a = Analyzers::new().de;
        Analyzers::terms(&mut a, text)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// The byte-wise fold is a shortcut, not a second set of rules: on every word of up
    /// to four letters drawn from those the rules look at, both give the same.
    #[test]
    fn ascii_folding_agrees_with_the_general_one() {
        let letters = b"aeiouyqAEOUQbx";
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| {
                    letters
                        .iter()
                        .map(move |&l| format!("{w}{}", char::from(l)))
                })
                .collect();
            words.extend(longer);
        }
        words.sort();
        words.dedup();
        assert!(words.len() > 40_000);
        for word in &words {
            for german in [true, false] {
                let (mut fast, mut general) = (String::new(), String::new());
                fold_ascii(word.as_bytes(), german, &mut fast);
                fold_chars(
                    word.chars().flat_map(char::to_lowercase),
                    german,
                    &mut general,
                );
                assert_eq!(fast, general, "{word:?} german={german}");
            }
        }
    }

    #[test]
    fn umlauts_and_typed_out_spellings_meet() {
        let expected = de("Ausländerbehörde");
        assert_eq!(de("Auslaenderbehoerde"), expected);
        assert_eq!(de("auslanderbehorde"), expected);
        assert_eq!(de("Straße"), de("Strasse"));
        // Vowel pairs after a vowel are no umlauts.
        assert_eq!(fold_word("neue", true), "neue");
        assert_eq!(fold_word("Quelle", true), "quelle");
        assert_eq!(fold_word("Steuer", true), "steuer");
    }

    #[test]
    fn german_stems_and_stop_words() {
        assert_eq!(de("Anmeldungen"), de("Anmeldung"));
        assert_eq!(de("die Beratung für alle"), de("Beratung alle"));
    }

    #[test]
    fn neighbouring_terms_pair_up_with_the_gap_of_a_stop_word() {
        let mut a = Analyzers::new().pairs;
        let pairs: Vec<String> =
            Analyzers::terms(&mut a, "Leichte Sprache für die Ausländerbehörde")
                .into_iter()
                .map(|(_, t)| t)
                .collect();
        let [leicht, sprach, behoerde] =
            ["leichte", "Sprache", "Ausländerbehörde"].map(|w| de(w).remove(0));
        assert_eq!(
            pairs,
            [
                pair_term(&leicht, &sprach, 1),
                pair_term(&sprach, &behoerde, 3)
            ]
        );
    }

    #[test]
    fn compounds_are_indexed_with_their_endings() {
        let mut a = Analyzers::new().parts;
        let parts: Vec<String> = Analyzers::terms(&mut a, "Hundesteueranmeldung online")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert!(parts.contains(&"hundesteueranmeldung".to_string()));
        assert!(parts.contains(&"anmeldung".to_string()));
        assert!(parts.contains(&"steueranmeldung".to_string()));
        assert!(!parts.iter().any(|p| p.len() < MIN_PART), "{parts:?}");
        // Short words are the main fields' business.
        assert!(!parts.contains(&"online".to_string()));
    }
}
