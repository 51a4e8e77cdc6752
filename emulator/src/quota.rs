//! A requests-per-minute quota, as an Azure deployment has one: at most N requests in any 60
//! seconds (a sliding window) on the service's routes; beyond it, Azure's 429 with the wait until
//! the window frees a place. Every answer on those routes says the limit and what is left of it
//! (`x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`).
//!
//! One quota per emulator, for every deployment and API; set with
//! [`EmulatorBuilder::requests_per_minute`](crate::EmulatorBuilder::requests_per_minute),
//! [`Emulator::set_requests_per_minute`](crate::Emulator::set_requests_per_minute), the binary's
//! `--requests-per-minute`, or over HTTP:
//!
//! - `PUT /_emulator/quota` with `{"requests_per_minute": 60}` sets it (`null`: no quota);
//! - `GET /_emulator/quota` tells it;
//! - `DELETE /_emulator/quota` removes it.
//!
//! Each answers `{"requests_per_minute": n, "remaining": r}` (both `null` without a quota).
//!
//! The window runs on tokio's clock, so tests on a paused clock pass a minute at once.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use hyper::Method;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::errors::Failure;

/// The quota's window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

const KEY: &str = "requests_per_minute";

/// The quota and the requests it admitted within the last [`WINDOW`].
#[derive(Debug, Default)]
pub(crate) struct Quota(Mutex<Window>);

#[derive(Debug, Default)]
struct Window {
    limit: Option<u32>,
    /// When each request still in the window was admitted, oldest first.
    admitted: VecDeque<Instant>,
}

impl Window {
    /// Forgets the requests that have left the window by `now`.
    fn slide(&mut self, now: Instant) {
        while self
            .admitted
            .front()
            .is_some_and(|&t| now.duration_since(t) >= WINDOW)
        {
            self.admitted.pop_front();
        }
    }

    fn remaining(&self, limit: u32) -> u32 {
        let used = u32::try_from(self.admitted.len()).unwrap_or(u32::MAX);
        limit.saturating_sub(used)
    }
}

impl Quota {
    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        // No update can be left half-done by a panic: keep using it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets the limit (`None`: none). Requests already admitted still count within the window.
    pub(crate) fn set(&self, limit: Option<u32>) {
        let mut window = self.lock();
        window.limit = limit;
        if limit.is_none() {
            window.admitted.clear();
        }
    }

    /// Counts a request if the quota has room for it; else the wait until it has.
    pub(crate) fn admit(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut window = self.lock();
        let Some(limit) = window.limit else {
            return Ok(());
        };
        window.slide(now);
        if window.remaining(limit) > 0 {
            window.admitted.push_back(now);
            return Ok(());
        }
        // Full: a place frees when the oldest request leaves (a limit of 0 never frees one).
        Err(match window.admitted.front() {
            Some(&oldest) => (oldest + WINDOW).saturating_duration_since(now),
            None => WINDOW,
        })
    }

    /// The limit and what is left of it now, if there is a limit.
    pub(crate) fn status(&self) -> Option<(u32, u32)> {
        let mut window = self.lock();
        let limit = window.limit?;
        window.slide(Instant::now());
        Some((limit, window.remaining(limit)))
    }

    /// The answer to a request to `/_emulator/quota` (credential already checked).
    pub(crate) fn answer(&self, method: &Method, body: &[u8]) -> Result<Value, Failure> {
        match *method {
            Method::GET => {}
            Method::DELETE => self.set(None),
            Method::PUT | Method::POST => {
                let json: Value =
                    serde_json::from_slice(body).map_err(|_| Failure::unparsable_json())?;
                self.set(parse(&json)?);
            }
            _ => return Err(Failure::resource_not_found()),
        }
        let status = self.status();
        Ok(json!({
            KEY: status.map(|(limit, _)| limit),
            "remaining": status.map(|(_, remaining)| remaining),
        }))
    }
}

/// The limit in `{"requests_per_minute": n}` (`null`: none).
fn parse(json: &Value) -> Result<Option<u32>, Failure> {
    let Value::Object(o) = json else {
        return Err(Failure::wrong_type("body", "an object", json));
    };
    if let Some(key) = o.keys().find(|k| *k != KEY) {
        return Err(Failure::invalid(
            format!("Unrecognized request argument supplied: {key}. Known: {KEY}."),
            Some(key),
            "unknown_parameter",
        ));
    }
    match o.get(KEY) {
        None => Err(Failure::missing(KEY)),
        Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| Failure::wrong_type(KEY, "an integer from 0 to 4294967295", v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_window_slides_and_says_how_long_to_wait() {
        let quota = Quota::default();
        assert_eq!(quota.admit(), Ok(()), "no limit");
        assert_eq!(quota.status(), None);
        quota.set(Some(2));
        assert_eq!(quota.status(), Some((2, 2)));
        assert_eq!(quota.admit(), Ok(()));
        tokio::time::advance(Duration::from_secs(20)).await;
        assert_eq!(quota.admit(), Ok(()));
        assert_eq!(quota.status(), Some((2, 0)));
        assert_eq!(quota.admit(), Err(Duration::from_secs(40)));
        tokio::time::advance(Duration::from_secs(39)).await;
        assert_eq!(quota.admit(), Err(Duration::from_secs(1)));
        tokio::time::advance(Duration::from_secs(1)).await;
        // The first request has left the window; the second leaves 20 s later.
        assert_eq!(quota.status(), Some((2, 1)));
        assert_eq!(quota.admit(), Ok(()));
        assert_eq!(quota.admit(), Err(Duration::from_secs(20)));
        quota.set(Some(0));
        tokio::time::advance(WINDOW).await;
        assert_eq!(quota.admit(), Err(WINDOW), "a limit of 0 never frees");
        quota.set(None);
        assert_eq!(quota.admit(), Ok(()));
    }

    #[test]
    fn bodies_are_checked_naming_the_parameter() {
        assert_eq!(parse(&json!({KEY: 60})), Ok(Some(60)));
        assert_eq!(parse(&json!({KEY: null})), Ok(None));
        let param = |body: Value| {
            let f = parse(&body).unwrap_err();
            assert_eq!(f.status, 400);
            f.body["error"]["param"].as_str().unwrap().to_owned()
        };
        assert_eq!(param(json!({})), KEY);
        assert_eq!(param(json!({KEY: -1})), KEY);
        assert_eq!(param(json!({KEY: 5_000_000_000u64})), KEY);
        assert_eq!(param(json!({KEY: "60"})), KEY);
        assert_eq!(param(json!({KEY: 1, "per": "hour"})), "per");
        assert_eq!(param(json!([1])), "body");
    }
}
