//! Proposal operations shared by pages and API: create, edit (with revisions), submit,
//! withdraw, reopen, the co-creation thread.

use serde_json::json;

use crate::auth::policy::{Action, ProposalFacts};
use crate::domain::audit::{self, Event};
use crate::domain::challenges::{self, Challenge};
use crate::domain::proposals::answers::{self, Saved};
use crate::domain::proposals::view::{self, ProposalView};
use crate::domain::proposals::{self, Proposal, ProposalInput};
use crate::domain::{messages, notifications, organisations};
use crate::error::{AppError, AppResult};
use crate::forms::Raw;
use crate::web::context::Ctx;

/// Loads a proposal the user may at least see in part (404 otherwise).
pub async fn load(ctx: &Ctx, id: i64) -> AppResult<(Proposal, Challenge, ProposalFacts)> {
    let uid = ctx.user_id();
    let (p, c, f) = ctx
        .db(move |conn| {
            let p = proposals::find(conn, id)?;
            let c = challenges::find(conn, p.challenge_id)?;
            let f = proposals::facts(conn, &p, &c, uid)?;
            Ok((p, c, f))
        })
        .await?;
    ctx.authorize(Action::ViewProposal(&f)).await?;
    Ok((p, c, f))
}

/// The proposal `id` as the caller sees it (see [`view::build`]); 404 for those who may
/// not read it at all.
pub async fn view(ctx: &Ctx, id: i64) -> AppResult<ProposalView> {
    let (p, c, f) = load(ctx, id).await?;
    let actor = ctx.actor();
    ctx.db(move |conn| view::build(conn, &actor, &p, &c, &f, crate::db::now()))
        .await
}

/// `p` as the caller sees it right after changing it: the proposal and its challenge are
/// already at hand, only the facts are read again (a change such as submitting moves them).
pub async fn view_after_change(ctx: &Ctx, p: Proposal, c: Challenge) -> AppResult<ProposalView> {
    let (actor, uid) = (ctx.actor(), ctx.user_id());
    ctx.db(move |conn| {
        let f = proposals::facts(conn, &p, &c, uid)?;
        view::build(conn, &actor, &p, &c, &f, crate::db::now())
    })
    .await
}

/// The proposal `id`, when the caller may add files to it now: its team, while it can
/// still change (see [`proposals::ensure_editable`]). Asked before an upload is read.
pub async fn open_for_upload(ctx: &Ctx, id: i64) -> AppResult<Proposal> {
    let (p, c, f) = load(ctx, id).await?;
    ctx.authorize(Action::EditProposal(&f)).await?;
    proposals::ensure_editable(&p, &c, crate::db::now())?;
    Ok(p)
}

/// Starts a draft; `answers` (the API's) are saved with it or nothing is.
pub async fn create(
    ctx: &Ctx,
    c: &Challenge,
    organisation_id: i64,
    input: ProposalInput,
    answers: Option<Raw>,
) -> AppResult<Proposal> {
    let (org, org_facts) = super::organisations::load_org_by_id(ctx, organisation_id).await?;
    ctx.authorize(Action::CreateProposal(&org_facts)).await?;
    let (c, uid, ip, kind) = (c.clone(), ctx.require_user()?.id, ctx.ip.clone(), org.kind);
    ctx.tx(move |conn| {
        let mut p = proposals::create(conn, &c, organisation_id, kind, uid, &input)?;
        if let Some(raw) = &answers {
            p = answers::save_prefixed(conn, &p, &c, raw)?;
        }
        audit::append(
            conn,
            Event::new(Some(uid), "proposal_created", "proposal", Some(p.id)).ip(&ip),
        )?;
        Ok(p)
    })
    .await
}

