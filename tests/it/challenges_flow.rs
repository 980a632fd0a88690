//! Challenges through the HTML pages: writing a draft, the state machine, the public list
//! with its filters, public questions, the agency's files, and escaping of every text.

use actix_web::http::header;
use actix_web::test::TestRequest;
use diesel::prelude::*;

use innolab::db::schema::{attachments, challenge_topics, challenges, follows, questions};
use innolab::domain::accounts::User;
use innolab::domain::challenges::Challenge;
use innolab::domain::organisations::Organisation;
use innolab::kinds::{ChallengeStatus, Level, OrgKind, ProposalVisibility, Role};

use crate::support::{Resp, TestApp};

// ---------------------------------------------------------------------------------------
// Helpers shared with `proposals_flow`.

/// Sends a multipart upload as the browser form does: the CSRF token first, then the file.
pub(crate) async fn upload(
    app: &mut TestApp,
    path: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Resp {
    let token = app.csrf_token().await;
    upload_with_token(app, path, &token, filename, content_type, bytes).await
}

pub(crate) async fn upload_with_token(
    app: &mut TestApp,
    path: &str,
    token: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Resp {
    let boundary = "----innolab-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::with_capacity(bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.send(
        TestRequest::post()
            .uri(path)
            .insert_header((
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body),
    )
    .await
}

/// A small, valid-looking PDF (the type is decided by the magic bytes).
pub(crate) const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

/// The ids of the attachments of one owner, oldest first.
pub(crate) fn attachment_ids(app: &TestApp, owner_type: &str, owner_id: i64) -> Vec<i64> {
    app.with_conn(|c| {
        attachments::table
            .filter(attachments::owner_type.eq(owner_type))
            .filter(attachments::owner_id.eq(owner_id))
            .order(attachments::id.asc())
            .select(attachments::id)
            .load(c)
            .unwrap()
    })
}

pub(crate) fn set_deadline(app: &TestApp, challenge_id: i64, at: chrono::NaiveDateTime) {
    app.with_conn(|c| {
        diesel::update(challenges::table.find(challenge_id))
            .set(challenges::submission_deadline.eq(at))
            .execute(c)
            .unwrap()
    });
}

pub(crate) fn load_challenge(app: &TestApp, id: i64) -> Challenge {
    app.with_conn(|c| innolab::domain::challenges::find(c, id).unwrap())
}

// ---------------------------------------------------------------------------------------
// Local helpers.

/// A verified agency with its owner and one more member.
fn agency(app: &TestApp, prefix: &str, name: &str, verified: bool) -> (Organisation, User, User) {
    let owner = app.create_user(
        &format!("{prefix}-chef@example.org"),
        &format!("{name} Chefin"),
    );
    let staff = app.create_user(
        &format!("{prefix}-staff@example.org"),
        &format!("{name} Team"),
    );
    let org = app.create_org(&owner, name, OrgKind::Agency, verified);
    app.add_member(&org, &staff, Role::Member);
    (org, owner, staff)
}

/// The fields of a complete challenge form.
fn challenge_form(org_id: String, title: &str) -> Vec<(String, String)> {
    [
        ("organisation_id", org_id.as_str()),
        ("title", title),
        ("summary", "Anträge auf Papier dauern zu lange."),
        ("description", "## Ausgangslage\n\nViel **Papier**."),
        ("language", "de"),
        ("eligibility_startup", "1"),
        ("eligibility_research", "1"),
        ("level", "land"),
        ("region", "Brandenburg"),
        ("budget_eur", "45.000"),
        ("submission_deadline", "2031-01-31T12:00"),
        ("contact", "vergabe@example.org"),
        ("proposal_visibility", "private"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub(crate) fn set(fields: &mut Vec<(String, String)>, key: &str, value: &str) {
    fields.retain(|(k, _)| k != key);
    fields.push((key.to_string(), value.to_string()));
}

pub(crate) async fn post_owned(app: &mut TestApp, path: &str, fields: &[(String, String)]) -> Resp {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(path, &borrowed).await
}

async fn transition(app: &mut TestApp, slug: &str, t: &str) -> Resp {
    app.post_form(
        &format!("/challenges/{slug}/transition"),
        &[("transition", t)],
    )
    .await
}

fn status_of(app: &TestApp, slug: &str) -> String {
    app.with_conn(|c| {
        challenges::table
            .filter(challenges::slug.eq(slug))
            .select(challenges::status)
            .first::<String>(c)
            .unwrap()
    })
}

fn challenge_count(app: &TestApp) -> i64 {
    app.with_conn(|c| challenges::table.count().get_result(c).unwrap())
}

fn question_count(app: &TestApp) -> i64 {
    app.with_conn(|c| questions::table.count().get_result(c).unwrap())
}

/// The private link on the "question sent" page, unescaped: `/questions/{id}?key=...`.
fn private_link(r: &Resp) -> String {
    let rest = r
        .body
        .split("href=\"/questions/")
        .nth(1)
        .unwrap_or_else(|| panic!("no private link in {}", r.body));
    format!(
        "/questions/{}",
        rest.split('"').next().unwrap().replace("&#x3D;", "=")
    )
}

fn question_id_of(link: &str) -> i64 {
    link.trim_start_matches("/questions/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Where in the body `needle` first occurs (for order checks).
#[track_caller]
fn pos(r: &Resp, needle: &str) -> usize {
    r.body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in page"))
}

// ---------------------------------------------------------------------------------------
// Writing and the state machine.

#[actix_web::test]
async fn an_agency_member_drafts_a_challenge_that_only_the_agency_sees_until_it_is_published() {
    let mut app = TestApp::new().await;
    let (org, _, staff) = agency(&app, "nord", "Stadt Nordheim", true);
    let stranger = app.create_user("fremd@example.org", "Fremd");
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(
            c,
            "ki",
            "Künstliche Intelligenz",
            "Artificial intelligence",
        )
        .unwrap()
    });

    app.log_in_as(&staff);
    app.get("/challenges/new")
        .await
        .assert_status(200)
        .assert_contains("name=\"topic_ki\"")
        .assert_contains("Stadt Nordheim");
    let mut fields = challenge_form(org.id.to_string(), "Digitale Hundesteuer");
    set(&mut fields, "topic_ki", "1");
    let r = post_owned(&mut app, "/challenges", &fields).await;
    r.assert_status(303);
    assert_eq!(r.location(), "/challenges/digitale-hundesteuer");

    // What the database holds: a draft with every field as typed.
    let c = app.with_conn(|c| {
        innolab::domain::challenges::find_by_slug(c, "digitale-hundesteuer").unwrap()
    });
    assert_eq!(c.status, ChallengeStatus::Draft);
    assert_eq!(c.organisation_id, org.id);
    assert_eq!(c.budget_eur, Some(45000));
    assert_eq!(c.level, Level::Land);
    let mut eligible: Vec<&str> = c.eligibility.split(',').collect();
    eligible.sort();
    assert_eq!(eligible, ["research", "startup"]);
    assert_eq!(c.proposal_visibility, ProposalVisibility::Private);
    assert!(c.published_at.is_none());
    // 12:00 in Berlin in winter is 11:00 UTC.
    assert_eq!(c.submission_deadline.to_string(), "2031-01-31 11:00:00");
    let topic_count: i64 = app.with_conn(|conn| {
        challenge_topics::table
            .filter(challenge_topics::challenge_id.eq(c.id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(topic_count, 1);

    // The agency sees its draft with the preview note and the publish button.
    app.get("/challenges/digitale-hundesteuer")
        .await
        .assert_status(200)
        .assert_contains("Vorschau: Dieser Entwurf ist noch nicht veröffentlicht")
        .assert_contains("Digitale Hundesteuer")
        .assert_contains("45.000 €")
        .assert_contains("Künstliche Intelligenz")
        .assert_contains("value=\"publish\"");

    // Visitors and other users do not: not on the page, not in the list.
    app.log_out();
    app.get("/challenges/digitale-hundesteuer")
        .await
        .assert_status(404);
    app.get("/challenges?status=all")
        .await
        .assert_status(200)
        .assert_not_contains("Digitale Hundesteuer")
        .assert_contains("Keine Herausforderung gefunden.");
    app.log_in_as(&stranger);
    app.get("/challenges/digitale-hundesteuer")
        .await
        .assert_status(404);

    // Publishing opens it.
    app.log_in_as(&staff);
    let r = transition(&mut app, "digitale-hundesteuer", "publish").await;
    r.assert_status(303);
    assert_eq!(r.location(), "/challenges/digitale-hundesteuer");
    let c = load_challenge(&app, c.id);
    assert_eq!(c.status, ChallengeStatus::Open);
    assert!(c.published_at.is_some());

    app.log_out();
    app.get("/challenges")
        .await
        .assert_status(200)
        .assert_contains("Digitale Hundesteuer")
        .assert_contains("Eine Herausforderung");
    app.get("/challenges/digitale-hundesteuer")
        .await
        .assert_status(200)
        .assert_contains("Offen")
        .assert_not_contains("Vorschau:")
        .assert_not_contains("/transition");
}

#[actix_web::test]
async fn illegal_transitions_are_refused_with_a_message_and_change_nothing() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "sued", "Land Südwest", true);
    let c = app.create_challenge(&org, &owner, "Schulbau planen", "open", 30);
    app.log_in_as(&staff);
    for t in [
        "conclude",
        "publish",
        "start_evaluation",
        "archive",
        "explode",
    ] {
        transition(&mut app, &c.slug, t)
            .await
            .assert_status(409)
            .assert_contains("Dieser Schritt ist im aktuellen Status nicht möglich.");
        assert_eq!(status_of(&app, &c.slug), "open", "after {t}");
    }
    // The legal path still works, one step at a time.
    for (t, expected) in [
        ("close", "closed"),
        ("start_evaluation", "evaluating"),
        ("conclude", "concluded"),
        ("archive", "archived"),
    ] {
        transition(&mut app, &c.slug, t).await.assert_status(303);
        assert_eq!(status_of(&app, &c.slug), expected);
    }
}

#[actix_web::test]
async fn an_unverified_agency_may_write_a_draft_but_not_publish_it() {
    let mut app = TestApp::new().await;
    let (org, _, staff) = agency(&app, "neu", "Amt in Gründung", false);
    app.log_in_as(&staff);
    let r = post_owned(
        &mut app,
        "/challenges",
        &challenge_form(org.id.to_string(), "Ungeprüfte Idee"),
    )
    .await;
    r.assert_status(303);
    transition(&mut app, "ungepruefte-idee", "publish")
        .await
        .assert_status(409)
        .assert_contains("Diese Behörde ist noch nicht von der Plattform geprüft.");
    assert_eq!(status_of(&app, "ungepruefte-idee"), "draft");
    // Archiving is no way around it: archived challenges are public, drafts never were.
    transition(&mut app, "ungepruefte-idee", "archive")
        .await
        .assert_status(409);
    assert_eq!(status_of(&app, "ungepruefte-idee"), "draft");
    app.log_out();
    app.get("/challenges/ungepruefte-idee")
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn a_challenge_whose_deadline_has_passed_cannot_be_published() {
    let mut app = TestApp::new().await;
    let (org, _, staff) = agency(&app, "alt", "Amt Gestern", true);
    app.log_in_as(&staff);
    let mut fields = challenge_form(org.id.to_string(), "Zu spät");
    set(&mut fields, "submission_deadline", "2020-01-31T12:00");
    post_owned(&mut app, "/challenges", &fields)
        .await
        .assert_status(303);
    transition(&mut app, "zu-spaet", "publish")
        .await
        .assert_status(409)
        .assert_contains("Die Einreichungsfrist muss in der Zukunft liegen.");
    assert_eq!(status_of(&app, "zu-spaet"), "draft");
}

#[actix_web::test]
async fn members_of_another_agency_cannot_edit_move_or_write_for_a_challenge() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "a", "Amt A", true);
    let (other_org, _, other_staff) = agency(&app, "b", "Amt B", true);
    let open = app.create_challenge(&org, &owner, "Offene Aufgabe", "open", 30);
    let draft = app.create_challenge(&org, &owner, "Geheimer Entwurf", "draft", 30);

    app.log_in_as(&other_staff);
    app.get(&format!("/challenges/{}/edit", open.slug))
        .await
        .assert_status(403);
    post_owned(
        &mut app,
        &format!("/challenges/{}/edit", open.slug),
        &challenge_form(String::new(), "Gekapert"),
    )
    .await
    .assert_status(403);
    transition(&mut app, &open.slug, "close")
        .await
        .assert_status(403);
    app.get(&format!("/challenges/{}/questions", open.slug))
        .await
        .assert_status(403);
    let still = load_challenge(&app, open.id);
    assert_eq!(still.title, "Offene Aufgabe");
    assert_eq!(still.status, ChallengeStatus::Open);

    // Their drafts do not even exist for outsiders.
    app.get(&format!("/challenges/{}", draft.slug))
        .await
        .assert_status(404);
    app.get(&format!("/challenges/{}/edit", draft.slug))
        .await
        .assert_status(404);
    transition(&mut app, &draft.slug, "publish")
        .await
        .assert_status(404);
    assert_eq!(
        load_challenge(&app, draft.id).status,
        ChallengeStatus::Draft
    );

    // Writing in another agency's name is refused and stores nothing.
    let before = challenge_count(&app);
    post_owned(
        &mut app,
        "/challenges",
        &challenge_form(org.id.to_string(), "Untergeschoben"),
    )
    .await
    .assert_status(403);
    assert_eq!(challenge_count(&app), before);
    let _ = other_org;

    // The agency's own member may edit.
    app.log_in_as(&staff);
    let r = post_owned(
        &mut app,
        &format!("/challenges/{}/edit", open.slug),
        &challenge_form(String::new(), "Offene Aufgabe, genauer"),
    )
    .await;
    r.assert_status(303);
    assert_eq!(
        load_challenge(&app, open.id).title,
        "Offene Aufgabe, genauer"
    );
}

#[actix_web::test]
async fn bad_challenge_input_is_refused_with_every_problem_and_keeps_what_was_typed() {
    let mut app = TestApp::new().await;
    let (org, _, staff) = agency(&app, "form", "Amt Formular", true);
    app.log_in_as(&staff);
    let mut fields = challenge_form(org.id.to_string(), "");
    set(&mut fields, "budget_eur", "viel");
    set(&mut fields, "submission_deadline", "bald");
    set(&mut fields, "summary", "Diese Beschreibung bleibt stehen.");
    set(&mut fields, "region", "Uckermark");
    fields.retain(|(k, _)| k != "eligibility_startup");
    let r = post_owned(&mut app, "/challenges", &fields).await;
    r.assert_status(422)
        .assert_contains("Bitte korrigieren Sie Folgendes")
        .assert_contains("href=\"#field-title\"")
        .assert_contains("href=\"#field-budget_eur\"")
        .assert_contains("href=\"#field-submission_deadline\"")
        .assert_contains("Bitte füllen Sie dieses Feld aus.")
        .assert_contains("Bitte geben Sie das Budget als ganze Euro-Zahl ein")
        .assert_contains("Bitte geben Sie Datum und Uhrzeit ein")
        // What was typed stays.
        .assert_contains("value=\"viel\"")
        .assert_contains("value=\"bald\"")
        .assert_contains("Diese Beschreibung bleibt stehen.")
        .assert_contains("value=\"Uckermark\"")
        .assert_contains("name=\"eligibility_research\" value=\"1\" checked")
        .assert_contains("name=\"eligibility_startup\" value=\"1\">")
        .assert_contains(&format!("<option value=\"{}\" selected>", org.id));
    assert_eq!(challenge_count(&app), 0);

    // Nobody eligible is a problem too.
    let mut fields = challenge_form(org.id.to_string(), "Ohne Zielgruppe");
    fields.retain(|(k, _)| !k.starts_with("eligibility_"));
    post_owned(&mut app, "/challenges", &fields)
        .await
        .assert_status(422)
        .assert_contains("Bitte wählen Sie mindestens eine Art von Organisation")
        .assert_contains("value=\"Ohne Zielgruppe\"");
    assert_eq!(challenge_count(&app), 0);
}

// ---------------------------------------------------------------------------------------
// The public list.

#[actix_web::test]
async fn the_list_filters_by_status_topic_level_agency_deadline_and_words() {
    let mut app = TestApp::new().await;
    let (nord, nord_owner, _) = agency(&app, "n", "Stadt Nordheim", true);
    let (sued, sued_owner, _) = agency(&app, "s", "Land Südwest", true);
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(c, "ki", "Künstliche Intelligenz", "AI").unwrap();
        innolab::domain::topics::insert_missing(c, "mobilitaet", "Mobilität", "Mobility").unwrap();
    });
    let soon = app.create_challenge(&nord, &nord_owner, "Formulare ohne papierstau", "open", 5);
    let parking = app.create_challenge(&nord, &nord_owner, "Parkraum zählen", "open", 40);
    let closed = app.create_challenge(&sued, &sued_owner, "Schulbau planen", "closed", 10);
    let water = app.create_challenge(&sued, &sued_owner, "Wassermanagement", "open", 30);
    app.create_challenge(&nord, &nord_owner, "Geheimer Entwurf", "draft", 20);
    app.with_conn(|c| {
        let ki: i64 = innolab::db::schema::topics::table
            .filter(innolab::db::schema::topics::slug.eq("ki"))
            .select(innolab::db::schema::topics::id)
            .first(c)
            .unwrap();
        diesel::insert_into(challenge_topics::table)
            .values((
                challenge_topics::challenge_id.eq(soon.id),
                challenge_topics::topic_id.eq(ki),
            ))
            .execute(c)
            .unwrap();
        diesel::update(challenges::table.find(parking.id))
            .set(challenges::level.eq("bund"))
            .execute(c)
            .unwrap();
        for id in [closed.id, water.id] {
            diesel::update(challenges::table.find(id))
                .set(challenges::level.eq("land"))
                .execute(c)
                .unwrap();
        }
    });
    let all = [
        "Formulare ohne papierstau",
        "Parkraum zählen",
        "Schulbau planen",
        "Wassermanagement",
        "Geheimer Entwurf",
    ];
    let check = |r: &Resp, expected: &[&str]| {
        assert_eq!(r.status.as_u16(), 200);
        for t in all {
            assert_eq!(
                r.body.contains(t),
                expected.contains(&t),
                "{t}: expected {}",
                if expected.contains(&t) {
                    "listed"
                } else {
                    "absent"
                }
            );
        }
    };

    // Visitors land on the open ones.
    let r = app.get("/challenges").await;
    check(
        &r,
        &[
            "Formulare ohne papierstau",
            "Parkraum zählen",
            "Wassermanagement",
        ],
    );
    r.assert_contains("3 Herausforderungen");
    check(
        &app.get("/challenges?status=closed").await,
        &["Schulbau planen"],
    );
    let r = app.get("/challenges?status=all").await;
    check(
        &r,
        &[
            "Formulare ohne papierstau",
            "Parkraum zählen",
            "Schulbau planen",
            "Wassermanagement",
        ],
    );
    r.assert_contains("4 Herausforderungen");
    // Asking for drafts shows no drafts.
    app.get("/challenges?status=draft")
        .await
        .assert_not_contains("Geheimer Entwurf");

    check(
        &app.get("/challenges?topic=ki").await,
        &["Formulare ohne papierstau"],
    );
    app.get("/challenges?topic=mobilitaet")
        .await
        .assert_contains("Keine Herausforderung gefunden.");
    check(&app.get("/challenges?topic=gibt-es-nicht").await, &[]);
    check(
        &app.get("/challenges?level=bund").await,
        &["Parkraum zählen"],
    );
    check(
        &app.get("/challenges?level=land&status=all").await,
        &["Schulbau planen", "Wassermanagement"],
    );
    check(
        &app.get(&format!("/challenges?agency={}", sued.slug)).await,
        &["Wassermanagement"],
    );
    check(
        &app.get(&format!("/challenges?agency={}&status=all", sued.slug))
            .await,
        &["Schulbau planen", "Wassermanagement"],
    );
    check(
        &app.get("/challenges?soon=1").await,
        &["Formulare ohne papierstau"],
    );
    app.settle_search();
    check(
        &app.get("/challenges?q=papierstau").await,
        &["Formulare ohne papierstau"],
    );
    check(&app.get("/challenges?q=nirgendwo").await, &[]);
    // Wildcards typed by people are no wildcards.
    check(
        &app.get("/challenges?q=%25%25").await,
        &[
            "Formulare ohne papierstau",
            "Parkraum zählen",
            "Wassermanagement",
        ],
    );

    // Sorting: deadline first by default, by title, or newest first.
    let r = app.get("/challenges").await;
    assert!(pos(&r, "Formulare ohne") < pos(&r, "Wassermanagement"));
    assert!(pos(&r, "Wassermanagement") < pos(&r, "Parkraum zählen"));
    let r = app.get("/challenges?sort=title").await;
    assert!(pos(&r, "Formulare ohne") < pos(&r, "Parkraum zählen"));
    assert!(pos(&r, "Parkraum zählen") < pos(&r, "Wassermanagement"));
    app.with_conn(|c| {
        for (id, days_ago) in [(soon.id, 3), (parking.id, 1), (water.id, 2)] {
            diesel::update(challenges::table.find(id))
                .set(
                    challenges::published_at
                        .eq(innolab::db::now() - chrono::Duration::days(days_ago)),
                )
                .execute(c)
                .unwrap();
        }
    });
    let r = app.get("/challenges?sort=newest").await;
    assert!(pos(&r, "Parkraum zählen") < pos(&r, "Wassermanagement"));
    assert!(pos(&r, "Wassermanagement") < pos(&r, "Formulare ohne"));
}

#[actix_web::test]
async fn searching_challenges_ignores_case_on_both_backends() {
    let mut app = TestApp::new().await;
    let (org, owner, _) = agency(&app, "q", "Amt Suche", true);
    app.create_challenge(&org, &owner, "Hundesteuer digital", "open", 30);
    app.settle_search();
    for q in [
        "Hundesteuer",
        "hundesteuer",
        "HUNDESTEUER",
        "kurzbeschreibung",
    ] {
        app.get(&format!("/challenges?q={q}"))
            .await
            .assert_status(200)
            .assert_contains("Hundesteuer digital");
    }
}

#[actix_web::test]
async fn the_list_shows_twenty_per_page_with_links_between_pages() {
    let mut app = TestApp::new().await;
    let (org, owner, _) = agency(&app, "p", "Amt Viele", true);
    for i in 0..25 {
        app.create_challenge(&org, &owner, &format!("Aufgabe {i:02}"), "open", 1 + i);
    }
    let page1 = app.get("/challenges").await;
    page1
        .assert_status(200)
        .assert_contains("25 Herausforderungen")
        .assert_contains("Aufgabe 00")
        .assert_contains("Aufgabe 19")
        .assert_not_contains("Aufgabe 20")
        .assert_contains("rel=\"next\"")
        .assert_contains("page&#x3D;2")
        .assert_contains("Seite 1 von 2");
    assert_eq!(page1.body.matches("<article class=\"card\"").count(), 20);
    let page2 = app.get("/challenges?page=2").await;
    page2
        .assert_status(200)
        .assert_contains("Aufgabe 20")
        .assert_contains("Aufgabe 24")
        .assert_not_contains("Aufgabe 00")
        .assert_contains("rel=\"prev\"")
        .assert_not_contains("rel=\"next\"");
    assert_eq!(page2.body.matches("<article class=\"card\"").count(), 5);
    // Filters survive paging.
    app.get("/challenges?sort=title&page=2")
        .await
        .assert_contains("sort&#x3D;title&amp;page&#x3D;1");

    // "Next" continues after the page's last row and "previous" before its first, as the
    // links say (keyset pagination: the same rows as by number).
    let link = |r: &Resp, rel: &str| -> String {
        let tag = format!("rel=\"{rel}\"");
        let at = r.body.find(&tag).unwrap_or_else(|| panic!("no {rel} link"));
        let href = r.body[..at].rfind("href=\"").unwrap() + 6;
        let end = href + r.body[href..].find('"').unwrap();
        r.body[href..end]
            .replace("&amp;", "&")
            .replace("&#x3D;", "=")
    };
    let id_of = |app: &TestApp, title: &str| {
        app.with_conn(|conn| {
            challenges::table
                .filter(challenges::title.eq(title))
                .select(challenges::id)
                .first::<i64>(conn)
                .unwrap()
        })
    };
    let next = link(&page1, "next");
    assert_eq!(
        next,
        format!("/challenges?page=2&after={}", id_of(&app, "Aufgabe 19"))
    );
    let by_link = app.get(&next).await;
    by_link
        .assert_status(200)
        .assert_contains("Seite 2 von 2")
        .assert_contains("Aufgabe 20")
        .assert_contains("Aufgabe 24")
        .assert_not_contains("Aufgabe 19");
    let prev = link(&by_link, "prev");
    assert_eq!(
        prev,
        format!("/challenges?page=1&before={}", id_of(&app, "Aufgabe 20"))
    );
    let back = app.get(&prev).await;
    back.assert_contains("Seite 1 von 2")
        .assert_contains("Aufgabe 00")
        .assert_contains("Aufgabe 19")
        .assert_not_contains("Aufgabe 20");
    assert_eq!(back.body.matches("<article class=\"card\"").count(), 20);
}

// ---------------------------------------------------------------------------------------
// Questions.

#[actix_web::test]
async fn an_anonymous_question_stays_private_until_the_agency_answers_it_publicly() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "fr", "Amt Fragen", true);
    let c = app.create_challenge(&org, &owner, "Bürgerportal", "open", 30);
    let follower = app.create_user("folgt@example.org", "Fiona Folgt");
    let page = format!("/challenges/{}", c.slug);

    app.log_in_as(&follower);
    app.post_form(&format!("{page}/follow"), &[("follow", "1")])
        .await
        .assert_status(303);
    let following: i64 = app.with_conn(|conn| {
        follows::table
            .filter(follows::user_id.eq(follower.id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(following, 1);
    app.get(&page).await.assert_contains("Nicht mehr folgen");

    // A visitor asks.
    app.log_out();
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", "Gibt es eine Schnittstelle zum Fachverfahren?")],
        )
        .await;
    r.assert_status(200)
        .assert_contains("Frage gesendet")
        .assert_contains("privaten Link");
    let link = private_link(&r);
    assert!(link.contains("?key="), "{link}");
    let qid = question_id_of(&link);

    // Nothing about the asker is stored.
    let (asker, status, key_hash): (Option<i64>, String, Option<String>) = app.with_conn(|conn| {
        questions::table
            .find(qid)
            .select((
                questions::asker_id,
                questions::status,
                questions::follow_key_hash,
            ))
            .first(conn)
            .unwrap()
    });
    assert_eq!(asker, None);
    assert_eq!(status, "open");
    assert!(key_hash.is_some());

    // The private link shows it; a wrong key or none does not.
    app.get(&link)
        .await
        .assert_status(200)
        .assert_contains("Gibt es eine Schnittstelle zum Fachverfahren?")
        .assert_contains("wartet auf Antwort");
    app.get(&format!("/questions/{qid}?key=falsch"))
        .await
        .assert_status(404);
    app.get(&format!("/questions/{qid}"))
        .await
        .assert_status(404);

    // Not public yet.
    app.get(&page)
        .await
        .assert_status(200)
        .assert_not_contains("Schnittstelle zum Fachverfahren")
        .assert_contains("Noch keine öffentlichen Fragen.");

    // The agency is told and sees it on its desk, without a name.
    app.log_in_as(&staff);
    app.get("/notifications")
        .await
        .assert_contains("Neue Frage zu „Bürgerportal“.");
    app.get(&format!("{page}/questions"))
        .await
        .assert_status(200)
        .assert_contains("Gibt es eine Schnittstelle zum Fachverfahren?")
        .assert_contains("Anonym")
        .assert_contains("wartet auf Antwort");

    let r = app
        .post_form(
            &format!("/questions/{qid}/respond"),
            &[
                ("decision", "answer"),
                ("answer", "Ja, über eine REST-Schnittstelle."),
            ],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("{page}/questions"));

    // Now everybody sees question and answer.
    app.log_out();
    app.get(&page)
        .await
        .assert_contains("Gibt es eine Schnittstelle zum Fachverfahren?")
        .assert_contains("Antwort:")
        .assert_contains("Ja, über eine REST-Schnittstelle.")
        .assert_contains("Anonym");
    app.get(&link)
        .await
        .assert_contains("Ja, über eine REST-Schnittstelle.")
        .assert_contains("beantwortet");

    // The follower was told.
    app.log_in_as(&follower);
    app.get("/notifications")
        .await
        .assert_status(200)
        .assert_contains("Eine Frage zu „Bürgerportal“ wurde beantwortet.")
        .assert_contains(&format!("href=\"{page}#questions\""));
}

#[actix_web::test]
async fn questions_come_twenty_to_a_page_on_the_challenge_and_on_the_desk() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "fs", "Amt Seiten", true);
    let asker = app.create_user("fragt@example.org", "Fragende");
    let c = app.create_challenge(&org, &owner, "Viele Fragen", "open", 30);
    app.answered_questions(&c, &asker, &staff, 25);
    let page = format!("/challenges/{}", c.slug);
    let next = format!("href=\"{page}?page&#x3D;2#questions\"");

    // The newest twenty, a link to the rest, and the rest of the page as before.
    let first = app.get(&page).await;
    first
        .assert_status(200)
        .assert_contains("Testfrage 24")
        .assert_contains("Testfrage 05")
        .assert_not_contains("Testfrage 04")
        .assert_contains(&next)
        .assert_contains("Seite 1 von 2")
        .assert_contains("<h2 id=\"description-title\">")
        .assert_contains(&format!("action=\"{page}/questions\""));
    assert_eq!(first.body.matches("Testfrage ").count(), 20);
    assert!(pos(&first, "Testfrage 24") < pos(&first, "Testfrage 23"));
    let second = app.get(&format!("{page}?page=2")).await;
    second
        .assert_status(200)
        .assert_contains("Testfrage 04")
        .assert_contains("Testfrage 00")
        .assert_not_contains("Testfrage 05")
        .assert_contains("rel=\"prev\"")
        .assert_not_contains("rel=\"next\"")
        .assert_contains(&format!("action=\"{page}/questions\""));
    assert_eq!(second.body.matches("Testfrage ").count(), 5);

    // The agency's desk pages the same way.
    app.log_in_as(&staff);
    let desk = app.get(&format!("{page}/questions")).await;
    desk.assert_status(200)
        .assert_contains("Testfrage 24")
        .assert_not_contains("Testfrage 04")
        .assert_contains("rel=\"next\"")
        .assert_contains("Seite 1 von 2");
    assert_eq!(desk.body.matches("id=\"question-").count(), 20);
    let desk2 = app.get(&format!("{page}/questions?page=2")).await;
    desk2
        .assert_status(200)
        .assert_contains("Testfrage 00")
        .assert_not_contains("rel=\"next\"");
    assert_eq!(desk2.body.matches("id=\"question-").count(), 5);
}

#[actix_web::test]
async fn a_declined_question_stays_off_the_public_page_and_its_asker_sees_the_reason() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "ab", "Amt Ablehnung", true);
    let c = app.create_challenge(&org, &owner, "Radwege", "open", 30);
    let page = format!("/challenges/{}", c.slug);
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", "Wie hoch ist Ihr Gehalt?")],
        )
        .await;
    let link = private_link(&r);
    let qid = question_id_of(&link);

    app.log_in_as(&staff);
    // Neither an answer nor a reason: refused with a notice, nothing changes.
    let r = app
        .post_form(
            &format!("/questions/{qid}/respond"),
            &[("decision", "decline"), ("reason", "  ")],
        )
        .await;
    r.assert_status(303);
    app.get(&r.location())
        .await
        .assert_contains("Bitte schreiben Sie eine Antwort oder einen Grund für die Ablehnung.");
    let status: String = app.with_conn(|conn| {
        questions::table
            .find(qid)
            .select(questions::status)
            .first(conn)
            .unwrap()
    });
    assert_eq!(status, "open");

    app.post_form(
        &format!("/questions/{qid}/respond"),
        &[
            ("decision", "decline"),
            ("reason", "Das betrifft nicht die Herausforderung."),
        ],
    )
    .await
    .assert_status(303);
    let (status, reason, answer): (String, Option<String>, Option<String>) =
        app.with_conn(|conn| {
            questions::table
                .find(qid)
                .select((
                    questions::status,
                    questions::decline_reason,
                    questions::answer,
                ))
                .first(conn)
                .unwrap()
        });
    assert_eq!(status, "declined");
    assert_eq!(
        reason.as_deref(),
        Some("Das betrifft nicht die Herausforderung.")
    );
    assert_eq!(answer, None);
    app.get(&format!("{page}/questions"))
        .await
        .assert_contains("abgelehnt")
        .assert_contains("Das betrifft nicht die Herausforderung.");

    app.log_out();
    app.get(&page)
        .await
        .assert_not_contains("Wie hoch ist Ihr Gehalt?");
    app.get(&link)
        .await
        .assert_status(200)
        .assert_contains("abgelehnt")
        .assert_contains("Nicht beantwortet, weil:")
        .assert_contains("Das betrifft nicht die Herausforderung.");
}

