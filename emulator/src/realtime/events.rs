//! What the server sends besides responses: ids shaped like the service's, `error` events shaped
//! as the service sends them, and `rate_limits.updated`.

use serde_json::{json, Value};

use crate::errors::Failure;
use crate::random::{splitmix, token};

/// The ids of one session: `event_...`, `item_...`, `resp_...`, `call_...`, `sess_...`,
/// `conv_...`, 21 letters and digits after the prefix, from a seed (so a seeded emulator
/// repeats them).
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    seed: u64,
    n: u64,
}

impl Ids {
    pub(crate) fn new(seed: u64) -> Ids {
        Ids { seed, n: 0 }
    }

    /// `prefix_` and 21 characters.
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let (seed, n) = (self.seed, &mut self.n);
        token(&format!("{prefix}_"), 21, || {
            *n += 1;
            splitmix(seed, *n)
        })
    }
}

/// The `error` event for a refused client event: the error of `failure`'s body (its `type`,
/// `code`, `message` and `param`) with the client event's id. The event's own `event_id` is
/// set when it is sent.
pub(crate) fn error(failure: &Failure, client_event_id: Option<&str>) -> Value {
    let mut error = failure.body.get("error").cloned().unwrap_or(Value::Null);
    if let Some(e) = error.as_object_mut() {
        e.insert("event_id".to_owned(), json!(client_event_id));
    }
    json!({"type": "error", "error": error})
}

/// A refusal with its code, message and param, in the `invalid_request_error` shape.
pub(crate) fn invalid(code: &str, message: impl Into<String>, param: Option<&str>) -> Failure {
    Failure::invalid(message, param, code)
}

/// `rate_limits.updated`, after a response: the requests and tokens left.
pub(crate) fn rate_limits(tokens_used: u64) -> Value {
    json!({
        "type": "rate_limits.updated",
        "rate_limits": [
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
            {
                "name": "tokens",
                "limit": 50_000,
                "remaining": 50_000u64.saturating_sub(tokens_used),
                "reset_seconds": 60,
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_repeat_with_the_seed_and_differ_between_calls() {
        let (mut a, mut b) = (Ids::new(7), Ids::new(7));
        let first = a.next("item");
        assert!(first.starts_with("item_") && first.len() == 26, "{first}");
        assert_eq!(first, b.next("item"));
        assert_ne!(a.next("item"), first);
    }

    #[test]
    fn errors_carry_the_client_event_id() {
        let e = error(
            &invalid("invalid_event", "The 'type' field is missing.", None),
            Some("evt_1"),
        );
        assert_eq!(
            e,
            json!({"type": "error", "error": {
                "type": "invalid_request_error",
                "code": "invalid_event",
                "message": "The 'type' field is missing.",
                "param": null,
                "event_id": "evt_1",
            }})
        );
    }
}
