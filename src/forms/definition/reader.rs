//! The reader of form definitions: walks the JSON by hand, collecting every problem under
//! its path, and checks what the types alone cannot (unique keys, consistent limits,
//! bounded patterns, conditions on earlier fields of the right kind).

use super::*;

/// Reads a definition from parsed JSON; every problem is in the error, by path.
pub(super) fn read(v: &Value) -> Result<FormDefinition, FieldErrors> {
    let mut r = Reader::default();
    let def = r.definition(v);
    match def {
        Some(d) if r.problems.is_empty() => Ok(d),
        _ => Err(r.problems),
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
