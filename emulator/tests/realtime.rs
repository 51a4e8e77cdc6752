//! The Realtime endpoint's handshake and session configuration, with a raw WebSocket client:
//! both routes, the refusals (status, body, request id), `session.created`, `session.update`
//! accepted and refused, `error` events for bad client events, pings.

mod realtime_support;

use azure_openai_audio_emulator::Emulator;
use futures_util::{SinkExt as _, StreamExt as _};
use realtime_support::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn ga_session_created_carries_the_full_session() {
    let emulator = Emulator::start().await.unwrap();
    let (_ws, created) = ga(&emulator).await;
    let s = &created["session"];
    assert!(created["event_id"].as_str().unwrap().starts_with("event_"));
    assert_eq!(s["type"], "realtime");
    assert_eq!(s["object"], "realtime.session");
    assert!(s["id"].as_str().unwrap().starts_with("sess_"));
    assert_eq!(s["model"], "gpt-realtime-2025-08-28");
    assert_eq!(s["output_modalities"], json!(["audio"]));
    assert_eq!(
        s["audio"]["input"]["format"],
        json!({"type": "audio/pcm", "rate": 24000})
    );
    assert_eq!(s["audio"]["input"]["turn_detection"]["type"], "server_vad");
    assert_eq!(s["audio"]["output"]["voice"], "alloy");
    assert_eq!(s["tool_choice"], "auto");
    assert!(s["expires_at"].as_i64().unwrap() > 1_700_000_000);
}

#[tokio::test]
async fn preview_session_uses_the_beta_shape_and_any_realtime_model() {
    let emulator = Emulator::start().await.unwrap();
    let (_ws, created) = connect(&emulator, &preview_path("gpt-4o-mini-realtime-preview")).await;
    let s = &created["session"];
    assert_eq!(s["model"], "gpt-4o-mini-realtime-preview-2024-12-17");
    assert_eq!(s["modalities"], json!(["audio", "text"]));
    assert_eq!(s["input_audio_format"], "pcm16");
    assert_eq!(s["turn_detection"]["type"], "server_vad");
    assert!(s.get("audio").is_none());
    // A bearer token is accepted as on the HTTP routes.
    let (_ws, response) = connect_with(
        &emulator,
        &ga_path("gpt-realtime-mini"),
        &[("authorization", "Bearer token")],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 101);
    assert!(response.headers().contains_key("apim-request-id"));
    assert_eq!(
        response.headers()["x-ms-deployment-name"],
        "gpt-realtime-mini"
    );
}

#[tokio::test]
async fn handshakes_are_refused_as_the_service_refuses_them() {
    let emulator = Emulator::builder()
        .deployments(["gpt-realtime", "gpt-4o-mini-audio-preview"])
        .start()
        .await
        .unwrap();
    let key = [("api-key", emulator.api_key())];
    let refused = |path: String, headers: &'static [(&'static str, &'static str)]| {
        let emulator = &emulator;
        async move {
            let e = connect_with(emulator, &path, headers).await.unwrap_err();
            refusal(e)
        }
    };
    // No credential, an empty bearer.
    let (status, id, body) = refused(ga_path("gpt-realtime"), &[]).await;
    assert_eq!(status, 401);
    assert_eq!(id.len(), 36, "the request id is there");
    assert_eq!(body["error"]["code"], "401");
    let (status, _, body) = refused(ga_path("gpt-realtime"), &[("authorization", "Bearer ")]).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Access token is missing"));
    // The wrong key.
    let emulator2 = Emulator::builder().api_key("right").start().await.unwrap();
    let e = connect_with(
        &emulator2,
        &ga_path("gpt-realtime"),
        &[("api-key", "wrong")],
    )
    .await;
    assert_eq!(refusal(e.unwrap_err()).0, 401);

    let with_key = |path: String| {
        let emulator = &emulator;
        async move { refusal(connect_with(emulator, &path, &key).await.unwrap_err()) }
    };
    // An api-version on the GA route: 401, as Azure answers it.
    let (status, _, _) = with_key(format!(
        "{}&api-version=2025-04-01-preview",
        ga_path("gpt-realtime")
    ))
    .await;
    assert_eq!(status, 401);
    // A deployment whose model is not a realtime one.
    let (status, _, body) = with_key(ga_path("gpt-4o-mini-audio-preview")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": {"code": "OpperationNotSupported", "message": "The realtime operation does not work with the specified model. Please choose different model and try again."}})
    );
    // A deployment that does not exist.
    let (status, _, body) = with_key(ga_path("nope-realtime")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("DeploymentNotFound"))
    );
    // No model.
    let (status, _, body) = with_key("/openai/v1/realtime".to_owned()).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("model"))
    );
    // The preview route needs an api-version it serves, and a deployment.
    let (status, _, body) =
        with_key("/openai/realtime?api-version=2020-01-01&deployment=gpt-realtime".to_owned())
            .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some("API version not supported"))
    );
    let (status, _, body) =
        with_key("/openai/realtime?api-version=2025-04-01-preview".to_owned()).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("deployment"))
    );
}

