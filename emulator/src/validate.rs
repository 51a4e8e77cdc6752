//! Checking a chat completions request as the service does, and reading what the reply needs.

use base64::Engine as _;
use serde_json::Value;

use super::errors::Failure;
use super::measure::{measure, Measured};
use super::store::{AudioStore, Lookup};
/// The most audio an `input_audio` part may hold, decoded: the service's 20 MiB.
pub(crate) const MAX_INPUT_AUDIO_BYTES: u64 = 20 * 1024 * 1024;

/// The voices the emulator speaks with (the SDK's `Voice` values).
pub(crate) const VOICES: &[&str] = &[
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
    "marin", "cedar",
];
/// The output formats the service knows.
const FORMATS: &[&str] = &["wav", "mp3", "flac", "opus", "pcm16", "aac"];
const ROLES: &[&str] = &[
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];
const PART_TYPES: &[&str] = &["text", "image_url", "input_audio"];
const INPUT_FORMATS: &[&str] = &["wav", "mp3"];

/// Standard base64; padding accepted but not required.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The encodings the emulator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutFormat {
    /// RIFF WAV, 24 kHz mono 16-bit.
    Wav,
    /// Raw 16-bit little-endian PCM, 24 kHz mono.
    Pcm16,
}

/// A checked request: what to answer, and what the answer is about.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// `Some((voice, format))` for a spoken reply.
    pub(crate) audio: Option<(String, OutFormat)>,
    /// `stream: true`.
    pub(crate) stream: bool,
    /// `stream_options.include_usage: true`.
    pub(crate) include_usage: bool,
    /// The text parts of the last user message.
    pub(crate) said: Vec<String>,
    /// The audio parts of the last user message, measured.
    pub(crate) heard: Vec<Measured>,
    /// How many earlier spoken replies the request cites by id.
    pub(crate) cited: usize,
    /// Characters of text in all messages.
    pub(crate) prompt_chars: usize,
    /// Seconds of input audio in all messages.
    pub(crate) prompt_audio_seconds: f64,
    /// How many messages.
    pub(crate) messages: usize,
}

/// Checks `body` (already parsed JSON) at `now` (unix seconds).
pub(crate) fn validate(body: &Value, store: &AudioStore, now: i64) -> Result<Plan, Failure> {
    let Value::Object(body) = body else {
        return Err(Failure::wrong_type("body", "an object", body));
    };
    let messages = match body.get("messages") {
        None | Some(Value::Null) => return Err(Failure::missing("messages")),
        Some(Value::Array(m)) if m.is_empty() => {
            return Err(Failure::invalid(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                Some("messages"),
                "empty_array",
            ))
        }
        Some(Value::Array(m)) => m,
        Some(other) => return Err(Failure::wrong_type("messages", "an array", other)),
    };
    let wants_audio = modalities(body.get("modalities"))?;
    let audio = match (wants_audio, body.get("audio")) {
        (true, None | Some(Value::Null)) => {
            return Err(Failure::invalid(
                "Missing required parameter: 'audio'. It is required when 'modalities' includes 'audio'.",
                Some("audio"),
                "missing_required_parameter",
            ))
        }
        (true, Some(a)) => Some(audio_param(a)?),
        (false, _) => None,
    };
    let stream = flag(body.get("stream"), "stream")?;
    let include_usage = match body.get("stream_options") {
        None | Some(Value::Null) => false,
        Some(Value::Object(o)) => flag(o.get("include_usage"), "stream_options.include_usage")?,
        Some(other) => return Err(Failure::wrong_type("stream_options", "an object", other)),
    };
    if let (true, Some((_, OutFormat::Wav))) = (stream, &audio) {
        return Err(Failure::invalid(
            "Unsupported value: 'audio.format' does not support 'wav' when 'stream' is true. Supported values are: 'pcm16'.",
            Some("audio.format"),
            "unsupported_value",
        ));
    }
    let mut plan = Plan {
        audio,
        stream,
        include_usage,
        said: Vec::new(),
        heard: Vec::new(),
        cited: 0,
        prompt_chars: 0,
        prompt_audio_seconds: 0.0,
        messages: messages.len(),
    };
    for (i, message) in messages.iter().enumerate() {
        check_message(i, message, store, now, &mut plan)?;
    }
    Ok(plan)
}

