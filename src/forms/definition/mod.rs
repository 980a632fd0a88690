//! The form definition of docs/FORMS.md as Rust types, and the reader that builds them from JSON.
//!
//! The reader walks the JSON by hand rather than through serde's derive so that every
//! problem is reported, not just the first, each under the path where it sits
//! (`pages[0].fields[2].visible_if.field`) with a message a form author understands. A
//! definition that reads without problems is sound: keys are unique, limits are
//! consistent, patterns compile, and every condition names a field that comes earlier
//! and compares it with a value of the right kind. Later code relies on that.

use std::collections::HashMap;

use regex::Regex;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::error::FieldErrors;
use crate::i18n::Lang;

mod reader;

/// Bounds that keep a definition (and so every page built from it) a sensible size.
pub const MAX_PAGES: usize = 50;
/// The most fields a definition may have, over all its pages.
pub const MAX_FIELDS: usize = 300;
/// The most options a choice field may offer (and values an `in` condition may list).
pub const MAX_OPTIONS: usize = 200;
/// How deeply `all`, `any` and `not` may nest in one condition.
pub const MAX_CONDITION_DEPTH: usize = 8;
const MAX_KEY: usize = 64;
const MAX_LABEL: usize = 500;
const MAX_HELP: usize = 4000;
const MAX_PATTERN: usize = 500;
/// The regex budget of a whole definition: how many patterns, how long together, and
/// how much memory their compiled forms may take together (shared out equally, each at
/// most [`PATTERN_MEMORY_EACH`]). Every pilot step matches against them, and compiled
/// definitions are kept in memory, so a form of hundreds of patterns each near the
/// limit must be refused, not held. A form checks a few dozen answers by pattern at most.
const MAX_PATTERNS: usize = 40;
const MAX_PATTERN_CHARS: usize = 4_000;
const PATTERN_MEMORY: usize = 2 << 20;
const PATTERN_MEMORY_EACH: usize = 1 << 20;
/// The longest answer any text field takes, whatever its `max_length` says.
pub const MAX_ANSWER_LENGTH: u32 = 20_000;

/// A text in German and, optionally, English; English falls back to German.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Texts {
    /// The German text, which every text has.
    pub de: String,
    /// The English text, if the author gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Texts {
    /// A German-only text.
    pub fn de(text: &str) -> Texts {
        Texts {
            de: text.to_string(),
            en: None,
        }
    }
    /// The text in `lang`, German when there is no English.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.de,
            Lang::En => self.en.as_deref().unwrap_or(&self.de),
        }
    }
}

/// The kind of a field (its `type` in the JSON): what it asks and how its answer is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of free text, optionally checked against a pattern.
    Text,
    /// Several lines of free text.
    Textarea,
    /// A whole number.
    Number,
    /// A number with a fractional part; a comma or a point as the decimal sign.
    Decimal,
    /// An email address, stored lower-cased.
    Email,
    /// A telephone number.
    Phone,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// One of the listed options, or several when `multiple` is set.
    Choice,
    /// Yes or no, stored as a boolean.
    YesNo,
    /// An uploaded file, stored as its id, name, size and type.
    File,
    /// A whole number on a scale (1 to 5 unless `min` and `max` say otherwise).
    Rating,
    /// A box that must be ticked to count as answered; stored as `true`.
    Consent,
    /// Text to read, with no answer.
    Statement,
}

impl FieldType {
    /// Every type, in the order the builder offers them.
    pub const ALL: [FieldType; 13] = [
        FieldType::Text,
        FieldType::Textarea,
        FieldType::Number,
        FieldType::Decimal,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Date,
        FieldType::Choice,
        FieldType::YesNo,
        FieldType::File,
        FieldType::Rating,
        FieldType::Consent,
        FieldType::Statement,
    ];

