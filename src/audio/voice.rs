//! Spoken output settings the service chooses the values of: the voice and the encoding.

use crate::macros::string_enum;

string_enum! {
    /// A voice for spoken output: the service's 13. A voice this version does not know yet is
    /// `Voice::from("its-name")`, [`Voice::Unknown`], and round-trips as sent.
    pub enum Voice {
        /// `alloy`
        Alloy => "alloy",
        /// `ash`
        Ash => "ash",
        /// `ballad`
        Ballad => "ballad",
        /// `coral`
        Coral => "coral",
        /// `echo`
        Echo => "echo",
        /// `fable`
        Fable => "fable",
        /// `nova`
        Nova => "nova",
        /// `onyx`
        Onyx => "onyx",
        /// `sage`
        Sage => "sage",
        /// `shimmer`
        Shimmer => "shimmer",
        /// `verse`
        Verse => "verse",
        /// `marin`
        Marin => "marin",
        /// `cedar`
        Cedar => "cedar",
    }
}

string_enum! {
    /// The encoding of spoken output. Streaming supports only [`AudioFormat::Pcm16`].
    pub enum AudioFormat {
        /// RIFF WAV.
        Wav => "wav",
        /// MP3.
        Mp3 => "mp3",
        /// FLAC.
        Flac => "flac",
        /// Opus.
        Opus => "opus",
        /// Raw 16-bit little-endian PCM, 24 kHz, mono.
        Pcm16 => "pcm16",
        /// AAC.
        Aac => "aac",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_round_trip_including_unknown() {
        for v in [
            "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer",
            "verse", "marin", "cedar", "aurora-2",
        ] {
            let voice: Voice = serde_json::from_value(serde_json::json!(v)).unwrap();
            assert_eq!(serde_json::to_value(&voice).unwrap(), serde_json::json!(v));
        }
        let unknown = Voice::from("aurora-2");
        assert!(matches!(&unknown, Voice::Unknown(v) if v.as_str() == "aurora-2"));
        assert_eq!(unknown.as_str(), "aurora-2");
        assert_eq!(Voice::from("cedar"), Voice::Cedar);
        assert_eq!(AudioFormat::from("pcm16"), AudioFormat::Pcm16);
        assert_eq!(AudioFormat::Aac.as_str(), "aac");
    }
}
