//! Topics: the shared vocabulary challenges and evaluators are tagged with.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{challenge_topics, topics};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::i18n::Lang;

/// A topic, as stored in `topics`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = topics)]
pub struct Topic {
    /// Primary key.
    pub id: i64,
    /// The unique key in addresses, filters and seed data (`open-source`).
    pub slug: String,
    /// The German name.
    pub name_de: String,
    /// The English name.
    pub name_en: String,
}

impl Topic {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.name_de,
            Lang::En => &self.name_en,
        }
    }
}

/// Every topic, by German name.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Topic>> {
    Ok(topics::table
        .order(topics::name_de.asc())
        .limit(500)
        .select(Topic::as_select())
        .load(conn)?)
}

/// Inserts the topic or updates its names (seed data is re-applied on every `seed`).
pub fn upsert(conn: &mut DbConnection, slug: &str, name_de: &str, name_en: &str) -> AppResult<()> {
    let updated = diesel::update(topics::table.filter(topics::slug.eq(slug)))
        .set((topics::name_de.eq(name_de), topics::name_en.eq(name_en)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(topics::table)
            .values((
                topics::slug.eq(slug),
                topics::name_de.eq(name_de),
                topics::name_en.eq(name_en),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The slug of every topic, in no particular order.
pub fn slugs(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    Ok(topics::table.select(topics::slug).load(conn)?)
}

pub(crate) fn set_topics(
    conn: &mut DbConnection,
    challenge_id: i64,
    slugs: &[String],
) -> AppResult<()> {
    diesel::delete(challenge_topics::table.filter(challenge_topics::challenge_id.eq(challenge_id)))
        .execute(conn)?;
    let ids: Vec<i64> = topics::table
        .filter(topics::slug.eq_any(slugs))
        .select(topics::id)
        .load(conn)?;
    for topic_id in ids {
        diesel::insert_into(challenge_topics::table)
            .values((
                challenge_topics::challenge_id.eq(challenge_id),
                challenge_topics::topic_id.eq(topic_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A topic as a challenge shows it: slug and names.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct TopicRef {
    /// The topic's slug.
    pub slug: String,
    /// The German name.
    pub name_de: String,
    /// The English name.
    pub name_en: String,
}

/// The topics of several challenges in one query.
pub fn topics_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<HashMap<i64, Vec<TopicRef>>> {
    let rows: Vec<(i64, TopicRef)> = challenge_topics::table
        .inner_join(topics::table)
        .filter(challenge_topics::challenge_id.eq_any(ids))
        .order(topics::name_de.asc())
        .select((
            challenge_topics::challenge_id,
            (topics::slug, topics::name_de, topics::name_en),
        ))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<TopicRef>> = HashMap::new();
    for (id, t) in rows {
        map.entry(id).or_default().push(t);
    }
    Ok(map)
}
