//! Forms and pilots end to end: a team builds a three-page form with a condition through
//! the API, publishes it as a web form and as an assistant; a test user without an
//! account runs both (refused input, tampered page numbers, back, save for later,
//! review, send), gets a receipt and rates it; the report, the export and the rules of
//! who may see them; versions that never change once answered.

use actix_web::http::Method;

use innolab::domain::organisations::Organisation;
use innolab::domain::proposals::Proposal;
use innolab::kinds::OrgKind;
use serde_json::{json, Value};

use crate::support::{Resp, TestApp};

pub(crate) struct World {
    pub app: TestApp,
    pub team: String,
    pub agency: String,
    pub stranger: String,
    pub org: Organisation,
    pub proposal: Proposal,
}

/// A three-page Hundesteuer form: the second page only for more than one dog, a file
/// field only for a listed breed, a consent at the end.
pub(crate) fn hundesteuer() -> Value {
    json!({
        "title": {"de": "Hundesteuer-Anmeldung", "en": "Dog tax registration"},
        "pages": [
            {"key": "halter", "title": {"de": "Halterin oder Halter", "en": "Owner"}, "fields": [
                {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true, "max_length": 80},
                {"key": "email", "type": "email", "label": {"de": "E-Mail-Adresse", "en": "Email address"}},
                {"key": "anzahl", "type": "number", "label": {"de": "Anzahl der Hunde", "en": "Number of dogs"}, "required": true, "min": 1, "max": 20}
            ]},
            {"key": "hunde", "title": {"de": "Weitere Hunde", "en": "More dogs"}, "visible_if": {"field": "anzahl", "gt": 1}, "fields": [
                {"key": "weitere", "type": "textarea", "label": {"de": "Namen der weiteren Hunde"}, "required": true}
            ]},
            {"key": "abschluss", "title": {"de": "Abschluss", "en": "Finish"}, "fields": [
                {"key": "listenhund", "type": "yes_no", "label": {"de": "Ist ein Listenhund dabei?", "en": "Is a listed breed among them?"}, "required": true},
                {"key": "nachweis", "type": "file", "label": {"de": "Wesenstest"}, "required": true, "visible_if": {"field": "listenhund", "equals": true}},
                {"key": "zustimmung", "type": "consent", "label": {"de": "Meine Angaben sind richtig.", "en": "My answers are correct."}, "required": true}
            ]}
        ]
    })
}

pub(crate) async fn world() -> World {
    world_on(TestApp::new().await).await
}

