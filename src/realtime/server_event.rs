//! The events a Realtime server sends, decoded leniently: a type the crate does not know is kept
//! as [`RealtimeServerEvent::Unknown`], never an error.
//!
//! The preview (beta) protocol's names for the same events map to the same variants:
//! `response.audio.delta|done` → [`OutputAudioDelta`](RealtimeServerEvent::OutputAudioDelta) /
//! [`OutputAudioDone`](RealtimeServerEvent::OutputAudioDone),
//! `response.audio_transcript.delta|done` →
//! [`OutputAudioTranscriptDelta`](RealtimeServerEvent::OutputAudioTranscriptDelta) /
//! [`OutputAudioTranscriptDone`](RealtimeServerEvent::OutputAudioTranscriptDone),
//! `response.text.delta|done` → [`OutputTextDelta`](RealtimeServerEvent::OutputTextDelta) /
//! [`OutputTextDone`](RealtimeServerEvent::OutputTextDone). `conversation.item.created` (the
//! preview's name, still sent by some GA deployments) is
//! [`ItemCreated`](RealtimeServerEvent::ItemCreated).

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::realtime::events::{
    AudioDelta, ContentDone, ContentPartEvent, ErrorEvent, FunctionArgumentsDelta,
    FunctionArgumentsDone, InputTranscriptionCompleted, InputTranscriptionDelta, ItemEvent,
    ItemRef, OutputItemEvent, RateLimitsUpdated, ResponseEvent, SessionEvent, SpeechBoundary,
    TextDelta, TextDone, Truncated,
};
use crate::realtime::protocol::RealtimeProtocol;
use crate::transport::events::UnknownEvent;

/// One event a Realtime server sends.
///
/// ```
/// use azure_openai_audio::RealtimeServerEvent;
/// let event = RealtimeServerEvent::from_json(
///     br#"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","delta":"AAEC"}"#,
/// )?;
/// let RealtimeServerEvent::OutputAudioDelta(delta) = event else { panic!("an audio delta") };
/// assert_eq!(delta.delta.as_bytes(), [0, 1, 2]);
/// let unknown = RealtimeServerEvent::from_json(br#"{"type":"something.new","x":1}"#)?;
/// assert_eq!(unknown.event_type(), "something.new");
/// # Ok::<(), azure_openai_audio::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RealtimeServerEvent {
    /// `session.created`: the first event of a session.
    SessionCreated(SessionEvent),
    /// `session.updated`: the answer to `session.update`.
    SessionUpdated(SessionEvent),
    /// `conversation.item.added`: an item joined the conversation (it may still be filling).
    ItemAdded(ItemEvent),
    /// `conversation.item.done`: an item is complete.
    ItemDone(ItemEvent),
    /// `conversation.item.created`: an item was created (the preview's event).
    ItemCreated(ItemEvent),
    /// `conversation.item.deleted`.
    ItemDeleted(ItemRef),
    /// `conversation.item.truncated`: an assistant message's audio was cut.
    ItemTruncated(Truncated),
    /// `conversation.item.input_audio_transcription.delta`: the caller's words as transcribed.
    InputTranscriptionDelta(InputTranscriptionDelta),
    /// `conversation.item.input_audio_transcription.completed`.
    InputTranscriptionCompleted(InputTranscriptionCompleted),
    /// `input_audio_buffer.committed`: the buffer became the user message `item_id`.
    InputAudioCommitted(ItemRef),
    /// `input_audio_buffer.cleared`.
    InputAudioCleared(ItemRef),
    /// `input_audio_buffer.speech_started` (server VAD).
    SpeechStarted(SpeechBoundary),
    /// `input_audio_buffer.speech_stopped` (server VAD).
    SpeechStopped(SpeechBoundary),
    /// `response.created`.
    ResponseCreated(ResponseEvent),
    /// `response.done`: the response with its final status and usage.
    ResponseDone(ResponseEvent),
    /// `response.output_item.added`.
    OutputItemAdded(OutputItemEvent),
    /// `response.output_item.done`.
    OutputItemDone(OutputItemEvent),
    /// `response.content_part.added`.
    ContentPartAdded(ContentPartEvent),
    /// `response.content_part.done`.
    ContentPartDone(ContentPartEvent),
    /// `response.output_audio.delta` (preview: `response.audio.delta`): audio, decoded.
    OutputAudioDelta(AudioDelta),
    /// `response.output_audio.done` (preview: `response.audio.done`).
    OutputAudioDone(ContentDone),
    /// `response.output_audio_transcript.delta` (preview: `response.audio_transcript.delta`).
    OutputAudioTranscriptDelta(TextDelta),
    /// `response.output_audio_transcript.done` (preview: `response.audio_transcript.done`); the
    /// whole transcript is in `text`.
    OutputAudioTranscriptDone(TextDone),
    /// `response.output_text.delta` (preview: `response.text.delta`).
    OutputTextDelta(TextDelta),
    /// `response.output_text.done` (preview: `response.text.done`).
    OutputTextDone(TextDone),
    /// `response.function_call_arguments.delta`.
    FunctionCallArgumentsDelta(FunctionArgumentsDelta),
    /// `response.function_call_arguments.done`: the whole call.
    FunctionCallArgumentsDone(FunctionArgumentsDone),
    /// `rate_limits.updated`.
    RateLimitsUpdated(RateLimitsUpdated),
    /// `error`: the service refused an event (most errors leave the session open).
    Error(ErrorEvent),
    /// An event type this version of the crate does not know, kept as sent.
    Unknown(UnknownEvent),
}

