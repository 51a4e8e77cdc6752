//! Fault injection: the next requests fail the way the real service sometimes does.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

/// A failure the emulator plays for the next requests, so an application's error handling can be
/// tested offline. Queue it with [`Emulator::inject`](super::Emulator::inject) or
/// [`EmulatorBuilder::fault`](super::EmulatorBuilder::fault).
///
/// Faults apply, in the order they were queued, to requests on the service's routes (chat
/// completions, the /audio API and Realtime handshakes; the Realtime-only ones wait for the
/// next handshake while HTTP requests pass them by),
/// before the credential or the body is checked (as the service's gateway does). The request
/// body is still read (and thrown away) before the fault is played, so a client sending a large
/// body sees the 429 or 500 rather than a broken connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `429 Too Many Requests` with Azure's body and the `retry-after-ms` and `retry-after`
    /// headers asking the client to wait `retry_after`.
    RateLimit {
        /// The wait the response asks for.
        retry_after: Duration,
    },
    /// `500 Internal Server Error` with the service's body.
    ServerError,
    /// Wait this long, then answer normally (for testing client timeouts).
    Delay(Duration),
    /// Read the whole request (up to 64 MiB, or until it stops arriving for 30 s), then close
    /// the connection without answering.
    Disconnect,
    /// `401 Unauthorized` with Azure's body, as for a wrong key (a request, or a Realtime
    /// handshake).
    Unauthorized,
    /// Realtime only: the session accepts, then drops its socket (no close frame) in the
    /// middle of a response, after `after_deltas` delta events (at least 1). Waits in the queue
    /// for the next Realtime handshake; HTTP requests pass it by.
    DropMidResponse {
        /// Delta events sent before the drop.
        after_deltas: usize,
    },
    /// Realtime only: the session is closed with code 1001 and a reason saying it hit its
    /// "maximum duration" (after an `error` event `session_expired`), `after` it started.
    /// Waits in the queue for the next Realtime handshake; HTTP requests pass it by.
    SessionLimit {
        /// How long the session lasts.
        after: Duration,
    },
}

impl Fault {
    /// A 429 asking the client to wait `retry_after`.
    pub fn rate_limit(retry_after: Duration) -> Fault {
        Fault::RateLimit { retry_after }
    }

    /// Whether only Realtime sessions play it.
    fn realtime_only(&self) -> bool {
        matches!(
            self,
            Fault::DropMidResponse { .. } | Fault::SessionLimit { .. }
        )
    }
}

/// The queue of faults still to play: each entry is a fault and how many requests it still gets.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(Mutex<VecDeque<(Fault, usize)>>);

impl FaultQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(Fault, usize)>> {
        // A panic while holding this lock cannot leave the queue half-updated: keep using it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `fault` for the next `times` requests (after the faults already queued).
    pub(crate) fn push(&self, fault: Fault, times: usize) {
        if times > 0 {
            self.lock().push_back((fault, times));
        }
    }

    /// The fault for the HTTP request that just arrived, if any: the first queued one that is
    /// not for Realtime sessions only.
    pub(crate) fn next(&self) -> Option<Fault> {
        self.take(|f| !f.realtime_only())
    }

    /// The fault for the Realtime handshake that just arrived, if any: the first queued one.
    pub(crate) fn next_realtime(&self) -> Option<Fault> {
        self.take(|_| true)
    }

    fn take(&self, applies: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let mut queue = self.lock();
        let at = queue.iter().position(|(f, _)| applies(f))?;
        let (fault, left) = queue.get_mut(at)?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.remove(at);
        }
        Some(fault)
    }

    /// How many requests still get a fault.
    pub(crate) fn pending(&self) -> usize {
        self.lock().iter().map(|(_, n)| n).sum()
    }

    /// Forgets every queued fault.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_play_in_order_and_run_out() {
        let q = FaultQueue::default();
        q.push(Fault::ServerError, 2);
        q.push(Fault::Disconnect, 0);
        q.push(Fault::rate_limit(Duration::from_millis(5)), 1);
        assert_eq!(q.pending(), 3);
        assert_eq!(q.next(), Some(Fault::ServerError));
        assert_eq!(q.next(), Some(Fault::ServerError));
        assert_eq!(
            q.next(),
            Some(Fault::RateLimit {
                retry_after: Duration::from_millis(5)
            })
        );
        assert_eq!(q.next(), None);
        q.push(Fault::Delay(Duration::from_secs(1)), 3);
        q.clear();
        assert_eq!(q.pending(), 0);
        let limit = Fault::SessionLimit {
            after: Duration::from_secs(5),
        };
        q.push(limit.clone(), 1);
        q.push(Fault::Unauthorized, 2);
        assert_eq!(q.next(), Some(Fault::Unauthorized), "HTTP passes it by");
        assert_eq!(q.next_realtime(), Some(limit));
        assert_eq!(q.next_realtime(), Some(Fault::Unauthorized));
        assert_eq!(q.next_realtime(), None);
        q.clear();
        assert_eq!(q.pending(), 0);
        assert_eq!(q.next(), None);
    }
}
