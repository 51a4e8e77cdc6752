//! The circuit breaker of one backend: a few consecutive 5xx answers or connection failures open
//! it for a pause; after the pause one probe request goes through; its success closes the
//! circuit, its failure opens it again for twice the pause (up to a maximum).

use std::time::{Duration, Instant};

/// Consecutive failures that open a circuit, by default.
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 3;
/// How long a circuit stays open the first time, by default.
pub const DEFAULT_PAUSE: Duration = Duration::from_secs(10);
/// The longest a circuit stays open (after doubling), by default.
pub const DEFAULT_MAX_PAUSE: Duration = Duration::from_secs(300);

/// When a backend's circuit opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitConfig {
    pub(crate) failure_threshold: u32,
    pub(crate) pause: Duration,
    pub(crate) max_pause: Duration,
}

impl Default for CircuitConfig {
    fn default() -> Self {
        CircuitConfig {
            failure_threshold: DEFAULT_FAILURE_THRESHOLD,
            pause: DEFAULT_PAUSE,
            max_pause: DEFAULT_MAX_PAUSE,
        }
    }
}

impl CircuitConfig {
    /// Consecutive 5xx answers or connection failures that open the circuit (at least 1; 0 is
    /// refused by [`Pool::new`](crate::routing::Pool::new)).
    pub fn failure_threshold(mut self, failures: u32) -> Self {
        self.failure_threshold = failures;
        self
    }

    /// How long the circuit stays open the first time, before its probe.
    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// The longest pause: each failed probe doubles the pause up to this.
    pub fn max_pause(mut self, pause: Duration) -> Self {
        self.max_pause = pause;
        self
    }
}

/// The state of a backend's circuit, as seen at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Requests flow.
    Closed,
    /// No request goes to the backend until this instant.
    Open {
        /// When the next request may go, as the probe.
        until: Instant,
    },
    /// The pause is over: one request goes as the probe, the others wait for its answer.
    HalfOpen {
        /// Whether the probe has been sent and its answer is awaited.
        probe_in_flight: bool,
    },
}

/// Whether a circuit lets a request through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Yes (as the probe if the circuit is half-open).
    Yes,
    /// Not before this instant.
    NotBefore(Instant),
    /// Not until the probe in flight is answered.
    AfterProbe,
}

/// One backend's circuit.
#[derive(Debug, Clone)]
pub(crate) struct Circuit {
    config: CircuitConfig,
    state: CircuitState,
    consecutive_failures: u32,
    /// The pause the circuit opens for next (doubled by each failed probe).
    pause: Duration,
}

impl Circuit {
    pub(crate) fn new(config: CircuitConfig) -> Self {
        Circuit {
            config,
            state: CircuitState::Closed,
            consecutive_failures: 0,
            pause: config.pause,
        }
    }

    /// The state at `now`: an open circuit whose pause is over reads as half-open.
    pub(crate) fn state(&self, now: Instant) -> CircuitState {
        match self.state {
            CircuitState::Open { until } if now >= until => CircuitState::HalfOpen {
                probe_in_flight: false,
            },
            state => state,
        }
    }

    pub(crate) fn admission(&self, now: Instant) -> Admission {
        match self.state(now) {
            CircuitState::Closed
            | CircuitState::HalfOpen {
                probe_in_flight: false,
            } => Admission::Yes,
            CircuitState::Open { until } => Admission::NotBefore(until),
            CircuitState::HalfOpen {
                probe_in_flight: true,
            } => Admission::AfterProbe,
        }
    }

    /// A request was sent: past the pause, it is the probe.
    pub(crate) fn dispatched(&mut self, now: Instant) {
        if let CircuitState::HalfOpen { .. } = self.state(now) {
            self.state = CircuitState::HalfOpen {
                probe_in_flight: true,
            };
        }
    }

    /// The backend answered (a success, or a 429: it is up): the circuit closes.
    pub(crate) fn answered(&mut self) {
        self.state = CircuitState::Closed;
        self.consecutive_failures = 0;
        self.pause = self.config.pause;
    }

    /// A 5xx answer or a connection failure.
    pub(crate) fn failed(&mut self, now: Instant) {
        match self.state(now) {
            CircuitState::Closed => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                if self.consecutive_failures >= self.config.failure_threshold {
                    self.open(now);
                }
            }
            CircuitState::HalfOpen { .. } => {
                self.pause = self.pause.saturating_mul(2).min(self.config.max_pause);
                self.open(now);
            }
            // A request sent before the circuit opened failed too: nothing new.
            CircuitState::Open { .. } => {}
        }
    }

    /// A request ended with no answer (dropped by the caller): a probe in flight is released, so
    /// the next request probes instead.
    pub(crate) fn cancelled(&mut self) {
        if let CircuitState::HalfOpen {
            probe_in_flight: true,
        } = self.state
        {
            self.state = CircuitState::HalfOpen {
                probe_in_flight: false,
            };
        }
    }

    fn open(&mut self, now: Instant) {
        self.state = CircuitState::Open {
            until: super::instant_after(now, self.pause),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn opens_after_n_failures_and_recovers_through_one_probe() {
        let t0 = Instant::now();
        let mut c = Circuit::new(CircuitConfig::default().failure_threshold(3).pause(10 * S));
        c.failed(t0);
        c.failed(t0);
        assert_eq!(c.admission(t0), Admission::Yes);
        c.failed(t0);
        assert_eq!(c.admission(t0 + 9 * S), Admission::NotBefore(t0 + 10 * S));
        // The pause is over: one probe goes, the next waits for its answer.
        assert_eq!(c.admission(t0 + 10 * S), Admission::Yes);
        c.dispatched(t0 + 10 * S);
        assert_eq!(c.admission(t0 + 10 * S), Admission::AfterProbe);
        c.answered();
        assert_eq!(c.state(t0 + 10 * S), CircuitState::Closed);
    }

    #[test]
    fn a_failed_probe_doubles_the_pause_up_to_the_max() {
        let t0 = Instant::now();
        let config = CircuitConfig::default()
            .failure_threshold(1)
            .pause(10 * S)
            .max_pause(30 * S);
        let mut c = Circuit::new(config);
        c.failed(t0);
        let mut now = t0;
        for pause in [20, 30, 30] {
            now += 30 * S;
            c.dispatched(now);
            c.failed(now);
            assert_eq!(
                c.state(now),
                CircuitState::Open {
                    until: now + pause * S
                }
            );
        }
        // Success resets the pause.
        now += 30 * S;
        c.dispatched(now);
        c.answered();
        c.failed(now);
        assert_eq!(
            c.state(now),
            CircuitState::Open {
                until: now + 10 * S
            }
        );
    }

    #[test]
    fn answers_break_a_run_of_failures_and_a_cancelled_probe_is_released() {
        let t0 = Instant::now();
        let mut c = Circuit::new(CircuitConfig::default().failure_threshold(2));
        c.failed(t0);
        c.answered();
        c.failed(t0);
        assert_eq!(c.state(t0), CircuitState::Closed);
        c.failed(t0);
        let after = t0 + DEFAULT_PAUSE;
        c.dispatched(after);
        assert_eq!(c.admission(after), Admission::AfterProbe);
        c.cancelled();
        assert_eq!(c.admission(after), Admission::Yes);
    }
}
