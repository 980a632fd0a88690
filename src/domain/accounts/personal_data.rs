//! A person's rights over what the platform stores about them (DSGVO Art. 15, 17 and
//! 20): everything about them as one JSON document, and the erasure of their account.
//!
//! Erasure anonymises the account instead of deleting its row: what the person wrote for
//! an organisation or an evaluation (proposals, messages, questions, reviews) belongs to
//! that record and stays, shown under [`ERASED_NAME`]; their address, name, password,
//! sessions, tokens, memberships, follows, notifications and the personal data of the
//! audit entries about them go. The address can register anew.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::schema::{
    api_tokens, assignments, attachments, audit_log, challenges, clarifications, email_tokens,
    evaluators, follows, forms, invitations, login_attempts, memberships, messages, notifications,
    organisations, pilots, proposal_revisions, proposals, questions, review_posts, reviews,
    sessions, users,
};
use crate::db::DbConnection;
use crate::domain::accounts::User;
use crate::domain::audit;
use crate::domain::time::utc;
use crate::error::{AppError, AppResult};
use crate::kinds::Role;

/// The name an erased account shows wherever its contributions remain.
pub const ERASED_NAME: &str = "Gelöschtes Konto · Deleted account";

/// The most rows of one kind an export lists; a section that has more says so
/// (`"truncated": true`) instead of growing the answer without bound.
pub const EXPORT_ROWS_MAX: i64 = 10_000;

fn t(at: NaiveDateTime) -> String {
    utc(at)
}

fn ot(at: Option<NaiveDateTime>) -> Option<String> {
    at.map(utc)
}

/// A section of the export: its rows, and whether there were more than it lists.
fn section(rows: Vec<Value>) -> Value {
    let truncated = rows.len() as i64 > EXPORT_ROWS_MAX;
    let rows: Vec<Value> = rows.into_iter().take(EXPORT_ROWS_MAX as usize).collect();
    json!({ "count": rows.len(), "truncated": truncated, "items": rows })
}

