//! The one place that decides whether an actor may perform an action.
//!
//! Handlers describe the action and the facts about its object ([`OrgFacts`]); this module
//! answers allow or a [`Denial`]. A denial for an object the actor may not even know of
//! is `Hidden` and becomes a 404, so foreign objects do not reveal that they exist.

use crate::kinds::{OrgKind, Role};
use chrono::NaiveDateTime;
use serde::Serialize;

/// The person (or nobody) behind a request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Actor {
    /// The logged-in account; `None` for a visitor.
    pub user: Option<ActorUser>,
}

/// The logged-in account behind a request, as far as the policy cares.
#[derive(Debug, Clone, Serialize)]
pub struct ActorUser {
    /// The account's user id.
    pub id: i64,
    /// A platform admin.
    pub is_admin: bool,
    /// The account's email address is confirmed.
    pub email_verified: bool,
}

impl Actor {
    /// A visitor: nobody is logged in.
    pub fn anonymous() -> Self {
        Actor { user: None }
    }
    /// The logged-in account's user id; `None` for a visitor.
    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// What the policy needs to know about an organisation and the actor's place in it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgFacts {
    /// The organisation.
    pub id: i64,
    /// Agency or one of the proposing kinds.
    pub kind: OrgKind,
    /// A platform admin has verified the organisation (an agency needs it to publish).
    pub verified: bool,
    /// The actor's current role, if they are a member.
    pub role: Option<Role>,
}

/// What the policy needs to know about a challenge.
#[derive(Debug, Clone, Serialize)]
pub struct ChallengeFacts {
    /// The challenge.
    pub id: i64,
    /// Out of draft: anyone may see it.
    pub published: bool,
    /// The owning agency, with the actor's role in it.
    pub agency: OrgFacts,
}

/// What the policy needs to know about a proposal.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalFacts {
    /// The proposal.
    pub id: i64,
    /// Not submitted yet: only its team sees it.
    pub draft: bool,
    /// The actor's role in the proposing organisation.
    pub team_role: Option<Role>,
    /// The challenge it answers.
    pub challenge: ChallengeFacts,
    /// Everyone may read it now (see [`proposal_public_from`]).
    pub public: bool,
    /// The actor's place as an evaluator of the proposal.
    pub reviewer: ReviewerFacts,
}

/// What the policy needs to know about a user's evaluator role on a proposal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReviewerFacts {
    /// An active (not declined) assignment in a started stage.
    pub assigned: bool,
    /// The evaluator declared a conflict with the proposing organisation, or is or was lately
    /// a member of it.
    pub conflicted: bool,
    /// The stage of that assignment hides the team.
    pub blind: bool,
    /// The user's own review of it is submitted.
    pub own_submitted: bool,
    /// When that assignment was made, and in which stage.
    pub assigned_at: Option<NaiveDateTime>,
    /// The stage of that assignment.
    pub stage_id: Option<i64>,
}

/// Whether the reader learns who wrote the reviews of a proposal: only its agency does;
/// fellow evaluators read each other's reviews without names, so that no one's score
/// leans on a colleague's standing.
pub fn names_evaluators(f: &ProposalFacts) -> bool {
    f.challenge.agency.role.is_some()
}

impl ProposalFacts {
    fn is_team(&self) -> bool {
        self.team_role.is_some()
    }
    /// Members of the owning agency see a proposal once it is submitted.
    fn is_agency(&self) -> bool {
        !self.draft && self.challenge.agency.role.is_some()
    }
    /// An assigned evaluator without a conflict.
    fn is_evaluator(&self) -> bool {
        !self.draft && self.reviewer.assigned && !self.reviewer.conflicted
    }
    /// The actor reads the proposal only as its evaluator in a blind stage: team,
    /// organisation and file names stay hidden.
    pub fn hides_team(&self) -> bool {
        self.reviewer.blind && self.is_evaluator() && !self.is_team() && !self.is_agency()
    }
    /// What of the evaluation's writing about the proposal (the evaluators' discussion,
    /// clarification questions and the team's answers) the actor reads: a blind reviewer
    /// only what belongs to their blind stage (earlier stages' posts and answers may name
    /// the team); everyone else all of it.
    pub fn discussion_from(&self) -> Option<BlindWindow> {
        if !self.hides_team() {
            return None;
        }
        Some(BlindWindow {
            since: self.reviewer.assigned_at?,
            stage_id: self.reviewer.stage_id?,
            agency_id: self.challenge.agency.id,
        })
    }
    /// Its public part is visible, so it is no secret that it exists.
    fn known(&self) -> bool {
        self.is_team() || self.is_agency() || self.is_evaluator() || (self.public && !self.draft)
    }
}

