//! Sending requests: authentication, the streamed body, status handling, reading bodies.

pub mod body;
pub(crate) mod sse;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use body::BodyPlan;

/// The largest error body read into memory; the rest is dropped.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl Client {
    /// POSTs the body and returns the response once its status is a success.
    ///
    /// A 401 with a token credential drops the refused token and tries once more with a new one.
    pub(crate) async fn post(
        &self,
        url: &Url,
        plan: &BodyPlan,
        accept: &'static str,
    ) -> Result<reqwest::Response> {
        let inner = &self.inner;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (name, value) = inner
                .credential
                .header()
                .await
                .map_err(|e| e.with_attempts(attempts - 1))?;
            let response = inner
                .http
                .post(url.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .header(ACCEPT, HeaderValue::from_static(accept))
                .header(CONTENT_LENGTH, plan.content_length())
                .header(name, value.clone())
                .body(plan.to_reqwest())
                .send()
                .await
                .map_err(|e| Error::from_reqwest(e).with_attempts(attempts))?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let metadata = ResponseMetadata::from_headers(status.as_u16(), response.headers());
            let body = read_limited(response, MAX_ERROR_BODY)
                .await
                .unwrap_or_default();
            if status.as_u16() == 401
                && attempts == 1
                && inner.credential.unauthorized(&value).await
            {
                continue;
            }
            return Err(Error::from_response(metadata, &body).with_attempts(attempts));
        }
    }
}

/// Reads a whole body into one buffer sized from `Content-Length`, without a second copy.
/// A `Vec`, so the reply's audio can be decoded in it (see `audio::in_place`).
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let hint = response
        .content_length()
        .unwrap_or(0)
        .min(256 * 1024 * 1024) as usize;
    let mut buf = Vec::with_capacity(hint);
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
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
