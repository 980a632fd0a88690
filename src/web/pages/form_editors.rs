//! The builder's editors, one page each and no JavaScript: a field (new or existing), a
//! page's settings, and a new page with its first field. "Preview" shows the field as
//! test users would see it without saving; a type change takes effect the same way, so
//! the editor then shows the inputs of the new type. What was typed is never lost: a
//! refused change, or one that crossed someone else's save, shows the editor again with
//! the input as sent.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::form_library::{builder_refusal, check_base, editable, type_options};
use crate::auth::policy::FormFacts;
use crate::domain::form_library::Current;
use crate::error::{AppError, AppResult};
use crate::forms::builder::{self, Before, ConditionInput, Edit, FieldInput, PageInput};
use crate::forms::{view, FieldType, FormDefinition};
use crate::i18n::{self, Lang};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// The editors of a form's pages and fields.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/forms/{id}/pages/new", web::get().to(new_page))
        .route("/forms/{id}/pages", web::post().to(add_page))
        .route("/forms/{id}/pages/{page}", web::get().to(page_settings))
        .route("/forms/{id}/pages/{page}", web::post().to(save_page))
        .route(
            "/forms/{id}/pages/{page}/fields/new",
            web::get().to(new_field),
        )
        .route("/forms/{id}/pages/{page}/fields", web::post().to(add_field))
        .route("/forms/{id}/fields/{key}", web::get().to(edit_field))
        .route("/forms/{id}/fields/{key}", web::post().to(save_field));
}

/// What an editor edits.
#[derive(Debug, Clone, Copy)]
enum Editing<'a> {
    NewField { page: usize },
    Field { key: &'a str },
    NewPage,
    Page { index: usize },
}

impl<'a> Editing<'a> {
    fn title_id(self) -> &'static str {
        match self {
            Editing::NewField { .. } => "form-builder-new-field",
            Editing::Field { .. } => "form-builder-edit-field",
            Editing::NewPage => "form-builder-new-page",
            Editing::Page { .. } => "form-builder-edit-page",
        }
    }

    fn action(self, form_id: i64) -> String {
        match self {
            Editing::NewField { page } => format!("/forms/{form_id}/pages/{}/fields", page + 1),
            Editing::Field { key } => format!("/forms/{form_id}/fields/{key}"),
            Editing::NewPage => format!("/forms/{form_id}/pages"),
            Editing::Page { index } => format!("/forms/{form_id}/pages/{}", index + 1),
        }
    }

    /// Where a condition set in this editor sits, and so which fields it may read.
    fn condition_before(self, def: &FormDefinition) -> Option<Before<'a>> {
        match self {
            Editing::NewField { page } if page + 1 < def.pages.len() => {
                Some(Before::Page(page + 1))
            }
            Editing::NewField { .. } => Some(Before::End),
            Editing::Field { key } => Some(Before::Field(key)),
            // A new page's first field is the page's own; conditions come afterwards.
            Editing::NewPage => None,
            Editing::Page { index } => Some(Before::Page(index)),
        }
    }
}

/// The editor as sent: the inputs, the form's stamp, and which button was pressed.
#[derive(Debug, Deserialize, Serialize)]
struct FieldEdit {
    #[serde(flatten)]
    field: FieldInput,
    #[serde(default)]
    base: String,
    #[serde(default)]
    action: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct PageEdit {
    #[serde(flatten)]
    page: PageInput,
    #[serde(default)]
    base: String,
}

/// A new page's title and its first field (without a condition: see
/// [`Editing::condition_before`]).
#[derive(Debug, Default, Deserialize, Serialize)]
struct NewPageEdit {
    #[serde(default)]
    page_key: String,
    #[serde(default)]
    title_de: String,
    #[serde(default)]
    title_en: String,
    #[serde(flatten)]
    field: FieldInput,
    #[serde(default)]
    base: String,
    #[serde(default)]
    action: String,
}

#[derive(Deserialize)]
struct TypeQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn chosen_type(q: &TypeQuery) -> FieldType {
    q.kind
        .as_deref()
        .and_then(FieldType::parse)
        .unwrap_or(FieldType::Text)
}

/// What an editor page shows, besides the inputs' values.
struct Shown<'a> {
    editing: Editing<'a>,
    /// The inputs' values (what was sent, or the stored piece).
    input: Value,
    kind: Option<FieldType>,
    condition: &'a ConditionInput,
    /// The stored condition, for "keep the condition written in JSON".
    kept: Option<&'a crate::forms::Condition>,
    preview: Option<Value>,
}

