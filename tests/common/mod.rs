//! Test helpers: the shared recordings, small real WAV files, clients pointed at a local server,
//! and (in `raw_server.rs`) a raw HTTP/1.1 server on 127.0.0.1 that can misbehave at the
//! connection level (reset mid-body, stall), which wiremock cannot.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use azure_openai_audio::{
    AudioFormat, ChatRequest, Client, ClientBuilder, ContentPart, Credential, InputAudio, Message,
    Voice,
};
use serde_json::Value;

mod raw_server;
#[allow(unused_imports)] // not every test binary uses the raw server
pub use raw_server::*;
use tokio::io::AsyncReadExt;

/// The key the tests use; no error text or Debug output may contain it.
pub const KEY: &str = "sk-test-key-9f8e7d6c";

/// A minimal chat completion.
pub const COMPLETION: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-audio-preview","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hi"}}]}"#;

/// A builder for `endpoint` with the test key. In tests on tokio's paused clock the request
/// and connect timeouts must be off: the paused clock jumps to the next timer whenever the
/// runtime waits for I/O, so a pending timeout would fire at once.
pub fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder(endpoint, "dep", Credential::api_key(KEY))
}

/// [`builder`] with the request and connect timeouts off, for tests on the paused clock.
pub fn paused_builder(endpoint: &str) -> ClientBuilder {
    builder(endpoint).timeout(None).connect_timeout(None)
}

/// A small text request.
pub fn request() -> ChatRequest {
    ChatRequest::new([Message::user("hello")])
}

/// A request with `prompt` and audio, and a piece of the audio's base64 as it goes on the
/// wire: what logs and traces must never show.
pub fn prompt_and_audio_request(prompt: &str) -> (ChatRequest, String) {
    use base64::Engine as _;
    let wav = wav(4_000, 8_000);
    // 300 bytes from an offset that is a multiple of 3: their base64 is a piece of the whole's.
    let piece = base64::engine::general_purpose::STANDARD.encode(&wav[3_000..3_300]);
    let request = ChatRequest::new([Message::user(vec![
        ContentPart::text(prompt),
        ContentPart::audio(InputAudio::from_bytes(wav).unwrap()),
    ])])
    .audio(Voice::Alloy, AudioFormat::Wav);
    assert!(serde_json::to_string(&request).unwrap().contains(&piece));
    (request, piece)
}

/// VmRSS of this process in KiB, from /proc/self/status (None elsewhere than Linux).
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The soft limit on open files, from /proc/self/limits.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
}

// Recordings and audio files.