#[tokio::test]
async fn a_plain_request_to_the_route_is_told_to_use_websocket() {
    let emulator = Emulator::start().await.unwrap();
    let response = reqwest::Client::new()
        .get(format!(
            "{}{}",
            emulator.endpoint(),
            ga_path("gpt-realtime")
        ))
        .header("api-key", emulator.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("WebSocket"),
        "{body}"
    );
}

#[tokio::test]
async fn session_update_is_applied_and_answered() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, created) = ga(&emulator).await;
    send(
        &mut ws,
        json!({"type": "session.update", "event_id": "evt_1", "session": {
            "type": "realtime", "instructions": "Be brief.", "output_modalities": ["text"],
            "audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "low"},
                                "transcription": {"model": "gpt-4o-transcribe"}},
                      "output": {"voice": "marin", "speed": 1.25}},
            "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
            "tool_choice": "required"}}),
    )
    .await;
    let updated = recv(&mut ws).await;
    assert_eq!(updated["type"], "session.updated", "{updated}");
    let s = &updated["session"];
    assert_eq!(s["id"], created["session"]["id"]);
    assert_eq!(s["instructions"], "Be brief.");
    assert_eq!(s["output_modalities"], json!(["text"]));
    assert_eq!(
        s["audio"]["input"]["turn_detection"],
        json!({"type": "semantic_vad", "eagerness": "low", "create_response": true, "interrupt_response": true})
    );
    assert_eq!(
        s["audio"]["input"]["transcription"]["model"],
        "gpt-4o-transcribe"
    );
    assert_eq!(s["audio"]["output"]["voice"], "marin");
    assert_eq!(s["audio"]["output"]["speed"], 1.25);
    assert_eq!(s["tools"][0]["name"], "get_weather");
    assert_eq!(s["tool_choice"], "required");
    send(&mut ws, json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {"turn_detection": null}}}})).await;
    let updated = recv(&mut ws).await;
    assert_eq!(
        updated["session"]["audio"]["input"]["turn_detection"],
        Value::Null
    );
    assert_eq!(
        updated["session"]["instructions"], "Be brief.",
        "the rest is kept"
    );
}

/// The `error` event answering `event` (sent as text).
async fn refused(ws: &mut Ws, event: &str) -> Value {
    ws.send(Message::text(event)).await.unwrap();
    let e = recv(ws).await;
    assert_eq!(e["type"], "error", "{e}");
    assert!(e["event_id"].as_str().unwrap().starts_with("event_"));
    assert_eq!(e["error"]["type"], "invalid_request_error");
    e["error"].clone()
}

