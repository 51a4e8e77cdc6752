//! Audio container formats, recognised from a file's first bytes or from its name.

use std::fmt;

/// The container of an audio file, as its header shows it (or its name says).
///
/// The crate recognises these itself; which of them an API takes is that API's rule (chat input
/// audio: WAV and MP3; transcription: all but Matroska).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContainerFormat {
    /// RIFF (or RF64) WAVE.
    Wav,
    /// MPEG audio (an `ID3` tag or an MPEG frame): `.mp3`, `.mpeg`, `.mpga`.
    Mp3,
    /// FLAC (`fLaC`).
    Flac,
    /// Ogg (`OggS`): `.ogg`, `.oga`, `.opus`.
    Ogg,
    /// WebM: EBML with the `webm` document type.
    Webm,
    /// Matroska: EBML with another (or no visible) document type: `.mkv`, `.mka`.
    Matroska,
    /// ISO base media (`ftyp` at offset 4): `.mp4`, `.m4a`.
    Mp4,
}

/// How many bytes of a file [`ContainerFormat::detect`] looks at (enough for WebM's doctype).
pub(crate) const HEADER_LEN: usize = 64;

impl ContainerFormat {
    /// A short lower-case name: `wav`, `mp3`, `flac`, `ogg`, `webm`, `matroska`, `mp4`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerFormat::Wav => "wav",
            ContainerFormat::Mp3 => "mp3",
            ContainerFormat::Flac => "flac",
            ContainerFormat::Ogg => "ogg",
            ContainerFormat::Webm => "webm",
            ContainerFormat::Matroska => "matroska",
            ContainerFormat::Mp4 => "mp4",
        }
    }

    /// The MIME type a multipart file part of this format is sent with.
    pub fn content_type(self) -> &'static str {
        match self {
            ContainerFormat::Wav => "audio/wav",
            ContainerFormat::Mp3 => "audio/mpeg",
            ContainerFormat::Flac => "audio/flac",
            ContainerFormat::Ogg => "audio/ogg",
            ContainerFormat::Webm => "audio/webm",
            ContainerFormat::Matroska => "audio/x-matroska",
            ContainerFormat::Mp4 => "audio/mp4",
        }
    }

    /// Recognises the format from the first bytes of the data (up to 64 are looked at).
    ///
    /// ```
    /// use azure_openai_audio::ContainerFormat;
    /// assert_eq!(ContainerFormat::detect(b"fLaC\0\0\0\x22"), Some(ContainerFormat::Flac));
    /// assert_eq!(ContainerFormat::detect(b"hello"), None);
    /// ```
    pub fn detect(header: &[u8]) -> Option<ContainerFormat> {
        let at = |range: std::ops::Range<usize>| header.get(range);
        if matches!(at(0..4), Some(b"RIFF" | b"RF64")) && at(8..12) == Some(b"WAVE") {
            return Some(ContainerFormat::Wav);
        }
        if header.starts_with(b"fLaC") {
            return Some(ContainerFormat::Flac);
        }
        if header.starts_with(b"OggS") {
            return Some(ContainerFormat::Ogg);
        }
        if header.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            let head = &header[..header.len().min(HEADER_LEN)];
            return Some(if contains(head, b"webm") {
                ContainerFormat::Webm
            } else {
                ContainerFormat::Matroska
            });
        }
        if at(4..8) == Some(b"ftyp") {
            return Some(ContainerFormat::Mp4);
        }
        if header.starts_with(b"ID3") {
            return Some(ContainerFormat::Mp3);
        }
        // MPEG audio frame: 11 sync bits, a valid version (not 01) and layer (not 00; AAC's
        // ADTS frames have layer 00).
        if let [0xFF, second, ..] = header {
            let version = (second >> 3) & 0b11;
            let layer = (second >> 1) & 0b11;
            if second & 0xE0 == 0xE0 && version != 0b01 && layer != 0b00 {
                return Some(ContainerFormat::Mp3);
            }
        }
        None
    }

    /// The format a file name's extension names (case-insensitive), if it names one.
    ///
    /// ```
    /// use azure_openai_audio::ContainerFormat;
    /// assert_eq!(ContainerFormat::from_extension("M4A"), Some(ContainerFormat::Mp4));
    /// assert_eq!(ContainerFormat::from_extension("mpga"), Some(ContainerFormat::Mp3));
    /// assert_eq!(ContainerFormat::from_extension("txt"), None);
    /// ```
    pub fn from_extension(extension: &str) -> Option<ContainerFormat> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "wav" | "wave" => ContainerFormat::Wav,
            "mp3" | "mpeg" | "mpga" => ContainerFormat::Mp3,
            "flac" => ContainerFormat::Flac,
            "ogg" | "oga" | "opus" => ContainerFormat::Ogg,
            "webm" => ContainerFormat::Webm,
            "mkv" | "mka" => ContainerFormat::Matroska,
            "mp4" | "m4a" => ContainerFormat::Mp4,
            _ => return None,
        })
    }

    /// The format a file name's extension names (`dog.WAV` names WAV), if it names one.
    pub fn from_name(name: &str) -> Option<ContainerFormat> {
        let (_, extension) = name.rsplit_once('.')?;
        ContainerFormat::from_extension(extension)
    }
}

