//! Every page template is rendered, in both languages, and each page has the frame a
//! person relies on: language attribute, landmarks, one h1, skip link, CSRF tokens.

use std::collections::BTreeSet;

use innolab::domain::accounts;
use innolab::kinds::{OrgKind, Role, TokenPurpose};

use crate::support::{Resp, TestApp, PASSWORD};

fn page_of(r: &Resp) -> String {
    r.body
        .split("data-page=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[track_caller]
fn check_frame(path: &str, r: &Resp, lang: &str) {
    assert!(r.body.starts_with("<!doctype html>"), "{path}");
    assert!(
        r.body.contains(&format!("<html lang=\"{lang}\">")),
        "{path}: lang"
    );
    assert!(
        r.body.contains("class=\"skip-link\" href=\"#main\""),
        "{path}: skip link"
    );
    assert!(
        r.body.contains("<main id=\"main\""),
        "{path}: main landmark"
    );
    assert!(
        r.body.contains("<header") && r.body.contains("<footer") && r.body.contains("<nav"),
        "{path}: landmarks"
    );
    assert_eq!(r.body.matches("<h1").count(), 1, "{path}: exactly one h1");
    assert!(!r.body.contains("{{"), "{path}: unrendered handlebars");
    for form in r.body.split("<form").skip(1) {
        let head = form.split('>').next().unwrap();
        if head.contains("method=\"post\"") {
            let body = form.split("</form>").next().unwrap();
            assert!(
                body.contains("name=\"csrf_token\" value=\""),
                "{path}: a POST form without CSRF token: {head}"
            );
        }
    }
    // Every input has a label (by for=id) unless hidden.
    for input in r.body.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap();
        if tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag
            .split("id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{path}: input without id: {tag}"));
        assert!(
            r.body.contains(&format!("for=\"{id}\"")),
            "{path}: input {id} has no label"
        );
    }
}

