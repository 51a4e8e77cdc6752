//! The streamed request body is byte for byte what serde_json makes of the request (with its
//! audio in memory: serde writes audio from a file as its path, without reading it), for many
//! request shapes, and what reaches a real HTTP server (also when a retry sends it again).

mod common;
#[path = "support/rng.rs"]
mod rng;

use std::path::PathBuf;

use azure_openai_audio::__private::BodyPlan;
use azure_openai_audio::Stop;
use azure_openai_audio::ToolCall;
use azure_openai_audio::{
    AudioFormat, ChatRequest, Client, ContentPart, Credential, InputAudio, Message, ResponseFormat,
    Route, Tool, ToolChoice, UserContent, Voice,
};
use base64::Engine as _;
use rng::Rng;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Bytes of audio per encoded chunk in the body (3 * 32 KiB; files go 2 chunks at a time); sizes
/// around multiples of it cross chunk edges.
const CHUNK: usize = 3 * 32 * 1024;

/// Text that needs every kind of JSON escaping.
const NASTY: &str = "quote \" backslash \\ slash / newline \n tab \t cr \r nul \u{0} bell \u{7} \
    del \u{7f} unicode é 漢字 emoji 🎧 line-sep \u{2028} </script> {\"data\":\"x\"} __aoa_audio_";

fn wav(len: usize, seed: u64) -> Vec<u8> {
    let mut v = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    let mut r = Rng(seed | 1);
    while v.len() < len {
        v.push(r.next() as u8);
    }
    v.truncate(len.max(12));
    v
}

fn mp3(len: usize, seed: u64) -> Vec<u8> {
    let mut v = b"ID3\x04\x00".to_vec();
    let mut r = Rng(seed | 1);
    while v.len() < len {
        v.push(r.next() as u8);
    }
    v.truncate(len.max(5));
    v
}

