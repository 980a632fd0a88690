//! The command line against the test database: user create, seed, audit verify, migrate.

use std::path::Path;
use std::process::{Command, Output};

use diesel::prelude::*;
use innolab::db::schema::{organisations, users};

use crate::support::TestApp;

/// The binary on a database and data folder, as an operator runs it.
pub(crate) fn innolab_on(database_url: &str, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innolab"))
        .arg("--database-url")
        .arg(database_url)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn innolab(app: &TestApp, args: &[&str]) -> Output {
    let config = &app.state.config;
    innolab_on(&config.database_url, &config.data_dir, args)
}

/// What a run printed, both streams.
pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[actix_web::test]
async fn user_create_makes_a_verified_account_and_refuses_bad_input() {
    let app = TestApp::new().await;
    let ok = innolab(
        &app,
        &[
            "user",
            "create",
            "--email",
            "Ops@Example.org",
            "--password",
            "Leuchtturm-Gabel-Nebel-81",
            "--admin",
        ],
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("as admin"));
    let user = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "ops@example.org")
            .unwrap()
            .unwrap()
    });
    assert!(user.is_admin && user.is_verified());

    let again = innolab(
        &app,
        &[
            "user",
            "create",
            "--email",
            "ops@example.org",
            "--password",
            "Leuchtturm-Gabel-Nebel-81",
        ],
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("exists already"), "{}", text(&again));

    let weak = innolab(
        &app,
        &[
            "user",
            "create",
            "--email",
            "weak@example.org",
            "--password",
            "password123",
        ],
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("password"), "{}", text(&weak));
}

