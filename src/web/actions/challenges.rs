//! Challenge operations shared by pages and API: write, move through the states, stages,
//! questions, following, attachments.

use serde_json::json;

use crate::auth::policy::{self, Action, ChallengeFacts};
use crate::db::DbConnection;
use crate::domain::attachments::{self, Attachment};
use crate::domain::audit::{self, Event};
use crate::domain::challenges::{self, Challenge, ChallengeInput, Transition};
use crate::domain::evaluation::stages::{Stage, StageInput};
use crate::domain::questions::{self, Question};
use crate::domain::{notifications, organisations, proposals, rate};
use crate::error::{AppError, AppResult};
use crate::kinds::{AttachmentOwner, QuestionStatus};
use crate::web::context::Ctx;

/// A challenge by slug (pages) with its policy facts; 404 unless the user may see it.
pub async fn load(ctx: &Ctx, slug: String) -> AppResult<(Challenge, ChallengeFacts)> {
    load_with(ctx, move |conn| challenges::find_by_slug(conn, &slug)).await
}

/// A challenge by id (API), as [`load`].
pub async fn load_by_id(ctx: &Ctx, id: i64) -> AppResult<(Challenge, ChallengeFacts)> {
    load_with(ctx, move |conn| challenges::find(conn, id)).await
}

async fn load_with<F>(ctx: &Ctx, find: F) -> AppResult<(Challenge, ChallengeFacts)>
where
    F: FnOnce(&mut crate::db::DbConnection) -> AppResult<Challenge> + Send + 'static,
{
    let uid = ctx.user_id();
    let (c, f) = ctx
        .db(move |conn| {
            let c = find(conn)?;
            let f = challenges::facts(conn, &c, uid)?;
            Ok((c, f))
        })
        .await?;
    ctx.authorize(Action::ViewChallenge(&f)).await?;
    Ok((c, f))
}

/// The agencies the user may write challenges for.
pub async fn my_agencies(ctx: &Ctx) -> AppResult<Vec<organisations::Organisation>> {
    let uid = ctx.require_user()?.id;
    let all = ctx
        .db(move |conn| organisations::memberships_of(conn, uid))
        .await?;
    Ok(all
        .into_iter()
        .map(|(o, _)| o)
        .filter(|o| o.kind == crate::kinds::OrgKind::Agency)
        .collect())
}

/// Creates a draft challenge in the agency's name for the signed-in member (audited);
/// 404 for an organisation they may not see, validation errors by field.
pub async fn create(
    ctx: &Ctx,
    organisation_id: i64,
    input: ChallengeInput,
) -> AppResult<Challenge> {
    let (_, org_facts) = super::organisations::load_org_by_id(ctx, organisation_id).await?;
    ctx.authorize(Action::CreateChallenge(&org_facts)).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let topics = crate::domain::topics::choosable_slugs(conn, None)?;
        let valid = challenges::validate(&input, &topics)?;
        let c = challenges::create(conn, organisation_id, uid, &valid)?;
        audit::append(
            conn,
            Event::new(Some(uid), "challenge_created", "challenge", Some(c.id)).ip(&ip),
        )?;
        Ok(c)
    })
    .await
}

/// Saves the agency's changes (audited); returns `current` unchanged when nothing
/// changed, and nothing is written then.
pub async fn update(
    ctx: &Ctx,
    current: &Challenge,
    facts: &ChallengeFacts,
    input: ChallengeInput,
) -> AppResult<Challenge> {
    ctx.authorize(Action::ManageChallenge(facts)).await?;
    let (current, uid, ip) = (current.clone(), ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        let topics = crate::domain::topics::choosable_slugs(conn, Some(current.id))?;
        let valid = challenges::validate(&input, &topics)?;
        let Some(c) = challenges::update(conn, &current, &valid)? else {
            return Ok(current);
        };
        audit::append(
            conn,
            Event::new(uid, "challenge_updated", "challenge", Some(c.id)).ip(&ip),
        )?;
        Ok(c)
    })
    .await
}

