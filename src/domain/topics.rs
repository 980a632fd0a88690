//! Topics: the shared vocabulary challenges and evaluators are tagged with, kept by the
//! platform admins. A topic is never deleted: retired, it stays on the challenges and
//! evaluators that carry it and leaves every list people choose from.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{challenge_topics, topics};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Lang;
use crate::text;

/// The longest topic name, in characters (a filter label, not a text).
pub const NAME_MAX: usize = 80;
/// The longest slug of a topic.
pub const SLUG_MAX: usize = 40;
/// More topics than this make the filters unusable; creating one more is refused.
pub const MAX_TOPICS: i64 = 500;

/// A topic, as stored in `topics`.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = topics)]
pub struct Topic {
    /// Primary key.
    pub id: i64,
    /// The unique key in addresses, filters and seed data (`open-source`); fixed once made.
    pub slug: String,
    /// The German name.
    pub name_de: String,
    /// The English name.
    pub name_en: String,
    /// When a platform admin retired it; `None` while people can choose it.
    pub retired_at: Option<NaiveDateTime>,
}

impl Topic {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.name_de,
            Lang::En => &self.name_en,
        }
    }

    /// Whether it has left the lists people choose from.
    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }
}

/// The topics people choose from (not retired), by German name.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Topic>> {
    Ok(topics::table
        .filter(topics::retired_at.is_null())
        .order(topics::name_de.asc())
        .limit(MAX_TOPICS)
        .select(Topic::as_select())
        .load(conn)?)
}

/// Every topic, retired ones included, by German name.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Topic>> {
    Ok(topics::table
        .order(topics::name_de.asc())
        .limit(MAX_TOPICS)
        .select(Topic::as_select())
        .load(conn)?)
}

