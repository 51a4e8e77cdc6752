//! A [`Pool`] at work inside a client: shared by the requests of one API, it hands each attempt
//! a [`Lease`] on the backend it goes to (its URL, deployment and credential), and the lease
//! reports the attempt's outcome. A lease dropped unreported (the caller's future was dropped)
//! reports the attempt as cancelled, so in-flight counts and circuit probes are released.
//!
//! The pool's clock is tokio's ([`tokio::time::Instant`]), so routing follows a paused clock in
//! tests like every other delay of the crate.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::backend::{BackendId, BackendSnapshot, RateLimitRemaining};
use super::outcome::Outcome;
use super::pool::Pool;
use super::select::NoBackend;
use crate::client::parse_endpoint;
use crate::credential::Credential;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::route::{Resource, Route};

/// Where a backend's requests go and how they authenticate.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) resource: Resource,
    pub(crate) deployment: String,
    pub(crate) credential: Option<Credential>,
    /// The endpoint's host, for traces and errors.
    pub(crate) host: String,
}

/// A pool serving the requests of one API of a client.
#[derive(Debug)]
pub(crate) struct Router {
    pool: Mutex<Pool>,
    targets: Vec<Target>,
    /// Woken whenever an outcome is recorded (a probe answered frees its backend).
    recorded: Notify,
}

/// The current instant on tokio's clock.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

impl Router {
    /// A router over `pool`, whose backends' URLs take the client's `route` and `api_version`.
    /// Each endpoint is checked as the client's is, and each backend credential.
    pub(crate) fn new(pool: Pool, route: Route, api_version: &str) -> Result<Router> {
        let mut targets = Vec::with_capacity(pool.backends().len());
        for (index, backend) in pool.backends().iter().enumerate() {
            let endpoint = parse_endpoint(backend.endpoint.as_str())
                .map_err(|why| Error::config(format!("the endpoint of backend {index} {why}")))?;
            if backend.deployment.trim().is_empty() {
                return Err(Error::config(format!(
                    "backend {index}: the deployment name is empty"
                )));
            }
            if let Some(credential) = &backend.credential {
                credential
                    .validate()
                    .map_err(|e| e.with_context(format!("backend {index}")))?;
            }
            targets.push(Target {
                host: endpoint.host_str().unwrap_or_default().to_owned(),
                resource: Resource {
                    endpoint,
                    route,
                    api_version: api_version.to_owned(),
                },
                deployment: backend.deployment.clone(),
                credential: backend.credential.clone(),
            });
        }
        Ok(Router {
            pool: Mutex::new(pool),
            targets,
            recorded: Notify::new(),
        })
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        // The pool's state is valid after any panic of another thread (every change is one
        // assignment of counters): keep routing.
        self.pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What is known about every backend now, in the pool's order.
    pub(crate) fn snapshots(&self) -> Vec<BackendSnapshot> {
        self.pool().snapshots(now())
    }

    /// A lease on the backend that takes a request of `tokens` now, or why there is none.
    pub(crate) fn try_lease(&self, tokens: u64) -> std::result::Result<Lease<'_>, NoBackend> {
        let id = self.pool().select(now(), tokens)?;
        Ok(Lease {
            router: self,
            id,
            reported: false,
        })
    }

    /// A lease on the backend that takes a request of `tokens`, waiting as long as none can.
    /// With `failed` (the last failure of this request), a wait longer than `max_wait` is not
    /// taken: that failure is returned. `waiting` is told of each wait before it starts.
    pub(crate) async fn lease(
        &self,
        tokens: u64,
        mut failed: Option<Error>,
        max_wait: Duration,
        mut waiting: impl FnMut(Duration),
    ) -> Result<Lease<'_>> {
        loop {
            let recorded = self.recorded.notified();
            tokio::pin!(recorded);
            // Registered before the pool is read: an outcome recorded after it wakes this wait.
            recorded.as_mut().enable();
            let until = match self.try_lease(tokens) {
                Ok(lease) => return Ok(lease),
                Err(NoBackend::WaitUntil(at)) => Some(at),
                Err(NoBackend::WaitForProbe) => None,
                Err(NoBackend::TooLarge {
                    tokens,
                    largest_tokens_per_minute,
                }) => {
                    return Err(Error::invalid_input(format!(
                        "the request counts {tokens} tokens, more than any backend's tokens_per_minute limit (at most {largest_tokens_per_minute})"
                    )))
                }
            };
            let wait = until.map(|at| at.saturating_duration_since(now()));
            if wait.is_some_and(|wait| wait > max_wait) {
                if let Some(failed) = failed.take() {
                    return Err(failed);
                }
            }
            if let Some(wait) = wait {
                waiting(wait);
            }
            match until {
                Some(at) => {
                    let deadline = tokio::time::Instant::from_std(at);
                    // Until the deadline or an outcome recorded, whichever comes first.
                    let _ = tokio::time::timeout_at(deadline, &mut recorded).await;
                }
                None => recorded.await,
            }
        }
    }

    /// Each backend's deployment, in the pool's order.
    pub(crate) fn deployments(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().map(|t| t.deployment.as_str())
    }

    /// How many backends the pool has.
    pub(crate) fn backends(&self) -> usize {
        self.targets.len()
    }

    /// Whether a backend other than `except` could take a request of `tokens` now.
    pub(crate) fn another_can_take(&self, tokens: u64, except: BackendId) -> bool {
        self.pool().another_can_take(now(), tokens, except)
    }

    fn record(&self, id: BackendId, outcome: Outcome) {
        self.pool().record(now(), id, outcome);
        self.recorded.notify_waiters();
    }
}

/// One attempt's hold on a backend: where it goes, and the report of what it met.
#[derive(Debug)]
pub(crate) struct Lease<'a> {
    router: &'a Router,
    id: BackendId,
    reported: bool,
}

impl<'a> Lease<'a> {
    /// The backend's id.
    pub(crate) fn id(&self) -> BackendId {
        self.id
    }

    /// Where the attempt goes. Every leased id is one of the router's backends.
    pub(crate) fn target(&self) -> Option<&'a Target> {
        self.router.targets.get(self.id.0)
    }

    /// Reports the attempt's outcome.
    pub(crate) fn report(mut self, outcome: Outcome) {
        self.reported = true;
        self.router.record(self.id, outcome);
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if !self.reported {
            self.router.record(self.id, Outcome::Cancelled);
        }
    }
}

/// The outcome for the pool of an attempt that failed with `error`: a 429 cools the backend
/// down, a 5xx or a connection failure (or timeout) counts against its circuit, and anything
/// else (a 4xx, a body that would not decode) is an answer from a healthy backend.
pub(crate) fn outcome_of(error: &Error) -> Outcome {
    match error.status() {
        Some(429) => Outcome::RateLimited {
            retry_after: error.retry_after(),
        },
        Some(status) if status >= 500 => Outcome::ServerError,
        Some(_) => Outcome::Success {
            remaining: error
                .metadata()
                .map(RateLimitRemaining::from)
                .unwrap_or_default(),
        },
        None => match error.kind() {
            ErrorKind::Transport | ErrorKind::Timeout => Outcome::ConnectionError,
            _ => Outcome::Success {
                remaining: RateLimitRemaining::default(),
            },
        },
    }
}
