//! The /audio routes go through the same gate as chat: route shapes, credentials, api-versions,
//! deployments, faults, early refusals that still read the body, and the 25 MB limit.

mod support;

use std::time::Duration;

use azure_openai_audio_emulator::{Emulator, Fault};
use serde_json::json;
use support::*;

#[tokio::test]
async fn both_route_shapes_serve_each_api() {
    let emulator = Emulator::start().await.unwrap();
    let wav = spoken_wav(&emulator, "Both routes.").await;
    for api in ["transcriptions", "translations"] {
        let path = upload(
            &emulator,
            Some("whisper"),
            api,
            &[Part::File("a.wav", &wav)],
        )
        .await;
        assert_eq!(path.status, 200, "{api}: {}", path.text());
        let v1 = upload(
            &emulator,
            None,
            api,
            &[Part::File("a.wav", &wav), Part::Text("model", "whisper")],
        )
        .await;
        assert_eq!(v1.status, 200, "{api}: {}", v1.text());
        assert_eq!(v1.header("x-ms-deployment-name"), Some("whisper"));
        assert_eq!(path.body, v1.body);
        let no_model = upload(&emulator, None, api, &[Part::File("a.wav", &wav)]).await;
        refusal(&no_model, "model", "missing_required_parameter");
    }
    // The v1 route takes v1, preview, latest or no api-version.
    let url = format!(
        "{}/openai/v1/audio/speech?api-version=2024-10-21",
        emulator.endpoint()
    );
    let body = json!({"model": "tts", "input": "x", "voice": "alloy", "response_format": "wav"});
    let a = send(
        &emulator,
        &url,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error"]["message"], "API version not supported");
}

#[tokio::test]
async fn api_versions_credentials_and_deployments_as_for_chat() {
    let emulator = Emulator::builder()
        .api_key("k")
        .deployments(["whisper", "tts"])
        .start()
        .await
        .unwrap();
    let speak = json!({"input": "x", "voice": "alloy", "response_format": "wav"}).to_string();
    let post = |url: String, key: &'static str| {
        let speak = speak.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .header("api-key", key)
                .body(speak)
                .send()
                .await
                .unwrap()
        }
    };
    let base = emulator.endpoint().to_owned();
    // The recordings' stable 2024-10-21 is served on the /audio routes (not on chat, which has no audio there).
    let stable =
        |api: &str, d: &str| format!("{base}/openai/deployments/{d}/{api}?api-version=2024-10-21");
    assert_eq!(post(stable("audio/speech", "tts"), "k").await.status(), 200);
    assert_eq!(
        post(stable("chat/completions", "tts"), "k").await.status(),
        400
    );
    let bad = post(
        stable("audio/speech", "tts").replace("2024-10-21", "2023-05-15"),
        "k",
    )
    .await;
    assert_eq!(bad.status(), 400);
    let r = post(stable("audio/speech", "tts"), "wrong").await;
    assert_eq!(r.status(), 401);
    let r = post(stable("audio/transcriptions", "gpt-4o-transcribe"), "k").await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "DeploymentNotFound");
    let r = post(
        format!("{base}/openai/deployments/tts/audio/voices?api-version=2024-10-21"),
        "k",
    )
    .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn faults_play_on_the_audio_routes() {
    let emulator = Emulator::start().await.unwrap();
    let wav = spoken_wav(&emulator, "Faults.").await;
    emulator.inject(Fault::rate_limit(Duration::from_millis(2500)), 1);
    let a = upload(
        &emulator,
        Some("whisper"),
        "transcriptions",
        &[Part::File("a.wav", &wav)],
    )
    .await;
    assert_eq!(a.status, 429);
    assert_eq!(a.header("retry-after-ms"), Some("2500"));
    assert_eq!(a.header("retry-after"), Some("3"));
    let m = a.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(m.starts_with("Requests to the Transcriptions_Create Operation under Azure OpenAI API version 2025-01-01-preview"), "{m}");
    emulator.inject(Fault::ServerError, 1);
    let a = speech(
        &emulator,
        Some("tts"),
        &json!({"input": "x", "voice": "alloy", "response_format": "wav"}),
    )
    .await;
    assert_eq!(a.status, 500);
    assert_eq!(a.json()["error"]["type"], "server_error");
    emulator.inject(Fault::Disconnect, 1);
    let (content_type, body) = form(&[Part::File("a.wav", &wav)]);
    let e = reqwest::Client::new()
        .post(audio_url(&emulator, Some("whisper"), "translations"))
        .header("api-key", emulator.api_key())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await;
    assert!(e.is_err(), "the connection closes without an answer");
    assert_eq!(emulator.pending_faults(), 0);
    let a = upload(
        &emulator,
        Some("whisper"),
        "translations",
        &[Part::File("a.wav", &wav)],
    )
    .await;
    assert_eq!(a.json()["text"], "English translation: Faults.");
}

#[tokio::test]
async fn a_body_over_25_mb_gets_the_gateways_plain_413_after_it_is_read() {
    let emulator = Emulator::start().await.unwrap();
    // A WAV header and 25 MiB of samples: the form is over 26214400 bytes.
    let big = [support::wav(24_000, 1, 0), vec![0u8; 26_214_400]].concat();
    let (content_type, body) = form(&[Part::File("big.wav", &big)]);
    let len = body.len();
    let a = send(
        &emulator,
        &audio_url(&emulator, Some("whisper"), "transcriptions"),
        &content_type,
        body,
    )
    .await;
    assert_eq!(a.status, 413);
    assert_eq!(a.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        a.text(),
        format!("Maximum content size limit (26214400) exceeded ({len} bytes read)")
    );
    assert_eq!(
        a.header("connection"),
        None,
        "the body was read: the connection stays usable"
    );
    // Just under the limit is taken (and measured).
    let fits = support::wav(24_000, 1, (26_214_400 - 44 - 400) / 2);
    let (content_type, body) = form(&[Part::File("fits.wav", &fits)]);
    assert!(body.len() <= 26_214_400);
    let a = send(
        &emulator,
        &audio_url(&emulator, Some("whisper"), "transcriptions"),
        &content_type,
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(
        a.json()["text"]
            .as_str()
            .unwrap()
            .starts_with("I heard 546.1"),
        "{}",
        a.text()
    );
}
