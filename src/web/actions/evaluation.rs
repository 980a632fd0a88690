//! Evaluation operations shared by pages and API: the evaluator pool, conflicts, stages
//! (start, assignments, decisions, release) and reviews. Each asks the policy, runs the
//! domain function in one transaction and writes its audit entry there.

use serde_json::json;

use crate::auth::policy::{Action, ChallengeFacts, EvaluatorFacts, ProposalFacts};
use crate::domain::audit::{self, Event};
use crate::domain::challenges::{self, Challenge};
use crate::domain::evaluation::clarifications::{self, Clarification};
use crate::domain::evaluation::discussion;
use crate::domain::evaluation::evaluators::{self, EvaluatorRow};
use crate::domain::evaluation::progress::{self, StageContext};
use crate::domain::evaluation::reviews::{self, Assignment, AutoAssigned, Review, ReviewInput};
use crate::domain::notifications;
use crate::domain::organisations::{self, OrgRef};
use crate::domain::proposals::{self, Proposal};
use crate::domain::rate;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::Outcome;
use crate::web::actions;
use crate::web::actions::mails::{link, send_mail};
use crate::web::context::Ctx;

/// A stage with its challenge; 404 unless the user may see the challenge.
pub async fn load_stage(ctx: &Ctx, stage_id: i64) -> AppResult<(StageContext, ChallengeFacts)> {
    let uid = ctx.user_id();
    let (s, f) = ctx
        .db(move |conn| {
            let s = progress::load(conn, stage_id)?;
            let f = challenges::facts(conn, &s.challenge, uid)?;
            Ok((s, f))
        })
        .await?;
    ctx.authorize(Action::ViewChallenge(&f)).await?;
    Ok((s, f))
}

/// A stage the user manages (its agency).
pub async fn manage_stage(ctx: &Ctx, stage_id: i64) -> AppResult<StageContext> {
    let (s, f) = load_stage(ctx, stage_id).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    Ok(s)
}

/// Invites an evaluator by email; accounts get a notification, every address a mail.
pub async fn invite(
    ctx: &Ctx,
    c: &Challenge,
    f: &ChallengeFacts,
    email: String,
    expertise: Vec<String>,
) -> AppResult<i64> {
    ctx.authorize(Action::InviteEvaluators(f)).await?;
    let (cid, uid, ip, title) = (
        c.id,
        ctx.require_user()?.id,
        ctx.ip.clone(),
        c.title.clone(),
    );
    let addr = email.clone();
    let (id, account) = ctx
        .tx(move |conn| {
            let day = chrono::Duration::days(1);
            // Per challenge and per sender: a pool is large but not endless. Per
            // recipient: a few invitations a day, whoever sends them, so that no one can
            // make the platform mail a stranger again and again.
            rate::hit(conn, "invite_evaluator", &cid.to_string(), 200, day)?;
            rate::hit(conn, "invite_evaluator_by", &uid.to_string(), 300, day)?;
            if let Some(to) = crate::text::normalise_email(&addr) {
                rate::hit(conn, "invite_evaluator_to", &to, 3, day)?;
            }
            let known = crate::domain::topics::slugs(conn)?;
            let (id, account) = evaluators::invite(conn, cid, uid, &addr, &expertise, &known)?;
            audit::append(
                conn,
                Event::new(Some(uid), "evaluator_invited", "challenge", Some(cid))
                    .details(json!({ "invitation_id": id }))
                    .personal(json!({ "email": addr.trim().to_lowercase() }))
                    .ip(&ip),
            )?;
            if let Some(u) = &account {
                notifications::notify(
                    conn,
                    &[u.id],
                    "notify-evaluator-invited",
                    "/invitations",
                    &title,
                )?;
            }
            Ok((id, account))
        })
        .await?;
    let data = json!({
        "challenge_title": c.title,
        "inviter": ctx.require_user()?.display_name,
        "challenge_link": link(ctx, &format!("/challenges/{}", c.slug)),
        "register_link": link(ctx, "/register"),
        "invitations_link": link(ctx, "/invitations"),
        "days": organisations::INVITATION_DAYS,
        "has_account": account.is_some(),
    });
    let lang = account.as_ref().map_or(ctx.lang, |u| u.lang());
    send_mail(
        ctx,
        email.trim(),
        lang,
        "evaluator_invitation",
        "mail-evaluator-invitation-subject",
        data,
    )
    .await;
    Ok(id)
}

