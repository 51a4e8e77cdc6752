//! `multipart/form-data` request bodies whose file parts stream from disk.
//!
//! A [`MultipartBody`] is a list of text fields and file parts behind a random boundary. Its
//! exact length is known before anything is sent (a file part's size is its source's), so it
//! goes with a `Content-Length`, not chunked. Producing it reads each file again, a chunk at a
//! time, so it can be sent again for every attempt without ever holding a file in memory; a file
//! that no longer has its size fails the body.

use std::io;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};

use super::streamed::{file_chunks, nonce, SizedStream};
use crate::audio::source::{AudioSource, Origin};

/// Bytes of a file read per trip to the blocking pool. Unlike the JSON body's (`body.rs`), a form
/// copies the file as it is, with no encoding to amortise: 64 KiB, as a hand-written upload does.
/// With 192 KiB the transcription bench (`bench/e2e/run.sh --job transcribe`) peaked at 8.7 MiB
/// against the floor's 6.4 (1.35x); with 64 KiB, 7.8 against 6.3 (1.25x), for the same CPU.
const FILE_CHUNK: usize = 64 * 1024;

#[derive(Clone)]
enum Segment {
    Bytes(Bytes),
    Audio(AudioSource),
}

/// A `multipart/form-data` body: text fields and file parts, produced again for every attempt.
///
/// ```
/// use azure_openai_audio::__private::MultipartBody;
/// use azure_openai_audio::AudioSource;
/// let audio = AudioSource::from_bytes(b"RIFF\0\0\0\0WAVE".to_vec()).with_name("a.wav");
/// let body = MultipartBody::new()
///     .file("file", &audio)
///     .field("model", "whisper")
///     .field("timestamp_granularities[]", "word")
///     .field("timestamp_granularities[]", "segment");
/// assert!(body.content_type().starts_with("multipart/form-data; boundary="));
/// assert!(body.content_length() > 12);
/// ```
#[derive(Clone)]
pub struct MultipartBody {
    boundary: String,
    segments: Vec<Segment>,
    len: u64,
}

impl std::fmt::Debug for MultipartBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartBody")
            .field("segments", &self.segments.len())
            .field("content_length", &self.len)
            .finish()
    }
}

impl Default for MultipartBody {
    fn default() -> Self {
        Self::new()
    }
}

impl MultipartBody {
    /// An empty form with a random boundary.
    pub fn new() -> Self {
        let mut body = MultipartBody {
            boundary: format!("aoa-{:016x}{:016x}", nonce(), nonce().rotate_left(17)),
            segments: Vec::new(),
            len: 0,
        };
        let end = body.closing();
        body.len = end.len() as u64;
        body
    }

    /// Adds a text field. A name may repeat: an array goes as one field per element
    /// (`include[]`, `timestamp_granularities[]`).
    pub fn field(self, name: &str, value: impl Into<String>) -> Self {
        let head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
            self.boundary,
            escape(name)
        );
        let value: String = value.into();
        self.push(Segment::Bytes(Bytes::from(head + &value + "\r\n")))
    }

    /// Adds a file part named `name`, with the source's name as its `filename` (`audio` if it
    /// has none) and its content type.
    pub fn file(self, name: &str, source: &AudioSource) -> Self {
        let filename = source.name().unwrap_or("audio");
        let head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            self.boundary,
            escape(name),
            escape(filename),
            escape(source.content_type()),
        );
        self.push(Segment::Bytes(Bytes::from(head)))
            .push(Segment::Audio(source.clone()))
            .push(Segment::Bytes(Bytes::from_static(b"\r\n")))
    }

    fn push(mut self, segment: Segment) -> Self {
        self.len += match &segment {
            Segment::Bytes(b) => b.len() as u64,
            Segment::Audio(source) => source.size(),
        };
        self.segments.push(segment);
        self
    }

    fn closing(&self) -> Bytes {
        Bytes::from(format!("--{}--\r\n", self.boundary))
    }

    /// `multipart/form-data; boundary=...`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The exact number of bytes the body has.
    pub fn content_length(&self) -> u64 {
        self.len
    }

    /// The body as a stream of chunks; files are opened and read as it is polled.
    pub fn stream(&self) -> BoxStream<'static, io::Result<Bytes>> {
        let mut segments = self.segments.clone();
        segments.push(Segment::Bytes(self.closing()));
        futures_util::stream::iter(segments)
            .flat_map(|segment| match segment {
                Segment::Bytes(b) => futures_util::stream::once(async move { Ok(b) }).boxed(),
                Segment::Audio(source) => match source.origin() {
                    Origin::Bytes(b) => {
                        let b = b.clone();
                        futures_util::stream::once(async move { Ok(b) }).boxed()
                    }
                    Origin::File(path) => file_chunks(
                        path.clone(),
                        source.size(),
                        FILE_CHUNK,
                        Bytes::copy_from_slice,
                    )
                    .boxed(),
                },
            })
            .boxed()
    }

    /// A reqwest body of exactly [`content_length`](MultipartBody::content_length) bytes.
    pub fn to_reqwest(&self) -> reqwest::Body {
        SizedStream::body(self.stream(), self.len)
    }
}

/// A name in a `Content-Disposition` header, escaped as browsers do (WHATWG HTML's form
/// encoding): `"` as `%22`, CR as `%0D`, LF as `%0A`.
fn escape(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_and_line_breaks_in_names() {
        assert_eq!(escape("a\"b\r\nc.wav"), "a%22b%0D%0Ac.wav");
        let one = MultipartBody::new();
        assert_ne!(one.boundary, MultipartBody::new().boundary);
        assert_eq!(one.content_length(), one.closing().len() as u64);
    }
}