/// Everything stored about the account, as of `now`. Secrets (password hash, token
/// hashes) are left out; sessions and tokens appear as metadata.
pub fn export(conn: &mut DbConnection, user: &User, now: NaiveDateTime) -> AppResult<Value> {
    let uid = user.id;
    let n = EXPORT_ROWS_MAX + 1;
    let memberships: Vec<Value> = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(uid))
        .order(memberships::id)
        .limit(n)
        .select((
            organisations::id,
            organisations::name,
            memberships::role,
            memberships::joined_at,
            memberships::left_at,
        ))
        .load::<(i64, String, Role, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, name, role, joined, left)| json!({ "organisation_id": id, "organisation": name, "role": role, "joined_at": t(joined), "left_at": ot(left) }))
        .collect();
    let invitations: Vec<Value> = invitations::table
        .filter(invitations::email.eq(&user.email))
        .order(invitations::id)
        .limit(n)
        .select((
            invitations::kind,
            invitations::organisation_id,
            invitations::challenge_id,
            invitations::role,
            invitations::created_at,
            invitations::accepted_at,
            invitations::declined_at,
        ))
        .load::<(String, Option<i64>, Option<i64>, Option<String>, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(kind, org, challenge, role, at, accepted, declined)| json!({ "kind": kind, "organisation_id": org, "challenge_id": challenge, "role": role, "created_at": t(at), "accepted_at": ot(accepted), "declined_at": ot(declined) }))
        .collect();
    let sessions: Vec<Value> = sessions::table
        .filter(sessions::user_id.eq(uid))
        .order(sessions::id)
        .limit(n)
        .select((
            sessions::created_at,
            sessions::last_seen_at,
            sessions::expires_at,
            sessions::user_agent,
            sessions::ip,
        ))
        .load::<(NaiveDateTime, NaiveDateTime, NaiveDateTime, String, String)>(conn)?
        .into_iter()
        .map(|(created, seen, expires, agent, ip)| json!({ "created_at": t(created), "last_seen_at": t(seen), "expires_at": t(expires), "user_agent": agent, "ip": ip }))
        .collect();
    let tokens: Vec<Value> = api_tokens::table
        .filter(api_tokens::user_id.eq(uid))
        .order(api_tokens::id)
        .limit(n)
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .load::<(i64, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, name, created, used, revoked)| json!({ "id": id, "name": name, "created_at": t(created), "last_used_at": ot(used), "revoked_at": ot(revoked) }))
        .collect();
    let follows: Vec<Value> = follows::table
        .filter(follows::user_id.eq(uid))
        .order(follows::challenge_id)
        .limit(n)
        .select((follows::challenge_id, follows::created_at))
        .load::<(i64, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(c, at)| json!({ "challenge_id": c, "created_at": t(at) }))
        .collect();
    let questions: Vec<Value> = questions::table
        .filter(questions::asker_id.eq(uid))
        .order(questions::id)
        .limit(n)
        .select((
            questions::id,
            questions::challenge_id,
            questions::body,
            questions::status,
            questions::answer,
            questions::created_at,
        ))
        .load::<(i64, i64, String, String, Option<String>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, c, body, status, answer, at)| json!({ "id": id, "challenge_id": c, "body": body, "status": status, "answer": answer, "created_at": t(at) }))
        .collect();
    let proposals: Vec<Value> = proposals::table
        .filter(proposals::created_by.eq(uid))
        .order(proposals::id)
        .limit(n)
        .select((
            proposals::id,
            proposals::challenge_id,
            proposals::organisation_id,
            proposals::title,
            proposals::status,
            proposals::created_at,
        ))
        .load::<(i64, i64, i64, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, c, org, title, status, at)| json!({ "id": id, "challenge_id": c, "organisation_id": org, "title": title, "status": status, "created_at": t(at) }))
        .collect();
    let revisions: Vec<Value> = proposal_revisions::table
        .filter(proposal_revisions::created_by.eq(uid))
        .order(proposal_revisions::id)
        .limit(n)
        .select((
            proposal_revisions::proposal_id,
            proposal_revisions::number,
            proposal_revisions::note,
            proposal_revisions::created_at,
        ))
        .load::<(i64, i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(p, number, note, at)| json!({ "proposal_id": p, "number": number, "note": note, "created_at": t(at) }))
        .collect();
    let messages: Vec<Value> = messages::table
        .filter(messages::author_id.eq(uid))
        .order(messages::id)
        .limit(n)
        .select((
            messages::id,
            messages::proposal_id,
            messages::body,
            messages::created_at,
        ))
        .load::<(i64, i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, p, body, at)| json!({ "id": id, "proposal_id": p, "body": body, "created_at": t(at) }))
        .collect();
    let evaluator_places: Vec<Value> = evaluators::table
        .filter(evaluators::user_id.eq(uid))
        .order(evaluators::id)
        .limit(n)
        .select((
            evaluators::challenge_id,
            evaluators::expertise,
            evaluators::joined_at,
        ))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(c, expertise, at)| json!({ "challenge_id": c, "expertise": expertise, "joined_at": t(at) }))
        .collect();
    let reviews: Vec<Value> = reviews::table
        .inner_join(assignments::table.inner_join(evaluators::table))
        .filter(evaluators::user_id.eq(uid))
        .order(reviews::assignment_id)
        .limit(n)
        .select((
            assignments::proposal_id,
            assignments::stage_id,
            reviews::scores,
            reviews::comments,
            reviews::comment,
            reviews::confidence,
            reviews::submitted_at,
        ))
        .load::<(i64, i64, String, String, String, Option<i64>, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(p, stage, scores, comments, comment, confidence, submitted)| {
            json!({
                "proposal_id": p, "stage_id": stage,
                "scores": serde_json::from_str::<Value>(&scores).unwrap_or(Value::String(scores)),
                "comments": serde_json::from_str::<Value>(&comments).unwrap_or(Value::String(comments)),
                "comment": comment, "confidence": confidence, "submitted_at": ot(submitted),
            })
        })
        .collect();
    let clarifications: Vec<Value> = clarifications::table
        .filter(
            clarifications::asked_by
                .eq(uid)
                .or(clarifications::answered_by.eq(uid)),
        )
        .order(clarifications::id)
        .limit(n)
        .select((
            clarifications::proposal_id,
            clarifications::question,
            clarifications::answer,
            clarifications::asked_by,
            clarifications::asked_at,
            clarifications::answered_at,
        ))
        .load::<(i64, String, Option<String>, Option<i64>, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(p, q, a, asked_by, asked, answered)| json!({ "proposal_id": p, "question": q, "answer": a, "asked_by_you": asked_by == Some(uid), "asked_at": t(asked), "answered_at": ot(answered) }))
        .collect();
    let discussion: Vec<Value> = review_posts::table
        .filter(review_posts::author_id.eq(uid))
        .order(review_posts::id)
        .limit(n)
        .select((
            review_posts::proposal_id,
            review_posts::body,
            review_posts::created_at,
        ))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(p, body, at)| json!({ "proposal_id": p, "body": body, "created_at": t(at) }))
        .collect();
    let notifications: Vec<Value> = notifications::table
        .filter(notifications::user_id.eq(uid))
        .order(notifications::id)
        .limit(n)
        .select((
            notifications::kind,
            notifications::subject,
            notifications::link,
            notifications::created_at,
            notifications::read_at,
        ))
        .load::<(String, String, String, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(kind, subject, link, at, read)| json!({ "kind": kind, "subject": subject, "link": link, "created_at": t(at), "read_at": ot(read) }))
        .collect();
    let files: Vec<Value> = attachments::table
        .filter(attachments::uploaded_by.eq(uid))
        .order(attachments::id)
        .limit(n)
        .select((
            attachments::id,
            attachments::owner_type,
            attachments::owner_id,
            attachments::filename,
            attachments::size,
            attachments::created_at,
        ))
        .load::<(i64, String, i64, String, i64, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, owner, owner_id, name, size, at)| json!({ "id": id, "owner_type": owner, "owner_id": owner_id, "filename": name, "size": size, "created_at": t(at) }))
        .collect();
    let challenges: Vec<Value> = challenges::table
        .filter(challenges::created_by.eq(uid))
        .order(challenges::id)
        .limit(n)
        .select((challenges::id, challenges::title, challenges::created_at))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, title, at)| json!({ "id": id, "title": title, "created_at": t(at) }))
        .collect();
    let forms: Vec<Value> = forms::table
        .filter(forms::created_by.eq(uid))
        .order(forms::id)
        .limit(n)
        .select((forms::id, forms::title, forms::created_at))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, title, at)| json!({ "id": id, "title": title, "created_at": t(at) }))
        .collect();
    let pilots: Vec<Value> = pilots::table
        .filter(pilots::created_by.eq(uid))
        .order(pilots::id)
        .limit(n)
        .select((pilots::id, pilots::title, pilots::created_at))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, title, at)| json!({ "id": id, "title": title, "created_at": t(at) }))
        .collect();
    let logins: Vec<Value> = login_attempts::table
        .filter(login_attempts::email.eq(&user.email))
        .order(login_attempts::id)
        .limit(n)
        .select((
            login_attempts::at,
            login_attempts::success,
            login_attempts::ip,
        ))
        .load::<(NaiveDateTime, bool, String)>(conn)?
        .into_iter()
        .map(|(at, success, ip)| json!({ "at": t(at), "success": success, "ip": ip }))
        .collect();
    let audit: Vec<Value> = audit_log::table
        .filter(audit::about_person(uid))
        .order(audit_log::id)
        .limit(n)
        .select((
            audit_log::id,
            audit_log::created_at,
            audit_log::action,
            audit_log::object_type,
            audit_log::object_id,
            audit_log::details,
            audit_log::personal,
            audit_log::ip,
        ))
        .load::<(i64, NaiveDateTime, String, String, Option<i64>, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, at, action, object_type, object_id, details, personal, ip)| {
            json!({
                "id": id, "created_at": t(at), "action": action, "object_type": object_type, "object_id": object_id,
                "details": serde_json::from_str::<Value>(&details).unwrap_or(Value::String(details)),
                "personal": serde_json::from_str::<Value>(&personal).unwrap_or(Value::String(personal)),
                "ip": ip,
            })
        })
        .collect();
    Ok(json!({
        "exported_at": t(now),
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "is_admin": user.is_admin,
            "email_verified_at": ot(user.email_verified_at),
            "created_at": t(user.created_at),
            "updated_at": t(user.updated_at),
        },
        "memberships": section(memberships),
        "invitations_received": section(invitations),
        "sessions": section(sessions),
        "api_tokens": section(tokens),
        "follows": section(follows),
        "questions": section(questions),
        "proposals_started": section(proposals),
        "proposal_revisions": section(revisions),
        "messages": section(messages),
        "evaluator_places": section(evaluator_places),
        "reviews": section(reviews),
        "clarifications": section(clarifications),
        "review_discussion": section(discussion),
        "notifications": section(notifications),
        "files_uploaded": section(files),
        "challenges_written": section(challenges),
        "forms_built": section(forms),
        "pilots_made": section(pilots),
        "sign_in_attempts": section(logins),
        "audit_entries": section(audit),
    }))
}

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erasure {
    /// Sessions ended.
    pub sessions: usize,
    /// API tokens deleted.
    pub api_tokens: usize,
    /// Memberships ended.
    pub memberships: usize,
    /// Audit entries whose address and personal data were erased.
    pub audit_entries: usize,
}

