//! Request bodies that stream large audio instead of holding it as a base64 `String`.
//!
//! A [`BodyPlan`] is the request's JSON cut at each audio field: JSON bytes, then an audio source
//! (bytes in memory or a file), then more JSON bytes, and so on. Producing the body streams each
//! source through a base64 encoder in fixed-size chunks, with an exact `Content-Length`. The plan
//! is cheap to clone and produces the same bytes every time, so a retry sends the body again
//! without having buffered it.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use serde::{Serialize, Serializer};

use crate::audio::input::AudioSource;
use crate::error::{Error, Result};

/// Bytes of audio encoded per chunk: a multiple of 3, so only the last chunk has padding.
const CHUNK: usize = 3 * 32 * 1024;
/// Bytes of a file read and encoded per trip to the blocking pool (a multiple of 3, too). Each trip
/// costs a thread hand-off: 2x `CHUNK` halves them for ~0.2 MiB more peak memory (4x: ~0.8 MiB);
/// see `benches/codec.rs` and `bench/e2e`.
const FILE_CHUNK: usize = 2 * CHUNK;

thread_local! {
    /// While a plan is being made on this thread: the placeholder prefix and the sources seen.
    static PLANNING: RefCell<Option<(String, Vec<AudioSource>)>> = const { RefCell::new(None) };
}

/// The `data` field of an input audio part.
pub(crate) struct AudioField<'a>(pub(crate) &'a AudioSource);

impl Serialize for AudioField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let placeholder: Option<String> = PLANNING.with(|p| {
            p.borrow_mut().as_mut().map(|(prefix, sources)| {
                sources.push(self.0.clone());
                format!("{prefix}{}__", sources.len() - 1)
            })
        });
        if let Some(placeholder) = placeholder {
            return s.serialize_str(&placeholder);
        }
        // Plain serde (e.g. `serde_json::to_string(&request)`): encode the whole audio.
        match self.0 {
            AudioSource::Bytes(b) => {
                s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b))
            }
            AudioSource::File { path, len } => {
                let data = std::fs::read(path.as_path()).map_err(|e| {
                    serde::ser::Error::custom(format_args!("cannot read {}: {e}", path.display()))
                })?;
                if data.len() as u64 != *len {
                    return Err(serde::ser::Error::custom(format_args!(
                        "{} changed size",
                        path.display()
                    )));
                }
                s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
            }
        }
    }
}

#[derive(Clone)]
enum Segment {
    Json(Bytes),
    Audio(AudioSource),
}

/// A request body that can be produced any number of times, streaming its audio.
#[derive(Clone)]
pub struct BodyPlan {
    segments: Arc<[Segment]>,
    len: u64,
}

impl std::fmt::Debug for BodyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyPlan")
            .field("segments", &self.segments.len())
            .field("content_length", &self.len)
            .finish()
    }
}

/// The base64 length of `n` bytes, with padding.
pub(crate) fn base64_len(n: u64) -> u64 {
    n.div_ceil(3) * 4
}

impl BodyPlan {
    /// Serializes `value` with serde_json, cutting the JSON at each audio field.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<Self> {
        let prefix = format!("__aoa_audio_{:016x}_", nonce());
        // Whatever happens in `serialize` (a panic included), the thread's planning state is put
        // back as it was: plain serde on this thread later encodes audio as usual.
        let restore = Restore(PLANNING.with(|p| p.replace(Some((prefix.clone(), Vec::new())))));
        let json = serde_json::to_vec(value);
        let (_, sources) = PLANNING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        drop(restore);
        let json = json
            .map_err(|e| Error::invalid_input("the request cannot be serialized").with_source(e))?;

        let mut segments = Vec::with_capacity(sources.len() * 2 + 1);
        let mut len = 0u64;
        let mut rest = &json[..];
        for (i, source) in sources.into_iter().enumerate() {
            let marker = format!("{prefix}{i}__");
            let at = find(rest, marker.as_bytes()).ok_or_else(|| {
                Error::invalid_input("an audio field was not serialized as a string")
            })?;
            segments.push(Segment::Json(Bytes::copy_from_slice(&rest[..at])));
            len += at as u64 + base64_len(source.len());
            segments.push(Segment::Audio(source));
            rest = &rest[at + marker.len()..];
        }
        segments.push(Segment::Json(Bytes::copy_from_slice(rest)));
        len += rest.len() as u64;
        Ok(BodyPlan {
            segments: segments.into(),
            len,
        })
    }

    /// The exact number of bytes the body has.
    pub fn content_length(&self) -> u64 {
        self.len
    }

    /// The body as a stream of chunks; audio is encoded (and files read) as it is polled.
    pub fn stream(&self) -> BoxStream<'static, io::Result<Bytes>> {
        let segments = self.segments.clone();
        futures_util::stream::iter((0..segments.len()).map(move |i| segments[i].clone()))
            .flat_map(|segment| match segment {
                Segment::Json(b) => futures_util::stream::once(async move { Ok(b) }).boxed(),
                Segment::Audio(AudioSource::Bytes(b)) => encode_bytes(b).boxed(),
                Segment::Audio(AudioSource::File { path, len }) => encode_file(path, len).boxed(),
            })
            .boxed()
    }

    /// The whole body in one buffer (for small bodies, and for tests).
    pub async fn collect(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len as usize);
        let mut s = self.stream();
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// A reqwest body with an exact size: a single buffer when there is no audio, else a stream.
    pub(crate) fn to_reqwest(&self) -> reqwest::Body {
        if let [Segment::Json(b)] = &self.segments[..] {
            return reqwest::Body::from(b.clone());
        }
        reqwest::Body::wrap(SizedStream {
            inner: std::sync::Mutex::new(self.stream()),
            remaining: self.len,
        })
    }
}

