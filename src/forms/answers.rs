//! Answers to a form: reading what was typed into typed values, checking them against the
//! definition, and deciding which pages and fields are shown.
//!
//! The rules of docs/FORMS.md hold here and nowhere else: a hidden field is never required and
//! its answer is dropped; a condition on a hidden or unanswered field is false. Fields are
//! read in form order, so a condition (which only reads earlier fields) always sees the
//! final value of what it reads.
//!
//! Input arrives as text values per key (an HTML form, or the JSON of the API turned into
//! text by [`Raw::from_json`]), so both paths share every check. The typed answers are a
//! JSON object: strings, numbers, booleans, lists of option values for multiple choice and
//! `{"id", "name", "size", "content_type"}` for files.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::definition::{Condition, Field, FieldType, FormDefinition};
use crate::error::FieldErrors;

/// Typed answers by field key.
pub type Answers = Map<String, Value>;

/// Text values per field key, as a form sends them (several for multiple choice).
#[derive(Debug, Default, Clone)]
pub struct Raw {
    values: HashMap<String, Vec<String>>,
    /// Keys whose JSON value had a shape no field takes (an object, a nested list).
    malformed: Vec<String>,
}

impl Raw {
    /// The values of a submitted HTML form, as name and value pairs; a repeated name collects
    /// all its values.
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Raw {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            m.entry(k).or_default().push(v);
        }
        Raw {
            values: m,
            malformed: Vec::new(),
        }
    }

    /// The API's answers object: strings, numbers, booleans and lists of them become the
    /// text a form would have sent; a file is named by its id (or `{"id": ..}`); other
    /// shapes are marked malformed and refused by the check.
    pub fn from_json(answers: &Map<String, Value>) -> Raw {
        fn text(v: &Value) -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Bool(true) => Some("yes".into()),
                Value::Bool(false) => Some("no".into()),
                Value::Number(n) => Some(n.to_string()),
                Value::Object(o) => o.get("id").filter(|id| id.is_number()).and_then(text),
                _ => None,
            }
        }
        let mut raw = Raw::default();
        for (k, v) in answers {
            let values: Option<Vec<String>> = match v {
                Value::Null => Some(vec![]),
                Value::Array(a) => a.iter().map(text).collect(),
                other => text(other).map(|t| vec![t]),
            };
            match values {
                Some(values) => {
                    raw.values.insert(k.clone(), values);
                }
                None => raw.malformed.push(k.clone()),
            }
        }
        raw
    }

    /// The values sent for `key`, without empty ones.
    fn values(&self, key: &str) -> Vec<&str> {
        self.values
            .get(key)
            .map(|v| {
                v.iter()
                    .map(|s| s.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every value sent for `key`, empty ones included; `None` when the key was not sent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// Sets `key` to the single value `value`, replacing what was sent (a file just stored).
    pub fn insert(&mut self, key: &str, value: String) {
        self.values.insert(key.to_string(), vec![value]);
    }
}

/// A file already stored for this run of the form, which a file field may name.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// The file's row in `pilot_files`; the value a file field's answer names.
    pub id: i64,
    /// The field the file was uploaded for; another field cannot claim it.
    pub field_key: String,
    /// The uploaded file's name, cleaned for display.
    pub name: String,
    /// The size in bytes.
    pub size: i64,
    /// The MIME type found when the file was stored.
    pub content_type: String,
}

/// Whether the condition holds over the answers given so far.
pub fn holds(c: &Condition, answers: &Answers) -> bool {
    let num = |field: &str| answers.get(field).and_then(Value::as_f64);
    match c {
        Condition::Equals { field, value } => answers.get(field).is_some_and(|a| same(a, value)),
        Condition::In { field, values } => answers
            .get(field)
            .is_some_and(|a| values.iter().any(|v| same(a, v))),
        Condition::Gt { field, than } => num(field).is_some_and(|n| n > *than),
        Condition::Lt { field, than } => num(field).is_some_and(|n| n < *than),
        Condition::Set { field, set } => answers.contains_key(field) == *set,
        Condition::All(cs) => cs.iter().all(|c| holds(c, answers)),
        Condition::Any(cs) => cs.iter().any(|c| holds(c, answers)),
        Condition::Not(c) => !holds(c, answers),
    }
}

/// An answer equals a value: numbers by value, a multiple choice when it holds the value.
fn same(answer: &Value, v: &Value) -> bool {
    match (answer, v) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(items), v) => items.iter().any(|i| same(i, v)),
        (a, b) => a == b,
    }
}

