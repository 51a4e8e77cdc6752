//! The emulator's own routes, under `/_emulator/`: faults queued over HTTP, so a client in any
//! language can test its error handling (from Rust, [`Emulator::inject`](crate::Emulator::inject)
//! does the same).
//!
//! - `POST /_emulator/faults` with `{"fault": "rate_limit", "retry_after_ms": 2000, "times": 3}`
//!   queues a fault for the next `times` requests to the service's routes (default 1).
//!   `fault` is `rate_limit` (`retry_after_ms`, default 1000), `server_error`, `delay`
//!   (`delay_ms`, required), `disconnect`, `unauthorized` (a 401), or for Realtime sessions
//!   `drop_mid_response` (`after_deltas`, default 3) and `session_limit` (`after_ms`, required).
//! - `GET /_emulator/faults` tells how many requests still get a fault.
//! - `DELETE /_emulator/faults` forgets the queued faults.
//!
//! Each answers `{"pending": n}`. They need the same credential as the service's routes, and
//! never consume a fault themselves (nor count against the quota).
//!
//! - `/_emulator/quota` sets, tells and removes the requests-per-minute quota ([`crate::quota`]).

use std::time::Duration;

use hyper::http::request::Parts;
use hyper::Method;
use serde_json::{json, Map, Value};

use crate::errors::Failure;
use crate::faults::Fault;
use crate::server::{check_credential, State};

/// Where the emulator's own routes start.
pub(crate) const PREFIX: &str = "/_emulator/";
/// The largest body of a request to these routes.
pub(crate) const MAX_BODY: usize = 64 * 1024;

const FAULTS: &str = "/_emulator/faults";
const QUOTA: &str = "/_emulator/quota";
const KINDS: &[&str] = &[
    "rate_limit",
    "server_error",
    "delay",
    "disconnect",
    "unauthorized",
    "drop_mid_response",
    "session_limit",
];
const KEYS: &[&str] = &[
    "fault",
    "times",
    "retry_after_ms",
    "delay_ms",
    "after_deltas",
    "after_ms",
];
/// The delta events a `drop_mid_response` fault lets through when `after_deltas` is not given.
const DEFAULT_AFTER_DELTAS: u64 = 3;
/// The wait a `rate_limit` fault asks for when `retry_after_ms` is not given.
const DEFAULT_RETRY_AFTER_MS: u64 = 1000;

/// The answer to a request under [`PREFIX`], whose body has been read.
pub(crate) fn answer(state: &State, parts: &Parts, body: &[u8]) -> Result<Value, Failure> {
    check_credential(&state.config, &parts.headers)?;
    match parts.uri.path() {
        FAULTS => {}
        QUOTA => return state.quota.answer(&parts.method, body),
        _ => return Err(Failure::resource_not_found()),
    }
    match parts.method {
        Method::GET => {}
        Method::DELETE => state.faults.clear(),
        Method::POST => {
            let json: Value =
                serde_json::from_slice(body).map_err(|_| Failure::unparsable_json())?;
            let (fault, times) = parse(&json)?;
            state.faults.push(fault, times);
        }
        _ => return Err(Failure::resource_not_found()),
    }
    Ok(json!({ "pending": state.faults.pending() }))
}