/// The part of the evaluation's writing a blind reviewer reads
/// ([`ProposalFacts::discussion_from`]): clarifications of their stage, and posts written
/// since their assignment by the agency's members or that stage's evaluators (an
/// evaluator of an earlier, open stage knows the team and might name it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlindWindow {
    /// When the reviewer was assigned; posts from before are not shown.
    pub since: NaiveDateTime,
    /// The reviewer's blind stage.
    pub stage_id: i64,
    /// The owning agency, whose members' posts the reviewer reads.
    pub agency_id: i64,
}

/// What the policy needs to know about the actor as an evaluator of a challenge.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluatorFacts {
    /// The challenge whose evaluator pool is meant.
    pub challenge_id: i64,
    /// The actor accepted the challenge's evaluator invitation.
    pub evaluator: bool,
}

/// What the policy needs to know about a stored form.
#[derive(Debug, Clone, Serialize)]
pub struct FormFacts {
    /// The form.
    pub id: i64,
    /// The owning organisation, with the actor's role in it.
    pub org: OrgFacts,
    /// A published challenge asks it, or a pilot runs it: anyone may read it.
    pub public: bool,
    /// A published challenge asks it: the agency's own form, named on the challenge.
    pub asked: bool,
}

impl FormFacts {
    /// Whether the reader may learn which organisation owns the form: its members and the
    /// admins, and everyone for a form a published challenge asks. A form public only
    /// because a pilot runs it stays anonymous: the pilot belongs to a proposal, and a
    /// blind stage hides that proposal's team from its evaluators.
    pub fn shows_owner(&self, actor: &Actor) -> bool {
        self.asked || self.org.role.is_some() || actor.user.as_ref().is_some_and(|u| u.is_admin)
    }
}

