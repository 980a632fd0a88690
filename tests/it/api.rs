//! The JSON API for accounts and organisations (docs/API.md), its error format and OpenAPI.

use actix_web::http::Method;
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

#[actix_web::test]
async fn register_verify_token_and_me_through_the_api() {
    let mut app = TestApp::new().await;
    let r = app
        .api(Method::POST, "/api/v1/auth/register", Some(json!({"email": "api@example.org", "password": PASSWORD, "display_name": "API Nutzerin", "locale": "en"})), None)
        .await;
    r.assert_status(201);
    let body = r.json();
    assert_eq!(body["email"], "api@example.org");
    assert_eq!(body["verification"], "sent");
    // No id: the answer is the same for an address that already has an account.
    assert!(body.get("id").is_none());
    assert!(body.get("password_hash").is_none());

    let token = app.last_mail_to("api@example.org").token("/verify");
    assert!(
        app.last_mail_to("api@example.org")
            .subject
            .contains("confirm"),
        "mail in the chosen language"
    );
    app.api(
        Method::POST,
        "/api/v1/auth/verify",
        Some(json!({"token": token})),
        None,
    )
    .await
    .assert_status(200);
    let again = app
        .api(
            Method::POST,
            "/api/v1/auth/verify",
            Some(json!({"token": token})),
            None,
        )
        .await;
    again.assert_status(422);
    assert_eq!(
        again.json()["fields"]["token"],
        "This link has already been used."
    );

    let r = app
        .api(
            Method::POST,
            "/api/v1/auth/tokens",
            Some(json!({"email": "api@example.org", "password": PASSWORD, "name": "script"})),
            None,
        )
        .await;
    r.assert_status(201);
    let bearer = r.json()["token"].as_str().unwrap().to_string();
    let token_id = r.json()["id"].as_i64().unwrap();

    let me = app
        .api(Method::GET, "/api/v1/me", None, Some(&bearer))
        .await;
    me.assert_status(200);
    assert_eq!(me.json()["display_name"], "API Nutzerin");
    assert_eq!(me.json()["organisations"], json!([]));

    app.api(
        Method::DELETE,
        &format!("/api/v1/auth/tokens/{token_id}"),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(204);
    app.api(Method::GET, "/api/v1/me", None, Some(&bearer))
        .await
        .assert_status(401);
}

#[actix_web::test]
async fn api_errors_follow_the_contract() {
    let mut app = TestApp::new().await;
    app.create_user("dup@example.org", "Dup");
    let r = app
        .api(
            Method::POST,
            "/api/v1/auth/register",
            Some(json!({"email": "dup@example.org", "password": "short", "display_name": ""})),
            None,
        )
        .await;
    r.assert_status(422);
    let b = r.json();
    assert_eq!(b["error"], "validation_failed");
    assert!(b["message"].as_str().is_some());
    assert!(b["fields"]["password"].as_str().unwrap().contains("12"));
    assert!(b["fields"]["display_name"].is_string());

    let bad_json = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/auth/register")
                .insert_header(("content-type", "application/json"))
                .set_payload("{not json"),
        )
        .await;
    bad_json.assert_status(400);
    assert_eq!(bad_json.json()["error"], "bad_request");

    let wrong = app
        .api(Method::POST, "/api/v1/auth/tokens", Some(json!({"email": "dup@example.org", "password": "Falsch-Falsch-Falsch-9", "name": "x"})), None)
        .await;
    wrong.assert_status(422);
    assert_eq!(wrong.json()["error"], "validation_failed");

    app.api(Method::GET, "/api/v1/me", None, None)
        .await
        .assert_status(401);
    let r = app
        .api(Method::GET, "/api/v1/me", None, Some("il_made_up"))
        .await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "unauthorized");
    let r = app
        .api(Method::GET, "/api/v1/organisations/999999", None, None)
        .await;
    r.assert_status(404);
    assert_eq!(r.json()["error"], "not_found");
    app.api(
        Method::GET,
        "/api/v1/organisations/not-a-number",
        None,
        None,
    )
    .await
    .assert_status(404);
    app.api(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .assert_status(404);
    app.api(Method::GET, "/api/v1/organisations?kind=kraken", None, None)
        .await
        .assert_status(400);
}

