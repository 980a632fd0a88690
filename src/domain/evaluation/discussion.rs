//! The private discussion of a proposal among the agency and its evaluators, with
//! @mentions: "@" followed by a participant's display name notifies that participant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy::BlindWindow;
use crate::db::schema::{assignments, evaluators, memberships, review_posts, users};
use crate::db::{self, DbConnection};
use crate::error::{AppResult, FieldErrors};
use crate::text;

/// A post of the evaluation discussion.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct Post {
    /// Row id, in the order of writing.
    pub id: i64,
    /// The author's account; none once it is deleted.
    pub author_id: Option<i64>,
    /// The author's display name; none once the account is deleted.
    pub author_name: Option<String>,
    /// The text as written, trimmed; @mentions stay in it.
    pub body: String,
    /// When it was written.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    pub created_at: NaiveDateTime,
}

/// Adds a post by `author` to the proposal's discussion and returns its id. Fails with a
/// field error on `body` when it is empty or longer than 10,000 characters.
pub fn post(conn: &mut DbConnection, proposal_id: i64, author: i64, body: &str) -> AppResult<i64> {
    let mut e = FieldErrors::new();
    let body = text::required_text(body, "body", 10_000, &mut e);
    e.into_result()?;
    Ok(diesel::insert_into(review_posts::table)
        .values((
            review_posts::proposal_id.eq(proposal_id),
            review_posts::author_id.eq(author),
            review_posts::body.eq(body),
            review_posts::created_at.eq(db::now()),
        ))
        .returning(review_posts::id)
        .get_result(conn)?)
}

/// The discussion, oldest first (it is short: a handful of people per proposal); only the
/// part a blind reviewer may read when `window` says so ([`BlindWindow`]).
pub fn thread(
    conn: &mut DbConnection,
    proposal_id: i64,
    window: Option<BlindWindow>,
) -> AppResult<Vec<Post>> {
    let mut q = review_posts::table
        .left_join(users::table.on(users::id.nullable().eq(review_posts::author_id)))
        .filter(review_posts::proposal_id.eq(proposal_id))
        .into_boxed();
    if let Some(w) = window {
        let agency = memberships::table
            .filter(memberships::organisation_id.eq(w.agency_id))
            .filter(memberships::left_at.is_null())
            .select(memberships::user_id);
        let stage_evaluators = assignments::table
            .inner_join(evaluators::table)
            .filter(assignments::stage_id.eq(w.stage_id))
            .filter(assignments::proposal_id.eq(proposal_id))
            .select(evaluators::user_id);
        q = q.filter(review_posts::created_at.ge(w.since)).filter(
            review_posts::author_id
                .eq_any(agency.nullable())
                .or(review_posts::author_id.eq_any(stage_evaluators.nullable())),
        );
    }
    Ok(q.order(review_posts::id.asc())
        .limit(500)
        .select((
            review_posts::id,
            review_posts::author_id,
            users::display_name.nullable(),
            review_posts::body,
            review_posts::created_at,
        ))
        .load(conn)?)
}

/// Who takes part: the agency's current members and the proposal's evaluators with an
/// active assignment, as (user id, display name).
pub fn participants(
    conn: &mut DbConnection,
    proposal_id: i64,
    agency_id: i64,
) -> AppResult<Vec<(i64, String)>> {
    let mut people: Vec<(i64, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(agency_id))
        .filter(memberships::left_at.is_null())
        .select((users::id, users::display_name))
        .load(conn)?;
    people.extend(
        assignments::table
            .inner_join(evaluators::table.inner_join(users::table))
            .filter(assignments::proposal_id.eq(proposal_id))
            .filter(assignments::declined_at.is_null())
            .select((users::id, users::display_name))
            .load::<(i64, String)>(conn)?,
    );
    people.sort();
    people.dedup();
    Ok(people)
}

/// The participants a text mentions: "@" directly followed by their display name, case
/// insensitive; where names overlap ("@Eva" and "@Eva Maria") the longest match wins.
pub fn mentioned(body: &str, participants: &[(i64, String)]) -> Vec<i64> {
    let lower = body.to_lowercase();
    let mut by_length: Vec<&(i64, String)> = participants.iter().collect();
    by_length.sort_by_key(|(_, name)| std::cmp::Reverse(name.chars().count()));
    let mut out = Vec::new();
    for (at, _) in lower.match_indices('@') {
        let rest = &lower[at + 1..];
        let hit = by_length.iter().find(|(_, name)| {
            let name = name.to_lowercase();
            rest.starts_with(&name)
                && !rest[name.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        });
        if let Some((id, _)) = hit {
            if !out.contains(id) {
                out.push(*id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_name_participants_by_their_full_display_name() {
        let people = vec![
            (1, "Eva".to_string()),
            (2, "Eva Maria Roth".to_string()),
            (3, "Jonas Brandt".to_string()),
        ];
        assert_eq!(
            mentioned("@eva maria roth, was meinen Sie?", &people),
            vec![2]
        );
        assert_eq!(
            mentioned("Danke @Eva und @Jonas Brandt!", &people),
            vec![1, 3]
        );
        // A longer word is not the name; an e-mail address is no mention.
        assert!(mentioned("@Evaluation, mail an eva@example.org", &people).is_empty());
        assert!(mentioned("@Unbekannt", &people).is_empty());
    }
}
