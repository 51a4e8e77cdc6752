//! Helpers shared by the emulator's tests.
#![allow(dead_code)] // each test file uses some of them

use std::io::Cursor;
use std::time::{SystemTime, UNIX_EPOCH};

use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
use azure_openai_audio_emulator::Emulator;
use serde_json::{json, Value};

pub const API_VERSION: &str = "2025-01-01-preview";
pub const SAMPLES_PER_CHAR: usize = 1440; // 60 ms at 24 kHz

/// A real recording, from the SDK's fixtures (the emulator's replies are checked against them).
pub fn recording(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/recordings/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A real WAV: a 440 Hz tone.
pub fn wav(rate: u32, channels: u16, frames: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
    for n in 0..frames {
        let s = (n as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 8000.0;
        for _ in 0..channels {
            w.write_sample(s as i16).unwrap();
        }
    }
    w.finalize().unwrap();
    out.into_inner()
}

/// MPEG-1 layer III frames, 128 kbit/s, 44.1 kHz, joint stereo (417 bytes, 1152 samples each).
pub fn mp3(frames: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..frames {
        let mut frame = vec![0u8; 417];
        frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x44]);
        data.extend(frame);
    }
    data
}

/// Deterministic random bytes (splitmix64 over a counter).
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut z = seed;
    (0..len)
        .map(|_| {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (x ^ (x >> 31)) as u8
        })
        .collect()
}

/// A WAV of `frames` random 16-bit mono samples at 16 kHz: full of 0xFF 0xFx pairs.
pub fn noisy_wav(seed: u64, frames: usize) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
    for pair in noise(seed, frames * 2).chunks_exact(2) {
        w.write_sample(i16::from_le_bytes([pair[0], pair[1]]))
            .unwrap();
    }
    w.finalize().unwrap();
    out.into_inner()
}

pub fn url(emulator: &Emulator, deployment: &str) -> String {
    format!(
        "{}/openai/deployments/{deployment}/chat/completions?api-version={API_VERSION}",
        emulator.endpoint()
    )
}

/// POSTs `body` with the emulator's key; returns status, headers and the body (JSON when it is).
pub async fn post(emulator: &Emulator, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(url(emulator, "gpt-4o-audio-preview"))
        .header("api-key", emulator.api_key())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, value)
}

pub fn speak(text: &str) -> ChatRequest {
    ChatRequest::new([Message::user(text)]).audio(Voice::Alloy, AudioFormat::Wav)
}

/// One SSE body as a list of events: JSON values, or the `[DONE]` string.
pub fn events(body: &str) -> Vec<Value> {
    body.split_terminator("\n\n")
        .map(|e| {
            let data = e
                .strip_prefix("data: ")
                .expect("every event is one data line");
            serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_owned()))
        })
        .collect()
}

pub async fn post_stream(emulator: &Emulator, body: &Value) -> (String, String) {
    let response = reqwest::Client::new()
        .post(url(emulator, "gpt-4o-audio-preview"))
        .header("api-key", emulator.api_key())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

/// The keys of an object.
pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The structure of a JSON value: object keys, the first element of arrays, scalar types.
pub fn shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.first().map(shape).into_iter().collect()),
        Value::Null => json!("null"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
    }
}