#[actix_web::test]
async fn every_page_template_renders_in_both_languages() {
    let mut app = TestApp::new().await;
    let admin = app.create_user_with("pages-admin@example.org", "Admin", true, true);
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(c, "pages-thema", "Seitenthema", "Page topic")
            .unwrap()
    });
    let owner = app.create_user("pages-owner@example.org", "Owner");
    let org = app.create_org(&owner, "Seitenamt", OrgKind::Agency, false);
    app.add_member(&org, &admin, Role::Member);
    let team_lead = app.create_user("pages-team@example.org", "Team");
    let startup = app.create_org(&team_lead, "Seitenstart", OrgKind::Startup, false);
    let challenge = app.create_challenge(&org, &owner, "Seiten-Herausforderung", "open", 20);
    let proposal = app.create_proposal(&challenge, &startup, &team_lead, "submitted");
    let other = app.create_challenge(&org, &owner, "Zweite Herausforderung", "open", 20);
    // An evaluation under way: a closed challenge with a running stage, one evaluator
    // with a submitted review, so that every evaluation page has something to show.
    let evaluated = app.create_challenge(&org, &owner, "Bewertete Herausforderung", "closed", 20);
    let reviewed = app.create_proposal(&evaluated, &startup, &team_lead, "submitted");
    let evaluator = app.create_user("pages-eval@example.org", "Evaluator");
    let (stage_id, assignment_id) = app.with_conn(|c| {
        use innolab::domain::evaluation::{evaluators, progress, reviews};
        let stages = innolab::domain::evaluation::stages::replace_stages(
            c,
            &evaluated,
            &[crate::support::review_stage("Fachbewertung", true)],
        )
        .unwrap();
        let (inv, _) =
            evaluators::invite(c, evaluated.id, owner.id, &evaluator.email, &[], &[]).unwrap();
        evaluators::answer_invitation(c, inv, &evaluator, true).unwrap();
        let e = evaluators::find_for_user(c, evaluated.id, evaluator.id)
            .unwrap()
            .unwrap();
        let ctx = progress::load(c, stages[0].stage.id).unwrap();
        progress::start(c, &ctx).unwrap();
        let ctx = progress::load(c, ctx.id()).unwrap();
        let a = reviews::assign(c, &ctx, reviewed.id, e.id).unwrap();
        let input = reviews::ReviewInput {
            scores: [(ctx.stage.criteria[0].id, 4.0)].into_iter().collect(),
            submit: true,
            ..Default::default()
        };
        reviews::save_review(c, &ctx, &a, &input, innolab::db::now()).unwrap();
        (ctx.id(), a.id)
    });

    let pilots = app.with_conn(|c| {
        let def = innolab::forms::FormDefinition::from_value(&serde_json::json!({
            "title": "Testformular",
            "pages": [{"key": "p", "title": "Seite", "fields": [
                {"key": "name", "type": "text", "label": "Name", "required": true}]}]
        }))
        .unwrap();
        let now = innolab::db::now();
        let form = innolab::domain::form_library::create(
            c,
            proposal.organisation_id,
            "",
            &def,
            Some(team_lead.id),
            now,
        )
        .unwrap();
        // The challenge asks the same questions of its proposals.
        let asked =
            innolab::domain::form_library::create(c, org.id, "Fragen", &def, Some(owner.id), now)
                .unwrap();
        {
            use diesel::prelude::*;
            use innolab::db::schema::challenges as table;
            diesel::update(table::table.find(challenge.id))
                .set(table::submission_form_id.eq(asked.form.id))
                .execute(c)
                .unwrap();
        }
        let slugs = ["web", "assistant"].map(|mode| {
            let input = innolab::domain::pilots::PilotInput {
                form_id: Some(form.form.id),
                mode: Some(mode.into()),
                title: Some(format!("Test {mode}")),
                consent_text: Some("Einverstanden?".into()),
                ..Default::default()
            };
            innolab::domain::pilots::create(c, &proposal, &input, team_lead.id, now).unwrap()
        });
        let org_slug = innolab::domain::organisations::find(c, proposal.organisation_id)
            .unwrap()
            .slug;
        (
            slugs.clone().map(|p| p.slug),
            slugs[0].id,
            form.form.id,
            org_slug,
        )
    });
    let (pilots, pilot_id, form_id, team_org_slug) = pilots;

    let mut seen = BTreeSet::new();
    for lang in ["de", "en"] {
        app.log_out();
        app.post_form("/language", &[("lang", lang)]).await;
        let verify =
            app.with_conn(|c| accounts::issue_token(c, owner.id, TokenPurpose::Verify).unwrap());
        let reset =
            app.with_conn(|c| accounts::issue_token(c, owner.id, TokenPurpose::Reset).unwrap());

        let visitor_pages = [
            "/".to_string(),
            "/register".into(),
            "/login".into(),
            "/password/forgot".into(),
            format!("/verify?token={verify}"),
            format!("/password/reset?token={reset}"),
            "/accessibility".into(),
            "/impressum".into(),
            "/datenschutz".into(),
            "/organisations".into(),
            format!("/organisations/{}", org.slug),
            "/challenges".into(),
            format!("/challenges/{}", challenge.slug),
            "/search?q=Herausforderung".into(),
            "/no-such-page".into(),
        ];
        for path in &visitor_pages {
            let r = app.get(path).await;
            assert!(
                r.status.as_u16() == 200 || path == "/no-such-page",
                "{path}: {}",
                r.status
            );
            check_frame(path, &r, lang);
            seen.insert(page_of(&r));
        }
        // A test user's way through both kinds of pilot.
        for slug in &pilots {
            let r = app.get(&format!("/p/{slug}")).await;
            r.assert_status(200);
            check_frame("pilot_start", &r, lang);
            seen.insert(page_of(&r));
            let run = app
                .post_form(&format!("/p/{slug}"), &[("consent", "yes")])
                .await
                .location();
            let r = app.get(&run).await;
            r.assert_status(200);
            check_frame("pilot step", &r, lang);
            seen.insert(page_of(&r));
            let step = [("_page", "0"), ("_question", "0"), ("name", "Ada")];
            let r = app
                .post_form(&run, &[&step[..], &[("_action", "save")]].concat())
                .await;
            check_frame("pilot_paused", &r, lang);
            seen.insert(page_of(&r));
            app.post_form(&run, &[&step[..], &[("_action", "next")]].concat())
                .await
                .assert_status(303);
            let r = app.get(&run).await;
            check_frame("pilot_review", &r, lang);
            seen.insert(page_of(&r));
            let receipt = app.post_form(&format!("{run}/send"), &[]).await.location();
            let r = app.get(&receipt).await;
            r.assert_status(200);
            check_frame("pilot_receipt", &r, lang);
            seen.insert(page_of(&r));
        }
        let r = app
            .post_form(
                &format!("/challenges/{}/questions", challenge.slug),
                &[("body", "Gibt es eine API?")],
            )
            .await;
        check_frame("question_asked", &r, lang);
        seen.insert(page_of(&r));
        let link = r
            .body
            .split("href=\"/questions/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#x3D;", "=");
        let r = app.get(&format!("/questions/{link}")).await;
        r.assert_status(200);
        check_frame("question", &r, lang);
        seen.insert(page_of(&r));
        let r = app
            .post_form("/password/forgot", &[("email", "pages-owner@example.org")])
            .await;
        check_frame("forgot_sent", &r, lang);
        seen.insert(page_of(&r));
        let r = app
            .post_form(
                "/register",
                &[
                    ("email", &format!("new-{lang}@example.org")),
                    ("display_name", "Neu"),
                    ("password", PASSWORD),
                    ("locale", lang),
                ],
            )
            .await;
        check_frame("registered", &r, lang);
        seen.insert(page_of(&r));

        app.log_in_as(&admin);
        app.post_form("/language", &[("lang", lang)]).await;
        let member_pages = [
            "/account".to_string(),
            "/invitations".into(),
            "/organisations/new".into(),
            format!("/organisations/{}/members", org.slug),
            "/admin".into(),
            "/admin/users".into(),
            "/admin/organisations".into(),
            "/admin/audit".into(),
            "/admin/topics".into(),
            "/admin/topics/pages-thema".into(),
            "/dashboard".into(),
            "/notifications".into(),
            "/challenges/new".into(),
            format!("/challenges/{}/edit", challenge.slug),
            format!("/challenges/{}/questions", challenge.slug),
            format!("/challenges/{}/stages", challenge.slug),
            format!("/challenges/{}/proposals", challenge.slug),
            format!("/proposals/{}", proposal.id),
            format!("/proposals/{}/revisions", proposal.id),
            format!("/challenges/{}/evaluation", evaluated.slug),
            format!("/challenges/{}/evaluators", evaluated.slug),
            format!("/stages/{stage_id}/ranking"),
            format!("/proposals/{}/reviews", reviewed.id),
            format!("/challenges/{}/results", evaluated.slug),
        ];
        for path in &member_pages {
            let r = app.get(path).await;
            assert_eq!(r.status.as_u16(), 200, "{path}");
            check_frame(path, &r, lang);
            seen.insert(page_of(&r));
        }
        app.log_in_as(&evaluator);
        app.post_form("/language", &[("lang", lang)]).await;
        for path in [
            "/evaluation".to_string(),
            format!("/assignments/{assignment_id}/review"),
            format!("/proposals/{}", reviewed.id),
            format!("/proposals/{}/clarifications", reviewed.id),
        ] {
            let r = app.get(&path).await;
            r.assert_status(200);
            check_frame(&path, &r, lang);
            seen.insert(page_of(&r));
        }
        app.log_in_as(&team_lead);
        app.post_form("/language", &[("lang", lang)]).await;
        for path in [
            format!("/challenges/{}/proposals/new", other.slug),
            format!("/proposals/{}/edit", proposal.id),
            format!("/proposals/{}", proposal.id),
            "/dashboard".to_string(),
            format!("/organisations/{team_org_slug}/forms"),
            format!("/forms/{form_id}"),
            format!("/forms/{form_id}/pages/new?type=choice"),
            format!("/forms/{form_id}/pages/1"),
            format!("/forms/{form_id}/pages/1/fields/new?type=number"),
            format!("/forms/{form_id}/fields/name"),
            format!("/proposals/{}/answers", proposal.id),
            format!("/proposals/{}/pilots", proposal.id),
            format!("/proposals/{}/pilots/new", proposal.id),
            format!("/pilots/{pilot_id}"),
        ] {
            let r = app.get(&path).await;
            r.assert_status(200);
            check_frame(&path, &r, lang);
            seen.insert(page_of(&r));
        }
        app.log_in_as(&owner);
        app.post_form("/language", &[("lang", lang)]).await;
        let r = app.get(&format!("/organisations/{}/edit", org.slug)).await;
        r.assert_status(200);
        check_frame("edit", &r, lang);
        // Pages with their error state render too.
        let r = app
            .post_form("/organisations", &[("name", ""), ("kind", "")])
            .await;
        r.assert_status(422);
        check_frame("organisation_form with errors", &r, lang);
        assert!(r.body.contains("class=\"error-summary\""));
    }

    let all: BTreeSet<String> = app
        .state
        .templates
        .page_names()
        .into_iter()
        .map(|n| n.trim_start_matches("pages/").to_string())
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "page templates no test renders: {missing:?}"
    );
}

