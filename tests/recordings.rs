//! Every recorded Azure response decodes into the crate's types, field by field.

mod common;

use azure_openai_audio::{ApiError, ChatCompletion, FinishReason, Severity};
use common::*;

#[test]
fn audio_completion_decodes() {
    let e = entry(
        "azure-chat-audio-nonstreaming.gpt-4o-audio-preview.2025-01-01-preview.recording.json",
        0,
    );
    let body = serde_json::to_vec(&e["ResponseBody"]).unwrap();
    // The way the client decodes every reply (audio decoded in place), and plain serde: the same.
    let reply = ChatCompletion::from_json(body.clone()).unwrap();
    let plain: ChatCompletion = serde_json::from_slice(&body).unwrap();
    assert_eq!(reply, plain);
    assert_eq!(reply.id, "chatcmpl-B2QV0cP5uFXhd6hD5oNqj1Fpcez8K");
    assert_eq!(reply.created, 1739918218);
    assert_eq!(reply.model, "gpt-4o-audio-preview-2024-12-17");
    assert_eq!(reply.system_fingerprint.as_deref(), Some("fp_6d6a26997f"));
    let choice = &reply.choices[0];
    assert_eq!(choice.finish_reason, Some(FinishReason::Stop));
    assert_eq!(choice.message.content, None, "content is null beside audio");
    let audio = reply.audio().unwrap();
    assert_eq!(audio.id, "audio_67b50b8b3f4c8190b412e8d7ce010eb5");
    assert_eq!(audio.expires_at, Some(1739921819));
    assert_eq!(audio.transcript, "Hello world, this is a test.");
    // 256 base64 characters decode to 192 bytes of pcm16; the first sample is 0x000A.
    assert_eq!(audio.data.len(), 192);
    assert_eq!(&audio.data[..4], &[0x0A, 0x00, 0x0E, 0x00]);
    assert_eq!(reply.text(), Some("Hello world, this is a test."));
    let filters = choice.content_filter_results.as_ref().unwrap();
    assert_eq!(
        filters.hate.as_ref().unwrap().severity,
        Some(Severity::Safe)
    );
    assert!(!filters.protected_material_code.as_ref().unwrap().detected);
    assert!(!filters.any_filtered());
    assert!(
        reply.prompt_filter_results[0]
            .content_filter_results
            .is_empty(),
        "empty {{}} filter results"
    );
    let usage = reply.usage.unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (28, 58, 86)
    );
    let c = usage.completion_tokens_details.unwrap();
    assert_eq!(
        (c.audio_tokens, c.text_tokens, c.reasoning_tokens),
        (Some(44), Some(14), Some(0))
    );
    let p = usage.prompt_tokens_details.unwrap();
    assert_eq!(
        (
            p.audio_tokens,
            p.cached_tokens,
            p.image_tokens,
            p.text_tokens
        ),
        (Some(17), Some(0), Some(0), Some(11))
    );
}

#[test]
fn content_filter_annotations_decode() {
    let e = entry(
        "azure-chat-content-filter-annotations.2024-10-21.recording.json",
        0,
    );
    let reply: ChatCompletion = serde_json::from_value(e["ResponseBody"].clone()).unwrap();
    assert_eq!(reply.text(), Some("Hello! How can I assist you today?"));
    assert!(reply.audio().is_none());
    let prompt = &reply.prompt_filter_results[0].content_filter_results;
    assert!(!prompt.jailbreak.as_ref().unwrap().detected);
    assert_eq!(
        prompt.violence.as_ref().unwrap().severity,
        Some(Severity::Safe)
    );
    let usage = reply.usage.unwrap();
    assert_eq!(usage.total_tokens, 20);
    assert!(usage.prompt_tokens_details.is_none());
}

#[test]
fn content_filter_error_decodes() {
    let (status, body, headers) =
        cassette_response("azure-error-400-content-filter.api-2024-10-21.cassette.yaml");
    assert_eq!(status, 400);
    assert!(headers
        .iter()
        .any(|(k, v)| k == "apim-request-id" && v == "6f4f0817-70eb-41e9-a10f-62599d1fc0ab"));
    let err = ApiError::parse(&body);
    assert_eq!(err.code.as_deref(), Some("content_filter"));
    assert_eq!(err.param.as_deref(), Some("prompt"));
    assert_eq!(err.error_type, None);
    assert!(err.message.starts_with(
        "The response was filtered due to the prompt triggering Azure OpenAI's content"
    ));
    assert!(err.is_content_filter());
    let inner = err.inner_error.as_ref().unwrap();
    assert_eq!(inner.code.as_deref(), Some("ResponsibleAIPolicyViolation"));
    let results = err.content_filter_results().unwrap();
    assert!(results.self_harm.as_ref().unwrap().filtered);
    assert_eq!(
        results.self_harm.as_ref().unwrap().severity,
        Some(Severity::Medium)
    );
    assert!(results.any_filtered());
}

#[test]
fn invalid_key_error_decodes() {
    let e = entry("azure-error-401-invalid-key.2024-10-21.recording.json", 0);
    let err = ApiError::parse(&serde_json::to_vec(&e["ResponseBody"]).unwrap());
    assert_eq!(err.code.as_deref(), Some("401"));
    assert!(err
        .message
        .starts_with("Access denied due to invalid subscription key"));
    assert!(!err.is_content_filter());
}

#[test]
fn content_filter_results_spelled_plural_also_decode() {
    let body = br#"{"error":{"code":"content_filter","message":"m","inner_error":{"code":"ResponsibleAIPolicyViolation","content_filter_results":{"hate":{"filtered":true,"severity":"high"}}}}}"#;
    let err = ApiError::parse(body);
    assert!(
        err.content_filter_results()
            .unwrap()
            .hate
            .as_ref()
            .unwrap()
            .filtered
    );
    assert_eq!(
        err.content_filter_results()
            .unwrap()
            .hate
            .as_ref()
            .unwrap()
            .severity,
        Some(Severity::High)
    );
}
