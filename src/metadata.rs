//! What the response headers say: request ids, region, rate-limit counters, retry hints.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Facts about one HTTP response, read from its status and headers.
///
/// Every successful reply carries one (`reply.metadata`), and so does every [`crate::Error`]
/// that came from a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMetadata {
    /// The HTTP status code.
    pub status: u16,
    /// `x-request-id`.
    pub x_request_id: Option<String>,
    /// `apim-request-id` (Azure API Management).
    pub apim_request_id: Option<String>,
    /// `x-ms-client-request-id`, echoed back.
    pub client_request_id: Option<String>,
    /// `x-ms-region`, e.g. `Sweden Central`.
    pub region: Option<String>,
    /// `x-ms-deployment-name`.
    pub deployment: Option<String>,
    /// `x-ratelimit-remaining-requests`.
    pub ratelimit_remaining_requests: Option<u64>,
    /// `x-ratelimit-remaining-tokens`.
    pub ratelimit_remaining_tokens: Option<u64>,
    /// `x-ratelimit-limit-requests`.
    pub ratelimit_limit_requests: Option<u64>,
    /// `x-ratelimit-limit-tokens`.
    pub ratelimit_limit_tokens: Option<u64>,
    /// The delay the service asked for (`retry-after-ms`, `x-ms-retry-after-ms` or `retry-after`).
    pub retry_after: Option<Duration>,
    /// `x-should-retry`, when present.
    pub should_retry: Option<bool>,
}

impl ResponseMetadata {
    pub(crate) fn from_headers(status: u16, headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let number = |name: &str| text(name).and_then(|s| s.parse::<u64>().ok());
        ResponseMetadata {
            status,
            x_request_id: text("x-request-id"),
            apim_request_id: text("apim-request-id"),
            client_request_id: text("x-ms-client-request-id"),
            region: text("x-ms-region"),
            deployment: text("x-ms-deployment-name"),
            ratelimit_remaining_requests: number("x-ratelimit-remaining-requests"),
            ratelimit_remaining_tokens: number("x-ratelimit-remaining-tokens"),
            ratelimit_limit_requests: number("x-ratelimit-limit-requests"),
            ratelimit_limit_tokens: number("x-ratelimit-limit-tokens"),
            retry_after: retry_after_from_headers(headers, SystemTime::now()),
            should_retry: text("x-should-retry").and_then(|s| match s.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }),
        }
    }

    /// The id to quote to Azure support: `x-request-id`, else `apim-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.x_request_id
            .as_deref()
            .or(self.apim_request_id.as_deref())
    }

    /// The delay the service asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// Reads the retry hint headers in order of precision: `retry-after-ms`, `x-ms-retry-after-ms`,
/// then `retry-after` (delta-seconds or an HTTP date).
pub(crate) fn retry_after_from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(delay) = text(name)
            .and_then(|s| s.parse::<f64>().ok())
            .and_then(|ms| hint_seconds(ms / 1000.0))
        {
            return Some(delay);
        }
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return hint_seconds(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The longest delay a retry hint is taken to ask for: larger numbers (`retry-after: 1e20`)
/// are read as this, so that adding the delay to an `Instant` cannot overflow.
pub const MAX_RETRY_HINT: Duration = Duration::from_secs(u32::MAX as u64);

/// A retry hint in seconds as a `Duration`: `None` when negative or not a number, at most
/// [`MAX_RETRY_HINT`]. Never panics, whatever the service sent.
pub(crate) fn hint_seconds(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).map_or(MAX_RETRY_HINT, |d| d.min(MAX_RETRY_HINT)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_precedence() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let h = headers(&[
            ("retry-after-ms", "1500"),
            ("x-ms-retry-after-ms", "9"),
            ("retry-after", "20"),
        ]);
        assert_eq!(
            retry_after_from_headers(&h, now),
            Some(Duration::from_millis(1500))
        );
        let h = headers(&[("x-ms-retry-after-ms", "250"), ("retry-after", "20")]);
        assert_eq!(
            retry_after_from_headers(&h, now),
            Some(Duration::from_millis(250))
        );
        let h = headers(&[("retry-after", "20")]);
        assert_eq!(
            retry_after_from_headers(&h, now),
            Some(Duration::from_secs(20))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let h = headers(&[("retry-after", &date)]);
        assert_eq!(
            retry_after_from_headers(&h, now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "soon")]), now),
            None
        );
    }

    #[test]
    fn retry_after_reads_the_three_http_date_formats() {
        // RFC 9110 §5.6.7's example instant, in IMF-fixdate and the two obsolete formats.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777 - 90);
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT  ",
        ] {
            assert_eq!(
                retry_after_from_headers(&headers(&[("retry-after", date)]), now),
                Some(Duration::from_secs(90)),
                "{date:?}"
            );
        }
        // A date in the past asks for no delay; a weekday that is not the date's is no date.
        let later = now + Duration::from_secs(3600);
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]);
        assert_eq!(retry_after_from_headers(&h, later), Some(Duration::ZERO));
        for bad in [
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
        ] {
            assert_eq!(
                retry_after_from_headers(&headers(&[("retry-after", bad)]), now),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn absurd_hints_are_capped_not_a_panic() {
        let now = SystemTime::UNIX_EPOCH;
        for (name, value) in [
            ("retry-after", "1e20"),
            ("retry-after", "inf"),
            ("retry-after-ms", "1e300"),
            (
                "x-ms-retry-after-ms",
                "179769313486231570000000000000000000000",
            ),
        ] {
            assert_eq!(
                retry_after_from_headers(&headers(&[(name, value)]), now),
                Some(MAX_RETRY_HINT),
                "{name}: {value}"
            );
        }
        for value in ["-1", "NaN", "-inf"] {
            assert_eq!(
                retry_after_from_headers(&headers(&[("retry-after", value)]), now),
                None
            );
        }
        // A 200 carrying such a header still gives its metadata.
        let m = ResponseMetadata::from_headers(200, &headers(&[("retry-after", "1e20")]));
        assert_eq!(m.retry_after(), Some(MAX_RETRY_HINT));
    }

    #[test]
    fn reads_recorded_headers() {
        let h = headers(&[
            ("X-Request-ID", "86a113c2"),
            ("apim-request-id", "a0456c63"),
            ("x-ms-region", "Sweden Central"),
            ("x-ratelimit-remaining-requests", "9"),
            ("x-ratelimit-remaining-tokens", "9325"),
        ]);
        let m = ResponseMetadata::from_headers(200, &h);
        assert_eq!(m.request_id(), Some("86a113c2"));
        assert_eq!(m.region.as_deref(), Some("Sweden Central"));
        assert_eq!(m.ratelimit_remaining_tokens, Some(9325));
    }
}
