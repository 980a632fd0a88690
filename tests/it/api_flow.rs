//! Challenges, questions and proposals through the JSON API (docs/API.md).

use actix_web::http::Method;
use diesel::prelude::*;
use innolab::kinds::{OrgKind, Role};

use serde_json::json;

use crate::support::TestApp;

struct World {
    app: TestApp,
    agency_token: String,
    team_token: String,
    other_token: String,
    agency_id: i64,
    startup_id: i64,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let staff = app.create_user("staff@example.org", "Staff");
    let team = app.create_user("team@example.org", "Team");
    let other = app.create_user("other@example.org", "Other");
    let agency = app.create_org(&staff, "API-Amt", OrgKind::Agency, true);
    let startup = app.create_org(&team, "API-Start", OrgKind::Startup, false);
    app.create_org(&other, "Fremd-Start", OrgKind::Startup, false);
    app.add_member(&agency, &staff, Role::Owner);
    let token = |u: &innolab::domain::accounts::User| {
        app.with_conn(|c| {
            innolab::domain::accounts::api_tokens::create(c, u.id, "t")
                .unwrap()
                .1
        })
    };
    World {
        agency_token: token(&staff),
        team_token: token(&team),
        other_token: token(&other),
        agency_id: agency.id,
        startup_id: startup.id,
        app,
    }
}

fn deadline_in(days: i64) -> String {
    (innolab::db::now() + chrono::Duration::days(days))
        .and_utc()
        .to_rfc3339()
}

