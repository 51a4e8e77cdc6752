//! A session's configuration: its defaults, `session.update` checked field by field as the
//! service checks it (a refusal names the field), and the session object of `session.created`
//! and `session.updated` in the GA shape or the preview's.

use serde_json::{json, Map, Value};

use super::protocol::Protocol;
use crate::errors::Failure;

/// The voices of the realtime models.
pub(crate) const VOICES: &[&str] = &[
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
];
const GA_FORMATS: &[&str] = &["audio/pcm", "audio/pcmu", "audio/pcma"];
const PREVIEW_FORMATS: &[&str] = &["pcm16", "g711_ulaw", "g711_alaw"];
const TURN_TYPES: &[&str] = &["server_vad", "semantic_vad"];
const EAGERNESS: &[&str] = &["low", "medium", "high", "auto"];
const TOOL_CHOICES: &[&str] = &["auto", "none", "required"];
/// Fields of a GA session the emulator accepts and ignores.
const GA_IGNORED: &[&str] = &[
    "model",
    "include",
    "tracing",
    "max_output_tokens",
    "truncation",
    "prompt",
    "parallel_tool_calls",
    "reasoning",
];
/// Fields of a preview session the emulator accepts and ignores.
const PREVIEW_IGNORED: &[&str] = &[
    "model",
    "temperature",
    "max_response_output_tokens",
    "input_audio_noise_reduction",
    "tracing",
    "include",
];

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

    fn to_json(&self) -> Value {
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

/// What a session is configured to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    pub(crate) id: String,
    pub(crate) model: &'static str,
    pub(crate) expires_at: i64,
    pub(crate) instructions: String,
    /// Audio (with its transcript) or text only.
    pub(crate) audio_out: bool,
    pub(crate) voice: String,
    pub(crate) speed: f64,
    /// GA names (`audio/pcm`, ...); the preview's are mapped.
    pub(crate) input_format: String,
    pub(crate) output_format: String,
    pub(crate) turn_detection: Option<TurnDetection>,
    /// The input transcription's settings, when configured.
    pub(crate) transcription: Option<Value>,
    /// Function tools: `{"type":"function","name":...,"parameters":...}`.
    pub(crate) tools: Vec<Value>,
    /// `auto`, `none`, `required`, or `{"type":"function","name":...}`.
    pub(crate) tool_choice: Value,
}

impl Settings {
    pub(crate) fn new(id: String, model: &'static str, expires_at: i64) -> Settings {
        Settings {
            id,
            model,
            expires_at,
            instructions: "You are the Azure OpenAI audio emulator. You repeat what you hear."
                .to_owned(),
            audio_out: true,
            voice: "alloy".to_owned(),
            speed: 1.0,
            input_format: "audio/pcm".to_owned(),
            output_format: "audio/pcm".to_owned(),
            turn_detection: Some(TurnDetection::default()),
            transcription: None,
            tools: Vec::new(),
            tool_choice: json!("auto"),
        }
    }

    /// The session object, as `session.created` and `session.updated` carry it.
    pub(crate) fn to_json(&self, protocol: Protocol) -> Value {
        let turn = self.turn_detection.as_ref().map(TurnDetection::to_json);
        match protocol {
            Protocol::Ga => json!({
                "type": "realtime",
                "object": "realtime.session",
                "id": self.id,
                "model": self.model,
                "output_modalities": [if self.audio_out { "audio" } else { "text" }],
                "instructions": self.instructions,
                "tools": self.tools,
                "tool_choice": self.tool_choice,
                "max_output_tokens": "inf",
                "tracing": null,
                "prompt": null,
                "expires_at": self.expires_at,
                "audio": {
                    "input": {
                        "format": format_json(&self.input_format),
                        "transcription": self.transcription,
                        "noise_reduction": null,
                        "turn_detection": turn,
                    },
                    "output": {
                        "format": format_json(&self.output_format),
                        "voice": self.voice,
                        "speed": self.speed,
                    },
                },
                "include": null,
            }),
            Protocol::Preview => json!({
                "id": self.id,
                "object": "realtime.session",
                "model": self.model,
                "expires_at": self.expires_at,
                "modalities": if self.audio_out { json!(["audio", "text"]) } else { json!(["text"]) },
                "instructions": self.instructions,
                "voice": self.voice,
                "speed": self.speed,
                "input_audio_format": preview_format(&self.input_format),
                "output_audio_format": preview_format(&self.output_format),
                "input_audio_transcription": self.transcription,
                "input_audio_noise_reduction": null,
                "turn_detection": turn,
                "tools": self.tools,
                "tool_choice": self.tool_choice,
                "temperature": 0.8,
                "max_response_output_tokens": "inf",
            }),
        }
    }

