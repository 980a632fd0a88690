//! No page issues more than 10 SQL statements (QUALITY.md), measured on the demo data
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

    let mut over = Vec::new();
    for (who, pages) in [
        (None, &visitor_pages),
        (Some(&agency_staff), &staff_pages),
        (Some(&admin), &admin_pages),
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
