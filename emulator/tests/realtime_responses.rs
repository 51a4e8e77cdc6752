//! The Realtime endpoint's responses, with a raw WebSocket client: the full GA event sequence
//! with consistent ids, audio that carries the answer, text-only output, the preview names,
//! turn detection on a synthetic signal, transcription, function calls, cancel, items.

mod realtime_support;

use std::time::Duration;

use azure_openai_audio_emulator::Emulator;
use realtime_support::*;
use serde_json::{json, Value};

const QUESTION: &str = "Is a golden retriever a good family dog?";

/// What a session hears in `pcm` when committed with transcription on and no turn detection.
async fn transcribe(emulator: &Emulator, pcm: &[u8]) -> String {
    let (mut ws, _) = ga(emulator).await;
    send(
        &mut ws,
        json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
        "turn_detection": null, "transcription": {"model": "gpt-4o-transcribe"}}}}}),
    )
    .await;
    until(&mut ws, "session.updated").await;
    append(&mut ws, pcm).await;
    send(&mut ws, json!({"type": "input_audio_buffer.commit"})).await;
    let events = until(
        &mut ws,
        "conversation.item.input_audio_transcription.completed",
    )
    .await;
    events.last().unwrap()["transcript"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_response_is_the_full_ga_sequence_with_consistent_ids_and_audio_that_carries_it() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text(QUESTION)).await;
    let added = until(&mut ws, "conversation.item.done").await;
    assert_eq!(
        types(&added),
        ["conversation.item.added", "conversation.item.done"]
    );
    let user_id = added[0]["item"]["id"].as_str().unwrap().to_owned();
    assert_eq!(added[0]["previous_item_id"], Value::Null);
    assert_eq!(added[0]["item"]["content"][0]["text"], QUESTION);

    let events = respond(&mut ws).await;
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.output_item.added",
            "conversation.item.added",
            "response.content_part.added",
            "response.output_audio.delta",
            "response.output_audio_transcript.delta",
            "response.output_audio.done",
            "response.output_audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "conversation.item.done",
            "response.done",
            "rate_limits.updated",
        ]
    );
    let response_id = events[0]["response"]["id"].as_str().unwrap();
    assert!(response_id.starts_with("resp_"));
    assert_eq!(events[0]["response"]["status"], "in_progress");
    let item_id = events[1]["item"]["id"].as_str().unwrap();
    assert_eq!(events[2]["previous_item_id"], user_id.as_str());
    let mut event_ids = std::collections::HashSet::new();
    for e in &events {
        assert!(
            event_ids.insert(e["event_id"].as_str().unwrap().to_owned()),
            "event ids are unique"
        );
        if e.get("item_id").is_some() {
            assert_eq!(e["item_id"], item_id, "{e}");
            assert_eq!(e["response_id"], response_id, "{e}");
            assert_eq!(e["output_index"], 0, "{e}");
        }
        if e.get("content_index").is_some() {
            assert_eq!(e["content_index"], 0, "{e}");
        }
    }
    fn of<'a>(events: &'a [Value], t: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        events.iter().filter(move |e| e["type"] == t)
    }
    let transcript: String = of(&events, "response.output_audio_transcript.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    let answer = format!("You said: {QUESTION}");
    assert_eq!(transcript, answer);
    assert!(of(&events, "response.output_audio_transcript.delta").count() > 3);
    let audio: Vec<u8> = of(&events, "response.output_audio.delta")
        .flat_map(|e| unb64(&e["delta"]))
        .collect();
    assert!(of(&events, "response.output_audio.delta").count() > 3);
    assert_eq!(
        audio.len(),
        (answer.len() + 4) * 1440 * 2,
        "60 ms of 24 kHz pcm16 a byte, and the preamble"
    );
    let done = of(&events, "response.output_audio_transcript.done")
        .next()
        .unwrap();
    assert_eq!(done["transcript"], answer.as_str());
    assert_eq!(
        of(&events, "response.content_part.done").next().unwrap()["part"],
        json!({"type": "audio", "transcript": answer}),
        "the part's type as the spec's GA event has it"
    );
    let item = &of(&events, "response.output_item.done").next().unwrap()["item"];
    assert_eq!(item["status"], "completed");
    assert_eq!(item["role"], "assistant");
    let response = &of(&events, "response.done").next().unwrap()["response"];
    assert_eq!(response["status"], "completed");
    assert_eq!(response["output"][0]["id"], item_id);
    let usage = &response["usage"];
    let sum = usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap();
    assert_eq!(usage["total_tokens"].as_u64().unwrap(), sum);
    assert!(
        usage["output_token_details"]["audio_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(
        usage["output_token_details"]["text_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(
        usage["input_token_details"]["text_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(events.last().unwrap()["rate_limits"][0]["name"], "requests");

    // The audio carries the answer: a session that hears it transcribes it back.
    assert_eq!(transcribe(&emulator, &audio).await, answer);
    // The item is in the conversation.
    send(
        &mut ws,
        json!({"type": "conversation.item.retrieve", "item_id": item_id}),
    )
    .await;
    let retrieved = recv(&mut ws).await;
    assert_eq!(
        retrieved["item"]["content"][0]["transcript"],
        answer.as_str()
    );
}

#[tokio::test]
async fn text_output_and_the_preview_names() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text("Hello")).await;
    until(&mut ws, "conversation.item.done").await;
    send(
        &mut ws,
        json!({"type": "response.create", "response": {"output_modalities": ["text"]}}),
    )
    .await;
    let events = until(&mut ws, "response.done").await;
    assert_eq!(
        types(&events)[3..7],
        [
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done"
        ]
    );
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(text, "You said: Hello");
    assert_eq!(
        events.last().unwrap()["response"]["output_modalities"],
        json!(["text"])
    );

    let (mut ws, _) = connect(&emulator, &preview_path("gpt-4o-realtime-preview")).await;
    send(&mut ws, user_text("Hello")).await;
    let created = recv(&mut ws).await;
    assert_eq!(created["type"], "conversation.item.created");
    assert_eq!(created["item"]["object"], "realtime.item");
    let events = respond(&mut ws).await;
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.output_item.added",
            "conversation.item.created",
            "response.content_part.added",
            "response.audio.delta",
            "response.audio_transcript.delta",
            "response.audio.done",
            "response.audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
            "rate_limits.updated",
        ]
    );
    assert_eq!(events[3]["part"]["type"], "audio");
    assert_eq!(
        events[0]["response"]["modalities"],
        json!(["audio", "text"])
    );
}

