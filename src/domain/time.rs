//! Times as people type and read them: stored in UTC, entered and shown in
//! Europe/Berlin (forms), or exchanged as RFC 3339 (API).

use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Berlin;

/// Parses `2026-12-01T18:00` (Berlin local time, as a `datetime-local` input sends it,
/// seconds optional) or an RFC 3339 time with offset (`2026-12-01T17:00:00Z`), to UTC.
pub fn parse_deadline(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.naive_utc());
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())?;
    // In the autumn hour that occurs twice, take the earlier instant (the stricter deadline).
    Berlin
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
}

/// Keeps `stored` when `sent` falls in the same minute: forms show times to the minute,
/// and a time sent back unchanged must not lose the stored seconds.
pub fn keep_within_minute(sent: NaiveDateTime, stored: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    let minute = |t: NaiveDateTime| t.with_second(0).and_then(|t| t.with_nanosecond(0));
    if minute(sent) == minute(stored) {
        stored
    } else {
        sent
    }
}

/// A UTC time as Berlin local time to the minute (`2026-12-01T18:00`), as a
/// `datetime-local` input takes it.
pub fn to_local_input(utc: NaiveDateTime) -> String {
    utc.and_utc()
        .with_timezone(&Berlin)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A UTC time as RFC 3339 (`2027-01-31T17:00:00Z`), as docs/API.md promises.
pub fn utc(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Serialises a stored UTC time as [`utc`] does, for typed answers of the API:
/// `#[serde(serialize_with = "time::rfc3339")]`.
pub fn rfc3339<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc(*t))
}

/// [`rfc3339`] for a time that may be absent (`null`).
pub fn rfc3339_opt<S: serde::Serializer>(
    t: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&utc(*t)),
        None => s.serialize_none(),
    }
}

/// Reads a time serialised either way: as `NaiveDateTime` does (`2026-12-01T17:00:00`)
/// or as RFC 3339 (`2026-12-01T17:00:00Z`); both are UTC.
pub fn parse_serialised(raw: &str) -> Option<NaiveDateTime> {
    raw.parse::<NaiveDateTime>().ok().or_else(|| {
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.naive_utc())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_times_read_back_in_both_spellings() {
        let t = parse_deadline("2026-12-01T17:00:00Z").unwrap();
        assert_eq!(parse_serialised("2026-12-01T17:00:00"), Some(t));
        assert_eq!(parse_serialised(&utc(t)), Some(t));
        assert_eq!(parse_serialised("gestern"), None);
        #[derive(serde::Serialize)]
        struct Out {
            #[serde(serialize_with = "rfc3339")]
            at: NaiveDateTime,
            #[serde(serialize_with = "rfc3339_opt")]
            until: Option<NaiveDateTime>,
        }
        let json = serde_json::to_string(&Out { at: t, until: None }).unwrap();
        assert_eq!(json, r#"{"at":"2026-12-01T17:00:00Z","until":null}"#);
    }

    #[test]
    fn berlin_local_and_rfc3339_both_parse_to_utc() {
        let winter = parse_deadline("2026-12-01T18:00").unwrap();
        assert_eq!(winter.to_string(), "2026-12-01 17:00:00");
        let summer = parse_deadline("2026-07-01T18:00:30").unwrap();
        assert_eq!(summer.to_string(), "2026-07-01 16:00:30");
        assert_eq!(parse_deadline("2026-12-01T17:00:00Z"), Some(winter));
        assert_eq!(parse_deadline("2026-12-01T18:00:00+01:00"), Some(winter));
        assert_eq!(to_local_input(winter), "2026-12-01T18:00");
        // The hour skipped in spring does not exist.
        assert_eq!(parse_deadline("2026-03-29T02:30"), None);
        assert_eq!(parse_deadline("morgen"), None);
    }
}
