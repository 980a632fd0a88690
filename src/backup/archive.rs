//! The backup file: gzip-compressed JSON lines, read and written one line at a time.
//!
//! A line is one of
//! - a record, an object: `{"header": …}` first, then `{"table": …}` before the rows of
//!   each table, `{"file": …}` before the chunks of each stored file, `{"end": …}` last;
//! - a row, an array of the table's column values in the order its record names;
//! - a chunk of the current file, a string in base64.
//!
//! The `end` record carries the SHA-256 of every line before it, so a reader knows
//! whether it read the file the writer wrote, and the counts of rows and files.

use std::io::{BufRead, BufReader, Read, Write};

use base64::Engine;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// The version of the file layout, in the header; a reader refuses others.
pub const FORMAT: u32 = 1;

/// The longest line a reader accepts (a chunk of a file is 256 KiB, 350 KiB in base64;
/// a row holds at most a few long texts).
const MAX_LINE: usize = 64 * 1024 * 1024;

/// What the backup holds, written first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// [`FORMAT`].
    pub format: u32,
    /// The Innolab version that wrote it.
    pub innolab: String,
    /// When the snapshot was taken (UTC).
    pub created_at: chrono::NaiveDateTime,
    /// The backend it was taken from (`sqlite` or `postgres`).
    pub source: String,
    /// The versions of the migrations the database had, in order.
    pub migrations: Vec<String>,
    /// Rows per table, in the order the tables follow.
    pub tables: Vec<(String, u64)>,
    /// Stored files that follow the tables.
    pub files: u64,
}

impl Header {
    /// Rows and files: the units a progress bar counts.
    pub fn units(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum::<u64>() + self.files
    }
}

/// The start of a table's rows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableStart {
    /// The table's name.
    pub name: String,
    /// Its columns, in the order of every row's values.
    pub columns: Vec<String>,
}

/// The start of a stored file's chunks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileStart {
    /// The storage name the records know it by.
    pub name: String,
    /// Its length in bytes.
    pub size: u64,
}

/// The last line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct End {
    /// Rows written, over all tables.
    pub rows: u64,
    /// Files written.
    pub files: u64,
    /// SHA-256 (hex) of every line before this one.
    pub sha256: String,
}

/// A line that is an object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// The first line.
    Header(Header),
    /// A table's rows follow.
    Table(TableStart),
    /// A file's chunks follow.
    File(FileStart),
    /// The last line.
    End(End),
}

/// One line of a backup.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// An object.
    Record(Record),
    /// A row of the current table.
    Row(Vec<serde_json::Value>),
    /// A chunk of the current file.
    Chunk(Vec<u8>),
}

/// Writes a backup, hashing each line as it goes.
pub struct Writer<W: Write> {
    out: GzEncoder<W>,
    digest: Sha256,
    rows: u64,
    files: u64,
    line: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// A writer into `out`.
    pub fn new(out: W) -> Self {
        Writer {
            out: GzEncoder::new(out, flate2::Compression::fast()),
            digest: Sha256::new(),
            rows: 0,
            files: 0,
            line: Vec::with_capacity(64 * 1024),
        }
    }

    fn emit(&mut self) -> AppResult<()> {
        self.line.push(b'\n');
        self.digest.update(&self.line);
        self.out.write_all(&self.line).map_err(AppError::internal)?;
        self.line.clear();
        Ok(())
    }

    fn emit_json(&mut self, value: &impl Serialize) -> AppResult<()> {
        serde_json::to_writer(&mut self.line, value).map_err(AppError::internal)?;
        self.emit()
    }

    /// Writes an object line (not `End`: [`Writer::finish`] writes that).
    pub fn record(&mut self, record: &Record) -> AppResult<()> {
        if let Record::File(_) = record {
            self.files += 1;
        }
        self.emit_json(record)
    }

    /// Writes a row already encoded as a JSON array.
    pub fn raw_row(&mut self, json_array: &str) -> AppResult<()> {
        self.line.extend_from_slice(json_array.as_bytes());
        self.rows += 1;
        self.emit()
    }

    /// Writes a row.
    pub fn row(&mut self, values: &[serde_json::Value]) -> AppResult<()> {
        self.rows += 1;
        self.emit_json(&values)
    }

    /// Writes a chunk of the current file.
    pub fn chunk(&mut self, bytes: &[u8]) -> AppResult<()> {
        self.line.push(b'"');
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.line.extend_from_slice(encoded.as_bytes());
        self.line.push(b'"');
        self.emit()
    }

    /// Writes the `end` line and flushes; returns it and the underlying writer.
    pub fn finish(mut self) -> AppResult<(End, W)> {
        let end = End {
            rows: self.rows,
            files: self.files,
            sha256: hex::encode(self.digest.clone().finalize()),
        };
        self.emit_json(&Record::End(end.clone()))?;
        let out = self.out.finish().map_err(AppError::internal)?;
        Ok((end, out))
    }
}

/// A problem with the file itself, named by its line.
pub(super) fn damaged(line: u64, what: impl std::fmt::Display) -> AppError {
    AppError::Config(format!("the backup is damaged at line {line}: {what}"))
}

/// Reads a backup line by line, checking the checksum when it reaches the end.
pub struct Reader<R: Read> {
    input: BufReader<GzDecoder<R>>,
    digest: Sha256,
    buf: Vec<u8>,
    number: u64,
    end: Option<End>,
}