/// Which pages are shown, given the answers. Fields on a shown page are shown when their
/// own condition holds; [`check`] applies both.
pub fn visible_pages(def: &FormDefinition, answers: &Answers) -> Vec<bool> {
    def.pages
        .iter()
        .map(|p| p.visible_if.as_ref().is_none_or(|c| holds(c, answers)))
        .collect()
}

/// The first email address among the answers, in form order: where a receipt's copy
/// would go unless the person types another.
pub fn first_email<'a>(def: &FormDefinition, answers: &'a Answers) -> Option<&'a str> {
    def.fields()
        .filter(|f| f.kind == FieldType::Email)
        .find_map(|f| answers.get(&f.key).and_then(Value::as_str))
}

/// What the check of some pages found: the typed answers of the shown fields (in the
/// checked pages) and the problems, by field key.
#[derive(Debug, Default)]
pub struct Checked {
    /// The typed answers of the shown fields, by field key.
    pub answers: Answers,
    /// The problems, by field key; empty when every answer is fine.
    pub errors: FieldErrors,
}

impl Checked {
    /// The problems other than answers left out: what even a draft may not keep.
    pub fn invalid(&self) -> FieldErrors {
        let mut out = FieldErrors::new();
        for (key, message) in self.errors.iter() {
            if !MISSING.contains(&message.id.as_str()) {
                out.add_message(key, message.clone());
            }
        }
        out
    }
}

/// The messages of required answers left out, one per kind of field.
const MISSING: [&str; 4] = [
    "form-answer-consent",
    "form-answer-choose",
    "form-answer-file-missing",
    "form-answer-required",
];

/// Which pages a check covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every page: a whole submission.
    All,
    /// One step of a multi-step form; earlier answers come from what was stored.
    Page(usize),
    /// One question of the assistant: the field at `index` on page `page`.
    Field {
        /// The page, from 0.
        page: usize,
        /// The field on that page, from 0.
        index: usize,
    },
}

/// Checks the answers of `scope`. `earlier` holds the stored typed answers of other pages
/// (for a step) and is what conditions read for fields outside the scope; inside the scope
/// they read the new values. Answers outside the scope are returned unchanged only where
/// their field is still shown.
pub fn check(
    def: &FormDefinition,
    scope: Scope,
    raw: &Raw,
    earlier: &Answers,
    files: &[StoredFile],
) -> Checked {
    let mut out = Checked::default();
    for (i, page) in def.pages.iter().enumerate() {
        let page_shown = page
            .visible_if
            .as_ref()
            .is_none_or(|c| holds(c, &out.answers));
        for (j, f) in page.fields.iter().enumerate() {
            let in_scope = match scope {
                Scope::All => true,
                Scope::Page(p) => p == i,
                Scope::Field { page, index } => page == i && index == j,
            };
            if !f.kind.takes_answer() {
                continue;
            }
            let shown = page_shown && f.visible_if.as_ref().is_none_or(|c| holds(c, &out.answers));
            if !shown {
                continue;
            }
            if !in_scope {
                if let Some(v) = earlier.get(&f.key) {
                    out.answers.insert(f.key.clone(), v.clone());
                }
                continue;
            }
            if raw.malformed.contains(&f.key) {
                out.errors.add(&f.key, "form-answer-shape");
                continue;
            }
            match value_of(f, &raw.values(&f.key), files) {
                Ok(Some(v)) => {
                    out.answers.insert(f.key.clone(), v);
                }
                Ok(None) if f.required => out.errors.add(&f.key, missing(f.kind)),
                Ok(None) => {}
                Err((id, args)) => out.errors.add_with(&f.key, id, &args),
            }
        }
    }
    out
}

/// What a required field says when it was left empty: a consent must be given, a choice
/// made, a file attached, a text typed.
fn missing(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Consent => MISSING[0],
        FieldType::Choice | FieldType::YesNo | FieldType::Rating => MISSING[1],
        FieldType::File => MISSING[2],
        _ => MISSING[3],
    }
}

type Problem = (&'static str, Vec<(&'static str, String)>);

