//! Registration, verification, login, logout, password reset and change, settings.

use crate::support::{TestApp, PASSWORD};

const NEW_PASSWORD: &str = "Laterne-Kompass-Gurke-77";

#[actix_web::test]
async fn a_person_registers_verifies_by_mail_and_logs_in() {
    let mut app = TestApp::new().await;
    let r = app
        .post_form(
            "/register",
            &[
                ("email", "Erika@Example.org"),
                ("display_name", "Erika Mustermann"),
                ("password", PASSWORD),
                ("locale", "de"),
            ],
        )
        .await;
    r.assert_status(200).assert_contains("erika@example.org");

    let mail = app.last_mail_to("erika@example.org");
    assert!(
        mail.subject.contains("E-Mail-Adresse"),
        "German subject: {}",
        mail.subject
    );
    let verify_path = mail.path("/verify?token=");

    // The mailed link only shows a confirmation form; GET changes nothing.
    app.get(&verify_path)
        .await
        .assert_status(200)
        .assert_contains("name=\"token\"");
    let user = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "erika@example.org")
            .unwrap()
            .unwrap()
    });
    assert!(!user.is_verified());

    let token = mail.token("/verify");
    let r = app.post_form("/verify", &[("token", &token)]).await;
    assert_eq!(r.status, 303);
    let user = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "erika@example.org")
            .unwrap()
            .unwrap()
    });
    assert!(user.is_verified());

    // The token is single-use.
    let again = app.post_form("/verify", &[("token", &token)]).await;
    again
        .assert_status(422)
        .assert_contains("bereits verwendet");

    let r = app.login("erika@example.org", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.get("/account")
        .await
        .assert_status(200)
        .assert_contains("Erika Mustermann");
}

