//! Uploaded files are kept where every instance on the database finds them, in chunks,
//! and move between the stores with one command.

use diesel::prelude::*;

use innolab::config::FileStorage;
use innolab::db::schema::{attachments, file_chunks};
use innolab::domain::files::{self, FileStore, CHUNK};
use innolab::kinds::OrgKind;

use crate::challenges_flow::{attachment_ids, upload};
use crate::s3_server::S3Server;
use crate::support::TestApp;

/// A PDF of `len` bytes that does not repeat within a chunk.
pub fn pdf_of(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 2_463_534_242;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xff) as u8);
    }
    bytes
}

fn storage_name(app: &TestApp, id: i64) -> String {
    app.with_conn(|c| {
        attachments::table
            .find(id)
            .select(attachments::storage_name)
            .first(c)
            .unwrap()
    })
}

#[actix_web::test]
async fn a_file_uploaded_through_one_instance_downloads_byte_for_byte_through_another() {
    let mut one = TestApp::new().await;
    let mut two = TestApp::builder().same_database_as(&one).build().await;
    assert_ne!(one.state.config.data_dir, two.state.config.data_dir);
    let owner = one.create_user("amt@example.org", "Amt");
    let agency = one.create_org(&owner, "Stadt Nordheim", OrgKind::Agency, true);
    let challenge = one.create_challenge(&agency, &owner, "Mit Plänen", "open", 20);
    let bytes = pdf_of(3 * CHUNK + 12_345);

    one.log_in_as(&owner);
    upload(
        &mut one,
        &format!("/challenges/{}/attachments", challenge.slug),
        "Lageplan.pdf",
        "application/pdf",
        &bytes,
    )
    .await
    .assert_status(303);
    let id = attachment_ids(&one, "challenge", challenge.id)[0];

    let r = two.get(&format!("/attachments/{id}")).await;
    r.assert_status(200);
    assert_eq!(r.bytes.len(), bytes.len());
    assert!(r.bytes == bytes, "the download differs from the upload");
    // Four chunks in the database, nothing in either instance's folder.
    let name = storage_name(&one, id);
    let chunks: i64 = one.with_conn(|c| {
        file_chunks::table
            .filter(file_chunks::storage_name.eq(&name))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(chunks, 4);
    for app in [&one, &two] {
        assert!(!app.state.config.upload_dir().exists());
    }

    // Deleted through the second instance, it is gone for both.
    two.log_in_as(&owner);
    let token = two.csrf_token().await;
    two.post_form_raw(
        &format!("/attachments/{id}/delete"),
        &[("csrf_token", token.as_str())],
    )
    .await;
    let left: i64 = one.with_conn(|c| {
        file_chunks::table
            .filter(file_chunks::storage_name.eq(&name))
            .count()
            .get_result(c)
            .unwrap()
    });
    let still_listed = attachment_ids(&one, "challenge", challenge.id).len();
    assert_eq!((left, still_listed), (0, 0));
}

#[actix_web::test]
async fn files_of_a_folder_store_move_into_the_database_once() {
    let mut app = TestApp::builder()
        .config(|c| c.file_storage = FileStorage::Folder)
        .build()
        .await;
    let owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&owner, "Stadt Südheim", OrgKind::Agency, true);
    let challenge = app.create_challenge(&agency, &owner, "Mit Akten", "open", 20);
    let bytes = pdf_of(CHUNK + 7);
    app.log_in_as(&owner);
    upload(
        &mut app,
        &format!("/challenges/{}/attachments", challenge.slug),
        "Akte.pdf",
        "application/pdf",
        &bytes,
    )
    .await
    .assert_status(303);
    let id = attachment_ids(&app, "challenge", challenge.id)[0];
    let folder = FileStore::Folder(app.state.config.upload_dir());
    assert!(app.state.config.upload_dir().exists());
    // Through the folder store, chunk by chunk.
    let r = app.get(&format!("/attachments/{id}")).await;
    assert!(r.bytes == bytes);

    let moved =
        app.with_conn(|c| files::move_all(c, &folder, &FileStore::Database, |_, _| {}).unwrap());
    assert_eq!((moved.moved, moved.present, moved.missing), (1, 0, 0));
    let name = storage_name(&app, id);
    let copied = app.with_conn(|c| FileStore::Database.read_all(c, &name).unwrap());
    assert!(copied == bytes);
    assert!(
        app.with_conn(|c| folder.chunk(c, &name, 0)).is_err(),
        "the folder's copy is removed"
    );
    let again =
        app.with_conn(|c| files::move_all(c, &folder, &FileStore::Database, |_, _| {}).unwrap());
    assert_eq!((again.moved, again.present), (0, 1));
    // An instance on the database store serves it.
    let mut db_instance = TestApp::builder().same_database_as(&app).build().await;
    let r = db_instance.get(&format!("/attachments/{id}")).await;
    r.assert_status(200);
    assert!(r.bytes == bytes);
}

fn chunks_in_database(app: &TestApp) -> i64 {
    app.with_conn(|c| file_chunks::table.count().get_result(c).unwrap())
}

#[actix_web::test]
async fn files_in_an_object_store_are_served_by_every_instance_and_move_there_by_command() {
    let s3 = S3Server::start();
    // An installation that kept its files in the database so far.
    let mut one = TestApp::new().await;
    let owner = one.create_user("amt@example.org", "Amt");
    let agency = one.create_org(&owner, "Stadt Westheim", OrgKind::Agency, true);
    let challenge = one.create_challenge(&agency, &owner, "Mit Karten", "open", 20);
    let path = format!("/challenges/{}/attachments", challenge.slug);
    let old = pdf_of(3 * CHUNK + 12_345);
    one.log_in_as(&owner);
    upload(&mut one, &path, "Karte.pdf", "application/pdf", &old)
        .await
        .assert_status(303);
    let old_id = attachment_ids(&one, "challenge", challenge.id)[0];
    assert_eq!(chunks_in_database(&one), 4);

    // The operator's command, configured in a file as the README says.
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("innolab.toml");
    std::fs::write(&config, s3.config_file()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_innolab"))
        .arg("--config")
        .arg(&config)
        .arg("--database-url")
        .arg(&one.state.config.database_url)
        .arg("--data-dir")
        .arg(&one.state.config.data_dir)
        .args(["files", "move", "--from", "database", "--to", "s3"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("1 moved"), "{said}");
    let old_name = storage_name(&one, old_id);
    assert!(
        s3.object(&format!("innolab/{old_name}")) == Some(old.clone()),
        "not in the bucket"
    );
    assert_eq!(
        chunks_in_database(&one),
        0,
        "the database's copy is removed"
    );

    // Two instances on the bucket and the database: each serves what the other stored.
    let mut two = TestApp::builder()
        .same_database_as(&one)
        .config(s3.store_in())
        .build()
        .await;
    let mut three = TestApp::builder()
        .same_database_as(&one)
        .config(s3.store_in())
        .build()
        .await;
    let r = two.get(&format!("/attachments/{old_id}")).await;
    r.assert_status(200);
    assert!(r.bytes == old, "the moved file differs");

    let new = pdf_of(CHUNK + 99);
    two.log_in_as(&owner);
    upload(&mut two, &path, "Plan.pdf", "application/pdf", &new)
        .await
        .assert_status(303);
    let new_id = attachment_ids(&two, "challenge", challenge.id)[1];
    let r = three.get(&format!("/attachments/{new_id}")).await;
    r.assert_status(200);
    assert!(r.bytes == new, "the download differs from the upload");
    let new_name = storage_name(&two, new_id);
    assert!(
        s3.object(&format!("innolab/{new_name}")) == Some(new),
        "not in the bucket"
    );
    assert_eq!(chunks_in_database(&two), 0);

    // Deleted through the third instance, the object is gone from the bucket.
    three.log_in_as(&owner);
    let token = three.csrf_token().await;
    three
        .post_form_raw(
            &format!("/attachments/{new_id}/delete"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert!(
        s3.object(&format!("innolab/{new_name}")).is_none(),
        "still in the bucket"
    );
    assert_eq!(two.get(&format!("/attachments/{new_id}")).await.status, 404);
}
