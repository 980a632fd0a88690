//! The abuse suite, beside the access matrix: what people who never sign in (or sign in
//! to misuse the platform) may try, and what must hold. Each test names the attack it
//! replays. Memory under hostile bodies is measured on a real process in
//! `tests/processes/abuse.rs`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::{header, Method};
use actix_web::test::TestRequest;

use innolab::delivery::{self, Sender};
use innolab::domain::pilots::webhooks::Outgoing;
use innolab::kinds::{OrgKind, Role};
use serde_json::{json, Value};

use crate::support::{Part, TestApp, PASSWORD};

/// A receiver on 127.0.0.1 that counts the requests reaching it and answers 200.
fn counting_receiver() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, hits)
}

fn outgoing(url: String) -> Outgoing {
    Outgoing {
        url,
        secret: "geheim".into(),
        body: br#"{"reference":"T-1"}"#.to_vec(),
    }
}

/// DNS rebinding: a name that resolves to a public address when it is looked at and to
/// 127.0.0.1 the next time must never bring a webhook to 127.0.0.1. The name is resolved
/// once per attempt and the connection goes to that address; the second attempt, which
/// resolves to 127.0.0.1, is refused without telling why in any detail.
#[test]
fn a_webhook_name_that_rebinds_to_this_machine_is_never_delivered_here() {
    let (port, hits) = counting_receiver();
    let lookups = Arc::new(Mutex::new(Vec::new()));
    let answers: Arc<Mutex<Vec<SocketAddr>>> = Arc::new(Mutex::new(vec![
        // First a public address (unreachable from here), then this machine.
        SocketAddr::from(([93, 184, 216, 34], port)),
        SocketAddr::from(([127, 0, 0, 1], port)),
    ]));
    let (seen, next) = (lookups.clone(), answers.clone());
    let lookup: delivery::Lookup = Arc::new(move |host: &str, _port: u16| {
        seen.lock().unwrap().push(host.to_string());
        let mut next = next.lock().unwrap();
        let addr = if next.len() > 1 {
            next.remove(0)
        } else {
            next[0]
        };
        Ok(vec![addr])
    });
    let sender = Sender::with_lookup(false, lookup, Duration::from_secs(2));
    let out = outgoing(format!("http://empfang.example.org:{port}/hook"));
    let first = sender.send(&out, 1_700_000_000);
    assert_eq!(
        first.status_code, None,
        "the public address is unreachable here"
    );
    let second = sender.send(&out, 1_700_000_000);
    assert_eq!(second.status_code, None);
    assert_eq!(second.error, delivery::REFUSED);
    let third = sender.send(&out, 1_700_000_000);
    assert_eq!(third.error, delivery::REFUSED);
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing reached 127.0.0.1");
    assert_eq!(
        lookups.lock().unwrap().len(),
        3,
        "one resolution per attempt, used for the connection"
    );

    // Names that do not resolve read the same as refused ones: the log tells no one
    // which names exist inside the network.
    let nowhere: delivery::Lookup = Arc::new(|_: &str, _: u16| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such host",
        ))
    });
    let sender = Sender::with_lookup(false, nowhere, Duration::from_secs(2));
    let unknown = sender.send(&outgoing("http://intern.example.org/hook".into()), 0);
    assert_eq!(unknown.error, delivery::REFUSED);

    // Every address of a name must be public: one private address among public ones
    // refuses the name.
    let mixed: delivery::Lookup = Arc::new(move |_: &str, _: u16| {
        Ok(vec![
            SocketAddr::from(([93, 184, 216, 34], port)),
            SocketAddr::from(([10, 0, 0, 1], port)),
        ])
    });
    let sender = Sender::with_lookup(false, mixed, Duration::from_secs(2));
    let refused = sender.send(&outgoing(format!("http://gemischt.example.org:{port}/")), 0);
    assert_eq!(refused.error, delivery::REFUSED);

    // The receiver works: an operator who allows private receivers reaches it.
    let local: delivery::Lookup =
        Arc::new(move |_: &str, _: u16| Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]));
    let allowed = Sender::with_lookup(true, local, Duration::from_secs(2));
    let delivered = allowed.send(&outgoing(format!("http://intranet.example.org:{port}/")), 0);
    assert_eq!(delivered.status_code, Some(200), "{}", delivered.error);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// Starts a run of the demo's Hundesteuer pilot; the run's address.