#[actix_web::test]
async fn registration_refuses_bad_input_and_keeps_what_was_typed() {
    let mut app = TestApp::new().await;
    app.create_user("taken@example.org", "Taken");

    // A taken address is not refused: the answer would tell who has an account. The
    // page reads as for a new one, and the owner gets a notice.
    let r = app
        .post_form(
            "/register",
            &[
                ("email", "taken@example.org"),
                ("display_name", "Zweite Person"),
                ("password", PASSWORD),
            ],
        )
        .await;
    r.assert_status(200).assert_contains("Fast geschafft");
    assert!(
        !r.body.contains(PASSWORD),
        "the password is never echoed back"
    );
    assert!(app
        .last_mail_to("taken@example.org")
        .subject
        .contains("bereits ein Innolab-Konto"));

    let r = app
        .post_form(
            "/register",
            &[
                ("email", "no-at-sign"),
                ("display_name", ""),
                ("password", "passwort1234"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("gültige E-Mail-Adresse")
        .assert_contains("Bitte füllen Sie dieses Feld aus")
        .assert_contains("value=\"no-at-sign\"")
        .assert_contains("aria-invalid=\"true\"");

    for weak in ["kurz", "password1234", "qwertyuiop1234", "Zweite Person1"] {
        let r = app
            .post_form(
                "/register",
                &[
                    ("email", "neu@example.org"),
                    ("display_name", "Zweite Person"),
                    ("password", weak),
                ],
            )
            .await;
        r.assert_status(422)
            .assert_contains("href=\"#field-password\"");
    }
    assert!(
        app.outbox()
            .iter()
            .all(|m| !m.to.contains("neu@example.org")),
        "no mail for refused registrations"
    );
}

#[actix_web::test]
async fn verification_links_expire_and_unknown_tokens_are_refused() {
    let mut app = TestApp::new().await;
    app.post_form(
        "/register",
        &[
            ("email", "late@example.org"),
            ("display_name", "Spät"),
            ("password", PASSWORD),
        ],
    )
    .await
    .assert_status(200);
    let token = app.last_mail_to("late@example.org").token("/verify");
    app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::email_tokens;
        diesel::update(email_tokens::table)
            .set(email_tokens::expires_at.eq(innolab::db::now() - chrono::Duration::minutes(1)))
            .execute(c)
            .unwrap();
    });
    app.post_form("/verify", &[("token", &token)])
        .await
        .assert_status(422)
        .assert_contains("abgelaufen");
    app.get(&format!("/verify?token={token}"))
        .await
        .assert_status(422)
        .assert_not_contains("name=\"token\"");
    app.post_form("/verify", &[("token", "made-up")])
        .await
        .assert_status(422)
        .assert_contains("ungültig");
}

#[actix_web::test]
async fn wrong_passwords_fail_without_telling_which_part_was_wrong() {
    let mut app = TestApp::new().await;
    app.create_user("anna@example.org", "Anna");
    let wrong = app.login("anna@example.org", "Falsches-Passwort-99").await;
    wrong
        .assert_status(422)
        .assert_contains("E-Mail-Adresse oder Passwort")
        .assert_contains("value=\"anna@example.org\"");
    let unknown = app.login("nobody@example.org", PASSWORD).await;
    unknown
        .assert_status(422)
        .assert_contains("E-Mail-Adresse oder Passwort");
    assert!(!app.cookies.contains_key("innolab_session"));
}

#[actix_web::test]
async fn login_is_throttled_per_account_and_per_address() {
    let mut app = TestApp::new().await;
    app.create_user("bert@example.org", "Bert");
    for _ in 0..5 {
        app.login("bert@example.org", "Falsches-Passwort-99")
            .await
            .assert_status(422);
    }
    let r = app.login("bert@example.org", PASSWORD).await;
    r.assert_status(429).assert_contains("15 Minuten");
    // From another address the account is still throttled...
    app.peer = "203.0.113.9:5000".into();
    app.login("bert@example.org", PASSWORD)
        .await
        .assert_status(429);
    // ...and the API answers 429 with Retry-After in the API format.
    let r = app
        .api(
            actix_web::http::Method::POST,
            "/api/v1/auth/tokens",
            Some(
                serde_json::json!({"email": "bert@example.org", "password": PASSWORD, "name": "x"}),
            ),
            None,
        )
        .await;
    r.assert_status(429);
    assert_eq!(r.json()["error"], "too_many_requests");
    assert!(r.header("retry-after").is_some());

    // One address trying many accounts is throttled too.
    app.peer = "192.0.2.50:5000".into();
    for i in 0..20 {
        app.login(&format!("guess{i}@example.org"), "Falsches-Passwort-99")
            .await
            .assert_status(422);
    }
    app.create_user("carla@example.org", "Carla");
    app.login("carla@example.org", PASSWORD)
        .await
        .assert_status(429);
}

#[actix_web::test]
async fn login_gives_a_new_session_id_and_logout_ends_it() {
    let mut app = TestApp::new().await;
    app.create_user("dora@example.org", "Dora");
    app.cookies
        .insert("innolab_session".into(), "planted-by-an-attacker".into());
    app.login("dora@example.org", PASSWORD)
        .await
        .assert_status(303);
    let session = app.cookies.get("innolab_session").cloned().unwrap();
    assert_ne!(session, "planted-by-an-attacker");

    let r = app.post_form("/logout", &[]).await;
    assert_eq!(r.status, 303);
    assert!(!app.cookies.contains_key("innolab_session"));
    // The old cookie no longer works, even if someone kept it.
    app.cookies.insert("innolab_session".into(), session);
    assert!(app.get("/account").await.is_login_redirect());
}

#[actix_web::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    use diesel::prelude::*;
    use innolab::db::schema::sessions;
    let mut app = TestApp::new().await;
    let u = app.create_user("emil@example.org", "Emil");
    app.log_in_as(&u);
    app.get("/account").await.assert_status(200);

    let idle = app.state.config.session_idle_minutes;
    app.with_conn(|c| {
        diesel::update(sessions::table)
            .set(
                sessions::last_seen_at.eq(innolab::db::now() - chrono::Duration::minutes(idle + 1)),
            )
            .execute(c)
            .unwrap()
    });
    assert!(
        app.get("/account").await.is_login_redirect(),
        "idle session ended"
    );

    app.log_in_as(&u);
    app.with_conn(|c| {
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(innolab::db::now() - chrono::Duration::seconds(1)))
            .execute(c)
            .unwrap()
    });
    assert!(
        app.get("/account").await.is_login_redirect(),
        "session past its absolute limit ended"
    );
}

