//! Text to speech (`POST .../audio/speech`): the API ([`Speech`], `client.speech()`), the
//! request, its audio formats, the audio as a whole ([`SpeechAudio`]) or as it arrives
//! ([`SpeechByteStream`], written to files and writers), and the events of a speech streamed as
//! Server-Sent Events ([`SpeechEventStream`], `stream_format: sse`).
//!
//! ```
//! use azure_openai_audio::{SpeechFormat, SpeechRequest, Voice};
//! let request = SpeechRequest::new("The quick brown fox jumped over the lazy dog.", Voice::Alloy)
//!     .response_format(SpeechFormat::Wav)
//!     .speed(1.25);
//! request.check()?; // the limits, before anything is sent
//! # Ok::<(), azure_openai_audio::Error>(())
//! ```
//!
//! Sending it (the audio goes to the file as it arrives, in flat memory):
//!
//! ```no_run
//! # async fn f(client: azure_openai_audio::Client, request: azure_openai_audio::SpeechRequest) -> azure_openai_audio::Result<()> {
//! let bytes = client.speech().to_file(&request, "speech.wav").await?;
//! # Ok(()) }
//! ```

pub(crate) mod api;
pub(crate) mod audio;
pub(crate) mod byte_stream;
pub(crate) mod event;
pub(crate) mod event_stream;
pub(crate) mod format;
pub(crate) mod request;
pub(crate) mod write;

// The types users name are at the crate root; the details are here.
pub(crate) use api::Speech;
pub(crate) use audio::SpeechAudio;
pub(crate) use byte_stream::SpeechByteStream;
pub(crate) use event::SpeechEvent;
pub(crate) use event_stream::SpeechEventStream;
pub(crate) use format::{SpeechFormat, StreamFormat};
pub(crate) use request::SpeechRequest;
pub use request::{MAX_INPUT_CHARS, SPEED_RANGE};
