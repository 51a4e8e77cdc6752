//! Chat messages and their content parts.

use serde::{Deserialize, Serialize};

use crate::audio::InputAudio;

/// One message of a chat request.
///
/// Build them with the constructors: [`Message::system`], [`Message::user`],
/// [`Message::assistant_audio`], ... They serialize with a `role` tag, as the service expects,
/// and deserialize from the same (see [`InputAudio`] for how its audio is saved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Message {
    /// Instructions from the application (older models).
    System {
        /// The instructions.
        content: String,
        /// An optional participant name.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Instructions from the developer (newer models; replaces `system`).
    Developer {
        /// The instructions.
        content: String,
        /// An optional participant name.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// What the user says: text, or parts (text, input audio, images).
    User {
        /// A string or a list of parts.
        content: UserContent,
        /// An optional participant name.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An earlier reply: text, a reference to its audio by id, and/or tool calls.
    Assistant {
        /// The reply's text, if it had any.
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        /// The reply's refusal, if it refused.
        #[serde(skip_serializing_if = "Option::is_none")]
        refusal: Option<String>,
        /// The reply's audio, referred to by id (`{"audio": {"id": "audio_..."}}`).
        #[serde(skip_serializing_if = "Option::is_none")]
        audio: Option<AudioReference>,
        /// Tool calls the reply made.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
        /// An optional participant name.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// The result of a tool call.
    Tool {
        /// The result, as text.
        content: String,
        /// The id of the call this answers.
        tool_call_id: String,
    },
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Message::System {
            content: content.into(),
            name: None,
        }
    }

    /// A developer message.
    pub fn developer(content: impl Into<String>) -> Self {
        Message::Developer {
            content: content.into(),
            name: None,
        }
    }

    /// A user message: a `&str`/`String`, or a `Vec<ContentPart>`.
    pub fn user(content: impl Into<UserContent>) -> Self {
        Message::User {
            content: content.into(),
            name: None,
        }
    }

    /// An assistant message with text.
    pub fn assistant(content: impl Into<String>) -> Self {
        Message::Assistant {
            content: Some(content.into()),
            refusal: None,
            audio: None,
            tool_calls: Vec::new(),
            name: None,
        }
    }

    /// An assistant message that refers to an earlier reply's audio by its id.
    pub fn assistant_audio(id: impl Into<String>) -> Self {
        Message::Assistant {
            content: None,
            refusal: None,
            audio: Some(AudioReference { id: id.into() }),
            tool_calls: Vec::new(),
            name: None,
        }
    }

    /// An assistant message that made tool calls.
    pub fn assistant_tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        Message::Assistant {
            content: None,
            refusal: None,
            audio: None,
            tool_calls,
            name: None,
        }
    }

    /// The result of the tool call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Message::Tool {
            content: content.into(),
            tool_call_id: tool_call_id.into(),
        }
    }

    /// Sets the participant name (ignored for tool messages).
    pub fn with_name(mut self, new_name: impl Into<String>) -> Self {
        match &mut self {
            Message::System { name, .. }
            | Message::Developer { name, .. }
            | Message::User { name, .. }
            | Message::Assistant { name, .. } => *name = Some(new_name.into()),
            Message::Tool { .. } => {}
        }
        self
    }

    /// The input audio parts of a user message, in order.
    pub(crate) fn input_audio_mut(&mut self) -> impl Iterator<Item = &mut InputAudio> {
        let parts: &mut [ContentPart] = match self {
            Message::User {
                content: UserContent::Parts(parts),
                ..
            } => parts,
            _ => &mut [],
        };
        parts.iter_mut().filter_map(|part| match part {
            ContentPart::InputAudio(audio) => Some(audio),
            _ => None,
        })
    }
}

/// A reference to audio the service produced earlier: `{"id": "audio_..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioReference {
    /// The audio id from an earlier reply (`reply.audio().id`).
    pub id: String,
}

/// The content of a user message: a plain string or a list of parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UserContent {
    /// Plain text.
    Text(String),
    /// Text, audio and image parts, in order.
    Parts(Vec<ContentPart>),
}

/// A string or a list of parts; a part that cannot be read is reported as itself (not as "no
/// variant matched").
impl<'de> Deserialize<'de> for UserContent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = UserContent;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of content parts")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UserContent, E> {
                Ok(UserContent::Text(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<UserContent, E> {
                Ok(UserContent::Text(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<UserContent, A::Error> {
                let parts = Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(UserContent::Parts(parts))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl From<&str> for UserContent {
    fn from(s: &str) -> Self {
        UserContent::Text(s.to_owned())
    }
}

impl From<String> for UserContent {
    fn from(s: String) -> Self {
        UserContent::Text(s)
    }
}

impl From<Vec<ContentPart>> for UserContent {
    fn from(parts: Vec<ContentPart>) -> Self {
        UserContent::Parts(parts)
    }
}

impl From<InputAudio> for UserContent {
    fn from(audio: InputAudio) -> Self {
        UserContent::Parts(vec![ContentPart::InputAudio(audio)])
    }
}

/// One part of a user message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// Audio: `{"type":"input_audio","input_audio":{"data":...,"format":"wav"}}`.
    #[serde(rename = "input_audio")]
    InputAudio(
        #[serde(
            serialize_with = "serialize_input_audio",
            deserialize_with = "deserialize_input_audio"
        )]
        InputAudio,
    ),
    /// An image by URL or data URL.
    ImageUrl {
        /// The image.
        image_url: ImageUrl,
    },
}

fn serialize_input_audio<S: serde::Serializer>(
    audio: &InputAudio,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    // An internally tagged newtype variant flattens its content; nest it under "input_audio".
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry("input_audio", audio)?;
    m.end()
}

fn deserialize_input_audio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<InputAudio, D::Error> {
    #[derive(Deserialize)]
    struct Nested {
        input_audio: InputAudio,
    }
    Nested::deserialize(d).map(|n| n.input_audio)
}

impl ContentPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        ContentPart::Text { text: text.into() }
    }

    /// An input audio part.
    pub fn audio(audio: InputAudio) -> Self {
        ContentPart::InputAudio(audio)
    }

    /// An image part from a URL (or a `data:` URL).
    pub fn image_url(url: impl Into<String>) -> Self {
        ContentPart::ImageUrl {
            image_url: ImageUrl {
                url: url.into(),
                detail: None,
            },
        }
    }
}

/// An image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUrl {
    /// A URL or a `data:image/...;base64,` URL.
    pub url: String,
    /// `auto`, `low` or `high`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A tool call made by the model (in replies) or replayed in history (in requests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCall {
    /// The call's id; a tool message answers it.
    #[serde(default)]
    pub id: String,
    /// Always `function` today.
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    /// The function and its JSON arguments.
    #[serde(default)]
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".to_owned()
}

impl ToolCall {
    /// A function call, for replaying history.
    pub fn function(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        ToolCall {
            id: id.into(),
            kind: function_type(),
            function: FunctionCall {
                name: name.into(),
                arguments: arguments.into(),
            },
        }
    }
}

/// The function a tool call names, and its arguments as a JSON string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FunctionCall {
    /// The function's name.
    #[serde(default)]
    pub name: String,
    /// The arguments, as the model wrote them (JSON text).
    #[serde(default)]
    pub arguments: String,
}
