//! The idle timeout of a streamed body: each chunk must arrive within it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::{Error, Result};

/// A response body as a stream of chunks, each within the idle timeout.
pub(crate) type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

/// The body of `response`, each chunk within `idle` (`None`: no limit).
pub(crate) fn body_stream(response: reqwest::Response, idle: Option<Duration>) -> BodyStream {
    Box::pin(IdleTimeout::new(response.bytes_stream(), idle))
}

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
    /// Wraps `inner`; `None` waits for ever, and so does a duration too long for a deadline
    /// (`Duration::MAX`: now plus it would overflow the clock).
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
                // No deadline can be that far: no timer, as with `None`.
                let Some(deadline) = Instant::now().checked_add(idle) else {
                    this.timer = None;
                    return Poll::Pending;
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// A body that sends `a`, waits `gap` (on tokio's clock), sends `b` and ends.
    fn body_with_a_gap(gap: Duration) -> impl Stream<Item = reqwest::Result<Bytes>> + Unpin {
        Box::pin(futures_util::stream::unfold(0, move |step| async move {
            match step {
                0 => Some((Ok(Bytes::from_static(b"a")), 1)),
                1 => {
                    tokio::time::sleep(gap).await;
                    Some((Ok(Bytes::from_static(b"b")), 2))
                }
                _ => None,
            }
        }))
    }

    async fn collect(
        mut s: IdleTimeout<impl Stream<Item = reqwest::Result<Bytes>> + Unpin>,
    ) -> Vec<std::result::Result<Bytes, crate::ErrorKind>> {
        let mut out = Vec::new();
        while let Some(item) = s.next().await {
            out.push(item.map_err(|e| e.kind()));
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn duration_max_waits_for_ever_instead_of_overflowing() {
        // Ten years of (paused) silence, then the rest: no panic, no timeout.
        let gap = Duration::from_secs(10 * 365 * 24 * 3600);
        let got = collect(IdleTimeout::new(body_with_a_gap(gap), Some(Duration::MAX))).await;
        assert_eq!(
            got,
            vec![Ok(Bytes::from_static(b"a")), Ok(Bytes::from_static(b"b"))]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn none_waits_for_ever_and_a_short_idle_time_ends_the_stream() {
        let gap = Duration::from_secs(3600);
        let got = collect(IdleTimeout::new(body_with_a_gap(gap), None)).await;
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(Result::is_ok));

        let got = collect(IdleTimeout::new(
            body_with_a_gap(gap),
            Some(Duration::from_secs(60)),
        ))
        .await;
        assert_eq!(
            got,
            vec![Ok(Bytes::from_static(b"a")), Err(crate::ErrorKind::Timeout)]
        );
    }
}
