//! Staged evaluation end to end through the API and the pages: evaluators invited and
//! accepting, conflicts (membership and declared), stage order, manual and automatic
//! assignment, blind review, scoring with drafts and deadlines, who sees which reviews,
//! ranking, decisions that stay internal until release, release with notifications,
//! the next stage's entrants, and the public results.

use actix_web::http::Method;
use diesel::prelude::*;

use innolab::db::schema::{audit_log, challenges, notifications, stages};
use innolab::domain::accounts::User;
use innolab::domain::challenges::Challenge;
use innolab::domain::evaluation::evaluators::ConflictSource;
use innolab::domain::organisations::Organisation;
use innolab::domain::proposals::Proposal;
use innolab::kinds::{OrgKind, Role};
use serde_json::{json, Value};

use crate::support::{Resp, TestApp};

struct World {
    app: TestApp,
    c: Challenge,
    tokens: std::collections::HashMap<&'static str, String>,
    users: std::collections::HashMap<&'static str, User>,
    orgs: Vec<Organisation>,
    proposals: Vec<Proposal>,
}

impl World {
    async fn call(&mut self, who: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let token = self.tokens.get(who).cloned();
        self.app.api(method, path, body, token.as_deref()).await
    }
    fn user(&self, who: &str) -> &User {
        &self.users[who]
    }
}

/// A verified agency with a challenge whose submission phase is over, three startups with
/// a submitted proposal each, three future evaluators (one a member of the first
/// startup) and a stranger from another agency.
async fn world() -> World {
    let app = TestApp::new().await;
    let mut users = std::collections::HashMap::new();
    let mut new = |key: &'static str, email: &str, name: &str| {
        let u = app.create_user(email, name);
        users.insert(key, u.clone());
        u
    };
    let owner = new("agency", "amt@example.org", "Amtsleitung");
    let leads: Vec<User> = (0..3)
        .map(|i| app.create_user(&format!("lead{i}@example.org"), &format!("Lead {i}")))
        .collect();
    let e1 = new("e1", "eva@example.org", "Eva Expertin");
    new("e2", "emil@example.org", "Emil Experte");
    let e3 = new("e3", "ella@example.org", "Ella Expertin");
    let stranger = new("stranger", "fremd@example.org", "Fremdes Amt");
    let agency = app.create_org(&owner, "Stadt Prüfstadt", OrgKind::Agency, true);
    app.create_org(&stranger, "Landkreis Fern", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &owner, "Digitale Hundesteuer", "open", 30);
    let orgs: Vec<Organisation> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| app.create_org(l, &format!("Startup {i}"), OrgKind::Startup, false))
        .collect();
    app.add_member(&orgs[0], &e3, Role::Member);
    let proposals: Vec<Proposal> = orgs
        .iter()
        .zip(&leads)
        .map(|(o, l)| app.create_proposal(&c, o, l, "submitted"))
        .collect();
    users.insert("lead0", leads[0].clone());
    users.insert("lead1", leads[1].clone());
    let _ = e1;
    let tokens = users
        .iter()
        .map(|(k, u)| {
            let t = app.with_conn(|conn| {
                innolab::domain::accounts::api_tokens::create(conn, u.id, "t")
                    .unwrap()
                    .1
            });
            (*k, t)
        })
        .collect();
    World {
        app,
        c,
        tokens,
        users,
        orgs,
        proposals,
    }
}

/// Two review stages: a blind expert review (two criteria, one needing a comment) and a
/// pitch. Returns their ids.
async fn define_stages(w: &mut World) -> (i64, i64) {
    let body = json!([
        { "name": "Fachbewertung", "reviewers_per_proposal": 2, "blind": true, "criteria": [
            { "name": "Wirkung", "weight": 2, "scale_min": 1, "scale_max": 5,
              "labels": ["schwach", "mäßig", "solide", "gut", "stark"] },
            { "name": "Machbarkeit", "weight": 1, "scale_min": 0, "scale_max": 10, "comment_required": true } ] },
        { "name": "Pitch", "reviewers_per_proposal": 1, "criteria": [ { "name": "Überzeugung" } ] }
    ]);
    let path = format!("/api/v1/challenges/{}/stages", w.c.id);
    // A scale with words needs one word per point.
    let mut wrong = body.clone();
    wrong[0]["criteria"][0]["labels"] = json!(["schwach", "stark"]);
    let r = w.call("agency", Method::PUT, &path, Some(wrong)).await;
    r.assert_status(422);
    assert!(
        r.json()["fields"]["stages[0].criteria[0].labels"].is_string(),
        "{}",
        r.body
    );
    let r = w.call("agency", Method::PUT, &path, Some(body)).await;
    r.assert_status(200);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    (ids[0], ids[1])
}