#[actix_web::test]
async fn password_reset_by_single_use_token_with_a_notice_mail() {
    let mut app = TestApp::new().await;
    app.create_user("frida@example.org", "Frida");

    app.post_form("/password/forgot", &[("email", "frida@example.org")])
        .await
        .assert_status(200);
    // Unknown addresses get the same answer and no mail.
    app.post_form("/password/forgot", &[("email", "unknown@example.org")])
        .await
        .assert_status(200);
    assert!(app.outbox().iter().all(|m| !m.to.contains("unknown@")));

    let mail = app.last_mail_to("frida@example.org");
    let token = mail.token("/password/reset");
    app.get(&mail.path("/password/reset"))
        .await
        .assert_status(200)
        .assert_contains("name=\"token\"");

    // A weak new password keeps the form (and the token) for another try.
    app.post_form(
        "/password/reset",
        &[("token", &token), ("password", "kurz")],
    )
    .await
    .assert_status(422)
    .assert_contains(&format!("value=\"{token}\""));

    let r = app
        .post_form(
            "/password/reset",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app
        .last_mail_to("frida@example.org")
        .subject
        .contains("geändert"));
    app.post_form(
        "/password/reset",
        &[("token", &token), ("password", "Noch-Ein-Neues-Wort-55")],
    )
    .await
    .assert_status(422)
    .assert_contains("bereits verwendet");

    app.login("frida@example.org", PASSWORD)
        .await
        .assert_status(422);
    app.login("frida@example.org", NEW_PASSWORD)
        .await
        .assert_status(303);
}

#[actix_web::test]
async fn reset_tokens_expire() {
    let mut app = TestApp::new().await;
    app.create_user("gabi@example.org", "Gabi");
    app.post_form("/password/forgot", &[("email", "gabi@example.org")])
        .await;
    let token = app
        .last_mail_to("gabi@example.org")
        .token("/password/reset");
    app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::email_tokens;
        diesel::update(email_tokens::table)
            .set(email_tokens::expires_at.eq(innolab::db::now() - chrono::Duration::seconds(1)))
            .execute(c)
            .unwrap();
    });
    app.post_form(
        "/password/reset",
        &[("token", &token), ("password", NEW_PASSWORD)],
    )
    .await
    .assert_status(422)
    .assert_contains("abgelaufen");
}

#[actix_web::test]
async fn a_reset_ends_every_session() {
    let mut app = TestApp::new().await;
    let u = app.create_user("hans@example.org", "Hans");
    app.log_in_as(&u);
    let stolen = app.cookies.get("innolab_session").cloned().unwrap();
    app.log_out();
    app.post_form("/password/forgot", &[("email", "hans@example.org")])
        .await;
    let token = app
        .last_mail_to("hans@example.org")
        .token("/password/reset");
    app.post_form(
        "/password/reset",
        &[("token", &token), ("password", NEW_PASSWORD)],
    )
    .await
    .assert_status(303);
    app.log_out();
    app.cookies.insert("innolab_session".into(), stolen);
    assert!(app.get("/account").await.is_login_redirect());
}

#[actix_web::test]
async fn changing_the_password_ends_the_other_sessions_only() {
    let mut app = TestApp::new().await;
    let u = app.create_user("ida@example.org", "Ida");
    app.log_in_as(&u);
    let other_device = app.cookies.get("innolab_session").cloned().unwrap();
    app.log_in_as(&u);
    let this_device = app.cookies.get("innolab_session").cloned().unwrap();

    app.post_form(
        "/account/password",
        &[
            ("current_password", "Falsch-Falsch-Falsch-1"),
            ("new_password", NEW_PASSWORD),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("aktuelle Passwort stimmt nicht");
    app.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "ida@example.org"),
        ],
    )
    .await
    .assert_status(422);

    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.get("/account").await.assert_status(200);
    assert_eq!(app.cookies.get("innolab_session"), Some(&this_device));
    assert!(app
        .last_mail_to("ida@example.org")
        .subject
        .contains("geändert"));

    app.cookies.insert("innolab_session".into(), other_device);
    assert!(app.get("/account").await.is_login_redirect());
}

