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

mod api;
mod audio;
mod byte_stream;
mod event;
mod event_stream;
mod format;
mod request;
mod write;

pub use api::Speech;
pub use audio::SpeechAudio;
pub use byte_stream::SpeechByteStream;
pub use event::{SpeechEvent, SpeechUsage};
pub use event_stream::SpeechEventStream;
pub use format::{SpeechFormat, StreamFormat};
pub use request::{SpeechRequest, MAX_INPUT_CHARS, SPEED_RANGE};
