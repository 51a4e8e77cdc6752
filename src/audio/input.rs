//! Chat's input audio: an [`AudioSource`] checked against chat's rules (WAV or MP3, 20 MiB).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::format::ContainerFormat;
use super::output::BASE64_LENIENT;
use super::source::{AudioSource, Origin, CHAT_RULES};
use crate::error::{Error, Result};

/// The encoding of input audio. The service accepts WAV and MP3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InputAudioFormat {
    /// RIFF WAV.
    Wav,
    /// MP3 (with or without an ID3 tag).
    Mp3,
}

impl InputAudioFormat {
    /// The wire text: `wav` or `mp3`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputAudioFormat::Wav => "wav",
            InputAudioFormat::Mp3 => "mp3",
        }
    }

    /// Recognises WAV (`RIFF`/`RF64` ... `WAVE`) and MP3 (an `ID3` tag or an MPEG frame sync)
    /// from the first bytes of the data (see [`ContainerFormat::detect`] for the others).
    pub fn detect(header: &[u8]) -> Option<InputAudioFormat> {
        ContainerFormat::detect(header).and_then(InputAudioFormat::from_container)
    }

    /// The chat format of a container, if chat takes it.
    pub fn from_container(format: ContainerFormat) -> Option<InputAudioFormat> {
        match format {
            ContainerFormat::Wav => Some(InputAudioFormat::Wav),
            ContainerFormat::Mp3 => Some(InputAudioFormat::Mp3),
            _ => None,
        }
    }

    /// The container this format is.
    pub fn container(self) -> ContainerFormat {
        match self {
            InputAudioFormat::Wav => ContainerFormat::Wav,
            InputAudioFormat::Mp3 => ContainerFormat::Mp3,
        }
    }
}

impl fmt::Display for InputAudioFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Audio for an `input_audio` content part: WAV or MP3, from memory or from a file.
///
/// An [`AudioSource`] checked against chat's rules: the format is detected from the data's
/// header and checked against what the caller declared. Empty, unrecognised or oversized audio
/// (over [`MAX_INPUT_AUDIO_BYTES`](crate::audio::MAX_INPUT_AUDIO_BYTES)) is an
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error here, before anything is sent.
///
/// Audio from a file is not read into memory: the request body streams it through a base64
/// encoder, and reads it again if the request has to be retried.
///
/// # Saving it
///
/// Serde writes audio from memory as the service reads it, `{"data": <base64>, "format": "wav"}`.
/// Audio from a file is written as where it is, `{"path": "dog.wav", "size": 48044, "format":
/// "wav"}`, with no I/O; restoring that reads nothing either, and the request that sends it
/// fails if the file is gone or no longer has that size. Both are checked again (format, size)
/// when they are read back.
///
/// ```no_run
/// # async fn f() -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::InputAudio;
/// let from_file = InputAudio::from_file("dog.wav").await?;
/// let from_memory = InputAudio::from_bytes(std::fs::read("question.mp3").unwrap())?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct InputAudio {
    format: InputAudioFormat,
    source: AudioSource,
    /// Only on the copy a request body is planned from: the text written in place of `data`,
    /// which the body replaces with the audio streamed from `source`.
    placeholder: Option<Arc<str>>,
}

impl InputAudio {
    /// Audio from a source, checked against chat's rules.
    pub fn from_source(source: AudioSource) -> Result<Self> {
        Self::checked(source, None)
    }

    /// Audio from memory; the format is detected from the header.
    pub fn from_bytes(data: impl Into<Bytes>) -> Result<Self> {
        Self::checked(AudioSource::from_bytes(data), None)
    }

    /// Audio from memory, declared to be in `format`; an error if the header says otherwise.
    pub fn from_bytes_as(data: impl Into<Bytes>, format: InputAudioFormat) -> Result<Self> {
        Self::checked(AudioSource::from_bytes(data), Some(format))
    }

    /// WAV audio from memory (checked).
    pub fn wav(data: impl Into<Bytes>) -> Result<Self> {
        Self::from_bytes_as(data, InputAudioFormat::Wav)
    }

    /// MP3 audio from memory (checked).
    pub fn mp3(data: impl Into<Bytes>) -> Result<Self> {
        Self::from_bytes_as(data, InputAudioFormat::Mp3)
    }

    /// Audio from a file; the format is detected from its header. Only the header is read now.
    pub async fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::checked(AudioSource::from_file(path).await?, None)
    }

    /// Audio from a file declared to be in `format`; an error if its header says otherwise.
    pub async fn from_file_as(path: impl AsRef<Path>, format: InputAudioFormat) -> Result<Self> {
        Self::checked(AudioSource::from_file(path).await?, Some(format))
    }

    fn checked(source: AudioSource, declared: Option<InputAudioFormat>) -> Result<Self> {
        let detected = source.check(&CHAT_RULES)?;
        let format = InputAudioFormat::from_container(detected)
            .ok_or_else(|| Error::invalid_input(format!("{} is {detected}", source.describe())))?;
        match declared {
            Some(d) if d != format => Err(Error::invalid_input(format!(
                "{} was declared {d} but its header says {format}",
                source.describe()
            ))),
            _ => Ok(InputAudio {
                format,
                source,
                placeholder: None,
            }),
        }
    }

    /// The format of the audio.
    pub fn format(&self) -> InputAudioFormat {
        self.format
    }

    /// Where the audio is: a file or bytes, with its size.
    pub fn source(&self) -> &AudioSource {
        &self.source
    }

    /// The size of the audio in bytes (before base64).
    pub fn len(&self) -> u64 {
        self.source.size()
    }

    /// Always false: empty audio is refused when it is made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy that serializes `placeholder` as its `data` (for planning a streamed body).
    pub(crate) fn with_placeholder(&self, placeholder: Arc<str>) -> Self {
        InputAudio {
            placeholder: Some(placeholder),
            ..self.clone()
        }
    }
}

