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
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// Weekday abbreviations (IMF-fixdate, asctime), Monday first.
    const WEEKDAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

    /// The last second httpdate can write: 9999-12-31 23:59:59.
    const LAST: u64 = 253_402_300_799;

    /// The two parsers give the same answer (same instant, or both none).
    #[track_caller]
    fn agree(s: &str) -> Option<SystemTime> {
        let ours = parse_http_date(s);
        assert_eq!(ours, httpdate::parse_http_date(s).ok(), "{s:?}");
        ours
    }

    /// The instant `secs` after the epoch, as httpdate writes it (IMF-fixdate), and in the
    /// obsolete formats built from the same fields: (IMF-fixdate, RFC 850, asctime).
    fn three_formats(secs: u64) -> (String, String, String) {
        let imf = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
        // `Sun, 06 Nov 1994 08:49:37 GMT`
        let (wday, day, mon, year, time) = (
            &imf[0..3],
            &imf[5..7],
            &imf[8..11],
            &imf[12..16],
            &imf[17..25],
        );
        let long = LONG_WEEKDAYS[WEEKDAYS
            .iter()
            .position(|w| &w[..] == wday.as_bytes())
            .unwrap()];
        let long = std::str::from_utf8(long).unwrap();
        let rfc850 = format!("{long}, {day}-{mon}-{} {time} GMT", &year[2..]);
        let asc_day = day.strip_prefix('0').unwrap_or(day);
        let asctime = format!("{wday} {mon} {asc_day:>2} {time} {year}");
        (imf, rfc850, asctime)
    }

    /// Every format of the instant reads back as httpdate reads it; IMF-fixdate and asctime
    /// as the instant itself, RFC 850 too when its two-digit year means 1970 to 2069.
    #[track_caller]
    fn check_instant(secs: u64) {
        let t = UNIX_EPOCH + Duration::from_secs(secs);
        let (imf, rfc850, asctime) = three_formats(secs);
        assert_eq!(agree(&imf), Some(t), "{imf}");
        assert_eq!(agree(&asctime), Some(t), "{asctime}");
        let year: u16 = imf[12..16].parse().unwrap();
        let read = agree(&rfc850);
        if year < 2070 {
            assert_eq!(read, Some(t), "{rfc850}");
        } else {
            assert_ne!(read, Some(t), "{rfc850}");
        }
    }

    fn is_leap(year: u64) -> bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    #[test]
    fn rfc_9110_examples() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(agree("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(agree("Sunday, 06-Nov-94 08:49:37 GMT"), Some(t));
        assert_eq!(agree("Sun Nov  6 08:49:37 1994"), Some(t));
        assert_eq!(
            three_formats(784_111_777).1,
            "Sunday, 06-Nov-94 08:49:37 GMT"
        );
        assert_eq!(three_formats(784_111_777).2, "Sun Nov  6 08:49:37 1994");
    }

    #[test]
    fn days_from_civil_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(1600, 1, 1), -135_140);
        assert_eq!(days_from_civil(10_000, 1, 1), 2_932_897);
        // Day after day agrees with days_in_month across four centuries.
        let mut expected = days_from_civil(1900, 1, 1);
        for year in 1900..2301 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(i64::from(year), month, day), expected);
                    expected += 1;
                }
            }
        }
    }

    /// IMF-fixdate every 97,003 s (~27 hours, a step that walks through every time of day) from
    /// 1970 to 9999; the three formats every 1,000,003 s (~11.6 days, debug builds are slow).
    #[test]
    fn sweep_1970_to_9999_agrees_with_httpdate() {
        let mut secs = 0;
        while secs <= LAST {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            let imf = httpdate::fmt_http_date(t);
            assert_eq!(agree(&imf), Some(t), "{imf}");
            secs += 97_003;
        }
        let mut secs = 0;
        while secs <= LAST {
            check_instant(secs);
            secs += 1_000_003;
        }
        check_instant(LAST);
    }

    /// The first and last seconds of every year 1970 to 9999, and Feb 28, Feb 29 and Mar 1.
    #[test]
    fn year_ends_and_leap_days_agree_with_httpdate() {
        let mut jan1 = 0;
        for year in 1970..=9999 {
            let imf = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(jan1));
            assert_eq!(&imf[5..16], format!("01 Jan {year}"));
            check_instant(jan1);
            if jan1 > 0 {
                check_instant(jan1 - 1);
            }
            let feb28 = jan1 + 58 * 86_400;
            check_instant(feb28 + 86_399);
            check_instant(feb28 + 86_400);
            let feb29_or_mar1 =
                httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(feb28 + 86_400));
            assert_eq!(
                &feb29_or_mar1[5..11],
                if is_leap(year) { "29 Feb" } else { "01 Mar" }
            );
            if is_leap(year) {
                check_instant(feb28 + 2 * 86_400);
            }
            jan1 += if is_leap(year) { 366 } else { 365 } * 86_400;
        }
        assert_eq!(jan1, LAST + 1);
        for named in [
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Tue, 29 Feb 1972 12:00:00 GMT",
            "Tue, 29 Feb 2000 00:00:00 GMT",
            "Wed, 01 Mar 2000 00:00:00 GMT",
            "Sun, 28 Feb 2100 23:59:59 GMT",
            "Mon, 01 Mar 2100 00:00:00 GMT",
            "Fri, 31 Dec 1999 23:59:59 GMT",
            "Sat, 01 Jan 2000 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert!(agree(named).is_some(), "{named}");
        }
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(UNIX_EPOCH + Duration::from_secs(LAST))
        );
    }

    /// Not dates (or not ones httpdate takes): none for both.
    #[test]
    fn malformed_dates_refused_as_httpdate_refuses_them() {
        for s in [
            "",
            " ",
            "GMT",
            "soon",
            "1994-11-06T08:49:37Z",
            // Weekday names: unknown, wrong case, or not the date's.
            "Sux, 06 Nov 1994 08:49:37 GMT",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "SUN, 06 Nov 1994 08:49:37 GMT",
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Sun, 07 Nov 1994 08:49:37 GMT",
            "Sonday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Monday, 06-Nov-94 08:49:37 GMT",
            "Mon Nov  6 08:49:37 1994",
            "Sunday Nov  6 08:49:37 1994",
            // Months.
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 NOV 1994 08:49:37 GMT",
            "Sunday, 06-Foo-94 08:49:37 GMT",
            "Sun Foo  6 08:49:37 1994",
            // Days the month does not have.
            "Thu, 31 Apr 2025 12:00:00 GMT",
            "Fri, 31 Apr 2025 12:00:00 GMT",
            "Thu, 29 Feb 1900 00:00:00 GMT",
            "Mon, 29 Feb 2100 00:00:00 GMT",
            "Sat, 29 Feb 2025 00:00:00 GMT",
            "Sat, 30 Feb 2000 00:00:00 GMT",
            "Sat, 00 Jan 2000 00:00:00 GMT",
            "Sat, 32 Jan 2000 00:00:00 GMT",
            "Sat Jan  0 00:00:00 2000",
            "Sat Jan 00 00:00:00 2000",
            // Times of day.
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 23:60:00 GMT",
            "Sun, 06 Nov 1994 23:59:60 GMT",
            "Sat, 31 Dec 2016 23:59:60 GMT",
            "Sunday, 06-Nov-94 24:49:37 GMT",
            "Sun Nov  6 24:49:37 1994",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            // Years.
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Sat, 01 Jan 0000 00:00:00 GMT",
            "Sat, 01 Jan 10000 00:00:00 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 10 08:00:00 1000",
            // Zone and punctuation.
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun,06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37  GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 06-Nov-1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08.49.37 GMT",
            "Sun Nov 10 08*00:00 2000",
            "Sunday, 06-Nov-94 08+49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun Nov 6 08:49:37 1994",
            // Extra text.
            "Sun, 06 Nov 1994 08:49:37 GMTx",
            "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
            "xSun, 06 Nov 1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37 19945",
            // Not ASCII, anywhere.
            "Sun, 06 Nov 1994 08:49:37 G\u{e9}MT",
            "Sun, 06 Nov 1994 08:49:\u{e9}37 GMT",
            "\u{e9}Sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{a0}",
            "\u{a0}Sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, \u{ff10}6 Nov 1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994\u{2003}",
            "Sunday, 06-Nov-94 08:49:37 GMT\u{1f600}",
        ] {
            assert_eq!(agree(s), None, "{s:?}");
        }
    }

    /// What httpdate takes beyond the strict grammar, taken here too.
    #[test]
    fn lenient_cases_taken_as_httpdate_takes_them() {
        let t = Some(UNIX_EPOCH + Duration::from_secs(784_111_777));
        for s in [
            // Surrounding whitespace (`str::trim`: also \x0b and \x0c).
            " Sun, 06 Nov 1994 08:49:37 GMT ",
            "\t\r\n\x0b\x0cSun, 06 Nov 1994 08:49:37 GMT\x0c\x0b\n\r\t",
            "  Sunday, 06-Nov-94 08:49:37 GMT\n",
            " Sun Nov  6 08:49:37 1994 ",
            // asctime with a zero-padded day.
            "Sun Nov 06 08:49:37 1994",
            // RFC 850: httpdate does not check the byte between year and hour. RFC 9110 wants a
            // space there; kept, to agree with httpdate.
            "Sunday, 06-Nov-94T08:49:37 GMT",
            "Sunday, 06-Nov-94x08:49:37 GMT",
            "Sunday, 06-Nov-94:08:49:37 GMT",
        ] {
            assert_eq!(agree(s), t, "{s:?}");
        }
        // Two-digit years: 69 is 2069, 70 is 1970.
        assert_eq!(agree("Thursday, 01-Jan-70 00:00:00 GMT"), Some(UNIX_EPOCH));
        assert_eq!(
            agree("Tuesday, 31-Dec-69 23:59:59 GMT"),
            agree("Tue, 31 Dec 2069 23:59:59 GMT")
        );
        assert!(agree("Tuesday, 31-Dec-69 23:59:59 GMT").is_some());
        assert_eq!(agree("Wednesday, 31-Dec-69 23:59:59 GMT"), None);
    }

    /// Every prefix and every suffix of valid dates in the three formats.
    #[test]
    fn truncated_dates_agree_with_httpdate() {
        for secs in [0, 784_111_777, 951_782_400, 4_107_542_399, LAST] {
            let (imf, rfc850, asctime) = three_formats(secs);
            for s in [imf, rfc850, asctime] {
                for i in 0..s.len() {
                    assert_eq!(agree(&s[..i]), None, "{:?}", &s[..i]);
                    agree(&s[i..]);
                }
            }
        }
    }

    /// Each byte of valid dates replaced, removed or doubled, and bytes inserted everywhere.
    #[test]
    fn mutated_dates_agree_with_httpdate() {
        let replacements: &[u8] = b"0123456789 \t,-:aAzZGMTSunNovJ.+\x0b\x00\xff";
        for secs in [0, 784_111_777, 951_782_400, 1_700_000_000, LAST] {
            let (imf, rfc850, asctime) = three_formats(secs);
            for s in [imf, rfc850, asctime] {
                let bytes = s.as_bytes();
                for i in 0..=bytes.len() {
                    for &r in replacements {
                        if i < bytes.len() {
                            let mut b = bytes.to_vec();
                            b[i] = r;
                            agree(&String::from_utf8_lossy(&b));
                        }
                        let mut b = bytes.to_vec();
                        b.insert(i, r);
                        agree(&String::from_utf8_lossy(&b));
                    }
                    if i < bytes.len() {
                        let mut b = bytes.to_vec();
                        b.remove(i);
                        agree(&String::from_utf8_lossy(&b));
                        b.insert(i, bytes[i]);
                        b.insert(i, bytes[i]);
                        agree(&String::from_utf8_lossy(&b));
                    }
                }
            }
        }
    }

    /// Deterministic pseudo-random dates made of plausible pieces (any weekday with any day of
    /// any month, out-of-range numbers, stray bytes), in the three layouts.
    #[test]
    fn random_dates_agree_with_httpdate() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) % n
        };
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            "Foo", "feb",
        ];
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Sux"];
        let long_days = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "Sunday ",
        ];
        let mut accepted = 0;
        for _ in 0..300_000 {
            let wd = next(days.len() as u64) as usize;
            let mon = months[next(months.len() as u64) as usize];
            let day = if next(4) == 0 {
                next(100)
            } else {
                1 + next(31)
            };
            let (h, m, s) = (next(26), next(62), next(62));
            let year = match next(4) {
                0 => next(10_000),
                1 => 1960 + next(20),
                2 => [1900, 2000, 2100, 2400, 9999][next(5) as usize],
                _ => 1970 + next(8030),
            };
            let text = match next(3) {
                0 => format!(
                    "{}, {day:02} {mon} {year:04} {h:02}:{m:02}:{s:02} GMT",
                    days[wd]
                ),
                1 => format!(
                    "{}, {day:02}-{mon}-{:02} {h:02}:{m:02}:{s:02} GMT",
                    long_days[wd],
                    year % 100
                ),
                _ => format!("{} {mon} {day:>2} {h:02}:{m:02}:{s:02} {year:04}", days[wd]),
            };
            let mut bytes = text.into_bytes();
            if next(8) == 0 {
                let i = next(bytes.len() as u64) as usize;
                bytes[i] = b" 0:-,GMT\xff"[next(9) as usize];
            }
            if agree(&String::from_utf8_lossy(&bytes)).is_some() {
                accepted += 1;
            }
        }
        // Enough of them real dates with their own weekday to test the calendar checks.
        assert!(accepted > 10_000, "{accepted}");
    }
}
