//! What a routed request met on each backend it was sent to, as its error reports it
//! ([`Error::backends_tried`](crate::Error::backends_tried)).

use std::fmt;

use super::backend::BackendId;
use crate::error::{Error, ErrorKind};

/// One attempt of a routed request that did not succeed: the backend and what it answered.
/// Names the endpoint's host and the deployment, never a key, a token or the request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TriedBackend {
    /// The backend's id in its pool.
    pub id: BackendId,
    /// The host of the backend's endpoint, such as `my-resource.openai.azure.com`.
    pub host: String,
    /// The backend's deployment.
    pub deployment: String,
    /// The status it answered with, if it answered (`None`: the connection failed or timed out).
    pub status: Option<u16>,
    /// What kind of failure the attempt was.
    pub kind: ErrorKind,
}

impl TriedBackend {
    /// The attempt on `id` (at `host`, for `deployment`) that failed with `error`.
    pub(crate) fn new(id: BackendId, host: &str, deployment: &str, error: &Error) -> Self {
        TriedBackend {
            id,
            host: host.to_owned(),
            deployment: deployment.to_owned(),
            status: error.status(),
            kind: error.kind(),
        }
    }
}

impl fmt::Display for TriedBackend {
    /// `backend 0 (r.openai.azure.com, whisper): 429`, or the kind when there was no status.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {}): ", self.id, self.host, self.deployment)?;
        match self.status {
            Some(status) => write!(f, "{status}"),
            None => f.write_str(self.kind.as_str()),
        }
    }
}