async fn hundesteuer_run(app: &mut TestApp) -> String {
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    let r = app
        .post_form("/p/hundesteuer-anmeldung", &[("consent", "yes")])
        .await;
    r.assert_status(303);
    r.location()
}

/// Sends the first page of a Hundesteuer run, complete, as a person would.
async fn first_page_done(app: &mut TestApp, run: &str) {
    app.post_form(
        run,
        &[
            ("_page", "0"),
            ("_action", "next"),
            ("name", "Erika Mustermann"),
            ("anschrift", "Lindenallee 4"),
            ("geburtsdatum", "1980-04-12"),
        ],
    )
    .await
    .assert_status(303);
}

/// A hostile body is refused before it is read: no pilot, no run, no token, no file
/// fields on the page, too many parts, or more than the cap.
#[actix_web::test]
async fn pilot_steps_check_the_route_the_token_and_the_page_before_reading_files() {
    let mut app = TestApp::new().await;
    let big = vec![b'x'; 64 * 1024];
    // No such pilot: 404, whatever the body holds.
    let files: Vec<Part> = (0..40)
        .map(|_| Part::file("nachweis", "a.pdf", &big))
        .collect();
    app.post_multipart("/p/a/r/b", &files)
        .await
        .assert_status(404);

    let run = hundesteuer_run(&mut app).await;
    let token = app.csrf_token().await;
    // A run's wrong secret: 404.
    let wrong = format!("{}x", run);
    app.post_multipart(&wrong, &[Part::text("csrf_token", &token)])
        .await
        .assert_status(404);
    // The token must come first; a file before it ends the request with 403.
    app.post_multipart(&run, &[Part::file("nachweis", "a.pdf", &big)])
        .await
        .assert_status(403);
    app.post_multipart(
        &run,
        &[Part::text("csrf_token", "falsch"), Part::text("_page", "0")],
    )
    .await
    .assert_status(403);
    // Page 0 has no file field: a file there is refused (400), not stored.
    let r = app
        .post_multipart(
            &run,
            &[
                Part::text("csrf_token", &token),
                Part::text("_page", "0"),
                Part::file("nachweis", "a.pdf", &big),
            ],
        )
        .await;
    r.assert_status(400);
    // Nor on page 1 (where the field is) before the run has reached it.
    app.post_multipart(
        &run,
        &[
            Part::text("csrf_token", &token),
            Part::text("_page", "1"),
            Part::file("nachweis", "a.pdf", &big),
        ],
    )
    .await
    .assert_status(400);
    // More parts than any form has: 400.
    let mut many = vec![Part::text("csrf_token", &token), Part::text("_page", "0")];
    many.extend((0..250).map(|_| Part::text("name", "x")));
    app.post_multipart(&run, &many).await.assert_status(400);
    // Text beyond the form limit: 413.
    let long = "y".repeat(300 * 1024);
    app.post_multipart(
        &run,
        &[
            Part::text("csrf_token", &token),
            Part::text("_page", "0"),
            Part::text("name", &long),
        ],
    )
    .await
    .assert_status(413);
    let stored: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        innolab::db::schema::pilot_files::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(stored, 0, "no file was stored");
    // The run still works for the person: a proper step goes through.
    first_page_done(&mut app, &run).await;
}