/// The user's evaluator role in a challenge, checked by the policy.
pub async fn me_as_evaluator(ctx: &Ctx, challenge_id: i64) -> AppResult<EvaluatorRow> {
    let uid = ctx.require_user()?.id;
    let row = ctx
        .db(move |conn| evaluators::find_for_user(conn, challenge_id, uid))
        .await?;
    ctx.authorize(Action::ActAsEvaluator(&EvaluatorFacts {
        challenge_id,
        evaluator: row.is_some(),
    }))
    .await?;
    row.ok_or(AppError::Forbidden)
}

/// An evaluator declares a conflict with an organisation.
pub async fn declare_conflict(
    ctx: &Ctx,
    challenge_id: i64,
    organisation: OrgRef,
    reason: String,
) -> AppResult<i64> {
    let me = me_as_evaluator(ctx, challenge_id).await?;
    let (uid, ip) = (ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        let (id, organisation_id, removed) =
            evaluators::declare_conflict(conn, &me, &organisation, &reason)?;
        audit::append(
            conn,
            Event::new(uid, "conflict_declared", "challenge", Some(challenge_id))
                .details(json!({ "conflict_id": id, "organisation_id": organisation_id, "assignments_removed": removed }))
                .ip(&ip),
        )?;
        Ok(id)
    })
    .await
}

/// Runs a state-changing stage operation for the agency, with its audit entry.
async fn stage_tx<T, F>(ctx: &Ctx, stage_id: i64, action: &'static str, f: F) -> AppResult<T>
where
    T: serde::Serialize + Send + 'static,
    F: FnOnce(&mut crate::db::DbConnection, &StageContext, i64) -> AppResult<T> + Send + 'static,
{
    let s = manage_stage(ctx, stage_id).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        // Read again inside the transaction: another request may have moved the stage on.
        progress::lock(conn, s.id())?;
        let s = progress::load(conn, s.id())?;
        let out = f(conn, &s, uid)?;
        audit::append(
            conn,
            Event::new(Some(uid), action, "stage", Some(s.id()))
                .details(json!({ "challenge_id": s.challenge.id, "result": out }))
                .ip(&ip),
        )?;
        Ok(out)
    })
    .await
}

/// Starts the stage for its agency (audited) and returns how many proposals entered it.
pub async fn start(ctx: &Ctx, stage_id: i64) -> AppResult<usize> {
    stage_tx(ctx, stage_id, "stage_started", |conn, s, _| {
        progress::start(conn, s)
    })
    .await
}

/// Assigns one evaluator to one proposal of the running stage by hand (audited); a
/// conflict of interest is a 409.
pub async fn assign(
    ctx: &Ctx,
    stage_id: i64,
    proposal_id: i64,
    evaluator_id: i64,
) -> AppResult<Assignment> {
    stage_tx(ctx, stage_id, "assignment_created", move |conn, s, _| {
        reviews::assign(conn, s, proposal_id, evaluator_id)
    })
    .await
}

/// Fills every proposal of the running stage up to `per_proposal` evaluators (the
/// stage's setting by default), each evaluator holding at most `max_load` if given
/// (audited). Returns what was done and what could not be filled.
pub async fn auto_assign(
    ctx: &Ctx,
    stage_id: i64,
    per_proposal: Option<u32>,
    max_load: Option<u32>,
) -> AppResult<AutoAssigned> {
    stage_tx(ctx, stage_id, "assignments_planned", move |conn, s, _| {
        reviews::auto_assign(conn, s, per_proposal, max_load)
    })
    .await
}

/// An assignment of a stage the user manages. To anyone else every id is "not found",
/// so that assignment ids cannot be probed.
pub async fn managed_assignment(ctx: &Ctx, assignment_id: i64) -> AppResult<Assignment> {
    let a = ctx
        .db(move |conn| reviews::find(conn, assignment_id))
        .await?;
    manage_stage(ctx, a.stage_id).await.map_err(|e| match e {
        AppError::Forbidden => AppError::NotFound,
        other => other,
    })?;
    Ok(a)
}

/// The agency removes an assignment of its stage.
pub async fn unassign(ctx: &Ctx, assignment_id: i64) -> AppResult<i64> {
    let a = managed_assignment(ctx, assignment_id).await?;
    stage_tx(ctx, a.stage_id, "assignment_removed", move |conn, s, _| {
        reviews::unassign(conn, s, &a)?;
        Ok(a.id)
    })
    .await
}

