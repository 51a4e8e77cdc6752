//! The session configuration (`session.update`'s `session`, the GA shape, `type: "realtime"`)
//! and the parts a `response.create` shares with it: audio formats, turn detection, tools.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::audio::Voice;
use crate::chat::request::Modality;
use crate::macros::{setters, string_enum};
use crate::unknown::UnknownValue;

/// The sample rate Realtime's PCM audio always has (24 kHz, mono, 16-bit little-endian).
pub const REALTIME_PCM_RATE: u32 = 24_000;

/// A session's configuration, as `session.update` sends it and `session.created` /
/// `session.updated` echo it (the GA shape: `type: "realtime"`, `output_modalities`, `audio`).
///
/// Every field is optional: `session.update` changes only what it carries. Fields the crate does
/// not model are kept in [`extra`](Self::extra) (sent as given, and read from the service's echo:
/// `id`, `model`, `expires_at`, `max_output_tokens`, ...).
///
/// ```
/// use azure_openai_audio::{RealtimeSessionConfig, TurnDetection, Voice};
/// let session = RealtimeSessionConfig::new()
///     .instructions("Answer briefly.")
///     .voice(Voice::Marin)
///     .turn_detection(TurnDetection::semantic_vad());
/// let json = serde_json::to_value(&session).unwrap();
/// assert_eq!(json["type"], "realtime");
/// assert_eq!(json["audio"]["output"]["voice"], "marin");
/// assert_eq!(json["audio"]["input"]["turn_detection"]["type"], "semantic_vad");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeSessionConfig {
    /// Always `realtime` for a speech-to-speech session.
    #[serde(rename = "type", default = "realtime")]
    pub kind: String,
    /// The system instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `["audio"]` (audio with a transcript) or `["text"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    /// Input and output audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<SessionAudio>,
    /// The functions the model may call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<RealtimeTool>>,
    /// Whether and which tool the model calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<RealtimeToolChoice>,
    /// Fields the crate does not model, sent and read as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn realtime() -> String {
    "realtime".to_owned()
}

impl Default for RealtimeSessionConfig {
    fn default() -> Self {
        RealtimeSessionConfig {
            kind: realtime(),
            instructions: None,
            output_modalities: None,
            audio: None,
            tools: None,
            tool_choice: None,
            extra: Map::new(),
        }
    }
}

impl RealtimeSessionConfig {
    /// A configuration that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The system instructions.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Spoken replies (`["audio"]`, with a transcript) or text only (`["text"]`).
    pub fn output_modalities(mut self, modalities: impl IntoIterator<Item = Modality>) -> Self {
        self.output_modalities = Some(modalities.into_iter().collect());
        self
    }

    /// The voice of spoken replies (`audio.output.voice`).
    pub fn voice(mut self, voice: Voice) -> Self {
        self.audio_mut().output_mut().voice = Some(voice);
        self
    }

    /// The format of the audio the service sends (`audio.output.format`).
    pub fn output_format(mut self, format: RealtimeAudioFormat) -> Self {
        self.audio_mut().output_mut().format = Some(format);
        self
    }

    /// The format of the audio the caller appends (`audio.input.format`).
    pub fn input_format(mut self, format: RealtimeAudioFormat) -> Self {
        self.audio_mut().input_mut().format = Some(format);
        self
    }

    /// Transcribes the caller's audio with `model` (`audio.input.transcription`).
    pub fn input_transcription(mut self, model: impl Into<String>) -> Self {
        self.audio_mut().input_mut().transcription = Some(InputTranscription::new(model));
        self
    }

    /// How the service finds the end of a turn (`audio.input.turn_detection`);
    /// [`TurnDetection::Disabled`] sends `null`.
    pub fn turn_detection(mut self, turn_detection: TurnDetection) -> Self {
        self.audio_mut().input_mut().turn_detection = Some(turn_detection);
        self
    }

    /// Adds a function the model may call.
    pub fn tool(mut self, tool: RealtimeTool) -> Self {
        self.tools.get_or_insert_with(Vec::new).push(tool);
        self
    }

    /// Whether and which tool the model calls.
    pub fn tool_choice(mut self, choice: RealtimeToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    fn audio_mut(&mut self) -> &mut SessionAudio {
        self.audio.get_or_insert_with(SessionAudio::default)
    }
}

/// A session's audio: what the caller sends (`input`) and what the service sends (`output`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionAudio {
    /// The caller's audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<AudioInput>,
    /// The service's audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<AudioOutputConfig>,
}

