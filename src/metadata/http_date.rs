//! HTTP dates (RFC 9110 §5.6.7), read by the crate itself: the IMF-fixdate a server should send
//! and the two obsolete formats a recipient must still accept.
//!
//! The answers are those of the `httpdate` crate, `parse_http_date`, for every input (the tests
//! hold the two side by side): years 1970 to 9999 only, no leap second (`:60`), a weekday name
//! that must be the date's own, two-digit RFC 850 years read as 1970 to 2069, case-sensitive
//! names and `GMT`, surrounding whitespace ignored, anything not ASCII refused.

use std::time::{Duration, SystemTime};

/// Full weekday names (RFC 850), Monday first.
const LONG_WEEKDAYS: [&[u8]; 7] = [
    b"Monday",
    b"Tuesday",
    b"Wednesday",
    b"Thursday",
    b"Friday",
    b"Saturday",
    b"Sunday",
];

/// A date as written, not yet checked against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fields {
    /// The year as written (RFC 850: already given its century).
    year: u16,
    /// 1 to 12.
    month: u8,
    /// As written, 0 to 99.
    day: u8,
    /// As written, 0 to 99.
    hour: u8,
    /// As written, 0 to 99.
    minute: u8,
    /// As written, 0 to 99.
    second: u8,
    /// 0 = Monday, 6 = Sunday.
    weekday: u8,
}

/// Reads an HTTP date in any of the three formats of RFC 9110 §5.6.7: `None` when it is not one,
/// or names a day that does not exist, or a weekday other than the date's, or falls outside
/// 1970 to 9999. Never panics.
pub(super) fn parse_http_date(s: &str) -> Option<SystemTime> {
    if !s.is_ascii() {
        return None;
    }
    // `str::trim` as httpdate does (on ASCII: space, \t, \n, \x0b, \x0c, \r).
    let s = s.trim().as_bytes();
    // The three lengths differ (29; 24; 30 to 33), so at most one format can fit.
    let fields = imf_fixdate(s)
        .or_else(|| rfc850_date(s))
        .or_else(|| asctime_date(s))?;
    to_system_time(fields)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn imf_fixdate(s: &[u8]) -> Option<Fields> {
    let &[w0, w1, w2, b',', b' ', d0, d1, b' ', m0, m1, m2, b' ', y0, y1, y2, y3, b' ', h0, h1, b':', i0, i1, b':', s0, s1, b' ', b'G', b'M', b'T'] =
        s
    else {
        return None;
    };
    Some(Fields {
        year: four_digits(y0, y1, y2, y3)?,
        month: month(&[m0, m1, m2])?,
        day: two_digits(d0, d1)?,
        hour: two_digits(h0, h1)?,
        minute: two_digits(i0, i1)?,
        second: two_digits(s0, s1)?,
        weekday: weekday(&[w0, w1, w2])?,
    })
}

/// `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete RFC 850).
fn rfc850_date(s: &[u8]) -> Option<Fields> {
    let (weekday, rest) = (0u8..).zip(LONG_WEEKDAYS).find_map(|(index, name)| {
        let rest = s.strip_prefix(name)?.strip_prefix(b", ")?;
        Some((index, rest))
    })?;
    // httpdate does not look at the byte between the year and the hour (RFC 9110: a space), so
    // neither does this: `06-Nov-94T08:49:37 GMT` is read as well, for the two to agree.
    let &[d0, d1, b'-', m0, m1, m2, b'-', y0, y1, _, h0, h1, b':', i0, i1, b':', s0, s1, b' ', b'G', b'M', b'T'] =
        rest
    else {
        return None;
    };
    let yy = u16::from(two_digits(y0, y1)?);
    // RFC 9110 says a year more than 50 years ahead is in the past century; httpdate (and so
    // this) reads 00 to 69 as 2000 to 2069 and 70 to 99 as 1970 to 1999, whatever today is.
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    Some(Fields {
        year,
        month: month(&[m0, m1, m2])?,
        day: two_digits(d0, d1)?,
        hour: two_digits(h0, h1)?,
        minute: two_digits(i0, i1)?,
        second: two_digits(s0, s1)?,
        weekday,
    })
}

/// `Sun Nov  6 08:49:37 1994` (ANSI C `asctime`); the day may also be written `06`.
fn asctime_date(s: &[u8]) -> Option<Fields> {
    let &[w0, w1, w2, b' ', m0, m1, m2, b' ', d0, d1, b' ', h0, h1, b':', i0, i1, b':', s0, s1, b' ', y0, y1, y2, y3] =
        s
    else {
        return None;
    };
    let day = if d0 == b' ' {
        digit(d1)?
    } else {
        two_digits(d0, d1)?
    };
    Some(Fields {
        year: four_digits(y0, y1, y2, y3)?,
        month: month(&[m0, m1, m2])?,
        day,
        hour: two_digits(h0, h1)?,
        minute: two_digits(i0, i1)?,
        second: two_digits(s0, s1)?,
        weekday: weekday(&[w0, w1, w2])?,
    })
}

/// The instant, once the fields are checked: 1970 to 9999, a day the month has, time of day
/// below 24:00:00 (no leap second) and the weekday of that date.
fn to_system_time(f: Fields) -> Option<SystemTime> {
    if !(1970..=9999).contains(&f.year)
        || !(1..=12).contains(&f.month)
        || f.day == 0
        || f.day > days_in_month(f.year, f.month)
        || f.hour >= 24
        || f.minute >= 60
        || f.second >= 60
    {
        return None;
    }
    let days = days_from_civil(i64::from(f.year), f.month, f.day);
    // 1970-01-01 was a Thursday (3, counting from Monday).
    if (days + 3).rem_euclid(7) != i64::from(f.weekday) {
        return None;
    }
    let secs = days
        .checked_mul(86_400)?
        .checked_add(i64::from(f.hour) * 3600 + i64::from(f.minute) * 60 + i64::from(f.second))?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`). `month` is 1 to 12 and `day` 1 to 31; any `year` that keeps the result
/// within `i64`.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    // Years run from March, so that the leap day is the last of its year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // 0 to 399
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1; // 0 to 365, from March 1st
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Days in that month of that year (Gregorian leap years); 0 for a month not in 1 to 12.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    }
}

/// 1 to 12 for `Jan` to `Dec` (case-sensitive).
fn month(name: &[u8; 3]) -> Option<u8> {
    Some(match name {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// 0 to 6 for `Mon` to `Sun` (case-sensitive).
fn weekday(name: &[u8; 3]) -> Option<u8> {
    Some(match name {
        b"Mon" => 0,
        b"Tue" => 1,
        b"Wed" => 2,
        b"Thu" => 3,
        b"Fri" => 4,
        b"Sat" => 5,
        b"Sun" => 6,
        _ => return None,
    })
}

/// An ASCII digit's value.
fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

/// Two ASCII digits' value.
fn two_digits(a: u8, b: u8) -> Option<u8> {
    Some(digit(a)? * 10 + digit(b)?)
}

/// Four ASCII digits' value.
fn four_digits(a: u8, b: u8, c: u8, d: u8) -> Option<u16> {
    Some(u16::from(two_digits(a, b)?) * 100 + u16::from(two_digits(c, d)?))
}

#[cfg(test)]
mod tests;
