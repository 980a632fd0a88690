//! Building a definition one piece at a time, as the builder pages do without JavaScript:
//! a field or a page from an editor's inputs, moves and removals.
//!
//! Every edit is made on the definition's JSON and the result is read again by
//! [`FormDefinition::from_value`], so the builder can never store what an import would
//! refuse. Problems come back under the editor's input names (`max_length`, `label_de`,
//! `condition`) where they belong to the piece being edited, and with their path where
//! they concern another part of the form (a later condition that reads a renamed field).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::definition::{self, Condition, Field, FieldType, FormDefinition, Page};
use crate::error::FieldErrors;
use crate::i18n::Lang;

/// The condition part of a field's or a page's editor: one comparison with an earlier
/// field, which covers what authors set by hand; a combined condition written in JSON
/// is kept as it is unless the author replaces it.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
pub struct ConditionInput {
    /// The key of the field the condition reads; empty for no condition.
    #[serde(default)]
    pub cond_field: String,
    /// One of `OPERATORS`, or `KEEP` to leave a combined condition as it is.
    #[serde(default)]
    pub cond_op: String,
    /// The value compared with, as typed; a comma-separated list for `in`.
    #[serde(default)]
    pub cond_value: String,
}

/// The comparisons the editor offers, by their input value.
pub const OPERATORS: [&str; 7] = ["equals", "not_equals", "in", "gt", "lt", "set", "not_set"];
/// The operator value that keeps a combined condition from the JSON.
pub const KEEP: &str = "keep";

/// A field's editor, as the form sends it.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
pub struct FieldInput {
    /// The field type's spelling (`text`, `yes_no`, …), as sent.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The field's key; empty to make one from the German label.
    #[serde(default)]
    pub key: String,
    /// The German label.
    #[serde(default)]
    pub label_de: String,
    /// The English label; empty for none.
    #[serde(default)]
    pub label_en: String,
    /// The German help text; empty for none.
    #[serde(default)]
    pub help_de: String,
    /// The English help text; empty for none.
    #[serde(default)]
    pub help_en: String,
    /// The required checkbox: any non-empty value means ticked.
    #[serde(default)]
    pub required: Option<String>,
    /// The smallest number, or fewest options to pick, as typed (a decimal comma is fine).
    #[serde(default)]
    pub min: String,
    /// The largest number, or most options to pick, as typed.
    #[serde(default)]
    pub max: String,
    /// The fewest characters of a text answer, as typed.
    #[serde(default)]
    pub min_length: String,
    /// The most characters of a text answer, as typed.
    #[serde(default)]
    pub max_length: String,
    /// The pattern a text answer must match; empty for none.
    #[serde(default)]
    pub pattern: String,
    /// The multiple-choice checkbox: any non-empty value means ticked.
    #[serde(default)]
    pub multiple: Option<String>,
    /// One option per line: `Label` or `value | Label | English label`.
    #[serde(default)]
    pub options: String,
    /// When the field is shown.
    #[serde(flatten)]
    pub condition: ConditionInput,
}

/// A page's editor: its key, title and condition.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
pub struct PageInput {
    /// The page's key; empty to make one from the German title.
    #[serde(default)]
    pub page_key: String,
    /// The German title.
    #[serde(default)]
    pub title_de: String,
    /// The English title; empty for none.
    #[serde(default)]
    pub title_en: String,
    /// When the page is shown.
    #[serde(flatten)]
    pub condition: ConditionInput,
}

/// One change to a definition.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Puts a field on page `page`: in place of the field `replacing`, or at the end.
    PutField {
        /// The index of the page the field goes on.
        page: usize,
        /// The key of the field being edited; `None` for a new field.
        replacing: Option<String>,
        /// The field's editor.
        input: FieldInput,
    },
    /// Changes page `index`'s key, title and condition.
    PutPage {
        /// The index of the page.
        index: usize,
        /// The page's editor.
        input: PageInput,
    },
    /// Adds a page at the end with its first field.
    AddPage {
        /// The new page's editor.
        page: PageInput,
        /// The editor of the new page's first field.
        field: FieldInput,
    },
    /// Moves a field one place up or down; past the first or last field of its page it
    /// moves to the neighbouring page.
    MoveField {
        /// The key of the field to move.
        key: String,
        /// Towards the start of the form when `true`, towards the end when `false`.
        up: bool,
    },
    /// Removes a field, unless a condition reads it or it is the last of its page.
    RemoveField {
        /// The key of the field to remove.
        key: String,
    },
    /// Swaps a page with the one before or after it.
    MovePage {
        /// The index of the page to move.
        index: usize,
        /// Towards the start of the form when `true`, towards the end when `false`.
        up: bool,
    },
    /// Removes a page with its fields, unless it is the only page or a condition elsewhere
    /// reads one of them.
    RemovePage {
        /// The index of the page to remove.
        index: usize,
    },
}

