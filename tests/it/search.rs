//! Search through the pages and the API: what is found, what never is (drafts, private
//! proposals and fields, askers), how changes reach the index, and that no input breaks it.

use diesel::prelude::*;

use innolab::domain::challenges;
use innolab::domain::{proposals, questions};
use innolab::kinds::{OrgKind, Role};
use serde_json::Value;

use crate::support::TestApp;

fn titles(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

fn facet(answer: &Value, dim: &str, value: &str) -> u64 {
    answer["facets"][dim][value].as_u64().unwrap_or(0)
}

/// Sets a challenge's title and description (and empties the summary), as an edit does.
fn set_text(app: &TestApp, c: &challenges::Challenge, title: &str, description: &str) {
    app.with_conn(|conn| {
        diesel::update(innolab::db::schema::challenges::table.find(c.id))
            .set((
                innolab::db::schema::challenges::title.eq(title),
                innolab::db::schema::challenges::summary.eq(""),
                innolab::db::schema::challenges::description.eq(description),
            ))
            .execute(conn)
            .unwrap();
    });
}

#[actix_web::test]
async fn compounds_umlauts_typos_and_phrases_find_the_challenge_with_a_marked_snippet() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Hundesteuer", "open", 30);
    set_text(
        &app,
        &c,
        "Online-Hundesteueranmeldung für die Ausländerbehörde",
        "Die **Hundesteueranmeldung** kommt heute als PDF. Termine vergibt die Behörde per Telefon.",
    );
    let other = app.create_challenge(&agency, &staff, "Parkausweise digital", "open", 30);
    set_text(
        &app,
        &other,
        "Parkausweise digital",
        "Anwohnerparken ohne Papier.",
    );
    app.settle_search();

    for q in [
        "hundesteuer",
        "Anmeldung",
        "Hundesteueranmeldung",
        "Auslaenderbehoerde",
        "auslanderbehorde",
        "Ausländerbehörden",
        "Hundesteueranmeldnug",
        "\"per Telefon\"",
        "termin telefon",
    ] {
        let found = app.search(&[("q", q)]).await;
        assert_eq!(
            titles(&found).first().map(String::as_str),
            Some("Online-Hundesteueranmeldung für die Ausländerbehörde"),
            "{q}: {found}"
        );
        // The match is marked where it is: in the passage shown, or in the title.
        let marked = |field: &str| {
            found["items"][0][field]
                .as_str()
                .unwrap()
                .contains("<mark>")
        };
        assert!(
            marked("snippet_html") || marked("title_html"),
            "{q}: {found}"
        );
    }
    // A phrase needs its words in order; the words alone do not make it.
    let phrase = app.search(&[("q", "\"Telefon per\"")]).await;
    assert_eq!(phrase["total"], 0, "{phrase}");
    // The HTML search page shows the same with its facets as form controls.
    let page = app.get("/search?q=Hundesteuer").await;
    page.assert_status(200)
        .assert_contains("für die Ausländerbehörde")
        .assert_contains("<mark>Hundesteueranmeldung</mark>")
        .assert_contains("type=\"radio\"")
        .assert_contains("<legend>");
    // The challenge list's words go through the same engine (an umlaut typed out).
    let list = app.get("/challenges?q=Auslaenderbehoerde").await;
    list.assert_contains("Online-Hundesteueranmeldung")
        .assert_not_contains("Parkausweise digital");
}