impl RealtimeServerEvent {
    /// Decodes one server event (a WebSocket text message). An unknown `type` is
    /// [`Unknown`](Self::Unknown); an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error only
    /// for text that is not a JSON object or a known event whose fields have the wrong types
    /// (audio that is not base64).
    pub fn from_json(data: &[u8]) -> Result<Self> {
        // The service sends `type` first: read it from the start and parse the message once.
        if let Some(kind) = leading_type(data) {
            return decode(kind, data).map_err(invalid);
        }
        /// The event's type, read without decoding the rest (audio deltas are large).
        #[derive(Deserialize)]
        struct Probe<'a> {
            #[serde(default, rename = "type", borrow)]
            kind: Option<std::borrow::Cow<'a, str>>,
        }
        let probe: Probe = serde_json::from_slice(data).map_err(invalid)?;
        let kind = probe.kind.as_deref().unwrap_or_default();
        decode(kind, data).map_err(invalid)
    }

    /// The event's `type` as this crate names it (the GA name; an unknown event's own). The
    /// name a preview server sent is [`wire_type`](Self::wire_type).
    pub fn event_type(&self) -> &str {
        use RealtimeServerEvent as E;
        match self {
            E::SessionCreated(_) => "session.created",
            E::SessionUpdated(_) => "session.updated",
            E::ItemAdded(_) => "conversation.item.added",
            E::ItemDone(_) => "conversation.item.done",
            E::ItemCreated(_) => "conversation.item.created",
            E::ItemDeleted(_) => "conversation.item.deleted",
            E::ItemTruncated(_) => "conversation.item.truncated",
            E::InputTranscriptionDelta(_) => "conversation.item.input_audio_transcription.delta",
            E::InputTranscriptionCompleted(_) => {
                "conversation.item.input_audio_transcription.completed"
            }
            E::InputAudioCommitted(_) => "input_audio_buffer.committed",
            E::InputAudioCleared(_) => "input_audio_buffer.cleared",
            E::SpeechStarted(_) => "input_audio_buffer.speech_started",
            E::SpeechStopped(_) => "input_audio_buffer.speech_stopped",
            E::ResponseCreated(_) => "response.created",
            E::ResponseDone(_) => "response.done",
            E::OutputItemAdded(_) => "response.output_item.added",
            E::OutputItemDone(_) => "response.output_item.done",
            E::ContentPartAdded(_) => "response.content_part.added",
            E::ContentPartDone(_) => "response.content_part.done",
            E::OutputAudioDelta(_) => "response.output_audio.delta",
            E::OutputAudioDone(_) => "response.output_audio.done",
            E::OutputAudioTranscriptDelta(_) => "response.output_audio_transcript.delta",
            E::OutputAudioTranscriptDone(_) => "response.output_audio_transcript.done",
            E::OutputTextDelta(_) => "response.output_text.delta",
            E::OutputTextDone(_) => "response.output_text.done",
            E::FunctionCallArgumentsDelta(_) => "response.function_call_arguments.delta",
            E::FunctionCallArgumentsDone(_) => "response.function_call_arguments.done",
            E::RateLimitsUpdated(_) => "rate_limits.updated",
            E::Error(_) => "error",
            E::Unknown(u) => u.event_type(),
        }
    }
}

