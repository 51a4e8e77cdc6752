//! Micro-benchmarks: producing a request body with input audio, and decoding a reply's audio,
//! at 1, 4 and 16 MiB. Run with `cargo bench --bench codec`.
//!
//! Each has a baseline beside it: the request serialized whole by serde_json (the audio as one
//! base64 `String`), and the reply decoded through an owned `String` (as async-openai does).
//! Timings on a shared machine are noisy; compare rows from one run.

use azure_openai_audio::__private::BodyPlan;
use azure_openai_audio::{
    AudioFormat, ChatCompletion, ChatRequest, ContentPart, InputAudio, Message, Voice,
};
use base64::Engine as _;
use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use futures_util::StreamExt;

const SIZES_MIB: &[usize] = &[1, 4, 16];

fn main() {
    divan::main();
}

fn wav(len: usize) -> Vec<u8> {
    let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(x as u8);
    }
    v
}

fn request(audio: InputAudio) -> ChatRequest {
    ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(audio),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Plans the body and drains its stream, as the transport does (bytes in memory).
#[divan::bench(args = SIZES_MIB)]
fn request_streamed_from_bytes(bencher: Bencher, mib: usize) {
    let rt = runtime();
    let req = request(InputAudio::wav(wav(mib << 20)).unwrap());
    bencher.counter(BytesCount::new(mib << 20)).bench_local(|| {
        rt.block_on(async {
            let plan = BodyPlan::new(&req).unwrap();
            let mut s = plan.stream();
            let mut n = 0;
            while let Some(chunk) = s.next().await {
                n += chunk.unwrap().len();
            }
            black_box(n)
        })
    });
}

/// Plans the body and drains its stream, reading the audio from a file.
#[divan::bench(args = SIZES_MIB)]
fn request_streamed_from_file(bencher: Bencher, mib: usize) {
    let rt = runtime();
    let path = std::env::temp_dir().join(format!("aoa-bench-{}-{mib}.wav", std::process::id()));
    std::fs::write(&path, wav(mib << 20)).unwrap();
    let req = request(rt.block_on(InputAudio::from_file(&path)).unwrap());
    bencher.counter(BytesCount::new(mib << 20)).bench_local(|| {
        rt.block_on(async {
            let plan = BodyPlan::new(&req).unwrap();
            let mut s = plan.stream();
            let mut n = 0;
            while let Some(chunk) = s.next().await {
                n += chunk.unwrap().len();
            }
            black_box(n)
        })
    });
    let _ = std::fs::remove_file(path);
}

/// Baseline: the whole body in one buffer from serde_json (audio as one base64 `String`).
#[divan::bench(args = SIZES_MIB)]
fn request_baseline_serde_json(bencher: Bencher, mib: usize) {
    let req = request(InputAudio::wav(wav(mib << 20)).unwrap());
    bencher
        .counter(BytesCount::new(mib << 20))
        .bench_local(|| black_box(serde_json::to_vec(&req).unwrap().len()));
}

fn reply_body(audio_len: usize) -> Vec<u8> {
    let data = base64::engine::general_purpose::STANDARD.encode(wav(audio_len));
    serde_json::to_vec(&serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": null,
            "audio": {"id": "audio_1", "expires_at": 2, "data": data, "transcript": "hello"}}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    }))
    .unwrap()
}

/// Decodes a reply as the client does: the audio is decoded over its own base64 text in the
/// body (the body is cloned outside the timing, as the client owns the body it read).
#[divan::bench(args = SIZES_MIB)]
fn reply_decode_in_place(bencher: Bencher, mib: usize) {
    let body = reply_body(mib << 20);
    bencher
        .counter(BytesCount::new(mib << 20))
        .with_inputs(|| body.clone())
        .bench_local_values(|body| {
            let reply = ChatCompletion::from_json(body).unwrap();
            black_box(reply.audio().unwrap().data.len())
        });
}

/// Decodes a reply with plain serde_json: the audio's base64 is borrowed from the body and
/// decoded once, into a new buffer.
#[divan::bench(args = SIZES_MIB)]
fn reply_decode_borrowed(bencher: Bencher, mib: usize) {
    let body = reply_body(mib << 20);
    bencher.counter(BytesCount::new(mib << 20)).bench_local(|| {
        let reply: ChatCompletion = serde_json::from_slice(&body).unwrap();
        black_box(reply.audio().unwrap().data.len())
    });
}

#[derive(serde::Deserialize)]
struct OwnedReply {
    choices: Vec<OwnedChoice>,
}
#[derive(serde::Deserialize)]
struct OwnedChoice {
    message: OwnedMessage,
}
#[derive(serde::Deserialize)]
struct OwnedMessage {
    audio: OwnedAudio,
}
#[derive(serde::Deserialize)]
struct OwnedAudio {
    data: String,
}

/// Baseline: the audio's base64 copied into a `String`, then decoded.
#[divan::bench(args = SIZES_MIB)]
fn reply_baseline_owned_string(bencher: Bencher, mib: usize) {
    let body = reply_body(mib << 20);
    bencher.counter(BytesCount::new(mib << 20)).bench_local(|| {
        let reply: OwnedReply = serde_json::from_slice(&body).unwrap();
        let audio = base64::engine::general_purpose::STANDARD
            .decode(&reply.choices[0].message.audio.data)
            .unwrap();
        black_box(audio.len())
    });
}