    /// The spelling in the JSON (`yes_no`, `textarea`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Number => "number",
            FieldType::Decimal => "decimal",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Date => "date",
            FieldType::Choice => "choice",
            FieldType::YesNo => "yes_no",
            FieldType::File => "file",
            FieldType::Rating => "rating",
            FieldType::Consent => "consent",
            FieldType::Statement => "statement",
        }
    }

    /// The type spelled `s`, or `None` for any other spelling.
    pub fn parse(s: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Every type but a statement takes an answer.
    pub fn takes_answer(self) -> bool {
        self != FieldType::Statement
    }

    /// Answers that are numbers, so `gt` and `lt` apply.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Number | FieldType::Decimal | FieldType::Rating
        )
    }

    /// Answers typed as free text, to which lengths apply.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone
        )
    }

    /// The longest answer when the definition sets none.
    pub fn default_max_length(self) -> u32 {
        match self {
            FieldType::Textarea => 10_000,
            FieldType::Email => 254,
            FieldType::Phone => 40,
            _ => 500,
        }
    }
}

/// A pattern that whole answers must match; compiled once when the definition is read.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as the author wrote it, without the anchors.
    pub source: String,
    /// The compiled pattern, anchored at both ends.
    pub regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// What the answer stores when this option is picked; unique in its field.
    pub value: String,
    /// What the person sees; the value itself when the definition gives no label.
    pub label: Texts,
}

/// When a field or page is shown. A comparison with a hidden or unanswered field is false.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The field's answer equals `value` (a multiple choice: includes it).
    Equals {
        /// The field's key.
        field: String,
        /// The answer it must have.
        value: Value,
    },
    /// The field's answer equals one of `values`.
    In {
        /// The field's key.
        field: String,
        /// The answers any of which will do.
        values: Vec<Value>,
    },
    /// The field's numeric answer is greater than `than`.
    Gt {
        /// The field's key.
        field: String,
        /// The bound, excluded.
        than: f64,
    },
    /// The field's numeric answer is less than `than`.
    Lt {
        /// The field's key.
        field: String,
        /// The bound, excluded.
        than: f64,
    },
    /// The field has an answer (`set: true`) or has none (`set: false`).
    Set {
        /// The field's key.
        field: String,
        /// True: answered; false: not answered.
        set: bool,
    },
    /// Every inner condition holds.
    All(Vec<Condition>),
    /// At least one inner condition holds.
    Any(Vec<Condition>),
    /// The inner condition does not hold.
    Not(Box<Condition>),
}

/// A number as JSON, whole numbers without a decimal point (`1`, not `1.0`), as authors
/// write them.
pub fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn serialize_number<S: Serializer>(n: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    n.map(number_json).serialize(s)
}

impl Condition {
    /// The JSON of docs/FORMS.md.
    pub fn to_json(&self) -> Value {
        match self {
            Condition::Equals { field, value } => json!({ "field": field, "equals": value }),
            Condition::In { field, values } => json!({ "field": field, "in": values }),
            Condition::Gt { field, than } => json!({ "field": field, "gt": number_json(*than) }),
            Condition::Lt { field, than } => json!({ "field": field, "lt": number_json(*than) }),
            Condition::Set { field, set } => json!({ "field": field, "set": set }),
            Condition::All(cs) => {
                json!({ "all": cs.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
            Condition::Any(cs) => {
                json!({ "any": cs.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
            Condition::Not(c) => json!({ "not": c.to_json() }),
        }
    }

    /// Every field key the condition reads.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            Condition::Equals { field, .. }
            | Condition::In { field, .. }
            | Condition::Gt { field, .. }
            | Condition::Lt { field, .. }
            | Condition::Set { field, .. } => vec![field.as_str()],
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().flat_map(Condition::fields).collect()
            }
            Condition::Not(c) => c.fields(),
        }
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

fn is_false(b: &bool) -> bool {
    !b
}

/// One question of a form, or a statement to read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Names the answer; unique in the form, `[a-z0-9_]+`, and the input's `name` in HTML.
    pub key: String,
    /// What the field asks (`type` in the JSON).
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The question or, for a statement, the text.
    pub label: Texts,
    /// A longer explanation shown with the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Texts>,
    /// The form cannot be sent without an answer while the field is shown.
    #[serde(skip_serializing_if = "is_false")]
    pub required: bool,
    /// The smallest number allowed, or for a multiple choice the fewest options to pick.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_number"
    )]
    pub min: Option<f64>,
    /// The largest number allowed, or for a multiple choice the most options to pick.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_number"
    )]
    pub max: Option<f64>,
    /// The fewest characters a text answer may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// The most characters a text answer may have; see `Field::max_length` for the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A pattern the whole answer must match (text and phone fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    /// The options of a choice field, in the order shown; empty for other types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Whether a choice field takes several options.
    #[serde(skip_serializing_if = "is_false")]
    pub multiple: bool,
    /// Shown only while this holds; a hidden field is not required and its answer is dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
}

