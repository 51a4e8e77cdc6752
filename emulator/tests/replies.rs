//! End-to-end checks of the offline emulator's replies: the crate's own client (and raw HTTP for
//! streams) against a real emulator on loopback.
mod support;

use std::io::Cursor;

use azure_openai_audio::{
    AudioFormat, ChatRequest, ContentPart, Conversation, InputAudio, Message, Voice,
};
use azure_openai_audio_emulator::Emulator;
use base64::Engine as _;
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn to_audio_returns_a_playable_wav_whose_length_follows_the_transcript() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let reply = client
        .chat()
        .complete(&speak("Is a golden retriever a good family dog?"))
        .await
        .unwrap();
    let audio = reply.audio().unwrap();
    assert_eq!(
        audio.transcript,
        "You said: Is a golden retriever a good family dog?"
    );
    assert!(audio.id.starts_with("audio_"), "{}", audio.id);
    let expires_in = audio.expires_at.unwrap() - now();
    assert!((3590..=3600).contains(&expires_in), "{expires_in}");
    let mut wav = hound::WavReader::new(Cursor::new(audio.data.as_bytes())).unwrap();
    let spec = wav.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (24_000, 1, 16)
    );
    assert_eq!(
        wav.duration() as usize,
        audio.transcript.chars().count() * SAMPLES_PER_CHAR
    );
    let loudest = wav
        .samples::<i16>()
        .map(|s| s.unwrap().unsigned_abs())
        .max();
    assert!(loudest > Some(5000), "audible: {loudest:?}");

    let usage = reply.usage.as_ref().unwrap();
    assert!(usage.completion_tokens > 0 && usage.prompt_tokens > 0);
    assert_eq!(
        usage.total_tokens,
        usage.prompt_tokens + usage.completion_tokens
    );
    assert_eq!(reply.prompt_filter_results.len(), 1);
    assert!(reply.choices[0].content_filter_results.is_some());
    assert_eq!(reply.model, "gpt-4o-mini-audio-preview-2024-12-17");
    assert_eq!(reply.metadata.region.as_deref(), Some("Emulator"));
    assert!(reply.metadata.request_id().is_some());

    // The same prompt gives the same audio.
    let again = client
        .chat()
        .complete(&speak("Is a golden retriever a good family dog?"))
        .await
        .unwrap();
    assert_eq!(again.audio().unwrap().data, audio.data);
    assert_ne!(again.audio().unwrap().id, audio.id);
}

#[tokio::test]
async fn pcm16_and_text_only_replies() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let request = ChatRequest::new([Message::user("Hi")]).audio(Voice::Coral, AudioFormat::Pcm16);
    let reply = client.chat().complete(&request).await.unwrap();
    let audio = reply.audio().unwrap();
    assert_eq!(audio.transcript, "You said: Hi.");
    assert_eq!(
        audio.data.len(),
        "You said: Hi.".len() * SAMPLES_PER_CHAR * 2
    );

    let reply = client
        .chat()
        .complete(&ChatRequest::new([Message::user("Hi")]))
        .await
        .unwrap();
    assert!(reply.audio().is_none());
    assert_eq!(reply.text(), Some("You said: Hi."));
}

#[tokio::test]
async fn from_audio_measures_a_real_wav_and_mp3() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let question = InputAudio::from_bytes(wav(16_000, 2, 20_000)).unwrap();
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text("Describe this recording."),
        ContentPart::audio(question),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    let reply = client.chat().complete(&request).await.unwrap();
    assert_eq!(
        reply.audio().unwrap().transcript,
        "You said: Describe this recording. I heard 1.25 seconds of wav audio at 16000 Hz, stereo."
    );
    let usage = reply.usage.as_ref().unwrap();
    let details = usage.prompt_tokens_details.as_ref().unwrap();
    assert_eq!(details.audio_tokens, Some(13));

    let request = ChatRequest::new([Message::user(InputAudio::from_bytes(mp3(100)).unwrap())])
        .audio(Voice::Alloy, AudioFormat::Wav);
    let reply = client.chat().complete(&request).await.unwrap();
    assert_eq!(
        reply.audio().unwrap().transcript,
        "I heard 2.61 seconds of mp3 audio at 44100 Hz, stereo."
    );
    // An audio-only prompt has empty prompt filter results, as recorded.
    assert_eq!(
        reply.prompt_filter_results[0].content_filter_results,
        Default::default()
    );
}

