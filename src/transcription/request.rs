//! The transcription request: its options, its checks, and its form fields.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::macros::setters;
use crate::transcription::speakers::{KnownSpeaker, MAX_KNOWN_SPEAKERS};
use crate::transcription::{
    ChunkingStrategy, TimestampGranularity, TranscriptionFormat, TranscriptionInclude,
};

/// The temperatures the service accepts.
pub const TEMPERATURE_RANGE: RangeInclusive<f32> = 0.0..=1.0;

/// One text field of the multipart form: its name (`model`, `include[]`, ...) and its value.
pub type FormField = (Cow<'static, str>, String);

/// The names of the form fields the request sets itself (and `file`, the audio's part).
const MODELED_FIELDS: &[&str] = &[
    "file",
    "model",
    "language",
    "prompt",
    "response_format",
    "temperature",
    "timestamp_granularities",
    "include",
    "chunking_strategy",
    "known_speaker_names",
    "known_speaker_references",
    "stream",
];

/// The options of a transcription (`POST .../audio/transcriptions`, a multipart form); the
/// audio file is given to the call that sends it.
///
/// [`check`](TranscriptionRequest::check) refuses, before anything is sent, the combinations
/// the service refuses (each error names the value): `timestamp_granularities` without
/// `verbose_json`, `include: logprobs` with a format other than `json`, `stream` with a whisper
/// model, a `language` that is not an ISO-639-1 code, a temperature outside 0 to 1, more than
/// four known speakers. `stream` is set by the streaming call, not by a setter.
///
/// Serializes to JSON (to store a request); [`form_fields`](TranscriptionRequest::form_fields)
/// gives what is sent.
///
/// ```
/// use azure_openai_audio::{TimestampGranularity, TranscriptionFormat, TranscriptionRequest};
/// let request = TranscriptionRequest::new()
///     .language("en")
///     .response_format(TranscriptionFormat::VerboseJson)
///     .timestamp_granularities([TimestampGranularity::Word, TimestampGranularity::Segment]);
/// request.check()?;
/// let fields: Vec<(String, String)> = request
///     .form_fields()
///     .into_iter()
///     .map(|(name, value)| (name.into_owned(), value))
///     .collect();
/// assert_eq!(fields[2], ("timestamp_granularities[]".to_owned(), "word".to_owned()));
/// # Ok::<(), azure_openai_audio::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_format: Option<TranscriptionFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) timestamp_granularities: Vec<TimestampGranularity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) include: Vec<TranscriptionInclude>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) chunking_strategy: Option<ChunkingStrategy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) known_speakers: Vec<KnownSpeaker>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) stream: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) extra: Vec<(String, String)>,
}