/// Moves the challenge to its next status (publishing needs its own permission), audits
/// it and notifies the followers; an illegal transition is a 409.
pub async fn transition(
    ctx: &Ctx,
    current: &Challenge,
    facts: &ChallengeFacts,
    t: Transition,
) -> AppResult<Challenge> {
    if t == Transition::Publish {
        ctx.authorize(Action::PublishChallenge(facts)).await?;
    } else {
        ctx.authorize(Action::ManageChallenge(facts)).await?;
    }
    let (current, uid, ip) = (current.clone(), ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        let c = challenges::transition(conn, &current, t)?;
        audit::append(
            conn,
            Event::new(uid, "challenge_transition", "challenge", Some(c.id))
                .details(
                    json!({ "from": current.status, "to": c.status, "transition": t.as_str() }),
                )
                .ip(&ip),
        )?;
        let followers = challenges::followers(conn, c.id)?;
        notifications::notify(
            conn,
            &followers,
            "notify-challenge-status",
            &format!("/challenges/{}", c.slug),
            &c.title,
        )?;
        Ok(c)
    })
    .await
}

/// Replaces the challenge's evaluation stages (audited); a 409 once evaluation has
/// started, validation errors by stage and criterion.
pub async fn replace_stages(
    ctx: &Ctx,
    current: &Challenge,
    facts: &ChallengeFacts,
    input: Vec<StageInput>,
) -> AppResult<Vec<Stage>> {
    ctx.authorize(Action::ManageChallenge(facts)).await?;
    let (current, uid, ip) = (current.clone(), ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        let stages = crate::domain::evaluation::stages::replace_stages(conn, &current, &input)?;
        audit::append(
            conn,
            Event::new(uid, "challenge_stages_set", "challenge", Some(current.id))
                .details(json!({ "stages": stages.len() }))
                .ip(&ip),
        )?;
        Ok(stages)
    })
    .await
}

/// Asks a question; anonymous unless the asker is logged in and chose to give their name.
/// Returns the question and, for anonymous ones, the private follow key.
pub async fn ask(
    ctx: &Ctx,
    c: &Challenge,
    body: String,
    anonymous: bool,
) -> AppResult<(Question, Option<String>)> {
    if !c.status.is_published() {
        return Err(AppError::NotFound);
    }
    let anonymous = anonymous || ctx.user.is_none();
    let (cid, uid, ip, slug, title) = (
        c.id,
        ctx.user_id(),
        ctx.ip.clone(),
        c.slug.clone(),
        c.title.clone(),
    );
    let org = c.organisation_id;
    ctx.tx(move |conn| {
        rate::hit(conn, "question_ip", &ip, 10, chrono::Duration::hours(1))?;
        let (q, key) = questions::ask(conn, cid, uid, &body, anonymous)?;
        // The agency learns that a question waits; nothing about who asked.
        audit::append(
            conn,
            Event::new(None, "question_asked", "question", Some(q.id)),
        )?;
        let staff: Vec<i64> = organisations::members(conn, org)?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        notifications::notify(
            conn,
            &staff,
            "notify-question-new",
            &format!("/challenges/{slug}/questions"),
            &title,
        )?;
        Ok((q, key))
    })
    .await
}

/// Loads a question with its challenge, for the agency's actions on it.
pub async fn load_question(ctx: &Ctx, id: i64) -> AppResult<(Question, Challenge, ChallengeFacts)> {
    let uid = ctx.user_id();
    ctx.db(move |conn| {
        let q = questions::find(conn, id)?;
        let c = challenges::find(conn, q.challenge_id)?;
        let f = challenges::facts(conn, &c, uid)?;
        Ok((q, c, f))
    })
    .await
}

