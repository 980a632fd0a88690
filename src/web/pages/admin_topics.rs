//! `/admin/topics`: the platform admins add, rename, retire and bring back topics.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::topics::{self, Topic};
use crate::error::AppResult;
use crate::web::actions;
use crate::web::actions::topics::TopicChange;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::render;

/// The topic pages under `/admin/topics`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/topics", web::get().to(list))
        .route("/admin/topics", web::post().to(create))
        .route("/admin/topics/{slug}", web::get().to(edit))
        .route("/admin/topics/{slug}", web::post().to(rename))
        .route("/admin/topics/{slug}/retire", web::post().to(retire))
        .route("/admin/topics/{slug}/restore", web::post().to(restore));
}

#[derive(Deserialize, Serialize, Default)]
struct TopicForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name_de: String,
    #[serde(default)]
    name_en: String,
}

async fn list(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageTopics).await?;
    let data = list_data(&ctx).await?;
    render::page(&ctx, "admin_topics", "admin-topics-title", data)
}

async fn list_data(ctx: &Ctx) -> AppResult<Value> {
    let all = ctx.db(topics::all_with_use).await?;
    let (active, retired): (Vec<_>, Vec<_>) = all.into_iter().partition(|(t, _)| !t.is_retired());
    let row = |(t, used): &(Topic, i64)| json!({ "slug": t.slug, "name_de": t.name_de, "name_en": t.name_en, "used": used });
    Ok(json!({
        "active": active.iter().map(row).collect::<Vec<_>>(),
        "retired": retired.iter().map(row).collect::<Vec<_>>(),
        "form": TopicForm::default(),
    }))
}

async fn create(form: CsrfForm<TopicForm>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let echo = json!(data);
    match actions::topics::create(&ctx, data.slug, data.name_de, data.name_en).await {
        Ok(_) => Ok(render::redirect_with(
            "/admin/topics",
            "success",
            "flash-topic-created",
        )),
        Err(e) => {
            let extra = list_data(&ctx).await?;
            render::form_error(&ctx, e, "admin_topics", "admin-topics-title", echo, extra)
        }
    }
}

async fn edit(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    ctx.authorize(Action::ManageTopics).await?;
    let topic = ctx.db(move |conn| topics::find(conn, &slug)).await?;
    let form = json!({ "name_de": topic.name_de, "name_en": topic.name_en });
    render::page(
        &ctx,
        "admin_topic",
        "admin-topic-title",
        edit_data(&topic, form),
    )
}

fn edit_data(topic: &Topic, form: Value) -> Value {
    json!({ "topic": { "slug": topic.slug, "name_de": topic.name_de, "name_en": topic.name_en, "retired": topic.is_retired() }, "form": form })
}

async fn rename(form: CsrfForm<TopicForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let slug = slug.into_inner();
    let echo = json!(data);
    let change = TopicChange {
        name_de: Some(data.name_de),
        name_en: Some(data.name_en),
        retired: None,
    };
    match actions::topics::update(&ctx, slug.clone(), change).await {
        Ok(_) => Ok(render::redirect_with(
            "/admin/topics",
            "success",
            "flash-topic-saved",
        )),
        Err(e) => {
            let topic = ctx.db(move |conn| topics::find(conn, &slug)).await?;
            let extra = edit_data(&topic, echo.clone());
            render::form_error(&ctx, e, "admin_topic", "admin-topic-title", echo, extra)
        }
    }
}

async fn retire(form: CsrfForm<NoFields>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    set_retired(form.ctx, slug.into_inner(), true, "flash-topic-retired").await
}

async fn restore(form: CsrfForm<NoFields>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    set_retired(form.ctx, slug.into_inner(), false, "flash-topic-restored").await
}

async fn set_retired(
    ctx: Ctx,
    slug: String,
    retired: bool,
    flash: &str,
) -> AppResult<HttpResponse> {
    let change = TopicChange {
        retired: Some(retired),
        ..TopicChange::default()
    };
    actions::topics::update(&ctx, slug, change).await?;
    Ok(render::redirect_with("/admin/topics", "success", flash))
}
