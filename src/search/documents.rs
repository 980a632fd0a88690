//! What the index holds about each record, read from the database in batches.
//!
//! Only what every audience of a document may read goes into it: a proposal's public part
//! (never team, costs or data protection), a question and its public answer (never who
//! asked). Otherwise a word from a hidden field would make the document match for readers
//! who cannot see that field.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::policy::{self, Audience};
use crate::db::schema::{
    assignments, challenges, conflicts, evaluators, memberships, organisations, proposals,
    questions, stages,
};
use crate::db::DbConnection;
use crate::domain::challenges::Challenge;
use crate::domain::topics::TopicRef;
use crate::error::AppResult;
use crate::kinds::{OrgKind, ProposalStatus, QuestionStatus, StageStatus};
use crate::text;

/// Ids per statement when loading or expanding.
const CHUNK: usize = 500;

/// The kinds of searchable records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A challenge.
    Challenge,
    /// A proposal's public part.
    Proposal,
    /// A question to an agency with its public answer.
    Question,
    /// An organisation's profile.
    Organisation,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [
        Kind::Challenge,
        Kind::Proposal,
        Kind::Question,
        Kind::Organisation,
    ];

    /// The name stored in the index (`challenge`, `proposal`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Challenge => "challenge",
            Kind::Proposal => "proposal",
            Kind::Question => "question",
            Kind::Organisation => "organisation",
        }
    }

    /// The kind a stored name (`as_str`) stands for.
    pub fn stored(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The stored name, or what people type in German or English (`kind:vorschlag`).
    pub fn parse(s: &str) -> Option<Kind> {
        match text::slugify(s).as_str() {
            "challenge" | "challenges" | "herausforderung" | "herausforderungen"
            | "ausschreibung" | "ausschreibungen" => Some(Kind::Challenge),
            "proposal" | "proposals" | "vorschlag" | "vorschlage" | "vorschlaege"
            | "loesungsvorschlag" | "losungsvorschlag" => Some(Kind::Proposal),
            "question" | "questions" | "frage" | "fragen" => Some(Kind::Question),
            "organisation" | "organisations" | "organization" | "organizations"
            | "organisationen" => Some(Kind::Organisation),
            _ => None,
        }
    }
}

/// Extra facts a result card shows beside title and snippet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The name of the agency whose challenge the record belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_name: Option<String>,
    /// The title of the challenge a proposal or question belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_title: Option<String>,
    /// The name of a proposal's team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_name: Option<String>,
    /// The organisation's kind, as stored (`agency`, `startup`, …), for proposals and
    /// organisations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_kind: Option<String>,
}

/// One record as the index sees it.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    /// What kind of record it is.
    pub kind: Kind,
    /// The record's id in its table.
    pub id: i64,
    /// The result's heading; for a question, the start of its text.
    pub title: String,
    /// Shown text: what snippets are cut from.
    pub body: String,
    /// Searchable but not shown: agency and topic names, region, a team's name.
    pub aux: String,
    /// The record's page, a path such as `/challenges/SLUG`.
    pub url: String,
    /// The record's status as stored, for challenges and proposals; `None` for the others.
    pub status: Option<String>,
    /// The slugs of the topics of the record's challenge.
    pub topics: Vec<String>,
    /// The slug of the agency the record belongs to.
    pub agency: Option<String>,
    /// Who may find the record; a record with none is not indexed.
    pub audiences: Vec<Audience>,
    /// When the record was published, last changed or answered: what "newest" sorts by.
    pub date: NaiveDateTime,
    /// The submission deadline of the record's challenge; `None` for organisations.
    pub deadline: Option<NaiveDateTime>,
    /// What the result card shows besides title and snippet.
    pub meta: Meta,
}

/// The documents for `ids` of `kind` that should be in the index; records that are gone
/// or that nobody may find (an unanswered question) are simply absent.
pub fn load(conn: &mut DbConnection, kind: Kind, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let docs = match kind {
            Kind::Challenge => load_challenges(conn, chunk)?,
            Kind::Proposal => load_proposals(conn, chunk)?,
            Kind::Question => load_questions(conn, chunk)?,
            Kind::Organisation => load_organisations(conn, chunk)?,
        };
        out.extend(docs.into_iter().filter(|d| !d.audiences.is_empty()));
    }
    Ok(out)
}

