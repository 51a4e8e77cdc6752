//! A backend (one deployment on one endpoint), its id in a pool, the state the pool keeps for it
//! and the read-only snapshot of that state an app can show.

use std::fmt;
use std::time::{Duration, Instant};

use url::Url;

use crate::credential::Credential;
use crate::metadata::ResponseMetadata;

use super::circuit::{Circuit, CircuitConfig, CircuitState};
use super::limit::{Limiter, Limits};

/// How long the `x-ratelimit-remaining-*` counters a backend sent are trusted: after that its
/// quota window has turned over.
pub(crate) const REMAINING_VALID_FOR: Duration = Duration::from_secs(60);

/// One deployment on one Azure OpenAI endpoint, as a member of a [`Pool`](super::Pool).
///
/// `Debug` shows the credential redacted, as [`Credential`]'s own `Debug` does.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Backend {
    /// The resource's endpoint, such as `https://my-resource.openai.azure.com/`.
    pub endpoint: Url,
    /// The deployment's name.
    pub deployment: String,
    /// Lower is preferred: a group of a higher number gets requests only when no backend of a
    /// lower number can take them (for example provisioned throughput at 0, pay-as-you-go at 1).
    pub priority: u32,
    /// The share of its priority group's requests (at least 1), before the remaining-requests
    /// counters the service sends are taken into account.
    pub weight: u32,
    /// Client-side limits (none by default).
    pub limits: Limits,
    /// The backend's own credential, for a resource the client's credential does not open
    /// (`None`: the client's).
    pub credential: Option<Credential>,
}

impl Backend {
    /// A backend of priority 0 and weight 1, with no client-side limits.
    pub fn new(endpoint: Url, deployment: impl Into<String>) -> Self {
        Backend {
            endpoint,
            deployment: deployment.into(),
            priority: 0,
            weight: 1,
            limits: Limits::default(),
            credential: None,
        }
    }

    /// Sets the priority (lower is preferred).
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the weight within the priority group.
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the client-side limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sends this backend's requests with `credential` instead of the client's (an API key of
    /// another resource, say). It is sent to this backend only.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }
}

/// A backend's place in its [`Pool`](super::Pool): the index of the backend in the list the pool
/// was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BackendId(pub(crate) usize);

impl BackendId {
    /// The index of the backend in the list the pool was built from.
    pub fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for BackendId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "backend {}", self.0)
    }
}

/// The `x-ratelimit-remaining-*` counters of an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitRemaining {
    /// `x-ratelimit-remaining-requests`.
    pub requests: Option<u64>,
    /// `x-ratelimit-remaining-tokens`.
    pub tokens: Option<u64>,
}

impl From<&ResponseMetadata> for RateLimitRemaining {
    /// The counters of a reply's headers.
    fn from(metadata: &ResponseMetadata) -> Self {
        RateLimitRemaining {
            requests: metadata.ratelimit_remaining_requests,
            tokens: metadata.ratelimit_remaining_tokens,
        }
    }
}

/// What a [`Pool`](super::Pool) knows about a backend at an instant (read-only).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackendSnapshot {
    /// The backend's id in its pool.
    pub id: BackendId,
    /// Requests sent to it.
    pub requests: u64,
    /// Requests it answered with success.
    pub successes: u64,
    /// Requests it answered with 429.
    pub rate_limited: u64,
    /// Requests it answered with a 5xx or that failed to connect.
    pub failures: u64,
    /// Requests sent and neither answered nor cancelled yet.
    pub in_flight: u64,
    /// The end of the cool-down a 429 asked for, if it has not passed.
    pub cooling_down_until: Option<Instant>,
    /// Its circuit.
    pub circuit: CircuitState,
    /// The counters of its last answer that had them (if not older than a minute).
    pub remaining: RateLimitRemaining,
}

/// The mutable state a pool keeps for one backend.
#[derive(Debug, Clone)]
pub(crate) struct BackendState {
    pub(crate) requests: u64,
    pub(crate) successes: u64,
    pub(crate) rate_limited: u64,
    pub(crate) failures: u64,
    pub(crate) cancelled: u64,
    pub(crate) cool_down_until: Option<Instant>,
    pub(crate) circuit: Circuit,
    pub(crate) limiter: Limiter,
    /// The last counters seen, and when.
    pub(crate) remaining: Option<(Instant, RateLimitRemaining)>,
}

impl BackendState {
    pub(crate) fn new(limits: Limits, circuit: CircuitConfig) -> Self {
        BackendState {
            requests: 0,
            successes: 0,
            rate_limited: 0,
            failures: 0,
            cancelled: 0,
            cool_down_until: None,
            circuit: Circuit::new(circuit),
            limiter: Limiter::new(limits),
            remaining: None,
        }
    }

    /// The end of the cool-down, if it has not passed at `now`.
    pub(crate) fn cooling_down_until(&self, now: Instant) -> Option<Instant> {
        self.cool_down_until.filter(|until| *until > now)
    }

    /// The last counters, if not older than [`REMAINING_VALID_FOR`] at `now`.
    pub(crate) fn remaining(&self, now: Instant) -> RateLimitRemaining {
        match self.remaining {
            Some((seen, remaining))
                if now.saturating_duration_since(seen) < REMAINING_VALID_FOR =>
            {
                remaining
            }
            _ => RateLimitRemaining::default(),
        }
    }

    pub(crate) fn snapshot(&self, id: BackendId, now: Instant) -> BackendSnapshot {
        let answered = self.successes + self.rate_limited + self.failures + self.cancelled;
        BackendSnapshot {
            id,
            requests: self.requests,
            successes: self.successes,
            rate_limited: self.rate_limited,
            failures: self.failures,
            in_flight: self.requests.saturating_sub(answered),
            cooling_down_until: self.cooling_down_until(now),
            circuit: self.circuit.state(now),
            remaining: self.remaining(now),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn the_counters_come_from_a_replys_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-remaining-requests",
            HeaderValue::from_static("9"),
        );
        headers.insert(
            "x-ratelimit-remaining-tokens",
            HeaderValue::from_static("9325"),
        );
        let metadata = ResponseMetadata::from_headers(200, &headers);
        assert_eq!(
            RateLimitRemaining::from(&metadata),
            RateLimitRemaining {
                requests: Some(9),
                tokens: Some(9325)
            }
        );
    }
}
