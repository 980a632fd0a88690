//! `/api/v1/topics`: the topics anyone can read, and the admins' changes to them.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::topics::{self, Topic};
use crate::error::AppResult;
use crate::web::actions;
use crate::web::actions::topics::TopicChange;
use crate::web::context::Ctx;

/// Registers the topic routes on `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/topics", web::get().to(list))
        .route("/topics", web::post().to(create))
        .route("/topics/{slug}", web::patch().to(update));
}

/// A topic challenges and evaluators are tagged with.
#[derive(Serialize, ToSchema)]
pub struct TopicItem {
    /// The topic's key in filters (`?topic=`) and in a challenge's `topics`.
    pub slug: String,
    /// The German name.
    pub name_de: String,
    /// The English name.
    pub name_en: String,
    /// Retired topics stay on the challenges that carry them but can no longer be chosen.
    pub retired: bool,
}

impl From<Topic> for TopicItem {
    fn from(t: Topic) -> Self {
        TopicItem {
            retired: t.is_retired(),
            slug: t.slug,
            name_de: t.name_de,
            name_en: t.name_en,
        }
    }
}

/// Every topic, retired ones included (flagged), by German name.
#[utoipa::path(get, path = "/api/v1/topics", tag = "topics",
    responses((status = 200, body = [TopicItem])))]
pub async fn list(ctx: Ctx) -> AppResult<HttpResponse> {
    let all = ctx.db(topics::all).await?;
    Ok(HttpResponse::Ok().json(all.into_iter().map(TopicItem::from).collect::<Vec<_>>()))
}

/// The body of `POST /topics`.
#[derive(Deserialize, ToSchema)]
pub struct NewTopic {
    /// Lower-case letters, digits and dashes, at most 40 characters; fixed once made.
    pub slug: String,
    /// The German name, at most 80 characters.
    pub name_de: String,
    /// The English name, at most 80 characters.
    pub name_en: String,
}

/// Add a topic (platform admins only).
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = NewTopic,
    responses((status = 201, body = TopicItem), (status = 403), (status = 422, description = "slug taken or malformed, a name missing or too long")))]
pub async fn create(ctx: Ctx, body: web::Json<NewTopic>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let topic = actions::topics::create(&ctx, b.slug, b.name_de, b.name_en).await?;
    Ok(HttpResponse::Created().json(TopicItem::from(topic)))
}

/// The body of `PATCH /topics/{slug}`: what to change; absent fields stay.
#[derive(Deserialize, ToSchema)]
pub struct TopicPatch {
    /// The new German name.
    pub name_de: Option<String>,
    /// The new English name.
    pub name_en: Option<String>,
    /// `true` retires the topic (it leaves filters and forms, stays on challenges);
    /// `false` brings it back.
    pub retired: Option<bool>,
}

/// Rename, retire or bring back a topic (platform admins only).
#[utoipa::path(patch, path = "/api/v1/topics/{slug}", tag = "topics", request_body = TopicPatch,
    params(("slug" = String, Path)),
    responses((status = 200, body = TopicItem), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    ctx: Ctx,
    slug: web::Path<String>,
    body: web::Json<TopicPatch>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let change = TopicChange {
        name_de: b.name_de,
        name_en: b.name_en,
        retired: b.retired,
    };
    let topic = actions::topics::update(&ctx, slug.into_inner(), change).await?;
    Ok(HttpResponse::Ok().json(TopicItem::from(topic)))
}