#[tokio::test]
async fn server_vad_finds_the_speech_between_silences_and_answers_it() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
        "transcription": {"model": "whisper-1"},
        "turn_detection": {"type": "server_vad", "silence_duration_ms": 400, "prefix_padding_ms": 300}}}}}))
    .await;
    until(&mut ws, "session.updated").await;
    let words = "Turn the lights on";
    let mut signal = silence(1000);
    signal.extend(speech(&emulator, words).await);
    signal.extend(silence(1000));
    append(&mut ws, &signal).await;
    let events = until(&mut ws, "rate_limits.updated").await;
    let t = types(&events);
    assert_eq!(
        t[..8],
        [
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            "conversation.item.added",
            "conversation.item.done",
            "conversation.item.input_audio_transcription.delta",
            "conversation.item.input_audio_transcription.completed",
            "response.created",
        ]
    );
    // Speech begins at 1000 ms (announced with its 300 ms of padding) and lasts 60 ms a symbol.
    assert_eq!(events[0]["audio_start_ms"], 700);
    assert_eq!(events[1]["audio_end_ms"], 1000 + 60 * (words.len() + 4));
    let item_id = &events[0]["item_id"];
    assert_eq!(&events[1]["item_id"], item_id);
    assert_eq!(&events[2]["item_id"], item_id);
    assert_eq!(&events[3]["item"]["id"], item_id);
    assert_eq!(
        events[3]["item"]["content"][0],
        json!({"type": "input_audio", "transcript": null})
    );
    let completed = events
        .iter()
        .find(|e| e["type"] == "conversation.item.input_audio_transcription.completed")
        .unwrap();
    assert_eq!(completed["transcript"], words);
    let answer: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_audio_transcript.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(answer, format!("You said: {words}"));

    // Audio that is not tone-encoded text is heard as the fixed phrase; without
    // create_response nothing answers it.
    send(
        &mut ws,
        json!({"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
        "turn_detection": {"type": "server_vad", "create_response": false}}}}}),
    )
    .await;
    until(&mut ws, "session.updated").await;
    let tone: Vec<u8> = (0..24_000)
        .flat_map(|n: i32| (((n as f64 * 0.05).sin() * 8000.0) as i16).to_le_bytes())
        .collect();
    let mut signal = tone;
    signal.extend(silence(600));
    append(&mut ws, &signal).await;
    let events = until(
        &mut ws,
        "conversation.item.input_audio_transcription.completed",
    )
    .await;
    // The session's input so far ran 2000 ms plus the first speech; the padding is 300 ms.
    assert_eq!(events[0]["audio_start_ms"], 1700 + 60 * (words.len() + 4));
    assert_eq!(
        events.last().unwrap()["transcript"],
        "Hello, can you hear me?"
    );
    send(&mut ws, json!({"type": "input_audio_buffer.clear"})).await;
    assert_eq!(
        recv(&mut ws).await["type"],
        "input_audio_buffer.cleared",
        "no response was started"
    );
}

