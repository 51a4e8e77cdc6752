//! Conversation items (messages, function calls and their outputs) and their content parts, as
//! `conversation.item.create` sends them and the server events carry them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::audio::AudioData;
use crate::chat::response::Role;
use crate::macros::string_enum;

string_enum! {
    /// The `type` of a conversation item.
    pub enum ItemKind {
        /// `message`: a system, user or assistant message.
        Message => "message",
        /// `function_call`: the model calls a function.
        FunctionCall => "function_call",
        /// `function_call_output`: the caller's answer to a function call.
        FunctionCallOutput => "function_call_output",
    }
}

string_enum! {
    /// The `type` of a content part.
    pub enum ContentKind {
        /// `input_text`: text from the caller.
        InputText => "input_text",
        /// `input_audio`: audio from the caller.
        InputAudio => "input_audio",
        /// `output_text`: the model's text.
        OutputText => "output_text",
        /// `output_audio`: the model's audio (with its transcript).
        OutputAudio => "output_audio",
        /// `text`: the model's text (the preview protocol's name).
        Text => "text",
        /// `audio`: the model's audio (the preview protocol's name).
        Audio => "audio",
    }
}

/// One item of the conversation.
///
/// One lenient shape for every kind: the fields a kind does not use are `None`, and fields the
/// crate does not model are kept in [`extra`](Self::extra), so an item of a kind new to the crate
/// arrives whole.
///
/// ```
/// use azure_openai_audio::ConversationItem;
/// let item = ConversationItem::user_text("hi");
/// assert_eq!(
///     serde_json::to_value(&item).unwrap(),
///     serde_json::json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationItem {
    /// The item's id (the service's, or one the caller chooses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the item is (an empty unknown kind when the server left it out).
    #[serde(rename = "type", default = "ItemKind::missing")]
    pub kind: ItemKind,
    /// `in_progress`, `completed` or `incomplete` (server items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Who wrote a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A message's parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<ContentPart>,
    /// The call a function call or its output belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    /// A function call's function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A function call's arguments (JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    /// A function call output's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Fields the crate does not model (`object`, ...), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ItemKind {
    /// The kind of an item whose `type` the server left out.
    fn missing() -> Self {
        ItemKind::Unknown(crate::UnknownValue::new(String::new()))
    }
}

impl ConversationItem {
    /// An item the server left out of an event that should carry one: no id, an unknown kind.
    pub(crate) fn missing() -> Self {
        ConversationItem::empty(ItemKind::missing())
    }

    fn empty(kind: ItemKind) -> Self {
        ConversationItem {
            id: None,
            kind,
            status: None,
            role: None,
            content: Vec::new(),
            call_id: None,
            name: None,
            arguments: None,
            output: None,
            extra: Map::new(),
        }
    }

    /// A message from `role` with these parts.
    pub fn message(role: Role, content: impl IntoIterator<Item = ContentPart>) -> Self {
        ConversationItem {
            role: Some(role),
            content: content.into_iter().collect(),
            ..Self::empty(ItemKind::Message)
        }
    }

    /// A user message of text.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::message(Role::User, [ContentPart::input_text(text)])
    }

    /// A user message of audio (in the session's input format; base64-encoded when sent).
    pub fn user_audio(audio: impl Into<AudioData>) -> Self {
        Self::message(Role::User, [ContentPart::input_audio(audio)])
    }

    /// A system message of text.
    pub fn system_text(text: impl Into<String>) -> Self {
        Self::message(Role::System, [ContentPart::input_text(text)])
    }

    /// The output of the function call `call_id`.
    pub fn function_output(call_id: impl Into<String>, output: impl Into<String>) -> Self {
        ConversationItem {
            call_id: Some(call_id.into()),
            output: Some(output.into()),
            ..Self::empty(ItemKind::FunctionCallOutput)
        }
    }

    /// Sets the item's id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// A part of a message's content (also `response.content_part.*`'s `part`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentPart {
    /// What the part is.
    #[serde(rename = "type")]
    pub kind: ContentKind,
    /// The text of a text part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The audio of an audio part, decoded (`Debug` shows its length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioData>,
    /// The transcript of an audio part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Fields the crate does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ContentPart {
    fn empty(kind: ContentKind) -> Self {
        ContentPart {
            kind,
            text: None,
            audio: None,
            transcript: None,
            extra: Map::new(),
        }
    }

    /// `input_text`.
    pub fn input_text(text: impl Into<String>) -> Self {
        ContentPart {
            text: Some(text.into()),
            ..Self::empty(ContentKind::InputText)
        }
    }

    /// `input_audio`: audio bytes in the session's input format (base64-encoded when sent).
    pub fn input_audio(audio: impl Into<AudioData>) -> Self {
        ContentPart {
            audio: Some(audio.into()),
            ..Self::empty(ContentKind::InputAudio)
        }
    }
}
