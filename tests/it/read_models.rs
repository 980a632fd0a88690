//! Pages and API render the same read models, so they agree for every role: whether the
//! reader may see the proposal at all, whether it names the team, whether the private
//! part and the released outcomes are there, and which actions are offered; and for the
//! evaluation's side views (reviews, discussion, clarifications, evaluator pool, pilot,
//! challenge), the same status and the same redaction.
//!
//! The world is blind review's (`blind_review::world`): a closed challenge with a
//! released first stage (the proposal advanced, with feedback) and a running blind
//! second stage with an assigned evaluator.

use serde_json::Value;

use crate::blind_review::{world, TEAM_SLUG};

/// One reader's view of the proposal through the page and through the API.
struct Seen {
    page: (u16, String),
    api: (u16, Value),
}

/// What the page shows, as the API's terms.
fn page_facts(html: &str, id: i64) -> [(&'static str, bool); 7] {
    [
        (
            "names the team",
            html.contains(&format!("/organisations/{TEAM_SLUG}")),
        ),
        ("private part", html.contains("Hosting in Deutschland")),
        ("team text", html.contains("Drei Leute")),
        ("outcomes", html.contains("id=\"outcomes-title\"")),
        ("edit", html.contains(&format!("/proposals/{id}/edit\""))),
        (
            "withdraw",
            html.contains(&format!("/proposals/{id}/withdraw\"")),
        ),
        ("thread", html.contains("id=\"thread\"")),
    ]
}

/// The same facts from the API's answer.
fn api_facts(v: &Value) -> [(&'static str, bool); 7] {
    let has = |k: &str| v.get(k).is_some_and(|x| !x.is_null());
    [
        ("names the team", has("organisation_id")),
        ("private part", has("data_protection")),
        ("team text", has("team")),
        (
            "outcomes",
            v["outcomes"].as_array().is_some_and(|o| !o.is_empty()),
        ),
        ("edit", v["may"]["edit"] == true),
        ("withdraw", v["may"]["withdraw"] == true),
        ("thread", v["may"]["read_thread"] == true),
    ]
}

#[actix_web::test]
async fn the_proposal_page_and_api_agree_for_every_role() {
    let mut w = world().await;
    let id = w.p.id;
    let stranger = w.app.create_user("fremd@example.org", "Fremd");
    let admin = w
        .app
        .create_user_with("admin@example.org", "Admin", true, true);
    let readers = [
        ("visitor", None),
        ("stranger", Some(stranger)),
        ("team", Some(w.team.clone())),
        ("agency", Some(w.staff.clone())),
        ("blind evaluator", Some(w.blind.clone())),
        ("admin", Some(admin)),
    ];
    let mut seen_any = Vec::new();
    for (role, who) in &readers {
        let page = w.read(who.as_ref(), &format!("/proposals/{id}")).await;
        let (status, body) = w
            .read(who.as_ref(), &format!("/api/v1/proposals/{id}"))
            .await;
        let api = (status, serde_json::from_str(&body).unwrap_or(Value::Null));
        let s = Seen { page, api };
        assert_eq!(
            s.page.0, s.api.0,
            "{role}: the page answers {} and the API {}",
            s.page.0, s.api.0
        );
        if s.page.0 == 200 {
            assert_eq!(
                page_facts(&s.page.1, id),
                api_facts(&s.api.1),
                "{role}: page and API disagree"
            );
            seen_any.push((*role, api_facts(&s.api.1)));
        }
    }
    // The world exercises the differences the view makes, or agreement proves little.
    let fact = |role: &str, name: &str| {
        seen_any
            .iter()
            .find(|(r, _)| *r == role)
            .and_then(|(_, f)| f.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    };
    assert_eq!(
        fact("team", "outcomes"),
        Some(true),
        "the team reads its outcome"
    );
    assert_eq!(fact("team", "names the team"), Some(true));
    assert_eq!(fact("agency", "outcomes"), Some(false));
    assert_eq!(fact("blind evaluator", "names the team"), Some(false));
    assert_eq!(fact("blind evaluator", "team text"), Some(false));
    assert_eq!(fact("blind evaluator", "private part"), Some(true));
    assert_eq!(
        fact("visitor", "names the team"),
        None,
        "a visitor reads nothing"
    );
}

/// Proposing for an organisation that does not exist is 404 on the page as in the API
/// (the page used to say 403); for a public organisation the person does not belong to,
/// both refuse with 403.
#[actix_web::test]
async fn proposing_for_a_foreign_or_unknown_organisation_answers_alike_on_page_and_api() {
    use actix_web::http::Method;
    use innolab::kinds::OrgKind;

    let mut app = crate::support::TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Ort", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Offene Frage", "open", 20);
    let person = app.create_user("person@example.org", "Person");
    let other = app.create_user("andere@example.org", "Andere");
    let foreign = app.create_org(&other, "Fremd GmbH", OrgKind::Startup, false);
    for (org, expected) in [(foreign.id.to_string(), 403), ("999999".to_string(), 404)] {
        app.log_in_as(&person);
        let page = app
            .post_form(
                &format!("/challenges/{}/proposals", c.slug),
                &[("organisation_id", org.as_str()), ("title", "Idee")],
            )
            .await;
        app.log_out();
        let bearer = app.bearer_of(&person).await;
        let api = app
            .api(
                Method::POST,
                &format!("/api/v1/challenges/{}/proposals", c.id),
                Some(serde_json::json!({ "organisation_id": org.parse::<i64>().unwrap(), "title": "Idee" })),
                Some(&bearer),
            )
            .await;
        assert_eq!(
            page.status.as_u16(),
            api.status.as_u16(),
            "organisation {org}"
        );
        assert_eq!(api.status.as_u16(), expected, "organisation {org}");
    }
}

/// One page and the API answer that shows the same thing, with what each says about a
/// fact the domain decides (a text the page shows when the API's answer holds it).
struct Pair {
    page: String,
    api: String,
    /// The text both carry when the reader may see it.
    shows: &'static str,
}

/// The evaluation's side views (reviews and their discussion, clarifications, the
/// evaluator pool, the pilot report, the challenge) answer every role alike on page
/// and API: the same status, and where the reader gets in, the same redaction (the
/// discussion and the clarification from before the blind stage name the team and
/// are hidden from the blind evaluator on both).
#[actix_web::test]
async fn the_evaluation_views_agree_on_page_and_api_for_every_role() {
    let mut w = world().await;
    let (id, cid, slug, pilot) = (w.p.id, w.c.id, w.c.slug.clone(), w.pilot);
    let stranger = w.app.create_user("fremd@example.org", "Fremd");
    let admin = w
        .app
        .create_user_with("admin@example.org", "Admin", true, true);
    let pairs = [
        Pair {
            page: format!("/proposals/{id}/reviews"),
            api: format!("/api/v1/proposals/{id}/discussion"),
            shows: "Kolibri Labs kennen wir schon.",
        },
        Pair {
            page: format!("/proposals/{id}/reviews"),
            api: format!("/api/v1/proposals/{id}/reviews"),
            shows: "Solide.",
        },
        Pair {
            page: format!("/proposals/{id}/clarifications"),
            api: format!("/api/v1/proposals/{id}/clarifications"),
            shows: "Kolibri Labs selbst.",
        },
        Pair {
            page: format!("/challenges/{slug}/evaluators"),
            api: format!("/api/v1/challenges/{cid}/evaluators"),
            shows: "Bea Blind",
        },
        Pair {
            page: format!("/pilots/{pilot}"),
            api: format!("/api/v1/pilots/{pilot}"),
            shows: "",
        },
        Pair {
            page: format!("/challenges/{slug}"),
            api: format!("/api/v1/challenges/{cid}"),
            shows: "Fachbewertung",
        },
    ];
    let readers = [
        ("visitor", None),
        ("stranger", Some(stranger)),
        ("team", Some(w.team.clone())),
        ("agency", Some(w.staff.clone())),
        ("blind evaluator", Some(w.blind.clone())),
        ("admin", Some(admin)),
    ];
    let mut shown = Vec::new();
    // Before the blind evaluator's own review is in, and after.
    for review_in in [false, true] {
        if review_in {
            w.submit_own_review().await;
        }
        for pair in &pairs {
            for (role, who) in &readers {
                let mut page = w.read(who.as_ref(), &pair.page).await;
                let api = w.read(who.as_ref(), &pair.api).await;
                // Where the API answers 401, a page sends the visitor to sign in instead.
                if who.is_none() && page.0 == 303 {
                    page.0 = 401;
                }
                assert_eq!(
                    page.0, api.0,
                    "{role}: {} answers {} and {} answers {}",
                    pair.page, page.0, pair.api, api.0
                );
                if page.0 == 200 && !pair.shows.is_empty() {
                    let (on_page, in_api) =
                        (page.1.contains(pair.shows), api.1.contains(pair.shows));
                    assert_eq!(
                        on_page, in_api,
                        "{role}: {:?} on {} {on_page}, in {} {in_api}",
                        pair.shows, pair.page, pair.api
                    );
                    shown.push((pair.shows, *role, review_in, on_page));
                }
            }
        }
    }
    // The world makes the redaction visible, or agreement would prove little.
    // `None`: the reader did not get in.
    let saw = |text: &str, role: &str, after: bool| {
        shown
            .iter()
            .find(|(t, r, a, _)| *t == text && *r == role && *a == after)
            .map(|(_, _, _, s)| *s)
    };
    let posted = "Kolibri Labs kennen wir schon.";
    assert_eq!(saw(posted, "agency", false), Some(true));
    assert_eq!(saw(posted, "blind evaluator", false), None);
    assert_eq!(saw(posted, "blind evaluator", true), Some(false));
    assert_eq!(saw("Solide.", "agency", true), Some(true));
    assert_eq!(saw("Solide.", "blind evaluator", true), Some(true));
    assert_eq!(saw("Solide.", "team", true), None);
    assert_eq!(saw("Kolibri Labs selbst.", "team", false), Some(true));
    assert_eq!(
        saw("Kolibri Labs selbst.", "blind evaluator", false),
        Some(false)
    );
    assert_eq!(saw("Bea Blind", "agency", false), Some(true));
    assert_eq!(saw("Fachbewertung", "visitor", false), Some(true));
}
