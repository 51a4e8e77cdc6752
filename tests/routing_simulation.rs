//! 10,000 requests routed over three backends with different quotas, on constructed instants (no
//! clock is read after the start, nothing sleeps). Each simulated backend answers 429 when a
//! request would exceed its own quota in the last minute, with the `retry-after` (whole seconds)
//! Azure would send, and `x-ratelimit-remaining-requests` on success.
//!
//! `cargo test --all-features --test routing_simulation -- --nocapture` prints the figures.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use azure_openai_audio::routing::{
    Backend, Limits, NoBackend, Outcome, Pool, RateLimitRemaining, RoutingConfig,
};

const MINUTE: Duration = Duration::from_secs(60);
const QUOTAS: [u32; 3] = [60, 120, 300];
const REQUESTS: u32 = 10_000;

/// One simulated deployment: its quota over a sliding minute, and the cool-down its last 429 asked.
struct Deployment {
    quota: u32,
    window: VecDeque<Instant>,
    cool_down_until: Option<Instant>,
    served: u32,
    refused: u32,
}

impl Deployment {
    fn new(quota: u32) -> Self {
        Deployment {
            quota,
            window: VecDeque::new(),
            cool_down_until: None,
            served: 0,
            refused: 0,
        }
    }

    fn answer(&mut self, now: Instant) -> Outcome {
        if let Some(until) = self.cool_down_until {
            assert!(
                now >= until,
                "a request during the cool-down this backend asked for"
            );
        }
        while self.window.front().is_some_and(|t| *t + MINUTE <= now) {
            self.window.pop_front();
        }
        if self.window.len() as u32 >= self.quota {
            let oldest = *self.window.front().unwrap();
            let wait = (oldest + MINUTE) - now;
            // `retry-after` is in whole seconds: rounded up.
            let retry_after = Duration::from_secs(wait.as_millis().div_ceil(1000) as u64);
            self.cool_down_until = Some(now + retry_after);
            self.refused += 1;
            return Outcome::RateLimited {
                retry_after: Some(retry_after),
            };
        }
        self.window.push_back(now);
        self.served += 1;
        Outcome::Success {
            remaining: RateLimitRemaining {
                requests: Some(u64::from(self.quota) - self.window.len() as u64),
                tokens: None,
            },
        }
    }
}

struct Figures {
    elapsed: Duration,
    per_minute: f64,
    served: Vec<u32>,
    refused: Vec<u32>,
}

/// Requests arrive at twice the pool's capacity and are sent in order, each as soon as a backend
/// can take it; a 429 moves it at once to the next backend.
fn simulate(client_limits: bool) -> Figures {
    let t0 = Instant::now();
    let backends = QUOTAS.iter().enumerate().map(|(i, quota)| {
        let endpoint = format!("https://region{i}.openai.azure.com/");
        let backend = Backend::new(endpoint.parse().unwrap(), "whisper");
        if client_limits {
            backend.limits(Limits::new().requests_per_minute(*quota))
        } else {
            backend
        }
    });
    let mut pool = Pool::new(backends, RoutingConfig::default()).unwrap();
    let mut deployments: Vec<Deployment> = QUOTAS.iter().map(|q| Deployment::new(*q)).collect();
    let capacity: u32 = QUOTAS.iter().sum();
    let arrival_gap = MINUTE / (2 * capacity);

    let mut now = t0;
    let mut last_success = t0;
    for request in 0..REQUESTS {
        now = now.max(t0 + arrival_gap * request);
        loop {
            match pool.select(now, 0) {
                Ok(id) => {
                    let snapshot = pool.snapshot(id, now).unwrap();
                    assert_eq!(
                        snapshot.cooling_down_until, None,
                        "selected while cooling down"
                    );
                    let outcome = deployments[id.index()].answer(now);
                    pool.record(now, id, outcome);
                    if let Outcome::Success { .. } = outcome {
                        last_success = now;
                        break;
                    }
                }
                Err(NoBackend::WaitUntil(at)) => {
                    assert!(at > now);
                    now = at;
                }
                Err(other) => panic!("{other:?}"),
            }
        }
    }
    let elapsed = last_success - t0;
    let snapshots = pool.snapshots(now);
    for (i, (snapshot, deployment)) in snapshots.iter().zip(&deployments).enumerate() {
        assert_eq!(snapshot.id.index(), i);
        assert_eq!(snapshot.successes, u64::from(deployment.served));
        assert_eq!(snapshot.rate_limited, u64::from(deployment.refused));
    }
    Figures {
        elapsed,
        per_minute: f64::from(REQUESTS) / elapsed.as_secs_f64() * 60.0,
        served: deployments.iter().map(|d| d.served).collect(),
        refused: deployments.iter().map(|d| d.refused).collect(),
    }
}

fn check(name: &str, figures: &Figures) {
    let capacity = f64::from(QUOTAS.iter().sum::<u32>());
    println!(
        "{name}: {REQUESTS} requests in {:.1} min = {:.1}/min (sum of quotas {capacity}/min, {:+.2}%); \
         served per backend {:?} (quotas {QUOTAS:?}/min), 429s per backend {:?}",
        figures.elapsed.as_secs_f64() / 60.0,
        figures.per_minute,
        (figures.per_minute / capacity - 1.0) * 100.0,
        figures.served,
        figures.refused,
    );
    assert!(
        (figures.per_minute - capacity).abs() <= capacity * 0.05,
        "{name}: {:.1}/min is not within 5% of {capacity}/min",
        figures.per_minute
    );
    // Each backend carried about its quota's share.
    for (served, quota) in figures.served.iter().zip(QUOTAS) {
        let share = f64::from(*served) / f64::from(REQUESTS);
        let expected = f64::from(quota) / capacity;
        assert!(
            (share - expected).abs() < 0.02,
            "{name}: {:?}",
            figures.served
        );
    }
}

#[test]
fn throughput_reaches_the_sum_of_the_quotas_without_client_limits() {
    let figures = simulate(false);
    check("429s only", &figures);
    assert!(figures.refused.iter().sum::<u32>() > 0);
}

#[test]
fn with_client_limits_at_the_quotas_no_request_is_refused() {
    let figures = simulate(true);
    check("client-side limits", &figures);
    assert_eq!(figures.refused, [0, 0, 0]);
}