#[actix_web::test]
async fn organisations_through_the_api() {
    let mut app = TestApp::new().await;
    let u = app.create_user("org@example.org", "Org Owner");
    let mate = app.create_user("mate@example.org", "Mate");
    let admin = app.create_user_with("root@example.org", "Root", true, true);
    let (_, bearer) =
        app.with_conn(|c| innolab::domain::accounts::api_tokens::create(c, u.id, "t").unwrap());
    let (_, admin_bearer) =
        app.with_conn(|c| innolab::domain::accounts::api_tokens::create(c, admin.id, "t").unwrap());

    let r = app
        .api(Method::POST, "/api/v1/organisations", Some(json!({"name": "Amt für Tests", "kind": "agency", "website": "https://amt.example"})), Some(&bearer))
        .await;
    r.assert_status(201);
    let org = r.json();
    assert_eq!(org["kind"], "agency");
    assert_eq!(org["verified"], false);
    assert_eq!(org["slug"], "amt-fuer-tests");
    let id = org["id"].as_i64().unwrap();

    let bad = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "X", "kind": "kraken"})),
            Some(&bearer),
        )
        .await;
    bad.assert_status(400);

    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/organisations/{id}/members"),
            Some(json!({"email": "mate@example.org", "role": "member"})),
            Some(&bearer),
        )
        .await;
    r.assert_status(201);
    // An existing account is invited too: it joins when the person accepts.
    assert_eq!(r.json()["status"], "invited");
    let invitation = r.json()["invitation_id"].as_i64().unwrap();
    let (_, mate_bearer) =
        app.with_conn(|c| innolab::domain::accounts::api_tokens::create(c, mate.id, "t").unwrap());
    app.api(
        Method::POST,
        &format!("/api/v1/invitations/{invitation}/accept"),
        None,
        Some(&mate_bearer),
    )
    .await
    .assert_status(200);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/organisations/{id}/members"),
            Some(json!({"email": "neu@example.org", "role": "member"})),
            Some(&bearer),
        )
        .await;
    assert_eq!(r.json()["status"], "invited");

    let members = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations/{id}/members"),
            None,
            Some(&bearer),
        )
        .await;
    members.assert_status(200);
    assert_eq!(members.json().as_array().unwrap().len(), 2);

    let me = app
        .api(Method::GET, "/api/v1/me", None, Some(&bearer))
        .await
        .json();
    assert_eq!(me["organisations"][0]["role"], "owner");
    assert_eq!(me["organisations"][0]["kind"], "agency");

    // Only admins verify.
    app.api(
        Method::POST,
        &format!("/api/v1/admin/organisations/{id}/verify"),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(403);
    let v = app
        .api(
            Method::POST,
            &format!("/api/v1/admin/organisations/{id}/verify"),
            None,
            Some(&admin_bearer),
        )
        .await;
    v.assert_status(200);
    assert_eq!(v.json()["verified"], true);

    let public = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations/{id}"),
            None,
            None,
        )
        .await;
    public.assert_status(200);
    assert_eq!(public.json()["name"], "Amt für Tests");
    let list = app
        .api(
            Method::GET,
            "/api/v1/organisations?per_page=500",
            None,
            None,
        )
        .await
        .json();
    assert_eq!(list["per_page"], 100);
    assert_eq!(list["total"], 1);

    app.api(
        Method::DELETE,
        &format!("/api/v1/organisations/{id}/members/{}", mate.id),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(204);
    app.api(
        Method::DELETE,
        &format!("/api/v1/organisations/{id}/members/{}", u.id),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(409);
}

#[actix_web::test]
async fn cookie_authenticated_api_writes_need_the_csrf_header() {
    let mut app = TestApp::new().await;
    let u = app.create_user("cookie@example.org", "Cookie");
    app.log_in_as(&u);
    let body = json!({"name": "Per Cookie", "kind": "startup"});
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            Some(body.clone()),
            None,
        )
        .await;
    r.assert_status(403);
    assert_eq!(r.json()["error"], "csrf_failed");
    let token = app.csrf_token().await;
    let r = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/organisations")
                .insert_header(("content-type", "application/json"))
                .insert_header(("x-csrf-token", token))
                .set_payload(body.to_string()),
        )
        .await;
    r.assert_status(201);
    // Reads need no token.
    app.api(Method::GET, "/api/v1/me", None, None)
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn the_openapi_description_lists_the_contract_paths() {
    let mut app = TestApp::new().await;
    let r = app.get("/api/v1/openapi.json").await;
    r.assert_status(200);
    let doc = r.json();
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/verify",
        "/api/v1/auth/tokens",
        "/api/v1/auth/tokens/{id}",
        "/api/v1/me",
        "/api/v1/me/invitations",
        "/api/v1/invitations/{id}/accept",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/{id}/members",
        "/api/v1/admin/organisations/{id}/verify",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[actix_web::test]
async fn invitations_through_the_api() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("boss@example.org", "Boss");
    let org = app.create_org(
        &owner,
        "Eingeladen",
        innolab::kinds::OrgKind::Startup,
        false,
    );
    app.log_in_as(&owner);
    app.post_form(
        &format!("/organisations/{}/members", org.slug),
        &[("email", "later@example.org"), ("role", "member")],
    )
    .await
    .assert_status(303);
    app.log_out();
    let later = app.create_user("later@example.org", "Later");
    let (_, bearer) =
        app.with_conn(|c| innolab::domain::accounts::api_tokens::create(c, later.id, "t").unwrap());
    let list = app
        .api(Method::GET, "/api/v1/me/invitations", None, Some(&bearer))
        .await
        .json();
    assert_eq!(list[0]["kind"], "organisation");
    assert_eq!(list[0]["organisation_id"], org.id);
    let id = list[0]["id"].as_i64().unwrap();
    app.api(
        Method::POST,
        &format!("/api/v1/invitations/{id}/accept"),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(200);
    app.api(
        Method::POST,
        &format!("/api/v1/invitations/{id}/accept"),
        None,
        Some(&bearer),
    )
    .await
    .assert_status(404);
    let me = app
        .api(Method::GET, "/api/v1/me", None, Some(&bearer))
        .await
        .json();
    assert_eq!(me["organisations"][0]["name"], "Eingeladen");
}

/// The served OpenAPI description is the checked-in `docs/openapi.json`, so that every
/// change of the contract shows up in review. After an intended change, accept it with
/// `INNOLAB_ACCEPT_OPENAPI=1 cargo test --test it openapi` and commit the file.
#[actix_web::test]
async fn the_served_openapi_matches_the_checked_in_snapshot() {
    let mut app = TestApp::new().await;
    let r = app.get("/api/v1/openapi.json").await;
    r.assert_status(200);
    let served = serde_json::to_string_pretty(&r.json()).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    if std::env::var_os("INNOLAB_ACCEPT_OPENAPI").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != served {
        let first = stored
            .lines()
            .zip(served.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(stored.lines().count().min(served.lines().count()));
        panic!(
            "the API contract changed (docs/openapi.json differs from line {}: served {:?}); \
             if intended, accept it with INNOLAB_ACCEPT_OPENAPI=1 cargo test --test it openapi",
            first + 1,
            served.lines().nth(first).unwrap_or("<end>")
        );
    }
    // The proposal read model is described as a type, not as prose.
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    let schema = &doc["components"]["schemas"]["ProposalOut"];
    // The private part is flattened in, so the own fields sit in one part of `allOf`.
    let parts = schema["allOf"].as_array().cloned().unwrap_or_default();
    for field in ["status", "blind", "outcomes", "may"] {
        assert!(
            parts.iter().any(|p| p["properties"].get(field).is_some()),
            "ProposalOut lacks {field}"
        );
    }
}