#[actix_web::test]
async fn nothing_private_is_found_counted_or_quoted() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let founder = app.create_user("team@example.org", "Team");
    let team = app.create_org(&founder, "Formwerk GmbH", OrgKind::Startup, false);
    let stranger = app.create_user("fremd@example.org", "Fremd");
    let rival = app.create_org(&stranger, "Andere GmbH", OrgKind::Startup, false);
    let asker = app.create_user("zaphod@example.org", "Zaphod Beeblebrox");

    let draft = app.create_challenge(&agency, &staff, "Entwurf", "draft", 30);
    set_text(
        &app,
        &draft,
        "Geheimplan Quokka",
        "Noch nicht öffentlich: Quokka.",
    );
    let open = app.create_challenge(&agency, &staff, "Offen", "open", 30);
    set_text(
        &app,
        &open,
        "Offene Wombat-Herausforderung",
        "Wombat sucht Hilfe.",
    );
    let submitted = app.create_proposal(&open, &team, &founder, "submitted");
    let second = app.create_org(&founder, "Zweitwerk GmbH", OrgKind::Startup, false);
    let draft_proposal = app.create_proposal(&open, &second, &founder, "draft");
    app.with_conn(|conn| {
        use innolab::db::schema::proposals as p;
        for (id, word) in [(submitted.id, "Numbat"), (draft_proposal.id, "Dugong")] {
            diesel::update(p::table.find(id))
                .set((
                    p::summary.eq(format!("Öffentlicher Teil {word}")),
                    p::team.eq("Kasuar im Team"),
                    p::data_protection.eq("Tresor Kasuar"),
                ))
                .execute(conn)
                .unwrap();
        }
        let (named, _) = questions::ask(
            conn,
            open.id,
            Some(asker.id),
            "Gilt das für Wombat-Gehege?",
            false,
        )
        .unwrap();
        questions::respond(conn, named.id, staff.id, Some("Ja, auch Gehege."), None).unwrap();
        let (anonymous, _) =
            questions::ask(conn, open.id, None, "Anonyme Frage zu Axolotl?", true).unwrap();
        questions::respond(conn, anonymous.id, staff.id, Some("Axolotl gern."), None).unwrap();
        questions::ask(
            conn,
            open.id,
            Some(asker.id),
            "Unbeantwortet Pangolin?",
            false,
        )
        .unwrap();
    });
    app.settle_search();

    // Visitors: the draft challenge, the private proposals, the private fields and the
    // unanswered question are not found, not counted and not quoted; askers never appear.
    for word in [
        "Quokka",
        "Numbat",
        "Dugong",
        "Kasuar",
        "Pangolin",
        "Zaphod",
        "Beeblebrox",
    ] {
        let found = app.search(&[("q", word)]).await;
        assert_eq!(found["total"], 0, "{word}: {found}");
        assert_eq!(found["items"], serde_json::json!([]), "{word}");
        for dim in ["kind", "topic", "status"] {
            assert!(
                found["facets"][dim].as_object().unwrap().is_empty(),
                "{word}: facet {dim} counts something: {found}"
            );
        }
        app.get(&format!("/search?q={word}"))
            .await
            .assert_contains("Keine Treffer")
            .assert_not_contains("Geheimplan")
            .assert_not_contains("Öffentlicher Teil");
    }
    let everything = app.search(&[("q", ""), ("per_page", "100")]).await;
    assert_eq!(facet(&everything, "kind", "proposal"), 0, "{everything}");
    assert_eq!(facet(&everything, "status", "draft"), 0, "{everything}");
    assert_eq!(facet(&everything, "kind", "challenge"), 1, "{everything}");
    let body = everything.to_string();
    assert!(
        !body.contains("Quokka") && !body.contains("Zaphod"),
        "{body}"
    );
    // The answered questions are public, the named asker is not in them.
    let asked = app.search(&[("q", "Axolotl")]).await;
    assert_eq!(asked["total"], 1, "{asked}");
    assert!(!asked.to_string().contains("Zaphod"));
    let asked = app.search(&[("q", "Gehege")]).await;
    assert_eq!(asked["total"], 1, "{asked}");
    assert!(!asked.to_string().contains("Zaphod"));

    // The team finds its draft and its submitted proposal (not by private fields).
    app.log_in_as(&founder);
    assert_eq!(app.search(&[("q", "Dugong")]).await["total"], 1);
    assert_eq!(app.search(&[("q", "Numbat")]).await["total"], 1);
    assert_eq!(app.search(&[("q", "Kasuar")]).await["total"], 0);
    assert_eq!(app.search(&[("q", "Quokka")]).await["total"], 0);
    // The agency finds its draft challenge and the submitted proposal, not the draft one.
    app.log_in_as(&staff);
    assert_eq!(app.search(&[("q", "Quokka")]).await["total"], 1);
    assert_eq!(app.search(&[("q", "Numbat")]).await["total"], 1);
    assert_eq!(app.search(&[("q", "Dugong")]).await["total"], 0);
    let mine = app.search(&[("q", "")]).await;
    assert_eq!(facet(&mine, "kind", "proposal"), 1, "{mine}");
    // Another startup finds none of it.
    app.log_in_as(&stranger);
    for word in ["Quokka", "Numbat", "Dugong"] {
        assert_eq!(app.search(&[("q", word)]).await["total"], 0, "{word}");
    }
    let _ = rival;
    // Membership is read at each search: joining the team shows its draft at once.
    app.with_conn(|conn| {
        innolab::domain::organisations::ensure_member(conn, second.id, stranger.id, Role::Member)
            .unwrap();
    });
    assert_eq!(app.search(&[("q", "Dugong")]).await["total"], 1);
}