/// Saves the team's changes with an optional note, and the API's `answers` with them or
/// nothing (audited when a new revision results). A 409 when the proposal changed since
/// `p` was read, or may no longer change.
pub async fn update(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    input: ProposalInput,
    answers: Option<Raw>,
    note: String,
) -> AppResult<Proposal> {
    ctx.authorize(Action::EditProposal(f)).await?;
    let (p, c, uid, ip) = (p.clone(), c.clone(), ctx.require_user()?.id, ctx.ip.clone());
    // `p` was read before this transaction; the domain writes only while the proposal is
    // still as read, so a withdrawal or another edit in between makes this a 409.
    ctx.tx(move |conn| {
        let before = p.revision;
        let mut updated = proposals::update(conn, &p, &c, uid, &input, &note)?;
        if let Some(raw) = &answers {
            updated = answers::save_prefixed(conn, &updated, &c, raw)?;
        }
        if updated.revision != before {
            audit::append(
                conn,
                Event::new(Some(uid), "proposal_revised", "proposal", Some(p.id))
                    .details(json!({ "revision": updated.revision }))
                    .ip(&ip),
            )?;
        }
        Ok(updated)
    })
    .await
}

/// Saves the team's answers to the challenge's form (see `answers::save`).
pub async fn save_answers(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    raw: Raw,
) -> AppResult<Saved> {
    ctx.authorize(Action::EditProposal(f)).await?;
    let (p, c) = (p.clone(), c.clone());
    ctx.tx(move |conn| answers::save(conn, &p, &c, &raw)).await
}

/// The three status changes a team makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Hand in a complete draft before the deadline.
    Submit,
    /// Take back a submitted proposal before evaluation starts.
    Withdraw,
    /// Turn a withdrawn proposal into a draft again, before the deadline.
    Reopen,
}

/// Applies a team's status change (audited); on submission the agency's members are
/// notified. A 409 when `p` is no longer in the status read or the step is not allowed.
pub async fn step(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    step: Step,
) -> AppResult<Proposal> {
    ctx.authorize(Action::EditProposal(f)).await?;
    let (p, c, uid, ip) = (p.clone(), c.clone(), ctx.require_user()?.id, ctx.ip.clone());
    // As in `update`: each step applies only from the status `p` was read in.
    ctx.tx(move |conn| {
        let updated = match step {
            Step::Submit => proposals::submit(conn, &p, &c, uid)?,
            Step::Withdraw => proposals::withdraw(conn, &p, &c)?,
            Step::Reopen => proposals::reopen(conn, &p, &c)?,
        };
        let action = match step {
            Step::Submit => "proposal_submitted",
            Step::Withdraw => "proposal_withdrawn",
            Step::Reopen => "proposal_reopened",
        };
        audit::append(
            conn,
            Event::new(Some(uid), action, "proposal", Some(p.id))
                .details(json!({ "from": p.status, "to": updated.status }))
                .ip(&ip),
        )?;
        if step == Step::Submit {
            let staff: Vec<i64> = organisations::members(conn, c.organisation_id)?
                .into_iter()
                .map(|m| m.user_id)
                .collect();
            notifications::notify(
                conn,
                &staff,
                "notify-proposal-submitted",
                &format!("/proposals/{}", p.id),
                &updated.title,
            )?;
        }
        Ok(updated)
    })
    .await
}

/// Posts in the co-creation thread and tells the other side.
pub async fn post_message(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    body: String,
) -> AppResult<i64> {
    ctx.authorize(Action::MessageProposal(f)).await?;
    if f.draft {
        return Err(AppError::Conflict {
            message_id: "proposal-not-submitted",
        });
    }
    let from_team = f.team_role.is_some();
    let (pid, title, team_org, agency_org, uid, ip) = (
        p.id,
        p.title.clone(),
        p.organisation_id,
        c.organisation_id,
        ctx.require_user()?.id,
        ctx.ip.clone(),
    );
    ctx.tx(move |conn| {
        let id = messages::post(conn, pid, uid, &body)?;
        audit::append(
            conn,
            Event::new(Some(uid), "message_posted", "proposal", Some(pid)).ip(&ip),
        )?;
        let other = if from_team { agency_org } else { team_org };
        let to: Vec<i64> = organisations::members(conn, other)?
            .into_iter()
            .map(|m| m.user_id)
            .filter(|u| *u != uid)
            .collect();
        notifications::notify(
            conn,
            &to,
            "notify-message",
            &format!("/proposals/{pid}#thread"),
            &title,
        )?;
        Ok(id)
    })
    .await
}
