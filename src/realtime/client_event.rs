//! The events a Realtime client sends (GA names).

use serde::{Deserialize, Serialize};

use crate::audio::AudioData;
use crate::realtime::item::ConversationItem;
use crate::realtime::response::ResponseConfig;
use crate::realtime::session::RealtimeSessionConfig;

/// One event a client sends, serialized with its GA `type`. Build them with the constructors
/// ([`session_update`](Self::session_update), [`append_pcm16`](Self::append_pcm16),
/// [`function_output`](Self::function_output), ...); [`with_event_id`](Self::with_event_id) sets
/// the optional id the service cites in an `error` about the event.
///
/// `Debug` shows appended audio's length, never its bytes.
///
/// ```
/// use azure_openai_audio::RealtimeClientEvent;
/// let event = RealtimeClientEvent::append_pcm16(&[0, 1, 2]).with_event_id("e1");
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     r#"{"type":"input_audio_buffer.append","event_id":"e1","audio":"AAEC"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum RealtimeClientEvent {
    /// `session.update`: changes the session's configuration.
    #[serde(rename = "session.update")]
    #[non_exhaustive]
    SessionUpdate {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// What changes.
        session: RealtimeSessionConfig,
    },
    /// `input_audio_buffer.append`: audio for the input buffer (base64 on the wire).
    #[serde(rename = "input_audio_buffer.append")]
    #[non_exhaustive]
    InputAudioBufferAppend {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// The audio, in the session's input format.
        audio: AudioData,
    },
    /// `input_audio_buffer.commit`: the buffered audio becomes a user message.
    #[serde(rename = "input_audio_buffer.commit")]
    #[non_exhaustive]
    InputAudioBufferCommit {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
    },
    /// `input_audio_buffer.clear`: drops the buffered audio.
    #[serde(rename = "input_audio_buffer.clear")]
    #[non_exhaustive]
    InputAudioBufferClear {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
    },
    /// `conversation.item.create`: adds an item to the conversation.
    #[serde(rename = "conversation.item.create")]
    #[non_exhaustive]
    ConversationItemCreate {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// The item after which it goes (`root` for the start; the end when unset).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_item_id: Option<String>,
        /// The item.
        item: ConversationItem,
    },
    /// `conversation.item.truncate`: cuts an assistant message's audio where playback stopped.
    #[serde(rename = "conversation.item.truncate")]
    #[non_exhaustive]
    ConversationItemTruncate {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// The assistant message.
        item_id: String,
        /// Its content part (0).
        content_index: u32,
        /// How much of the audio was heard, in ms.
        audio_end_ms: u32,
    },
    /// `conversation.item.delete`: removes an item.
    #[serde(rename = "conversation.item.delete")]
    #[non_exhaustive]
    ConversationItemDelete {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// The item.
        item_id: String,
    },
    /// `response.create`: asks the model for a response.
    #[serde(rename = "response.create")]
    #[non_exhaustive]
    ResponseCreate {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// Settings for this response (the session's when unset).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<ResponseConfig>,
    },
    /// `response.cancel`: stops the response in progress.
    #[serde(rename = "response.cancel")]
    #[non_exhaustive]
    ResponseCancel {
        /// The caller's id for this event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        /// The response to cancel (the one in progress when unset).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_id: Option<String>,
    },
}

impl RealtimeClientEvent {
    /// `session.update` with `session`.
    pub fn session_update(session: RealtimeSessionConfig) -> Self {
        RealtimeClientEvent::SessionUpdate {
            event_id: None,
            session,
        }
    }

    /// `input_audio_buffer.append` of raw audio bytes in the session's input format (24 kHz mono
    /// pcm16 little-endian by default), base64-encoded for the caller when sent. One event carries
    /// at most 15 MiB of base64; send long audio in chunks.
    pub fn append_pcm16(pcm: &[u8]) -> Self {
        Self::append_audio(AudioData::from(pcm))
    }

    /// `input_audio_buffer.append` of audio bytes the caller already holds (no copy).
    pub fn append_audio(audio: AudioData) -> Self {
        RealtimeClientEvent::InputAudioBufferAppend {
            event_id: None,
            audio,
        }
    }

    /// `input_audio_buffer.commit`.
    pub fn commit() -> Self {
        RealtimeClientEvent::InputAudioBufferCommit { event_id: None }
    }

    /// `input_audio_buffer.clear`.
    pub fn clear() -> Self {
        RealtimeClientEvent::InputAudioBufferClear { event_id: None }
    }