#[tokio::test]
async fn many_audio_parts_get_a_bounded_reply() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    // 1,000 clips of 1 ms: a 70 KB request.
    let clip = wav(24_000, 1, 24);
    let mut parts = vec![ContentPart::text("Compare these.")];
    parts.extend(
        (0..1000).map(|_| ContentPart::audio(InputAudio::from_bytes(clip.clone()).unwrap())),
    );
    let request = ChatRequest::new([Message::user(parts)]).audio(Voice::Alloy, AudioFormat::Wav);
    let reply = client.chat().complete(&request).await.unwrap();
    let audio = reply.audio().unwrap();
    let one = "I heard 0.00 seconds of wav audio at 24000 Hz, mono.";
    assert_eq!(
        audio.transcript,
        format!("You said: Compare these. {one} {one} {one} I heard 997 more audio clips.")
    );
    // The audio follows the transcript, so it is bounded too: under 2 MB, not 1,000 sentences.
    let wav = hound::WavReader::new(Cursor::new(audio.data.as_bytes())).unwrap();
    assert_eq!(
        wav.duration() as usize,
        audio.transcript.chars().count() * SAMPLES_PER_CHAR
    );
    assert!(audio.data.len() < 2_000_000, "{} bytes", audio.data.len());
    // Every clip still counts as input.
    let details = reply
        .usage
        .as_ref()
        .unwrap()
        .prompt_tokens_details
        .as_ref()
        .unwrap();
    assert_eq!(details.audio_tokens, Some(10));
}

#[tokio::test]
async fn multi_turn_cites_audio_ids_the_emulator_issued() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let mut chat = Conversation::new(ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav));
    let audio = InputAudio::from_bytes(wav(24_000, 1, 24_000)).unwrap();
    chat.ask(&client, audio).await.unwrap();
    let second = chat.ask(&client, "Summarize.").await.unwrap();
    assert_eq!(
        second.audio().unwrap().transcript,
        "You said: Summarize. I remember 1 earlier spoken reply."
    );
    let third = chat.ask(&client, "Again.").await.unwrap();
    assert_eq!(
        third.audio().unwrap().transcript,
        "You said: Again. I remember 2 earlier spoken replies."
    );
}

