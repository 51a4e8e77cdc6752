//! The `tracing` feature: one span `aoai.request` per request (API, deployment, method) and an
//! event per attempt inside it (attempt number, status, request id, retry delay), and nothing
//! that shows the key, the prompt text or the audio. A subscriber keeps every span and event
//! (the crate's and its dependencies') for the whole process.
//!
//! One test, because the subscriber is process-wide.
#![cfg(feature = "tracing")]

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use azure_openai_audio::routing::{Backend, Pool, RoutingConfig};
use azure_openai_audio::{Api, RequestOptions};
use common::{paused_builder, KEY};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A span or an event, with its fields as text.
#[derive(Debug, Clone)]
struct Seen {
    kind: &'static str,
    name: String,
    fields: BTreeMap<String, String>,
    /// For an event: the span it happened in.
    span: Option<u64>,
    /// For a span: its id.
    id: u64,
}

#[derive(Default)]
struct Capture {
    next_id: AtomicU64,
    seen: Mutex<Vec<Seen>>,
    /// The spans entered, innermost last (the test runs on one thread).
    entered: Mutex<Vec<u64>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

static CAPTURE: std::sync::LazyLock<Capture> = std::sync::LazyLock::new(Capture::default);

struct Subscriber;

impl tracing::Subscriber for Subscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = CAPTURE.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        CAPTURE.seen.lock().unwrap().push(Seen {
            kind: "span",
            name: span.metadata().name().to_owned(),
            fields,
            span: None,
            id,
        });
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut seen = CAPTURE.seen.lock().unwrap();
        if let Some(s) = seen
            .iter_mut()
            .find(|s| s.kind == "span" && s.id == span.into_u64())
        {
            values.record(&mut Fields(&mut s.fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = CAPTURE.entered.lock().unwrap().last().copied();
        CAPTURE.seen.lock().unwrap().push(Seen {
            kind: "event",
            name: event.metadata().target().to_owned(),
            fields,
            span,
            id: 0,
        });
    }
    fn enter(&self, span: &tracing::span::Id) {
        CAPTURE.entered.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, span: &tracing::span::Id) {
        let mut entered = CAPTURE.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|&id| id == span.into_u64()) {
            entered.remove(at);
        }
    }
}

const PROMPT: &str = "prompt-text-that-must-not-be-traced";

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_span_per_request_and_an_event_per_attempt_without_secrets() {
    tracing::subscriber::set_global_default(Subscriber).unwrap();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_raw(
                    r#"{"error":{"code":"503","message":"busy"}}"#,
                    "application/json",
                )
                .insert_header("x-request-id", "req-1")
                .insert_header("retry-after-ms", "250"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(common::COMPLETION, "application/json")
                .insert_header("x-request-id", "req-2"),
        )
        .mount(&server)
        .await;

    let (request, audio_b64) = common::prompt_and_audio_request(PROMPT);
    // No idle-connection timer: on the paused clock, the runtime would jump to it (90 s) while
    // waiting on a socket, and the routed requests below would see their cool-downs end early.
    let client = paused_builder(&server.uri())
        .configure_http(|http| http.pool_idle_timeout(None))
        .build()
        .unwrap();
    let options = RequestOptions::new().header("x-ms-client-request-id", "client-id-1");
    client
        .chat()
        .complete_with(&request, &options)
        .await
        .unwrap();

    let seen = CAPTURE.seen.lock().unwrap().clone();
    let spans: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.kind == "span" && s.name == "aoai.request")
        .collect();
    assert_eq!(spans.len(), 1, "{seen:#?}");
    assert_eq!(
        spans[0].fields,
        fields(&[("api", "chat"), ("deployment", "dep"), ("method", "POST")])
    );
    let attempts: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.kind == "event" && s.fields.contains_key("attempt"))
        .collect();
    assert_eq!(attempts.len(), 2, "{seen:#?}");
    assert!(attempts.iter().all(|e| e.span == Some(spans[0].id)));
    assert!(attempts
        .iter()
        .all(|e| e.name == "azure_openai_audio::transport::trace"));
    assert_eq!(
        attempts[0].fields,
        fields(&[
            ("attempt", "1"),
            ("status", "503"),
            ("request_id", "req-1"),
            ("error", "api error"),
            ("outcome", "retry"),
            ("retry_delay_ms", "250"),
            ("message", "attempt failed"),
        ])
    );
    assert_eq!(
        attempts[1].fields,
        fields(&[
            ("attempt", "2"),
            ("status", "200"),
            ("request_id", "req-2"),
            ("outcome", "ok"),
            ("message", "attempt succeeded"),
        ])
    );

    routed_attempts_name_their_backend_and_the_cool_downs().await;

    let seen = CAPTURE.seen.lock().unwrap().clone();
    let everything = format!("{seen:?}");
    for secret in [KEY, PROMPT, &audio_b64, "client-id-1", BACKEND_KEY] {
        assert!(
            !everything.contains(secret),
            "{secret} was traced:\n{seen:#?}"
        );
    }
}