fn temp_dir() -> PathBuf {
    // Under the target dir (reused by every run), not a new directory in /tmp per run.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aoa-body-eq");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Audio lengths around the chunk size and base64's 3-byte groups.
const LENGTHS: &[usize] = &[
    12,
    13,
    14,
    100,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    CHUNK + 2,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    3 * CHUNK - 2,
    4 * CHUNK,
    4 * CHUNK + 3,
];

async fn audio(r: &mut Rng, n: u64) -> InputAudio {
    let len = LENGTHS[r.below(LENGTHS.len() as u64) as usize];
    let data = if r.below(2) == 0 {
        wav(len, n)
    } else {
        mp3(len, n)
    };
    if r.below(2) == 0 {
        InputAudio::from_bytes(data).unwrap()
    } else {
        let path = temp_dir().join(format!("audio-{n}.bin"));
        std::fs::write(&path, &data).unwrap();
        InputAudio::from_file(&path).await.unwrap()
    }
}

async fn random_request(seed: u64) -> ChatRequest {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut messages = Vec::new();
    if r.below(2) == 0 {
        messages.push(Message::system(NASTY));
    }
    for m in 0..=r.below(3) {
        let mut parts = Vec::new();
        for p in 0..=r.below(4) {
            match r.below(3) {
                0 => parts.push(ContentPart::text(format!("{NASTY} #{m}.{p}"))),
                1 => parts.push(ContentPart::image_url("data:image/png;base64,AAAA")),
                _ => parts.push(ContentPart::audio(
                    audio(&mut r, seed * 100 + m * 10 + p).await,
                )),
            }
        }
        messages.push(Message::user(parts).with_name("caller \"1\""));
        if r.below(2) == 0 {
            messages.push(Message::assistant_audio(format!("audio_{seed}_{m}")));
        }
    }
    if r.below(3) == 0 {
        messages.push(Message::assistant_tool_calls(vec![ToolCall::function(
            "call_1",
            "lookup",
            "{\"q\":\"\\\"x\\\"\"}",
        )]));
        messages.push(Message::tool("call_1", NASTY));
    }
    let mut req = ChatRequest::new(messages);
    if r.below(2) == 0 {
        req = req.audio(Voice::Alloy, AudioFormat::Wav);
    } else if r.below(2) == 0 {
        req = req.audio(Voice::from("aurora-2"), AudioFormat::Pcm16);
    }
    if r.below(2) == 0 {
        req = req.model(format!("dep-{seed}"));
    }
    if r.below(2) == 0 {
        req = req
            .temperature(0.25)
            .max_completion_tokens(500)
            .stop(Stop::Many(vec!["\n".into(), NASTY.into()]))
            .seed(-7)
            .end_user(NASTY);
    }
    if r.below(3) == 0 {
        req = req
            .tool(Tool::function("lookup", NASTY, json!({"type": "object"})).strict(true))
            .tool_choice(ToolChoice::Function("lookup".into()));
    }
    if r.below(3) == 0 {
        req = req.extra("metadata", json!({"k": NASTY, "nested": [1, null, true]}));
    }
    req
}

/// What serde_json writes for the same request with each audio file's bytes in memory: the body
/// the service must receive.
fn wire_json(req: &ChatRequest) -> Vec<u8> {
    let messages = req.messages_ref().iter().cloned().map(|m| match m {
        Message::User {
            content: UserContent::Parts(parts),
            name,
        } => {
            let parts = parts.into_iter().map(|p| match p {
                ContentPart::InputAudio(a) => match a.source().path() {
                    Some(path) => ContentPart::audio(
                        InputAudio::from_bytes(std::fs::read(path).unwrap()).unwrap(),
                    ),
                    None => ContentPart::InputAudio(a),
                },
                other => other,
            });
            let user = Message::user(parts.collect::<Vec<_>>());
            match name {
                Some(name) => user.with_name(name),
                None => user,
            }
        }
        other => other,
    });
    serde_json::to_vec(&req.clone().messages(messages)).unwrap()
}

#[tokio::test]
async fn serde_json_writes_a_file_as_its_path_and_the_plan_as_its_bytes() {
    let path = temp_dir().join("path-form.wav");
    std::fs::write(&path, wav(100, 7)).unwrap();
    let req = ChatRequest::new([Message::user(InputAudio::from_file(&path).await.unwrap())]);
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(
        json["messages"][0]["content"][0]["input_audio"],
        json!({"path": path.to_str().unwrap(), "size": 100, "format": "wav"})
    );
    let body = BodyPlan::new(&req).unwrap().collect().await.unwrap();
    assert!(body == wire_json(&req));
    assert!(body != serde_json::to_vec(&req).unwrap());
}

async fn assert_plan_matches(req: &ChatRequest, what: &str) {
    let expected = wire_json(req);
    let plan = BodyPlan::new(req).unwrap();
    assert_eq!(
        plan.content_length(),
        expected.len() as u64,
        "{what}: content length"
    );
    let first = plan.collect().await.unwrap();
    assert!(
        first == expected,
        "{what}: streamed body differs from serde_json"
    );
    // A retry produces the same bytes again.
    let second = plan.clone().collect().await.unwrap();
    assert!(second == expected, "{what}: second production differs");
}

#[tokio::test]
async fn streamed_body_equals_serde_json_for_many_shapes() {
    let mut with_audio = 0;
    for seed in 1..=60u64 {
        let req = random_request(seed).await;
        let json = String::from_utf8(wire_json(&req)).unwrap();
        with_audio += json.matches("\"input_audio\":{\"data\"").count();
        assert_plan_matches(&req, &format!("seed {seed}")).await;
    }
    assert!(
        with_audio > 30,
        "too few audio parts exercised: {with_audio}"
    );
}

#[tokio::test]
async fn fixed_shapes_equal_serde_json() {
    let bytes = InputAudio::wav(wav(CHUNK * 2 + 7, 1)).unwrap();
    let path = temp_dir().join("fixed.wav");
    std::fs::write(&path, wav(CHUNK + 5, 2)).unwrap();
    let file = InputAudio::from_file(&path).await.unwrap();
    let shapes = vec![
        ("text only", ChatRequest::new([Message::user(NASTY)])),
        (
            "the from-audio quickstart",
            ChatRequest::new([Message::user(vec![
                ContentPart::text("Describe in detail the spoken audio input."),
                ContentPart::audio(file.clone()),
            ])])
            .audio(Voice::Alloy, AudioFormat::Wav),
        ),
        (
            "audio only, bytes",
            ChatRequest::new([Message::user(bytes.clone())]),
        ),
        (
            "adjacent audio parts, the same audio twice",
            ChatRequest::new([Message::user(vec![
                ContentPart::audio(bytes.clone()),
                ContentPart::audio(file.clone()),
                ContentPart::audio(bytes.clone()),
            ])]),
        ),
        (
            "v1 route with a model field",
            ChatRequest::new([Message::user(vec![
                ContentPart::text(NASTY),
                ContentPart::audio(file.clone()),
            ])])
            .model("gpt-4o-audio-preview".into()),
        ),
        (
            "every parameter, names on every role, text around audio",
            ChatRequest::new([
                Message::system(NASTY).with_name("sys \"name\""),
                Message::developer(NASTY).with_name("dev"),
                Message::user(vec![
                    ContentPart::text(NASTY),
                    ContentPart::audio(bytes.clone()),
                    ContentPart::text(NASTY),
                ]),
                Message::assistant(NASTY).with_name("helper"),
                Message::assistant_audio("audio_\u{1F3A7}"),
                Message::user(file.clone()),
            ])
            .audio(Voice::from("cedar"), AudioFormat::Pcm16)
            .max_tokens(10)
            .max_completion_tokens(20)
            .temperature(0.3)
            .top_p(0.7)
            .n(2)
            .stop(Stop::One(NASTY.into()))
            .seed(i64::MIN)
            .presence_penalty(-1.5)
            .frequency_penalty(1.25)
            .end_user(NASTY)
            .tool(Tool::function("f", NASTY, json!({"description": NASTY})))
            .parallel_tool_calls(false)
            .response_format(ResponseFormat::JsonSchema {
                name: "answer".into(),
                schema: json!({"type": "object", "title": NASTY}),
                strict: true,
            })
            .extra("store", json!(false)),
        ),
    ];
    let mut shapes = shapes;
    for choice in [ToolChoice::None, ToolChoice::Auto, ToolChoice::Required] {
        let req = ChatRequest::new([Message::user(vec![ContentPart::audio(file.clone())])])
            .tool(Tool::function("f", "d", json!({})))
            .tool_choice(choice.clone())
            .response_format(ResponseFormat::JsonObject);
        shapes.push(("tool choice", req));
    }
    for (what, req) in &shapes {
        assert_plan_matches(req, what).await;
    }
}

#[tokio::test]
async fn a_file_that_changes_size_fails_the_body_not_the_process() {
    let path = temp_dir().join("shrinks.wav");
    std::fs::write(&path, wav(CHUNK * 2, 3)).unwrap();
    let audio = InputAudio::from_file(&path).await.unwrap();
    let plan = BodyPlan::new(&ChatRequest::new([Message::user(audio)])).unwrap();
    std::fs::write(&path, wav(CHUNK, 3)).unwrap();
    let e = plan.collect().await.unwrap_err();
    assert!(e.to_string().contains("changed size"), "{e}");
}

fn reply(audio: &[u8]) -> serde_json::Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": null,
            "audio": {"id": "audio_1", "expires_at": 2,
                      "data": base64::engine::general_purpose::STANDARD.encode(audio),
                      "transcript": "hello"}}}]
    })
}

