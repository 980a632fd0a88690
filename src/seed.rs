//! Demo and reference data from `seed/*.toml` (compiled in): topics, organisations and
//! demo users. Applying it twice changes nothing: records are matched by slug or email.

use diesel::prelude::*;
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::auth::passwords;
use crate::db::schema::organisations as orgs;
use crate::db::{self, DbConnection};
use crate::domain::accounts::{self, ValidRegistration};
use crate::domain::organisations;
use crate::domain::{challenges, proposals, questions, topics};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::kinds::{ChallengeStatus, OrgKind, Outcome, ProposalStatus, Role};

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
struct ChallengesFile {
    challenge: Vec<ChallengeSeed>,
}

#[derive(Deserialize)]
struct ChallengeSeed {
    slug: String,
    organisation: String,
    created_by: String,
    language: String,
    title: String,
    summary: String,
    description: String,
    #[serde(default)]
    topics: Vec<String>,
    eligibility: Vec<String>,
    level: String,
    #[serde(default)]
    region: String,
    budget_eur: Option<i64>,
    deadline_days: i64,
    #[serde(default)]
    contact: String,
    proposal_visibility: String,
    status: String,
    #[serde(default)]
    stage: Vec<crate::domain::evaluation::stages::StageInput>,
    #[serde(default)]
    question: Vec<QuestionSeed>,
}

#[derive(Deserialize)]
struct QuestionSeed {
    body: String,
    asker: Option<String>,
    #[serde(default)]
    anonymous: bool,
    answer: Option<String>,
    declined: Option<String>,
}

#[derive(Deserialize)]
struct ProposalsFile {
    proposal: Vec<ProposalSeed>,
}

#[derive(Deserialize)]
struct ProposalSeed {
    challenge: String,
    organisation: String,
    created_by: String,
    status: String,
    #[serde(flatten)]
    content: proposals::Content,
    #[serde(default)]
    revisions: Vec<String>,
}

#[derive(Deserialize)]
struct EvaluationFile {
    evaluation: Vec<EvaluationSeed>,
}

#[derive(Deserialize)]
struct EvaluationSeed {
    challenge: String,
    evaluator: Vec<EvaluatorSeed>,
    #[serde(default)]
    conflict: Vec<ConflictSeed>,
    #[serde(default)]
    stage: Vec<StageRunSeed>,
}

#[derive(Deserialize)]
struct EvaluatorSeed {
    email: String,
    #[serde(default)]
    expertise: Vec<String>,
}

#[derive(Deserialize)]
struct ConflictSeed {
    evaluator: String,
    organisation: String,
    reason: String,
}

#[derive(Deserialize)]
struct StageRunSeed {
    reviewers: u32,
    #[serde(default)]
    release: bool,
    #[serde(default)]
    proposal: Vec<EntrySeed>,
}

#[derive(Deserialize)]
struct EntrySeed {
    organisation: String,
    /// Points per criterion, one list per assigned evaluator in assignment order.
    #[serde(default)]
    scores: Vec<Vec<i64>>,
    outcome: Option<String>,
    #[serde(default)]
    feedback: String,
}

#[derive(Deserialize)]
struct PilotsFile {
    #[serde(default)]
    pilot: Vec<PilotSeed>,
}

#[derive(Deserialize)]
struct PilotSeed {
    challenge: String,
    organisation: String,
    author: String,
    mode: String,
    slug: String,
    title: String,
    #[serde(default)]
    intro: String,
    /// The form definition as JSON (docs/FORMS.md).
    form: String,
    /// Runs given up, by the page they got to (first page first).
    #[serde(default)]
    abandoned: Vec<usize>,
    /// Refused answers by field key.
    #[serde(default)]
    errors: std::collections::BTreeMap<String, usize>,
    #[serde(default)]
    sent: Vec<SentSeed>,
}

#[derive(Deserialize)]
struct SentSeed {
    minutes: i64,
    rating: Option<i64>,
    #[serde(default)]
    comment: String,
    answers: toml::Table,
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
    /// Reference topics added (those of `seed/topics.toml` not there yet).
    pub topics: usize,
    /// Organisations that did not exist before (existing ones are updated).
    pub organisations_created: usize,
    /// Accounts that did not exist before.
    pub users_created: usize,
    /// Challenges that did not exist before.
    pub challenges_created: usize,
    /// Proposals that did not exist before.
    pub proposals_created: usize,
    /// Reviews that did not exist before.
    pub reviews_created: usize,
    /// Pilots that did not exist before.
    pub pilots_created: usize,
    /// Sent demo runs, added with the pilots created in this run.
    pub pilot_submissions_created: usize,
}

