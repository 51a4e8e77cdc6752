//! The choice of the backend that takes a request: the most preferred priority group with a
//! backend that can take it now (not cooling down, circuit not open, within its limits); within
//! the group, a smooth weighted round-robin over the backends' weights, each scaled by the
//! requests the backend said it has left. Deterministic: the same calls give the same choices.

use std::time::Instant;

use super::backend::BackendId;
use super::circuit::Admission;
use super::limit::LimitRefusal;
use super::pool::Pool;

/// The remaining-requests counter is capped at this when it scales a weight.
const REMAINING_CAP: u64 = 1_000_000;

/// Why [`Pool::select`] found no backend for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBackend {
    /// Every backend is cooling down, open or at its limits: the first can take the request at
    /// this instant (the caller waits, up to its `max_retry_after`, or fails with the last 429).
    WaitUntil(Instant),
    /// The only backends that could take the request wait for their circuit's probe to be
    /// answered: select again after the next [`record`](Pool::record).
    WaitForProbe,
    /// The request is larger than every backend's tokens-per-minute limit: it never fits.
    TooLarge {
        /// The request's tokens.
        tokens: u64,
        /// The largest tokens-per-minute limit of the pool.
        largest_tokens_per_minute: u32,
    },
}

/// Whether one backend can take a request at an instant.
enum Availability {
    Now,
    NotBefore(Instant),
    AfterProbe,
    TooLarge(u32),
}

impl Pool {
    /// The backend that takes a request of `tokens` (0 when its size is unknown) at `now`; the
    /// request is counted as sent to it (requests, limits, the circuit's probe). Report its
    /// answer with [`record`](Pool::record).
    pub fn select(&mut self, now: Instant, tokens: u64) -> Result<BackendId, NoBackend> {
        let mut priorities: Vec<u32> = self.backends.iter().map(|b| b.priority).collect();
        priorities.sort_unstable();
        priorities.dedup();

        let mut earliest: Option<Instant> = None;
        let mut waits_for_probe = false;
        let mut largest_tpm: Option<u32> = None;
        for priority in priorities {
            let mut candidates = Vec::new();
            for index in 0..self.backends.len() {
                if self.backends.get(index).map(|b| b.priority) != Some(priority) {
                    continue;
                }
                match self.availability(index, now, tokens) {
                    Availability::Now => candidates.push(index),
                    Availability::NotBefore(at) => {
                        earliest = Some(earliest.map_or(at, |e| e.min(at)));
                    }
                    Availability::AfterProbe => waits_for_probe = true,
                    Availability::TooLarge(tpm) => {
                        largest_tpm = Some(largest_tpm.map_or(tpm, |l| l.max(tpm)));
                    }
                }
            }
            if let Some(index) = self.spread(&candidates, now) {
                self.dispatch(index, now, tokens);
                return Ok(BackendId(index));
            }
        }
        match (earliest, waits_for_probe, largest_tpm) {
            (Some(at), _, _) => Err(NoBackend::WaitUntil(at)),
            (None, true, _) => Err(NoBackend::WaitForProbe),
            (None, false, Some(tpm)) => Err(NoBackend::TooLarge {
                tokens,
                largest_tokens_per_minute: tpm,
            }),
            // Unreachable: a backend that is neither available nor blocked does not exist; the
            // answer that keeps a caller safe is to wait for an outcome.
            (None, false, None) => Err(NoBackend::WaitForProbe),
        }
    }

    /// Whether a backend other than `except` could take a request of `tokens` at `now` (nothing
    /// is counted): a request that just failed on `except` then moves at once instead of
    /// backing off.
    pub(crate) fn another_can_take(
        &mut self,
        now: Instant,
        tokens: u64,
        except: BackendId,
    ) -> bool {
        (0..self.backends.len())
            .filter(|&index| index != except.0)
            .any(|index| matches!(self.availability(index, now, tokens), Availability::Now))
    }

