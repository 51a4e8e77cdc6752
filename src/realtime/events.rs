//! The payloads of the server events ([`RealtimeServerEvent`](crate::RealtimeServerEvent)'s
//! variants). All lenient: a missing or `null` field is its default, unknown fields are ignored.

use serde::Deserialize;

use crate::audio::AudioData;
use crate::lenient::{null_as_default, string_or_number};
use crate::realtime::item::{ContentPart, ConversationItem};
use crate::realtime::response::RealtimeResponse;
use crate::realtime::session::RealtimeSessionConfig;

/// `session.created` / `session.updated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionEvent {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The session's configuration as the service holds it (its `id`, `model` and
    /// `expires_at` are in `extra`).
    #[serde(default)]
    pub session: RealtimeSessionConfig,
}

/// `conversation.item.added|done|created`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ItemEvent {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The item before it (`None` at the start).
    #[serde(default)]
    pub previous_item_id: Option<String>,
    /// The item (an empty one of an unknown kind when the server left it out: the event is
    /// still delivered).
    #[serde(default = "ConversationItem::missing")]
    pub item: ConversationItem,
}

/// An event about one item: `conversation.item.deleted`, `input_audio_buffer.committed|cleared`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ItemRef {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The item (none for `cleared`).
    #[serde(default)]
    pub item_id: Option<String>,
    /// The item before it (`committed`).
    #[serde(default)]
    pub previous_item_id: Option<String>,
}

/// `conversation.item.truncated`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Truncated {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The assistant message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// Its content part.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_index: u32,
    /// Where its audio now ends, in ms.
    #[serde(default, deserialize_with = "null_as_default")]
    pub audio_end_ms: u64,
}

/// `conversation.item.input_audio_transcription.delta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InputTranscriptionDelta {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The user message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// Its content part.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_index: u32,
    /// The next words.
    #[serde(default, deserialize_with = "null_as_default")]
    pub delta: String,
}

/// `conversation.item.input_audio_transcription.completed`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct InputTranscriptionCompleted {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The user message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// Its content part.
    #[serde(default, deserialize_with = "null_as_default")]
    pub content_index: u32,
    /// The whole transcript.
    #[serde(default, deserialize_with = "null_as_default")]
    pub transcript: String,
    /// The transcription's usage (tokens or duration), as sent.
    #[serde(default)]
    pub usage: Option<serde_json::Value>,
}

/// `input_audio_buffer.speech_started` / `speech_stopped`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SpeechBoundary {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The user message the speech becomes.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// Where the speech started, in ms of the buffer (`speech_started`).
    #[serde(default)]
    pub audio_start_ms: Option<u64>,
    /// Where it stopped, in ms of the buffer (`speech_stopped`).
    #[serde(default)]
    pub audio_end_ms: Option<u64>,
}

/// `response.created` / `response.done`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ResponseEvent {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The response.
    #[serde(default)]
    pub response: RealtimeResponse,
}

/// `response.output_item.added` / `done`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OutputItemEvent {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub response_id: String,
    /// The item's place in the response's output.
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_index: u32,
    /// The item (an empty one of an unknown kind when the server left it out).
    #[serde(default = "ConversationItem::missing")]
    pub item: ConversationItem,
}

/// Declares a server event about one content part of a response: the ids every such event
/// carries (the event's, the response's, the item's, the output and content indexes), then its
/// own fields. A macro rather than a flattened struct: `#[serde(flatten)]` would buffer each
/// event (audio deltas included) before decoding it.
macro_rules! content_event {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            /// The server's id for this event.
            #[serde(default)]
            pub event_id: Option<String>,
            /// The response.
            #[serde(default, deserialize_with = "null_as_default")]
            pub response_id: String,
            /// The item.
            #[serde(default, deserialize_with = "null_as_default")]
            pub item_id: String,
            /// The item's place in the response's output.
            #[serde(default, deserialize_with = "null_as_default")]
            pub output_index: u32,
            /// The part's place in the item's content.
            #[serde(default, deserialize_with = "null_as_default")]
            pub content_index: u32,
            $( $(#[$field_meta])* pub $field: $ty, )*
        }
    };
}

