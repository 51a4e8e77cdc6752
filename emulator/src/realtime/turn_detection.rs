//! Turn detection: `server_vad` or `semantic_vad`, its settings, and their checks.

use serde_json::{json, Value};

use super::fields::{boolean, integer, object, string, unknown};
use crate::errors::Failure;

const TURN_TYPES: &[&str] = &["server_vad", "semantic_vad"];
const EAGERNESS: &[&str] = &["low", "medium", "high", "auto"];

/// Turn detection: the voice activity detector's settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TurnDetection {
    /// `server_vad` or `semantic_vad`.
    pub(crate) kind: String,
    /// 0 to 1: how loud a frame must be to count as speech (see `vad.rs`).
    pub(crate) threshold: f64,
    pub(crate) prefix_padding_ms: u64,
    pub(crate) silence_duration_ms: u64,
    pub(crate) create_response: bool,
    pub(crate) interrupt_response: bool,
    /// `semantic_vad` only.
    pub(crate) eagerness: String,
}

impl Default for TurnDetection {
    fn default() -> Self {
        TurnDetection {
            kind: "server_vad".to_owned(),
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            create_response: true,
            interrupt_response: true,
            eagerness: "auto".to_owned(),
        }
    }
}

impl TurnDetection {
    /// The silence that ends speech: `silence_duration_ms`, or for `semantic_vad` the
    /// eagerness's (low 1000 ms, medium and auto 500 ms, high 250 ms).
    pub(crate) fn silence_ms(&self) -> u64 {
        if self.kind != "semantic_vad" {
            return self.silence_duration_ms;
        }
        match self.eagerness.as_str() {
            "low" => 1000,
            "high" => 250,
            _ => 500,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        if self.kind == "semantic_vad" {
            return json!({
                "type": "semantic_vad",
                "eagerness": self.eagerness,
                "create_response": self.create_response,
                "interrupt_response": self.interrupt_response,
            });
        }
        json!({
            "type": self.kind,
            "threshold": self.threshold,
            "prefix_padding_ms": self.prefix_padding_ms,
            "silence_duration_ms": self.silence_duration_ms,
            "idle_timeout_ms": null,
            "create_response": self.create_response,
            "interrupt_response": self.interrupt_response,
        })
    }
}

pub(crate) fn parse(v: &Value, param: &str) -> Result<Option<TurnDetection>, Failure> {
    if v.is_null() {
        return Ok(None);
    }
    let t = object(v, param)?;
    let kind = match t.get("type") {
        None => "server_vad",
        Some(k) => string(k, &format!("{param}.type"))?,
    };
    if !TURN_TYPES.contains(&kind) {
        return Err(Failure::invalid_value(
            &format!("{param}.type"),
            kind,
            TURN_TYPES,
        ));
    }
    let mut keys = vec!["type", "create_response", "interrupt_response"];
    if kind == "server_vad" {
        keys.extend([
            "threshold",
            "prefix_padding_ms",
            "silence_duration_ms",
            "idle_timeout_ms",
        ]);
    } else {
        keys.push("eagerness");
    }
    unknown(t, param, &keys)?;
    let d = TurnDetection::default();
    let threshold = match t.get("threshold") {
        None => d.threshold,
        Some(v) => match v.as_f64() {
            Some(x) if (0.0..=1.0).contains(&x) => x,
            Some(x) => {
                return Err(Failure::invalid(
                    format!("Invalid '{param}.threshold': {x}. Expected a value between 0 and 1."),
                    Some(&format!("{param}.threshold")),
                    "decimal_out_of_range",
                ))
            }
            None => {
                return Err(Failure::wrong_type(
                    &format!("{param}.threshold"),
                    "a number",
                    v,
                ))
            }
        },
    };
    let eagerness = match t.get("eagerness") {
        None => d.eagerness.clone(),
        Some(e) => {
            let e = string(e, &format!("{param}.eagerness"))?;
            if !EAGERNESS.contains(&e) {
                return Err(Failure::invalid_value(
                    &format!("{param}.eagerness"),
                    e,
                    EAGERNESS,
                ));
            }
            e.to_owned()
        }
    };
    Ok(Some(TurnDetection {
        kind: kind.to_owned(),
        threshold,
        prefix_padding_ms: integer(t, "prefix_padding_ms", param, d.prefix_padding_ms)?,
        silence_duration_ms: integer(t, "silence_duration_ms", param, d.silence_duration_ms)?,
        create_response: boolean(t, "create_response", param, true)?,
        interrupt_response: boolean(t, "interrupt_response", param, true)?,
        eagerness,
    }))
}