/// Gives a database without any topic the reference topics of `seed/topics.toml`, demo
/// data or not: without topics no challenge can be written. Once there are topics they
/// are the admins' to keep. Returns how many were added.
pub fn reference_topics(conn: &mut DbConnection) -> AppResult<usize> {
    let file: TopicsFile = load("topics.toml")?;
    db::write_tx(conn, |conn| {
        if topics::any(conn)? {
            return Ok(0);
        }
        add_topics(conn, &file)
    })
}

fn add_topics(conn: &mut DbConnection, file: &TopicsFile) -> AppResult<usize> {
    let mut added = 0;
    for t in &file.topic {
        if topics::insert_missing(conn, &t.slug, &t.de, &t.en)? {
            added += 1;
        }
    }
    Ok(added)
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
        let mut report = Report {
            topics: add_topics(conn, &topics_file)?,
            ..Report::default()
        };
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
                            orgs::kind.eq(kind),
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
        seed_challenges(conn, &mut report)?;
        seed_evaluations(conn, &mut report)?;
        seed_pilots(conn, &mut report)?;
        Ok(report)
    })
}

fn user_id(conn: &mut DbConnection, email: &str) -> AppResult<i64> {
    accounts::find_by_email(conn, email)?
        .map(|u| u.id)
        .ok_or_else(|| AppError::Config(format!("seed: unknown user {email}")))
}

/// Challenges with stages and questions, then proposals with their revisions. Dates are
/// relative to now, so the demo always has open challenges and past deadlines.
fn seed_challenges(conn: &mut DbConnection, report: &mut Report) -> AppResult<()> {
    let file: ChallengesFile = load("challenges.toml")?;
    // Demo records keep their topics even where an admin retired one since.
    let known_topics: Vec<String> = topics::all(conn)?.into_iter().map(|t| t.slug).collect();
    let now = db::now();
    for s in &file.challenge {
        if challenges::find_by_slug(conn, &s.slug).is_ok() {
            continue;
        }
        let org = organisations::find_by_slug(conn, &s.organisation).map_err(|_| {
            AppError::Config(format!(
                "seed: challenge {} names unknown organisation",
                s.slug
            ))
        })?;
        let author = user_id(conn, &s.created_by)?;
        let deadline = now + chrono::Duration::days(s.deadline_days);
        let input = challenges::ChallengeInput {
            title: s.title.clone(),
            summary: s.summary.clone(),
            description: s.description.clone(),
            language: s.language.clone(),
            eligibility: s.eligibility.clone(),
            level: s.level.clone(),
            region: s.region.clone(),
            budget_eur: s.budget_eur.map(|b| b.to_string()).unwrap_or_default(),
            submission_deadline: deadline.and_utc().to_rfc3339(),
            contact: s.contact.clone(),
            proposal_visibility: s.proposal_visibility.clone(),
            topics: s.topics.clone(),
            submission_form_id: String::new(),
        };
        let valid = challenges::validate(&input, &known_topics)
            .map_err(|e| AppError::Config(format!("seed: challenge {}: {e:?}", s.slug)))?;
        let c = challenges::create(conn, org.id, author, &valid)?;
        crate::domain::evaluation::stages::replace_stages(conn, &c, &s.stage)
            .map_err(|e| AppError::Config(format!("seed: stages of {}: {e:?}", s.slug)))?;
        // The seed states how far a challenge has come; the state machine is for people.
        let status = ChallengeStatus::parse(&s.status)
            .ok_or_else(|| AppError::Config(format!("seed: status {}", s.status)))?;
        let published = status
            .is_published()
            .then(|| now - chrono::Duration::days(30 - s.deadline_days.min(0)));
        challenges::seed_finish(conn, c.id, &s.slug, status, published)?;
        report.challenges_created += 1;
        for q in &s.question {
            let asker = match (&q.asker, q.anonymous) {
                (Some(email), false) => Some(user_id(conn, email)?),
                _ => None,
            };
            let (question, _) = questions::ask(conn, c.id, asker, &q.body, asker.is_none())?;
            if q.answer.is_some() || q.declined.is_some() {
                questions::respond(
                    conn,
                    question.id,
                    author,
                    q.answer.as_deref(),
                    q.declined.as_deref(),
                )?;
            }
        }
    }
    let file: ProposalsFile = load("proposals.toml")?;
    for s in &file.proposal {
        let c = challenges::find_by_slug(conn, &s.challenge).map_err(|_| {
            AppError::Config(format!(
                "seed: proposal names unknown challenge {}",
                s.challenge
            ))
        })?;
        let org = organisations::find_by_slug(conn, &s.organisation).map_err(|_| {
            AppError::Config(format!("seed: unknown organisation {}", s.organisation))
        })?;
        let author = user_id(conn, &s.created_by)?;
        let status = ProposalStatus::parse(&s.status)
            .ok_or_else(|| AppError::Config(format!("seed: status {}", s.status)))?;
        if proposals::seed_insert(conn, &c, org.id, author, &s.content, status, &s.revisions)?
            .is_some()
        {
            report.proposals_created += 1;
        }
    }
    Ok(())
}