fn editor_data(cur: &Current, def: &FormDefinition, s: &Shown, lang: Lang) -> Value {
    let id = cur.form.id;
    let conditions = s.editing.condition_before(def).map(|before| {
        let fields: Vec<Value> = builder::earlier_fields(def, before)
            .iter()
            .map(|f| json!({ "key": f.key, "label": f.label.get(lang), "selected": f.key == s.condition.cond_field }))
            .collect();
        let ops: Vec<Value> = builder::OPERATORS
            .iter()
            .map(|op| json!({ "value": op, "label": i18n::text(lang, &format!("form-builder-op-{op}")), "selected": *op == s.condition.cond_op }))
            .collect();
        json!({
            "fields": fields,
            "ops": ops,
            "kept": s.kept.filter(|_| s.condition.cond_op == builder::KEEP).map(|c| view::describe(c, def, lang)),
        })
    });
    let page_number = match s.editing {
        Editing::NewField { page } => Some(page + 1),
        Editing::Page { index } => Some(index + 1),
        Editing::Field { key } => def.page_of(key).map(|p| p + 1),
        Editing::NewPage => None,
    };
    let field = s.kind.map(|k| {
        json!({
            "types": type_options(k, lang),
            "takes_answer": k.takes_answer(),
            "lengths": k.is_textual(),
            "numbers": k.is_numeric(),
            "limits": k.is_numeric() || k == FieldType::Choice,
            "choice": k == FieldType::Choice,
        })
    });
    json!({
        "form_ref": { "id": id, "title": cur.form.title },
        "form": s.input,
        "editor": {
            "title": i18n::text(lang, s.editing.title_id()),
            "action": s.editing.action(id),
            "page_number": page_number,
            "is_page": matches!(s.editing, Editing::Page { .. } | Editing::NewPage),
            "is_new_page": matches!(s.editing, Editing::NewPage),
            "field": field,
            "condition": conditions,
        },
        "base": cur.stamp(),
        "preview": s.preview,
        "errors": {},
    })
}

fn show(ctx: &Ctx, cur: &Current, def: &FormDefinition, s: &Shown) -> AppResult<HttpResponse> {
    let data = editor_data(cur, def, s, ctx.lang);
    render::page(ctx, "form_editor", s.editing.title_id(), data)
}

async fn editable_page(
    ctx: &Ctx,
    id: i64,
    number: usize,
) -> AppResult<(Current, FormFacts, FormDefinition, usize)> {
    let (cur, facts, def) = editable(ctx, id).await?;
    match number.checked_sub(1).filter(|i| *i < def.pages.len()) {
        Some(index) => Ok((cur, facts, def, index)),
        None => Err(AppError::NotFound),
    }
}

async fn new_field(
    ctx: Ctx,
    path: web::Path<(i64, usize)>,
    q: web::Query<TypeQuery>,
) -> AppResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let (cur, _, def, page) = editable_page(&ctx, id, number).await?;
    let kind = chosen_type(&q);
    let input = FieldInput::new(kind);
    show(
        &ctx,
        &cur,
        &def,
        &Shown {
            editing: Editing::NewField { page },
            input: json!(input),
            kind: Some(kind),
            condition: &input.condition,
            kept: None,
            preview: None,
        },
    )
}