pub(crate) async fn world_on(app: TestApp) -> World {
    let lead = app.create_user("team@example.org", "Tina Team");
    let staff = app.create_user("amt@example.org", "Amtsleitung");
    let other = app.create_user("fremd@example.org", "Fremde Person");
    let agency = app.create_org(&staff, "Stadt Prüfstadt", OrgKind::Agency, true);
    let org = app.create_org(&lead, "Formfabrik", OrgKind::Startup, false);
    app.create_org(&other, "Andere GmbH", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Digitale Hundesteuer", "open", 30);
    let proposal = app.create_proposal(&c, &org, &lead, "submitted");
    let token = |u: &innolab::domain::accounts::User| {
        app.with_conn(|conn| {
            innolab::domain::accounts::api_tokens::create(conn, u.id, "t")
                .unwrap()
                .1
        })
    };
    let (team, agency_token, stranger) = (token(&lead), token(&staff), token(&other));
    World {
        app,
        team,
        agency: agency_token,
        stranger,
        org,
        proposal,
    }
}

impl World {
    pub async fn call(
        &mut self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let token = token.to_string();
        self.app.api(method, path, body, Some(&token)).await
    }

    /// Creates the Hundesteuer form and publishes it in `mode`; (form id, pilot JSON).
    pub async fn pilot(&mut self, mode: &str) -> (i64, Value) {
        let team = self.team.clone();
        let r = self
            .call(
                &team,
                Method::POST,
                "/api/v1/forms",
                Some(json!({ "organisation_id": self.org.id, "definition": hundesteuer() })),
            )
            .await;
        r.assert_status(201);
        let form_id = r.json()["id"].as_i64().unwrap();
        let r = self
            .call(
                &team,
                Method::POST,
                &format!("/api/v1/proposals/{}/pilots", self.proposal.id),
                Some(json!({ "form_id": form_id, "mode": mode })),
            )
            .await;
        r.assert_status(201);
        (form_id, r.json())
    }
}

/// The reference number a receipt page shows.
fn reference_on(page: &str) -> String {
    let after = page
        .split("class=\"reference\">")
        .nth(1)
        .expect("a reference");
    after.split('<').next().unwrap().to_string()
}

/// Starts a run as a test user (no account); the run's address.
async fn start(app: &mut TestApp, slug: &str) -> String {
    let r = app
        .post_form(&format!("/p/{slug}"), &[("consent", "yes")])
        .await;
    r.assert_status(303);
    r.location()
}

/// Runs the Hundesteuer pilot at `slug` through as a test user with one dog and no
/// listed breed, giving the address halter@example.org; the receipt's address.
async fn send_hundesteuer(app: &mut TestApp, slug: &str, name: &str) -> String {
    let run = start(app, slug).await;
    let first = [
        ("_page", "0"),
        ("_action", "next"),
        ("name", name),
        ("email", "halter@example.org"),
        ("anzahl", "1"),
    ];
    app.post_form(&run, &first).await.assert_status(303);
    let last = [
        ("_page", "2"),
        ("_action", "next"),
        ("listenhund", "nein"),
        ("zustimmung", "yes"),
    ];
    app.post_form(&run, &last).await.assert_status(303);
    app.post_form(&format!("{run}/send"), &[]).await.location()
}

#[actix_web::test]
async fn a_form_definition_is_checked_and_versions_never_change_once_answered() {
    let mut w = world().await;
    let team = w.team.clone();
    let mut bad = hundesteuer();
    bad["pages"][2]["fields"][1]["visible_if"]["field"] = json!("hund");
    let r = w
        .call(
            &team,
            Method::POST,
            "/api/v1/forms",
            Some(json!({ "organisation_id": w.org.id, "definition": bad })),
        )
        .await;
    r.assert_status(422);
    assert_eq!(
        r.json()["fields"]["pages[2].fields[1].visible_if.field"],
        json!("unknown field \"hund\"")
    );

    // Only members of the organisation build forms in its name.
    let stranger = w.stranger.clone();
    let r = w
        .call(
            &stranger,
            Method::POST,
            "/api/v1/forms",
            Some(json!({ "organisation_id": w.org.id, "definition": hundesteuer() })),
        )
        .await;
    r.assert_status(403);

    let (form_id, pilot) = w.pilot("web").await;
    let path = format!("/api/v1/forms/{form_id}");
    // Saved without answers: the version stays 1.
    let mut changed = hundesteuer();
    changed["title"]["de"] = json!("Hundesteuer (neu)");
    let r = w
        .call(
            &team,
            Method::PUT,
            &path,
            Some(json!({ "definition": changed })),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["version"], json!(1));

    // Once a test user started a run on it, saving makes version 2 and the run stays on 1.
    let slug = pilot["slug"].as_str().unwrap().to_string();
    let run = start(&mut w.app, &slug).await;
    changed["title"]["de"] = json!("Hundesteuer (zweite Fassung)");
    let r = w
        .call(
            &team,
            Method::PUT,
            &path,
            Some(json!({ "definition": changed.clone() })),
        )
        .await;
    assert_eq!(r.json()["version"], json!(2));
    w.app
        .get(&run)
        .await
        .assert_status(200)
        .assert_contains("Halterin oder Halter");
    // The published form is public; other forms are not even there for strangers.
    let r = w.call(&stranger, Method::GET, &path, None).await;
    r.assert_status(200);
    assert_eq!(
        r.json()["definition"]["title"]["de"],
        json!("Hundesteuer (zweite Fassung)")
    );
    let r = w
        .call(&team, Method::POST, "/api/v1/forms", Some(json!({ "organisation_id": w.org.id, "title": "Entwurf", "definition": hundesteuer() })))
        .await;
    let draft = r.json()["id"].as_i64().unwrap();
    w.call(
        &stranger,
        Method::GET,
        &format!("/api/v1/forms/{draft}"),
        None,
    )
    .await
    .assert_status(404);
    w.call(
        &stranger,
        Method::PUT,
        &format!("/api/v1/forms/{draft}"),
        Some(json!({ "definition": hundesteuer() })),
    )
    .await
    .assert_status(404);
}

#[actix_web::test]
async fn a_test_user_runs_the_web_form_without_an_account() {
    let mut w = world().await;
    let (_, pilot) = w.pilot("web").await;
    let slug = pilot["slug"].as_str().unwrap().to_string();
    let pilot_id = pilot["id"].as_i64().unwrap();
    assert!(pilot["public_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/p/{slug}")));

    let page = w.app.get(&format!("/p/{slug}")).await;
    page.assert_status(200).assert_contains("Formular beginnen");
    // Consent first; the honeypot catches bots.
    w.app
        .post_form(&format!("/p/{slug}"), &[])
        .await
        .assert_status(422)
        .assert_contains("teilnehmen möchten");
    w.app
        .post_form(
            &format!("/p/{slug}"),
            &[("consent", "yes"), ("website", "http://spam.example")],
        )
        .await
        .assert_status(422);
    let run = start(&mut w.app, &slug).await;
    assert!(run.starts_with(&format!("/p/{slug}/r/")), "{run}");

    // Page 1, refused: the problems are listed and what was typed stays.
    let r = w
        .app
        .post_form(
            &run,
            &[
                ("_page", "0"),
                ("_action", "next"),
                ("name", "Erika <Muster>"),
                ("email", "erika@"),
                ("anzahl", "zwei"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Bitte geben Sie eine E-Mail-Adresse")
        .assert_contains("Bitte geben Sie eine ganze Zahl ein")
        .assert_contains("value=\"Erika &lt;Muster&gt;\"")
        .assert_contains("value=\"zwei\"")
        .assert_contains("href=\"#field-email\"");
    // A page not reached yet cannot be answered or opened.
    let r = w
        .app
        .post_form(
            &run,
            &[("_page", "2"), ("_action", "next"), ("listenhund", "no")],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), run);
    w.app
        .get(&format!("{run}?page=2"))
        .await
        .assert_status(200)
        .assert_contains("Halterin oder Halter");

    // Two dogs: the second page comes into view.
    w.app
        .post_form(
            &run,
            &[
                ("_page", "0"),
                ("_action", "next"),
                ("name", "Erika Muster"),
                ("email", "Erika@Example.org"),
                ("anzahl", "2"),
            ],
        )
        .await
        .assert_status(303);
    w.app
        .get(&run)
        .await
        .assert_status(200)
        .assert_contains("Weitere Hunde")
        .assert_contains("Schritt 2 von 3");
    // Back keeps what was typed on page 2 (when it is valid) and returns to page 1.
    w.app
        .post_form(
            &run,
            &[("_page", "1"), ("_action", "back"), ("weitere", "Bello")],
        )
        .await
        .assert_status(303);
    w.app
        .get(&run)
        .await
        .assert_contains("value=\"Erika Muster\"");
    // Change of mind: one dog. Page 2 disappears and its answer with it.
    w.app
        .post_form(
            &run,
            &[
                ("_page", "0"),
                ("_action", "next"),
                ("name", "Erika Muster"),
                ("email", "Erika@Example.org"),
                ("anzahl", "1"),
            ],
        )
        .await
        .assert_status(303);
    let r = w.app.get(&run).await;
    r.assert_contains("Abschluss")
        .assert_contains("Schritt 2 von 2");
    // Save for later: the resume link.
    let r = w
        .app
        .post_form(
            &run,
            &[("_page", "2"), ("_action", "save"), ("listenhund", "ja")],
        )
        .await;
    r.assert_status(200).assert_contains(&run);
    // A listed breed needs the file; without it, the page says so.
    let r = w
        .app
        .post_form(
            &run,
            &[
                ("_page", "2"),
                ("_action", "next"),
                ("listenhund", "ja"),
                ("zustimmung", "yes"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Bitte fügen Sie eine Datei bei");
    w.app
        .post_form(
            &run,
            &[
                ("_page", "2"),
                ("_action", "next"),
                ("listenhund", "nein"),
                ("zustimmung", "yes"),
                ("nachweis", "999"),
            ],
        )
        .await
        .assert_status(303);
    // The review lists the answers; page 2's answer is gone.
    let review = w.app.get(&run).await;
    review
        .assert_status(200)
        .assert_contains("Angaben prüfen")
        .assert_contains("erika@example.org")
        .assert_not_contains("Bello");
    let sent = w.app.post_form(&format!("{run}/send"), &[]).await;
    sent.assert_status(303);
    let receipt = sent.location();
    assert!(receipt.starts_with(&format!("/p/{slug}/receipt/")));
    let r = w.app.get(&receipt).await;
    r.assert_status(200)
        .assert_contains("Vorgangsnummer")
        .assert_contains("Erika Muster");
    let reference = reference_on(&r.body);
    // The PDF receipt: a download whose text can be read back.
    let pdf = w.app.get(&format!("{receipt}/pdf")).await;
    pdf.assert_status(200);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf
        .header("content-disposition")
        .unwrap()
        .contains(&reference));
    let text = pdf_text(&pdf.bytes);
    for needle in [
        "Eingangsbestätigung",
        "Hundesteuer-Anmeldung",
        reference.as_str(),
        "Erika Muster",
        "erika@example.org",
        "Anzahl der Hunde",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    // Sending twice does nothing more; the run's page says it was sent.
    w.app
        .post_form(&format!("{run}/send"), &[])
        .await
        .assert_status(303);
    w.app.get(&run).await.assert_contains("bereits abgeschickt");

    // The rating, once.
    w.app
        .post_form(&format!("{receipt}/rating"), &[("rating", "9")])
        .await
        .assert_status(422);
    w.app
        .post_form(
            &format!("{receipt}/rating"),
            &[("rating", "4"), ("comment", "Schnell erledigt")],
        )
        .await
        .assert_status(303);
    w.app.get(&receipt).await.assert_contains("4 von 5");
    w.app
        .post_form(&format!("{receipt}/rating"), &[("rating", "5")])
        .await
        .assert_status(409);

    // The same PDF through the API: team and agency, or the receipt secret; nobody else.
    let submission_id = w.app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::pilot_submissions;
        pilot_submissions::table
            .filter(pilot_submissions::reference.eq(&reference))
            .select(pilot_submissions::id)
            .first::<i64>(conn)
            .unwrap()
    });
    let pdf_path = format!("/api/v1/pilot-submissions/{submission_id}/pdf");
    let team = w.team.clone();
    w.call(&team, Method::GET, &pdf_path, None)
        .await
        .assert_status(200);
    let stranger = w.stranger.clone();
    w.call(&stranger, Method::GET, &pdf_path, None)
        .await
        .assert_status(404);
    w.app
        .get(&format!("{pdf_path}?receipt=falsch"))
        .await
        .assert_status(404);
    let secret = receipt.rsplit('/').next().unwrap().to_string();
    w.app
        .get(&format!("{pdf_path}?receipt={secret}"))
        .await
        .assert_status(200);
    // The team's read of one person's answers is audited like an export; the test
    // user's own read of their receipt is not.
    let reads: Vec<(Option<i64>, String)> = w.app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("pilot_submission_read"))
            .select((audit_log::actor_user_id, audit_log::details))
            .load(conn)
            .unwrap()
    });
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].0.is_some(), "the reader is named: {reads:?}");
    assert!(reads[0].1.contains(&submission_id.to_string()), "{reads:?}");

    // A second test user (another browser) gives up on page 1.
    w.app.cookies.clear();
    start(&mut w.app, &slug).await;

    // The report: team and agency; a stranger is refused.
    let r = w
        .call(
            &team,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/metrics"),
            None,
        )
        .await;
    r.assert_status(200);
    let m = r.json();
    assert_eq!(m["starts"], json!(2));
    assert_eq!(m["completions"], json!(1));
    assert_eq!(m["completion_rate"], json!(0.5));
    assert_eq!(m["rating_avg"], json!(4.0));
    assert_eq!(m["drop_off_by_step"][0]["left"], json!(1));
    let errors: Vec<&str> = m["errors_by_field"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["email", "anzahl", "nachweis"] {
        assert!(errors.contains(&f), "{f} in {errors:?}");
    }
    let agency = w.agency.clone();
    w.call(
        &agency,
        Method::GET,
        &format!("/api/v1/pilots/{pilot_id}/metrics"),
        None,
    )
    .await
    .assert_status(200);
    w.call(
        &stranger,
        Method::GET,
        &format!("/api/v1/pilots/{pilot_id}/metrics"),
        None,
    )
    .await
    .assert_status(404);

    // The export: JSON and CSV for team and agency, audited.
    let r = w
        .call(
            &agency,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/submissions"),
            None,
        )
        .await;
    r.assert_status(200);
    let subs = r.json()["submissions"].clone();
    assert_eq!(subs.as_array().unwrap().len(), 1);
    assert_eq!(subs[0]["answers"]["anzahl"], json!(1));
    assert_eq!(subs[0]["answers"]["listenhund"], json!(false));
    assert!(subs[0]["answers"].get("weitere").is_none());
    let r = w
        .call(
            &team,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/submissions?format=csv"),
            None,
        )
        .await;
    r.assert_status(200)
        .assert_contains("reference,submitted_at,seconds,rating,rating_comment,name,email,anzahl");
    w.call(
        &team,
        Method::GET,
        &format!("/api/v1/pilots/{pilot_id}/submissions?format=xml"),
        None,
    )
    .await
    .assert_status(400);
    w.call(
        &stranger,
        Method::GET,
        &format!("/api/v1/pilots/{pilot_id}/submissions"),
        None,
    )
    .await
    .assert_status(404);
    let exports = w.app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("pilot_exported"))
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    });
    assert_eq!(exports, 2);
}

