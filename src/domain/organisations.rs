//! Organisations (agencies, startups, civil-society groups, research teams), their
//! members and invitations, and the admin verification of agencies.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::OrgFacts;
use crate::db::schema::{invitations, memberships, organisations, users};
use crate::db::{self, DbConnection};
use crate::domain::accounts::{self, User};
use crate::domain::pagination::{Page, Paged};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::kinds::{InvitationKind, OrgKind, Role};
use crate::text;

/// How long an invitation into an organisation stays open, in days.
pub const INVITATION_DAYS: i64 = 14;

/// An organisation, as stored in `organisations`; public in the directory.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    /// Primary key.
    pub id: i64,
    /// The unique name in its address (`/organisations/<slug>`), made from the name at creation.
    pub slug: String,
    /// The name shown everywhere (at most 150 characters).
    pub name: String,
    /// What sort of organisation it is; fixed once created.
    pub kind: OrgKind,
    /// An `http(s)` address, if given.
    pub website: Option<String>,
    /// The profile text in Markdown (at most 20,000 characters); may be empty.
    pub description: String,
    /// When a platform admin verified the agency (UTC); `None` while unverified and for
    /// other kinds.
    pub verified_at: Option<NaiveDateTime>,
    /// The admin who verified it; `None` if unverified or that account is deleted.
    pub verified_by: Option<i64>,
    /// Who created it; `None` once that account is deleted.
    pub created_by: Option<i64>,
    /// When it was created (UTC).
    pub created_at: NaiveDateTime,
    /// When the profile last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl Organisation {
    /// Whether a platform admin has verified it (only agencies ever are).
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

/// What a person fills in to create or edit an organisation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgInput {
    /// The name as typed.
    pub name: String,
    /// The kind's stored spelling (`agency`, `startup`, `civil_society`, `research`).
    pub kind: String,
    /// The website address, if any.
    pub website: Option<String>,
    /// The profile text in Markdown, if any.
    pub description: Option<String>,
}

/// An organisation's details that passed validation.
#[derive(Debug, Clone)]
pub struct ValidOrg {
    /// The name, trimmed.
    pub name: String,
    /// The kind.
    pub kind: OrgKind,
    /// An `http(s)` address, or `None` when left empty.
    pub website: Option<String>,
    /// The profile text, trimmed; empty when none was given.
    pub description: String,
}

/// Checks the input and names each bad field in a 422: the name is required, the kind
/// must be known, the website an `http(s)` address.
pub fn validate(input: &OrgInput) -> AppResult<ValidOrg> {
    let mut errors = FieldErrors::new();
    let name = text::required_text(&input.name, "name", 150, &mut errors);
    let kind = OrgKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.add("kind", "org-kind-invalid");
    }
    let website = text::optional_url(input.website.as_deref(), "website", &mut errors);
    let description = text::optional_text(
        input.description.as_deref(),
        "description",
        20_000,
        &mut errors,
    )
    .unwrap_or_default();
    errors.into_result()?;
    Ok(ValidOrg {
        name,
        kind: kind.unwrap_or(OrgKind::Startup),
        website,
        description,
    })
}

fn unique_slug(conn: &mut DbConnection, name: &str) -> AppResult<String> {
    let base = text::slugify(name);
    let taken: Vec<String> = organisations::table
        .filter(
            organisations::slug
                .eq(&base)
                .or(organisations::slug.like(format!("{base}-%"))),
        )
        .select(organisations::slug)
        .load(conn)?;
    Ok(text::free_slug(&base, &taken))
}

/// Creates an organisation with its creator as the first owner.
pub fn create(conn: &mut DbConnection, creator_id: i64, org: &ValidOrg) -> AppResult<Organisation> {
    let now = db::now();
    let slug = unique_slug(conn, &org.name)?;
    let created: Organisation = diesel::insert_into(organisations::table)
        .values((
            organisations::slug.eq(slug),
            organisations::name.eq(&org.name),
            organisations::kind.eq(org.kind),
            organisations::website.eq(&org.website),
            organisations::description.eq(&org.description),
            organisations::created_by.eq(creator_id),
            organisations::created_at.eq(now),
            organisations::updated_at.eq(now),
        ))
        .returning(organisations::all_columns)
        .get_result(conn)?;
    add_member(conn, created.id, creator_id, Role::Owner)?;
    Ok(created)
}

