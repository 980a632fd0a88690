//! No page issues more than 10 SQL statements (docs/QUALITY.md), measured on the demo data
//! with the statement counter every pooled connection reports to.

use crate::support::TestApp;

const BUDGET: u64 = 10;

#[actix_web::test]
async fn every_page_stays_within_the_statement_budget() {
    let mut app = TestApp::new().await;
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    let (challenge, proposal, question_challenge) = app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::{challenges, proposals};
        let p: (i64, i64) = proposals::table
            .filter(proposals::status.eq("submitted"))
            .select((proposals::id, proposals::challenge_id))
            .first(c)
            .unwrap();
        let slug: String = challenges::table
            .find(p.1)
            .select(challenges::slug)
            .first(c)
            .unwrap();
        (slug.clone(), p.0, slug)
    });
    let agency_staff = app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::{challenges, memberships};
        let org: i64 = challenges::table
            .filter(challenges::slug.eq(&challenge))
            .select(challenges::organisation_id)
            .first(c)
            .unwrap();
        let uid: i64 = memberships::table
            .filter(memberships::organisation_id.eq(org))
            .select(memberships::user_id)
            .first(c)
            .unwrap();
        innolab::domain::accounts::find(c, uid).unwrap()
    });
    let admin = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "admin@innolab.example")
            .unwrap()
            .unwrap()
    });

    let visitor_pages = vec![
        "/".to_string(),
        "/challenges".into(),
        "/challenges?status=all&sort=newest".into(),
        "/challenges?topic=ki&level=bund".into(),
        format!("/challenges/{challenge}"),
        // Past the last page the rows cannot tell the total: the lists count as well.
        format!("/challenges/{challenge}?page=2"),
        "/organisations".into(),
        "/organisations/bmdv-demo".into(),
        "/login".into(),
        "/register".into(),
        "/api/v1/challenges".into(),
        "/api/v1/organisations".into(),
        "/search?q=Hundesteuer".into(),
        "/challenges?q=Hundesteuer".into(),
        "/api/v1/search?q=Hundesteuer".into(),
        "/p/hundesteuer-anmeldung".into(),
        "/p/termin-auslaenderbehoerde".into(),
    ];
    let staff_pages = vec![
        "/dashboard".to_string(),
        "/notifications".into(),
        "/account".into(),
        format!("/challenges/{question_challenge}/questions"),
        format!("/challenges/{question_challenge}/questions?page=2"),
        format!("/challenges/{challenge}/proposals"),
        format!("/proposals/{proposal}"),
        format!("/proposals/{proposal}?page=2"),
        format!("/proposals/{proposal}/revisions"),
        format!("/proposals/{proposal}/revisions?page=2"),
        format!("/challenges/{challenge}/edit"),
        "/search?q=Wohngeld".into(),
    ];
    let admin_pages = vec![
        "/admin".to_string(),
        "/admin/users".into(),
        "/admin/organisations".into(),
        "/admin/audit".into(),
    ];

    // The demo challenge in the middle of its evaluation, from both sides.
    let user = |email: &str| {
        app.with_conn(|c| {
            innolab::domain::accounts::find_by_email(c, email)
                .unwrap()
                .unwrap()
        })
    };
    let (city_staff, evaluator, team) = (
        user("behoerde.stadt@innolab.example"),
        user("gutachterin.verwaltung@innolab.example"),
        user("startup.formfluss@innolab.example"),
    );
    let (stage, assignment, reviewed) = app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::{assignments, evaluators, stages};
        let stage: i64 = stages::table
            .filter(stages::status.eq("running"))
            .select(stages::id)
            .first(c)
            .unwrap();
        let (a, p): (i64, i64) = assignments::table
            .inner_join(evaluators::table)
            .filter(evaluators::user_id.eq(evaluator.id))
            .filter(assignments::stage_id.eq(stage))
            .select((assignments::id, assignments::proposal_id))
            .first(c)
            .unwrap();
        (stage, a, p)
    });
    let evaluation_staff_pages = vec![
        "/challenges/wohnsitz-ummeldung-digital/evaluation".to_string(),
        "/challenges/wohnsitz-ummeldung-digital/evaluators".into(),
        format!("/stages/{stage}/ranking"),
        format!("/proposals/{reviewed}/reviews"),
        "/challenges/wohnsitz-ummeldung-digital/results".into(),
    ];
    let evaluator_pages = vec![
        "/evaluation".to_string(),
        format!("/assignments/{assignment}/review"),
        format!("/proposals/{reviewed}"),
        format!("/proposals/{reviewed}/clarifications"),
    ];

    // A team's proposal with a released stage: outcome and feedback on the page.
    let released = app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::{challenges, proposals};
        proposals::table
            .inner_join(challenges::table)
            .filter(challenges::slug.eq("wohnsitz-ummeldung-digital"))
            .filter(proposals::created_by.eq(team.id))
            .select(proposals::id)
            .first::<i64>(c)
            .unwrap()
    });
    // Forms and pilots of the team's demo pilots.
    let (pilot, pilot_proposal, form) = app.with_conn(|c| {
        let p = innolab::domain::pilots::by_slug(c, "hundesteuer-anmeldung").unwrap();
        (p.id, p.proposal_id, p.form_id)
    });
    let team_pages = vec![
        format!("/proposals/{released}"),
        "/dashboard".into(),
        "/organisations/formfluss/forms".into(),
        format!("/forms/{form}"),
        format!("/proposals/{pilot_proposal}/pilots"),
        format!("/proposals/{pilot_proposal}/pilots/new"),
        format!("/pilots/{pilot}"),
        format!("/api/v1/pilots/{pilot}/metrics"),
        format!("/api/v1/pilots/{pilot}/deliveries"),
    ];

    let mut over = Vec::new();
    for (who, pages) in [
        (None, &visitor_pages),
        (Some(&agency_staff), &staff_pages),
        (Some(&admin), &admin_pages),
        (Some(&city_staff), &evaluation_staff_pages),
        (Some(&evaluator), &evaluator_pages),
        (Some(&team), &team_pages),
    ] {
        app.log_out();
        if let Some(u) = who {
            app.log_in_as(u);
        }
        for path in pages.iter() {
            // The first visit may open pool connections; count the second.
            app.get(path).await;
            let before = app.state.statements.get();
            let r = app.get(path).await;
            let used = app.state.statements.get() - before;
            assert!(r.status.is_success(), "{path}: {}", r.status);
            if used > BUDGET {
                over.push(format!("{path}: {used} statements"));
            }
        }
    }
    assert!(
        over.is_empty(),
        "pages over the budget of {BUDGET} statements:\n{}",
        over.join("\n")
    );
}
