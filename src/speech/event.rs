//! The events of a speech streamed as Server-Sent Events (`stream_format: sse`).

use serde::{Deserialize, Serialize};

use crate::audio::AudioData;
use crate::error::Result;
use crate::transport::events::{decode_one, TypedEvent, UnknownEvent};

/// One event of a speech streamed with `stream_format: sse`.
///
/// A typed stream yields the known events and skips the others (a new event type is not an
/// error); [`from_sse`](SpeechEvent::from_sse) returns them as [`SpeechEvent::Unknown`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SpeechEvent {
    /// `speech.audio.delta`: the next piece of audio, decoded from base64 (`Debug` shows its
    /// length, never the bytes).
    #[non_exhaustive]
    AudioDelta {
        /// The audio bytes, in the requested format.
        audio: AudioData,
    },
    /// `speech.audio.done`: all the audio has been sent.
    #[non_exhaustive]
    AudioDone {
        /// Token counts, when the service sent them.
        usage: Option<SpeechUsage>,
    },
    /// An event type this version of the crate does not know, kept as sent.
    Unknown(UnknownEvent),
}

/// The token counts of a speech (`speech.audio.done`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpeechUsage {
    /// Tokens of the input text (and instructions).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub input_tokens: u64,
    /// Audio tokens generated.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub output_tokens: u64,
    /// Both.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub total_tokens: u64,
}

#[derive(Deserialize)]
struct DeltaWire {
    #[serde(default)]
    audio: AudioData,
}

#[derive(Deserialize)]
struct DoneWire {
    #[serde(default, deserialize_with = "crate::lenient::best_effort")]
    usage: Option<SpeechUsage>,
}

impl SpeechEvent {
    /// Decodes one Server-Sent Event (its `event` field, if any, and its data): `Ok(None)` for
    /// `[DONE]` and for an event with no data; an [`ErrorKind::Api`](crate::ErrorKind::Api)
    /// error for an error event; an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error for
    /// data that is not a speech event (or audio that is not base64).
    ///
    /// ```
    /// use azure_openai_audio::SpeechEvent;
    /// let data = br#"{"type":"speech.audio.delta","audio":"//PE"}"#;
    /// let Some(SpeechEvent::AudioDelta { audio, .. }) = SpeechEvent::from_sse(None, data)? else {
    ///     panic!("a delta")
    /// };
    /// assert_eq!(audio.as_bytes(), [0xFF, 0xF3, 0xC4]);
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn from_sse(event: Option<&str>, data: &[u8]) -> Result<Option<SpeechEvent>> {
        decode_one(event, data)
    }

    /// The audio of a [`SpeechEvent::AudioDelta`], else `None`.
    pub fn audio(&self) -> Option<&AudioData> {
        match self {
            SpeechEvent::AudioDelta { audio } => Some(audio),
            _ => None,
        }
    }
}

impl TypedEvent for SpeechEvent {
    const WHAT: &'static str = "a speech event";

    fn from_typed(kind: &str, data: &[u8]) -> serde_json::Result<SpeechEvent> {
        Ok(match kind {
            "speech.audio.delta" => SpeechEvent::AudioDelta {
                audio: serde_json::from_slice::<DeltaWire>(data)?.audio,
            },
            "speech.audio.done" => SpeechEvent::AudioDone {
                usage: serde_json::from_slice::<DoneWire>(data)?.usage,
            },
            other => SpeechEvent::Unknown(UnknownEvent::decode(other, data)?),
        })
    }

    fn is_unknown(&self) -> bool {
        matches!(self, SpeechEvent::Unknown(_))
    }
}

#[cfg(test)]
#[path = "event/tests.rs"]
mod tests;
