//! Backup and restore through the command line, as an operator runs them: a backup of a
//! serving installation restored into an empty database of the other backend (SQLite to
//! PostgreSQL and back when this run has PostgreSQL; SQLite to SQLite otherwise) holds
//! the same rows, files, logins, tokens and search results, and its audit chain
//! verifies; a damaged backup or a filled target changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use actix_web::http::Method;
use serde_json::Value;

use innolab::domain::files::CHUNK;
use innolab::kinds::OrgKind;

use crate::challenges_flow::{attachment_ids, upload};
use crate::cli::{innolab_on as innolab, text};
use crate::files::pdf_of;
use crate::support::{TestApp, TestDatabase};

const ADMIN: (&str, &str) = (
    "admin@innolab.example",
    "Zimtstern-Giesskanne-Leuchtturm-83",
);

type Fresh = fn() -> TestDatabase;

/// (from, to) pairs of fresh databases: across the backends where this run has both.
fn directions() -> Vec<(&'static str, Fresh, Fresh)> {
    let postgres: Fresh = || TestDatabase::postgres().expect("this run has PostgreSQL");
    if TestDatabase::postgres().is_some() {
        vec![
            ("SQLite -> PostgreSQL", TestDatabase::sqlite, postgres),
            ("PostgreSQL -> SQLite", postgres, TestDatabase::sqlite),
        ]
    } else {
        vec![(
            "SQLite -> SQLite",
            TestDatabase::sqlite,
            TestDatabase::sqlite,
        )]
    }
}

/// A value as either backend's JSON spells it, in one spelling: booleans as 0/1,
/// timestamps with a space and six digits of fraction, numbers to 12 digits (SQLite's
/// JSON prints 15; [`scores`] compares them to the bit).
fn normal(v: &Value) -> Value {
    match v {
        Value::Bool(b) => normal(&Value::from(u8::from(*b))),
        Value::Number(n) => Value::from(format!("{:.11e}", n.as_f64().unwrap())),
        Value::String(s) => {
            let t = s.replacen('T', " ", 1);
            match chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f") {
                Ok(at) if s.len() >= 19 => {
                    Value::from(at.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
                }
                _ => v.clone(),
            }
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), normal(v))).collect()),
        other => other.clone(),
    }
}

