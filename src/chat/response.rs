//! The chat completions reply, decoded leniently.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::audio::in_place::AudioText;
use crate::audio::AudioData;
use crate::chat::filter::{ContentFilterResults, PromptFilterResult};
use crate::chat::message::ToolCall;
use crate::macros::string_enum;
use crate::metadata::ResponseMetadata;

string_enum! {
    /// Why the model stopped.
    pub enum FinishReason {
        /// A natural end or a stop sequence.
        Stop => "stop",
        /// The token limit.
        Length => "length",
        /// The content filter removed content.
        ContentFilter => "content_filter",
        /// The model called tools.
        ToolCalls => "tool_calls",
        /// The model called a function (legacy).
        FunctionCall => "function_call",
    }
}

string_enum! {
    /// Who wrote a message: in replies, `assistant`.
    pub enum Role {
        /// `developer`
        Developer => "developer",
        /// `system`
        System => "system",
        /// `user`
        User => "user",
        /// `assistant`
        Assistant => "assistant",
        /// `tool`
        Tool => "tool",
    }
}

/// A chat completion.
///
/// Every field the service has been seen to omit is optional or defaults. `metadata` comes from
/// the response headers, not the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatCompletion {
    /// `chatcmpl-...`.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: String,
    /// `chat.completion`.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub object: String,
    /// Unix seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub created: i64,
    /// The model that answered, e.g. `gpt-4o-audio-preview-2024-12-17`.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub model: String,
    /// The backend configuration.
    #[serde(default)]
    pub system_fingerprint: Option<String>,
    /// The choices (one unless `n` was set).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub choices: Vec<Choice>,
    /// Token counts.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// Azure: filter results for the prompt(s).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub prompt_filter_results: Vec<PromptFilterResult>,
    /// Status and headers of the response (request ids, region, rate limits).
    #[serde(skip)]
    pub metadata: ResponseMetadata,
}

impl ChatCompletion {
    /// The first choice's message, if there is one.
    pub fn message(&self) -> Option<&ResponseMessage> {
        self.choices.first().map(|c| &c.message)
    }

    /// The first choice's spoken reply, if there is one.
    pub fn audio(&self) -> Option<&ReplyAudio> {
        self.message().and_then(|m| m.audio.as_ref())
    }

    /// Parses a chat completion from its JSON body, as the client does with every reply: each
    /// audio is decoded over its own base64 text in `body`, so the audio is never held twice
    /// (an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error if the body is not a chat
    /// completion or its audio is not base64).
    ///
    /// ```
    /// let body = br#"{"choices":[{"message":{"audio":{"id":"audio_1","data":"UklGRg==","transcript":"hi"}}}]}"#;
    /// let reply = azure_openai_audio::ChatCompletion::from_json(body.to_vec())?;
    /// assert_eq!(reply.audio().unwrap().data.as_bytes(), b"RIFF");
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn from_json(body: Vec<u8>) -> crate::error::Result<Self> {
        crate::audio::in_place::parse(
            body,
            "the reply is not a chat completion",
            WireCompletion::audio_texts,
            ChatCompletion::audio_slots,
        )
    }

    /// Every choice's audio field, in document order (for decoding audio in place).
    fn audio_slots(&mut self) -> Vec<Option<&mut AudioData>> {
        self.choices
            .iter_mut()
            .map(|c| c.message.audio.as_mut().map(|a| &mut a.data))
            .collect()
    }

    /// The first choice's text: its content, else its audio transcript.
    pub fn text(&self) -> Option<&str> {
        let m = self.message()?;
        m.content
            .as_deref()
            .or(m.audio.as_ref().map(|a| a.transcript.as_str()))
    }
}

/// A chat completion as far as its audio, borrowed from the body: where each choice's base64
/// text lies, so it can be decoded in place.
#[derive(Deserialize)]
struct WireCompletion<'a> {
    #[serde(borrow, default)]
    choices: Option<Vec<WireChoice<'a>>>,
}

#[derive(Deserialize)]
struct WireChoice<'a> {
    #[serde(borrow, default)]
    message: Option<WireMessage<'a>>,
}

#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(borrow, default)]
    audio: Option<WireAudio<'a>>,
}

#[derive(Deserialize)]
struct WireAudio<'a> {
    #[serde(borrow, default)]
    data: Option<AudioText<'a>>,
}

impl WireCompletion<'_> {
    /// For each choice: the range of its audio's base64 text in `body`, when it has one without
    /// escapes; `None` if the body is not this shape.
    fn audio_texts(body: &[u8]) -> Option<Vec<Option<Range<usize>>>> {
        let wire: WireCompletion = serde_json::from_slice(body).ok()?;
        let choices = wire.choices.unwrap_or_default();
        Some(
            choices
                .iter()
                .map(|c| {
                    c.message
                        .as_ref()?
                        .audio
                        .as_ref()?
                        .data
                        .as_ref()?
                        .range_in(body)
                })
                .collect(),
        )
    }
}

