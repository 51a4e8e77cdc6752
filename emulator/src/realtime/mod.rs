//! The Realtime API over WebSocket: both protocols (GA on `/openai/v1/realtime`, the preview on
//! `/openai/realtime`), with the HTTP routes' credential rules, `session.created` on connect,
//! `session.update` checked, conversation items kept, the input audio buffer with turn
//! detection from the signal's energy, responses sent event by event (audio that carries its
//! text, transcripts, function calls), `error` events shaped as the service sends them, and
//! the faults a user's tests need (a refused handshake, a dropped socket, a session that hits
//! its maximum duration).

mod connection;
mod conversation;
mod dispatch;
mod events;
mod fields;
mod handshake;
mod input;
mod protocol;
mod response;
mod session;
mod tools;
mod turn_detection;
mod vad;

pub(crate) use handshake::{accept, is_route};
