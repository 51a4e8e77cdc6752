//! The text-to-speech request and its checks.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::audio::Voice;
use crate::error::{Error, Result};
use crate::macros::setters;
use crate::speech::{SpeechFormat, StreamFormat};

/// The most characters `input` (and `instructions`) may have: Unicode characters (`char`s),
/// not bytes, so "é" counts once.
pub const MAX_INPUT_CHARS: usize = 4096;

/// The speeds the service accepts (`1.0` is normal).
pub const SPEED_RANGE: RangeInclusive<f32> = 0.25..=4.0;

/// A text-to-speech request (`POST .../audio/speech`).
///
/// [`check`](SpeechRequest::check) refuses, before anything is sent, what the service would
/// refuse: an empty `input`, one over [`MAX_INPUT_CHARS`] characters, a `speed` outside
/// [`SPEED_RANGE`]. `stream_format` is set by the call that sends the request (the audio call
/// or the event-stream call), not by a setter, so a reply is always read the way it was asked
/// for. Fields the crate does not model yet can be added with [`extra`](SpeechRequest::extra).
/// Serializes to the JSON body sent (and back, to store a request).
///
/// ```
/// use azure_openai_audio::{SpeechRequest, Voice};
/// let request = SpeechRequest::new("hello, world!", Voice::Alloy).model("tts".into());
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({"model": "tts", "input": "hello, world!", "voice": "alloy"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeechRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    input: String,
    voice: Voice,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_format: Option<SpeechFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    speed: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_format: Option<StreamFormat>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// The top-level fields [`SpeechRequest`] serializes itself.
const MODELED_FIELDS: &[&str] = &[
    "model",
    "input",
    "voice",
    "instructions",
    "response_format",
    "speed",
    "stream_format",
];

impl SpeechRequest {
    /// A request to speak `input` with `voice`, in the service's default format (mp3).
    pub fn new(input: impl Into<String>, voice: impl Into<Voice>) -> Self {
        SpeechRequest {
            model: None,
            input: input.into(),
            voice: voice.into(),
            instructions: None,
            response_format: None,
            speed: None,
            stream_format: None,
            extra: Map::new(),
        }
    }

    setters! {
        /// The model name in the body. Needed only on the `/openai/v1` route, where the client sets it from the deployment unless you do.
        model: String,
        /// The encoding of the audio (mp3 when unset).
        response_format: SpeechFormat,
        /// How fast to speak, within [`SPEED_RANGE`] (`1.0` when unset).
        speed: f32,
    }

    /// How to speak: tone, accent, pace (`gpt-4o-mini-tts`; `tts` and `tts-hd` ignore it). At
    /// most [`MAX_INPUT_CHARS`] characters.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Replaces the voice.
    pub fn voice(mut self, voice: impl Into<Voice>) -> Self {
        self.voice = voice.into();
        self
    }

    /// Adds a JSON field the crate does not model; it is sent as given, at the top level.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// The text to speak.
    pub fn input_ref(&self) -> &str {
        &self.input
    }

    /// The voice.
    pub fn voice_ref(&self) -> &Voice {
        &self.voice
    }

    /// The model field, if set.
    pub fn model_ref(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The encoding asked for, if set (the service's default is mp3).
    pub fn response_format_ref(&self) -> Option<&SpeechFormat> {
        self.response_format.as_ref()
    }

    /// The speed, if set.
    pub fn speed_ref(&self) -> Option<f32> {
        self.speed
    }

    /// The `stream_format` the sending call set, if any.
    pub fn stream_format_ref(&self) -> Option<&StreamFormat> {
        self.stream_format.as_ref()
    }

    /// Sets the model from the deployment on the `/openai/v1` route, unless the caller did.
    pub(crate) fn set_model_if_unset(&mut self, model: &str) {
        if self.model.is_none() {
            self.model = Some(model.to_owned());
        }
    }

    /// Sets `stream_format`: the audio call leaves it to the service's default (audio), the
    /// event-stream call sets [`StreamFormat::Sse`].
    pub(crate) fn set_stream_format(&mut self, format: Option<StreamFormat>) {
        self.stream_format = format;
    }

    /// Refuses what the service would refuse, before anything is sent, with an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the limit and
    /// the value: an empty `input`; `input` or `instructions` over [`MAX_INPUT_CHARS`]
    /// characters (counted as Unicode characters, not bytes); a `speed` outside
    /// [`SPEED_RANGE`] (or not a number); an [`extra`](SpeechRequest::extra) field the request
    /// sets itself.
    ///
    /// ```
    /// use azure_openai_audio::{ErrorKind, SpeechRequest, Voice};
    /// let err = SpeechRequest::new("hi", Voice::Alloy).speed(5.0).check().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// assert_eq!(err.to_string(), "invalid input: `speed` is 5, outside 0.25 to 4.0");
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.input.is_empty() {
            return Err(Error::invalid_input(
                "`input` is empty: there is nothing to speak",
            ));
        }
        check_length("input", &self.input)?;
        if let Some(instructions) = &self.instructions {
            check_length("instructions", instructions)?;
        }
        if let Some(speed) = self.speed {
            if !SPEED_RANGE.contains(&speed) {
                return Err(Error::invalid_input(format!(
                    "`speed` is {speed}, outside {:.2} to {:.1}",
                    SPEED_RANGE.start(),
                    SPEED_RANGE.end()
                )));
            }
        }
        if let Some(key) = self
            .extra
            .keys()
            .find(|k| MODELED_FIELDS.contains(&k.as_str()))
        {
            return Err(Error::invalid_input(format!(
                "`{key}` cannot be an extra field: the request sets it (use its setter)"
            )));
        }
        Ok(())
    }
}

/// Refuses text over [`MAX_INPUT_CHARS`] characters, counting `char`s (never more than needed).
fn check_length(field: &str, text: &str) -> Result<()> {
    // A text of at most MAX_INPUT_CHARS bytes cannot have more characters: no count needed.
    if text.len() <= MAX_INPUT_CHARS || text.chars().nth(MAX_INPUT_CHARS).is_none() {
        return Ok(());
    }
    Err(Error::invalid_input(format!(
        "`{field}` is {} characters long, over the limit of {MAX_INPUT_CHARS} (Unicode characters, not bytes)",
        text.chars().count()
    )))
}

#[cfg(test)]
#[path = "request/tests.rs"]
mod tests;