/// The organisations that would be left without an owner while others remain in them:
/// the person must hand ownership on first.
pub fn sole_ownerships(conn: &mut DbConnection, uid: i64) -> AppResult<Vec<String>> {
    let owned: Vec<(i64, String)> = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(uid))
        .filter(memberships::role.eq(Role::Owner))
        .filter(memberships::left_at.is_null())
        .select((organisations::id, organisations::name))
        .load(conn)?;
    // Everyone else in those organisations, in one statement.
    let ids: Vec<i64> = owned.iter().map(|(id, _)| *id).collect();
    let others: Vec<(i64, Role)> = memberships::table
        .filter(memberships::organisation_id.eq_any(&ids))
        .filter(memberships::user_id.ne(uid))
        .filter(memberships::left_at.is_null())
        .select((memberships::organisation_id, memberships::role))
        .load(conn)?;
    Ok(owned
        .into_iter()
        .filter(|(org, _)| {
            let roles: Vec<Role> = others
                .iter()
                .filter(|(o, _)| o == org)
                .map(|(_, r)| *r)
                .collect();
            !roles.is_empty() && !roles.contains(&Role::Owner)
        })
        .map(|(_, name)| name)
        .collect())
}

/// Erases the account (run in one transaction with its audit entry): see the module
/// documentation. Refused (409) while it is the last owner of an organisation that has
/// other members.
pub fn erase(conn: &mut DbConnection, user: &User, now: NaiveDateTime) -> AppResult<Erasure> {
    let uid = user.id;
    if !sole_ownerships(conn, uid)?.is_empty() {
        return Err(AppError::Conflict {
            message_id: "account-delete-sole-owner",
        });
    }
    let erasure = Erasure {
        sessions: diesel::delete(sessions::table.filter(sessions::user_id.eq(uid)))
            .execute(conn)?,
        api_tokens: diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(uid)))
            .execute(conn)?,
        memberships: diesel::delete(memberships::table.filter(memberships::user_id.eq(uid)))
            .execute(conn)?,
        audit_entries: audit::erase_person(conn, uid)?,
    };
    diesel::delete(email_tokens::table.filter(email_tokens::user_id.eq(uid))).execute(conn)?;
    diesel::delete(follows::table.filter(follows::user_id.eq(uid))).execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::user_id.eq(uid))).execute(conn)?;
    diesel::delete(
        invitations::table
            .filter(invitations::email.eq(&user.email))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)?;
    diesel::delete(login_attempts::table.filter(login_attempts::email.eq(&user.email)))
        .execute(conn)?;
    diesel::update(users::table.find(uid))
        .set((
            users::email.eq(format!("erased-{uid}@erased.invalid")),
            users::display_name.eq(ERASED_NAME),
            // No password verifies against this: the account cannot sign in again.
            users::password_hash.eq("!"),
            users::is_admin.eq(false),
            users::email_verified_at.eq(None::<NaiveDateTime>),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(erasure)
}

/// What the retention job removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Sessions whose address and browser were removed.
    pub sessions: usize,
    /// Sign-in attempts deleted (they hold the typed address and the client's).
    pub sign_in_attempts: usize,
    /// Audit entries whose address and personal data were erased.
    pub audit_entries: usize,
}

/// Removes client addresses and user agents recorded before `cutoff` (the configured
/// retention period ago): from sessions, sign-in attempts and audit entries. Rate-limit
/// events go sooner, when their window passes (`domain::rate::prune`).
pub fn forget_addresses(conn: &mut DbConnection, cutoff: NaiveDateTime) -> AppResult<Forgotten> {
    Ok(Forgotten {
        sessions: diesel::update(
            sessions::table
                .filter(sessions::created_at.lt(cutoff))
                .filter(sessions::ip.ne("").or(sessions::user_agent.ne(""))),
        )
        .set((sessions::ip.eq(""), sessions::user_agent.eq("")))
        .execute(conn)?,
        sign_in_attempts: diesel::delete(
            login_attempts::table.filter(login_attempts::at.lt(cutoff)),
        )
        .execute(conn)?,
        audit_entries: audit::erase_before(conn, cutoff)?,
    })
}
