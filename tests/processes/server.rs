//! One real `innolab serve` process on a test's database, for the tests that need a
//! process of their own (restarts, memory, several instances).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestApp;

/// One `innolab serve` on the test database; killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(app: &TestApp, search_dir: &Path) -> Server {
        Server::start_with(app, search_dir, &[])
    }

    /// Like [`Server::start`], with more command-line arguments for `serve`.
    pub fn start_with(app: &TestApp, search_dir: &Path, extra: &[&str]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_innolab"))
            .arg("--database-url")
            .arg(&app.state.config.database_url)
            .arg("--data-dir")
            .arg(&app.state.config.data_dir)
            .arg("--search-dir")
            .arg(search_dir)
            .args(["serve", "--no-demo", "--workers", "1", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(extra)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let server = Server { child, port };
        let started = Instant::now();
        while server.get("/healthz").0 != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// A GET without keep-alive: (status, body); status 0 when nothing answers.
    pub fn get(&self, path: &str) -> (u16, String) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        // A server that hangs fails the test instead of stalling the suite.
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        if stream.write_all(request.as_bytes()).is_err() {
            return (0, String::new());
        }
        let mut answer = String::new();
        if stream.read_to_string(&mut answer).is_err() {
            return (0, String::new());
        }
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        (status, body)
    }

    /// `kill -9`: no shutdown, no last commit.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Server {
    /// The process's resident memory and its peak so far, in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc entry");
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tests here take turns: each starts servers, and a bar one of them measures (a
/// change found within 2 s, memory) must measure its own server, not a neighbour's load. Each
/// test has a runtime of its own on its own thread, so holding this lock across its
/// awaits orders whole tests and blocks nothing else.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
