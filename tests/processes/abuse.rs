//! Hostile bodies against a real process: whatever an anonymous sender streams (forty
//! parts of 9 MB, with or without a declared length, to a pilot that does not exist or
//! to a real run without a token), the server answers at once and its peak memory grows
//! by less than the 64 MB of docs/QUALITY.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::server::{take_turn, Server};
use crate::support::TestApp;

/// What the peak resident memory may grow by under the hostile requests (docs/QUALITY.md).
const BAR_KIB: u64 = 64 * 1024;

/// Sends a multipart POST of `parts` parts of `part_bytes` each, streamed in chunks,
/// declared with `Content-Length` or sent chunked; the status, or 0 when the server
/// closed the connection before answering (which it may do once it has refused).
fn hostile_post(port: u16, path: &str, parts: usize, part_bytes: usize, chunked: bool) -> u16 {
    let boundary = "----hostile";
    let head_of = |i: usize| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"; filename=\"x.pdf\"\r\n\r\n"
        )
    };
    let tail = format!("--{boundary}--\r\n");
    let length: usize = (0..parts)
        .map(|i| head_of(i).len() + part_bytes + 2)
        .sum::<usize>()
        + tail.len();
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return 0;
    };
    // Both directions bounded: a server that answered early and stopped reading must
    // not leave this sender blocked on a full socket buffer.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {length}")
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    let mut send = |bytes: &[u8]| -> bool {
        if chunked {
            let framed = [format!("{:x}\r\n", bytes.len()).as_bytes(), bytes, b"\r\n"].concat();
            stream.write_all(&framed).is_ok()
        } else {
            stream.write_all(bytes).is_ok()
        }
    };
    let chunk = vec![b'x'; 64 * 1024];
    'parts: for i in 0..parts {
        if !send(head_of(i).as_bytes()) {
            break;
        }
        let mut left = part_bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            if !send(&chunk[..n]) {
                break 'parts;
            }
            left -= n;
        }
        if !send(b"\r\n") {
            break;
        }
    }
    let _ = send(tail.as_bytes());
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n");
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[actix_web::test]
#[allow(clippy::await_holding_lock)]
async fn hostile_bodies_cost_the_server_no_memory() {
    let _turn = take_turn();
    let mut app = TestApp::new().await;
    app.with_conn(|c| innolab::seed::apply(c).unwrap());
    // A real run (same database), to be posted to without its page's token.
    let run = app
        .post_form("/p/hundesteuer-anmeldung", &[("consent", "yes")])
        .await
        .location();
    assert!(run.starts_with("/p/hundesteuer-anmeldung/r/"), "{run}");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&app, dir.path());
    let port = server.port;
    // Warm up: a page and a refused form, so lazily made structures exist already.
    assert_eq!(server.get("/p/hundesteuer-anmeldung").0, 200);
    assert_eq!(hostile_post(port, "/p/a/r/b", 1, 1024, false), 404);
    let (_, before) = server.memory_kib();

    let nine_mb = 9 * 1024 * 1024;
    let runs = [
        ("/p/a/r/b", false),
        ("/p/a/r/b", true),
        (run.as_str(), false),
        (run.as_str(), true),
    ];
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(path, chunked)| s.spawn(move || hostile_post(port, path, 40, nine_mb, *chunked)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (_, after) = server.memory_kib();
    // Declared lengths above the cap: 413 before anything is read. Chunked: the unknown
    // pilot answers 404 at once, the run 403 at its first part (a file, not the token);
    // a connection closed before the answer was read counts as refused too.
    assert!(
        matches!(statuses[0], 413 | 0) && matches!(statuses[1], 404 | 0),
        "{statuses:?}"
    );
    assert!(
        matches!(statuses[2], 413 | 0) && matches!(statuses[3], 403 | 413 | 0),
        "{statuses:?}"
    );
    let grew = after.saturating_sub(before);
    eprintln!("peak memory {before} -> {after} KiB (+{grew} KiB); answers {statuses:?}");
    assert!(
        grew < BAR_KIB,
        "peak memory grew by {grew} KiB (bar {BAR_KIB} KiB): {before} -> {after} KiB"
    );
    // And the server still answers.
    assert_eq!(server.get("/healthz").0, 200);
}