/// Changes name, website and description. The kind is fixed once created: an agency's
/// verification must not carry over to another kind, nor the other way round.
/// `None` when nothing changed (then nothing is written).
pub fn update(
    conn: &mut DbConnection,
    current: &Organisation,
    org: &ValidOrg,
) -> AppResult<Option<Organisation>> {
    if text::same_text(&current.name, &org.name)
        && current.website.as_deref().unwrap_or("") == org.website.as_deref().unwrap_or("")
        && text::same_text(&current.description, &org.description)
    {
        return Ok(None);
    }
    Ok(diesel::update(organisations::table.find(current.id))
        .set((
            organisations::name.eq(&org.name),
            organisations::website.eq(&org.website),
            organisations::description.eq(&org.description),
            organisations::updated_at.eq(db::now()),
        ))
        .returning(organisations::all_columns)
        .get_result(conn)
        .map(Some)?)
}

/// The organisation with this id, or `NotFound`.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Organisation> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The organisation with this slug, or `NotFound` (also for text that is no slug).
pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<Organisation> {
    if !text::is_slug(slug) {
        return Err(AppError::NotFound);
    }
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

type ByOrg =
    diesel::dsl::Filter<memberships::table, diesel::dsl::Eq<memberships::organisation_id, i64>>;
type ByOrgAndUser = diesel::dsl::Filter<ByOrg, diesel::dsl::Eq<memberships::user_id, i64>>;
type CurrentMembership =
    diesel::dsl::Filter<ByOrgAndUser, diesel::dsl::IsNull<memberships::left_at>>;

/// The user's current (not ended) membership row in the organisation.
fn current_membership(org_id: i64, user_id: i64) -> CurrentMembership {
    memberships::table
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::left_at.is_null())
}

/// How a form names an organisation: by id (the API), or by what a person types, its
/// name or its address (the slug in `/organisations/{slug}`).
#[derive(Debug, Clone)]
pub enum OrgRef {
    /// The organisation's id.
    Id(i64),
    /// Its name (letter case aside) or its slug.
    Named(String),
}

impl OrgRef {
    /// The form field it came from, which errors about it name.
    pub fn field(&self) -> &'static str {
        match self {
            OrgRef::Id(_) => "organisation_id",
            OrgRef::Named(_) => "organisation",
        }
    }

    /// The id of the organisation meant. Errors name its field: `organisation-unknown`
    /// when none matches, `organisation-ambiguous` when several carry the name (the slug
    /// tells them apart).
    pub fn resolve(&self, conn: &mut DbConnection) -> AppResult<i64> {
        let field = self.field();
        let unknown = || FieldErrors::single(field, "organisation-unknown");
        let text = match self {
            OrgRef::Id(id) => return find(conn, *id).map(|o| o.id).map_err(|_| unknown()),
            OrgRef::Named(text) => text.trim(),
        };
        if text.is_empty() || text.chars().count() > 200 {
            return Err(unknown());
        }
        if let Ok(o) = find_by_slug(conn, text) {
            return Ok(o.id);
        }
        // The exact name first (it reads the name index), then regardless of letter case.
        let mut ids: Vec<i64> = organisations::table
            .filter(organisations::name.eq(text))
            .select(organisations::id)
            .limit(2)
            .load(conn)?;
        if ids.is_empty() {
            ids = organisations::table
                .filter(text::lower(organisations::name).eq(text.to_lowercase()))
                .select(organisations::id)
                .limit(2)
                .load(conn)?;
        }
        match ids[..] {
            [id] => Ok(id),
            [] => Err(unknown()),
            _ => Err(FieldErrors::single(field, "organisation-ambiguous")),
        }
    }
}

/// The user's current role in the organisation.
pub fn role_of(conn: &mut DbConnection, org_id: i64, user_id: i64) -> AppResult<Option<Role>> {
    Ok(current_membership(org_id, user_id)
        .select(memberships::role)
        .first(conn)
        .optional()?)
}

