//! The chunks of a streamed chat completion, decoded leniently.
//!
//! Every field is optional or defaults, because real streams omit them: Azure's first event has
//! an empty id and no choices, its filter events after the finish have an empty id and object,
//! audio chunks often have no `choices` key, the last audio chunk has no `finish_reason`.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::audio::AudioData;
use crate::chat::filter::{ContentFilterOffsets, ContentFilterResults, PromptFilterResult};
use crate::chat::response::{FinishReason, Role, Usage};

/// One chunk of a streamed chat completion (`chat.completion.chunk`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatCompletionChunk {
    /// `chatcmpl-...`; empty in Azure's filter-only events.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: String,
    /// `chat.completion.chunk`; empty in Azure's filter-only events.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub object: String,
    /// Unix seconds; `0` in Azure's filter-only events.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub created: i64,
    /// The model that answered; empty in Azure's filter-only events.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub model: String,
    /// The backend configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// The service tier, when the service says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// The choices this chunk adds to; empty (or absent) in many chunks.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub choices: Vec<ChunkChoice>,
    /// Token counts: only in the usage chunk (`stream_options.include_usage`), `null` elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Azure: filter results for the prompt(s), in the first event.
    #[serde(
        default,
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub prompt_filter_results: Vec<PromptFilterResult>,
    /// OpenAI: random padding that hides the length of each chunk; carries no content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obfuscation: Option<String>,
    /// Set when the event was an error object rather than a chunk.
    #[serde(default, skip_serializing)]
    pub(crate) error: Option<IgnoredAny>,
}

impl ChatCompletionChunk {
    /// The first choice's delta, if the chunk has a choice.
    pub fn delta(&self) -> Option<&Delta> {
        self.choices.first().map(|c| &c.delta)
    }

    /// The first choice's new transcript text, if any.
    pub fn transcript_delta(&self) -> Option<&str> {
        self.delta()?.audio.as_ref()?.transcript.as_deref()
    }

    /// The first choice's new audio bytes, if any.
    pub fn audio_delta(&self) -> Option<&AudioData> {
        self.delta()?.audio.as_ref()?.data.as_ref()
    }

    /// The first choice's new text content, if any.
    pub fn content_delta(&self) -> Option<&str> {
        self.delta()?.content.as_deref()
    }
}

/// What a chunk adds to one choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChunkChoice {
    /// Which choice.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub index: u32,
    /// The new pieces of the message.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub delta: Delta,
    /// Why the choice ended, in the chunk where it ended (a stream may never say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Log probabilities, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<serde_json::Value>,
    /// Azure: filter results for this choice (possibly only some categories per event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_filter_results: Option<ContentFilterResults>,
    /// Azure's asynchronous filter: which part of the text the results are about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_filter_offsets: Option<ContentFilterOffsets>,
}

/// The new pieces of a message. Text pieces are appended; `role` comes once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delta {
    /// [`Role::Assistant`], in the first delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A piece of text (`null` beside audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A piece of a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Pieces of tool calls, matched by `index`.
    #[serde(
        default,
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCallDelta>,
    /// A piece of the spoken reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioDelta>,
}

/// A piece of the spoken reply. The id and the first transcript piece come first, then audio
/// pieces and more transcript pieces, and `expires_at` last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AudioDelta {
    /// `audio_...`, to cite the reply in a later turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Audio bytes (pcm16: 24 kHz mono 16-bit little-endian), decoded from this chunk's base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<AudioData>,
    /// A piece of the transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Unix seconds after which the id can no longer be cited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// A piece of a tool call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCallDelta {
    /// Which tool call of the message this piece belongs to.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub index: u32,
    /// The call's id, in its first piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function`, in its first piece.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The function's name and a piece of its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCallDelta>,
}

/// A piece of a function call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FunctionCallDelta {
    /// The function's name, in its first piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A piece of the JSON arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_first_event_and_post_finish_filter_event() {
        let first: ChatCompletionChunk = serde_json::from_str(
            r#"{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}"#,
        )
        .unwrap();
        assert!(first.choices.is_empty());
        assert_eq!(first.prompt_filter_results.len(), 1);
        let filter: ChatCompletionChunk = serde_json::from_str(
            r#"{"choices":[{"content_filter_offsets":{"check_offset":105,"start_offset":105,"end_offset":992},"content_filter_results":{"protected_material_code":{"filtered":false,"detected":false}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}"#,
        )
        .unwrap();
        let c = &filter.choices[0];
        assert_eq!(c.content_filter_offsets.unwrap().end_offset, 992);
        assert!(c
            .content_filter_results
            .as_ref()
            .unwrap()
            .protected_material_code
            .is_some());
        assert_eq!(c.delta, Delta::default());
    }

    #[test]
    fn audio_delta_pieces_and_missing_choices() {
        let a: ChatCompletionChunk = serde_json::from_str(
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"audio":{"id":"audio_1","transcript":"Yes"}},"finish_reason":null}]}"#,
        )
        .unwrap();
        assert_eq!(a.transcript_delta(), Some("Yes"));
        assert_eq!(a.content_delta(), None);
        let b: ChatCompletionChunk = serde_json::from_str(
            r#"{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"audio":{"data":"AAEC"}}}],"obfuscation":"x"}"#,
        )
        .unwrap();
        assert_eq!(b.audio_delta().unwrap().as_bytes(), &[0, 1, 2]);
        assert_eq!(b.obfuscation.as_deref(), Some("x"));
        let c: ChatCompletionChunk =
            serde_json::from_str(r#"{"id":"chatcmpl-1","object":"chat.completion.chunk"}"#)
                .unwrap();
        assert!(c.choices.is_empty() && c.delta().is_none());
        let d: ChatCompletionChunk =
            serde_json::from_str(r#"{"choices":null,"usage":null,"id":null}"#).unwrap();
        assert!(d.choices.is_empty() && d.usage.is_none());
        let e: ChatCompletionChunk =
            serde_json::from_str(r#"{"error":{"code":"server_error","message":"boom"}}"#).unwrap();
        assert!(e.error.is_some() && a.error.is_none());
    }

    #[test]
    fn debug_shows_audio_length_only() {
        let b: ChatCompletionChunk = serde_json::from_str(
            r#"{"choices":[{"index":0,"delta":{"audio":{"data":"AAECAwQF"}}}]}"#,
        )
        .unwrap();
        let debug = format!("{b:?}");
        assert!(debug.contains("AudioData(<6 bytes>)"), "{debug}");
        assert!(!debug.contains("AAECAwQF"));
    }
}