#[actix_web::test]
async fn a_signed_in_asker_who_gives_their_name_is_shown_with_it() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "nm", "Amt Namen", true);
    let c = app.create_challenge(&org, &owner, "Open Data", "open", 30);
    let maria = app.create_user("maria@example.org", "Maria Muster");
    let page = format!("/challenges/{}", c.slug);

    app.log_in_as(&maria);
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", "In welchem Format liegen die Daten vor?")],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("{page}#questions"));
    let (qid, asker, key_hash): (i64, Option<i64>, Option<String>) = app.with_conn(|conn| {
        questions::table
            .select((
                questions::id,
                questions::asker_id,
                questions::follow_key_hash,
            ))
            .first(conn)
            .unwrap()
    });
    assert_eq!(asker, Some(maria.id));
    assert_eq!(key_hash, None);
    // She sees her own open question, with her name and its status.
    app.get(&page)
        .await
        .assert_contains("In welchem Format liegen die Daten vor?")
        .assert_contains("Maria Muster")
        .assert_contains("wartet auf Antwort");
    // A named question has no private link.
    app.get(&format!("/questions/{qid}?key=x"))
        .await
        .assert_status(404);

    // Choosing to stay anonymous while signed in stores no name.
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", "Gibt es Testdaten?"), ("anonymous", "1")],
        )
        .await;
    r.assert_status(200);
    let anon_id = question_id_of(&private_link(&r));
    let anon_asker: Option<i64> = app.with_conn(|conn| {
        questions::table
            .find(anon_id)
            .select(questions::asker_id)
            .first(conn)
            .unwrap()
    });
    assert_eq!(anon_asker, None);

    // Others do not see the open question.
    app.log_out();
    app.get(&page)
        .await
        .assert_not_contains("In welchem Format");

    // The agency sees who asked the named one, and answers.
    app.log_in_as(&staff);
    app.get(&format!("{page}/questions"))
        .await
        .assert_contains("Maria Muster")
        .assert_contains("Gibt es Testdaten?");
    app.post_form(
        &format!("/questions/{qid}/respond"),
        &[("decision", "answer"), ("answer", "Als CSV und JSON.")],
    )
    .await
    .assert_status(303);

    app.log_out();
    app.get(&page)
        .await
        .assert_contains("In welchem Format liegen die Daten vor?")
        .assert_contains("Maria Muster")
        .assert_contains("Als CSV und JSON.");
    // The named asker is told.
    app.log_in_as(&maria);
    app.get("/notifications")
        .await
        .assert_contains("Eine Frage zu „Open Data“ wurde beantwortet.");
}

