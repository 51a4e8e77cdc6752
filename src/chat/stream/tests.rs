use super::*;
use bytes::Bytes;

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
        while let Some(item) = d.next_item() {
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

/// What decoding gives: the chunks, and the error that ended the stream (kind, request id and
/// message) or `None` when it ended with `[DONE]`.
type Outcome = (
    Vec<ChatCompletionChunk>,
    Option<(crate::ErrorKind, Option<String>, String)>,
);

fn outcome(pieces: &[&[u8]]) -> Outcome {
    let (chunks, err) = decode(pieces);
    let err = err.map(|e| (e.kind(), e.request_id().map(str::to_owned), e.to_string()));
    (chunks, err)
}

/// The same outcome (chunks and trailing error) for `body` in one piece, cut in two at every
/// byte offset, and one byte at a time.
fn assert_same_outcome_under_every_split(body: &[u8], what: &str) -> Outcome {
    let whole = outcome(&[body]);
    for i in 0..=body.len() {
        let split = outcome(&[&body[..i], &body[i..]]);
        assert!(
            split.0 == whole.0,
            "{what}: split at {i} changed the chunks"
        );
        assert_eq!(split.1, whole.1, "{what}: split at {i} changed the error");
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    let one_by_one = outcome(&bytes);
    assert!(one_by_one.0 == whole.0, "{what}: one byte at a time");
    assert_eq!(one_by_one.1, whole.1, "{what}: one byte at a time");
    whole
}

/// `body` (LF line ends, events of `data:` lines) rewritten as a server may send it: CRLF line
/// ends, comment lines between and inside events, and each JSON event cut into two `data`
/// lines after its `{` (the lines join with `\n`, which JSON reads as whitespace).
fn crlf_with_comments_and_multi_line_data(body: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(body).unwrap();
    assert!(!text.contains('\r'), "an LF body");
    let mut out = String::from(": stream start\r\n\r\n");
    for event in text.split_inclusive("\n\n") {
        let event = match event.strip_prefix("data: {") {
            Some(rest) => format!("data: {{\n: inside an event\ndata:{rest}"),
            None => event.to_owned(),
        };
        out.push_str(&event.replace('\n', "\r\n"));
        if event.ends_with("\n\n") {
            // (Not after a last event cut before its line end: that would extend its line.)
            out.push_str(": keep-alive\r\n\r\n");
        }
    }
    out.into_bytes()
}

/// Both spellings of `body` under every split; returns the outcome, which they share.
fn assert_same_outcome_lf_and_crlf(body: &[u8]) -> Outcome {
    let lf = assert_same_outcome_under_every_split(body, "LF");
    let crlf_body = crlf_with_comments_and_multi_line_data(body);
    assert!(crlf_body.windows(2).any(|w| w == b"\r\n"));
    let crlf = assert_same_outcome_under_every_split(&crlf_body, "CRLF");
    assert!(
        crlf.0 == lf.0,
        "CRLF, comments and multi-line data changed the chunks"
    );
    assert_eq!(
        crlf.1, lf.1,
        "CRLF, comments and multi-line data changed the error"
    );
    lf
}

#[test]
fn the_rewritten_body_really_has_multi_line_data() {
    let body = b"data: {\"id\":\"a\"}\n\ndata: [DONE]\n\n";
    assert_eq!(
        crlf_with_comments_and_multi_line_data(body),
        b": stream start\r\n\r\ndata: {\r\n: inside an event\r\ndata:\"id\":\"a\"}\r\n\r\n: keep-alive\r\n\r\ndata: [DONE]\r\n\r\n: keep-alive\r\n\r\n"
    );
    let (chunks, err) = outcome(&[&crlf_with_comments_and_multi_line_data(body)]);
    assert_eq!((chunks.len(), err), (1, None));
    assert_eq!(chunks[0].id, "a");
}

#[test]
fn azure_recording_gives_the_same_chunks_under_every_split() {
    let (chunks, err) = assert_same_outcome_lf_and_crlf(&azure_recording());
    assert_eq!(err, None);
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
    let (chunks, err) = assert_same_outcome_lf_and_crlf(AUDIO_FIXTURE);
    assert_eq!(err, None);
    assert_eq!(chunks.len(), 24);
    // Odd pieces: a sample is cut across chunks (twice).
    let sizes: Vec<usize> = chunks
        .iter()
        .filter_map(|c| c.audio_delta())
        .map(|a| a.as_bytes().len())
        .collect();
    assert_eq!(sizes, [960, 1201, 598, 1441, 600]);
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
fn a_stream_cut_before_done_gives_the_same_chunks_and_error_under_every_split() {
    // The recording without `[DONE]` and without the blank line after its last event.
    let body = azure_recording();
    let cut = body.len() - b"\n\ndata: [DONE]\n\n".len();
    assert!(body[cut..].starts_with(b"\n\ndata: [DONE]"));
    let (chunks, err) = assert_same_outcome_lf_and_crlf(&body[..cut]);
    assert_eq!(chunks.len(), 10, "the last event still counts");
    let (kind, request_id, message) = err.expect("the missing [DONE] is an error");
    assert_eq!(kind, crate::ErrorKind::Transport);
    assert_eq!(request_id.as_deref(), Some("req-1"));
    assert!(message.contains("[DONE]"), "{message}");
}

#[test]
fn an_error_event_mid_stream_gives_the_same_chunks_and_error_under_every_split() {
    // The audio fixture with an error object after its fourth event; the rest is ignored.
    let events: Vec<&[u8]> = AUDIO_FIXTURE
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"data: "))
        .collect();
    let mut body = Vec::new();
    for (i, line) in events.iter().enumerate() {
        if i == 4 {
            body.extend_from_slice(
                b"data: {\"error\":{\"code\":\"server_error\",\"message\":\"The server had an error\"}}\n\n",
            );
        }
        body.extend_from_slice(line);
        body.push(b'\n');
    }
    let (chunks, err) = assert_same_outcome_lf_and_crlf(&body);
    assert_eq!(chunks.len(), 4);
    let (kind, request_id, message) = err.expect("the error event");
    assert_eq!(kind, crate::ErrorKind::Api);
    assert_eq!(request_id.as_deref(), Some("req-1"));
    assert!(message.contains("server_error"), "{message}");
}

#[test]
fn an_event_past_64_mib_is_a_decode_error_and_the_end_of_the_stream() {
    use crate::transport::sse::MAX_EVENT_BYTES;
    let mib = Bytes::from(vec![b'A'; 1 << 20]);
    let mut d = ChunkDecoder::new(metadata());
    d.push(b"data: ");
    let mut pushed = 6;
    while pushed <= MAX_EVENT_BYTES {
        assert!(d.next_item().is_none(), "no error at {pushed} bytes");
        d.push(&mib);
        pushed += mib.len();
    }
    let err = d.next_item().expect("an error").unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Decode);
    assert_eq!(err.request_id(), Some("req-1"));
    assert!(err.to_string().contains("64 MiB"), "{err}");
    assert!(d.is_over());
    // The event's bytes are let go, and nothing more comes, not even the end-of-stream error.
    assert_eq!(d.parser.buffered_capacity(), 0);
    d.push(b"\n\ndata: {\"id\":\"late\"}\n\ndata: [DONE]\n\n");
    assert!(d.next_item().is_none());
    assert!(d.finish().is_none());
}

#[tokio::test]
async fn a_chat_stream_with_an_event_past_64_mib_gives_one_error_then_ends() {
    use futures_util::StreamExt;
    let mib = Bytes::from(vec![b'A'; 1 << 20]);
    let mut pieces: Vec<Result<Bytes>> =
        vec![Ok(Bytes::from_static(b"data: {\"id\":\"a\"}\n\ndata: "))];
    pieces.extend(std::iter::repeat_n(mib, 65).map(Ok));
    pieces.push(Ok(Bytes::from_static(
        b"\n\ndata: {\"id\":\"late\"}\n\ndata: [DONE]\n\n",
    )));
    let mut stream = ChatStream {
        inner: EventStream::from_body(Box::pin(futures_util::stream::iter(pieces)), metadata()),
    };
    assert_eq!(stream.next().await.unwrap().unwrap().id, "a");
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Decode);
    assert!(err.to_string().contains("64 MiB"), "{err}");
    assert!(
        stream.inner.is_finished(),
        "the body is dropped (the connection closed)"
    );
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
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
    assert_eq!(
        choice.message.role.as_ref().map(crate::Role::as_str),
        Some("assistant")
    );
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