/// Up to `limit` ids of `kind` after `after`, ascending: how a rebuild walks the tables.
pub fn ids_after(
    conn: &mut DbConnection,
    kind: Kind,
    after: i64,
    limit: i64,
) -> AppResult<Vec<i64>> {
    Ok(match kind {
        Kind::Challenge => challenges::table
            .filter(challenges::id.gt(after))
            .order(challenges::id)
            .limit(limit)
            .select(challenges::id)
            .load(conn)?,
        Kind::Proposal => proposals::table
            .filter(proposals::id.gt(after))
            .order(proposals::id)
            .limit(limit)
            .select(proposals::id)
            .load(conn)?,
        // Only answered questions can be found; the rest need not be read at all.
        Kind::Question => questions::table
            .filter(questions::id.gt(after))
            .filter(questions::status.eq(QuestionStatus::Answered))
            .order(questions::id)
            .limit(limit)
            .select(questions::id)
            .load(conn)?,
        Kind::Organisation => organisations::table
            .filter(organisations::id.gt(after))
            .order(organisations::id)
            .limit(limit)
            .select(organisations::id)
            .load(conn)?,
    })
}

/// How many records a rebuild will walk (for its progress bar).
pub fn count_all(conn: &mut DbConnection) -> AppResult<u64> {
    let c: i64 = challenges::table.count().get_result(conn)?;
    let p: i64 = proposals::table.count().get_result(conn)?;
    let q: i64 = questions::table
        .filter(questions::status.eq(QuestionStatus::Answered))
        .count()
        .get_result(conn)?;
    let o: i64 = organisations::table.count().get_result(conn)?;
    Ok((c + p + q + o) as u64)
}

/// Adds to `changed` every record whose document shows something of a changed record:
/// a challenge's proposals and questions (its status, title and deadline are part of
/// them), an organisation's challenges and proposals (its name and slug).
pub fn expand_dependents(
    conn: &mut DbConnection,
    changed: &mut HashMap<Kind, HashSet<i64>>,
) -> AppResult<()> {
    let orgs: Vec<i64> = changed
        .get(&Kind::Organisation)
        .map(|s| s.iter().copied().collect())
        .unwrap_or_default();
    for chunk in orgs.chunks(CHUNK) {
        let owned: Vec<i64> = challenges::table
            .filter(challenges::organisation_id.eq_any(chunk))
            .select(challenges::id)
            .load(conn)?;
        changed.entry(Kind::Challenge).or_default().extend(owned);
        let proposed: Vec<i64> = proposals::table
            .filter(proposals::organisation_id.eq_any(chunk))
            .select(proposals::id)
            .load(conn)?;
        changed.entry(Kind::Proposal).or_default().extend(proposed);
    }
    let chals: Vec<i64> = changed
        .get(&Kind::Challenge)
        .map(|s| s.iter().copied().collect())
        .unwrap_or_default();
    for chunk in chals.chunks(CHUNK) {
        let props: Vec<i64> = proposals::table
            .filter(proposals::challenge_id.eq_any(chunk))
            .select(proposals::id)
            .load(conn)?;
        changed.entry(Kind::Proposal).or_default().extend(props);
        let qs: Vec<i64> = questions::table
            .filter(questions::challenge_id.eq_any(chunk))
            .filter(questions::status.eq(QuestionStatus::Answered))
            .select(questions::id)
            .load(conn)?;
        changed.entry(Kind::Question).or_default().extend(qs);
    }
    Ok(())
}

/// A challenge with its agency's name and slug and its topics.
struct ChallengeRow {
    challenge: Challenge,
    agency_name: String,
    agency_slug: String,
    topics: Vec<TopicRef>,
}

fn challenge_rows(conn: &mut DbConnection, ids: &[i64]) -> AppResult<HashMap<i64, ChallengeRow>> {
    let rows: Vec<(Challenge, String, String)> = challenges::table
        .inner_join(organisations::table)
        .filter(challenges::id.eq_any(ids))
        .select((
            Challenge::as_select(),
            organisations::name,
            organisations::slug,
        ))
        .load(conn)?;
    let mut topics = crate::domain::topics::topics_of(conn, ids)?;
    Ok(rows
        .into_iter()
        .map(|(challenge, agency_name, agency_slug)| {
            (
                challenge.id,
                ChallengeRow {
                    topics: topics.remove(&challenge.id).unwrap_or_default(),
                    challenge,
                    agency_name,
                    agency_slug,
                },
            )
        })
        .collect())
}

