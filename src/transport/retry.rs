//! When to retry and how long to wait: the retry policy, the service's retry hints, and the
//! retry budget a client shares between its requests.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Retries made after a failed first attempt unless configured otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The first backoff delay.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff delay.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest delay asked for by the service that the client will sleep on.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How failed requests are retried.
///
/// Requests that failed with a connection error, a timeout, or the status 408, 409, 429, 500,
/// 502, 503 or 504 are sent again, at most [`max_retries`](RetryPolicy::max_retries) times. Between
/// attempts the client waits for the delay the service asked for (`retry-after-ms`,
/// `x-ms-retry-after-ms`, `retry-after`, or "Please retry after N seconds" in a 429 message), else
/// for an exponential backoff from `initial_backoff` up to `max_backoff`, reduced by up to a
/// quarter at random (jitter). A service delay longer than
/// [`max_retry_after`](RetryPolicy::max_retry_after) is not slept on: the error is returned at
/// once and carries the delay ([`Error::retry_after`]). A response header `x-should-retry:
/// true|false` overrides the decision made from the status; a content-filter rejection is never
/// retried.
///
/// ```
/// use azure_openai_audio::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default().max_retries(5).max_backoff(Duration::from_secs(4));
/// assert_eq!(policy.max_retries_ref(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter: bool,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            jitter: true,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times a failed request is sent again (default 2; 0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff delay (default 0.5 s); each further retry doubles it.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest backoff delay (default 8 s).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Whether backoff delays are reduced by a random part of up to 25 % (default true).
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest delay asked for by the service that is slept on (default 60 s). A longer one
    /// ends the request with an error carrying the delay.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// How many times a failed request is sent again.
    pub fn max_retries_ref(&self) -> u32 {
        self.max_retries
    }

    /// The longest delay asked for by the service that is slept on.
    pub fn max_retry_after_ref(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff before retry number `retry` (1 for the first retry), jitter included.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let base = self.backoff_without_jitter(retry);
        if self.jitter {
            base.mul_f64(1.0 - 0.25 * random_unit())
        } else {
            base
        }
    }

    fn backoff_without_jitter(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    /// Send the request again after this delay.
    RetryAfter(Duration),
    /// Return the error.
    Stop,
}

impl RetryPolicy {
    /// Decides whether the failure of attempt number `attempt` (1-based) is retried, and after what delay.
    /// A delay the service asked for above the cap stops the retries.
    pub(crate) fn decide(&self, error: &Error, attempt: u32) -> Decision {
        if attempt > self.max_retries || !should_retry(error) {
            return Decision::Stop;
        }
        match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => Decision::Stop,
            Some(asked) => Decision::RetryAfter(asked),
            None => Decision::RetryAfter(self.backoff(attempt)),
        }
    }
}

/// Whether an error is worth another attempt: the service's `x-should-retry` first, then the
/// kind and status. A content-filter rejection never is.
pub(crate) fn should_retry(error: &Error) -> bool {
    if error.is_content_filter() {
        return false;
    }
    if error.kind() == ErrorKind::Api {
        if let Some(verdict) = error.metadata().and_then(|m| m.should_retry) {
            return verdict;
        }
    }
    error.is_retryable()
}

/// Reads "Please retry after N seconds" (Azure OpenAI) or "Try again in N seconds" (an API
/// Management gateway's rate limit) from an error message.
pub(crate) fn retry_after_from_message(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let at = ["retry after ", "try again in "]
        .iter()
        .find_map(|phrase| lower.find(phrase).map(|at| at + phrase.len()))?;
    let rest = &lower[at..];
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let unit = rest[digits.len()..].trim_start();
    if !unit.starts_with("second") {
        return None;
    }
    crate::metadata::hint_seconds(digits.parse().ok()?)
}

/// A number in `[0, 1)`, different on every call; good enough for jitter, not for secrets.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The retry budget of a client: a token bucket shared by all its requests, as in the AWS SDKs'
/// standard retry mode, so that a failing service does not get a retry storm.
///
/// Each retry takes [`retry_cost`](RetryBudget::retry_cost) tokens
/// ([`timeout_retry_cost`](RetryBudget::timeout_retry_cost) after a timeout); when the bucket
/// does not hold enough, the error is returned without retrying. A request that succeeds after
/// retrying puts its tokens back; one that succeeds at once adds
/// [`success_refill`](RetryBudget::success_refill), up to the capacity. With the defaults (500
/// tokens, 5 per retry) a client stops retrying after about 100 retries that did not lead to a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    timeout_retry_cost: u32,
    success_refill: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }
    }
}

impl RetryBudget {
    /// How many tokens the bucket holds when full, and at the start (default 500).
    pub fn capacity(mut self, tokens: u32) -> Self {
        self.capacity = tokens;
        self
    }

    /// Tokens a retry takes (default 5).
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// Tokens a retry after a timeout takes (default 10).
    pub fn timeout_retry_cost(mut self, tokens: u32) -> Self {
        self.timeout_retry_cost = tokens;
        self
    }

    /// Tokens a request that succeeded without retrying puts in (default 1).
    pub fn success_refill(mut self, tokens: u32) -> Self {
        self.success_refill = tokens;
        self
    }
}