/// An assignment of the current user (404 for anyone else's), with its stage, the
/// proposal and the proposal's policy facts.
pub async fn my_assignment(
    ctx: &Ctx,
    assignment_id: i64,
) -> AppResult<(Assignment, StageContext, Proposal, ProposalFacts)> {
    let uid = ctx.require_user()?.id;
    let (a, s, p, f) = ctx
        .db(move |conn| {
            let a = reviews::find_for_user(conn, assignment_id, uid)?;
            let s = progress::load(conn, a.stage_id)?;
            let p = proposals::find(conn, a.proposal_id)?;
            let f = proposals::facts(conn, &p, &s.challenge, Some(uid))?;
            Ok((a, s, p, f))
        })
        .await?;
    // A declined assignment no longer opens the proposal, nor its score form.
    ctx.authorize(Action::ReviewProposal(&f)).await?;
    Ok((a, s, p, f))
}

/// The evaluator declines their assignment with a reason (audited); automatic assignment
/// does not give it to them again.
pub async fn decline(ctx: &Ctx, assignment_id: i64, reason: String) -> AppResult<()> {
    let (a, ..) = my_assignment(ctx, assignment_id).await?;
    let (uid, ip) = (ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        progress::lock(conn, a.stage_id)?;
        let (a, s) = (
            reviews::find(conn, a.id)?,
            progress::load(conn, a.stage_id)?,
        );
        reviews::decline(conn, &s, &a, &reason)?;
        audit::append(
            conn,
            Event::new(uid, "assignment_declined", "stage", Some(s.id()))
                .details(json!({ "assignment_id": a.id }))
                .ip(&ip),
        )
    })
    .await
}

/// Saves the evaluator's review, and with `input.submit` submits it (audited), while the
/// stage runs and its deadline has not passed.
pub async fn save_review(ctx: &Ctx, assignment_id: i64, input: ReviewInput) -> AppResult<Review> {
    let (a, ..) = my_assignment(ctx, assignment_id).await?;
    let (uid, ip) = (ctx.user_id(), ctx.ip.clone());
    ctx.tx(move |conn| {
        // Assignment and stage as they are now: unassigned, declined or released meanwhile?
        progress::lock(conn, a.stage_id)?;
        let (a, s) = (
            reviews::find(conn, a.id)?,
            progress::load(conn, a.stage_id)?,
        );
        let r = reviews::save_review(conn, &s, &a, &input, crate::db::now())?;
        audit::append(
            conn,
            Event::new(
                uid,
                if input.submit {
                    "review_submitted"
                } else {
                    "review_saved"
                },
                "stage",
                Some(s.id()),
            )
            .details(json!({ "assignment_id": a.id, "score": r.score }))
            .ip(&ip),
        )?;
        Ok(r)
    })
    .await
}

/// A decision on one proposal, or on the top `n` of the ranking that are still pending.
pub enum Decision {
    /// A decision on a single proposal of the stage.
    One {
        /// The proposal decided on.
        proposal_id: i64,
        /// What it gets.
        outcome: Outcome,
        /// Words for the team, shown once the stage is released; may be empty.
        feedback: String,
    },
    /// The same decision for the best-ranked proposals with a score and no decision yet.
    Top {
        /// How many, at least 1.
        n: usize,
        /// What they get.
        outcome: Outcome,
        /// Words for each team, shown once the stage is released; may be empty.
        feedback: String,
    },
}

/// Records the agency's decision (audited) and returns the proposals it was applied to.
pub async fn decide(ctx: &Ctx, stage_id: i64, d: Decision) -> AppResult<Vec<i64>> {
    stage_tx(
        ctx,
        stage_id,
        "decisions_made",
        move |conn, s, uid| match d {
            Decision::One {
                proposal_id,
                outcome,
                feedback,
            } => {
                progress::decide(conn, s, proposal_id, outcome, &feedback, uid)?;
                Ok(vec![proposal_id])
            }
            Decision::Top {
                n,
                outcome,
                feedback,
            } => {
                if n == 0 {
                    return Err(FieldErrors::single("top_n", "top-n-invalid"));
                }
                let chosen: Vec<i64> = reviews::ranking(conn, s)?
                    .into_iter()
                    .filter(|r| r.outcome.is_none() && r.ranked.score.is_some())
                    .take(n)
                    .map(|r| r.ranked.proposal_id)
                    .collect();
                for p in &chosen {
                    progress::decide(conn, s, *p, outcome, &feedback, uid)?;
                }
                Ok(chosen)
            }
        },
    )
    .await
}

