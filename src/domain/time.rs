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

/// The value a `datetime-local` input shows for a UTC time.
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

#[cfg(test)]
mod tests {
    use super::*;

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