/// Topic names in both languages and the region: found, never shown.
fn challenge_aux(row: &ChallengeRow) -> String {
    let mut aux = vec![row.agency_name.clone(), row.challenge.region.clone()];
    for t in &row.topics {
        aux.push(t.name_de.clone());
        aux.push(t.name_en.clone());
    }
    aux.join("\n")
}

fn load_challenges(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    let rows = challenge_rows(conn, ids)?;
    Ok(rows
        .into_values()
        .map(|row| {
            let c = &row.challenge;
            SearchDoc {
                kind: Kind::Challenge,
                id: c.id,
                title: c.title.clone(),
                body: join_text(&[&c.summary, &text::plain_text(&c.description)]),
                aux: challenge_aux(&row),
                url: format!("/challenges/{}", c.slug),
                status: Some(c.status.to_string()),
                topics: row.topics.iter().map(|t| t.slug.clone()).collect(),
                agency: Some(row.agency_slug.clone()),
                audiences: policy::challenge_audiences(c.status.is_published(), c.organisation_id),
                date: c.published_at.unwrap_or(c.updated_at),
                deadline: Some(c.submission_deadline),
                meta: Meta {
                    agency_name: Some(row.agency_name.clone()),
                    ..Meta::default()
                },
            }
        })
        .collect())
}

#[derive(Queryable)]
struct ProposalRow {
    id: i64,
    challenge_id: i64,
    organisation_id: i64,
    title: String,
    summary: String,
    approach: String,
    pilot_scope: String,
    pilot_kpis: String,
    status: ProposalStatus,
    updated_at: NaiveDateTime,
}

fn load_proposals(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    let rows: Vec<ProposalRow> = proposals::table
        .filter(proposals::id.eq_any(ids))
        .select((
            proposals::id,
            proposals::challenge_id,
            proposals::organisation_id,
            proposals::title,
            proposals::summary,
            proposals::approach,
            proposals::pilot_scope,
            proposals::pilot_kpis,
            proposals::status,
            proposals::updated_at,
        ))
        .load(conn)?;
    let challenge_ids: Vec<i64> = unique(rows.iter().map(|r| r.challenge_id));
    let org_ids: Vec<i64> = unique(rows.iter().map(|r| r.organisation_id));
    let challenges = challenge_rows(conn, &challenge_ids)?;
    let orgs: HashMap<i64, (String, OrgKind)> = organisations::table
        .filter(organisations::id.eq_any(&org_ids))
        .select((organisations::id, organisations::name, organisations::kind))
        .load::<(i64, String, OrgKind)>(conn)?
        .into_iter()
        .map(|(id, name, kind)| (id, (name, kind)))
        .collect();
    let mut evaluators: HashMap<i64, Vec<i64>> = HashMap::new();
    for (proposal, user) in evaluators_of(conn, ids)? {
        evaluators.entry(proposal).or_default().push(user);
    }
    Ok(rows
        .into_iter()
        .filter_map(|p| {
            let row = challenges.get(&p.challenge_id)?;
            let c = &row.challenge;
            let (org_name, org_kind) = orgs.get(&p.organisation_id).cloned()?;
            let public_from = policy::proposal_public_from(
                p.status == ProposalStatus::Submitted,
                c.proposals_public_from(),
            );
            Some(SearchDoc {
                kind: Kind::Proposal,
                id: p.id,
                title: p.title,
                body: join_text(&[
                    &p.summary,
                    &text::plain_text(&p.approach),
                    &p.pilot_scope,
                    &text::plain_text(&p.pilot_kpis),
                ]),
                // The team's name; not the challenge's words, or every proposal would
                // match a search for its challenge.
                aux: org_name.clone(),
                url: format!("/proposals/{}", p.id),
                audiences: policy::proposal_audiences(
                    p.status == ProposalStatus::Draft,
                    p.organisation_id,
                    c.organisation_id,
                    public_from,
                    evaluators.get(&p.id).map_or(&[][..], |v| v),
                ),
                status: Some(p.status.to_string()),
                topics: row.topics.iter().map(|t| t.slug.clone()).collect(),
                agency: Some(row.agency_slug.clone()),
                date: p.updated_at,
                deadline: Some(c.submission_deadline),
                meta: Meta {
                    agency_name: Some(row.agency_name.clone()),
                    challenge_title: Some(c.title.clone()),
                    organisation_name: Some(org_name),
                    organisation_kind: Some(org_kind.to_string()),
                },
            })
        })
        .collect())
}

