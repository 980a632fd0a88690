//! Where uploaded files are kept: in the database by default (table `file_chunks`), so
//! that every instance on one database serves every file; in an S3-compatible object
//! store (`file_store = "s3"`, [`s3`]), shared by every instance as well; or in a folder
//! of this instance (`file_store = "folder"`, for a single instance). Files are read in
//! chunks of [`CHUNK`] bytes; a download holds one chunk in memory at a time.
//!
//! Records name their file by a generated `storage_name`; in the database store the
//! bytes are written in the caller's transaction, so a file and its row commit together.

pub mod s3;

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use diesel::prelude::*;

use crate::auth::secrets;
use crate::db::schema::file_chunks;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// The size of one stored chunk.
pub const CHUNK: usize = 256 * 1024;

/// Where this installation keeps files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStore {
    /// In the database, shared by every instance (the default).
    Database,
    /// In this folder (`<data>/uploads` by default): one instance only.
    Folder(PathBuf),
    /// In a bucket of an S3-compatible object store, shared by every instance.
    S3(s3::S3Files),
}

/// A new storage name: random, and safe in a path.
fn new_name() -> String {
    secrets::new_token().replace(['-', '_'], "x")
}

/// Whether a storage name is one [`new_name`] could have made: nothing that could leave
/// a folder.
fn is_generated(storage_name: &str) -> bool {
    storage_name.len() >= 3 && storage_name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Where a stored file lives in a folder store: `<dir>/<first two chars>/<name>`.
fn path_in(dir: &Path, storage_name: &str) -> AppResult<PathBuf> {
    if !is_generated(storage_name) {
        return Err(AppError::NotFound);
    }
    Ok(dir.join(&storage_name[..2]).join(storage_name))
}

/// Every stored file the records name (attachments and test users' pilot files), with
/// its length.
pub fn recorded(conn: &mut DbConnection) -> AppResult<Vec<(String, i64)>> {
    use crate::db::schema::{attachments, pilot_files};
    let mut files: Vec<(String, i64)> = attachments::table
        .select((attachments::storage_name, attachments::size))
        .order(attachments::id)
        .load(conn)?;
    files.extend(
        pilot_files::table
            .select((pilot_files::storage_name, pilot_files::size))
            .order(pilot_files::id)
            .load::<(String, i64)>(conn)?,
    );
    Ok(files)
}

impl FileStore {
    /// The store the configuration names (`file_store`).
    pub fn configured(config: &crate::config::Config) -> AppResult<FileStore> {
        FileStore::of_kind(config, config.file_storage)
    }

    /// The store of this kind, as the configuration sets it up.
    pub fn of_kind(
        config: &crate::config::Config,
        kind: crate::config::FileStorage,
    ) -> AppResult<FileStore> {
        use crate::config::FileStorage;
        Ok(match kind {
            FileStorage::Database => FileStore::Database,
            FileStorage::Folder => FileStore::Folder(config.upload_dir()),
            FileStorage::S3 if config.s3.bucket.is_empty() => return Err(AppError::Config(
                "file_store = \"s3\" needs s3_bucket (and s3_endpoint for a store that is not AWS)"
                    .into(),
            )),
            FileStorage::S3 => FileStore::S3(s3::S3Files::connect(&config.s3)?),
        })
    }

    /// Stores the bytes under a new name and returns it.
    pub fn put(&self, conn: &mut DbConnection, bytes: &[u8]) -> AppResult<String> {
        let name = new_name();
        self.write_as(conn, &name, bytes)?;
        Ok(name)
    }

    /// Stores the bytes under `name`, a name [`FileStore::put`] made (a restore puts
    /// files back under the names their records know).
    pub fn write_as(&self, conn: &mut DbConnection, name: &str, bytes: &[u8]) -> AppResult<()> {
        if !is_generated(name) {
            return Err(AppError::BadRequest(format!(
                "{name:?} is not a storage name"
            )));
        }
        match self {
            FileStore::Database => {
                for (seq, chunk) in bytes.chunks(CHUNK).enumerate() {
                    diesel::insert_into(file_chunks::table)
                        .values((
                            file_chunks::storage_name.eq(name),
                            file_chunks::seq.eq(seq as i32),
                            file_chunks::bytes.eq(chunk),
                        ))
                        .execute(conn)?;
                }
            }
            FileStore::Folder(dir) => {
                let path = path_in(dir, name)?;
                std::fs::create_dir_all(path.parent().unwrap_or(dir))
                    .map_err(AppError::internal)?;
                std::fs::write(&path, bytes).map_err(AppError::internal)?;
            }
            FileStore::S3(bucket) => bucket.put(name, bytes)?,
        }
        Ok(())
    }

    /// Chunk `seq` (from 0) of a stored file; `None` past its end. A file that is not
    /// there at all is `NotFound`.
    pub fn chunk(
        &self,
        conn: &mut DbConnection,
        storage_name: &str,
        seq: usize,
    ) -> AppResult<Option<Vec<u8>>> {
        match self {
            FileStore::Database => {
                let chunk: Option<Vec<u8>> = file_chunks::table
                    .filter(file_chunks::storage_name.eq(storage_name))
                    .filter(file_chunks::seq.eq(seq as i32))
                    .select(file_chunks::bytes)
                    .first(conn)
                    .optional()?;
                if chunk.is_none() && seq == 0 {
                    return Err(AppError::NotFound);
                }
                Ok(chunk)
            }
            FileStore::Folder(dir) => {
                let mut file = std::fs::File::open(path_in(dir, storage_name)?)
                    .map_err(|_| AppError::NotFound)?;
                file.seek(SeekFrom::Start((seq * CHUNK) as u64))
                    .map_err(AppError::internal)?;
                let mut buf = Vec::with_capacity(CHUNK);
                file.take(CHUNK as u64)
                    .read_to_end(&mut buf)
                    .map_err(AppError::internal)?;
                Ok((!buf.is_empty() || seq == 0).then_some(buf))
            }
            FileStore::S3(bucket) => {
                if !is_generated(storage_name) {
                    return Err(AppError::NotFound);
                }
                bucket.range(storage_name, (seq * CHUNK) as u64, CHUNK as u64)
            }
        }
    }

    /// Removes a stored file (in the database store, within the caller's transaction; in
    /// the others at once).
    pub fn remove(&self, conn: &mut DbConnection, storage_name: &str) -> AppResult<()> {
        match self {
            FileStore::Database => {
                diesel::delete(
                    file_chunks::table.filter(file_chunks::storage_name.eq(storage_name)),
                )
                .execute(conn)?;
            }
            FileStore::Folder(dir) => {
                // Already gone is fine: the row was what counted.
                let _ = std::fs::remove_file(path_in(dir, storage_name)?);
            }
            FileStore::S3(bucket) => bucket.remove(storage_name)?,
        }
        Ok(())
    }

    /// The whole file, chunk by chunk (for moving files between stores and for tests).
    pub fn read_all(&self, conn: &mut DbConnection, storage_name: &str) -> AppResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut seq = 0;
        while let Some(chunk) = self.chunk(conn, storage_name, seq)? {
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(&chunk);
            seq += 1;
        }
        Ok(out)
    }
}

