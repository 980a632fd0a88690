//! Lists of proposals: a challenge's for its agency or the public, and a member's own.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::Proposal;
use crate::db::schema::{organisations, proposals};
use crate::db::DbConnection;
use crate::domain::pagination::{Page, Paged};
use crate::error::AppResult;
use crate::kinds::ProposalStatus;

/// A proposal with its organisation's name, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// The proposal.
    pub proposal: Proposal,
    /// The proposing organisation's name.
    pub organisation_name: String,
    /// The proposing organisation's slug.
    pub organisation_slug: String,
}

/// Which proposals of a challenge a reader may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The owning agency: everything but drafts.
    Agency,
    /// Everybody, once the challenge made them public: submitted ones only.
    Public,
}

/// A page of the challenge's proposals that `scope` may list, latest submission first.
pub fn list_for_challenge(
    conn: &mut DbConnection,
    challenge_id: i64,
    scope: Scope,
    page: Page,
) -> AppResult<Paged<ListItem>> {
    let base = || {
        let q = proposals::table
            .inner_join(organisations::table)
            .filter(proposals::challenge_id.eq(challenge_id))
            .into_boxed();
        match scope {
            Scope::Agency => q.filter(proposals::status.ne(ProposalStatus::Draft)),
            Scope::Public => q.filter(proposals::status.eq(ProposalStatus::Submitted)),
        }
    };
    let total = base().count().get_result(conn)?;
    let rows: Vec<(Proposal, String, String)> = base()
        .order((proposals::submitted_at.desc(), proposals::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            Proposal::as_select(),
            organisations::name,
            organisations::slug,
        ))
        .load(conn)?;
    Ok(Paged::new(
        rows.into_iter()
            .map(
                |(proposal, organisation_name, organisation_slug)| ListItem {
                    proposal,
                    organisation_name,
                    organisation_slug,
                },
            )
            .collect(),
        total,
        page,
    ))
}

/// A team member's proposals across their organisations, with challenge title and deadline.
pub fn list_for_member(
    conn: &mut DbConnection,
    user_id: i64,
) -> AppResult<Vec<(Proposal, String, String, NaiveDateTime)>> {
    use crate::db::schema::challenges;
    use crate::domain::organisations::ids_of_member;
    Ok(proposals::table
        .inner_join(challenges::table)
        .filter(proposals::organisation_id.eq_any(ids_of_member(user_id)))
        .order(challenges::submission_deadline.asc())
        .limit(200)
        .select((
            Proposal::as_select(),
            challenges::title,
            challenges::slug,
            challenges::submission_deadline,
        ))
        .load(conn)?)
}