async fn invite_and_accept(w: &mut World, who: &'static str) -> i64 {
    let email = w.user(who).email.clone();
    let path = format!("/api/v1/challenges/{}/evaluators", w.c.id);
    w.call(
        "agency",
        Method::POST,
        &path,
        Some(json!({ "email": email })),
    )
    .await
    .assert_status(201);
    let list = w
        .call(who, Method::GET, "/api/v1/me/invitations", None)
        .await
        .json();
    let inv = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "evaluator")
        .expect("an evaluator invitation");
    assert_eq!(inv["challenge_id"], w.c.id);
    let id = inv["id"].as_i64().unwrap();
    let r = w
        .call(
            who,
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["challenge_id"], w.c.id);
    let pool = w.call("agency", Method::GET, &path, None).await.json();
    pool["evaluators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["user_id"] == w.user(who).id)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn close(w: &World) {
    w.app.with_conn(|conn| {
        diesel::update(challenges::table.find(w.c.id))
            .set(challenges::status.eq("closed"))
            .execute(conn)
            .unwrap()
    });
}

fn full_review(submit: bool, impact: i64, feasibility: i64, crit: &[i64]) -> Value {
    json!({ "scores": { crit[0].to_string(): impact, crit[1].to_string(): feasibility },
            "comments": { crit[1].to_string(): "Begründet." }, "comment": "Gut.", "confidence": 4, "submit": submit })
}