impl SessionAudio {
    fn input_mut(&mut self) -> &mut AudioInput {
        self.input.get_or_insert_with(AudioInput::default)
    }

    fn output_mut(&mut self) -> &mut AudioOutputConfig {
        self.output.get_or_insert_with(AudioOutputConfig::default)
    }
}

/// `audio.input`: the format of the caller's audio, its transcription, turn detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AudioInput {
    /// The format of the appended audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<RealtimeAudioFormat>,
    /// Transcription of the caller's audio (`null` in the service's echo when off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<InputTranscription>,
    /// Turn detection: absent leaves it unchanged; `null` (read as
    /// [`TurnDetection::Disabled`]) turns it off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_disabled"
    )]
    pub turn_detection: Option<TurnDetection>,
}

fn null_as_disabled<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TurnDetection>, D::Error> {
    Ok(Some(
        Option::<TurnDetection>::deserialize(d)?.unwrap_or(TurnDetection::Disabled),
    ))
}

/// `audio.output`: the format and voice of the service's audio.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AudioOutputConfig {
    /// The format of the audio sent back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<RealtimeAudioFormat>,
    /// The voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<Voice>,
}

string_enum! {
    /// The `type` of a Realtime audio format.
    pub enum RealtimeAudioType {
        /// `audio/pcm`: 16-bit little-endian mono PCM at 24 kHz.
        Pcm => "audio/pcm",
        /// `audio/pcmu`: G.711 μ-law.
        Pcmu => "audio/pcmu",
        /// `audio/pcma`: G.711 A-law.
        Pcma => "audio/pcma",
    }
}

/// A Realtime audio format: `{"type": "audio/pcm", "rate": 24000}`, `audio/pcmu` or `audio/pcma`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeAudioFormat {
    /// The encoding.
    #[serde(rename = "type")]
    pub kind: RealtimeAudioType,
    /// The sample rate (PCM only: always 24000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
}

impl RealtimeAudioFormat {
    /// 16-bit little-endian mono PCM at 24 kHz (`audio/pcm`, rate 24000).
    pub fn pcm16() -> Self {
        RealtimeAudioFormat {
            kind: RealtimeAudioType::Pcm,
            rate: Some(REALTIME_PCM_RATE),
        }
    }

    /// G.711 μ-law (`audio/pcmu`).
    pub fn pcmu() -> Self {
        RealtimeAudioFormat {
            kind: RealtimeAudioType::Pcmu,
            rate: None,
        }
    }

    /// G.711 A-law (`audio/pcma`).
    pub fn pcma() -> Self {
        RealtimeAudioFormat {
            kind: RealtimeAudioType::Pcma,
            rate: None,
        }
    }
}

/// `audio.input.transcription`: the model that transcribes the caller's audio.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputTranscription {
    /// The transcription model (`whisper-1`, `gpt-4o-transcribe`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The language of the audio (ISO-639-1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Text to guide the transcription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

impl InputTranscription {
    /// Transcription with `model`.
    pub fn new(model: impl Into<String>) -> Self {
        InputTranscription {
            model: Some(model.into()),
            ..Self::default()
        }
    }
}

/// How the service finds the end of the caller's turn (`audio.input.turn_detection`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TurnDetection {
    /// `server_vad`: the end of speech found from silence.
    ServerVad(ServerVad),
    /// `semantic_vad`: the end of speech found from what was said.
    SemanticVad(SemanticVad),
    /// Off (`null` on the wire): the caller commits the buffer and asks for responses.
    Disabled,
    /// A kind this version of the crate does not know, kept as sent. Only read, never built.
    #[non_exhaustive]
    Unknown {
        /// Its `type`.
        kind: UnknownValue,
        /// The whole object.
        json: Value,
    },
}

impl TurnDetection {
    /// `server_vad` with the service's defaults.
    pub fn server_vad() -> Self {
        TurnDetection::ServerVad(ServerVad::default())
    }

    /// `semantic_vad` with the service's defaults.
    pub fn semantic_vad() -> Self {
        TurnDetection::SemanticVad(SemanticVad::default())
    }
}

/// The settings of `server_vad` (unset ones take the service's defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerVad {
    /// Activation threshold, 0.0 to 1.0 (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// Audio kept before the speech starts, in ms (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_padding_ms: Option<u32>,
    /// Silence that ends the speech, in ms (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_duration_ms: Option<u32>,
    /// Whether the end of speech asks for a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_response: Option<bool>,
    /// Whether the start of speech interrupts the response in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupt_response: Option<bool>,
}