/// How many files a move copied, and how many were already in the target store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// Files copied into the target store and removed from the other.
    pub moved: usize,
    /// Files the target store held already.
    pub present: usize,
    /// Files recorded but found in neither store.
    pub missing: usize,
}

/// Moves every recorded file (attachments and test users' pilot files) from `from` into
/// `to`, one transaction per file, keeping its name; `progress` is called after each
/// with the count so far and the total. Run again, it finds nothing left to move.
pub fn move_all(
    conn: &mut DbConnection,
    from: &FileStore,
    to: &FileStore,
    mut progress: impl FnMut(usize, usize),
) -> AppResult<Moved> {
    let names: Vec<String> = recorded(conn)?.into_iter().map(|(name, _)| name).collect();
    let mut done = Moved::default();
    let total = names.len();
    for (i, name) in names.iter().enumerate() {
        if to.chunk(conn, name, 0).is_ok() {
            done.present += 1;
        } else {
            match from.read_all(conn, name) {
                Ok(bytes) => {
                    crate::db::write_tx(conn, |c| to.write_as(c, name, &bytes))?;
                    crate::db::write_tx(conn, |c| from.remove(c, name))?;
                    done.moved += 1;
                }
                Err(AppError::NotFound) => done.missing += 1,
                Err(e) => return Err(e),
            }
        }
        progress(i + 1, total);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_cannot_leave_the_folder() {
        let dir = Path::new("/srv/uploads");
        assert!(path_in(dir, "../../etc/passwd").is_err());
        assert!(path_in(dir, "ab").is_err());
        assert_eq!(
            path_in(dir, "abc123").unwrap(),
            Path::new("/srv/uploads/ab/abc123")
        );
    }
}