/// Every topic, retired ones included, with how many challenges carry each.
pub fn all_with_use(conn: &mut DbConnection) -> AppResult<Vec<(Topic, i64)>> {
    let all = all(conn)?;
    let counts: HashMap<i64, i64> = challenge_topics::table
        .group_by(challenge_topics::topic_id)
        .select((challenge_topics::topic_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(all
        .into_iter()
        .map(|t| {
            let n = counts.get(&t.id).copied().unwrap_or(0);
            (t, n)
        })
        .collect())
}

/// One topic by slug; 404 when there is none.
pub fn find(conn: &mut DbConnection, slug: &str) -> AppResult<Topic> {
    if !text::is_slug(slug) {
        return Err(AppError::NotFound);
    }
    topics::table
        .filter(topics::slug.eq(slug))
        .select(Topic::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// What a challenge's form offers: the topics in use, and the retired ones the challenge
/// already carries (so that saving it unchanged keeps them).
pub fn choices_for(conn: &mut DbConnection, challenge_id: Option<i64>) -> AppResult<Vec<Topic>> {
    let mut choices = list(conn)?;
    if let Some(id) = challenge_id {
        let kept: Vec<Topic> = topics::table
            .inner_join(challenge_topics::table)
            .filter(challenge_topics::challenge_id.eq(id))
            .filter(topics::retired_at.is_not_null())
            .select(Topic::as_select())
            .load(conn)?;
        choices.extend(kept);
        choices.sort_by(|a, b| a.name_de.cmp(&b.name_de));
    }
    Ok(choices)
}

/// The slugs a challenge may carry (see [`choices_for`]).
pub fn choosable_slugs(
    conn: &mut DbConnection,
    challenge_id: Option<i64>,
) -> AppResult<Vec<String>> {
    Ok(choices_for(conn, challenge_id)?
        .into_iter()
        .map(|t| t.slug)
        .collect())
}

/// The names an admin typed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The German name, trimmed.
    pub de: String,
    /// The English name, trimmed.
    pub en: String,
}

/// Checks both names (required, at most [`NAME_MAX`] characters), naming each bad field.
pub fn validate_names(name_de: &str, name_en: &str, errors: &mut FieldErrors) -> Names {
    Names {
        de: text::required_text(name_de, "name_de", NAME_MAX, errors),
        en: text::required_text(name_en, "name_en", NAME_MAX, errors),
    }
}

/// Adds a topic people can choose at once; the slug must be new (lower-case letters,
/// digits and dashes, at most [`SLUG_MAX`] characters).
pub fn create(
    conn: &mut DbConnection,
    slug: &str,
    name_de: &str,
    name_en: &str,
) -> AppResult<Topic> {
    let mut errors = FieldErrors::new();
    let slug = text::clean(slug).trim().to_string();
    if slug.is_empty() {
        errors.add("slug", "field-required");
    } else if !text::is_slug(&slug)
        || slug.len() > SLUG_MAX
        || slug.starts_with('-')
        || slug.ends_with('-')
    {
        errors.add("slug", "topic-slug-invalid");
    } else if topics::table
        .filter(topics::slug.eq(&slug))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        errors.add("slug", "topic-slug-taken");
    }
    let names = validate_names(name_de, name_en, &mut errors);
    errors.into_result()?;
    if topics::table.count().get_result::<i64>(conn)? >= MAX_TOPICS {
        return Err(AppError::Conflict {
            message_id: "topic-too-many",
        });
    }
    diesel::insert_into(topics::table)
        .values((
            topics::slug.eq(&slug),
            topics::name_de.eq(&names.de),
            topics::name_en.eq(&names.en),
        ))
        .execute(conn)?;
    find(conn, &slug)
}

fn reload(conn: &mut DbConnection, id: i64) -> AppResult<Topic> {
    Ok(topics::table
        .find(id)
        .select(Topic::as_select())
        .first(conn)?)
}

/// Gives the topic new names; `None` when both are as they were (nothing is written, so
/// the search index is not rebuilt for a form saved unchanged).
pub fn rename(conn: &mut DbConnection, topic: &Topic, names: &Names) -> AppResult<Option<Topic>> {
    if text::same_text(&topic.name_de, &names.de) && text::same_text(&topic.name_en, &names.en) {
        return Ok(None);
    }
    diesel::update(topics::table.find(topic.id))
        .set((topics::name_de.eq(&names.de), topics::name_en.eq(&names.en)))
        .execute(conn)?;
    reload(conn, topic.id).map(Some)
}

/// Retires the topic (`retired`) or brings it back; `None` when it already was so.
pub fn set_retired(
    conn: &mut DbConnection,
    topic: &Topic,
    retired: bool,
    now: NaiveDateTime,
) -> AppResult<Option<Topic>> {
    if topic.is_retired() == retired {
        return Ok(None);
    }
    diesel::update(topics::table.find(topic.id))
        .set(topics::retired_at.eq(retired.then_some(now)))
        .execute(conn)?;
    reload(conn, topic.id).map(Some)
}

/// Adds the reference topic unless its slug exists: names an admin changed and topics an
/// admin retired stay as they are when the seed runs again.
pub fn insert_missing(
    conn: &mut DbConnection,
    slug: &str,
    name_de: &str,
    name_en: &str,
) -> AppResult<bool> {
    let exists = topics::table
        .filter(topics::slug.eq(slug))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(topics::table)
            .values((
                topics::slug.eq(slug),
                topics::name_de.eq(name_de),
                topics::name_en.eq(name_en),
            ))
            .execute(conn)?;
    }
    Ok(!exists)
}

/// Whether any topic exists, retired or not.
pub fn any(conn: &mut DbConnection) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(topics::table.select(topics::id))).get_result(conn)?)
}

/// The slug of every topic people can choose, in no particular order.
pub fn slugs(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    Ok(topics::table
        .filter(topics::retired_at.is_null())
        .select(topics::slug)
        .load(conn)?)
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

impl TopicRef {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.name_de,
            Lang::En => &self.name_en,
        }
    }
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
