//! Keepalive pings of a Realtime session: a small task that only sleeps and writes a ping after
//! a quiet spell (through the shared sink, as the sender writes), off the receiver's data path.
//! The receiver marks each frame it reads in a [`Heard`] clock the task looks at when it wakes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::realtime::connection::Shared;

/// Keepalive pings and the idle limit of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keepalive {
    /// A ping after this long without a frame from the server (`None`: never).
    pub(crate) ping: Option<Duration>,
    /// The session fails with a timeout after this long without a frame, pongs included
    /// (`None`: waits for ever).
    pub(crate) idle: Option<Duration>,
}

/// When the receiver last read a frame, for the ping task: one relaxed store per frame.
#[derive(Debug)]
pub(crate) struct Heard {
    epoch: Instant,
    /// Microseconds from `epoch` to the last frame.
    at: AtomicU64,
}

impl Heard {
    /// A clock that heard the server now.
    pub(crate) fn now() -> Self {
        Heard {
            epoch: Instant::now(),
            at: AtomicU64::new(0),
        }
    }

    /// Marks a frame read at `now`.
    pub(crate) fn mark(&self, now: Instant) {
        let micros = now.saturating_duration_since(self.epoch).as_micros();
        self.at
            .store(u64::try_from(micros).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// When the last frame was read.
    fn last(&self) -> Instant {
        self.epoch + Duration::from_micros(self.at.load(Ordering::Relaxed))
    }
}

/// Starts the task that pings the server after `every` without a frame from it (nor a ping of
/// ours); it ends when a ping cannot be written or when the receiver aborts it.
pub(crate) fn start_pings(shared: Arc<Shared>, every: Duration) -> AbortHandle {
    tokio::spawn(async move {
        let mut last_ping = Instant::now();
        loop {
            let due = shared.heard.last().max(last_ping) + every;
            if Instant::now() < due {
                tokio::time::sleep_until(due).await;
                continue;
            }
            last_ping = Instant::now();
            // A failed ping ends the pings; the receiver's next read reports the broken socket.
            if shared
                .send(Message::Ping(Default::default()))
                .await
                .is_err()
            {
                return;
            }
        }
    })
    .abort_handle()
}
