//! The search index across real processes: it heals after `kill -9`, and two instances
//! on one database (each with its own index) find each other's changes within 2 s.

use innolab::kinds::OrgKind;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{take_turn, Server};
use crate::support::TestApp;

impl Server {
    fn total(&self, q: &str) -> i64 {
        let (status, body) = self.get(&format!("/api/v1/search?q={q}"));
        if status != 200 {
            return -1;
        }
        serde_json::from_str::<Value>(&body).map_or(-1, |v| v["total"].as_i64().unwrap_or(-1))
    }

    /// How long until a search for `q` finds something (panics after `limit`).
    fn time_until_found(&self, q: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        while self.total(q) < 1 {
            assert!(started.elapsed() < limit, "{q} not found within {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        started.elapsed()
    }
}

#[actix_web::test]
#[allow(clippy::await_holding_lock)]
async fn after_kill_9_the_index_catches_up_by_itself() {
    let _turn = take_turn();
    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    app.create_challenge(&agency, &staff, "Kiwi-Portal", "open", 30);
    let dir = tempfile::tempdir().unwrap();

    let server = Server::start(&app, dir.path());
    server.time_until_found("Kiwi", Duration::from_secs(20));
    // Killed right after a change, most likely before its commit.
    app.create_challenge(&agency, &staff, "Takahe-Register", "open", 30);
    server.kill();
    // And a change while it is down.
    app.create_challenge(&agency, &staff, "Weka-Dienst", "open", 30);

    let server = Server::start(&app, dir.path());
    for q in ["Kiwi", "Takahe", "Weka"] {
        server.time_until_found(q, Duration::from_secs(10));
    }
}

#[actix_web::test]
#[allow(clippy::await_holding_lock)]
async fn two_instances_on_one_database_find_each_others_changes_within_two_seconds() {
    let _turn = take_turn();
    let app = TestApp::new().await;
    let staff = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&staff, "Stadt Musterstadt", OrgKind::Agency, true);
    app.create_challenge(&agency, &staff, "Kiwi-Portal", "open", 30);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Server::start(&app, dir_a.path());
    let b = Server::start(&app, dir_b.path());
    for server in [&a, &b] {
        server.time_until_found("Kiwi", Duration::from_secs(20));
    }
    // A second server on the same index folder is refused with a clear message.
    let clash = Command::new(env!("CARGO_BIN_EXE_innolab"))
        .arg("--database-url")
        .arg(&app.state.config.database_url)
        .arg("--search-dir")
        .arg(dir_a.path())
        .arg("reindex")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!clash.status.success());
    assert!(String::from_utf8_lossy(&clash.stderr).contains("in use by another process"));

    // A change written through A's API is found through B (and A) within 2 s.
    let token = app.with_conn(|conn| {
        innolab::domain::accounts::api_tokens::create(conn, staff.id, "test")
            .unwrap()
            .1
    });
    let body = serde_json::json!({
        "title": "Pukeko-Plattform",
        "summary": "Kurz",
        "description": "Lang",
        "language": "de",
        "eligibility": ["startup"],
        "level": "kommune",
        "region": "Musterstadt",
        "submission_deadline": (innolab::db::now() + chrono::Duration::days(30)).and_utc().to_rfc3339(),
        "contact": "amt@example.org",
        "proposal_visibility": "private",
        "topics": [],
        "organisation_id": agency.id,
    })
    .to_string();
    let created = post_json(a.port, "/api/v1/challenges", &body, &token);
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let id = created
        .split("\"id\":")
        .nth(1)
        .and_then(|s| s.split([',', '}']).next())
        .unwrap()
        .to_string();
    let published = post_json(
        a.port,
        &format!("/api/v1/challenges/{id}/publish"),
        "",
        &token,
    );
    assert!(published.starts_with("HTTP/1.1 200"), "{published}");
    let lag = b.time_until_found("Pukeko", Duration::from_secs(2));
    println!("found through the other instance after {lag:?}");
    a.time_until_found("Pukeko", Duration::from_secs(2));
}

/// A POST with a bearer token; the raw answer.
fn post_json(port: u16, path: &str, body: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
