//! Realtime (gpt-realtime, gpt-realtime-mini, gpt-4o-realtime-preview): the events a client sends
//! ([`RealtimeClientEvent`](crate::RealtimeClientEvent)) and a server sends ([`RealtimeServerEvent`](crate::RealtimeServerEvent), unknown types kept),
//! the session configuration ([`RealtimeSessionConfig`](crate::RealtimeSessionConfig)) and the [`ResponseCollector`](crate::ResponseCollector) that
//! assembles a response from its events. (The WebSocket session itself comes next.)
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

pub(crate) mod client_event;
pub(crate) mod collector;
pub(crate) mod events;
pub(crate) mod item;
pub(crate) mod response;
pub(crate) mod server_event;
pub(crate) mod session;

// The types users name are at the crate root; the details are here.
pub use collector::CollectedCall;
pub use events::{
    AudioDelta, ContentDone, ContentPartEvent, ErrorEvent, FunctionArgumentsDelta,
    FunctionArgumentsDone, InputTranscriptionCompleted, InputTranscriptionDelta, ItemEvent,
    ItemRef, OutputItemEvent, RateLimitsUpdated, RealtimeErrorDetail, RealtimeRateLimit,
    ResponseEvent, SessionEvent, SpeechBoundary, TextDelta, TextDone, Truncated,
};
pub use item::{ContentKind, ContentPart, ItemKind};
pub use response::{RealtimeInputTokens, RealtimeTokenKinds, ResponseAudio, ResponseStatus};
pub use session::{
    AudioInput, AudioOutputConfig, Eagerness, FunctionChoice, InputTranscription,
    RealtimeAudioType, SemanticVad, ServerVad, SessionAudio, ToolMode, REALTIME_PCM_RATE,
};
