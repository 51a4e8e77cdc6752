use super::*;

fn metadata() -> ResponseMetadata {
    ResponseMetadata {
        status: 200,
        x_request_id: Some("req-1".into()),
        ..ResponseMetadata::default()
    }
}

/// Decodes `pieces` in order; returns the chunks and the error that ended the stream, if any.
fn decode(pieces: &[&[u8]]) -> (Vec<ChatCompletionChunk>, Option<Error>) {
    let mut d = ChunkDecoder::new(metadata());
    let mut chunks = Vec::new();
    let mut push = |item: Result<ChatCompletionChunk>| match item {
        Ok(c) => {
            chunks.push(c);
            None
        }
        Err(e) => Some(e),
    };
    for piece in pieces {
        d.push(piece);
        while let Some(item) = d.next_chunk() {
            if let Some(e) = push(item) {
                return (chunks, Some(e));
            }
        }
    }
    while let Some(item) = d.finish() {
        if let Some(e) = push(item) {
            return (chunks, Some(e));
        }
    }
    (chunks, None)
}

#[test]
fn done_ends_the_stream_and_later_bytes_are_ignored() {
    let (chunks, err) =
        decode(&[b"data: {\"id\":\"a\"}\n\ndata: [DONE]\n\ndata: {\"id\":\"b\"}\n\n"]);
    assert!(err.is_none());
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].id, "a");
}

#[test]
fn missing_done_is_a_transport_error_after_the_chunks() {
    let (chunks, err) = decode(&[b"data: {\"id\":\"a\"}\n\ndata: {\"id\":\"b\"}"]);
    assert_eq!(chunks.len(), 2, "the unterminated last event still counts");
    let err = err.expect("an error for the missing [DONE]");
    assert_eq!(err.kind(), crate::ErrorKind::Transport);
    assert_eq!(err.request_id(), Some("req-1"));
}

#[test]
fn error_object_mid_stream_is_a_typed_api_error() {
    let (chunks, err) = decode(&[
        b"data: {\"id\":\"a\",\"choices\":[]}\n\n",
        b"data: {\"error\":{\"code\":\"server_error\",\"message\":\"The server had an error\"}}\n\n",
        b"data: {\"id\":\"never\"}\n\ndata: [DONE]\n\n",
    ]);
    assert_eq!(chunks.len(), 1);
    let err = err.unwrap();
    assert_eq!(err.kind(), crate::ErrorKind::Api);
    assert_eq!(err.code(), Some("server_error"));
    assert_eq!(err.api_error().unwrap().message, "The server had an error");
    assert_eq!(err.request_id(), Some("req-1"));
    assert!(err.to_string().contains("server_error"), "{err}");
}

#[test]
fn error_event_type_is_a_typed_error_too() {
    let (_, err) =
        decode(&[b"event: error\ndata: {\"error\":{\"code\":\"429\",\"message\":\"slow\"}}\n\n"]);
    assert_eq!(err.unwrap().code(), Some("429"));
}

#[test]
fn named_events_other_than_message_are_skipped() {
    let (chunks, err) = decode(&[
        b"event: ping\ndata: pong\n\nevent: message\ndata: {\"id\":\"a\"}\n\ndata: [DONE]\n\n",
    ]);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].id, "a");
}

#[test]
fn an_event_that_is_not_json_is_a_decode_error() {
    let (_, err) = decode(&[b"data: {\"id\":\n\n"]);
    assert_eq!(err.unwrap().kind(), crate::ErrorKind::Decode);
}

/// The Azure recording's SSE body, verbatim.
pub(crate) fn azure_recording() -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recordings/azure-chat-streaming-sse-async-content-filter.2025-01-01-preview.recording-excerpt.json"
    ))
    .expect("the shared recordings are next to the crate");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["Entries"][0]["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect::<String>()
        .into_bytes()
}

const AUDIO_FIXTURE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/azure-chat-audio-streaming.sse"
));

/// The fixture's audio: sample k = (k * 977 mod 65536) - 32768, 2400 samples.
fn fixture_pcm() -> Vec<u8> {
    (0..2400i32)
        .flat_map(|k| ((k * 977 % 65536 - 32768) as i16).to_le_bytes())
        .collect()
}