#[actix_web::test]
async fn hiding_a_question_removes_it_from_the_public_page() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "hd", "Amt Moderation", true);
    let (_, _, other_staff) = agency(&app, "hx", "Amt Anderswo", true);
    let c = app.create_challenge(&org, &owner, "Lärmkarte", "open", 30);
    let page = format!("/challenges/{}", c.slug);
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", "Unverschämte Frage mit Beleidigung")],
        )
        .await;
    let qid = question_id_of(&private_link(&r));
    app.log_in_as(&staff);
    app.post_form(
        &format!("/questions/{qid}/respond"),
        &[
            ("decision", "answer"),
            ("answer", "Wir antworten trotzdem."),
        ],
    )
    .await
    .assert_status(303);
    app.log_out();
    app.get(&page)
        .await
        .assert_contains("Unverschämte Frage mit Beleidigung");

    // Nobody else may hide it.
    app.log_in_as(&other_staff);
    app.post_form(
        &format!("/questions/{qid}/visibility"),
        &[("hide", "1"), ("reason", "Sabotage")],
    )
    .await
    .assert_status(403);
    app.log_out();
    assert!(app
        .post_form(
            &format!("/questions/{qid}/visibility"),
            &[("hide", "1"), ("reason", "Sabotage")],
        )
        .await
        .is_login_redirect());

    app.log_in_as(&staff);
    app.post_form(
        &format!("/questions/{qid}/visibility"),
        &[("hide", "1"), ("reason", "Beleidigend")],
    )
    .await
    .assert_status(303);
    let (hidden_at, reason): (Option<chrono::NaiveDateTime>, Option<String>) =
        app.with_conn(|conn| {
            questions::table
                .find(qid)
                .select((questions::hidden_at, questions::hidden_reason))
                .first(conn)
                .unwrap()
        });
    assert!(hidden_at.is_some());
    assert_eq!(reason.as_deref(), Some("Beleidigend"));
    app.get(&format!("{page}/questions"))
        .await
        .assert_contains("Unverschämte Frage mit Beleidigung")
        .assert_contains("ausgeblendet");

    app.log_out();
    app.get(&page)
        .await
        .assert_status(200)
        .assert_not_contains("Unverschämte Frage")
        .assert_not_contains("Wir antworten trotzdem.");

    // And it can be shown again.
    app.log_in_as(&staff);
    app.post_form(&format!("/questions/{qid}/visibility"), &[("hide", "0")])
        .await
        .assert_status(303);
    app.log_out();
    app.get(&page)
        .await
        .assert_contains("Unverschämte Frage mit Beleidigung");
}

