//! The chat completions request and its builder.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::audio::{AudioFormat, Voice};
use crate::chat::message::{Message, UserContent};
use crate::macros::{setters, string_enum};

string_enum! {
    /// An output modality.
    pub enum Modality {
        /// Text output.
        Text => "text",
        /// Spoken output.
        Audio => "audio",
    }
}

/// The `audio` parameter: which voice speaks and how the audio is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudioOutput {
    /// The voice.
    pub voice: Voice,
    /// The encoding.
    pub format: AudioFormat,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionDefinition,
}

impl Tool {
    /// A function tool; `parameters` is a JSON Schema object.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        Tool {
            kind: "function",
            function: FunctionDefinition {
                name: name.into(),
                description: Some(description.into()),
                parameters: Some(parameters),
                strict: None,
            },
        }
    }

    /// Asks the service to follow the schema exactly (`strict: true`).
    pub fn strict(mut self, strict: bool) -> Self {
        self.function.strict = Some(strict);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct FunctionDefinition {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict: Option<bool>,
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolChoice {
    /// Never call a tool.
    None,
    /// The model decides.
    Auto,
    /// Call at least one tool.
    Required,
    /// Call this function.
    Function(String),
}

impl Serialize for ToolChoice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::None => s.serialize_str("none"),
            ToolChoice::Auto => s.serialize_str("auto"),
            ToolChoice::Required => s.serialize_str("required"),
            ToolChoice::Function(name) => {
                serde_json::json!({"type": "function", "function": {"name": name}}).serialize(s)
            }
        }
    }
}

/// The shape of the text the model writes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON that follows a schema.
    JsonSchema {
        /// A name for the schema.
        name: String,
        /// The JSON Schema.
        schema: Value,
        /// Follow the schema exactly.
        strict: bool,
    },
}

impl Serialize for ResponseFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ResponseFormat::Text => serde_json::json!({"type": "text"}).serialize(s),
            ResponseFormat::JsonObject => serde_json::json!({"type": "json_object"}).serialize(s),
            ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            } => serde_json::json!({
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": strict}
            })
            .serialize(s),
        }
    }
}

/// Stop sequences: one or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Stop {
    /// One sequence.
    One(String),
    /// Up to four sequences.
    Many(Vec<String>),
}

/// `stream_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct StreamOptions {
    pub(crate) include_usage: bool,
}

/// A chat completions request.
///
/// Rules that span fields are kept by the builder: [`ChatRequest::audio`] sets `modalities`
/// and `audio` together; only the streaming call sets `stream`. Fields the crate does not model
/// yet can be added with [`ChatRequest::extra`].
///
/// ```
/// use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
/// let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
///     .audio(Voice::Alloy, AudioFormat::Wav);
/// let json = serde_json::to_value(&request).unwrap();
/// assert_eq!(json["modalities"], serde_json::json!(["text", "audio"]));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ChatRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    modalities: Option<Vec<Modality>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio: Option<AudioOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<Stop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence_penalty: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency_penalty: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// The top-level fields [`ChatRequest`] serializes itself.
const MODELED_FIELDS: &[&str] = &[
    "model",
    "messages",
    "modalities",
    "audio",
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "top_p",
    "n",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "user",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "stream",
    "stream_options",
];

impl ChatRequest {
    /// A request with these messages and no other settings (text output).
    pub fn new(messages: impl IntoIterator<Item = Message>) -> Self {
        ChatRequest {
            messages: messages.into_iter().collect(),
            ..Default::default()
        }
    }

    /// Asks for spoken output: sets `modalities: ["text", "audio"]` and `audio: {voice, format}`.
    pub fn audio(mut self, voice: impl Into<Voice>, format: impl Into<AudioFormat>) -> Self {
        self.modalities = Some(vec![Modality::Text, Modality::Audio]);
        self.audio = Some(AudioOutput {
            voice: voice.into(),
            format: format.into(),
        });
        self
    }

    /// Asks for text only: removes `audio` and sets `modalities: ["text"]`.
    pub fn text_only(mut self) -> Self {
        self.modalities = Some(vec![Modality::Text]);
        self.audio = None;
        self
    }

    /// Appends a message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Appends a user message.
    pub fn user(self, content: impl Into<UserContent>) -> Self {
        self.message(Message::user(content))
    }

    /// Replaces the messages.
    pub fn messages(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.messages = messages.into_iter().collect();
        self
    }

    setters! {
        /// The model name in the body. Needed only on the `/openai/v1` route, where the client sets it from the deployment unless you do.
        model: String,
        /// The most tokens the reply may use, reasoning and audio included.
        max_completion_tokens: u32,
        /// The older token limit (prefer `max_completion_tokens`).
        max_tokens: u32,
        /// Sampling temperature, 0 to 2.
        temperature: f32,
        /// Nucleus sampling.
        top_p: f32,
        /// How many choices to generate.
        n: u32,
        /// Where to stop.
        stop: Stop,
        /// A seed for best-effort determinism.
        seed: i64,
        /// Presence penalty, -2 to 2.
        presence_penalty: f32,
        /// Frequency penalty, -2 to 2.
        frequency_penalty: f32,
        /// Which tool to call.
        tool_choice: ToolChoice,
        /// Allow several tool calls at once.
        parallel_tool_calls: bool,
        /// The shape of the text output.
        response_format: ResponseFormat,
    }

    /// An end-user id for abuse monitoring (the `user` field).
    pub fn end_user(mut self, id: impl Into<String>) -> Self {
        self.user = Some(id.into());
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds a JSON field the crate does not model; it is sent as given, at the top level.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// The messages.
    pub fn get_messages(&self) -> &[Message] {
        &self.messages
    }

    /// The requested audio output, if any.
    pub fn get_audio(&self) -> Option<&AudioOutput> {
        self.audio.as_ref()
    }

    /// The model field, if set.
    pub fn get_model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    pub(crate) fn messages_mut(&mut self) -> &mut Vec<Message> {
        &mut self.messages
    }

    pub(crate) fn set_model_if_unset(&mut self, model: &str) {
        if self.model.is_none() {
            self.model = Some(model.to_owned());
        }
    }

    /// Refuses, before anything is sent, a request the service would refuse or the crate would
    /// send wrongly: no messages, or an [`extra`](ChatRequest::extra) field the crate sets
    /// itself (it would be sent twice, or break a rule such as "only streaming sets `stream`").
    pub(crate) fn check(&self) -> crate::error::Result<()> {
        use crate::error::Error;
        if self.messages.is_empty() {
            return Err(Error::invalid_input("the request has no messages"));
        }
        if let Some(key) = self
            .extra
            .keys()
            .find(|k| MODELED_FIELDS.contains(&k.as_str()))
        {
            return Err(Error::invalid_input(format!(
                "`{key}` cannot be an extra field: the request sets it (use its setter, or `stream()` for streaming)"
            )));
        }
        Ok(())
    }

    /// Marks the request as streaming (`stream: true`, usage included). Only the streaming call does this.
    pub(crate) fn set_streaming(&mut self) {
        self.stream = Some(true);
        self.stream_options = Some(StreamOptions {
            include_usage: true,
        });
    }
}

#[cfg(test)]
mod tests;
