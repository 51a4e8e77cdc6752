//! The SDK's Realtime session against the crate's own emulator, through `client.realtime()`:
//! the GA sequence gathered with `ResponseCollector`, the preview protocol, a server VAD turn, a
//! function call round trip, a cancel, and the faults (refused handshakes, a dropped socket, the
//! session limit); a routed connect that moves off a backend answering 429 at once.

use std::time::Duration;

use azure_openai_audio::realtime::{RealtimeProtocol, ResponseStatus, ServerVad};
use azure_openai_audio::routing::{Backend, Pool, RoutingConfig};
use azure_openai_audio::{
    Api, Client, ErrorKind, Modality, RealtimeServerEvent, RealtimeSessionConfig, RealtimeTool,
    ResponseCollector, SpeechFormat, SpeechRequest, TurnDetection, Voice,
};
use azure_openai_audio_emulator::{Emulator, Fault};
use serde_json::{json, Value};

const QUESTION: &str = "Is a golden retriever a good family dog?";

/// A client for the emulator whose Realtime deployment is `gpt-realtime`; no timeouts (paused
/// clocks) and no idle timer on the connection pool (which the paused clock would jump to).
fn client(emulator: &Emulator) -> Client {
    emulator
        .client_builder("gpt-4o-audio-preview")
        .deployment_for(Api::Realtime, "gpt-realtime")
        .timeout(None)
        .connect_timeout(None)
        .configure_http(|http| http.pool_idle_timeout(None))
        .build()
        .unwrap()
}

/// The events of a session up to and including `response.done` (their types, in order), and
/// what the collector made of them.
async fn collect(
    session: &mut azure_openai_audio::realtime::RealtimeSession,
) -> (Vec<String>, ResponseCollector) {
    let mut types = Vec::new();
    let mut collector = ResponseCollector::new();
    loop {
        let event = session.next_event().await.unwrap().expect("an event");
        types.push(event.event_type().to_owned());
        collector.push(&event);
        if matches!(event, RealtimeServerEvent::ResponseDone(_)) {
            return (types, collector);
        }
    }
}

/// Reads events until one whose type is `kind`; returns it.
async fn until(
    session: &mut azure_openai_audio::realtime::RealtimeSession,
    kind: &str,
) -> RealtimeServerEvent {
    loop {
        let event = session.next_event().await.unwrap().expect("an event");
        if event.event_type() == kind {
            return event;
        }
    }
}

/// What the emulator hears in `pcm` (24 kHz pcm16) sent as a question: its answer's transcript.
async fn hear(client: &Client, pcm: &[u8]) -> String {
    let mut session = client.realtime().connect().await.unwrap();
    let config = RealtimeSessionConfig::new().turn_detection(TurnDetection::Disabled);
    session.sender().configure(config).await.unwrap();
    session.sender().append_pcm16(pcm).await.unwrap();
    session.sender().commit().await.unwrap();
    session.sender().create_response().await.unwrap();
    let (_, collector) = collect(&mut session).await;
    collector.transcript().to_owned()
}

/// The emulator's speech for `text`: 24 kHz pcm16 that carries the text.
async fn speech(client: &Client, text: &str) -> Vec<u8> {
    let request = SpeechRequest::new(text, Voice::Alloy).response_format(SpeechFormat::Pcm);
    let audio = client.speech().create(&request).await.unwrap();
    audio.as_bytes().to_vec()
}

