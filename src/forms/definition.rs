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
        let mut r = Reader::default();
        let def = r.definition(v);
        match def {
            Some(d) if r.problems.is_empty() => Ok(d),
            _ => Err(r.problems),
        }
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

/// Collects problems while walking the JSON. Each method reads one part and returns
/// `None` when that part is unusable; problems go into `problems` under their path.
#[derive(Default)]
struct Reader {
    problems: FieldErrors,
    /// Fields read so far (in form order), for the checks of conditions.
    seen: HashMap<String, Field>,
    /// Fields defined anywhere in the form, to tell "comes later" from "unknown".
    all_keys: Vec<String>,
    /// The compiled size each pattern may take: its share of [`PATTERN_MEMORY`].
    pattern_memory: usize,
    /// Patterns read so far, and their characters together.
    patterns: usize,
    pattern_chars: usize,
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Reader {
    fn problem(&mut self, path: &str, id: &str) {
        self.problems.add(path, id);
    }

    fn problem_with(&mut self, path: &str, id: &str, args: &[(&str, String)]) {
        self.problems.add_with(path, id, args);
    }

    fn object<'a>(
        &mut self,
        v: &'a Value,
        path: &str,
        known: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(m) = v.as_object() else {
            self.problem(
                if path.is_empty() { "definition" } else { path },
                "form-def-object",
            );
            return None;
        };
        for k in m.keys() {
            if !known.contains(&k.as_str()) {
                self.problem_with(&at(path, k), "form-def-unknown-key", &[("key", k.clone())]);
            }
        }
        Some(m)
    }