#[actix_web::test]
async fn error_pages_are_translated() {
    let mut app = TestApp::new().await;
    app.get("/nope")
        .await
        .assert_status(404)
        .assert_contains("Seite nicht gefunden");
    let r = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/nope")
                .insert_header(("Accept-Language", "en")),
        )
        .await;
    r.assert_status(404)
        .assert_contains("Page not found")
        .assert_contains("lang=\"en\"");
    let u = app.create_user("forbidden@example.org", "F");
    app.log_in_as(&u);
    app.get("/admin")
        .await
        .assert_status(403)
        .assert_contains("Keine Berechtigung");
    app.log_out();
    let r = app.get("/admin").await;
    assert!(r.is_login_redirect());
    let login = app.get(&r.location()).await;
    login
        .assert_status(200)
        .assert_contains("Bitte melden Sie sich an, um fortzufahren")
        .assert_contains("value=\"/admin\"");
}

#[actix_web::test]
async fn healthz_checks_the_database() {
    let mut app = TestApp::new().await;
    let r = app.get("/healthz").await;
    r.assert_status(200);
    assert_eq!(r.json()["database"], "ok");
}

#[actix_web::test]
async fn anonymous_visitors_share_cached_pages_but_each_gets_their_own_token() {
    let mut app = TestApp::builder().page_cache(60_000).build().await;
    let staff = app.create_user("cache@example.org", "Cache");
    let agency = app.create_org(&staff, "Cache-Amt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Zwischengespeichert", "open", 10);
    let first = app.get(&format!("/challenges/{}", c.slug)).await;
    first
        .assert_status(200)
        .assert_contains("Zwischengespeichert");
    let token = |r: &Resp| {
        r.body
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let before = app.state.statements.get();
    app.log_out();
    let second = app.get(&format!("/challenges/{}", c.slug)).await;
    assert_eq!(
        app.state.statements.get(),
        before,
        "a cache hit runs no SQL"
    );
    second
        .assert_status(200)
        .assert_contains("Zwischengespeichert");
    assert_ne!(token(&first), token(&second));
    assert!(!second.body.contains('\u{1}'), "no marker is left behind");
    // The token fits the visitor's own pre-session cookie: asking a question works.
    app.post_form_raw(
        &format!("/challenges/{}/questions", c.slug),
        &[("body", "Geht das?"), ("csrf_token", &token(&second))],
    )
    .await
    .assert_status(200);
    // The public API list is shared the same way; bearer callers are not cached.
    let first = app
        .api(
            actix_web::http::Method::GET,
            "/api/v1/challenges",
            None,
            None,
        )
        .await;
    first.assert_status(200);
    let before = app.state.statements.get();
    let again = app
        .api(
            actix_web::http::Method::GET,
            "/api/v1/challenges",
            None,
            None,
        )
        .await;
    assert_eq!(app.state.statements.get(), before);
    assert_eq!(again.json(), first.json());
    assert!(again
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    // A challenge page shows signed-in people their own tools: always fresh.
    app.log_in_as(&staff);
    let before = app.state.statements.get();
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Verwaltung dieser Herausforderung");
    assert!(app.state.statements.get() > before);
}

#[actix_web::test]
async fn signed_in_people_share_the_list_content_in_their_own_layout() {
    let mut app = TestApp::builder().page_cache(60_000).build().await;
    let staff = app.create_user("liste@example.org", "Ada Listig");
    let other = app.create_user("zweite@example.org", "Bert Zweiter");
    let agency = app.create_org(&staff, "Listen-Amt", OrgKind::Agency, true);
    app.create_challenge(&agency, &staff, "Geteilte Liste", "open", 10);
    app.log_in_as(&staff);
    let first = app.get("/challenges").await;
    first.assert_status(200).assert_contains("Geteilte Liste");
    first.assert_contains("Ada Listig");
    app.log_in_as(&other);
    let before = app.state.statements.get();
    let second = app.get("/challenges").await;
    // Only the session lookup runs; the list itself comes from the cache.
    assert!(
        app.state.statements.get() - before <= 2,
        "the list content was built again"
    );
    second
        .assert_status(200)
        .assert_contains("Geteilte Liste")
        .assert_contains("Bert Zweiter");
    assert!(!second.body.contains("Ada Listig"), "someone else's layout");
    assert!(!second.body.contains('\u{1}'), "no marker is left behind");
    // Visitors get their own copy, with the layout for visitors.
    app.log_out();
    let visitor = app.get("/challenges").await;
    visitor
        .assert_contains("Geteilte Liste")
        .assert_contains("/register");
    assert!(!visitor.body.contains("Bert Zweiter"));
}