#[tokio::test]
async fn a_function_call_round_trip() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, json!({"type": "session.update", "session": {"type": "realtime", "tools": [
        {"type": "function", "name": "get_weather", "description": "The weather somewhere.",
         "parameters": {"type": "object", "properties": {"location": {"type": "string"}, "days": {"type": "integer"}}}}]}}))
    .await;
    until(&mut ws, "session.updated").await;
    let prompt = "Please get weather for Paris";
    send(&mut ws, user_text(prompt)).await;
    until(&mut ws, "conversation.item.done").await;
    let events = respond(&mut ws).await;
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.output_item.added",
            "conversation.item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "conversation.item.done",
            "response.done",
            "rate_limits.updated",
        ]
    );
    let item = &events[1]["item"];
    assert_eq!(
        (item["type"].as_str(), item["name"].as_str()),
        (Some("function_call"), Some("get_weather"))
    );
    let call_id = item["call_id"].as_str().unwrap().to_owned();
    let deltas: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.function_call_arguments.delta")
        .collect();
    assert!(deltas.len() > 1);
    let joined: String = deltas
        .iter()
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    let done = &events[deltas.len() + 3];
    assert_eq!(done["arguments"], joined.as_str());
    assert_eq!(
        (done["call_id"].as_str(), done["name"].as_str()),
        (Some(call_id.as_str()), Some("get_weather"))
    );
    let args: Value = serde_json::from_str(&joined).unwrap();
    assert_eq!(args, json!({"location": prompt, "days": 1}));
    let done = events
        .iter()
        .find(|e| e["type"] == "response.done")
        .unwrap();
    let output = &done["response"]["output"][0];
    assert_eq!(
        (output["status"].as_str(), output["arguments"].as_str()),
        (Some("completed"), Some(joined.as_str()))
    );

    send(
        &mut ws,
        json!({"type": "conversation.item.create", "item": {"type": "function_call_output",
        "call_id": call_id, "output": "{\"temperature\":21}"}}),
    )
    .await;
    until(&mut ws, "conversation.item.done").await;
    send(&mut ws, json!({"type": "response.create"})).await;
    let events = until(&mut ws, "response.done").await;
    let transcript = events
        .iter()
        .find(|e| e["type"] == "response.output_audio_transcript.done")
        .unwrap();
    assert_eq!(
        transcript["transcript"],
        "The get_weather function returned: {\"temperature\":21}"
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
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text(QUESTION)).await;
    until(&mut ws, "conversation.item.done").await;
    send(&mut ws, json!({"type": "response.create"})).await;
    let first = until(&mut ws, "response.output_audio.delta").await;
    let response_id = first[0]["response"]["id"].as_str().unwrap().to_owned();
    // A second response while one is active is refused.
    send(
        &mut ws,
        json!({"type": "response.create", "event_id": "evt_2"}),
    )
    .await;
    let error = until(&mut ws, "error").await.pop().unwrap();
    assert_eq!(
        error["error"]["code"],
        "conversation_already_has_active_response"
    );
    assert_eq!(error["error"]["event_id"], "evt_2");
    send(&mut ws, json!({"type": "response.cancel"})).await;
    let rest = until(&mut ws, "response.done").await;
    let sent = first
        .iter()
        .chain(&rest)
        .filter(|e| e["type"] == "response.output_audio.delta")
        .count();
    let full = (format!("You said: {QUESTION}").len() + 4).div_ceil(5);
    assert!(sent < full, "{sent} of {full} audio deltas were sent");
    assert!(!rest
        .iter()
        .any(|e| e["type"] == "response.output_audio.done"));
    let item_done = rest
        .iter()
        .find(|e| e["type"] == "response.output_item.done")
        .unwrap();
    assert_eq!(item_done["item"]["status"], "incomplete");
    let done = &rest.last().unwrap()["response"];
    assert_eq!(done["id"], response_id.as_str());
    assert_eq!(done["status"], "cancelled");
    assert_eq!(
        done["status_details"],
        json!({"type": "cancelled", "reason": "client_cancelled"})
    );
    // Nothing more of it comes; the next response is answered.
    send(&mut ws, json!({"type": "response.cancel"})).await;
    assert_eq!(
        recv(&mut ws).await["error"]["code"],
        "response_cancel_not_active"
    );
    send(&mut ws, json!({"type": "response.create"})).await;
    assert_eq!(recv(&mut ws).await["type"], "response.created");
}