/// Evaluations under way, driven through the same functions as the pages: evaluators
/// accept, conflicts are declared, stages start and are assigned automatically, reviews
/// are submitted, decisions made and released. A challenge that has evaluators already
/// is left alone.
fn seed_evaluations(conn: &mut DbConnection, report: &mut Report) -> AppResult<()> {
    use crate::domain::evaluation::reviews::ReviewInput;

    use crate::domain::evaluation::{evaluators, progress, reviews};
    let bad = |what: String| AppError::Config(format!("seed: evaluation: {what}"));
    let file: EvaluationFile = load("evaluation.toml")?;
    // Demo records keep their topics even where an admin retired one since.
    let known_topics: Vec<String> = topics::all(conn)?.into_iter().map(|t| t.slug).collect();
    for e in &file.evaluation {
        let c = challenges::find_by_slug(conn, &e.challenge)
            .map_err(|_| bad(format!("unknown challenge {}", e.challenge)))?;
        if !evaluators::members(conn, c.id)?.is_empty() {
            continue;
        }
        let inviter = c
            .created_by
            .ok_or_else(|| bad(format!("{} has no author", c.slug)))?;
        for ev in &e.evaluator {
            let user = accounts::find_by_email(conn, &ev.email)?
                .ok_or_else(|| bad(format!("unknown user {}", ev.email)))?;
            let (invitation, _) =
                evaluators::invite(conn, c.id, inviter, &ev.email, &ev.expertise, &known_topics)
                    .map_err(|err| bad(format!("{}: {err:?}", ev.email)))?;
            evaluators::answer_invitation(conn, invitation, &user, true)?;
        }
        for k in &e.conflict {
            let uid = user_id(conn, &k.evaluator)?;
            let me = evaluators::find_for_user(conn, c.id, uid)?
                .ok_or_else(|| bad(format!("{} is no evaluator", k.evaluator)))?;
            let org = organisations::OrgRef::Named(k.organisation.clone());
            evaluators::declare_conflict(conn, &me, &org, &k.reason)?;
        }
        let stages = crate::domain::evaluation::stages::stages_of(conn, c.id)?;
        for (run, stage) in e.stage.iter().zip(&stages) {
            let ctx = progress::load(conn, stage.stage.id)?;
            progress::start(conn, &ctx).map_err(|err| bad(format!("start: {err:?}")))?;
            let ctx = progress::load(conn, ctx.id())?;
            reviews::auto_assign(conn, &ctx, Some(run.reviewers), None)?;
            let assigned = reviews::of_stage(conn, ctx.id())?;
            for entry in &run.proposal {
                let org = organisations::find_by_slug(conn, &entry.organisation)?;
                let proposal_id = progress::entries(conn, ctx.id())?
                    .into_iter()
                    .map(|x| x.proposal_id)
                    .find(|p| proposals::find(conn, *p).is_ok_and(|p| p.organisation_id == org.id))
                    .ok_or_else(|| bad(format!("no entry of {}", entry.organisation)))?;
                let mine = assigned.iter().filter(|a| a.proposal_id == proposal_id);
                for (a, points) in mine.zip(&entry.scores) {
                    let input = ReviewInput {
                        scores: ctx
                            .stage
                            .criteria
                            .iter()
                            .zip(points)
                            .map(|(k, v)| (k.id, *v as f64))
                            .collect(),
                        comments: ctx
                            .stage
                            .criteria
                            .iter()
                            .filter(|k| k.comment_required)
                            .map(|k| (k.id, "Siehe Gesamteindruck.".to_string()))
                            .collect(),
                        comment: "Nachvollziehbar begründeter Vorschlag.".into(),
                        confidence: Some(4),
                        submit: true,
                    };
                    reviews::save_review(conn, &ctx, a, &input, db::now())
                        .map_err(|err| bad(format!("review: {err:?}")))?;
                    report.reviews_created += 1;
                }
                if let Some(o) = &entry.outcome {
                    let outcome = Outcome::parse(o).ok_or_else(|| bad(format!("outcome {o}")))?;
                    progress::decide(conn, &ctx, proposal_id, outcome, &entry.feedback, inviter)?;
                }
            }
            if run.release {
                progress::release(conn, &ctx, false)
                    .map_err(|err| bad(format!("release: {err:?}")))?;
            }
        }
    }
    Ok(())
}