/// Applies an edit; the new definition, or every problem under the editor's input names.
pub fn apply(def: &FormDefinition, edit: &Edit) -> Result<FormDefinition, FieldErrors> {
    let edit = &with_keys(def, edit);
    let mut json = def.to_json();
    let pages = pages_of(&mut json);
    // Where problems of the edited piece sit, and so which become input errors.
    let mut own: Vec<Piece> = Vec::new();
    match edit {
        Edit::PutField {
            page,
            replacing,
            input,
        } => {
            let existing = replacing.as_deref().and_then(|k| def.field(k));
            let field = input.to_json(def, existing);
            let list = fields_of(pages, *page)?;
            let at = match replacing {
                Some(k) => position(list, k).ok_or_else(|| general("form-builder-gone"))?,
                None => {
                    list.push(Value::Null);
                    list.len() - 1
                }
            };
            list[at] = field;
            own.push(Piece::Field(format!("pages[{page}].fields[{at}].")));
            if let Some(old) = replacing.as_deref().filter(|k| *k != input.key.trim()) {
                rename_references(&mut json, old, input.key.trim());
            }
        }
        Edit::PutPage { index, input } => {
            let existing = def
                .pages
                .get(*index)
                .ok_or_else(|| general("form-builder-gone"))?;
            let Some(page) = pages.get_mut(*index) else {
                return Err(general("form-builder-gone"));
            };
            let fields = page["fields"].take();
            *page = input.to_json(def, existing.visible_if.as_ref());
            page["fields"] = fields;
            own.push(Piece::Page(format!("pages[{index}].")));
        }
        Edit::AddPage { page, field } => {
            let mut p = page.to_json(def, None);
            p["fields"] = json!([field.to_json(def, None)]);
            pages.push(p);
            let at = pages.len() - 1;
            own.push(Piece::Field(format!("pages[{at}].fields[0].")));
            own.push(Piece::Page(format!("pages[{at}].")));
        }
        Edit::MoveField { key, up } => move_field(pages, key, *up)?,
        Edit::RemoveField { key } => {
            let users = readers_of(def, key);
            unread(&users)?;
            let page = def
                .page_of(key)
                .ok_or_else(|| general("form-builder-gone"))?;
            let list = fields_of(pages, page)?;
            if list.len() == 1 {
                return Err(general("form-builder-last-field"));
            }
            list.retain(|f| f["key"] != key.as_str());
        }
        Edit::MovePage { index, up } => {
            let other = if *up {
                index.checked_sub(1)
            } else {
                Some(index + 1)
            };
            match other {
                Some(o) if o < pages.len() && *index < pages.len() => pages.swap(*index, o),
                _ => return Err(general("form-builder-gone")),
            }
        }
        Edit::RemovePage { index } => {
            let page = def
                .pages
                .get(*index)
                .ok_or_else(|| general("form-builder-gone"))?;
            if def.pages.len() == 1 {
                return Err(general("form-builder-last-page"));
            }
            let users: Vec<String> = page
                .fields
                .iter()
                .flat_map(|f| readers_of(def, &f.key))
                .filter(|u| !page.fields.iter().any(|f| &f.key == u))
                .collect();
            unread(&users)?;
            pages.remove(*index);
        }
    }
    FormDefinition::from_value(&json).map_err(|e| to_inputs(e, &own))
}