impl<R: Read> Reader<R> {
    /// Reads the header; refuses anything that is not a backup of this format.
    pub fn open(input: R) -> AppResult<(Header, Self)> {
        let mut reader = Reader {
            input: BufReader::with_capacity(256 * 1024, GzDecoder::new(input)),
            digest: Sha256::new(),
            buf: Vec::new(),
            number: 0,
            end: None,
        };
        let not_backup = || AppError::Config("this file is not an Innolab backup".into());
        match reader.next_line().map_err(|_| not_backup())? {
            Some(Line::Record(Record::Header(h))) if h.format == FORMAT => Ok((h, reader)),
            Some(Line::Record(Record::Header(h))) => Err(AppError::Config(format!(
                "this backup has format {}; this Innolab reads format {FORMAT}",
                h.format
            ))),
            _ => Err(not_backup()),
        }
    }

    /// The next line; `None` after the `end` line, whose checksum has then been checked.
    /// A file that stops before its `end` line is damaged.
    pub fn next_line(&mut self) -> AppResult<Option<Line>> {
        if self.end.is_some() {
            return Ok(None);
        }
        self.buf.clear();
        let read = (&mut self.input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| damaged(self.number + 1, e))?;
        self.number += 1;
        if read == 0 {
            return Err(damaged(self.number, "it ends before its last line"));
        }
        if self.buf.last() != Some(&b'\n') {
            return Err(damaged(self.number, "a line is cut off or too long"));
        }
        let text = &self.buf[..self.buf.len() - 1];
        let line = match text.first() {
            Some(b'{') => {
                let record: Record =
                    serde_json::from_slice(text).map_err(|e| damaged(self.number, e))?;
                if let Record::End(end) = record {
                    let actual = hex::encode(self.digest.clone().finalize());
                    if actual != end.sha256 {
                        return Err(damaged(self.number, "its checksum does not match"));
                    }
                    self.end = Some(end);
                    return Ok(None);
                }
                Line::Record(record)
            }
            Some(b'[') => {
                Line::Row(serde_json::from_slice(text).map_err(|e| damaged(self.number, e))?)
            }
            Some(b'"') if text.len() >= 2 && text.ends_with(b"\"") => Line::Chunk(
                base64::engine::general_purpose::STANDARD
                    .decode(&text[1..text.len() - 1])
                    .map_err(|e| damaged(self.number, e))?,
            ),
            _ => return Err(damaged(self.number, "a line of unknown kind")),
        };
        self.digest.update(&self.buf);
        Ok(Some(line))
    }

    /// The `end` line, once [`Reader::next_line`] has reached it and checked the checksum.
    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// The number of the line read last (for messages).
    pub fn line_number(&self) -> u64 {
        self.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            format: FORMAT,
            innolab: "test".into(),
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
                .unwrap()
                .and_hms_micro_opt(1, 2, 3, 456_789)
                .unwrap(),
            source: "sqlite".into(),
            migrations: vec!["1".into()],
            tables: vec![("users".into(), 1)],
            files: 1,
        }
    }

    fn sample() -> Vec<u8> {
        let mut w = Writer::new(Vec::new());
        w.record(&Record::Header(header())).unwrap();
        w.record(&Record::Table(TableStart {
            name: "users".into(),
            columns: vec!["id".into(), "email".into()],
        }))
        .unwrap();
        w.raw_row(r#"[1,"a@example.org"]"#).unwrap();
        w.record(&Record::File(FileStart {
            name: "abc".into(),
            size: 3,
        }))
        .unwrap();
        w.chunk(b"\x00\xffz").unwrap();
        let (end, out) = w.finish().unwrap();
        assert_eq!((end.rows, end.files), (1, 1));
        out
    }

    fn read_all(bytes: &[u8]) -> AppResult<(Header, Vec<Line>)> {
        let (h, mut r) = Reader::open(bytes)?;
        let mut lines = Vec::new();
        while let Some(l) = r.next_line()? {
            lines.push(l);
        }
        Ok((h, lines))
    }

    #[test]
    fn what_is_written_reads_back_line_for_line() {
        let (h, lines) = read_all(&sample()).unwrap();
        assert_eq!(h, header());
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1], Line::Row(vec![1.into(), "a@example.org".into()]));
        assert_eq!(lines[3], Line::Chunk(b"\x00\xffz".to_vec()));
    }

    fn recompressed(edit: impl FnOnce(&mut String)) -> Vec<u8> {
        let mut text = String::new();
        GzDecoder::new(&sample()[..])
            .read_to_string(&mut text)
            .unwrap();
        edit(&mut text);
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn a_changed_value_fails_the_checksum() {
        let bytes = recompressed(|t| *t = t.replace("a@example.org", "b@example.org"));
        let e = read_all(&bytes).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
    }

    #[test]
    fn a_file_cut_short_is_damaged_not_complete() {
        let bytes = recompressed(|t| {
            let end = t.rfind("{\"end\"").unwrap();
            t.truncate(end);
        });
        let e = read_all(&bytes).unwrap_err().to_string();
        assert!(e.contains("ends before its last line"), "{e}");
    }

    #[test]
    fn other_files_are_not_taken_for_backups() {
        let e = read_all(b"not gzip at all").unwrap_err().to_string();
        assert!(e.contains("not an Innolab backup"), "{e}");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"[1,2]\n").unwrap();
        let e = read_all(&enc.finish().unwrap()).unwrap_err().to_string();
        assert!(e.contains("not an Innolab backup"), "{e}");
    }
}
