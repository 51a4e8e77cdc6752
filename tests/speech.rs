//! Text to speech (`client.speech()`) against local servers: each request checked on the wire
//! (route in both shapes, query, headers, body), the recorded replies (mp3 chunked without a
//! Content-Length, the SSE stream) and every way to receive the audio. Failures (retries,
//! timeouts, errors, refused input) are in `speech_failures.rs`.

mod common;

use azure_openai_audio::{
    ErrorKind, Route, SpeechEvent, SpeechFormat, SpeechRequest, SpeechUsage, Voice,
};
use base64::Engine as _;
use common::{chunked_reply, Act, RawServer};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wiremock::ResponseTemplate;

#[path = "support/speech.rs"]
mod speech_support;
use speech_support::*;

#[tokio::test]
async fn create_sends_the_recorded_request_and_returns_the_recorded_audio() {
    let (audio, reply) = recorded_mp3();
    let server = serving(reply).await;
    let client = client(&server.uri());
    // The recorded request (the .NET SDK also sent `"model": "tts"`; on this route the
    // deployment is in the path, as chat does).
    let request = SpeechRequest::new("hello, world!", Voice::Alloy);
    let speech = client.speech().create(&request).await.unwrap();
    assert_eq!(speech.as_bytes(), &audio[..]);
    assert_eq!(&speech.as_bytes()[..2], [0xFF, 0xF3], "an MPEG frame sync");
    assert_eq!(speech.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(
        speech.metadata.apim_request_id.as_deref(),
        Some("83f2b05f-ceca-4617-981f-034df2a5eb69")
    );
    assert_eq!(speech.metadata.region.as_deref(), Some("Sweden Central"));
    assert_eq!(
        format!("{:?}", speech.audio),
        format!("AudioData(<{} bytes>)", audio.len())
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let body = check_speech(&received[0], DEPLOYMENTS_PATH, QUERY, OCTETS);
    assert_eq!(body, json!({"input": "hello, world!", "voice": "alloy"}));
}

#[tokio::test]
async fn every_field_goes_in_the_body_and_the_v1_route_sends_the_deployment_as_model() {
    let (audio, reply) = recorded_mp3();
    let server = serving(reply).await;
    let full = SpeechRequest::new("Speak up.", "marin")
        .instructions("Cheerful.")
        .response_format(SpeechFormat::Opus)
        .speed(1.5)
        .extra("seed", json!(7));
    let v1 = builder(&server.uri()).route(Route::V1).build().unwrap();
    let classic = client(&server.uri());
    let with_model = full.clone().model("my-model".into());
    let v1_path = "/openai/v1/audio/speech";
    // (client, a deployment for one call, request, the path, the query, the model in the body)
    let cases = [
        (&v1, None, &full, v1_path, None, Some("tts")),
        (&v1, Some("tts-hd"), &full, v1_path, None, Some("tts-hd")),
        (&v1, None, &with_model, v1_path, None, Some("my-model")),
        (
            &classic,
            Some("tts-hd"),
            &full,
            "/openai/deployments/tts-hd/audio/speech",
            QUERY,
            None,
        ),
    ];
    for (i, (client, deployment, request, path, query, model)) in cases.into_iter().enumerate() {
        let mut speech = client.speech();
        if let Some(deployment) = deployment {
            speech = speech.deployment(deployment);
        }
        assert_eq!(speech.create(request).await.unwrap().as_bytes(), &audio[..]);
        let received = server.received_requests().await.unwrap();
        let mut expected = json!({"input": "Speak up.", "voice": "marin",
            "instructions": "Cheerful.", "response_format": "opus", "speed": 1.5, "seed": 7});
        if let Some(model) = model {
            expected["model"] = json!(model);
        }
        assert_eq!(
            check_speech(&received[i], path, query, OCTETS),
            expected,
            "{i}"
        );
    }
}

#[tokio::test]
async fn a_chunked_reply_is_the_same_audio_whole_streamed_and_written() {
    let parts: [&[u8]; 3] = [b"ID3\x04first-frames", b"-middle-frames", b"-last"];
    let whole: Vec<u8> = parts.concat();
    let reply = chunked_reply("audio/mpeg", &parts);
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let request = SpeechRequest::new("hello", Voice::Alloy);

    let speech = client.speech().create(&request).await.unwrap();
    assert_eq!(speech.as_bytes(), &whole[..]);
    assert_eq!(
        speech.metadata.apim_request_id.as_deref(),
        Some("req-chunked-1")
    );

    let mut stream = client.speech().stream(&request).await.unwrap();
    assert_eq!(stream.content_type(), Some("audio/mpeg"));
    assert_eq!(
        stream.metadata().apim_request_id.as_deref(),
        Some("req-chunked-1")
    );
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(streamed, whole);
    assert_eq!(stream.received(), whole.len() as u64);

    assert_eq!(
        to_memory(&client, &request).await,
        (whole.len() as u64, whole.clone())
    );

    let path = temp_path("chunked", "speech.mp3");
    let n = client.speech().to_file(&request, &path).await.unwrap();
    assert_eq!(n, whole.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), whole);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn to_wav_file_asks_for_pcm_and_writes_a_wav_a_player_reads() {
    let samples: Vec<i16> = (0..4_800)
        .map(|i| ((i % 200) * 100 - 10_000) as i16)
        .collect();
    let pcm: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    // Chunks that cut samples in half.
    let reply = chunked_reply(
        "audio/pcm",
        &[&pcm[..1_001], &pcm[1_001..5_555], &pcm[5_555..]],
    );
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let path = temp_path("wav", "speech.wav");
    let request = SpeechRequest::new("hello", Voice::Alloy);
    let n = client.speech().to_wav_file(&request, &path).await.unwrap();
    assert_eq!(n, pcm.len() as u64);
    let mut reader = hound::WavReader::open(&path).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (24_000, 1, 16)
    );
    let read: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(read, samples);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();

    // Another format is refused before anything is sent.
    let mp3 = request.clone().response_format(SpeechFormat::Mp3);
    let err = client
        .speech()
        .to_wav_file(&mp3, "never.wav")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid input: to_wav_file writes pcm audio, but the request asks for mp3 (use to_file for mp3)"
    );
    assert_eq!(server.requests(), 1);
    assert!(!std::path::Path::new("never.wav").exists());
}