#[tokio::test]
async fn bad_client_events_get_error_events_shaped_as_the_service_sends_them() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    let e = refused(&mut ws, r#"{"type":"session.update","event_id":"evt_9","session":{"type":"realtime","audio":{"output":{"voice":"robot"}}}}"#).await;
    assert_eq!(e["code"], "invalid_value");
    assert_eq!(e["param"], "session.audio.output.voice");
    assert_eq!(e["event_id"], "evt_9");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid value: 'robot'. Supported values are: 'alloy'"));
    let e = refused(&mut ws, r#"{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"push_to_talk"}}}}}"#).await;
    assert_eq!(e["param"], "session.audio.input.turn_detection.type");
    assert_eq!(e["event_id"], Value::Null);
    let e = refused(&mut ws, r#"{"type":"session.update","session":{"type":"realtime","audio":{"output":{"format":{"type":"audio/mp3"}}}}}"#).await;
    assert_eq!(e["param"], "session.audio.output.format.type");
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"type":"realtime","output_modalities":["video"]}}"#,
    )
    .await;
    assert_eq!(e["param"], "session.output_modalities[0]");
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"type":"realtime","tools":[{"type":"function"}]}}"#,
    )
    .await;
    assert_eq!(
        (e["code"].as_str(), e["param"].as_str()),
        (
            Some("missing_required_parameter"),
            Some("session.tools[0].name")
        )
    );
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"type":"realtime","colour":"blue"}}"#,
    )
    .await;
    assert_eq!(
        (e["code"].as_str(), e["param"].as_str()),
        (Some("unknown_parameter"), Some("session.colour"))
    );
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"instructions":"x"}}"#,
    )
    .await;
    assert_eq!(e["param"], "session.type");
    let e = refused(&mut ws, "{not json").await;
    assert_eq!(e["code"], "invalid_json");
    let e = refused(&mut ws, r#"{"event_id":"evt_2"}"#).await;
    assert_eq!(
        (e["code"].as_str(), e["message"].as_str()),
        (Some("invalid_event"), Some("The 'type' field is missing."))
    );
    assert_eq!(e["event_id"], "evt_2");
    let e = refused(&mut ws, r#"{"type":"response.dance"}"#).await;
    assert_eq!(
        (e["code"].as_str(), e["param"].as_str()),
        (Some("invalid_value"), Some("type"))
    );
    let e = refused(
        &mut ws,
        r#"{"type":"input_audio_buffer.append","audio":"***"}"#,
    )
    .await;
    assert_eq!(e["param"], "audio");
    let e = refused(&mut ws, r#"{"type":"response.cancel"}"#).await;
    assert_eq!(e["code"], "response_cancel_not_active");
    let e = refused(&mut ws, r#"{"type":"input_audio_buffer.commit"}"#).await;
    assert_eq!(e["code"], "input_audio_buffer_commit_empty");
    // The session is still there after all that.
    send(
        &mut ws,
        json!({"type": "session.update", "session": {"type": "realtime"}}),
    )
    .await;
    assert_eq!(recv(&mut ws).await["type"], "session.updated");
}

#[tokio::test]
async fn preview_session_update_takes_the_beta_fields() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = connect(&emulator, &preview_path("gpt-4o-realtime-preview")).await;
    send(&mut ws, json!({"type": "session.update", "session": {"modalities": ["text"], "voice": "verse", "turn_detection": null, "input_audio_format": "g711_ulaw"}})).await;
    let s = recv(&mut ws).await;
    assert_eq!(s["type"], "session.updated", "{s}");
    assert_eq!(s["session"]["modalities"], json!(["text"]));
    assert_eq!(s["session"]["voice"], "verse");
    assert_eq!(s["session"]["input_audio_format"], "g711_ulaw");
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"modalities":["audio"]}}"#,
    )
    .await;
    assert_eq!(e["param"], "session.modalities");
    let e = refused(
        &mut ws,
        r#"{"type":"session.update","session":{"type":"realtime","audio":{}}}"#,
    )
    .await;
    assert_eq!(e["code"], "unknown_parameter");
}

#[tokio::test]
async fn pings_are_answered_and_a_close_is_returned() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    match ws.next().await {
        Some(Ok(Message::Pong(p))) => assert_eq!(&p[..], b"are you there"),
        other => panic!("expected a pong, got {other:?}"),
    }
    ws.close(None).await.unwrap();
    // The server answers the close; the stream then ends cleanly.
    loop {
        match ws.next().await {
            Some(Ok(Message::Close(_))) => continue,
            None => break,
            other => panic!("expected the close, got {other:?}"),
        }
    }
}