impl Field {
    /// A field of `kind` with nothing else set (the builder's starting point).
    pub fn new(key: &str, kind: FieldType, label: Texts) -> Field {
        Field {
            key: key.to_string(),
            kind,
            label,
            help: None,
            required: false,
            min: None,
            max: None,
            min_length: None,
            max_length: None,
            pattern: None,
            options: Vec::new(),
            multiple: false,
            visible_if: None,
        }
    }

    /// The scale of a rating field: 1 to 5 unless the definition says otherwise.
    pub fn rating_scale(&self) -> (i64, i64) {
        (
            self.min.map_or(1, |m| m as i64),
            self.max.map_or(5, |m| m as i64),
        )
    }

    /// The most characters a text answer may have: the definition's limit or the type's default.
    pub fn max_length(&self) -> u32 {
        self.max_length
            .unwrap_or_else(|| self.kind.default_max_length())
    }

    /// The option whose value is `value`, if the field offers it.
    pub fn option(&self, value: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.value == value)
    }
}

/// A page of a form: a title and the fields shown together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// Names the page; unique in the form.
    pub key: String,
    /// The heading of the page.
    pub title: Texts,
    /// Shown only while this holds (it reads fields of earlier pages); a hidden page's fields
    /// are all hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// The fields in the order shown.
    pub fields: Vec<Field>,
}

/// A form as docs/FORMS.md describes it; one that was read without problems is sound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormDefinition {
    /// The form's title.
    pub title: Texts,
    /// The pages in order; at least one.
    pub pages: Vec<Page>,
}