#[actix_web::test]
async fn an_agency_publishes_and_a_team_submits_through_the_api() {
    let mut w = world().await;
    let body = json!({
        "organisation_id": w.agency_id,
        "title": "API-Herausforderung",
        "summary": "Kurz",
        "description": "Lang",
        "topics": [],
        "eligibility": ["startup"],
        "submission_deadline": deadline_in(10),
        "budget_eur": 40000,
        "proposal_visibility": "private"
    });
    let r = w
        .app
        .api(
            Method::POST,
            "/api/v1/challenges",
            Some(body),
            Some(&w.agency_token),
        )
        .await;
    r.assert_status(201);
    let c = r.json();
    assert_eq!(c["status"], "draft");
    assert!(
        c["submission_deadline"].as_str().unwrap().ends_with('Z'),
        "RFC 3339 in UTC"
    );
    let id = c["id"].as_i64().unwrap();

    // Drafts are invisible to others.
    w.app
        .api(
            Method::GET,
            &format!("/api/v1/challenges/{id}"),
            None,
            Some(&w.team_token),
        )
        .await
        .assert_status(404);
    w.app
        .api(Method::GET, &format!("/api/v1/challenges/{id}"), None, None)
        .await
        .assert_status(404);

    let stages = json!([{ "name": "Bewertung", "reviewers_per_proposal": 2, "blind": true,
        "criteria": [{ "name": "Wirkung", "description": "", "weight": 2.0, "scale_min": 1, "scale_max": 5, "comment_required": true }] }]);
    let r = w
        .app
        .api(
            Method::PUT,
            &format!("/api/v1/challenges/{id}/stages"),
            Some(stages),
            Some(&w.agency_token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()[0]["criteria"][0]["name"], "Wirkung");
    let bad = json!([{ "name": "", "criteria": [{ "name": "x", "weight": -1.0, "scale_min": 5, "scale_max": 1 }] }]);
    let r = w
        .app
        .api(
            Method::PUT,
            &format!("/api/v1/challenges/{id}/stages"),
            Some(bad),
            Some(&w.agency_token),
        )
        .await;
    r.assert_status(422);
    assert!(r.json()["fields"]["stages[0].criteria[0].weight"].is_string());

    w.app
        .api(
            Method::POST,
            &format!("/api/v1/challenges/{id}/close"),
            None,
            Some(&w.agency_token),
        )
        .await
        .assert_status(409);
    w.app
        .api(
            Method::POST,
            &format!("/api/v1/challenges/{id}/publish"),
            None,
            Some(&w.team_token),
        )
        .await
        .assert_status(404);
    let r = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/challenges/{id}/publish"),
            None,
            Some(&w.agency_token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["status"], "open");
    let list = w
        .app
        .api(Method::GET, "/api/v1/challenges?status=open", None, None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);

    // A visitor asks anonymously; the agency answers; the answer is public.
    let r = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/challenges/{id}/questions"),
            Some(json!({ "body": "Gibt es Testdaten?" })),
            None,
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["anonymous"], true);
    assert!(r.json()["follow_url"].as_str().unwrap().contains("key="));
    let qid = r.json()["id"].as_i64().unwrap();
    let none = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/challenges/{id}/questions"),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(none["total"], 0);
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    w.app
        .api(
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            Some(json!({ "body": "Ja." })),
            Some(&w.team_token),
        )
        .await
        .assert_status(403);
    w.app
        .api(
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            Some(json!({ "body": "Ja, anonymisiert." })),
            Some(&w.agency_token),
        )
        .await
        .assert_status(200);
    let qs = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/challenges/{id}/questions"),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(qs["total"], 1);
    assert_eq!(qs["items"][0]["answer"], "Ja, anonymisiert.");
    assert_eq!(qs["items"][0]["asked_by"], serde_json::Value::Null);

    // The team drafts, is told what is missing, completes and submits.
    let r = w.app.api(Method::POST, &format!("/api/v1/challenges/{id}/proposals"), Some(json!({ "organisation_id": w.startup_id, "title": "Unser Ansatz", "summary": "Kurz", "description": "So." })), Some(&w.team_token)).await;
    r.assert_status(201);
    assert_eq!(r.json()["status"], "draft");
    let pid = r.json()["id"].as_i64().unwrap();
    w.app
        .api(
            Method::GET,
            &format!("/api/v1/proposals/{pid}"),
            None,
            Some(&w.agency_token),
        )
        .await
        .assert_status(404);
    let r = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/proposals/{pid}/submit"),
            None,
            Some(&w.team_token),
        )
        .await;
    r.assert_status(422);
    assert!(r.json()["fields"]["team"].is_string());
    let complete = json!({ "team": "Drei", "pilot_scope": "Bezirk", "pilot_duration": "3 Monate", "pilot_kpis": "- 80 %", "data_protection": "DE", "licence": "EUPL-1.2", "cost_estimate_eur": 30000 });
    w.app
        .api(
            Method::PATCH,
            &format!("/api/v1/proposals/{pid}"),
            Some(complete),
            Some(&w.team_token),
        )
        .await
        .assert_status(200);
    let r = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/proposals/{pid}/submit"),
            None,
            Some(&w.team_token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["status"], "submitted");

    // The agency reads it with the private fields; another startup cannot.
    let r = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/proposals/{pid}"),
            None,
            Some(&w.agency_token),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["team"], "Drei");
    w.app
        .api(
            Method::GET,
            &format!("/api/v1/proposals/{pid}"),
            None,
            Some(&w.other_token),
        )
        .await
        .assert_status(404);
    w.app
        .api(Method::GET, &format!("/api/v1/proposals/{pid}"), None, None)
        .await
        .assert_status(404);

    // A revision before the deadline; none after it.
    w.app
        .api(
            Method::PATCH,
            &format!("/api/v1/proposals/{pid}"),
            Some(json!({ "summary": "Präziser", "note": "Zusammenfassung geschärft" })),
            Some(&w.team_token),
        )
        .await
        .assert_status(200);
    let revs = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/proposals/{pid}/revisions"),
            None,
            Some(&w.agency_token),
        )
        .await
        .json();
    assert_eq!(revs["total"], 2);
    assert_eq!(revs["items"].as_array().unwrap().len(), 2);
    assert_eq!(revs["items"][1]["note"], "Zusammenfassung geschärft");
    w.app.with_conn(|c| {
        use innolab::db::schema::challenges;
        diesel::update(challenges::table.find(id))
            .set(
                challenges::submission_deadline
                    .eq(innolab::db::now() - chrono::Duration::seconds(1)),
            )
            .execute(c)
            .unwrap()
    });
    let late = w
        .app
        .api(
            Method::PATCH,
            &format!("/api/v1/proposals/{pid}"),
            Some(json!({ "summary": "Zu spät" })),
            Some(&w.team_token),
        )
        .await;
    late.assert_status(409);
    assert_eq!(late.json()["error"], "conflict");

    // The thread: team writes, agency reads.
    w.app
        .api(
            Method::POST,
            &format!("/api/v1/proposals/{pid}/messages"),
            Some(json!({ "body": "Eine Rückfrage" })),
            Some(&w.team_token),
        )
        .await
        .assert_status(201);
    let thread = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/proposals/{pid}/messages"),
            None,
            Some(&w.agency_token),
        )
        .await
        .json();
    assert_eq!(thread["total"], 1);
    assert_eq!(thread["items"][0]["body"], "Eine Rückfrage");
    w.app
        .api(
            Method::POST,
            &format!("/api/v1/proposals/{pid}/messages"),
            Some(json!({ "body": "x" })),
            Some(&w.other_token),
        )
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn api_attachments_are_typed_by_content_and_served_only_to_readers() {
    let mut w = world().await;
    let staff = w.app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "staff@example.org")
            .unwrap()
            .unwrap()
    });
    let team = w.app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "team@example.org")
            .unwrap()
            .unwrap()
    });
    let agency = w
        .app
        .with_conn(|c| innolab::domain::organisations::find(c, w.agency_id).unwrap());
    let startup = w
        .app
        .with_conn(|c| innolab::domain::organisations::find(c, w.startup_id).unwrap());
    let ch = w
        .app
        .create_challenge(&agency, &staff, "Datei-Herausforderung", "open", 10);
    let p = w.app.create_proposal(&ch, &startup, &team, "submitted");
    let multipart = |name: &str, bytes: &[u8]| {
        let mut body = Vec::new();
        body.extend_from_slice(format!("--XBOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n--XBOUNDARY--\r\n");
        body
    };
    let send = |bytes: Vec<u8>, token: &str| {
        actix_web::test::TestRequest::post()
            .uri(&format!("/api/v1/proposals/{}/attachments", p.id))
            .insert_header(("content-type", "multipart/form-data; boundary=XBOUNDARY"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .set_payload(bytes)
    };
    let r = w
        .app
        .send(send(
            multipart("angebot.pdf", b"%PDF-1.7\n1 0 obj\n"),
            &w.team_token.clone(),
        ))
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["content_type"], "application/pdf");
    let aid = r.json()["id"].as_i64().unwrap();
    let r = w
        .app
        .send(send(
            multipart("angebot.pdf", b"<html><script>alert(1)</script>"),
            &w.team_token.clone(),
        ))
        .await;
    r.assert_status(415);
    assert_eq!(r.json()["fields"]["file"], "This type of file is not allowed. Allowed are PDF, PNG, JPEG, OpenDocument and Office documents, CSV and text.");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(w.app.state.config.upload_limit_bytes + 1, b' ');
    let r = w
        .app
        .send(send(multipart("gross.pdf", &big), &w.team_token.clone()))
        .await;
    r.assert_status(413);
    assert_eq!(r.json()["error"], "validation_failed");
    assert!(r.json()["fields"]["file"].is_string());
    w.app
        .send(send(
            multipart("x.pdf", b"%PDF-1.7"),
            &w.other_token.clone(),
        ))
        .await
        .assert_status(404);

    let dl = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/attachments/{aid}"),
            None,
            Some(&w.agency_token),
        )
        .await;
    dl.assert_status(200);
    assert!(dl
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(
        dl.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    w.app
        .api(
            Method::GET,
            &format!("/api/v1/attachments/{aid}"),
            None,
            Some(&w.other_token),
        )
        .await
        .assert_status(404);
    w.app
        .api(
            Method::GET,
            &format!("/api/v1/attachments/{aid}"),
            None,
            None,
        )
        .await
        .assert_status(404);
}

/// A list answer of the API, asserted to be one.
async fn list_page(app: &mut TestApp, path: &str, token: &str) -> serde_json::Value {
    let r = app.api(Method::GET, path, None, Some(token)).await;
    r.assert_status(200);
    let v = r.json();
    assert!(v["items"].is_array(), "{path}: not a list answer: {v}");
    v
}

/// The `field` of every item of a list answer.
fn texts(list: &serde_json::Value, field: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| match &i[field] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// An API client walks the challenge list with `after` (the last item's id) and back with
/// `before` (the first item's id) and gets what the page numbers give; list items carry
/// the summary but not the description, which the challenge's own answer has.
#[actix_web::test]
async fn the_challenge_list_is_walked_with_after_and_before_and_leaves_out_descriptions() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Listen-Amt", OrgKind::Agency, true);
    for i in 0..7 {
        app.create_challenge(&agency, &staff, &format!("Liste {i}"), "open", 3 + i % 3);
    }
    let token = app.bearer_of(&staff).await;
    let path = "/api/v1/challenges?status=open&sort=deadline&per_page=3";
    let ids = |page: &serde_json::Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let mut by_number = Vec::new();
    for n in 1..=3 {
        by_number.push(ids(&list_page(
            &mut app,
            &format!("{path}&page={n}"),
            &token,
        )
        .await));
    }
    assert_eq!(
        by_number.iter().map(Vec::len).collect::<Vec<_>>(),
        [3, 3, 1]
    );
    let mut walked = vec![by_number[0].clone()];
    for n in 2..=3 {
        let after = walked.last().unwrap().last().unwrap();
        let page = list_page(&mut app, &format!("{path}&page={n}&after={after}"), &token).await;
        assert_eq!((&page["page"], &page["total"]), (&json!(n), &json!(7)));
        walked.push(ids(&page));
    }
    assert_eq!(walked, by_number, "after = the last id gives the next page");
    let before = by_number[2][0];
    let back = list_page(&mut app, &format!("{path}&page=2&before={before}"), &token).await;
    assert_eq!(
        ids(&back),
        by_number[1],
        "before = the first id gives the page before"
    );

    let first = &list_page(&mut app, path, &token).await["items"][0];
    assert!(first["summary"].is_string());
    assert!(
        first.get("description").is_none(),
        "no description in a list: {first}"
    );
    let one = app
        .api(
            Method::GET,
            &format!("/api/v1/challenges/{}", first["id"]),
            None,
            Some(&token),
        )
        .await
        .json();
    assert!(
        one["description"].is_string(),
        "the challenge itself has it: {one}"
    );
}

#[actix_web::test]
async fn questions_revisions_and_messages_come_in_pages_of_at_most_a_hundred() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let lead = app.create_user("lead@example.org", "Lead");
    let agency = app.create_org(&staff, "Seiten-Amt", OrgKind::Agency, true);
    let startup = app.create_org(&lead, "Seiten-Start", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Seitenweise", "open", 30);
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.answered_questions(&c, &lead, &staff, 25);
    app.revise(&p, &c, &lead, 24);
    app.post_messages(&p, &lead, 25);
    let token = app.with_conn(|conn| {
        innolab::domain::accounts::api_tokens::create(conn, staff.id, "t")
            .unwrap()
            .1
    });
    let n = |range: std::ops::RangeInclusive<i64>, prefix: &str| -> Vec<String> {
        range.map(|i| format!("{prefix}{i:02}")).collect()
    };
    let rev = |range: std::ops::RangeInclusive<i64>| -> Vec<String> {
        range.map(|i| i.to_string()).collect()
    };

    // Questions: newest first, 20 by default.
    let path = format!("/api/v1/challenges/{}/questions", c.id);
    let first = list_page(&mut app, &path, &token).await;
    assert_eq!(
        (&first["total"], &first["page"], &first["per_page"]),
        (&json!(25), &json!(1), &json!(20))
    );
    assert_eq!(
        texts(&first, "body"),
        n(5..=24, "Testfrage ")
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
    );
    let last = list_page(&mut app, &format!("{path}?page=2"), &token).await;
    assert_eq!(last["page"], 2);
    assert_eq!(
        texts(&last, "body"),
        n(0..=4, "Testfrage ").into_iter().rev().collect::<Vec<_>>()
    );
    let middle = list_page(&mut app, &format!("{path}?page=3&per_page=5"), &token).await;
    assert_eq!(
        texts(&middle, "body"),
        n(10..=14, "Testfrage ")
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
    );

    // Revisions: by number, 20 by default.
    let path = format!("/api/v1/proposals/{}/revisions", p.id);
    let first = list_page(&mut app, &path, &token).await;
    assert_eq!(
        (&first["total"], &first["per_page"]),
        (&json!(25), &json!(20))
    );
    assert_eq!(texts(&first, "number"), rev(1..=20));
    let last = list_page(&mut app, &format!("{path}?page=2"), &token).await;
    assert_eq!(texts(&last, "number"), rev(21..=25));
    assert_eq!(last["items"][4]["content"]["summary"], "Stand 25");

    // Messages: page 1 holds the newest, each page reads oldest first.
    let path = format!("/api/v1/proposals/{}/messages", p.id);
    let first = list_page(&mut app, &path, &token).await;
    assert_eq!(
        (&first["total"], &first["per_page"]),
        (&json!(25), &json!(20))
    );
    assert_eq!(texts(&first, "body"), n(5..=24, "Wortmeldung "));
    let last = list_page(&mut app, &format!("{path}?page=2"), &token).await;
    assert_eq!(texts(&last, "body"), n(0..=4, "Wortmeldung "));

    // More than 100 per page is clamped to 100, and nonsense pages to the first.
    for path in [
        format!("/api/v1/challenges/{}/questions", c.id),
        format!("/api/v1/proposals/{}/revisions", p.id),
        format!("/api/v1/proposals/{}/messages", p.id),
    ] {
        let all = list_page(&mut app, &format!("{path}?per_page=1000&page=0"), &token).await;
        assert_eq!((&all["page"], &all["per_page"]), (&json!(1), &json!(100)));
        assert_eq!(all["items"].as_array().unwrap().len(), 25, "{path}");
        app.api(
            Method::GET,
            &format!("{path}?page=zwei"),
            None,
            Some(&token),
        )
        .await
        .assert_status(400);
    }

    // The OpenAPI description says so.
    let doc = app.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/challenges/{id}/questions",
        "/api/v1/proposals/{id}/revisions",
        "/api/v1/proposals/{id}/messages",
    ] {
        let get = &doc["paths"][path]["get"];
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            params.contains(&"page") && params.contains(&"per_page"),
            "{path}: {params:?}"
        );
        let schema = get["responses"]["200"]["content"]["application/json"]["schema"].to_string();
        assert!(schema.contains("Paged"), "{path}: {schema}");
    }
}