    fn texts(
        &mut self,
        v: Option<&Value>,
        path: &str,
        limit: usize,
        required: bool,
    ) -> Option<Texts> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            if required {
                self.problem(path, "form-def-required");
            }
            return None;
        };
        let clean = |s: &str| crate::text::clean(s).trim().to_string();
        let texts = match v {
            // A bare string is the German text: the common case of a German-only form.
            Value::String(s) => Texts {
                de: clean(s),
                en: None,
            },
            Value::Object(m) => {
                for k in m.keys() {
                    if k != "de" && k != "en" {
                        self.problem_with(
                            &at(path, k),
                            "form-def-unknown-key",
                            &[("key", k.clone())],
                        );
                    }
                }
                let de = m.get("de").and_then(Value::as_str).map(clean);
                let en = m.get("en").and_then(Value::as_str).map(clean);
                if m.get("en").is_some_and(|e| !e.is_string() && !e.is_null()) {
                    self.problem(&at(path, "en"), "form-def-string");
                }
                match de {
                    Some(de) => Texts {
                        de,
                        en: en.filter(|e| !e.is_empty()),
                    },
                    None => {
                        self.problem(&at(path, "de"), "form-def-required");
                        return None;
                    }
                }
            }
            _ => {
                self.problem(path, "form-def-text");
                return None;
            }
        };
        if texts.de.is_empty() {
            self.problem(&at(path, "de"), "form-def-required");
            return None;
        }
        let longest = texts
            .de
            .chars()
            .count()
            .max(texts.en.as_deref().map_or(0, |e| e.chars().count()));
        if longest > limit {
            self.problem_with(path, "form-def-too-long", &[("max", limit.to_string())]);
        }
        Some(texts)
    }

    fn key(&mut self, v: Option<&Value>, path: &str) -> Option<String> {
        let Some(k) = v.and_then(Value::as_str) else {
            self.problem(
                path,
                if v.is_some() {
                    "form-def-key"
                } else {
                    "form-def-required"
                },
            );
            return None;
        };
        // A leading `_` and `csrf_token` are the names the run pages give their own
        // controls; a field under such a key could never be answered.
        let ok = !k.is_empty()
            && k.len() <= MAX_KEY
            && !k.starts_with('_')
            && k != crate::auth::csrf::FIELD
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            self.problem(path, "form-def-key");
            return None;
        }
        Some(k.to_string())
    }

    fn flag(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> bool {
        match m.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problem(&at(path, key), "form-def-bool");
                false
            }
        }
    }

    fn number(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<f64> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64().filter(|n| n.is_finite()) {
                Some(n) => Some(n),
                None => {
                    self.problem(&at(path, key), "form-def-number");
                    None
                }
            },
        }
    }

    fn count(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<u32> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    self.problem(&at(path, key), "form-def-count");
                    None
                }
            },
        }
    }

    fn list<'a>(&mut self, v: Option<&'a Value>, path: &str, max: usize) -> Option<&'a Vec<Value>> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.len() > max => {
                self.problem_with(path, "form-def-too-many", &[("max", max.to_string())]);
                None
            }
            Some(Value::Array(a)) => Some(a),
            Some(_) => {
                self.problem(path, "form-def-array");
                None
            }
        }
    }

    fn definition(&mut self, v: &Value) -> Option<FormDefinition> {
        let m = self.object(v, "", &["title", "pages"])?;
        // Every key first, so that a condition naming a later field says so.
        if let Some(pages) = m.get("pages").and_then(Value::as_array) {
            self.all_keys = pages
                .iter()
                .filter_map(|p| p.get("fields").and_then(Value::as_array))
                .flatten()
                .filter_map(|f| f.get("key").and_then(Value::as_str).map(str::to_string))
                .collect();
        }
        let patterns = m
            .get("pages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("fields").and_then(Value::as_array))
            .flatten()
            .filter(|f| f.get("pattern").is_some_and(Value::is_string))
            .count();
        self.pattern_memory = (PATTERN_MEMORY / patterns.max(1)).min(PATTERN_MEMORY_EACH);
        let title = self.texts(m.get("title"), "title", MAX_LABEL, true);
        let raw_pages = self.list(m.get("pages"), "pages", MAX_PAGES);
        if raw_pages.is_none_or(|p| p.is_empty()) && m.get("pages").is_none_or(Value::is_array) {
            self.problem("pages", "form-def-no-pages");
        }
        let mut pages = Vec::new();
        let mut page_keys: Vec<String> = Vec::new();
        for (i, p) in raw_pages.into_iter().flatten().enumerate() {
            let path = format!("pages[{i}]");
            if let Some(page) = self.page(p, &path) {
                if page_keys.contains(&page.key) {
                    self.problem_with(
                        &at(&path, "key"),
                        "form-def-key-taken",
                        &[("key", page.key.clone())],
                    );
                }
                page_keys.push(page.key.clone());
                pages.push(page);
            }
        }
        if self.seen.len() > MAX_FIELDS {
            self.problem_with(
                "pages",
                "form-def-too-many-fields",
                &[("max", MAX_FIELDS.to_string())],
            );
        }
        Some(FormDefinition {
            title: title?,
            pages,
        })
    }

    fn page(&mut self, v: &Value, path: &str) -> Option<Page> {
        let m = self.object(v, path, &["key", "title", "fields", "visible_if"])?;
        let key = self.key(m.get("key"), &at(path, "key"));
        let title = self.texts(m.get("title"), &at(path, "title"), MAX_LABEL, true);
        // A page's condition may only read fields of earlier pages.
        let visible_if = m
            .get("visible_if")
            .filter(|v| !v.is_null())
            .and_then(|c| self.condition(c, &at(path, "visible_if"), 0));
        let fields_path = at(path, "fields");
        let raw = self.list(m.get("fields"), &fields_path, MAX_FIELDS);
        if raw.is_none_or(|f| f.is_empty()) && m.get("fields").is_none_or(Value::is_array) {
            self.problem(&fields_path, "form-def-no-fields");
        }
        let mut fields = Vec::new();
        for (j, f) in raw.into_iter().flatten().enumerate() {
            let fpath = format!("{fields_path}[{j}]");
            if let Some(field) = self.field(f, &fpath) {
                if self.seen.contains_key(&field.key) {
                    self.problem_with(
                        &at(&fpath, "key"),
                        "form-def-key-taken",
                        &[("key", field.key.clone())],
                    );
                } else {
                    self.seen.insert(field.key.clone(), field.clone());
                }
                fields.push(field);
            }
        }
        Some(Page {
            key: key?,
            title: title?,
            visible_if,
            fields,
        })
    }

    fn field(&mut self, v: &Value, path: &str) -> Option<Field> {
        let m = self.object(
            v,
            path,
            &[
                "key",
                "type",
                "label",
                "help",
                "required",
                "min",
                "max",
                "min_length",
                "max_length",
                "pattern",
                "options",
                "multiple",
                "visible_if",
            ],
        )?;
        let key = self.key(m.get("key"), &at(path, "key"));
        let kind = match m.get("type").and_then(Value::as_str) {
            Some(t) => match FieldType::parse(t) {
                Some(k) => Some(k),
                None => {
                    self.problem_with(
                        &at(path, "type"),
                        "form-def-type",
                        &[("kind", t.chars().take(40).collect())],
                    );
                    None
                }
            },
            None => {
                self.problem(&at(path, "type"), "form-def-required");
                None
            }
        };
        let label = self.texts(m.get("label"), &at(path, "label"), MAX_LABEL, true);
        let help = self.texts(m.get("help"), &at(path, "help"), MAX_HELP, false);
        let visible_if = m
            .get("visible_if")
            .filter(|v| !v.is_null())
            .and_then(|c| self.condition(c, &at(path, "visible_if"), 0));
        // A bad key or label still lets the rest be read, so all problems show at once.
        let kind = kind?;
        let complete = key.is_some() && label.is_some();
        let mut field = Field::new(
            key.as_deref().unwrap_or_default(),
            kind,
            label.unwrap_or_else(|| Texts::de("")),
        );
        field.help = help;
        field.visible_if = visible_if;
        field.required = self.flag(m, "required", path);
        field.multiple = self.flag(m, "multiple", path);
        field.min = self.number(m, "min", path);
        field.max = self.number(m, "max", path);
        field.min_length = self.count(m, "min_length", path);
        field.max_length = self.count(m, "max_length", path);
        if let Some(p) = m.get("pattern").filter(|p| !p.is_null()) {
            field.pattern = self.pattern(p, &at(path, "pattern"));
        }
        if let Some(opts) = self.list(m.get("options"), &at(path, "options"), MAX_OPTIONS) {
            field.options = self.options(opts, &at(path, "options"));
        }
        self.fits_type(&field, m, path);
        complete.then_some(field)
    }

    fn pattern(&mut self, v: &Value, path: &str) -> Option<Pattern> {
        let Some(source) = v.as_str() else {
            self.problem(path, "form-def-string");
            return None;
        };
        let chars = source.chars().count();
        if chars > MAX_PATTERN {
            self.problem_with(
                path,
                "form-def-too-long",
                &[("max", MAX_PATTERN.to_string())],
            );
            return None;
        }
        self.patterns += 1;
        self.pattern_chars += chars;
        if self.patterns > MAX_PATTERNS {
            self.problem_with(
                path,
                "form-def-too-many-patterns",
                &[("max", MAX_PATTERNS.to_string())],
            );
            return None;
        }
        if self.pattern_chars > MAX_PATTERN_CHARS {
            self.problem_with(
                path,
                "form-def-patterns-too-long",
                &[("max", MAX_PATTERN_CHARS.to_string())],
            );
            return None;
        }
        // Anchored: the whole answer must match. The size limit keeps a hostile pattern
        // from taking memory; the regex crate's matching is linear in the answer anyway.
        match regex::RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(self.pattern_memory)
            .build()
        {
            Ok(regex) => Some(Pattern {
                source: source.to_string(),
                regex,
            }),
            Err(regex::Error::CompiledTooBig(_)) => {
                self.problem(path, "form-def-pattern-too-big");
                None
            }
            Err(_) => {
                self.problem(path, "form-def-pattern");
                None
            }
        }
    }

    fn options(&mut self, raw: &[Value], path: &str) -> Vec<Choice> {
        let mut out: Vec<Choice> = Vec::new();
        for (i, o) in raw.iter().enumerate() {
            let opath = format!("{path}[{i}]");
            let Some(m) = self.object(o, &opath, &["value", "label"]) else {
                continue;
            };
            let value = match m.get("value") {
                Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 200 => {
                    s.trim().to_string()
                }
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    self.problem(&at(&opath, "value"), "form-def-option-value");
                    continue;
                }
            };
            let label = self
                .texts(m.get("label"), &at(&opath, "label"), MAX_LABEL, false)
                .unwrap_or_else(|| Texts::de(&value));
            if out.iter().any(|c| c.value == value) {
                self.problem_with(
                    &at(&opath, "value"),
                    "form-def-option-taken",
                    &[("value", value)],
                );
                continue;
            }
            out.push(Choice { value, label });
        }
        out
    }

    /// Settings that only some types take, and limits that must agree.
    fn fits_type(&mut self, f: &Field, m: &Map<String, Value>, path: &str) {
        let kind = f.kind;
        let allowed: &[&str] = match kind {
            FieldType::Text | FieldType::Phone => &["min_length", "max_length", "pattern"],
            FieldType::Textarea | FieldType::Email => &["min_length", "max_length"],
            FieldType::Number | FieldType::Decimal | FieldType::Rating => &["min", "max"],
            FieldType::Choice => &["options", "multiple", "min", "max"],
            _ => &[],
        };
        for k in [
            "min",
            "max",
            "min_length",
            "max_length",
            "pattern",
            "options",
            "multiple",
        ] {
            if m.get(k).is_some_and(|v| !v.is_null()) && !allowed.contains(&k) {
                self.problem_with(
                    &at(path, k),
                    "form-def-not-for-type",
                    &[("kind", kind.as_str().into())],
                );
            }
        }
        if kind == FieldType::Statement && f.required {
            self.problem_with(
                &at(path, "required"),
                "form-def-not-for-type",
                &[("kind", kind.as_str().into())],
            );
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                self.problem(&at(path, "min"), "form-def-min-max");
            }
        }
        if let (Some(lo), Some(hi)) = (f.min_length, f.max_length) {
            if lo > hi {
                self.problem(&at(path, "min_length"), "form-def-min-max");
            }
        }
        if f.max_length
            .is_some_and(|n| n > MAX_ANSWER_LENGTH || n == 0)
        {
            self.problem_with(
                &at(path, "max_length"),
                "form-def-range",
                &[("min", "1".into()), ("max", MAX_ANSWER_LENGTH.to_string())],
            );
        }
        match kind {
            FieldType::Number => {
                for (k, v) in [("min", f.min), ("max", f.max)] {
                    if v.is_some_and(|n| n.fract() != 0.0 || n.abs() > 1e15) {
                        self.problem(&at(path, k), "form-def-integer");
                    }
                }
            }
            FieldType::Rating => {
                let (lo, hi) = (f.min.unwrap_or(1.0), f.max.unwrap_or(5.0));
                let whole = lo.fract() == 0.0 && hi.fract() == 0.0;
                if !whole || lo < 0.0 || hi > 10.0 || hi - lo < 1.0 {
                    self.problem_with(&at(path, "max"), "form-def-rating", &[("max", "10".into())]);
                }
            }
            FieldType::Choice => {
                if f.options.is_empty() && m.get("options").is_none_or(Value::is_array) {
                    self.problem(&at(path, "options"), "form-def-options-missing");
                }
                if !f.multiple && (f.min.is_some() || f.max.is_some()) {
                    let k = if f.min.is_some() { "min" } else { "max" };
                    self.problem(&at(path, k), "form-def-choice-count");
                }
                for (k, v) in [("min", f.min), ("max", f.max)] {
                    if v.is_some_and(|n| n.fract() != 0.0 || n < 0.0) {
                        self.problem(&at(path, k), "form-def-integer");
                    }
                }
            }
            _ => {}
        }
    }

    fn condition(&mut self, v: &Value, path: &str, depth: usize) -> Option<Condition> {
        if depth >= MAX_CONDITION_DEPTH {
            self.problem_with(
                path,
                "form-def-depth",
                &[("max", MAX_CONDITION_DEPTH.to_string())],
            );
            return None;
        }
        let m = self.object(
            v,
            path,
            &[
                "field", "equals", "in", "gt", "lt", "set", "all", "any", "not",
            ],
        )?;
        let ops: Vec<&str> = ["equals", "in", "gt", "lt", "set", "all", "any", "not"]
            .into_iter()
            .filter(|k| m.contains_key(*k))
            .collect();
        let combinator = matches!(ops.as_slice(), ["all" | "any" | "not"]);
        if ops.len() != 1 || combinator == m.contains_key("field") {
            self.problem(path, "form-def-condition");
            return None;
        }
        let op = ops[0];
        if combinator {
            let inner = at(path, op);
            if op == "not" {
                let c = self.condition(&m["not"], &inner, depth + 1)?;
                return Some(Condition::Not(Box::new(c)));
            }
            let list = self.list(m.get(op), &inner, 50)?;
            if list.is_empty() {
                self.problem(&inner, "form-def-condition");
                return None;
            }
            let cs: Vec<Condition> = list
                .iter()
                .enumerate()
                .filter_map(|(i, c)| self.condition(c, &format!("{inner}[{i}]"), depth + 1))
                .collect();
            if cs.len() != list.len() {
                return None;
            }
            return Some(if op == "all" {
                Condition::All(cs)
            } else {
                Condition::Any(cs)
            });
        }
        let fpath = at(path, "field");
        let Some(name) = m.get("field").and_then(Value::as_str) else {
            self.problem(&fpath, "form-def-string");
            return None;
        };
        let Some(target) = self.seen.get(name).cloned() else {
            let later = self.all_keys.iter().any(|k| k == name);
            let id = if later {
                "form-def-later-field"
            } else {
                "form-def-unknown-field"
            };
            self.problem_with(&fpath, id, &[("field", name.chars().take(64).collect())]);
            return None;
        };
        if !target.kind.takes_answer() {
            self.problem_with(
                &fpath,
                "form-def-no-answer-field",
                &[("field", name.to_string())],
            );
            return None;
        }
        let field = name.to_string();
        let vpath = at(path, op);
        let value = &m[op];
        match op {
            "equals" => {
                self.comparable(&target, value, &vpath)?;
                Some(Condition::Equals {
                    field,
                    value: value.clone(),
                })
            }
            "in" => {
                let list = self.list(Some(value), &vpath, MAX_OPTIONS)?;
                let ok = list
                    .iter()
                    .enumerate()
                    .filter(|(i, v)| {
                        self.comparable(&target, v, &format!("{vpath}[{i}]"))
                            .is_none()
                    })
                    .count()
                    == 0;
                (ok && !list.is_empty()).then(|| Condition::In {
                    field,
                    values: list.clone(),
                })
            }
            "gt" | "lt" => {
                if !target.kind.is_numeric() {
                    self.problem(&vpath, "form-def-numeric-only");
                    return None;
                }
                let Some(than) = value.as_f64() else {
                    self.problem(&vpath, "form-def-number");
                    return None;
                };
                Some(if op == "gt" {
                    Condition::Gt { field, than }
                } else {
                    Condition::Lt { field, than }
                })
            }
            _ => match value.as_bool() {
                Some(set) => Some(Condition::Set { field, set }),
                None => {
                    self.problem(&vpath, "form-def-bool");
                    None
                }
            },
        }
    }

    /// Whether `v` is a value the field's answers can equal; reports it when not.
    fn comparable(&mut self, target: &Field, v: &Value, path: &str) -> Option<()> {
        let fits = match target.kind {
            FieldType::YesNo | FieldType::Consent => v.is_boolean(),
            t if t.is_numeric() => v.is_number(),
            FieldType::Choice => match v.as_str() {
                Some(s) if target.option(s).is_none() => {
                    self.problem_with(
                        path,
                        "form-def-unknown-option",
                        &[
                            ("value", s.chars().take(64).collect()),
                            ("field", target.key.clone()),
                        ],
                    );
                    return None;
                }
                Some(_) => true,
                None => false,
            },
            FieldType::File => false,
            _ => v.is_string(),
        };
        if !fits {
            self.problem_with(
                path,
                "form-def-value-type",
                &[
                    ("field", target.key.clone()),
                    ("kind", target.kind.as_str().into()),
                ],
            );
            return None;
        }
        Some(())
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