/// A declared body above the cap is refused with 413 before anything is read, on every
/// route; so is a chunked body once it passes the cap.
#[actix_web::test]
async fn bodies_above_the_cap_are_refused_before_they_are_read() {
    let mut app = TestApp::new().await;
    let cap = innolab::web::middleware::body_limit(&app.state);
    for path in ["/p/a/r/b", "/login", "/api/v1/auth/register", "/nirgends"] {
        let r = app
            .send(
                TestRequest::post()
                    .uri(path)
                    .insert_header((header::CONTENT_LENGTH, (cap + 1).to_string()))
                    .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded")),
            )
            .await;
        r.assert_status(413);
    }
}

/// Registration does not tell who has an account: a taken address gets the same answer
/// (status, fields, page) as a new one, its owner a notice by mail, and no second
/// account or password hash is made.
#[actix_web::test]
async fn registration_answers_alike_for_known_and_unknown_addresses() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("vergeben@example.org", "Vergeben");
    let body = |email: &str| json!({"email": email, "password": PASSWORD, "display_name": "Neu", "locale": "de"});
    let fresh = app
        .api(
            Method::POST,
            "/api/v1/auth/register",
            Some(body("frei@example.org")),
            None,
        )
        .await;
    let taken = app
        .api(
            Method::POST,
            "/api/v1/auth/register",
            Some(body("vergeben@example.org")),
            None,
        )
        .await;
    fresh.assert_status(201);
    taken.assert_status(201);
    let keys = |r: &crate::support::Resp| {
        let mut k: Vec<String> = r.json().as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&fresh), keys(&taken));
    assert!(
        fresh.json().get("id").is_none(),
        "no account id is given out"
    );
    assert_eq!(taken.json()["verification"], "sent");
    // The owner hears of it; the account is unchanged.
    let notice = app.last_mail_to("vergeben@example.org");
    assert!(notice.body.contains("/password/forgot"), "{}", notice.body);
    let after = app.with_conn(|c| {
        innolab::domain::accounts::find_by_email(c, "vergeben@example.org")
            .unwrap()
            .unwrap()
    });
    assert_eq!(after.password_hash, owner.password_hash);
    assert_eq!(after.display_name, "Vergeben");
    // The page says the same for both.
    let page = |email: &str| {
        vec![
            ("email".to_string(), email.to_string()),
            ("display_name".to_string(), "Neu".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
        ]
    };
    let mut texts = Vec::new();
    for email in ["frei2@example.org", "vergeben@example.org"] {
        app.log_out();
        let fields = page(email);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = app.post_form("/register", &pairs).await;
        r.assert_status(200);
        texts.push(r.body.replace(email, "EMAIL"));
    }
    assert_eq!(main_of(&texts[0]), main_of(&texts[1]));
}

/// Registration is limited per client address and per typed address before any hash is
/// made: the 21st attempt from one client within an hour and the 4th for one address
/// get 429.
#[actix_web::test]
async fn registration_is_rate_limited_per_client_and_per_address() {
    let mut app = TestApp::new().await;
    let body = |email: &str| json!({"email": email, "password": PASSWORD, "display_name": "Neu", "locale": "de"});
    for i in 0..3 {
        app.peer = format!("198.51.100.{}:4000", 10 + i);
        app.api(
            Method::POST,
            "/api/v1/auth/register",
            Some(body("ziel@example.org")),
            None,
        )
        .await
        .assert_status(201);
    }
    app.peer = "198.51.100.20:4000".into();
    let r = app
        .api(
            Method::POST,
            "/api/v1/auth/register",
            Some(body("ziel@example.org")),
            None,
        )
        .await;
    r.assert_status(429);
    assert!(r.header("retry-after").is_some());

    app.peer = "203.0.113.9:4000".into();
    for i in 0..20 {
        app.api(
            Method::POST,
            "/api/v1/auth/register",
            Some(body(&format!("person{i}@example.org"))),
            None,
        )
        .await
        .assert_status(201);
    }
    app.api(
        Method::POST,
        "/api/v1/auth/register",
        Some(body("noch@example.org")),
        None,
    )
    .await
    .assert_status(429);
}

