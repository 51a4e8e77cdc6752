//! Nothing the crate or its dependencies log (through `tracing` or `log`, at every level) shows a
//! key, a token, the prompt text or the audio: a subscriber and a logger that keep everything
//! are installed for the whole process while requests with each kind of credential run.
//!
//! One test, because the subscriber, the logger and PATH (for the stub `az`) are process-wide.

mod common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use azure_openai_audio::{ChatRequest, Client, Credential};
use common::KEY;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Everything logged so far.
static CAPTURED: Mutex<String> = Mutex::new(String::new());

fn capture(line: impl std::fmt::Display) {
    let mut all = CAPTURED.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(all, "{line}");
}

/// A `tracing` subscriber that records every span, field and event.
struct Everything(AtomicU64);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Everything {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields(format!("span {}", span.metadata().name()));
        span.record(&mut fields);
        capture(fields.0);
        tracing::span::Id::from_u64(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields("record".to_owned());
        values.record(&mut fields);
        capture(fields.0);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(format!("event {}", event.metadata().target()));
        event.record(&mut fields);
        capture(fields.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A `log` logger that records every record.
struct Logger;

impl log::Log for Logger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        capture(format_args!("log {} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

const PROMPT: &str = "prompt-text-that-must-not-be-logged";

/// A request with text and audio, and a piece of the audio's base64 as it goes on the wire.
fn request() -> (ChatRequest, String) {
    common::prompt_and_audio_request(PROMPT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_logged_shows_a_secret_a_prompt_or_audio() {
    tracing::subscriber::set_global_default(Everything(AtomicU64::new(0))).unwrap();
    log::set_logger(&Logger).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let server = MockServer::start().await;
    // A 401 for the first token-provider request, so a refresh is logged too if anything is.
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer provider-token-5c1e-1"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"error":{"code":"401","message":"expired"}}"#,
            "application/json",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(common::COMPLETION, "application/json"),
        )
        .mount(&server)
        .await;

    let (request, audio_b64) = request();
    let az_dir = common::install_stub_az("logging", &[("az-token-77aa", 3600)]);
    let original_path = std::env::var("PATH").unwrap_or_default();
    std::env::set_var("PATH", format!("{}:{original_path}", az_dir.display()));
    #[allow(unused_mut)]
    let mut credentials = vec![
        Credential::api_key(KEY),
        Credential::bearer("static-token-31f0"),
        Credential::token_provider(common::Tokens::new("provider-token-5c1e")),
    ];
    // azure_identity's own logging, with the stub `az`.
    #[cfg(feature = "entra-id")]
    credentials.push(Credential::developer_tools().unwrap());
    let expected_requests = credentials.len() + 1; // the token provider's 401 is sent again
    for credential in credentials {
        let client = Client::new(server.uri(), "dep", credential).unwrap();
        client.chat().complete(&request).await.unwrap();
    }
    std::env::set_var("PATH", original_path);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        expected_requests
    );

    let logged = CAPTURED.lock().unwrap().clone();
    if std::env::var_os("SHOW_LOGS").is_some() {
        eprintln!("{logged}");
    }
    // The capture works: the HTTP stack and azure_identity did log (connections, the az call).
    assert!(
        logged.lines().count() > 5,
        "too little was captured:\n{logged}"
    );
    for secret in [
        KEY,
        "static-token-31f0",
        "provider-token-5c1e",
        "az-token-77aa",
        PROMPT,
        &audio_b64,
    ] {
        assert!(!logged.contains(secret), "{secret} was logged:\n{logged}");
    }
}
