//! Pages and API render the same read model, so they agree for every role: whether the
//! reader may see the proposal at all, whether it names the team, whether the private
//! part and the released outcomes are there, and which actions are offered.
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