impl TranscriptionRequest {
    /// Options with nothing set: the service's defaults (`json`, no language hint).
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// The model name in the form. Needed only on the `/openai/v1` route, where the client sets it from the deployment unless you do.
        model: String,
        /// The format of the reply (`json` when unset).
        response_format: TranscriptionFormat,
        /// Sampling temperature, 0 to 1 (0: the model raises it as needed).
        temperature: f32,
        /// How to cut the audio into chunks.
        chunking_strategy: ChunkingStrategy,
    }

    /// The language of the audio as an ISO-639-1 code (`en`, `fr`): faster and more accurate.
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language = Some(code.into());
        self
    }

    /// Text to guide the style or continue a previous segment, in the audio's language.
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Which timestamps a `verbose_json` reply carries.
    pub fn timestamp_granularities(
        mut self,
        granularities: impl IntoIterator<Item = TimestampGranularity>,
    ) -> Self {
        self.timestamp_granularities = granularities.into_iter().collect();
        self
    }

    /// Extra outputs (`logprobs`).
    pub fn include(mut self, include: impl IntoIterator<Item = TranscriptionInclude>) -> Self {
        self.include = include.into_iter().collect();
        self
    }

    /// Adds a speaker the diarize model should recognise (at most [`MAX_KNOWN_SPEAKERS`]).
    pub fn known_speaker(mut self, speaker: KnownSpeaker) -> Self {
        self.known_speakers.push(speaker);
        self
    }

    /// Adds a form field the crate does not model, sent after the others as given (repeat a
    /// `name[]` for an array).
    pub fn extra_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// The model field, if set.
    pub fn model_ref(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The reply format asked for, if set (`json` otherwise).
    pub fn response_format_ref(&self) -> Option<&TranscriptionFormat> {
        self.response_format.as_ref()
    }

    /// True when the streaming call set `stream`.
    pub fn is_stream(&self) -> bool {
        self.stream
    }

    /// Sets the model from the deployment on the `/openai/v1` route, unless the caller did.
    pub(crate) fn set_model_if_unset(&mut self, model: &str) {
        if self.model.is_none() {
            self.model = Some(model.to_owned());
        }
    }

    /// Marks the request as streamed (`stream=true`). Only the streaming call does this.
    pub(crate) fn set_streaming(&mut self) {
        self.stream = true;
    }

    /// Refuses, before anything is sent, what the service would refuse, with an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the value (see
    /// the type's documentation for the list). Model rules apply to the `model` field when it
    /// is set; on the deployments route the model behind a deployment is not known to the
    /// crate (a deployment's name is not a model), so use
    /// [`check_for_model`](TranscriptionRequest::check_for_model) to apply them.
    pub fn check(&self) -> Result<()> {
        if let Some(language) = &self.language {
            check_language(language)?;
        }
        if let Some(t) = self.temperature {
            if !TEMPERATURE_RANGE.contains(&t) {
                return Err(Error::invalid_input(format!(
                    "`temperature` is {t}, outside 0 to 1"
                )));
            }
        }
        let format = self.response_format.as_ref();
        if !self.timestamp_granularities.is_empty()
            && format != Some(&TranscriptionFormat::VerboseJson)
        {
            return Err(Error::invalid_input(format!(
                "`timestamp_granularities` ({}) needs `response_format: verbose_json`, not {}",
                names(&self.timestamp_granularities, TimestampGranularity::as_str),
                TranscriptionFormat::name_or_default(format)
            )));
        }
        if self.include.contains(&TranscriptionInclude::Logprobs)
            && !TranscriptionFormat::is_json_or_default(format)
        {
            return Err(Error::invalid_input(format!(
                "`include: logprobs` needs `response_format: json`, not {}",
                TranscriptionFormat::name_or_default(format)
            )));
        }
        if let Some(ChunkingStrategy::ServerVad(vad)) = &self.chunking_strategy {
            if let Some(t) = vad.threshold.filter(|t| !(0.0..=1.0).contains(t)) {
                return Err(Error::invalid_input(format!(
                    "the server VAD `threshold` is {t}, outside 0 to 1"
                )));
            }
        }
        if self.known_speakers.len() > MAX_KNOWN_SPEAKERS {
            return Err(Error::invalid_input(format!(
                "{} known speakers, over the limit of {MAX_KNOWN_SPEAKERS}",
                self.known_speakers.len()
            )));
        }
        self.known_speakers
            .iter()
            .try_for_each(KnownSpeaker::check)?;
        if let Some((name, _)) = self
            .extra
            .iter()
            .find(|(name, _)| MODELED_FIELDS.contains(&name.strip_suffix("[]").unwrap_or(name)))
        {
            return Err(Error::invalid_input(format!(
                "`{name}` cannot be an extra field: the request sets it (use its setter)"
            )));
        }
        match &self.model {
            Some(model) => self.check_model_rules(model),
            None => Ok(()),
        }
    }

    /// [`check`](TranscriptionRequest::check), plus the rules of `model` (the model behind the
    /// deployment, e.g. `whisper`, `gpt-4o-transcribe-diarize`): whisper models cannot stream;
    /// the diarize model takes no `prompt` and no `include`.
    ///
    /// ```
    /// use azure_openai_audio::{TranscriptionInclude, TranscriptionRequest};
    /// let request = TranscriptionRequest::new().include([TranscriptionInclude::Logprobs]);
    /// request.check_for_model("gpt-4o-mini-transcribe")?;
    /// let err = request.check_for_model("gpt-4o-transcribe-diarize").unwrap_err();
    /// assert!(err.to_string().contains("`include` is not supported by gpt-4o-transcribe-diarize"));
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn check_for_model(&self, model: &str) -> Result<()> {
        self.check()?;
        self.check_model_rules(model)
    }

    fn check_model_rules(&self, model: &str) -> Result<()> {
        let lower = model.to_ascii_lowercase();
        if self.stream && lower.contains("whisper") {
            return Err(Error::invalid_input(format!(
                "`stream` is not supported by {model}: whisper models do not stream (use a gpt-4o transcribe model)"
            )));
        }
        if lower.contains("diarize") {
            let unsupported = [
                ("prompt", self.prompt.is_some()),
                ("include", !self.include.is_empty()),
                (
                    "timestamp_granularities",
                    !self.timestamp_granularities.is_empty(),
                ),
            ];
            if let Some((field, _)) = unsupported.iter().find(|(_, set)| *set) {
                return Err(Error::invalid_input(format!(
                    "`{field}` is not supported by {model}"
                )));
            }
        }
        Ok(())
    }

    /// The text fields of the multipart form, in the order they are sent (the audio's `file`
    /// part goes before them): `model`, `language`, `prompt`, `response_format`,
    /// `temperature`, one `timestamp_granularities[]` per granularity, one `include[]` per
    /// include, `chunking_strategy` (`auto` or its JSON object), one `known_speaker_names[]`
    /// and one `known_speaker_references[]` per speaker, `stream`, then the extra fields. Only
    /// what is set is sent.
    pub fn form_fields(&self) -> Vec<FormField> {
        let mut fields: Vec<FormField> = Vec::new();
        let mut one = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                fields.push((Cow::Borrowed(name), value));
            }
        };
        one("model", self.model.clone());
        one("language", self.language.clone());
        one("prompt", self.prompt.clone());
        one(
            "response_format",
            self.response_format.as_ref().map(|f| f.to_string()),
        );
        one("temperature", self.temperature.map(|t| t.to_string()));
        let arrays = [
            (
                "timestamp_granularities[]",
                names_of(&self.timestamp_granularities, TimestampGranularity::as_str),
            ),
            (
                "include[]",
                names_of(&self.include, TranscriptionInclude::as_str),
            ),
        ];
        for (name, values) in arrays {
            fields.extend(values.into_iter().map(|v| (Cow::Borrowed(name), v)));
        }
        if let Some(strategy) = &self.chunking_strategy {
            fields.push((Cow::Borrowed("chunking_strategy"), strategy.form_value()));
        }
        for (name, value) in [
            (
                "known_speaker_names[]",
                KnownSpeaker::name as fn(&KnownSpeaker) -> &str,
            ),
            ("known_speaker_references[]", KnownSpeaker::data_url),
        ] {
            let values = self.known_speakers.iter().map(|s| value(s).to_owned());
            fields.extend(values.map(|v| (Cow::Borrowed(name), v)));
        }
        if self.stream {
            fields.push((Cow::Borrowed("stream"), "true".to_owned()));
        }
        let extra = self.extra.iter().cloned();
        fields.extend(extra.map(|(name, value)| (Cow::Owned(name), value)));
        fields
    }
}

/// Refuses a language that is not two lowercase ASCII letters (ISO-639-1's shape).
fn check_language(code: &str) -> Result<()> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        return Ok(());
    }
    Err(Error::invalid_input(format!(
        "`language` is {code:?}: it must be an ISO-639-1 code of two lowercase letters, like \"en\""
    )))
}

/// The wire names of `values`.
fn names_of<T>(values: &[T], name: fn(&T) -> &str) -> Vec<String> {
    values.iter().map(|v| name(v).to_owned()).collect()
}

/// The wire names of `values`, joined for a message.
fn names<T>(values: &[T], name: fn(&T) -> &str) -> String {
    names_of(values, name).join(", ")
}

#[cfg(test)]
#[path = "request/tests.rs"]
mod tests;