    /// Applies `session.update`'s `session`, or refuses it naming the field (and then changes
    /// nothing).
    pub(crate) fn update(&mut self, protocol: Protocol, session: &Value) -> Result<(), Failure> {
        let Value::Object(o) = session else {
            return Err(Failure::wrong_type("session", "an object", session));
        };
        let mut next = self.clone();
        match protocol {
            Protocol::Ga => next.update_ga(o)?,
            Protocol::Preview => next.update_preview(o)?,
        }
        *self = next;
        Ok(())
    }

    fn update_ga(&mut self, o: &Map<String, Value>) -> Result<(), Failure> {
        match o.get("type").and_then(Value::as_str) {
            Some("realtime") => {}
            Some("transcription") => {
                return Err(Failure::invalid(
                    "Passing a transcription session update event to a realtime session is not allowed.",
                    Some("session.type"),
                    "invalid_parameter",
                ))
            }
            Some(other) => {
                return Err(Failure::invalid_value(
                    "session.type",
                    other,
                    &["realtime", "transcription"],
                ))
            }
            None => return Err(Failure::missing("session.type")),
        }
        let known = [
            "type",
            "instructions",
            "output_modalities",
            "audio",
            "tools",
            "tool_choice",
        ];
        unknown(o, "session", &[&known, GA_IGNORED].concat())?;
        self.common(o)?;
        if let Some(m) = o.get("output_modalities") {
            let m = modalities(m, "session.output_modalities")?;
            self.audio_out = match m.as_slice() {
                ["audio"] => true,
                ["text"] => false,
                _ => {
                    return Err(Failure::invalid(
                        "Invalid 'session.output_modalities': expected ['audio'] or ['text'].",
                        Some("session.output_modalities"),
                        "invalid_value",
                    ))
                }
            };
        }
        let Some(audio) = o.get("audio") else {
            return Ok(());
        };
        let audio = object(audio, "session.audio")?;
        unknown(audio, "session.audio", &["input", "output"])?;
        if let Some(input) = audio.get("input") {
            let input = object(input, "session.audio.input")?;
            let keys = [
                "format",
                "transcription",
                "noise_reduction",
                "turn_detection",
            ];
            unknown(input, "session.audio.input", &keys)?;
            if let Some(f) = input.get("format") {
                self.input_format = ga_format(f, "session.audio.input.format")?;
            }
            if let Some(t) = input.get("transcription") {
                self.transcription = transcription(t, "session.audio.input.transcription")?;
            }
            if let Some(t) = input.get("turn_detection") {
                self.turn_detection = turn_detection(t, "session.audio.input.turn_detection")?;
            }
        }
        if let Some(output) = audio.get("output") {
            let output = object(output, "session.audio.output")?;
            unknown(
                output,
                "session.audio.output",
                &["format", "voice", "speed"],
            )?;
            if let Some(f) = output.get("format") {
                self.output_format = ga_format(f, "session.audio.output.format")?;
            }
            if let Some(v) = output.get("voice") {
                self.voice = voice(v, "session.audio.output.voice")?;
            }
            if let Some(s) = output.get("speed") {
                self.speed = speed(s, "session.audio.output.speed")?;
            }
        }
        Ok(())
    }