#[tokio::test]
async fn the_ga_sequence_gathered_by_the_collector() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let mut session = client.realtime().connect().await.unwrap();
    let first = session.next_event().await.unwrap().unwrap();
    let RealtimeServerEvent::SessionCreated(created) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(created.session.extra["model"], "gpt-realtime-2025-08-28");
    let config = RealtimeSessionConfig::new()
        .voice(Voice::Marin)
        .instructions("Be brief.")
        .output_modalities([Modality::Audio]);
    session.sender().configure(config).await.unwrap();
    let RealtimeServerEvent::SessionUpdated(updated) = until(&mut session, "session.updated").await
    else {
        unreachable!()
    };
    assert_eq!(updated.session.instructions.as_deref(), Some("Be brief."));
    session.sender().send_text(QUESTION).await.unwrap();
    session.sender().create_response().await.unwrap();
    let (types, collector) = collect(&mut session).await;
    let answer = format!("You said: {QUESTION}");

    // The question's item events, then the response's full GA sequence: deltas of the
    // transcript and of the audio between the opening and the closing events.
    let response = types.iter().position(|t| t == "response.created").unwrap();
    assert_eq!(
        types[..response],
        ["conversation.item.added", "conversation.item.done"]
    );
    let shape: Vec<&str> = types[response..].iter().map(String::as_str).collect();
    let (head, rest) = shape.split_at(4);
    let (deltas, tail) = rest.split_at(rest.len() - 6);
    assert_eq!(
        head,
        [
            "response.created",
            "response.output_item.added",
            "conversation.item.added",
            "response.content_part.added",
        ]
    );
    assert_eq!(
        tail,
        [
            "response.output_audio.done",
            "response.output_audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "conversation.item.done",
            "response.done",
        ]
    );
    assert!(deltas.iter().all(|t| matches!(
        *t,
        "response.output_audio.delta" | "response.output_audio_transcript.delta"
    )));
    assert_eq!(deltas.last(), Some(&"response.output_audio.delta"));
    assert_eq!(collector.status(), Some(&ResponseStatus::Completed));
    assert_eq!(collector.transcript(), answer);
    assert_eq!(collector.text(), "");
    assert!(collector.function_calls().is_empty());
    let audio = collector.audio();
    assert!(audio.len() % 2 == 0 && audio.len() >= answer.len() * 1_440 * 2);
    let usage = collector.usage().unwrap();
    assert!(usage.input_tokens > 0 && usage.output_tokens > 0);
    assert_eq!(usage.total_tokens, usage.input_tokens + usage.output_tokens);
    // `rate_limits.updated` follows the response.
    until(&mut session, "rate_limits.updated").await;
    // The audio carries its words: sent back as a question, it is heard.
    assert_eq!(hear(&client, audio).await, format!("You said: {answer}"));
    session.close().await.unwrap();
    assert!(session.next_event().await.unwrap().is_none());
}

#[tokio::test]
async fn the_preview_protocol_end_to_end() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let mut session = client
        .realtime()
        .deployment("gpt-4o-realtime-preview")
        .protocol(RealtimeProtocol::Preview)
        .connect()
        .await
        .unwrap();
    let RealtimeServerEvent::SessionCreated(created) = session.next_event().await.unwrap().unwrap()
    else {
        panic!("session.created first")
    };
    assert_eq!(
        created.session.extra["model"],
        "gpt-4o-realtime-preview-2024-12-17"
    );
    // The GA configuration, rewritten by the sender to the preview's shapes (the emulator
    // refuses GA fields on the preview route).
    let config = RealtimeSessionConfig::new()
        .voice(Voice::Alloy)
        .output_modalities([Modality::Audio])
        .turn_detection(TurnDetection::Disabled);
    session.sender().configure(config).await.unwrap();
    let updated = session.next_event().await.unwrap().unwrap();
    assert_eq!(updated.event_type(), "session.updated", "{updated:?}");
    session.sender().send_text(QUESTION).await.unwrap();
    // The preview names its item event `conversation.item.created`.
    let created = session.next_event().await.unwrap().unwrap();
    assert!(
        matches!(created, RealtimeServerEvent::ItemCreated(_)),
        "{created:?}"
    );
    session.sender().create_response().await.unwrap();
    let (types, collector) = collect(&mut session).await;
    // `response.audio.delta` and `response.audio_transcript.delta` arrive as the GA events.
    assert!(types.iter().any(|t| t == "response.output_audio.delta"));
    assert!(types
        .iter()
        .any(|t| t == "response.output_audio_transcript.done"));
    assert_eq!(collector.transcript(), format!("You said: {QUESTION}"));
    assert!(!collector.audio().is_empty());
    assert_eq!(collector.status(), Some(&ResponseStatus::Completed));
}