#[actix_web::test]
async fn a_test_user_talks_to_the_assistant_one_question_at_a_time() {
    let mut w = world().await;
    let (_, pilot) = w.pilot("assistant").await;
    let slug = pilot["slug"].as_str().unwrap().to_string();
    w.app
        .get(&format!("/p/{slug}"))
        .await
        .assert_contains("Gespräch beginnen");
    let run = start(&mut w.app, &slug).await;
    let r = w.app.get(&run).await;
    r.assert_status(200)
        .assert_contains("Frage 1 von")
        .assert_contains("name=\"name\"")
        .assert_not_contains("name=\"email\"");
    // A refused answer stays on the question.
    w.app
        .post_form(&run, &[("_page", "0"), ("_question", "0"), ("name", "")])
        .await
        .assert_status(422);
    // Answers to other questions in the same request are ignored.
    w.app
        .post_form(
            &run,
            &[
                ("_page", "0"),
                ("_question", "0"),
                ("name", "Ali"),
                ("anzahl", "7"),
            ],
        )
        .await
        .assert_status(303);
    let r = w.app.get(&run).await;
    r.assert_contains("Ali").assert_contains("name=\"email\"");
    w.app
        .post_form(&run, &[("_page", "0"), ("_question", "1"), ("email", "")])
        .await
        .assert_status(303);
    w.app
        .post_form(&run, &[("_page", "0"), ("_question", "2"), ("anzahl", "1")])
        .await
        .assert_status(303);
    // Page 2 is skipped with one dog; back returns to the number of dogs.
    w.app.get(&run).await.assert_contains("name=\"listenhund\"");
    w.app
        .post_form(
            &run,
            &[("_page", "2"), ("_question", "0"), ("_action", "back")],
        )
        .await
        .assert_status(303);
    w.app.get(&run).await.assert_contains("name=\"anzahl\"");
    w.app
        .post_form(&run, &[("_page", "0"), ("_question", "2"), ("anzahl", "1")])
        .await
        .assert_status(303);
    w.app
        .post_form(
            &run,
            &[("_page", "2"), ("_question", "0"), ("listenhund", "no")],
        )
        .await
        .assert_status(303);
    w.app
        .post_form(
            &run,
            &[("_page", "2"), ("_question", "2"), ("zustimmung", "yes")],
        )
        .await
        .assert_status(303);
    w.app.get(&run).await.assert_contains("Angaben prüfen");
    let sent = w.app.post_form(&format!("{run}/send"), &[]).await;
    sent.assert_status(303);
    w.app
        .get(&sent.location())
        .await
        .assert_contains("Vorgangsnummer")
        .assert_contains("Ali");
}

