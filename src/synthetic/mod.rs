//! A large, realistic-looking database for benchmarks: `innolab seed --synthetic`.
//!
//! German-like texts from word lists, every challenge and proposal status, public and
//! private proposals, questions and revisions, and the evaluation of the challenges past
//! their deadline (`evaluation`); deterministic for the same sizes. Rows are written in
//! batches inside transactions, with a progress bar.

mod evaluation;

use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::db::schema::{
    challenge_topics, challenges, organisations, proposal_revisions, proposals, questions, topics,
};
use crate::db::{self, DbConnection};
use crate::error::AppResult;
use crate::kinds::{
    ChallengeStatus, Level, OrgKind, ProposalStatus, ProposalVisibility, QuestionStatus,
};

const BATCH: usize = 500;

const SUBJECTS: [&str; 24] = [
    "Hundesteuer",
    "Wohnsitzanmeldung",
    "Bauantrag",
    "Gewerbeanmeldung",
    "Wohngeld",
    "Elterngeld",
    "Kita-Platzvergabe",
    "Schulanmeldung",
    "Parkausweis",
    "Sperrmüllabholung",
    "Baumkataster",
    "Starkregenwarnung",
    "Fundbüro",
    "Führungszeugnis",
    "Aufenthaltstitel",
    "Beschaffung",
    "Schuldnerberatung",
    "Förderantrag",
    "Vereinsregister",
    "Straßensanierung",
    "Hitzeschutz",
    "Bürgerbeteiligung",
    "Fahrradparken",
    "Denkmalschutz",
];
const GOALS: [&str; 12] = [
    "digital und barrierefrei",
    "ohne Papier",
    "in Leichter Sprache",
    "mit KI-Unterstützung",
    "als Open-Source-Lösung",
    "für das Smartphone",
    "mit offenen Daten",
    "im Verbund mehrerer Kommunen",
    "rund um die Uhr",
    "mehrsprachig",
    "datensparsam",
    "nutzerzentriert",
];
const PHRASES: [&str; 16] = [
    "Die Bearbeitung dauert heute mehrere Wochen",
    "viele Anträge sind unvollständig",
    "Bürgerinnen und Bürger wünschen sich einen einfachen Zugang",
    "die Fachverfahren bieten eine XML-Schnittstelle",
    "der Datenschutz hat Vorrang",
    "die Lösung soll nachnutzbar sein",
    "ein Pilot in einem Bezirk ist geplant",
    "Rückfragen binden viel Arbeitszeit",
    "die Formulare sind nicht barrierefrei",
    "Medienbrüche verursachen Fehler",
    "wir setzen auf offene Standards",
    "die Kennzahlen werden monatlich berichtet",
    "das Team arbeitet agil in zweiwöchigen Sprints",
    "die Daten bleiben in Deutschland",
    "Leichte Sprache erhöht die Abschlussquote",
    "eine Schnittstelle zu FIT-Connect ist vorgesehen",
];

fn sentence(rng: &mut StdRng) -> String {
    let mut s = PHRASES.choose(rng).copied().unwrap_or("").to_string();
    if let Some(first) = s.get(0..1) {
        s = first.to_uppercase() + &s[1..];
    }
    format!("{s}, und {}.", PHRASES.choose(rng).copied().unwrap_or(""))
}