const BACKEND_KEY: &str = "sk-backend-east-77";

/// A 429 with `retry-after: seconds`.
fn too_many(seconds: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .set_body_raw(
            r#"{"error":{"code":"429","message":"slow down"}}"#,
            "application/json",
        )
        .insert_header("retry-after", seconds)
}

/// Two requests routed over two backends: the first meets a 429 on `east` (its own key) and
/// moves to `west`; the second meets a 429 on `west` while `east` cools down, and waits.
async fn routed_attempts_name_their_backend_and_the_cool_downs() {
    let east = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(too_many("30"))
        .mount(&east)
        .await;
    let west = MockServer::start().await;
    let completion =
        ResponseTemplate::new(200).set_body_raw(common::COMPLETION, "application/json");
    for (answer, times) in [(completion.clone(), 1), (too_many("5"), 1), (completion, 9)] {
        Mock::given(method("POST"))
            .respond_with(answer)
            .up_to_n_times(times)
            .mount(&west)
            .await;
    }
    let backends = [
        Backend::new(east.uri().parse().unwrap(), "east")
            .credential(azure_openai_audio::Credential::api_key(BACKEND_KEY)),
        Backend::new(west.uri().parse().unwrap(), "west"),
    ];
    let client = paused_builder("http://127.0.0.1:1")
        .configure_http(|http| http.pool_idle_timeout(None))
        .routing(
            Api::Chat,
            Pool::new(backends, RoutingConfig::default()).unwrap(),
        )
        .build()
        .unwrap();
    let from = CAPTURE.seen.lock().unwrap().len();
    for _ in 0..2 {
        client.chat().complete(&common::request()).await.unwrap();
    }
    let seen = CAPTURE.seen.lock().unwrap()[from..].to_vec();
    let events: Vec<BTreeMap<String, String>> = seen
        .iter()
        .filter(|s| s.kind == "event" && s.name == "azure_openai_audio::transport::trace")
        .map(|s| s.fields.clone())
        .collect();
    let on = |index: &str, deployment: &str, more: &[(&str, &str)]| {
        let mut all = vec![
            ("backend", index),
            ("backend_host", "127.0.0.1"),
            ("backend_deployment", deployment),
        ];
        all.extend_from_slice(more);
        fields(&all)
    };
    let failed = [("error", "api error"), ("message", "attempt failed")];
    let west_ok = on(
        "1",
        "west",
        &[
            ("attempt", "2"),
            ("status", "200"),
            ("outcome", "ok"),
            ("message", "attempt succeeded"),
        ],
    );
    let expected = vec![
        on(
            "0",
            "east",
            &[
                ("cool_down_ms", "30000"),
                ("message", "backend cooling down"),
            ],
        ),
        on(
            "0",
            "east",
            &[
                &[
                    ("attempt", "1"),
                    ("status", "429"),
                    ("outcome", "retry on another backend"),
                ],
                &failed[..],
            ]
            .concat(),
        ),
        west_ok.clone(),
        on(
            "1",
            "west",
            &[
                ("cool_down_ms", "5000"),
                ("message", "backend cooling down"),
            ],
        ),
        on(
            "1",
            "west",
            &[
                &[
                    ("attempt", "1"),
                    ("status", "429"),
                    ("outcome", "retry on the first backend free"),
                ],
                &failed[..],
            ]
            .concat(),
        ),
        fields(&[("wait_ms", "5000"), ("message", "waiting for a backend")]),
        west_ok.clone(),
    ];
    assert_eq!(events, expected, "{seen:#?}");
}