#[actix_web::test]
async fn a_closed_or_unknown_pilot_takes_no_runs() {
    let mut w = world().await;
    let (form_id, pilot) = w.pilot("web").await;
    let slug = pilot["slug"].as_str().unwrap().to_string();
    let team = w.team.clone();
    // Closing in the past is refused as a setting; close by ending it now.
    let past = (innolab::db::now() - chrono::Duration::days(1))
        .and_utc()
        .to_rfc3339();
    let r = w
        .call(
            &team,
            Method::POST,
            &format!("/api/v1/proposals/{}/pilots", w.proposal.id),
            Some(json!({ "form_id": form_id, "closes_at": past })),
        )
        .await;
    r.assert_status(201);
    let closed = r.json()["slug"].as_str().unwrap().to_string();
    w.app
        .get(&format!("/p/{closed}"))
        .await
        .assert_status(200)
        .assert_contains("ist beendet")
        .assert_not_contains("Formular beginnen");
    w.app
        .post_form(&format!("/p/{closed}"), &[("consent", "yes")])
        .await
        .assert_status(409);
    w.app.get("/p/gibt-es-nicht").await.assert_status(404);
    w.app
        .get(&format!("/p/{slug}/r/falsches-token"))
        .await
        .assert_status(404);
    // Another team's form cannot be piloted.
    let stranger = w.stranger.clone();
    let r = w
        .call(
            &stranger,
            Method::POST,
            &format!("/api/v1/proposals/{}/pilots", w.proposal.id),
            Some(json!({ "form_id": form_id })),
        )
        .await;
    r.assert_status(404);
}

