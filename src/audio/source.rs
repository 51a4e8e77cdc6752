//! Audio the caller sends, whatever the API: a file or bytes, with a name, a size and the
//! container format its header shows. Each API checks it against its own [`AudioRules`].

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::format::{ContainerFormat, HEADER_LEN};
use crate::error::{Error, Result};

/// Audio to send: from a file (read as the request is sent, again for every attempt) or from
/// bytes in memory. Cheap to clone.
///
/// Making one reads at most the file's first 64 bytes, to detect its [`ContainerFormat`]. What
/// an API accepts (formats, size) is checked when the audio is given to it, before anything is
/// sent; `Debug` shows the name, size and format, never the audio.
///
/// ```no_run
/// # async fn f() -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::{AudioSource, ContainerFormat};
/// let file = AudioSource::from_file("meeting.m4a").await?;
/// assert_eq!(file.name(), Some("meeting.m4a"));
/// let memory = AudioSource::from_bytes(std::fs::read("dog.wav").unwrap()).with_name("dog.wav");
/// assert_eq!(memory.format(), Some(ContainerFormat::Wav));
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq)]
pub struct AudioSource {
    origin: Origin,
    size: u64,
    name: Option<String>,
    content_type: Option<String>,
    format: Option<ContainerFormat>,
}

/// Where the audio's bytes are.
#[derive(Clone, PartialEq)]
pub(crate) enum Origin {
    Bytes(Bytes),
    File(Arc<PathBuf>),
}

impl AudioSource {
    /// Audio in memory; its format is detected from its first bytes. It has no name unless
    /// [`with_name`](AudioSource::with_name) gives it one.
    pub fn from_bytes(data: impl Into<Bytes>) -> Self {
        let data: Bytes = data.into();
        AudioSource {
            size: data.len() as u64,
            format: ContainerFormat::detect(&data),
            origin: Origin::Bytes(data),
            name: None,
            content_type: None,
        }
    }

    /// Audio in a file. Only its size and first bytes are read now; its name is the path's file
    /// name. An error (naming the path) if it cannot be opened.
    pub async fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        use tokio::io::AsyncReadExt;
        let path = path.as_ref();
        let io_err = |e: std::io::Error| {
            Error::invalid_input(format!("cannot read audio file {}", path.display()))
                .with_source(e)
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io_err)?;
        let size = file.metadata().await.map_err(io_err)?.len();
        let mut header = [0u8; HEADER_LEN];
        let mut filled = 0;
        while filled < header.len() {
            let n = file.read(&mut header[filled..]).await.map_err(io_err)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(AudioSource {
            origin: Origin::File(Arc::new(path.to_path_buf())),
            size,
            name: None,
            content_type: None,
            format: ContainerFormat::detect(&header[..filled]),
        })
    }

    /// A file whose size and format were recorded earlier (a restored conversation): nothing is
    /// read now; a file that no longer has that size fails the request that sends it.
    pub(crate) fn from_recorded_file(path: PathBuf, size: u64, format: ContainerFormat) -> Self {
        AudioSource {
            origin: Origin::File(Arc::new(path)),
            size,
            name: None,
            content_type: None,
            format: Some(format),
        }
    }

    /// Sets the name (a multipart part's `filename`), in place of the file's own name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the MIME type to send it with, in place of the detected format's.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The name: as set, else the file's name; `None` for unnamed bytes.
    pub fn name(&self) -> Option<&str> {
        match (&self.name, &self.origin) {
            (Some(name), _) => Some(name),
            (None, Origin::File(path)) => path.file_name().and_then(|n| n.to_str()),
            (None, Origin::Bytes(_)) => None,
        }
    }

