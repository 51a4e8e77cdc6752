//! What the speech tests share: a client on a `tts` deployment, the recorded mp3 reply, a
//! server answering it, the checks of a speech request on the wire.
#![allow(dead_code)] // each test binary uses some

use azure_openai_audio::{Api, Client, ClientBuilder, Credential, SpeechRequest};
use base64::Engine as _;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, header, KEY};

pub const MP3: &str = "audio-api/azure-speech-mp3.tts.2025-01-01-preview.recording.json";
pub const SSE: &str =
    "audio-api/openai-speech-streaming-sse.gpt-4o-mini-tts.recording-excerpt.json";

/// A client whose chat deployment is not the speech one, so a mix-up shows in the path.
pub fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder(endpoint, "chat-dep", Credential::api_key(KEY))
        .deployment_for(Api::Speech, "tts")
        .timeout(None)
        .connect_timeout(None)
        .stream_idle_timeout(None)
}

pub fn client(endpoint: &str) -> Client {
    builder(endpoint).build().unwrap()
}

/// The recorded mp3 (cut to its first 384 bytes) and the recorded reply, headers included.
pub fn recorded_mp3() -> (Vec<u8>, ResponseTemplate) {
    let e = common::entry(MP3, 0);
    let audio = base64::engine::general_purpose::STANDARD
        .decode(e["ResponseBody"].as_str().unwrap())
        .unwrap();
    let mut reply = ResponseTemplate::new(200).set_body_raw(audio.clone(), "audio/mpeg");
    for (k, v) in e["ResponseHeaders"].as_object().unwrap() {
        if !matches!(
            k.as_str(),
            "Content-Type" | "Transfer-Encoding" | "Content-Length"
        ) {
            reply = reply.insert_header(k.as_str(), v.as_str().unwrap());
        }
    }
    (audio, reply)
}

pub async fn serving(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(reply)
        .mount(&server)
        .await;
    server
}

/// Checks a speech request's method, path, query and headers; returns its body as JSON.
pub fn check_speech(r: &wiremock::Request, path: &str, query: Option<&str>, accept: &str) -> Value {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), path);
    assert_eq!(r.url.query(), query);
    assert_eq!(header(r, "api-key"), Some(KEY));
    assert_eq!(header(r, "accept"), Some(accept));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(
        header(r, "content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(header(r, "transfer-encoding"), None);
    serde_json::from_slice(&r.body).unwrap()
}

pub const DEPLOYMENTS_PATH: &str = "/openai/deployments/tts/audio/speech";
pub const QUERY: Option<&str> = Some("api-version=2025-04-01-preview");
pub const OCTETS: &str = "application/octet-stream";

/// The speech written to memory with `to_writer`: the count returned and the bytes.
pub async fn to_memory(client: &Client, request: &SpeechRequest) -> (u64, Vec<u8>) {
    let mut written = Vec::new();
    let n = client
        .speech()
        .to_writer(request, &mut written)
        .await
        .unwrap();
    (n, written)
}

pub fn temp_path(test: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-speech-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