#[actix_web::test]
async fn proposals_become_public_with_the_deadline_of_a_challenge_that_opens_them() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let founder = app.create_user("team@example.org", "Team");
    let team = app.create_org(&founder, "Formwerk GmbH", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Offene Ideen", "open", 10);
    let p = app.create_proposal(&c, &team, &founder, "submitted");
    app.with_conn(|conn| {
        use innolab::db::schema::challenges as ch;
        diesel::update(ch::table.find(c.id))
            .set(ch::proposal_visibility.eq("public_after_deadline"))
            .execute(conn)
            .unwrap();
    });
    app.settle_search();
    let q = [("q", "Formwerk"), ("kind", "proposal")];
    assert_eq!(app.search(&q).await["total"], 0, "before the deadline");
    // The deadline passes without any write: visibility follows the clock.
    app.with_conn(|conn| {
        use innolab::db::schema::challenges as ch;
        diesel::update(ch::table.find(c.id))
            .set(ch::submission_deadline.eq(innolab::db::now() - chrono::Duration::days(1)))
            .execute(conn)
            .unwrap();
    });
    app.settle_search();
    let found = app.search(&q).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["url"], format!("/proposals/{}", p.id));
    assert_eq!(facet(&found, "kind", "proposal"), 1);
}

#[actix_web::test]
async fn every_change_reaches_the_index_and_removals_leave_it() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Alter Titel Kakapo", "open", 30);
    app.answered_questions(&c, &staff, &staff, 1);
    app.settle_search();
    assert_eq!(app.search(&[("q", "Kakapo")]).await["total"], 1);

    // An edit replaces the document.
    set_text(&app, &c, "Neuer Titel Kea", "Anders.");
    app.settle_search();
    assert_eq!(app.search(&[("q", "Kakapo")]).await["total"], 0);
    assert_eq!(app.search(&[("q", "Kea")]).await["total"], 1);

    // A hidden question leaves the index; a renamed agency shows in its challenge's card.
    let question = app.search(&[("q", "Testfrage")]).await;
    assert_eq!(question["total"], 1, "{question}");
    let qid = question["items"][0]["id"].as_i64().unwrap();
    app.with_conn(|conn| {
        questions::set_hidden(conn, qid, staff.id, true, "Spam").unwrap();
        diesel::update(innolab::db::schema::organisations::table.find(agency.id))
            .set(innolab::db::schema::organisations::name.eq("Stadt Umbenannt"))
            .execute(conn)
            .unwrap();
    });
    app.settle_search();
    let gone = app.search(&[("q", "Testfrage")]).await;
    assert_eq!(gone["total"], 0, "{gone}");
    let renamed = app
        .search(&[("q", "Umbenannt"), ("kind", "challenge")])
        .await;
    assert_eq!(renamed["total"], 1, "{renamed}");
    // The public question page the results link to exists for answered questions only.
    app.get(&format!("/questions/{qid}"))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn filters_in_the_words_and_in_the_form_narrow_results_and_facets() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let other = app.create_org(&staff, "Landkreis Beispiel", OrgKind::Agency, true);
    let founder = app.create_user("team@example.org", "Team");
    let team = app.create_org(&founder, "Formwerk GmbH", OrgKind::Startup, false);
    let open = app.create_challenge(&agency, &staff, "Formulare offen", "open", 30);
    app.create_challenge(&other, &staff, "Formulare geschlossen", "closed", 30);
    app.create_proposal(&open, &team, &founder, "submitted");
    app.settle_search();

    let all = app.search(&[("q", "Formulare")]).await;
    assert_eq!(all["total"], 2, "{all}");
    assert_eq!(facet(&all, "status", "open"), 1);
    assert_eq!(facet(&all, "status", "closed"), 1);
    for q in [
        vec![("q", "Formulare status:offen")],
        vec![("q", "Formulare"), ("status", "open")],
        vec![("q", "Formulare agency:\"Stadt Musterstadt\"")],
        vec![("q", "Formulare"), ("agency", "stadt-musterstadt")],
    ] {
        let found = app.search(&q).await;
        assert_eq!(titles(&found), ["Formulare offen"], "{q:?}: {found}");
    }
    // A facet is counted without its own filter, so the other choice stays visible.
    let narrowed = app
        .search(&[("q", "Formulare"), ("status", "closed")])
        .await;
    assert_eq!(narrowed["total"], 1);
    assert_eq!(facet(&narrowed, "status", "open"), 1, "{narrowed}");
    // The member of the agency also finds the proposal, by kind.
    app.log_in_as(&staff);
    let props = app.search(&[("q", "kind:vorschlag")]).await;
    assert_eq!(props["total"], 1, "{props}");
    assert_eq!(props["items"][0]["kind"], "proposal");
    // Sorting by deadline or date is accepted; an unknown order is a 400 in the API.
    for sort in ["relevance", "deadline", "newest"] {
        app.search(&[("q", "Formulare"), ("sort", sort)]).await;
    }
    app.get("/api/v1/search?q=x&sort=sideways")
        .await
        .assert_status(400);
    app.get("/api/v1/search?q=x&kind=elephant")
        .await
        .assert_status(400);
    // The page is lenient about the same.
    app.get("/search?q=x&sort=sideways&kind=elephant")
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn any_input_gets_an_answer_never_an_error() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    app.create_challenge(&agency, &staff, "Hundesteuer online", "open", 30);
    app.settle_search();
    let long = "Hundesteuer ".repeat(500);
    let nasty = [
        "\"",
        "\"\"\"",
        "\"Hundesteuer",
        "-",
        "--Hundesteuer",
        "NOT",
        "AND OR NOT",
        "kind:",
        "topic:\"",
        "status:\"\"",
        "::::",
        "*?~^[]{}()\\/",
        "<script>alert(1)</script>",
        "\u{0}\u{7}\u{1b}[31m",
        "💥🐕",
        "ǅ̈̀̕",
        "x:y:z",
        // Found by the random-input test: a repeated word as an exclusion or a phrase.
        "-hund-hund",
        "\"steuer steuer\" hundesteuer -\"online online\"",
        long.as_str(),
    ];
    for q in nasty {
        let api = app.search(&[("q", q)]).await;
        assert!(api["total"].is_i64(), "{q:?}: {api}");
        let page = app
            .get(&format!(
                "/search?{}",
                serde_urlencoded::to_string([("q", q)]).unwrap()
            ))
            .await;
        page.assert_status(200).assert_not_contains("<script>alert");
    }
    let cut = app.search(&[("q", long.as_str())]).await;
    assert_eq!(cut["notices"], serde_json::json!(["truncated"]), "{cut}");
    assert_eq!(cut["total"], 1);
    // Deep pages are capped, not refused.
    app.get("/api/v1/search?q=&page=99999")
        .await
        .assert_status(200);
    // No word matches every result: results for some of them, said so.
    let any = app.search(&[("q", "Hundesteuer Zebrastreifen")]).await;
    assert_eq!(any["total"], 1, "{any}");
    assert_eq!(any["notices"], serde_json::json!(["any_word"]));
}

