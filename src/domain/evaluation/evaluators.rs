//! The evaluator pool of a challenge and conflicts of interest.
//!
//! The agency invites evaluators by email with their expertise; an invitation becomes an
//! evaluator when the addressee accepts it. A conflict between an evaluator and an
//! organisation comes from two sources: the evaluator declares it (stored, with a reason),
//! or the evaluator is or was recently a member of it (read from `memberships` each time,
//! so it cannot go stale). A conflicted evaluator is never assigned the organisation's
//! proposals and never sees them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::policy;
use crate::db::schema::{
    assignments, challenges, conflicts, evaluators, invitations, memberships, organisations,
    proposals, stages, users,
};
use crate::db::{self, DbConnection};
use crate::domain::accounts::User;
use crate::domain::organisations::{self as org_store, PendingInvitation, INVITATION_DAYS};
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{InvitationKind, StageStatus};
use crate::text;

/// A membership that ended less than this long ago still counts as a conflict.
pub const RECENT_MEMBERSHIP_DAYS: i64 = 365;

/// Memberships that ended after this time are conflicts.
pub fn membership_conflict_since() -> NaiveDateTime {
    db::now() - Duration::days(RECENT_MEMBERSHIP_DAYS)
}

/// A person in a challenge's evaluator pool, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = evaluators)]
pub struct EvaluatorRow {
    /// The evaluator's id in this challenge (assignments name it).
    pub id: i64,
    /// The challenge they evaluate.
    pub challenge_id: i64,
    /// The person's account.
    pub user_id: i64,
    /// Topic slugs, comma separated (see `topics`).
    pub expertise: String,
    /// When they accepted the invitation.
    pub joined_at: NaiveDateTime,
}

impl EvaluatorRow {
    /// The expertise as topic slugs.
    pub fn topics(&self) -> Vec<String> {
        split_topics(&self.expertise)
    }
}

fn split_topics(csv: &str) -> Vec<String> {
    csv.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// An evaluator as the agency's pool list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PoolMember {
    /// The evaluator's id in this challenge (assignments name it).
    pub id: i64,
    /// The person's account.
    pub user_id: i64,
    /// The person's display name.
    pub display_name: String,
    /// The person's account email address (the agency sees it).
    pub email: String,
    /// Topic slugs.
    pub expertise: Vec<String>,
    /// When they accepted the invitation.
    #[serde(serialize_with = "time::rfc3339")]
    pub joined_at: NaiveDateTime,
}

/// An invitation not answered yet, for the agency's list.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct OpenInvitation {
    /// The invitation.
    pub id: i64,
    /// The invited address, trimmed and lower case.
    pub email: String,
    /// Topic slugs, comma separated.
    pub expertise: String,
    /// After this the invitation can no longer be accepted.
    #[serde(serialize_with = "time::rfc3339")]
    pub expires_at: NaiveDateTime,
}

/// Checks the expertise against the known topics; returns them comma separated.
fn expertise_csv(expertise: &[String], known: &[String]) -> AppResult<String> {
    let wanted: BTreeSet<&str> = expertise.iter().map(|t| t.trim()).collect();
    if wanted.iter().any(|t| !known.iter().any(|k| k == t)) {
        return Err(FieldErrors::single("expertise", "topic-invalid"));
    }
    Ok(wanted.into_iter().collect::<Vec<_>>().join(","))
}

/// Invites `email` to evaluate the challenge. Returns the invitation id, and the account
/// if the address has one (it gets an in-app notification besides the mail).
pub fn invite(
    conn: &mut DbConnection,
    challenge_id: i64,
    inviter_id: i64,
    email: &str,
    expertise: &[String],
    known_topics: &[String],
) -> AppResult<(i64, Option<User>)> {
    let email = text::normalise_email(email)
        .ok_or_else(|| FieldErrors::single("email", "email-invalid"))?;
    let expertise = expertise_csv(expertise, known_topics)?;
    let account = crate::domain::accounts::find_by_email(conn, &email)?;
    if let Some(u) = &account {
        if find_for_user(conn, challenge_id, u.id)?.is_some() {
            return Err(FieldErrors::single("email", "evaluator-already"));
        }
        if is_agency_member(conn, challenge_id, u.id)? {
            return Err(FieldErrors::single("email", "evaluator-is-agency"));
        }
    }
    let pending: i64 = invitations::table
        .filter(invitations::challenge_id.eq(challenge_id))
        .filter(invitations::email.eq(&email))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::declined_at.is_null())
        .filter(invitations::expires_at.gt(db::now()))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(FieldErrors::single("email", "invitation-pending"));
    }
    let now = db::now();
    let id = diesel::insert_into(invitations::table)
        .values((
            invitations::kind.eq(InvitationKind::Evaluator),
            invitations::challenge_id.eq(challenge_id),
            invitations::email.eq(&email),
            invitations::expertise.eq(&expertise),
            invitations::invited_by.eq(inviter_id),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS)),
        ))
        .returning(invitations::id)
        .get_result(conn)?;
    Ok((id, account))
}