impl fmt::Debug for InputAudio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("InputAudio");
        d.field("format", &self.format).field("len", &self.len());
        if let Some(path) = self.source.path() {
            d.field("path", &path);
        }
        d.finish()
    }
}

impl PartialEq for InputAudio {
    fn eq(&self, other: &Self) -> bool {
        self.format == other.format && self.source == other.source
    }
}

/// Writes `{"data": <base64>, "format": ...}` for audio in memory (the wire form) and
/// `{"path": ..., "size": ..., "format": ...}` for a file, without reading it (see "Saving it").
impl Serialize for InputAudio {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Base64<'a>(&'a [u8]);
        impl Serialize for Base64<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.0))
            }
        }
        match (&self.placeholder, self.source.origin()) {
            (Some(placeholder), _) => {
                let mut s = serializer.serialize_struct("InputAudio", 2)?;
                s.serialize_field("data", &**placeholder)?;
                s.serialize_field("format", &self.format)?;
                s.end()
            }
            (None, Origin::Bytes(bytes)) => {
                let mut s = serializer.serialize_struct("InputAudio", 2)?;
                s.serialize_field("data", &Base64(bytes))?;
                s.serialize_field("format", &self.format)?;
                s.end()
            }
            (None, Origin::File(path)) => {
                let mut s = serializer.serialize_struct("InputAudio", 3)?;
                s.serialize_field("path", path.as_path())?;
                s.serialize_field("size", &self.source.size())?;
                s.serialize_field("format", &self.format)?;
                s.end()
            }
        }
    }
}

/// Reads either form [`Serialize`] writes, checking it as the constructors do (no I/O).
impl<'de> Deserialize<'de> for InputAudio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Stored {
            data: Option<String>,
            path: Option<PathBuf>,
            size: Option<u64>,
            format: InputAudioFormat,
        }
        let stored = Stored::deserialize(d)?;
        let audio = match (stored.data, stored.path, stored.size) {
            (Some(data), None, None) => {
                let bytes = BASE64_LENIENT.decode(data.as_bytes()).map_err(|e| {
                    D::Error::custom(format_args!("input audio data is not valid base64: {e}"))
                })?;
                InputAudio::from_bytes_as(bytes, stored.format)
            }
            (None, Some(path), Some(size)) => InputAudio::checked(
                AudioSource::from_recorded_file(path, size, stored.format.container()),
                Some(stored.format),
            ),
            _ => {
                return Err(D::Error::custom(
                    "input audio needs either `data`, or `path` and `size`",
                ))
            }
        };
        audio.map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::MAX_INPUT_AUDIO_BYTES;
    use super::*;
    use crate::ErrorKind;

    fn wav_header() -> Vec<u8> {
        let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        v.extend_from_slice(&[0; 32]);
        v
    }

    #[test]
    fn detects_wav_and_mp3() {
        assert_eq!(
            InputAudioFormat::detect(&wav_header()),
            Some(InputAudioFormat::Wav)
        );
        assert_eq!(
            InputAudioFormat::detect(b"ID3\x04\x00"),
            Some(InputAudioFormat::Mp3)
        );
        // The recorded mp3 input starts with "//Pk" = FF F3 E4 (MPEG-2 layer III).
        assert_eq!(
            InputAudioFormat::detect(&[0xFF, 0xF3, 0xE4, 0x00]),
            Some(InputAudioFormat::Mp3)
        );
        assert_eq!(InputAudioFormat::detect(b"OggS\x00\x02"), None);
        assert_eq!(InputAudioFormat::detect(&[0xFF, 0xE0]), None);
    }

    #[test]
    fn refuses_bad_input_before_sending() {
        let e = InputAudio::from_bytes(Vec::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("empty"));
        let e = InputAudio::from_bytes(b"hello world, not audio".to_vec()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = InputAudio::mp3(wav_header()).unwrap_err();
        assert!(
            e.to_string()
                .contains("declared mp3 but its header says wav"),
            "{e}"
        );
        let mut big = wav_header();
        big.resize(MAX_INPUT_AUDIO_BYTES as usize + 1, 0);
        let e = InputAudio::wav(big).unwrap_err();
        assert!(e.to_string().contains("at most"), "{e}");
        assert!(InputAudio::wav(wav_header()).is_ok());
    }

    #[tokio::test]
    async fn file_errors_name_the_path() {
        let e = InputAudio::from_file("/nonexistent/dog.wav")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("/nonexistent/dog.wav"));
        let dir = std::env::temp_dir().join(format!("aoa-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        let e = InputAudio::from_file(&empty).await.unwrap_err();
        assert!(e.to_string().contains("is empty"), "{e}");
        let good = dir.join("ok.wav");
        std::fs::write(&good, wav_header()).unwrap();
        let a = InputAudio::from_file(&good).await.unwrap();
        assert_eq!(a.format(), InputAudioFormat::Wav);
        assert_eq!(a.len(), wav_header().len() as u64);
        assert!(format!("{a:?}").starts_with("InputAudio { format: Wav, len: 48"));
    }
}
