//! A Realtime response: what `response.create` asks for ([`ResponseConfig`]) and what
//! `response.created` / `response.done` report ([`RealtimeResponse`], with its usage).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chat::request::Modality;
use crate::lenient::{best_effort, null_as_default};
use crate::macros::string_enum;
use crate::realtime::item::ConversationItem;
use crate::realtime::session::{AudioOutputConfig, RealtimeTool, RealtimeToolChoice};

/// The settings of one response (`response.create`'s `response`); unset ones are the session's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseConfig {
    /// Instructions for this response only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `["audio"]` or `["text"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    /// The format and voice of the audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<ResponseAudio>,
    /// The tools for this response (an empty list clears the session's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<RealtimeTool>>,
    /// Whether and which tool the model calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<RealtimeToolChoice>,
    /// `auto` (added to the conversation) or `none` (out of band).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// Items this response answers instead of the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<ConversationItem>>,
    /// Fields the crate does not model (`metadata`, `max_output_tokens`, ...), sent as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ResponseConfig {
    /// A response with the session's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Instructions for this response only.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// `["audio"]` or `["text"]`.
    pub fn output_modalities(mut self, modalities: impl IntoIterator<Item = Modality>) -> Self {
        self.output_modalities = Some(modalities.into_iter().collect());
        self
    }

    /// An out-of-band response (`conversation: "none"`): not added to the conversation.
    pub fn out_of_band(mut self) -> Self {
        self.conversation = Some("none".to_owned());
        self
    }
}

/// `response.audio`: the audio output of one response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseAudio {
    /// Format and voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<AudioOutputConfig>,
}

string_enum! {
    /// Where a response is.
    pub enum ResponseStatus {
        /// `in_progress`
        InProgress => "in_progress",
        /// `completed`
        Completed => "completed",
        /// `cancelled` (by the client, or by the caller speaking again).
        Cancelled => "cancelled",
        /// `incomplete` (the token limit, the content filter).
        Incomplete => "incomplete",
        /// `failed` (see the status details' error).
        Failed => "failed",
    }
}

/// A response as `response.created` and `response.done` report it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RealtimeResponse {
    /// The response's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Its status.
    #[serde(default)]
    pub status: Option<ResponseStatus>,
    /// Why it was cancelled, incomplete or failed (`type`, `reason`, `error`), as sent.
    #[serde(default)]
    pub status_details: Option<Value>,
    /// The items it produced (complete in `response.done`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub output: Vec<ConversationItem>,
    /// The conversation it was added to.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Token counts (in `response.done`).
    #[serde(default, deserialize_with = "best_effort")]
    pub usage: Option<RealtimeUsage>,
    /// Fields the crate does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The token counts of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeUsage {
    /// Input plus output.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_tokens: u64,
    /// Tokens read (the conversation so far, instructions, tools).
    #[serde(default, deserialize_with = "null_as_default")]
    pub input_tokens: u64,
    /// Tokens produced.
    #[serde(default, deserialize_with = "null_as_default")]
    pub output_tokens: u64,
    /// The input tokens by kind.
    #[serde(default, deserialize_with = "best_effort")]
    pub input_token_details: Option<RealtimeInputTokens>,
    /// The output tokens by kind.
    #[serde(default, deserialize_with = "best_effort")]
    pub output_token_details: Option<RealtimeTokenKinds>,
}

/// Input tokens by kind, and how many were cached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeInputTokens {
    /// Cached tokens (a part of the input tokens).
    #[serde(default, deserialize_with = "null_as_default")]
    pub cached_tokens: u64,
    /// Text tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub text_tokens: u64,
    /// Audio tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub audio_tokens: u64,
    /// Image tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image_tokens: u64,
    /// The cached tokens by kind.
    #[serde(default, deserialize_with = "best_effort")]
    pub cached_tokens_details: Option<RealtimeTokenKinds>,
}

/// Tokens by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeTokenKinds {
    /// Text tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub text_tokens: u64,
    /// Audio tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub audio_tokens: u64,
    /// Image tokens.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image_tokens: u64,
}
