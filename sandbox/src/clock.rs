//! Dinero's date-time formats, computed by hand from `SystemTime` (UTC; Dinero's own zone is
//! not modelled). Date-times carry no zone: `2017-05-19T14:14:47`, or with milliseconds
//! `2017-05-19T14:20:47.407` on invoices.

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Proleptic Gregorian date of a day number (days since 1970-01-01); Howard Hinnant's algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Inverse of [`civil_from_days`].
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD`.
pub fn format_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SS`.
pub fn format_datetime(ms: i64) -> String {
    let of_day = ms.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}",
        format_date(ms),
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SS.mmm`.
pub fn format_datetime_ms(ms: i64) -> String {
    format!("{}.{:03}", format_datetime(ms), ms.rem_euclid(1000))
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i64 = digits(&s[0..4])?.into();
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) * MS_PER_DAY)
}

/// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff…]]` and an optional `Z`, to
/// milliseconds since the epoch (fractions past milliseconds are dropped).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let day_ms = parse_date(date)?;
    let Some(time) = time else {
        return Some(day_ms);
    };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.split(':');
    let hour = digits(parts.next()?)?;
    let minute = digits(parts.next()?)?;
    let second = parts.next().map_or(Some(0), digits)?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (time.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let millis = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    Some(day_ms + i64::from(hour * 3600 + minute * 60 + second) * 1000 + millis)
}

/// A short run of ASCII digits as a number.
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days() {
        for days in [-800_000, -1, 0, 1, 11_016, 17_305, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn formats_like_dinero() {
        // 2017-05-19T14:20:47.407 UTC
        let ms = 1_495_203_647_407;
        assert_eq!(format_date(ms), "2017-05-19");
        assert_eq!(format_datetime(ms), "2017-05-19T14:20:47");
        assert_eq!(format_datetime_ms(ms), "2017-05-19T14:20:47.407");
    }

    #[test]
    fn parses() {
        let ms = 1_495_203_647_407;
        assert_eq!(parse_datetime("2017-05-19T14:20:47.407"), Some(ms));
        assert_eq!(parse_datetime("2017-05-19T14:20:47.4071234Z"), Some(ms));
        assert_eq!(parse_datetime("2017-05-19T14:20:47"), Some(ms - 407));
        assert_eq!(parse_datetime("2017-05-19T14:20"), Some(ms - 47_407));
        assert_eq!(parse_datetime("2017-05-19"), Some(ms - 51_647_407));
        for bad in [
            "",
            "2017-02-30",
            "2017-13-01",
            "2017-05-19T25:00",
            "2017-05-19T1:2:3:4",
            "x",
            "2017-05-19T10:00:00.",
            "2017-05-19T10:00:00.x",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
