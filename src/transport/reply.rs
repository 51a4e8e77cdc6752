//! A successful reply handed to an API module, and the bounded reads of bodies into memory.
//!
//! Every body the crate reads whole is capped: a success by the client's
//! [`max_reply_size`](crate::ClientBuilder::max_reply_size), checked against `Content-Length`
//! before reading and enforced while reading a chunked body; an error body by
//! [`MAX_ERROR_BODY`], the rest dropped. Past the cap the response is dropped unread, so its
//! connection is closed rather than returned to the pool. Streams (SSE) have their own per-event
//! limit; a body written to a file or handed out as a byte stream is the caller's to bound.

use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;

/// The largest error body read into memory; the rest is dropped.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// A response with a success status, for the API module to read.
#[derive(Debug)]
pub(crate) struct Reply {
    response: reqwest::Response,
    max_size: u64,
}

impl Reply {
    pub(crate) fn new(response: reqwest::Response, max_size: u64) -> Self {
        Reply { response, max_size }
    }

    /// Status and headers.
    pub(crate) fn metadata(&self) -> ResponseMetadata {
        ResponseMetadata::from_headers(self.response.status().as_u16(), self.response.headers())
    }

    /// The `Content-Type` the service labelled the body with, if it is text.
    pub(crate) fn content_type(&self) -> Option<String> {
        content_type(&self.response)
    }

    /// Reads the whole body into one buffer sized from `Content-Length`, without a second copy,
    /// refusing one over the client's maximum reply size. A `Vec`, so the reply's audio can be
    /// decoded in it (see `audio::in_place`).
    pub(crate) async fn body(mut self) -> Result<Vec<u8>> {
        let declared = self.response.content_length();
        if let Some(declared) = declared.filter(|&n| n > self.max_size) {
            return Err(Error::reply_too_large(self.max_size, Some(declared), 0));
        }
        let hint = declared.unwrap_or(0).min(self.max_size);
        let mut buf = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        while let Some(chunk) = self.response.chunk().await.map_err(Error::from_reqwest)? {
            let received = buf.len() as u64 + chunk.len() as u64;
            if received > self.max_size {
                return Err(Error::reply_too_large(self.max_size, None, received));
            }
            if received > buf.capacity() as u64 {
                // Grow as `Vec` does (doubling), but never past the maximum.
                let target = received.max(buf.capacity() as u64 * 2).min(self.max_size);
                buf.reserve_exact(
                    usize::try_from(target)
                        .unwrap_or(0)
                        .saturating_sub(buf.len()),
                );
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    }

    /// Reads the whole body (as [`body`](Reply::body) does) and decodes it with `decode`; returns
    /// the value with the response's status and headers, which an error carries too.
    pub(crate) async fn decode<T>(
        self,
        decode: impl FnOnce(Vec<u8>) -> Result<T>,
    ) -> Result<(T, ResponseMetadata)> {
        let metadata = self.metadata();
        match self.body().await.and_then(decode) {
            Ok(value) => Ok((value, metadata)),
            Err(e) => Err(e.with_metadata(metadata)),
        }
    }

    /// The response itself, for a body read as a stream (bounded by the reader).
    pub(crate) fn into_response(self) -> reqwest::Response {
        self.response
    }
}

/// The `Content-Type` of a response, if it is text.
pub(crate) fn content_type(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get(reqwest::header::CONTENT_TYPE)?;
    value.to_str().ok().map(str::to_owned)
}

/// Reads at most `limit` bytes of a body; the rest is not read.
pub(crate) async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        let room = limit.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() >= limit {
            break;
        }
    }
    Ok(buf)
}
