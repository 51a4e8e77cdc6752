//! A whole speech, as [`Speech::create`](crate::speech::Speech::create) returns it.

use crate::audio::AudioData;
use crate::metadata::ResponseMetadata;

/// The audio of a speech, with the response's labels. `Debug` shows the audio's length, never
/// its bytes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SpeechAudio {
    /// The audio, in the requested format (mp3 when none was asked for).
    pub audio: AudioData,
    /// The response's `Content-Type` (`audio/mpeg` for mp3 on Azure), as sent.
    pub content_type: Option<String>,
    /// Status and headers of the response (request ids, region, rate limits).
    pub metadata: ResponseMetadata,
}

impl SpeechAudio {
    pub(crate) fn new(
        audio: Vec<u8>,
        content_type: Option<String>,
        metadata: ResponseMetadata,
    ) -> Self {
        SpeechAudio {
            audio: AudioData::new(audio),
            content_type,
            metadata,
        }
    }

    /// The audio bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.audio.as_bytes()
    }
}
