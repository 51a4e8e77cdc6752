//! The client's streaming call against the offline emulator, end to end: typed chunks, the
//! accumulator, and a conversation that continues from a streamed reply.
mod common;

use azure_openai_audio::{
    AudioFormat, ChatCompletion, ChatRequest, ContentPart, Conversation, InputAudio, Message, Voice,
};
use azure_openai_audio_emulator::Emulator;
use common::wav;
use futures_util::StreamExt;

#[tokio::test]
async fn streamed_reply_equals_its_accumulation_and_continues_a_conversation() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
        .audio(Voice::Alloy, AudioFormat::Pcm16);

    let mut stream = client.chat().stream(&request).await.unwrap();
    assert_eq!(stream.metadata().status, 200);
    let mut acc = stream.accumulator();
    let (mut transcript, mut audio, mut chunks) = (String::new(), Vec::new(), 0);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        chunks += 1;
        if let Some(t) = chunk.transcript_delta() {
            transcript.push_str(t);
        }
        if let Some(pcm) = chunk.audio_delta() {
            audio.extend_from_slice(pcm);
        }
        acc.push(&chunk);
    }
    assert!(chunks > 4, "{chunks} chunks");
    let reply = acc.into_completion();
    let spoken = reply.audio().expect("audio accumulated");
    assert_eq!(spoken.transcript, transcript);
    assert_eq!(
        spoken.transcript,
        "You said: Is a golden retriever a good family dog?"
    );
    assert_eq!(spoken.data.as_bytes(), &audio[..]);
    assert!(
        !audio.is_empty() && audio.len() % 2 == 0,
        "whole pcm16 samples"
    );
    assert!(spoken.id.starts_with("audio_"));
    assert!(
        spoken.expires_at.is_some(),
        "expires_at from the last chunk"
    );
    assert!(reply.usage.as_ref().is_some_and(|u| u.total_tokens > 0));
    assert_eq!(reply.prompt_filter_results.len(), 1);

    // The same text, not streamed, gives the same transcript and the same samples.
    let whole = client.chat().complete(&request).await.unwrap();
    assert_eq!(whole.audio().unwrap().transcript, spoken.transcript);
    assert_eq!(whole.audio().unwrap().data.as_bytes(), &audio[..]);

    // A conversation continues from the streamed reply: the emulator accepts the id it issued.
    let mut chat = Conversation::new(ChatRequest::default().text_only());
    chat.push_user("Is a golden retriever a good family dog?");
    chat.record(&reply);
    let next = chat
        .ask(&client, "Very concisely summarize the favorability.")
        .await
        .unwrap();
    assert!(
        next.text().unwrap().contains("I remember 1 earlier spoken"),
        "{:?}",
        next.text()
    );
}

/// A reply without what legitimately differs between two answers to one request: the ids, the
/// time, the response headers, and the audio id and its expiry.
fn normalized(mut reply: ChatCompletion) -> ChatCompletion {
    assert!(reply.id.starts_with("chatcmpl-"), "{}", reply.id);
    assert!(reply.created > 0);
    assert_eq!(reply.metadata.status, 200);
    let created = reply.created;
    reply.id.clear();
    reply.created = 0;
    reply.metadata = Default::default();
    for choice in &mut reply.choices {
        if let Some(audio) = &mut choice.message.audio {
            assert!(audio.id.starts_with("audio_"), "{}", audio.id);
            assert!(audio.expires_at.is_some_and(|t| t > created));
            audio.id.clear();
            audio.expires_at = None;
        }
    }
    reply
}

#[tokio::test]
async fn a_collected_stream_equals_the_complete_reply_to_the_same_request() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let question = InputAudio::from_bytes(wav(8_000, 16_000)).unwrap();
    let requests = [
        ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
            .audio(Voice::Alloy, AudioFormat::Pcm16),
        ChatRequest::new([Message::user(vec![
            ContentPart::text("Describe this recording."),
            ContentPart::audio(question),
        ])])
        .audio(Voice::Coral, AudioFormat::Pcm16),
        ChatRequest::new([
            Message::system("Be brief."),
            Message::user("Hello there, how are you?"),
        ]),
    ];
    for request in &requests {
        let whole = client.chat().complete(request).await.unwrap();
        let stream = client.chat().stream(request).await.unwrap();
        let collected = stream.collect_completion().await.unwrap();
        // Each part of what matters, for a readable failure; then all of it.
        let (w, c) = (&whole.choices[0], &collected.choices[0]);
        assert_eq!(
            c.message.audio.as_ref().map(|a| &a.transcript),
            w.message.audio.as_ref().map(|a| &a.transcript)
        );
        assert_eq!(
            c.message.audio.as_ref().map(|a| &a.data),
            w.message.audio.as_ref().map(|a| &a.data)
        );
        assert_eq!(c.message.content, w.message.content);
        assert_eq!(c.finish_reason, w.finish_reason);
        assert_eq!(c.content_filter_results, w.content_filter_results);
        assert!(w.content_filter_results.is_some());
        assert_eq!(collected.usage, whole.usage);
        assert_eq!(collected.prompt_filter_results, whole.prompt_filter_results);
        assert_eq!(normalized(collected), normalized(whole));
    }
}
