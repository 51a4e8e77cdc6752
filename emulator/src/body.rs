//! Reading request bodies within limits: the emulator reads a body whole (up to a limit), or
//! reads and throws it away before a refusal, and gives up on one that stops arriving.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;

/// A piece of a request body, or why there is none.
pub(super) enum Piece {
    Data(Bytes),
    End,
    Stalled,
    Broken,
}

/// The next data of `body`, skipping trailers; [`Piece::Stalled`] when nothing arrives for `idle`.
pub(super) async fn next_piece<B>(body: &mut B, idle: Duration) -> Piece
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    loop {
        match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return Piece::Stalled,
            Ok(None) => return Piece::End,
            Ok(Some(Err(_))) => return Piece::Broken,
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    return Piece::Data(data);
                }
            }
        }
    }
}

/// Reads and throws away up to `limit` more bytes of `body`; true when it ended within them.
pub(super) async fn drain<B>(body: &mut B, limit: u64, idle: Duration) -> bool
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    drain_counting(body, limit, idle).await.0
}

/// [`drain`], also telling how many bytes it read.
async fn drain_counting<B>(body: &mut B, limit: u64, idle: Duration) -> (bool, u64)
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut read = 0u64;
    loop {
        match next_piece(body, idle).await {
            Piece::Data(data) => {
                read = read.saturating_add(data.len() as u64);
                if read > limit {
                    return (false, read);
                }
            }
            Piece::End => return (true, read),
            Piece::Stalled | Piece::Broken => return (false, read),
        }
    }
}

/// A request body, read.
#[derive(Debug, PartialEq)]
pub(super) enum Read {
    /// All of it, within the limit.
    Whole(Bytes),
    /// Over the limit: the rest was read and thrown away up to another `limit` bytes,
    /// `drained` says whether the body ended within them, and `read` how many bytes were read.
    TooLarge { drained: bool, read: u64 },
    /// Nothing arrived for the idle timeout.
    Stalled,
    /// The client went away, or sent a malformed body.
    Broken,
}

pub(super) async fn read_body<B>(mut body: B, limit: usize, idle: Duration) -> Read
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut whole = Vec::new();
    loop {
        match next_piece(&mut body, idle).await {
            Piece::Data(data) => {
                if whole.len().saturating_add(data.len()) > limit {
                    let so_far = (whole.len() + data.len()) as u64;
                    let excess = so_far - limit as u64;
                    let (drained, more) =
                        drain_counting(&mut body, (limit as u64).saturating_sub(excess), idle)
                            .await;
                    return Read::TooLarge {
                        drained,
                        read: so_far + more,
                    };
                }
                whole.extend_from_slice(&data);
            }
            Piece::End => return Read::Whole(whole.into()),
            Piece::Stalled => return Read::Stalled,
            Piece::Broken => return Read::Broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures_util::StreamExt as _;
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    use super::*;

    /// A body that sends `pieces`, then ends (or, with `stall`, never sends anything more).
    fn body(
        pieces: Vec<&'static [u8]>,
        stall: bool,
    ) -> impl hyper::body::Body<Data = Bytes, Error = Infallible> + Unpin {
        let data = futures_util::stream::iter(pieces)
            .map(|p| Ok::<_, Infallible>(Frame::data(Bytes::from_static(p))));
        let tail = futures_util::stream::pending().take(usize::from(stall));
        StreamBody::new(data.chain(tail))
    }

    const IDLE: Duration = Duration::from_secs(30);

    #[tokio::test(start_paused = true)]
    async fn bodies_are_read_within_limits() {
        assert_eq!(
            read_body(body(vec![b"ab", b"cd"], false), 4, IDLE).await,
            Read::Whole(Bytes::from_static(b"abcd"))
        );
        // One byte over: the rest is read (and thrown away) up to another `limit`.
        assert_eq!(
            read_body(body(vec![b"ab", b"cde", b"fgh"], false), 4, IDLE).await,
            Read::TooLarge {
                drained: true,
                read: 8
            }
        );
        assert_eq!(
            read_body(body(vec![b"ab", b"cde", b"fgh", b"i"], false), 4, IDLE).await,
            Read::TooLarge {
                drained: false,
                read: 9
            }
        );
        // A body that stops arriving is given up after the idle timeout, not waited for.
        let start = tokio::time::Instant::now();
        assert_eq!(
            read_body(body(vec![b"ab"], true), 4, IDLE).await,
            Read::Stalled
        );
        assert_eq!(start.elapsed(), IDLE, "on the paused clock");
        assert_eq!(
            read_body(body(vec![b"ab", b"cde"], true), 4, IDLE).await,
            Read::TooLarge {
                drained: false,
                read: 5
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn drains_are_bounded() {
        assert!(drain(&mut body(vec![b"ab", b"cd"], false), 4, IDLE).await);
        assert!(!drain(&mut body(vec![b"ab", b"cde"], false), 4, IDLE).await);
        assert!(!drain(&mut body(vec![b"ab"], true), 4, IDLE).await);
        assert!(drain(&mut body(vec![], false), 0, IDLE).await);
    }
}
