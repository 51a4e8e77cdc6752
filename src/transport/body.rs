//! JSON request bodies that stream large audio instead of holding it as a base64 `String`.
//!
//! A [`BodyPlan`] is the request's JSON cut at each audio field: JSON bytes, then an audio source
//! (bytes in memory or a file), then more JSON bytes, and so on. Producing the body streams each
//! source through a base64 encoder in fixed-size chunks, with an exact `Content-Length`. The plan
//! is cheap to clone and produces the same bytes every time, so a retry sends the body again
//! without having buffered it.
//!
//! The plan is made by explicit code, not by serde state: the request ([`JsonBody`]) serializes
//! a copy of itself in which each audio's `data` is a placeholder handed out by
//! [`AudioPlaceholders`], and the plan cuts the JSON at those placeholders.

use std::io;
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use serde::Serialize;

use super::streamed::{file_chunks, nonce, SizedStream};
use crate::audio::source::{AudioSource, Origin};
use crate::error::{Error, Result};

/// Bytes of audio encoded per chunk: a multiple of 3, so only the last chunk has padding.
const CHUNK: usize = 3 * 32 * 1024;
/// Bytes of a file read and encoded per trip to the blocking pool (a multiple of 3, too). Each trip
/// costs a thread hand-off: 2x `CHUNK` halves them for ~0.2 MiB more peak memory (4x: ~0.8 MiB);
/// see `benches/codec.rs` and `bench/e2e`.
const FILE_CHUNK: usize = 2 * CHUNK;

/// A value sent as a JSON request body, whose audio (if any) is streamed from its sources.
///
/// The default writes the value as serde_json does (a body without audio). A request that
/// carries audio writes a copy of itself in which each audio's `data` is the placeholder
/// [`AudioPlaceholders`] hands out for its source.
pub trait JsonBody: Serialize {
    /// The value's JSON, with each audio's `data` written as a placeholder from `audio`.
    fn write_json(&self, audio: &mut AudioPlaceholders) -> serde_json::Result<Vec<u8>> {
        let _ = audio;
        serde_json::to_vec(self)
    }
}

impl JsonBody for serde_json::Value {}

/// Hands out the placeholders a [`JsonBody`] writes in place of its audio, and keeps the
/// sources in the order they were handed out (the order they appear in the JSON).
#[derive(Debug)]
pub struct AudioPlaceholders {
    prefix: String,
    sources: Vec<AudioSource>,
}

impl AudioPlaceholders {
    fn new() -> Self {
        AudioPlaceholders {
            // Random, so no text in the request can be mistaken for a placeholder.
            prefix: format!("__aoa_audio_{:016x}_", nonce()),
            sources: Vec::new(),
        }
    }

    /// The placeholder for the next audio field, streamed from `source`.
    pub(crate) fn placeholder(&mut self, source: &AudioSource) -> Arc<str> {
        self.sources.push(source.clone());
        self.marker(self.sources.len() - 1).into()
    }

    fn marker(&self, index: usize) -> String {
        format!("{}{index}__", self.prefix)
    }
}

#[derive(Clone)]
enum Segment {
    Json(Bytes),
    Audio(AudioSource),
}

/// A JSON request body that can be produced any number of times, streaming its audio.
#[derive(Clone)]
pub struct BodyPlan {
    segments: Arc<[Segment]>,
    len: u64,
}

impl std::fmt::Debug for BodyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyPlan")
            .field("segments", &self.segments.len())
            .field("content_length", &self.len)
            .finish()
    }
}

/// The base64 length of `n` bytes, with padding.
pub(crate) fn base64_len(n: u64) -> u64 {
    n.div_ceil(3) * 4
}

impl BodyPlan {
    /// Plans the body of `value`: its JSON, cut at each audio placeholder it writes.
    pub fn new<T: JsonBody + ?Sized>(value: &T) -> Result<Self> {
        let mut audio = AudioPlaceholders::new();
        let json = value
            .write_json(&mut audio)
            .map_err(|e| Error::invalid_input("the request cannot be serialized").with_source(e))?;

        let mut segments = Vec::with_capacity(audio.sources.len() * 2 + 1);
        let mut len = 0u64;
        let mut rest = &json[..];
        for (i, source) in audio.sources.iter().enumerate() {
            let marker = audio.marker(i);
            let at = find(rest, marker.as_bytes()).ok_or_else(|| {
                Error::invalid_input("an audio field was not serialized as a string")
            })?;
            let (before, after) = rest.split_at(at);
            segments.push(Segment::Json(Bytes::copy_from_slice(before)));
            len += at as u64 + base64_len(source.size());
            segments.push(Segment::Audio(source.clone()));
            rest = after.get(marker.len()..).unwrap_or_default();
        }
        segments.push(Segment::Json(Bytes::copy_from_slice(rest)));
        len += rest.len() as u64;
        Ok(BodyPlan {
            segments: segments.into(),
            len,
        })
    }

