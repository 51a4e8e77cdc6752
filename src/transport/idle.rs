//! The idle timeout of a streamed body: each chunk must arrive within it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::{Error, Result};

/// A body stream that ends with a timeout error when no chunk arrives for `idle`.
pub(crate) struct IdleTimeout<S> {
    inner: S,
    idle: Option<Duration>,
    /// Armed while waiting for a chunk; reset when one arrives.
    timer: Option<Pin<Box<Sleep>>>,
    waiting: bool,
    done: bool,
}

impl<S> IdleTimeout<S> {
    /// Wraps `inner`; `None` waits for ever.
    pub(crate) fn new(inner: S, idle: Option<Duration>) -> Self {
        IdleTimeout {
            inner,
            idle,
            timer: None,
            waiting: false,
            done: false,
        }
    }
}

impl<S> Stream for IdleTimeout<S>
where
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                this.waiting = false;
                if item.is_none() {
                    this.done = true;
                }
                Poll::Ready(item.map(|r| r.map_err(Error::from_reqwest)))
            }
            Poll::Pending => {
                let Some(idle) = this.idle else {
                    return Poll::Pending;
                };
                let deadline = Instant::now() + idle;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if !this.waiting {
                    // A new wait: the idle time counts from now.
                    timer.as_mut().reset(deadline);
                    this.waiting = true;
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.done = true;
                        Poll::Ready(Some(Err(Error::timeout(format!(
                            "the stream sent nothing for {} s (idle timeout)",
                            idle.as_secs_f64()
                        )))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}
