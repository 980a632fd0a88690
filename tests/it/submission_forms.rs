//! A challenge's own questions: the agency attaches one of its forms, proposals answer
//! it through the API and the answers page, a draft may keep open questions but never
//! wrong answers, a submission needs them all, and the agency reads the answers under
//! the version they answered even after the form changed.

use actix_web::http::Method;
use innolab::kinds::OrgKind;

use serde_json::{json, Value};

use crate::support::{Resp, TestApp};

struct World {
    app: TestApp,
    agency: String,
    team: String,
    stranger: String,
    challenge: i64,
    agency_org: i64,
    team_org: i64,
    team_user: innolab::domain::accounts::User,
}

fn questions() -> Value {
    json!({
        "title": "Fragen an die Vorschläge",
        "pages": [
            {"key": "betrieb", "title": "Betrieb", "fields": [
                {"key": "hosting", "type": "choice", "label": "Wo läuft die Lösung?", "required": true,
                 "options": [{"value": "de", "label": "In Deutschland"}, {"value": "eu", "label": "In der EU"}]},
                {"key": "nutzer", "type": "number", "label": "Wie viele Nutzende im Pilot?", "required": true, "min": 1, "max": 100000},
                {"key": "quelloffen", "type": "yes_no", "label": "Ist der Code quelloffen?", "required": true},
                {"key": "lizenz", "type": "text", "label": "Unter welcher Lizenz?", "required": true,
                 "visible_if": {"field": "quelloffen", "equals": true}}
            ]}
        ]
    })
}

