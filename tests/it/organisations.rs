//! Creating organisations, profiles, members, invitations, leaving, agency verification.

use innolab::domain::organisations;
use innolab::kinds::{OrgKind, Role};

use crate::support::TestApp;

#[actix_web::test]
async fn a_verified_user_creates_a_startup_and_becomes_its_owner() {
    let mut app = TestApp::new().await;
    let u = app.create_user("olga@example.org", "Olga");
    app.log_in_as(&u);
    app.get("/organisations/new")
        .await
        .assert_status(200)
        .assert_contains("name=\"kind\"");
    let r = app
        .post_form(
            "/organisations",
            &[
                ("name", "Formwerk GmbH"),
                ("kind", "startup"),
                ("website", "https://formwerk.example"),
                (
                    "description",
                    "Wir bauen **Formulare**.\n\n<script>alert(1)</script>",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/organisations/formwerk-gmbh");
    let page = app.get("/organisations/formwerk-gmbh").await;
    page.assert_status(200)
        .assert_contains("<strong>Formulare</strong>")
        .assert_not_contains("<script>alert(1)")
        .assert_contains("Inhaber/in");
    // Visitors see the public profile too.
    app.log_out();
    app.get("/organisations/formwerk-gmbh")
        .await
        .assert_status(200)
        .assert_contains("Formwerk GmbH")
        .assert_not_contains("/members");
}

#[actix_web::test]
async fn organisation_forms_refuse_bad_input_and_keep_it() {
    let mut app = TestApp::new().await;
    let u = app.create_user("paul@example.org", "Paul");
    app.log_in_as(&u);
    let r = app
        .post_form(
            "/organisations",
            &[
                ("name", ""),
                ("kind", "kraken"),
                ("website", "javascript:alert(1)"),
                ("description", "Beschreibung bleibt"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("href=\"#field-name\"")
        .assert_contains("Bitte wählen Sie die Art")
        .assert_contains("https://")
        .assert_contains("Beschreibung bleibt");
}

#[actix_web::test]
async fn unverified_accounts_cannot_create_organisations() {
    let mut app = TestApp::new().await;
    let u = app.create_user_with("quinn@example.org", "Quinn", false, false);
    app.log_in_as(&u);
    let r = app
        .post_form("/organisations", &[("name", "Neu"), ("kind", "startup")])
        .await;
    r.assert_status(409)
        .assert_contains("bestätigen Sie zuerst Ihre E-Mail-Adresse");
}

#[actix_web::test]
async fn slugs_stay_unique() {
    let mut app = TestApp::new().await;
    let u = app.create_user("rosa@example.org", "Rosa");
    app.log_in_as(&u);
    for _ in 0..2 {
        app.post_form(
            "/organisations",
            &[("name", "Bürger-Lab"), ("kind", "civil_society")],
        )
        .await
        .assert_status(303);
    }
    app.get("/organisations/buerger-lab")
        .await
        .assert_status(200);
    app.get("/organisations/buerger-lab-2")
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn existing_users_are_invited_and_join_only_when_they_accept() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("sara@example.org", "Sara");
    let mate = app.create_user("tom@example.org", "Tom");
    let org = app.create_org(&owner, "Datenwerk", OrgKind::Startup, false);
    app.log_in_as(&owner);
    let r = app
        .post_form(
            &format!("/organisations/{}/members", org.slug),
            &[("email", "Tom@Example.org"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = app.last_mail_to("tom@example.org");
    assert!(mail.body.contains("Datenwerk") && mail.body.contains("/invitations"));
    assert!(
        !mail.body.contains("/register"),
        "an account holder is not asked to register"
    );
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, mate.id).unwrap()),
        None,
        "not a member without consent"
    );
    // A second invitation while the first waits is refused with a message.
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "tom@example.org"), ("role", "member")],
    )
    .await
    .assert_status(422);
    // Tom accepts and is a member; inviting him again says so.
    let invitation: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        innolab::db::schema::invitations::table
            .select(innolab::db::schema::invitations::id)
            .first(c)
            .unwrap()
    });
    app.log_in_as(&mate);
    app.post_form(&format!("/invitations/{invitation}/accept"), &[])
        .await
        .assert_status(303);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, mate.id).unwrap()),
        Some(Role::Member)
    );
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "tom@example.org"), ("role", "member")],
    )
    .await
    .assert_status(422)
    .assert_contains("bereits Mitglied");
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "kaputt"), ("role", "member")],
    )
    .await
    .assert_status(422)
    .assert_contains("value=\"kaputt\"");
}