    fn availability(&mut self, index: usize, now: Instant, tokens: u64) -> Availability {
        let Some(state) = self.states.get_mut(index) else {
            return Availability::AfterProbe;
        };
        let mut not_before = state.cooling_down_until(now);
        let mut later = |at: Instant| not_before = Some(not_before.map_or(at, |n| n.max(at)));
        match state.limiter.check(now, tokens) {
            Ok(()) => {}
            Err(LimitRefusal::Wait(wait)) => later(super::instant_after(now, wait)),
            Err(LimitRefusal::TooLarge {
                tokens_per_minute, ..
            }) => return Availability::TooLarge(tokens_per_minute),
        }
        match state.circuit.admission(now) {
            Admission::Yes => {}
            Admission::NotBefore(at) => later(at),
            Admission::AfterProbe => return Availability::AfterProbe,
        }
        match not_before {
            Some(at) => Availability::NotBefore(at),
            None => Availability::Now,
        }
    }

    /// Picks among `candidates` by smooth weighted round-robin; each weight is scaled by the
    /// requests the backend has left when the group's counters are known (a backend with no
    /// counter is taken to have as many as the best one of the group).
    fn spread(&mut self, candidates: &[usize], now: Instant) -> Option<usize> {
        let remaining: Vec<Option<u64>> = candidates
            .iter()
            .map(|&i| {
                self.states
                    .get(i)
                    .and_then(|s| s.remaining(now).requests)
                    .map(|r| r.min(REMAINING_CAP))
            })
            .collect();
        let best_known = remaining.iter().flatten().copied().max();
        let weight = |i: usize| self.backends.get(i).map_or(1, |b| u64::from(b.weight));
        let mut effective: Vec<u64> = candidates
            .iter()
            .zip(&remaining)
            .map(|(&i, r)| match best_known {
                Some(best) => weight(i) * r.unwrap_or(best),
                None => weight(i),
            })
            .collect();
        if effective.iter().all(|&w| w == 0) {
            // Every counter says 0: they may be stale; fall back to the weights.
            effective = candidates.iter().map(|&i| weight(i)).collect();
        }
        let total: i128 = effective.iter().map(|&w| i128::from(w)).sum();
        let mut chosen: Option<(usize, i128)> = None;
        for (&index, &w) in candidates.iter().zip(&effective) {
            let Some(current) = self.current.get_mut(index) else {
                continue;
            };
            *current += i128::from(w);
            if chosen.is_none_or(|(_, best)| *current > best) {
                chosen = Some((index, *current));
            }
        }
        let (index, _) = chosen?;
        if let Some(current) = self.current.get_mut(index) {
            *current -= total;
        }
        Some(index)
    }