async fn world() -> World {
    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amtsleitung");
    let lead = app.create_user("team@example.org", "Tina Team");
    let other = app.create_user("fremd@example.org", "Fremde Person");
    let agency = app.create_org(&staff, "Stadt Prüfstadt", OrgKind::Agency, true);
    let org = app.create_org(&lead, "Formfabrik", OrgKind::Startup, false);
    app.create_org(&other, "Andere GmbH", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Digitale Hundesteuer", "open", 30);
    let token = |u: &innolab::domain::accounts::User| {
        app.with_conn(|conn| {
            innolab::domain::accounts::api_tokens::create(conn, u.id, "t")
                .unwrap()
                .1
        })
    };
    World {
        agency: token(&staff),
        team: token(&lead),
        stranger: token(&other),
        challenge: c.id,
        agency_org: agency.id,
        team_org: org.id,
        team_user: lead,
        app,
    }
}

impl World {
    async fn call(&mut self, who: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let token = match who {
            "agency" => self.agency.clone(),
            "team" => self.team.clone(),
            _ => self.stranger.clone(),
        };
        self.app.api(method, path, body, Some(&token)).await
    }

    async fn form(&mut self, who: &str, org: i64, def: Value) -> i64 {
        let r = self
            .call(
                who,
                Method::POST,
                "/api/v1/forms",
                Some(json!({ "organisation_id": org, "definition": def })),
            )
            .await;
        r.assert_status(201);
        r.json()["id"].as_i64().unwrap()
    }

    async fn attach(&mut self, form: Value) -> Resp {
        let path = format!("/api/v1/challenges/{}", self.challenge);
        self.call(
            "agency",
            Method::PATCH,
            &path,
            Some(json!({ "submission_form_id": form })),
        )
        .await
    }

    async fn proposal(&mut self, answers: Value) -> Resp {
        let path = format!("/api/v1/challenges/{}/proposals", self.challenge);
        let body = json!({
            "organisation_id": self.team_org,
            "title": "Hundesteuer digital", "summary": "Kurz", "description": "Ansatz",
            "team": "Drei", "pilot_scope": "Ein Bezirk", "pilot_duration": "3 Monate",
            "pilot_kpis": "Quote", "data_protection": "DSGVO", "licence": "EUPL-1.2",
            "answers": answers,
        });
        self.call("team", Method::POST, &path, Some(body)).await
    }
}

#[actix_web::test]
async fn only_the_agencys_own_forms_without_files_can_be_attached_and_the_choice_locks() {
    let mut w = world().await;
    let own = w.form("agency", w.agency_org, questions()).await;
    let foreign = w.form("team", w.team_org, questions()).await;
    let mut with_file = questions();
    with_file["pages"][0]["fields"][0] =
        json!({"key": "konzept", "type": "file", "label": "Konzept"});
    let with_file = w.form("agency", w.agency_org, with_file).await;

    let r = w.attach(json!(foreign)).await;
    r.assert_status(422);
    assert_eq!(
        r.json()["fields"]["submission_form_id"],
        "That is not a form of this agency."
    );
    w.attach(json!(with_file)).await.assert_status(422);
    let r = w.attach(json!(own)).await;
    r.assert_status(200);
    assert_eq!(r.json()["submission_form_id"], own);
    // The attached form is public now: anyone may read the questions before proposing.
    let path = format!("/api/v1/forms/{own}");
    w.call("stranger", Method::GET, &path, None)
        .await
        .assert_status(200);

    // Once a proposal was submitted, the questions stay as they were asked.
    let r = w
        .proposal(json!({"hosting": "de", "nutzer": 40, "quelloffen": false}))
        .await;
    r.assert_status(201);
    let pid = r.json()["id"].as_i64().unwrap();
    w.call(
        "team",
        Method::POST,
        &format!("/api/v1/proposals/{pid}/submit"),
        None,
    )
    .await
    .assert_status(200);
    let r = w.attach(Value::Null).await;
    r.assert_status(422);
    assert!(r.json()["fields"]["submission_form_id"].is_string());
}

#[actix_web::test]
async fn drafts_keep_open_questions_but_never_wrong_answers_and_submission_needs_all() {
    let mut w = world().await;
    let form = w.form("agency", w.agency_org, questions()).await;
    w.attach(json!(form)).await.assert_status(200);

    // Wrong answers are refused by key, and nothing is created.
    let r = w
        .proposal(json!({"hosting": "mond", "nutzer": "viele"}))
        .await;
    r.assert_status(422);
    let fields = &r.json()["fields"];
    assert!(fields["answers.hosting"].is_string(), "{fields}");
    assert!(fields["answers.nutzer"].is_string(), "{fields}");
    w.proposal(json!(["not", "an", "object"]))
        .await
        .assert_status(422);

    // Open questions are fine in a draft.
    let r = w.proposal(json!({"hosting": "eu"})).await;
    r.assert_status(201);
    let pid = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["answers"], json!({"hosting": "eu"}));

    // Submitting names every open question, the conditional one only when it shows.
    let submit = format!("/api/v1/proposals/{pid}/submit");
    let r = w.call("team", Method::POST, &submit, None).await;
    r.assert_status(422);
    let fields = r.json()["fields"].clone();
    assert!(fields["answers.nutzer"].is_string() && fields["answers.quelloffen"].is_string());
    assert!(fields.get("answers.lizenz").is_none(), "{fields}");

    // The team answers on the page: wrong input comes back as typed.
    w.app.log_in_as(&w.team_user.clone());
    let page = format!("/proposals/{pid}/answers");
    w.app
        .get(&page)
        .await
        .assert_status(200)
        .assert_contains("Wo läuft die Lösung?")
        .assert_contains("Nur nötig, wenn");
    let r = w
        .app
        .post_form(
            &page,
            &[
                ("hosting", "eu"),
                ("nutzer", "zwölf"),
                ("quelloffen", "yes"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("value=\"zwölf\"")
        .assert_contains("href=\"#field-nutzer\"");
    let r = w
        .app
        .post_form(
            &page,
            &[("hosting", "eu"), ("nutzer", "12"), ("quelloffen", "yes")],
        )
        .await;
    r.assert_status(303);
    // The licence shows now, so submitting on the page leads back to it.
    let r = w
        .app
        .post_form(&format!("/proposals/{pid}/submit"), &[])
        .await;
    r.assert_status(422)
        .assert_contains("Unter welcher Lizenz?")
        .assert_contains("href=\"#field-lizenz\"");
    w.app
        .post_form(
            &page,
            &[
                ("hosting", "eu"),
                ("nutzer", "12"),
                ("quelloffen", "yes"),
                ("lizenz", "EUPL-1.2"),
            ],
        )
        .await
        .assert_status(303);
    w.call("team", Method::POST, &submit, None)
        .await
        .assert_status(200);

    // A submitted proposal stays complete: an answer cannot be taken back.
    let r = w
        .call(
            "team",
            Method::PATCH,
            &format!("/api/v1/proposals/{pid}"),
            Some(json!({"answers": {"hosting": "eu"}})),
        )
        .await;
    r.assert_status(422);
}

#[actix_web::test]
async fn the_agency_reads_answers_under_the_version_they_answered_and_strangers_never() {
    let mut w = world().await;
    let form = w.form("agency", w.agency_org, questions()).await;
    w.attach(json!(form)).await.assert_status(200);
    let r = w
        .proposal(json!({"hosting": "de", "nutzer": 40, "quelloffen": true, "lizenz": "MIT"}))
        .await;
    let pid = r.json()["id"].as_i64().unwrap();
    w.call(
        "team",
        Method::POST,
        &format!("/api/v1/proposals/{pid}/submit"),
        None,
    )
    .await
    .assert_status(200);

    // The agency renames a question afterwards: a new version, the answer keeps its own.
    let mut changed = questions();
    changed["pages"][0]["fields"][0]["label"] = json!("Rechenzentrum");
    let r = w
        .call(
            "agency",
            Method::PUT,
            &format!("/api/v1/forms/{form}"),
            Some(json!({ "definition": changed })),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["version"], 2);

    let agency_page = {
        let staff = w.app.with_conn(|c| {
            innolab::domain::accounts::find_by_email(c, "amt@example.org")
                .unwrap()
                .unwrap()
        });
        w.app.log_in_as(&staff);
        w.app.get(&format!("/proposals/{pid}")).await
    };
    agency_page
        .assert_status(200)
        .assert_contains("Antworten auf die Fragen der Herausforderung")
        .assert_contains("Wo läuft die Lösung?")
        .assert_contains("In Deutschland")
        .assert_contains("MIT")
        .assert_not_contains("Rechenzentrum");
    let r = w
        .call(
            "agency",
            Method::GET,
            &format!("/api/v1/proposals/{pid}"),
            None,
        )
        .await;
    assert_eq!(r.json()["answers"]["nutzer"], 40);
    // Not the agency's to answer, and nobody else's to read.
    w.app
        .get(&format!("/proposals/{pid}/answers"))
        .await
        .assert_status(403);
    let r = w
        .call(
            "stranger",
            Method::GET,
            &format!("/api/v1/proposals/{pid}"),
            None,
        )
        .await;
    assert!(r.status == 404 || r.json().get("answers").is_none());
}
