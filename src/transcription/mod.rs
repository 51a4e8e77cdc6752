//! Transcription and translation (`POST .../audio/transcriptions` and `.../audio/translations`,
//! multipart forms): `client.transcriptions()` and `client.translations()`
//! ([`Transcriptions`], [`Translations`]), the options and their checks, the form fields, the
//! replies in every format, subtitles, and streamed transcription ([`TranscriptionStream`](crate::TranscriptionStream) of
//! [`TranscriptionEvent`]s).
//!
//! ```
//! use azure_openai_audio::{Transcript, TranscriptionFormat, TranscriptionRequest};
//! let request = TranscriptionRequest::new()
//!     .language("en")
//!     .response_format(TranscriptionFormat::Srt);
//! request.check()?; // refused combinations, before anything is sent
//!
//! // A reply, decoded for the format asked for:
//! let body = b"1\n00:00:00,000 --> 00:00:03,000\nHello world, this is a test.\n\n";
//! let Transcript::Subtitles(srt) = Transcript::from_body(request.response_format_ref(), body)? else {
//!     unreachable!()
//! };
//! assert_eq!(srt.cues()?[0].text, "Hello world, this is a test.");
//! # Ok::<(), azure_openai_audio::Error>(())
//! ```

pub(crate) mod event;
pub(crate) mod handler;
pub(crate) mod options;
pub(crate) mod request;
pub(crate) mod result;
pub(crate) mod speakers;
pub(crate) mod stream;
pub(crate) mod subtitles;
pub(crate) mod transcript;
pub(crate) mod translation;
pub(crate) mod usage;

// The types users name are at the crate root; the details are here.
pub(crate) use event::TranscriptionEvent;
pub(crate) use handler::{Transcriptions, Translations};
pub(crate) use options::{
    ChunkingStrategy, TimestampGranularity, TranscriptionFormat, TranscriptionInclude,
};
pub(crate) use request::TranscriptionRequest;
pub use request::{FormField, TEMPERATURE_RANGE};
pub use result::{DiarizedSegment, Segment, TokenLogprob, Word};
pub(crate) use result::{DiarizedTranscription, Transcription};
pub use speakers::MAX_KNOWN_SPEAKERS;
pub use subtitles::{cues_from_segments, parse_srt, parse_vtt, to_srt, to_vtt};
pub use transcript::Subtitles;
pub(crate) use transcript::Transcript;
pub(crate) use translation::TranslationRequest;
pub(crate) use usage::TranscriptionUsage;
pub use usage::{InputTokenDetails, TokenUsage};

#[cfg(test)]
mod tests;
