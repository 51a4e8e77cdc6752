//! A speech streamed as Server-Sent Events (`stream_format: sse`), as typed events.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::Stream;

use crate::error::{ErrorKind, Result};
use crate::metadata::ResponseMetadata;
use crate::speech::SpeechEvent;
use crate::transport::event_stream::EventStream;

/// The events of a speech streamed with `stream_format: sse`, as a [`Stream`] of
/// `Result<SpeechEvent>`.
///
/// Comes from [`Speech::events`](crate::speech::Speech::events). It ends after `data: [DONE]`;
/// event types this version does not know are skipped; an error event, a broken connection, or
/// a body that ends before `[DONE]` gives one `Err` and then the end. Once
/// `speech.audio.done` has arrived the speech is whole, so a body that then ends without
/// `[DONE]` (no recording shows whether Azure sends it) simply ends the stream.
pub struct SpeechEventStream {
    inner: EventStream<SpeechEvent>,
    /// `speech.audio.done` arrived: what follows cannot lose audio.
    done: bool,
}

impl SpeechEventStream {
    pub(crate) fn new(inner: EventStream<SpeechEvent>) -> Self {
        SpeechEventStream { inner, done: false }
    }

    /// Status and headers of the response (request ids, region, rate limits).
    pub fn metadata(&self) -> &ResponseMetadata {
        self.inner.metadata()
    }
}

impl fmt::Debug for SpeechEventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpeechEventStream")
            .field("metadata", self.inner.metadata())
            .field("finished", &self.inner.is_finished())
            .finish_non_exhaustive()
    }
}

impl Stream for SpeechEventStream {
    type Item = Result<SpeechEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => {
                this.done |= matches!(event, SpeechEvent::AudioDone { .. });
                Poll::Ready(Some(Ok(event)))
            }
            // The body ended (or broke) after the last audio: nothing is missing.
            Poll::Ready(Some(Err(e))) if this.done && e.kind() == ErrorKind::Transport => {
                Poll::Ready(None)
            }
            other => other,
        }
    }
}
