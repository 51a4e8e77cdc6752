//! Audio types shared by every audio API: voices, formats, audio sources (file or bytes), chat's
//! input audio, decoded output audio, WAV writing.
//!
//! An [`AudioSource`] is the neutral input every API takes; each API checks it against its own
//! rules (chat's [`InputAudio`]: WAV or MP3 up to [`MAX_INPUT_AUDIO_BYTES`]; transcription: more
//! formats up to [`MAX_TRANSCRIPTION_AUDIO_BYTES`]).

pub(crate) mod format;
pub(crate) mod in_place;
pub(crate) mod input;
pub(crate) mod output;
pub(crate) mod source;
pub(crate) mod voice;
pub(crate) mod wav;

// The types are named from the crate root; this module holds the limits (and the short paths
// the crate itself uses).
pub(crate) use input::InputAudio;
pub(crate) use output::AudioData;
pub(crate) use source::AudioSource;
pub use source::{MAX_INPUT_AUDIO_BYTES, MAX_TRANSCRIPTION_AUDIO_BYTES};
pub(crate) use voice::{AudioFormat, Voice};
pub(crate) use wav::Pcm16WavWriter;

/// The sample rate of `pcm16` output (24 kHz, mono, 16-bit little-endian).
pub const PCM16_SAMPLE_RATE: u32 = 24_000;
