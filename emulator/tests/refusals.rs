//! End-to-end checks of what the offline emulator refuses: the crate's own client, and raw HTTP
//! where the client would refuse to send the request. Its faults: tests/emulator_faults.rs.
mod support;

use std::time::Duration;

use azure_openai_audio::{AudioFormat, ChatRequest, Conversation, Message, Route, Voice};
use azure_openai_audio_emulator::Emulator;
use base64::Engine as _;
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn unknown_and_expired_audio_ids_are_refused() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let request = ChatRequest::new([
        Message::user("Hi"),
        Message::assistant_audio("audio_00000000000000000000000000000000"),
        Message::user("And?"),
    ])
    .audio(Voice::Alloy, AudioFormat::Wav);
    let e = client.chat().complete(&request).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    let api = e.api_error().unwrap();
    assert_eq!(api.param.as_deref(), Some("messages[1].audio.id"));
    assert!(api.message.contains("not found"), "{}", api.message);

    // With a zero time-to-live every id has expired by the next turn.
    let emulator = Emulator::builder()
        .audio_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let first = client.chat().complete(&speak("Hi")).await.unwrap();
    let id = first.audio().unwrap().id.clone();
    let request = ChatRequest::new([
        Message::user("Hi"),
        Message::assistant_audio(id),
        Message::user("And?"),
    ])
    .audio(Voice::Alloy, AudioFormat::Wav);
    let e = client.chat().complete(&request).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(
        e.api_error().unwrap().message.contains("has expired"),
        "{e}"
    );
    // A Conversation sends an expired reply as its transcript instead, and is served.
    let mut chat = Conversation::new(ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav));
    chat.ask(&client, "Hi").await.unwrap();
    let next = chat.ask(&client, "And?").await.unwrap();
    assert_eq!(next.audio().unwrap().transcript, "You said: And?");
}

#[tokio::test]
async fn credentials_are_required() {
    let emulator = Emulator::builder().api_key("right").start().await.unwrap();
    let recorded = recording("azure-error-401-invalid-key.2024-10-21.recording.json");
    let recorded = &recorded["Entries"][0]["ResponseBody"];
    let http = reqwest::Client::new();
    let body = json!({"messages": [{"role": "user", "content": "hi"}]});

    let none = http
        .post(url(&emulator, "d"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(
        &serde_json::from_str::<Value>(&none.text().await.unwrap()).unwrap(),
        recorded
    );

    let right = emulator.client_builder("d").build().unwrap();
    let hi = ChatRequest::new([Message::user("hi")]);
    assert!(right.chat().complete(&hi).await.is_ok());
    let client = azure_openai_audio::Client::new(
        emulator.endpoint(),
        "d",
        azure_openai_audio::Credential::api_key("wrong"),
    )
    .unwrap();
    let e = client.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.code(), Some("401"));

    let bearer = http
        .post(url(&emulator, "d"))
        .bearer_auth("any-token")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);
    // The scheme is case-insensitive.
    let lower = http
        .post(url(&emulator, "d"))
        .header("authorization", "bearer x")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);
    let empty = http
        .post(url(&emulator, "d"))
        .header("authorization", "Bearer ")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 401);
    let text = empty.text().await.unwrap();
    assert!(text.contains("Access token is missing"), "{text}");
}

#[tokio::test]
async fn api_versions_deployments_and_routes() {
    let emulator = Emulator::builder()
        .deployments(["gpt-4o-audio-preview"])
        .start()
        .await
        .unwrap();
    let hi = ChatRequest::new([Message::user("hi")]);
    let old = emulator
        .client_builder("gpt-4o-audio-preview")
        .api_version("2024-02-01")
        .build()
        .unwrap();
    let e = old.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("BadRequest"));
    assert_eq!(e.api_error().unwrap().message, "API version not supported");

    let missing = emulator.client_builder("gpt-4o").build().unwrap();
    let e = missing.chat().complete(&hi).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.code(), Some("DeploymentNotFound"));

    let v1 = emulator
        .client_builder("gpt-4o-audio-preview")
        .route(Route::V1)
        .build()
        .unwrap();
    let reply = v1.chat().complete(&hi).await.unwrap();
    assert_eq!(reply.text(), Some("You said: hi."));
    assert_eq!(
        reply.metadata.deployment.as_deref(),
        Some("gpt-4o-audio-preview")
    );

    let nowhere = reqwest::Client::new()
        .post(format!("{}/openai/models", emulator.endpoint()))
        .header("api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 404);
    assert_eq!(
        serde_json::from_str::<Value>(&nowhere.text().await.unwrap()).unwrap(),
        json!({"error": {"code": "404", "message": "Resource not found"}})
    );
}

