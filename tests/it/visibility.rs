//! Search and pages follow one rule: for every reader and every challenge and proposal,
//! search finds the record exactly when its page opens, through random sequences of
//! status changes (drafts, submissions, withdrawals, reopening, every challenge status
//! archived included, visibility and deadline changes, deletions, memberships ending).
//!
//! A property test over a seeded generator rather than `proptest!`: every case needs the
//! async application and the search index to settle, so the cases run in one test, and a
//! failure prints the seed and the changes that led to it.

use diesel::prelude::*;

use innolab::db::schema::{challenges, memberships, proposal_revisions, proposals};
use innolab::domain::challenges::Challenge;
use innolab::domain::proposals::Proposal;
use innolab::kinds::{OrgKind, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::TestApp;

/// Words that occur nowhere else, one per record, so that a search names one record.
const WORDS: [&str; 9] = [
    "Axolotlquark",
    "Dugongfalter",
    "Kasuarbrett",
    "Numbatkiesel",
    "Quokkaspindel",
    "Tapirwolke",
    "Okapiriegel",
    "Gavialmuster",
    "Pangolinfeder",
];

#[derive(Debug, Clone, Copy)]
enum Change {
    ProposalStatus(usize, &'static str),
    ChallengeStatus(usize, &'static str),
    Visibility(usize, bool),
    DeadlinePassed(usize, bool),
    DeleteProposal(usize),
    LeaveTeam(usize),
}

const PROPOSAL_STATUSES: [&str; 3] = ["draft", "submitted", "withdrawn"];
const CHALLENGE_STATUSES: [&str; 6] = [
    "draft",
    "open",
    "closed",
    "evaluating",
    "concluded",
    "archived",
];

fn random_change(rng: &mut StdRng, challenges: usize, proposals: usize, teams: usize) -> Change {
    match rng.gen_range(0..10) {
        0..=3 => Change::ProposalStatus(
            rng.gen_range(0..proposals),
            PROPOSAL_STATUSES[rng.gen_range(0..3)],
        ),
        4 | 5 => Change::ChallengeStatus(
            rng.gen_range(0..challenges),
            CHALLENGE_STATUSES[rng.gen_range(0..6)],
        ),
        6 => Change::Visibility(rng.gen_range(0..challenges), rng.gen_bool(0.5)),
        7 => Change::DeadlinePassed(rng.gen_range(0..challenges), rng.gen_bool(0.5)),
        8 => Change::DeleteProposal(rng.gen_range(0..proposals)),
        _ => Change::LeaveTeam(rng.gen_range(0..teams)),
    }
}

struct Record {
    word: &'static str,
    page: String,
    url: String,
}

#[actix_web::test]
async fn search_and_pages_agree_on_who_sees_what_through_every_change() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    let stranger = app.create_user("fremd@example.org", "Fremd");
    let founders = [
        app.create_user("eins@example.org", "Eins"),
        app.create_user("zwei@example.org", "Zwei"),
    ];
    let teams = [
        app.create_org(&founders[0], "Formwerk GmbH", OrgKind::Startup, false),
        app.create_org(
            &founders[1],
            "Bürgerlabor e. V.",
            OrgKind::CivilSociety,
            false,
        ),
    ];
    // A second member of each team, who may leave it.
    let leavers = [
        app.create_user("drei@example.org", "Drei"),
        app.create_user("vier@example.org", "Vier"),
    ];
    for (team, user) in teams.iter().zip(&leavers) {
        app.add_member(team, user, Role::Member);
    }

    let mut words = WORDS.iter().copied();
    // One challenge before its deadline, two after it; two of them open their proposals
    // to everyone after the deadline, so every rule is in play from the start.
    let challenge_rows: Vec<Challenge> = (0..3)
        .map(|i| {
            let word = words.next().unwrap();
            let c = app.create_challenge(
                &agency,
                &staff,
                &format!("Aufgabe {word}"),
                "open",
                30 - i * 40,
            );
            if i > 0 {
                app.with_conn(|conn| {
                    diesel::update(challenges::table.find(c.id))
                        .set(challenges::proposal_visibility.eq("public_after_deadline"))
                        .execute(conn)
                        .unwrap();
                });
            }
            c
        })
        .collect();
    let mut proposal_rows: Vec<(Proposal, &'static str)> = Vec::new();
    for (i, c) in challenge_rows.iter().enumerate() {
        for team in &teams {
            if proposal_rows.len() == 6 {
                break;
            }
            let status = PROPOSAL_STATUSES[(i + proposal_rows.len()) % 3];
            let p = app.create_proposal(c, team, &founders[0], status);
            let word = words.next().unwrap();
            app.with_conn(|conn| {
                diesel::update(proposals::table.find(p.id))
                    .set(proposals::title.eq(format!("Vorschlag {word}")))
                    .execute(conn)
                    .unwrap();
            });
            proposal_rows.push((p, word));
        }
    }
    let challenge_records: Vec<Record> = challenge_rows
        .iter()
        .zip(WORDS)
        .map(|(c, word)| Record {
            word,
            page: format!("/challenges/{}", c.slug),
            url: format!("/challenges/{}", c.slug),
        })
        .collect();
    let proposal_records: Vec<Record> = proposal_rows
        .iter()
        .map(|(p, word)| Record {
            word,
            page: format!("/proposals/{}", p.id),
            url: format!("/proposals/{}", p.id),
        })
        .collect();
    let readers = [
        None,
        Some(&staff),
        Some(&admin),
        Some(&stranger),
        Some(&founders[0]),
        Some(&founders[1]),
        Some(&leavers[0]),
        Some(&leavers[1]),
    ];

    let seed: u64 = std::env::var("VISIBILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261202);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut history: Vec<Change> = Vec::new();
    for round in 0..30 {
        // The first round checks the records as created; each later one after 1-3 changes.
        if round > 0 {
            for _ in 0..rng.gen_range(1..=3) {
                let change = random_change(&mut rng, 3, proposal_rows.len(), teams.len());
                apply(
                    &app,
                    change,
                    &challenge_rows,
                    &proposal_rows,
                    &teams,
                    &leavers,
                );
                history.push(change);
            }
        }
        app.settle_search();
        for reader in readers {
            match reader {
                Some(u) => app.log_in_as(u),
                None => app.log_out(),
            }
            for record in challenge_records.iter().chain(&proposal_records) {
                let page = app.get(&record.page).await;
                assert!(
                    [200, 403, 404].contains(&page.status.as_u16()),
                    "{} answered {}",
                    record.page,
                    page.status
                );
                let opens = page.status == 200;
                let found = app.search(&[("q", record.word)]).await;
                let listed = found["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|item| item["url"] == record.url.as_str());
                assert_eq!(
                    listed,
                    opens,
                    "seed {seed}, after {history:?}: {} as {:?}: page {}, search {found}",
                    record.page,
                    reader.map(|u| &u.email),
                    page.status
                );
                // Totals follow the same rule as the items.
                assert_eq!(found["total"].as_u64().unwrap() > 0, opens, "{found}");
            }
        }
    }
}

fn apply(
    app: &TestApp,
    change: Change,
    challenges_: &[Challenge],
    proposals_: &[(Proposal, &str)],
    teams: &[innolab::domain::organisations::Organisation],
    leavers: &[innolab::domain::accounts::User],
) {
    let now = innolab::db::now();
    app.with_conn(|conn| match change {
        Change::ProposalStatus(i, status) => {
            let id = proposals_[i].0.id;
            diesel::update(proposals::table.find(id))
                .set((
                    proposals::status.eq(status),
                    proposals::submitted_at.eq((status != "draft").then_some(now)),
                    proposals::withdrawn_at.eq((status == "withdrawn").then_some(now)),
                ))
                .execute(conn)
                .unwrap();
        }
        Change::ChallengeStatus(i, status) => {
            diesel::update(challenges::table.find(challenges_[i].id))
                .set(challenges::status.eq(status))
                .execute(conn)
                .unwrap();
        }
        Change::Visibility(i, public) => {
            let visibility = if public {
                "public_after_deadline"
            } else {
                "private"
            };
            diesel::update(challenges::table.find(challenges_[i].id))
                .set(challenges::proposal_visibility.eq(visibility))
                .execute(conn)
                .unwrap();
        }
        Change::DeadlinePassed(i, passed) => {
            let days = if passed { -3 } else { 3 };
            diesel::update(challenges::table.find(challenges_[i].id))
                .set(challenges::submission_deadline.eq(now + chrono::Duration::days(days)))
                .execute(conn)
                .unwrap();
        }
        Change::DeleteProposal(i) => {
            let id = proposals_[i].0.id;
            diesel::delete(
                proposal_revisions::table.filter(proposal_revisions::proposal_id.eq(id)),
            )
            .execute(conn)
            .unwrap();
            diesel::delete(proposals::table.find(id))
                .execute(conn)
                .unwrap();
        }
        Change::LeaveTeam(i) => {
            diesel::update(
                memberships::table
                    .filter(memberships::organisation_id.eq(teams[i].id))
                    .filter(memberships::user_id.eq(leavers[i].id)),
            )
            .set(memberships::left_at.eq(now))
            .execute(conn)
            .unwrap();
        }
    });
}