/// Answers publicly or declines with a reason; followers and a named asker are told.
pub async fn respond(
    ctx: &Ctx,
    question_id: i64,
    answer: Option<String>,
    decline: Option<String>,
) -> AppResult<Question> {
    let (_, c, f) = load_question(ctx, question_id).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let q = questions::respond(
            conn,
            question_id,
            uid,
            answer.as_deref(),
            decline.as_deref(),
        )?;
        audit::append(
            conn,
            Event::new(Some(uid), "question_responded", "question", Some(q.id))
                .details(json!({ "status": q.status }))
                .ip(&ip),
        )?;
        if q.status == QuestionStatus::Answered {
            let mut to = challenges::followers(conn, c.id)?;
            to.extend(q.asker_id);
            notifications::notify(
                conn,
                &to,
                "notify-question-answered",
                &format!("/challenges/{}#questions", c.slug),
                &c.title,
            )?;
        }
        Ok(q)
    })
    .await
}

/// Hides a question as abusive, or shows it again, for those who moderate the challenge;
/// the reason goes into the audit log. Returns the question's challenge.
pub async fn set_question_hidden(
    ctx: &Ctx,
    question_id: i64,
    hide: bool,
    reason: String,
) -> AppResult<Challenge> {
    let (_, c, f) = load_question(ctx, question_id).await?;
    ctx.authorize(Action::ModerateQuestions(&f)).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        questions::set_hidden(conn, question_id, uid, hide, &reason)?;
        let action = if hide {
            "question_hidden"
        } else {
            "question_shown"
        };
        audit::append(
            conn,
            Event::new(Some(uid), action, "question", Some(question_id))
                .details(json!({ "reason": reason }))
                .ip(&ip),
        )
    })
    .await?;
    Ok(c)
}

/// Starts or stops the signed-in user following the challenge; doing either twice is
/// harmless.
pub async fn set_following(ctx: &Ctx, c: &Challenge, follow: bool) -> AppResult<()> {
    let uid = ctx.require_user()?.id;
    let cid = c.id;
    ctx.tx(move |conn| challenges::set_following(conn, uid, cid, follow))
        .await
}

/// Stores an uploaded file for a challenge or proposal; the caller has authorised it.
pub async fn attach(
    ctx: &Ctx,
    owner: AttachmentOwner,
    owner_id: i64,
    filename: String,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    let (uid, ip, files) = (
        ctx.require_user()?.id,
        ctx.ip.clone(),
        ctx.state.files.clone(),
    );
    ctx.tx(move |conn| {
        rate::hit(
            conn,
            "upload_user",
            &uid.to_string(),
            100,
            chrono::Duration::hours(1),
        )?;
        let a = attachments::store(conn, &files, owner, owner_id, &filename, &bytes, uid)?;
        if owner == AttachmentOwner::Challenge {
            // Followers hear of new documents only once the challenge is public.
            let c = challenges::find(conn, owner_id)?;
            if c.status.is_published() {
                let followers = challenges::followers(conn, c.id)?;
                notifications::notify(
                    conn,
                    &followers,
                    "notify-document-added",
                    &format!("/challenges/{}#attachments", c.slug),
                    &c.title,
                )?;
            }
        }
        audit::append(
            conn,
            Event::new(
                Some(uid),
                "attachment_uploaded",
                owner.as_str(),
                Some(owner_id),
            )
            .details(json!({ "attachment_id": a.id, "filename": a.filename, "size": a.size }))
            .ip(&ip),
        )?;
        Ok(a)
    })
    .await
}

