//! Proposals through the HTML pages: drafting, submitting, revisions and the deadline,
//! withdrawing, eligibility, the co-creation thread, files, public proposals after the
//! deadline and the dashboard.

use diesel::prelude::*;

use innolab::db::schema::{challenges, messages, proposal_revisions, proposals};
use innolab::domain::accounts::User;
use innolab::domain::challenges::Challenge;
use innolab::domain::organisations::Organisation;
use innolab::domain::proposals::Proposal;
use innolab::kinds::{OrgKind, ProposalStatus, Role};

use crate::challenges_flow::{
    attachment_ids, post_owned, set, set_deadline, upload, upload_with_token, PDF,
};
use crate::support::{Resp, TestApp};

/// A tiny PNG header: enough for the content check.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// One verified agency with an open challenge (30 days), a second agency, two startups.
struct World {
    app: TestApp,
    agency_owner: User,
    staff: User,
    other_staff: User,
    startup: Organisation,
    lead: User,
    mate: User,
    rival: Organisation,
    rival_lead: User,
    c: Challenge,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let agency_owner = app.create_user("amt-chefin@example.org", "Amtschefin");
    let staff = app.create_user("amt-team@example.org", "Sachbearbeiter");
    let agency = app.create_org(&agency_owner, "Stadt Beispielheim", OrgKind::Agency, true);
    app.add_member(&agency, &staff, Role::Member);
    let other_owner = app.create_user("nachbar@example.org", "Nachbaramt");
    let other_staff = app.create_user("nachbar-team@example.org", "Nachbar Team");
    let other_agency = app.create_org(&other_owner, "Landkreis Nebenan", OrgKind::Agency, true);
    app.add_member(&other_agency, &other_staff, Role::Member);
    let lead = app.create_user("lena@example.org", "Lena Lead");
    let mate = app.create_user("max@example.org", "Max Mate");
    let startup = app.create_org(&lead, "Formwerk", OrgKind::Startup, false);
    app.add_member(&startup, &mate, Role::Member);
    let rival_lead = app.create_user("rita@example.org", "Rita Rival");
    let rival = app.create_org(&rival_lead, "Konkurrenz GmbH", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &agency_owner, "Hundesteuer digital", "open", 30);
    World {
        app,
        agency_owner,
        staff,
        other_staff,
        startup,
        lead,
        mate,
        rival,
        rival_lead,
        c,
    }
}

