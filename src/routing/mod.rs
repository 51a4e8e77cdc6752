//! Routing over several deployments: a [`Pool`] of [`Backend`]s (an endpoint and a deployment
//! each, with a priority and a weight), the state the crate keeps for each (counters, the
//! cool-down a 429 asked for, a circuit breaker for 5xx and connection failures, optional
//! client-side limits) and the choice of the backend that takes the next request.
//!
//! This is the decision logic only, pure and deterministic: every call takes the current
//! [`Instant`] and nothing sleeps, spawns or draws a random number. The caller
//! asks [`Pool::select`] where a request goes, sends it, and reports what came back with
//! [`Pool::record`]. When no backend can take a request, `select` says until when to wait.
//!
//! - [`backend`]: a backend, its id and the read-only [`BackendSnapshot`] of its state.
//! - [`circuit`]: the circuit breaker ([`CircuitConfig`], [`CircuitState`]).
//! - [`limit`]: client-side requests- and tokens-per-minute limits ([`Limits`]).
//! - [`outcome`]: what a request's answer was ([`Outcome`]).
//! - [`pool`]: the pool and its configuration ([`Pool`], [`RoutingConfig`]).
//! - [`select`]: the choice of a backend ([`Pool::select`], [`NoBackend`]).
//! - [`spec`]: backends written as text, `ENDPOINT|DEPLOYMENT[|PRIORITY]` ([`parse_backends`]).
//! - [`tried`]: what a routed request met on each backend ([`TriedBackend`]).
//!
//! A pool attached to a client with [`ClientBuilder::routing`](crate::ClientBuilder::routing)
//! serves every request of one API: the client's pipeline asks it where each attempt goes
//! (`router.rs` holds the shared state and the guard that reports each attempt's outcome).

pub mod backend;
pub mod circuit;
pub mod limit;
pub mod outcome;
pub mod pool;
pub(crate) mod router;
pub mod select;
pub mod spec;
pub mod tried;

pub use backend::{Backend, BackendId, BackendSnapshot, RateLimitRemaining};
pub use circuit::{CircuitConfig, CircuitState};
pub use limit::{LimitRefusal, Limits};
pub use outcome::Outcome;
pub use pool::{Pool, RoutingConfig};
pub use select::NoBackend;
pub use spec::parse_backends;
pub use tried::TriedBackend;

use std::time::{Duration, Instant};

/// `now + delay`, or about a century later when that does not fit in an `Instant` (a service may
/// name any delay; adding it must not panic).
pub(crate) fn instant_after(now: Instant, delay: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    now.checked_add(delay)
        .or_else(|| now.checked_add(CENTURY))
        .unwrap_or(now)
}
