//! Known speakers for `gpt-4o-transcribe-diarize`: a name and a short sample of their voice.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The most known speakers a request may name.
pub const MAX_KNOWN_SPEAKERS: usize = 4;

/// A speaker the diarize model should recognise: sent as `known_speaker_names[]` and
/// `known_speaker_references[]` (the sample as a data URL). The model labels that speaker's
/// segments with `name`. A sample should be 2 to 10 seconds long.
///
/// `Debug` shows the name and the length of the sample, never the audio.
///
/// ```
/// use azure_openai_audio::KnownSpeaker;
/// let agent = KnownSpeaker::from_audio("agent", "audio/wav", b"RIFF....WAVE");
/// assert!(agent.data_url().starts_with("data:audio/wav;base64,UklGR"));
/// assert_eq!(format!("{agent:?}"), r#"KnownSpeaker { name: "agent", data_url: "<38 characters>" }"#);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownSpeaker {
    name: String,
    data_url: String,
}

impl KnownSpeaker {
    /// A speaker and a data URL of their voice (`data:audio/wav;base64,...`).
    pub fn new(name: impl Into<String>, data_url: impl Into<String>) -> Self {
        KnownSpeaker {
            name: name.into(),
            data_url: data_url.into(),
        }
    }

    /// A speaker and a sample of their voice: `audio` in a format the service takes, labelled
    /// `content_type` (`audio/wav`, `audio/mpeg`, ...), made into a base64 data URL.
    pub fn from_audio(name: impl Into<String>, content_type: &str, audio: &[u8]) -> Self {
        let b64 = base64::engine::general_purpose::STANDARD.encode(audio);
        Self::new(name, format!("data:{content_type};base64,{b64}"))
    }

    /// The speaker's name (the label of their segments).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sample, as a data URL.
    pub fn data_url(&self) -> &str {
        &self.data_url
    }

    /// Refuses an empty name and a reference that is not a base64 data URL.
    pub(crate) fn check(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid_input("a known speaker has an empty name"));
        }
        let is_data_url = self
            .data_url
            .strip_prefix("data:")
            .and_then(|rest| rest.split_once(','))
            .is_some_and(|(header, data)| header.ends_with(";base64") && !data.is_empty());
        if !is_data_url {
            let start: String = self.data_url.chars().take(24).collect();
            return Err(Error::invalid_input(format!(
                "the reference of known speaker `{}` is not a base64 data URL (`data:audio/...;base64,...`): it starts `{start}`",
                self.name
            )));
        }
        Ok(())
    }
}

impl fmt::Debug for KnownSpeaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KnownSpeaker")
            .field("name", &self.name)
            .field(
                "data_url",
                &format_args!("\"<{} characters>\"", self.data_url.len()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_must_be_a_base64_data_url() {
        KnownSpeaker::from_audio("agent", "audio/wav", &[1, 2, 3])
            .check()
            .unwrap();
        for bad in [
            "https://example.com/a.wav",
            "data:audio/wav,abc",
            "data:audio/wav;base64,",
        ] {
            let err = KnownSpeaker::new("agent", bad).check().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("known speaker `agent`"), "{err}");
        }
        let err = KnownSpeaker::new(" ", "data:audio/wav;base64,AA==")
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("empty name"));
    }
}