#[actix_web::test]
async fn a_published_pilot_changes_its_texts_and_dates_but_never_its_form_or_address() {
    let mut w = world().await;
    let (form_id, pilot) = w.pilot("web").await;
    let (id, slug) = (
        pilot["id"].as_i64().unwrap(),
        pilot["slug"].as_str().unwrap().to_string(),
    );
    let (team, agency) = (w.team.clone(), w.agency.clone());
    let path = format!("/api/v1/pilots/{id}");

    let r = w
        .call(
            &team,
            Method::PATCH,
            &path,
            Some(json!({ "title": "Hundesteuer, zweite Runde", "retention_days": 30 })),
        )
        .await;
    r.assert_status(200);
    let v = r.json();
    assert_eq!(
        (v["title"].as_str(), v["retention_days"].as_i64()),
        (Some("Hundesteuer, zweite Runde"), Some(30))
    );
    assert_eq!(
        (v["slug"].as_str(), v["form_id"].as_i64()),
        (Some(slug.as_str()), Some(form_id))
    );
    assert_eq!(
        v["consent_text"], pilot["consent_text"],
        "what is not sent stays"
    );

    let r = w
        .call(
            &team,
            Method::PATCH,
            &path,
            Some(json!({ "retention_days": 0, "opens_at": "morgen" })),
        )
        .await;
    r.assert_status(422);
    assert!(
        r.json()["fields"]["retention_days"].is_string()
            && r.json()["fields"]["opens_at"].is_string()
    );
    // The agency reads the report but does not run the pilot.
    w.call(
        &agency,
        Method::PATCH,
        &path,
        Some(json!({ "title": "Fremd" })),
    )
    .await
    .assert_status(403);

    // "Close now" on the report page: no new runs from then on, audited.
    let lead = w.app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "team@example.org")
            .unwrap()
            .unwrap()
    });
    w.app.log_in_as(&lead);
    w.app
        .get(&format!("/pilots/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Jetzt schließen");
    w.app
        .get(&format!("/pilots/{id}/settings"))
        .await
        .assert_status(200)
        .assert_contains("value=\"Hundesteuer, zweite Runde\"")
        .assert_not_contains("name=\"form_id\"");
    let r = w
        .app
        .post_form(&format!("/pilots/{id}/settings"), &[("close_now", "yes")])
        .await;
    r.assert_status(303);
    w.app.log_out();
    w.app
        .post_form(&format!("/p/{slug}"), &[("consent", "yes")])
        .await
        .assert_status(409);
    let audited: i64 = w.app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log::dsl as a;
        a::audit_log
            .filter(a::action.eq("pilot_changed"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(audited, 2);
}

/// What the local receiver saw of one request.
struct Received {
    signature_ok: bool,
    body: Value,
}

/// A real HTTP receiver on 127.0.0.1 that checks the signature with its own HMAC code and
/// answers 500 to the first `fail_first` requests, 200 afterwards.
fn receiver(
    secret: &'static str,
    fail_first: usize,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Received>>>) {
    use hmac::{Hmac, Mac};
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut signature) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("innolab-signature:") {
                    signature = line.split_once(':').unwrap().1.trim().to_string();
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let (t, v1) = signature.split_once(",v1=").unwrap_or(("", ""));
            let t = t.trim_start_matches("t=");
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(format!("{t}.").as_bytes());
            mac.update(&body);
            let signature_ok = hex::encode(mac.finalize().into_bytes()) == v1;
            let n = {
                let mut seen = log.lock().unwrap();
                seen.push(Received {
                    signature_ok,
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                });
                seen.len()
            };
            let status = if n <= fail_first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

#[actix_web::test]
async fn a_signed_webhook_is_retried_until_the_receiver_takes_it() {
    let mut w = world_on(TestApp::builder().webhooks_to_localhost().build().await).await;
    let (_, pilot) = w.pilot("web").await;
    let pilot_id = pilot["id"].as_i64().unwrap();
    let slug = pilot["slug"].as_str().unwrap().to_string();
    let team = w.team.clone();
    let (url, seen) = receiver("ein-langes-geheimnis-123", 2);
    // Too short a secret is refused; a good one is kept.
    let path = format!("/api/v1/pilots/{pilot_id}/webhooks");
    w.call(
        &team,
        Method::POST,
        &path,
        Some(json!({ "url": url, "secret": "kurz" })),
    )
    .await
    .assert_status(422);
    let r = w
        .call(
            &team,
            Method::POST,
            &path,
            Some(json!({ "url": url, "secret": "ein-langes-geheimnis-123" })),
        )
        .await;
    r.assert_status(201);

    // A test user sends the form.
    let receipt = send_hundesteuer(&mut w.app, &slug, "Erika").await;
    let reference = reference_on(&w.app.get(&receipt).await.body);

    // Three rounds of the delivery thread, each when the backoff allows the next attempt.
    let sender = std::sync::Arc::new(innolab::delivery::Sender::new(true));
    let t0 = innolab::db::now();
    let round = |seconds: i64| {
        let (pool, sender) = (w.app.state.pool.clone(), sender.clone());
        let at = t0 + chrono::Duration::seconds(seconds);
        actix_web::web::block(move || innolab::delivery::deliver_due(&pool, &sender, at).unwrap())
    };
    assert_eq!(round(0).await.unwrap(), 1);
    assert_eq!(round(10).await.unwrap(), 0, "not before the backoff");
    assert_eq!(round(31).await.unwrap(), 1);
    assert_eq!(round(100).await.unwrap(), 1);
    assert_eq!(
        round(30 * 3600).await.unwrap(),
        0,
        "delivered: nothing left"
    );

    let seen: Vec<Received> = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter().all(|r| r.signature_ok),
        "every request is signed with the secret"
    );
    let body = &seen[2].body;
    assert_eq!(body["pilot_id"], json!(pilot_id));
    assert_eq!(body["reference"], json!(reference));
    assert_eq!(body["form_version"], json!(1));
    assert_eq!(body["answers"]["name"], json!("Erika"));
    assert!(body["submitted_at"].as_str().unwrap().ends_with('Z'));

    // The delivery log shows all three attempts; redelivery queues it again.
    let r = w
        .call(
            &team,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/deliveries"),
            None,
        )
        .await;
    r.assert_status(200);
    let log = r.json();
    assert_eq!(log[0]["status"], json!("delivered"));
    let codes: Vec<i64> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, vec![500, 500, 200]);
    let delivery = log[0]["id"].as_i64().unwrap();
    w.call(
        &team,
        Method::POST,
        &format!("/api/v1/pilots/{pilot_id}/deliveries/{delivery}/redeliver"),
        None,
    )
    .await
    .assert_status(202);
    let agency = w.agency.clone();
    w.call(
        &agency,
        Method::GET,
        &format!("/api/v1/pilots/{pilot_id}/deliveries"),
        None,
    )
    .await
    .assert_status(403);
}

/// The text of a PDF, as a screen reader or a copy would get it.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF reads")
}

