//! Organisations: creating and editing them, members and their roles, invitations and
//! the platform's verification of agencies.

use serde_json::json;

use super::mails::{link, send_mail};
use crate::auth::policy::Action;
use crate::domain::audit::{self, Event};
use crate::domain::evaluation::evaluators;
use crate::domain::organisations::{self, Invited, OrgInput, Organisation};
use crate::domain::rate;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::kinds::Role;
use crate::web::context::Ctx;

/// Registers an organisation with the signed-in user as its first owner (audited);
/// validation errors by field.
pub async fn create_organisation(ctx: &Ctx, input: OrgInput) -> AppResult<Organisation> {
    ctx.authorize(Action::CreateOrganisation).await?;
    let valid = organisations::validate(&input)?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let org = organisations::create(conn, uid, &valid)?;
        audit::append(
            conn,
            Event::new(
                Some(uid),
                "organisation_created",
                "organisation",
                Some(org.id),
            )
            .details(json!({ "kind": org.kind, "name": org.name }))
            .ip(&ip),
        )?;
        Ok(org)
    })
    .await
}

/// Loads an organisation by slug with the policy facts for the current user.
pub async fn load_org(
    ctx: &Ctx,
    slug: String,
) -> AppResult<(Organisation, crate::auth::policy::OrgFacts)> {
    let uid = ctx.user_id();
    ctx.db(move |conn| {
        let org = organisations::find_by_slug(conn, &slug)?;
        let facts = organisations::facts(conn, &org, uid)?;
        Ok((org, facts))
    })
    .await
}

/// Loads an organisation by id with the policy facts for the current user; 404 when it
/// does not exist. Callers authorise what they do with it.
pub async fn load_org_by_id(
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Organisation, crate::auth::policy::OrgFacts)> {
    let uid = ctx.user_id();
    ctx.db(move |conn| {
        let org = organisations::find(conn, id)?;
        let facts = organisations::facts(conn, &org, uid)?;
        Ok((org, facts))
    })
    .await
}

/// Saves changes to the organisation's profile for its owners and the admins (audited
/// only when something changed). The kind stays as it was, whatever the input says.
pub async fn update_organisation(
    ctx: &Ctx,
    slug: String,
    input: OrgInput,
) -> AppResult<Organisation> {
    let (org, facts) = load_org(ctx, slug).await?;
    ctx.authorize(Action::EditOrganisation(&facts)).await?;
    let mut input = input;
    input.kind = org.kind.as_str().to_string();
    let valid = organisations::validate(&input)?;
    let (uid, ip, id) = (ctx.user_id(), ctx.ip.clone(), org.id);
    ctx.tx(move |conn| {
        let Some(org) = organisations::update(conn, &org, &valid)? else {
            return Ok(org);
        };
        audit::append(
            conn,
            Event::new(uid, "organisation_updated", "organisation", Some(id)).ip(&ip),
        )?;
        Ok(org)
    })
    .await
}

/// Invites an address into the organisation and mails it (in the language of its
/// account, if it has one; the inviter is not told). Invitations are limited per
/// organisation and per address, so the platform cannot be made to mail anyone at will.
pub async fn invite_member(
    ctx: &Ctx,
    org: &Organisation,
    facts: &crate::auth::policy::OrgFacts,
    email: String,
    role: String,
) -> AppResult<Invited> {
    ctx.authorize(Action::ManageMembers(facts)).await?;
    let inviter = ctx.require_user()?.clone();
    let (org_id, ip) = (org.id, ctx.ip.clone());
    let (addr, role_name) = (email.clone(), role.clone());
    let invited = ctx
        .tx(move |conn| {
            let day = chrono::Duration::days(1);
            // Per organisation and per sender (who may own several organisations).
            rate::hit(conn, "invite_org", &org_id.to_string(), 100, day)?;
            rate::hit(conn, "invite_org_by", &inviter.id.to_string(), 200, day)?;
            // Per address once it is one (`invite` refuses a malformed one).
            let typed = crate::text::normalise_email(&addr).unwrap_or_default();
            if !typed.is_empty() {
                rate::hit(conn, "invite_address", &typed, 5, day)?;
            }
            let invited = organisations::invite(conn, org_id, inviter.id, &addr, &role_name)?;
            audit::append(
                conn,
                Event::new(
                    Some(inviter.id),
                    "member_invited",
                    "organisation",
                    Some(org_id),
                )
                .details(
                    json!({ "email": typed, "role": role_name, "target": invited.invitation_id }),
                )
                .ip(&ip),
            )?;
            Ok(invited)
        })
        .await?;
    let data = json!({
        "org_name": org.name,
        "inviter": inviter.display_name,
        "org_link": link(ctx, &format!("/organisations/{}", org.slug)),
        "register_link": link(ctx, "/register"),
        "invitations_link": link(ctx, "/invitations"),
        "days": organisations::INVITATION_DAYS,
        "has_account": invited.account.is_some(),
    });
    let (to, lang) = match &invited.account {
        Some(user) => (user.email.clone(), user.lang()),
        None => (
            crate::text::normalise_email(&email).unwrap_or_default(),
            ctx.lang,
        ),
    };
    send_mail(
        ctx,
        &to,
        lang,
        "invitation",
        "mail-invitation-subject",
        data,
    )
    .await;
    Ok(invited)
}

