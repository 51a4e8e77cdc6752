//! The client's streaming call against the offline emulator, end to end: typed chunks, the
//! accumulator, and a conversation that continues from a streamed reply.
#![cfg(feature = "emulator")]

use azure_openai_audio::emulator::Emulator;
use azure_openai_audio::{AudioFormat, ChatRequest, Conversation, Message, Voice};
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