    /// The MIME type: as set, else the detected format's, else `application/octet-stream`.
    pub fn content_type(&self) -> &str {
        match (&self.content_type, self.format) {
            (Some(set), _) => set,
            (None, Some(format)) => format.content_type(),
            (None, None) => "application/octet-stream",
        }
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The container format its first bytes show, if the crate recognises it.
    pub fn format(&self) -> Option<ContainerFormat> {
        self.format
    }

    /// The file it is read from, if it is a file.
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::File(path) => Some(path),
            Origin::Bytes(_) => None,
        }
    }

    /// The bytes, if it is in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.origin {
            Origin::Bytes(b) => Some(b),
            Origin::File(_) => None,
        }
    }

    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How errors name it: `audio file <path>`, `audio data <name>` or `audio data`.
    pub(crate) fn describe(&self) -> Cow<'_, str> {
        match (&self.origin, &self.name) {
            (Origin::File(path), _) => format!("audio file {}", path.display()).into(),
            (Origin::Bytes(_), Some(name)) => format!("audio data {name}").into(),
            (Origin::Bytes(_), None) => "audio data".into(),
        }
    }

    /// Checks it against an API's rules; returns its format. The errors name the limit and the
    /// value: empty, too large, a format the API does not take (or none recognised), or a name
    /// whose extension says another format than the header.
    pub(crate) fn check(&self, rules: &AudioRules) -> Result<ContainerFormat> {
        let what = self.describe();
        let api = rules.api;
        if self.size == 0 {
            return Err(Error::invalid_input(format!("{what} is empty")));
        }
        if self.size > rules.max_size {
            return Err(Error::invalid_input(format!(
                "{what} is {} bytes; {api} accepts at most {} bytes ({})",
                self.size, rules.max_size, rules.max_size_text
            )));
        }
        let accepted = || {
            let names: Vec<&str> = rules.formats.iter().map(|f| f.as_str()).collect();
            names.join(", ")
        };
        let format = self.format.ok_or_else(|| {
            Error::invalid_input(format!(
                "{what} is not audio {api} accepts (unrecognised header; it accepts {})",
                accepted()
            ))
        })?;
        if !rules.formats.contains(&format) {
            return Err(Error::invalid_input(format!(
                "{what} is {format}; {api} accepts {}",
                accepted()
            )));
        }
        if let Some(name) = self.name().filter(|_| rules.name_must_match) {
            if let Some(named) = ContainerFormat::from_name(name).filter(|n| *n != format) {
                return Err(Error::invalid_input(format!(
                    "{what} is named {name:?}, which says {named}, but its header says {format}"
                )));
            }
        }
        Ok(format)
    }
}

impl fmt::Debug for AudioSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AudioSource");
        if let Origin::File(path) = &self.origin {
            d.field("path", path);
        }
        d.field("name", &self.name())
            .field("size", &self.size)
            .field("format", &self.format)
            .finish()
    }
}

/// What an API accepts as audio input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AudioRules {
    /// How errors name the API.
    pub(crate) api: &'static str,
    /// The largest size, in bytes.
    pub(crate) max_size: u64,
    /// The same, as people say it.
    pub(crate) max_size_text: &'static str,
    /// The formats it takes.
    pub(crate) formats: &'static [ContainerFormat],
    /// Whether a name's extension must agree with the header (the service reads the name).
    pub(crate) name_must_match: bool,
}

/// The largest input audio chat completions accept: 20 MiB of audio (before base64).
pub const MAX_INPUT_AUDIO_BYTES: u64 = 20 * 1024 * 1024;

/// The largest file transcription and translation accept: 25 MiB, the service's limit on the
/// request's content (its 413 says `Maximum content size limit (26214400)`).
pub const MAX_TRANSCRIPTION_AUDIO_BYTES: u64 = 25 * 1024 * 1024;

/// Chat completions' `input_audio`: WAV or MP3, up to 20 MiB.
pub(crate) const CHAT_RULES: AudioRules = AudioRules {
    api: "chat input audio",
    max_size: MAX_INPUT_AUDIO_BYTES,
    max_size_text: "20 MiB",
    formats: &[ContainerFormat::Wav, ContainerFormat::Mp3],
    // The request names the format itself (`"format": "wav"`), from the header.
    name_must_match: false,
};

/// `/audio/transcriptions` and `/audio/translations`: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg,
/// wav, webm, up to 25 MiB.
pub(crate) const TRANSCRIPTION_RULES: AudioRules = AudioRules {
    api: "transcription",
    max_size: MAX_TRANSCRIPTION_AUDIO_BYTES,
    max_size_text: "25 MiB",
    formats: &[
        ContainerFormat::Flac,
        ContainerFormat::Mp4,
        ContainerFormat::Mp3,
        ContainerFormat::Ogg,
        ContainerFormat::Wav,
        ContainerFormat::Webm,
    ],
    name_must_match: true,
};

