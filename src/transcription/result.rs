//! The JSON replies of a transcription or translation: `json`, `verbose_json`, `diarized_json`.

use serde::{Deserialize, Serialize};

use crate::metadata::ResponseMetadata;
use crate::transcription::TranscriptionUsage;

/// A transcription or translation in `json` or `verbose_json` (and, with diarized segments,
/// in `diarized_json`: [`DiarizedTranscription`]).
///
/// Every field but `text` is optional or defaults, because replies differ by format and model:
/// `json` has `text` (plus `usage` and `logprobs` on the gpt-4o models; Azure's whisper sends
/// no `usage`), `verbose_json` adds `task`, `language`, `duration`, `segments` and `words`.
/// Azure's `language` is a name (`english`), not a code. `metadata` comes from the response
/// headers, not the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Transcription<S = Segment> {
    /// The text.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub text: String,
    /// `transcribe` or `translate` (`verbose_json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The language of the audio, as the service names it (`english`) (`verbose_json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The length of the audio in seconds (`verbose_json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Segments with their times (`verbose_json`, `segment` granularity), or with their
    /// speakers (`diarized_json`).
    #[serde(
        default = "Vec::new",
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub segments: Vec<S>,
    /// Words with their times (`verbose_json`, `word` granularity).
    #[serde(
        default,
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub words: Vec<Word>,
    /// The log probability of each token (`include: logprobs`).
    #[serde(
        default,
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub logprobs: Vec<TokenLogprob>,
    /// What was billed, when the service says.
    #[serde(
        default,
        deserialize_with = "crate::lenient::best_effort",
        skip_serializing_if = "Option::is_none"
    )]
    pub usage: Option<TranscriptionUsage>,
    /// Status and headers of the response (request ids, region, rate limits).
    #[serde(skip)]
    pub metadata: ResponseMetadata,
}

/// A segment of a `verbose_json` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Segment {
    /// Its number, from 0.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: u64,
    /// The seek offset (in 10 ms frames) it was decoded at.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub seek: u64,
    /// Start, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub start: f64,
    /// End, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub end: f64,
    /// Its text (whisper starts it with a space).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub text: String,
    /// Its token ids.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub tokens: Vec<u64>,
    /// The temperature it was decoded at.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub temperature: f64,
    /// Average log probability; below -1, the decoding likely failed.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub avg_logprob: f64,
    /// Compression ratio; above 2.4, the decoding likely repeated itself.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub compression_ratio: f64,
    /// Probability that the segment is silence.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub no_speech_prob: f64,
}

/// A word of a `verbose_json` reply, with its times in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Word {
    /// The word.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub word: String,
    /// Start, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub start: f64,
    /// End, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub end: f64,
}

/// The log probability of one token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenLogprob {
    /// The token.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub token: String,
    /// Its log probability.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub logprob: f64,
    /// Its UTF-8 bytes.
    #[serde(
        default,
        deserialize_with = "crate::lenient::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub bytes: Vec<i64>,
}

/// A transcription in `diarized_json` (gpt-4o-transcribe-diarize): who spoke when. Its
/// `segments` carry speakers; `task`, `duration`, `text` and `usage` are as in `json`.
pub type DiarizedTranscription = Transcription<DiarizedSegment>;

/// A segment with its speaker (`diarized_json`, and the `transcript.text.segment` event).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiarizedSegment {
    /// Its id (`seg_001`).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: String,
    /// Who spoke: a known speaker's name, else `A`, `B`, ...
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub speaker: String,
    /// Start, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub start: f64,
    /// End, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub end: f64,
    /// What they said.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub text: String,
    /// `transcript.text.segment`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}