#[actix_web::test]
async fn a_stage_runs_from_invitation_to_public_results() {
    let mut w = world().await;
    let (s1, s2) = define_stages(&mut w).await;
    invite_and_accept(&mut w, "e1").await;
    let e2 = invite_and_accept(&mut w, "e2").await;
    let e3 = invite_and_accept(&mut w, "e3").await;
    // The agency's own staff decide; they are not invited as evaluators.
    let own = json!({ "email": "amt@example.org" });
    let invite = format!("/api/v1/challenges/{}/evaluators", w.c.id);
    w.call("agency", Method::POST, &invite, Some(own))
        .await
        .assert_status(422);
    let crit: Vec<i64> = w
        .call(
            "agency",
            Method::GET,
            &format!("/api/v1/challenges/{}", w.c.id),
            None,
        )
        .await
        .json()["stages"][0]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let (pa, pb, pc) = (w.proposals[0].id, w.proposals[1].id, w.proposals[2].id);

    // Nothing starts while proposals may still come in, and never out of order.
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/start"),
            None,
        )
        .await;
    r.assert_status(409)
        .assert_contains("submission phase is closed");
    close(&w);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s2}/start"),
        None,
    )
    .await
    .assert_status(409);
    w.call(
        "e1",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(403);
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/start"),
            None,
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["entrants"], 3);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(409);

    // e3 belongs to the first startup: never assignable to its proposal.
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/assignments"),
            Some(json!({ "proposal_id": pa, "evaluator_id": e3 })),
        )
        .await;
    r.assert_status(409).assert_contains("Conflict of interest");
    // e2 declares a conflict with the second startup.
    let body = json!({ "challenge_id": w.c.id, "organisation_id": w.orgs[1].id, "reason": "Früherer Arbeitgeber" });
    w.call("e2", Method::POST, "/api/v1/conflicts", Some(body.clone()))
        .await
        .assert_status(201);
    w.call("stranger", Method::POST, "/api/v1/conflicts", Some(body))
        .await
        .assert_status(403);
    let pool = w
        .call(
            "agency",
            Method::GET,
            &format!("/api/v1/challenges/{}/evaluators", w.c.id),
            None,
        )
        .await
        .json();
    let conflicts = pool["conflicts"].as_array().unwrap();
    assert!(conflicts
        .iter()
        .any(|c| c["evaluator_id"] == e3 && c["source"] == "membership"));
    assert!(conflicts
        .iter()
        .any(|c| c["evaluator_id"] == e2 && c["source"] == "declared"));

    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/auto-assign"),
            Some(json!({})),
        )
        .await;
    r.assert_status(200);
    let plan = r.json();
    assert_eq!(plan["created"], 6, "{plan}");
    assert_eq!(
        (plan["min_load"].as_u64(), plan["max_load"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(plan["unfilled"], json!([]));

    // Each evaluator sees their two assignments, blind: no organisation.
    let mine = w
        .call("e1", Method::GET, "/api/v1/me/assignments", None)
        .await
        .json();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine
        .iter()
        .all(|a| a["organisation_name"].is_null() && a["blind"] == true));
    let assignment_of = |list: &[Value], p: i64| {
        list.iter()
            .find(|a| a["proposal_id"] == p)
            .map(|a| a["id"].as_i64().unwrap())
    };
    for (who, conflicted) in [("e3", pa), ("e2", pb)] {
        let list = w
            .call(who, Method::GET, "/api/v1/me/assignments", None)
            .await
            .json();
        assert!(
            assignment_of(list.as_array().unwrap(), conflicted).is_none(),
            "{who} got a conflicted proposal"
        );
    }
    // A page at a time: one assignment and a link to the rest, which ends the list; a
    // cursor that is not one of the caller's own assignments is refused.
    let page = w
        .call("e1", Method::GET, "/api/v1/me/assignments?per_page=1", None)
        .await;
    page.assert_status(200);
    assert_eq!(page.json().as_array().unwrap().len(), 1);
    let first_id = page.json()[0]["id"].as_i64().unwrap();
    let next = format!("</api/v1/me/assignments?after={first_id}&per_page=1>; rel=\"next\"");
    assert_eq!(page.header("link"), Some(next));
    let rest = w
        .call(
            "e1",
            Method::GET,
            &format!("/api/v1/me/assignments?after={first_id}&per_page=1"),
            None,
        )
        .await;
    assert_eq!(rest.json()[0]["id"], mine[1]["id"], "the second, no repeat");
    assert!(rest.header("link").is_none(), "nothing follows");
    w.call(
        "e2",
        Method::GET,
        &format!("/api/v1/me/assignments?after={first_id}"),
        None,
    )
    .await
    .assert_status(400);
    // A declared conflict hides the proposal (e3 sees the first one as its team member).
    w.call("e2", Method::GET, &format!("/api/v1/proposals/{pb}"), None)
        .await
        .assert_status(404);
    let first = mine[0]["proposal_id"].as_i64().unwrap();
    let a1 = mine[0]["id"].as_i64().unwrap();
    let seen = w
        .call(
            "e1",
            Method::GET,
            &format!("/api/v1/proposals/{first}"),
            None,
        )
        .await
        .json();
    assert!(
        seen.get("organisation_id").is_none() && seen.get("team").is_none(),
        "blind fields leaked: {seen}"
    );
    assert_eq!(
        seen["cost_estimate_eur"], 30000,
        "the private part is for evaluators too"
    );
    let unassigned = [pa, pb, pc]
        .into_iter()
        .find(|p| assignment_of(mine, *p).is_none())
        .unwrap();
    w.call(
        "e1",
        Method::GET,
        &format!("/api/v1/proposals/{unassigned}"),
        None,
    )
    .await
    .assert_status(404);

    // Reviews: hidden until one's own is in; drafts may be partial, submissions not.
    let reviews_path = format!("/api/v1/proposals/{first}/reviews");
    w.call("e1", Method::GET, &reviews_path, None)
        .await
        .assert_status(403);
    let review_path = format!("/api/v1/assignments/{a1}/review");
    let r = w
        .call(
            "e1",
            Method::PUT,
            &review_path,
            Some(json!({ "scores": { crit[0].to_string(): 4 }, "submit": true })),
        )
        .await;
    r.assert_status(422);
    assert!(
        r.json()["fields"][format!("scores.{}", crit[1])].is_string(),
        "{}",
        r.body
    );
    let r = w
        .call(
            "e1",
            Method::PUT,
            &review_path,
            Some(json!({ "scores": { crit[0].to_string(): 9 } })),
        )
        .await;
    r.assert_status(422)
        .assert_contains("choose a value on the scale");
    let r = w
        .call(
            "e1",
            Method::PUT,
            &review_path,
            Some(json!({ "scores": { crit[0].to_string(): 4 } })),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["submitted"], false);
    w.call(
        "e2",
        Method::PUT,
        &review_path,
        Some(full_review(true, 5, 10, &crit)),
    )
    .await
    .assert_status(404);
    let r = w
        .call(
            "e1",
            Method::PUT,
            &review_path,
            Some(full_review(true, 5, 10, &crit)),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["score"], 100.0);
    // Submitted counts: it may change until the deadline, not turn back into a draft.
    w.call(
        "e1",
        Method::PUT,
        &review_path,
        Some(full_review(false, 5, 10, &crit)),
    )
    .await
    .assert_status(409);
    let visible = w.call("e1", Method::GET, &reviews_path, None).await;
    visible.assert_status(200);
    assert_eq!(visible.json().as_array().unwrap().len(), 1);

    // Teams and other agencies see no reviews, nor the ranking.
    let team_of_first = if first == pa {
        "lead0"
    } else if first == pb {
        "lead1"
    } else {
        "stranger"
    };
    let expect = if team_of_first == "stranger" {
        404
    } else {
        403
    };
    w.call(team_of_first, Method::GET, &reviews_path, None)
        .await
        .assert_status(expect);
    w.call("stranger", Method::GET, &reviews_path, None)
        .await
        .assert_status(404);
    w.call(
        "lead0",
        Method::GET,
        &format!("/api/v1/stages/{s1}/ranking"),
        None,
    )
    .await
    .assert_status(403);
    w.call(
        "e1",
        Method::GET,
        &format!("/api/v1/stages/{s1}/ranking"),
        None,
    )
    .await
    .assert_status(403);

    // Everyone finishes: scores descend with the proposal order (A best).
    for who in ["e1", "e2", "e3"] {
        let list = w
            .call(who, Method::GET, "/api/v1/me/assignments", None)
            .await
            .json();
        for a in list.as_array().unwrap() {
            let p = a["proposal_id"].as_i64().unwrap();
            let impact = if p == pa {
                5
            } else if p == pb {
                3
            } else {
                1
            };
            let r = w
                .call(
                    who,
                    Method::PUT,
                    &format!("/api/v1/assignments/{}/review", a["id"]),
                    Some(full_review(true, impact, 5, &crit)),
                )
                .await;
            r.assert_status(200);
        }
    }
    let ranking = w
        .call(
            "agency",
            Method::GET,
            &format!("/api/v1/stages/{s1}/ranking"),
            None,
        )
        .await
        .json();
    let order: Vec<i64> = ranking
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["proposal_id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![pa, pb, pc]);
    assert!(ranking
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["reviews_done"] == 2 && r["reviews_required"] == 2));

    // Decisions stay internal until release.
    let decisions = format!("/api/v1/stages/{s1}/decisions");
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/release"),
        None,
    )
    .await
    .assert_status(409);
    let r = w
        .call(
            "agency",
            Method::POST,
            &decisions,
            Some(json!({ "top_n": 2, "outcome": "advance" })),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["decided"], json!([pa, pb]));
    let r = w
        .call(
            "agency",
            Method::POST,
            &decisions,
            Some(json!({ "proposal_id": pa, "outcome": "reject" })),
        )
        .await;
    r.assert_status(409).assert_contains("already been decided");
    w.call("agency", Method::POST, &decisions, Some(json!({ "proposal_id": pc, "outcome": "reject", "feedback": "Zu teuer für den Piloten." }))).await.assert_status(200);
    w.app.log_in_as(&w.users["lead0"].clone());
    w.app
        .get(&format!("/proposals/{pa}"))
        .await
        .assert_status(200)
        .assert_not_contains("outcomes-title\"")
        .assert_not_contains("<strong>weiter</strong>");
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/release"),
            Some(json!({ "show_scores": true })),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.json()["notified"],
        4,
        "one mail per team member (e3 is in the first team)"
    );
    w.app
        .get(&format!("/proposals/{pa}"))
        .await
        .assert_status(200)
        .assert_contains("outcomes-title\"")
        .assert_contains("<strong>weiter</strong>")
        .assert_contains("von 100 Punkten");
    let told: i64 = w.app.with_conn(|conn| {
        notifications::table
            .filter(notifications::kind.eq("notify-stage-released"))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(told, 4);
    assert!(w
        .app
        .last_mail_to("lead2@example.org")
        .body
        .contains(&format!("/proposals/{pc}")));

    // Released: reviews are final; the next stage takes the advanced two.
    w.call(
        "e1",
        Method::PUT,
        &review_path,
        Some(full_review(true, 1, 1, &crit)),
    )
    .await
    .assert_status(409);
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s2}/start"),
            None,
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["entrants"], 2);

    // The public results name the advanced proposals only.
    w.app.log_out();
    let page = w
        .app
        .get(&format!("/challenges/{}/results", w.c.slug))
        .await;
    page.assert_status(200)
        .assert_contains(&w.proposals[0].title)
        .assert_contains(&w.proposals[1].title)
        .assert_not_contains(&w.proposals[2].title);

    // Every transition is audited.
    let actions: Vec<String> = w.app.with_conn(|conn| {
        audit_log::table
            .select(audit_log::action)
            .load(conn)
            .unwrap()
    });
    for a in [
        "evaluator_invited",
        "stage_started",
        "conflict_declared",
        "assignments_planned",
        "review_submitted",
        "decisions_made",
        "stage_released",
    ] {
        assert!(actions.iter().any(|x| x == a), "no audit entry {a}");
    }
}

