//! Keeping the topics: platform admins add, rename, retire and bring back topics, each
//! change in the audit log.

use serde_json::json;

use crate::auth::policy::Action;
use crate::domain::audit::{self, Event};
use crate::domain::topics::{self, Topic};
use crate::error::{AppResult, FieldErrors};
use crate::web::context::Ctx;

/// What an admin changes about a topic; absent parts stay as they are.
#[derive(Debug, Default, Clone)]
pub struct TopicChange {
    /// The new German name.
    pub name_de: Option<String>,
    /// The new English name.
    pub name_en: Option<String>,
    /// `true` retires the topic, `false` brings it back.
    pub retired: Option<bool>,
}

/// Adds a topic (admins only); a taken or malformed slug and missing names are 422s.
pub async fn create(ctx: &Ctx, slug: String, name_de: String, name_en: String) -> AppResult<Topic> {
    ctx.authorize(Action::ManageTopics).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let topic = topics::create(conn, &slug, &name_de, &name_en)?;
        audit::append(
            conn,
            Event::new(Some(uid), "topic_created", "topic", Some(topic.id))
                .details(json!({ "slug": topic.slug, "name_de": topic.name_de, "name_en": topic.name_en }))
                .ip(&ip),
        )?;
        Ok(topic)
    })
    .await
}

/// Renames, retires or brings back a topic (admins only). What is unchanged is not
/// written, so a form saved as it was changes nothing and rebuilds no search index.
pub async fn update(ctx: &Ctx, slug: String, change: TopicChange) -> AppResult<Topic> {
    ctx.authorize(Action::ManageTopics).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let mut topic = topics::find(conn, &slug)?;
        if change.name_de.is_some() || change.name_en.is_some() {
            let mut errors = FieldErrors::new();
            let names = topics::validate_names(
                change.name_de.as_deref().unwrap_or(&topic.name_de),
                change.name_en.as_deref().unwrap_or(&topic.name_en),
                &mut errors,
            );
            errors.into_result()?;
            if let Some(renamed) = topics::rename(conn, &topic, &names)? {
                audit::append(
                    conn,
                    Event::new(Some(uid), "topic_renamed", "topic", Some(topic.id))
                        .details(json!({
                            "from": { "name_de": topic.name_de, "name_en": topic.name_en },
                            "to": { "name_de": renamed.name_de, "name_en": renamed.name_en },
                        }))
                        .ip(&ip),
                )?;
                topic = renamed;
            }
        }
        if let Some(retired) = change.retired {
            if let Some(changed) = topics::set_retired(conn, &topic, retired, crate::db::now())? {
                let action = if retired {
                    "topic_retired"
                } else {
                    "topic_restored"
                };
                audit::append(
                    conn,
                    Event::new(Some(uid), action, "topic", Some(topic.id)).ip(&ip),
                )?;
                topic = changed;
            }
        }
        Ok(topic)
    })
    .await
}
