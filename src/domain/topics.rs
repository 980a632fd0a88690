//! Topics: the shared vocabulary challenges and evaluators are tagged with.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::topics;
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::i18n::Lang;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = topics)]
pub struct Topic {
    pub id: i64,
    pub slug: String,
    pub name_de: String,
    pub name_en: String,
}

impl Topic {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.name_de,
            Lang::En => &self.name_en,
        }
    }
}

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
