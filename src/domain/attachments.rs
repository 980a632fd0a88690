//! Attachments of challenges and proposals: the type is decided by the content (magic
//! bytes) against an allow-list, files are stored outside the static folder under
//! generated names, and only metadata lives in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::attachments;
use crate::db::{self, DbConnection};
use crate::domain::files::FileStore;
use crate::error::{AppError, AppResult, FieldErrors, FileProblem};
use crate::kinds::AttachmentOwner;

/// At most this many files per challenge or proposal.
pub const MAX_PER_OWNER: i64 = 30;

/// A stored file's metadata, as in `attachments`. Serialises without hash, storage name
/// and uploader.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    /// Primary key; also the number in the file's neutral name.
    pub id: i64,
    /// Whether the file belongs to a challenge or a proposal.
    pub owner_type: AttachmentOwner,
    /// The id of the challenge or proposal it belongs to.
    pub owner_id: i64,
    /// The uploader's file name, cleaned by `clean_filename`.
    pub filename: String,
    /// The MIME type decided from the content by `sniff`, not the one the browser sent.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, hex-encoded.
    #[serde(skip)]
    pub sha256: String,
    /// The generated name the file is stored under (see `path_of`).
    #[serde(skip)]
    pub storage_name: String,
    /// Who uploaded it; `None` once that account is deleted.
    #[serde(skip)]
    pub uploaded_by: Option<i64>,
    /// When it was uploaded (UTC).
    pub created_at: NaiveDateTime,
}

impl Attachment {
    /// The file's name without the words its uploader chose: its number and its kind
    /// (`attachment-7.pdf`).
    pub fn neutral_name(&self) -> String {
        let ext = self.filename.rsplit_once('.').map_or("bin", |(_, e)| e);
        format!("attachment-{}.{ext}", self.id)
    }
}

/// The allowed types by content, with their canonical MIME type. Plain text and CSV have
/// no signature: they are accepted when the bytes are UTF-8 text without NULs and the
/// name ends accordingly.
pub fn sniff(bytes: &[u8], filename: &str) -> Option<&'static str> {
    const ALLOWED: [&str; 12] = [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "text/csv",
        "text/plain",
        "application/zip",
    ];
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        // A bare ZIP is not an office document: refuse it (it could hold anything).
        return ALLOWED
            .iter()
            .copied()
            .find(|a| *a == mime && *a != "application/zip");
    }
    let lower = filename.to_lowercase();
    let is_text = std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0);
    match (is_text, lower.rsplit('.').next()) {
        (true, Some("csv")) => Some("text/csv"),
        (true, Some("txt" | "md")) => Some("text/plain"),
        _ => None,
    }
}

/// A file name safe to show and to send in `Content-Disposition`: no path, no control
/// characters or quotes, at most 150 characters.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '<' | '>'))
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(150)
        .collect();
    if cleaned.is_empty() {
        "datei".to_string()
    } else {
        cleaned
    }
}

/// Checks and writes a file, then records it. The caller's transaction rolls both back
/// on failure (a folder store may keep a file without a row, which is harmless).
pub fn store(
    conn: &mut DbConnection,
    files: &FileStore,
    owner: AttachmentOwner,
    owner_id: i64,
    filename: &str,
    bytes: &[u8],
    by: i64,
) -> AppResult<Attachment> {
    if bytes.is_empty() {
        return Err(AppError::File(FileProblem::Empty));
    }
    let filename = clean_filename(filename);
    let content_type =
        sniff(bytes, &filename).ok_or(AppError::File(FileProblem::TypeNotAllowed))?;
    let count: i64 = attachments::table
        .filter(attachments::owner_type.eq(owner))
        .filter(attachments::owner_id.eq(owner_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_OWNER {
        return Err(FieldErrors::single("file", "too-many"));
    }
    let storage_name = files.put(conn, bytes)?;
    Ok(diesel::insert_into(attachments::table)
        .values((
            attachments::owner_type.eq(owner),
            attachments::owner_id.eq(owner_id),
            attachments::filename.eq(&filename),
            attachments::content_type.eq(content_type),
            attachments::size.eq(bytes.len() as i64),
            attachments::sha256.eq(hex::encode(Sha256::digest(bytes))),
            attachments::storage_name.eq(&storage_name),
            attachments::uploaded_by.eq(by),
            attachments::created_at.eq(db::now()),
        ))
        .returning(attachments::all_columns)
        .get_result(conn)?)
}

/// The attachment with this id, whoever owns it, or `NotFound`; callers check access.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Attachment> {
    attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The files of one challenge or proposal, oldest first.
pub fn list(
    conn: &mut DbConnection,
    owner: AttachmentOwner,
    owner_id: i64,
) -> AppResult<Vec<Attachment>> {
    Ok(attachments::table
        .filter(attachments::owner_type.eq(owner))
        .filter(attachments::owner_id.eq(owner_id))
        .order(attachments::id.asc())
        .limit(MAX_PER_OWNER)
        .select(Attachment::as_select())
        .load(conn)?)
}

/// Deletes the row and the file.
pub fn delete(conn: &mut DbConnection, files: &FileStore, a: &Attachment) -> AppResult<()> {
    diesel::delete(attachments::table.find(a.id)).execute(conn)?;
    files.remove(conn, &a.storage_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_decided_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "x.pdf"), Some("application/pdf"));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "bild.png"),
            Some("image/png")
        );
        // A script named like a PDF is refused, and so is an executable.
        assert_eq!(sniff(b"<script>alert(1)</script>", "x.pdf"), None);
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "x.txt"),
            None
        );
        assert_eq!(sniff(b"a;b\n1;2\n", "daten.csv"), Some("text/csv"));
        assert_eq!(sniff(b"Hallo", "notiz.TXT"), Some("text/plain"));
        assert_eq!(sniff(b"Hallo", "notiz.html"), None);
        assert_eq!(sniff(b"Hal\0lo", "notiz.txt"), None);
    }

    #[test]
    fn file_names_lose_paths_and_dangerous_characters() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_filename("C:\\\\Users\\\\a\\\\Angebot \"final\".pdf"),
            "Angebot final.pdf"
        );
        assert_eq!(clean_filename("\u{0}\n"), "datei");
        assert_eq!(clean_filename(".htaccess"), "htaccess");
    }
}