/// Adding a person always makes an invitation they accept: the answer is the same for
/// an address with a verified account and one without, nobody becomes a member (nor
/// counts as in conflict) without accepting, and invitations to one address are limited.
#[actix_web::test]
async fn membership_needs_the_persons_consent() {
    let mut app = TestApp::new().await;
    let founder = app.create_user("gruenderin@example.org", "Gründerin");
    let team = app.create_org(&founder, "Formwerk GmbH", OrgKind::Startup, false);
    let evaluator = app.create_user("gutachter@example.org", "Gutachter");
    let founder_token = app.bearer_of(&founder).await;
    let path = format!("/api/v1/organisations/{}/members", team.id);
    let invite = |email: &str| json!({"email": email, "role": "member"});
    let known = app
        .api(
            Method::POST,
            &path,
            Some(invite("gutachter@example.org")),
            Some(&founder_token),
        )
        .await;
    let unknown = app
        .api(
            Method::POST,
            &path,
            Some(invite("niemand@example.org")),
            Some(&founder_token),
        )
        .await;
    known.assert_status(201);
    unknown.assert_status(201);
    assert_eq!(known.json()["status"], "invited");
    assert_eq!(unknown.json()["status"], "invited");
    assert!(known.json().get("user_id").is_none());
    // Not a member, so no conflict with the team's proposals.
    let role = app
        .with_conn(|c| innolab::domain::organisations::role_of(c, team.id, evaluator.id).unwrap());
    // Conflicts of interest come from memberships (current or recent), so none arises.
    assert_eq!(role, None, "not a member before accepting");
    // The person accepts; then they are a member.
    let invitation = known.json()["invitation_id"].as_i64().unwrap();
    let evaluator_token = app.bearer_of(&evaluator).await;
    app.api(
        Method::POST,
        &format!("/api/v1/invitations/{invitation}/accept"),
        None,
        Some(&evaluator_token),
    )
    .await
    .assert_status(200);
    let role = app
        .with_conn(|c| innolab::domain::organisations::role_of(c, team.id, evaluator.id).unwrap());
    assert_eq!(role, Some(Role::Member));

    // Invitations to one address are limited across organisations: the platform cannot
    // be made to mail someone without end.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let other = app.create_org(&founder, &format!("Firma {i}"), OrgKind::Startup, false);
        let path = format!("/api/v1/organisations/{}/members", other.id);
        let r = app
            .api(
                Method::POST,
                &path,
                Some(invite("opfer@example.org")),
                Some(&founder_token),
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429]);
}

/// An anonymous question leaves nothing that ties it to the person who asked, even
/// when they were signed in: no asker on the question, no touch of their session or
/// token, no address anywhere, no row naming them. Everything the request wrote is
/// compared with the database before it.
#[actix_web::test]
async fn an_anonymous_question_leaves_nothing_that_ties_it_to_the_asker() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    let c = app.create_challenge(&agency, &staff, "Parkausweise digital", "open", 30);
    let asker = app.create_user("fragende@example.org", "Fragende Person");
    app.peer = "203.0.113.77:50000".into();
    app.log_in_as(&asker);
    app.get(&format!("/challenges/{}", c.slug))
        .await
        .assert_status(200);
    // A session last seen five minutes ago: a touch at the moment of asking would show.
    app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::sessions;
        diesel::update(sessions::table.filter(sessions::user_id.eq(asker.id)))
            .set(sessions::last_seen_at.eq(innolab::db::now() - chrono::Duration::minutes(5)))
            .execute(conn)
            .unwrap();
    });
    let before = app.dump_all();
    let r = app
        .post_form(
            &format!("/challenges/{}/questions", c.slug),
            &[
                ("body", "Gilt das auch für Anwohnerparken?"),
                ("anonymous", "1"),
            ],
        )
        .await;
    r.assert_status(200);
    let after = app.dump_all();

    let session: Value = before["sessions"]
        .iter()
        .find(|s| s["user_id"] == asker.id)
        .cloned()
        .unwrap();
    let traces = [
        asker.email.clone(),
        "203.0.113.77".to_string(),
        session["token_hash"].as_str().unwrap().to_string(),
    ];
    let person_columns = [
        "user_id",
        "actor_id",
        "asker_id",
        "created_by",
        "session_id",
    ];
    let mut changed_tables = Vec::new();
    for (table, rows) in &after {
        let new_or_changed: Vec<&Value> = rows
            .iter()
            .filter(|row| !before.get(table).is_some_and(|old| old.contains(row)))
            .collect();
        if new_or_changed.is_empty() {
            continue;
        }
        changed_tables.push(table.clone());
        for row in new_or_changed {
            let text = row.to_string();
            for trace in &traces {
                assert!(
                    !text.contains(trace.as_str()),
                    "{table} holds {trace}: {row}"
                );
            }
            for column in person_columns {
                let value = &row[column];
                assert!(
                    *value != asker.id && !(column == "session_id" && *value == session["id"]),
                    "{table}.{column} names the asker: {row}"
                );
            }
        }
    }
    // What the request wrote: the question, its rate-limit event (a keyed hash), the
    // audit entry without actor, the staff's notification and the search outbox.
    for table in &changed_tables {
        assert!(
            [
                "questions",
                "rate_events",
                "audit_log",
                "notifications",
                "search_outbox"
            ]
            .contains(&table.as_str()),
            "the ask changed {table}"
        );
    }
    let question = after["questions"].last().unwrap();
    assert_eq!(question["asker_id"], Value::Null);
}