    /// `conversation.item.create` of `item`, at the end of the conversation.
    pub fn create_item(item: ConversationItem) -> Self {
        RealtimeClientEvent::ConversationItemCreate {
            event_id: None,
            previous_item_id: None,
            item,
        }
    }

    /// `conversation.item.create` of a user text message.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::create_item(ConversationItem::user_text(text))
    }

    /// `conversation.item.create` of the output of the function call `call_id`; follow it with
    /// [`response_create`](Self::response_create) to let the model continue.
    pub fn function_output(call_id: impl Into<String>, output: impl Into<String>) -> Self {
        Self::create_item(ConversationItem::function_output(call_id, output))
    }

    /// `conversation.item.truncate`: the assistant message `item_id`'s audio was heard up to
    /// `audio_end_ms`.
    pub fn truncate(item_id: impl Into<String>, content_index: u32, audio_end_ms: u32) -> Self {
        RealtimeClientEvent::ConversationItemTruncate {
            event_id: None,
            item_id: item_id.into(),
            content_index,
            audio_end_ms,
        }
    }

    /// `conversation.item.delete` of `item_id`.
    pub fn delete_item(item_id: impl Into<String>) -> Self {
        RealtimeClientEvent::ConversationItemDelete {
            event_id: None,
            item_id: item_id.into(),
        }
    }

    /// `response.create` with the session's settings.
    pub fn response_create() -> Self {
        RealtimeClientEvent::ResponseCreate {
            event_id: None,
            response: None,
        }
    }

    /// `response.create` with settings for this response.
    pub fn response_create_with(response: ResponseConfig) -> Self {
        RealtimeClientEvent::ResponseCreate {
            event_id: None,
            response: Some(response),
        }
    }

    /// `response.cancel` of the response in progress.
    pub fn response_cancel() -> Self {
        RealtimeClientEvent::ResponseCancel {
            event_id: None,
            response_id: None,
        }
    }

    /// Sets the event's `event_id` (the service cites it in an `error` about this event).
    pub fn with_event_id(mut self, id: impl Into<String>) -> Self {
        *self.event_id_mut() = Some(id.into());
        self
    }

    /// The event's `event_id`, if set.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            RealtimeClientEvent::SessionUpdate { event_id, .. }
            | RealtimeClientEvent::InputAudioBufferAppend { event_id, .. }
            | RealtimeClientEvent::InputAudioBufferCommit { event_id }
            | RealtimeClientEvent::InputAudioBufferClear { event_id }
            | RealtimeClientEvent::ConversationItemCreate { event_id, .. }
            | RealtimeClientEvent::ConversationItemTruncate { event_id, .. }
            | RealtimeClientEvent::ConversationItemDelete { event_id, .. }
            | RealtimeClientEvent::ResponseCreate { event_id, .. }
            | RealtimeClientEvent::ResponseCancel { event_id, .. } => event_id.as_deref(),
        }
    }

    fn event_id_mut(&mut self) -> &mut Option<String> {
        match self {
            RealtimeClientEvent::SessionUpdate { event_id, .. }
            | RealtimeClientEvent::InputAudioBufferAppend { event_id, .. }
            | RealtimeClientEvent::InputAudioBufferCommit { event_id }
            | RealtimeClientEvent::InputAudioBufferClear { event_id }
            | RealtimeClientEvent::ConversationItemCreate { event_id, .. }
            | RealtimeClientEvent::ConversationItemTruncate { event_id, .. }
            | RealtimeClientEvent::ConversationItemDelete { event_id, .. }
            | RealtimeClientEvent::ResponseCreate { event_id, .. }
            | RealtimeClientEvent::ResponseCancel { event_id, .. } => event_id,
        }
    }

    /// The event's `type` on the wire.
    pub fn event_type(&self) -> &'static str {
        match self {
            RealtimeClientEvent::SessionUpdate { .. } => "session.update",
            RealtimeClientEvent::InputAudioBufferAppend { .. } => "input_audio_buffer.append",
            RealtimeClientEvent::InputAudioBufferCommit { .. } => "input_audio_buffer.commit",
            RealtimeClientEvent::InputAudioBufferClear { .. } => "input_audio_buffer.clear",
            RealtimeClientEvent::ConversationItemCreate { .. } => "conversation.item.create",
            RealtimeClientEvent::ConversationItemTruncate { .. } => "conversation.item.truncate",
            RealtimeClientEvent::ConversationItemDelete { .. } => "conversation.item.delete",
            RealtimeClientEvent::ResponseCreate { .. } => "response.create",
            RealtimeClientEvent::ResponseCancel { .. } => "response.cancel",
        }
    }
}

#[cfg(test)]
#[path = "client_event/tests.rs"]
mod tests;
