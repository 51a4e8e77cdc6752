//! Transcription and translation (`POST .../audio/transcriptions` and `.../audio/translations`,
//! multipart forms): `client.transcriptions()` and `client.translations()`
//! ([`Transcriptions`], [`Translations`]), the options and their checks, the form fields, the
//! replies in every format, subtitles, and streamed transcription ([`TranscriptionStream`] of
//! [`TranscriptionEvent`]s).
//!
//! ```
//! use azure_openai_audio::transcription::{Transcript, TranscriptionFormat, TranscriptionRequest};
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

mod event;
mod handler;
mod options;
mod request;
mod result;
mod speakers;
mod stream;
mod subtitles;
mod transcript;
mod translation;
mod usage;

pub use event::TranscriptionEvent;
pub use handler::{Transcriptions, Translations};
pub use options::{
    ChunkingStrategy, TimestampGranularity, TranscriptionFormat, TranscriptionInclude, VadConfig,
};
pub use request::{FormField, TranscriptionRequest, TEMPERATURE_RANGE};
pub use result::{
    DiarizedSegment, DiarizedTranscription, Segment, TokenLogprob, Transcription, Word,
};
pub use speakers::{KnownSpeaker, MAX_KNOWN_SPEAKERS};
pub use stream::TranscriptionStream;
pub use subtitles::{cues_from_segments, parse_srt, parse_vtt, to_srt, to_vtt, Cue};
pub use transcript::{Subtitles, Transcript};
pub use translation::TranslationRequest;
pub use usage::{InputTokenDetails, TokenUsage, TranscriptionUsage};

#[cfg(test)]
mod tests;
