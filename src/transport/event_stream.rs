//! A streamed reply read as it is polled: the response body, bounded by the idle timeout, cut
//! into events by an [`EventDecoder`]. Every API's stream (chat chunks, speech and transcription
//! events) is one of these with its own item type.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::Stream;

use crate::error::Result;
use crate::metadata::ResponseMetadata;
use crate::transport::events::{EventDecoder, SseItem};
use crate::transport::idle::{body_stream, BodyStream};
use crate::transport::options::RequestOptions;
use crate::transport::pipeline::Pipeline;
use crate::transport::request::ApiRequest;

/// The items of a streamed reply, as a [`Stream`] of `Result<T>`: it ends after `data: [DONE]`;
/// an error event, a broken connection, or a body that ends before `[DONE]` gives one `Err` and
/// then the end. Dropping it closes the connection.
pub(crate) struct EventStream<T> {
    body: Option<BodyStream>,
    decoder: EventDecoder<T>,
    metadata: ResponseMetadata,
}

impl<T: SseItem> EventStream<T> {
    /// Sends `request` (accepting `text/event-stream`) and returns the stream once the response
    /// headers have arrived: retries and the request timeout apply until then, then each piece
    /// of the body must come within the idle timeout.
    pub(crate) async fn open(
        pipeline: &Pipeline,
        request: ApiRequest,
        options: &RequestOptions,
    ) -> Result<Self> {
        let request = request.accept("text/event-stream");
        let response = pipeline
            .send(&request, options, |reply| async move {
                Ok(reply.into_response())
            })
            .await?;
        let metadata =
            ResponseMetadata::from_headers(response.status().as_u16(), response.headers());
        Ok(EventStream {
            body: Some(body_stream(response, pipeline.stream_idle_timeout(options))),
            decoder: EventDecoder::new(metadata.clone()),
            metadata,
        })
    }
}

impl<T> EventStream<T> {
    /// A stream over `body` as if it were a response's (for the decoders' tests).
    #[cfg(test)]
    pub(crate) fn from_body(body: BodyStream, metadata: ResponseMetadata) -> Self
    where
        T: SseItem,
    {
        EventStream {
            body: Some(body),
            decoder: EventDecoder::new(metadata.clone()),
            metadata,
        }
    }

    /// Status and headers of the response.
    pub(crate) fn metadata(&self) -> &ResponseMetadata {
        &self.metadata
    }

    /// Whether the stream has ended (its body is no longer read).
    pub(crate) fn is_finished(&self) -> bool {
        self.body.is_none()
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("metadata", &self.metadata)
            .field("finished", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

impl<T: SseItem> Stream for EventStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.decoder.next_item() {
                if this.decoder.is_over() {
                    this.body = None;
                }
                return Poll::Ready(Some(item));
            }
            if this.decoder.is_over() {
                // `[DONE]`: the stream is over even if the server keeps the body open.
                this.body = None;
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(this.decoder.finish());
            };
            match body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => this.decoder.push(&bytes),
                Poll::Ready(Some(Err(e))) => {
                    this.body = None;
                    this.decoder.end();
                    let err = e.with_metadata(this.metadata.clone());
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Ready(None) => this.body = None,
            }
        }
    }
}

impl<T> Unpin for EventStream<T> {}