/// The facts the policy needs about the organisation `org_id` for the given user, in one
/// statement (every challenge and proposal page asks this of the owning agency).
pub fn facts_by_id(
    conn: &mut DbConnection,
    org_id: i64,
    user_id: Option<i64>,
) -> AppResult<OrgFacts> {
    // Without a user the join matches nothing: ids start at 1.
    let uid = user_id.unwrap_or(0);
    let (id, kind, verified_at, role): (i64, OrgKind, Option<NaiveDateTime>, Option<Role>) =
        organisations::table
            .left_join(
                memberships::table.on(memberships::organisation_id
                    .eq(organisations::id)
                    .and(memberships::user_id.eq(uid))
                    .and(memberships::left_at.is_null())),
            )
            .filter(organisations::id.eq(org_id))
            .select((
                organisations::id,
                organisations::kind,
                organisations::verified_at,
                memberships::role.nullable(),
            ))
            .first(conn)?;
    Ok(OrgFacts {
        id,
        kind,
        verified: verified_at.is_some(),
        role,
    })
}

/// The facts the policy needs about `org` for the given user.
pub fn facts(
    conn: &mut DbConnection,
    org: &Organisation,
    user_id: Option<i64>,
) -> AppResult<OrgFacts> {
    let role = match user_id {
        Some(uid) => role_of(conn, org.id, uid)?,
        None => None,
    };
    Ok(OrgFacts {
        id: org.id,
        kind: org.kind,
        verified: org.is_verified(),
        role,
    })
}

fn add_member(conn: &mut DbConnection, org_id: i64, user_id: i64, role: Role) -> AppResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::organisation_id.eq(org_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role),
            memberships::joined_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A current member as the organisation's members list shows them.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Member {
    /// The member's account.
    pub user_id: i64,
    /// The member's display name.
    pub display_name: String,
    /// The member's sign-in address; the list is for members and admins only.
    pub email: String,
    /// The member's role in the organisation.
    pub role: Role,
    /// When they joined (UTC).
    pub joined_at: NaiveDateTime,
    /// The member's language code, for mails to them.
    pub locale: String,
}

/// Current members, owners first.
pub fn members(conn: &mut DbConnection, org_id: i64) -> AppResult<Vec<Member>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::left_at.is_null())
        .order((memberships::role.desc(), users::display_name.asc()))
        .limit(500)
        .select((
            users::id,
            users::display_name,
            users::email,
            memberships::role,
            memberships::joined_at,
            users::locale,
        ))
        .load(conn)?)
}

fn owner_count(conn: &mut DbConnection, org_id: i64) -> AppResult<i64> {
    Ok(memberships::table
        .filter(memberships::organisation_id.eq(org_id))
        .filter(memberships::left_at.is_null())
        .filter(memberships::role.eq(Role::Owner))
        .count()
        .get_result(conn)?)
}

/// An invitation made: its id, and the account the address belongs to, if any (for the
/// language of the mail; the inviter is never told).
#[derive(Debug, Clone)]
pub struct Invited {
    /// The new invitation's id.
    pub invitation_id: i64,
    /// The account with the invited address, if there is one.
    pub account: Option<User>,
}

/// Invites an address. Everyone is invited, never added: the person accepts (after
/// registering and confirming the address, if they have no account yet), so nobody
/// becomes a member, and so counts as in conflict with the organisation's proposals,
/// without their consent. What the inviter sees does not depend on whether the address
/// has an account.
pub fn invite(
    conn: &mut DbConnection,
    org_id: i64,
    inviter_id: i64,
    email: &str,
    role: &str,
) -> AppResult<Invited> {
    let mut errors = FieldErrors::new();
    let email = text::normalise_email(email);
    if email.is_none() {
        errors.add("email", "email-invalid");
    }
    let role = Role::parse(role.trim());
    if role.is_none() {
        errors.add("role", "role-invalid");
    }
    errors.into_result()?;
    let (email, role) = (email.unwrap_or_default(), role.unwrap_or(Role::Member));
    let account = accounts::find_by_email(conn, &email)?;
    if let Some(user) = &account {
        // The inviter manages the organisation and sees its members anyway.
        if role_of(conn, org_id, user.id)?.is_some() {
            return Err(FieldErrors::single("email", "member-already"));
        }
    }
    let pending: i64 = invitations::table
        .filter(invitations::organisation_id.eq(org_id))
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
    let invitation_id = diesel::insert_into(invitations::table)
        .values((
            invitations::kind.eq(InvitationKind::Organisation),
            invitations::organisation_id.eq(org_id),
            invitations::email.eq(&email),
            invitations::role.eq(role),
            invitations::invited_by.eq(inviter_id),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS)),
        ))
        .returning(invitations::id)
        .get_result(conn)?;
    Ok(Invited {
        invitation_id,
        account,
    })
}