impl ServerVad {
    setters! {
        /// Activation threshold, 0.0 to 1.0.
        threshold: f32,
        /// Audio kept before the speech starts, in ms.
        prefix_padding_ms: u32,
        /// Silence that ends the speech, in ms.
        silence_duration_ms: u32,
        /// Whether the end of speech asks for a response.
        create_response: bool,
        /// Whether the start of speech interrupts the response in progress.
        interrupt_response: bool,
    }
}

string_enum! {
    /// How soon `semantic_vad` ends a turn.
    pub enum Eagerness {
        /// `low`: lets the caller take their time.
        Low => "low",
        /// `medium`
        Medium => "medium",
        /// `high`: answers as soon as it can.
        High => "high",
        /// `auto` (the default, `medium`).
        Auto => "auto",
    }
}

/// The settings of `semantic_vad`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SemanticVad {
    /// How soon a turn ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eagerness: Option<Eagerness>,
    /// Whether the end of speech asks for a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_response: Option<bool>,
    /// Whether the start of speech interrupts the response in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupt_response: Option<bool>,
}

impl SemanticVad {
    setters! {
        /// How soon a turn ends.
        eagerness: Eagerness,
        /// Whether the end of speech asks for a response.
        create_response: bool,
        /// Whether the start of speech interrupts the response in progress.
        interrupt_response: bool,
    }
}

impl Serialize for TurnDetection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Wire<'a> {
            ServerVad(&'a ServerVad),
            SemanticVad(&'a SemanticVad),
        }
        match self {
            TurnDetection::ServerVad(v) => Wire::ServerVad(v).serialize(s),
            TurnDetection::SemanticVad(v) => Wire::SemanticVad(v).serialize(s),
            TurnDetection::Disabled => s.serialize_none(),
            TurnDetection::Unknown { json, .. } => json.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for TurnDetection {
    /// `null` is [`TurnDetection::Disabled`]; an unknown `type` is kept; known kinds whose
    /// settings do not parse are an error.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let json = Value::deserialize(d)?;
        let kind = match &json {
            Value::Null => return Ok(TurnDetection::Disabled),
            Value::Object(map) => map.get("type").and_then(Value::as_str).unwrap_or_default(),
            _ => return Err(D::Error::custom("turn_detection is not an object")),
        };
        Ok(match kind {
            "server_vad" => {
                TurnDetection::ServerVad(serde_json::from_value(json).map_err(D::Error::custom)?)
            }
            "semantic_vad" => {
                TurnDetection::SemanticVad(serde_json::from_value(json).map_err(D::Error::custom)?)
            }
            other => TurnDetection::Unknown {
                kind: UnknownValue::new(other.to_owned()),
                json,
            },
        })
    }
}

/// A function the model may call (`{"type": "function", "name", "description", "parameters"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RealtimeTool {
    /// Always `function`.
    #[serde(rename = "type", default = "function")]
    pub kind: String,
    /// The function's name.
    #[serde(default)]
    pub name: String,
    /// When and how to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its parameters, as a JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

fn function() -> String {
    "function".to_owned()
}

impl RealtimeTool {
    /// A function tool with its description and its parameters' JSON Schema.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        RealtimeTool {
            kind: function(),
            name: name.into(),
            description: Some(description.into()),
            parameters: Some(parameters),
        }
    }
}

string_enum! {
    /// Whether the model calls tools: `auto`, `none` or `required`.
    pub enum ToolMode {
        /// `auto`: the model decides.
        Auto => "auto",
        /// `none`: no tool calls.
        None => "none",
        /// `required`: the model must call a tool.
        Required => "required",
    }
}

/// `tool_choice`: a mode, or one function the model must call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum RealtimeToolChoice {
    /// `"auto"`, `"none"` or `"required"`.
    Mode(ToolMode),
    /// `{"type": "function", "name": ...}`.
    Function(FunctionChoice),
}

impl RealtimeToolChoice {
    /// The model must call the function `name`.
    pub fn function(name: impl Into<String>) -> Self {
        RealtimeToolChoice::Function(FunctionChoice {
            kind: function(),
            name: name.into(),
        })
    }
}

/// The function a [`RealtimeToolChoice::Function`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FunctionChoice {
    /// Always `function`.
    #[serde(rename = "type", default = "function")]
    pub kind: String,
    /// The function's name.
    #[serde(default)]
    pub name: String,
}
