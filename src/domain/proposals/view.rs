//! A proposal as one reader sees it: the read model behind the proposal page and
//! `GET /api/v1/proposals/{id}`.
//!
//! Everything that depends on who reads is settled here, once: what blind review hides
//! (the organisation, the team, the answers that may name it), what only team, agency and
//! evaluators read, the released outcomes the team is told, and what the reader may do
//! now. The page and the API render this view and decide nothing themselves, so they
//! cannot disagree.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Actor, ProposalFacts};
use crate::db::DbConnection;
use crate::domain::attachments;
use crate::domain::challenges::Challenge;
use crate::domain::evaluation::progress::{self, TeamOutcome};
use crate::domain::organisations;
use crate::error::AppResult;
use crate::kinds::{AttachmentOwner, ProposalStatus};

use super::{ensure_editable, Proposal};

/// The proposing organisation, as far as the reader may know it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationRef {
    /// The organisation's id.
    pub id: i64,
    /// The organisation's name.
    pub name: String,
    /// The organisation's slug.
    pub slug: String,
}

/// A file of the proposal as the reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileRef {
    /// The attachment's id, for downloading it.
    pub id: i64,
    /// The name the team gave it; `None` while blind review hides the team (names often
    /// carry it).
    pub filename: Option<String>,
    /// The MIME type, decided from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// When it was uploaded (UTC).
    pub created_at: NaiveDateTime,
}

/// What only team, agency and the proposal's evaluators read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrivatePart {
    /// Who does the work (markdown); `None` while blind review hides the team.
    pub team: Option<String>,
    /// The estimated cost in whole euros, if given.
    pub cost_estimate_eur: Option<i64>,
    /// How personal data is handled.
    pub data_protection: String,
    /// The answers to the challenge's form (JSON by field key); `None` while blind review
    /// hides the team, since answers may name it.
    #[schema(value_type = Option<Object>)]
    pub answers: Option<serde_json::Value>,
    /// When the draft was started (UTC).
    pub created_at: NaiveDateTime,
    /// When content, answers or status last changed (UTC).
    pub updated_at: NaiveDateTime,
    /// The files, oldest first.
    pub attachments: Vec<FileRef>,
}

/// What the reader may do with the proposal now: the policy's answer combined with the
/// proposal's state, so that an action is offered only when it is open to the reader
/// (submitting still checks the organisation's eligibility and the proposal's
/// completeness when it happens).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProposalActions {
    /// Change the fields and the files (a draft, or a submitted proposal before the
    /// deadline).
    pub edit: bool,
    /// Submit the draft (before the deadline).
    pub submit: bool,
    /// Withdraw the submitted proposal (before the evaluation starts).
    pub withdraw: bool,
    /// Turn the withdrawn proposal back into a draft (before the deadline).
    pub reopen: bool,
    /// Write in the co-creation thread with the agency (after submission).
    pub message: bool,
    /// Read the thread and the revision history.
    pub read_thread: bool,
    /// Read the submitted reviews.
    pub view_reviews: bool,
    /// Read the pilot report.
    pub view_pilot_report: bool,
    /// Publish, change and deliver the proposal's pilots.
    pub manage_pilots: bool,
}

/// A proposal as one reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    /// The proposal's id.
    pub id: i64,
    /// The challenge it answers.
    pub challenge_id: i64,
    /// Draft, submitted or withdrawn.
    pub status: ProposalStatus,
    /// The number of the latest revision; 0 until the first submission.
    pub revision: i64,
    /// The title.
    pub title: String,
    /// The short summary.
    pub summary: String,
    /// The approach (markdown).
    pub approach: String,
    /// What a pilot would cover.
    pub pilot_scope: String,
    /// How long a pilot would take.
    pub pilot_duration: String,
    /// The indicators and targets of a pilot.
    pub pilot_kpis: String,
    /// The licence or open-source terms offered.
    pub licence: String,
    /// When it was last submitted (UTC); `None` until the first submission.
    pub submitted_at: Option<NaiveDateTime>,
    /// `None` while blind review hides the team from this reader.
    pub organisation: Option<OrganisationRef>,
    /// `None` for readers outside team, agency and evaluators.
    pub private: Option<PrivatePart>,
    /// Blind review hides the team from this reader.
    pub blind: bool,
    /// The outcomes of released stages, for the team only (empty for everyone else).
    pub outcomes: Vec<TeamOutcome>,
    /// What the reader may do with it now.
    pub may: ProposalActions,
}