/// Open evaluator invitations addressed to the user's (verified) email address.
pub fn invitations_for(conn: &mut DbConnection, user: &User) -> AppResult<Vec<PendingInvitation>> {
    if !user.is_verified() {
        return Ok(Vec::new());
    }
    type Row = (i64, i64, String, String, i64, String, String, NaiveDateTime);
    let rows: Vec<Row> = invitations::table
        .inner_join(challenges::table.on(invitations::challenge_id.eq(challenges::id.nullable())))
        .inner_join(organisations::table.on(organisations::id.eq(challenges::organisation_id)))
        .filter(invitations::kind.eq(InvitationKind::Evaluator))
        .filter(invitations::email.eq(&user.email))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::declined_at.is_null())
        .filter(invitations::expires_at.gt(db::now()))
        .order(invitations::id.desc())
        .limit(100)
        .select((
            invitations::id,
            organisations::id,
            organisations::name,
            organisations::slug,
            challenges::id,
            challenges::title,
            challenges::slug,
            invitations::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, org_id, org_name, org_slug, cid, title, slug, expires_at)| PendingInvitation {
                id,
                kind: InvitationKind::Evaluator,
                organisation_id: Some(org_id),
                organisation_name: org_name,
                organisation_slug: org_slug,
                challenge_id: Some(cid),
                challenge_title: Some(title),
                challenge_slug: Some(slug),
                role: None,
                expires_at,
            },
        )
        .collect())
}

/// Accepts or declines an evaluator invitation addressed to the user; returns the
/// challenge id. Someone else's invitation is "not found".
pub fn answer_invitation(
    conn: &mut DbConnection,
    invitation_id: i64,
    user: &User,
    accept: bool,
) -> AppResult<i64> {
    let open = invitations_for(conn, user)?
        .into_iter()
        .find(|i| i.id == invitation_id)
        .ok_or(AppError::NotFound)?;
    let challenge_id = open.challenge_id.ok_or(AppError::NotFound)?;
    if accept && is_agency_member(conn, challenge_id, user.id)? {
        return Err(AppError::Conflict {
            message_id: "evaluator-is-agency",
        });
    }
    if accept && find_for_user(conn, challenge_id, user.id)?.is_none() {
        let expertise: String = invitations::table
            .find(invitation_id)
            .select(invitations::expertise)
            .first(conn)?;
        diesel::insert_into(evaluators::table)
            .values((
                evaluators::challenge_id.eq(challenge_id),
                evaluators::user_id.eq(user.id),
                evaluators::expertise.eq(expertise),
                evaluators::joined_at.eq(db::now()),
            ))
            .execute(conn)?;
    }
    org_store::close_invitation(conn, invitation_id, accept)?;
    Ok(challenge_id)
}

/// The agency decides; its own staff do not also review (the policy treats them as the
/// agency, never as evaluators).
fn is_agency_member(conn: &mut DbConnection, challenge_id: i64, user_id: i64) -> AppResult<bool> {
    let agency: i64 = challenges::table
        .find(challenge_id)
        .select(challenges::organisation_id)
        .first(conn)?;
    Ok(org_store::role_of(conn, agency, user_id)?.is_some())
}

/// The challenges the user evaluates, as (id, title), newest first.
pub fn challenges_of_user(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(evaluators::table
        .inner_join(challenges::table)
        .filter(evaluators::user_id.eq(user_id))
        .order(challenges::id.desc())
        .select((challenges::id, challenges::title))
        .load(conn)?)
}

/// The evaluator with this id (any challenge); not found (404) if there is none.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<EvaluatorRow> {
    Ok(evaluators::table
        .find(id)
        .select(EvaluatorRow::as_select())
        .first(conn)?)
}

/// The user's evaluator role in a challenge, if they have one.
pub fn find_for_user(
    conn: &mut DbConnection,
    challenge_id: i64,
    user_id: i64,
) -> AppResult<Option<EvaluatorRow>> {
    Ok(evaluators::table
        .filter(evaluators::challenge_id.eq(challenge_id))
        .filter(evaluators::user_id.eq(user_id))
        .select(EvaluatorRow::as_select())
        .first(conn)
        .optional()?)
}

