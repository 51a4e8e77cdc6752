//! A speech as it arrives: the audio bytes, chunk by chunk ([`Speech::stream`]).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::Stream;

use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::speech::api::ACCEPT_AUDIO;
use crate::speech::{Speech, SpeechRequest};
use crate::transport::idle::{body_stream, BodyStream};
use crate::transport::options::RequestOptions;
use crate::transport::reply::content_type;

impl Speech<'_> {
    /// Sends the request and returns the audio as a [`Stream`] of byte chunks, once the first
    /// bytes have arrived.
    ///
    /// An error status, or a connection that breaks before any audio, is retried as usual (and
    /// returned here); once the first bytes are in, nothing is retried: an error ends the stream.
    /// The stream reads the response as it is polled, holding one chunk at a time; dropping it
    /// closes the connection.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{SpeechFormat, SpeechRequest, Voice};
    /// use futures_util::StreamExt;
    /// let request = SpeechRequest::new("hello", Voice::Alloy).response_format(SpeechFormat::Pcm);
    /// let mut audio = client.speech().stream(&request).await?;
    /// while let Some(chunk) = audio.next().await {
    ///     let pcm = chunk?; /* play it */
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(self, request: &SpeechRequest) -> Result<SpeechByteStream> {
        self.stream_with(request, &RequestOptions::default()).await
    }

    /// [`stream`](Speech::stream) with per-request settings: retries and the request timeout
    /// apply until the first bytes arrive, then each chunk must come within the idle timeout
    /// ([`RequestOptions::idle_timeout`], else the client's
    /// [`stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)).
    pub async fn stream_with(
        self,
        request: &SpeechRequest,
        options: &RequestOptions,
    ) -> Result<SpeechByteStream> {
        let api_request = self.api_request(request, None)?.accept(ACCEPT_AUDIO);
        let pipeline = self.client().pipeline();
        let (response, first, content_type) = pipeline
            .send(&api_request, options, |reply| async move {
                let metadata = reply.metadata();
                let mut response = reply.into_response();
                let content_type = content_type(&response);
                // Read within the attempt: a connection that breaks before any audio is retried.
                let first = response
                    .chunk()
                    .await
                    .map_err(|e| Error::from_reqwest(e).with_metadata(metadata))?;
                Ok((response, first, content_type))
            })
            .await?;
        let metadata =
            ResponseMetadata::from_headers(response.status().as_u16(), response.headers());
        let received = first.as_ref().map_or(0, |b| b.len() as u64);
        Ok(SpeechByteStream {
            body: Some(body_stream(response, pipeline.stream_idle_timeout(options))),
            first: first.filter(|b| !b.is_empty()),
            received,
            content_type,
            metadata,
        })
    }
}

/// The audio of a speech as it arrives, as a [`Stream`] of `Result<Bytes>`.
///
/// Comes from [`Speech::stream`]. A broken connection or an idle timeout gives one `Err` and
/// then the end. [`write_to`](Self::write_to) writes the rest to any
/// [`AsyncWrite`](tokio::io::AsyncWrite).
pub struct SpeechByteStream {
    /// The first chunk, read before the stream was handed out.
    first: Option<Bytes>,
    body: Option<BodyStream>,
    received: u64,
    content_type: Option<String>,
    metadata: ResponseMetadata,
}

impl fmt::Debug for SpeechByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpeechByteStream")
            .field("metadata", &self.metadata)
            .field("content_type", &self.content_type)
            .field("received", &self.received)
            .field("finished", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

impl SpeechByteStream {
    /// Status and headers of the response (request ids, region, rate limits).
    pub fn metadata(&self) -> &ResponseMetadata {
        &self.metadata
    }

    /// The response's `Content-Type` (`audio/mpeg` for mp3 on Azure), as sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The bytes of audio received so far (handed out or about to be).
    pub fn received(&self) -> u64 {
        self.received
    }
}

impl Stream for SpeechByteStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        match body.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(bytes))) => {
                this.received += bytes.len() as u64;
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.body = None;
                Poll::Ready(Some(Err(e.with_metadata(this.metadata.clone()))))
            }
            Poll::Ready(None) => {
                this.body = None;
                Poll::Ready(None)
            }
        }
    }
}
