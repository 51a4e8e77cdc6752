//! The parser held side by side with the `httpdate` crate.

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
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo",
        "feb",
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