/// An author may leave a new field's or page's key empty: it is made from the label.
fn with_keys(def: &FormDefinition, edit: &Edit) -> Edit {
    let field_taken = |k: &str| def.field(k).is_some();
    let page_taken = |k: &str| def.pages.iter().any(|p| p.key == k);
    let mut edit = edit.clone();
    match &mut edit {
        Edit::PutField { input, .. } if input.key.trim().is_empty() => {
            input.key = suggest_key(&input.label_de, &field_taken);
        }
        Edit::AddPage { page, field } => {
            if page.page_key.trim().is_empty() {
                page.page_key = suggest_key(&page.title_de, &page_taken);
            }
            if field.key.trim().is_empty() {
                field.key = suggest_key(&field.label_de, &field_taken);
            }
        }
        _ => {}
    }
    edit
}

/// A field or page leaves only when no condition reads it; otherwise the readers are named.
fn unread(readers: &[String]) -> Result<(), FieldErrors> {
    if readers.is_empty() {
        return Ok(());
    }
    let mut e = FieldErrors::new();
    e.add_with(
        "builder",
        "form-builder-in-use",
        &[("fields", readers.join(", "))],
    );
    Err(e)
}

fn general(id: &str) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add("builder", id);
    e
}

fn pages_of(json: &mut Value) -> &mut Vec<Value> {
    match &mut json["pages"] {
        Value::Array(a) => a,
        // A definition's JSON always has its pages; this keeps the code total.
        other => {
            *other = json!([]);
            other.as_array_mut().expect("just set")
        }
    }
}

fn fields_of(pages: &mut [Value], page: usize) -> Result<&mut Vec<Value>, FieldErrors> {
    pages
        .get_mut(page)
        .and_then(|p| p["fields"].as_array_mut())
        .ok_or_else(|| general("form-builder-gone"))
}

fn position(list: &[Value], key: &str) -> Option<usize> {
    list.iter().position(|f| f["key"] == key)
}

fn move_field(pages: &mut [Value], key: &str, up: bool) -> Result<(), FieldErrors> {
    let (p, i) = pages
        .iter()
        .enumerate()
        .find_map(|(p, page)| {
            page["fields"]
                .as_array()
                .and_then(|l| position(l, key))
                .map(|i| (p, i))
        })
        .ok_or_else(|| general("form-builder-gone"))?;
    let len = fields_of(pages, p)?.len();
    match (up, i) {
        (true, 0) if p > 0 => {
            let f = fields_of(pages, p)?.remove(0);
            fields_of(pages, p - 1)?.push(f);
        }
        (true, 0) => return Err(general("form-builder-at-edge")),
        (true, _) => fields_of(pages, p)?.swap(i, i - 1),
        (false, _) if i + 1 < len => fields_of(pages, p)?.swap(i, i + 1),
        (false, _) if p + 1 < pages.len() => {
            let f = fields_of(pages, p)?.remove(i);
            fields_of(pages, p + 1)?.insert(0, f);
        }
        (false, _) => return Err(general("form-builder-at-edge")),
    }
    Ok(())
}

/// Keys of the fields and pages whose conditions read `key`.
pub fn readers_of(def: &FormDefinition, key: &str) -> Vec<String> {
    let reads = |c: &Option<Condition>| c.as_ref().is_some_and(|c| c.fields().contains(&key));
    def.pages
        .iter()
        .filter(|p| reads(&p.visible_if))
        .map(|p| p.key.clone())
        .chain(
            def.fields()
                .filter(|f| reads(&f.visible_if))
                .map(|f| f.key.clone()),
        )
        .collect()
}

/// A renamed field keeps the conditions that read it.
fn rename_references(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::Object(m) => {
            let is_comparison = m.get("field").and_then(Value::as_str) == Some(old)
                && m.keys()
                    .any(|k| ["equals", "in", "gt", "lt", "set"].contains(&k.as_str()));
            if is_comparison {
                m.insert("field".into(), json!(new));
            }
            m.values_mut()
                .for_each(|child| rename_references(child, old, new));
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|child| rename_references(child, old, new)),
        _ => {}
    }
}

/// The part of the definition an editor edits, by the path its problems start with.
enum Piece {
    Field(String),
    Page(String),
}

/// Problems of the edited pieces under their input names (the first piece that holds a
/// path takes it); the rest with their paths under `builder`, where the page lists them.
fn to_inputs(errors: FieldErrors, own: &[Piece]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (path, message) in errors.into_iter() {
        let input = own.iter().find_map(|piece| match piece {
            Piece::Field(prefix) => path.strip_prefix(prefix.as_str()).map(field_input),
            Piece::Page(prefix) => path.strip_prefix(prefix.as_str()).map(page_input),
        });
        match input {
            Some(name) => out.add_message(name, message),
            None => out.add_message(&format!("builder.{path}"), message),
        }
    }
    out
}