/// What the reader may do, from the policy's verdicts and the proposal's state. The
/// state rules are the domain's own guards ([`ensure_editable`] and those of submit,
/// withdraw and reopen), not copies of them.
fn actions(
    actor: &Actor,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    now: NaiveDateTime,
) -> ProposalActions {
    let may = |a| policy::authorize(actor, a).is_ok();
    let edit = may(Action::EditProposal(f));
    let editable = ensure_editable(p, c, now).is_ok();
    let read_thread = may(Action::MessageProposal(f));
    ProposalActions {
        edit: edit && editable,
        submit: edit && super::submit_refusal(p, c, now).is_none(),
        withdraw: edit && super::withdraw_refusal(p, c).is_none(),
        reopen: edit && super::reopen_refusal(p, c, now).is_none(),
        message: read_thread && p.status != ProposalStatus::Draft,
        read_thread,
        view_reviews: may(Action::ViewReviews(f)),
        view_pilot_report: may(Action::ViewPilotReport(f)),
        manage_pilots: may(Action::ManagePilots(f)),
    }
}

/// The proposal as `actor` sees it. The caller has checked that the actor may read it
/// at all (`Action::ViewProposal`). A few statements: the organisation (unless hidden),
/// the files (for those who read the private part) and, for the team, the released
/// outcomes (two).
pub fn build(
    conn: &mut DbConnection,
    actor: &Actor,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    now: NaiveDateTime,
) -> AppResult<ProposalView> {
    let blind = f.hides_team();
    let organisation = if blind {
        None
    } else {
        let o = organisations::find(conn, p.organisation_id)?;
        Some(OrganisationRef {
            id: o.id,
            name: o.name,
            slug: o.slug,
        })
    };
    let private = if policy::authorize(actor, Action::ViewProposalPrivate(f)).is_ok() {
        let attachments = attachments::list(conn, AttachmentOwner::Proposal, p.id)?
            .into_iter()
            .map(|a| FileRef {
                id: a.id,
                filename: (!blind).then_some(a.filename),
                content_type: a.content_type,
                size: a.size,
                created_at: a.created_at,
            })
            .collect();
        Some(PrivatePart {
            team: (!blind).then(|| p.team.clone()),
            cost_estimate_eur: p.cost_estimate_eur,
            data_protection: p.data_protection.clone(),
            answers: (!blind).then(|| {
                serde_json::from_str(&p.answers).unwrap_or_else(|_| serde_json::json!({}))
            }),
            created_at: p.created_at,
            updated_at: p.updated_at,
            attachments,
        })
    } else {
        None
    };
    let outcomes = if f.team_role.is_some() {
        progress::released_outcomes(conn, p.id, c.id)?
    } else {
        Vec::new()
    };
    Ok(ProposalView {
        id: p.id,
        challenge_id: p.challenge_id,
        status: p.status,
        revision: p.revision,
        title: p.title.clone(),
        summary: p.summary.clone(),
        approach: p.approach.clone(),
        pilot_scope: p.pilot_scope.clone(),
        pilot_duration: p.pilot_duration.clone(),
        pilot_kpis: p.pilot_kpis.clone(),
        licence: p.licence.clone(),
        submitted_at: p.submitted_at,
        organisation,
        private,
        blind,
        outcomes,
        may: actions(actor, p, c, f, now),
    })
}
