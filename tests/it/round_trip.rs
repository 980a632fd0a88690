//! Saving a form unchanged changes nothing: every edit page, shown from stored values and
//! sent back as a browser would send it (parsed by a real HTML parser, so a textarea's
//! text is what a person would see), leaves the stored record as it was and writes no
//! revision. Multi-line texts, blank lines, indented lines and markdown included; twice,
//! since a corruption that compounds shows on the second save.

use innolab::db::DbConnection;
use innolab::domain::{accounts, challenges, organisations, pilots, proposals};
use serde_json::Value;

use crate::support::TestApp;

type Snapshot = fn(&mut DbConnection) -> Value;

/// One edit page: who opens it, where its form posts, what a browser adds (the button
/// pressed), and what is read from the database before and after.
struct Case {
    who: &'static str,
    page: String,
    action: String,
    extra: &'static [(&'static str, &'static str)],
    snapshot: Snapshot,
}

fn user(app: &TestApp, email: &str) -> accounts::User {
    app.with_conn(|c| accounts::find_by_email(c, email).unwrap().unwrap())
}

fn challenge(c: &mut DbConnection) -> Value {
    let ch = challenges::find_by_slug(c, "hundesteuer-online").unwrap();
    let topics: Vec<String> = innolab::domain::topics::topics_of(c, &[ch.id])
        .unwrap()
        .remove(&ch.id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    serde_json::json!({ "row": ch, "topics": topics })
}

fn proposal(c: &mut DbConnection) -> Value {
    let p = formfluss_proposal(c);
    serde_json::json!({ "row": p, "revisions": revision_count(c, p.id) })
}

fn revision_count(c: &mut DbConnection, id: i64) -> i64 {
    use diesel::prelude::*;
    use innolab::db::schema::proposal_revisions as r;
    r::table
        .filter(r::proposal_id.eq(id))
        .count()
        .get_result(c)
        .unwrap()
}

fn formfluss_proposal(c: &mut DbConnection) -> proposals::Proposal {
    use diesel::prelude::*;
    use innolab::db::schema::proposals as pr;
    let ch = challenges::find_by_slug(c, "hundesteuer-online").unwrap();
    let org = organisations::find_by_slug(c, "formfluss").unwrap();
    let id: i64 = pr::table
        .filter(pr::challenge_id.eq(ch.id))
        .filter(pr::organisation_id.eq(org.id))
        .select(pr::id)
        .first(c)
        .unwrap();
    proposals::find(c, id).unwrap()
}

fn organisation(c: &mut DbConnection) -> Value {
    serde_json::json!(organisations::find_by_slug(c, "formfluss").unwrap())
}

fn agency(c: &mut DbConnection) -> Value {
    serde_json::json!(organisations::find_by_slug(c, "stadt-musterstadt-demo").unwrap())
}

fn pilot(c: &mut DbConnection) -> Value {
    serde_json::json!(pilots::by_slug(c, "hundesteuer-anmeldung").unwrap())
}

fn account(c: &mut DbConnection) -> Value {
    serde_json::json!(accounts::find_by_email(c, "startup.formfluss@innolab.example").unwrap())
}

/// Texts with what broke before: lines after the first, blank lines, indentation,
/// trailing markdown, characters HTML escapes.
const MULTILINE: &str = "## Ausgangslage\n\nIn Musterstadt <b>viel</b> Papier & \"Stempel\".\n\n- erstens\n  - eingerückt\n\n    Code-Block\nEnde";

#[actix_web::test]
async fn every_edit_form_saved_unchanged_changes_nothing() {
    let mut app = TestApp::new().await;
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    // Multi-line values in every long text the pages edit.
    app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::{
            challenges as ch, organisations as o, pilots as pi, proposals as pr,
        };
        diesel::update(ch::table.filter(ch::slug.eq("hundesteuer-online")))
            .set((
                ch::description.eq(MULTILINE),
                ch::summary.eq("Zeile eins\nZeile zwei"),
            ))
            .execute(c)
            .unwrap();
        let p = formfluss_proposal(c);
        diesel::update(pr::table.find(p.id))
            .set((
                pr::approach.eq(MULTILINE),
                pr::pilot_kpis.eq("- 80 %\n- 2 Minuten"),
            ))
            .execute(c)
            .unwrap();
        for slug in ["formfluss", "stadt-musterstadt-demo"] {
            diesel::update(o::table.filter(o::slug.eq(slug)))
                .set(o::description.eq(MULTILINE))
                .execute(c)
                .unwrap();
        }
        diesel::update(pi::table.filter(pi::slug.eq("hundesteuer-anmeldung")))
            .set((
                pi::intro.eq(MULTILINE),
                pi::consent_text.eq("Ich willige ein.\n\nWiderruf jederzeit."),
            ))
            .execute(c)
            .unwrap();
    });
    let proposal_id = app.with_conn(|c| formfluss_proposal(c).id);
    let pilot_id = app.with_conn(|c| pilots::by_slug(c, "hundesteuer-anmeldung").unwrap().id);

    let cases = [
        Case {
            who: "behoerde.stadt@innolab.example",
            page: "/challenges/hundesteuer-online/edit".into(),
            action: "/challenges/hundesteuer-online/edit".into(),
            extra: &[],
            snapshot: challenge,
        },
        Case {
            who: "startup.formfluss@innolab.example",
            page: format!("/proposals/{proposal_id}/edit"),
            action: format!("/proposals/{proposal_id}/edit"),
            extra: &[("action", "save")],
            snapshot: proposal,
        },
        Case {
            who: "startup.formfluss@innolab.example",
            page: "/organisations/formfluss/edit".into(),
            action: "/organisations/formfluss/edit".into(),
            extra: &[],
            snapshot: organisation,
        },
        Case {
            who: "behoerde.stadt@innolab.example",
            page: "/organisations/stadt-musterstadt-demo/edit".into(),
            action: "/organisations/stadt-musterstadt-demo/edit".into(),
            extra: &[],
            snapshot: agency,
        },
        Case {
            who: "startup.formfluss@innolab.example",
            page: format!("/pilots/{pilot_id}/settings"),
            action: format!("/pilots/{pilot_id}/settings"),
            extra: &[],
            snapshot: pilot,
        },
        Case {
            who: "startup.formfluss@innolab.example",
            page: "/account".into(),
            action: "/account/profile".into(),
            extra: &[],
            snapshot: account,
        },
    ];
    for Case {
        who,
        page,
        action,
        extra,
        snapshot,
    } in cases
    {
        let who = user(&app, who);
        app.log_in_as(&who);
        let before = app.with_conn(snapshot);
        for round in 1..=2 {
            let r = app.resubmit(&page, &action, extra).await;
            assert!(
                r.status.is_redirection(),
                "{page}, save {round}: {} {}",
                r.status,
                r.body
            );
            let after = app.with_conn(snapshot);
            assert_eq!(before, after, "{page}: save {round} changed the record");
        }
    }
    // The proposal kept its revision number and wrote no new revision.
    let revisions = app.with_conn(|c| revision_count(c, proposal_id));
    let p = app.with_conn(formfluss_proposal);
    assert_eq!(revisions, p.revision, "one revision per number, none added");
    // The texts still render as markdown, not as a code block.
    app.get("/challenges/hundesteuer-online")
        .await
        .assert_contains("<h3>Ausgangslage</h3>")
        .assert_contains("<li>erstens");
}
