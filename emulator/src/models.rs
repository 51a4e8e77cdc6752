//! Which model a deployment runs, decided from its name (the emulator has no deployment list
//! with models, so it reads the name the way a person would).

/// The model a chat deployment reports, as the service does (`...-2024-12-17`).
pub(crate) fn chat_model(deployment: &str) -> &'static str {
    if deployment.contains("mini") {
        "gpt-4o-mini-audio-preview-2024-12-17"
    } else {
        "gpt-4o-audio-preview-2024-12-17"
    }
}

/// The realtime model a deployment runs, from its name (`gpt-realtime`, `gpt-realtime-mini`,
/// `gpt-4o-realtime-preview`, `gpt-4o-mini-realtime-preview`: a name with `realtime`), or `None`
/// when its name says it is not a realtime model.
pub(crate) fn realtime_model(deployment: &str) -> Option<&'static str> {
    let d = deployment.to_ascii_lowercase();
    if !d.contains("realtime") {
        return None;
    }
    let preview = d.contains("preview") || d.contains("gpt-4o");
    Some(match (preview, d.contains("mini")) {
        (true, true) => "gpt-4o-mini-realtime-preview-2024-12-17",
        (true, false) => "gpt-4o-realtime-preview-2024-12-17",
        (false, true) => "gpt-realtime-mini-2025-10-06",
        (false, false) => "gpt-realtime-2025-08-28",
    })
}

/// A text-to-speech model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeechModel {
    /// `tts-1`: no `instructions`, no `stream_format: sse`.
    Tts,
    /// `tts-1-hd`: as `tts-1`.
    TtsHd,
    /// `gpt-4o-mini-tts`: `instructions` and `sse` too.
    MiniTts,
}

impl SpeechModel {
    /// From the deployment name: `tts-hd` (or `tts-1-hd`) is tts-1-hd, `mini-tts` or a
    /// `gpt-4o` name is gpt-4o-mini-tts, another name with `tts` is tts-1, and any other name
    /// gpt-4o-mini-tts.
    pub(crate) fn of(deployment: &str) -> SpeechModel {
        let d = deployment.to_ascii_lowercase();
        if d.contains("tts-hd") || d.contains("tts-1-hd") {
            SpeechModel::TtsHd
        } else if d.contains("mini-tts") || d.contains("gpt-4o") {
            SpeechModel::MiniTts
        } else if d.contains("tts") {
            SpeechModel::Tts
        } else {
            SpeechModel::MiniTts
        }
    }

    /// The model's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SpeechModel::Tts => "tts-1",
            SpeechModel::TtsHd => "tts-1-hd",
            SpeechModel::MiniTts => "gpt-4o-mini-tts",
        }
    }
}

/// A speech-to-text model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TranscribeModel {
    /// `whisper`: every format but `diarized_json`, no streaming, no `usage` on Azure.
    Whisper,
    /// `gpt-4o-transcribe`: `json` or `text`, streaming, logprobs, token usage.
    Transcribe,
    /// `gpt-4o-mini-transcribe`: as `gpt-4o-transcribe`.
    MiniTranscribe,
    /// `gpt-4o-transcribe-diarize`: `json`, `text` or `diarized_json`, with speakers.
    Diarize,
}

impl TranscribeModel {
    /// From the deployment name: `whisper`, then `diarize`, then `mini-transcribe`, then
    /// `transcribe`; any other name is whisper.
    pub(crate) fn of(deployment: &str) -> TranscribeModel {
        let d = deployment.to_ascii_lowercase();
        if d.contains("whisper") {
            TranscribeModel::Whisper
        } else if d.contains("diarize") {
            TranscribeModel::Diarize
        } else if d.contains("mini-transcribe") {
            TranscribeModel::MiniTranscribe
        } else if d.contains("transcribe") {
            TranscribeModel::Transcribe
        } else {
            TranscribeModel::Whisper
        }
    }

    /// The model's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TranscribeModel::Whisper => "whisper",
            TranscribeModel::Transcribe => "gpt-4o-transcribe",
            TranscribeModel::MiniTranscribe => "gpt-4o-mini-transcribe",
            TranscribeModel::Diarize => "gpt-4o-transcribe-diarize",
        }
    }

    /// The response formats the model produces.
    pub(crate) fn formats(self) -> &'static [&'static str] {
        match self {
            TranscribeModel::Whisper => &["json", "text", "srt", "verbose_json", "vtt"],
            TranscribeModel::Transcribe | TranscribeModel::MiniTranscribe => &["json", "text"],
            TranscribeModel::Diarize => &["json", "text", "diarized_json"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_name_their_models() {
        assert_eq!(
            chat_model("gpt-4o-mini-audio-preview"),
            "gpt-4o-mini-audio-preview-2024-12-17"
        );
        assert_eq!(chat_model("audio"), "gpt-4o-audio-preview-2024-12-17");
        for (d, m) in [
            ("gpt-realtime", Some("gpt-realtime-2025-08-28")),
            ("gpt-realtime-mini", Some("gpt-realtime-mini-2025-10-06")),
            (
                "gpt-4o-realtime-preview",
                Some("gpt-4o-realtime-preview-2024-12-17"),
            ),
            (
                "gpt-4o-mini-realtime-preview",
                Some("gpt-4o-mini-realtime-preview-2024-12-17"),
            ),
            ("gpt-4o-mini-audio-preview", None),
            ("whisper", None),
        ] {
            assert_eq!(realtime_model(d), m, "{d}");
        }
        for (d, m) in [
            ("tts", SpeechModel::Tts),
            ("my-tts-1", SpeechModel::Tts),
            ("tts-hd", SpeechModel::TtsHd),
            ("tts-1-hd", SpeechModel::TtsHd),
            ("gpt-4o-mini-tts", SpeechModel::MiniTts),
            ("speech", SpeechModel::MiniTts),
        ] {
            assert_eq!(SpeechModel::of(d), m, "{d}");
        }
        for (d, m) in [
            ("whisper", TranscribeModel::Whisper),
            ("Whisper-1", TranscribeModel::Whisper),
            ("gpt-4o-transcribe-diarize", TranscribeModel::Diarize),
            ("gpt-4o-mini-transcribe", TranscribeModel::MiniTranscribe),
            ("gpt-4o-transcribe", TranscribeModel::Transcribe),
            ("stt", TranscribeModel::Whisper),
        ] {
            assert_eq!(TranscribeModel::of(d), m, "{d}");
        }
    }
}
