//! What every streamed request body is made of: a file read a chunk at a time (again for every
//! attempt), an HTTP body of exact size over a stream of chunks, and random tokens for markers.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};

/// Streams the file at `path`, which must still be `len` bytes long, `chunk` bytes at a time,
/// each chunk turned into the bytes sent by `map` (base64 for a JSON body, a copy for a
/// multipart one). The file is opened when the stream is first polled, so every stream made for
/// a new attempt reads it again from the start.
pub(crate) fn file_chunks(
    path: Arc<PathBuf>,
    len: u64,
    chunk: usize,
    map: fn(&[u8]) -> Bytes,
) -> impl Stream<Item = io::Result<Bytes>> + Send {
    let state = FileChunks {
        path,
        file: None,
        buf: Vec::new(),
        chunk,
        map,
        read: 0,
        len,
        done: false,
    };
    futures_util::stream::try_unfold(state, |mut st| async move {
        if st.done {
            return Ok(None);
        }
        // Read and map a chunk on the blocking pool: file reads may block, and this way the
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
    path: Arc<PathBuf>,
    file: Option<std::fs::File>,
    buf: Vec<u8>,
    chunk: usize,
    map: fn(&[u8]) -> Bytes,
    read: u64,
    len: u64,
    done: bool,
}

impl FileChunks {
    /// The next chunk, mapped; `None` at the end.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        use std::io::Read;
        if self.file.is_none() {
            self.file = Some(std::fs::File::open(self.path.as_path())?);
            self.buf = vec![0; self.chunk];
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(None);
        };
        let mut filled = 0;
        while filled < self.buf.len() {
            match file.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.read += filled as u64;
        let short = filled < self.buf.len();
        if self.read > self.len || (short && self.read != self.len) {
            return Err(io::Error::other(format!(
                "audio file {} changed size while it was being sent",
                self.path.display()
            )));
        }
        if short {
            self.done = true;
            self.file = None;
            if filled == 0 {
                return Ok(None);
            }
        }
        Ok(Some((self.map)(&self.buf[..filled])))
    }
}

/// An `http_body::Body` with an exact size hint, so hyper sends `Content-Length`, not chunked.
/// The mutex only makes the stream `Sync` (reqwest asks for it); it is never locked, since
/// polling has `&mut self`.
pub(crate) struct SizedStream {
    inner: std::sync::Mutex<BoxStream<'static, io::Result<Bytes>>>,
    remaining: u64,
}

impl SizedStream {
    /// A reqwest body of exactly `len` bytes over `stream`.
    pub(crate) fn body(stream: BoxStream<'static, io::Result<Bytes>>, len: u64) -> reqwest::Body {
        reqwest::Body::wrap(SizedStream {
            inner: std::sync::Mutex::new(stream),
            remaining: len,
        })
    }
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

/// 64 random bits (from the standard library's per-process random hasher keys and the clock),
/// for markers that text in a body cannot guess.
pub(crate) fn nonce() -> u64 {
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
