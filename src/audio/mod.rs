//! Audio types shared by every audio API: voices, formats, audio sources (file or bytes), chat's
//! input audio, decoded output audio, WAV writing, and WAV of any common format turned into the
//! Realtime API's 24 kHz mono pcm16 ([`Pcm16Converter`](crate::Pcm16Converter),
//! [`Pcm16Chunks`](crate::Pcm16Chunks), [`Pcm16Stream`](crate::Pcm16Stream)).
//!
//! ```no_run
//! # async fn f() -> azure_openai_audio::Result<()> {
//! use azure_openai_audio::{Pcm16Converter, Pcm16Stream, WavSampleFormat};
//! use futures_util::StreamExt;
//!
//! // A WAV of any rate and channel count (here 44.1 kHz stereo, 24-bit), 64 KiB at a time:
//! let mut pcm16 = Pcm16Stream::open("interview.wav").await?;
//! while let Some(chunk) = pcm16.next().await {
//!     let chunk: Vec<u8> = chunk?; // 24 kHz mono pcm16 little-endian
//! }
//! let format = pcm16.format().expect("the header was read");
//! assert_eq!(format.sample_format, WavSampleFormat::I24);
//!
//! // Or a whole file in memory at once:
//! let pcm16: Vec<u8> = Pcm16Converter::convert(&std::fs::read("question.wav").unwrap())?;
//! # Ok(()) }
//! ```
//!
//! An [`AudioSource`] is the neutral input every API takes; each API checks it against its own
//! rules (chat's [`InputAudio`]: WAV or MP3 up to [`MAX_INPUT_AUDIO_BYTES`]; transcription: more
//! formats up to [`MAX_TRANSCRIPTION_AUDIO_BYTES`]).

pub(crate) mod format;
pub(crate) mod in_place;
pub(crate) mod input;
pub(crate) mod output;
pub(crate) mod pcm16_converter;
pub(crate) mod resample;
pub(crate) mod source;
pub(crate) mod voice;
pub(crate) mod wav;
pub(crate) mod wav_reader;

// The types are named from the crate root; this module holds the limits (and the short paths
// the crate itself uses).
pub(crate) use input::InputAudio;
pub(crate) use output::AudioData;
pub(crate) use source::AudioSource;
pub use source::{MAX_INPUT_AUDIO_BYTES, MAX_TRANSCRIPTION_AUDIO_BYTES};
pub(crate) use voice::{AudioFormat, Voice};
pub(crate) use wav::Pcm16WavWriter;
pub use wav_reader::MAX_WAV_SAMPLE_RATE;

/// The sample rate of `pcm16` output (24 kHz, mono, 16-bit little-endian).
pub const PCM16_SAMPLE_RATE: u32 = 24_000;
