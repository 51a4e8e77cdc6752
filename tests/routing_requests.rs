//! What a routed request carries to each backend it tries: a file upload read again from disk
//! for each, the model of each backend's deployment on the `/openai/v1` route, a stream that
//! stays on the backend that answered it, the client-side tokens-per-minute limit, and a
//! transcription checked against the model of each backend, not the client's deployment.

mod common;
#[path = "support/routing.rs"]
mod support;

use std::time::Duration;

use azure_openai_audio::routing::{Limits, Pool, RoutingConfig};
use azure_openai_audio::{
    Api, AudioSource, ErrorKind, RequestOptions, Route, TranscriptionRequest,
};
use common::{request, temp_file, wav};
use futures_util::StreamExt;
use support::{backend, builder, ok, routed, seen, server, status, too_many};
use tokio::time::Instant;
use wiremock::ResponseTemplate;

#[tokio::test(start_paused = true)]
async fn a_file_upload_is_read_again_for_each_backend_it_tries() {
    let audio = wav(40_000, 16_000);
    let path = temp_file("routing-upload", "speech.wav", &audio);
    let transcript =
        ResponseTemplate::new(200).set_body_raw(r#"{"text":"hi"}"#, "application/json");
    let limited = server(too_many(60), u64::MAX, None).await;
    let failing = server(status(503), u64::MAX, None).await;
    let healthy = server(transcript, u64::MAX, None).await;
    let pool = Pool::new(
        [
            backend(&limited, "w1"),
            backend(&failing, "w2"),
            backend(&healthy, "w3"),
        ],
        RoutingConfig::default(),
    )
    .unwrap();
    let client = builder("http://127.0.0.1:1")
        .routing(Api::Transcription, pool)
        .build()
        .unwrap();
    let source = AudioSource::from_file(&path).await.unwrap();
    let start = Instant::now();
    let reply = client
        .transcriptions()
        .create(&source, &TranscriptionRequest::new())
        .await
        .unwrap();
    assert_eq!(reply.text(), "hi");
    assert_eq!(start.elapsed(), Duration::ZERO);
    // Each backend got the whole file, at its own deployment's URL.
    for (server, deployment) in [(&limited, "w1"), (&failing, "w2"), (&healthy, "w3")] {
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 1, "{deployment}");
        let r = &received[0];
        assert_eq!(
            r.url.path(),
            format!("/openai/deployments/{deployment}/audio/transcriptions")
        );
        common::check_exact_length(r);
        let at = r
            .body
            .windows(audio.len())
            .position(|w| w == audio.as_slice());
        assert!(at.is_some(), "{deployment}: the file is not in the form");
    }
    let _ = std::fs::remove_file(path);
}

#[tokio::test(start_paused = true)]
async fn on_the_v1_route_each_backend_gets_its_own_deployment_as_the_model() {
    let a = server(too_many(60), u64::MAX, None).await;
    let b = server(ok(), u64::MAX, None).await;
    let pool = Pool::new(
        [backend(&a, "mini-east"), backend(&b, "mini-west")],
        RoutingConfig::default(),
    )
    .unwrap();
    let client = builder("http://127.0.0.1:1")
        .route(Route::V1)
        .routing(Api::Chat, pool)
        .build()
        .unwrap();
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(model(&a).await.as_deref(), Some("mini-east"));
    assert_eq!(model(&b).await.as_deref(), Some("mini-west"));
}

/// The `model` of the first request `server` got, checking it went to the v1 route.
async fn model(server: &wiremock::MockServer) -> Option<String> {
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.url.path(), "/openai/v1/chat/completions");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    body["model"].as_str().map(str::to_owned)
}