#[actix_web::test]
async fn a_new_address_gets_an_invitation_mail_and_accepts_after_registering() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("uwe@example.org", "Uwe");
    let org = app.create_org(&owner, "Klimabande", OrgKind::CivilSociety, false);
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "vera@example.org"), ("role", "owner")],
    )
    .await
    .assert_status(303);
    let invite = app.last_mail_to("vera@example.org");
    assert!(invite.body.contains("Klimabande") && invite.body.contains("/register"));

    app.log_out();
    app.post_form(
        "/register",
        &[
            ("email", "vera@example.org"),
            ("display_name", "Vera"),
            ("password", crate::support::PASSWORD),
        ],
    )
    .await
    .assert_status(200);
    let token = app.last_mail_to("vera@example.org").token("/verify");
    app.post_form("/verify", &[("token", &token)]).await;
    app.login("vera@example.org", crate::support::PASSWORD)
        .await
        .assert_status(303);
    app.get("/account")
        .await
        .assert_contains("Sie haben eine offene Einladung");
    let page = app.get("/invitations").await;
    page.assert_status(200).assert_contains("Klimabande");
    let id = page
        .body
        .split("/invitations/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .post_form(&format!("/invitations/{id}/accept"), &[])
        .await;
    assert_eq!(r.location(), format!("/organisations/{}", org.slug));
    let vera = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "vera@example.org")
            .unwrap()
            .unwrap()
    });
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, vera.id).unwrap()),
        Some(Role::Owner)
    );
    app.get("/invitations")
        .await
        .assert_not_contains("Klimabande");
}

#[actix_web::test]
async fn an_invitation_is_only_for_its_address() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("wim@example.org", "Wim");
    let org = app.create_org(&owner, "Offen", OrgKind::Research, false);
    let stranger = app.create_user("xaver@example.org", "Xaver");
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "yara@example.org"), ("role", "member")],
    )
    .await;
    let id = app.with_conn(|c| {
        use diesel::prelude::*;
        innolab::db::schema::invitations::table
            .select(innolab::db::schema::invitations::id)
            .first::<i64>(c)
            .unwrap()
    });
    app.log_in_as(&stranger);
    app.post_form(&format!("/invitations/{id}/accept"), &[])
        .await
        .assert_status(404);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, stranger.id).unwrap()),
        None
    );
}

#[actix_web::test]
async fn the_last_owner_cannot_leave_but_members_can() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("zoe@example.org", "Zoe");
    let member = app.create_user("adam@example.org", "Adam");
    let org = app.create_org(&owner, "Nachbarschaft", OrgKind::CivilSociety, false);
    app.add_member(&org, &member, Role::Member);

    app.log_in_as(&owner);
    app.post_form(&format!("/organisations/{}/leave", org.slug), &[])
        .await
        .assert_status(409)
        .assert_contains("letzte");
    // Demoting the last owner is refused too.
    app.post_form(
        &format!("/organisations/{}/members/{}/role", org.slug, owner.id),
        &[("role", "member")],
    )
    .await
    .assert_status(409);

    app.log_in_as(&member);
    app.post_form(&format!("/organisations/{}/leave", org.slug), &[])
        .await
        .assert_status(303);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, member.id).unwrap()),
        None
    );

    // After making someone else owner, the first owner may go.
    app.add_member(&org, &member, Role::Owner);
    app.log_in_as(&owner);
    app.post_form(&format!("/organisations/{}/leave", org.slug), &[])
        .await
        .assert_status(303);
}

#[actix_web::test]
async fn owners_remove_members_and_change_roles() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("berta@example.org", "Berta");
    let member = app.create_user("carl@example.org", "Carl");
    let org = app.create_org(&owner, "Quartier", OrgKind::Startup, false);
    app.add_member(&org, &member, Role::Member);
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members/{}/role", org.slug, member.id),
        &[("role", "owner")],
    )
    .await
    .assert_status(303);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, member.id).unwrap()),
        Some(Role::Owner)
    );
    app.post_form(
        &format!("/organisations/{}/members/{}/remove", org.slug, member.id),
        &[],
    )
    .await
    .assert_status(303);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, member.id).unwrap()),
        None
    );
    let page = app
        .get(&format!("/organisations/{}/members", org.slug))
        .await;
    page.assert_status(200)
        .assert_not_contains("carl@example.org");
}

#[actix_web::test]
async fn members_of_another_organisation_cannot_manage_this_one() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("dirk@example.org", "Dirk");
    let other = app.create_user("ella@example.org", "Ella");
    let org = app.create_org(&owner, "Eigen", OrgKind::Startup, false);
    app.create_org(&other, "Fremd", OrgKind::Startup, false);
    app.log_in_as(&other);
    app.get(&format!("/organisations/{}/edit", org.slug))
        .await
        .assert_status(403);
    app.post_form(
        &format!("/organisations/{}/edit", org.slug),
        &[("name", "Gekapert")],
    )
    .await
    .assert_status(403);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "ella@example.org"), ("role", "owner")],
    )
    .await
    .assert_status(403);
    app.get(&format!("/organisations/{}", org.slug))
        .await
        .assert_status(200)
        .assert_contains("Eigen");
}