/// True when `modalities` includes `audio`.
fn modalities(value: Option<&Value>) -> Result<bool, Failure> {
    let list = match value {
        None | Some(Value::Null) => return Ok(false),
        Some(Value::Array(list)) => list,
        Some(other) => return Err(Failure::wrong_type("modalities", "an array", other)),
    };
    let mut audio = false;
    for (i, m) in list.iter().enumerate() {
        match m.as_str() {
            Some("audio") => audio = true,
            Some("text") => {}
            Some(other) => {
                return Err(Failure::invalid_value(
                    &format!("modalities[{i}]"),
                    other,
                    &["text", "audio"],
                ))
            }
            None => {
                return Err(Failure::wrong_type(
                    &format!("modalities[{i}]"),
                    "a string",
                    m,
                ))
            }
        }
    }
    Ok(audio)
}

fn audio_param(value: &Value) -> Result<(String, OutFormat), Failure> {
    let Value::Object(a) = value else {
        return Err(Failure::wrong_type("audio", "an object", value));
    };
    let voice = required_str(a.get("voice"), "audio.voice")?;
    let format = required_str(a.get("format"), "audio.format")?;
    if !VOICES.contains(&voice) {
        return Err(Failure::invalid_value("audio.voice", voice, VOICES));
    }
    let format = match format {
        "wav" => OutFormat::Wav,
        "pcm16" => OutFormat::Pcm16,
        other if FORMATS.contains(&other) => {
            return Err(Failure::invalid(
                format!("Unsupported value: the offline emulator does not produce '{other}' audio (it has no {other} encoder). Ask it for 'wav' or 'pcm16'; the real service produces all of {}.", FORMATS.join(", ")),
                Some("audio.format"),
                "unsupported_value",
            ))
        }
        other => return Err(Failure::invalid_value("audio.format", other, FORMATS)),
    };
    Ok((voice.to_owned(), format))
}

fn required_str<'a>(value: Option<&'a Value>, param: &str) -> Result<&'a str, Failure> {
    match value {
        None | Some(Value::Null) => Err(Failure::missing(param)),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Failure::wrong_type(param, "a string", other)),
    }
}

fn flag(value: Option<&Value>, param: &str) -> Result<bool, Failure> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Failure::wrong_type(param, "a boolean", other)),
    }
}

fn check_message(
    i: usize,
    message: &Value,
    store: &AudioStore,
    now: i64,
    plan: &mut Plan,
) -> Result<(), Failure> {
    let at = format!("messages[{i}]");
    let Value::Object(m) = message else {
        return Err(Failure::wrong_type(&at, "an object", message));
    };
    let role = required_str(m.get("role"), &format!("{at}.role"))?;
    if !ROLES.contains(&role) {
        return Err(Failure::invalid_value(&format!("{at}.role"), role, ROLES));
    }
    match role {
        "user" => {
            let content = match m.get("content") {
                None | Some(Value::Null) => return Err(Failure::missing(&format!("{at}.content"))),
                Some(c) => c,
            };
            let (said, heard) = content_parts(&at, content)?;
            plan.prompt_chars += said.iter().map(|s| s.chars().count()).sum::<usize>();
            plan.prompt_audio_seconds += heard.iter().map(|h| h.seconds).sum::<f64>();
            // Every user message replaces the last one: what remains is the last.
            plan.said = said;
            plan.heard = heard;
        }
        "assistant" => {
            if let Some(audio) = m.get("audio").filter(|a| !a.is_null()) {
                let param = format!("{at}.audio.id");
                let Value::Object(a) = audio else {
                    return Err(Failure::wrong_type(
                        &format!("{at}.audio"),
                        "an object",
                        audio,
                    ));
                };
                let id = required_str(a.get("id"), &param)?;
                match store.lookup(id, now) {
                    Lookup::Valid => plan.cited += 1,
                    Lookup::Expired => {
                        return Err(Failure::invalid(
                            format!("Audio with id '{id}' has expired and can no longer be referenced. Send the transcript of that reply as assistant text instead."),
                            Some(&param),
                            "invalid_value",
                        ))
                    }
                    Lookup::Unknown => {
                        return Err(Failure::invalid(
                            format!("Audio with id '{id}' not found."),
                            Some(&param),
                            "invalid_value",
                        ))
                    }
                }
            }
            if let Some(Value::String(s)) = m.get("content") {
                plan.prompt_chars += s.chars().count();
            }
        }
        _ => match m.get("content") {
            Some(Value::String(s)) => plan.prompt_chars += s.chars().count(),
            Some(content @ Value::Array(_)) => {
                let (said, _) = content_parts(&at, content)?;
                plan.prompt_chars += said.iter().map(|s| s.chars().count()).sum::<usize>();
            }
            _ => {}
        },
    }
    Ok(())
}