    fn update_preview(&mut self, o: &Map<String, Value>) -> Result<(), Failure> {
        let known = [
            "instructions",
            "modalities",
            "voice",
            "speed",
            "input_audio_format",
            "output_audio_format",
            "input_audio_transcription",
            "turn_detection",
            "tools",
            "tool_choice",
        ];
        unknown(o, "session", &[&known, PREVIEW_IGNORED].concat())?;
        self.common(o)?;
        if let Some(m) = o.get("modalities") {
            let mut m = modalities(m, "session.modalities")?;
            m.sort_unstable();
            self.audio_out = match m.as_slice() {
                ["audio", "text"] => true,
                ["text"] => false,
                _ => {
                    return Err(Failure::invalid(
                        "Invalid modalities: supported combinations are ['text'] and ['audio', 'text'].",
                        Some("session.modalities"),
                        "invalid_value",
                    ))
                }
            };
        }
        for (key, slot) in [
            ("input_audio_format", &mut self.input_format),
            ("output_audio_format", &mut self.output_format),
        ] {
            if let Some(f) = o.get(key) {
                let param = format!("session.{key}");
                let f = string(f, &param)?;
                let at = PREVIEW_FORMATS.iter().position(|p| *p == f);
                let ga = at.and_then(|i| GA_FORMATS.get(i));
                let Some(ga) = ga else {
                    return Err(Failure::invalid_value(&param, f, PREVIEW_FORMATS));
                };
                *slot = (*ga).to_owned();
            }
        }
        if let Some(v) = o.get("voice") {
            self.voice = voice(v, "session.voice")?;
        }
        if let Some(s) = o.get("speed") {
            self.speed = speed(s, "session.speed")?;
        }
        if let Some(t) = o.get("input_audio_transcription") {
            self.transcription = transcription(t, "session.input_audio_transcription")?;
        }
        if let Some(t) = o.get("turn_detection") {
            self.turn_detection = turn_detection(t, "session.turn_detection")?;
        }
        Ok(())
    }

    /// The fields both protocols share: instructions, tools, tool_choice.
    fn common(&mut self, o: &Map<String, Value>) -> Result<(), Failure> {
        if let Some(i) = o.get("instructions") {
            self.instructions = string(i, "session.instructions")?.to_owned();
        }
        if let Some(t) = o.get("tools") {
            self.tools = tools(t, "session.tools")?;
        }
        if let Some(c) = o.get("tool_choice") {
            self.tool_choice = tool_choice(c, "session.tool_choice")?;
        }
        Ok(())
    }
}

/// `Unknown parameter: 'session.x'.` for the first key not in `known`.
fn unknown(o: &Map<String, Value>, at: &str, known: &[&str]) -> Result<(), Failure> {
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

fn object<'a>(v: &'a Value, param: &str) -> Result<&'a Map<String, Value>, Failure> {
    v.as_object()
        .ok_or_else(|| Failure::wrong_type(param, "an object", v))
}

fn string<'a>(v: &'a Value, param: &str) -> Result<&'a str, Failure> {
    v.as_str()
        .ok_or_else(|| Failure::wrong_type(param, "a string", v))
}

fn boolean(o: &Map<String, Value>, key: &str, at: &str, default: bool) -> Result<bool, Failure> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| Failure::wrong_type(&format!("{at}.{key}"), "a boolean", v)),
    }
}

