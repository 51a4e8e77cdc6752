//! Typed event streams over Server-Sent Events (bytes in, typed items out), and [`UnknownEvent`].
//!
//! Every streamed API of the crate (chat completions, speech with `stream_format: sse`,
//! streamed transcription) follows the same rules, kept here once: `data: [DONE]` ends the
//! stream (later bytes are ignored), an error event ends it with a typed API error, an event
//! past the parser's limit ends it with a decode error, and a body that ends before `[DONE]`
//! gives a transport error after the items it carried. What one event means is the item type's
//! business (`SseItem::decode`).

use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::transport::sse::{SseEvent, SseParser};

/// What one event of a stream decodes to.
pub(crate) enum Decoded<T> {
    /// An item of the stream.
    Item(T),
    /// Nothing for the caller: a keep-alive, a named event of a proxy, an unknown event type.
    Skip,
    /// The event is an error object: the stream ends with a typed API error built from its data.
    Error,
    /// The event is not what the stream carries: the stream ends with a decode error.
    Invalid(serde_json::Error),
}

/// An item type of an event stream.
pub(crate) trait SseItem: Sized {
    /// Names the item in a decode error: "a stream event is not {WHAT}".
    const WHAT: &'static str;

    /// Decodes one event (its `event` field and its data), `[DONE]` excepted.
    fn decode(event: Option<&str>, data: &[u8]) -> Decoded<Self>;
}

/// Bytes in, items out: the SSE parser plus the rules every stream shares. Pure, so it can be
/// tested under every split of the bytes.
#[derive(Debug)]
pub(crate) struct EventDecoder<T> {
    pub(crate) parser: SseParser,
    metadata: ResponseMetadata,
    /// `[DONE]` arrived, or an error ended the stream: nothing more is decoded.
    over: bool,
    item: PhantomData<fn() -> T>,
}

impl<T: SseItem> EventDecoder<T> {
    /// A decoder at the start of a stream whose errors carry `metadata`.
    pub(crate) fn new(metadata: ResponseMetadata) -> Self {
        EventDecoder {
            parser: SseParser::new(),
            metadata,
            over: false,
            item: PhantomData,
        }
    }

    /// Adds bytes from the body (ignored once the stream is over).
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if !self.over {
            self.parser.push(bytes);
        }
    }

    /// True once `[DONE]` arrived or an error ended the stream.
    pub(crate) fn is_over(&self) -> bool {
        self.over
    }

    /// Ends the stream: nothing more is decoded (the body broke, the caller gave up).
    pub(crate) fn end(&mut self) {
        self.over = true;
    }

    /// The next item (or error) in the bytes pushed so far.
    pub(crate) fn next_item(&mut self) -> Option<Result<T>> {
        while !self.over {
            match self.parser.next_event() {
                Ok(Some(event)) => {
                    if let Some(item) = self.decode(event) {
                        return Some(item);
                    }
                }
                Ok(None) => return None,
                Err(_) => return Some(Err(self.too_large())),
            }
        }
        None
    }

    /// The body ended: a last event without a blank line after it, or an error if `[DONE]`
    /// never came.
    pub(crate) fn finish(&mut self) -> Option<Result<T>> {
        if self.over {
            return None;
        }
        let item = match self.parser.finish() {
            Ok(Some(event)) => self.decode(event),
            Ok(None) => None,
            Err(_) => Some(Err(self.too_large())),
        };
        if item.is_some() {
            // An item (or error) in a last event with no blank line after it. Without `[DONE]`,
            // the end-of-stream error follows from the next call.
            return item;
        }
        if self.over {
            return None;
        }
        self.over = true;
        Some(Err(Error::transport(
            "the stream ended before `data: [DONE]`",
        )
        .with_metadata(self.metadata.clone())))
    }

    fn decode(&mut self, event: SseEvent) -> Option<Result<T>> {
        let data = event.data.as_slice();
        if is_done(data) {
            self.over = true;
            return None;
        }
        match resolve(T::decode(event.event.as_deref(), data), data, T::WHAT) {
            Ok(item) => item.map(Ok),
            Err(e) => {
                self.over = true;
                Some(Err(e.with_metadata(self.metadata.clone())))
            }
        }
    }

    fn too_large(&mut self) -> Error {
        self.over = true;
        // Let go of the 64 MiB now rather than when the stream is dropped.
        self.parser = SseParser::new();
        Error::decode("a stream event is larger than 64 MiB").with_metadata(self.metadata.clone())
    }
}

