//! Streaming chat completions: Server-Sent Events decoded into typed chunks as they arrive.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{Stream, StreamExt};

use crate::audio::AudioFormat;
use crate::chat::accumulate::StreamAccumulator;
use crate::chat::chunk::ChatCompletionChunk;
use crate::chat::request::ChatRequest;
use crate::chat::response::ChatCompletion;
use crate::chat::Chat;
use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::transport::event_stream::EventStream;
#[cfg(test)]
use crate::transport::events::EventDecoder;
use crate::transport::events::{Decoded, SseItem};
use crate::transport::options::RequestOptions;

impl Chat<'_> {
    /// Sends the request with `stream: true` (and `stream_options.include_usage`) and returns the
    /// stream of chunks once the response headers have arrived.
    ///
    /// An error status is returned here, before any chunk. Streamed audio must be
    /// [`AudioFormat::Pcm16`] (24 kHz mono 16-bit little-endian); another format is refused before
    /// anything is sent. The stream reads the response body as it is polled (no task, no queue);
    /// dropping it cancels the request: the connection is closed (by hyper, as soon as the
    /// service sends its next bytes) instead of being returned to the pool.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
    /// use futures_util::StreamExt;
    /// let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
    ///     .audio(Voice::Alloy, AudioFormat::Pcm16);
    /// let mut stream = client.chat().stream(&request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     let chunk = chunk?;
    ///     print!("{}", chunk.transcript_delta().unwrap_or_default());
    ///     if let Some(pcm) = chunk.audio_delta() { /* play pcm */ }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(self, request: &ChatRequest) -> Result<ChatStream> {
        self.stream_with(request, &RequestOptions::default()).await
    }

    /// [`stream`](Chat::stream) with per-request settings: retries and the request timeout
    /// apply until the response headers arrive, then each chunk must come within the idle
    /// timeout ([`RequestOptions::idle_timeout`], else the client's
    /// [`stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)); `None`, or a
    /// duration too long to add to the clock such as `Duration::MAX`, waits for ever. A stream
    /// that has started is not retried.
    pub async fn stream_with(
        self,
        request: &ChatRequest,
        options: &RequestOptions,
    ) -> Result<ChatStream> {
        if let Some(audio) = request.audio_ref() {
            if audio.format != AudioFormat::Pcm16 {
                return Err(Error::invalid_input(format!(
                    "streamed audio must be pcm16, not {}",
                    audio.format
                )));
            }
        }
        let mut request = request.clone();
        request.set_streaming();
        let api_request = self.api_request(&request)?;
        Ok(ChatStream {
            inner: EventStream::open(self.client.pipeline(), api_request, options).await?,
        })
    }
}

/// The chunks of a streamed chat completion, as a [`Stream`] of `Result<ChatCompletionChunk>`.
///
/// Comes from [`Chat::stream`]. It ends after `data: [DONE]`; an error event in the stream, a
/// broken connection, or a stream that ends before `[DONE]` gives one `Err` and then the end.
/// [`StreamAccumulator`] (see [`accumulator`](Self::accumulator)) turns the chunks into a
/// [`ChatCompletion`]; [`collect_completion`](Self::collect_completion) does it in one call.
pub struct ChatStream {
    inner: EventStream<ChatCompletionChunk>,
}

impl fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatStream")
            .field("metadata", self.inner.metadata())
            .field("finished", &self.inner.is_finished())
            .finish_non_exhaustive()
    }
}

impl ChatStream {
    /// Status and headers of the response (request ids, region, rate limits).
    pub fn metadata(&self) -> &ResponseMetadata {
        self.inner.metadata()
    }

    /// An empty accumulator that gives its reply this stream's metadata.
    pub fn accumulator(&self) -> StreamAccumulator {
        StreamAccumulator::new().with_metadata(self.metadata().clone())
    }

    /// Reads the rest of the stream and returns the reply it adds up to.
    pub async fn collect_completion(mut self) -> Result<ChatCompletion> {
        let mut acc = self.accumulator();
        while let Some(chunk) = self.next().await {
            acc.push(&chunk?);
        }
        Ok(acc.into_completion())
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatCompletionChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

/// Bytes in, chunks out: the shared event-stream rules ([`EventDecoder`]) over chat chunks.
#[cfg(test)]
pub(crate) type ChunkDecoder = EventDecoder<ChatCompletionChunk>;

impl SseItem for ChatCompletionChunk {
    const WHAT: &'static str = "a chat completion chunk";

    fn decode(event: Option<&str>, data: &[u8]) -> Decoded<Self> {
        match event {
            None | Some("message") => {}
            Some("error") => return Decoded::Error,
            // Named events (a proxy's `ping`, ...) are not chunks.
            Some(_) => return Decoded::Skip,
        }
        if data.trim_ascii().is_empty() {
            return Decoded::Skip;
        }
        match serde_json::from_slice::<ChatCompletionChunk>(data) {
            Ok(chunk) if chunk.error.is_some() => Decoded::Error,
            Ok(chunk) => Decoded::Item(chunk),
            Err(e) => Decoded::Invalid(e),
        }
    }
}

#[cfg(test)]
#[path = "stream/tests.rs"]
mod tests;