#[actix_web::test]
async fn reviews_close_at_the_deadline_and_the_score_form_keeps_what_was_typed() {
    let mut w = world().await;
    let (s1, _) = define_stages(&mut w).await;
    invite_and_accept(&mut w, "e1").await;
    invite_and_accept(&mut w, "e2").await;
    close(&w);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(200);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/auto-assign"),
        Some(json!({ "reviewers_per_proposal": 1 })),
    )
    .await
    .assert_status(200);
    let mine = w
        .call("e1", Method::GET, "/api/v1/me/assignments", None)
        .await
        .json();
    let a = mine[0]["id"].as_i64().unwrap();

    // The page form: a value off the scale comes back with a message, the comment stays.
    let e1 = w.users["e1"].clone();
    w.app.log_in_as(&e1);
    w.app
        .get("/evaluation")
        .await
        .assert_status(200)
        .assert_contains(&format!("/assignments/{a}/review"));
    let form = w.app.get(&format!("/assignments/{a}/review")).await;
    form.assert_status(200)
        .assert_contains("5 – stark")
        .assert_contains("Wirkung")
        .assert_contains("Machbarkeit");
    let crit: Vec<i64> = w.app.with_conn(|conn| {
        innolab::domain::evaluation::stages::stages_of(conn, w.c.id).unwrap()[0]
            .criteria
            .iter()
            .map(|c| c.id)
            .collect()
    });
    let (k0, k1) = (format!("score_{}", crit[0]), format!("comment_{}", crit[1]));
    let r = w
        .app
        .post_form(
            &format!("/assignments/{a}/review"),
            &[
                (k0.as_str(), "4"),
                (k1.as_str(), "Mein Kommentar"),
                ("action", "submit"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Mein Kommentar")
        .assert_contains(&format!("href=\"#field-score-{}\"", crit[1]));
    let r = w
        .app
        .post_form(
            &format!("/assignments/{a}/review"),
            &[(k0.as_str(), "4"), ("action", "draft")],
        )
        .await;
    r.assert_status(303);

    // After the deadline nothing changes any more.
    w.app.with_conn(|conn| {
        diesel::update(stages::table.find(s1))
            .set(stages::ends_at.eq(Some(innolab::db::now() - chrono::Duration::minutes(1))))
            .execute(conn)
            .unwrap()
    });
    let r = w
        .call(
            "e1",
            Method::PUT,
            &format!("/api/v1/assignments/{a}/review"),
            Some(full_review(true, 3, 3, &crit)),
        )
        .await;
    r.assert_status(409)
        .assert_contains("deadline of this stage has passed");

    // The agency's pages: the ranking with its chart and the CSV export.
    let owner = w.users["agency"].clone();
    w.app.log_in_as(&owner);
    w.app
        .get(&format!("/challenges/{}/evaluation", w.c.slug))
        .await
        .assert_status(200)
        .assert_contains(&format!("/stages/{s1}/ranking"));
    w.app
        .get(&format!("/challenges/{}/evaluators", w.c.slug))
        .await
        .assert_status(200)
        .assert_contains("Eva Expertin");
    let page = w.app.get(&format!("/stages/{s1}/ranking")).await;
    page.assert_status(200)
        .assert_contains("<svg")
        .assert_contains("<desc");
    // Each assignment is removed by its own button in the proposal's one form (which
    // carries the CSRF token); the button's target removes that assignment only.
    page.assert_contains(
        r#"<form method="post" class="inline-form"><input type="hidden" name="csrf_token""#,
    );
    let removable: Vec<&str> = page
        .body
        .split(r#"formaction=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(removable.len() >= 2, "{removable:?}");
    assert!(removable
        .iter()
        .all(|p| p.starts_with("/assignments/") && p.ends_with("/remove")));
    let gone = removable[0].to_string();
    w.app.post_form(&gone, &[]).await.assert_status(303);
    w.app
        .get(&format!("/stages/{s1}/ranking"))
        .await
        .assert_not_contains(&format!(r#"formaction="{gone}""#))
        .assert_contains(&format!(r#"formaction="{}""#, removable[1]));
    let csv = w.app.get(&format!("/stages/{s1}/ranking.csv")).await;
    csv.assert_status(200);
    assert!(
        csv.body.starts_with("place,proposal_id,title"),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 4);
}

#[actix_web::test]
async fn a_declined_assignment_is_not_given_again_and_an_evaluator_cannot_decline_for_others() {
    let mut w = world().await;
    let (s1, _) = define_stages(&mut w).await;
    let e1 = invite_and_accept(&mut w, "e1").await;
    invite_and_accept(&mut w, "e2").await;
    close(&w);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(200);
    let pc = w.proposals[2].id;
    let r = w
        .call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/assignments"),
            Some(json!({ "proposal_id": pc, "evaluator_id": e1 })),
        )
        .await;
    r.assert_status(201);
    let a = r.json()["id"].as_i64().unwrap();
    w.call(
        "e2",
        Method::POST,
        &format!("/api/v1/assignments/{a}/decline"),
        Some(json!({ "reason": "Keine Zeit" })),
    )
    .await
    .assert_status(404);
    w.call(
        "e1",
        Method::POST,
        &format!("/api/v1/assignments/{a}/decline"),
        Some(json!({ "reason": " " })),
    )
    .await
    .assert_status(422);
    w.call(
        "e1",
        Method::POST,
        &format!("/api/v1/assignments/{a}/decline"),
        Some(json!({ "reason": "Keine Zeit" })),
    )
    .await
    .assert_status(200);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/auto-assign"),
        Some(json!({ "reviewers_per_proposal": 2 })),
    )
    .await
    .assert_status(200);
    let mine = w
        .call("e1", Method::GET, "/api/v1/me/assignments", None)
        .await
        .json();
    let on_c: Vec<&Value> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["proposal_id"] == pc)
        .collect();
    assert_eq!(on_c.len(), 1, "the declined one only: {mine}");
    assert_eq!(on_c[0]["declined"], true);
}

#[actix_web::test]
async fn the_demo_data_holds_a_challenge_in_the_middle_of_its_evaluation() {
    let mut app = TestApp::new().await;
    let report = app.with_conn(|c| innolab::seed::apply(c).unwrap());
    assert!(report.reviews_created >= 8, "{report:?}");
    let again = app.with_conn(|c| innolab::seed::apply(c).unwrap());
    assert_eq!(again.reviews_created, 0, "seeding twice adds nothing");
    let (c, stages) = app.with_conn(|conn| {
        let c =
            innolab::domain::challenges::find_by_slug(conn, "wohnsitz-ummeldung-digital").unwrap();
        let s = innolab::domain::evaluation::stages::stages_of(conn, c.id).unwrap();
        (c, s)
    });
    let status: Vec<&str> = stages.iter().map(|s| s.stage.status.as_str()).collect();
    assert_eq!(status, ["released", "running", "planned", "planned"]);
    let pool = app.with_conn(|conn| {
        use innolab::domain::evaluation::evaluators;
        let people = evaluators::members(conn, c.id).unwrap();
        evaluators::conflicts_of_challenge(conn, c.id, &people).unwrap()
    });
    assert!(pool
        .iter()
        .any(|k| k.conflict.source == ConflictSource::Declared));
    assert!(pool
        .iter()
        .any(|k| k.conflict.source == ConflictSource::Membership));
    let ranking = app.with_conn(|conn| {
        let ctx = innolab::domain::evaluation::progress::load(conn, stages[1].stage.id).unwrap();
        innolab::domain::evaluation::reviews::ranking(conn, &ctx).unwrap()
    });
    use innolab::domain::evaluation::ranking::Flag;
    assert!(ranking
        .iter()
        .any(|r| r.ranked.flags.contains(&Flag::Disagreement)));
    assert!(ranking
        .iter()
        .any(|r| r.ranked.flags.contains(&Flag::Incomplete)));
    // The demo accounts see it: the agency its ranking, the evaluator the dashboard.
    let staff = app.with_conn(|conn| {
        innolab::domain::accounts::find_by_email(conn, "behoerde.stadt@innolab.example")
            .unwrap()
            .unwrap()
    });
    app.log_in_as(&staff);
    app.get(&format!("/stages/{}/ranking", stages[1].stage.id))
        .await
        .assert_status(200)
        .assert_contains("<svg");
    let evaluator = app.with_conn(|conn| {
        innolab::domain::accounts::find_by_email(conn, "gutachterin.verwaltung@innolab.example")
            .unwrap()
            .unwrap()
    });
    app.log_in_as(&evaluator);
    app.get("/evaluation")
        .await
        .assert_status(200)
        .assert_contains("Fachliche Bewertung");
    app.log_out();
    app.get(&format!("/challenges/{}/results", c.slug))
        .await
        .assert_status(200)
        .assert_contains("Formale Prüfung");
}

#[actix_web::test]
async fn clarifications_reach_the_team_and_the_discussion_opens_after_ones_own_review() {
    let mut w = world().await;
    let (s1, _) = define_stages(&mut w).await;
    let e1 = invite_and_accept(&mut w, "e1").await;
    let e2 = invite_and_accept(&mut w, "e2").await;
    close(&w);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(200);
    let pb = w.proposals[1].id;
    for e in [e1, e2] {
        let body = json!({ "proposal_id": pb, "evaluator_id": e });
        w.call(
            "agency",
            Method::POST,
            &format!("/api/v1/stages/{s1}/assignments"),
            Some(body),
        )
        .await
        .assert_status(201);
    }

    // The agency asks, the team answers once, evaluators read both; nobody else does.
    let due = (innolab::db::now() + chrono::Duration::days(3))
        .and_utc()
        .to_rfc3339();
    let ask = json!({ "proposal_id": pb, "question": "Wie hoch sind die Betriebskosten?", "due_at": due });
    let path = format!("/api/v1/stages/{s1}/clarifications");
    w.call("e1", Method::POST, &path, Some(ask.clone()))
        .await
        .assert_status(403);
    let past =
        json!({ "proposal_id": pb, "question": "Zu spät?", "due_at": "2020-01-01T00:00:00Z" });
    w.call("agency", Method::POST, &path, Some(past))
        .await
        .assert_status(422);
    let r = w.call("agency", Method::POST, &path, Some(ask)).await;
    r.assert_status(201);
    let cid = r.json()["id"].as_i64().unwrap();
    let told: i64 = w.app.with_conn(|conn| {
        notifications::table
            .filter(notifications::kind.eq("notify-clarification-asked"))
            .filter(notifications::user_id.eq(w.users["lead1"].id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(told, 1, "the team is told");
    let answer = format!("/api/v1/clarifications/{cid}/answer");
    w.call("e1", Method::POST, &answer, Some(json!({ "answer": "x" })))
        .await
        .assert_status(403);
    w.call(
        "lead0",
        Method::POST,
        &answer,
        Some(json!({ "answer": "x" })),
    )
    .await
    .assert_status(404);
    w.call(
        "lead1",
        Method::POST,
        &answer,
        Some(json!({ "answer": "12.000 € im Jahr." })),
    )
    .await
    .assert_status(200);
    w.call(
        "lead1",
        Method::POST,
        &answer,
        Some(json!({ "answer": "Nochmal" })),
    )
    .await
    .assert_status(409);
    let list = w
        .call(
            "e1",
            Method::GET,
            &format!("/api/v1/proposals/{pb}/clarifications"),
            None,
        )
        .await;
    list.assert_status(200).assert_contains("12.000");
    w.call(
        "stranger",
        Method::GET,
        &format!("/api/v1/proposals/{pb}/clarifications"),
        None,
    )
    .await
    .assert_status(404);

    // The discussion: closed to an evaluator until their own review is in; @mentions notify.
    let discussion = format!("/api/v1/proposals/{pb}/discussion");
    let post = json!({ "body": "@Emil Experte, sehen Sie das Kostenrisiko auch?" });
    w.call("e1", Method::POST, &discussion, Some(post.clone()))
        .await
        .assert_status(403);
    w.call("lead1", Method::GET, &discussion, None)
        .await
        .assert_status(403);
    let crit: Vec<i64> = w.app.with_conn(|conn| {
        innolab::domain::evaluation::stages::stages_of(conn, w.c.id).unwrap()[0]
            .criteria
            .iter()
            .map(|c| c.id)
            .collect()
    });
    let mine = w
        .call("e1", Method::GET, "/api/v1/me/assignments", None)
        .await
        .json();
    let a = mine[0]["id"].as_i64().unwrap();
    w.call(
        "e1",
        Method::PUT,
        &format!("/api/v1/assignments/{a}/review"),
        Some(full_review(true, 4, 6, &crit)),
    )
    .await
    .assert_status(200);
    w.call("e1", Method::POST, &discussion, Some(post))
        .await
        .assert_status(201);
    let mentioned: i64 = w.app.with_conn(|conn| {
        notifications::table
            .filter(notifications::kind.eq("notify-mentioned"))
            .filter(notifications::user_id.eq(w.users["e2"].id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(mentioned, 1);
    w.call("agency", Method::GET, &discussion, None)
        .await
        .assert_status(200)
        .assert_contains("Kostenrisiko");
    w.call("e2", Method::GET, &discussion, None)
        .await
        .assert_status(403);

    // The pages: the team answers on the clarification page; the reviews page shows the thread.
    let lead = w.users["lead1"].clone();
    w.app.log_in_as(&lead);
    w.app
        .get(&format!("/proposals/{pb}/clarifications"))
        .await
        .assert_status(200)
        .assert_contains("Betriebskosten");
    // A question with a past deadline comes back with its words and a message.
    let staff = w.users["agency"].clone();
    w.app.log_in_as(&staff);
    let r = w
        .app
        .post_form(
            &format!("/proposals/{pb}/clarifications"),
            &[
                ("question", "Gibt es Referenzen?"),
                ("due_at", "2020-01-01T10:00"),
            ],
        )
        .await;
    r.assert_status(422).assert_contains("Gibt es Referenzen?");
    let e1_user = w.users["e1"].clone();
    w.app.log_in_as(&e1_user);
    w.app
        .get(&format!("/proposals/{pb}/reviews"))
        .await
        .assert_status(200)
        .assert_contains("Kostenrisiko");
}

#[actix_web::test]
async fn evaluators_find_their_proposals_in_search_unless_the_stage_is_blind() {
    let mut w = world().await;
    let (s1, _) = define_stages(&mut w).await;
    let e1 = invite_and_accept(&mut w, "e1").await;
    invite_and_accept(&mut w, "e2").await;
    close(&w);
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/start"),
        None,
    )
    .await
    .assert_status(200);
    let pb = w.proposals[1].id;
    let body = json!({ "proposal_id": pb, "evaluator_id": e1 });
    w.call(
        "agency",
        Method::POST,
        &format!("/api/v1/stages/{s1}/assignments"),
        Some(body),
    )
    .await
    .assert_status(201);
    let search = "/api/v1/search?q=Startup%201&kind=proposal";
    let found = |v: Value| v["items"].as_array().unwrap().iter().any(|i| i["id"] == pb);
    // Blind: the result card would name the team, so the proposal stays out of search.
    w.app.settle_search();
    assert!(!found(w.call("e1", Method::GET, search, None).await.json()));
    w.app.with_conn(|conn| {
        diesel::update(stages::table.find(s1))
            .set(stages::blind.eq(false))
            .execute(conn)
            .unwrap()
    });
    w.app.settle_search();
    assert!(
        found(w.call("e1", Method::GET, search, None).await.json()),
        "the assigned evaluator finds it"
    );
    assert!(
        !found(w.call("e2", Method::GET, search, None).await.json()),
        "another evaluator does not"
    );
    assert!(!found(
        w.call("stranger", Method::GET, search, None).await.json()
    ));
}

/// On the evaluator's page a conflict names the organisation as typed, by its name (letter
/// case aside) or its address, so that the form works with any number of organisations; a
/// name nobody has, or one that several share, is refused saying so, and nothing is stored.
#[actix_web::test]
async fn an_evaluator_names_a_conflicting_organisation_by_name_or_address() {
    use innolab::db::schema::conflicts;

    let mut w = world().await;
    invite_and_accept(&mut w, "e1").await;
    let stranger = w.user("stranger").clone();
    w.app
        .create_org(&stranger, "Doppelt GmbH", OrgKind::Startup, false);
    w.app
        .create_org(&stranger, "Doppelt GmbH", OrgKind::Startup, false);
    let e1 = w.user("e1").clone();
    w.app.login(&e1.email, crate::support::PASSWORD).await;
    w.app
        .get("/evaluation")
        .await
        .assert_status(200)
        .assert_contains(r#"name="organisation""#)
        // No list of every organisation: one that has nothing to do with the challenge
        // is not on the page.
        .assert_not_contains("Landkreis Fern");
    let cid = w.c.id.to_string();
    let declare = async |app: &mut TestApp, organisation: &str| {
        let r = app
            .post_form(
                "/evaluation/conflicts",
                &[
                    ("challenge_id", cid.as_str()),
                    ("organisation", organisation),
                    ("reason", "Früher dort tätig"),
                ],
            )
            .await;
        r.assert_status(303);
        // The outcome travels to the next page in the notice cookie.
        r.header("set-cookie").unwrap_or_default()
    };
    let stored = |app: &TestApp| -> Vec<i64> {
        app.with_conn(|c| {
            conflicts::table
                .select(conflicts::organisation_id)
                .order(conflicts::organisation_id)
                .load(c)
                .unwrap()
        })
    };
    assert!(declare(&mut w.app, "Niemand e. V.")
        .await
        .contains("organisation-unknown"));
    assert!(declare(&mut w.app, "doppelt gmbh")
        .await
        .contains("organisation-ambiguous"));
    assert!(declare(&mut w.app, "").await.contains("error"));
    assert_eq!(stored(&w.app), Vec::<i64>::new());

    assert!(declare(&mut w.app, "  startup 1 ")
        .await
        .contains("success"));
    let slug = w.orgs[2].slug.clone();
    assert!(declare(&mut w.app, &slug).await.contains("success"));
    assert_eq!(stored(&w.app), vec![w.orgs[1].id, w.orgs[2].id]);
}
