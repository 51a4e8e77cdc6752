//! What large audio costs in memory, counted by a global allocator that tracks the bytes live in
//! the process and their peak: producing a 16 MiB request body (from bytes and from a file)
//! never holds more than a few chunks of it, nor does a multipart body with a 24 MiB file, and
//! decoding a reply with 16 MiB of audio never holds more than the body it was read into (the
//! audio is decoded over its own base64 text).
//!
//! One test in this binary, so nothing else allocates while it measures.

#[path = "support/counting.rs"]
mod counting;

use azure_openai_audio::__private::BodyPlan;
use azure_openai_audio::__private::MultipartBody;
use azure_openai_audio::{
    AudioSource, ChatCompletion, ChatRequest, ContentPart, InputAudio, Message,
};
use base64::Engine as _;
use futures_util::StreamExt;

use counting::{peak_above_start, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;
const AUDIO: usize = 16 * MIB;

fn wav(len: usize) -> Vec<u8> {
    let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    v.extend((v.len()..len).map(|i| (i * 31 % 251) as u8));
    v
}

/// Produces the whole body, a chunk at a time, as the transport sends it; returns its length.
async fn drain(
    mut stream: futures_util::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>,
) -> u64 {
    let mut sent = 0u64;
    while let Some(chunk) = stream.next().await {
        sent += chunk.unwrap().len() as u64;
    }
    sent
}

#[tokio::test(flavor = "current_thread")]
async fn large_audio_is_never_held_twice() {
    let audio = wav(AUDIO);
    let encoded_len = audio.len().div_ceil(3) * 4;

    // A request body from 16 MiB of bytes: 21 MiB of base64 go out, a chunk at a time.
    let from_bytes = InputAudio::from_bytes(audio.clone()).unwrap();
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe in detail the spoken audio input."),
        ContentPart::audio(from_bytes),
    ])]);
    let ((), peak) = peak_above_start(async {
        let plan = BodyPlan::new(&request).unwrap();
        assert_eq!(drain(plan.stream()).await, plan.content_length());
        assert!(plan.content_length() > encoded_len as u64);
    })
    .await;
    eprintln!("body from 16 MiB of bytes: {peak} bytes at the peak");
    assert!(peak < MIB, "a body from bytes held {peak} bytes at once");

    // The same from a file: read on the blocking pool, two chunks a trip.
    let path = std::env::temp_dir().join(format!("aoa-memory-{}.wav", std::process::id()));
    std::fs::write(&path, &audio).unwrap();
    let from_file = InputAudio::from_file(&path).await.unwrap();
    let request = ChatRequest::new([Message::user(vec![ContentPart::audio(from_file)])]);
    let ((), peak) = peak_above_start(async {
        let plan = BodyPlan::new(&request).unwrap();
        assert_eq!(drain(plan.stream()).await, plan.content_length());
    })
    .await;
    std::fs::remove_file(&path).unwrap();
    eprintln!("body from a 16 MiB file: {peak} bytes at the peak");
    assert!(peak < MIB, "a body from a file held {peak} bytes at once");

    // A multipart body with a 24 MiB file part (a transcription upload): read a chunk at a time.
    let path = std::env::temp_dir().join(format!("aoa-memory-{}.flac", std::process::id()));
    let mut flac = b"fLaC".to_vec();
    flac.resize(24 * MIB, 7);
    std::fs::write(&path, &flac).unwrap();
    drop(flac);
    let source = AudioSource::from_file(&path).await.unwrap();
    let ((), peak) = peak_above_start(async {
        let form = MultipartBody::new()
            .file("file", &source)
            .field("model", "whisper")
            .field("response_format", "verbose_json");
        assert_eq!(drain(form.stream()).await, form.content_length());
        assert!(form.content_length() > 24 * MIB as u64);
    })
    .await;
    std::fs::remove_file(&path).unwrap();
    eprintln!("multipart body with a 24 MiB file: {peak} bytes at the peak");
    assert!(peak < MIB, "a multipart body held {peak} bytes at once");

    // A reply with 16 MiB of audio (21 MiB of base64), parsed as the client parses every reply.
    let reply_json = format!(
        r#"{{"id":"chatcmpl-1","choices":[{{"index":0,"message":{{"role":"assistant","content":null,"audio":{{"id":"audio_1","data":"{}","expires_at":1,"transcript":"hi"}}}}}}]}}"#,
        base64::engine::general_purpose::STANDARD.encode(&audio)
    )
    .into_bytes();
    drop(audio);
    let (reply, peak) =
        peak_above_start(async { ChatCompletion::from_json(reply_json).unwrap() }).await;
    assert_eq!(reply.audio().unwrap().data.len(), AUDIO);
    assert_eq!(reply.audio().unwrap().data.as_bytes(), &wav(AUDIO)[..]);
    // The body was already live; decoding in place adds no second buffer for the audio.
    eprintln!("reply with 16 MiB of audio: {peak} bytes at the peak beyond its body");
    assert!(
        peak < MIB,
        "decoding the reply held {peak} bytes more than its body"
    );
}