async fn edit_field(ctx: Ctx, path: web::Path<(i64, String)>) -> AppResult<HttpResponse> {
    let (id, key) = path.into_inner();
    let (cur, _, def) = editable(&ctx, id).await?;
    let f = def.field(&key).ok_or(AppError::NotFound)?;
    let input = FieldInput::from_field(f, ctx.lang);
    show(
        &ctx,
        &cur,
        &def,
        &Shown {
            editing: Editing::Field { key: &key },
            input: json!(input),
            kind: Some(f.kind),
            condition: &input.condition,
            kept: f.visible_if.as_ref(),
            preview: Some(view::preview_field(f, &def, ctx.lang)),
        },
    )
}

async fn add_field(
    form: CsrfForm<FieldEdit>,
    path: web::Path<(i64, usize)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (id, number) = path.into_inner();
    let (cur, facts, def, page) = editable_page(&ctx, id, number).await?;
    let sent = form.data;
    let edit = Edit::PutField {
        page,
        replacing: None,
        input: sent.field.clone(),
    };
    submit(
        &ctx,
        (&cur, &facts, &def),
        Editing::NewField { page },
        edit,
        &sent.field,
        (&sent.base, &sent.action),
        json!(sent),
    )
    .await
}

async fn save_field(
    form: CsrfForm<FieldEdit>,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (id, key) = path.into_inner();
    let (cur, facts, def) = editable(&ctx, id).await?;
    let page = def.page_of(&key).ok_or(AppError::NotFound)?;
    let sent = form.data;
    let edit = Edit::PutField {
        page,
        replacing: Some(key.clone()),
        input: sent.field.clone(),
    };
    submit(
        &ctx,
        (&cur, &facts, &def),
        Editing::Field { key: &key },
        edit,
        &sent.field,
        (&sent.base, &sent.action),
        json!(sent),
    )
    .await
}

async fn new_page(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<TypeQuery>,
) -> AppResult<HttpResponse> {
    let (cur, _, def) = editable(&ctx, id.into_inner()).await?;
    let kind = chosen_type(&q);
    let input = NewPageEdit {
        field: FieldInput::new(kind),
        ..NewPageEdit::default()
    };
    show(
        &ctx,
        &cur,
        &def,
        &Shown {
            editing: Editing::NewPage,
            input: json!(input),
            kind: Some(kind),
            condition: &input.field.condition,
            kept: None,
            preview: None,
        },
    )
}

async fn add_page(form: CsrfForm<NewPageEdit>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (cur, facts, def) = editable(&ctx, id.into_inner()).await?;
    let mut sent = form.data;
    sent.field.condition = ConditionInput::default();
    let edit = Edit::AddPage {
        page: PageInput {
            page_key: sent.page_key.clone(),
            title_de: sent.title_de.clone(),
            title_en: sent.title_en.clone(),
            condition: ConditionInput::default(),
        },
        field: sent.field.clone(),
    };
    submit(
        &ctx,
        (&cur, &facts, &def),
        Editing::NewPage,
        edit,
        &sent.field,
        (&sent.base, &sent.action),
        json!(sent),
    )
    .await
}

async fn page_settings(ctx: Ctx, path: web::Path<(i64, usize)>) -> AppResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let (cur, _, def, index) = editable_page(&ctx, id, number).await?;
    let page = &def.pages[index];
    let input = PageInput::from_page(page, ctx.lang);
    show(
        &ctx,
        &cur,
        &def,
        &Shown {
            editing: Editing::Page { index },
            input: json!(input),
            kind: None,
            condition: &input.condition,
            kept: page.visible_if.as_ref(),
            preview: None,
        },
    )
}