/// An open invitation as its addressee sees it: to an organisation, or to evaluate one
/// challenge of an agency (then `organisation_*` name that agency).
#[derive(Debug, Clone, Serialize)]
pub struct PendingInvitation {
    /// The invitation's id, for accepting or declining it.
    pub id: i64,
    /// Whether it is into an organisation or into a challenge's evaluator pool.
    pub kind: InvitationKind,
    /// The organisation invited into, or the agency that owns the challenge.
    pub organisation_id: Option<i64>,
    /// That organisation's name.
    pub organisation_name: String,
    /// That organisation's slug.
    pub organisation_slug: String,
    /// The challenge to evaluate; `None` for an invitation into an organisation.
    pub challenge_id: Option<i64>,
    /// That challenge's title; `None` for an invitation into an organisation.
    pub challenge_title: Option<String>,
    /// That challenge's slug; `None` for an invitation into an organisation.
    pub challenge_slug: Option<String>,
    /// The role offered in the organisation; `None` for an evaluator invitation.
    pub role: Option<Role>,
    /// When the invitation lapses (UTC).
    pub expires_at: NaiveDateTime,
}

/// id, kind, organisation id, name and slug, role, expiry.
type InvitationRow = (
    i64,
    InvitationKind,
    Option<i64>,
    String,
    String,
    Option<Role>,
    NaiveDateTime,
);

/// Open invitations into organisations addressed to the user's (verified) email address.
pub fn invitations_for(conn: &mut DbConnection, user: &User) -> AppResult<Vec<PendingInvitation>> {
    if !user.is_verified() {
        return Ok(Vec::new());
    }
    let rows: Vec<InvitationRow> = invitations::table
        .inner_join(organisations::table)
        .filter(invitations::kind.eq(InvitationKind::Organisation))
        .filter(invitations::email.eq(&user.email))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::declined_at.is_null())
        .filter(invitations::expires_at.gt(db::now()))
        .order(invitations::id.desc())
        .limit(100)
        .select((
            invitations::id,
            invitations::kind,
            invitations::organisation_id,
            organisations::name,
            organisations::slug,
            invitations::role,
            invitations::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                kind,
                organisation_id,
                organisation_name,
                organisation_slug,
                role,
                expires_at,
            )| {
                PendingInvitation {
                    id,
                    kind,
                    organisation_id,
                    organisation_name,
                    organisation_slug,
                    challenge_id: None,
                    challenge_title: None,
                    challenge_slug: None,
                    role,
                    expires_at,
                }
            },
        )
        .collect())
}

/// Accepts or declines an invitation into an organisation addressed to the user; returns
/// the organisation id. Someone else's invitation is "not found".
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
    let org_id = open.organisation_id.ok_or(AppError::NotFound)?;
    if accept && role_of(conn, org_id, user.id)?.is_none() {
        add_member(conn, org_id, user.id, open.role.unwrap_or(Role::Member))?;
    }
    close_invitation(conn, invitation_id, accept)?;
    Ok(org_id)
}