/// Counts the audit entries of one action.
fn audit_count(app: &TestApp, action: &str) -> i64 {
    use diesel::prelude::*;
    use innolab::db::schema::audit_log;
    app.with_conn(|conn| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(conn)
            .unwrap()
    })
}

#[actix_web::test]
async fn the_audit_log_cannot_be_flooded_and_keeps_no_typed_stranger_address() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let team = app.create_user("team@example.org", "Team");
    let agency = app.create_org(&staff, "Stadt", OrgKind::Agency, true);
    let startup = app.create_org(&team, "Start", OrgKind::Startup, false);
    let c = app.create_challenge(&agency, &staff, "Probe", "open", 20);
    let draft = app.create_proposal(&c, &startup, &team, "draft");

    // A visitor guessing hidden objects: 404s, and not one entry.
    for i in 0..60 {
        let path = match i % 3 {
            0 => format!("/proposals/{}", draft.id),
            1 => format!("/api/v1/proposals/{}", draft.id),
            _ => format!("/proposals/{}/edit", draft.id),
        };
        let r = app.get(&path).await;
        assert!(
            matches!(r.status.as_u16(), 303 | 401 | 404),
            "{path}: {}",
            r.status
        );
    }
    assert_eq!(audit_count(&app, "access_denied"), 0, "visitors' refusals");

    // A signed-in stranger doing the same: recorded up to the hourly budget, no further.
    let stranger = app.create_user("fremd@example.org", "Fremd");
    app.log_in_as(&stranger);
    let budget = innolab::domain::audit::DENIALS_PER_HOUR as i64;
    for _ in 0..budget + 20 {
        app.get(&format!("/proposals/{}", draft.id))
            .await
            .assert_status(404);
    }
    assert_eq!(audit_count(&app, "access_denied"), budget);
    app.log_out();

    // A failed login with an address that is no account's: what was typed is not kept.
    app.login("passwort-im-falschen-feld@example.org", "irgendwas")
        .await;
    app.login("team@example.org", "falsch").await;
    // Details and the personal part (kept outside the hash chain, erased with the account).
    let details: Vec<String> = app.with_conn(|conn| {
        use diesel::prelude::*;
        use innolab::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("login_failed"))
            .order(audit_log::id.asc())
            .select((audit_log::details, audit_log::personal))
            .load::<(String, String)>(conn)
            .unwrap()
            .into_iter()
            .map(|(d, p)| format!("{d} {p}"))
            .collect()
    });
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        !details[0].contains("passwort-im-falschen-feld"),
        "{}",
        details[0]
    );
    assert!(
        details[1].contains("team@example.org"),
        "a known account's address stays"
    );
}