#[tokio::test]
async fn a_server_vad_turn_is_found_committed_transcribed_and_answered() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let words = "Turn the lights on";
    let spoken = speech(&client, words).await;
    let mut session = client.realtime().connect().await.unwrap();
    let vad = ServerVad::default()
        .silence_duration_ms(400)
        .prefix_padding_ms(300);
    let config = RealtimeSessionConfig::new()
        .turn_detection(TurnDetection::ServerVad(vad))
        .input_transcription("whisper-1");
    session.sender().configure(config).await.unwrap();
    until(&mut session, "session.updated").await;
    // A second of silence, the speech, a second of silence: no commit, no response.create.
    let mut signal = vec![0u8; 48_000];
    signal.extend(&spoken);
    signal.extend(vec![0u8; 48_000]);
    session.sender().append_pcm16(&signal).await.unwrap();

    let RealtimeServerEvent::SpeechStarted(started) = session.next_event().await.unwrap().unwrap()
    else {
        panic!("speech_started first")
    };
    assert_eq!(
        started.audio_start_ms,
        Some(700),
        "1000 ms less the padding"
    );
    let RealtimeServerEvent::SpeechStopped(stopped) = session.next_event().await.unwrap().unwrap()
    else {
        panic!("then speech_stopped")
    };
    assert_eq!(stopped.audio_end_ms, Some(1_000 + spoken.len() as u64 / 48));
    assert_eq!(stopped.item_id, started.item_id);
    let committed = session.next_event().await.unwrap().unwrap();
    assert_eq!(committed.event_type(), "input_audio_buffer.committed");
    let RealtimeServerEvent::InputTranscriptionCompleted(heard) = until(
        &mut session,
        "conversation.item.input_audio_transcription.completed",
    )
    .await
    else {
        unreachable!()
    };
    assert_eq!(heard.transcript, words);
    // The response starts by itself.
    let (types, collector) = collect(&mut session).await;
    assert_eq!(types[0], "response.created");
    assert_eq!(collector.transcript(), format!("You said: {words}"));
}

#[tokio::test]
async fn a_function_call_round_trip_with_function_output() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    let mut session = client.realtime().connect().await.unwrap();
    let weather = RealtimeTool::function(
        "get_weather",
        "The weather somewhere.",
        json!({"type": "object", "properties": {"location": {"type": "string"}, "days": {"type": "integer"}}}),
    );
    let config = RealtimeSessionConfig::new().tool(weather);
    session.sender().configure(config).await.unwrap();
    until(&mut session, "session.updated").await;
    let prompt = "Please get weather for Paris";
    session.sender().send_text(prompt).await.unwrap();
    session.sender().create_response().await.unwrap();
    let (types, collector) = collect(&mut session).await;
    assert!(types
        .iter()
        .any(|t| t == "response.function_call_arguments.delta"));
    let calls = collector.function_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "get_weather");
    let arguments: Value = serde_json::from_str(&calls[0].arguments).unwrap();
    assert_eq!(arguments, json!({"location": prompt, "days": 1}));
    assert_eq!(collector.transcript(), "");

    // The output, then `response.create` (function_output sends both): the model goes on.
    let call_id = calls[0].call_id.clone();
    session
        .sender()
        .function_output(call_id, r#"{"temperature":21}"#)
        .await
        .unwrap();
    let (_, collector) = collect(&mut session).await;
    assert_eq!(
        collector.transcript(),
        r#"The get_weather function returned: {"temperature":21}"#
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancel_lands_mid_response() {
    // A pause before each step, so the response is still being sent when the cancel arrives.
    let emulator = Emulator::builder()
        .stream_interval(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let client = client(&emulator);
    let mut session = client.realtime().connect().await.unwrap();
    session.sender().send_text(QUESTION).await.unwrap();
    session.sender().create_response().await.unwrap();
    let mut collector = ResponseCollector::new();
    loop {
        let event = session.next_event().await.unwrap().unwrap();
        collector.push(&event);
        if matches!(event, RealtimeServerEvent::OutputAudioDelta(_)) {
            break;
        }
    }
    session.sender().cancel_response().await.unwrap();
    let (types, rest) = collect(&mut session).await;
    assert!(!types.iter().any(|t| t == "response.output_audio.done"));
    assert_eq!(rest.status(), Some(&ResponseStatus::Cancelled));
    let answer = format!("You said: {QUESTION}");
    assert!(collector.transcript().len() + rest.transcript().len() < answer.len());
}

#[tokio::test]
async fn a_refused_handshake_is_typed_and_a_401_is_not_retried() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    emulator.inject(Fault::Unauthorized, 2);
    let e = client.realtime().connect().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status(), Some(401));
    assert!(e.request_id().is_some());
    assert_eq!(
        e.attempts(),
        1,
        "an api key is not refreshed, nor a 401 retried"
    );
    assert_eq!(emulator.pending_faults(), 1);
    emulator.clear_faults();
    // A deployment that is not a realtime model: the service's 400.
    let e = client
        .realtime()
        .deployment("gpt-4o-audio-preview")
        .connect()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(
        e.to_string().contains("realtime operation does not work"),
        "{e}"
    );
    client.realtime().connect().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_429_at_the_handshake_is_retried_then_connects() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    emulator.inject(Fault::rate_limit(Duration::from_secs(2)), 1);
    let before = tokio::time::Instant::now();
    let mut session = client.realtime().connect().await.unwrap();
    assert_eq!(before.elapsed(), Duration::from_secs(2), "waited as asked");
    assert_eq!(emulator.pending_faults(), 0);
    let first = session.next_event().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "session.created");
}

