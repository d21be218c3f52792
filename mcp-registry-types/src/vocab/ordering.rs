//! Version ordering exactly as the official registry decides `isLatest`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Whether the registry treats `version` as semantic: an optional `v`, then exactly three
/// dot-separated numeric parts without leading zeros, then optional SemVer pre-release and
/// build parts (`golang.org/x/mod/semver.IsValid` plus the registry's three-part test).
///
/// ```
/// use mcp_registry_types::is_semantic_version;
///
/// assert!(is_semantic_version("v1.0.0") && is_semantic_version("1.0.0-1"));
/// assert!(!is_semantic_version("1.0") && !is_semantic_version("2021.03.05"));
/// ```
pub fn is_semantic_version(version: &str) -> bool {
    parse_semver(version).is_some()
}

fn parse_semver(version: &str) -> Option<semver::Version> {
    let bare = version.strip_prefix('v').unwrap_or(version);
    // The `semver` crate's grammar is SemVer 2.0's, as Go's is: three numeric parts, no
    // leading zeros, non-empty dot-separated identifiers.
    semver::Version::parse(bare).ok()
}

/// Compares two versions of one server as the registry does (`CompareVersions`): both
/// semantic → SemVer precedence (build metadata ignored); neither → the later `published_at`
/// wins; one of each → the semantic one is higher.
///
/// A missing or unreadable timestamp sorts before every readable one. This is a total
/// preorder: versions that compare `Equal` (`1.0.0` and `1.0.0+b`, or two non-semantic versions
/// published at the same instant) are interchangeable for the registry.
///
/// ```
/// use std::cmp::Ordering;
/// use mcp_registry_types::compare_versions;
///
/// let t1 = Some("2025-01-01T00:00:00Z");
/// let t2 = Some("2025-06-01T00:00:00Z");
/// assert_eq!(compare_versions("1.10.0", t1, "1.9.0", t2), Ordering::Greater);
/// assert_eq!(compare_versions("snapshot", t2, "0.0.1", t1), Ordering::Less);
/// assert_eq!(compare_versions("b", t1, "a", t2), Ordering::Less);
/// ```
pub fn compare_versions(
    a: &str,
    a_published_at: Option<&str>,
    b: &str,
    b_published_at: Option<&str>,
) -> Ordering {
    match (parse_semver(a), parse_semver(b)) {
        (Some(a), Some(b)) => (a.major, a.minor, a.patch)
            .cmp(&(b.major, b.minor, b.patch))
            .then_with(|| prerelease_order(&a.pre, &b.pre)),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => {
            let time = |t: Option<&str>| t.and_then(|t| t.parse::<Timestamp>().ok());
            time(a_published_at).cmp(&time(b_published_at))
        }
    }
}

/// A release outranks its pre-releases; pre-releases compare by SemVer's identifier rules,
/// which `semver::Prerelease`'s `Ord` implements (an empty pre-release sorts highest there).
fn prerelease_order(a: &semver::Prerelease, b: &semver::Prerelease) -> Ordering {
    a.cmp(b)
}

/// An instant read from RFC 3339 text (`2025-08-07T13:15:04.280Z`, `…+02:00`), as Go's
/// `time.RFC3339` parser reads it: fractional seconds optional, a zone required.
///
/// Ordering is by instant, so the same moment written in two zones compares equal.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

/// Text that is not an RFC 3339 date-time.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error(
    "invalid timestamp `{value}`: write an RFC 3339 date-time such as `2025-08-07T13:15:04.280Z`"
)]
pub struct TimestampError {
    value: String,
}

impl TimestampError {
    /// The rejected text.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// The sub-second part in nanoseconds.
    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// The instant `seconds` after the Unix epoch.
    pub fn from_unix_seconds(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_rfc3339(text).ok_or_else(|| TimestampError {
            value: text.to_owned(),
        })
    }
}

impl fmt::Display for Timestamp {
    /// Writes UTC with `Z`, and fractional seconds only when non-zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )?;
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if sep(i, b'.') {
        let start = i + 1;
        let len = b
            .get(start..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 {
            return None;
        }
        for (k, digit) in b.get(start..start + len)?.iter().enumerate() {
            if k < 9 {
                nanos += u32::from(digit - b'0') * 10u32.pow(8 - u32::try_from(k).ok()?);
            }
        }
        i = start + len;
    }
    let offset = match b.get(i)? {
        b'Z' if b.len() == i + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && sep(i + 3, b':') => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    Some(Timestamp { seconds, nanos })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantic_version_test_matches_the_registry() {
        for yes in [
            "1.0.0",
            "v1.0.0",
            "2021.11.15",
            "1.0.0-1",
            "1.0.0-alpha.1+build",
            "0.0.0",
        ] {
            assert!(is_semantic_version(yes), "{yes}");
        }
        for no in [
            "1.0",
            "1",
            "1.0.0.0",
            "2021.03.05",
            "01.0.0",
            "vv1.0.0",
            "1.0.0-",
            "1.0.0-01",
            "latest",
            "",
        ] {
            assert!(!is_semantic_version(no), "{no}");
        }
    }

    #[test]
    fn semver_precedence_ignores_build_metadata() {
        use Ordering::*;
        assert_eq!(compare_versions("1.0.0-alpha", None, "1.0.0", None), Less);
        assert_eq!(
            compare_versions("1.0.0-alpha.1", None, "1.0.0-alpha.beta", None),
            Less
        );
        assert_eq!(compare_versions("1.0.0-2", None, "1.0.0-10", None), Less);
        assert_eq!(compare_versions("1.0.0+a", None, "v1.0.0+b", None), Equal);
        // Publishing 1.2.3-1 after 1.2.3 does not make it latest.
        assert_eq!(
            compare_versions(
                "1.2.3-1",
                Some("2026-01-02T00:00:00Z"),
                "1.2.3",
                Some("2026-01-01T00:00:00Z")
            ),
            Less
        );
    }

    #[test]
    fn non_semver_orders_by_publication_time_and_loses_to_semver() {
        use Ordering::*;
        let early = Some("2025-01-01T00:00:00Z");
        let late = Some("2025-01-01T01:00:00+02:00"); // 23:00Z the day before: earlier
        assert_eq!(compare_versions("a", early, "b", late), Greater);
        assert_eq!(compare_versions("2021.03.05", early, "0.0.1", late), Less);
        assert_eq!(compare_versions("x", None, "y", early), Less);
    }

    #[test]
    fn timestamps_parse_like_go_rfc3339() {
        let t: Timestamp = "2025-08-07T13:15:04.280Z".parse().unwrap();
        assert_eq!(t.unix_seconds(), 1_754_572_504);
        assert_eq!(t.subsec_nanos(), 280_000_000);
        assert_eq!(t.to_string(), "2025-08-07T13:15:04.28Z");
        assert_eq!(
            "2025-08-07T15:15:04.28+02:00".parse::<Timestamp>().unwrap(),
            t
        );
        for bad in [
            "2025-08-07",
            "2025-08-07T13:15:04",
            "2025-02-30T00:00:00Z",
            "2025-08-07 13:15:04Z",
            "2025-08-07T13:15:04.Z",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
        assert_eq!(
            Timestamp::from_unix_seconds(0).to_string(),
            "1970-01-01T00:00:00Z"
        );
    }
}
