//! Rendering data: what a template needs to show a form's fields, in one language, with
//! the values given so far and the problems found. Plain HTML does the rest, without
//! JavaScript: radios, checkboxes, native inputs.
//!
//! A field whose condition reads a field of the same page cannot be decided before the
//! page is sent, so it is shown with a note saying when it is needed ("only needed if
//! …"); the check then drops its answer if the condition does not hold.

use serde_json::{json, Value};

use super::answers::{display, holds, Answers, Raw};
use super::definition::{Condition, Field, FieldType, FormDefinition, Page};
use crate::error::FieldErrors;
use crate::i18n::{self, Lang};

/// The condition in words, naming fields by their labels.
pub fn describe(c: &Condition, def: &FormDefinition, lang: Lang) -> String {
    let label = |k: &str| {
        def.field(k)
            .map_or_else(|| k.to_string(), |f| format!("„{}“", f.label.get(lang)))
    };
    let value = |k: &str, v: &Value| match def.field(k) {
        Some(f) => format!("„{}“", display(f, v, lang)),
        None => v.to_string(),
    };
    let t = |id: &str, args: &[(&str, String)]| i18n::text_with(lang, id, args);
    match c {
        Condition::Equals { field, value: v } => t(
            "form-cond-equals",
            &[("field", label(field)), ("value", value(field, v))],
        ),
        Condition::In { field, values } => t(
            "form-cond-equals",
            &[
                ("field", label(field)),
                (
                    "value",
                    values
                        .iter()
                        .map(|v| value(field, v))
                        .collect::<Vec<_>>()
                        .join(&format!(" {} ", t("form-cond-or", &[]))),
                ),
            ],
        ),
        Condition::Gt { field, than } => t(
            "form-cond-gt",
            &[("field", label(field)), ("value", than.to_string())],
        ),
        Condition::Lt { field, than } => t(
            "form-cond-lt",
            &[("field", label(field)), ("value", than.to_string())],
        ),
        Condition::Set { field, set: true } => t("form-cond-set", &[("field", label(field))]),
        Condition::Set { field, set: false } => t("form-cond-unset", &[("field", label(field))]),
        Condition::All(cs) => cs
            .iter()
            .map(|c| describe(c, def, lang))
            .collect::<Vec<_>>()
            .join(&format!(" {} ", t("form-cond-and", &[]))),
        Condition::Any(cs) => cs
            .iter()
            .map(|c| describe(c, def, lang))
            .collect::<Vec<_>>()
            .join(&format!(" {} ", t("form-cond-or", &[]))),
        Condition::Not(c) => t("form-cond-not", &[("condition", describe(c, def, lang))]),
    }
}

/// Whether the field is shown on its page, given the answers of earlier pages: `Some(note)`
/// when it depends on the same page (shown with the note), `None` when hidden.
fn shown(
    f: &Field,
    page: &Page,
    def: &FormDefinition,
    answers: &Answers,
    lang: Lang,
) -> Option<Option<String>> {
    let Some(c) = &f.visible_if else {
        return Some(None);
    };
    let same_page = c
        .fields()
        .iter()
        .any(|k| page.fields.iter().any(|pf| pf.key == *k));
    if same_page {
        Some(only_if(Some(c), def, lang))
    } else if holds(c, answers) {
        Some(None)
    } else {
        None
    }
}

/// "Only needed if …" for a field or page shown under a condition.
pub fn only_if(c: Option<&Condition>, def: &FormDefinition, lang: Lang) -> Option<String> {
    c.map(|c| {
        i18n::text_with(
            lang,
            "form-only-if",
            &[("condition", describe(c, def, lang))],
        )
    })
}

/// A field as previews show it to authors: empty, with the note on its condition.
pub fn preview_field(f: &Field, def: &FormDefinition, lang: Lang) -> Value {
    let none = Answers::new();
    field(
        f,
        &Values::Stored(&none),
        None,
        only_if(f.visible_if.as_ref(), def, lang),
        lang,
    )
}

