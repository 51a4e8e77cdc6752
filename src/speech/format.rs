//! The encodings a speech can come in, and how it is streamed.

use std::path::Path;

use crate::macros::string_enum;

string_enum! {
    /// The encoding of a speech (`response_format`; the service's default is mp3).
    pub enum SpeechFormat {
        /// MP3 (`audio/mpeg`).
        Mp3 => "mp3",
        /// Opus in an Ogg container.
        Opus => "opus",
        /// AAC (ADTS).
        Aac => "aac",
        /// FLAC.
        Flac => "flac",
        /// RIFF WAV.
        Wav => "wav",
        /// Raw samples: 24 kHz, mono, 16-bit signed little-endian, no header. Write them as a
        /// WAV file with [`Pcm16WavWriter`](crate::Pcm16WavWriter).
        Pcm => "pcm",
    }
}

impl SpeechFormat {
    /// Every format the service makes, in the order the API lists them.
    pub const ALL: [SpeechFormat; 6] = [
        SpeechFormat::Mp3,
        SpeechFormat::Opus,
        SpeechFormat::Aac,
        SpeechFormat::Flac,
        SpeechFormat::Wav,
        SpeechFormat::Pcm,
    ];

    /// The format a file extension names (`mp3`, `.WAV`, ...; case and a leading dot ignored),
    /// or `None` for any other extension.
    ///
    /// ```
    /// use azure_openai_audio::SpeechFormat;
    /// assert_eq!(SpeechFormat::from_extension(".WAV"), Some(SpeechFormat::Wav));
    /// assert_eq!(SpeechFormat::from_extension("ogg"), None);
    /// ```
    pub fn from_extension(extension: &str) -> Option<SpeechFormat> {
        let extension = extension.strip_prefix('.').unwrap_or(extension);
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(extension))
    }

    /// The format a file's extension names (`speech.mp3` is mp3), or `None`.
    pub fn from_path(path: impl AsRef<Path>) -> Option<SpeechFormat> {
        Self::from_extension(path.as_ref().extension()?.to_str()?)
    }

    /// The media type of audio in this format: `audio/mpeg` for mp3 (as recorded from Azure),
    /// the usual `audio/<format>` for the others (no recording shows them). For labelling a
    /// file or a reply (the emulator); the crate does not check the service's label. `None`
    /// for a format this version of the crate does not know.
    pub fn content_type(&self) -> Option<&'static str> {
        Some(match self {
            SpeechFormat::Mp3 => "audio/mpeg",
            SpeechFormat::Opus => "audio/opus",
            SpeechFormat::Aac => "audio/aac",
            SpeechFormat::Flac => "audio/flac",
            SpeechFormat::Wav => "audio/wav",
            SpeechFormat::Pcm => "audio/pcm",
            SpeechFormat::Unknown(_) => return None,
        })
    }
}

string_enum! {
    /// How a speech is streamed (`stream_format`).
    pub enum StreamFormat {
        /// The audio bytes themselves, chunked (the default).
        Audio => "audio",
        /// Server-Sent Events: `speech.audio.delta` events with base64 audio, then
        /// `speech.audio.done` with the usage. Not for `tts` / `tts-hd`.
        Sse => "sse",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_name_their_formats_and_nothing_else() {
        for f in SpeechFormat::ALL {
            assert_eq!(SpeechFormat::from_extension(f.as_str()), Some(f.clone()));
            assert_eq!(
                SpeechFormat::from_path(format!("out/speech.{}", f.as_str().to_uppercase())),
                Some(f.clone())
            );
            assert!(f.content_type().unwrap().starts_with("audio/"));
        }
        assert_eq!(
            SpeechFormat::from_extension(".mp3"),
            Some(SpeechFormat::Mp3)
        );
        assert_eq!(SpeechFormat::from_extension("m4a"), None);
        assert_eq!(SpeechFormat::from_extension(""), None);
        assert_eq!(SpeechFormat::from_path("speech"), None);
        assert_eq!(SpeechFormat::Mp3.content_type(), Some("audio/mpeg"));
        assert_eq!(SpeechFormat::from("ogg").content_type(), None);
        assert_eq!(StreamFormat::from("sse"), StreamFormat::Sse);
    }
}