#[actix_web::test]
async fn agencies_need_an_admin_to_verify_them() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("frank@example.org", "Frank");
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    app.log_in_as(&staff);
    app.post_form(
        "/organisations",
        &[("name", "Stadt Beispielheim"), ("kind", "agency")],
    )
    .await
    .assert_status(303);
    let org = app.with_conn(|c| organisations::find_by_slug(c, "stadt-beispielheim").unwrap());
    assert!(!org.is_verified());
    let facts = app.with_conn(|c| organisations::facts(c, &org, Some(staff.id)).unwrap());
    assert!(innolab::auth::policy::authorize(
        &innolab::auth::policy::Actor {
            user: Some(innolab::auth::policy::ActorUser {
                id: staff.id,
                is_admin: false,
                email_verified: true
            })
        },
        innolab::auth::policy::Action::PublishAsAgency(&facts)
    )
    .is_err());
    app.get("/organisations/stadt-beispielheim")
        .await
        .assert_contains("Prüfung ausstehend");

    // Staff cannot verify their own agency.
    app.post_form(&format!("/admin/organisations/{}/verify", org.id), &[])
        .await
        .assert_status(403);

    app.log_in_as(&admin);
    app.get("/admin/organisations")
        .await
        .assert_status(200)
        .assert_contains("Stadt Beispielheim");
    app.post_form(&format!("/admin/organisations/{}/verify", org.id), &[])
        .await
        .assert_status(303);
    assert!(app
        .with_conn(|c| organisations::find(c, org.id).unwrap())
        .is_verified());
    app.get("/admin/organisations")
        .await
        .assert_not_contains("Stadt Beispielheim");
    assert!(app
        .last_mail_to("frank@example.org")
        .subject
        .contains("geprüft"));
    app.get("/organisations/stadt-beispielheim")
        .await
        .assert_contains("Geprüft");
}

#[actix_web::test]
async fn the_directory_filters_by_kind_and_paginates() {
    let mut app = TestApp::new().await;
    let u = app.create_user("gert@example.org", "Gert");
    for i in 0..25 {
        app.create_org(&u, &format!("Startup {i:02}"), OrgKind::Startup, false);
    }
    app.create_org(&u, "Forschungsgruppe", OrgKind::Research, false);
    let page1 = app.get("/organisations?kind=startup").await;
    page1
        .assert_status(200)
        .assert_contains("25 Organisationen")
        .assert_contains("Startup 00")
        .assert_not_contains("Forschungsgruppe");
    assert!(page1.body.contains("rel=\"next\"") && page1.body.contains("page&#x3D;2"));
    let page2 = app.get("/organisations?kind=startup&page=2").await;
    page2
        .assert_contains("Startup 24")
        .assert_not_contains("Startup 00");
    app.get("/organisations?kind=research")
        .await
        .assert_contains("Forschungsgruppe");
    app.get("/organisations?page=abc").await.assert_status(400);
}

/// Organisations of the same name are ordered by their id, so that reading the directory
/// page by page shows each of them exactly once.
#[actix_web::test]
async fn organisations_of_the_same_name_each_appear_on_one_page() {
    use innolab::domain::pagination::Page;

    let app = TestApp::new().await;
    let u = app.create_user("gleich@example.org", "Gleich");
    let mut ids: Vec<i64> = (0..7)
        .map(|_| {
            app.create_org(&u, "Förderverein", OrgKind::CivilSociety, false)
                .id
        })
        .collect();
    ids.sort();
    let paged: Vec<i64> = (1..=4)
        .flat_map(|page| {
            app.with_conn(|conn| {
                organisations::list(conn, None, Page { page, per_page: 2 })
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|o| o.id)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    assert_eq!(paged, ids);
}

#[actix_web::test]
async fn an_unconfirmed_account_is_invited_not_added() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("own@example.org", "Own");
    let squatter = app.create_user_with("claimed@example.org", "Squatter", false, false);
    let org = app.create_org(&owner, "Amt Sicher", OrgKind::Agency, true);
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "claimed@example.org"), ("role", "owner")],
    )
    .await
    .assert_status(303);
    assert_eq!(
        app.with_conn(|c| organisations::role_of(c, org.id, squatter.id).unwrap()),
        None
    );
    // Unconfirmed, the account does not even see the invitation.
    app.log_in_as(&squatter);
    app.get("/invitations")
        .await
        .assert_not_contains("Amt Sicher");
}
