//! Statuses and kinds are read from and written to their columns as enums: a stored value
//! comes back as the same variant on both backends, and a value outside the set is an
//! error, never quietly replaced by a default.

use diesel::prelude::*;
use diesel::sql_types::Text;
use innolab::db::schema::proposals;
use innolab::domain::proposals as proposal_store;
use innolab::kinds::{OrgKind, ProposalStatus};

use crate::support::TestApp;

#[actix_web::test]
async fn an_unknown_stored_value_is_an_error_not_a_default() {
    let app = TestApp::new().await;
    app.with_conn(|conn| {
        for k in OrgKind::ALL {
            let spelled = format!("'{}'", k.as_str());
            let read: OrgKind = diesel::select(diesel::dsl::sql::<Text>(&spelled))
                .get_result(conn)
                .unwrap();
            assert_eq!(read, *k);
        }
        let unknown =
            diesel::select(diesel::dsl::sql::<Text>("'Draft'")).get_result::<ProposalStatus>(conn);
        assert!(
            unknown.is_err(),
            "a misspelled status must not read as a draft"
        );
    });
}

#[actix_web::test]
async fn a_status_written_as_an_enum_reads_back_as_it() {
    let app = TestApp::new().await;
    let owner = app.create_user("team@example.org", "Team");
    let org = app.create_org(&owner, "Team GmbH", OrgKind::Startup, false);
    let agency_owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&agency_owner, "Amt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &agency_owner, "Offene Daten", "open", 30);
    let p = app.create_proposal(&c, &org, &owner, "submitted");
    app.with_conn(|conn| {
        diesel::update(proposals::table.find(p.id))
            .set(proposals::status.eq(ProposalStatus::Withdrawn))
            .execute(conn)
            .unwrap();
        let stored: String = proposals::table
            .find(p.id)
            .select(diesel::dsl::sql::<Text>("status"))
            .first(conn)
            .unwrap();
        assert_eq!(
            stored, "withdrawn",
            "the column holds the documented spelling"
        );
        let read = proposal_store::find(conn, p.id).unwrap();
        assert_eq!(read.status, ProposalStatus::Withdrawn);
    });
}