#[tokio::test]
async fn audio_streams_are_framed_like_azure() {
    let emulator = Emulator::start().await.unwrap();
    let body = json!({
        "messages": [{"role": "user", "content": "Hello big world"}],
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "pcm16"},
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let (content_type, text) = post_stream(&emulator, &body).await;
    assert_eq!(content_type, "text/event-stream; charset=utf-8");
    let e = events(&text);
    assert_eq!(e[0]["choices"], json!([]));
    assert_eq!((&e[0]["id"], &e[0]["created"]), (&json!(""), &json!(0)));
    assert!(e[0]["prompt_filter_results"][0]["content_filter_results"]["hate"].is_object());
    let first = &e[1]["choices"][0]["delta"];
    assert_eq!(first["role"], "assistant");
    assert_eq!(first["audio"]["transcript"], "");
    let id = first["audio"]["id"].as_str().unwrap().to_owned();

    let (mut transcript, mut pcm, mut kinds) = (String::new(), Vec::new(), String::new());
    let mut i = 2;
    while e[i]["choices"][0]["finish_reason"].is_null() {
        let audio = &e[i]["choices"][0]["delta"]["audio"];
        if let Some(t) = audio["transcript"].as_str() {
            transcript.push_str(t);
            kinds.push('t');
        } else {
            let data = audio["data"].as_str().unwrap();
            pcm.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .unwrap(),
            );
            kinds.push('d');
        }
        i += 1;
    }
    assert_eq!(transcript, "You said: Hello big world.");
    assert_eq!(kinds, "tdtdtdtdtd", "transcript and audio deltas alternate");
    assert_eq!(pcm.len(), transcript.len() * SAMPLES_PER_CHAR * 2);
    assert_eq!(e[i]["choices"][0]["finish_reason"], "stop");
    // The choice's content filter results, in an event of their own, as the service sends them.
    let filter = &e[i + 1];
    assert_eq!(
        (
            &filter["id"],
            &filter["object"],
            &filter["model"],
            &filter["created"]
        ),
        (&json!(""), &json!(""), &json!(""), &json!(0))
    );
    assert_eq!(
        keys(filter),
        ["choices", "created", "id", "model", "object"]
    );
    let choice = &filter["choices"][0];
    assert_eq!(
        keys(choice),
        [
            "content_filter_offsets",
            "content_filter_results",
            "finish_reason",
            "index"
        ]
    );
    assert_eq!(choice["index"], 0);
    assert!(choice["finish_reason"].is_null());
    assert_eq!(
        choice["content_filter_offsets"],
        json!({"check_offset": 0, "start_offset": 0, "end_offset": transcript.chars().count()})
    );
    for category in ["hate", "self_harm", "sexual", "violence"] {
        assert_eq!(
            choice["content_filter_results"][category],
            json!({"filtered": false, "severity": "safe"}),
            "{category}"
        );
    }
    for category in ["protected_material_code", "protected_material_text"] {
        assert_eq!(
            choice["content_filter_results"][category],
            json!({"filtered": false, "detected": false}),
            "{category}"
        );
    }
    assert_eq!(e[i + 2]["choices"], json!([]));
    assert!(e[i + 2]["usage"]["total_tokens"].as_u64().unwrap() > 0);
    let expires_at = e[i + 3]["choices"][0]["delta"]["audio"]["expires_at"]
        .as_i64()
        .unwrap();
    assert!(expires_at > now());
    assert_eq!(e[i + 4], "[DONE]");
    assert_eq!(e.len(), i + 5);

    // The streamed audio id can be cited.
    let client = emulator.client().unwrap();
    let next = ChatRequest::new([
        Message::user("Hello big world"),
        Message::assistant_audio(id),
        Message::user("More."),
    ]);
    let reply = client.chat().complete(&next).await.unwrap();
    assert_eq!(
        reply.text(),
        Some("You said: More. I remember 1 earlier spoken reply.")
    );
}

#[tokio::test]
async fn the_recorded_audio_request_gets_a_reply_shaped_like_the_recorded_one() {
    let rec = recording(
        "azure-chat-audio-nonstreaming.gpt-4o-audio-preview.2025-01-01-preview.recording.json",
    );
    let emulator = Emulator::start().await.unwrap();
    let entry = &rec["Entries"][0];
    let (status, headers, reply) = post(&emulator, &entry["RequestBody"]).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(shape(&reply), shape(&entry["ResponseBody"]));
    for name in [
        "x-request-id",
        "apim-request-id",
        "x-ms-region",
        "x-ms-rai-invoked",
    ] {
        assert!(headers.contains_key(name), "{name}");
    }
    // The recorded follow-up cites an id this emulator never issued.
    let (status, _, reply) = post(&emulator, &rec["Entries"][1]["RequestBody"]).await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"]["param"], "messages[1].audio.id");
}