#[actix_web::test]
async fn robots_filling_the_honeypot_store_nothing() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "hp", "Amt Honig", true);
    let c = app.create_challenge(&org, &owner, "Spamfreie Zone", "open", 30);
    let r = app
        .post_form(
            &format!("/challenges/{}/questions", c.slug),
            &[
                ("body", "Billige Uhren kaufen"),
                ("website", "https://spam.example"),
            ],
        )
        .await;
    // Looks like success to the robot.
    r.assert_status(303);
    assert_eq!(r.location(), format!("/challenges/{}#questions", c.slug));
    assert_eq!(question_count(&app), 0);
    app.log_in_as(&staff);
    app.get("/notifications")
        .await
        .assert_not_contains("Neue Frage");
    app.get(&format!("/challenges/{}/questions", c.slug))
        .await
        .assert_not_contains("Billige Uhren");
}

#[actix_web::test]
async fn the_eleventh_question_from_one_address_within_an_hour_is_refused() {
    let mut app = TestApp::new().await;
    let (org, owner, _) = agency(&app, "rl", "Amt Grenzen", true);
    let c = app.create_challenge(&org, &owner, "Viele Fragen", "open", 30);
    let path = format!("/challenges/{}/questions", c.slug);
    for i in 1..=10 {
        app.post_form(&path, &[("body", &format!("Frage Nummer {i}"))])
            .await
            .assert_status(200);
    }
    app.post_form(&path, &[("body", "Frage Nummer elf")])
        .await
        .assert_status(429)
        // The typed question is not lost.
        .assert_contains("Frage Nummer elf");
    assert_eq!(question_count(&app), 10);
    // Another address may still ask.
    app.peer = "203.0.113.9:5000".into();
    app.post_form(&path, &[("body", "Frage von woanders")])
        .await
        .assert_status(200);
    assert_eq!(question_count(&app), 11);
}

