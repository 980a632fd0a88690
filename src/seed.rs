//! Demo and reference data from `seed/*.toml` (compiled in): topics, organisations and
//! demo users. Applying it twice changes nothing: records are matched by slug or email.

use diesel::prelude::*;
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::auth::passwords;
use crate::db::schema::organisations as orgs;
use crate::db::{self, DbConnection};
use crate::domain::accounts::{self, ValidRegistration};
use crate::domain::organisations::{self, OrgKind, Role};
use crate::domain::topics;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

#[derive(RustEmbed)]
#[folder = "seed/"]
#[include = "*.toml"]
struct Files;

#[derive(Deserialize)]
struct TopicsFile {
    topic: Vec<TopicSeed>,
}

#[derive(Deserialize)]
struct TopicSeed {
    slug: String,
    de: String,
    en: String,
}

#[derive(Deserialize)]
struct OrganisationsFile {
    organisation: Vec<OrgSeed>,
}

#[derive(Deserialize)]
struct OrgSeed {
    slug: String,
    name: String,
    kind: String,
    #[serde(default)]
    verified: bool,
    website: Option<String>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct UsersFile {
    user: Vec<UserSeed>,
}

#[derive(Deserialize)]
struct UserSeed {
    email: String,
    display_name: String,
    password: String,
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    memberships: Vec<MembershipSeed>,
}

#[derive(Deserialize)]
struct MembershipSeed {
    organisation: String,
    role: String,
}

fn load<T: for<'de> Deserialize<'de>>(name: &str) -> AppResult<T> {
    let file = Files::get(name).ok_or_else(|| AppError::Config(format!("seed/{name} missing")))?;
    let text = std::str::from_utf8(&file.data)
        .map_err(|e| AppError::Config(format!("seed/{name}: {e}")))?;
    toml::from_str(text).map_err(|e| AppError::Config(format!("seed/{name}: {e}")))
}

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub topics: usize,
    pub organisations_created: usize,
    pub users_created: usize,
}

/// Applies the seed files. Passwords are hashed here, so this is for the command line
/// and start-up, not for request handlers.
pub fn apply(conn: &mut DbConnection) -> AppResult<Report> {
    let topics_file: TopicsFile = load("topics.toml")?;
    let orgs_file: OrganisationsFile = load("organisations.toml")?;
    let users_file: UsersFile = load("users.toml")?;

    // Hash outside the transaction: it is the slow part and needs no lock.
    let mut hashes = Vec::new();
    for u in &users_file.user {
        let exists = accounts::find_by_email(conn, &u.email)?.is_some();
        hashes.push(if exists {
            None
        } else {
            Some(passwords::hash_now(&u.password)?)
        });
    }

    db::write_tx(conn, |conn| {
        let mut report = Report::default();
        for t in &topics_file.topic {
            topics::upsert(conn, &t.slug, &t.de, &t.en)?;
            report.topics += 1;
        }
        let now = db::now();
        for o in &orgs_file.organisation {
            let kind = OrgKind::parse(&o.kind)
                .ok_or_else(|| AppError::Config(format!("seed: unknown kind {:?}", o.kind)))?;
            let existing: Option<i64> = orgs::table
                .filter(orgs::slug.eq(&o.slug))
                .select(orgs::id)
                .first(conn)
                .optional()?;
            let verified_at = (o.verified && kind == OrgKind::Agency).then_some(now);
            match existing {
                Some(id) => {
                    diesel::update(orgs::table.find(id))
                        .set((
                            orgs::name.eq(&o.name),
                            orgs::website.eq(&o.website),
                            orgs::description.eq(o.description.trim()),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(orgs::table)
                        .values((
                            orgs::slug.eq(&o.slug),
                            orgs::name.eq(&o.name),
                            orgs::kind.eq(kind.as_str()),
                            orgs::website.eq(&o.website),
                            orgs::description.eq(o.description.trim()),
                            orgs::verified_at.eq(verified_at),
                            orgs::created_at.eq(now),
                            orgs::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    report.organisations_created += 1;
                }
            }
        }
        for (u, hash) in users_file.user.iter().zip(hashes) {
            let user = match (accounts::find_by_email(conn, &u.email)?, hash) {
                (Some(existing), _) => existing,
                (None, Some(hash)) => {
                    report.users_created += 1;
                    let reg = ValidRegistration {
                        email: u.email.trim().to_lowercase(),
                        display_name: u.display_name.clone(),
                        locale: u
                            .locale
                            .as_deref()
                            .and_then(Lang::parse)
                            .unwrap_or_default(),
                    };
                    accounts::create_verified(conn, &reg, &hash, u.admin)?
                }
                (None, None) => {
                    return Err(AppError::Internal(
                        "seed user appeared during seeding".into(),
                    ))
                }
            };
            for m in &u.memberships {
                let org = organisations::find_by_slug(conn, &m.organisation).map_err(|_| {
                    AppError::Config(format!(
                        "seed: {} names unknown organisation {}",
                        u.email, m.organisation
                    ))
                })?;
                let role = Role::parse(&m.role)
                    .ok_or_else(|| AppError::Config(format!("seed: unknown role {:?}", m.role)))?;
                organisations::ensure_member(conn, org.id, user.id, role)?;
            }
        }
        Ok(report)
    })
}

/// Whether the database holds no accounts yet (then `serve` loads the demo data).
pub fn is_empty(conn: &mut DbConnection) -> AppResult<bool> {
    use crate::db::schema::users;
    Ok(users::table.count().get_result::<i64>(conn)? == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_files_parse_and_meet_the_promised_mix() {
        let orgs: OrganisationsFile = load("organisations.toml").unwrap();
        let count = |k: &str| orgs.organisation.iter().filter(|o| o.kind == k).count();
        assert!(count("agency") >= 4);
        assert!(count("startup") >= 4);
        assert!(count("civil_society") >= 3);
        assert!(count("research") >= 1);
        assert!(orgs
            .organisation
            .iter()
            .filter(|o| o.kind == "agency")
            .all(|o| o.verified));
        let topics: TopicsFile = load("topics.toml").unwrap();
        assert!(topics.topic.len() >= 8);
        let users: UsersFile = load("users.toml").unwrap();
        assert!(users.user.iter().any(|u| u.admin));
        for u in &users.user {
            let mut e = crate::error::FieldErrors::new();
            passwords::check_strength(
                &u.password,
                &[&u.email, &u.display_name],
                "password",
                &mut e,
            );
            assert!(
                e.is_empty(),
                "demo password of {} is too weak: {e:?}",
                u.email
            );
            for m in &u.memberships {
                assert!(
                    orgs.organisation.iter().any(|o| o.slug == m.organisation),
                    "{} -> {}",
                    u.email,
                    m.organisation
                );
            }
        }
    }
}