#[tokio::test]
async fn the_server_receives_the_serde_json_bytes_with_an_exact_length() {
    let server = MockServer::start().await;
    let out = wav(300_001, 9);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply(&out)))
        .mount(&server)
        .await;
    let path = temp_dir().join("sent.wav");
    std::fs::write(&path, wav(3 * CHUNK + 1, 4)).unwrap();
    let req = ChatRequest::new([Message::user(vec![
        ContentPart::text(NASTY),
        ContentPart::audio(InputAudio::from_file(&path).await.unwrap()),
        ContentPart::audio(InputAudio::wav(wav(CHUNK - 1, 5)).unwrap()),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);

    // Deployments route: the body is the request as serde_json writes it.
    let client = Client::new(server.uri(), "dep", Credential::api_key("k")).unwrap();
    let got = client.chat().complete(&req).await.unwrap();
    assert!(got.audio().unwrap().data.as_bytes() == out.as_slice());

    // V1 route: the client adds the deployment as the model.
    let v1 = Client::builder(server.uri(), "dep", Credential::api_key("k"))
        .route(Route::V1)
        .build()
        .unwrap();
    v1.chat().complete(&req).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let expected = [wire_json(&req), wire_json(&req.clone().model("dep".into()))];
    for (r, expected) in received.iter().zip(&expected) {
        assert!(r.body == *expected, "received body differs from serde_json");
        assert_eq!(
            r.headers.get("content-length").unwrap().to_str().unwrap(),
            expected.len().to_string()
        );
        assert!(r.headers.get("transfer-encoding").is_none());
    }
}

#[tokio::test]
async fn a_retry_sends_the_streamed_body_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"code": "401"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply(b"RIFFxxxxWAVE")))
        .mount(&server)
        .await;
    let path = temp_dir().join("retried.wav");
    std::fs::write(&path, wav(2 * CHUNK + 2, 6)).unwrap();
    let req = ChatRequest::new([Message::user(vec![
        ContentPart::text(NASTY),
        ContentPart::audio(InputAudio::from_file(&path).await.unwrap()),
    ])]);
    let client = Client::new(
        server.uri(),
        "dep",
        Credential::token_provider(common::Tokens::new("t")),
    )
    .unwrap();
    client.chat().complete(&req).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "one 401, then the retry");
    let expected = wire_json(&req);
    for r in &received {
        assert!(r.body == expected, "a sent body differs from serde_json");
    }
}

#[tokio::test]
async fn reply_audio_with_json_escapes_decodes() {
    let audio = wav(4000, 8);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&audio);
    let body = serde_json::to_string(&reply(&audio))
        .unwrap()
        .replace(&b64, &b64.replace('/', "\\/"));
    assert!(body.contains("\\/"));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client = Client::new(server.uri(), "dep", Credential::api_key("k")).unwrap();
    let got = client
        .chat()
        .complete(&ChatRequest::new([Message::user("hi")]))
        .await
        .unwrap();
    assert!(got.audio().unwrap().data.as_bytes() == audio.as_slice());
}