/// Every table's rows in one spelling, sorted; without what a backup leaves to be
/// rebuilt (the search outbox, file chunks: files are compared by download).
fn rows_of(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    app.dump_all()
        .into_iter()
        .filter(|(t, _)| t != "search_outbox" && t != "file_chunks")
        .map(|(t, rows)| {
            let mut rows: Vec<String> = rows.iter().map(|r| normal(r).to_string()).collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// Every review's score, by assignment, as the database gives it to the application.
fn scores(app: &TestApp) -> Vec<(i64, Option<f64>)> {
    use diesel::prelude::*;
    use innolab::db::schema::reviews;
    app.with_conn(|c| {
        reviews::table
            .select((reviews::assignment_id, reviews::score))
            .order(reviews::assignment_id)
            .load(c)
            .unwrap()
    })
}

async fn hits(app: &mut TestApp, words: &str) -> Vec<String> {
    let found = app.search(&[("q", words)]).await;
    let mut ids: Vec<String> = found["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {found}"))
        .iter()
        .map(|r| format!("{}:{}", r["kind"], r["id"]))
        .collect();
    ids.sort();
    ids
}

#[actix_web::test]
async fn a_backup_restored_into_either_backend_holds_the_same_installation() {
    for (direction, from, to) in directions() {
        let mut source = TestApp::builder().database(from()).build().await;
        source.with_conn(|c| innolab::seed::apply(c).unwrap());
        let owner = source.create_user("amt@example.org", "Amt");
        let agency = source.create_org(&owner, "Stadt Nordheim", OrgKind::Agency, true);
        let challenge = source.create_challenge(&agency, &owner, "Mit Plänen", "open", 20);
        let bytes = pdf_of(2 * CHUNK + 4_321);
        source.log_in_as(&owner);
        let path = format!("/challenges/{}/attachments", challenge.slug);
        upload(
            &mut source,
            &path,
            "Lageplan.pdf",
            "application/pdf",
            &bytes,
        )
        .await
        .assert_status(303);
        let attachment = attachment_ids(&source, "challenge", challenge.id)[0];
        source.log_out();
        let token = source.bearer_of(&owner).await;
        source.settle_search();
        let queries = ["Wohnsitz", "Formular barrierefrei", "Plänen"];
        let mut found = Vec::new();
        for q in queries {
            found.push(hits(&mut source, q).await);
        }
        assert!(
            found.iter().all(|h| !h.is_empty()),
            "{direction}: {found:?}"
        );

        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("innolab.backup");
        let cfg = &source.state.config;
        let out = innolab(
            &cfg.database_url,
            &cfg.data_dir,
            &["backup", "--to", file.to_str().unwrap()],
        );
        assert!(out.status.success(), "{direction}: {}", text(&out));
        assert!(text(&out).contains("backup written"), "{}", text(&out));
        // The checksum beside it is the file's, in sha256sum's format.
        let sidecar = std::fs::read_to_string(folder.path().join("innolab.backup.sha256")).unwrap();
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(std::fs::read(&file).unwrap()))
        };
        assert_eq!(sidecar, format!("{sha}  innolab.backup\n"));
        assert!(text(&out).contains(&sha));

        let target_db = to();
        let (url, dir) = (target_db.url.clone(), target_db.data_dir.clone());
        let out = innolab(&url, &dir, &["restore", "--from", file.to_str().unwrap()]);
        assert!(out.status.success(), "{direction}: {}", text(&out));
        let said = text(&out);
        assert!(said.contains("audit log intact"), "{said}");
        assert!(said.contains("search index rebuilt"), "{said}");
        let mut target = TestApp::builder().database(target_db).build().await;

        // Every row of every table, but the audit entry that records the restore.
        let mut before = rows_of(&source);
        let mut after = rows_of(&target);
        let restored: Vec<String> = after["audit_log"]
            .iter()
            .filter(|r| r.contains("\"backup_restored\""))
            .cloned()
            .collect();
        assert_eq!(restored.len(), 1, "{direction}");
        after
            .get_mut("audit_log")
            .unwrap()
            .retain(|r| r != &restored[0]);
        for (table, rows) in &before {
            assert_eq!(
                Some(rows),
                after.get(table),
                "{direction}: table {table} differs after the restore"
            );
        }
        let (was, is) = (scores(&source), scores(&target));
        assert!(was.iter().any(|(_, s)| s.is_some_and(|s| s.fract() != 0.0)));
        assert_eq!(was, is, "{direction}: scores change in their last bits");
        before.retain(|_, rows| !rows.is_empty());
        assert!(before.len() > 25, "{direction}: the demo fills most tables");

        // The file downloads byte for byte; the token and the password still work.
        target.log_in_as(&owner);
        let r = target.get(&format!("/attachments/{attachment}")).await;
        r.assert_status(200);
        assert!(
            r.bytes == bytes,
            "{direction}: the file differs after the restore"
        );
        target.log_out();
        let me = target
            .api(Method::GET, "/api/v1/me", None, Some(&token))
            .await;
        me.assert_status(200);
        assert_eq!(me.json()["email"], "amt@example.org");
        let login = target.login(ADMIN.0, ADMIN.1).await;
        login.assert_status(303);
        assert!(
            !login.is_login_redirect(),
            "{direction}: the admin cannot sign in"
        );
        target.log_out();

        // Search finds the same things, and new rows get ids of their own.
        target.settle_search();
        for (q, expected) in queries.iter().zip(&found) {
            assert_eq!(&hits(&mut target, q).await, expected, "{direction}: {q}");
        }
        let newcomer = target.create_user("neu@example.org", "Neu");
        assert!(newcomer.id > owner.id, "{direction}");
        let verified = target.with_conn(|c| innolab::domain::audit::verify(c).unwrap());
        assert_eq!(verified.first_broken, None, "{direction}");
    }
}