    /// The exact number of bytes the body has.
    pub fn content_length(&self) -> u64 {
        self.len
    }

    /// `application/json`.
    pub fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// The body as a stream of chunks; audio is encoded (and files read) as it is polled.
    pub fn stream(&self) -> BoxStream<'static, io::Result<Bytes>> {
        let segments = self.segments.clone();
        futures_util::stream::iter(
            (0..segments.len()).filter_map(move |i| segments.get(i).cloned()),
        )
        .flat_map(|segment| match segment {
            Segment::Json(b) => futures_util::stream::once(async move { Ok(b) }).boxed(),
            Segment::Audio(source) => match source.origin() {
                Origin::Bytes(b) => encode_bytes(b.clone()).boxed(),
                Origin::File(path) => {
                    file_chunks(path.clone(), source.size(), FILE_CHUNK, encode).boxed()
                }
            },
        })
        .boxed()
    }

    /// The whole body in one buffer (for small bodies, and for tests).
    pub async fn collect(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len as usize);
        let mut s = self.stream();
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// A reqwest body with an exact size: a single buffer when there is no audio, else a stream.
    pub(crate) fn to_reqwest(&self) -> reqwest::Body {
        if let [Segment::Json(b)] = &self.segments[..] {
            return reqwest::Body::from(b.clone());
        }
        SizedStream::body(self.stream(), self.len)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn encode(piece: &[u8]) -> Bytes {
    Bytes::from(base64::engine::general_purpose::STANDARD.encode(piece))
}

fn encode_bytes(data: Bytes) -> impl Stream<Item = io::Result<Bytes>> + Send {
    let chunks = data.len().div_ceil(CHUNK);
    futures_util::stream::iter((0..chunks).map(move |i| {
        let piece = data.slice(i * CHUNK..((i + 1) * CHUNK).min(data.len()));
        Ok(encode(&piece))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_json_of_a_request_is_plain_and_the_plan_streams_the_audio() {
        use crate::{ChatRequest, InputAudio, Message};
        let wav = b"RIFF\x24\x00\x00\x00WAVEfmt abc".to_vec();
        let request = ChatRequest::new([Message::user(InputAudio::wav(wav.clone()).unwrap())]);
        // Plain serde: the audio is its base64, whatever was planned before on this thread.
        let plan = BodyPlan::new(&request).unwrap();
        assert_eq!(plan.segments.len(), 3);
        let plain = serde_json::to_string(&request).unwrap();
        assert!(plain.contains(&base64::engine::general_purpose::STANDARD.encode(&wav)));
        assert!(!plain.contains("__aoa_audio_"));
        assert_eq!(plan.content_length(), plain.len() as u64);
        // A value without audio is one JSON segment.
        let plan = BodyPlan::new(&serde_json::json!({"input": "hi"})).unwrap();
        assert_eq!((plan.segments.len(), plan.content_length()), (1, 14));
        assert_eq!(plan.content_type(), "application/json");
    }

    #[test]
    fn a_panic_while_planning_leaves_plain_serde_as_it_was() {
        use crate::InputAudio;
        struct Panics(InputAudio);
        impl Serialize for Panics {
            fn serialize<S: serde::Serializer>(
                &self,
                _: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                panic!("a value that cannot be serialized");
            }
        }
        impl JsonBody for Panics {
            fn write_json(&self, audio: &mut AudioPlaceholders) -> serde_json::Result<Vec<u8>> {
                let _ = self.0.with_placeholder(audio.placeholder(self.0.source()));
                serde_json::to_vec(self)
            }
        }
        let audio = InputAudio::wav(b"RIFF\x24\x00\x00\x00WAVE".to_vec()).unwrap();
        assert!(std::panic::catch_unwind(|| BodyPlan::new(&Panics(audio.clone()))).is_err());
        // The same thread, plain serde: the audio is encoded, not a placeholder.
        let plain = serde_json::to_string(&audio).unwrap();
        assert_eq!(plain, "{\"data\":\"UklGRiQAAABXQVZF\",\"format\":\"wav\"}");
    }

    #[test]
    fn base64_lengths() {
        for n in 0..20u64 {
            let s = base64::engine::general_purpose::STANDARD.encode(vec![0u8; n as usize]);
            assert_eq!(base64_len(n), s.len() as u64);
        }
    }
}