/// The path of a recorded exchange in tests/fixtures/recordings (copied from shared/recordings).
pub fn recording_path(name: &str) -> String {
    format!(
        "{}/tests/fixtures/recordings/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A recording's JSON.
pub fn recording(name: &str) -> Value {
    let text =
        std::fs::read_to_string(recording_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Entry `i` of a test-proxy recording.
pub fn entry(name: &str, i: usize) -> Value {
    recording(name)["Entries"][i].clone()
}

/// The response body and status of the VCR cassette (YAML): the body is a single-quoted scalar.
pub fn cassette_response(name: &str) -> (u16, Vec<u8>, Vec<(String, String)>) {
    let text = std::fs::read_to_string(recording_path(name)).unwrap();
    let response = &text[text.find("  response:").unwrap()..];
    let start = response.find("string: '").unwrap() + "string: '".len();
    let rest = &response[start..];
    // The scalar ends at a single quote not followed by another one.
    let mut end = 0;
    let bytes = rest.as_bytes();
    while end < bytes.len() {
        if bytes[end] == b'\'' {
            if bytes.get(end + 1) == Some(&b'\'') {
                end += 2;
                continue;
            }
            break;
        }
        end += 1;
    }
    // YAML folding: a line break plus indentation becomes one space; '' is a quote.
    let body = rest[..end]
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .replace("''", "'");
    let code_at = response.find("code: ").unwrap() + "code: ".len();
    let status: u16 = response[code_at..code_at + 3].parse().unwrap();
    let mut headers = Vec::new();
    let h =
        &response[response.find("    headers:").unwrap()..response.find("    status:").unwrap()];
    let mut name = None;
    for line in h.lines().skip(1) {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("- ") {
            if let Some(n) = name.clone() {
                headers.push((n, v.trim_matches('\'').to_owned()));
            }
        } else if let Some(n) = t.strip_suffix(':') {
            name = Some(n.to_owned());
        }
    }
    (status, body.into_bytes(), headers)
}

/// A real 16-bit mono WAV file with `samples` samples of a ramp at `rate` Hz.
pub fn wav(samples: usize, rate: u32) -> Vec<u8> {
    let data_len = (samples * 2) as u32;
    let mut v = Vec::with_capacity(44 + samples * 2);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data_len).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 2).to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        v.extend_from_slice(&((i % 2000) as i16 * 16).to_le_bytes());
    }
    v
}

/// Writes `bytes` to a fresh file in a per-test temporary directory and returns its path.
pub fn temp_file(test: &str, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Installs `az` in a fresh directory at the front of PATH. The n-th call prints the n-th line of
/// `tokens` (`<token> <seconds until expiry>`), or fails when there is none.
pub fn install_stub_az(test: &str, tokens: &[(&str, i64)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-az-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let table: String = tokens
        .iter()
        .map(|(t, ttl)| format!("{t} {}\n", now + ttl))
        .collect();
    std::fs::write(dir.join("tokens"), table).unwrap();
    let script = format!(
        r#"#!/bin/sh
echo "$*" >> "{dir}/calls"
n=$(wc -l < "{dir}/calls")
line=$(sed -n "${{n}}p" "{dir}/tokens")
if [ -z "$line" ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi
set -- $line
printf '{{"accessToken":"%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":%s,"subscription":"sub","tenant":"tenant","tokenType":"Bearer"}}\n' "$1" "$2"
"#,
        dir = dir.display()
    );
    let az = dir.join("az");
    std::fs::write(&az, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

pub fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The path of an example's binary, which `cargo test` builds beside the test binaries:
/// target/<profile>/deps/<test>-<hash> -> target/<profile>/examples/<name>.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: `cargo test` builds the examples (or run `cargo build --examples`)",
        bin.display()
    );
    bin
}

pub const AUDIO_RECORDING: &str =
    "azure-chat-audio-nonstreaming.gpt-4o-audio-preview.2025-01-01-preview.recording.json";

/// The recorded audio reply, with its recorded headers.
pub fn recorded_reply() -> wiremock::ResponseTemplate {
    let e = entry(AUDIO_RECORDING, 0);
    let mut t = wiremock::ResponseTemplate::new(200).set_body_raw(
        serde_json::to_vec(&e["ResponseBody"]).unwrap(),
        "application/json",
    );
    for (k, v) in e["ResponseHeaders"].as_object().unwrap() {
        if !matches!(k.as_str(), "Content-Length" | "Content-Type") {
            t = t.insert_header(k.as_str(), v.as_str().unwrap());
        }
    }
    t
}

pub fn header<'a>(r: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the request went with a `Content-Length` equal to the bytes of its body, not chunked.
pub fn check_exact_length(r: &wiremock::Request) {
    assert_eq!(
        header(r, "content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(
        header(r, "transfer-encoding"),
        None,
        "an exact Content-Length, not chunked"
    );
}

/// The body and content type of the first reply of a recording (a path under
/// tests/fixtures/recordings, such as `audio-api/...`): a text body is stored as its lines,
/// joined here.
pub fn replayed_body(name: &str) -> (Vec<u8>, String) {
    let e = entry(name, 0);
    let content_type = e["ResponseHeaders"]["Content-Type"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = match &e["ResponseBody"] {
        Value::Array(lines) => lines
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect::<String>()
            .into_bytes(),
        json => serde_json::to_vec(json).unwrap(),
    };
    (body, content_type)
}

/// The first reply of a recording with its status, content type and headers.
pub fn replay(name: &str) -> wiremock::ResponseTemplate {
    let e = entry(name, 0);
    let (body, content_type) = replayed_body(name);
    let mut t = wiremock::ResponseTemplate::new(e["StatusCode"].as_u64().unwrap() as u16)
        .set_body_raw(body, content_type.as_str());
    for (k, v) in e["ResponseHeaders"].as_object().unwrap() {
        if !matches!(
            k.as_str(),
            "Content-Length" | "Content-Type" | "Transfer-Encoding" | "Connection"
        ) {
            t = t.insert_header(k.as_str(), v.as_str().unwrap());
        }
    }
    t
}

/// Checks everything but the body of a quickstart request (POST to the default deployment and
/// api-version, with `key`, an exact Content-Length), and returns the body as JSON.
pub fn check_request(r: &wiremock::Request, key: &str) -> Value {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(
        r.url.path(),
        "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions"
    );
    assert_eq!(r.url.query(), Some("api-version=2025-04-01-preview"));
    assert_eq!(header(r, "api-key"), Some(key));
    assert_eq!(header(r, "authorization"), None);
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(header(r, "accept"), Some("application/json"));
    check_exact_length(r);
    assert!(header(r, "user-agent")
        .unwrap()
        .starts_with("azure-openai-audio/"));
    // The dev-dependencies turn on reqwest's gzip and deflate, as azure_identity's default
    // features do in an app: the crate still asks for no compression.
    assert_eq!(header(r, "accept-encoding"), None);
    serde_json::from_slice(&r.body).unwrap()
}

/// A token provider that counts its calls and hands out `{prefix}-{n}` (n from 1), each valid
/// for an hour.
#[derive(Debug)]
pub struct Tokens {
    prefix: &'static str,
    calls: std::sync::atomic::AtomicU32,
}

impl Tokens {
    /// A provider of `{prefix}-1`, `{prefix}-2`, ...
    pub fn new(prefix: &'static str) -> Self {
        Tokens {
            prefix,
            calls: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// How many tokens it has handed out.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl azure_openai_audio::TokenProvider for Tokens {
    fn get_token<'a>(
        &'a self,
        _scope: &'a str,
    ) -> futures_util::future::BoxFuture<
        'a,
        azure_openai_audio::Result<azure_openai_audio::AccessToken>,
    > {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(azure_openai_audio::AccessToken {
                token: format!("{}-{n}", self.prefix).into(),
                expires_at: SystemTime::now() + std::time::Duration::from_secs(3600),
            })
        })
    }
}

/// Everything a child process wrote to its piped stderr (read to the end).
pub async fn stderr_of(child: &mut tokio::process::Child) -> String {
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().expect("stderr is piped");
    pipe.read_to_string(&mut stderr).await.unwrap();
    stderr
}
