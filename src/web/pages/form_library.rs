//! An organisation's forms: the list, a new form (empty or imported from JSON), the
//! form's page with its builder (pages and fields in order, each with its actions), a
//! preview of every page, JSON editing and export. The editors of single fields and pages
//! are in [`super::form_editors`].

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::policy::{Action, FormFacts};
use crate::domain::form_library::{self, Current};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::builder::{self, Edit};
use crate::forms::{view, FieldType, FormDefinition};
use crate::i18n;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// An organisation's form library and each form's page, export and outline.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organisations/{slug}/forms", web::get().to(forms_of))
        .route("/organisations/{slug}/forms", web::post().to(import))
        .route("/forms/{id}", web::get().to(form_page))
        .route("/forms/{id}", web::post().to(save))
        .route("/forms/{id}/export", web::get().to(export))
        .route("/forms/{id}/outline", web::post().to(outline_action));
}

/// A definition as typed into the JSON field: problems by path, as the API gives them.
fn read_definition(text: &str) -> Result<FormDefinition, FieldErrors> {
    FormDefinition::from_json_str(text)
}

/// Field problems of a definition shown as one list under the JSON field, each with its
/// path (the summary links to the field).
fn definition_problems(errors: &FieldErrors, lang: i18n::Lang) -> Vec<String> {
    errors
        .iter()
        .map(|(path, m)| {
            if path == "definition" {
                m.text(lang)
            } else {
                format!("{path}: {}", m.text(lang))
            }
        })
        .collect()
}

async fn forms_of(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::CreateForm(&facts)).await?;
    let oid = org.id;
    let list = ctx
        .db(move |conn| form_library::of_organisation(conn, oid))
        .await?;
    render::page(
        &ctx,
        "forms",
        "forms-title",
        json!({ "organisation": org, "forms": list, "example": example() }),
    )
}

/// A new form's first state, to build on: one page with one field.
fn starter(title: &str) -> AppResult<FormDefinition> {
    let title = if title.trim().is_empty() {
        json!({"de": "Neues Formular", "en": "New form"})
    } else {
        json!(title.trim())
    };
    FormDefinition::from_value(&json!({
        "title": title,
        "pages": [{"key": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
            {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true}
        ]}]
    }))
    .map_err(AppError::Validation)
}

/// The starter as JSON, to begin an import from.
fn example() -> String {
    starter("")
        .map(|d| serde_json::to_string_pretty(&d.to_json()).unwrap_or_default())
        .unwrap_or_default()
}

#[derive(Deserialize, Serialize)]
struct DefinitionForm {
    title: Option<String>,
    definition: String,
}

