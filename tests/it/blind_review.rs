//! Blind review holds everywhere an evaluator can reach: while a blind stage runs,
//! no page or API answer open to its evaluator (or to anyone) names the team behind a
//! proposal. Each row below is one path of the access-control matrix for that role,
//! asserting the status and that the team's name, slug and id stay out; the rules
//! themselves (`policy::blind_review_possible`, `results_name_teams`,
//! `may_declare_organisation_conflict`, `FormFacts::shows_owner`,
//! `ProposalFacts::discussion_from`) are checked where they bite.

use actix_web::http::Method;
use diesel::prelude::*;

use innolab::db::schema::{
    challenges as challenge_table, clarifications as clarification_table, review_posts,
};
use innolab::domain::accounts::User;
use innolab::domain::challenges::Challenge;
use innolab::domain::evaluation::{clarifications, discussion, evaluators, progress, reviews};
use innolab::domain::organisations::Organisation;
use innolab::domain::proposals::Proposal;
use innolab::forms::FormDefinition;
use innolab::kinds::{OrgKind, Outcome};
use serde_json::{json, Value};

use crate::support::{create_web_pilot, review_stage, TestApp};

/// What names the team: the organisation's name and slug.
pub(crate) const TEAM: &str = "Kolibri Labs";
pub(crate) const TEAM_SLUG: &str = "kolibri-labs";

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) c: Challenge,
    pub(crate) p: Proposal,
    pub(crate) startup: Organisation,
    pub(crate) team: User,
    pub(crate) staff: User,
    /// Reviewed the proposal in the first stage (not blind) and now in the blind one.
    pub(crate) blind: User,
    pub(crate) blind_stage: i64,
    pub(crate) form: i64,
    pub(crate) pilot: i64,
}

/// A closed challenge with a released first stage (not blind: the proposal advanced)
/// and a running blind second stage, the same evaluator assigned in both; an agency
/// post from the first stage that names the team; a pilot of the proposal on the
/// team's own form.
pub(crate) async fn world() -> World {
    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let team = app.create_user("team@example.org", "Team");
    let blind = app.create_user("blind@example.org", "Bea Blind");
    let agency = app.create_org(&staff, "Stadt Blindheim", OrgKind::Agency, true);
    let startup = app.create_org(&team, TEAM, OrgKind::Startup, false);
    assert_eq!(startup.slug, TEAM_SLUG);
    let c = app.create_challenge(&agency, &staff, "Verblindete Probe", "closed", 20);
    let p = app.create_proposal(&c, &startup, &team, "submitted");
    // The helper's title names the organisation; a team writing for a blind stage would not.
    let p = app.with_conn(|conn| {
        use innolab::db::schema::proposals;
        diesel::update(proposals::table.find(p.id))
            .set(proposals::title.eq("Verblindete Hundemarke"))
            .execute(conn)
            .unwrap();
        innolab::domain::proposals::find(conn, p.id).unwrap()
    });
    let (blind_stage, form, pilot) = app.with_conn(|conn| {
        let stages = innolab::domain::evaluation::stages::replace_stages(
            conn,
            &c,
            &[
                review_stage("Vorprüfung", false),
                review_stage("Fachbewertung", true),
            ],
        )
        .unwrap();
        let (inv, _) = evaluators::invite(conn, c.id, staff.id, &blind.email, &[], &[]).unwrap();
        evaluators::answer_invitation(conn, inv, &blind, true).unwrap();
        let pool = evaluators::find_for_user(conn, c.id, blind.id)
            .unwrap()
            .unwrap();
        let first = progress::load(conn, stages[0].stage.id).unwrap();
        progress::start(conn, &first).unwrap();
        let first = progress::load(conn, first.id()).unwrap();
        reviews::assign(conn, &first, p.id, pool.id).unwrap();
        // Written in the first stage, an hour before the blind one starts.
        let post =
            discussion::post(conn, p.id, staff.id, "Kolibri Labs kennen wir schon.").unwrap();
        diesel::update(review_posts::table.find(post))
            .set(review_posts::created_at.eq(innolab::db::now() - chrono::Duration::hours(1)))
            .execute(conn)
            .unwrap();
        // And a clarification the team answered in that stage, naming itself.
        let due = (innolab::db::now() + chrono::Duration::days(3))
            .and_utc()
            .to_rfc3339();
        let asked = clarifications::ask(
            conn,
            &first,
            p.id,
            "Wer betreibt den Dienst?",
            &due,
            staff.id,
            innolab::db::now(),
        )
        .unwrap();
        clarifications::answer(
            conn,
            &asked,
            "Kolibri Labs selbst.",
            team.id,
            innolab::db::now(),
        )
        .unwrap();
        diesel::update(clarification_table::table.find(asked.id))
            .set(clarification_table::asked_at.eq(innolab::db::now() - chrono::Duration::hours(1)))
            .execute(conn)
            .unwrap();
        progress::decide(conn, &first, p.id, Outcome::Advance, "", staff.id).unwrap();
        progress::release(conn, &first, false).unwrap();
        let second = progress::load(conn, stages[1].stage.id).unwrap();
        progress::start(conn, &second).unwrap();
        let second = progress::load(conn, second.id()).unwrap();
        reviews::assign(conn, &second, p.id, pool.id).unwrap();

        let now = innolab::db::now();
        let def = FormDefinition::from_value(&json!({
            "title": {"de": "Umfrage", "en": "Survey"},
            "pages": [{"key": "start", "title": {"de": "Angaben", "en": "Details"}, "fields": [
                {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}
            ]}]
        }))
        .unwrap();
        let form =
            innolab::domain::form_library::create(conn, startup.id, "Umfrage", &def, None, now)
                .unwrap()
                .form;
        let pilot = create_web_pilot(conn, &p, form.id, team.id);
        (stages[1].stage.id, form.id, pilot.id)
    });
    World {
        app,
        c,
        p,
        startup,
        team,
        staff,
        blind,
        blind_stage,
        form,
        pilot,
    }
}