/// Every field of a complete proposal, as the form sends it.
fn full_fields() -> Vec<(String, String)> {
    [
        ("title", "Hundesteuer in fünf Minuten"),
        ("summary", "Ein Online-Formular mit Bezahlung."),
        ("approach", "Wir bauen ein **barrierefreies** Formular."),
        ("team", "Ada (UX) und Ben (Backend)"),
        ("pilot_scope", "Ein Bezirk"),
        ("pilot_duration", "3 Monate"),
        ("pilot_kpis", "Abschlussquote 80 %"),
        ("cost_estimate_eur", "48.500"),
        ("data_protection", "Hosting in Frankfurt, AVV liegt vor"),
        ("licence", "EUPL-1.2"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The edit form as it would be sent for the proposal's current content.
fn fields_of(p: &Proposal) -> Vec<(String, String)> {
    [
        ("title", p.title.clone()),
        ("summary", p.summary.clone()),
        ("approach", p.approach.clone()),
        ("team", p.team.clone()),
        ("pilot_scope", p.pilot_scope.clone()),
        ("pilot_duration", p.pilot_duration.clone()),
        ("pilot_kpis", p.pilot_kpis.clone()),
        (
            "cost_estimate_eur",
            p.cost_estimate_eur
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        ("data_protection", p.data_protection.clone()),
        ("licence", p.licence.clone()),
        ("action", "save".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn proposal(app: &TestApp, id: i64) -> Proposal {
    app.with_conn(|c| innolab::domain::proposals::find(c, id).unwrap())
}

fn proposal_count(app: &TestApp) -> i64 {
    app.with_conn(|c| proposals::table.count().get_result(c).unwrap())
}

fn revision_count(app: &TestApp, id: i64) -> i64 {
    app.with_conn(|c| {
        proposal_revisions::table
            .filter(proposal_revisions::proposal_id.eq(id))
            .count()
            .get_result(c)
            .unwrap()
    })
}

fn message_count(app: &TestApp) -> i64 {
    app.with_conn(|c| messages::table.count().get_result(c).unwrap())
}

fn set_challenge(app: &TestApp, id: i64, eligibility: Option<&str>, visibility: Option<&str>) {
    app.with_conn(|c| {
        if let Some(e) = eligibility {
            diesel::update(challenges::table.find(id))
                .set(challenges::eligibility.eq(e))
                .execute(c)
                .unwrap();
        }
        if let Some(v) = visibility {
            diesel::update(challenges::table.find(id))
                .set(challenges::proposal_visibility.eq(v))
                .execute(c)
                .unwrap();
        }
    });
}

fn now() -> chrono::NaiveDateTime {
    innolab::db::now()
}

/// Starts a draft through the form; returns its id.
async fn start_draft(
    app: &mut TestApp,
    slug: &str,
    org: &Organisation,
    fields: &[(&str, &str)],
) -> i64 {
    let mut all: Vec<(String, String)> = vec![("organisation_id".into(), org.id.to_string())];
    all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r = post_owned(app, &format!("/challenges/{slug}/proposals"), &all).await;
    r.assert_status(303);
    let loc = r.location();
    loc.strip_prefix("/proposals/")
        .unwrap_or_else(|| panic!("unexpected redirect {loc}"))
        .parse()
        .unwrap()
}

async fn step(app: &mut TestApp, id: i64, what: &str) -> Resp {
    app.post_form(&format!("/proposals/{id}/{what}"), &[]).await
}

// ---------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_startup_drafts_a_proposal_that_only_its_team_can_see() {
    let World {
        mut app,
        agency_owner,
        staff,
        other_staff,
        startup,
        lead,
        mate,
        rival_lead,
        c,
        ..
    } = world().await;
    app.log_in_as(&lead);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Vorschlag einreichen");
    app.get(&format!("/challenges/{}/proposals/new", c.slug))
        .await
        .assert_status(200)
        .assert_contains("name=\"organisation_id\"")
        .assert_contains(&format!("<option value=\"{}\"", startup.id))
        .assert_contains("Formwerk");
    let id = start_draft(
        &mut app,
        &c.slug,
        &startup,
        &[("title", "Erste Idee"), ("summary", "Noch unfertig.")],
    )
    .await;
    let p = proposal(&app, id);
    assert_eq!(p.status, ProposalStatus::Draft);
    assert_eq!(p.revision, 0);
    assert_eq!(p.organisation_id, startup.id);
    assert_eq!(p.challenge_id, c.id);
    assert_eq!(p.created_by, Some(lead.id));
    assert!(p.submitted_at.is_none());
    app.get(&format!("/proposals/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Erste Idee")
        .assert_contains("Entwurf")
        .assert_contains(&format!("action=\"/proposals/{id}/submit\""));
    // Every member of the team may work on it.
    app.log_in_as(&mate);
    app.get(&format!("/proposals/{id}/edit"))
        .await
        .assert_status(200)
        .assert_contains("value=\"Erste Idee\"");

    // Nobody else knows it exists: not the agency, not visitors, not other teams.
    for who in [&staff, &agency_owner, &other_staff, &rival_lead] {
        app.log_in_as(who);
        app.get(&format!("/proposals/{id}"))
            .await
            .assert_status(404);
        app.get(&format!("/proposals/{id}/revisions"))
            .await
            .assert_status(404);
    }
    app.log_out();
    app.get(&format!("/proposals/{id}"))
        .await
        .assert_status(404);
    app.log_in_as(&staff);
    app.get(&format!("/challenges/{}/proposals", c.slug))
        .await
        .assert_status(200)
        .assert_contains("Keine Vorschläge.")
        .assert_not_contains("Erste Idee");
}

#[actix_web::test]
async fn submitting_an_incomplete_draft_lists_what_is_missing_and_keeps_the_rest() {
    let World {
        mut app,
        startup,
        lead,
        c,
        ..
    } = world().await;
    app.log_in_as(&lead);
    let id = start_draft(
        &mut app,
        &c.slug,
        &startup,
        &[
            ("title", "Halbfertig"),
            ("summary", "Die Zusammenfassung steht schon."),
            ("team", "Zwei Leute aus Leipzig"),
        ],
    )
    .await;
    let r = step(&mut app, id, "submit").await;
    r.assert_status(422)
        .assert_contains("Bitte korrigieren Sie Folgendes")
        .assert_contains("Bitte füllen Sie dieses Feld aus.");
    for missing in [
        "approach",
        "pilot_scope",
        "pilot_duration",
        "pilot_kpis",
        "data_protection",
        "licence",
    ] {
        r.assert_contains(&format!("href=\"#field-{missing}\""));
    }
    for present in ["title", "summary", "team", "cost_estimate_eur"] {
        r.assert_not_contains(&format!("href=\"#field-{present}\""));
    }
    r.assert_contains("value=\"Halbfertig\"")
        .assert_contains("Die Zusammenfassung steht schon.")
        .assert_contains("Zwei Leute aus Leipzig");
    let p = proposal(&app, id);
    assert_eq!((p.status.as_str(), p.revision), ("draft", 0));
    assert_eq!(revision_count(&app, id), 0);

    // "Save and submit" with gaps keeps what was typed, on the page and in the draft.
    let mut fields = fields_of(&p);
    set(&mut fields, "approach", "Ein Ansatz, der bleibt.");
    set(&mut fields, "action", "submit");
    post_owned(&mut app, &format!("/proposals/{id}/edit"), &fields)
        .await
        .assert_status(422)
        .assert_contains("Ein Ansatz, der bleibt.")
        .assert_contains("href=\"#field-licence\"")
        .assert_not_contains("href=\"#field-approach\"");
    let p = proposal(&app, id);
    assert_eq!(p.status, ProposalStatus::Draft);
    assert_eq!(p.approach, "Ein Ansatz, der bleibt.");
}

#[actix_web::test]
async fn a_complete_submission_becomes_revision_one_and_reaches_the_agency_only() {
    let World {
        mut app,
        agency_owner,
        staff,
        other_staff,
        startup,
        lead,
        rival_lead,
        c,
        ..
    } = world().await;
    app.log_in_as(&lead);
    let id = start_draft(&mut app, &c.slug, &startup, &[("title", "Entwurf")]).await;
    let mut fields = full_fields();
    set(&mut fields, "action", "save");
    let r = post_owned(&mut app, &format!("/proposals/{id}/edit"), &fields).await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/proposals/{id}"));
    let r = step(&mut app, id, "submit").await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/proposals/{id}"));

    let p = proposal(&app, id);
    assert_eq!(p.status, ProposalStatus::Submitted);
    assert_eq!(p.revision, 1);
    assert!(p.submitted_at.is_some());
    assert_eq!(p.cost_estimate_eur, Some(48500));
    assert_eq!(revision_count(&app, id), 1);
    app.get(&format!("/proposals/{id}"))
        .await
        .assert_contains("Der Vorschlag wurde eingereicht.")
        .assert_contains("Eingereicht")
        .assert_contains("Fassung 1");
    // Submitting twice is refused.
    step(&mut app, id, "submit")
        .await
        .assert_status(409)
        .assert_contains("Nur Entwürfe können eingereicht werden.");

    // Every member of the agency sees all of it and was told.
    for who in [&staff, &agency_owner] {
        app.log_in_as(who);
        app.get(&format!("/proposals/{id}"))
            .await
            .assert_status(200)
            .assert_contains("Hundesteuer in fünf Minuten")
            .assert_contains("<strong>barrierefreies</strong>")
            .assert_contains("Vertrauliche Angaben")
            .assert_contains("Ada (UX) und Ben (Backend)")
            .assert_contains("48.500 €")
            .assert_contains("Hosting in Frankfurt, AVV liegt vor")
            .assert_not_contains(&format!("href=\"/proposals/{id}/edit\""));
        app.get("/notifications")
            .await
            .assert_contains("Vorschlag „Hundesteuer in fünf Minuten“ wurde eingereicht.")
            .assert_contains(&format!("href=\"/proposals/{id}\""));
    }
    app.get(&format!("/challenges/{}/proposals", c.slug))
        .await
        .assert_status(200)
        .assert_contains("Ein Vorschlag")
        .assert_contains("Hundesteuer in fünf Minuten")
        .assert_contains("Formwerk")
        .assert_contains("Eingereicht");
    // ...but may not change it.
    app.get(&format!("/proposals/{id}/edit"))
        .await
        .assert_status(403);
    post_owned(&mut app, &format!("/proposals/{id}/edit"), &full_fields())
        .await
        .assert_status(403);
    step(&mut app, id, "withdraw").await.assert_status(403);
    assert_eq!(proposal(&app, id).status, ProposalStatus::Submitted);

    // The team itself is not notified of its own submission.
    app.log_in_as(&lead);
    app.get("/notifications")
        .await
        .assert_not_contains("wurde eingereicht");

    // Other agencies, other teams and visitors still get nothing.
    for who in [&other_staff, &rival_lead] {
        app.log_in_as(who);
        app.get(&format!("/proposals/{id}"))
            .await
            .assert_status(404);
    }
    app.log_out();
    app.get(&format!("/proposals/{id}"))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn changes_after_submission_are_numbered_revisions_with_a_readable_diff() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        rival_lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.log_in_as(&lead);
    let mut fields = fields_of(&p);
    set(
        &mut fields,
        "pilot_kpis",
        "- Quote 85 %\n- Zufriedenheit 4 von 5",
    );
    set(&mut fields, "note", "Ziele geschärft");
    post_owned(&mut app, &format!("/proposals/{}/edit", p.id), &fields)
        .await
        .assert_status(303);
    let now_p = proposal(&app, p.id);
    assert_eq!(now_p.revision, 2);
    assert_eq!(now_p.status, ProposalStatus::Submitted);
    assert_eq!(now_p.pilot_kpis, "- Quote 85 %\n- Zufriedenheit 4 von 5");
    assert_eq!(revision_count(&app, p.id), 2);

    let r = app.get(&format!("/proposals/{}/revisions", p.id)).await;
    r.assert_status(200)
        .assert_contains("Fassung 2")
        .assert_contains("Fassung 1")
        .assert_contains("Ziele geschärft")
        .assert_contains("Erste eingereichte Fassung.")
        .assert_contains("<h3>Kennzahlen und Ziele</h3>")
        .assert_contains("<del><span class=\"visually-hidden\">Entfernt:</span>- Quote 80 %</del>")
        .assert_contains(
            "<ins><span class=\"visually-hidden\">Hinzugefügt:</span>- Quote 85 %</ins>",
        )
        .assert_contains(
            "<ins><span class=\"visually-hidden\">Hinzugefügt:</span>- Zufriedenheit 4 von 5</ins>",
        )
        // Only what changed is listed.
        .assert_not_contains("<h3>Team</h3>")
        .assert_not_contains("<h3>Titel</h3>");
    assert!(r.body.find("Fassung 2").unwrap() < r.body.find("Fassung 1").unwrap());

    // Saving without a change makes no new revision.
    post_owned(&mut app, &format!("/proposals/{}/edit", p.id), &fields)
        .await
        .assert_status(303);
    assert_eq!(proposal(&app, p.id).revision, 2);
    assert_eq!(revision_count(&app, p.id), 2);

    // A submitted proposal must stay complete.
    set(&mut fields, "team", "");
    post_owned(&mut app, &format!("/proposals/{}/edit", p.id), &fields)
        .await
        .assert_status(422)
        .assert_contains("href=\"#field-team\"");
    let after = proposal(&app, p.id);
    assert_eq!((after.revision, after.team.as_str()), (2, "Drei Leute"));

    // The agency reads the revisions; others do not.
    app.log_in_as(&staff);
    app.get(&format!("/proposals/{}/revisions", p.id))
        .await
        .assert_status(200)
        .assert_contains("Ziele geschärft");
    app.log_in_as(&rival_lead);
    app.get(&format!("/proposals/{}/revisions", p.id))
        .await
        .assert_status(404);
    app.log_out();
    app.get(&format!("/proposals/{}/revisions", p.id))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn revisions_come_twenty_to_a_page_and_each_page_diffs_its_oldest_one() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.revise(&p, &c, &lead, 24);
    assert_eq!(revision_count(&app, p.id), 25);
    app.log_in_as(&staff);
    let path = format!("/proposals/{}/revisions", p.id);

    // Newest first: 25 down to 6.
    let first = app.get(&path).await;
    first
        .assert_status(200)
        .assert_contains("<h2>Fassung 25</h2>")
        .assert_contains("<h2>Fassung 6</h2>")
        .assert_not_contains("<h2>Fassung 5</h2>")
        .assert_contains("reversed start=\"25\"")
        .assert_contains("rel=\"next\"")
        .assert_contains("Seite 1 von 2")
        // Revision 6 is compared with revision 5, which is on the next page.
        .assert_contains("<del><span class=\"visually-hidden\">Entfernt:</span>Stand 05</del>")
        .assert_contains("<ins><span class=\"visually-hidden\">Hinzugefügt:</span>Stand 06</ins>")
        .assert_not_contains("Erste eingereichte Fassung.");
    assert_eq!(first.body.matches("<h2>Fassung ").count(), 20);

    let second = app.get(&format!("{path}?page=2")).await;
    second
        .assert_status(200)
        .assert_contains("<h2>Fassung 5</h2>")
        .assert_contains("<h2>Fassung 1</h2>")
        .assert_not_contains("<h2>Fassung 6</h2>")
        .assert_contains("reversed start=\"5\"")
        .assert_contains("Erste eingereichte Fassung.")
        .assert_contains(
            "<del><span class=\"visually-hidden\">Entfernt:</span>Wir lösen das.</del>",
        )
        .assert_contains("rel=\"prev\"")
        .assert_not_contains("rel=\"next\"");
    assert_eq!(second.body.matches("<h2>Fassung ").count(), 5);
}

#[actix_web::test]
async fn after_the_deadline_a_proposal_can_no_longer_be_changed_or_submitted() {
    let World {
        mut app,
        startup,
        lead,
        rival,
        rival_lead,
        c,
        ..
    } = world().await;
    let submitted = app.create_proposal(&c, &startup, &lead, "submitted");
    let draft = app.create_proposal(&c, &rival, &rival_lead, "draft");
    set_deadline(&app, c.id, now() - chrono::Duration::minutes(1));

    app.log_in_as(&lead);
    let mut fields = fields_of(&submitted);
    set(&mut fields, "title", "Zu spät geändert");
    post_owned(
        &mut app,
        &format!("/proposals/{}/edit", submitted.id),
        &fields,
    )
    .await
    .assert_status(409)
    .assert_contains("Die Einreichungsfrist ist abgelaufen.");
    let p = proposal(&app, submitted.id);
    assert_eq!(
        (p.title.as_str(), p.revision),
        (submitted.title.as_str(), 1)
    );
    app.get(&format!("/proposals/{}", submitted.id))
        .await
        .assert_status(200)
        .assert_not_contains(&format!("href=\"/proposals/{}/edit\"", submitted.id));

    app.log_in_as(&rival_lead);
    step(&mut app, draft.id, "submit")
        .await
        .assert_status(409)
        .assert_contains("Die Einreichungsfrist ist abgelaufen.");
    assert_eq!(proposal(&app, draft.id).status, ProposalStatus::Draft);

    // Nor can anyone start a new one.
    let late = app.create_user("spaet@example.org", "Spät");
    let late_org = app.create_org(&late, "Nachzügler", OrgKind::Research, false);
    app.log_in_as(&late);
    app.get(&format!("/challenges/{}/proposals/new", c.slug))
        .await
        .assert_status(409)
        .assert_contains("Diese Herausforderung nimmt keine Vorschläge (mehr) an.");
    post_owned(
        &mut app,
        &format!("/challenges/{}/proposals", c.slug),
        &[
            ("organisation_id".into(), late_org.id.to_string()),
            ("title".into(), "Nachgereicht".into()),
        ],
    )
    .await
    .assert_status(409);
    assert_eq!(proposal_count(&app), 2);
}

#[actix_web::test]
async fn the_deadline_holds_to_the_second() {
    let World {
        mut app,
        startup,
        lead,
        rival,
        rival_lead,
        c,
        ..
    } = world().await;
    let mine = app.create_proposal(&c, &startup, &lead, "draft");
    let theirs = app.create_proposal(&c, &rival, &rival_lead, "draft");

    // Two seconds before the deadline: accepted.
    set_deadline(&app, c.id, now() + chrono::Duration::seconds(2));
    app.log_in_as(&lead);
    step(&mut app, mine.id, "submit").await.assert_status(303);
    assert_eq!(proposal(&app, mine.id).status, ProposalStatus::Submitted);

    // One second after: refused, for submitting and for editing.
    set_deadline(&app, c.id, now() - chrono::Duration::seconds(1));
    app.log_in_as(&rival_lead);
    step(&mut app, theirs.id, "submit")
        .await
        .assert_status(409)
        .assert_contains("Die Einreichungsfrist ist abgelaufen.");
    assert_eq!(proposal(&app, theirs.id).status, ProposalStatus::Draft);
    app.log_in_as(&lead);
    let mut fields = fields_of(&proposal(&app, mine.id));
    set(&mut fields, "summary", "Eine Sekunde zu spät.");
    post_owned(&mut app, &format!("/proposals/{}/edit", mine.id), &fields)
        .await
        .assert_status(409);
    assert_eq!(proposal(&app, mine.id).summary, "Wir lösen das.");

    // Exactly at the deadline it is over too.
    let at = now();
    set_deadline(&app, c.id, at);
    app.log_in_as(&rival_lead);
    step(&mut app, theirs.id, "submit").await.assert_status(409);
}

#[actix_web::test]
async fn withdrawing_and_reopening_follow_the_rules() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.log_in_as(&lead);
    step(&mut app, p.id, "withdraw").await.assert_status(303);
    let w = proposal(&app, p.id);
    assert_eq!(w.status, ProposalStatus::Withdrawn);
    assert!(w.withdrawn_at.is_some());
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_contains("Der Vorschlag wurde zurückgezogen.")
        .assert_contains("Zurückgezogen")
        .assert_contains(&format!("action=\"/proposals/{}/reopen\"", p.id));

    // Withdrawn means frozen.
    let mut fields = fields_of(&p);
    set(&mut fields, "title", "Doch noch geändert");
    post_owned(&mut app, &format!("/proposals/{}/edit", p.id), &fields)
        .await
        .assert_status(409)
        .assert_contains(
            "Der Vorschlag wurde zurückgezogen und kann nicht mehr bearbeitet werden.",
        );
    assert_eq!(proposal(&app, p.id).title, p.title);
    upload(
        &mut app,
        &format!("/proposals/{}/attachments", p.id),
        "nachtrag.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(409);
    assert!(attachment_ids(&app, "proposal", p.id).is_empty());
    step(&mut app, p.id, "withdraw")
        .await
        .assert_status(409)
        .assert_contains("Das geht nur bei eingereichten Vorschlägen.");

    // The agency still sees that it was withdrawn.
    app.log_in_as(&staff);
    app.get(&format!("/challenges/{}/proposals", c.slug))
        .await
        .assert_contains(&p.title)
        .assert_contains("Zurückgezogen");

    // Reopened before the deadline it is a draft again, hidden from the agency.
    app.log_in_as(&lead);
    step(&mut app, p.id, "reopen").await.assert_status(303);
    let r = proposal(&app, p.id);
    assert_eq!((r.status.as_str(), r.revision), ("draft", 1));
    assert!(r.withdrawn_at.is_none());
    step(&mut app, p.id, "reopen")
        .await
        .assert_status(409)
        .assert_contains("Nur zurückgezogene Vorschläge können wieder geöffnet werden.");
    app.log_in_as(&staff);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(404);

    // Submitted again, it becomes the next revision.
    app.log_in_as(&lead);
    step(&mut app, p.id, "submit").await.assert_status(303);
    let again = proposal(&app, p.id);
    assert_eq!((again.status.as_str(), again.revision), ("submitted", 2));
    assert_eq!(revision_count(&app, p.id), 2);

    // After the deadline a withdrawn proposal cannot be reopened.
    step(&mut app, p.id, "withdraw").await.assert_status(303);
    set_deadline(&app, c.id, now() - chrono::Duration::minutes(1));
    step(&mut app, p.id, "reopen")
        .await
        .assert_status(409)
        .assert_contains("Die Einreichungsfrist ist abgelaufen.");
    assert_eq!(proposal(&app, p.id).status, ProposalStatus::Withdrawn);
}

#[actix_web::test]
async fn only_eligible_organisations_may_propose_and_only_once() {
    let World {
        mut app,
        agency_owner,
        staff,
        startup,
        lead,
        c,
        ..
    } = world().await;
    set_challenge(&app, c.id, Some("research"), None);
    let prof = app.create_user("prof@example.org", "Prof. Dr. Forsch");
    let institute = app.create_org(&prof, "Institut Nord", OrgKind::Research, false);
    let path = format!("/challenges/{}/proposals", c.slug);
    let form = |org: &Organisation, title: &str| {
        vec![
            ("organisation_id".to_string(), org.id.to_string()),
            ("title".to_string(), title.to_string()),
        ]
    };

    // A startup may not take part.
    app.log_in_as(&lead);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_not_contains("Vorschlag einreichen");
    app.get(&format!("{path}/new"))
        .await
        .assert_status(409)
        .assert_contains("Ihre Organisation darf bei dieser Herausforderung nicht einreichen.");
    post_owned(&mut app, &path, &form(&startup, "Trotzdem"))
        .await
        .assert_status(409)
        .assert_contains("Ihre Organisation darf bei dieser Herausforderung nicht einreichen.")
        .assert_contains("value=\"Trotzdem\"");
    // Nor in the name of an organisation the user is not part of.
    post_owned(&mut app, &path, &form(&institute, "Geliehen"))
        .await
        .assert_status(403);
    // Agencies never propose.
    app.log_in_as(&staff);
    let agency = app
        .with_conn(|conn| innolab::domain::organisations::find(conn, c.organisation_id).unwrap());
    post_owned(&mut app, &path, &form(&agency, "Selbst gemacht"))
        .await
        .assert_status(403);
    assert_eq!(proposal_count(&app), 0);
    let _ = agency_owner;

    // The research institute may, once.
    app.log_in_as(&prof);
    app.get(&format!("{path}/new"))
        .await
        .assert_status(200)
        .assert_contains("Institut Nord");
    start_draft(
        &mut app,
        &c.slug,
        &institute,
        &[("title", "Forschung hilft")],
    )
    .await;
    post_owned(&mut app, &path, &form(&institute, "Noch einer"))
        .await
        .assert_status(409)
        .assert_contains(
            "Ihre Organisation hat zu dieser Herausforderung bereits einen Vorschlag.",
        );
    assert_eq!(proposal_count(&app), 1);

    // A challenge that is closed takes nothing.
    let closed = app.create_challenge(&agency, &agency_owner, "Schon zu", "closed", 10);
    app.get(&format!("/challenges/{}/proposals/new", closed.slug))
        .await
        .assert_status(409)
        .assert_contains("Diese Herausforderung nimmt keine Vorschläge (mehr) an.");
    post_owned(
        &mut app,
        &format!("/challenges/{}/proposals", closed.slug),
        &form(&institute, "Zu spät"),
    )
    .await
    .assert_status(409);
    assert_eq!(proposal_count(&app), 1);
}

#[actix_web::test]
async fn team_and_agency_talk_in_a_private_thread() {
    let World {
        mut app,
        agency_owner,
        staff,
        other_staff,
        startup,
        lead,
        mate,
        rival,
        rival_lead,
        c,
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    let path = format!("/proposals/{}/messages", p.id);

    app.log_in_as(&lead);
    let r = app
        .post_form(&path, &[("body", "Können wir einen Termin vereinbaren?")])
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/proposals/{}#thread", p.id));
    assert_eq!(message_count(&app), 1);

    // The agency's members are told; the team is not told of its own message.
    let note = "Neue Nachricht zu „Vorschlag von Formwerk“.";
    for who in [&staff, &agency_owner] {
        app.log_in_as(who);
        app.get("/notifications").await.assert_contains(note);
    }
    for who in [&lead, &mate] {
        app.log_in_as(who);
        app.get("/notifications").await.assert_not_contains(note);
    }

    // The agency reads it with its author and answers; now the team is told.
    app.log_in_as(&staff);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_contains("Können wir einen Termin vereinbaren?")
        .assert_contains("Lena Lead");
    app.post_form(&path, &[("body", "Gern, am Dienstag um zehn.")])
        .await
        .assert_status(303);
    // Only the team's message, not its own reply.
    assert_eq!(
        app.get("/notifications").await.body.matches(note).count(),
        1
    );
    for who in [&lead, &mate] {
        app.log_in_as(who);
        app.get("/notifications").await.assert_contains(note);
        let page = app.get(&format!("/proposals/{}", p.id)).await;
        page.assert_contains("Können wir einen Termin vereinbaren?")
            .assert_contains("Gern, am Dienstag um zehn.")
            .assert_contains("Sachbearbeiter");
        assert!(
            page.body.find("Können wir einen Termin").unwrap()
                < page.body.find("Gern, am Dienstag").unwrap(),
            "oldest first"
        );
    }

    // An empty message is refused on the same page.
    app.log_in_as(&lead);
    app.post_form(&path, &[("body", "  ")])
        .await
        .assert_status(422)
        .assert_contains("href=\"#field-body\"")
        .assert_contains("Bitte füllen Sie dieses Feld aus.")
        .assert_contains("Vorschlag von Formwerk");
    assert_eq!(message_count(&app), 2);

    // Outsiders cannot write, nor find out that the proposal exists.
    for who in [&rival_lead, &other_staff] {
        app.log_in_as(who);
        app.post_form(&path, &[("body", "Ich lese mit")])
            .await
            .assert_status(404);
    }
    app.log_out();
    app.post_form(&path, &[("body", "Ich auch")])
        .await
        .assert_status(404);
    assert_eq!(message_count(&app), 2);

    // Drafts have no thread yet.
    let draft = app.create_proposal(&c, &rival, &rival_lead, "draft");
    app.log_in_as(&rival_lead);
    app.post_form(
        &format!("/proposals/{}/messages", draft.id),
        &[("body", "Hallo?")],
    )
    .await
    .assert_status(409)
    .assert_contains("Das geht nur bei eingereichten Vorschlägen.");
    assert_eq!(message_count(&app), 2);
}

#[actix_web::test]
async fn the_thread_shows_its_newest_twenty_messages_and_links_to_older_ones() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.post_messages(&p, &lead, 25);
    app.log_in_as(&staff);
    let path = format!("/proposals/{}", p.id);

    let first = app.get(&path).await;
    first
        .assert_status(200)
        .assert_contains("Wortmeldung 24")
        .assert_contains("Wortmeldung 05")
        .assert_not_contains("Wortmeldung 04")
        .assert_contains(&format!("href=\"{path}?page&#x3D;2#thread\""))
        .assert_contains("Seite 1 von 2")
        // The rest of the page is all there.
        .assert_contains(&p.title)
        .assert_contains("Hosting in Deutschland")
        .assert_contains(&format!("action=\"{path}/messages\""));
    assert_eq!(first.body.matches("Wortmeldung ").count(), 20);
    assert!(
        first.body.find("Wortmeldung 05").unwrap() < first.body.find("Wortmeldung 24").unwrap(),
        "oldest first within the page"
    );

    let second = app.get(&format!("{path}?page=2")).await;
    second
        .assert_status(200)
        .assert_contains("Wortmeldung 00")
        .assert_contains("Wortmeldung 04")
        .assert_not_contains("Wortmeldung 05")
        .assert_contains(&format!("href=\"{path}?page&#x3D;1#thread\""))
        .assert_not_contains("rel=\"next\"");
    assert_eq!(second.body.matches("Wortmeldung ").count(), 5);
}

#[actix_web::test]
async fn a_change_based_on_a_stale_read_is_refused_and_changes_nothing() {
    use actix_web::ResponseError;
    use innolab::domain::proposals::{self as domain, ProposalInput};
    use innolab::error::AppError;

    #[track_caller]
    fn assert_lost_race(result: Result<Proposal, AppError>) {
        let err = result.expect_err("a stale change must be refused");
        assert_eq!(err.status_code().as_u16(), 409, "{err:?}");
        assert!(
            matches!(
                err,
                AppError::Conflict {
                    message_id: "proposal-changed"
                }
            ),
            "{err:?}"
        );
        assert!(err.public_message().contains("changed in the meantime"));
    }

    let World {
        mut app,
        startup,
        lead,
        mate,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    let edit = ProposalInput {
        title: Some("Spät bearbeitet".into()),
        ..Default::default()
    };

    // Mate's edit read the proposal as submitted; Lena's withdrawal commits first.
    let stale = proposal(&app, p.id);
    app.log_in_as(&lead);
    step(&mut app, p.id, "withdraw").await.assert_status(303);
    assert_lost_race(
        app.with_conn(|conn| domain::update(conn, &stale, &c, mate.id, &edit, "spät")),
    );
    let now_p = proposal(&app, p.id);
    assert_eq!(
        (now_p.status.as_str(), now_p.title.as_str(), now_p.revision),
        ("withdrawn", p.title.as_str(), 1)
    );
    assert_eq!(revision_count(&app, p.id), 1);
    // An edit that would change nothing does not report the old state either.
    assert_lost_race(app.with_conn(|conn| {
        domain::update(conn, &stale, &c, mate.id, &ProposalInput::default(), "")
    }));

    // A withdrawal read before a withdraw-and-reopen must not withdraw the draft.
    step(&mut app, p.id, "reopen").await.assert_status(303);
    assert_lost_race(app.with_conn(|conn| domain::withdraw(conn, &stale, &c)));
    assert_eq!(proposal(&app, p.id).status, ProposalStatus::Draft);

    // Two edits of the same revision: the first wins, the second changes nothing.
    step(&mut app, p.id, "submit").await.assert_status(303);
    let read = proposal(&app, p.id);
    let first = ProposalInput {
        summary: Some("Erste Änderung".into()),
        ..Default::default()
    };
    let second = ProposalInput {
        summary: Some("Zweite Änderung".into()),
        ..Default::default()
    };
    let won = app
        .with_conn(|conn| domain::update(conn, &read, &c, lead.id, &first, ""))
        .unwrap();
    assert_eq!(won.revision, read.revision + 1);
    assert_lost_race(app.with_conn(|conn| domain::update(conn, &read, &c, mate.id, &second, "")));
    let now_p = proposal(&app, p.id);
    assert_eq!(
        (now_p.summary.as_str(), now_p.revision),
        ("Erste Änderung", won.revision)
    );
    assert_eq!(revision_count(&app, p.id), won.revision);
}

#[actix_web::test]
async fn proposal_files_are_for_the_team_and_the_agency_only() {
    let World {
        mut app,
        staff,
        other_staff,
        startup,
        lead,
        rival,
        rival_lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    let path = format!("/proposals/{}/attachments", p.id);
    app.log_in_as(&lead);
    let r = upload(&mut app, &path, "skizze.png", "image/png", PNG).await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/proposals/{}#attachments", p.id));
    let ids = attachment_ids(&app, "proposal", p.id);
    assert_eq!(ids.len(), 1);
    let id = ids[0];
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_contains("Die Datei wurde hochgeladen.")
        .assert_contains("skizze.png")
        .assert_contains("image/png");
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(200);

    // A disguised file is refused here too.
    upload(
        &mut app,
        &path,
        "plan.png",
        "image/png",
        b"<svg onload=alert(1)></svg>",
    )
    .await
    .assert_status(303);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_contains("Dieser Dateityp ist nicht erlaubt");
    assert_eq!(attachment_ids(&app, "proposal", p.id).len(), 1);

    app.log_in_as(&staff);
    let dl = app.get(&format!("/attachments/{id}")).await;
    dl.assert_status(200);
    assert_eq!(dl.header("content-type").as_deref(), Some("image/png"));
    assert!(dl
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment; filename=\"skizze.png\""));
    assert_eq!(
        dl.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    // The agency reads, but does not add to the team's proposal.
    upload(&mut app, &path, "amt.pdf", "application/pdf", PDF)
        .await
        .assert_status(403);

    for who in [&other_staff, &rival_lead] {
        app.log_in_as(who);
        app.get(&format!("/attachments/{id}"))
            .await
            .assert_status(404);
        upload(&mut app, &path, "fremd.pdf", "application/pdf", PDF)
            .await
            .assert_status(404);
    }
    app.log_out();
    app.get(&format!("/attachments/{id}"))
        .await
        .assert_status(404);
    assert_eq!(attachment_ids(&app, "proposal", p.id).len(), 1);

    // A draft's files stay with the team.
    let draft = app.create_proposal(&c, &rival, &rival_lead, "draft");
    app.log_in_as(&rival_lead);
    upload(
        &mut app,
        &format!("/proposals/{}/attachments", draft.id),
        "idee.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(303);
    let draft_file = attachment_ids(&app, "proposal", draft.id)[0];
    app.get(&format!("/attachments/{draft_file}"))
        .await
        .assert_status(200);
    app.log_in_as(&staff);
    app.get(&format!("/attachments/{draft_file}"))
        .await
        .assert_status(404);
    // A stale token is refused.
    app.log_in_as(&rival_lead);
    upload_with_token(
        &mut app,
        &format!("/proposals/{}/attachments", draft.id),
        "alt",
        "noch.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(403);
    assert_eq!(attachment_ids(&app, "proposal", draft.id).len(), 1);
}

#[actix_web::test]
async fn public_proposals_after_the_deadline_show_no_private_parts() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        rival_lead,
        c,
        ..
    } = world().await;
    set_challenge(&app, c.id, None, Some("public_after_deadline"));
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    app.log_in_as(&lead);
    upload(
        &mut app,
        &format!("/proposals/{}/attachments", p.id),
        "kalkulation.pdf",
        "application/pdf",
        PDF,
    )
    .await
    .assert_status(303);
    let file = attachment_ids(&app, "proposal", p.id)[0];
    app.post_form(
        &format!("/proposals/{}/messages", p.id),
        &[("body", "Interne Rückfrage zum Budget")],
    )
    .await
    .assert_status(303);

    // Before the deadline: nothing public.
    app.log_out();
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(404);

    set_deadline(&app, c.id, now() - chrono::Duration::hours(1));
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_contains("Öffentliche Vorschläge ansehen");
    let page = app.get(&format!("/proposals/{}", p.id)).await;
    page.assert_status(200)
        .assert_contains("Vorschlag von Formwerk")
        .assert_contains("Wir lösen das.")
        .assert_contains("So geht es.")
        .assert_contains("Ein Bezirk")
        .assert_contains("EUPL-1.2");
    for private in [
        "Vertrauliche Angaben",
        "Drei Leute",
        "30.000 €",
        "Hosting in Deutschland",
        "kalkulation.pdf",
        &format!("/attachments/{file}"),
        "Interne Rückfrage zum Budget",
        "Rückfragen",
        "/revisions",
        "/messages",
    ] {
        page.assert_not_contains(private);
    }
    app.get(&format!("/attachments/{file}"))
        .await
        .assert_status(404);
    app.get(&format!("/proposals/{}/revisions", p.id))
        .await
        .assert_status(403);
    app.post_form(
        &format!("/proposals/{}/messages", p.id),
        &[("body", "Von außen")],
    )
    .await
    .assert_status(403);
    assert_eq!(message_count(&app), 1);

    // Another team sees the same public part, no more.
    app.log_in_as(&rival_lead);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(200)
        .assert_not_contains("Drei Leute")
        .assert_not_contains("kalkulation.pdf");
    app.get(&format!("/attachments/{file}"))
        .await
        .assert_status(404);
    app.get(&format!("/proposals/{}/edit", p.id))
        .await
        .assert_status(403);

    // The agency still has everything.
    app.log_in_as(&staff);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_contains("Drei Leute")
        .assert_contains("kalkulation.pdf")
        .assert_contains("Interne Rückfrage zum Budget");
    app.get(&format!("/attachments/{file}"))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn drafts_and_private_proposals_never_leak_through_the_challenge_list() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        rival,
        rival_lead,
        c,
        ..
    } = world().await;
    let gamma_lead = app.create_user("gamma@example.org", "Gamma");
    let gamma = app.create_org(&gamma_lead, "Gamma Team", OrgKind::CivilSociety, false);
    let submitted = app.create_proposal(&c, &startup, &lead, "submitted");
    let draft = app.create_proposal(&c, &rival, &rival_lead, "draft");
    let withdrawn = app.create_proposal(&c, &gamma, &gamma_lead, "withdrawn");
    let list = format!("/challenges/{}/proposals", c.slug);

    app.log_in_as(&staff);
    app.get(&list)
        .await
        .assert_status(200)
        .assert_contains("2 Vorschläge")
        .assert_contains(&submitted.title)
        .assert_contains(&withdrawn.title)
        .assert_contains("Zurückgezogen")
        .assert_not_contains(&draft.title);

    // A private challenge's list is the agency's alone.
    app.log_out();
    assert!(app.get(&list).await.is_login_redirect());
    for who in [&lead, &rival_lead] {
        app.log_in_as(who);
        app.get(&list).await.assert_status(403);
    }

    // Public after the deadline, but the deadline has not passed: still closed.
    set_challenge(&app, c.id, None, Some("public_after_deadline"));
    app.log_out();
    assert!(app.get(&list).await.is_login_redirect());

    // After the deadline: submitted ones only, without the agency's columns.
    set_deadline(&app, c.id, now() - chrono::Duration::minutes(5));
    let r = app.get(&list).await;
    r.assert_status(200)
        .assert_contains("Ein Vorschlag")
        .assert_contains(&submitted.title)
        .assert_not_contains(&draft.title)
        .assert_not_contains(&withdrawn.title)
        .assert_not_contains("<th scope=\"col\">Status</th>");
    app.get(&format!("/proposals/{}", draft.id))
        .await
        .assert_status(404);

    // A private challenge stays private after its deadline.
    set_challenge(&app, c.id, None, Some("private"));
    assert!(app.get(&list).await.is_login_redirect());
    app.get(&format!("/proposals/{}", submitted.id))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn the_dashboard_shows_each_side_its_work() {
    let World {
        mut app,
        agency_owner,
        staff,
        startup,
        lead,
        rival,
        rival_lead,
        c,
        ..
    } = world().await;
    let gamma_lead = app.create_user("gamma@example.org", "Gamma");
    let gamma = app.create_org(&gamma_lead, "Gamma Team", OrgKind::CivilSociety, false);
    let mine = app.create_proposal(&c, &startup, &lead, "submitted");
    app.create_proposal(&c, &rival, &rival_lead, "submitted");
    let gamma_draft = app.create_proposal(&c, &gamma, &gamma_lead, "draft");
    let agency = app
        .with_conn(|conn| innolab::domain::organisations::find(conn, c.organisation_id).unwrap());
    app.create_challenge(&agency, &agency_owner, "Zweiter Entwurf", "draft", 40);
    // Two questions, one of them answered.
    let ask = format!("/challenges/{}/questions", c.slug);
    app.post_form(&ask, &[("body", "Offene Frage?")])
        .await
        .assert_status(200);
    app.post_form(&ask, &[("body", "Beantwortete Frage?")])
        .await
        .assert_status(200);
    let answered: i64 = app.with_conn(|conn| {
        use innolab::db::schema::questions;
        questions::table
            .filter(questions::body.eq("Beantwortete Frage?"))
            .select(questions::id)
            .first(conn)
            .unwrap()
    });
    app.log_in_as(&staff);
    app.post_form(
        &format!("/questions/{answered}/respond"),
        &[("decision", "answer"), ("answer", "Ja.")],
    )
    .await
    .assert_status(303);

    let r = app.get("/dashboard").await;
    r.assert_status(200)
        .assert_contains("Meine Herausforderungen")
        .assert_contains(&format!("<a href=\"/challenges/{}\">Hundesteuer digital</a>", c.slug))
        .assert_contains(&format!(
            "<td>1</td><td><a href=\"/challenges/{0}/proposals\">2</a></td><td><a href=\"/challenges/{0}/questions\">1</a></td>",
            c.slug
        ))
        .assert_contains("Zweiter Entwurf")
        .assert_contains("Entwurf")
        .assert_contains("Sie haben noch keine Vorschläge.");

    app.log_in_as(&lead);
    app.get("/dashboard")
        .await
        .assert_status(200)
        .assert_not_contains("Meine Herausforderungen")
        .assert_contains(&format!(
            "<a href=\"/proposals/{}\">{}</a>",
            mine.id, mine.title
        ))
        .assert_contains(&format!(
            "<a href=\"/challenges/{}\">Hundesteuer digital</a>",
            c.slug
        ))
        .assert_contains("Eingereicht")
        .assert_contains("noch 30 Tage");
    app.log_in_as(&gamma_lead);
    app.get("/dashboard")
        .await
        .assert_contains(&format!("/proposals/{}", gamma_draft.id))
        .assert_contains("<td>Entwurf</td>")
        .assert_not_contains(&mine.title);

    app.log_out();
    assert!(app.get("/dashboard").await.is_login_redirect());
}

#[actix_web::test]
async fn after_the_deadline_the_team_cannot_add_files_to_its_submission() {
    let World {
        mut app,
        startup,
        lead,
        c,
        ..
    } = world().await;
    let p = app.create_proposal(&c, &startup, &lead, "submitted");
    set_deadline(&app, c.id, now() - chrono::Duration::minutes(1));
    app.log_in_as(&lead);
    let r = upload(
        &mut app,
        &format!("/proposals/{}/attachments", p.id),
        "nachgereicht.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    r.assert_status(409)
        .assert_contains("Die Einreichungsfrist ist abgelaufen.");
    assert!(attachment_ids(&app, "proposal", p.id).is_empty());
}

#[actix_web::test]
async fn a_withdrawn_proposal_is_not_published_after_the_deadline() {
    let World {
        mut app,
        staff,
        startup,
        lead,
        c,
        ..
    } = world().await;
    set_challenge(&app, c.id, None, Some("public_after_deadline"));
    let p = app.create_proposal(&c, &startup, &lead, "withdrawn");
    set_deadline(&app, c.id, now() - chrono::Duration::minutes(5));
    // The public list leaves it out...
    app.get(&format!("/challenges/{}/proposals", c.slug))
        .await
        .assert_status(200)
        .assert_not_contains(&p.title);
    // ...and so must its page.
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(404);
    // The team and the agency still see it.
    app.log_in_as(&lead);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(200);
    app.log_in_as(&staff);
    app.get(&format!("/proposals/{}", p.id))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn script_in_proposal_fields_and_messages_is_never_rendered_as_markup() {
    const PAYLOADS: [&str; 3] = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
    ];
    let World {
        mut app,
        staff,
        lead,
        startup,
        c,
        ..
    } = world().await;
    let payload = PAYLOADS.join(" ");
    let p = app.create_proposal(&c, &startup, &lead, "draft");
    app.log_in_as(&lead);
    let fields: Vec<(&str, String)> = [
        "title",
        "summary",
        "approach",
        "team",
        "pilot_scope",
        "pilot_duration",
        "pilot_kpis",
        "data_protection",
        "licence",
        "note",
    ]
    .iter()
    .map(|f| (*f, format!("{f} {payload}")))
    .collect();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .post_form(&format!("/proposals/{}/edit", p.id), &refs)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.post_form(&format!("/proposals/{}/submit", p.id), &[])
        .await
        .assert_status(303);
    app.post_form(
        &format!("/proposals/{}/messages", p.id),
        &[("body", payload.as_str())],
    )
    .await
    .assert_status(303);
    // A revision, so that the diff shows the payload too.
    let mut changed = refs.clone();
    let new_summary = format!("geändert {payload}");
    changed[1] = ("summary", new_summary.as_str());
    app.post_form(&format!("/proposals/{}/edit", p.id), &changed)
        .await
        .assert_status(303);
    // A failed form echoes it escaped as well.
    let mut bad = refs.clone();
    bad[0] = ("title", "");
    let echo = app
        .post_form(&format!("/proposals/{}/edit", p.id), &bad)
        .await;
    echo.assert_status(422);

    let mut pages = vec![echo];
    for who in [&lead, &staff] {
        app.log_in_as(who);
        for path in [
            format!("/proposals/{}", p.id),
            format!("/proposals/{}/edit", p.id),
            format!("/proposals/{}/revisions", p.id),
            format!("/challenges/{}/proposals", c.slug),
            "/dashboard".to_string(),
            "/notifications".to_string(),
        ] {
            let r = app.get(&path).await;
            if r.status.as_u16() == 200 {
                pages.push(r);
            }
        }
    }
    assert!(pages.len() >= 9, "pages rendered: {}", pages.len());
    for page in &pages {
        for raw in ["<script>alert(1)", "<img src=x onerror", "<svg/onload"] {
            page.assert_not_contains(raw);
        }
    }
    // The text itself is there, escaped.
    assert!(pages
        .iter()
        .any(|p| p.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")));
}