/// True for the data that ends a stream, `[DONE]`.
fn is_done(data: &[u8]) -> bool {
    data.trim_ascii() == b"[DONE]"
}

/// What a decoded event gives the caller: an item, nothing, or the error that ends the stream
/// (without the response's metadata, which the caller adds).
fn resolve<T>(decoded: Decoded<T>, data: &[u8], what: &str) -> Result<Option<T>> {
    match decoded {
        Decoded::Item(item) => Ok(Some(item)),
        Decoded::Skip => Ok(None),
        Decoded::Error => Err(Error::stream_event(data)),
        Decoded::Invalid(e) => {
            Err(Error::decode(format!("a stream event is not {what}")).with_source(e))
        }
    }
}

/// An event type of the `/audio` API (speech, transcription): JSON with its `type` inside.
///
/// Every such type is an [`SseItem`] by the shared rules: an `event: error`, or data with
/// `"type": "error"` or a top-level `"error"`, is an error event; empty data is skipped; an
/// event whose type is unknown is skipped by the stream (the pure decoder, [`decode_one`],
/// returns it).
pub(crate) trait TypedEvent: Sized {
    /// Names the event in a decode error: "a stream event is not {WHAT}".
    const WHAT: &'static str;

    /// Decodes the data of an event of type `kind` (an unknown one as the fallback variant).
    fn from_typed(kind: &str, data: &[u8]) -> serde_json::Result<Self>;

    /// True for the fallback variant that keeps an event of an unknown type.
    fn is_unknown(&self) -> bool;
}

impl<T: TypedEvent> SseItem for T {
    const WHAT: &'static str = <T as TypedEvent>::WHAT;

    fn decode(event: Option<&str>, data: &[u8]) -> Decoded<Self> {
        match decode_typed::<T>(event, data) {
            Decoded::Item(item) if item.is_unknown() => Decoded::Skip,
            other => other,
        }
    }
}

/// Decodes one event of the `/audio` API outside a stream (the public pure decoders):
/// `Ok(None)` for `[DONE]` and events with no data, unknown event types kept, the stream's
/// errors otherwise.
pub(crate) fn decode_one<T: TypedEvent>(event: Option<&str>, data: &[u8]) -> Result<Option<T>> {
    if is_done(data) {
        return Ok(None);
    }
    resolve(decode_typed(event, data), data, <T as TypedEvent>::WHAT)
}

/// The shared decoding of the `/audio` API's events (see [`TypedEvent`]).
fn decode_typed<T: TypedEvent>(event: Option<&str>, data: &[u8]) -> Decoded<T> {
    /// The event's type, read without decoding the rest (audio deltas are large).
    #[derive(serde::Deserialize)]
    struct Probe<'a> {
        #[serde(default, rename = "type", borrow)]
        kind: Option<std::borrow::Cow<'a, str>>,
        #[serde(default)]
        error: Option<serde::de::IgnoredAny>,
    }
    if event == Some("error") {
        return Decoded::Error;
    }
    if data.trim_ascii().is_empty() {
        return Decoded::Skip;
    }
    let probe = match serde_json::from_slice::<Probe>(data) {
        Ok(probe) => probe,
        Err(e) => return Decoded::Invalid(e),
    };
    let kind = probe.kind.as_deref().unwrap_or_default();
    if probe.error.is_some() || kind == "error" {
        return Decoded::Error;
    }
    match T::from_typed(kind, data) {
        Ok(item) => Decoded::Item(item),
        Err(e) => Decoded::Invalid(e),
    }
}

/// An event whose `type` this version of the crate does not know, kept as the service sent it.
///
/// The typed streams skip such events (a new event type is not an error); the pure decoders
/// ([`SpeechEvent::from_sse`](crate::speech::SpeechEvent::from_sse),
/// [`TranscriptionEvent::from_sse`](crate::transcription::TranscriptionEvent::from_sse)) return
/// them. It cannot be built outside the crate, so it never stands for a known type.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    event_type: String,
    json: serde_json::Value,
}

impl UnknownEvent {
    /// Decodes the event's data as JSON and keeps it with its type.
    pub(crate) fn decode(event_type: &str, data: &[u8]) -> serde_json::Result<Self> {
        Ok(UnknownEvent {
            event_type: event_type.to_owned(),
            json: serde_json::from_slice(data)?,
        })
    }

    /// The event's `type` (empty when it had none).
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The whole event, as JSON.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }
}

#[cfg(test)]
#[path = "events/test_support.rs"]
pub(crate) mod test_support;
