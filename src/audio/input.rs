//! Audio the caller sends: from bytes or from a file, checked before anything is sent.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// The largest input audio the service accepts: 20 MiB of audio (before base64).
pub const MAX_INPUT_AUDIO_BYTES: u64 = 20 * 1024 * 1024;

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
    /// from the first bytes of the data.
    pub fn detect(header: &[u8]) -> Option<InputAudioFormat> {
        if header.len() >= 12
            && matches!(&header[..4], b"RIFF" | b"RF64")
            && &header[8..12] == b"WAVE"
        {
            return Some(InputAudioFormat::Wav);
        }
        if header.starts_with(b"ID3") {
            return Some(InputAudioFormat::Mp3);
        }
        // MPEG audio frame: 11 sync bits, a valid version (not 01) and layer (not 00).
        if header.len() >= 2 && header[0] == 0xFF && header[1] & 0xE0 == 0xE0 {
            let version = (header[1] >> 3) & 0b11;
            let layer = (header[1] >> 1) & 0b11;
            if version != 0b01 && layer != 0b00 {
                return Some(InputAudioFormat::Mp3);
            }
        }
        None
    }
}

impl fmt::Display for InputAudioFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where input audio comes from. Both are cheap to clone and can be read again for a retry.
#[derive(Clone)]
pub(crate) enum AudioSource {
    Bytes(Bytes),
    File { path: Arc<PathBuf>, len: u64 },
}

impl AudioSource {
    pub(crate) fn len(&self) -> u64 {
        match self {
            AudioSource::Bytes(b) => b.len() as u64,
            AudioSource::File { len, .. } => *len,
        }
    }
}

/// Audio for an `input_audio` content part: WAV or MP3, from memory or from a file.
///
/// The format is detected from the data's header and checked against what the caller declared.
/// Empty, unrecognised or oversized audio (over [`MAX_INPUT_AUDIO_BYTES`]) is an
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error here, before anything is sent.
///
/// Audio from a file is not read into memory: the request body streams it through a base64
/// encoder, and reads it again if the request has to be retried.
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
    pub(crate) source: AudioSource,
}

impl InputAudio {
    /// Audio from memory; the format is detected from the header.
    pub fn from_bytes(data: impl Into<Bytes>) -> Result<Self> {
        let data = data.into();
        let format = check(&data, data.len() as u64, None, "audio data")?;
        Ok(InputAudio {
            format,
            source: AudioSource::Bytes(data),
        })
    }

    /// Audio from memory, declared to be in `format`; an error if the header says otherwise.
    pub fn from_bytes_as(data: impl Into<Bytes>, format: InputAudioFormat) -> Result<Self> {
        let data = data.into();
        let format = check(&data, data.len() as u64, Some(format), "audio data")?;
        Ok(InputAudio {
            format,
            source: AudioSource::Bytes(data),
        })
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
        Self::open(path.as_ref(), None).await
    }

    /// Audio from a file declared to be in `format`; an error if its header says otherwise.
    pub async fn from_file_as(path: impl AsRef<Path>, format: InputAudioFormat) -> Result<Self> {
        Self::open(path.as_ref(), Some(format)).await
    }

    async fn open(path: &Path, declared: Option<InputAudioFormat>) -> Result<Self> {
        use tokio::io::AsyncReadExt;
        let what = path.display().to_string();
        let io_err = |e: std::io::Error| {
            Error::invalid_input(format!("cannot read audio file {what}")).with_source(e)
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io_err)?;
        let len = file.metadata().await.map_err(io_err)?.len();
        let mut header = [0u8; 12];
        let mut filled = 0;
        while filled < header.len() {
            let n = file.read(&mut header[filled..]).await.map_err(io_err)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        let format = check(
            &header[..filled],
            len,
            declared,
            &format!("audio file {what}"),
        )?;
        Ok(InputAudio {
            format,
            source: AudioSource::File {
                path: Arc::new(path.to_path_buf()),
                len,
            },
        })
    }

    /// The format of the audio.
    pub fn format(&self) -> InputAudioFormat {
        self.format
    }

    /// The size of the audio in bytes (before base64).
    pub fn len(&self) -> u64 {
        self.source.len()
    }

    /// Always false: empty audio is refused when it is made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check(
    header: &[u8],
    len: u64,
    declared: Option<InputAudioFormat>,
    what: &str,
) -> Result<InputAudioFormat> {
    if len == 0 {
        return Err(Error::invalid_input(format!("{what} is empty")));
    }
    if len > MAX_INPUT_AUDIO_BYTES {
        return Err(Error::invalid_input(format!(
            "{what} is {len} bytes; the service accepts at most {MAX_INPUT_AUDIO_BYTES} bytes (20 MiB)"
        )));
    }
    let detected = InputAudioFormat::detect(header).ok_or_else(|| {
        Error::invalid_input(format!(
            "{what} is neither WAV nor MP3 (unrecognised header)"
        ))
    })?;
    match declared {
        Some(d) if d != detected => Err(Error::invalid_input(format!(
            "{what} was declared {d} but its header says {detected}"
        ))),
        _ => Ok(detected),
    }
}

impl fmt::Debug for InputAudio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("InputAudio");
        d.field("format", &self.format).field("len", &self.len());
        if let AudioSource::File { path, .. } = &self.source {
            d.field("path", path);
        }
        d.finish()
    }
}

impl PartialEq for InputAudio {
    fn eq(&self, other: &Self) -> bool {
        self.format == other.format
            && match (&self.source, &other.source) {
                (AudioSource::Bytes(a), AudioSource::Bytes(b)) => a == b,
                (AudioSource::File { path: a, .. }, AudioSource::File { path: b, .. }) => a == b,
                _ => false,
            }
    }
}

/// Serializes as `{"data": <base64>, "format": "wav"}`. While a streamed request body is being
/// planned, `data` is a placeholder that the body replaces with the audio streamed from its source.
impl Serialize for InputAudio {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("InputAudio", 2)?;
        s.serialize_field("data", &crate::transport::body::AudioField(&self.source))?;
        s.serialize_field("format", &self.format)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
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
