//! The checks of a session's fields, shared by `session.update` and `response.create`: each
//! refusal names the field, as the service does.

use serde_json::{json, Map, Value};

use crate::errors::Failure;

/// The voices of the realtime models.
pub(crate) const VOICES: &[&str] = &[
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
];
pub(crate) const GA_FORMATS: &[&str] = &["audio/pcm", "audio/pcmu", "audio/pcma"];
pub(crate) const PREVIEW_FORMATS: &[&str] = &["pcm16", "g711_ulaw", "g711_alaw"];
pub(crate) const TOOL_CHOICES: &[&str] = &["auto", "none", "required"];

/// `Unknown parameter: 'session.x'.` for the first key not in `known`.
pub(crate) fn unknown(o: &Map<String, Value>, at: &str, known: &[&str]) -> Result<(), Failure> {
    match o.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => {
            let param = format!("{at}.{k}");
            Err(Failure::invalid(
                format!("Unknown parameter: '{param}'."),
                Some(&param),
                "unknown_parameter",
            ))
        }
        None => Ok(()),
    }
}

pub(crate) fn object<'a>(v: &'a Value, param: &str) -> Result<&'a Map<String, Value>, Failure> {
    v.as_object()
        .ok_or_else(|| Failure::wrong_type(param, "an object", v))
}

pub(crate) fn string<'a>(v: &'a Value, param: &str) -> Result<&'a str, Failure> {
    v.as_str()
        .ok_or_else(|| Failure::wrong_type(param, "a string", v))
}

pub(crate) fn boolean(
    o: &Map<String, Value>,
    key: &str,
    at: &str,
    default: bool,
) -> Result<bool, Failure> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| Failure::wrong_type(&format!("{at}.{key}"), "a boolean", v)),
    }
}

pub(crate) fn integer(
    o: &Map<String, Value>,
    key: &str,
    at: &str,
    default: u64,
) -> Result<u64, Failure> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v.as_u64().ok_or_else(|| {
            Failure::wrong_type(&format!("{at}.{key}"), "a non-negative integer", v)
        }),
    }
}

/// The output modalities, each `text` or `audio`.
pub(crate) fn modalities<'a>(v: &'a Value, param: &str) -> Result<Vec<&'a str>, Failure> {
    let Value::Array(items) = v else {
        return Err(Failure::wrong_type(param, "an array", v));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{param}[{i}]");
        let m = string(item, &at)?;
        if m != "text" && m != "audio" {
            return Err(Failure::invalid_value(&at, m, &["text", "audio"]));
        }
        out.push(m);
    }
    Ok(out)
}

pub(crate) fn ga_format(v: &Value, param: &str) -> Result<String, Failure> {
    let f = object(v, param)?;
    let kind = f
        .get("type")
        .ok_or_else(|| Failure::missing(&format!("{param}.type")))?;
    let kind = string(kind, &format!("{param}.type"))?;
    if !GA_FORMATS.contains(&kind) {
        return Err(Failure::invalid_value(
            &format!("{param}.type"),
            kind,
            GA_FORMATS,
        ));
    }
    if let Some(rate) = f.get("rate") {
        if kind != "audio/pcm" || rate.as_u64() != Some(24_000) {
            return Err(Failure::invalid_value(
                &format!("{param}.rate"),
                &rate.to_string(),
                &["24000"],
            ));
        }
    }
    Ok(kind.to_owned())
}

pub(crate) fn format_json(ga: &str) -> Value {
    if ga == "audio/pcm" {
        json!({"type": ga, "rate": 24_000})
    } else {
        json!({ "type": ga })
    }
}

pub(crate) fn preview_format(ga: &str) -> &'static str {
    let at = GA_FORMATS.iter().position(|f| *f == ga).unwrap_or(0);
    PREVIEW_FORMATS.get(at).copied().unwrap_or("pcm16")
}

pub(crate) fn voice(v: &Value, param: &str) -> Result<String, Failure> {
    let voice = string(v, param)?;
    if !VOICES.contains(&voice) {
        return Err(Failure::invalid_value(param, voice, VOICES));
    }
    Ok(voice.to_owned())
}

pub(crate) fn speed(v: &Value, param: &str) -> Result<f64, Failure> {
    let s = v
        .as_f64()
        .ok_or_else(|| Failure::wrong_type(param, "a number", v))?;
    if !(0.25..=1.5).contains(&s) {
        return Err(Failure::invalid(
            format!("Invalid '{param}': {s}. Expected a value between 0.25 and 1.5."),
            Some(param),
            "decimal_out_of_range",
        ));
    }
    Ok(s)
}

pub(crate) fn transcription(v: &Value, param: &str) -> Result<Option<Value>, Failure> {
    if v.is_null() {
        return Ok(None);
    }
    let t = object(v, param)?;
    unknown(t, param, &["model", "language", "prompt"])?;
    for key in ["model", "language", "prompt"] {
        if let Some(s) = t.get(key) {
            string(s, &format!("{param}.{key}"))?;
        }
    }
    let mut t = t.clone();
    t.entry("model").or_insert_with(|| json!("whisper-1"));
    Ok(Some(Value::Object(t)))
}

/// Function tools: each needs `type: function` and a `name`.
pub(crate) fn tools(v: &Value, param: &str) -> Result<Vec<Value>, Failure> {
    let Value::Array(items) = v else {
        return Err(Failure::wrong_type(param, "an array", v));
    };
    for (i, tool) in items.iter().enumerate() {
        let at = format!("{param}[{i}]");
        let t = object(tool, &at)?;
        match t.get("type").map(|k| string(k, &format!("{at}.type"))) {
            Some(Ok("function")) | None => {}
            Some(Ok(other)) => {
                return Err(Failure::invalid_value(
                    &format!("{at}.type"),
                    other,
                    &["function", "mcp"],
                ))
            }
            Some(Err(e)) => return Err(e),
        }
        match t.get("name") {
            Some(Value::String(n)) if !n.is_empty() => {}
            Some(other) => {
                return Err(Failure::wrong_type(
                    &format!("{at}.name"),
                    "a string",
                    other,
                ))
            }
            None => return Err(Failure::missing(&format!("{at}.name"))),
        }
    }
    Ok(items.clone())
}

/// `auto`, `none`, `required` or `{"type":"function","name":...}`.
pub(crate) fn tool_choice(v: &Value, param: &str) -> Result<Value, Failure> {
    match v {
        Value::String(s) if TOOL_CHOICES.contains(&s.as_str()) => Ok(v.clone()),
        Value::String(s) => Err(Failure::invalid_value(param, s, TOOL_CHOICES)),
        Value::Object(o) if o.get("name").is_some_and(Value::is_string) => Ok(v.clone()),
        Value::Object(_) => Err(Failure::missing(&format!("{param}.name"))),
        other => Err(Failure::wrong_type(param, "a string or an object", other)),
    }
}
