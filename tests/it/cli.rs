//! The command line against the test database: user create, seed, audit verify, migrate.

use std::process::{Command, Output};

use diesel::prelude::*;
use innolab::db::schema::{organisations, users};

use crate::support::TestApp;

fn innolab(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innolab"))
        .arg("--database-url")
        .arg(&app.state.config.database_url)
        .arg("--data-dir")
        .arg(&app.state.config.data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
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
