//! The translation request: speech in any language to English text (whisper).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transcription::request::FormField;
use crate::transcription::{TranscriptionFormat, TranscriptionRequest};

/// The options of a translation into English (`POST .../audio/translations`, a multipart
/// form; whisper): a transcription's options without language, timestamps, logprobs,
/// chunking, speakers or streaming, which translations do not take.
///
/// ```
/// use azure_openai_audio::{TranscriptionFormat, TranslationRequest};
/// let request = TranslationRequest::new().response_format(TranscriptionFormat::Srt);
/// request.check()?;
/// assert_eq!(request.form_fields()[0].1, "srt");
/// # Ok::<(), azure_openai_audio::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TranslationRequest(TranscriptionRequest);

impl TranslationRequest {
    /// Options with nothing set: the service's defaults (`json`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The model name in the form. Needed only on the `/openai/v1` route, where the client
    /// sets it from the deployment unless you do.
    pub fn model(self, model: String) -> Self {
        TranslationRequest(self.0.model(model))
    }

    /// The format of the reply (`json` when unset; `diarized_json` is for transcriptions).
    pub fn response_format(self, format: TranscriptionFormat) -> Self {
        TranslationRequest(self.0.response_format(format))
    }

    /// Sampling temperature, 0 to 1.
    pub fn temperature(self, temperature: f32) -> Self {
        TranslationRequest(self.0.temperature(temperature))
    }

    /// Text to guide the style, in English.
    pub fn prompt(self, prompt: impl Into<String>) -> Self {
        TranslationRequest(self.0.prompt(prompt))
    }

    /// Adds a form field the crate does not model, sent after the others as given.
    pub fn extra_field(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        TranslationRequest(self.0.extra_field(name, value))
    }

    /// The model field, if set.
    pub fn model_ref(&self) -> Option<&str> {
        self.0.model_ref()
    }

    /// The reply format asked for, if set (`json` otherwise).
    pub fn response_format_ref(&self) -> Option<&TranscriptionFormat> {
        self.0.response_format_ref()
    }

    /// Sets the model from the deployment on the `/openai/v1` route, unless the caller did.
    pub(crate) fn set_model_if_unset(&mut self, model: &str) {
        self.0.set_model_if_unset(model);
    }

    /// Refuses, before anything is sent, what the service would refuse (an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the value): a
    /// temperature outside 0 to 1, `diarized_json`, and (in a request read back from JSON) a
    /// field translations do not take.
    pub fn check(&self) -> Result<()> {
        let r = &self.0;
        if r.response_format == Some(TranscriptionFormat::DiarizedJson) {
            return Err(Error::invalid_input(
                "`response_format: diarized_json` is for transcriptions, not translations",
            ));
        }
        let not_taken = [
            ("language", r.language.is_some()),
            (
                "timestamp_granularities",
                !r.timestamp_granularities.is_empty(),
            ),
            ("include", !r.include.is_empty()),
            ("chunking_strategy", r.chunking_strategy.is_some()),
            ("known_speaker_names", !r.known_speakers.is_empty()),
            ("stream", r.stream),
        ];
        if let Some((field, _)) = not_taken.iter().find(|(_, set)| *set) {
            return Err(Error::invalid_input(format!(
                "translations take no `{field}`"
            )));
        }
        r.check()
    }

    /// The text fields of the multipart form, in the order they are sent: `model`, `prompt`,
    /// `response_format`, `temperature`, then the extra fields (only what is set).
    pub fn form_fields(&self) -> Vec<FormField> {
        self.0.form_fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcription::TimestampGranularity;

    #[test]
    fn a_translation_sends_only_what_translations_take() {
        let r = TranslationRequest::new()
            .model("whisper".into())
            .prompt("A talk about speech recognition.")
            .response_format(TranscriptionFormat::Srt)
            .temperature(0.2)
            .extra_field("user", "u1");
        r.check().unwrap();
        let fields: Vec<(String, String)> = r
            .form_fields()
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v))
            .collect();
        let expected = [
            ("model", "whisper"),
            ("prompt", "A talk about speech recognition."),
            ("response_format", "srt"),
            ("temperature", "0.2"),
            ("user", "u1"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(fields, expected);
        let back: TranslationRequest =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn diarized_json_and_fields_of_transcriptions_are_refused() {
        let err = TranslationRequest::new()
            .response_format(TranscriptionFormat::DiarizedJson)
            .check()
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("diarized_json"));
        let stored = serde_json::json!({"language": "fr"});
        let r: TranslationRequest = serde_json::from_value(stored).unwrap();
        assert_eq!(
            r.check().unwrap_err().to_string(),
            "invalid input: translations take no `language`"
        );
        let r = TranslationRequest(
            TranscriptionRequest::new().timestamp_granularities([TimestampGranularity::Word]),
        );
        assert!(r
            .check()
            .unwrap_err()
            .to_string()
            .contains("timestamp_granularities"));
        let err = TranslationRequest::new()
            .temperature(1.5)
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("`temperature` is 1.5"));
    }
}