impl FormDefinition {
    /// Reads a definition from JSON text; every problem is in the error, by path.
    pub fn from_json_str(text: &str) -> Result<FormDefinition, FieldErrors> {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => FormDefinition::from_value(&v),
            Err(e) => {
                let mut errors = FieldErrors::new();
                errors.add_with(
                    "definition",
                    "form-def-json",
                    &[
                        ("line", e.line().to_string()),
                        ("column", e.column().to_string()),
                    ],
                );
                Err(errors)
            }
        }
    }

    /// Reads a definition from parsed JSON; every problem is in the error, by path.
    pub fn from_value(v: &Value) -> Result<FormDefinition, FieldErrors> {
        reader::read(v)
    }

    /// The definition as the JSON of docs/FORMS.md; it reads back to an equal definition.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Every field, page by page, in form order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.pages.iter().flat_map(|p| p.fields.iter())
    }

    /// The field under `key`, on whichever page it is.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|f| f.key == key)
    }

    /// The page that holds the field `key`.
    pub fn page_of(&self, key: &str) -> Option<usize> {
        self.pages
            .iter()
            .position(|p| p.fields.iter().any(|f| f.key == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(v: Value) -> Vec<(String, String)> {
        match FormDefinition::from_value(&v) {
            Ok(_) => vec![],
            Err(e) => e
                .iter()
                .map(|(k, m)| (k.to_string(), m.text(Lang::En)))
                .collect(),
        }
    }

    fn example() -> Value {
        json!({
          "title": {"de": "Hundesteuer-Anmeldung", "en": "Dog tax registration"},
          "pages": [{
              "key": "halter",
              "title": {"de": "Halterin oder Halter", "en": "Owner"},
              "fields": [
                {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true, "max_length": 120},
                {"key": "anzahl", "type": "number", "label": {"de": "Anzahl der Hunde"}, "min": 1, "max": 20},
                {"key": "listenhund", "type": "yes_no", "label": {"de": "Ist ein Listenhund dabei?"}},
                {"key": "nachweis", "type": "file", "label": {"de": "Wesenstest"},
                 "visible_if": {"field": "listenhund", "equals": true}, "required": true}
              ]
          }]
        })
    }

    #[test]
    fn the_example_of_forms_md_reads_and_writes_back_unchanged() {
        let def = FormDefinition::from_value(&example()).expect("valid");
        assert_eq!(def.pages[0].fields.len(), 4);
        assert_eq!(def.field("anzahl").unwrap().max, Some(20.0));
        let back = FormDefinition::from_value(&def.to_json()).unwrap();
        assert_eq!(back, def);
        assert_eq!(
            def.to_json()["pages"][0]["fields"][3]["visible_if"],
            json!({"field": "listenhund", "equals": true})
        );
    }

    #[test]
    fn a_condition_on_an_unknown_field_names_the_path() {
        let mut v = example();
        v["pages"][0]["fields"][3]["visible_if"]["field"] = json!("hund");
        let p = problems(v);
        assert_eq!(
            p,
            vec![(
                "pages[0].fields[3].visible_if.field".to_string(),
                "unknown field \"hund\"".to_string()
            )]
        );
    }

    #[test]
    fn a_condition_must_read_an_earlier_field() {
        let mut v = example();
        v["pages"][0]["fields"][0]["visible_if"] = json!({"field": "listenhund", "equals": true});
        let p = problems(v);
        assert_eq!(p[0].0, "pages[0].fields[0].visible_if.field");
        assert!(p[0].1.contains("before"), "{p:?}");
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let v = json!({
            "title": {"en": "no German"},
            "pages": [{
                "key": "Page One",
                "title": "Seite",
                "fields": [
                    {"key": "a", "type": "texty", "label": "A"},
                    {"key": "b", "type": "number", "label": "B", "min": 5, "max": 1, "pattern": "x"},
                    {"key": "b", "type": "choice", "label": "C", "options": [{"value": "x"}, {"value": "x"}]},
                    {"key": "d", "type": "yes_no", "label": "D", "requried": true},
                    {"key": "e", "type": "text", "label": "E", "pattern": "(unclosed"},
                    {"key": "f", "type": "text", "label": "F", "visible_if": {"field": "d", "equals": "ja"}},
                    {"key": "g", "type": "statement", "label": "G", "required": true}
                ]
            }]
        });
        let paths: Vec<String> = problems(v).into_iter().map(|(p, _)| p).collect();
        for expected in [
            "title.de",
            "pages[0].key",
            "pages[0].fields[0].type",
            "pages[0].fields[1].min",
            "pages[0].fields[1].pattern",
            "pages[0].fields[2].key",
            "pages[0].fields[2].options[1].value",
            "pages[0].fields[3].requried",
            "pages[0].fields[4].pattern",
            "pages[0].fields[5].visible_if.equals",
            "pages[0].fields[6].required",
        ] {
            assert!(
                paths.contains(&expected.to_string()),
                "{expected} missing in {paths:?}"
            );
        }
    }

    #[test]
    fn conditions_compare_with_values_of_the_fields_kind() {
        let v = json!({
            "title": "T",
            "pages": [
                {"key": "p1", "title": "1", "fields": [
                    {"key": "art", "type": "choice", "label": "Art", "options": [{"value": "hund"}, {"value": "katze"}]},
                    {"key": "zahl", "type": "decimal", "label": "Zahl"},
                    {"key": "text", "type": "text", "label": "Text"}
                ]},
                {"key": "p2", "title": "2", "visible_if": {"any": [
                    {"field": "art", "in": ["hund", "maus"]},
                    {"field": "text", "gt": 3},
                    {"not": {"field": "zahl", "set": "yes"}},
                    {"all": []}
                ]}, "fields": [{"key": "x", "type": "text", "label": "X"}]}
            ]
        });
        let p = problems(v);
        let paths: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "pages[1].visible_if.any[0].in[1]",
                "pages[1].visible_if.any[1].gt",
                "pages[1].visible_if.any[2].not.set",
                "pages[1].visible_if.any[3].all",
            ]
        );
        assert!(
            p[0].1.contains("\"maus\" is not an option of \"art\""),
            "{}",
            p[0].1
        );
    }

    #[test]
    fn bad_json_and_empty_forms_are_refused() {
        let e = FormDefinition::from_json_str("{\"title\": ").unwrap_err();
        assert_eq!(e.get("definition"), Some("form-def-json"));
        let p = problems(json!({"title": "T", "pages": []}));
        assert_eq!(p[0].0, "pages");
        let p =
            problems(json!({"title": "T", "pages": [{"key": "a", "title": "A", "fields": []}]}));
        assert_eq!(p[0].0, "pages[0].fields");
        assert!(!problems(json!([1, 2])).is_empty());
    }

    #[test]
    fn keys_the_run_pages_use_for_their_own_controls_are_refused() {
        for bad in ["_page", "csrf_token", "Name", "a-b", ""] {
            let mut v = example();
            v["pages"][0]["fields"][0]["key"] = json!(bad);
            let p = problems(v);
            assert_eq!(p[0].0, "pages[0].fields[0].key", "{bad}: {p:?}");
        }
        let mut v = example();
        v["pages"][0]["fields"][0]["key"] = json!("2_name_");
        assert!(problems(v).is_empty());
    }

    #[test]
    fn deep_conditions_are_bounded() {
        let mut c = json!({"field": "a", "set": true});
        for _ in 0..20 {
            c = json!({ "not": c });
        }
        let v = json!({"title": "T", "pages": [{"key": "p", "title": "P", "fields": [
            {"key": "a", "type": "text", "label": "A"},
            {"key": "b", "type": "text", "label": "B", "visible_if": c}
        ]}]});
        let p = problems(v);
        assert_eq!(p.len(), 1);
        assert!(p[0].1.contains("deeper"), "{p:?}");
    }

    /// A form with one text field per pattern, in order.
    fn with_patterns(patterns: &[String]) -> Value {
        let fields: Vec<Value> = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| json!({"key": format!("f{i}"), "type": "text", "label": "F", "pattern": p}))
            .collect();
        json!({"title": "T", "pages": [{"key": "p", "title": "P", "fields": fields}]})
    }

    /// The patterns of a definition share one budget: their number, their length
    /// together, and the memory their compiled forms take together. What passes alone
    /// is refused as one of too many, and the problem names the field that overdrew.
    #[test]
    fn patterns_are_bounded_per_definition_with_the_path() {
        let zip = "[0-9]{5}".to_string();
        assert!(problems(with_patterns(&vec![zip.clone(); MAX_PATTERNS])).is_empty());
        let p = problems(with_patterns(&vec![zip; MAX_PATTERNS + 1]));
        assert_eq!(
            p,
            [(
                format!("pages[0].fields[{MAX_PATTERNS}].pattern"),
                format!("a form checks at most {MAX_PATTERNS} answers with a pattern")
            )]
        );

        let long = "a".repeat(MAX_PATTERN);
        let fit = MAX_PATTERN_CHARS / MAX_PATTERN;
        assert!(problems(with_patterns(&vec![long.clone(); fit])).is_empty());
        let p = problems(with_patterns(&vec![long; fit + 1]));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, format!("pages[0].fields[{fit}].pattern"));
        assert!(p[0].1.contains("together"), "{p:?}");

        // Large Unicode classes repeated compile big: one such pattern fits the budget
        // alone, but not in a share of it.
        let heavy = r"\w{10}".to_string();
        assert!(problems(with_patterns(std::slice::from_ref(&heavy))).is_empty());
        let p = problems(with_patterns(&vec![heavy; MAX_PATTERNS]));
        assert!(!p.is_empty());
        assert!(
            p.iter()
                .all(|(path, m)| path.ends_with(".pattern") && m.contains("too costly")),
            "{p:?}"
        );
        let p = problems(with_patterns(&[r"(\w{100}){100}".to_string()]));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, "pages[0].fields[0].pattern");
    }
}