/// `true` for a text's English part (`label.en`), which has its own input.
fn english(rest: &str) -> bool {
    rest.ends_with(".en")
}

/// The field editor's input a problem's path (below the field) belongs to.
fn field_input(rest: &str) -> &str {
    match rest.split(['.', '[']).next().unwrap_or(rest) {
        "label" if english(rest) => "label_en",
        "label" => "label_de",
        "help" if english(rest) => "help_en",
        "help" => "help_de",
        "visible_if" => "condition",
        other => other,
    }
}

/// The page editor's input a problem's path (below the page) belongs to; a problem with
/// its fields has no input there and stays in the summary.
fn page_input(rest: &str) -> &str {
    match rest.split(['.', '[']).next().unwrap_or(rest) {
        "title" if english(rest) => "title_en",
        "title" => "title_de",
        "key" => "page_key",
        "visible_if" => "condition",
        _ => "builder",
    }
}

fn texts_json(de: &str, en: &str) -> Value {
    let (de, en) = (de.trim(), en.trim());
    if en.is_empty() {
        json!({ "de": de })
    } else {
        json!({ "de": de, "en": en })
    }
}

fn number_json(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // German authors write 2,5; a text that is no number stays text, so the reader
    // names the input.
    Some(
        t.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(definition::number_json)
            .unwrap_or_else(|| json!(t)),
    )
}

fn is_on(flag: &Option<String>) -> bool {
    flag.as_deref().is_some_and(|v| !v.is_empty())
}

impl FieldInput {
    /// The editor filled with a stored field.
    pub fn from_field(f: &Field, lang: Lang) -> FieldInput {
        let num = |n: Option<f64>| {
            n.map(|n| definition::number_json(n).to_string())
                .unwrap_or_default()
        };
        let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        FieldInput {
            kind: f.kind.as_str().to_string(),
            key: f.key.clone(),
            label_de: f.label.de.clone(),
            label_en: f.label.en.clone().unwrap_or_default(),
            help_de: f.help.as_ref().map(|h| h.de.clone()).unwrap_or_default(),
            help_en: f
                .help
                .as_ref()
                .and_then(|h| h.en.clone())
                .unwrap_or_default(),
            required: f.required.then(|| "on".to_string()),
            min: num(f.min),
            max: num(f.max),
            min_length: count(f.min_length),
            max_length: count(f.max_length),
            pattern: f
                .pattern
                .as_ref()
                .map(|p| p.source.clone())
                .unwrap_or_default(),
            multiple: f.multiple.then(|| "on".to_string()),
            options: f
                .options
                .iter()
                .map(|o| match &o.label.en {
                    Some(en) => format!("{} | {} | {}", o.value, o.label.de, en),
                    None if o.label.de == o.value => o.value.clone(),
                    None => format!("{} | {}", o.value, o.label.de),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            condition: ConditionInput::from_condition(f.visible_if.as_ref(), lang),
        }
    }

    /// A new field of `kind`.
    pub fn new(kind: FieldType) -> FieldInput {
        FieldInput {
            kind: kind.as_str().to_string(),
            ..FieldInput::default()
        }
    }

    /// The field type the editor shows inputs for; text when the sent type is unknown
    /// (the reader then names the type).
    pub fn field_type(&self) -> FieldType {
        FieldType::parse(&self.kind).unwrap_or(FieldType::Text)
    }

    /// The field's JSON. Only the inputs that apply to the type are written, so a type
    /// change never leaves settings the reader would refuse.
    fn to_json(&self, def: &FormDefinition, existing: Option<&Field>) -> Value {
        let kind = FieldType::parse(&self.kind);
        let mut m = Map::new();
        m.insert("key".into(), json!(self.key.trim()));
        m.insert("type".into(), json!(self.kind));
        m.insert("label".into(), texts_json(&self.label_de, &self.label_en));
        if !self.help_de.trim().is_empty() || !self.help_en.trim().is_empty() {
            m.insert("help".into(), texts_json(&self.help_de, &self.help_en));
        }
        let Some(kind) = kind else {
            return Value::Object(m);
        };
        if kind.takes_answer() && is_on(&self.required) {
            m.insert("required".into(), json!(true));
        }
        let limits: &[(&str, &str)] = match kind {
            k if k.is_textual() => &[
                ("min_length", &self.min_length),
                ("max_length", &self.max_length),
                ("pattern", &self.pattern),
            ],
            k if k.is_numeric() => &[("min", &self.min), ("max", &self.max)],
            FieldType::Choice if is_on(&self.multiple) => &[("min", &self.min), ("max", &self.max)],
            _ => &[],
        };
        for (name, text) in limits {
            let value = if *name == "pattern" {
                Some(json!(text.trim())).filter(|_| !text.trim().is_empty())
            } else {
                number_json(text)
            };
            if let Some(v) = value {
                m.insert((*name).into(), v);
            }
        }
        if kind == FieldType::Choice {
            if is_on(&self.multiple) {
                m.insert("multiple".into(), json!(true));
            }
            m.insert("options".into(), options_json(&self.options));
        }
        let existing_condition = existing.and_then(|f| f.visible_if.as_ref());
        if let Some(c) = self.condition.to_json(def, existing_condition) {
            m.insert("visible_if".into(), c);
        }
        Value::Object(m)
    }
}

fn options_json(text: &str) -> Value {
    Value::Array(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                match parts.as_slice() {
                    [label] => json!({ "value": label, "label": { "de": label } }),
                    [value, de] => json!({ "value": value, "label": { "de": de } }),
                    [value, de, en, ..] => {
                        json!({ "value": value, "label": texts_json(de, en) })
                    }
                    [] => Value::Null,
                }
            })
            .collect(),
    )
}