#[actix_web::test]
async fn settings_change_name_and_language_and_list_sessions_with_revoke() {
    let mut app = TestApp::new().await;
    let u = app.create_user("jan@example.org", "Jan");
    app.log_in_as(&u);
    let first = app.cookies.get("innolab_session").cloned().unwrap();
    app.log_in_as(&u);

    app.post_form(
        "/account/profile",
        &[("display_name", ""), ("locale", "de")],
    )
    .await
    .assert_status(422)
    .assert_contains("Bitte füllen Sie dieses Feld aus");
    app.post_form(
        "/account/profile",
        &[("display_name", "Jan Janssen"), ("locale", "en")],
    )
    .await
    .assert_status(303);
    let page = app.get("/account").await;
    page.assert_status(200)
        .assert_contains("Jan Janssen")
        .assert_contains("lang=\"en\"")
        .assert_contains("My account");

    // Two sessions are listed; ending the other one logs that device out.
    let other_id = app.with_conn(|c| {
        innolab::domain::accounts::sessions::list(c, u.id)
            .unwrap()
            .into_iter()
            .find(|s| s.token_hash == innolab::auth::secrets::token_hash(&first))
            .unwrap()
            .id
    });
    assert!(page.body.matches("/account/sessions/").count() >= 2);
    app.post_form(&format!("/account/sessions/{other_id}/revoke"), &[])
        .await
        .assert_status(303);
    app.get("/account").await.assert_status(200);
    let mut other = app.cookies.clone();
    other.insert("innolab_session".into(), first);
    app.cookies = other;
    assert!(app.get("/account").await.is_login_redirect());
}

#[actix_web::test]
async fn someone_elses_session_cannot_be_revoked() {
    let mut app = TestApp::new().await;
    let a = app.create_user("kai@example.org", "Kai");
    let b = app.create_user("lea@example.org", "Lea");
    app.log_in_as(&b);
    let b_session =
        app.with_conn(|c| innolab::domain::accounts::sessions::list(c, b.id).unwrap()[0].id);
    app.log_in_as(&a);
    app.post_form(&format!("/account/sessions/{b_session}/revoke"), &[])
        .await
        .assert_status(404);
    assert_eq!(
        app.with_conn(|c| innolab::domain::accounts::sessions::list(c, b.id)
            .unwrap()
            .len()),
        1
    );
}

#[actix_web::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let mut app = TestApp::new().await;
    let u = app.create_user("mia@example.org", "Mia");
    app.log_in_as(&u);
    app.post_form("/account/tokens", &[("name", "")])
        .await
        .assert_status(422);
    let r = app
        .post_form("/account/tokens", &[("name", "DMS-Anbindung")])
        .await;
    r.assert_status(200).assert_contains("DMS-Anbindung");
    let token = r
        .body
        .split("class=\"token-box\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(token.starts_with("il_"));
    // Stored only as a hash.
    let stored: Vec<String> = app.with_conn(|c| {
        use diesel::prelude::*;
        innolab::db::schema::api_tokens::table
            .select(innolab::db::schema::api_tokens::token_hash)
            .load(c)
            .unwrap()
    });
    assert_eq!(stored, vec![innolab::auth::secrets::token_hash(&token)]);
    // Not shown again.
    app.get("/account").await.assert_not_contains(&token);

    let me = app
        .api(
            actix_web::http::Method::GET,
            "/api/v1/me",
            None,
            Some(&token),
        )
        .await;
    me.assert_status(200);
    assert_eq!(me.json()["email"], "mia@example.org");

    let id = app.with_conn(|c| innolab::domain::accounts::api_tokens::list(c, u.id).unwrap()[0].id);
    app.post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await
        .assert_status(303);
    app.log_out();
    app.api(
        actix_web::http::Method::GET,
        "/api/v1/me",
        None,
        Some(&token),
    )
    .await
    .assert_status(401);
}