/// `/audio/translations`: the same as transcriptions.
pub(crate) const TRANSLATION_RULES: AudioRules = AudioRules {
    api: "translation",
    ..TRANSCRIPTION_RULES
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn wav() -> Vec<u8> {
        let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        v.extend_from_slice(&[0; 32]);
        v
    }

    fn message(source: &AudioSource, rules: &AudioRules) -> String {
        let e = source.check(rules).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        e.to_string()
    }

    #[test]
    fn each_api_checks_with_its_own_rules() {
        let flac = AudioSource::from_bytes(b"fLaC\0\0\0\x22rest".to_vec());
        assert_eq!(
            flac.check(&TRANSCRIPTION_RULES).unwrap(),
            ContainerFormat::Flac
        );
        assert_eq!(
            message(&flac, &CHAT_RULES),
            "invalid input: audio data is flac; chat input audio accepts wav, mp3"
        );
        let empty = AudioSource::from_bytes(Vec::new()).with_name("x.wav");
        assert_eq!(
            message(&empty, &TRANSCRIPTION_RULES),
            "invalid input: audio data x.wav is empty"
        );
        let text = AudioSource::from_bytes(b"hello world".to_vec());
        assert!(message(&text, &CHAT_RULES).contains("unrecognised header; it accepts wav, mp3"));
        let mkv = AudioSource::from_bytes(b"\x1a\x45\xdf\xa3\x42\x82\x88matroska".to_vec());
        assert!(message(&mkv, &TRANSCRIPTION_RULES).contains("is matroska; transcription accepts"));

        let mut big = wav();
        big.resize(MAX_INPUT_AUDIO_BYTES as usize + 1, 0);
        let big = AudioSource::from_bytes(big);
        assert_eq!(
            message(&big, &CHAT_RULES),
            "invalid input: audio data is 20971521 bytes; chat input audio accepts at most 20971520 bytes (20 MiB)"
        );
        assert_eq!(
            big.check(&TRANSCRIPTION_RULES).unwrap(),
            ContainerFormat::Wav
        );
    }

    #[test]
    fn a_name_that_contradicts_the_header_is_refused() {
        let named = AudioSource::from_bytes(wav()).with_name("talk.mp3");
        assert_eq!(
            message(&named, &TRANSCRIPTION_RULES),
            "invalid input: audio data talk.mp3 is named \"talk.mp3\", which says mp3, but its header says wav"
        );
        // A name without a known extension says nothing.
        let unknown = AudioSource::from_bytes(wav()).with_name("recording.bin");
        assert!(unknown.check(&TRANSCRIPTION_RULES).is_ok());
        assert_eq!(unknown.content_type(), "audio/wav");
        assert_eq!(
            unknown.with_content_type("audio/x-wav").content_type(),
            "audio/x-wav"
        );
    }

    #[tokio::test]
    async fn a_file_reads_only_its_header_and_is_named_by_its_path() {
        let dir = std::env::temp_dir().join(format!("aoa-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("speech.wav");
        std::fs::write(&path, wav()).unwrap();
        let source = AudioSource::from_file(&path).await.unwrap();
        assert_eq!(
            (source.name(), source.size(), source.format()),
            (Some("speech.wav"), 48, Some(ContainerFormat::Wav))
        );
        assert_eq!(source.path(), Some(path.as_path()));
        assert!(source.bytes().is_none());
        assert_eq!(
            format!("{source:?}"),
            format!(
                "AudioSource {{ path: {path:?}, name: Some(\"speech.wav\"), size: 48, format: Some(Wav) }}"
            )
        );
        let renamed = source.with_name("other.mp3");
        assert!(message(&renamed, &TRANSCRIPTION_RULES)
            .contains("which says mp3, but its header says wav"));
        // Chat input audio names its format in the request, from the header.
        assert_eq!(renamed.check(&CHAT_RULES).unwrap(), ContainerFormat::Wav);
        let missing = AudioSource::from_file(dir.join("missing.wav"))
            .await
            .unwrap_err();
        assert!(missing.to_string().contains("missing.wav"), "{missing}");
    }
}
