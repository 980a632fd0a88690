//! The index's fields. Changing a field or an analyzer changes what is stored, so it must
//! come with a new [`SCHEMA_VERSION`]: an index of another version is rebuilt on start.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use super::analysis;

/// Bump with every change to the fields below or to the analyzers.
pub const SCHEMA_VERSION: u32 = 4;

/// Handles of every field, looked up once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `kind:id`, unique per document; what updates and deletes address.
    pub key: Field,
    /// The record's kind (`Kind::as_str`): filter, facet, stored.
    pub kind: Field,
    /// The record's id in its table: stored and a fast field.
    pub id: Field,
    /// Who may find the document (the audiences `auth::policy` gives each kind).
    pub audience: Field,
    /// For documents that become public at a time: the time, in seconds.
    pub public_from: Field,
    /// The record's status as stored: filter, facet, stored.
    pub status: Field,
    /// The slugs of the topics: filter and facet.
    pub topic: Field,
    /// The slug of the agency: filter.
    pub agency: Field,
    /// The title as shown (stored only).
    pub title: Field,
    /// The text snippets are cut from (stored only).
    pub body: Field,
    /// The record's page (stored only).
    pub url: Field,
    /// The card's context line as JSON (agency, challenge, organisation, deadline).
    pub meta: Field,
    /// The title, German analyzer.
    pub title_de: Field,
    /// Title, text and unshown words, German analyzer; what phrases and exclusions read.
    pub text_de: Field,
    /// The title, English analyzer.
    pub title_en: Field,
    /// Title, text and unshown words, English analyzer.
    pub text_en: Field,
    /// Title, text and unshown words as compound parts, for words inside compounds.
    pub parts: Field,
    /// Neighbouring German terms as one term: two-word phrases without positions.
    pub pairs: Field,
    /// Last change, in seconds: the "newest" order.
    pub date: Field,
    /// Submission deadline in seconds (0: none): the "deadline" order.
    pub deadline: Field,
}

fn analyzed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

/// The schema of `SCHEMA_VERSION` and the handles of its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        audience: b.add_text_field("audience", STRING),
        // Indexed only: the range is then read from the few terms there are, instead of
        // a column check for every candidate document.
        public_from: b.add_i64_field("public_from", INDEXED),
        status: b.add_text_field("status", STRING | STORED),
        topic: b.add_text_field("topic", STRING),
        agency: b.add_text_field("agency", STRING),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        url: b.add_text_field("url", STORED),
        meta: b.add_text_field("meta", STORED),
        title_de: b.add_text_field("title_de", analyzed(analysis::DE, positions)),
        text_de: b.add_text_field("text_de", analyzed(analysis::DE, positions)),
        title_en: b.add_text_field("title_en", analyzed(analysis::EN, positions)),
        text_en: b.add_text_field("text_en", analyzed(analysis::EN, positions)),
        parts: b.add_text_field("parts", analyzed(analysis::PARTS, IndexRecordOption::Basic)),
        pairs: b.add_text_field(
            "pairs",
            analyzed(analysis::PAIRS, IndexRecordOption::WithFreqs),
        ),
        date: b.add_i64_field("date", FAST | STORED),
        deadline: b.add_i64_field("deadline", FAST | STORED),
    };
    (b.build(), fields)
}