/// Takes back the decision on a proposal before release (audited); returns its id.
pub async fn retract(ctx: &Ctx, stage_id: i64, proposal_id: i64) -> AppResult<i64> {
    stage_tx(ctx, stage_id, "decision_retracted", move |conn, s, _| {
        progress::retract(conn, s, proposal_id)?;
        Ok(proposal_id)
    })
    .await
}

/// Releases the stage's decisions and tells every team member (in-app and by mail).
pub async fn release(ctx: &Ctx, stage_id: i64, show_scores: bool) -> AppResult<usize> {
    let told = stage_tx(ctx, stage_id, "stage_released", move |conn, s, _| {
        let released = progress::release(conn, s, show_scores)?;
        let mut told = Vec::new();
        for (org, proposal_id) in released {
            let members = organisations::members(conn, org)?;
            let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
            let title = proposals::find(conn, proposal_id)?.title;
            notifications::notify(
                conn,
                &ids,
                "notify-stage-released",
                &format!("/proposals/{proposal_id}"),
                &title,
            )?;
            told.extend(
                members
                    .into_iter()
                    .map(|m| (m.email, m.locale, proposal_id, title.clone())),
            );
        }
        Ok(told)
    })
    .await?;
    for (email, locale, proposal_id, title) in &told {
        let lang = crate::i18n::Lang::parse(locale).unwrap_or_default();
        let data = json!({ "proposal_title": title, "proposal_link": link(ctx, &format!("/proposals/{proposal_id}")) });
        send_mail(
            ctx,
            email,
            lang,
            "stage_released",
            "mail-stage-released-subject",
            data,
        )
        .await;
    }
    Ok(told.len())
}

/// The agency asks a proposal's team a question during a running stage; the team is told.
pub async fn ask_clarification(
    ctx: &Ctx,
    stage_id: i64,
    proposal_id: i64,
    question: String,
    due: String,
) -> AppResult<Clarification> {
    stage_tx(ctx, stage_id, "clarification_asked", move |conn, s, uid| {
        let c = clarifications::ask(conn, s, proposal_id, &question, &due, uid, crate::db::now())?;
        let p = proposals::find(conn, proposal_id)?;
        let team: Vec<i64> = organisations::members(conn, p.organisation_id)?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let link = format!("/proposals/{proposal_id}/clarifications");
        notifications::notify(conn, &team, "notify-clarification-asked", &link, &p.title)?;
        Ok(c)
    })
    .await
}

/// The team answers a clarification; the agency is told.
pub async fn answer_clarification(
    ctx: &Ctx,
    clarification_id: i64,
    answer: String,
) -> AppResult<Clarification> {
    let c = ctx
        .db(move |conn| clarifications::find(conn, clarification_id))
        .await?;
    let (p, challenge, f) = actions::proposals::load(ctx, c.proposal_id).await?;
    ctx.authorize(Action::EditProposal(&f)).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let done = clarifications::answer(conn, &c, &answer, uid, crate::db::now())?;
        audit::append(
            conn,
            Event::new(Some(uid), "clarification_answered", "proposal", Some(p.id))
                .details(json!({ "clarification_id": c.id }))
                .ip(&ip),
        )?;
        let staff: Vec<i64> = organisations::members(conn, challenge.organisation_id)?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let link = format!("/proposals/{}/clarifications", p.id);
        notifications::notify(
            conn,
            &staff,
            "notify-clarification-answered",
            &link,
            &p.title,
        )?;
        Ok(done)
    })
    .await
}

/// A post in a proposal's evaluation discussion; the people it @mentions are notified.
pub async fn post_discussion(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    body: String,
) -> AppResult<i64> {
    ctx.authorize(Action::ViewReviews(f)).await?;
    let (pid, agency, title) = (p.id, c.organisation_id, p.title.clone());
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let id = discussion::post(conn, pid, uid, &body)?;
        audit::append(
            conn,
            Event::new(Some(uid), "discussion_posted", "proposal", Some(pid)).ip(&ip),
        )?;
        let people = discussion::participants(conn, pid, agency)?;
        let to: Vec<i64> = discussion::mentioned(&body, &people)
            .into_iter()
            .filter(|u| *u != uid)
            .collect();
        let link = format!("/proposals/{pid}/reviews#discussion");
        notifications::notify(conn, &to, "notify-mentioned", &link, &title)?;
        Ok(id)
    })
    .await
}