impl PageInput {
    /// The editor filled with a stored page.
    pub fn from_page(p: &Page, lang: Lang) -> PageInput {
        PageInput {
            page_key: p.key.clone(),
            title_de: p.title.de.clone(),
            title_en: p.title.en.clone().unwrap_or_default(),
            condition: ConditionInput::from_condition(p.visible_if.as_ref(), lang),
        }
    }

    fn to_json(&self, def: &FormDefinition, existing: Option<&Condition>) -> Value {
        let mut m = Map::new();
        m.insert("key".into(), json!(self.page_key.trim()));
        m.insert("title".into(), texts_json(&self.title_de, &self.title_en));
        if let Some(c) = self.condition.to_json(def, existing) {
            m.insert("visible_if".into(), c);
        }
        Value::Object(m)
    }
}

impl ConditionInput {
    /// The editor's view of a stored condition: one comparison, or "keep" for a
    /// combined one.
    pub fn from_condition(c: Option<&Condition>, lang: Lang) -> ConditionInput {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => yes_no_word(*b, lang).to_string(),
            other => other.to_string(),
        };
        let (field, op, value) = match c {
            None => return ConditionInput::default(),
            Some(Condition::Equals { field, value }) => (field, "equals", text(value)),
            Some(Condition::Not(inner)) => match inner.as_ref() {
                Condition::Equals { field, value } => (field, "not_equals", text(value)),
                _ => return ConditionInput::kept(),
            },
            Some(Condition::In { field, values }) => (
                field,
                "in",
                values.iter().map(text).collect::<Vec<_>>().join(", "),
            ),
            Some(Condition::Gt { field, than }) => {
                (field, "gt", definition::number_json(*than).to_string())
            }
            Some(Condition::Lt { field, than }) => {
                (field, "lt", definition::number_json(*than).to_string())
            }
            Some(Condition::Set { field, set: true }) => (field, "set", String::new()),
            Some(Condition::Set { field, set: false }) => (field, "not_set", String::new()),
            Some(Condition::All(_) | Condition::Any(_)) => return ConditionInput::kept(),
        };
        ConditionInput {
            cond_field: field.clone(),
            cond_op: op.to_string(),
            cond_value: value,
        }
    }

    fn kept() -> ConditionInput {
        ConditionInput {
            cond_op: KEEP.to_string(),
            ..ConditionInput::default()
        }
    }

    /// The condition's JSON, typed by the field it reads (a yes/no field compares with
    /// `true`, a number with a number); `None` for no condition.
    fn to_json(&self, def: &FormDefinition, existing: Option<&Condition>) -> Option<Value> {
        if self.cond_op == KEEP {
            return existing.map(Condition::to_json);
        }
        let field = self.cond_field.trim();
        if field.is_empty() {
            return None;
        }
        let kind = def.field(field).map(|f| f.kind);
        let value = |text: &str| typed_value(kind, text.trim());
        let list = || {
            Value::Array(
                self.cond_value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(value)
                    .collect(),
            )
        };
        let number = || number_json(&self.cond_value).unwrap_or(Value::Null);
        Some(match self.cond_op.as_str() {
            "not_equals" => json!({ "not": { "field": field, "equals": value(&self.cond_value) } }),
            "in" => json!({ "field": field, "in": list() }),
            "gt" => json!({ "field": field, "gt": number() }),
            "lt" => json!({ "field": field, "lt": number() }),
            "set" => json!({ "field": field, "set": true }),
            "not_set" => json!({ "field": field, "set": false }),
            _ => json!({ "field": field, "equals": value(&self.cond_value) }),
        })
    }
}