#[actix_web::test]
async fn the_language_follows_the_switch_the_cookie_and_accept_language() {
    let mut app = TestApp::new().await;
    app.get("/")
        .await
        .assert_contains("lang=\"de\"")
        .assert_contains("Startseite");
    let r = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/")
                .insert_header(("Accept-Language", "en-GB,en;q=0.9")),
        )
        .await;
    r.assert_contains("lang=\"en\"").assert_contains("Home");
    app.post_form("/language", &[("lang", "en"), ("back", "/organisations")])
        .await
        .assert_status(303);
    app.get("/").await.assert_contains("lang=\"en\"");
    app.post_form(
        "/language",
        &[("lang", "de"), ("back", "https://evil.example/")],
    )
    .await
    .location()
    .eq("/")
    .then_some(())
    .expect("foreign back links go home");
    app.get("/").await.assert_contains("lang=\"de\"");
}

#[actix_web::test]
async fn resending_the_verification_mail_works_for_unverified_accounts() {
    let mut app = TestApp::new().await;
    let u = app.create_user_with("nora@example.org", "Nora", false, false);
    app.log_in_as(&u);
    app.get("/account")
        .await
        .assert_contains("noch nicht bestätigt");
    app.post_form("/account/verification", &[])
        .await
        .assert_status(303);
    let token = app.last_mail_to("nora@example.org").token("/verify");
    app.post_form("/verify", &[("token", &token)])
        .await
        .assert_status(303);
    app.get("/account")
        .await
        .assert_not_contains("noch nicht bestätigt");
}

#[actix_web::test]
async fn a_hash_with_old_parameters_is_replaced_at_login() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    use diesel::prelude::*;
    use innolab::db::schema::users;
    let mut app = TestApp::new().await;
    let u = app.create_user("old@example.org", "Old Hash");
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    app.with_conn(|c| {
        diesel::update(users::table.find(u.id))
            .set(users::password_hash.eq(&weak))
            .execute(c)
            .unwrap()
    });
    app.login("old@example.org", PASSWORD)
        .await
        .assert_status(303);
    let stored: String = app.with_conn(|c| {
        users::table
            .find(u.id)
            .select(users::password_hash)
            .first(c)
            .unwrap()
    });
    assert_ne!(stored, weak);
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    app.log_out();
    app.login("old@example.org", PASSWORD)
        .await
        .assert_status(303);
}

#[actix_web::test]
async fn a_password_change_revokes_api_tokens_and_a_new_login_ends_the_old_session() {
    let mut app = TestApp::new().await;
    let u = app.create_user("tok@example.org", "Tok");
    let (_, token) = app
        .with_conn(|c| innolab::domain::accounts::api_tokens::create(c, u.id, "script").unwrap());
    app.log_in_as(&u);
    let old = app.cookies.get("innolab_session").cloned().unwrap();
    app.login("tok@example.org", PASSWORD)
        .await
        .assert_status(303);
    assert_ne!(app.cookies.get("innolab_session"), Some(&old));
    assert_eq!(
        app.with_conn(|c| innolab::domain::accounts::sessions::list(c, u.id)
            .unwrap()
            .len()),
        1,
        "the session logged in over is gone"
    );

    app.post_form(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
    )
    .await
    .assert_status(303);
    app.api(
        actix_web::http::Method::GET,
        "/api/v1/me",
        None,
        Some(&token),
    )
    .await
    .assert_status(401);
}

#[actix_web::test]
async fn admins_find_users_by_any_case_of_their_name() {
    let mut app = TestApp::new().await;
    let admin = app.create_user_with("search-admin@example.org", "Admin", true, true);
    app.create_user("erika@example.org", "Erika Mustermann");
    app.log_in_as(&admin);
    app.get("/admin/users?q=MUSTER")
        .await
        .assert_status(200)
        .assert_contains("erika@example.org");
    app.get("/admin/users?q=zzz")
        .await
        .assert_not_contains("erika@example.org");
}