/// The recorded SSE body, with an event type from the future inserted after the first delta.
fn recorded_sse(with_done: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
    let e = common::entry(SSE, 0);
    let lines: Vec<&str> = e["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let mut body = String::new();
    let mut deltas = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("data: [DONE]") && !with_done {
            break;
        }
        body.push_str(line);
        if let Some(json) = line.strip_prefix("data: {") {
            let v: Value = serde_json::from_str(&format!("{{{json}")).unwrap();
            if let Some(audio) = v["audio"].as_str() {
                deltas.push(
                    base64::engine::general_purpose::STANDARD
                        .decode(audio)
                        .unwrap(),
                );
            }
        }
        if i == 1 {
            body.push_str("data: {\"type\":\"speech.audio.future\",\"x\":1}\r\n\r\n");
        }
    }
    (body.into_bytes(), deltas)
}

#[tokio::test]
async fn events_decode_the_recorded_stream_and_skip_what_they_do_not_know() {
    for with_done in [true, false] {
        let (body, deltas) = recorded_sse(with_done);
        let server = serving(
            ResponseTemplate::new(200)
                .set_body_raw(body, "text/event-stream; charset=utf-8")
                .insert_header("x-request-id", "req-sse"),
        )
        .await;
        let client = client(&server.uri());
        let request = SpeechRequest::new("Hello, world! This is a streaming test.", Voice::Alloy);
        let mut events = client.speech().events(&request).await.unwrap();
        assert_eq!(events.metadata().x_request_id.as_deref(), Some("req-sse"));
        let mut got = Vec::new();
        while let Some(event) = events.next().await {
            got.push(event.unwrap());
        }
        assert_eq!(got.len(), 3, "{got:?}");
        for (event, delta) in got.iter().zip(&deltas) {
            assert_eq!(event.audio().unwrap().as_bytes(), &delta[..]);
        }
        let SpeechEvent::AudioDone { usage, .. } = &got[2] else {
            panic!("{:?}", got[2])
        };
        let mut expected = SpeechUsage::default();
        expected.input_tokens = 10;
        expected.output_tokens = 83;
        expected.total_tokens = 93;
        assert_eq!(usage.as_ref(), Some(&expected));

        let received = server.received_requests().await.unwrap();
        let body = check_speech(&received[0], DEPLOYMENTS_PATH, QUERY, "text/event-stream");
        assert_eq!(
            body,
            json!({"input": "Hello, world! This is a streaming test.", "voice": "alloy", "stream_format": "sse"})
        );
    }
}

#[tokio::test]
async fn an_sse_stream_cut_before_the_done_event_is_an_error() {
    let (body, _) = recorded_sse(true);
    let text = String::from_utf8(body).unwrap();
    let cut = &text[..text.find("data: {\"type\":\"speech.audio.done\"").unwrap()];
    let reply = chunked_reply("text/event-stream", &[cut.as_bytes()]);
    let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
    let client = client(&server.uri());
    let mut events = client
        .speech()
        .events(&SpeechRequest::new("hi", Voice::Alloy))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(event) = events.next().await {
        kinds.push(event.map(|_| ()).map_err(|e| e.kind()));
    }
    assert_eq!(kinds, [Ok(()), Ok(()), Err(ErrorKind::Transport)]);
}