#[actix_web::test]
async fn an_empty_or_overlong_question_is_refused_and_keeps_what_was_typed() {
    let mut app = TestApp::new().await;
    let (org, owner, _) = agency(&app, "lr", "Amt Leer", true);
    let c = app.create_challenge(&org, &owner, "Leere Fragen", "open", 30);
    let path = format!("/challenges/{}/questions", c.slug);
    app.post_form(&path, &[("body", "   ")])
        .await
        .assert_status(422)
        .assert_contains("href=\"#field-body\"")
        .assert_contains("Bitte füllen Sie dieses Feld aus.")
        // Still the challenge page, with the form to try again.
        .assert_contains("Leere Fragen")
        .assert_contains("name=\"body\"");
    let long = format!("Anfang {} Ende", "sehr ".repeat(500));
    app.post_form(&path, &[("body", &long)])
        .await
        .assert_status(422)
        .assert_contains("Dieser Text ist zu lang.")
        .assert_contains(&long);
    assert_eq!(question_count(&app), 0);
}

#[actix_web::test]
async fn drafts_take_no_questions() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "dq", "Amt Entwurf", true);
    let c = app.create_challenge(&org, &owner, "Noch geheim", "draft", 30);
    app.post_form(
        &format!("/challenges/{}/questions", c.slug),
        &[("body", "Psst?")],
    )
    .await
    .assert_status(404);
    app.log_in_as(&staff);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_status(200)
        .assert_not_contains("action=\"/challenges/noch-geheim/questions\"");
    app.post_form(
        &format!("/challenges/{}/questions", c.slug),
        &[("body", "Psst?")],
    )
    .await
    .assert_status(404);
    assert_eq!(question_count(&app), 0);
}

// ---------------------------------------------------------------------------------------
// Files.