fn problem(id: &'static str) -> Problem {
    (id, Vec::new())
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One field's typed value from the text sent for it; `None` when nothing was given.
pub fn value_of(
    f: &Field,
    values: &[&str],
    files: &[StoredFile],
) -> Result<Option<Value>, Problem> {
    if f.kind == FieldType::Choice && f.multiple {
        return multiple_choice(f, values);
    }
    let Some(&first) = values.first() else {
        return Ok(None);
    };
    if values.len() > 1 {
        return Err(problem("form-answer-one-value"));
    }
    let text = crate::text::clean(first);
    let text = if f.kind == FieldType::Textarea {
        text.replace("\r\n", "\n").trim().to_string()
    } else {
        text.replace(['\n', '\r', '\t'], " ").trim().to_string()
    };
    if text.is_empty() {
        return Ok(None);
    }
    let range = |n: f64| -> Result<(), Problem> {
        match (f.min, f.max) {
            (Some(lo), Some(hi)) if n < lo || n > hi => Err((
                "form-answer-between",
                vec![("min", fmt_num(lo)), ("max", fmt_num(hi))],
            )),
            (Some(lo), _) if n < lo => Err(("form-answer-at-least", vec![("min", fmt_num(lo))])),
            (_, Some(hi)) if n > hi => Err(("form-answer-at-most", vec![("max", fmt_num(hi))])),
            _ => Ok(()),
        }
    };
    let value = match f.kind {
        FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone => {
            let len = text.chars().count() as u32;
            if len > f.max_length() {
                return Err((
                    "form-answer-too-long",
                    vec![
                        ("max", f.max_length().to_string()),
                        ("length", len.to_string()),
                    ],
                ));
            }
            if let Some(min) = f.min_length.filter(|m| len < *m) {
                return Err(("form-answer-too-short", vec![("min", min.to_string())]));
            }
            match f.kind {
                FieldType::Email => match crate::text::normalise_email(&text) {
                    Some(e) => json!(e),
                    None => return Err(problem("form-answer-email")),
                },
                FieldType::Phone if !plausible_phone(&text) => {
                    return Err(problem("form-answer-phone"))
                }
                _ => {
                    if let Some(p) = &f.pattern {
                        if !p.regex.is_match(&text) {
                            return Err(problem("form-answer-pattern"));
                        }
                    }
                    json!(text)
                }
            }
        }
        FieldType::Number => {
            let n: i64 = text
                .strip_prefix('+')
                .unwrap_or(&text)
                .parse()
                .map_err(|_| problem("form-answer-integer"))?;
            range(n as f64)?;
            json!(n)
        }
        FieldType::Decimal => {
            let n = parse_decimal(&text).ok_or_else(|| problem("form-answer-decimal"))?;
            range(n)?;
            json!(n)
        }
        FieldType::Rating => {
            let (lo, hi) = f.rating_scale();
            let n: i64 = text.parse().map_err(|_| problem("form-answer-choose"))?;
            if n < lo || n > hi {
                return Err((
                    "form-answer-between",
                    vec![("min", lo.to_string()), ("max", hi.to_string())],
                ));
            }
            json!(n)
        }
        FieldType::Date => json!(parse_date(&text)
            .ok_or_else(|| problem("form-answer-date"))?
            .format("%Y-%m-%d")
            .to_string()),
        FieldType::Choice => {
            f.option(&text)
                .ok_or_else(|| problem("form-answer-option"))?;
            json!(text)
        }
        FieldType::YesNo => {
            json!(parse_yes_no(&text).ok_or_else(|| problem("form-answer-choose"))?)
        }
        FieldType::Consent => match parse_yes_no(&text) {
            Some(true) => json!(true),
            Some(false) => return Ok(None),
            None => return Err(problem("form-answer-consent")),
        },
        FieldType::File => {
            let id: i64 = text
                .parse()
                .map_err(|_| problem("form-answer-file-missing"))?;
            let file = files
                .iter()
                .find(|s| s.id == id && s.field_key == f.key)
                .ok_or_else(|| problem("form-answer-file-missing"))?;
            json!({ "id": file.id, "name": file.name, "size": file.size, "content_type": file.content_type })
        }
        FieldType::Statement => return Ok(None),
    };
    Ok(Some(value))
}

fn multiple_choice(f: &Field, values: &[&str]) -> Result<Option<Value>, Problem> {
    let mut picked: Vec<&str> = Vec::new();
    for v in values {
        let v = v.trim();
        if f.option(v).is_none() {
            return Err(problem("form-answer-option"));
        }
        if !picked.contains(&v) {
            picked.push(v);
        }
    }
    // Keep the definition's order, whatever order the browser sent.
    let picked: Vec<&str> = f
        .options
        .iter()
        .map(|o| o.value.as_str())
        .filter(|v| picked.contains(v))
        .collect();
    let n = picked.len() as f64;
    if picked.is_empty() {
        return Ok(None);
    }
    if let Some(lo) = f.min.filter(|lo| n < *lo) {
        return Err(("form-answer-pick-at-least", vec![("min", fmt_num(lo))]));
    }
    if let Some(hi) = f.max.filter(|hi| n > *hi) {
        return Err(("form-answer-pick-at-most", vec![("max", fmt_num(hi))]));
    }
    Ok(Some(json!(picked)))
}

/// "3,5", "3.5", "-0,25": a comma or a point as the decimal sign, no thousands separators.
fn parse_decimal(text: &str) -> Option<f64> {
    let t = text.replace(',', ".");
    let body = t.strip_prefix(['-', '+']).unwrap_or(&t);
    let well_formed = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit());
    well_formed
        .then(|| t.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
}

/// ISO (as date inputs send it) or the German way of writing a date (`24.12.2026`).
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
}