#[actix_web::test]
async fn the_demo_data_holds_three_pilots_with_figures_for_their_reports() {
    let mut app = TestApp::new().await;
    let report = app.with_conn(|c| innolab::seed::apply(c).unwrap());
    assert_eq!(report.pilots_created, 3, "{report:?}");
    assert!(report.pilot_submissions_created >= 12, "{report:?}");
    let again = app.with_conn(|c| innolab::seed::apply(c).unwrap());
    assert_eq!(
        (again.pilots_created, again.pilot_submissions_created),
        (0, 0),
        "seeding twice adds nothing"
    );

    // The team of the Hundesteuer pilot reads its report.
    let team = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "startup.formfluss@innolab.example")
            .unwrap()
            .unwrap()
    });
    app.log_in_as(&team);
    for (slug, mode) in [
        ("hundesteuer-anmeldung", "web"),
        ("termin-auslaenderbehoerde", "assistant"),
        ("wohnsitz-anmelden", "web"),
    ] {
        let pilot = app.with_conn(|c| innolab::domain::pilots::by_slug(c, slug).unwrap());
        assert_eq!(pilot.mode.as_str(), mode);
        let m = app.with_conn(|c| {
            let def = innolab::domain::form_library::current(c, pilot.form_id)
                .unwrap()
                .version
                .definition()
                .unwrap();
            let (raw, _) = innolab::domain::pilots::metrics::read(c, pilot.id).unwrap();
            innolab::domain::pilots::metrics::summarise(&def, raw, innolab::i18n::Lang::De)
        });
        assert!(
            m.completions >= 3 && m.starts > m.completions,
            "{slug}: {m:?}"
        );
        assert!(
            m.rating_avg.is_some() && m.median_seconds.is_some(),
            "{slug}"
        );
        assert!(m.drop_off_by_step.iter().any(|s| s.left > 0), "{slug}");
        assert!(!m.errors_by_field.is_empty(), "{slug}");
        // Anyone can open the pilot itself.
        app.get(&format!("/p/{slug}")).await.assert_status(200);
    }
    let pilot =
        app.with_conn(|c| innolab::domain::pilots::by_slug(c, "hundesteuer-anmeldung").unwrap());
    let r = app.get(&format!("/pilots/{}", pilot.id)).await;
    r.assert_status(200)
        .assert_contains("Abschlussquote")
        .assert_contains("Wie weit Testpersonen kamen")
        .assert_contains("Link zur Liste");
}