#[actix_web::test]
async fn evaluator_invitations_need_a_verified_agency_and_reach_an_address_a_few_times_a_day() {
    let mut app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let bearer = app.bearer_of(&staff).await;
    let unverified = app.create_org(&staff, "Neues Amt", OrgKind::Agency, false);
    let draft = app.create_challenge(&unverified, &staff, "Entwurf", "draft", 20);
    let invite = |c: i64, to: &str| {
        (
            format!("/api/v1/challenges/{c}/evaluators"),
            json!({ "email": to }),
        )
    };
    // An agency nobody has verified cannot make the platform mail anyone.
    let (path, body) = invite(draft.id, "opfer@example.org");
    let r = app
        .api(Method::POST, &path, Some(body), Some(&bearer))
        .await;
    r.assert_status(409);
    assert!(app.outbox().is_empty());

    // A verified one reaches one address at most three times a day, across challenges.
    let agency = app.create_org(&staff, "Stadt", OrgKind::Agency, true);
    let mut statuses = Vec::new();
    for i in 0..4 {
        let c = app.create_challenge(&agency, &staff, &format!("Probe {i}"), "open", 20);
        let (path, body) = invite(c.id, "Opfer@Example.org");
        statuses.push(
            app.api(Method::POST, &path, Some(body), Some(&bearer))
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    let mails = app
        .outbox()
        .iter()
        .filter(|m| m.to.eq_ignore_ascii_case("opfer@example.org"))
        .count();
    assert_eq!(mails, 3);
}

/// CSV injection: a test user's text with a formula after a `;` or `,` (where German
/// Excel starts a new column) reaches the team's export quoted and with every such
/// segment disarmed, so no column of the opened file starts a formula.
#[actix_web::test]
async fn exported_answers_start_no_formula_in_any_column() {
    use diesel::prelude::*;
    use innolab::db::schema::pilot_submissions;
    let mut app = TestApp::new().await;
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    let (pilot, owner) = app.with_conn(|c| {
        let pilot = innolab::domain::pilots::by_slug(c, "hundesteuer-anmeldung").unwrap();
        let sub: i64 = pilot_submissions::table
            .filter(pilot_submissions::pilot_id.eq(pilot.id))
            .select(pilot_submissions::id)
            .first(c)
            .unwrap();
        diesel::update(pilot_submissions::table.find(sub))
            .set(
                pilot_submissions::rating_comment
                    .eq(r#"Danke;=HYPERLINK("http://x.example";"klick"), +1,@A1"#),
            )
            .execute(c)
            .unwrap();
        let owner =
            innolab::domain::accounts::find_by_email(c, "startup.formfluss@innolab.example")
                .unwrap()
                .unwrap();
        (pilot, owner)
    });
    app.log_in_as(&owner);
    let r = app
        .get(&format!(
            "/api/v1/pilots/{}/submissions?format=csv",
            pilot.id
        ))
        .await;
    r.assert_status(200);
    assert!(
        r.body
            .contains(r#""Danke;'=HYPERLINK(""http://x.example"";""klick""), '+1,'@A1""#),
        "{}",
        r.body
    );
    for segment in r.body.split([';', ',', '\n']) {
        let opens = segment.trim_start_matches(['"', ' ']);
        assert!(
            !opens.starts_with(['=', '+', '@']),
            "a column starts a formula: {segment}"
        );
    }
}

/// Password reset does not tell who has an account: a known and an unknown address get
/// the same status and page, and both are answered no sooner than the common floor. The
/// clock is paused, so the test reads virtual time (which only moves when the request
/// waits for a timer) and never depends on how fast this machine is.
#[actix_web::test]
async fn password_reset_answers_alike_and_as_late_for_known_and_unknown_addresses() {
    let mut app = TestApp::new().await;
    app.create_user("bekannt@example.org", "Bekannt");
    let mut pages = Vec::new();
    for email in ["bekannt@example.org", "unbekannt@example.org"] {
        app.csrf_token().await;
        tokio::time::pause();
        let started = tokio::time::Instant::now();
        let r = app.post_form("/password/forgot", &[("email", email)]).await;
        let waited = started.elapsed();
        tokio::time::resume();
        r.assert_status(200);
        assert!(
            waited >= innolab::web::actions::accounts::RESET_ANSWER_FLOOR,
            "{email} answered after {waited:?}"
        );
        pages.push(main_of(&r.body.replace(email, "EMAIL")));
    }
    assert_eq!(pages[0], pages[1]);
    let tokens: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        innolab::db::schema::email_tokens::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(tokens, 1, "the known address got a reset token");
}

/// The `<main>` of a page: what differs between two answers if anything does.
fn main_of(html: &str) -> String {
    html.split("<main")
        .nth(1)
        .and_then(|m| m.split("</main>").next())
        .unwrap_or("")
        .to_string()
}

/// Disk filling through a pilot: anyone may start runs, and a run may replace its file
/// again and again. Past the bytes a run may store, a further file is refused with a
/// message at the field and not written; what the run stored stays within the quota.
#[actix_web::test]
async fn a_pilot_run_stores_no_more_bytes_than_its_quota() {
    use innolab::domain::pilots::runs::{MAX_FILE_BYTES, MAX_RUN_BYTES};
    let mut app = TestApp::new().await;
    let run = hundesteuer_run(&mut app).await;
    first_page_done(&mut app, &run).await;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(MAX_FILE_BYTES - 1024, b' ');
    let token = app.csrf_token().await;
    let step = [
        Part::text("csrf_token", &token),
        Part::text("_page", "1"),
        Part::text("_action", "next"),
        Part::text("anzahl", "1"),
        Part::text("rasse", "Mops"),
        Part::text("seit", "2020-01-01"),
        Part::text("listenhund", "yes"),
        Part::file("nachweis", "wesenstest.pdf", &pdf),
    ];
    let fits = MAX_RUN_BYTES / pdf.len();
    for _ in 0..fits {
        app.post_multipart(&run, &step).await.assert_status(303);
    }
    let refused = app.post_multipart(&run, &step).await;
    refused.assert_status(422);
    refused.assert_contains("alle Dateien eines Durchgangs zusammen");
    let sizes: Vec<i64> = app.with_conn(|c| {
        use diesel::prelude::*;
        use innolab::db::schema::pilot_files;
        pilot_files::table
            .select(pilot_files::size)
            .load(c)
            .unwrap()
    });
    assert_eq!(sizes.len(), fits);
    assert!(sizes.iter().sum::<i64>() <= MAX_RUN_BYTES as i64);
}

/// Poisoned figures: a visitor posting an invalid page of one run again and again adds
/// no more refused answers to the pilot's report than the cap per run; another run's
/// refusals still count.
#[actix_web::test]
async fn one_run_cannot_flood_a_reports_refused_answers() {
    use innolab::domain::pilots::runs::MAX_REFUSED_PER_RUN;
    let mut app = TestApp::new().await;
    let refused = |app: &TestApp| -> i64 {
        app.with_conn(|c| {
            use diesel::prelude::*;
            innolab::db::schema::pilot_field_errors::table
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    let run = hundesteuer_run(&mut app).await;
    let before = refused(&app);
    // Page 0 with its three required answers missing: three refusals a post.
    let empty = [("_page", "0"), ("_action", "next")];
    for _ in 0..200 {
        app.post_form(&run, &empty).await.assert_status(422);
    }
    assert_eq!(refused(&app) - before, MAX_REFUSED_PER_RUN);
    let other = app
        .post_form("/p/hundesteuer-anmeldung", &[("consent", "yes")])
        .await
        .location();
    app.post_form(&other, &empty).await.assert_status(422);
    assert_eq!(refused(&app) - before, MAX_REFUSED_PER_RUN + 3);
}