/// The challenge's evaluators, by name.
pub fn members(conn: &mut DbConnection, challenge_id: i64) -> AppResult<Vec<PoolMember>> {
    let rows: Vec<(EvaluatorRow, String, String)> = evaluators::table
        .inner_join(users::table)
        .filter(evaluators::challenge_id.eq(challenge_id))
        .order((users::display_name.asc(), evaluators::id.asc()))
        .select((EvaluatorRow::as_select(), users::display_name, users::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(e, display_name, email)| PoolMember {
            id: e.id,
            user_id: e.user_id,
            display_name,
            email,
            expertise: e.topics(),
            joined_at: e.joined_at,
        })
        .collect())
}

/// Evaluator invitations of the challenge that wait for an answer.
pub fn open_invitations(
    conn: &mut DbConnection,
    challenge_id: i64,
) -> AppResult<Vec<OpenInvitation>> {
    Ok(invitations::table
        .filter(invitations::challenge_id.eq(challenge_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::declined_at.is_null())
        .filter(invitations::expires_at.gt(db::now()))
        .order(invitations::id.asc())
        .select((
            invitations::id,
            invitations::email,
            invitations::expertise,
            invitations::expires_at,
        ))
        .load(conn)?)
}

/// Declares a conflict with an organisation. Assignments of the evaluator to that
/// organisation's proposals in stages not yet released are removed with their reviews (a
/// conflicted review must not count). Returns the conflict id, the organisation's id and
/// how many assignments were removed.
pub fn declare_conflict(
    conn: &mut DbConnection,
    evaluator: &EvaluatorRow,
    organisation: &org_store::OrgRef,
    reason: &str,
) -> AppResult<(i64, i64, usize)> {
    let mut e = FieldErrors::new();
    text::required_text(reason, "reason", 1000, &mut e);
    e.into_result()?;
    let field = organisation.field();
    let organisation_id = organisation.resolve(conn)?;
    let blind_running: bool = diesel::select(diesel::dsl::exists(
        assignments::table
            .inner_join(stages::table)
            .filter(assignments::evaluator_id.eq(evaluator.id))
            // Declined ones too: they stay in the evaluator's list, so removing them
            // would tell the same.
            .filter(stages::blind.eq(true))
            .filter(stages::status.ne(StageStatus::Released)),
    ))
    .get_result(conn)?;
    if !policy::may_declare_organisation_conflict(blind_running) {
        return Err(FieldErrors::single(field, "conflict-during-blind"));
    }
    let exists: i64 = conflicts::table
        .filter(conflicts::evaluator_id.eq(evaluator.id))
        .filter(conflicts::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(FieldErrors::single(field, "conflict-already"));
    }
    let id = diesel::insert_into(conflicts::table)
        .values((
            conflicts::evaluator_id.eq(evaluator.id),
            conflicts::organisation_id.eq(organisation_id),
            conflicts::reason.eq(text::clean(reason).trim()),
            conflicts::created_at.eq(db::now()),
        ))
        .returning(conflicts::id)
        .get_result(conn)?;
    let affected: Vec<i64> = assignments::table
        .inner_join(proposals::table)
        .inner_join(stages::table)
        .filter(assignments::evaluator_id.eq(evaluator.id))
        .filter(proposals::organisation_id.eq(organisation_id))
        .filter(stages::status.ne(StageStatus::Released))
        .select(assignments::id)
        .load(conn)?;
    let removed = diesel::delete(assignments::table.filter(assignments::id.eq_any(&affected)))
        .execute(conn)?;
    Ok((id, organisation_id, removed))
}

/// For each evaluator, the organisations with proposals in the challenge that they are in
/// conflict with (declared, or through a current or recent membership).
pub fn conflicted_orgs(
    conn: &mut DbConnection,
    challenge_id: i64,
    evaluator_ids: &[i64],
) -> AppResult<BTreeMap<i64, BTreeSet<i64>>> {
    let mut out: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for c in conflict_list(conn, challenge_id, evaluator_ids)? {
        out.entry(c.evaluator_id)
            .or_default()
            .insert(c.organisation_id);
    }
    Ok(out)
}

/// One conflict, whatever its source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    /// The evaluator in conflict.
    pub evaluator_id: i64,
    /// The organisation they are in conflict with.
    pub organisation_id: i64,
    /// Its name, for lists.
    pub organisation_name: String,
    /// Declared or through a membership.
    pub source: ConflictSource,
    /// The evaluator's words; empty for a membership.
    pub reason: String,
}