/// Puts back the planning state a [`BodyPlan::new`] found (normally none) when dropped.
struct Restore(Option<(String, Vec<AudioSource>)>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        PLANNING.with(|p| *p.borrow_mut() = previous);
    }
}

fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn encode_bytes(data: Bytes) -> impl Stream<Item = io::Result<Bytes>> + Send {
    let chunks = data.len().div_ceil(CHUNK);
    futures_util::stream::iter((0..chunks).map(move |i| {
        let piece = &data[i * CHUNK..((i + 1) * CHUNK).min(data.len())];
        Ok(Bytes::from(
            base64::engine::general_purpose::STANDARD.encode(piece),
        ))
    }))
}

fn encode_file(
    path: Arc<std::path::PathBuf>,
    len: u64,
) -> impl Stream<Item = io::Result<Bytes>> + Send {
    let state = FileChunks {
        path,
        file: None,
        buf: Vec::new(),
        read: 0,
        len,
        done: false,
    };
    futures_util::stream::try_unfold(state, |mut st| async move {
        if st.done {
            return Ok(None);
        }
        // Read and encode a chunk on the blocking pool: file reads may block, and this way the
        // bytes are read straight into our buffer (no copy through tokio's file buffer) and the
        // encoding stays off the async workers.
        let (st, chunk) = tokio::task::spawn_blocking(move || {
            let chunk = st.next_chunk();
            (st, chunk)
        })
        .await
        .map_err(io::Error::other)?;
        Ok(chunk?.map(|c| (c, st)))
    })
}

/// Reads a file a chunk at a time, checking it still has the size it had when it was opened.
struct FileChunks {
    path: Arc<std::path::PathBuf>,
    file: Option<std::fs::File>,
    buf: Vec<u8>,
    read: u64,
    len: u64,
    done: bool,
}

impl FileChunks {
    /// The next chunk, base64-encoded; `None` at the end.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        use std::io::Read;
        if self.file.is_none() {
            self.file = Some(std::fs::File::open(self.path.as_path())?);
            self.buf = vec![0; FILE_CHUNK];
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(None);
        };
        let mut filled = 0;
        while filled < FILE_CHUNK {
            match file.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.read += filled as u64;
        if self.read > self.len || (filled < FILE_CHUNK && self.read != self.len) {
            return Err(io::Error::other(format!(
                "audio file {} changed size while it was being sent",
                self.path.display()
            )));
        }
        if filled < FILE_CHUNK {
            self.done = true;
            self.file = None;
            if filled == 0 {
                return Ok(None);
            }
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.buf[..filled]);
        Ok(Some(Bytes::from(encoded)))
    }
}

/// An `http_body::Body` with an exact size hint, so hyper sends `Content-Length`, not chunked.
/// The mutex only makes the stream `Sync` (reqwest asks for it); it is never locked, since
/// polling has `&mut self`.
struct SizedStream {
    inner: std::sync::Mutex<BoxStream<'static, io::Result<Bytes>>>,
    remaining: u64,
}

impl http_body::Body for SizedStream {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, io::Error>>> {
        let polled = match self.inner.get_mut() {
            Ok(inner) => inner.poll_next_unpin(cx),
            Err(_) => {
                return Poll::Ready(Some(Err(io::Error::other("request body stream poisoned"))))
            }
        };
        match polled {
            Poll::Ready(Some(Ok(b))) => {
                self.remaining = self.remaining.saturating_sub(b.len() as u64);
                Poll::Ready(Some(Ok(http_body::Frame::data(b))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_planning_leaves_plain_serde_as_it_was() {
        struct Panics;
        impl Serialize for Panics {
            fn serialize<S: Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
                panic!("a value that cannot be serialized");
            }
        }
        #[derive(Serialize)]
        struct Body<'a> {
            audio: AudioField<'a>,
            then: Panics,
        }
        let source = AudioSource::Bytes(Bytes::from_static(b"abc"));
        let body = Body {
            audio: AudioField(&source),
            then: Panics,
        };
        assert!(std::panic::catch_unwind(|| BodyPlan::new(&body)).is_err());
        // The same thread, plain serde: the audio is encoded, not a placeholder.
        let plain = serde_json::to_string(&AudioField(&source)).unwrap();
        assert_eq!(plain, "\"YWJj\"");
    }

    #[test]
    fn base64_lengths() {
        for n in 0..20u64 {
            let s = base64::engine::general_purpose::STANDARD.encode(vec![0u8; n as usize]);
            assert_eq!(base64_len(n), s.len() as u64);
        }
    }
}