content_event! {
    /// `response.content_part.added` / `done`.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[non_exhaustive]
    pub struct ContentPartEvent {
        /// The part (empty in `added`, whole in `done`).
        pub part: ContentPart,
    }
}

content_event! {
    /// `response.output_audio.delta`: a piece of the response's audio, decoded from base64
    /// (`Debug` shows its length).
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[non_exhaustive]
    pub struct AudioDelta {
        /// The audio bytes, in the session's output format.
        #[serde(default)]
        pub delta: AudioData,
    }
}

content_event! {
    /// `response.output_audio.done`: a content part's audio is complete.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
    #[non_exhaustive]
    pub struct ContentDone {
    }
}

content_event! {
    /// `response.output_text.delta` / `response.output_audio_transcript.delta`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
    #[non_exhaustive]
    pub struct TextDelta {
        /// The next piece of text.
        #[serde(default, deserialize_with = "null_as_default")]
        pub delta: String,
    }
}

content_event! {
    /// `response.output_text.done` (the text in `text`) / `response.output_audio_transcript.done`
    /// (the transcript, also in `text`).
    #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
    #[non_exhaustive]
    pub struct TextDone {
        /// The whole text or transcript.
        #[serde(default, alias = "transcript", deserialize_with = "null_as_default")]
        pub text: String,
    }
}

/// `response.function_call_arguments.delta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FunctionArgumentsDelta {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub response_id: String,
    /// The function call item.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// The item's place in the response's output.
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_index: u32,
    /// The call's id (cite it in the output).
    #[serde(default, deserialize_with = "null_as_default")]
    pub call_id: String,
    /// The next piece of the arguments' JSON.
    #[serde(default, deserialize_with = "null_as_default")]
    pub delta: String,
}

/// `response.function_call_arguments.done`: the whole call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FunctionArgumentsDone {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub response_id: String,
    /// The function call item.
    #[serde(default, deserialize_with = "null_as_default")]
    pub item_id: String,
    /// The item's place in the response's output.
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_index: u32,
    /// The call's id (cite it in the output).
    #[serde(default, deserialize_with = "null_as_default")]
    pub call_id: String,
    /// The function (GA sends it here; the preview only in the item).
    #[serde(default)]
    pub name: Option<String>,
    /// The whole arguments' JSON.
    #[serde(default, deserialize_with = "null_as_default")]
    pub arguments: String,
}

/// `rate_limits.updated`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RateLimitsUpdated {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The limits.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rate_limits: Vec<RealtimeRateLimit>,
}

/// One rate limit of `rate_limits.updated`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RealtimeRateLimit {
    /// `requests` or `tokens`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The limit.
    #[serde(default)]
    pub limit: Option<u64>,
    /// What is left.
    #[serde(default)]
    pub remaining: Option<u64>,
    /// Seconds until it resets.
    #[serde(default)]
    pub reset_seconds: Option<f64>,
}

/// `error`: what the service refused, and which client event it was about.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ErrorEvent {
    /// The server's id for this event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The error.
    #[serde(default, deserialize_with = "null_as_default")]
    pub error: RealtimeErrorDetail,
}

/// The `error` of an [`ErrorEvent`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RealtimeErrorDetail {
    /// `invalid_request_error`, `server_error`, ...
    #[serde(default, rename = "type", deserialize_with = "null_as_default")]
    pub kind: String,
    /// A code such as `invalid_event` (a number is kept as text).
    #[serde(default, deserialize_with = "string_or_number")]
    pub code: Option<String>,
    /// What went wrong, for people.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// The parameter at fault.
    #[serde(default)]
    pub param: Option<String>,
    /// The `event_id` of the client event at fault.
    #[serde(default)]
    pub event_id: Option<String>,
}
