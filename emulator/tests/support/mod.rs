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

/// One part of a multipart form.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

/// A multipart/form-data body, as the SDKs send it: its content type and bytes.
pub fn form(parts: &[Part]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "emulator-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for part in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(filename, data) => {
                body.extend(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend(*data);
                body.extend(b"\r\n");
            }
        }
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// An answer: status, headers and the body's bytes.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// The URL of an /audio route: `audio/{api}` of `deployment`, or of `/openai/v1` when `None`.
pub fn audio_url(emulator: &Emulator, deployment: Option<&str>, api: &str) -> String {
    match deployment {
        Some(d) => format!(
            "{}/openai/deployments/{d}/audio/{api}?api-version={API_VERSION}",
            emulator.endpoint()
        ),
        None => format!("{}/openai/v1/audio/{api}", emulator.endpoint()),
    }
}

/// POSTs `body` of `content_type` to `url` with the emulator's key.
pub async fn send(emulator: &Emulator, url: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let response = reqwest::Client::new()
        .post(url)
        .header("api-key", emulator.api_key())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// Asks the speech route of `deployment` (or `/openai/v1`) for `request`.
pub async fn speech(emulator: &Emulator, deployment: Option<&str>, request: &Value) -> Answer {
    let url = audio_url(emulator, deployment, "speech");
    send(
        emulator,
        &url,
        "application/json",
        request.to_string().into_bytes(),
    )
    .await
}

/// Sends a form to `audio/{api}` (`transcriptions` or `translations`) of `deployment`.
pub async fn upload(
    emulator: &Emulator,
    deployment: Option<&str>,
    api: &str,
    parts: &[Part<'_>],
) -> Answer {
    let (content_type, body) = form(parts);
    send(
        emulator,
        &audio_url(emulator, deployment, api),
        &content_type,
        body,
    )
    .await
}

/// The emulator's own speech of `text`, as a WAV.
pub async fn spoken_wav(emulator: &Emulator, text: &str) -> Vec<u8> {
    let a = speech(
        emulator,
        Some("tts"),
        &json!({"input": text, "voice": "alloy", "response_format": "wav"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    a.body
}

/// The samples of a 16-bit WAV.
pub fn samples(wav: &[u8]) -> (hound::WavSpec, Vec<i16>) {
    let mut reader = hound::WavReader::new(Cursor::new(wav)).unwrap();
    let spec = reader.spec();
    let samples = reader.samples::<i16>().map(Result::unwrap).collect();
    (spec, samples)
}

/// The `error` object of an Azure-shaped 400, after checking the status and shape.
pub fn refusal(a: &Answer, param: &str, code: &str) -> String {
    assert_eq!(a.status, 400, "{}", a.text());
    let e = &a.json()["error"];
    assert_eq!(e["type"], "invalid_request_error", "{e}");
    assert_eq!(
        (e["param"].as_str(), e["code"].as_str()),
        (Some(param), Some(code)),
        "{e}"
    );
    e["message"].as_str().unwrap().to_owned()
}
