//! A real S3-protocol server for the object-store tests: moto's server mode, from PyPI.
//! `INNOLAB_TEST_MOTO_SERVER` names its program; otherwise `moto_server` on the PATH;
//! otherwise the tests install it once into `target/test-tools/moto` (a Python venv).
//! Each test starts its own server on a free port, with one bucket, and stops it when
//! done.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The version the tests were written against.
const MOTO: &str = "moto[server]==5.2.6";

fn program() -> PathBuf {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("INNOLAB_TEST_MOTO_SERVER") {
                return PathBuf::from(p);
            }
            let on_path = Command::new("moto_server")
                .arg("--help")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if on_path {
                return PathBuf::from("moto_server");
            }
            let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/moto");
            let server = venv.join("bin/moto_server");
            if !server.exists() {
                let run = |cmd: &mut Command| {
                    let out = cmd.output().expect("python3 runs");
                    assert!(
                        out.status.success(),
                        "installing {MOTO} from PyPI failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                };
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
                run(Command::new(venv.join("bin/pip")).args(["install", "-q", MOTO]));
            }
            server
        })
        .clone()
}

/// A running server with one empty bucket; stopped when dropped.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

impl S3Server {
    pub fn start() -> S3Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let server = S3Server {
            endpoint,
            bucket: "innolab-test".into(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        // moto takes any signature; creating the bucket is also the check that it is up.
        loop {
            match ureq::put(&format!("{}/{}", server.endpoint, server.bucket)).send_empty() {
                Ok(_) => return server,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                Err(e) => panic!("moto_server did not answer: {e}"),
            }
        }
    }

    /// The object at `key`, if there is one: read with a client of the test's own,
    /// not through the application (on a thread of its own, as the test's thread runs
    /// async tasks).
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStoreExt;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(&self.bucket)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap();
        let path = object_store::path::Path::from(key);
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    match store.get(&path).await {
                        Ok(got) => Some(got.bytes().await.unwrap().to_vec()),
                        Err(object_store::Error::NotFound { .. }) => None,
                        Err(e) => panic!("reading {key} from the bucket: {e}"),
                    }
                })
            })
            .join()
            .unwrap()
        })
    }

    /// Sets a configuration to keep files in this bucket.
    pub fn store_in(&self) -> impl FnOnce(&mut innolab::config::Config) + 'static {
        let s3 = innolab::config::S3Config {
            bucket: self.bucket.clone(),
            region: "us-east-1".into(),
            endpoint: Some(self.endpoint.clone()),
            prefix: "innolab".into(),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
        };
        move |config| {
            config.file_storage = innolab::config::FileStorage::S3;
            config.s3 = s3;
        }
    }

    /// The same as the lines of an `innolab.toml`.
    pub fn config_file(&self) -> String {
        format!(
            "file_store = \"s3\"\ns3_bucket = \"{}\"\ns3_endpoint = \"{}\"\n\
             s3_access_key_id = \"test\"\ns3_secret_access_key = \"test\"\n",
            self.bucket, self.endpoint
        )
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