/// One choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Choice {
    /// Its index.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub index: u32,
    /// Why it ended; `None` when the service did not say.
    #[serde(default)]
    pub finish_reason: Option<FinishReason>,
    /// The message.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub message: ResponseMessage,
    /// Azure: filter results for this choice.
    #[serde(default)]
    pub content_filter_results: Option<ContentFilterResults>,
    /// Log probabilities, as sent.
    #[serde(default)]
    pub logprobs: Option<serde_json::Value>,
}

/// The message of a choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseMessage {
    /// [`Role::Assistant`].
    #[serde(default)]
    pub role: Option<Role>,
    /// The text; `None` beside audio.
    #[serde(default)]
    pub content: Option<String>,
    /// A refusal, when the model refused.
    #[serde(default)]
    pub refusal: Option<String>,
    /// The spoken reply.
    #[serde(default)]
    pub audio: Option<ReplyAudio>,
    /// Tool calls.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub tool_calls: Vec<ToolCall>,
}

/// The audio of a reply: decoded bytes, the id to cite it by in a later turn, and its transcript.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReplyAudio {
    /// `audio_...`: cite it in a later turn with [`Message::assistant_audio`](crate::Message::assistant_audio).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: String,
    /// The audio, decoded from base64, in the format requested.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub data: AudioData,
    /// Unix seconds after which the id can no longer be cited.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// What the audio says.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub transcript: String,
}

impl ReplyAudio {
    /// True while the id can still be cited (`expires_at` in the future; unknown counts as valid).
    pub fn is_citable_at(&self, now_unix: i64) -> bool {
        self.expires_at.is_none_or(|t| t > now_unix)
    }
}

/// Token counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Usage {
    /// Prompt tokens.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub prompt_tokens: u32,
    /// Completion tokens.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub completion_tokens: u32,
    /// Both.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub total_tokens: u32,
    /// Prompt tokens by kind.
    #[serde(default)]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    /// Completion tokens by kind.
    #[serde(default)]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
}

/// Prompt tokens by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PromptTokensDetails {
    /// Audio tokens.
    #[serde(default)]
    pub audio_tokens: Option<u32>,
    /// Cached tokens.
    #[serde(default)]
    pub cached_tokens: Option<u32>,
    /// Text tokens.
    #[serde(default)]
    pub text_tokens: Option<u32>,
    /// Image tokens.
    #[serde(default)]
    pub image_tokens: Option<u32>,
}

/// Completion tokens by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompletionTokensDetails {
    /// Audio tokens.
    #[serde(default)]
    pub audio_tokens: Option<u32>,
    /// Text tokens.
    #[serde(default)]
    pub text_tokens: Option<u32>,
    /// Reasoning tokens.
    #[serde(default)]
    pub reasoning_tokens: Option<u32>,
    /// Predicted tokens that were used.
    #[serde(default)]
    pub accepted_prediction_tokens: Option<u32>,
    /// Predicted tokens that were not.
    #[serde(default)]
    pub rejected_prediction_tokens: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_and_odd_annotations_do_not_fail_a_reply() {
        let body = br#"{"id":null,"object":null,"created":null,"model":null,"system_fingerprint":null,
            "prompt_filter_results":[{"prompt_index":null,"content_filter_results":null}],
            "choices":[{"index":null,"finish_reason":"something_new","logprobs":null,
              "message":{"role":"assistant","content":null,"tool_calls":null,
                "audio":{"id":"audio_1","data":"UklGRg==","expires_at":null,"transcript":null}},
              "content_filter_results":{"custom_blocklists":[{"filtered":false,"id":"b"}],
                "ungrounded_material":{"filtered":false,"detected":true,"details":[{"completion_start_offset":0,"completion_end_offset":5}]},
                "hate":{"filtered":null,"severity":"safe"}}}],
            "usage":{"prompt_tokens":null,"completion_tokens":7,"total_tokens":null,"prompt_tokens_details":null}}"#;
        let reply = ChatCompletion::from_json(body.to_vec()).unwrap();
        assert_eq!((reply.id.as_str(), reply.created), ("", 0));
        let choice = &reply.choices[0];
        assert_eq!(
            choice.finish_reason,
            Some(FinishReason::from("something_new"))
        );
        assert!(matches!(
            &choice.finish_reason,
            Some(FinishReason::Unknown(v)) if v.as_str() == "something_new"
        ));
        let audio = reply.audio().unwrap();
        assert_eq!(
            (audio.data.as_bytes(), audio.transcript.as_str()),
            (&b"RIFF"[..], "")
        );
        let filters = choice.content_filter_results.as_ref().unwrap();
        assert_eq!(
            filters.hate.as_ref().unwrap().severity,
            Some(crate::Severity::Safe)
        );
        assert_eq!(
            filters.ungrounded_material.as_ref().unwrap().details.len(),
            1
        );
        assert!(filters.other.contains_key("custom_blocklists"));
        assert_eq!(reply.usage.as_ref().unwrap().completion_tokens, 7);
        assert!(reply.prompt_filter_results[0]
            .content_filter_results
            .is_empty());
    }
}
