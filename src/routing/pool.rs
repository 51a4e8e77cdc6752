//! The pool: the backends, their state and the routing configuration.

use std::time::{Duration, Instant};

use super::backend::{Backend, BackendId, BackendSnapshot, BackendState};
use super::circuit::CircuitConfig;
use super::outcome::Outcome;
use crate::error::{Error, Result};

/// How long a backend cools down after a 429 that named no delay, by default.
pub const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(1);

/// The pool's settings shared by every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingConfig {
    pub(crate) circuit: CircuitConfig,
    pub(crate) default_cool_down: Duration,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            circuit: CircuitConfig::default(),
            default_cool_down: DEFAULT_COOL_DOWN,
        }
    }
}

impl RoutingConfig {
    /// The circuit breaker's settings.
    pub fn circuit(mut self, circuit: CircuitConfig) -> Self {
        self.circuit = circuit;
        self
    }

    /// How long a backend cools down after a 429 that named no delay.
    pub fn default_cool_down(mut self, cool_down: Duration) -> Self {
        self.default_cool_down = cool_down;
        self
    }
}

/// Backends and what is known about each: where requests go ([`select`](Pool::select)) and what
/// they met ([`record`](Pool::record)). Every call takes the current instant; nothing sleeps.
#[derive(Debug, Clone)]
pub struct Pool {
    pub(crate) backends: Vec<Backend>,
    pub(crate) states: Vec<BackendState>,
    pub(crate) config: RoutingConfig,
    /// The smooth weighted round-robin's running weights, one per backend.
    pub(crate) current: Vec<i128>,
}

impl Pool {
    /// A pool of `backends` (their ids are their indexes in this list).
    ///
    /// Refused with a [`Config`](crate::ErrorKind::Config) error naming the backend and the value:
    /// no backend, a weight of 0, a limit of 0, a circuit failure threshold of 0.
    pub fn new(backends: impl IntoIterator<Item = Backend>, config: RoutingConfig) -> Result<Pool> {
        let backends: Vec<Backend> = backends.into_iter().collect();
        if backends.is_empty() {
            return Err(Error::config("a routing pool needs at least one backend"));
        }
        if config.circuit.failure_threshold == 0 {
            return Err(Error::config(
                "circuit failure_threshold is 0; it must be at least 1",
            ));
        }
        for (index, backend) in backends.iter().enumerate() {
            let zero = if backend.weight == 0 {
                Some("weight")
            } else if backend.limits.requests_per_minute == Some(0) {
                Some("requests_per_minute")
            } else if backend.limits.tokens_per_minute == Some(0) {
                Some("tokens_per_minute")
            } else {
                None
            };
            if let Some(setting) = zero {
                return Err(Error::config(format!(
                    "backend {index} (deployment {:?}): {setting} is 0; it must be at least 1",
                    backend.deployment
                )));
            }
        }
        let states = backends
            .iter()
            .map(|b| BackendState::new(b.limits, config.circuit))
            .collect();
        let current = vec![0; backends.len()];
        Ok(Pool {
            backends,
            states,
            config,
            current,
        })
    }

    /// The backends, in the order given (a backend's [`BackendId::index`] is its place here).
    pub fn backends(&self) -> &[Backend] {
        &self.backends
    }

    /// The backend of `id`.
    pub fn backend(&self, id: BackendId) -> Option<&Backend> {
        self.backends.get(id.0)
    }

    /// Records what the request sent to `id` met, seen at `now` (an id of another pool is
    /// ignored).
    pub fn record(&mut self, now: Instant, id: BackendId, outcome: Outcome) {
        if let Some(state) = self.states.get_mut(id.0) {
            state.record(now, outcome, self.config.default_cool_down);
        }
    }

    /// What is known about `id` at `now`.
    pub fn snapshot(&self, id: BackendId, now: Instant) -> Option<BackendSnapshot> {
        self.states.get(id.0).map(|s| s.snapshot(id, now))
    }

    /// What is known about every backend at `now`, in the pool's order.
    pub fn snapshots(&self, now: Instant) -> Vec<BackendSnapshot> {
        self.states
            .iter()
            .enumerate()
            .map(|(i, s)| s.snapshot(BackendId(i), now))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Limits;
    use crate::ErrorKind;

    fn backend(name: &str) -> Backend {
        Backend::new(
            url::Url::parse("https://r.openai.azure.com/").unwrap(),
            name,
        )
    }

    #[test]
    fn bad_settings_are_refused_by_name() {
        let config = RoutingConfig::default();
        let err = Pool::new([], config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("at least one backend"), "{err}");
        let err = Pool::new([backend("a"), backend("b").weight(0)], config).unwrap_err();
        assert!(
            err.to_string()
                .contains("backend 1 (deployment \"b\"): weight is 0"),
            "{err}"
        );
        let limits = Limits::new().tokens_per_minute(0);
        let err = Pool::new([backend("a").limits(limits)], config).unwrap_err();
        assert!(err.to_string().contains("tokens_per_minute is 0"), "{err}");
        let circuit = CircuitConfig::default().failure_threshold(0);
        let err = Pool::new([backend("a")], config.circuit(circuit)).unwrap_err();
        assert!(err.to_string().contains("failure_threshold is 0"), "{err}");
    }
}