/// Flips one byte of the compressed data halfway through the file.
fn damage(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(file, bytes).unwrap();
}

#[actix_web::test]
async fn a_damaged_backup_or_a_filled_database_is_refused_and_nothing_changes() {
    let source = TestApp::new().await;
    source.with_conn(|c| innolab::seed::apply(c).unwrap());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("b.backup");
    let file_arg = file.to_str().unwrap();
    let cfg = &source.state.config;
    let out = innolab(
        &cfg.database_url,
        &cfg.data_dir,
        &["backup", "--to", file_arg],
    );
    assert!(out.status.success(), "{}", text(&out));

    // An existing file is never overwritten.
    let again = innolab(
        &cfg.database_url,
        &cfg.data_dir,
        &["backup", "--to", file_arg],
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("exists already"), "{}", text(&again));

    // Into the database it came from: refused by name, and nothing added.
    let rows_before = rows_of(&source);
    let into_self = innolab(
        &cfg.database_url,
        &cfg.data_dir,
        &["restore", "--from", file_arg],
    );
    assert!(!into_self.status.success());
    assert!(
        text(&into_self).contains("needs an empty database"),
        "{}",
        text(&into_self)
    );
    assert_eq!(rows_of(&source), rows_before);

    // Damaged: the restore stops and the target stays without rows.
    let copy = folder.path().join("damaged.backup");
    std::fs::copy(&file, &copy).unwrap();
    damage(&copy);
    let target = TestDatabase::new();
    let (url, dir) = (target.url.clone(), target.data_dir.clone());
    let out = innolab(&url, &dir, &["restore", "--from", copy.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("damaged"), "{}", text(&out));
    let target = TestApp::builder().database(target).build().await;
    let filled: Vec<String> = rows_of(&target)
        .into_iter()
        .filter(|(t, rows)| {
            !rows.is_empty() && !matches!(t.as_str(), "topics" | "challenge_status_counts")
        })
        .map(|(t, _)| t)
        .collect();
    assert!(
        filled.is_empty(),
        "a failed restore left rows in {filled:?}"
    );

    // Not a backup at all.
    let other = folder.path().join("notes.txt");
    std::fs::write(&other, "Einkaufsliste").unwrap();
    let out = innolab(&url, &dir, &["restore", "--from", other.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not an Innolab backup"),
        "{}",
        text(&out)
    );
}

#[actix_web::test]
async fn a_backup_taken_during_writes_is_one_moment_of_the_database() {
    let source = TestApp::new().await;
    let pool = source.state.pool.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each account is written with its audit entry in one transaction, so in any one
    // moment there are as many accounts as entries that record them.
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut conn = innolab::db::checkout(&pool).unwrap();
                innolab::db::write_tx(&mut conn, |c| {
                    let valid = innolab::domain::accounts::ValidRegistration {
                        email: format!("u{n}@example.org"),
                        display_name: format!("U{n}"),
                        locale: innolab::i18n::Lang::De,
                    };
                    let user = innolab::domain::accounts::create_verified(c, &valid, "x", false)?;
                    innolab::domain::audit::append(
                        c,
                        innolab::domain::audit::Event::new(
                            None,
                            "user_created_cli",
                            "user",
                            Some(user.id),
                        ),
                    )
                })
                .unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("live.backup");
    let cfg = &source.state.config;
    let out = innolab(
        &cfg.database_url,
        &cfg.data_dir,
        &["backup", "--to", file.to_str().unwrap()],
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let header = innolab::backup::header_of(std::fs::File::open(&file).unwrap()).unwrap();
    let count = |t: &str| header.tables.iter().find(|(n, _)| n == t).unwrap().1;
    assert!(
        count("users") > 0,
        "the writer had written before the backup began"
    );
    assert!(written as u64 > count("users"), "and went on while it ran");
    assert_eq!(count("users"), count("audit_log"));
}