/// Deletes a file: the agency for a challenge's files, the team for a proposal's (while
/// the proposal may still change). Returns the page of the parent to go back to.
pub async fn delete_attachment(ctx: &Ctx, id: i64) -> AppResult<String> {
    let (uid, ip, files, actor) = (
        ctx.require_user()?.id,
        ctx.ip.clone(),
        ctx.state.files.clone(),
        ctx.actor(),
    );
    let (a, back, allowed) = ctx
        .db(move |conn| {
            let a = attachments::find(conn, id)?;
            if !may_read(conn, &a, &actor)? {
                return Err(AppError::NotFound);
            }
            let (back, allowed) = match a.owner_type {
                AttachmentOwner::Challenge => {
                    let c = challenges::find(conn, a.owner_id)?;
                    let f = challenges::facts(conn, &c, actor.user_id())?;
                    (
                        format!("/challenges/{}#attachments", c.slug),
                        crate::auth::policy::authorize(&actor, Action::ManageChallenge(&f)).is_ok(),
                    )
                }
                _ => {
                    let p = proposals::find(conn, a.owner_id)?;
                    let c = challenges::find(conn, p.challenge_id)?;
                    let f = proposals::facts(conn, &p, &c, actor.user_id())?;
                    let may =
                        crate::auth::policy::authorize(&actor, Action::EditProposal(&f)).is_ok();
                    if may {
                        proposals::ensure_editable(&p, &c, crate::db::now())?;
                    }
                    (format!("/proposals/{}#attachments", p.id), may)
                }
            };
            Ok((a, back, allowed))
        })
        .await?;
    if !allowed {
        return Err(AppError::Forbidden);
    }
    ctx.tx(move |conn| {
        attachments::delete(conn, &files, &a)?;
        audit::append(
            conn,
            Event::new(Some(uid), "attachment_deleted", "attachment", Some(a.id))
                .details(json!({ "owner": a.owner_type, "owner_id": a.owner_id, "filename": a.filename }))
                .ip(&ip),
        )
    })
    .await?;
    Ok(back)
}

/// Whether the current user may read the attachment's parent (and so the file).
pub fn may_read(
    conn: &mut DbConnection,
    a: &Attachment,
    actor: &crate::auth::policy::Actor,
) -> AppResult<bool> {
    Ok(read_access(conn, a, actor)?.is_some())
}

/// Under which name the actor may read the file: `None` if not at all, a neutral name
/// (`attachment-7.pdf`) for an evaluator in a blind stage, who must not learn the team
/// from file names, the team's own name otherwise.
pub fn read_access(
    conn: &mut DbConnection,
    a: &Attachment,
    actor: &crate::auth::policy::Actor,
) -> AppResult<Option<String>> {
    let uid = actor.user_id();
    Ok(match a.owner_type {
        AttachmentOwner::Challenge => {
            let c = challenges::find(conn, a.owner_id)?;
            let f = challenges::facts(conn, &c, uid)?;
            crate::auth::policy::authorize(actor, Action::ViewChallenge(&f))
                .ok()
                .map(|_| a.filename.clone())
        }
        AttachmentOwner::Proposal => {
            let p = proposals::find(conn, a.owner_id)?;
            let c = challenges::find(conn, p.challenge_id)?;
            let f = proposals::facts(conn, &p, &c, uid)?;
            crate::auth::policy::authorize(actor, Action::ViewProposalPrivate(&f))
                .ok()
                .map(|_| {
                    if f.hides_team() {
                        a.neutral_name()
                    } else {
                        a.filename.clone()
                    }
                })
        }
    })
}

/// Which questions of the challenge the reader of its question list gets: the agency all
/// of them (hidden ones marked), everyone else the public ones and their own.
pub fn question_audience(ctx: &Ctx, f: &ChallengeFacts) -> questions::Audience {
    if policy::authorize(&ctx.actor(), Action::ManageChallenge(f)).is_ok() {
        questions::Audience::Agency
    } else {
        questions::Audience::Public {
            reader: ctx.user_id(),
        }
    }
}

/// Which of the challenge's proposals the reader may list: the agency every submitted
/// one, everyone the submitted ones once the challenge made them public; others are
/// refused as the policy says.
pub async fn proposal_scope(
    ctx: &Ctx,
    c: &Challenge,
    f: &ChallengeFacts,
) -> AppResult<proposals::Scope> {
    if policy::authorize(&ctx.actor(), Action::ManageChallenge(f)).is_ok() {
        Ok(proposals::Scope::Agency)
    } else if c.proposals_public(crate::db::now()) {
        Ok(proposals::Scope::Public)
    } else {
        ctx.authorize(Action::ManageChallenge(f)).await?;
        Ok(proposals::Scope::Agency)
    }
}