fn parse_yes_no(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "yes" | "ja" | "true" | "on" | "1" => Some(true),
        "no" | "nein" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Digits with the usual separators, an optional leading `+`, and at least five digits.
fn plausible_phone(text: &str) -> bool {
    let body = text.strip_prefix('+').unwrap_or(text);
    body.chars()
        .all(|c| c.is_ascii_digit() || " -/()".contains(c))
        && body.chars().filter(char::is_ascii_digit).count() >= 5
}

/// The answer as a person reads it (in receipts, exports and the review page).
pub fn display(f: &Field, v: &Value, lang: crate::i18n::Lang) -> String {
    let yes_no = |b: bool| crate::i18n::text(lang, if b { "form-yes" } else { "form-no" });
    match (f.kind, v) {
        (FieldType::Choice, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| {
                f.option(s)
                    .map_or(s.to_string(), |o| o.label.get(lang).to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        (FieldType::Choice, Value::String(s)) => f
            .option(s)
            .map_or(s.clone(), |o| o.label.get(lang).to_string()),
        (FieldType::YesNo | FieldType::Consent, Value::Bool(b)) => yes_no(*b),
        (FieldType::Date, Value::String(s)) => {
            match (lang, NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
                (crate::i18n::Lang::De, Ok(d)) => d.format("%d.%m.%Y").to_string(),
                _ => s.clone(),
            }
        }
        (FieldType::Decimal, Value::Number(n)) if lang == crate::i18n::Lang::De => {
            n.to_string().replace('.', ",")
        }
        (FieldType::File, Value::Object(o)) => o
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> FormDefinition {
        FormDefinition::from_value(&json!({
            "title": "Hundesteuer",
            "pages": [
                {"key": "halter", "title": "Halter", "fields": [
                    {"key": "name", "type": "text", "label": "Name", "required": true, "max_length": 20},
                    {"key": "email", "type": "email", "label": "E-Mail"},
                    {"key": "telefon", "type": "phone", "label": "Telefon"},
                    {"key": "plz", "type": "text", "label": "PLZ", "pattern": "[0-9]{5}"},
                    {"key": "anzahl", "type": "number", "label": "Anzahl", "min": 1, "max": 20, "required": true},
                    {"key": "gewicht", "type": "decimal", "label": "Gewicht", "max": 100},
                    {"key": "geboren", "type": "date", "label": "Geburtstag"},
                    {"key": "listenhund", "type": "yes_no", "label": "Listenhund?"},
                    {"key": "nachweis", "type": "file", "label": "Wesenstest", "required": true,
                     "visible_if": {"field": "listenhund", "equals": true}}
                ]},
                {"key": "hunde", "title": "Hunde", "visible_if": {"field": "anzahl", "gt": 1}, "fields": [
                    {"key": "rassen", "type": "choice", "multiple": true, "label": "Rassen", "max": 2,
                     "options": [{"value": "dackel"}, {"value": "pudel"}, {"value": "mops"}]},
                    {"key": "bemerkung", "type": "textarea", "label": "Bemerkung", "min_length": 5}
                ]},
                {"key": "ende", "title": "Ende", "fields": [
                    {"key": "hinweis", "type": "statement", "label": "Danke"},
                    {"key": "bewertung", "type": "rating", "label": "Wie war es?"},
                    {"key": "art", "type": "choice", "label": "Art", "options": [{"value": "a"}, {"value": "b"}]},
                    {"key": "einwilligung", "type": "consent", "label": "Ich willige ein", "required": true}
                ]}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn the_first_answered_email_field_is_the_receipts_address() {
        let def = FormDefinition::from_value(&json!({"title": "T", "pages": [
            {"key": "a", "title": "A", "fields": [
                {"key": "name", "type": "text", "label": "Name"},
                {"key": "privat", "type": "email", "label": "Privat"},
                {"key": "dienst", "type": "email", "label": "Dienstlich"}
            ]}
        ]}))
        .unwrap();
        let answers = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(first_email(&def, &answers(json!({"name": "x@y.de"}))), None);
        assert_eq!(
            first_email(&def, &answers(json!({"dienst": "d@amt.de"}))),
            Some("d@amt.de")
        );
        assert_eq!(
            first_email(
                &def,
                &answers(json!({"dienst": "d@amt.de", "privat": "p@web.de"}))
            ),
            Some("p@web.de")
        );
    }

    fn raw(pairs: &[(&str, &str)]) -> Raw {
        Raw::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn all(pairs: &[(&str, &str)]) -> Checked {
        check(&def(), Scope::All, &raw(pairs), &Answers::new(), &[])
    }

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![("name", "Erika"), ("anzahl", "1"), ("einwilligung", "on")]
    }

    #[test]
    fn a_minimal_submission_is_typed() {
        let c = all(&valid());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.answers["name"], json!("Erika"));
        assert_eq!(c.answers["anzahl"], json!(1));
        assert_eq!(c.answers["einwilligung"], json!(true));
        assert_eq!(c.answers.len(), 3);
    }

    #[test]
    fn required_fields_are_named_with_the_right_words() {
        let c = all(&[]);
        assert_eq!(c.errors.get("name"), Some("form-answer-required"));
        assert_eq!(c.errors.get("anzahl"), Some("form-answer-required"));
        assert_eq!(c.errors.get("einwilligung"), Some("form-answer-consent"));
        // Hidden (Listenhund not answered): not required.
        assert_eq!(c.errors.get("nachweis"), None);
    }

    #[test]
    fn every_type_refuses_bad_input() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "name",
                "Ein viel zu langer Name für dieses Feld",
                "form-answer-too-long",
            ),
            ("email", "erika@", "form-answer-email"),
            ("telefon", "call me", "form-answer-phone"),
            ("plz", "1234a", "form-answer-pattern"),
            ("anzahl", "zwei", "form-answer-integer"),
            ("anzahl", "2.5", "form-answer-integer"),
            ("anzahl", "21", "form-answer-between"),
            ("gewicht", "12,5,3", "form-answer-decimal"),
            ("gewicht", "1e400", "form-answer-decimal"),
            ("gewicht", "101", "form-answer-at-most"),
            ("geboren", "31.02.2020", "form-answer-date"),
            ("listenhund", "vielleicht", "form-answer-choose"),
            ("bewertung", "6", "form-answer-between"),
            ("bewertung", "gut", "form-answer-choose"),
            ("art", "c", "form-answer-option"),
            ("einwilligung", "maybe", "form-answer-consent"),
        ];
        for (key, value, expected) in cases {
            let mut pairs = valid();
            pairs.retain(|(k, _)| k != key);
            pairs.push((key, value));
            let c = all(&pairs);
            assert_eq!(
                c.errors.get(key),
                Some(*expected),
                "{key}={value}: {:?}",
                c.errors
            );
            assert!(!c.answers.contains_key(*key));
        }
    }

    #[test]
    fn tolerant_where_people_write_differently() {
        let mut pairs = valid();
        pairs.extend([
            ("gewicht", "12,5"),
            ("geboren", "24.12.2019"),
            ("email", " Erika@Example.ORG "),
            ("telefon", "+49 (30) 1234-56"),
            ("listenhund", "nein"),
        ]);
        let c = all(&pairs);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.answers["gewicht"], json!(12.5));
        assert_eq!(c.answers["geboren"], json!("2019-12-24"));
        assert_eq!(c.answers["email"], json!("erika@example.org"));
        assert_eq!(c.answers["listenhund"], json!(false));
    }

    #[test]
    fn answers_to_hidden_fields_and_pages_are_dropped() {
        let mut pairs = valid();
        pairs.extend([
            ("nachweis", "7"),
            ("rassen", "dackel"),
            ("bemerkung", "nicht sichtbar"),
            ("unbekannt", "x"),
        ]);
        let c = all(&pairs);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(!c.answers.contains_key("nachweis"));
        assert!(
            !c.answers.contains_key("rassen"),
            "page 2 is hidden with one dog"
        );
        assert!(!c.answers.contains_key("unbekannt"));
    }

    #[test]
    fn a_shown_conditional_field_is_required_and_takes_only_this_runs_files() {
        let mut pairs = valid();
        pairs.push(("listenhund", "ja"));
        assert_eq!(
            all(&pairs).errors.get("nachweis"),
            Some("form-answer-file-missing")
        );
        pairs.push(("nachweis", "7"));
        let files = [StoredFile {
            id: 7,
            field_key: "nachweis".into(),
            name: "test.pdf".into(),
            size: 10,
            content_type: "application/pdf".into(),
        }];
        let c = check(&def(), Scope::All, &raw(&pairs), &Answers::new(), &files);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.answers["nachweis"]["name"], json!("test.pdf"));
        // Another run's file (or another field's) is not taken.
        let foreign = [StoredFile {
            field_key: "other".into(),
            ..files[0].clone()
        }];
        let c = check(&def(), Scope::All, &raw(&pairs), &Answers::new(), &foreign);
        assert_eq!(c.errors.get("nachweis"), Some("form-answer-file-missing"));
    }

    #[test]
    fn multiple_choice_keeps_option_order_and_counts() {
        let mut pairs = valid();
        pairs.retain(|(k, _)| *k != "anzahl");
        pairs.extend([
            ("anzahl", "2"),
            ("rassen", "mops"),
            ("rassen", "dackel"),
            ("rassen", "mops"),
        ]);
        let c = all(&pairs);
        assert_eq!(c.answers["rassen"], json!(["dackel", "mops"]));
        pairs.push(("rassen", "pudel"));
        assert_eq!(
            all(&pairs).errors.get("rassen"),
            Some("form-answer-pick-at-most")
        );
        pairs.push(("bemerkung", "kurz"));
        assert_eq!(
            all(&pairs).errors.get("bemerkung"),
            Some("form-answer-too-short")
        );
    }

    #[test]
    fn two_values_for_a_single_field_are_refused() {
        let mut pairs = valid();
        pairs.push(("name", "Mallory"));
        assert_eq!(
            all(&pairs).errors.get("name"),
            Some("form-answer-one-value")
        );
    }

    #[test]
    fn a_step_checks_its_page_and_reads_earlier_answers() {
        let d = def();
        let first = check(
            &d,
            Scope::Page(0),
            &raw(&[("name", "Erika"), ("anzahl", "3")]),
            &Answers::new(),
            &[],
        );
        assert!(first.errors.is_empty());
        // Page 2 is shown because of page 1's stored answer; page 3's consent is not checked.
        let second = check(
            &d,
            Scope::Page(1),
            &raw(&[("rassen", "pudel")]),
            &first.answers,
            &[],
        );
        assert!(second.errors.is_empty(), "{:?}", second.errors);
        assert_eq!(second.answers["rassen"], json!(["pudel"]));
        assert_eq!(second.answers["anzahl"], json!(3));
        assert_eq!(visible_pages(&d, &second.answers), vec![true, true, true]);
        // Going back and answering one dog hides page 2: its answers go on the next check.
        let changed = check(
            &d,
            Scope::Page(0),
            &raw(&[("name", "Erika"), ("anzahl", "1")]),
            &second.answers,
            &[],
        );
        assert!(!changed.answers.contains_key("rassen"));
        assert_eq!(visible_pages(&d, &changed.answers), vec![true, false, true]);
    }

    #[test]
    fn json_answers_take_the_same_path() {
        let m = json!({"name": "Erika", "anzahl": 2, "listenhund": false, "rassen": ["pudel"], "einwilligung": true, "gewicht": 7.5, "art": {"x": 1}})
            .as_object()
            .unwrap()
            .clone();
        let c = check(
            &def(),
            Scope::All,
            &Raw::from_json(&m),
            &Answers::new(),
            &[],
        );
        assert_eq!(c.answers["anzahl"], json!(2));
        assert_eq!(c.answers["listenhund"], json!(false));
        assert_eq!(c.answers["rassen"], json!(["pudel"]));
        assert_eq!(c.errors.get("art"), Some("form-answer-shape"));
    }

    #[test]
    fn answers_read_back_for_people() {
        let d = def();
        let f = d.field("geboren").unwrap();
        assert_eq!(
            display(f, &json!("2019-12-24"), crate::i18n::Lang::De),
            "24.12.2019"
        );
        let f = d.field("gewicht").unwrap();
        assert_eq!(display(f, &json!(12.5), crate::i18n::Lang::De), "12,5");
    }
}
