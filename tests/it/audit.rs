//! The audit log records what matters and detects tampering.

use diesel::prelude::*;
use innolab::db::schema::audit_log;
use innolab::domain::audit;

use crate::support::{TestApp, PASSWORD};

fn actions(app: &TestApp) -> Vec<String> {
    app.with_conn(|c| {
        audit_log::table
            .order(audit_log::id.asc())
            .select(audit_log::action)
            .load(c)
            .unwrap()
    })
}

#[actix_web::test]
async fn logins_denials_memberships_and_verifications_are_recorded() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("audit@example.org", "Audit");
    let admin = app.create_user_with("adm@example.org", "Adm", true, true);
    app.login("audit@example.org", "Falsch-Falsch-Falsch-1")
        .await;
    app.login("audit@example.org", PASSWORD).await;
    app.post_form("/organisations", &[("name", "Prüfamt"), ("kind", "agency")])
        .await;
    let org =
        app.with_conn(|c| innolab::domain::organisations::find_by_slug(c, "pruefamt").unwrap());
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "adm@example.org"), ("role", "member")],
    )
    .await;
    let invitation: i64 = app.with_conn(|c| {
        innolab::db::schema::invitations::table
            .select(innolab::db::schema::invitations::id)
            .first(c)
            .unwrap()
    });
    app.log_in_as(&admin);
    app.post_form(&format!("/invitations/{invitation}/accept"), &[])
        .await;
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members/{}/role", org.slug, admin.id),
        &[("role", "owner")],
    )
    .await;
    app.post_form(&format!("/admin/organisations/{}/verify", org.id), &[])
        .await
        .assert_status(403);
    app.log_in_as(&admin);
    app.post_form(&format!("/admin/organisations/{}/verify", org.id), &[])
        .await;

    let got = actions(&app);
    for expected in [
        "login_failed",
        "login_succeeded",
        "organisation_created",
        "member_invited",
        "invitation_accepted",
        "member_role_changed",
        "access_denied",
        "organisation_verified",
    ] {
        assert!(
            got.iter().any(|a| a == expected),
            "{expected} missing in {got:?}"
        );
    }
    let denial: String = app.with_conn(|c| {
        audit_log::table
            .filter(audit_log::action.eq("access_denied"))
            .select(audit_log::details)
            .first(c)
            .unwrap()
    });
    assert!(denial.contains("verify_organisation"));
    let _ = owner;

    let v = app.with_conn(|c| audit::verify(c).unwrap());
    assert_eq!(v.first_broken, None);
    assert_eq!(v.checked as usize, got.len());
    app.get("/admin/audit")
        .await
        .assert_status(200)
        .assert_contains("organisation_verified");
}

#[actix_web::test]
async fn the_log_refuses_changes_and_verify_finds_a_forged_entry() {
    let app = TestApp::new().await;
    app.with_conn(|c| {
        for i in 0..3 {
            innolab::db::write_tx(c, |c| {
                audit::append(c, audit::Event::new(Some(i), "test_event", "user", Some(i)))
            })
            .unwrap();
        }
    });
    // The database refuses updates and deletes.
    let update = app.with_conn(|c| {
        diesel::update(audit_log::table)
            .set(audit_log::action.eq("forged"))
            .execute(c)
    });
    assert!(update.is_err(), "audit_log must be append-only");
    let delete = app.with_conn(|c| diesel::delete(audit_log::table).execute(c));
    assert!(delete.is_err());

    // Only the address and the personal part of an entry may be emptied, nothing else,
    // and not to another value.
    let erase = app.with_conn(|c| {
        diesel::update(audit_log::table)
            .set((audit_log::ip.eq(""), audit_log::personal.eq("{}")))
            .execute(c)
    });
    assert_eq!(erase.unwrap(), 3);
    let rewrite = app.with_conn(|c| {
        diesel::update(audit_log::table)
            .set(audit_log::ip.eq("203.0.113.9"))
            .execute(c)
    });
    assert!(rewrite.is_err(), "an address may be erased, not rewritten");
    let v = app.with_conn(|c| audit::verify(c).unwrap());
    assert_eq!((v.checked, v.first_broken), (3, None));

    // An entry slipped in by hand, without the right hash, is found.
    let forged_id = app.forge_audit_entry();
    let v = app.with_conn(|c| audit::verify(c).unwrap());
    assert_eq!(v.checked, 3);
    assert_eq!(v.first_broken, Some(forged_id));
}