/// Removes a member (an owner's action) or leaves (one's own).
pub async fn end_membership(ctx: &Ctx, slug: String, user_id: i64) -> AppResult<Organisation> {
    let (org, facts) = load_org(ctx, slug).await?;
    let me = ctx.require_user()?.id;
    let action = if user_id == me {
        ctx.authorize(Action::LeaveOrganisation(&facts)).await?;
        "member_left"
    } else {
        ctx.authorize(Action::ManageMembers(&facts)).await?;
        "member_removed"
    };
    let (org_id, ip, actor) = (org.id, ctx.ip.clone(), ctx.actor());
    let leaving = user_id == me;
    ctx.tx(move |conn| {
        recheck_membership_right(conn, &actor, org_id, leaving)?;
        organisations::end_membership(conn, org_id, user_id)?;
        audit::append(
            conn,
            Event::new(Some(me), action, "organisation", Some(org_id))
                .details(json!({ "user_id": user_id }))
                .ip(&ip),
        )
    })
    .await?;
    Ok(org)
}

/// Takes the organisation's membership lock and asks the policy again with the facts as
/// they are inside the transaction: between the first check and now the actor may have
/// been removed or demoted by someone else.
fn recheck_membership_right(
    conn: &mut crate::db::DbConnection,
    actor: &crate::auth::policy::Actor,
    org_id: i64,
    leaving: bool,
) -> AppResult<()> {
    organisations::lock(conn, org_id)?;
    let org = organisations::find(conn, org_id)?;
    let facts = organisations::facts(conn, &org, actor.user_id())?;
    let action = if leaving {
        Action::LeaveOrganisation(&facts)
    } else {
        Action::ManageMembers(&facts)
    };
    crate::auth::policy::authorize(actor, action).map_err(|_| AppError::Forbidden)
}

/// Changes a member's role (audited) and returns the organisation; the last owner
/// cannot be demoted.
pub async fn set_member_role(
    ctx: &Ctx,
    slug: String,
    user_id: i64,
    role: String,
) -> AppResult<Organisation> {
    let (org, facts) = load_org(ctx, slug).await?;
    ctx.authorize(Action::ManageMembers(&facts)).await?;
    let (org_id, ip, me, actor) = (org.id, ctx.ip.clone(), ctx.user_id(), ctx.actor());
    ctx.tx(move |conn| {
        recheck_membership_right(conn, &actor, org_id, false)?;
        let role = organisations::set_role(conn, org_id, user_id, &role)?;
        audit::append(
            conn,
            Event::new(me, "member_role_changed", "organisation", Some(org_id))
                .details(json!({ "user_id": user_id, "role": role.as_str() }))
                .ip(&ip),
        )
    })
    .await?;
    Ok(org)
}

/// What accepting or declining an invitation concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// An invitation into an organisation, with the organisation id.
    Organisation(i64),
    /// An evaluator invitation, with the challenge id.
    Evaluator(i64),
}

/// Every open invitation of the user: into organisations and to evaluate challenges.
pub async fn my_invitations(ctx: &Ctx) -> AppResult<Vec<organisations::PendingInvitation>> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let user = ctx.require_user()?.clone();
    ctx.db(move |conn| {
        let mut all = organisations::invitations_for(conn, &user)?;
        all.extend(evaluators::invitations_for(conn, &user)?);
        all.sort_by_key(|i| std::cmp::Reverse(i.id));
        Ok(all)
    })
    .await
}

/// Accepts or declines one of the signed-in user's invitations, either kind (audited);
/// someone else's invitation is 404.
pub async fn answer_invitation(ctx: &Ctx, invitation_id: i64, accept: bool) -> AppResult<Answered> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let (user, ip) = (ctx.require_user()?.clone(), ctx.ip.clone());
    ctx.tx(move |conn| {
        let evaluator = evaluators::invitations_for(conn, &user)?
            .iter()
            .any(|i| i.id == invitation_id);
        let (answered, object) = if evaluator {
            let cid = evaluators::answer_invitation(conn, invitation_id, &user, accept)?;
            (Answered::Evaluator(cid), ("challenge", cid))
        } else {
            let oid = organisations::answer_invitation(conn, invitation_id, &user, accept)?;
            (Answered::Organisation(oid), ("organisation", oid))
        };
        let action = if accept {
            "invitation_accepted"
        } else {
            "invitation_declined"
        };
        audit::append(
            conn,
            Event::new(Some(user.id), action, object.0, Some(object.1))
                .details(json!({ "invitation_id": invitation_id }))
                .ip(&ip),
        )?;
        Ok(answered)
    })
    .await
}

/// A platform admin verifies an agency; its owners get a mail.
pub async fn verify_organisation(ctx: &Ctx, org_id: i64) -> AppResult<Organisation> {
    ctx.authorize(Action::VerifyOrganisation).await?;
    let (admin, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    let (org, owners) = ctx
        .tx(move |conn| {
            let was_verified = organisations::find(conn, org_id)?.is_verified();
            let org = organisations::verify(conn, org_id, admin)?;
            if !was_verified {
                audit::append(
                    conn,
                    Event::new(
                        Some(admin),
                        "organisation_verified",
                        "organisation",
                        Some(org_id),
                    )
                    .ip(&ip),
                )?;
            }
            let owners: Vec<(String, String, String)> = organisations::members(conn, org_id)?
                .into_iter()
                .filter(|m| m.role == Role::Owner)
                .map(|m| (m.email, m.display_name, m.locale))
                .collect();
            Ok((org, if was_verified { Vec::new() } else { owners }))
        })
        .await?;
    for (email, name, lang) in owners {
        send_mail(
            ctx,
            &email,
            Lang::parse(&lang).unwrap_or_default(),
            "organisation_verified",
            "mail-org-verified-subject",
            json!({ "name": name, "org_name": org.name, "org_link": link(ctx, &format!("/organisations/{}", org.slug)) }),
        )
        .await;
    }
    Ok(org)
}