#[actix_web::test]
async fn a_test_user_gets_a_copy_of_the_receipt_by_mail_without_the_address_being_kept() {
    let mut w = world().await;
    let (_, pilot) = w.pilot("web").await;
    let slug = pilot["slug"].as_str().unwrap().to_string();
    let receipt = send_hundesteuer(&mut w.app, &slug, "Erika Kopie").await;
    let mail_path = format!("{receipt}/mail");

    // The form offers the address given in the answers.
    let page = w.app.get(&receipt).await;
    page.assert_status(200)
        .assert_contains(&format!("action=\"{mail_path}\""))
        .assert_contains("value=\"halter@example.org\"");
    let reference = reference_on(&page.body);

    // No address, or a wrong one: the page again with the problem and what was typed;
    // the forms on it still post to the receipt's own addresses.
    w.app
        .post_form(&mail_path, &[("email", " ")])
        .await
        .assert_status(422)
        .assert_contains("href=\"#field-email\"");
    w.app
        .post_form(&mail_path, &[("email", "erika(at)example")])
        .await
        .assert_status(422)
        .assert_contains("value=\"erika(at)example\"")
        .assert_contains("aria-invalid=\"true\"")
        .assert_contains(&format!("action=\"{receipt}/rating\""));
    assert!(w.app.outbox().iter().all(|m| !m.to.contains("erika")));

    // Sent: the mail carries the reference, the receipt link and the PDF.
    let sent = w
        .app
        .post_form(&mail_path, &[("email", " Erika.Kopie@Example.ORG ")])
        .await;
    sent.assert_status(303);
    assert_eq!(sent.location(), receipt);
    w.app
        .get(&receipt)
        .await
        .assert_contains("Die Kopie ist unterwegs");
    let mail = w.app.last_mail_to("erika.kopie@example.org");
    assert!(mail.subject.contains(&reference), "{}", mail.subject);
    assert!(mail.body.contains("Hundesteuer-Anmeldung"), "{}", mail.body);
    assert_eq!(mail.path("/receipt/"), receipt);
    assert_eq!(mail.attachments.len(), 1, "{:?}", mail.attachments);
    let pdf = &mail.attachments[0];
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.name, format!("eingangsbestaetigung-{reference}.pdf"));
    let text = pdf_text(&pdf.bytes);
    assert!(
        text.contains(&reference) && text.contains("Erika Kopie"),
        "{text}"
    );

    // The address is kept nowhere: not in the audit log, which only notes that a copy went.
    let details: Vec<(String, String)> = w.app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("pilot_receipt_mailed"))
            .select((audit_log::details, audit_log::ip))
            .load(conn)
            .unwrap()
    });
    assert_eq!(details.len(), 1);
    assert!(!details[0].0.contains("kopie@"), "{}", details[0].0);
    // Nor the test user's client address.
    assert_eq!(details[0].1, "", "no IP beside the receipt copy");

    // A receipt sends a few copies, not a stream of mail to strangers.
    for to in ["zwei@example.org", "drei@example.org"] {
        w.app
            .post_form(&mail_path, &[("email", to)])
            .await
            .assert_status(303);
    }
    w.app
        .post_form(&mail_path, &[("email", "vier@example.org")])
        .await
        .assert_status(429)
        .assert_contains("value=\"vier@example.org\"");
    assert!(w.app.outbox().iter().all(|m| !m.to.contains("vier@")));

    // A wrong receipt secret sends nothing.
    w.app
        .post_form(
            &format!("/p/{slug}/receipt/falsch/mail"),
            &[("email", "fremd@example.org")],
        )
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn answers_are_deleted_after_the_retention_period_and_never_searchable() {
    let mut w = world().await;
    let (form_id, _) = w.pilot("web").await;
    let team = w.team.clone();
    let r = w
        .call(
            &team,
            Method::POST,
            &format!("/api/v1/proposals/{}/pilots", w.proposal.id),
            Some(json!({ "form_id": form_id, "retention_days": 1, "slug": "kurz-aufbewahrt" })),
        )
        .await;
    r.assert_status(201);
    let pilot_id = r.json()["id"].as_i64().unwrap();
    let receipt = send_hundesteuer(&mut w.app, "kurz-aufbewahrt", "Zyxwvu Einmalig").await;
    w.app
        .post_form(
            &format!("{receipt}/rating"),
            &[
                ("rating", "5"),
                ("comment", "Meine Telefonnummer ist 0301234"),
            ],
        )
        .await
        .assert_status(303);

    // Test users' answers are not in the search index.
    w.app.settle_search();
    let found = w.app.search(&[("q", "Zyxwvu")]).await;
    assert_eq!(found["total"], json!(0), "{found}");

    // A day later nothing happens; after the period the answers and the comment go.
    let store = w.app.state.files.clone();
    let later = |hours: i64| innolab::db::now() + chrono::Duration::hours(hours);
    let none = w.app.with_conn(|c| {
        innolab::domain::pilots::retention::purge_expired(c, &store, later(12)).unwrap()
    });
    assert_eq!(none.submissions, 0);
    let purged = w.app.with_conn(|c| {
        innolab::domain::pilots::retention::purge_expired(c, &store, later(25)).unwrap()
    });
    assert_eq!(purged.submissions, 1);
    w.app
        .get(&receipt)
        .await
        .assert_status(200)
        .assert_contains("gelöscht")
        .assert_not_contains("Zyxwvu");
    w.app
        .get(&format!("{receipt}/pdf"))
        .await
        .assert_status(409);
    w.app
        .post_form(
            &format!("{receipt}/mail"),
            &[("email", "spaet@example.org")],
        )
        .await
        .assert_status(409);
    assert!(w.app.outbox().iter().all(|m| !m.to.contains("spaet@")));
    let r = w
        .call(
            &team,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/submissions"),
            None,
        )
        .await;
    let sub = &r.json()["submissions"][0];
    assert_eq!(sub["answers"], json!({}));
    assert_eq!(sub["rating_comment"], json!(""));
    assert_eq!(sub["purged"], json!(true));
    // The figures stay.
    let m = w
        .call(
            &team,
            Method::GET,
            &format!("/api/v1/pilots/{pilot_id}/metrics"),
            None,
        )
        .await
        .json();
    assert_eq!(
        (m["completions"].clone(), m["rating_avg"].clone()),
        (json!(1), json!(5.0))
    );
    // The purge is in the audit log.
    let audited = w.app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("pilot.answers_purged"))
            .filter(audit_log::object_id.eq(pilot_id))
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    });
    assert_eq!(audited, 1);
}
