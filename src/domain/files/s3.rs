//! Files in an S3-compatible object store (`file_store = "s3"`): AWS S3, MinIO, Ceph,
//! the object storage of German cloud providers. Every instance reads the same bucket,
//! so every instance serves every file, without the database growing by its files.
//!
//! The store is reached through the `object_store` crate, whose calls are async; they
//! run on a small runtime of their own, and callers wait for them the way they wait for
//! a query: on a blocking thread, never on one that drives async tasks. A chunk is one
//! ranged GET, so a download holds one chunk at a time here too.
//!
//! Unlike the database store, writing and removing an object are not part of the
//! caller's transaction: an object is written before the record that names it
//! commits (a failed commit leaves an orphan object, never a record without its file).

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::S3Config;
use crate::error::{AppError, AppResult};

/// A bucket (and a prefix in it) where files are kept.
#[derive(Clone)]
pub struct S3Files {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    runtime: Arc<Runtime>,
    /// `bucket/prefix at endpoint`, for messages and comparisons.
    label: String,
}

impl std::fmt::Debug for S3Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "S3Files({})", self.label)
    }
}

impl PartialEq for S3Files {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
    }
}

impl Eq for S3Files {}

/// The runtime the store's calls run on. It goes without waiting for its thread: the
/// last copy may be dropped where blocking is not allowed (an async task).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.0
            .as_ref()
            .expect("the runtime lives until dropped")
            .block_on(f)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("object store: {what}: {e}"))
}

impl S3Files {
    /// Connects to the configured bucket. Credentials not in the configuration come
    /// from the usual AWS environment variables (`AWS_ACCESS_KEY_ID`, …).
    pub fn connect(config: &S3Config) -> AppResult<S3Files> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Path-style addressing: what MinIO and most self-hosted stores expect.
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .map_err(|e| AppError::Config(format!("file_store = \"s3\": {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("innolab-s3")
            .enable_all()
            .build()
            .map_err(AppError::internal)?;
        let prefix = config.prefix.trim_matches('/').to_string();
        Ok(S3Files {
            label: format!(
                "{}/{} at {}",
                config.bucket,
                prefix,
                config.endpoint.as_deref().unwrap_or("AWS")
            ),
            store: Arc::new(store),
            prefix,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    fn path(&self, storage_name: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(storage_name)
        } else {
            ObjectPath::from(format!("{}/{storage_name}", self.prefix))
        }
    }

    /// Writes a file as one object.
    pub fn put(&self, storage_name: &str, bytes: &[u8]) -> AppResult<()> {
        let path = self.path(storage_name);
        let payload = PutPayload::from(bytes.to_vec());
        self.runtime
            .block_on(self.store.put(&path, payload))
            .map(|_| ())
            .map_err(|e| failed("writing a file", e))
    }

    /// Bytes `[start, start + len)` of a file; `None` past its end; `NotFound` if
    /// there is no such file.
    pub fn range(&self, storage_name: &str, start: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        let path = self.path(storage_name);
        let options = GetOptions::default().with_range(Some(GetRange::Bounded(start..start + len)));
        let got = self.runtime.block_on(async {
            let result = self.store.get_opts(&path, options).await?;
            result.bytes().await
        });
        match got {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::NotFound),
            Err(e) => {
                // A range past the end is refused by the store; only the file's length
                // tells that apart from a failure.
                let size = self
                    .runtime
                    .block_on(self.store.head(&path))
                    .map_err(|_| failed("reading a file", &e))?
                    .size;
                if start >= size {
                    Ok((start == 0).then(Vec::new))
                } else {
                    Err(failed("reading a file", e))
                }
            }
        }
    }

    /// Removes a file; one that is gone already is fine.
    pub fn remove(&self, storage_name: &str) -> AppResult<()> {
        match self
            .runtime
            .block_on(self.store.delete(&self.path(storage_name)))
        {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed("removing a file", e)),
        }
    }
}
