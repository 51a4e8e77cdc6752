//! Realtime (gpt-realtime, gpt-realtime-mini, gpt-4o-realtime-preview): the events a client sends
//! ([`RealtimeClientEvent`](crate::RealtimeClientEvent)) and a server sends ([`RealtimeServerEvent`](crate::RealtimeServerEvent), unknown types kept),
//! the session configuration ([`RealtimeSessionConfig`](crate::RealtimeSessionConfig)) and the [`ResponseCollector`](crate::ResponseCollector) that
//! assembles a response from its events; the WebSocket session ([`RealtimeSession`], split into
//! a [`RealtimeSender`] and a [`RealtimeReceiver`]) from `client.realtime()` ([`Realtime`]),
//! and client secrets for browsers ([`ClientSecret`]).
//!
//! The types users name are at the crate root; this module holds the details: the payloads of
//! the server events, the parts of the configuration.
//!
//! ```
//! use azure_openai_audio::{RealtimeClientEvent, RealtimeServerEvent, ResponseCollector};
//! let ask = RealtimeClientEvent::user_text("Is a golden retriever a good family dog?");
//! assert_eq!(serde_json::to_value(&ask).unwrap()["type"], "conversation.item.create");
//!
//! let mut collector = ResponseCollector::new();
//! for message in [
//!     r#"{"type":"response.output_audio_transcript.delta","response_id":"r1","delta":"Yes"}"#,
//!     r#"{"type":"response.done","response":{"id":"r1","status":"completed"}}"#,
//! ] {
//!     collector.push(&RealtimeServerEvent::from_json(message.as_bytes())?);
//! }
//! assert_eq!(collector.transcript(), "Yes");
//! assert!(collector.is_done());
//! # Ok::<(), azure_openai_audio::Error>(())
//! ```

pub(crate) mod accept_key;
pub(crate) mod api;
pub(crate) mod client_event;
pub(crate) mod client_secret;
pub(crate) mod collector;
pub(crate) mod connection;
pub(crate) mod events;
pub(crate) mod handshake;
pub(crate) mod item;
pub(crate) mod keepalive;
pub(crate) mod protocol;
pub(crate) mod receiver;
pub(crate) mod response;
pub(crate) mod sender;
pub(crate) mod server_event;
pub(crate) mod session;

// The types users name are at the crate root; the details are here.
pub use api::{Realtime, DEFAULT_KEEPALIVE, DEFAULT_REALTIME_IDLE_LIMIT};
pub use client_secret::{ClientSecret, ClientSecretRequest};
pub use collector::CollectedCall;
pub use connection::RealtimeSession;
pub use events::{
    AudioDelta, ContentDone, ContentPartEvent, ErrorEvent, FunctionArgumentsDelta,
    FunctionArgumentsDone, InputTranscriptionCompleted, InputTranscriptionDelta, ItemEvent,
    ItemRef, OutputItemEvent, RateLimitsUpdated, RealtimeErrorDetail, RealtimeRateLimit,
    ResponseEvent, SessionEvent, SpeechBoundary, TextDelta, TextDone, Truncated,
};
pub use item::{ContentKind, ContentPart, ItemKind};
pub use protocol::RealtimeProtocol;
pub use receiver::RealtimeReceiver;
pub use response::{RealtimeInputTokens, RealtimeTokenKinds, ResponseAudio, ResponseStatus};
pub use sender::{RealtimeSender, APPEND_CHUNK_BYTES};
pub use session::{
    AudioInput, AudioOutputConfig, Eagerness, FunctionChoice, InputTranscription,
    RealtimeAudioType, SemanticVad, ServerVad, SessionAudio, ToolMode, REALTIME_PCM_RATE,
};