async fn save_page(
    form: CsrfForm<PageEdit>,
    path: web::Path<(i64, usize)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (id, number) = path.into_inner();
    let (cur, facts, def, index) = editable_page(&ctx, id, number).await?;
    let sent = form.data;
    let edit = Edit::PutPage {
        index,
        input: sent.page.clone(),
    };
    let shown = Shown {
        editing: Editing::Page { index },
        input: json!(sent),
        kind: None,
        condition: &sent.page.condition,
        kept: def.pages[index].visible_if.as_ref(),
        preview: None,
    };
    if let Err(stale) = check_base(&cur, &sent.base) {
        return refused(&ctx, &cur, &def, &shown, stale, vec![]);
    }
    match builder::apply(&def, &edit) {
        Ok(changed) => {
            actions::pilots::save_form(&ctx, &facts, None, changed).await?;
            Ok(render::redirect_with(
                &format!("/forms/{}#builder-page-{}", cur.form.id, index + 1),
                "success",
                "form-saved",
            ))
        }
        Err(e) => {
            let (summary, problems) = builder_refusal(e, ctx.lang);
            refused(
                &ctx,
                &cur,
                &def,
                &shown,
                AppError::Validation(summary),
                problems,
            )
        }
    }
}

/// Saves a field editor's change, or shows its preview, or shows it again with what
/// went wrong.
async fn submit(
    ctx: &Ctx,
    (cur, facts, def): (&Current, &FormFacts, &FormDefinition),
    editing: Editing<'_>,
    edit: Edit,
    field: &FieldInput,
    (base, action): (&str, &str),
    input: Value,
) -> AppResult<HttpResponse> {
    let kept = match editing {
        Editing::Field { key } => def.field(key).and_then(|f| f.visible_if.as_ref()),
        _ => None,
    };
    let mut shown = Shown {
        editing,
        input,
        kind: Some(field.field_type()),
        condition: &field.condition,
        kept,
        preview: None,
    };
    if let Err(stale) = check_base(cur, base) {
        return refused(ctx, cur, def, &shown, stale, vec![]);
    }
    let changed = match builder::apply(def, &edit) {
        Ok(changed) => changed,
        Err(e) => {
            let (summary, problems) = builder_refusal(e, ctx.lang);
            return refused(
                ctx,
                cur,
                def,
                &shown,
                AppError::Validation(summary),
                problems,
            );
        }
    };
    let key = placed_key(def, &changed, &edit);
    if action == "preview" {
        shown.preview = changed
            .field(&key)
            .map(|f| view::preview_field(f, &changed, ctx.lang));
        return show(ctx, cur, def, &shown);
    }
    actions::pilots::save_form(ctx, facts, None, changed).await?;
    Ok(render::redirect_with(
        &format!("/forms/{}#builder-field-{key}", cur.form.id),
        "success",
        "form-saved",
    ))
}

/// The key the edited field has in the changed definition (it may have been made from
/// the label).
fn placed_key(before: &FormDefinition, after: &FormDefinition, edit: &Edit) -> String {
    match edit {
        Edit::PutField {
            page,
            replacing: Some(old),
            ..
        } => {
            let at = before.pages[*page]
                .fields
                .iter()
                .position(|f| &f.key == old)
                .unwrap_or(0);
            after.pages[*page].fields[at].key.clone()
        }
        Edit::PutField { page, .. } => after.pages[*page]
            .fields
            .last()
            .map(|f| f.key.clone())
            .unwrap_or_default(),
        _ => after
            .pages
            .last()
            .and_then(|p| p.fields.first())
            .map(|f| f.key.clone())
            .unwrap_or_default(),
    }
}

fn refused(
    ctx: &Ctx,
    cur: &Current,
    def: &FormDefinition,
    shown: &Shown,
    err: AppError,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let mut extra = editor_data(cur, def, shown, ctx.lang);
    extra["builder_problems"] = json!(problems);
    let typed = extra["form"].take();
    render::form_error(
        ctx,
        err,
        "form_editor",
        shown.editing.title_id(),
        typed,
        extra,
    )
}