/// (proposal, user) of every evaluator with an active assignment to one of the proposals
/// in a started stage, unless one of their stages on it is blind (the result card names
/// the team) or they are in conflict with its organisation (declared, or by membership).
fn evaluators_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    let since = crate::domain::evaluation::evaluators::membership_conflict_since();
    // proposal, user, blind stage, declared conflict, conflicting membership
    type Row = (i64, i64, bool, Option<i64>, Option<i64>);
    let rows: Vec<Row> = assignments::table
        .inner_join(evaluators::table)
        .inner_join(stages::table)
        .inner_join(proposals::table)
        .left_join(
            conflicts::table.on(conflicts::evaluator_id
                .eq(evaluators::id)
                .and(conflicts::organisation_id.eq(proposals::organisation_id))),
        )
        .left_join(
            memberships::table.on(memberships::user_id
                .eq(evaluators::user_id)
                .and(memberships::organisation_id.eq(proposals::organisation_id))
                .and(
                    memberships::left_at
                        .is_null()
                        .or(memberships::left_at.gt(since)),
                )),
        )
        .filter(assignments::proposal_id.eq_any(ids))
        .filter(assignments::declined_at.is_null())
        .filter(stages::status.ne(StageStatus::Planned))
        .select((
            assignments::proposal_id,
            evaluators::user_id,
            stages::blind,
            conflicts::id.nullable(),
            memberships::id.nullable(),
        ))
        .load(conn)?;
    let barred: HashSet<(i64, i64)> = rows
        .iter()
        .filter(|r| r.2 || r.3.is_some() || r.4.is_some())
        .map(|r| (r.0, r.1))
        .collect();
    let mut out: Vec<(i64, i64)> = rows
        .into_iter()
        .map(|r| (r.0, r.1))
        .filter(|pair| !barred.contains(pair))
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[derive(Queryable)]
struct QuestionRow {
    id: i64,
    challenge_id: i64,
    body: String,
    status: QuestionStatus,
    answer: Option<String>,
    answered_at: Option<NaiveDateTime>,
    hidden_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

fn load_questions(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    // Never the asker: not even a named asker's name goes into the index.
    let rows: Vec<QuestionRow> = questions::table
        .filter(questions::id.eq_any(ids))
        .select((
            questions::id,
            questions::challenge_id,
            questions::body,
            questions::status,
            questions::answer,
            questions::answered_at,
            questions::hidden_at,
            questions::created_at,
        ))
        .load(conn)?;
    let challenge_ids: Vec<i64> = unique(rows.iter().map(|r| r.challenge_id));
    let challenges = challenge_rows(conn, &challenge_ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|q| {
            let row = challenges.get(&q.challenge_id)?;
            let c = &row.challenge;
            let answer = q.answer.unwrap_or_default();
            let public = policy::question_public(
                q.status == QuestionStatus::Answered && !answer.is_empty(),
                q.hidden_at.is_some(),
                c.status.is_published(),
            );
            Some(SearchDoc {
                kind: Kind::Question,
                id: q.id,
                title: text::excerpt(&q.body, 120),
                body: join_text(&[&q.body, &answer]),
                aux: String::new(),
                url: format!("/questions/{}", q.id),
                status: None,
                topics: row.topics.iter().map(|t| t.slug.clone()).collect(),
                agency: Some(row.agency_slug.clone()),
                audiences: policy::question_audiences(public),
                date: q.answered_at.unwrap_or(q.created_at),
                deadline: Some(c.submission_deadline),
                meta: Meta {
                    agency_name: Some(row.agency_name.clone()),
                    challenge_title: Some(c.title.clone()),
                    ..Meta::default()
                },
            })
        })
        .collect())
}

fn load_organisations(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<SearchDoc>> {
    let rows: Vec<(i64, String, String, OrgKind, String, NaiveDateTime)> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::slug,
            organisations::name,
            organisations::kind,
            organisations::description,
            organisations::updated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, slug, name, kind, description, updated_at)| SearchDoc {
                kind: Kind::Organisation,
                id,
                body: text::plain_text(&description),
                aux: String::new(),
                url: format!("/organisations/{slug}"),
                status: None,
                topics: Vec::new(),
                agency: (kind == OrgKind::Agency).then(|| slug.clone()),
                audiences: policy::organisation_audiences(),
                date: updated_at,
                deadline: None,
                meta: Meta {
                    organisation_kind: Some(kind.to_string()),
                    ..Meta::default()
                },
                title: name,
            },
        )
        .collect())
}

fn unique(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let set: HashSet<i64> = ids.collect();
    set.into_iter().collect()
}

fn join_text(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