async fn import(
    form: CsrfForm<DefinitionForm>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (org, facts) = actions::organisations::load_org(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::CreateForm(&facts)).await?;
    // An empty definition starts the form in the builder.
    let read = if form.data.definition.trim().is_empty() {
        starter(form.data.title.as_deref().unwrap_or(""))
    } else {
        read_definition(&form.data.definition).map_err(AppError::Validation)
    };
    let result = match read {
        Ok(def) => {
            actions::pilots::create_form(
                &ctx,
                org.id,
                form.data.title.clone().unwrap_or_default(),
                def,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(cur) => Ok(render::redirect_with(
            &format!("/forms/{}", cur.form.id),
            "success",
            "form-saved",
        )),
        Err(AppError::Validation(e)) => {
            let oid = org.id;
            let list = ctx
                .db(move |conn| form_library::of_organisation(conn, oid))
                .await?;
            let extra = json!({ "organisation": org, "forms": list, "problems": definition_problems(&e, ctx.lang), "example": example() });
            let typed = serde_json::to_value(&form.data).unwrap_or(json!({}));
            render::form_error(
                &ctx,
                AppError::Validation(summary_only(&e)),
                "forms",
                "forms-title",
                typed,
                extra,
            )
        }
        Err(other) => Err(other),
    }
}

/// All problems of a definition point at its one text field.
fn summary_only(e: &FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    out.add_with(
        "definition",
        "form-def-problems",
        &[("count", e.len().to_string())],
    );
    out
}

/// Every page of the definition, as a test user would see it (inputs disabled by the
/// template: this is a preview).
fn preview(def: &FormDefinition, lang: i18n::Lang) -> Vec<Value> {
    def.pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            json!({
                "number": i + 1,
                "title": page.title.get(lang),
                "condition": view::only_if(page.visible_if.as_ref(), def, lang),
                "fields": page.fields.iter().map(|f| view::preview_field(f, def, lang)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The builder's outline: pages and fields in order, with what each move may do.
fn outline(def: &FormDefinition, lang: i18n::Lang) -> Vec<Value> {
    let last_page = def.pages.len() - 1;
    def.pages
        .iter()
        .enumerate()
        .map(|(p, page)| {
            let last_field = page.fields.len() - 1;
            json!({
                "number": p + 1,
                "key": page.key,
                "title": page.title.get(lang),
                "condition": view::only_if(page.visible_if.as_ref(), def, lang),
                "may_up": p > 0,
                "may_down": p < last_page,
                "may_remove": last_page > 0,
                "fields": page.fields.iter().enumerate().map(|(i, f)| json!({
                    "key": f.key,
                    "label": f.label.get(lang),
                    "kind": i18n::text(lang, &format!("form-type-{}", f.kind.as_str())),
                    "required": f.required,
                    "condition": view::only_if(f.visible_if.as_ref(), def, lang),
                    "may_up": p > 0 || i > 0,
                    "may_down": p < last_page || i < last_field,
                    "may_remove": page.fields.len() > 1,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The field types as options of a select, `selected` marked.
pub(super) fn type_options(selected: FieldType, lang: i18n::Lang) -> Vec<Value> {
    FieldType::ALL
        .iter()
        .map(|t| {
            json!({
                "value": t.as_str(),
                "label": i18n::text(lang, &format!("form-type-{}", t.as_str())),
                "selected": *t == selected,
            })
        })
        .collect()
}

/// The form page: builder outline, preview and JSON, for the form as stored.
fn form_data(cur: &Current, facts: &FormFacts, lang: i18n::Lang) -> AppResult<Value> {
    let def = cur.version.definition()?;
    let pretty = serde_json::to_string_pretty(&def.to_json()).unwrap_or_default();
    Ok(json!({
        "form": { "id": cur.form.id, "title": cur.form.title, "version": cur.version.version, "updated_at": cur.form.updated_at },
        "base": cur.stamp(),
        "outline": outline(&def, lang),
        "types": type_options(FieldType::Text, lang),
        "pages": preview(&def, lang),
        "json": pretty,
        "can_edit": facts.org.role.is_some(),
    }))
}

async fn form_page(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (cur, facts) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let data = form_data(&cur, &facts, ctx.lang)?;
    render::page_titled(&ctx, "form_detail", &cur.form.title, data)
}

/// A form for editing: loaded, the editor's right checked, its definition read.
pub(super) async fn editable(
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Current, FormFacts, FormDefinition)> {
    let (cur, facts) = actions::pilots::load_form(ctx, id).await?;
    ctx.authorize(Action::EditForm(&facts)).await?;
    let def = cur.version.definition()?;
    Ok((cur, facts, def))
}

/// Someone saved the form since this page was loaded: what was typed is shown again
/// with the form as it is now, rather than overwriting their change. The builder's pages
/// always send the stamp; a form posted without one (a script) is not checked.
pub(super) fn check_base(cur: &Current, base: &str) -> AppResult<()> {
    if base.is_empty() || cur.stamp() == base {
        Ok(())
    } else {
        Err(AppError::Conflict {
            message_id: "form-builder-stale",
        })
    }
}

#[derive(Deserialize, Serialize)]
struct JsonEdit {
    title: Option<String>,
    definition: String,
    #[serde(default)]
    base: String,
}

async fn save(form: CsrfForm<JsonEdit>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (cur, facts, _) = editable(&ctx, id.into_inner()).await?;
    let id = cur.form.id;
    let mut data = form_data(&cur, &facts, ctx.lang)?;
    let result = match (
        check_base(&cur, &form.data.base),
        read_definition(&form.data.definition),
    ) {
        (Err(stale), _) => Err(stale),
        (Ok(()), Ok(def)) => {
            actions::pilots::save_form(&ctx, &facts, form.data.title.clone(), def).await
        }
        (Ok(()), Err(e)) => Err(AppError::Validation(e)),
    };
    data["json"] = json!(form.data.definition);
    match result {
        Ok(_) => Ok(render::redirect_with(
            &format!("/forms/{id}"),
            "success",
            "form-saved",
        )),
        Err(AppError::Validation(e)) => {
            data["problems"] = json!(definition_problems(&e, ctx.lang));
            render::form_error(
                &ctx,
                AppError::Validation(summary_only(&e)),
                "form_detail",
                "form-edit-title",
                data["form"].take(),
                data,
            )
        }
        Err(stale @ AppError::Conflict { .. }) => render::form_error(
            &ctx,
            stale,
            "form_detail",
            "form-edit-title",
            data["form"].take(),
            data,
        ),
        Err(other) => Err(other),
    }
}

/// A move or removal from the builder's outline.
#[derive(Deserialize)]
struct OutlineAction {
    op: String,
    #[serde(default)]
    key: String,
    /// The page's number as shown (from 1).
    #[serde(default)]
    page: usize,
    #[serde(default)]
    base: String,
    /// A removal is asked once more before it happens.
    #[serde(default)]
    confirm: Option<String>,
}

async fn outline_action(
    form: CsrfForm<OutlineAction>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let a = form.data;
    let (cur, facts, def) = editable(&ctx, id.into_inner()).await?;
    let index = a.page.checked_sub(1);
    let key = a.key.clone();
    let edit = match (a.op.as_str(), index) {
        ("field_up", _) => Edit::MoveField { key, up: true },
        ("field_down", _) => Edit::MoveField { key, up: false },
        ("field_remove", _) => Edit::RemoveField { key },
        ("page_up", Some(index)) => Edit::MovePage { index, up: true },
        ("page_down", Some(index)) => Edit::MovePage { index, up: false },
        ("page_remove", Some(index)) => Edit::RemovePage { index },
        _ => return Err(AppError::BadRequest("unknown builder action".into())),
    };
    let mut data = form_data(&cur, &facts, ctx.lang)?;
    if let Err(stale) = check_base(&cur, &a.base) {
        return render::form_error(
            &ctx,
            stale,
            "form_detail",
            "form-edit-title",
            data["form"].take(),
            data,
        );
    }
    let removal = match &edit {
        Edit::RemoveField { key } => def.field(key).map(|f| {
            i18n::text_with(
                ctx.lang,
                "form-builder-confirm-field",
                &[("label", f.label.get(ctx.lang).to_string())],
            )
        }),
        Edit::RemovePage { index } => def.pages.get(*index).map(|p| {
            i18n::text_with(
                ctx.lang,
                "form-builder-confirm-page",
                &[
                    ("number", (index + 1).to_string()),
                    ("title", p.title.get(ctx.lang).to_string()),
                ],
            )
        }),
        _ => None,
    };
    if let (Some(question), None) = (&removal, &a.confirm) {
        data["confirm"] = json!({ "question": question, "op": a.op, "key": a.key, "page": a.page });
        return render::page_titled(&ctx, "form_detail", &cur.form.title, data);
    }
    match builder::apply(&def, &edit) {
        Ok(changed) => {
            let at = match &edit {
                Edit::MoveField { key, .. } => format!("#builder-field-{key}"),
                Edit::MovePage { index, up } => {
                    format!("#builder-page-{}", if *up { *index } else { index + 2 })
                }
                _ => "#builder".to_string(),
            };
            actions::pilots::save_form(&ctx, &facts, None, changed).await?;
            Ok(render::redirect_with(
                &format!("/forms/{}{at}", cur.form.id),
                "success",
                if removal.is_some() {
                    "form-builder-removed"
                } else {
                    "form-builder-moved"
                },
            ))
        }
        Err(e) => {
            let (summary, problems) = builder_refusal(e, ctx.lang);
            data["builder_problems"] = json!(problems);
            render::form_error(
                &ctx,
                AppError::Validation(summary),
                "form_detail",
                "form-edit-title",
                data["form"].take(),
                data,
            )
        }
    }
}

/// A refused builder change as one summary message under `builder` (the reason, or
/// "would make the form invalid") and the problems elsewhere in the form by path.
pub(super) fn builder_refusal(e: FieldErrors, lang: i18n::Lang) -> (FieldErrors, Vec<String>) {
    let mut summary = FieldErrors::new();
    let mut problems = Vec::new();
    for (path, message) in e {
        match path.strip_prefix("builder.") {
            Some(p) => problems.push(format!("{p}: {}", message.text(lang))),
            None if path == "builder" => summary.add_message("builder", message),
            None => summary.add_message(&path, message),
        }
    }
    if !problems.is_empty() {
        summary.add("builder", "form-builder-refused");
    }
    (summary, problems)
}

async fn export(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (cur, _) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let def = cur.version.definition()?;
    let body = serde_json::to_string_pretty(&def.to_json()).map_err(AppError::internal)?;
    let name = format!(
        "{}-v{}.json",
        crate::text::slugify(&cur.form.title),
        cur.version.version
    );
    Ok(render::download("application/json", &name, body))
}