/// Marks an invitation (of any kind) as accepted or declined.
pub fn close_invitation(
    conn: &mut DbConnection,
    invitation_id: i64,
    accept: bool,
) -> AppResult<()> {
    let target = invitations::table.find(invitation_id);
    let now = db::now();
    if accept {
        diesel::update(target)
            .set(invitations::accepted_at.eq(now))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set(invitations::declined_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Serialises membership changes of one organisation (PostgreSQL; SQLite's write
/// transactions already are), so two owners cannot demote each other at once.
pub fn lock(conn: &mut DbConnection, org_id: i64) -> AppResult<()> {
    db::lock_for_append(conn, (1 << 40) | org_id)
}

/// Ends a membership (leaving or being removed). The last owner cannot go: someone must
/// always be able to manage the organisation. Call after [`lock`].
pub fn end_membership(conn: &mut DbConnection, org_id: i64, user_id: i64) -> AppResult<()> {
    let role = role_of(conn, org_id, user_id)?.ok_or(AppError::NotFound)?;
    if role == Role::Owner && owner_count(conn, org_id)? <= 1 {
        return Err(AppError::Conflict {
            message_id: "last-owner",
        });
    }
    diesel::update(current_membership(org_id, user_id))
        .set(memberships::left_at.eq(db::now()))
        .execute(conn)?;
    Ok(())
}

/// Changes a member's role; the last owner cannot be demoted.
pub fn set_role(conn: &mut DbConnection, org_id: i64, user_id: i64, role: &str) -> AppResult<Role> {
    let new_role =
        Role::parse(role.trim()).ok_or_else(|| FieldErrors::single("role", "role-invalid"))?;
    let current = role_of(conn, org_id, user_id)?.ok_or(AppError::NotFound)?;
    if current == Role::Owner && new_role == Role::Member && owner_count(conn, org_id)? <= 1 {
        return Err(AppError::Conflict {
            message_id: "last-owner",
        });
    }
    diesel::update(current_membership(org_id, user_id))
        .set(memberships::role.eq(new_role))
        .execute(conn)?;
    Ok(new_role)
}

/// Marks an agency as verified by a platform admin. Only agencies need it.
pub fn verify(conn: &mut DbConnection, org_id: i64, admin_id: i64) -> AppResult<Organisation> {
    let org = find(conn, org_id)?;
    if org.kind != OrgKind::Agency {
        return Err(AppError::Conflict {
            message_id: "verify-only-agencies",
        });
    }
    if org.is_verified() {
        return Ok(org);
    }
    Ok(diesel::update(organisations::table.find(org_id))
        .set((
            organisations::verified_at.eq(db::now()),
            organisations::verified_by.eq(admin_id),
        ))
        .returning(organisations::all_columns)
        .get_result(conn)?)
}

/// Agencies waiting for verification, oldest first.
pub fn pending_verifications(conn: &mut DbConnection) -> AppResult<Vec<Organisation>> {
    Ok(organisations::table
        .filter(organisations::kind.eq(OrgKind::Agency))
        .filter(organisations::verified_at.is_null())
        .order(organisations::created_at.asc())
        .limit(100)
        .select(Organisation::as_select())
        .load(conn)?)
}

/// The public directory, optionally of one kind, by name.
pub fn list(
    conn: &mut DbConnection,
    kind: Option<OrgKind>,
    page: Page,
) -> AppResult<Paged<Organisation>> {
    let base = || {
        let mut q = organisations::table.into_boxed();
        if let Some(k) = kind {
            q = q.filter(organisations::kind.eq(k));
        }
        q
    };
    let total = base().count().get_result(conn)?;
    // Names repeat (two Stadtwerke, two Fördervereine): the id breaks the tie, so that
    // no organisation shows on two pages and none on neither.
    let items = base()
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(Organisation::as_select())
        .load(conn)?;
    Ok(Paged::new(items, total, page))
}

/// The ids of the organisations the user currently belongs to, as a subquery: a
/// statement with it stays the same text for everyone and is prepared once.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn ids_of_member(user_id: i64) -> _ {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::left_at.is_null())
        .select(memberships::organisation_id)
}

/// The organisations the user belongs to, with their role.
pub fn memberships_of(
    conn: &mut DbConnection,
    user_id: i64,
) -> AppResult<Vec<(Organisation, Role)>> {
    Ok(memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::left_at.is_null())
        .order(organisations::name.asc())
        .limit(200)
        .select((Organisation::as_select(), memberships::role))
        .load(conn)?)
}

/// Seed helper: makes `user_id` a member with `role` unless already one.
pub fn ensure_member(
    conn: &mut DbConnection,
    org_id: i64,
    user_id: i64,
    role: Role,
) -> AppResult<()> {
    if role_of(conn, org_id, user_id)?.is_none() {
        add_member(conn, org_id, user_id, role)?;
    }
    Ok(())
}
