//! # azure-openai-audio
//!
//! A typed async client for the audio side of Azure OpenAI: ask `gpt-4o-audio-preview` /
//! `gpt-4o-mini-audio-preview` for spoken replies, send WAV or MP3 audio as input, and continue a
//! conversation by citing earlier audio by its id.
//!
//! ```no_run
//! use azure_openai_audio::{AudioFormat, ChatRequest, Client, Message, Voice};
//!
//! # async fn run() -> azure_openai_audio::Result<()> {
//! let client = Client::from_env()?; // AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY (or Entra ID), ...
//! let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
//!     .audio(Voice::Alloy, AudioFormat::Wav);
//! let reply = client.chat().complete(&request).await?;
//! let audio = reply.audio().expect("a spoken reply");
//! std::fs::write("dog.wav", &audio.data).expect("write dog.wav");
//! println!("{}", audio.transcript);
//! # Ok(()) }
//! ```
//!
//! ## Where things are
//! Everything you name is at the crate root: the [`Client`] and its builder, [`Credential`], the
//! requests and replies of each API, [`Error`], [`RequestOptions`], [`RetryPolicy`]. The modules
//! hold the handlers and the details:
//! - [`chat`]: `client.chat()` ([`chat::Chat`]), filter-result and token-count details.
//!   Requests: [`ChatRequest`], [`Message`], [`Conversation`]; replies: [`ChatCompletion`],
//!   streams: [`ChatStream`], [`StreamAccumulator`].
//! - [`speech`]: `client.speech()` ([`Speech`]): [`SpeechRequest`]; the audio whole
//!   ([`SpeechAudio`]), as it arrives ([`SpeechByteStream`], to files and writers), or as
//!   [`SpeechEvent`]s.
//! - [`transcription`]: `client.transcriptions()` and `client.translations()`
//!   ([`Transcriptions`], [`Translations`]): [`TranscriptionRequest`], [`TranslationRequest`],
//!   replies in every format ([`Transcript`]), subtitles, [`TranscriptionEvent`]s.
//! - [`realtime`]: `client.realtime()` ([`realtime::Realtime`]) opens a [`RealtimeSession`] over
//!   a WebSocket, split into a [`RealtimeSender`] and a [`RealtimeReceiver`]; the events
//!   ([`RealtimeClientEvent`], [`RealtimeServerEvent`]), [`RealtimeSessionConfig`],
//!   [`ConversationItem`], [`ResponseConfig`], the [`ResponseCollector`] that assembles a
//!   response from its events, and client secrets for browsers.
//! - [`audio`]: the limits of input audio. [`AudioSource`] (a file or bytes, checked by each API
//!   with its own rules), chat's [`InputAudio`], [`AudioData`], [`Pcm16WavWriter`] are at the root,
//!   as are [`Pcm16Converter`], [`Pcm16Chunks`] and [`Pcm16Stream`], which turn a WAV of any common format, rate
//!   and channel count into the Realtime API's 24 kHz mono pcm16.
//!
//! An offline emulator of the endpoint, for examples and tests in any language, is a crate of its
//! own: `azure-openai-audio-emulator` (a library and a binary).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod lenient;
mod macros;
mod unknown;

pub mod audio;
pub mod chat;
mod client;
mod credential;
mod error;
mod metadata;
pub mod realtime;
pub mod routing;
pub mod speech;
pub mod transcription;
mod transport;

pub use audio::format::ContainerFormat;
pub use audio::input::{InputAudio, InputAudioFormat};
pub use audio::output::AudioData;
pub use audio::pcm16_converter::{Pcm16Chunks, Pcm16Converter, Pcm16Stream};
pub use audio::source::AudioSource;
pub use audio::voice::{AudioFormat, Voice};
pub use audio::wav::Pcm16WavWriter;
pub use audio::wav_reader::{WavFormat, WavSampleFormat};
pub use chat::accumulate::StreamAccumulator;
pub use chat::chunk::{AudioDelta, ChatCompletionChunk, ChunkChoice, Delta, ToolCallDelta};
pub use chat::conversation::Conversation;
pub use chat::filter::{ContentFilterResults, PromptFilterResult, Severity};
pub use chat::message::{
    AudioReference, ContentPart, FunctionCall, ImageUrl, Message, ToolCall, UserContent,
};
pub use chat::request::{
    AudioOutput, ChatRequest, Modality, ResponseFormat, Stop, Tool, ToolChoice,
};
pub use chat::response::{
    ChatCompletion, Choice, FinishReason, ReplyAudio, ResponseMessage, Role, Usage,
};
pub use chat::stream::ChatStream;
pub use client::{
    env, Api, Client, ClientBuilder, Route, DEFAULT_API_VERSION, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEPLOYMENT, DEFAULT_MAX_REPLY_SIZE, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use credential::{AccessToken, Credential, Secret, TokenProvider, COGNITIVE_SERVICES_SCOPE};
pub use error::{ApiError, Error, ErrorKind, InnerError, Result};
pub use metadata::ResponseMetadata;
pub use realtime::client_event::RealtimeClientEvent;
pub use realtime::collector::ResponseCollector;
pub use realtime::item::ConversationItem;
pub use realtime::response::{RealtimeResponse, RealtimeUsage, ResponseConfig};
pub use realtime::server_event::RealtimeServerEvent;
pub use realtime::session::{
    RealtimeAudioFormat, RealtimeSessionConfig, RealtimeTool, RealtimeToolChoice, TurnDetection,
};
pub use realtime::{RealtimeProtocol, RealtimeReceiver, RealtimeSender, RealtimeSession};
pub use speech::api::Speech;
pub use speech::audio::SpeechAudio;
pub use speech::byte_stream::SpeechByteStream;
pub use speech::event::{SpeechEvent, SpeechUsage};
pub use speech::event_stream::SpeechEventStream;
pub use speech::format::{SpeechFormat, StreamFormat};
pub use speech::request::SpeechRequest;
pub use transcription::event::TranscriptionEvent;
pub use transcription::handler::{Transcriptions, Translations};
pub use transcription::options::{
    ChunkingStrategy, TimestampGranularity, TranscriptionFormat, TranscriptionInclude, VadConfig,
};
pub use transcription::request::TranscriptionRequest;
pub use transcription::result::{DiarizedTranscription, Transcription};
pub use transcription::speakers::KnownSpeaker;
pub use transcription::stream::TranscriptionStream;
pub use transcription::subtitles::Cue;
pub use transcription::transcript::Transcript;
pub use transcription::translation::TranslationRequest;
pub use transcription::usage::TranscriptionUsage;
pub use transport::events::UnknownEvent;
pub use transport::options::RequestOptions;
pub use transport::retry::{RetryBudget, RetryPolicy};
pub use unknown::UnknownValue;

/// Not part of the API (hidden, no stability promise): the request bodies, for the crate's own
/// memory tests and benchmarks, which must measure them without a server in between.
#[doc(hidden)]
pub mod __private {
    pub use crate::transport::body::BodyPlan;
    pub use crate::transport::multipart::MultipartBody;
}

/// The README's examples are compiled as doctests, so they cannot drift from the API.
#[cfg(all(doctest, feature = "entra-id"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// docs/chat.md's examples, compiled as doctests too.
#[cfg(all(doctest, feature = "entra-id"))]
#[doc = include_str!("../docs/chat.md")]
pub struct ChatDocDoctests;

/// docs/reliability.md's examples, compiled as doctests too.
#[cfg(all(doctest, feature = "entra-id"))]
#[doc = include_str!("../docs/reliability.md")]
pub struct ReliabilityDocDoctests;