/// What was typed (after a refused send) wins over what is stored.
pub enum Values<'a> {
    /// The typed answers kept for the run (or none, for a preview).
    Stored(&'a Answers),
    /// The text just sent, shown again as typed after a refused send.
    Typed(&'a Raw),
}

/// The view of one field.
pub fn field(
    f: &Field,
    values: &Values,
    error: Option<String>,
    note: Option<String>,
    lang: Lang,
) -> Value {
    let stored: Vec<String> = match values {
        Values::Typed(raw) => raw.get(&f.key).map(|v| v.to_vec()).unwrap_or_default(),
        Values::Stored(a) => match a.get(&f.key) {
            None => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            Some(Value::Bool(b)) => vec![if *b { "yes" } else { "no" }.to_string()],
            Some(Value::Object(o)) => vec![o.get("id").map(|i| i.to_string()).unwrap_or_default()],
            Some(v @ Value::String(_)) if f.kind == FieldType::Date => {
                vec![v.as_str().unwrap_or("").to_string()]
            }
            Some(v) if f.kind == FieldType::Decimal && lang == Lang::De => {
                vec![display(f, v, lang)]
            }
            Some(Value::String(s)) => vec![s.clone()],
            Some(v) => vec![v.to_string()],
        },
    };
    let first = stored.first().cloned().unwrap_or_default();
    let has = |v: &str| stored.iter().any(|s| s == v);
    let (input_type, inputmode, autocomplete) = match f.kind {
        FieldType::Email => ("email", "email", "email"),
        FieldType::Phone => ("tel", "tel", "tel"),
        FieldType::Number => ("text", "numeric", ""),
        FieldType::Decimal => ("text", "decimal", ""),
        FieldType::Date => ("date", "", ""),
        _ => ("text", "", ""),
    };
    let options: Vec<Value> = f
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| json!({ "value": o.value, "label": o.label.get(lang), "checked": has(&o.value), "id": format!("{}-{i}", f.key) }))
        .collect();
    let points: Vec<Value> = if f.kind == FieldType::Rating {
        let (lo, hi) = f.rating_scale();
        (lo..=hi)
            .map(|v| json!({ "value": v, "checked": has(&v.to_string()) }))
            .collect()
    } else {
        vec![]
    };
    let file_name = match values {
        Values::Stored(a) => a
            .get(&f.key)
            .and_then(|v| v.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        Values::Typed(_) => None,
    };
    let mut limits = Vec::new();
    if let (Some(lo), Some(hi)) = (f.min, f.max) {
        if f.kind != FieldType::Rating {
            limits.push(i18n::text_with(
                lang,
                "form-limit-between",
                &[("min", lo.to_string()), ("max", hi.to_string())],
            ));
        }
    }
    if f.kind.is_textual() && f.max_length.is_some() {
        limits.push(i18n::text_with(
            lang,
            "form-limit-length",
            &[("max", f.max_length().to_string())],
        ));
    }
    json!({
        "key": f.key,
        "kind": f.kind.as_str(),
        "label": f.label.get(lang),
        "help": f.help.as_ref().map(|h| h.get(lang)),
        "required": f.required,
        "error": error,
        "note": note,
        "limits": limits.join(" "),
        "value": first,
        "yes": has("yes") || has("true") || has("ja"),
        "no": has("no") || has("false") || has("nein"),
        "options": options,
        "points": points,
        "file_name": file_name,
        "input_type": input_type,
        "inputmode": inputmode,
        "autocomplete": autocomplete,
        "maxlength": if f.kind.is_textual() { Some(f.max_length()) } else { None },
        "is_input": matches!(f.kind, FieldType::Text | FieldType::Email | FieldType::Phone | FieldType::Number | FieldType::Decimal | FieldType::Date),
        "is_textarea": f.kind == FieldType::Textarea,
        "is_radios": f.kind == FieldType::Choice && !f.multiple,
        "is_checkboxes": f.kind == FieldType::Choice && f.multiple,
        "is_yes_no": f.kind == FieldType::YesNo,
        "is_rating": f.kind == FieldType::Rating,
        "is_consent": f.kind == FieldType::Consent,
        "is_file": f.kind == FieldType::File,
        "is_statement": f.kind == FieldType::Statement,
        // Groups of inputs get a fieldset with a legend; single inputs a label.
        "is_group": matches!(f.kind, FieldType::Choice | FieldType::YesNo | FieldType::Rating),
    })
}

/// The views of a page's shown fields. `answers` are the stored answers (conditions on
/// earlier pages read them); `values` what to show in the inputs.
pub fn page_fields(
    def: &FormDefinition,
    page: usize,
    answers: &Answers,
    values: &Values,
    errors: &FieldErrors,
    lang: Lang,
) -> Vec<Value> {
    let Some(p) = def.pages.get(page) else {
        return vec![];
    };
    p.fields
        .iter()
        .filter_map(|f| {
            let note = shown(f, p, def, answers, lang)?;
            Some(field(f, values, errors.text(&f.key, lang), note, lang))
        })
        .collect()
}

/// Every page at once, as one form shows them (a proposal's answers to its challenge):
/// a condition cannot be decided before the form is sent, so it shows as a note on its
/// page or field, and the check drops what it hides.
pub fn all_pages(
    def: &FormDefinition,
    values: &Values,
    errors: &FieldErrors,
    lang: Lang,
) -> Vec<Value> {
    def.pages
        .iter()
        .map(|p| {
            let fields: Vec<Value> = p
                .fields
                .iter()
                .map(|f| {
                    let note = only_if(f.visible_if.as_ref(), def, lang);
                    field(f, values, errors.text(&f.key, lang), note, lang)
                })
                .collect();
            json!({
                "title": p.title.get(lang),
                "note": only_if(p.visible_if.as_ref(), def, lang),
                "fields": fields,
            })
        })
        .collect()
}

/// Whether a page has a file field (its form must then be sent as multipart).
pub fn has_file(def: &FormDefinition, page: usize) -> bool {
    def.pages
        .get(page)
        .is_some_and(|p| p.fields.iter().any(|f| f.kind == FieldType::File))
}

/// Every shown page with its answered fields as label and readable answer: the review
/// page, the receipt and the PDF.
pub fn summary(def: &FormDefinition, answers: &Answers, lang: Lang) -> Vec<Value> {
    def.pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.visible_if.as_ref().is_none_or(|c| holds(c, answers)))
        .map(|(i, p)| {
            let rows: Vec<Value> = p
                .fields
                .iter()
                .filter(|f| f.kind.takes_answer())
                .filter_map(|f| {
                    let v = answers.get(&f.key)?;
                    Some(json!({ "key": f.key, "label": f.label.get(lang), "answer": display(f, v, lang) }))
                })
                .collect();
            json!({ "index": i, "key": p.key, "title": p.title.get(lang), "rows": rows })
        })
        .collect()
}
