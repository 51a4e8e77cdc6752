//! Client-side limits of one backend: requests per minute and tokens per minute, so a deployment
//! with a small quota is not driven into 429s in the first place.
//!
//! The window slides: no 60-second span ever holds more requests (or tokens) than the limit, as
//! Azure counts its quotas. The limiter remembers the instant and the tokens of each request of
//! the last minute (a request of unknown size counts 0 tokens).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The span the limits count over.
pub const LIMIT_WINDOW: Duration = Duration::from_secs(60);

/// The client-side limits of one backend; none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub(crate) requests_per_minute: Option<u32>,
    pub(crate) tokens_per_minute: Option<u32>,
}

impl Limits {
    /// No limit.
    pub fn new() -> Self {
        Limits::default()
    }

    /// At most this many requests in any minute (at least 1; 0 is refused by
    /// [`Pool::new`](crate::routing::Pool::new)).
    pub fn requests_per_minute(mut self, requests: u32) -> Self {
        self.requests_per_minute = Some(requests);
        self
    }

    /// At most this many tokens in any minute, counting the requests whose size is known (at
    /// least 1; 0 is refused by [`Pool::new`](crate::routing::Pool::new)).
    pub fn tokens_per_minute(mut self, tokens: u32) -> Self {
        self.tokens_per_minute = Some(tokens);
        self
    }

    /// The requests-per-minute limit, if any.
    pub fn requests_per_minute_ref(&self) -> Option<u32> {
        self.requests_per_minute
    }

    /// The tokens-per-minute limit, if any.
    pub fn tokens_per_minute_ref(&self) -> Option<u32> {
        self.tokens_per_minute
    }
}

/// Why a limiter refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitRefusal {
    /// The request fits after this long.
    Wait(Duration),
    /// The request alone is larger than the tokens-per-minute limit: it never fits.
    TooLarge {
        /// The request's tokens.
        tokens: u64,
        /// The limit.
        tokens_per_minute: u32,
    },
}

/// The requests of the last minute against one backend's [`Limits`].
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    limits: Limits,
    /// When each request of the window was taken, and its tokens; oldest first.
    log: VecDeque<(Instant, u64)>,
    tokens_in_window: u64,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Limiter {
            limits,
            log: VecDeque::new(),
            tokens_in_window: 0,
        }
    }

    /// Whether a request of `tokens` fits at `now`, without taking it.
    pub(crate) fn check(&mut self, now: Instant, tokens: u64) -> Result<(), LimitRefusal> {
        self.forget_before(now);
        let mut wait = Duration::ZERO;
        if let Some(rpm) = self.limits.requests_per_minute {
            // Entries that must leave the window before one more fits.
            let excess = (self.log.len() + 1).saturating_sub(rpm as usize);
            if let Some(last_to_leave) = excess.checked_sub(1).and_then(|i| self.log.get(i)) {
                wait = wait.max(self.leaves_in(last_to_leave.0, now));
            }
        }
        if let Some(tpm) = self.limits.tokens_per_minute {
            if tokens > u64::from(tpm) {
                return Err(LimitRefusal::TooLarge {
                    tokens,
                    tokens_per_minute: tpm,
                });
            }
            let mut excess = (self.tokens_in_window + tokens).saturating_sub(u64::from(tpm));
            for (at, spent) in &self.log {
                if excess == 0 {
                    break;
                }
                excess = excess.saturating_sub(*spent);
                wait = wait.max(self.leaves_in(*at, now));
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(LimitRefusal::Wait(wait))
        }
    }

    /// Takes a request of `tokens` at `now` if it fits.
    pub(crate) fn try_acquire(&mut self, now: Instant, tokens: u64) -> Result<(), LimitRefusal> {
        self.check(now, tokens)?;
        let counted = self.limits.requests_per_minute.is_some()
            || (self.limits.tokens_per_minute.is_some() && tokens > 0);
        if counted {
            self.log.push_back((now, tokens));
            self.tokens_in_window += tokens;
        }
        Ok(())
    }

    fn leaves_in(&self, taken_at: Instant, now: Instant) -> Duration {
        super::instant_after(taken_at, LIMIT_WINDOW).saturating_duration_since(now)
    }

    fn forget_before(&mut self, now: Instant) {
        while let Some(&(at, tokens)) = self.log.front() {
            if super::instant_after(at, LIMIT_WINDOW) > now {
                break;
            }
            self.log.pop_front();
            self.tokens_in_window = self.tokens_in_window.saturating_sub(tokens);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_rpm_limit_holds_over_a_simulated_minute() {
        let t0 = Instant::now();
        let mut limiter = Limiter::new(Limits::new().requests_per_minute(3));
        // A request offered every 100 ms for three minutes.
        let mut taken = Vec::new();
        for step in 0..1800u32 {
            let now = t0 + step * 100 * MS;
            if limiter.try_acquire(now, 0).is_ok() {
                taken.push(now);
            }
        }
        // Three per minute, and no 60-second span ever holds a fourth.
        assert_eq!(taken.len(), 9, "{taken:?}");
        for pair in taken.windows(4) {
            assert!(pair[3] - pair[0] >= LIMIT_WINDOW, "{pair:?}");
        }
    }

    #[test]
    fn a_refusal_says_how_long_until_the_request_fits() {
        let t0 = Instant::now();
        let mut limiter = Limiter::new(Limits::new().requests_per_minute(2));
        limiter.try_acquire(t0, 0).unwrap();
        limiter.try_acquire(t0 + 10_000 * MS, 0).unwrap();
        let now = t0 + 30_000 * MS;
        assert_eq!(
            limiter.try_acquire(now, 0),
            Err(LimitRefusal::Wait(30_000 * MS))
        );
        assert_eq!(limiter.try_acquire(t0 + LIMIT_WINDOW, 0), Ok(()));
    }

    #[test]
    fn tokens_per_minute_count_the_known_sizes() {
        let t0 = Instant::now();
        let mut limiter = Limiter::new(Limits::new().tokens_per_minute(1000));
        limiter.try_acquire(t0, 600).unwrap();
        limiter.try_acquire(t0 + 5_000 * MS, 300).unwrap();
        // Unknown sizes are not held back by the tokens limit.
        limiter.try_acquire(t0 + 6_000 * MS, 0).unwrap();
        // 200 more needs the first request's 600 to leave the window.
        assert_eq!(
            limiter.try_acquire(t0 + 10_000 * MS, 200),
            Err(LimitRefusal::Wait(50_000 * MS))
        );
        assert_eq!(limiter.try_acquire(t0 + 10_000 * MS, 100), Ok(()));
        assert_eq!(
            limiter.try_acquire(t0, 1001),
            Err(LimitRefusal::TooLarge {
                tokens: 1001,
                tokens_per_minute: 1000
            })
        );
    }
}