/// Pilots with demo runs: sent ones (with ratings), abandoned ones and refused answers,
/// spread over the past weeks so the reports have figures.
fn seed_pilots(conn: &mut DbConnection, report: &mut Report) -> AppResult<()> {
    use crate::domain::pilots::{self, runs};
    use crate::forms::answers::{self, Answers, Raw, Scope};
    let bad = |what: String| AppError::Config(format!("seed: pilots: {what}"));
    let file: PilotsFile = load("pilots.toml")?;
    let now = db::now();
    for p in &file.pilot {
        if pilots::by_slug(conn, &p.slug).is_ok() {
            continue;
        }
        let c = challenges::find_by_slug(conn, &p.challenge)
            .map_err(|_| bad(format!("unknown challenge {}", p.challenge)))?;
        let org = organisations::find_by_slug(conn, &p.organisation)?;
        let proposal = proposals::of_organisation_for(conn, c.id, org.id)?.ok_or_else(|| {
            bad(format!(
                "{} has no proposal for {}",
                p.organisation, p.challenge
            ))
        })?;
        let uid = user_id(conn, &p.author)?;
        let def = crate::forms::FormDefinition::from_json_str(&p.form)
            .map_err(|e| bad(format!("{}: {:?}", p.slug, e)))?;
        let published = now - chrono::Duration::days(30);
        let form =
            crate::domain::form_library::create(conn, org.id, "", &def, Some(uid), published)?;
        let input = pilots::PilotInput {
            form_id: Some(form.form.id),
            mode: Some(p.mode.clone()),
            title: Some(p.title.clone()),
            intro: Some(p.intro.clone()),
            consent_text: Some(crate::i18n::text(
                crate::i18n::Lang::De,
                "pilot-default-consent",
            )),
            slug: Some(p.slug.clone()),
            ..Default::default()
        };
        let pilot = pilots::create(conn, &proposal, &input, uid, published)?;
        report.pilots_created += 1;
        let last_page = def.pages.len() as i64;
        for (i, sent) in p.sent.iter().enumerate() {
            let answers: serde_json::Map<String, serde_json::Value> =
                serde_json::to_value(&sent.answers)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default();
            let checked = answers::check(
                &def,
                Scope::All,
                &Raw::from_json(&answers),
                &Answers::new(),
                &[],
            );
            if !checked.errors.is_empty() {
                return Err(bad(format!("{} run {i}: {:?}", p.slug, checked.errors)));
            }
            let started_at = now - chrono::Duration::hours(20 * (i as i64 + 1));
            let started = runs::start(conn, &pilot, started_at)?;
            let at = runs::Position {
                page: last_page,
                question: 0,
            };
            runs::save(conn, &started.run, &checked.answers, at, started_at)?;
            let loaded = runs::load(conn, &pilot, &started.token)?;
            let finished = started_at + chrono::Duration::minutes(sent.minutes);
            let out = runs::send(conn, &pilot, &loaded, finished)?
                .map_err(|e| bad(format!("{} run {i} incomplete: {:?}", p.slug, e.errors)))?;
            if let Some(r) = sent.rating {
                runs::rate(conn, &out.submission, &r.to_string(), &sent.comment)?;
            }
            report.pilot_submissions_created += 1;
        }
        for (page, count) in p.abandoned.iter().enumerate() {
            for k in 0..*count {
                let started_at = now - chrono::Duration::hours(7 * (k as i64 + 1) + page as i64);
                let started = runs::start(conn, &pilot, started_at)?;
                let at = runs::Position {
                    page: page as i64,
                    question: 0,
                };
                runs::save(conn, &started.run, &Answers::new(), at, started_at)?;
            }
        }
        for (key, count) in &p.errors {
            for _ in 0..*count {
                runs::record_refused(conn, pilot.id, &[key.as_str()], now)?;
            }
        }
    }
    Ok(())
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
