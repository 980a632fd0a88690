//! Data-protection rights: a person downloads everything stored about them and erases
//! their account; old client addresses go after the retention period. The hash chain of
//! the audit log verifies through all of it.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::json;

use innolab::db::schema::{audit_log, sessions, users};
use innolab::domain::accounts::personal_data::{self, ERASED_NAME};
use innolab::domain::audit;
use innolab::kinds::{OrgKind, Role};

use crate::support::{TestApp, PASSWORD};

#[actix_web::test]
async fn a_person_downloads_everything_stored_about_them_without_any_secret() {
    let mut app = TestApp::new().await;
    let erika = app.create_user("erika@example.org", "Erika Export");
    let agency_owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&agency_owner, "Stadt Nordheim", OrgKind::Agency, true);
    let team = app.create_org(&erika, "Team Export", OrgKind::Startup, false);
    let challenge = app.create_challenge(&agency, &agency_owner, "Akten digital", "open", 20);
    let proposal = app.create_proposal(&challenge, &team, &erika, "submitted");
    app.post_messages(&proposal, &erika, 2);
    app.login("erika@example.org", PASSWORD)
        .await
        .assert_status(303);
    let token = {
        app.log_out();
        app.bearer_of(&erika).await
    };

    app.api(Method::GET, "/api/v1/me/export", None, None)
        .await
        .assert_status(401);
    let r = app
        .api(Method::GET, "/api/v1/me/export", None, Some(&token))
        .await;
    r.assert_status(200);
    assert!(r
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let e = r.json();
    assert_eq!(e["account"]["email"], "erika@example.org");
    assert_eq!(e["account"]["display_name"], "Erika Export");
    assert_eq!(e["memberships"]["items"][0]["organisation"], "Team Export");
    assert_eq!(e["memberships"]["items"][0]["role"], "owner");
    assert_eq!(e["proposals_started"]["items"][0]["id"], proposal.id);
    assert_eq!(e["messages"]["count"], 2);
    assert_eq!(e["messages"]["items"][1]["body"], "Wortmeldung 01");
    assert_eq!(e["api_tokens"]["items"][0]["name"], "test");
    assert_eq!(e["sessions"]["count"], 1, "the sign-in above");
    let audited: Vec<&str> = e["audit_entries"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(audited.contains(&"login_succeeded"), "{audited:?}");
    assert!(audited.contains(&"personal_data_exported"), "{audited:?}");
    // The sign-in and the token's request.
    assert_eq!(e["sign_in_attempts"]["count"], 2);
    // No secret leaves: neither the password hash nor any token's hash.
    let stored_hash = app.with_conn(|c| {
        innolab::domain::accounts::find(c, erika.id)
            .unwrap()
            .password_hash
    });
    assert!(!r.body.contains(&stored_hash));
    assert!(!r.body.contains("$argon2"));
    assert!(!r.body.contains("token_hash"));

    // The account page offers the same download.
    app.log_in_as(&erika);
    let page = app.get("/account").await;
    page.assert_contains("href=\"/account/export\"")
        .assert_contains("action=\"/account/delete\"");
    let r = app.get("/account/export").await;
    r.assert_status(200);
    assert_eq!(r.json()["account"]["email"], "erika@example.org");
}

#[actix_web::test]
async fn an_erased_account_leaves_no_name_or_address_and_its_organisations_keep_their_work() {
    let mut app = TestApp::new().await;
    let erika = app.create_user("erika@example.org", "Erika Eraser");
    let kollege = app.create_user("kollege@example.org", "Kollege");
    let agency_owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&agency_owner, "Stadt Nordheim", OrgKind::Agency, true);
    let team = app.create_org(&erika, "Team Bleibt", OrgKind::Startup, false);
    app.add_member(&team, &kollege, Role::Member);
    let challenge = app.create_challenge(&agency, &agency_owner, "Akten digital", "open", 20);
    let proposal = app.create_proposal(&challenge, &team, &erika, "submitted");
    app.post_messages(&proposal, &erika, 1);
    app.login("erika@example.org", PASSWORD)
        .await
        .assert_status(303);
    app.log_out();
    let token = app.bearer_of(&erika).await;

    // The password again, and not while the team would be left without an owner.
    let erase = |password: &str| json!({ "password": password });
    for (password, status) in [("falsch", 422), (PASSWORD, 409)] {
        let r = app
            .api(
                Method::DELETE,
                "/api/v1/me",
                Some(erase(password)),
                Some(&token),
            )
            .await;
        r.assert_status(status);
        if status == 422 {
            assert!(r.json()["fields"]["password"].is_string());
        }
    }
    app.with_conn(|c| {
        innolab::domain::organisations::set_role(c, team.id, kollege.id, "owner").unwrap()
    });
    // The page form wants the confirmation too, and keeps the person on the page.
    app.log_in_as(&erika);
    let r = app
        .post_form("/account/delete", &[("password", PASSWORD)])
        .await;
    r.assert_status(422)
        .assert_contains("href=\"#field-confirm\"");
    app.log_out();

    let r = app
        .api(
            Method::DELETE,
            "/api/v1/me",
            Some(erase(PASSWORD)),
            Some(&token),
        )
        .await;
    r.assert_status(204);

    // Tokens and sessions end; the old password opens nothing.
    app.api(Method::GET, "/api/v1/me", None, Some(&token))
        .await
        .assert_status(401);
    app.login("erika@example.org", PASSWORD)
        .await
        .assert_status(422);
    let live_sessions: i64 = app.with_conn(|c| {
        sessions::table
            .filter(sessions::user_id.eq(erika.id))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(live_sessions, 0);

    // The team's proposal and thread stay, without her name or address.
    app.log_in_as(&kollege);
    let page = app.get(&format!("/proposals/{}", proposal.id)).await;
    page.assert_status(200)
        .assert_contains("Wortmeldung 00")
        .assert_not_contains("Erika Eraser")
        .assert_not_contains("erika@example.org");
    app.get(&format!("/organisations/{}/members", team.slug))
        .await
        .assert_not_contains("Erika Eraser");
    let (email, name): (String, String) = app.with_conn(|c| {
        users::table
            .find(erika.id)
            .select((users::email, users::display_name))
            .first(c)
            .unwrap()
    });
    assert_eq!(name, ERASED_NAME);
    assert!(!email.contains("erika"), "{email}");

    // The audit entries about her keep the facts, not her address or what she typed,
    // and the chain still verifies.
    let personal: Vec<(String, String)> = app.with_conn(|c| {
        audit_log::table
            .filter(audit_log::actor_user_id.eq(erika.id))
            .select((audit_log::ip, audit_log::personal))
            .load(c)
            .unwrap()
    });
    assert!(personal.len() >= 3, "{personal:?}");
    for (ip, p) in &personal {
        assert_eq!((ip.as_str(), p.as_str()), ("", "{}"));
    }
    let v = app.with_conn(|c| audit::verify(c).unwrap());
    assert_eq!(v.first_broken, None);

    // The address can register anew.
    app.log_out();
    let r = app
        .api(
            Method::POST,
            "/api/v1/auth/register",
            Some(json!({ "email": "erika@example.org", "password": "Neuer-Anfang-Sonnenblume-7", "display_name": "Erika" })),
            None,
        )
        .await;
    r.assert_status(201);
    let again = app
        .with_conn(|c| innolab::domain::accounts::find_by_email(c, "erika@example.org").unwrap());
    assert!(again.is_some_and(|u| u.id != erika.id));
}

#[actix_web::test]
async fn client_addresses_go_after_the_retention_period_and_the_chain_still_verifies() {
    let mut app = TestApp::new().await;
    app.create_user("alt@example.org", "Alt");
    app.login("alt@example.org", PASSWORD)
        .await
        .assert_status(303);
    let now = innolab::db::now();
    // Nothing is old enough yet.
    let none = app.with_conn(|c| {
        personal_data::forget_addresses(c, now - chrono::Duration::days(90)).unwrap()
    });
    assert_eq!(none, personal_data::Forgotten::default());
    // A cutoff after everything written: all of it counts as old.
    let gone = app.with_conn(|c| {
        personal_data::forget_addresses(c, now + chrono::Duration::days(1)).unwrap()
    });
    assert_eq!(gone.sessions, 1);
    assert_eq!(gone.sign_in_attempts, 1);
    assert!(gone.audit_entries >= 1);
    let addresses: Vec<String> =
        app.with_conn(|c| audit_log::table.select(audit_log::ip).load(c).unwrap());
    assert!(addresses.iter().all(String::is_empty), "{addresses:?}");
    let v = app.with_conn(|c| audit::verify(c).unwrap());
    assert_eq!(v.first_broken, None);
    assert!(v.checked >= 1);
}
