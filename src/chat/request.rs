//! The chat completions request and its builder.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::audio::{AudioFormat, Voice};
use crate::chat::message::{Message, UserContent};
use crate::macros::{setters, string_enum};
use crate::transport::body::{AudioPlaceholders, JsonBody};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioOutput {
    /// The voice.
    pub voice: Voice,
    /// The encoding.
    pub format: AudioFormat,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    #[serde(rename = "type", default = "function_kind")]
    kind: String,
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
            kind: function_kind(),
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

fn function_kind() -> String {
    "function".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Mode(String),
            Function { function: Name },
        }
        #[derive(Deserialize)]
        struct Name {
            name: String,
        }
        match Wire::deserialize(d)? {
            Wire::Mode(mode) => match mode.as_str() {
                "none" => Ok(ToolChoice::None),
                "auto" => Ok(ToolChoice::Auto),
                "required" => Ok(ToolChoice::Required),
                other => Err(serde::de::Error::unknown_variant(
                    other,
                    &["none", "auto", "required"],
                )),
            },
            Wire::Function { function } => Ok(ToolChoice::Function(function.name)),
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

impl<'de> Deserialize<'de> for ResponseFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Wire {
            Text,
            JsonObject,
            JsonSchema { json_schema: Schema },
        }
        #[derive(Deserialize)]
        struct Schema {
            name: String,
            #[serde(default)]
            schema: Value,
            #[serde(default)]
            strict: bool,
        }
        Ok(match Wire::deserialize(d)? {
            Wire::Text => ResponseFormat::Text,
            Wire::JsonObject => ResponseFormat::JsonObject,
            Wire::JsonSchema { json_schema: s } => ResponseFormat::JsonSchema {
                name: s.name,
                schema: s.schema,
                strict: s.strict,
            },
        })
    }
}

/// Stop sequences: one or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stop {
    /// One sequence.
    One(String),
    /// Up to four sequences.
    Many(Vec<String>),
}

/// `stream_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StreamOptions {
    pub(crate) include_usage: bool,
}

/// A chat completions request.
///
/// Rules that span fields are kept by the builder: [`ChatRequest::audio`] sets `modalities`
/// and `audio` together; only the streaming call sets `stream`. Fields the crate does not model
/// yet can be added with [`ChatRequest::extra`].
///
/// Naming: a setting is set by a method named after it, which takes and returns the request
/// (`.temperature(0.5)`, `.messages(...)`), and read by the same name with `_ref`
/// ([`messages_ref`](ChatRequest::messages_ref), [`audio_ref`](ChatRequest::audio_ref),
/// [`model_ref`](ChatRequest::model_ref)), as `http::request::Builder` does.
///
/// A request serializes as the service reads it, and deserializes from the same, so it can be
/// saved (audio from a file is saved as its path: see [`InputAudio`](crate::InputAudio)). The
/// `stream` fields are the streaming call's own: a saved request never has them, and a JSON
/// object that sets them is refused when sent, as an [`extra`](ChatRequest::extra) field.
///
/// ```
/// use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
/// let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
///     .audio(Voice::Alloy, AudioFormat::Wav);
/// let json = serde_json::to_value(&request).unwrap();
/// assert_eq!(json["modalities"], serde_json::json!(["text", "audio"]));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(default)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
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

    /// The messages (set with [`messages`](ChatRequest::messages)).
    pub fn messages_ref(&self) -> &[Message] {
        &self.messages
    }

    /// The requested audio output, if any (set with [`audio`](ChatRequest::audio)).
    pub fn audio_ref(&self) -> Option<&AudioOutput> {
        self.audio.as_ref()
    }

    /// The model field, if set (with [`model`](ChatRequest::model)).
    pub fn model_ref(&self) -> Option<&str> {
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

/// The body streams each input audio from its source: the request is written with each
/// audio's `data` as a placeholder.
impl JsonBody for ChatRequest {
    fn write_json(&self, audio: &mut AudioPlaceholders) -> serde_json::Result<Vec<u8>> {
        let mut planned = self.clone();
        for message in &mut planned.messages {
            for input in message.input_audio_mut() {
                *input = input.with_placeholder(audio.placeholder(input.source()));
            }
        }
        serde_json::to_vec(&planned)
    }
}

#[cfg(test)]
mod tests;