#[tokio::test]
async fn items_are_kept_deleted_truncated_and_out_of_band_responses_leave_them_alone() {
    let emulator = Emulator::start().await.unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text("first")).await;
    let a = until(&mut ws, "conversation.item.done").await[0]["item"]["id"].clone();
    let mut item = user_text("zeroth");
    item["previous_item_id"] = json!("root");
    send(&mut ws, item).await;
    let added = until(&mut ws, "conversation.item.done").await;
    assert_eq!(added[0]["previous_item_id"], Value::Null);
    let zeroth = added[0]["item"]["id"].clone();
    send(
        &mut ws,
        json!({"type": "conversation.item.delete", "item_id": zeroth}),
    )
    .await;
    let deleted = recv(&mut ws).await;
    assert_eq!(
        (deleted["type"].as_str(), &deleted["item_id"]),
        (Some("conversation.item.deleted"), &zeroth)
    );
    send(
        &mut ws,
        json!({"type": "conversation.item.retrieve", "item_id": zeroth}),
    )
    .await;
    assert_eq!(recv(&mut ws).await["error"]["code"], "item_not_found");

    // Out of band: the output is not added to the conversation.
    send(&mut ws, json!({"type": "response.create", "response": {"conversation": "none", "metadata": {"topic": "x"}}})).await;
    let events = until(&mut ws, "response.done").await;
    assert!(!events
        .iter()
        .any(|e| e["type"] == "conversation.item.added"));
    assert_eq!(
        events.last().unwrap()["response"]["metadata"],
        json!({"topic": "x"})
    );
    let oob = events[1]["item"]["id"].clone();
    send(
        &mut ws,
        json!({"type": "conversation.item.retrieve", "item_id": oob}),
    )
    .await;
    assert_eq!(
        until(&mut ws, "error").await.pop().unwrap()["error"]["code"],
        "item_not_found"
    );

    send(&mut ws, json!({"type": "response.create"})).await;
    let events = until(&mut ws, "response.done").await;
    let added = events
        .iter()
        .find(|e| e["type"] == "conversation.item.added")
        .unwrap();
    assert_eq!(added["previous_item_id"], a, "after the user's item");
    let answer = added["item"]["id"].clone();
    send(&mut ws, json!({"type": "conversation.item.truncate", "item_id": answer, "content_index": 0, "audio_end_ms": 1500})).await;
    let truncated = until(&mut ws, "conversation.item.truncated")
        .await
        .pop()
        .unwrap();
    assert_eq!(
        (
            truncated["item_id"].clone(),
            truncated["audio_end_ms"].clone()
        ),
        (answer.clone(), json!(1500))
    );
    send(&mut ws, json!({"type": "conversation.item.truncate", "item_id": a, "content_index": 0, "audio_end_ms": 10})).await;
    assert_eq!(
        until(&mut ws, "error").await.pop().unwrap()["error"]["param"],
        "content_index"
    );
}

#[tokio::test(start_paused = true)]
async fn speech_during_a_response_interrupts_it() {
    let emulator = Emulator::builder()
        .stream_interval(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let (mut ws, _) = ga(&emulator).await;
    send(&mut ws, user_text(QUESTION)).await;
    send(&mut ws, json!({"type": "response.create"})).await;
    let first = until(&mut ws, "response.created").await;
    let response_id = first.last().unwrap()["response"]["id"].clone();
    append(&mut ws, &speech(&emulator, "Stop").await).await;
    let events = until(&mut ws, "response.done").await;
    let started = events
        .iter()
        .position(|e| e["type"] == "input_audio_buffer.speech_started")
        .unwrap();
    let done = events.last().unwrap();
    assert!(started < events.len() - 1);
    assert_eq!(done["response"]["id"], response_id);
    assert_eq!(
        done["response"]["status_details"],
        json!({"type": "cancelled", "reason": "turn_detected"})
    );
}