fn paragraph(rng: &mut StdRng, n: usize) -> String {
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// What was created.
#[derive(Debug, Default)]
pub struct Sizes {
    /// Organisations added: agencies and teams.
    pub organisations: usize,
    /// Challenges added.
    pub challenges: usize,
    /// Proposals added.
    pub proposals: usize,
    /// Evaluator places on challenges (one account serves several challenges).
    pub evaluators: usize,
    /// Reviews added, drafts included.
    pub reviews: usize,
}

/// Adds `n_challenges` challenges and `n_proposals` proposals (with the organisations they
/// need) and about `n_reviews` reviews (with the stages and evaluators they need) to the
/// database.
pub fn generate(
    conn: &mut DbConnection,
    n_challenges: usize,
    n_proposals: usize,
    n_reviews: usize,
) -> AppResult<Sizes> {
    let mut rng = StdRng::seed_from_u64(0x1A0B + n_challenges as u64 * 31 + n_proposals as u64);
    let now = db::now();
    let run = rng.gen::<u32>();
    let topic_rows: Vec<(i64, String)> = topics::table
        .select((topics::id, topics::slug))
        .load(conn)?;

    // Organisations: one agency per 20 challenges, one team per 20 proposals.
    let n_agencies = (n_challenges / 20).max(1);
    let n_teams = (n_proposals / 20).max(1);
    let pb = bar((n_agencies + n_teams) as u64, "organisations");
    let mut agency_ids = Vec::new();
    let mut team_ids = Vec::new();
    for chunk_start in (0..n_agencies + n_teams).step_by(BATCH) {
        db::write_tx(conn, |conn| {
            for i in chunk_start..(chunk_start + BATCH).min(n_agencies + n_teams) {
                let agency = i < n_agencies;
                let kind = if agency {
                    OrgKind::Agency
                } else {
                    [OrgKind::Startup, OrgKind::CivilSociety, OrgKind::Research][i % 3]
                };
                let name = if agency {
                    format!("Stadt Synthetik {i}")
                } else {
                    format!("Team Synthetik {i}")
                };
                let id: i64 = diesel::insert_into(organisations::table)
                    .values((
                        organisations::slug.eq(format!("syn-{run}-{i}")),
                        organisations::name.eq(name),
                        organisations::kind.eq(kind),
                        organisations::description.eq(paragraph(&mut rng, 2)),
                        organisations::verified_at.eq(agency.then_some(now)),
                        organisations::created_at.eq(now),
                        organisations::updated_at.eq(now),
                    ))
                    .returning(organisations::id)
                    .get_result(conn)?;
                if agency {
                    agency_ids.push(id)
                } else {
                    team_ids.push(id)
                }
                pb.inc(1);
            }
            Ok::<_, crate::error::AppError>(())
        })?;
    }
    pb.finish();

    let statuses = [
        ChallengeStatus::Open,
        ChallengeStatus::Open,
        ChallengeStatus::Open,
        ChallengeStatus::Closed,
        ChallengeStatus::Evaluating,
        ChallengeStatus::Concluded,
        ChallengeStatus::Archived,
        ChallengeStatus::Draft,
    ];
    let pb = bar(n_challenges as u64, "challenges");
    let mut challenge_rows: Vec<(i64, ChallengeStatus, chrono::NaiveDateTime)> =
        Vec::with_capacity(n_challenges);
    let mut evaluated: Vec<evaluation::Evaluated> = Vec::new();
    for chunk_start in (0..n_challenges).step_by(BATCH) {
        db::write_tx(conn, |conn| {
            for i in chunk_start..(chunk_start + BATCH).min(n_challenges) {
                // Agencies take every n-th challenge; shifting the status by the round
                // gives each agency challenges of every status (with 5,000 agencies, a
                // multiple of 8, each would otherwise have one status only).
                let status = statuses[(i + i / agency_ids.len()) % statuses.len()];
                let days: i64 = if matches!(status, ChallengeStatus::Open | ChallengeStatus::Draft)
                {
                    rng.gen_range(1..90)
                } else {
                    -rng.gen_range(1..365)
                };
                let deadline = now + chrono::Duration::days(days);
                let subject = SUBJECTS.choose(&mut rng).copied().unwrap_or("Verwaltung");
                let goal = GOALS.choose(&mut rng).copied().unwrap_or("digital");
                let public = i % 4 == 0;
                let id: i64 = diesel::insert_into(challenges::table)
                    .values((
                        challenges::slug.eq(format!("syn-{run}-c{i}")),
                        challenges::organisation_id.eq(agency_ids[i % agency_ids.len()]),
                        challenges::title.eq(format!("{subject} {goal} ({i})")),
                        challenges::summary.eq(paragraph(&mut rng, 2)),
                        challenges::description.eq(format!(
                            "## Ausgangslage\n\n{}\n\n## Ziel\n\n{}",
                            paragraph(&mut rng, 4),
                            paragraph(&mut rng, 3)
                        )),
                        challenges::language.eq(if i % 10 == 0 { "en" } else { "de" }),
                        challenges::eligibility.eq("startup,civil_society,research"),
                        challenges::level.eq(Level::ALL[i % 3]),
                        challenges::region.eq("Synthetikland"),
                        challenges::budget_eur.eq(Some(rng.gen_range(10..500) * 1000)),
                        challenges::submission_deadline.eq(deadline),
                        challenges::contact.eq("synthetik@example.org"),
                        challenges::proposal_visibility.eq(if public {
                            ProposalVisibility::PublicAfterDeadline
                        } else {
                            ProposalVisibility::Private
                        }),
                        challenges::status.eq(status),
                        challenges::published_at.eq((status.is_published())
                            .then(|| now - chrono::Duration::days(rng.gen_range(1..400)))),
                        challenges::created_at.eq(now),
                        challenges::updated_at.eq(now),
                    ))
                    .returning(challenges::id)
                    .get_result(conn)?;
                let topic = topic_rows.choose(&mut rng);
                if let Some((t, _)) = topic {
                    diesel::insert_into(challenge_topics::table)
                        .values((
                            challenge_topics::challenge_id.eq(id),
                            challenge_topics::topic_id.eq(*t),
                        ))
                        .execute(conn)?;
                }
                if days < 0 && status.is_published() {
                    evaluated.push(evaluation::Evaluated {
                        id,
                        status,
                        deadline,
                        topic: topic.map(|(_, slug)| slug.clone()).unwrap_or_default(),
                        proposals: Vec::new(),
                    });
                }
                if status.is_published() && i % 3 == 0 {
                    diesel::insert_into(questions::table)
                        .values((
                            questions::challenge_id.eq(id),
                            questions::body.eq(sentence(&mut rng)),
                            questions::status.eq(QuestionStatus::Answered),
                            questions::answer.eq(Some(sentence(&mut rng))),
                            questions::answered_at.eq(Some(now)),
                            questions::created_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                challenge_rows.push((id, status, deadline));
                pb.inc(1);
            }
            Ok::<_, crate::error::AppError>(())
        })?;
    }
    pb.finish();

    let published: Vec<&(i64, ChallengeStatus, chrono::NaiveDateTime)> = challenge_rows
        .iter()
        .filter(|(_, s, _)| s.is_published())
        .collect();
    let place_of: std::collections::HashMap<i64, usize> = evaluated
        .iter()
        .enumerate()
        .map(|(k, c)| (c.id, k))
        .collect();
    let pb = bar(n_proposals as u64, "proposals");
    for chunk_start in (0..n_proposals).step_by(BATCH) {
        db::write_tx(conn, |conn| {
            for i in chunk_start..(chunk_start + BATCH).min(n_proposals) {
                let (cid, cstatus, deadline) = published[i % published.len().max(1)];
                // Teams rotate so that no organisation proposes twice to one challenge.
                let team = team_ids[(i / published.len().max(1) + i) % team_ids.len()];
                let status = match (cstatus, i % 5) {
                    (ChallengeStatus::Open, 0) => ProposalStatus::Draft,
                    (_, 1) => ProposalStatus::Withdrawn,
                    _ => ProposalStatus::Submitted,
                };
                let subject = SUBJECTS.choose(&mut rng).copied().unwrap_or("Verwaltung");
                let submitted = status != ProposalStatus::Draft;
                let id: i64 = diesel::insert_into(proposals::table)
                    .values((
                        proposals::challenge_id.eq(*cid),
                        proposals::organisation_id.eq(team),
                        proposals::title.eq(format!("{subject}: unser Lösungsvorschlag {i}")),
                        proposals::summary.eq(paragraph(&mut rng, 2)),
                        proposals::approach.eq(paragraph(&mut rng, 5)),
                        proposals::team.eq(paragraph(&mut rng, 1)),
                        proposals::pilot_scope.eq(sentence(&mut rng)),
                        proposals::pilot_duration.eq("3 Monate"),
                        proposals::pilot_kpis
                            .eq("- Abschlussquote ≥ 80 %\n- Bearbeitungszeit −50 %"),
                        proposals::cost_estimate_eur.eq(Some(rng.gen_range(5..300) * 1000)),
                        proposals::data_protection.eq(sentence(&mut rng)),
                        proposals::licence.eq("EUPL-1.2"),
                        proposals::status.eq(status),
                        proposals::revision.eq(if submitted { 1 } else { 0 }),
                        proposals::submitted_at
                            .eq(submitted.then(|| *deadline - chrono::Duration::days(1))),
                        proposals::created_at.eq(now),
                        proposals::updated_at.eq(now),
                    ))
                    .returning(proposals::id)
                    .get_result(conn)?;
                if status == ProposalStatus::Submitted {
                    if let Some(k) = place_of.get(cid) {
                        evaluated[*k].proposals.push(id);
                    }
                }
                if submitted {
                    diesel::insert_into(proposal_revisions::table)
                        .values((
                            proposal_revisions::proposal_id.eq(id),
                            proposal_revisions::number.eq(1),
                            proposal_revisions::snapshot.eq("{}"),
                            proposal_revisions::created_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                pb.inc(1);
            }
            Ok::<_, crate::error::AppError>(())
        })?;
    }
    pb.finish();
    let evaluation =
        evaluation::generate(conn, &mut rng, &evaluated, n_reviews, n_proposals / 20, run)?;
    db::analyze(conn)?;
    Ok(Sizes {
        organisations: n_agencies + n_teams,
        challenges: n_challenges,
        proposals: n_proposals,
        evaluators: evaluation.evaluators,
        reviews: evaluation.reviews,
    })
}