#[actix_web::test]
async fn a_proposal_withdrawn_by_its_team_stays_findable_only_where_it_may_be_seen() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let founder = app.create_user("team@example.org", "Team");
    let team = app.create_org(&founder, "Formwerk GmbH", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Offen", "open", 30);
    let p = app.create_proposal(&c, &team, &founder, "submitted");
    app.with_conn(|conn| {
        let c = challenges::find(conn, c.id).unwrap();
        proposals::withdraw(conn, &p, &c).unwrap();
    });
    app.settle_search();
    app.log_in_as(&founder);
    let mine = app.search(&[("q", "Formwerk"), ("kind", "proposal")]).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(facet(&mine, "status", "withdrawn"), 1, "{mine}");
    app.log_out();
    assert_eq!(
        app.search(&[("q", "Formwerk"), ("kind", "proposal")]).await["total"],
        0
    );
}

/// Random text through the whole query path: never an error, and every title and
/// snippet is escaped text with balanced `<mark>` tags and no other markup.
#[test]
fn random_input_never_breaks_the_query_path() {
    use innolab::auth::policy::SearchReader;
    use innolab::domain::pagination::Page;
    use innolab::search::{Request, Sort};
    use proptest::prelude::*;

    let app = actix_web::rt::System::new().block_on(TestApp::new());
    app.with_conn(|conn| innolab::seed::apply(conn).unwrap());
    app.settle_search();
    let search = app.state.search.clone();
    let words = "[\"\\-+:()*~^|&!? a-zäöüßA-ZÄÖÜ0-9]{0,60}";
    let config = ProptestConfig {
        cases: 600,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        q in prop_oneof![".{0,300}", words, "(hund|steuer|termin|anmeldung|\"|-|:|kind:|topic:| ){0,12}"],
        kind in proptest::option::of("challenge|proposal|question|organisation|[a-z]{0,8}"),
        status in proptest::option::of("open|offen|submitted|.{0,6}"),
        sort in prop_oneof![Just(Sort::Relevance), Just(Sort::Deadline), Just(Sort::Newest)],
        page in 1i64..200,
    )| {
        let req = Request {
            q,
            kind,
            topic: None,
            status,
            agency: None,
            sort,
            page: Page { page, per_page: 20 },
        };
        let found = search.search(&SearchReader::default(), &req);
        prop_assert!(found.is_ok(), "{:?}", found.err());
        for hit in found.unwrap().hits {
            for html in [&hit.title_html, &hit.snippet_html] {
                let bare = html.replace("<mark>", "").replace("</mark>", "");
                prop_assert!(!bare.contains('<') && !bare.contains('>'), "{html}");
                prop_assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count());
            }
        }
    });
}