fn integer(o: &Map<String, Value>, key: &str, at: &str, default: u64) -> Result<u64, Failure> {
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

fn ga_format(v: &Value, param: &str) -> Result<String, Failure> {
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

fn format_json(ga: &str) -> Value {
    if ga == "audio/pcm" {
        json!({"type": ga, "rate": 24_000})
    } else {
        json!({ "type": ga })
    }
}

fn preview_format(ga: &str) -> &'static str {
    let at = GA_FORMATS.iter().position(|f| *f == ga).unwrap_or(0);
    PREVIEW_FORMATS.get(at).copied().unwrap_or("pcm16")
}

fn voice(v: &Value, param: &str) -> Result<String, Failure> {
    let voice = string(v, param)?;
    if !VOICES.contains(&voice) {
        return Err(Failure::invalid_value(param, voice, VOICES));
    }
    Ok(voice.to_owned())
}

fn speed(v: &Value, param: &str) -> Result<f64, Failure> {
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

fn transcription(v: &Value, param: &str) -> Result<Option<Value>, Failure> {
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

fn turn_detection(v: &Value, param: &str) -> Result<Option<TurnDetection>, Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::new("sess_1".into(), "gpt-realtime-2025-08-28", 0)
    }

    fn param(protocol: Protocol, session: Value) -> String {
        let e = settings().update(protocol, &session).unwrap_err();
        e.body["error"]["param"].as_str().unwrap_or("").to_owned()
    }

    #[test]
    fn ga_updates_apply_and_show_in_the_session() {
        let mut s = settings();
        s.update(
            Protocol::Ga,
            &json!({"type": "realtime", "output_modalities": ["text"], "audio": {
                "input": {"turn_detection": null, "transcription": {"model": "whisper-1"}},
                "output": {"voice": "marin", "speed": 1.2},
            }}),
        )
        .unwrap();
        let j = s.to_json(Protocol::Ga);
        assert_eq!(j["output_modalities"], json!(["text"]));
        assert_eq!(j["audio"]["output"]["voice"], "marin");
        assert_eq!(j["audio"]["input"]["turn_detection"], Value::Null);
        assert_eq!(
            j["audio"]["input"]["format"],
            json!({"type": "audio/pcm", "rate": 24000})
        );
        assert_eq!(s.transcription, Some(json!({"model": "whisper-1"})));
    }

    #[test]
    fn refusals_name_the_field_and_change_nothing() {
        let ga = Protocol::Ga;
        assert_eq!(param(ga, json!({})), "session.type");
        assert_eq!(
            param(
                ga,
                json!({"type": "realtime", "audio": {"output": {"voice": "robot"}}})
            ),
            "session.audio.output.voice"
        );
        assert_eq!(
            param(
                ga,
                json!({"type": "realtime", "audio": {"input": {"turn_detection": {"type": "push"}}}})
            ),
            "session.audio.input.turn_detection.type"
        );
        assert_eq!(
            param(
                ga,
                json!({"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}})
            ),
            "session.audio.input.format.rate"
        );
        assert_eq!(
            param(
                ga,
                json!({"type": "realtime", "output_modalities": ["audio", "text"]})
            ),
            "session.output_modalities"
        );
        assert_eq!(
            param(ga, json!({"type": "realtime", "voice": "alloy"})),
            "session.voice"
        );
        assert_eq!(
            param(
                ga,
                json!({"type": "realtime", "tools": [{"type": "function"}]})
            ),
            "session.tools[0].name"
        );
        let p = Protocol::Preview;
        assert_eq!(
            param(p, json!({"modalities": ["audio"]})),
            "session.modalities"
        );
        assert_eq!(
            param(p, json!({"input_audio_format": "mp3"})),
            "session.input_audio_format"
        );
        let mut s = settings();
        let before = s.clone();
        assert!(s
            .update(
                ga,
                &json!({"type": "realtime", "instructions": "x", "audio": {"output": {"speed": 9}}})
            )
            .is_err());
        assert_eq!(s, before);
    }

    #[test]
    fn preview_shape_uses_the_beta_names() {
        let mut s = settings();
        s.update(
            Protocol::Preview,
            &json!({"modalities": ["text", "audio"], "voice": "echo", "output_audio_format": "g711_ulaw",
                    "turn_detection": {"type": "semantic_vad", "eagerness": "high"}}),
        )
        .unwrap();
        let j = s.to_json(Protocol::Preview);
        assert_eq!(j["modalities"], json!(["audio", "text"]));
        assert_eq!(j["output_audio_format"], "g711_ulaw");
        assert_eq!(j["turn_detection"]["type"], "semantic_vad");
        assert_eq!(s.turn_detection.unwrap().silence_ms(), 250);
    }
}