#[tokio::test]
async fn unknown_voices_and_formats_the_emulator_cannot_encode_are_refused() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let robot =
        ChatRequest::new([Message::user("hi")]).audio(Voice::from("robot"), AudioFormat::Wav);
    let e = client.chat().complete(&robot).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    let api = e.api_error().unwrap();
    assert_eq!(api.param.as_deref(), Some("audio.voice"));
    assert_eq!(api.code.as_deref(), Some("invalid_value"));
    assert_eq!(api.error_type.as_deref(), Some("invalid_request_error"));
    assert!(api
        .message
        .starts_with("Invalid value: 'robot'. Supported values are: 'alloy'"));

    for format in [
        AudioFormat::Mp3,
        AudioFormat::Flac,
        AudioFormat::Opus,
        AudioFormat::Aac,
    ] {
        let request = ChatRequest::new([Message::user("hi")]).audio(Voice::Alloy, format.clone());
        let e = client.chat().complete(&request).await.unwrap_err();
        let api = e.api_error().unwrap();
        assert_eq!(api.param.as_deref(), Some("audio.format"));
        assert_eq!(api.code.as_deref(), Some("unsupported_value"));
        assert!(
            api.message
                .contains(&format!("emulator does not produce '{}'", format.as_str())),
            "{}",
            api.message
        );
    }
    let weird =
        ChatRequest::new([Message::user("hi")]).audio(Voice::Alloy, AudioFormat::from("ogg"));
    let e = client.chat().complete(&weird).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_value"));
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn random_bytes_and_wavs_declared_mp3_are_refused() {
    let emulator = Emulator::start().await.unwrap();
    let part = |data: &[u8]| {
        json!({"messages": [{"role": "user", "content": [
            {"type": "input_audio", "input_audio": {"data": b64(data), "format": "mp3"}}
        ]}]})
    };
    let mut refused = Vec::new();
    for seed in 0..20 {
        refused.push(noise(seed, 4_000 + 3_000 * seed as usize));
        refused.push(noisy_wav(seed, 8_000));
    }
    for data in &refused {
        let (status, _, reply) = post(&emulator, &part(data)).await;
        assert_eq!(
            status,
            400,
            "{} bytes starting {:02x?}",
            data.len(),
            &data[..4]
        );
        assert_eq!(
            reply["error"]["param"],
            "messages[0].content[0].input_audio.data"
        );
    }
    // Real frames are still served.
    let (status, _, reply) = post(&emulator, &part(&mp3(3))).await;
    assert_eq!(status, 200, "{reply}");
}

#[tokio::test]
async fn requests_are_checked_as_the_service_checks_them() {
    let emulator = Emulator::start().await.unwrap();
    let audio_part = |data: &str, format: &str| {
        json!({"messages": [{"role": "user", "content": [
            {"type": "input_audio", "input_audio": {"data": data, "format": format}}
        ]}]})
    };
    let cases = [
        (json!({}), "messages", "missing_required_parameter"),
        (json!({"messages": []}), "messages", "empty_array"),
        (
            json!({"messages": [{"role": "user", "content": "hi"}], "modalities": ["text", "audio"]}),
            "audio",
            "missing_required_parameter",
        ),
        (
            json!({"messages": [{"role": "wizard", "content": "hi"}]}),
            "messages[0].role",
            "invalid_value",
        ),
        (
            json!({"messages": [{"role": "user"}]}),
            "messages[0].content",
            "missing_required_parameter",
        ),
        (
            audio_part("!!! not base64 !!!", "wav"),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(
                &base64::engine::general_purpose::STANDARD.encode(b"just text"),
                "wav",
            ),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(
                &base64::engine::general_purpose::STANDARD.encode(mp3(3)),
                "wav",
            ),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(&b64(&noise(7, 50_000)), "mp3"),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(&b64(&wav(16_000, 1, 16_000)), "mp3"),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(&b64(&noisy_wav(3, 20_000)), "mp3"),
            "messages[0].content[0].input_audio.data",
            "invalid_value",
        ),
        (
            audio_part(
                &base64::engine::general_purpose::STANDARD.encode(mp3(3)),
                "ogg",
            ),
            "messages[0].content[0].input_audio.format",
            "invalid_value",
        ),
        (
            json!({
                "messages": [{"role": "user", "content": "hi"}],
                "modalities": ["text", "audio"],
                "audio": {"voice": "alloy", "format": "wav"},
                "stream": true,
            }),
            "audio.format",
            "unsupported_value",
        ),
    ];
    for (body, param, code) in cases {
        let (status, headers, reply) = post(&emulator, &body).await;
        assert_eq!(status, 400, "{body} -> {reply}");
        assert_eq!(reply["error"]["param"], param, "{body} -> {reply}");
        assert_eq!(reply["error"]["code"], code, "{body} -> {reply}");
        assert_eq!(reply["error"]["type"], "invalid_request_error");
        assert!(headers.contains_key("x-request-id"));
    }
    let broken = reqwest::Client::new()
        .post(url(&emulator, "d"))
        .header("api-key", "k")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let text = broken.text().await.unwrap();
    assert!(text.contains("could not parse the JSON body"), "{text}");
}

#[tokio::test]
async fn audio_over_20_mib_is_refused() {
    let emulator = Emulator::start().await.unwrap();
    let mut big = wav(24_000, 1, 1000);
    big.resize(20 * 1024 * 1024 + 1, 0);
    let data = base64::engine::general_purpose::STANDARD.encode(&big);
    let body = json!({"messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    ]}]});
    let (status, _, reply) = post(&emulator, &body).await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"]["code"], "audio_too_large");
    assert_eq!(
        reply["error"]["param"],
        "messages[0].content[0].input_audio.data"
    );
    // Exactly 20 MiB is served.
    big.truncate(20 * 1024 * 1024);
    let data = base64::engine::general_purpose::STANDARD.encode(&big);
    let body = json!({"messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    ]}]});
    let (status, _, reply) = post(&emulator, &body).await;
    assert_eq!(status, 200, "{reply}");
}