#[tokio::test(start_paused = true)]
async fn a_stream_stays_on_the_backend_that_answered_it() {
    let chunk = |text: &str| {
        format!(
            "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}},\"finish_reason\":null}}]}}\n\n"
        )
    };
    let sse = format!("{}{}data: [DONE]\n\n", chunk("from "), chunk("b"));
    let limited = server(too_many(60), u64::MAX, None).await;
    let streaming = server(
        ResponseTemplate::new(200).set_body_raw(sse, "text/event-stream"),
        u64::MAX,
        None,
    )
    .await;
    let client = routed(
        vec![backend(&limited, "a"), backend(&streaming, "b")],
        RoutingConfig::default(),
    );
    let mut stream = client.chat().stream(&request()).await.unwrap();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        for choice in &chunk.choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or_default());
        }
    }
    assert_eq!(text, "from b");
    assert_eq!((seen(&limited).await, seen(&streaming).await), (1, 1));
    let states = client.routing(Api::Chat).unwrap();
    assert_eq!((states[1].successes, states[1].in_flight), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn the_tokens_per_minute_limit_counts_the_sizes_given() {
    let only = server(ok(), u64::MAX, None).await;
    let client = routed(
        vec![backend(&only, "d").limits(Limits::new().tokens_per_minute(1_000))],
        RoutingConfig::default(),
    );
    let t0 = Instant::now();
    let sized = |tokens| RequestOptions::new().tokens(tokens);
    client
        .chat()
        .complete_with(&request(), &sized(600))
        .await
        .unwrap();
    client
        .chat()
        .complete_with(&request(), &sized(400))
        .await
        .unwrap();
    assert_eq!(t0.elapsed(), Duration::ZERO);
    // 300 more must wait for the first 600 to leave the minute.
    client
        .chat()
        .complete_with(&request(), &sized(300))
        .await
        .unwrap();
    assert_eq!(t0.elapsed(), Duration::from_secs(60));
    // A request larger than the limit is refused before anything is sent.
    let err = client
        .chat()
        .complete_with(&request(), &sized(1_001))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("1001 tokens"), "{err}");
    assert_eq!(seen(&only).await, 3);
}

#[tokio::test(start_paused = true)]
async fn a_routed_transcription_is_checked_against_each_backends_model() {
    let a = server(ok(), u64::MAX, None).await;
    let b = server(ok(), u64::MAX, None).await;
    let audio = AudioSource::from_bytes(wav(1_600, 16_000));
    let with_prompt = TranscriptionRequest::new().prompt("Names: Contoso.");
    for route in [Route::Deployments, Route::V1] {
        // Transcriptions routed over `a` and `b` with these deployments; the client's own is `own`.
        let routed_over = |on_a: &str, on_b: &str, own: &str| {
            let pool = Pool::new(
                [backend(&a, on_a), backend(&b, on_b)],
                RoutingConfig::default(),
            )
            .unwrap();
            builder("http://127.0.0.1:1")
                .route(route)
                .deployment_for(Api::Transcription, own)
                .routing(Api::Transcription, pool)
                .build()
                .unwrap()
        };
        // The client's own deployment (a diarize model, which takes no prompt) is not used when
        // routed: the backends' models take the prompt.
        let client = routed_over(
            "mini-transcribe-a",
            "mini-transcribe-b",
            "gpt-4o-transcribe-diarize",
        );
        let before = seen(&a).await + seen(&b).await;
        let reply = client.transcriptions().create(&audio, &with_prompt).await;
        assert!(
            reply.as_ref().map_err(|e| e.kind()) != Err(ErrorKind::InvalidInput),
            "{route:?}: {reply:?}"
        );
        assert_eq!(seen(&a).await + seen(&b).await, before + 1, "{route:?}");

        // A backend whose model refuses it: refused before anything is sent, naming it.
        let client = routed_over("mini-transcribe-a", "transcribe-diarize-b", "whisper");
        let err = client
            .transcriptions()
            .create(&audio, &with_prompt)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{route:?}");
        let text = err.to_string();
        assert!(
            text.contains("`prompt` is not supported by transcribe-diarize-b")
                && text.contains("backend 1 (deployment \"transcribe-diarize-b\")"),
            "{text}"
        );
        assert_eq!(seen(&a).await + seen(&b).await, before + 1, "{route:?}");
    }
}