/// Where a conflict of interest comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictSource {
    /// The evaluator declared it.
    Declared,
    /// The evaluator is or recently was a member of the organisation.
    Membership,
}

/// The conflicts of the evaluators with organisations that propose in the challenge, in
/// two statements (one per source).
fn conflict_list(
    conn: &mut DbConnection,
    challenge_id: i64,
    evaluator_ids: &[i64],
) -> AppResult<Vec<Conflict>> {
    let proposing = || {
        proposals::table
            .filter(proposals::challenge_id.eq(challenge_id))
            .select(proposals::organisation_id)
    };
    let declared: Vec<(i64, i64, String, String)> = conflicts::table
        .inner_join(organisations::table.on(organisations::id.eq(conflicts::organisation_id)))
        .filter(conflicts::evaluator_id.eq_any(evaluator_ids))
        .filter(conflicts::organisation_id.eq_any(proposing()))
        .select((
            conflicts::evaluator_id,
            conflicts::organisation_id,
            organisations::name,
            conflicts::reason,
        ))
        .load(conn)?;
    let since = membership_conflict_since();
    let members: Vec<(i64, i64, String)> = evaluators::table
        .inner_join(memberships::table.on(memberships::user_id.eq(evaluators::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(memberships::organisation_id)))
        .filter(evaluators::id.eq_any(evaluator_ids))
        .filter(
            memberships::left_at
                .is_null()
                .or(memberships::left_at.gt(since)),
        )
        .filter(memberships::organisation_id.eq_any(proposing()))
        .select((
            evaluators::id,
            memberships::organisation_id,
            organisations::name,
        ))
        .load(conn)?;
    let mut out: Vec<Conflict> = members
        .into_iter()
        .map(
            |(evaluator_id, organisation_id, organisation_name)| Conflict {
                evaluator_id,
                organisation_id,
                organisation_name,
                source: ConflictSource::Membership,
                reason: String::new(),
            },
        )
        .collect();
    out.extend(declared.into_iter().map(
        |(evaluator_id, organisation_id, organisation_name, reason)| Conflict {
            evaluator_id,
            organisation_id,
            organisation_name,
            source: ConflictSource::Declared,
            reason,
        },
    ));
    Ok(out)
}

/// Whether the evaluator is in conflict with the organisation (which proposes in the
/// challenge).
pub fn in_conflict(
    conn: &mut DbConnection,
    challenge_id: i64,
    evaluator_id: i64,
    organisation_id: i64,
) -> AppResult<bool> {
    Ok(conflicted_orgs(conn, challenge_id, &[evaluator_id])?
        .get(&evaluator_id)
        .is_some_and(|orgs| orgs.contains(&organisation_id)))
}

/// A conflict as the agency's overview lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    /// The conflict; its fields appear at the top level when serialised.
    #[serde(flatten)]
    pub conflict: Conflict,
    /// The evaluator's display name; empty if they are not in the pool given.
    pub evaluator_name: String,
}

/// Every conflict of the challenge's evaluators (`pool`) with organisations that have
/// proposals in it, by evaluator and organisation.
pub fn conflicts_of_challenge(
    conn: &mut DbConnection,
    challenge_id: i64,
    pool: &[PoolMember],
) -> AppResult<Vec<ConflictView>> {
    let ids: Vec<i64> = pool.iter().map(|e| e.id).collect();
    let mut out: Vec<ConflictView> = conflict_list(conn, challenge_id, &ids)?
        .into_iter()
        .map(|c| ConflictView {
            evaluator_name: pool
                .iter()
                .find(|e| e.id == c.evaluator_id)
                .map(|e| e.display_name.clone())
                .unwrap_or_default(),
            conflict: c,
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.evaluator_name, &a.conflict.organisation_name)
            .cmp(&(&b.evaluator_name, &b.conflict.organisation_name))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expertise_must_name_known_topics_and_is_kept_sorted_without_repeats() {
        let known = vec!["ki".to_string(), "verwaltung".to_string()];
        let csv =
            expertise_csv(&["verwaltung".into(), "ki".into(), " ki ".into()], &known).unwrap();
        assert_eq!(csv, "ki,verwaltung");
        assert_eq!(split_topics(&csv), vec!["ki", "verwaltung"]);
        assert!(expertise_csv(&["raumfahrt".into()], &known).is_err());
        assert_eq!(split_topics(""), Vec::<String>::new());
    }
}