#[tokio::test]
async fn a_socket_dropped_mid_response_is_a_transport_error_that_can_reconnect() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    emulator.inject(Fault::DropMidResponse { after_deltas: 3 }, 1);
    let mut session = client.realtime().connect().await.unwrap();
    session.sender().send_text(QUESTION).await.unwrap();
    session.sender().create_response().await.unwrap();
    let mut deltas = 0;
    let e = loop {
        match session.next_event().await {
            Ok(Some(event)) => {
                deltas += usize::from(event.event_type().ends_with(".delta"));
            }
            Ok(None) => panic!("the session ended without an error"),
            Err(e) => break e,
        }
    };
    assert_eq!(deltas, 3);
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(e.close_code(), None);
    assert!(e.can_reconnect());
    // A new session goes on.
    client.realtime().connect().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_session_limit_is_a_1001_close_that_can_reconnect() {
    let emulator = Emulator::start().await.unwrap();
    let client = client(&emulator);
    emulator.inject(
        Fault::SessionLimit {
            after: Duration::from_secs(120),
        },
        1,
    );
    // The keepalive pings keep the quiet session open until the limit.
    let mut session = client.realtime().connect().await.unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(
        session.next_event().await.unwrap().unwrap().event_type(),
        "session.created"
    );
    let RealtimeServerEvent::Error(expired) = session.next_event().await.unwrap().unwrap() else {
        panic!("an error event first")
    };
    assert_eq!(expired.error.code.as_deref(), Some("session_expired"));
    let e = session.next_event().await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(120));
    assert_eq!(e.kind(), ErrorKind::Closed);
    assert_eq!(e.close_code(), Some(1001));
    assert!(
        e.close_reason().unwrap().contains("maximum duration"),
        "{e}"
    );
    assert!(e.can_reconnect());
}

#[tokio::test(start_paused = true)]
async fn a_routed_connect_leaves_a_backend_answering_429_at_once() {
    let busy = Emulator::start().await.unwrap();
    let free = Emulator::start().await.unwrap();
    busy.inject(Fault::rate_limit(Duration::from_secs(30)), 1);
    let backend = |e: &Emulator, priority| {
        Backend::new(e.endpoint().parse().unwrap(), "gpt-realtime").priority(priority)
    };
    // The busy backend first (priority 0), the free one next.
    let pool = Pool::new(
        [backend(&busy, 0), backend(&free, 1)],
        RoutingConfig::default(),
    )
    .unwrap();
    let client = busy
        .client_builder("gpt-4o-audio-preview")
        .routing(Api::Realtime, pool)
        .timeout(None)
        .connect_timeout(None)
        .configure_http(|http| http.pool_idle_timeout(None))
        .build()
        .unwrap();
    let before = tokio::time::Instant::now();
    let mut session = client.realtime().connect().await.unwrap();
    assert_eq!(
        before.elapsed(),
        Duration::ZERO,
        "no wait for the busy backend"
    );
    assert_eq!(busy.pending_faults(), 0, "the busy backend was tried first");
    let first = session.next_event().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "session.created");
    assert_eq!((busy.requests_received(), free.requests_received()), (1, 1));
}
