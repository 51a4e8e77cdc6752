//! What became of a request sent to a backend, and what that changes in the backend's state.

use std::time::{Duration, Instant};

use super::backend::{BackendState, RateLimitRemaining};

/// What a backend answered, reported to [`Pool::record`](super::Pool::record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The backend answered with anything but a 429 or a 5xx (a 400 is the request's fault, not
    /// the backend's), with the `x-ratelimit-remaining-*` counters it sent.
    Success {
        /// The counters of the answer.
        remaining: RateLimitRemaining,
    },
    /// The backend answered 429: it cools down for `retry_after` (`retry-after-ms`,
    /// `retry-after` or the message), or the pool's default cool-down when it said nothing.
    RateLimited {
        /// How long the backend asked to wait.
        retry_after: Option<Duration>,
    },
    /// The backend answered with a 5xx: a failure for its circuit.
    ServerError,
    /// The connection failed or broke before an answer: a failure for its circuit.
    ConnectionError,
    /// The request was dropped before an answer (the caller gave up): nothing is learnt about
    /// the backend, but a probe in flight is released so another request can probe.
    Cancelled,
}

impl BackendState {
    /// Applies `outcome`, seen at `now`; a 429 without a delay cools down for `default_cool_down`.
    pub(crate) fn record(&mut self, now: Instant, outcome: Outcome, default_cool_down: Duration) {
        match outcome {
            Outcome::Success { remaining } => {
                self.successes += 1;
                self.circuit.answered();
                if remaining != RateLimitRemaining::default() {
                    self.remaining = Some((now, remaining));
                }
            }
            Outcome::RateLimited { retry_after } => {
                self.rate_limited += 1;
                // The backend is up: a 429 is an answer, not a failure.
                self.circuit.answered();
                let until = super::instant_after(now, retry_after.unwrap_or(default_cool_down));
                // Concurrent 429s: the latest end wins.
                self.cool_down_until = Some(self.cool_down_until.map_or(until, |u| u.max(until)));
                self.remaining = Some((
                    now,
                    RateLimitRemaining {
                        requests: Some(0),
                        tokens: None,
                    },
                ));
            }
            Outcome::ServerError | Outcome::ConnectionError => {
                self.failures += 1;
                self.circuit.failed(now);
            }
            Outcome::Cancelled => {
                self.cancelled += 1;
                self.circuit.cancelled();
            }
        }
    }
}