impl World {
    /// GET as the person (a page with a session, `/api` with a bearer token): the
    /// status and the body.
    pub(crate) async fn read(&mut self, who: Option<&User>, path: &str) -> (u16, String) {
        self.app.log_out();
        let r = if path.starts_with("/api/") {
            let bearer = match who {
                Some(u) => Some(self.app.bearer_of(u).await),
                None => None,
            };
            self.app
                .api(Method::GET, path, None, bearer.as_deref())
                .await
        } else {
            if let Some(u) = who {
                self.app.log_in_as(u);
            }
            self.app.get(path).await
        };
        (r.status.as_u16(), r.body)
    }

    /// The status is `expected` and the body does not name the team.
    async fn assert_anonymous(&mut self, who: Option<&User>, path: &str, expected: u16) {
        let (status, body) = self.read(who, path).await;
        assert_eq!(status, expected, "GET {path}: {body}");
        for name in [TEAM, TEAM_SLUG] {
            assert!(!body.contains(name), "GET {path} names the team ({name})");
        }
        let id = format!("\"organisation_id\":{}", self.startup.id);
        assert!(
            !body.replace(' ', "").contains(&id),
            "GET {path} gives the team's organisation id"
        );
    }

    pub(crate) async fn submit_own_review(&mut self) {
        let blind = self.blind.clone();
        let (_, mine) = self.read(Some(&blind), "/api/v1/me/assignments").await;
        let mine: Value = serde_json::from_str(&mine).unwrap();
        let assignment = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["stage_id"] == self.blind_stage)
            .expect("the blind assignment")["id"]
            .as_i64()
            .unwrap();
        let criterion = self.app.with_conn(|conn| {
            innolab::domain::evaluation::stages::stages_of(conn, self.c.id).unwrap()[1].criteria[0]
                .id
        });
        let bearer = self.app.bearer_of(&blind).await;
        self.app
            .api(
                Method::PUT,
                &format!("/api/v1/assignments/{assignment}/review"),
                Some(
                    json!({ "scores": { criterion.to_string(): 4 }, "comment": "Solide.",
                             "confidence": 3, "submit": true }),
                ),
                Some(&bearer),
            )
            .await
            .assert_status(200);
    }
}