impl fmt::Display for ContainerFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_container_from_its_header() {
        let mut mp4 = vec![0, 0, 0, 0x20];
        mp4.extend_from_slice(b"ftypM4A \0\0\0\0");
        let mut webm = vec![
            0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82,
        ];
        webm.extend_from_slice(b"\x84webm");
        let mut mkv = webm.clone();
        mkv.truncate(11);
        mkv.extend_from_slice(b"\x88matroska");
        let cases: [(&[u8], Option<ContainerFormat>); 12] = [
            (b"RIFF\x24\0\0\0WAVEfmt ", Some(ContainerFormat::Wav)),
            (b"RF64\xff\xff\xff\xffWAVEds64", Some(ContainerFormat::Wav)),
            (b"RIFF\x24\0\0\0AVI ", None),
            (b"ID3\x04\0", Some(ContainerFormat::Mp3)),
            // The recorded mp3 input starts with "//Pk" = FF F3 E4 (MPEG-2 layer III).
            (&[0xFF, 0xF3, 0xE4, 0x00], Some(ContainerFormat::Mp3)),
            // AAC in ADTS frames (layer 00) and a reserved version: not MP3.
            (&[0xFF, 0xF1, 0x50, 0x80], None),
            (&[0xFF, 0xE8], None),
            (b"fLaC\0\0\0\x22", Some(ContainerFormat::Flac)),
            (b"OggS\0\x02", Some(ContainerFormat::Ogg)),
            (&webm, Some(ContainerFormat::Webm)),
            (&mkv, Some(ContainerFormat::Matroska)),
            (&mp4, Some(ContainerFormat::Mp4)),
        ];
        for (header, expected) in cases {
            assert_eq!(ContainerFormat::detect(header), expected, "{header:?}");
        }
        assert_eq!(ContainerFormat::detect(b""), None);
        assert_eq!(ContainerFormat::detect(b"RIFF"), None);
    }

    #[test]
    fn names_map_to_formats() {
        for (name, expected) in [
            ("a.wav", Some(ContainerFormat::Wav)),
            ("b.MP3", Some(ContainerFormat::Mp3)),
            ("c.mpeg", Some(ContainerFormat::Mp3)),
            ("d.oga", Some(ContainerFormat::Ogg)),
            ("e.m4a", Some(ContainerFormat::Mp4)),
            ("f.webm", Some(ContainerFormat::Webm)),
            ("g.flac", Some(ContainerFormat::Flac)),
            ("h.mkv", Some(ContainerFormat::Matroska)),
            ("noextension", None),
            ("notes.txt", None),
        ] {
            assert_eq!(ContainerFormat::from_name(name), expected, "{name}");
        }
        assert_eq!(ContainerFormat::Mp4.content_type(), "audio/mp4");
        assert_eq!(ContainerFormat::Webm.to_string(), "webm");
    }
}
