//! A session's configuration: its defaults, `session.update` checked field by field as the
//! service checks it (a refusal names the field), and the session object of `session.created`
//! and `session.updated` in the GA shape or the preview's.

use serde_json::{json, Map, Value};

use super::fields::{
    format_json, ga_format, modalities, object, preview_format, speed, string, tool_choice, tools,
    transcription, unknown, voice, GA_FORMATS, PREVIEW_FORMATS,
};
use super::protocol::Protocol;
use super::turn_detection::{self, TurnDetection};
use crate::errors::Failure;

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
                self.turn_detection =
                    turn_detection::parse(t, "session.audio.input.turn_detection")?;
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
            self.turn_detection = turn_detection::parse(t, "session.turn_detection")?;
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
