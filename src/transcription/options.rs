//! The value types of the transcription options: reply formats, timestamp granularities,
//! extra outputs, and how the audio is cut into chunks.

use serde::{Deserialize, Serialize};

use crate::macros::string_enum;

string_enum! {
    /// The format of a transcription or translation reply (`response_format`; `json` when unset).
    pub enum TranscriptionFormat {
        /// `{"text": ...}` (with `usage` and `logprobs` on the gpt-4o models).
        Json => "json",
        /// The text alone.
        Text => "text",
        /// SubRip subtitles (whisper).
        Srt => "srt",
        /// JSON with language, duration, segments and words (whisper).
        VerboseJson => "verbose_json",
        /// WebVTT subtitles (whisper).
        Vtt => "vtt",
        /// JSON with speaker-annotated segments (gpt-4o-transcribe-diarize; transcriptions only).
        DiarizedJson => "diarized_json",
    }
}

impl TranscriptionFormat {
    /// True for `json`, or no format at all (the service's default is `json`).
    pub(crate) fn is_json_or_default(format: Option<&TranscriptionFormat>) -> bool {
        matches!(format, None | Some(TranscriptionFormat::Json))
    }

    /// The wire text of the format, `json` when unset (for error messages).
    pub(crate) fn name_or_default(format: Option<&TranscriptionFormat>) -> &str {
        format.map_or("json", TranscriptionFormat::as_str)
    }
}

string_enum! {
    /// Which timestamps a `verbose_json` reply carries (`timestamp_granularities[]`).
    pub enum TimestampGranularity {
        /// A start and end time per word (`words`); adds latency.
        Word => "word",
        /// A start and end time per segment (`segments`; the default).
        Segment => "segment",
    }
}

string_enum! {
    /// Extra outputs of a transcription (`include[]`).
    pub enum TranscriptionInclude {
        /// The log probability of each token (`json` format, gpt-4o transcribe models).
        Logprobs => "logprobs",
    }
}

/// How the service cuts the audio into chunks before transcribing (`chunking_strategy`);
/// without one, the audio is one block. Required by `gpt-4o-transcribe-diarize` for audio over
/// 30 seconds.
///
/// On the wire (a multipart form field), `auto` is the text `auto` and server VAD is its JSON
/// object, e.g. `{"type":"server_vad","threshold":0.6}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChunkingStrategy {
    /// The service normalises loudness, then picks boundaries by voice activity detection.
    Auto,
    /// Voice activity detection with these settings.
    ServerVad(VadConfig),
}

/// The settings of server-side voice activity detection; unset ones take the service's
/// defaults (300 ms, 200 ms, 0.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VadConfig {
    /// Audio kept before detected speech, in milliseconds (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_padding_ms: Option<u32>,
    /// Silence that ends speech, in milliseconds (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_duration_ms: Option<u32>,
    /// Sensitivity, 0.0 to 1.0 (default 0.5): higher needs louder audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
}

impl VadConfig {
    /// Sets `prefix_padding_ms`.
    pub fn prefix_padding_ms(mut self, ms: u32) -> Self {
        self.prefix_padding_ms = Some(ms);
        self
    }

    /// Sets `silence_duration_ms`.
    pub fn silence_duration_ms(mut self, ms: u32) -> Self {
        self.silence_duration_ms = Some(ms);
        self
    }

    /// Sets `threshold` (0.0 to 1.0).
    pub fn threshold(mut self, threshold: f32) -> Self {
        self.threshold = Some(threshold);
        self
    }
}

/// The JSON of [`ChunkingStrategy`]: `"auto"`, or the VAD object with its `type`.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ChunkingWire {
    Auto(AutoWire),
    Vad {
        #[serde(rename = "type")]
        kind: VadType,
        #[serde(flatten)]
        config: VadConfig,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AutoWire {
    Auto,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum VadType {
    ServerVad,
}

impl ChunkingStrategy {
    /// The value of the `chunking_strategy` form field: `auto`, or the JSON object.
    pub(crate) fn form_value(&self) -> String {
        match self {
            ChunkingStrategy::Auto => "auto".to_owned(),
            ChunkingStrategy::ServerVad(_) => serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

impl Serialize for ChunkingStrategy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ChunkingStrategy::Auto => ChunkingWire::Auto(AutoWire::Auto),
            ChunkingStrategy::ServerVad(config) => ChunkingWire::Vad {
                kind: VadType::ServerVad,
                config: *config,
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChunkingStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match ChunkingWire::deserialize(d)? {
            ChunkingWire::Auto(_) => ChunkingStrategy::Auto,
            ChunkingWire::Vad { config, .. } => ChunkingStrategy::ServerVad(config),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chunking_strategies_on_the_form_and_in_json() {
        assert_eq!(ChunkingStrategy::Auto.form_value(), "auto");
        let vad = ChunkingStrategy::ServerVad(
            VadConfig::default()
                .prefix_padding_ms(300)
                .silence_duration_ms(500)
                .threshold(0.5),
        );
        assert_eq!(
            vad.form_value(),
            r#"{"type":"server_vad","prefix_padding_ms":300,"silence_duration_ms":500,"threshold":0.5}"#
        );
        let defaults = ChunkingStrategy::ServerVad(VadConfig::default());
        assert_eq!(defaults.form_value(), r#"{"type":"server_vad"}"#);
        for strategy in [ChunkingStrategy::Auto, vad, defaults] {
            let text = serde_json::to_string(&strategy).unwrap();
            assert_eq!(
                serde_json::from_str::<ChunkingStrategy>(&text).unwrap(),
                strategy
            );
        }
        assert_eq!(
            serde_json::to_value(ChunkingStrategy::Auto).unwrap(),
            json!("auto")
        );
        assert!(serde_json::from_value::<ChunkingStrategy>(json!("manual")).is_err());
        assert!(serde_json::from_value::<ChunkingStrategy>(json!({"type": "semantic"})).is_err());
    }

    #[test]
    fn formats_granularities_and_includes_round_trip() {
        for f in [
            "json",
            "text",
            "srt",
            "verbose_json",
            "vtt",
            "diarized_json",
            "xml",
        ] {
            assert_eq!(TranscriptionFormat::from(f).as_str(), f);
        }
        assert_eq!(
            TranscriptionFormat::from("verbose_json"),
            TranscriptionFormat::VerboseJson
        );
        assert_eq!(TimestampGranularity::Word.as_str(), "word");
        assert_eq!(TranscriptionInclude::Logprobs.as_str(), "logprobs");
        assert!(TranscriptionFormat::is_json_or_default(None));
        assert!(!TranscriptionFormat::is_json_or_default(Some(
            &TranscriptionFormat::Text
        )));
        assert_eq!(TranscriptionFormat::name_or_default(None), "json");
    }
}