/// The text and measured audio of a user message's content (a string or a list of parts).
fn content_parts(at: &str, content: &Value) -> Result<(Vec<String>, Vec<Measured>), Failure> {
    let parts = match content {
        Value::String(s) => return Ok((vec![s.clone()], Vec::new())),
        Value::Array(parts) => parts,
        other => {
            return Err(Failure::wrong_type(
                &format!("{at}.content"),
                "a string or an array",
                other,
            ))
        }
    };
    let mut said = Vec::new();
    let mut heard = Vec::new();
    for (j, part) in parts.iter().enumerate() {
        let at = format!("{at}.content[{j}]");
        let Value::Object(p) = part else {
            return Err(Failure::wrong_type(&at, "an object", part));
        };
        let kind = required_str(p.get("type"), &format!("{at}.type"))?;
        match kind {
            "text" => said.push(required_str(p.get("text"), &format!("{at}.text"))?.to_owned()),
            "image_url" => {}
            "input_audio" => heard.push(input_audio(&at, p.get("input_audio"))?),
            other => {
                return Err(Failure::invalid_value(
                    &format!("{at}.type"),
                    other,
                    PART_TYPES,
                ))
            }
        }
    }
    Ok((said, heard))
}

fn input_audio(at: &str, value: Option<&Value>) -> Result<Measured, Failure> {
    let at = format!("{at}.input_audio");
    let audio = match value {
        None | Some(Value::Null) => return Err(Failure::missing(&at)),
        Some(Value::Object(a)) => a,
        Some(other) => return Err(Failure::wrong_type(&at, "an object", other)),
    };
    let data_param = format!("{at}.data");
    let data = required_str(audio.get("data"), &data_param)?;
    let format_param = format!("{at}.format");
    let format = required_str(audio.get("format"), &format_param)?;
    if !INPUT_FORMATS.contains(&format) {
        return Err(Failure::invalid_value(&format_param, format, INPUT_FORMATS));
    }
    // Refuse oversized audio before decoding it (3 bytes per 4 characters, less padding).
    let decoded_len = (data.len() / 4 * 3) as u64;
    if decoded_len > MAX_INPUT_AUDIO_BYTES + 3 {
        return Err(too_large(&data_param, decoded_len));
    }
    let bytes = BASE64.decode(data).map_err(|_| {
        Failure::invalid(
            format!("Invalid value for '{data_param}': the audio data is not valid base64."),
            Some(&data_param),
            "invalid_value",
        )
    })?;
    if bytes.len() as u64 > MAX_INPUT_AUDIO_BYTES {
        return Err(too_large(&data_param, bytes.len() as u64));
    }
    measure(format, &bytes).map_err(|_| {
        Failure::invalid(
            "The audio file could not be decoded or its format is not supported.",
            Some(&data_param),
            "invalid_value",
        )
    })
}

fn too_large(param: &str, len: u64) -> Failure {
    Failure::invalid(
        format!("Invalid '{param}': the audio is {len} bytes; the maximum is {MAX_INPUT_AUDIO_BYTES} bytes (20 MB)."),
        Some(param),
        "audio_too_large",
    )
}
