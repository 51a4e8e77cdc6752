//! Sending requests: a request as data (`request`), where it goes (`route`), the pipeline that
//! sends it (authentication, retries, timeouts, `tracing`), the body streamed from audio,
//! bounded replies, and per-request [`options`].

pub mod body;
pub(crate) mod event_stream;
pub mod events;
pub(crate) mod http;
pub(crate) mod idle;
pub mod multipart;
pub mod options;
pub(crate) mod pipeline;
pub(crate) mod reply;
pub(crate) mod request;
pub mod retry;
pub(crate) mod route;
pub(crate) mod sse;
pub(crate) mod streamed;
pub(crate) mod trace;
