//! The events of a streamed transcription (`stream=true`, gpt-4o transcribe models).

use serde::Deserialize;

use crate::error::Result;
use crate::transcription::{DiarizedSegment, TokenLogprob, TranscriptionUsage};
use crate::transport::events::{decode_one, TypedEvent, UnknownEvent};

/// One event of a streamed transcription; the stream ends at `data: [DONE]`.
///
/// A typed stream yields the known events and skips the others (a new event type is not an
/// error); [`from_sse`](TranscriptionEvent::from_sse) returns them as
/// [`TranscriptionEvent::Unknown`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TranscriptionEvent {
    /// `transcript.text.delta`: more text.
    #[non_exhaustive]
    TextDelta {
        /// The new text.
        delta: String,
        /// Its tokens' log probabilities (`include: logprobs`).
        logprobs: Vec<TokenLogprob>,
        /// The diarized segment it belongs to (gpt-4o-transcribe-diarize).
        segment_id: Option<String>,
    },
    /// `transcript.text.segment`: a finished segment with its speaker (diarization).
    TextSegment(DiarizedSegment),
    /// `transcript.text.done`: the whole text.
    #[non_exhaustive]
    TextDone {
        /// All the text.
        text: String,
        /// Its tokens' log probabilities (`include: logprobs`).
        logprobs: Vec<TokenLogprob>,
        /// What was billed, when the service says.
        usage: Option<TranscriptionUsage>,
    },
    /// An event type this version of the crate does not know, kept as sent.
    Unknown(UnknownEvent),
}

#[derive(Deserialize)]
struct DeltaWire {
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    delta: String,
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    logprobs: Vec<TokenLogprob>,
    #[serde(default)]
    segment_id: Option<String>,
}

#[derive(Deserialize)]
struct DoneWire {
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    text: String,
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    logprobs: Vec<TokenLogprob>,
    #[serde(default, deserialize_with = "crate::lenient::best_effort")]
    usage: Option<TranscriptionUsage>,
}

impl TranscriptionEvent {
    /// Decodes one Server-Sent Event (its `event` field, if any, and its data): `Ok(None)` for
    /// `[DONE]` and for an event with no data; an [`ErrorKind::Api`](crate::ErrorKind::Api)
    /// error for an error event; an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error for
    /// data that is not a transcription event.
    ///
    /// ```
    /// use azure_openai_audio::TranscriptionEvent;
    /// let data = br#"{"type":"transcript.text.delta","delta":"Hello"}"#;
    /// let event = TranscriptionEvent::from_sse(None, data)?.expect("an event");
    /// assert_eq!(event.delta(), Some("Hello"));
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn from_sse(event: Option<&str>, data: &[u8]) -> Result<Option<TranscriptionEvent>> {
        decode_one(event, data)
    }

    /// The new text of a [`TranscriptionEvent::TextDelta`], else `None`.
    pub fn delta(&self) -> Option<&str> {
        match self {
            TranscriptionEvent::TextDelta { delta, .. } => Some(delta),
            _ => None,
        }
    }
}

impl TypedEvent for TranscriptionEvent {
    const WHAT: &'static str = "a transcription event";

    fn from_typed(kind: &str, data: &[u8]) -> serde_json::Result<TranscriptionEvent> {
        Ok(match kind {
            "transcript.text.delta" => {
                let w: DeltaWire = serde_json::from_slice(data)?;
                TranscriptionEvent::TextDelta {
                    delta: w.delta,
                    logprobs: w.logprobs,
                    segment_id: w.segment_id,
                }
            }
            "transcript.text.segment" => {
                TranscriptionEvent::TextSegment(serde_json::from_slice(data)?)
            }
            "transcript.text.done" => {
                let w: DoneWire = serde_json::from_slice(data)?;
                TranscriptionEvent::TextDone {
                    text: w.text,
                    logprobs: w.logprobs,
                    usage: w.usage,
                }
            }
            other => TranscriptionEvent::Unknown(UnknownEvent::decode(other, data)?),
        })
    }

    fn is_unknown(&self) -> bool {
        matches!(self, TranscriptionEvent::Unknown(_))
    }
}