fn assert_same_chunks_under_every_split(body: &[u8]) -> Vec<ChatCompletionChunk> {
    let (whole, err) = decode(&[body]);
    assert!(err.is_none(), "{err:?}");
    for i in 0..=body.len() {
        let (split, err) = decode(&[&body[..i], &body[i..]]);
        assert!(err.is_none(), "split at {i}: {err:?}");
        assert!(split == whole, "split at {i} changed the chunks");
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert!(decode(&bytes).0 == whole, "one byte at a time");
    let crlf = String::from_utf8(body.to_vec())
        .unwrap()
        .replace('\n', "\r\n");
    assert!(decode(&[crlf.as_bytes()]).0 == whole, "CRLF line ends");
    whole
}

#[test]
fn azure_recording_gives_the_same_chunks_under_every_split() {
    let chunks = assert_same_chunks_under_every_split(&azure_recording());
    assert_eq!(chunks.len(), 10, "11 events, the last is [DONE]");
    assert_eq!(chunks[0].id, "");
    assert!(chunks[0].choices.is_empty());
    assert_eq!(chunks[0].prompt_filter_results.len(), 1);
    assert_eq!(chunks[2].content_delta(), Some("Hello"));
    assert_eq!(
        chunks[7].choices[0]
            .content_filter_offsets
            .unwrap()
            .end_offset,
        992
    );
    assert_eq!(chunks[9].usage.as_ref().unwrap().total_tokens, 226);
}

#[test]
fn audio_fixture_gives_the_same_chunks_under_every_split() {
    let chunks = assert_same_chunks_under_every_split(AUDIO_FIXTURE);
    assert_eq!(chunks.len(), 24);
    let audio: Vec<u8> = chunks
        .iter()
        .filter_map(|c| c.audio_delta())
        .flat_map(|a| a.as_bytes().to_vec())
        .collect();
    assert_eq!(audio, fixture_pcm());
    assert!(chunks.iter().filter(|c| c.choices.is_empty()).count() >= 5);
    assert!(chunks
        .iter()
        .all(|c| c.choices.iter().all(|ch| ch.finish_reason.is_none())));
}

#[test]
fn accumulated_azure_stream_has_text_usage_and_merged_filter_results() {
    let mut acc = StreamAccumulator::new().with_metadata(metadata());
    for c in decode(&[&azure_recording()]).0 {
        acc.push(&c);
    }
    let reply = acc.into_completion();
    assert_eq!(reply.id, "chatcmpl-BQHjZPCh74QyewajBbRQvN8J4hTNw");
    assert_eq!(reply.object, "chat.completion");
    assert_eq!(reply.created, 1745604397);
    assert_eq!(reply.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(reply.system_fingerprint.as_deref(), Some("fp_7a53abb7a2"));
    assert_eq!(reply.text(), Some("Hello! benefits!"));
    assert_eq!(reply.usage.as_ref().unwrap().prompt_tokens, 23);
    assert_eq!(reply.prompt_filter_results.len(), 1);
    assert_eq!(reply.metadata.request_id(), Some("req-1"));
    let choice = &reply.choices[0];
    assert_eq!(choice.finish_reason, Some(crate::FinishReason::Stop));
    assert_eq!(choice.message.role.as_deref(), Some("assistant"));
    let filter = choice.content_filter_results.as_ref().unwrap();
    // Categories from both post-finish events are kept.
    assert!(filter.custom_blocklists.as_ref().unwrap().filtered);
    assert_eq!(
        filter.custom_blocklists.as_ref().unwrap().details[0].id,
        "TestBlocklistNoBanana"
    );
    assert!(filter.protected_material_code.is_some());
    assert!(filter.hate.is_some());
    assert!(filter.any_filtered());
    assert!(reply.audio().is_none());
}

#[test]
fn accumulated_audio_stream_is_usable_mid_stream_and_continues_a_conversation() {
    let chunks = decode(&[AUDIO_FIXTURE]).0;
    let mut acc = StreamAccumulator::new();
    for c in &chunks[..4] {
        acc.push(c);
    }
    // Mid-stream: the id and the first transcript pieces and audio are already there.
    assert_eq!(
        acc.audio_id(),
        Some("audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3")
    );
    assert_eq!(acc.transcript(), "Yes,");
    assert_eq!(acc.audio_bytes(), &fixture_pcm()[..960]);
    assert!(acc.usage().is_none());
    let snapshot = acc.completion();
    assert_eq!(snapshot.audio().unwrap().data.len(), 960);
    for c in &chunks[4..] {
        acc.push(c);
    }
    let reply = acc.into_completion();
    let audio = reply.audio().unwrap();
    assert_eq!(audio.id, "audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3");
    assert_eq!(
        audio.transcript,
        "Yes, golden retrievers are great family dogs."
    );
    assert_eq!(audio.data.as_bytes(), fixture_pcm());
    assert_eq!(audio.expires_at, Some(1738127056));
    assert_eq!(reply.message().unwrap().content, None);
    assert_eq!(reply.choices[0].finish_reason, None);
    assert_eq!(reply.choices.len(), 1);
    let usage = reply.usage.as_ref().unwrap();
    assert_eq!(usage.total_tokens, 78);
    assert_eq!(
        usage
            .completion_tokens_details
            .as_ref()
            .unwrap()
            .audio_tokens,
        Some(47)
    );
    assert_eq!(reply.prompt_filter_results.len(), 1);
    assert!(reply.choices[0]
        .content_filter_results
        .as_ref()
        .unwrap()
        .hate
        .is_some());
    assert_eq!(reply.id, "chatcmpl-AuFwvPqH0sMfq7Wn2c9XkTz4bD1eR");

    let mut chat = crate::Conversation::new(ChatRequest::default());
    chat.push_user("Is a golden retriever a good family dog?");
    chat.record(&reply);
    chat.push_user("Why?");
    let next = serde_json::to_value(chat.request_at(1738123500)).unwrap();
    assert_eq!(
        next["messages"][1],
        serde_json::json!({"role": "assistant", "audio": {"id": "audio_6799a9c7c6b48190a3c4e8f2b7d1e5a3"}})
    );
}

#[test]
fn chat_stream_can_move_between_tasks() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<ChatStream>();
    assert_send::<StreamAccumulator>();
}