impl RealtimeServerEvent {
    /// The event's `type` as a server speaking `protocol` names it on the wire: on the
    /// [`Preview`](RealtimeProtocol::Preview) protocol, the beta names of the events mapped onto
    /// GA variants (`response.audio.delta`, `response.audio_transcript.done`,
    /// `response.text.delta`, ...); else [`event_type`](Self::event_type).
    ///
    /// ```
    /// use azure_openai_audio::realtime::RealtimeProtocol;
    /// use azure_openai_audio::RealtimeServerEvent;
    /// let event = RealtimeServerEvent::from_json(br#"{"type":"response.audio.delta","delta":""}"#)?;
    /// assert_eq!(event.event_type(), "response.output_audio.delta");
    /// assert_eq!(event.wire_type(RealtimeProtocol::Preview), "response.audio.delta");
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn wire_type(&self, protocol: RealtimeProtocol) -> &str {
        use RealtimeServerEvent as E;
        if protocol != RealtimeProtocol::Preview {
            return self.event_type();
        }
        match self {
            E::OutputAudioDelta(_) => "response.audio.delta",
            E::OutputAudioDone(_) => "response.audio.done",
            E::OutputAudioTranscriptDelta(_) => "response.audio_transcript.delta",
            E::OutputAudioTranscriptDone(_) => "response.audio_transcript.done",
            E::OutputTextDelta(_) => "response.text.delta",
            E::OutputTextDone(_) => "response.text.done",
            _ => self.event_type(),
        }
    }
}

/// The `type` of a JSON object whose first member it is (`{"type":"...",`, white space
/// allowed), when its value is a plain string (no escapes); `None` otherwise (the caller then
/// probes the whole object). The rest is not checked here: decoding the event checks it.
fn leading_type(data: &[u8]) -> Option<&str> {
    let rest = after(data, b"{")?;
    let rest = after(rest, b"\"type\"")?;
    let rest = after(rest, b":")?;
    let rest = after(rest, b"\"")?;
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    let (kind, rest) = rest.split_at(end);
    // A backslash means an escape: leave it to the probe.
    after(rest, b"\"")?;
    std::str::from_utf8(kind).ok()
}

/// What follows `token` in `data` after white space, if `data` goes on with it.
fn after<'a>(data: &'a [u8], token: &[u8]) -> Option<&'a [u8]> {
    let start = data.iter().position(|b| !b.is_ascii_whitespace())?;
    data.get(start..)?.strip_prefix(token)
}

fn invalid(e: serde_json::Error) -> Error {
    Error::decode("a message is not a realtime server event").with_source(e)
}

fn decode(kind: &str, data: &[u8]) -> serde_json::Result<RealtimeServerEvent> {
    use serde_json::from_slice as json;
    use RealtimeServerEvent as E;
    Ok(match kind {
        "session.created" => E::SessionCreated(json(data)?),
        "session.updated" => E::SessionUpdated(json(data)?),
        "conversation.item.added" => E::ItemAdded(json(data)?),
        "conversation.item.done" => E::ItemDone(json(data)?),
        "conversation.item.created" => E::ItemCreated(json(data)?),
        "conversation.item.deleted" => E::ItemDeleted(json(data)?),
        "conversation.item.truncated" => E::ItemTruncated(json(data)?),
        "conversation.item.input_audio_transcription.delta" => {
            E::InputTranscriptionDelta(json(data)?)
        }
        "conversation.item.input_audio_transcription.completed" => {
            E::InputTranscriptionCompleted(json(data)?)
        }
        "input_audio_buffer.committed" => E::InputAudioCommitted(json(data)?),
        "input_audio_buffer.cleared" => E::InputAudioCleared(json(data)?),
        "input_audio_buffer.speech_started" => E::SpeechStarted(json(data)?),
        "input_audio_buffer.speech_stopped" => E::SpeechStopped(json(data)?),
        "response.created" => E::ResponseCreated(json(data)?),
        "response.done" => E::ResponseDone(json(data)?),
        "response.output_item.added" => E::OutputItemAdded(json(data)?),
        "response.output_item.done" => E::OutputItemDone(json(data)?),
        "response.content_part.added" => E::ContentPartAdded(json(data)?),
        "response.content_part.done" => E::ContentPartDone(json(data)?),
        "response.output_audio.delta" | "response.audio.delta" => E::OutputAudioDelta(json(data)?),
        "response.output_audio.done" | "response.audio.done" => E::OutputAudioDone(json(data)?),
        "response.output_audio_transcript.delta" | "response.audio_transcript.delta" => {
            E::OutputAudioTranscriptDelta(json(data)?)
        }
        "response.output_audio_transcript.done" | "response.audio_transcript.done" => {
            E::OutputAudioTranscriptDone(json(data)?)
        }
        "response.output_text.delta" | "response.text.delta" => E::OutputTextDelta(json(data)?),
        "response.output_text.done" | "response.text.done" => E::OutputTextDone(json(data)?),
        "response.function_call_arguments.delta" => E::FunctionCallArgumentsDelta(json(data)?),
        "response.function_call_arguments.done" => E::FunctionCallArgumentsDone(json(data)?),
        "rate_limits.updated" => E::RateLimitsUpdated(json(data)?),
        "error" => E::Error(json(data)?),
        other => E::Unknown(UnknownEvent::decode(other, data)?),
    })
}

#[cfg(test)]
#[path = "server_event/tests.rs"]
mod tests;