#[actix_web::test]
async fn agency_files_are_checked_by_content_and_served_as_downloads() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "fi", "Amt Dateien", true);
    let (_, _, other_staff) = agency(&app, "fo", "Amt Fremd", true);
    let c = app.create_challenge(&org, &owner, "Mit Unterlagen", "open", 30);
    let path = format!("/challenges/{}/attachments", c.slug);

    app.log_in_as(&staff);
    let r = upload(
        &mut app,
        &path,
        "Leistungsbeschreibung.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/challenges/{}#attachments", c.slug));
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Die Datei wurde hochgeladen.")
        .assert_contains("Leistungsbeschreibung.pdf")
        .assert_contains("application/pdf");
    let ids = attachment_ids(&app, "challenge", c.id);
    assert_eq!(ids.len(), 1);
    let id = ids[0];

    // Everybody may download the files of a published challenge, always as a download.
    app.log_out();
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains(&format!("href=\"/attachments/{id}\""));
    let dl = app.get(&format!("/attachments/{id}")).await;
    dl.assert_status(200);
    assert_eq!(
        dl.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let disposition = dl.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("Leistungsbeschreibung.pdf"),
        "{disposition}"
    );
    assert_eq!(dl.body.as_bytes(), PDF);
    app.get("/attachments/999999").await.assert_status(404);

    // A script dressed up as a PDF is refused with a notice.
    app.log_in_as(&staff);
    let r = upload(
        &mut app,
        &path,
        "x.pdf",
        "application/pdf",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    r.assert_status(303);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Dieser Dateityp ist nicht erlaubt")
        .assert_not_contains("x.pdf");
    // An empty file too.
    upload(&mut app, &path, "leer.pdf", "application/pdf", b"")
        .await
        .assert_status(303);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Bitte wählen Sie eine Datei aus.");
    assert_eq!(attachment_ids(&app, "challenge", c.id).len(), 1);

    // Without the form's token nothing is stored.
    upload_with_token(&mut app, &path, "falsch", "b.pdf", "application/pdf", PDF)
        .await
        .assert_status(403);
    // Nor by others.
    app.log_in_as(&other_staff);
    upload(&mut app, &path, "fremd.pdf", "application/pdf", PDF)
        .await
        .assert_status(403);
    app.log_out();
    assert!(
        upload(&mut app, &path, "anonym.pdf", "application/pdf", PDF)
            .await
            .is_login_redirect()
    );
    assert_eq!(attachment_ids(&app, "challenge", c.id).len(), 1);
}

#[actix_web::test]
async fn an_upload_over_the_limit_is_refused() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "gr", "Amt Groß", true);
    let c = app.create_challenge(&org, &owner, "Große Pläne", "open", 30);
    let limit = app.state.config.upload_limit_bytes;
    let mut big = Vec::with_capacity(limit + 1);
    big.extend_from_slice(PDF);
    big.resize(limit + 1, b'0');
    app.log_in_as(&staff);
    let r = upload(
        &mut app,
        &format!("/challenges/{}/attachments", c.slug),
        "riesig.pdf",
        "application/pdf",
        &big,
    )
    .await;
    r.assert_status(303);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Die Datei ist zu groß.")
        .assert_not_contains("riesig.pdf");
    assert!(attachment_ids(&app, "challenge", c.id).is_empty());
}

#[actix_web::test]
async fn files_of_a_draft_challenge_are_hidden_from_everybody_outside_the_agency() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "df", "Amt Vorab", true);
    let (_, _, other_staff) = agency(&app, "dg", "Amt Neugierig", true);
    let c = app.create_challenge(&org, &owner, "Noch nicht offen", "draft", 30);
    app.log_in_as(&staff);
    upload(
        &mut app,
        &format!("/challenges/{}/attachments", c.slug),
        "entwurf.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(303);
    let id = attachment_ids(&app, "challenge", c.id)[0];
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(200);

    app.log_out();
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(404);
    app.log_in_as(&other_staff);
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(404);

    app.log_in_as(&staff);
    transition(&mut app, &c.slug, "publish")
        .await
        .assert_status(303);
    app.log_out();
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(200);
}

// ---------------------------------------------------------------------------------------
// Escaping.

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

#[track_caller]
fn assert_inert(where_: &str, r: &Resp) {
    assert_eq!(r.status.as_u16(), 200, "{where_}");
    for raw in [
        "<script>alert(1)",
        "<img src=x onerror",
        "onerror=alert",
        "\"><img",
    ] {
        assert!(
            !r.body.contains(raw),
            "{where_}: unescaped {raw:?} in page:\n{}",
            r.body
        );
    }
}

#[actix_web::test]
async fn script_in_challenge_and_question_texts_is_never_rendered_as_markup() {
    let mut app = TestApp::new().await;
    let (org, _, staff) = agency(&app, "xs", "Amt Sicher", true);
    app.log_in_as(&staff);
    let title = format!("Titel {SCRIPT} {IMG}");
    let mut fields = challenge_form(org.id.to_string(), &title);
    set(&mut fields, "summary", &format!("Kurz {SCRIPT} {IMG}"));
    set(
        &mut fields,
        "description",
        &format!("Lang {SCRIPT}\n\n{IMG}\n\n<img src=x onerror=alert(1)>"),
    );
    set(&mut fields, "region", IMG);
    set(&mut fields, "contact", SCRIPT);
    let r = post_owned(&mut app, "/challenges", &fields).await;
    r.assert_status(303);
    let page = r.location();
    let slug = page.trim_start_matches("/challenges/").to_string();
    // The draft preview is safe too.
    assert_inert("draft preview", &app.get(&page).await);
    transition(&mut app, &slug, "publish")
        .await
        .assert_status(303);
    app.post_form(&format!("{page}/follow"), &[("follow", "1")])
        .await
        .assert_status(303);

    // A question and its answer with the same payloads.
    app.log_out();
    let r = app
        .post_form(
            &format!("{page}/questions"),
            &[("body", &format!("Frage {SCRIPT} {IMG}"))],
        )
        .await;
    assert_inert("question sent", &r);
    let link = private_link(&r);
    let qid = question_id_of(&link);
    app.log_in_as(&staff);
    assert_inert("desk", &app.get(&format!("{page}/questions")).await);
    app.post_form(
        &format!("/questions/{qid}/respond"),
        &[
            ("decision", "answer"),
            ("answer", &format!("Antwort {SCRIPT} {IMG}")),
        ],
    )
    .await
    .assert_status(303);

    let desk = app.get(&format!("{page}/questions")).await;
    assert_inert("desk after answer", &desk);
    desk.assert_contains("Frage &lt;script&gt;alert(1)")
        .assert_contains("Antwort &lt;script&gt;alert(1)");
    let dashboard = app.get("/dashboard").await;
    assert_inert("dashboard", &dashboard);
    dashboard.assert_contains("Titel &lt;script&gt;alert(1)");
    let notifications = app.get("/notifications").await;
    assert_inert("notifications", &notifications);
    notifications.assert_contains("Titel &lt;script&gt;alert(1)");
    assert_inert("edit form", &app.get(&format!("{page}/edit")).await);
    // The form re-displayed after an error echoes the payload safely too.
    let mut bad = fields.clone();
    set(&mut bad, "budget_eur", "viel");
    let r = post_owned(&mut app, "/challenges", &bad).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(!r.body.contains("<script>alert(1)") && !r.body.contains("\"><img"));

    app.log_out();
    let detail = app.get(&page).await;
    assert_inert("detail", &detail);
    // The texts are shown, as text.
    detail
        .assert_contains("Titel &lt;script&gt;alert(1)")
        .assert_contains("Frage &lt;script&gt;alert(1)")
        .assert_contains("Antwort &lt;script&gt;alert(1)")
        .assert_contains("Kurz &lt;script&gt;");
    let list = app.get("/challenges").await;
    assert_inert("list", &list);
    list.assert_contains("Titel &lt;script&gt;alert(1)");
    assert_inert(
        "search",
        &app.get("/challenges?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg")
            .await,
    );
    assert_inert("private link", &app.get(&link).await);
}