/// A fault and how many requests get it, from `POST /_emulator/faults`'s body.
fn parse(json: &Value) -> Result<(Fault, usize), Failure> {
    let Value::Object(o) = json else {
        return Err(Failure::wrong_type("body", "an object", json));
    };
    if let Some(key) = o.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(Failure::invalid(
            format!(
                "Unrecognized request argument supplied: {key}. Known: {}.",
                KEYS.join(", ")
            ),
            Some(key),
            "unknown_parameter",
        ));
    }
    let kind = match o.get("fault") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(other) => return Err(Failure::wrong_type("fault", "a string", other)),
        None => return Err(Failure::missing("fault")),
    };
    let times = count(o, "times")?.unwrap_or(1);
    let fault = match kind {
        "rate_limit" => Fault::rate_limit(Duration::from_millis(
            count(o, "retry_after_ms")?.unwrap_or(DEFAULT_RETRY_AFTER_MS),
        )),
        "server_error" => Fault::ServerError,
        "delay" => {
            let ms = count(o, "delay_ms")?.ok_or_else(|| Failure::missing("delay_ms"))?;
            Fault::Delay(Duration::from_millis(ms))
        }
        "disconnect" => Fault::Disconnect,
        "unauthorized" => Fault::Unauthorized,
        "drop_mid_response" => Fault::DropMidResponse {
            after_deltas: usize::try_from(
                count(o, "after_deltas")?.unwrap_or(DEFAULT_AFTER_DELTAS),
            )
            .unwrap_or(usize::MAX),
        },
        "session_limit" => {
            let ms = count(o, "after_ms")?.ok_or_else(|| Failure::missing("after_ms"))?;
            Fault::SessionLimit {
                after: Duration::from_millis(ms),
            }
        }
        other => return Err(Failure::invalid_value("fault", other, KINDS)),
    };
    Ok((fault, usize::try_from(times).unwrap_or(usize::MAX)))
}

/// A non-negative integer field, if present.
fn count(o: &Map<String, Value>, key: &str) -> Result<Option<u64>, Failure> {
    match o.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Failure::wrong_type(key, "a non-negative integer", v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: Value) -> Result<(Fault, usize), Failure> {
        parse(&body)
    }

    #[test]
    fn every_fault_kind_parses_with_its_defaults() {
        assert_eq!(
            parsed(json!({"fault": "rate_limit", "retry_after_ms": 2500, "times": 3})),
            Ok((Fault::rate_limit(Duration::from_millis(2500)), 3))
        );
        assert_eq!(
            parsed(json!({"fault": "rate_limit"})),
            Ok((Fault::rate_limit(Duration::from_secs(1)), 1))
        );
        assert_eq!(
            parsed(json!({"fault": "server_error", "times": 0})),
            Ok((Fault::ServerError, 0))
        );
        assert_eq!(
            parsed(json!({"fault": "delay", "delay_ms": 1500})),
            Ok((Fault::Delay(Duration::from_millis(1500)), 1))
        );
        assert_eq!(
            parsed(json!({"fault": "disconnect", "times": 2})),
            Ok((Fault::Disconnect, 2))
        );
        assert_eq!(
            parsed(json!({"fault": "unauthorized"})),
            Ok((Fault::Unauthorized, 1))
        );
        assert_eq!(
            parsed(json!({"fault": "drop_mid_response"})),
            Ok((Fault::DropMidResponse { after_deltas: 3 }, 1))
        );
        assert_eq!(
            parsed(json!({"fault": "session_limit", "after_ms": 2000})),
            Ok((
                Fault::SessionLimit {
                    after: Duration::from_secs(2)
                },
                1
            ))
        );
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_parameter() {
        let param = |body: Value| {
            let f = parsed(body).unwrap_err();
            assert_eq!(f.status, 400);
            f.body["error"]["param"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(param(json!({"times": 1})), "fault");
        assert_eq!(param(json!({"fault": "boom"})), "fault");
        assert_eq!(param(json!({"fault": 5})), "fault");
        assert_eq!(param(json!({"fault": "delay"})), "delay_ms");
        assert_eq!(
            param(json!({"fault": "server_error", "times": -1})),
            "times"
        );
        assert_eq!(
            param(json!({"fault": "rate_limit", "retry_after": 5})),
            "retry_after"
        );
        assert_eq!(param(json!(["server_error"])), "body");
        let f = parsed(json!({"fault": "boom"})).unwrap_err();
        let message = f.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("'rate_limit', 'server_error', 'delay', 'disconnect', 'unauthorized', 'drop_mid_response', and 'session_limit'"),
            "{message}"
        );
    }
}