#[actix_web::test]
async fn while_a_blind_stage_runs_nothing_its_evaluator_reaches_names_the_team() {
    let mut w = world().await;
    let blind = w.blind.clone();
    let (p, pilot, form, slug) = (w.p.id, w.pilot, w.form, w.c.slug.clone());
    w.submit_own_review().await;
    // A post written during the blind stage: the filter below keeps it. And one by
    // someone who is neither the agency nor an evaluator of the blind stage (as an
    // evaluator of the earlier, open stage would be), who knows the team.
    let early = w.app.create_user("frueh@example.org", "Frühe Gutachterin");
    w.app.with_conn(|conn| {
        discussion::post(conn, p, w.staff.id, "Bitte die Wirkung genau prüfen.").unwrap();
        discussion::post(
            conn,
            p,
            early.id,
            "Kolibri Labs hat das schon einmal gebaut.",
        )
        .unwrap()
    });
    w.app.settle_search();

    for (path, status) in [
        (format!("/proposals/{p}"), 200),
        (format!("/api/v1/proposals/{p}"), 200),
        (format!("/proposals/{p}/reviews"), 200),
        (format!("/api/v1/proposals/{p}/reviews"), 200),
        (format!("/api/v1/proposals/{p}/discussion"), 200),
        (format!("/proposals/{p}/clarifications"), 200),
        (format!("/api/v1/proposals/{p}/clarifications"), 200),
        (format!("/pilots/{pilot}"), 200),
        (format!("/api/v1/pilots/{pilot}"), 200),
        (format!("/forms/{form}"), 200),
        (format!("/api/v1/forms/{form}"), 200),
        ("/evaluation".to_string(), 200),
        ("/api/v1/me/assignments".to_string(), 200),
        (format!("/challenges/{slug}/results"), 200),
        (format!("/challenges/{slug}/proposals"), 403),
        ("/api/v1/search?q=Verblindete".to_string(), 200),
        ("/search?q=Verblindete".to_string(), 200),
    ] {
        w.assert_anonymous(Some(&blind), &path, status).await;
    }
    // Visitors: the results do not name the team either, and the proposals stay private.
    for (path, status) in [
        (format!("/challenges/{slug}/results"), 200),
        (format!("/challenges/{slug}/proposals"), 303),
        (format!("/proposals/{p}"), 404),
        (format!("/api/v1/forms/{form}"), 200),
    ] {
        w.assert_anonymous(None, &path, status).await;
    }

    // The discussion: only what was written since the blind assignment.
    let (_, thread) = w
        .read(Some(&blind), &format!("/api/v1/proposals/{p}/discussion"))
        .await;
    assert!(thread.contains("Wirkung genau"), "{thread}");
    // The results still list the proposal that advanced, by title.
    let (_, results) = w.read(None, &format!("/challenges/{slug}/results")).await;
    assert!(results.contains(&w.p.title), "{results}");

    // The same paths name the team to the team and the agency (the checks can fail).
    let team = w.team.clone();
    let staff = w.staff.clone();
    let (_, own) = w.read(Some(&team), &format!("/api/v1/forms/{form}")).await;
    assert_eq!(
        serde_json::from_str::<Value>(&own).unwrap()["organisation_id"],
        w.startup.id
    );
    let (_, thread) = w
        .read(Some(&staff), &format!("/api/v1/proposals/{p}/discussion"))
        .await;
    assert!(thread.contains(TEAM), "the agency reads the whole thread");
    let (_, asked) = w
        .read(
            Some(&staff),
            &format!("/api/v1/proposals/{p}/clarifications"),
        )
        .await;
    assert!(asked.contains(TEAM), "and every clarification");

    // Once the blind stage is released, the public results name the team.
    w.app.with_conn(|conn| {
        let ctx = progress::load(conn, w.blind_stage).unwrap();
        progress::decide(conn, &ctx, p, Outcome::Advance, "", w.staff.id).unwrap();
        progress::release(conn, &ctx, false).unwrap();
    });
    let (_, results) = w.read(None, &format!("/challenges/{slug}/results")).await;
    assert!(results.contains(TEAM), "{results}");
}

impl World {
    /// The blind evaluator declares a conflict with `organisation_id` through the API.
    async fn declare_conflict(
        &mut self,
        bearer: &str,
        organisation_id: i64,
    ) -> crate::support::Resp {
        let body = json!({ "challenge_id": self.c.id, "organisation_id": organisation_id,
                           "reason": "Frühere Zusammenarbeit" });
        self.app
            .api(Method::POST, "/api/v1/conflicts", Some(body), Some(bearer))
            .await
    }
}

#[actix_web::test]
async fn a_conflict_declared_during_a_blind_stage_reveals_no_assignment() {
    let mut w = world().await;
    let blind = w.blind.clone();
    let bearer = w.app.bearer_of(&blind).await;
    let before = w.read(Some(&blind), "/api/v1/me/assignments").await.1;
    let r = w.declare_conflict(&bearer, w.startup.id).await;
    r.assert_status(422);
    assert!(
        r.json()["fields"]["organisation_id"].is_string(),
        "{}",
        r.body
    );
    // The answer is the same for an organisation without proposals here.
    let other = w
        .app
        .create_org(&w.team.clone(), "Andere GmbH", OrgKind::Startup, false);
    w.declare_conflict(&bearer, other.id)
        .await
        .assert_status(422);
    let after = w.read(Some(&blind), "/api/v1/me/assignments").await.1;
    assert_eq!(before, after, "the assignments did not change");

    // Declining the one assignment, with a reason, is the way out; it does not open
    // the declaration again (the declined row stays listed and would vanish).
    let mine: Value = serde_json::from_str(&after).unwrap();
    for a in mine.as_array().unwrap() {
        let id = a["id"].as_i64().unwrap();
        w.app
            .api(
                Method::POST,
                &format!("/api/v1/assignments/{id}/decline"),
                Some(json!({ "reason": "Ich kenne diesen Vorschlag." })),
                Some(&bearer),
            )
            .await;
    }
    w.declare_conflict(&bearer, w.startup.id)
        .await
        .assert_status(422);
    let declined = w.read(Some(&blind), "/api/v1/me/assignments").await.1;
    let declined: Value = serde_json::from_str(&declined).unwrap();
    assert_eq!(
        declined.as_array().unwrap().len(),
        mine.as_array().unwrap().len()
    );
}