fn yes_no_word(b: bool, lang: Lang) -> &'static str {
    match (b, lang) {
        (true, Lang::De) => "ja",
        (false, Lang::De) => "nein",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

/// A value typed in the condition's input, as the JSON the field's answers compare with.
fn typed_value(kind: Option<FieldType>, text: &str) -> Value {
    match kind {
        Some(FieldType::YesNo | FieldType::Consent) => match text.to_lowercase().as_str() {
            "ja" | "yes" | "true" => json!(true),
            "nein" | "no" | "false" => json!(false),
            _ => json!(text),
        },
        Some(k) if k.is_numeric() => number_json(text).unwrap_or(Value::Null),
        _ => json!(text),
    }
}

/// Fields a condition on `before` (a field key, or the start of a page) may read: the
/// answered fields placed earlier in the form.
pub fn earlier_fields<'a>(def: &'a FormDefinition, before: Before<'_>) -> Vec<&'a Field> {
    let mut out = Vec::new();
    for (p, page) in def.pages.iter().enumerate() {
        if before == Before::Page(p) {
            break;
        }
        for f in &page.fields {
            if before == Before::Field(&f.key) {
                return out;
            }
            if f.kind.takes_answer() {
                out.push(f);
            }
        }
    }
    out
}

/// Where a condition sits, for [`earlier_fields`]: a field, the start of a page, or the
/// end of the form (a field being added to the last page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before<'a> {
    /// Just before the field with this key.
    Field(&'a str),
    /// At the start of the page with this index.
    Page(usize),
    /// After every field of the form.
    End,
}

/// A key for a new field or page from its label, unique in the form: `Name der Halterin`
/// becomes `name_der_halterin`, and `_2` is added while it is taken.
pub fn suggest_key(label: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let slug = if label.chars().any(|c| c.is_ascii_alphanumeric()) {
        crate::text::slugify(label).replace('-', "_")
    } else {
        String::new()
    };
    let base = if slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug
    } else {
        format!("feld_{slug}").trim_end_matches('_').to_string()
    };
    let mut key = base.clone();
    let mut n = 2;
    while taken(&key) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> FormDefinition {
        FormDefinition::from_value(&json!({
            "title": "Hundesteuer",
            "pages": [
                {"key": "halter", "title": "Halter", "fields": [
                    {"key": "name", "type": "text", "label": "Name", "required": true},
                    {"key": "listenhund", "type": "yes_no", "label": "Listenhund?"}
                ]},
                {"key": "hund", "title": "Hund", "fields": [
                    {"key": "nachweis", "type": "file", "label": "Wesenstest",
                     "visible_if": {"field": "listenhund", "equals": true}},
                    {"key": "rasse", "type": "choice", "label": "Rasse",
                     "options": [{"value": "dackel", "label": "Dackel"}, {"value": "pudel", "label": {"de": "Pudel", "en": "Poodle"}}]}
                ]}
            ]
        }))
        .expect("valid")
    }

    fn keys(d: &FormDefinition) -> Vec<Vec<&str>> {
        d.pages
            .iter()
            .map(|p| p.fields.iter().map(|f| f.key.as_str()).collect())
            .collect()
    }

    fn input(kind: &str, key: &str, label: &str) -> FieldInput {
        FieldInput {
            kind: kind.into(),
            key: key.into(),
            label_de: label.into(),
            ..FieldInput::default()
        }
    }

    #[test]
    fn a_field_added_from_the_editor_is_typed_and_placed_at_the_end_of_its_page() {
        let mut i = input("decimal", "anzahl", "Anzahl");
        i.min = "1".into();
        i.max = "2,5".into();
        i.required = Some("on".into());
        i.min_length = "3".into(); // not for numbers: dropped, not refused
        i.condition = ConditionInput {
            cond_field: "listenhund".into(),
            cond_op: "equals".into(),
            cond_value: "Ja".into(),
        };
        let d = apply(
            &def(),
            &Edit::PutField {
                page: 1,
                replacing: None,
                input: i,
            },
        )
        .unwrap();
        let f = d.field("anzahl").unwrap();
        assert_eq!(keys(&d)[1], vec!["nachweis", "rasse", "anzahl"]);
        assert_eq!((f.min, f.max, f.min_length), (Some(1.0), Some(2.5), None));
        assert!(f.required);
        assert_eq!(
            f.visible_if,
            Some(Condition::Equals {
                field: "listenhund".into(),
                value: json!(true)
            })
        );
    }

    #[test]
    fn problems_of_the_edited_field_come_back_under_its_input_names() {
        let mut i = input("text", "Name", "");
        i.max_length = "viele".into();
        i.condition.cond_field = "rasse".into();
        i.condition.cond_op = "equals".into();
        let e = apply(
            &def(),
            &Edit::PutField {
                page: 0,
                replacing: None,
                input: i,
            },
        )
        .unwrap_err();
        let names: Vec<&str> = e.iter().map(|(k, _)| k).collect();
        assert_eq!(names, vec!["condition", "key", "label_de", "max_length"]);
    }

    #[test]
    fn the_editor_round_trips_a_stored_field_with_options_and_condition() {
        let d = def();
        for key in ["rasse", "nachweis", "name"] {
            let f = d.field(key).unwrap();
            let i = FieldInput::from_field(f, Lang::De);
            let page = d.page_of(key).unwrap();
            let again = apply(
                &d,
                &Edit::PutField {
                    page,
                    replacing: Some(key.into()),
                    input: i,
                },
            )
            .unwrap();
            assert_eq!(again, d, "{key}");
        }
        assert_eq!(
            FieldInput::from_field(d.field("rasse").unwrap(), Lang::De).options,
            "dackel | Dackel\npudel | Pudel | Poodle"
        );
    }

    #[test]
    fn renaming_a_field_keeps_the_conditions_that_read_it() {
        let d = def();
        let mut i = FieldInput::from_field(d.field("listenhund").unwrap(), Lang::En);
        i.key = "gefaehrlich".into();
        let d = apply(
            &d,
            &Edit::PutField {
                page: 0,
                replacing: Some("listenhund".into()),
                input: i,
            },
        )
        .unwrap();
        assert_eq!(
            d.field("nachweis")
                .unwrap()
                .visible_if
                .as_ref()
                .unwrap()
                .fields(),
            vec!["gefaehrlich"]
        );
    }

    #[test]
    fn a_field_that_a_condition_reads_is_not_removed_and_the_reader_is_named() {
        let e = apply(
            &def(),
            &Edit::RemoveField {
                key: "listenhund".into(),
            },
        )
        .unwrap_err();
        let (_, m) = e.iter().next().unwrap();
        assert!(
            m.text(Lang::En).contains("nachweis"),
            "{}",
            m.text(Lang::En)
        );
        let d = apply(&def(), &Edit::RemoveField { key: "name".into() }).unwrap();
        assert_eq!(keys(&d)[0], vec!["listenhund"]);
    }

    #[test]
    fn moves_cross_page_borders_and_never_break_a_condition() {
        let d = apply(
            &def(),
            &Edit::MoveField {
                key: "nachweis".into(),
                up: true,
            },
        )
        .unwrap();
        assert_eq!(
            keys(&d),
            vec![vec!["name", "listenhund", "nachweis"], vec!["rasse"]]
        );
        // Above the field its condition reads: refused with the path.
        let e = apply(
            &d,
            &Edit::MoveField {
                key: "nachweis".into(),
                up: true,
            },
        )
        .unwrap_err();
        assert!(
            e.iter().any(|(k, _)| k.starts_with("builder.pages[0]")),
            "{e:?}"
        );
        let e = apply(
            &def(),
            &Edit::MoveField {
                key: "name".into(),
                up: true,
            },
        )
        .unwrap_err();
        assert_eq!(e.get("builder"), Some("form-builder-at-edge"));
    }

    #[test]
    fn pages_are_added_with_a_first_field_moved_and_removed() {
        let page = PageInput {
            page_key: "zahlung".into(),
            title_de: "Zahlung".into(),
            condition: ConditionInput {
                cond_field: "rasse".into(),
                cond_op: "in".into(),
                cond_value: "dackel, pudel".into(),
            },
            ..PageInput::default()
        };
        let d = apply(
            &def(),
            &Edit::AddPage {
                page,
                field: input("text", "iban", "IBAN"),
            },
        )
        .unwrap();
        assert_eq!(keys(&d)[2], vec!["iban"]);
        assert_eq!(
            d.pages[2].visible_if.as_ref().unwrap().to_json(),
            json!({"field": "rasse", "in": ["dackel", "pudel"]})
        );
        // The first page holds a field the second page's condition reads.
        let e = apply(&d, &Edit::MovePage { index: 1, up: true }).unwrap_err();
        assert!(!e.is_empty());
        let e = apply(&d, &Edit::RemovePage { index: 0 }).unwrap_err();
        assert_eq!(e.get("builder"), Some("form-builder-in-use"));
        let d = apply(&d, &Edit::RemovePage { index: 2 }).unwrap();
        assert_eq!(d.pages.len(), 2);
    }

    #[test]
    fn a_new_pages_problems_go_to_its_page_and_field_inputs_apart() {
        let page = PageInput {
            page_key: "Zahlung!".into(),
            title_de: "Zahlung".into(),
            ..PageInput::default()
        };
        let e = apply(
            &def(),
            &Edit::AddPage {
                page,
                field: input("number", "Betrag", "Betrag"),
            },
        )
        .unwrap_err();
        let names: Vec<&str> = e.iter().map(|(k, _)| k).collect();
        assert_eq!(names, vec!["key", "page_key"]);
    }

    #[test]
    fn combined_conditions_are_kept_unless_replaced() {
        let mut v = def().to_json();
        v["pages"][1]["visible_if"] = json!({"any": [{"field": "name", "set": true}, {"field": "listenhund", "equals": false}]});
        let d = FormDefinition::from_value(&v).unwrap();
        let i = PageInput::from_page(&d.pages[1], Lang::De);
        assert_eq!(i.condition.cond_op, KEEP);
        let same = apply(
            &d,
            &Edit::PutPage {
                index: 1,
                input: i.clone(),
            },
        )
        .unwrap();
        assert_eq!(same, d);
        let mut cleared = i;
        cleared.condition = ConditionInput::default();
        let d = apply(
            &d,
            &Edit::PutPage {
                index: 1,
                input: cleared,
            },
        )
        .unwrap();
        assert!(d.pages[1].visible_if.is_none());
    }

    #[test]
    fn keys_are_suggested_from_labels() {
        let taken = |k: &str| k == "name_der_halterin";
        assert_eq!(
            suggest_key("Name der Halterin", &taken),
            "name_der_halterin_2"
        );
        assert_eq!(suggest_key("Größe (cm)", &|_| false), "groesse_cm");
        let d = apply(
            &def(),
            &Edit::PutField {
                page: 0,
                replacing: None,
                input: input("text", " ", "Name"),
            },
        )
        .unwrap();
        assert_eq!(keys(&d)[0], vec!["name", "listenhund", "name_2"]);
        assert_eq!(suggest_key("123", &|_| false), "feld_123");
        assert_eq!(suggest_key("", &|_| false), "feld");
    }

    #[test]
    fn only_earlier_answered_fields_may_be_read() {
        let d = def();
        let keys = |b| {
            earlier_fields(&d, b)
                .iter()
                .map(|f| f.key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(Before::Field("listenhund")), vec!["name"]);
        assert_eq!(keys(Before::Page(1)), vec!["name", "listenhund"]);
        assert_eq!(keys(Before::End).len(), 4);
    }
}