/// The shared state of a [`RetryBudget`].
#[derive(Debug)]
pub(crate) struct TokenBucket {
    config: RetryBudget,
    available: Mutex<u32>,
}

impl TokenBucket {
    pub(crate) fn new(config: RetryBudget) -> Self {
        TokenBucket {
            config,
            available: Mutex::new(config.capacity),
        }
    }

    /// Takes the tokens for a retry after `error`; returns how many were taken, or `None` when
    /// the budget is spent.
    pub(crate) fn acquire(&self, error: &Error) -> Option<u32> {
        let cost = if error.is_timeout() {
            self.config.timeout_retry_cost
        } else {
            self.config.retry_cost
        };
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        if *available < cost {
            return None;
        }
        *available -= cost;
        Some(cost)
    }

    /// After a success: puts back what the request's retries took, or the refill if it took none.
    pub(crate) fn succeeded(&self, taken: u32) {
        let refill = if taken > 0 {
            taken
        } else {
            self.config.success_refill
        };
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        *available = available.saturating_add(refill).min(self.config.capacity);
    }

    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.available.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::ResponseMetadata;

    fn api(status: u16, body: &str, headers: &[(&'static str, &str)]) -> Error {
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        Error::from_response(ResponseMetadata::from_headers(status, &h), body.as_bytes())
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_at_most_a_quarter_of_jitter() {
        let p = RetryPolicy::default().jitter(false);
        let secs: Vec<f64> = (1..=7).map(|n| p.backoff(n).as_secs_f64()).collect();
        assert_eq!(secs, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]);
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(8));
        let p = RetryPolicy::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d = p.backoff(2);
            assert!(
                d >= Duration::from_millis(750) && d <= Duration::from_secs(1),
                "{d:?}"
            );
            seen.insert(d);
        }
        assert!(seen.len() > 100, "jitter should vary: {}", seen.len());
    }

    #[test]
    fn reads_azure_retry_messages() {
        let m = "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2025-01-01-preview have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after 86400 seconds. Please go here: https://aka.ms/oai/quotaincrease";
        assert_eq!(
            retry_after_from_message(m),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(
            retry_after_from_message("Please retry after 1 second."),
            Some(Duration::from_secs(1))
        );
        assert_eq!(retry_after_from_message("Please retry after a while"), None);
        assert_eq!(retry_after_from_message("retry after 5 minutes"), None);
        assert_eq!(retry_after_from_message("slow down"), None);
        assert_eq!(
            retry_after_from_message("Rate limit is exceeded. Try again in 26 seconds."),
            Some(Duration::from_secs(26))
        );
        assert_eq!(
            retry_after_from_message("Please retry after 99999999999999999999999 seconds."),
            Some(crate::metadata::MAX_RETRY_HINT)
        );
    }

    #[test]
    fn decisions() {
        let p = RetryPolicy::default().jitter(false);
        assert_eq!(
            p.decide(&api(503, "", &[]), 1),
            Decision::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            p.decide(&api(503, "", &[]), 2),
            Decision::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(p.decide(&api(503, "", &[]), 3), Decision::Stop);
        for status in [400, 401, 403, 404, 422] {
            assert_eq!(
                p.decide(&api(status, "", &[]), 1),
                Decision::Stop,
                "{status}"
            );
        }
        for status in [408, 409, 429, 500, 502, 504] {
            assert!(
                matches!(p.decide(&api(status, "", &[]), 1), Decision::RetryAfter(_)),
                "{status}"
            );
        }
        assert_eq!(
            p.decide(&api(429, "", &[("retry-after", "7")]), 1),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        let body = r#"{"error":{"code":"429","message":"Please retry after 3 seconds."}}"#;
        assert_eq!(
            p.decide(&api(429, body, &[]), 1),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            p.decide(&api(429, "", &[("retry-after", "86400")]), 1),
            Decision::Stop
        );
        assert_eq!(
            p.decide(&api(503, "", &[("x-should-retry", "false")]), 1),
            Decision::Stop
        );
        assert!(matches!(
            p.decide(&api(400, "", &[("x-should-retry", "true")]), 1),
            Decision::RetryAfter(_)
        ));
        let filtered = r#"{"error":{"code":"content_filter","message":"filtered"}}"#;
        assert_eq!(
            p.decide(&api(400, filtered, &[("x-should-retry", "true")]), 1),
            Decision::Stop
        );
        assert_eq!(
            RetryPolicy::none().decide(&api(503, "", &[]), 1),
            Decision::Stop
        );
    }

    #[test]
    fn budget_takes_refunds_and_refills() {
        let bucket = TokenBucket::new(RetryBudget::default().capacity(20));
        let e503 = api(503, "", &[]);
        let timeout = Error::new(ErrorKind::Timeout, "t");
        assert_eq!(bucket.acquire(&e503), Some(5));
        assert_eq!(bucket.acquire(&timeout), Some(10));
        assert_eq!(bucket.available(), 5);
        assert_eq!(bucket.acquire(&timeout), None);
        assert_eq!(bucket.acquire(&e503), Some(5));
        assert_eq!(bucket.acquire(&e503), None);
        bucket.succeeded(15);
        assert_eq!(bucket.available(), 15);
        bucket.succeeded(0);
        assert_eq!(bucket.available(), 16);
        bucket.succeeded(100);
        assert_eq!(bucket.available(), 20);
    }
}