/// An index written by another schema version (or unreadable) is rebuilt on opening,
/// without help; until then searches say the index is being built.
#[actix_web::test]
async fn an_index_of_another_version_is_rebuilt_when_opened() {
    use innolab::auth::policy::SearchReader;
    use innolab::search::{Request, Search};

    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    app.create_challenge(&agency, &staff, "Kiwi-Portal", "open", 30);
    let dir = tempfile::tempdir().unwrap();
    let pool = innolab::db::connect(&app.state.config).unwrap();
    let open = || Search::open(dir.path(), pool.clone()).unwrap();
    let found = |s: &Search| {
        s.search(&SearchReader::default(), &Request::words("Kiwi"))
            .unwrap()
    };

    let search = open();
    assert!(search.is_building());
    search.catch_up(std::time::Duration::from_secs(30)).unwrap();
    assert!(!search.is_building());
    assert_eq!(found(&search).total, 1);
    drop(search);
    // Reopened as it is: it resumes, nothing to build.
    let search = open();
    assert!(!search.is_building());
    assert_eq!(found(&search).total, 1);
    drop(search);

    // The last commit claims an older schema version.
    {
        let index = tantivy::Index::open_in_dir(dir.path()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(r#"{"schema":0,"cursor":0,"synced_at":"2026-01-01T00:00:00"}"#);
        commit.commit().unwrap();
    }
    let search = open();
    assert!(search.is_building(), "another version means a new index");
    let building = found(&search);
    assert_eq!(building.total, 0);
    assert!(building
        .notices
        .contains(&innolab::search::execute::Notice::Building));
    search.catch_up(std::time::Duration::from_secs(30)).unwrap();
    assert_eq!(found(&search).total, 1);
}