    fn dispatch(&mut self, index: usize, now: Instant, tokens: u64) {
        let Some(state) = self.states.get_mut(index) else {
            return;
        };
        state.requests += 1;
        state.circuit.dispatched(now);
        // Checked by `availability` at the same instant: this takes it.
        let _taken = state.limiter.try_acquire(now, tokens);
        // Until the answer brings fresh counters, this request has used one of them.
        if let Some((_, remaining)) = state.remaining.as_mut() {
            remaining.requests = remaining.requests.map(|r| r.saturating_sub(1));
            remaining.tokens = remaining.tokens.map(|t| t.saturating_sub(tokens));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::routing::{
        Backend, CircuitConfig, CircuitState, Limits, Outcome, RateLimitRemaining, RoutingConfig,
    };

    const S: Duration = Duration::from_secs(1);

    fn backend(name: &str) -> Backend {
        Backend::new(
            url::Url::parse("https://r.openai.azure.com/").unwrap(),
            name,
        )
    }

    fn pool(backends: impl IntoIterator<Item = Backend>) -> Pool {
        Pool::new(backends, RoutingConfig::default()).unwrap()
    }

    fn ok() -> Outcome {
        Outcome::Success {
            remaining: RateLimitRemaining::default(),
        }
    }

    /// Selects once at `now` and records `outcome` for the chosen backend.
    fn send(pool: &mut Pool, now: Instant, outcome: Outcome) -> BackendId {
        let id = pool.select(now, 0).unwrap();
        pool.record(now, id, outcome);
        id
    }

    #[test]
    fn a_429_cools_the_backend_down_for_its_retry_after_then_it_gets_traffic() {
        let t0 = Instant::now();
        let mut pool = pool([backend("a"), backend("b")]);
        let a = BackendId(0);
        pool.record(
            t0,
            a,
            Outcome::RateLimited {
                retry_after: Some(60 * S),
            },
        );
        let snapshot = pool.snapshot(a, t0).unwrap();
        assert_eq!(snapshot.cooling_down_until, Some(t0 + 60 * S));
        assert_eq!(snapshot.rate_limited, 1);
        // A request every half second for the minute: all on b, none waits.
        for step in 0..120u32 {
            let id = send(&mut pool, t0 + step * S / 2, ok());
            assert_eq!(id, BackendId(1), "step {step}");
        }
        // After it, a gets its share again.
        let after: Vec<_> = (0..10)
            .map(|_| send(&mut pool, t0 + 60 * S, ok()))
            .collect();
        assert_eq!(after.iter().filter(|id| **id == a).count(), 5, "{after:?}");
        assert_eq!(
            pool.snapshot(a, t0 + 60 * S).unwrap().cooling_down_until,
            None
        );
    }

    #[test]
    fn all_cooling_down_means_waiting_for_the_first_back() {
        let t0 = Instant::now();
        let mut pool = pool([backend("a"), backend("b")]);
        for (i, secs) in [(0, 30), (1, 10)] {
            pool.record(
                t0,
                BackendId(i),
                Outcome::RateLimited {
                    retry_after: Some(secs * S),
                },
            );
        }
        assert_eq!(pool.select(t0, 0), Err(NoBackend::WaitUntil(t0 + 10 * S)));
        assert_eq!(pool.select(t0 + 10 * S, 0), Ok(BackendId(1)));
        // Any delay the service names is taken without panicking.
        pool.record(
            t0,
            BackendId(0),
            Outcome::RateLimited {
                retry_after: Some(Duration::MAX),
            },
        );
        assert_eq!(pool.select(t0 + 3600 * S, 0), Ok(BackendId(1)));
        // A 429 with no delay cools down for the default.
        pool.record(t0, BackendId(1), Outcome::RateLimited { retry_after: None });
        assert_eq!(
            pool.snapshot(BackendId(1), t0).unwrap().cooling_down_until,
            Some(t0 + 10 * S)
        );
    }

    #[test]
    fn the_circuit_opens_after_n_failures_and_recovers_through_one_probe() {
        let t0 = Instant::now();
        let circuit = CircuitConfig::default().failure_threshold(3).pause(10 * S);
        let config = RoutingConfig::default().circuit(circuit);
        let mut pool = Pool::new([backend("failing"), backend("healthy")], config).unwrap();
        let failing = BackendId(0);
        for failure in [
            Outcome::ServerError,
            Outcome::ConnectionError,
            Outcome::ServerError,
        ] {
            pool.record(t0, failing, failure);
        }
        assert_eq!(
            pool.snapshot(failing, t0).unwrap().circuit,
            CircuitState::Open { until: t0 + 10 * S }
        );
        for step in 0..20u32 {
            assert_eq!(send(&mut pool, t0 + step * S / 2, ok()), BackendId(1));
        }
        // After the pause, exactly one request probes while the others go elsewhere.
        let probe_at = t0 + 10 * S;
        let chosen: Vec<_> = (0..6).map(|_| pool.select(probe_at, 0).unwrap()).collect();
        assert_eq!(
            chosen.iter().filter(|id| **id == failing).count(),
            1,
            "{chosen:?}"
        );
        assert_eq!(
            pool.snapshot(failing, probe_at).unwrap().circuit,
            CircuitState::HalfOpen {
                probe_in_flight: true
            }
        );
        pool.record(probe_at, failing, ok());
        assert_eq!(
            pool.snapshot(failing, probe_at).unwrap().circuit,
            CircuitState::Closed
        );
        let after: Vec<_> = (0..10).map(|_| send(&mut pool, probe_at, ok())).collect();
        assert_eq!(after.iter().filter(|id| **id == failing).count(), 5);
    }

    #[test]
    fn only_probing_backends_left_means_waiting_for_the_probe() {
        let t0 = Instant::now();
        let config =
            RoutingConfig::default().circuit(CircuitConfig::default().failure_threshold(1));
        let mut pool = Pool::new([backend("a")], config).unwrap();
        pool.record(t0, BackendId(0), Outcome::ServerError);
        let later = t0 + 3600 * S;
        assert_eq!(pool.select(later, 0), Ok(BackendId(0)));
        assert_eq!(pool.select(later, 0), Err(NoBackend::WaitForProbe));
        pool.record(later, BackendId(0), Outcome::Cancelled);
        assert_eq!(pool.select(later, 0), Ok(BackendId(0)));
    }

    #[test]
    fn lower_priorities_take_the_spill_over_and_give_it_back() {
        let t0 = Instant::now();
        let primary = backend("ptu").limits(Limits::new().requests_per_minute(2));
        let mut pool = pool([backend("paygo").priority(1), primary]);
        let ids: Vec<_> = (0..5u32)
            .map(|i| send(&mut pool, t0 + i * S, ok()))
            .collect();
        let (paygo, ptu) = (BackendId(0), BackendId(1));
        assert_eq!(ids, [ptu, ptu, paygo, paygo, paygo]);
        // A minute after its first request, the preferred backend takes traffic again.
        assert_eq!(send(&mut pool, t0 + 60 * S, ok()), ptu);
        assert_eq!(send(&mut pool, t0 + 61 * S, ok()), ptu);
        assert_eq!(send(&mut pool, t0 + 61 * S, ok()), paygo);
        // A 429 on the preferred group spills over at once too.
        pool.record(
            t0 + 200 * S,
            ptu,
            Outcome::RateLimited {
                retry_after: Some(5 * S),
            },
        );
        assert_eq!(send(&mut pool, t0 + 200 * S, ok()), paygo);
        assert_eq!(send(&mut pool, t0 + 205 * S, ok()), ptu);
    }

    #[test]
    fn weights_are_respected_over_1000_selections() {
        let t0 = Instant::now();
        let mut pool = pool([
            backend("a").weight(1),
            backend("b").weight(2),
            backend("c").weight(7),
        ]);
        let mut counts = [0u32; 3];
        for i in 0..1000u32 {
            let id = send(&mut pool, t0 + i * S / 100, ok());
            counts[id.index()] += 1;
        }
        for (count, expected) in counts.iter().zip([100, 200, 700]) {
            assert!(count.abs_diff(expected) <= 10, "{counts:?}");
        }
    }

    #[test]
    fn remaining_counters_steer_traffic_to_headroom() {
        let t0 = Instant::now();
        let mut pool = pool([backend("a"), backend("b")]);
        let remaining = |requests| Outcome::Success {
            remaining: RateLimitRemaining {
                requests: Some(requests),
                tokens: None,
            },
        };
        pool.record(t0, BackendId(0), remaining(1));
        pool.record(t0, BackendId(1), remaining(9));
        // Ten requests in flight at once: the counters (decremented as requests go) split them 1:9.
        let ids: Vec<_> = (0..10).map(|_| pool.select(t0, 0).unwrap()).collect();
        assert_eq!(
            ids.iter().filter(|id| **id == BackendId(0)).count(),
            1,
            "{ids:?}"
        );
        // Counters a minute old are no longer trusted: equal weights again.
        // (the round-robin's running weights carry over, so about half.)
        let ids: Vec<_> = (0..10)
            .map(|_| pool.select(t0 + 60 * S, 0).unwrap())
            .collect();
        let to_a = ids.iter().filter(|id| **id == BackendId(0)).count();
        assert!((4..=6).contains(&to_a), "{ids:?}");
    }

    #[test]
    fn a_request_larger_than_every_tokens_limit_never_fits() {
        let t0 = Instant::now();
        let mut pool = pool([
            backend("a").limits(Limits::new().tokens_per_minute(1000)),
            backend("b").limits(Limits::new().tokens_per_minute(4000)),
        ]);
        assert_eq!(
            pool.select(t0, 5000),
            Err(NoBackend::TooLarge {
                tokens: 5000,
                largest_tokens_per_minute: 4000
            })
        );
        assert_eq!(pool.select(t0, 3000), Ok(BackendId(1)));
        assert_eq!(pool.select(t0, 1000), Ok(BackendId(0)));
        assert_eq!(pool.select(t0, 1000), Ok(BackendId(1)));
        assert_eq!(
            pool.select(t0, 1000),
            Err(NoBackend::WaitUntil(t0 + 60 * S))
        );
        let snapshot = pool.snapshot(BackendId(1), t0).unwrap();
        assert_eq!((snapshot.requests, snapshot.in_flight), (2, 2));
    }
}