/// What an actor wants to do, with the facts about the object it is done to.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read and change one's own account, tokens and sessions.
    ManageOwnAccount,
    /// Register a new organisation (a confirmed email address is needed).
    CreateOrganisation,
    /// The public profile of an organisation: anyone.
    ViewOrganisation(&'a OrgFacts),
    /// Change the organisation's profile: its owners and the admins.
    EditOrganisation(&'a OrgFacts),
    /// See the member list with email addresses.
    ViewMembers(&'a OrgFacts),
    /// Invite, remove and change roles.
    ManageMembers(&'a OrgFacts),
    /// Give up one's own membership.
    LeaveOrganisation(&'a OrgFacts),
    /// Write and publish challenges in the organisation's name (agency, verified).
    PublishAsAgency(&'a OrgFacts),
    /// Enter the platform admin pages.
    AdminArea,
    /// Mark an organisation as verified (admins only).
    VerifyOrganisation,
    /// Add, rename, retire and bring back topics (admins only).
    ManageTopics,
    /// Scrape `/metrics`: from the configured addresses or with the configured token.
    ReadMetrics(&'a MetricsAccess),
    /// Write a challenge draft in the agency's name (verification is needed to publish).
    CreateChallenge(&'a OrgFacts),
    /// See a challenge: anyone once published, before that its agency and the admins.
    ViewChallenge(&'a ChallengeFacts),
    /// Edit, move through the states, manage stages, questions and attachments.
    ManageChallenge(&'a ChallengeFacts),
    /// Publish a challenge: its agency, once verified.
    PublishChallenge(&'a ChallengeFacts),
    /// Invite evaluators by mail: like publishing, only in a verified agency's name (the
    /// platform sends the mail to addresses the agency typed).
    InviteEvaluators(&'a ChallengeFacts),
    /// Hide abusive questions: the agency or a platform admin.
    ModerateQuestions(&'a ChallengeFacts),
    /// Start a proposal in the organisation's name.
    CreateProposal(&'a OrgFacts),
    /// The public part of a proposal.
    ViewProposal(&'a ProposalFacts),
    /// Everything: team, costs, data protection, files, revisions, the thread.
    ViewProposalPrivate(&'a ProposalFacts),
    /// Change the proposal, move it on and answer clarifications: its team.
    EditProposal(&'a ProposalFacts),
    /// Write in the co-creation thread.
    MessageProposal(&'a ProposalFacts),
    /// Write and submit one's review of an assigned proposal.
    ReviewProposal(&'a ProposalFacts),
    /// Read the submitted reviews: the agency, and evaluators once their own is in.
    ViewReviews(&'a ProposalFacts),
    /// Act as an evaluator of the challenge (declare conflicts).
    ActAsEvaluator(&'a EvaluatorFacts),
    /// Build a form in the organisation's name (any kind of organisation).
    CreateForm(&'a OrgFacts),
    /// See a form: its organisation, the admins, and anyone once it is public.
    ViewForm(&'a FormFacts),
    /// Change a form: members of its organisation.
    EditForm(&'a FormFacts),
    /// Publish, change and deliver the proposal's pilots (its team).
    ManagePilots(&'a ProposalFacts),
    /// The pilot report: team, owning agency, assigned evaluators.
    ViewPilotReport(&'a ProposalFacts),
    /// The test users' answers (export, PDFs): team and owning agency. The flag says the
    /// request carries the receipt secret of the one submission asked for.
    ViewPilotAnswers(&'a ProposalFacts, bool),
    /// Fill in a published pilot: anyone, no account needed (dates are the pilot's rule).
    RunPilot,
}

impl Action<'_> {
    /// A stable name for the audit log.
    pub fn name(&self) -> &'static str {
        match self {
            Action::ManageOwnAccount => "manage_own_account",
            Action::CreateOrganisation => "create_organisation",
            Action::ViewOrganisation(_) => "view_organisation",
            Action::EditOrganisation(_) => "edit_organisation",
            Action::ViewMembers(_) => "view_members",
            Action::ManageMembers(_) => "manage_members",
            Action::LeaveOrganisation(_) => "leave_organisation",
            Action::PublishAsAgency(_) => "publish_as_agency",
            Action::AdminArea => "admin_area",
            Action::VerifyOrganisation => "verify_organisation",
            Action::ManageTopics => "manage_topics",
            Action::ReadMetrics(_) => "read_metrics",
            Action::CreateChallenge(_) => "create_challenge",
            Action::ViewChallenge(_) => "view_challenge",
            Action::ManageChallenge(_) => "manage_challenge",
            Action::PublishChallenge(_) => "publish_challenge",
            Action::InviteEvaluators(_) => "invite_evaluators",
            Action::ModerateQuestions(_) => "moderate_questions",
            Action::CreateProposal(_) => "create_proposal",
            Action::ViewProposal(_) => "view_proposal",
            Action::ViewProposalPrivate(_) => "view_proposal_private",
            Action::EditProposal(_) => "edit_proposal",
            Action::MessageProposal(_) => "message_proposal",
            Action::ReviewProposal(_) => "review_proposal",
            Action::ViewReviews(_) => "view_reviews",
            Action::ActAsEvaluator(_) => "act_as_evaluator",
            Action::CreateForm(_) => "create_form",
            Action::ViewForm(_) => "view_form",
            Action::EditForm(_) => "edit_form",
            Action::ManagePilots(_) => "manage_pilots",
            Action::ViewPilotReport(_) => "view_pilot_report",
            Action::ViewPilotAnswers(..) => "view_pilot_answers",
            Action::RunPilot => "run_pilot",
        }
    }

    /// The object the action is about, for the audit log.
    pub fn object(&self) -> (&'static str, Option<i64>) {
        match self {
            Action::ViewOrganisation(o)
            | Action::EditOrganisation(o)
            | Action::ViewMembers(o)
            | Action::ManageMembers(o)
            | Action::LeaveOrganisation(o)
            | Action::PublishAsAgency(o)
            | Action::CreateChallenge(o)
            | Action::CreateForm(o)
            | Action::CreateProposal(o) => ("organisation", Some(o.id)),
            Action::ViewForm(f) | Action::EditForm(f) => ("form", Some(f.id)),
            Action::ViewChallenge(c)
            | Action::ManageChallenge(c)
            | Action::PublishChallenge(c)
            | Action::InviteEvaluators(c)
            | Action::ModerateQuestions(c) => ("challenge", Some(c.id)),
            Action::ViewProposal(p)
            | Action::ViewProposalPrivate(p)
            | Action::EditProposal(p)
            | Action::MessageProposal(p)
            | Action::ReviewProposal(p)
            | Action::ViewReviews(p)
            | Action::ManagePilots(p)
            | Action::ViewPilotReport(p)
            | Action::ViewPilotAnswers(p, _) => ("proposal", Some(p.id)),
            Action::RunPilot => ("pilot", None),
            Action::ActAsEvaluator(e) => ("challenge", Some(e.challenge_id)),
            Action::ManageOwnAccount => ("account", None),
            Action::CreateOrganisation => ("organisation", None),
            Action::AdminArea | Action::VerifyOrganisation => ("admin", None),
            Action::ManageTopics => ("topic", None),
            Action::ReadMetrics(_) => ("metrics", None),
        }
    }
}

/// How a scrape of `/metrics` came: its address and its token, checked against the
/// configuration by the caller.
#[derive(Debug, Clone, Copy)]
pub struct MetricsAccess {
    /// The client address lies in `metrics_allow`.
    pub from_allowed_address: bool,
    /// The request carries `metrics_token`.
    pub with_token: bool,
}

/// Why `authorize` refuses an action; each maps to an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Log in first (401; pages redirect to the login form).
    NotLoggedIn,
    /// The account's email address is not confirmed yet.
    EmailUnverified,
    /// Known object, not allowed (403).
    Forbidden,
    /// The agency is not verified by a platform admin yet.
    AgencyUnverified,
    /// The actor may not know the object exists (404).
    Hidden,
}

/// Allows the action, or says why not. Every permission check goes through here.
pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<(), Denial> {
    let user = actor.user.as_ref();
    match action {
        Action::ViewOrganisation(_) => Ok(()),
        // Operations data, not a person's: signing in does not open it, and others may
        // not learn it exists.
        Action::ReadMetrics(m) => {
            if m.from_allowed_address || m.with_token {
                Ok(())
            } else {
                Err(Denial::Hidden)
            }
        }
        Action::ManageOwnAccount => user.map(|_| ()).ok_or(Denial::NotLoggedIn),
        Action::CreateOrganisation => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if u.email_verified {
                Ok(())
            } else {
                Err(Denial::EmailUnverified)
            }
        }
        Action::EditOrganisation(org) | Action::ManageMembers(org) => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if u.is_admin || org.role == Some(Role::Owner) {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::ViewMembers(org) => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if org.role.is_some() || u.is_admin {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::LeaveOrganisation(org) => {
            user.ok_or(Denial::NotLoggedIn)?;
            org.role.map(|_| ()).ok_or(Denial::Forbidden)
        }
        Action::PublishAsAgency(org) => {
            user.ok_or(Denial::NotLoggedIn)?;
            if org.role.is_none() {
                Err(Denial::Forbidden)
            } else if org.kind != OrgKind::Agency || !org.verified {
                Err(Denial::AgencyUnverified)
            } else {
                Ok(())
            }
        }
        Action::AdminArea | Action::VerifyOrganisation | Action::ManageTopics => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if u.is_admin {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::CreateChallenge(org) => {
            user.ok_or(Denial::NotLoggedIn)?;
            if org.role.is_some() && org.kind == OrgKind::Agency {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::ViewChallenge(c) => {
            let admin = user.is_some_and(|u| u.is_admin);
            if c.published || c.agency.role.is_some() || admin {
                Ok(())
            } else {
                Err(Denial::Hidden)
            }
        }
        Action::ManageChallenge(c) => {
            user.ok_or(Denial::NotLoggedIn)?;
            match (c.agency.role.is_some(), c.published) {
                (true, _) => Ok(()),
                (false, true) => Err(Denial::Forbidden),
                (false, false) => Err(Denial::Hidden),
            }
        }
        Action::PublishChallenge(c) | Action::InviteEvaluators(c) => {
            authorize(actor, Action::ManageChallenge(c))?;
            if c.agency.verified {
                Ok(())
            } else {
                Err(Denial::AgencyUnverified)
            }
        }
        Action::ModerateQuestions(c) => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if u.is_admin || c.agency.role.is_some() {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::CreateProposal(org) => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if !u.email_verified {
                Err(Denial::EmailUnverified)
            } else if org.role.is_some() && org.kind != OrgKind::Agency {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::ViewProposal(p) => {
            if p.known() {
                Ok(())
            } else {
                Err(Denial::Hidden)
            }
        }
        Action::ViewProposalPrivate(p) => {
            if p.is_team() || p.is_agency() || p.is_evaluator() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::MessageProposal(p) => {
            if p.is_team() || p.is_agency() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::ReviewProposal(p) => {
            if p.is_evaluator() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::ViewReviews(p) => {
            if p.is_agency() || (p.is_evaluator() && p.reviewer.own_submitted) {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::ActAsEvaluator(e) => {
            user.ok_or(Denial::NotLoggedIn)?;
            if e.evaluator {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
        Action::EditProposal(p) | Action::ManagePilots(p) => {
            if p.is_team() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::CreateForm(org) => {
            user.ok_or(Denial::NotLoggedIn)?;
            org.role.map(|_| ()).ok_or(Denial::Forbidden)
        }
        Action::ViewForm(f) => {
            let admin = user.is_some_and(|u| u.is_admin);
            if f.public || f.org.role.is_some() || admin {
                Ok(())
            } else {
                Err(Denial::Hidden)
            }
        }
        Action::EditForm(f) => {
            user.ok_or(Denial::NotLoggedIn)?;
            match (f.org.role.is_some(), f.public) {
                (true, _) => Ok(()),
                (false, true) => Err(Denial::Forbidden),
                (false, false) => Err(Denial::Hidden),
            }
        }
        Action::ViewPilotReport(p) => {
            if p.is_team() || p.is_agency() || p.is_evaluator() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::ViewPilotAnswers(p, receipt) => {
            if receipt || p.is_team() || p.is_agency() {
                Ok(())
            } else {
                deny_known(p)
            }
        }
        Action::RunPilot => Ok(()),
    }
}

/// A refusal that does not reveal a proposal the actor may not know of.
fn deny_known(p: &ProposalFacts) -> Result<(), Denial> {
    if p.known() {
        Err(Denial::Forbidden)
    } else {
        Err(Denial::Hidden)
    }
}

/// Who may find a record through search. Each indexed document carries its audiences; a
/// query matches only documents sharing one with the reader ([`SearchReader`]). The rules
/// mirror [`authorize`] for viewing (a test holds them together), so search shows nothing
/// its page would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, visitors included.
    Everyone,
    /// Everyone from this time on (proposals made public after the deadline).
    EveryoneFrom(NaiveDateTime),
    /// Current members of the organisation.
    Members(i64),
    /// One person: an evaluator assigned to the proposal in a started stage that is not
    /// blind (in a blind stage the result card would name the team).
    Person(i64),
    /// The platform admins.
    Admins,
}

/// A challenge: everyone once published; before that its agency and the admins.
pub fn challenge_audiences(published: bool, agency_id: i64) -> Vec<Audience> {
    if published {
        vec![Audience::Everyone]
    } else {
        vec![Audience::Members(agency_id), Audience::Admins]
    }
}

/// From when everyone may read a proposal's public part: only while it is submitted, and
/// only when its challenge opens proposals (`opens_from`: the deadline of a published
/// challenge that makes them public). Drafts and withdrawn proposals stay with team and
/// agency. [`ProposalFacts::public`] and the search index both come from here.
pub fn proposal_public_from(
    submitted: bool,
    opens_from: Option<NaiveDateTime>,
) -> Option<NaiveDateTime> {
    opens_from.filter(|_| submitted)
}

/// A proposal's public part (the only part that is indexed): its team always, the owning
/// agency once it is submitted, everyone from `public_from` (from
/// [`proposal_public_from`]), and the `evaluators` (user ids) assigned to it in started
/// stages that are not blind.
pub fn proposal_audiences(
    draft: bool,
    team_org: i64,
    agency_id: i64,
    public_from: Option<NaiveDateTime>,
    evaluators: &[i64],
) -> Vec<Audience> {
    let mut out = vec![Audience::Members(team_org)];
    if !draft {
        out.push(Audience::Members(agency_id));
        if let Some(at) = public_from {
            out.push(Audience::EveryoneFrom(at));
        }
        out.extend(evaluators.iter().map(|u| Audience::Person(*u)));
    }
    out
}

/// Blind review and public proposals exclude each other: a proposal made public after
/// the deadline names its team to everyone, its evaluators included. So a challenge
/// with a blind stage keeps its proposals private, and one that publishes them has no
/// blind stage; both the stage editor and the challenge form ask this.
pub fn blind_review_possible(proposals_public: bool) -> bool {
    !proposals_public
}

/// Whether the public results may name the teams of the proposals that advanced: not
/// while a blind stage of the challenge is still to be released, or its evaluators would
/// read who wrote what they review.
pub fn results_name_teams(blind_stage_unreleased: bool) -> bool {
    !blind_stage_unreleased
}

/// Whether an evaluator may declare a conflict with an organisation now. Not while they
/// hold an assignment in a blind stage that runs: the assignments such a declaration
/// removes would tell them which proposals are that organisation's. There they decline
/// the one proposal they recognise, with a reason, instead.
pub fn may_declare_organisation_conflict(holds_running_blind_assignment: bool) -> bool {
    !holds_running_blind_assignment
}

/// Whether a question and its answer are public: answered (with an answer), not hidden by
/// the agency, on a published challenge. The question's page and search both ask this.
pub fn question_public(answered: bool, hidden: bool, challenge_published: bool) -> bool {
    answered && !hidden && challenge_published
}

/// A question: everyone once its answer is public ([`question_public`]), nobody before.
/// Askers never appear in the index, named or not.
pub fn question_audiences(answer_public: bool) -> Vec<Audience> {
    if answer_public {
        vec![Audience::Everyone]
    } else {
        Vec::new()
    }
}

/// Organisation profiles are public.
pub fn organisation_audiences() -> Vec<Audience> {
    vec![Audience::Everyone]
}

/// The audiences a reader belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchReader {
    /// The reader's user id.
    pub user: Option<i64>,
    /// Organisations the reader is a current member of.
    pub organisations: Vec<i64>,
    /// The reader is a platform admin.
    pub admin: bool,
}

impl SearchReader {
    /// The reader behind `actor`, member of the organisations `member_of`; a visitor belongs
    /// to none, whatever is passed.
    pub fn new(actor: &Actor, member_of: Vec<i64>) -> SearchReader {
        SearchReader {
            user: actor.user_id(),
            organisations: if actor.user.is_some() {
                member_of
            } else {
                Vec::new()
            },
            admin: actor.user.as_ref().is_some_and(|u| u.is_admin),
        }
    }

    /// Whether a document with `audiences` is for this reader at `now`.
    pub fn admits(&self, audiences: &[Audience], now: NaiveDateTime) -> bool {
        audiences.iter().any(|a| match *a {
            Audience::Everyone => true,
            Audience::EveryoneFrom(at) => at <= now,
            Audience::Members(org) => self.organisations.contains(&org),
            Audience::Person(u) => self.user == Some(u),
            Audience::Admins => self.admin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, admin: bool, verified: bool) -> Actor {
        Actor {
            user: Some(ActorUser {
                id,
                is_admin: admin,
                email_verified: verified,
            }),
        }
    }

    fn org(kind: OrgKind, verified: bool, role: Option<Role>) -> OrgFacts {
        OrgFacts {
            id: 1,
            kind,
            verified,
            role,
        }
    }

    #[test]
    fn visitors_may_only_look() {
        let o = org(OrgKind::Startup, false, None);
        let v = Actor::anonymous();
        assert!(authorize(&v, Action::ViewOrganisation(&o)).is_ok());
        assert_eq!(
            authorize(&v, Action::EditOrganisation(&o)),
            Err(Denial::NotLoggedIn)
        );
        assert_eq!(
            authorize(&v, Action::CreateOrganisation),
            Err(Denial::NotLoggedIn)
        );
        assert_eq!(authorize(&v, Action::AdminArea), Err(Denial::NotLoggedIn));
    }

    #[test]
    fn only_owners_manage_their_organisation() {
        let u = actor(2, false, true);
        let owner = org(OrgKind::Startup, false, Some(Role::Owner));
        let member = org(OrgKind::Startup, false, Some(Role::Member));
        let stranger = org(OrgKind::Startup, false, None);
        assert!(authorize(&u, Action::ManageMembers(&owner)).is_ok());
        assert_eq!(
            authorize(&u, Action::ManageMembers(&member)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&u, Action::EditOrganisation(&stranger)),
            Err(Denial::Forbidden)
        );
        assert!(authorize(&u, Action::ViewMembers(&member)).is_ok());
        assert_eq!(
            authorize(&u, Action::ViewMembers(&stranger)),
            Err(Denial::Forbidden)
        );
        assert!(authorize(&u, Action::LeaveOrganisation(&member)).is_ok());
        assert_eq!(
            authorize(&u, Action::LeaveOrganisation(&stranger)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn unverified_email_cannot_create_organisations() {
        assert_eq!(
            authorize(&actor(3, false, false), Action::CreateOrganisation),
            Err(Denial::EmailUnverified)
        );
        assert!(authorize(&actor(3, false, true), Action::CreateOrganisation).is_ok());
    }

    #[test]
    fn only_members_of_verified_agencies_publish() {
        let u = actor(4, false, true);
        let verified = org(OrgKind::Agency, true, Some(Role::Member));
        let pending = org(OrgKind::Agency, false, Some(Role::Owner));
        let startup = org(OrgKind::Startup, true, Some(Role::Owner));
        let foreign = org(OrgKind::Agency, true, None);
        assert!(authorize(&u, Action::PublishAsAgency(&verified)).is_ok());
        assert_eq!(
            authorize(&u, Action::PublishAsAgency(&pending)),
            Err(Denial::AgencyUnverified)
        );
        assert_eq!(
            authorize(&u, Action::PublishAsAgency(&startup)),
            Err(Denial::AgencyUnverified)
        );
        assert_eq!(
            authorize(&u, Action::PublishAsAgency(&foreign)),
            Err(Denial::Forbidden)
        );
    }

    fn proposal(
        draft: bool,
        team: Option<Role>,
        agency: Option<Role>,
        public: bool,
    ) -> ProposalFacts {
        ProposalFacts {
            id: 9,
            draft,
            team_role: team,
            challenge: ChallengeFacts {
                id: 3,
                published: true,
                agency: org(OrgKind::Agency, true, agency),
            },
            public,
            reviewer: ReviewerFacts::default(),
        }
    }

    #[test]
    fn blind_review_keeps_the_team_out_of_every_side_door() {
        // Public proposals and blind stages exclude each other.
        assert!(blind_review_possible(false));
        assert!(!blind_review_possible(true));
        // Results name teams only once no blind stage is left to release.
        assert!(!results_name_teams(true));
        assert!(results_name_teams(false));
        // No conflict declarations by organisation while reviewing blind.
        assert!(!may_declare_organisation_conflict(true));
        assert!(may_declare_organisation_conflict(false));

        // A blind reviewer reads the discussion from their assignment on; the agency
        // all of it.
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc();
        let mut p = proposal(false, None, None, false);
        p.reviewer = ReviewerFacts {
            assigned: true,
            blind: true,
            assigned_at: Some(at),
            stage_id: Some(5),
            ..ReviewerFacts::default()
        };
        assert!(p.hides_team());
        assert_eq!(
            p.discussion_from(),
            Some(BlindWindow {
                since: at,
                stage_id: 5,
                agency_id: p.challenge.agency.id
            })
        );
        let agency = proposal(false, None, Some(Role::Member), false);
        assert_eq!(agency.discussion_from(), None);

        // A form public only through a pilot does not name its owner; members and
        // admins see it, and everyone for a form a published challenge asks.
        let mut form = FormFacts {
            id: 4,
            org: org(OrgKind::Startup, false, None),
            public: true,
            asked: false,
        };
        assert!(!form.shows_owner(&actor(6, false, true)));
        assert!(!form.shows_owner(&Actor::anonymous()));
        assert!(form.shows_owner(&actor(6, true, true)));
        form.org.role = Some(Role::Member);
        assert!(form.shows_owner(&actor(6, false, true)));
        form.org.role = None;
        form.asked = true;
        assert!(form.shows_owner(&Actor::anonymous()));
    }

    #[test]
    fn only_verified_agencies_invite_evaluators() {
        let u = actor(2, false, true);
        let mut c = ChallengeFacts {
            id: 3,
            published: false,
            agency: org(OrgKind::Agency, false, Some(Role::Member)),
        };
        assert_eq!(
            authorize(&u, Action::InviteEvaluators(&c)),
            Err(Denial::AgencyUnverified)
        );
        c.agency.verified = true;
        assert!(authorize(&u, Action::InviteEvaluators(&c)).is_ok());
        c.agency.role = None;
        assert_eq!(
            authorize(&u, Action::InviteEvaluators(&c)),
            Err(Denial::Hidden)
        );
    }

    #[test]
    fn evaluators_see_what_they_review_and_reviews_only_after_their_own() {
        let u = actor(6, false, true);
        let mut p = proposal(false, None, None, false);
        assert_eq!(authorize(&u, Action::ViewProposal(&p)), Err(Denial::Hidden));
        p.reviewer.assigned = true;
        assert!(authorize(&u, Action::ViewProposalPrivate(&p)).is_ok());
        assert!(authorize(&u, Action::ReviewProposal(&p)).is_ok());
        assert_eq!(
            authorize(&u, Action::ViewReviews(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&u, Action::MessageProposal(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&u, Action::EditProposal(&p)),
            Err(Denial::Forbidden)
        );
        p.reviewer.own_submitted = true;
        assert!(authorize(&u, Action::ViewReviews(&p)).is_ok());
        // A conflict outweighs the assignment: the proposal is hidden again.
        p.reviewer.conflicted = true;
        assert_eq!(authorize(&u, Action::ViewProposal(&p)), Err(Denial::Hidden));
        assert_eq!(
            authorize(&u, Action::ReviewProposal(&p)),
            Err(Denial::Hidden)
        );
        assert_eq!(authorize(&u, Action::ViewReviews(&p)), Err(Denial::Hidden));
        // The team never reads reviews; the agency does.
        let team = proposal(false, Some(Role::Owner), None, false);
        assert_eq!(
            authorize(&u, Action::ViewReviews(&team)),
            Err(Denial::Forbidden)
        );
        let agency = proposal(false, None, Some(Role::Member), false);
        assert!(authorize(&u, Action::ViewReviews(&agency)).is_ok());
    }

    #[test]
    fn drafts_are_seen_by_their_team_only() {
        let u = actor(6, false, true);
        let admin = actor(1, true, true);
        let draft = proposal(true, None, Some(Role::Owner), true);
        assert_eq!(
            authorize(&u, Action::ViewProposal(&draft)),
            Err(Denial::Hidden),
            "not even the agency"
        );
        assert_eq!(
            authorize(
                &admin,
                Action::ViewProposal(&proposal(true, None, None, false))
            ),
            Err(Denial::Hidden)
        );
        assert!(authorize(
            &u,
            Action::EditProposal(&proposal(true, Some(Role::Member), None, false))
        )
        .is_ok());
    }

    #[test]
    fn submitted_proposals_are_seen_by_team_and_owning_agency_and_public_only_in_part() {
        let u = actor(6, false, true);
        let visitor = Actor::anonymous();
        let submitted = proposal(false, None, Some(Role::Member), false);
        assert!(authorize(&u, Action::ViewProposalPrivate(&submitted)).is_ok());
        assert!(authorize(&u, Action::MessageProposal(&submitted)).is_ok());
        assert_eq!(
            authorize(&u, Action::EditProposal(&submitted)),
            Err(Denial::Forbidden)
        );
        let foreign = proposal(false, None, None, false);
        assert_eq!(
            authorize(&u, Action::ViewProposal(&foreign)),
            Err(Denial::Hidden)
        );
        let public = proposal(false, None, None, true);
        assert!(authorize(&visitor, Action::ViewProposal(&public)).is_ok());
        assert_eq!(
            authorize(&visitor, Action::ViewProposalPrivate(&public)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn challenges_are_managed_by_their_agency_and_published_only_when_verified() {
        let u = actor(7, false, true);
        let mine = ChallengeFacts {
            id: 1,
            published: false,
            agency: org(OrgKind::Agency, false, Some(Role::Member)),
        };
        assert!(authorize(&u, Action::ManageChallenge(&mine)).is_ok());
        assert_eq!(
            authorize(&u, Action::PublishChallenge(&mine)),
            Err(Denial::AgencyUnverified)
        );
        let foreign_draft = ChallengeFacts {
            id: 2,
            published: false,
            agency: org(OrgKind::Agency, true, None),
        };
        assert_eq!(
            authorize(&u, Action::ViewChallenge(&foreign_draft)),
            Err(Denial::Hidden)
        );
        assert_eq!(
            authorize(&u, Action::ManageChallenge(&foreign_draft)),
            Err(Denial::Hidden)
        );
        let foreign_open = ChallengeFacts {
            id: 2,
            published: true,
            agency: org(OrgKind::Agency, true, None),
        };
        assert!(authorize(&Actor::anonymous(), Action::ViewChallenge(&foreign_open)).is_ok());
        assert_eq!(
            authorize(&u, Action::ManageChallenge(&foreign_open)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn metrics_need_an_allowed_address_or_the_token_even_for_admins() {
        let refused = MetricsAccess {
            from_allowed_address: false,
            with_token: false,
        };
        for who in [Actor::anonymous(), actor(1, true, true)] {
            assert_eq!(
                authorize(&who, Action::ReadMetrics(&refused)),
                Err(Denial::Hidden)
            );
        }
        for (from_allowed_address, with_token) in [(true, false), (false, true)] {
            let m = MetricsAccess {
                from_allowed_address,
                with_token,
            };
            assert!(authorize(&Actor::anonymous(), Action::ReadMetrics(&m)).is_ok());
        }
    }

    #[test]
    fn admin_actions_need_an_admin() {
        for action in [Action::VerifyOrganisation, Action::ManageTopics] {
            assert!(authorize(&actor(1, true, true), action).is_ok());
            assert_eq!(
                authorize(&actor(5, false, true), action),
                Err(Denial::Forbidden)
            );
            assert_eq!(
                authorize(&Actor::anonymous(), action),
                Err(Denial::NotLoggedIn)
            );
        }
    }

    /// Search shows a proposal or challenge exactly to those its page shows it to.
    #[test]
    fn search_audiences_agree_with_viewing() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 6, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let deadlines = [
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(1),
        ];
        let agency = |role: Option<Role>| OrgFacts {
            id: 7,
            kind: OrgKind::Agency,
            verified: true,
            role,
        };
        for admin in [false, true] {
            for in_agency in [false, true] {
                for in_team in [false, true] {
                    let who = actor(1, admin, true);
                    let mut orgs = Vec::new();
                    if in_agency {
                        orgs.push(7);
                    }
                    if in_team {
                        orgs.push(9);
                    }
                    let reader = SearchReader::new(&who, orgs);
                    let agency_role = in_agency.then_some(Role::Member);
                    for published in [false, true] {
                        let challenge = ChallengeFacts {
                            id: 3,
                            published,
                            agency: agency(agency_role),
                        };
                        assert_eq!(
                            authorize(&who, Action::ViewChallenge(&challenge)).is_ok(),
                            reader.admits(&challenge_audiences(published, 7), now),
                            "challenge published={published} admin={admin} agency={in_agency}"
                        );
                        for opens in [false, true] {
                            for deadline in deadlines {
                                // Draft, submitted, withdrawn.
                                for (draft, submitted) in
                                    [(true, false), (false, true), (false, false)]
                                {
                                    let opens_from = (opens && published).then_some(deadline);
                                    let public_from = proposal_public_from(submitted, opens_from);
                                    let facts = ProposalFacts {
                                        id: 5,
                                        draft,
                                        team_role: in_team.then_some(Role::Member),
                                        challenge: challenge.clone(),
                                        public: public_from.is_some_and(|d| d <= now),
                                        reviewer: ReviewerFacts::default(),
                                    };
                                    assert_eq!(
                                        authorize(&who, Action::ViewProposal(&facts)).is_ok(),
                                        reader.admits(
                                            &proposal_audiences(draft, 9, 7, public_from, &[]),
                                            now
                                        ),
                                        "{facts:?} admin={admin}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        // Visitors belong to no organisation, whatever is passed in.
        let visitor = SearchReader::new(&Actor::anonymous(), vec![7]);
        assert!(!visitor.admits(&challenge_audiences(false, 7), now));
    }
}
