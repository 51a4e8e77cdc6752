//! Text to speech (`POST .../audio/speech`): the request, its audio formats, and the events of
//! a speech streamed as Server-Sent Events (`stream_format: sse`).
//!
//! ```
//! use azure_openai_audio::{SpeechFormat, SpeechRequest, Voice};
//! let request = SpeechRequest::new("The quick brown fox jumped over the lazy dog.", Voice::Alloy)
//!     .response_format(SpeechFormat::Wav)
//!     .speed(1.25);
//! request.check()?; // the limits, before anything is sent
//! # Ok::<(), azure_openai_audio::Error>(())
//! ```

mod event;
mod format;
mod request;

pub use event::{SpeechEvent, SpeechUsage};
pub use format::{SpeechFormat, StreamFormat};
pub use request::{SpeechRequest, MAX_INPUT_CHARS, SPEED_RANGE};