#[tokio::test]
async fn text_streams_have_the_recorded_event_shapes() {
    let rec = recording(
        "azure-chat-streaming-sse-async-content-filter.2025-01-01-preview.recording-excerpt.json",
    );
    let entry = &rec["Entries"][0];
    let recorded: Vec<Value> = entry["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| events(e.as_str().unwrap()))
        .collect();
    let emulator = Emulator::start().await.unwrap();
    let (_, text) = post_stream(&emulator, &entry["RequestBody"]).await;
    let mine = events(&text);
    assert_eq!(keys(&mine[0]), keys(&recorded[0]));
    assert_eq!(shape(&mine[1]), shape(&recorded[1]), "the role chunk");
    assert_eq!(shape(&mine[2]), shape(&recorded[2]), "a content chunk");
    let finish = |e: &[Value]| {
        e.iter()
            .find(|e| e["choices"][0]["finish_reason"] == "stop")
            .cloned()
            .unwrap()
    };
    assert_eq!(shape(&finish(&mine)), shape(&finish(&recorded)));
    // After the finish chunk, the choice's content filter results, framed as recorded.
    let filter = |e: &[Value]| {
        let at = e
            .iter()
            .position(|e| e["choices"][0]["finish_reason"] == "stop")
            .unwrap();
        e[at + 1].clone()
    };
    let (mine_filter, recorded_filter) = (filter(&mine), filter(&recorded));
    assert_eq!(keys(&mine_filter), keys(&recorded_filter));
    for field in ["id", "model", "object", "created"] {
        assert_eq!(mine_filter[field], recorded_filter[field], "{field}");
    }
    let (m, r) = (&mine_filter["choices"][0], &recorded_filter["choices"][0]);
    assert_eq!(keys(m), keys(r));
    assert_eq!(
        shape(&m["content_filter_offsets"]),
        shape(&r["content_filter_offsets"])
    );
    assert_eq!(
        (&m["index"], &m["finish_reason"]),
        (&r["index"], &r["finish_reason"])
    );
    assert_eq!(
        shape(&m["content_filter_results"]["hate"]),
        shape(&r["content_filter_results"]["hate"])
    );
    let usage = |e: &[Value]| e.iter().find(|e| e["usage"].is_object()).cloned().unwrap();
    assert_eq!(keys(&usage(&mine)), keys(&usage(&recorded)));
    assert_eq!(mine.last(), recorded.last());
}

#[tokio::test]
async fn after_shutdown_the_same_port_can_be_used_again_and_connections_are_closed() {
    use std::io::Read as _;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let emulator = Emulator::start().await.unwrap();
    let port = emulator.local_addr().port();
    // A client whose connection stays open (kept alive) after its reply.
    let client = emulator.client().unwrap();
    client.chat().complete(&speak("Hi")).await.unwrap();
    // And one on a raw connection, answered and kept alive.
    let mut raw = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .unwrap();
    let body = r#"{"messages":[{"role":"user","content":"hi"}]}"#;
    let request = format!(
        "POST /openai/deployments/d/chat/completions?api-version={API_VERSION} HTTP/1.1\r\n\
         host: localhost\r\napi-key: k\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    raw.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    raw.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");

    emulator.shutdown().await;

    // The connection is closed by the time shutdown returns: a read that does not wait sees
    // the rest of the reply and then its end, never "would block".
    let mut raw = raw.into_std().unwrap();
    let mut rest = Vec::new();
    let end = raw.read_to_end(&mut rest);
    assert!(end.is_ok(), "{end:?}");
    assert!(String::from_utf8_lossy(&rest).contains("You said: hi."));

    // The port is free: an emulator can start on it at once, and serves.
    let again = Emulator::builder().port(port).start().await.unwrap();
    assert_eq!(again.local_addr().port(), port);
    let reply = again
        .client()
        .unwrap()
        .chat()
        .complete(&speak("Hi"))
        .await
        .unwrap();
    assert_eq!(reply.audio().unwrap().transcript, "You said: Hi.");
    again.shutdown().await;
}
