//! Topics kept by the platform admins: added, renamed, retired and brought back through the
//! pages and the API; a retired topic stays on the challenges that carry it and leaves the
//! filters and the choices of new challenges.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::json;

use innolab::db::schema::{audit_log, challenge_topics, search_outbox, topics};
use innolab::kinds::OrgKind;

use crate::support::TestApp;

fn count_audit(app: &TestApp, action: &str) -> i64 {
    app.with_conn(|c| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(c)
            .unwrap()
    })
}

fn rebuilds_asked(app: &TestApp) -> i64 {
    app.with_conn(|c| {
        search_outbox::table
            .filter(search_outbox::kind.eq("all"))
            .count()
            .get_result(c)
            .unwrap()
    })
}

#[actix_web::test]
async fn admins_add_and_rename_topics_and_bad_input_names_each_field() {
    let mut app = TestApp::new().await;
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    let staff = app.create_user("staff@example.org", "Staff");
    let token = app.bearer_of(&admin).await;
    let staff_token = app.bearer_of(&staff).await;

    let new_topic =
        json!({ "slug": "open-data", "name_de": "Offene Daten", "name_en": "Open data" });
    let mut created = None;
    for (bearer, status) in [(&staff_token, 403), (&token, 201)] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/topics",
                Some(new_topic.clone()),
                Some(bearer),
            )
            .await;
        r.assert_status(status);
        created = Some(r);
    }
    let r = created.unwrap();
    assert_eq!(
        r.json(),
        json!({ "slug": "open-data", "name_de": "Offene Daten", "name_en": "Open data", "retired": false })
    );
    // The same slug again, a malformed slug, a missing and an over-long name.
    let r = app
        .api(
            Method::POST,
            "/api/v1/topics",
            Some(new_topic),
            Some(&token),
        )
        .await;
    r.assert_status(422);
    assert!(r.json()["fields"]["slug"].is_string(), "{}", r.body);
    let r = app
        .api(
            Method::POST,
            "/api/v1/topics",
            Some(json!({ "slug": "Offene Daten!", "name_de": " ", "name_en": "x".repeat(81) })),
            Some(&token),
        )
        .await;
    r.assert_status(422);
    let fields = &r.json()["fields"];
    for f in ["slug", "name_de", "name_en"] {
        assert!(fields[f].is_string(), "{f} not named: {}", r.body);
    }

    // Anyone reads the list, the new topic included.
    let r = app.api(Method::GET, "/api/v1/topics", None, None).await;
    r.assert_status(200);
    assert!(r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "open-data"));

    // The page form: a bad slug comes back with what was typed and a summary naming it.
    app.log_in_as(&admin);
    let r = app
        .post_form(
            "/admin/topics",
            &[
                ("slug", "bau wesen"),
                ("name_de", "Bauwesen"),
                ("name_en", "Construction"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("href=\"#field-slug\"")
        .assert_contains("value=\"Bauwesen\"")
        .assert_contains("value=\"Construction\"");
    let r = app
        .post_form(
            "/admin/topics",
            &[
                ("slug", "bauwesen"),
                ("name_de", "Bauwesen"),
                ("name_en", "Construction"),
            ],
        )
        .await;
    r.assert_status(303);
    app.get("/admin/topics")
        .await
        .assert_status(200)
        .assert_contains("Bauwesen");

    // Saving the names unchanged writes nothing: no audit entry, no search rebuild.
    let (audits, rebuilds) = (count_audit(&app, "topic_renamed"), rebuilds_asked(&app));
    let page = app.get("/admin/topics/open-data").await;
    page.assert_status(200)
        .assert_contains("value=\"Offene Daten\"");
    app.resubmit("/admin/topics/open-data", "/admin/topics/open-data", &[])
        .await
        .assert_status(303);
    assert_eq!(count_audit(&app, "topic_renamed"), audits);
    assert_eq!(rebuilds_asked(&app), rebuilds);

    // A new name is audited and rebuilds the index (topic names are indexed with records).
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/topics/open-data",
            Some(json!({ "name_en": "Open government data" })),
            Some(&token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["name_de"], "Offene Daten");
    assert_eq!(r.json()["name_en"], "Open government data");
    assert_eq!(count_audit(&app, "topic_renamed"), audits + 1);
    assert!(rebuilds_asked(&app) > rebuilds);

    // A blank name on the page form is refused and the typed values come back.
    let r = app
        .post_form(
            "/admin/topics/open-data",
            &[("name_de", ""), ("name_en", "Open data")],
        )
        .await;
    r.assert_status(422)
        .assert_contains("href=\"#field-name_de\"")
        .assert_contains("value=\"Open data\"");
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/topics/nirgends",
            Some(json!({ "retired": true })),
            Some(&token),
        )
        .await;
    r.assert_status(404);
}

#[actix_web::test]
async fn a_retired_topic_stays_on_its_challenges_and_leaves_filters_and_new_choices() {
    let mut app = TestApp::new().await;
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    let owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&owner, "Stadt Nordheim", OrgKind::Agency, true);
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(
            c,
            "altlasten",
            "Altlastenkataster",
            "Contaminated sites",
        )
        .unwrap();
        innolab::domain::topics::insert_missing(c, "ki", "Künstliche Intelligenz", "AI").unwrap();
    });
    let old = app.create_challenge(&agency, &owner, "Altes Kataster", "open", 20);
    let other = app.create_challenge(&agency, &owner, "Neues Vorhaben", "open", 20);
    app.with_conn(|c| {
        let id: i64 = topics::table
            .filter(topics::slug.eq("altlasten"))
            .select(topics::id)
            .first(c)
            .unwrap();
        diesel::insert_into(challenge_topics::table)
            .values((
                challenge_topics::challenge_id.eq(old.id),
                challenge_topics::topic_id.eq(id),
            ))
            .execute(c)
            .unwrap();
    });
    let admin_token = app.bearer_of(&admin).await;
    let owner_token = app.bearer_of(&owner).await;
    let rebuilds = rebuilds_asked(&app);
    app.log_in_as(&admin);
    app.post_form("/admin/topics/altlasten/retire", &[])
        .await
        .assert_status(303);
    assert_eq!(count_audit(&app, "topic_retired"), 1);
    assert_eq!(
        rebuilds_asked(&app),
        rebuilds,
        "retiring must not rebuild the index"
    );
    let r = app.api(Method::GET, "/api/v1/topics", None, None).await;
    let listed = r.json();
    let retired = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "altlasten")
        .unwrap();
    assert_eq!(retired["retired"], true);
    app.get("/admin/topics")
        .await
        .assert_contains("/admin/topics/altlasten/restore");

    // The challenge still shows it; the list's filter no longer offers it.
    app.log_out();
    app.get(&format!("/challenges/{}", old.slug))
        .await
        .assert_status(200)
        .assert_contains("Altlastenkataster");
    app.get("/challenges")
        .await
        .assert_status(200)
        .assert_not_contains("value=\"altlasten\"")
        .assert_contains("value=\"ki\"");

    // Its agency's edit form keeps it checked, and saving the form unchanged keeps it.
    app.log_in_as(&owner);
    let edit = format!("/challenges/{}/edit", old.slug);
    app.get(&edit)
        .await
        .assert_status(200)
        .assert_contains("Altlastenkataster");
    app.resubmit(&edit, &edit, &[]).await.assert_status(303);
    let kept: i64 = app.with_conn(|c| {
        challenge_topics::table
            .filter(challenge_topics::challenge_id.eq(old.id))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(kept, 1, "saving unchanged dropped the retired topic");
    // Another challenge cannot take it up, neither on the page nor through the API.
    let edit_other = format!("/challenges/{}/edit", other.slug);
    app.get(&edit_other)
        .await
        .assert_not_contains("Altlastenkataster");
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/challenges/{}", other.id),
            Some(json!({ "topics": ["altlasten"] })),
            Some(&owner_token),
        )
        .await;
    r.assert_status(422);
    assert!(r.json()["fields"]["topics"].is_string(), "{}", r.body);

    // Brought back, it can be chosen again.
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/topics/altlasten",
            Some(json!({ "retired": false })),
            Some(&admin_token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["retired"], false);
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/challenges/{}", other.id),
            Some(json!({ "topics": ["altlasten"] })),
            Some(&owner_token),
        )
        .await;
    r.assert_status(200);
}

#[actix_web::test]
async fn a_fresh_installation_gets_the_reference_topics_once_and_keeps_what_admins_did() {
    let app = TestApp::new().await;
    let added = app.with_conn(|c| innolab::seed::reference_topics(c).unwrap());
    assert!(added >= 8, "only {added} reference topics");
    let slugs = app.with_conn(|c| innolab::domain::topics::slugs(c).unwrap());
    assert_eq!(slugs.len(), added);
    // Renamed and retired by an admin, a reference topic stays so through start-ups and
    // seed runs.
    app.with_conn(|c| {
        diesel::update(topics::table.filter(topics::slug.eq("ki")))
            .set((
                topics::name_de.eq("KI"),
                topics::retired_at.eq(Some(innolab::db::now())),
            ))
            .execute(c)
            .unwrap();
    });
    assert_eq!(
        app.with_conn(|c| innolab::seed::reference_topics(c).unwrap()),
        0
    );
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    let ki = app.with_conn(|c| innolab::domain::topics::find(c, "ki").unwrap());
    assert_eq!(ki.name_de, "KI");
    assert!(ki.is_retired());
}