#[actix_web::test]
async fn the_stage_editor_adds_orders_and_removes_stages_and_names_each_problem() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("stages@example.org", "Stufen");
    let agency = app.create_org(&staff, "Stufenamt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Stufen-Herausforderung", "open", 20);
    app.log_in_as(&staff);
    let path = format!("/challenges/{}/stages", c.slug);
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("name=\"stage_0_name\"");

    // A weight that is no number is refused, naming stage and criterion; input stays.
    let r = app
        .post_form(
            &path,
            &[
                ("stage_0_name", "Bewertung"),
                ("stage_0_reviewers", "2"),
                ("stage_0_crit_0_name", "Wirkung"),
                ("stage_0_crit_0_weight", "viel"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Stufe 1, Kriterium 1")
        .assert_contains("value=\"Wirkung\"");

    let r = app
        .post_form(
            &path,
            &[
                ("stage_0_name", "Fachliche Bewertung"),
                ("stage_0_position", "2"),
                ("stage_0_reviewers", "3"),
                ("stage_0_blind", "1"),
                ("stage_0_crit_0_name", "Wirkung"),
                ("stage_0_crit_0_weight", "0,6"),
                ("stage_0_crit_0_comment_required", "1"),
                ("stage_0_crit_1_name", "Machbarkeit"),
                ("stage_1_name", "Formale Prüfung"),
                ("stage_1_position", "1"),
                ("stage_1_kind", "eligibility"),
                ("stage_1_reviewers", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stages =
        app.with_conn(|conn| innolab::domain::evaluation::stages::stages_of(conn, c.id).unwrap());
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].stage.name, "Formale Prüfung");
    assert_eq!(stages[1].stage.reviewers_per_proposal, 3);
    assert!(stages[1].stage.blind);
    assert_eq!(stages[1].criteria.len(), 2);
    assert!((stages[1].criteria[0].weight - 0.6).abs() < 1e-9);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Fachliche Bewertung")
        .assert_contains("Machbarkeit");

    // Removing a stage.
    app.post_form(
        &path,
        &[
            ("stage_0_name", "Formale Prüfung"),
            ("stage_0_reviewers", "1"),
            ("stage_0_remove", "1"),
            ("stage_1_name", "Fachliche Bewertung"),
            ("stage_1_reviewers", "3"),
        ],
    )
    .await;
    assert_eq!(
        app.with_conn(
            |conn| innolab::domain::evaluation::stages::stages_of(conn, c.id)
                .unwrap()
                .len()
        ),
        1
    );

    // Others may not touch it.
    let other = app.create_user("nosy@example.org", "Neugierig");
    app.log_in_as(&other);
    app.get(&path).await.assert_status(403);
    app.post_form(
        &path,
        &[("stage_0_name", "Gekapert"), ("stage_0_reviewers", "1")],
    )
    .await
    .assert_status(403);
}

#[actix_web::test]
async fn followers_hear_of_new_documents() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "fd", "Amt Folgen", true);
    let c = app.create_challenge(&org, &owner, "Mit Nachlieferung", "open", 30);
    let fan = app.create_user("fan@example.org", "Fan");
    app.log_in_as(&fan);
    app.post_form(
        &format!("/challenges/{}/follow", c.slug),
        &[("follow", "1")],
    )
    .await
    .assert_status(303);
    app.log_in_as(&staff);
    upload(
        &mut app,
        &format!("/challenges/{}/attachments", c.slug),
        "Nachtrag.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(303);
    app.log_in_as(&fan);
    app.get("/notifications")
        .await
        .assert_contains("Neues Dokument zu „Mit Nachlieferung“");
}

#[actix_web::test]
async fn followers_are_reminded_once_when_the_deadline_is_near() {
    let mut app = TestApp::new().await;
    let (org, owner, _) = agency(&app, "rm", "Amt Erinnerung", true);
    let soon = app.create_challenge(&org, &owner, "Bald vorbei", "open", 2);
    let later = app.create_challenge(&org, &owner, "Noch lange", "open", 20);
    let fan = app.create_user("reminded@example.org", "Fan");
    app.log_in_as(&fan);
    for c in [&soon, &later] {
        app.post_form(
            &format!("/challenges/{}/follow", c.slug),
            &[("follow", "1")],
        )
        .await
        .assert_status(303);
    }
    let three_days = chrono::Duration::days(3);
    let sent = app.with_conn(|c| {
        innolab::db::write_tx(c, |c| {
            innolab::domain::challenges::remind_deadlines(c, three_days)
        })
        .unwrap()
    });
    assert_eq!(sent, 1);
    let again = app.with_conn(|c| {
        innolab::db::write_tx(c, |c| {
            innolab::domain::challenges::remind_deadlines(c, three_days)
        })
        .unwrap()
    });
    assert_eq!(again, 0, "once per challenge");
    let page = app.get("/notifications").await;
    page.assert_contains("Die Einreichungsfrist von „Bald vorbei“ endet bald.");
    page.assert_not_contains("Noch lange");
}

#[actix_web::test]
async fn the_agency_deletes_a_file_and_it_is_gone() {
    let mut app = TestApp::new().await;
    let (org, owner, staff) = agency(&app, "dl", "Amt Löschen", true);
    let c = app.create_challenge(&org, &owner, "Mit Irrtum", "open", 30);
    app.log_in_as(&staff);
    upload(
        &mut app,
        &format!("/challenges/{}/attachments", c.slug),
        "Falsch.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(303);
    let id = attachment_ids(&app, "challenge", c.id)[0];
    let r = app
        .post_form(&format!("/attachments/{id}/delete"), &[])
        .await;
    assert_eq!(r.location(), format!("/challenges/{}#attachments", c.slug));
    assert!(attachment_ids(&app, "challenge", c.id).is_empty());
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Die Datei wurde gelöscht.")
        .assert_not_contains("Falsch.pdf");
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(404);
    let audited: i64 = app.with_conn(|conn| {
        innolab::db::schema::audit_log::table
            .filter(innolab::db::schema::audit_log::action.eq("attachment_deleted"))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(audited, 1);
}

/// A page of the list is found three ways: by its number (counting from the nearer end
/// of the list), after the last row of the page before ("next"), and before the first row
/// of the page after ("previous"). Read page by page each way must give exactly the
/// order of one long page, for every sort and with and without a status filter, ties in
/// title or deadline included; a cursor that names a draft or nothing gives the page by
/// its number, so where a page starts tells nothing about a draft.
#[actix_web::test]
async fn every_page_of_the_list_continues_the_order_of_the_one_before() {
    use innolab::domain::challenges::{list, ListFilter};
    use innolab::domain::pagination::{Cursor, Page};

    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Seitenweise", OrgKind::Agency, true);
    // Titles and deadlines repeat, so the order must fall back to the id.
    for (i, (title, status, days)) in [
        ("Brücke", "open", 9),
        ("Ampel", "open", 3),
        ("Brücke", "closed", 3),
        ("Zebrastreifen", "open", 9),
        ("Ampel", "concluded", 1),
        ("Radweg", "open", 3),
        ("Brücke", "open", 9),
    ]
    .into_iter()
    .enumerate()
    {
        let c = app.create_challenge(&agency, &staff, title, status, days);
        // Published in creation order, a minute apart, two of them at the same minute.
        app.with_conn(|conn| {
            diesel::update(challenges::table.find(c.id))
                .set(
                    challenges::published_at
                        .eq(innolab::db::now() - chrono::Duration::minutes(10 - (i as i64).min(5))),
                )
                .execute(conn)
                .unwrap();
        });
    }
    // A draft sorts among them in every order.
    let draft = app.create_challenge(&agency, &staff, "Brücke", "draft", 3);
    for sort in ["deadline", "newest", "title"] {
        for status in [None, Some(ChallengeStatus::Open)] {
            let filter = ListFilter {
                status,
                sort: Some(sort.into()),
                ..ListFilter::default()
            };
            let page_of = |page: i64, per_page: i64, cursor: Option<Cursor>| -> Vec<i64> {
                app.with_conn(|conn| {
                    list(conn, &filter, Page { page, per_page }, cursor)
                        .unwrap()
                        .items
                        .iter()
                        .map(|i| i.challenge.id)
                        .collect()
                })
            };
            let ids = |page: i64, per_page: i64| page_of(page, per_page, None);
            let whole = ids(1, 100);
            // Forwards through "next": each page after the last row of the one before.
            let mut walked = ids(1, 2);
            let mut page = walked.clone();
            for n in 2..=4 {
                page = page_of(n, 2, page.last().map(|id| Cursor::After(*id)));
                walked.extend(&page);
            }
            assert_eq!(walked, whole, "next links, sort {sort}, status {status:?}");
            // Backwards through "previous", from the last page.
            let last = (whole.len() as i64 + 1) / 2;
            let mut page = ids(last, 2);
            let mut walked = page.clone();
            for n in (1..last).rev() {
                page = page_of(n, 2, page.first().map(|id| Cursor::Before(*id)));
                walked.splice(0..0, page.iter().copied());
            }
            assert_eq!(
                walked, whole,
                "previous links, sort {sort}, status {status:?}"
            );
            // A cursor naming a draft or nothing: the page by its number.
            for gone in [draft.id, -7] {
                assert_eq!(page_of(2, 2, Some(Cursor::After(gone))), ids(2, 2));
                assert_eq!(page_of(2, 2, Some(Cursor::Before(gone))), ids(2, 2));
            }
            let whole = ids(1, 100);
            // By number: pages in the second half are counted from the end.
            let paged: Vec<i64> = (1..=4).flat_map(|p| ids(p, 2)).collect();
            assert_eq!(paged, whole, "sort {sort}, status {status:?}");
            let paged: Vec<i64> = (1..=3).flat_map(|p| ids(p, 3)).collect();
            assert_eq!(paged, whole, "pages of 3, sort {sort}, status {status:?}");
            assert!(ids(5, 2).is_empty() && ids(9, 3).is_empty(), "past the end");
            assert_eq!(whole.len(), if status.is_some() { 5 } else { 7 });
            // And the order is the one asked for.
            let rows: Vec<Challenge> = app.with_conn(|conn| {
                whole
                    .iter()
                    .map(|id| innolab::domain::challenges::find(conn, *id).unwrap())
                    .collect()
            });
            let mut expected = rows.clone();
            match sort {
                "title" => expected.sort_by(|a, b| (&a.title, a.id).cmp(&(&b.title, b.id))),
                "newest" => expected.sort_by_key(|c| std::cmp::Reverse((c.published_at, c.id))),
                _ => expected.sort_by_key(|c| (c.submission_deadline, c.id)),
            }
            let expected: Vec<i64> = expected.iter().map(|c| c.id).collect();
            assert_eq!(whole, expected, "sort {sort}, status {status:?}");
        }
    }
}

/// The list's agency filter offers the agencies with the most published challenges, at
/// most `AGENCY_CHOICES` of them, and always the one chosen, however few it publishes;
/// agencies with only drafts are not offered.
#[actix_web::test]
async fn the_agency_filter_offers_the_busiest_agencies_and_the_chosen_one() {
    use innolab::domain::challenges::{publishing_agencies, AGENCY_CHOICES};

    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let busy = app.create_org(&staff, "Stadt Viel", OrgKind::Agency, true);
    for i in 0..3 {
        app.create_challenge(&busy, &staff, &format!("Aufgabe {i}"), "open", 9);
    }
    let mut quiet = Vec::new();
    for i in 0..AGENCY_CHOICES {
        let org = app.create_org(&staff, &format!("Gemeinde {i:02}"), OrgKind::Agency, true);
        app.create_challenge(&org, &staff, &format!("Frage {i}"), "open", 9);
        quiet.push(org);
    }
    let drafting = app.create_org(&staff, "Amt Entwurf", OrgKind::Agency, true);
    app.create_challenge(&drafting, &staff, "Noch geheim", "draft", 9);

    let offered = app.with_conn(|conn| publishing_agencies(conn, None).unwrap());
    assert_eq!(offered.len() as i64, AGENCY_CHOICES);
    assert!(
        offered.iter().any(|(slug, _)| *slug == busy.slug),
        "the busiest is offered"
    );
    assert!(!offered.iter().any(|(slug, _)| *slug == drafting.slug));
    let mut names: Vec<&String> = offered.iter().map(|(_, n)| n).collect();
    names.sort();
    assert_eq!(
        names,
        offered.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        "by name"
    );
    // One of the quiet ones is left out; chosen, it is offered too.
    let left_out = quiet
        .iter()
        .find(|o| !offered.iter().any(|(slug, _)| *slug == o.slug))
        .expect("one agency beyond the limit");
    let with_chosen = app.with_conn(|conn| publishing_agencies(conn, Some(left_out.id)).unwrap());
    assert!(with_chosen.iter().any(|(slug, _)| *slug == left_out.slug));
    assert_eq!(with_chosen.len() as i64, AGENCY_CHOICES + 1);
}

/// The list's totals and its agency choice come from counts the database's triggers keep
/// (migration challenge_counts). They follow every way a challenge changes: publishing
/// through the page, a status or agency changed by a plain UPDATE, a deletion; and
/// agree with counting the challenges themselves on both backends.
#[actix_web::test]
async fn the_kept_counts_follow_every_change_of_a_challenge() {
    use innolab::domain::challenges::{list, publishing_agencies, ListFilter};
    use innolab::domain::pagination::Page;

    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let north = app.create_org(&staff, "Stadt Nord", OrgKind::Agency, true);
    let south = app.create_org(&staff, "Stadt Süd", OrgKind::Agency, true);
    let draft = app.create_challenge(&north, &staff, "Entwurf Nord", "draft", 9);
    let open = app.create_challenge(&north, &staff, "Offen Nord", "open", 9);
    let closed = app.create_challenge(&south, &staff, "Zu Süd", "closed", 9);
    app.create_challenge(&south, &staff, "Offen Süd", "open", 9);

    // What the list says, against what counting the rows says.
    let agree = |app: &TestApp, when: &str| {
        app.with_conn(|conn| {
            for status in ChallengeStatus::PUBLIC.into_iter().map(Some).chain([None]) {
                let filter = ListFilter {
                    status,
                    ..ListFilter::default()
                };
                let listed = list(conn, &filter, Page::from_request(None, 20), None).unwrap();
                let counted: i64 = challenges::table
                    .filter(
                        challenges::status
                            .eq_any(status.map_or(ChallengeStatus::PUBLIC.to_vec(), |s| vec![s])),
                    )
                    .count()
                    .get_result(conn)
                    .unwrap();
                assert_eq!(listed.total, counted, "{when}: total of {status:?}");
                assert_eq!(
                    listed.items.len() as i64,
                    counted,
                    "{when}: rows of {status:?}"
                );
            }
            publishing_agencies(conn, None)
                .unwrap()
                .into_iter()
                .map(|(slug, _)| slug)
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        agree(&app, "created"),
        [north.slug.clone(), south.slug.clone()]
    );

    app.log_in_as(&staff);
    transition(&mut app, &draft.slug, "publish")
        .await
        .assert_status(303);
    agree(&app, "published through the page");

    app.with_conn(|conn| {
        diesel::update(challenges::table.find(closed.id))
            .set(challenges::status.eq(ChallengeStatus::Archived))
            .execute(conn)
            .unwrap();
        diesel::update(challenges::table.find(open.id))
            .set(challenges::organisation_id.eq(south.id))
            .execute(conn)
            .unwrap();
    });
    agree(&app, "archived and moved by UPDATE");

    // North keeps one published challenge, South three: the busier comes first.
    app.with_conn(|conn| {
        diesel::update(challenges::table.filter(challenges::organisation_id.eq(north.id)))
            .set(challenges::status.eq(ChallengeStatus::Draft))
            .execute(conn)
            .unwrap();
    });
    assert_eq!(
        agree(&app, "north back to drafts"),
        std::slice::from_ref(&south.slug)
    );

    app.with_conn(|conn| {
        diesel::delete(challenges::table.filter(challenges::organisation_id.eq(south.id)))
            .execute(conn)
            .unwrap()
    });
    assert!(agree(&app, "south's deleted").is_empty());
}

/// The list's topic and agency choices are the same for everyone and are kept as long as
/// public pages (`page_cache_ms`), even for signed-in people whose pages are not cached;
/// an agency chosen by address is offered and selected whatever the kept choices hold.
#[actix_web::test]
async fn the_list_keeps_its_filter_choices_and_still_offers_a_chosen_agency() {
    let mut app = TestApp::builder().page_cache(60_000).build().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let first = app.create_org(&staff, "Stadt Früh", OrgKind::Agency, true);
    app.create_challenge(&first, &staff, "Frühe Frage", "open", 9);
    app.log_in_as(&staff);
    let offered = |body: &str, slug: &str| body.contains(&format!("<option value=\"{slug}\""));

    let before = app.get("/challenges?status=all").await;
    assert_eq!(before.status, 200);
    assert!(offered(&before.body, &first.slug));

    let late = app.create_org(&staff, "Stadt Spät", OrgKind::Agency, true);
    app.create_challenge(&late, &staff, "Späte Frage", "open", 9);
    let other_page = app.get("/challenges?status=open").await;
    assert!(
        !offered(&other_page.body, &late.slug),
        "the kept choices serve the next pages, whatever their address"
    );
    let chosen = app
        .get(&format!("/challenges?status=all&agency={}", late.slug))
        .await;
    assert!(chosen.body.contains("Späte Frage"));
    assert!(
        chosen
            .body
            .contains(&format!("<option value=\"{}\" selected>", late.slug)),
        "the chosen agency is offered and selected"
    );
    assert!(offered(&chosen.body, &first.slug), "beside the kept ones");
}