/// The assignment that makes a proposal anonymous and an earlier one that would name
/// its team can fall on different pages of the evaluator's list: the later page stays
/// anonymous, through the API and on the dashboard.
#[actix_web::test]
async fn a_later_page_of_assignments_stays_anonymous() {
    let mut w = world().await;
    let blind = w.blind.clone();
    let bearer = w.app.bearer_of(&blind).await;
    let first = w
        .app
        .api(
            Method::GET,
            "/api/v1/me/assignments?per_page=1",
            None,
            Some(&bearer),
        )
        .await;
    first.assert_status(200);
    let items = first.json();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(
        items[0]["stage_id"], w.blind_stage,
        "the newest stage first"
    );
    let link = first.header("link").expect("a link to the next page");
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.split_once(">; rel=\"next\""))
        .map(|(address, _)| address.to_string())
        .unwrap_or_else(|| panic!("not a next link: {link}"));
    let second = w.app.api(Method::GET, &next, None, Some(&bearer)).await;
    second.assert_status(200);
    let items = second.json();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_ne!(items[0]["stage_id"], w.blind_stage, "the released stage");
    assert!(items[0]["organisation_name"].is_null(), "{items}");
    assert!(!second.body.contains(TEAM), "{}", second.body);
    assert!(second.header("link").is_none(), "the last page");

    // The dashboard, a page at a time the same way, names the team on none of them.
    let (status, page) = w.read(Some(&blind), "/evaluation").await;
    assert_eq!(status, 200);
    assert!(!page.contains(TEAM), "{page}");
}

#[actix_web::test]
async fn blind_stages_and_public_proposals_exclude_each_other() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Offen", OrgKind::Agency, true);
    let bearer = app.bearer_of(&staff).await;
    let public = app.create_challenge(&agency, &staff, "Offene Probe", "open", 20);
    app.with_conn(|conn| {
        diesel::update(challenge_table::table.find(public.id))
            .set(challenge_table::proposal_visibility.eq("public_after_deadline"))
            .execute(conn)
            .unwrap()
    });
    let blind_stage = json!([{ "name": "Fachbewertung", "reviewers_per_proposal": 1, "blind": true,
                               "criteria": [{ "name": "Wirkung" }] }]);
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/challenges/{}/stages", public.id),
            Some(blind_stage.clone()),
            Some(&bearer),
        )
        .await;
    r.assert_status(422);
    assert!(
        r.json()["fields"]["stages[0].blind"].is_string(),
        "{}",
        r.body
    );
    // The stage page says so at the checkbox, and keeps what was typed.
    app.log_in_as(&staff);
    app.post_form(
        &format!("/challenges/{}/stages", public.slug),
        &[
            ("stage_0_name", "Fachbewertung"),
            ("stage_0_position", "1"),
            ("stage_0_reviewers", "1"),
            ("stage_0_blind", "1"),
            ("stage_0_crit_0_name", "Wirkung"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("id=\"error-stage-0-blind\"")
    .assert_contains("Öffentliche Vorschläge nennen ihr Team")
    .assert_contains("value=\"Fachbewertung\"");

    // And a challenge with a blind stage cannot make its proposals public.
    let private = app.create_challenge(&agency, &staff, "Private Probe", "open", 20);
    app.api(
        Method::PUT,
        &format!("/api/v1/challenges/{}/stages", private.id),
        Some(blind_stage),
        Some(&bearer),
    )
    .await
    .assert_status(200);
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/challenges/{}", private.id),
            Some(json!({ "proposal_visibility": "public_after_deadline" })),
            Some(&bearer),
        )
        .await;
    r.assert_status(422);
    assert!(
        r.json()["fields"]["proposal_visibility"].is_string(),
        "{}",
        r.body
    );
}