#[actix_web::test]
async fn seed_is_idempotent() {
    let app = TestApp::new().await;
    let first = innolab(&app, &["seed"]);
    assert!(first.status.success(), "{}", text(&first));
    let count = |app: &TestApp| -> (i64, i64) {
        app.with_conn(|c| {
            (
                users::table.count().get_result(c).unwrap(),
                organisations::table.count().get_result(c).unwrap(),
            )
        })
    };
    let after_first = count(&app);
    assert!(
        after_first.0 >= 10 && after_first.1 >= 12,
        "{after_first:?}"
    );
    let second = innolab(&app, &["seed"]);
    assert!(second.status.success());
    assert!(
        text(&second).contains(
            "0 organisations created, 0 users created, 0 challenges created, 0 proposals created"
        ),
        "{}",
        text(&second)
    );
    assert_eq!(count(&app), after_first);
    // Every seeded agency is verified; demo users can log in.
    let unverified_agencies: i64 = app.with_conn(|c| {
        organisations::table
            .filter(organisations::kind.eq("agency"))
            .filter(organisations::verified_at.is_null())
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(unverified_agencies, 0);
}

#[actix_web::test]
async fn audit_verify_reports_the_first_broken_entry() {
    let mut app = TestApp::new().await;
    app.create_user("log@example.org", "Log");
    app.login("log@example.org", "wrong-wrong-wrong-1").await;
    app.login("log@example.org", crate::support::PASSWORD).await;
    let ok = innolab(&app, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact: 2 entries"), "{}", text(&ok));

    let forged_id = app.forge_audit_entry();
    let broken = innolab(&app, &["audit", "verify"]);
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains(&format!("broken at entry {forged_id}")),
        "{}",
        text(&broken)
    );
}

#[actix_web::test]
async fn migrate_reports_an_up_to_date_database() {
    let app = TestApp::new().await;
    let out = innolab(&app, &["migrate"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("up to date"));
    let bad = Command::new(env!("CARGO_BIN_EXE_innolab"))
        .args(["--database-url", "mysql://nope", "migrate"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(text(&bad).contains("unsupported database URL"));
}

/// The synthetic data the benchmarks run on holds a real evaluation: every handed-in
/// proposal of a challenge in evaluation or concluded has the reviewers the review count
/// asks for, each a different evaluator of that challenge, with a review; drafts only while
/// a stage runs; scores that the ranking reads.
#[actix_web::test]
async fn synthetic_seed_evaluates_the_challenges_past_their_deadline() {
    use innolab::db::schema::{
        assignments, challenges, evaluators, reviews, stage_entries, stages,
    };
    use innolab::domain::evaluation::{progress, reviews as review_rows};

    let app = TestApp::new().await;
    let out = innolab(
        &app,
        &[
            "seed",
            "--synthetic",
            "--challenges",
            "40",
            "--proposals",
            "300",
            "--reviews",
            "700",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // The demo data comes first; the synthetic challenges' slugs begin with `syn-`.
    let synthetic = challenges::slug.like("syn-%");
    let entries: i64 = app.with_conn(|c| {
        stage_entries::table
            .inner_join(stages::table.inner_join(challenges::table))
            .filter(synthetic)
            .count()
            .get_result(c)
            .unwrap()
    });
    assert!(entries > 20, "{entries} proposals in stages");
    let per_proposal = ((700 + entries - 1) / entries).min(12);
    let written: i64 = app.with_conn(|c| {
        reviews::table
            .inner_join(assignments::table.inner_join(stages::table.inner_join(challenges::table)))
            .filter(synthetic)
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(written, entries * per_proposal);
    assert!(
        text(&out).contains(&format!("{written} reviews")),
        "{}",
        text(&out)
    );

    // Per entry: as many assignments as the stage asks, each a different evaluator of the
    // stage's challenge.
    let rows: Vec<(i64, i64, i64, i64, i64)> = app.with_conn(|c| {
        assignments::table
            .inner_join(stages::table.inner_join(challenges::table))
            .inner_join(evaluators::table)
            .filter(synthetic)
            .select((
                assignments::stage_id,
                assignments::proposal_id,
                assignments::evaluator_id,
                stages::challenge_id,
                evaluators::challenge_id,
            ))
            .load(c)
            .unwrap()
    });
    let mut by_entry = std::collections::BTreeMap::<(i64, i64), Vec<i64>>::new();
    for (stage, proposal, evaluator, challenge, evaluator_challenge) in rows {
        assert_eq!(challenge, evaluator_challenge);
        by_entry
            .entry((stage, proposal))
            .or_default()
            .push(evaluator);
    }
    assert_eq!(by_entry.len() as i64, entries);
    for evaluators_of in by_entry.values_mut() {
        evaluators_of.sort();
        evaluators_of.dedup();
        assert_eq!(evaluators_of.len() as i64, per_proposal);
    }

    // Submitted reviews carry a score on 0-100, drafts none, and drafts exist only in
    // running stages.
    let scored: Vec<(Option<f64>, bool, String)> = app.with_conn(|c| {
        reviews::table
            .inner_join(assignments::table.inner_join(stages::table.inner_join(challenges::table)))
            .filter(synthetic)
            .select((
                reviews::score,
                reviews::submitted_at.is_not_null(),
                stages::status,
            ))
            .load(c)
            .unwrap()
    });
    for (score, submitted, status) in &scored {
        assert_eq!(score.is_some(), *submitted);
        assert!(score.is_none_or(|s| (0.0..=100.0).contains(&s)));
        assert!(*submitted || status == "running");
    }
    assert!(scored.iter().any(|(_, submitted, _)| !submitted));

    // The ranking page's read model ranks a released stage's proposals from those reviews.
    let released: i64 = app.with_conn(|c| {
        stage_entries::table
            .inner_join(stages::table.inner_join(challenges::table))
            .filter(synthetic)
            .filter(stages::status.eq("released"))
            .select(stages::id)
            .first(c)
            .unwrap()
    });
    let ranked = app.with_conn(|c| {
        let ctx = progress::load(c, released).unwrap();
        review_rows::ranking(c, &ctx).unwrap()
    });
    assert!(!ranked.is_empty());
}
