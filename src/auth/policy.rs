//! The one place that decides whether an actor may perform an action.
//!
//! Handlers describe the action and the facts about its object ([`OrgFacts`]); this module
//! answers allow or a [`Denial`]. A denial for an object the actor may not even know of
//! is `Hidden` and becomes a 404, so foreign objects do not reveal that they exist.

use serde::Serialize;

use crate::domain::organisations::{OrgKind, Role};

/// The person (or nobody) behind a request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Actor {
    pub user: Option<ActorUser>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorUser {
    pub id: i64,
    pub is_admin: bool,
    pub email_verified: bool,
}

impl Actor {
    pub fn anonymous() -> Self {
        Actor { user: None }
    }
    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// What the policy needs to know about an organisation and the actor's place in it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgFacts {
    pub id: i64,
    pub kind: OrgKind,
    pub verified: bool,
    /// The actor's current role, if they are a member.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read and change one's own account, tokens and sessions.
    ManageOwnAccount,
    CreateOrganisation,
    ViewOrganisation(&'a OrgFacts),
    EditOrganisation(&'a OrgFacts),
    /// See the member list with email addresses.
    ViewMembers(&'a OrgFacts),
    /// Invite, remove and change roles.
    ManageMembers(&'a OrgFacts),
    LeaveOrganisation(&'a OrgFacts),
    /// Write and publish challenges in the organisation's name (agency, verified).
    PublishAsAgency(&'a OrgFacts),
    AdminArea,
    VerifyOrganisation,
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
            | Action::PublishAsAgency(o) => ("organisation", Some(o.id)),
            Action::ManageOwnAccount => ("account", None),
            Action::CreateOrganisation => ("organisation", None),
            Action::AdminArea | Action::VerifyOrganisation => ("admin", None),
        }
    }
}

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

pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<(), Denial> {
    let user = actor.user.as_ref();
    match action {
        Action::ViewOrganisation(_) => Ok(()),
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
        Action::AdminArea | Action::VerifyOrganisation => {
            let u = user.ok_or(Denial::NotLoggedIn)?;
            if u.is_admin {
                Ok(())
            } else {
                Err(Denial::Forbidden)
            }
        }
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

    #[test]
    fn admin_actions_need_an_admin() {
        assert!(authorize(&actor(1, true, true), Action::VerifyOrganisation).is_ok());
        assert_eq!(
            authorize(&actor(5, false, true), Action::VerifyOrganisation),
            Err(Denial::Forbidden)
        );
    }
}
