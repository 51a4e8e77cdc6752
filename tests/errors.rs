//! Error statuses from a local server map to the right kinds and predicates (with the default
//! retries, on tokio's paused clock).

mod common;

use azure_openai_audio::{ChatRequest, ErrorKind, Message};
use common::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answer(template: ResponseTemplate) -> (MockServer, azure_openai_audio::Error) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(template)
        .mount(&server)
        .await;
    // Default retries, on tokio's paused clock: backoffs take no time.
    let client = paused_builder(&server.uri()).build().unwrap();
    let err = client
        .chat()
        .complete(&ChatRequest::new([Message::user("hi")]))
        .await
        .unwrap_err();
    (server, err)
}

#[tokio::test(start_paused = true)]
async fn recorded_400_content_filter() {
    let (status, body, headers) =
        cassette_response("azure-error-400-content-filter.api-2024-10-21.cassette.yaml");
    let mut t = ResponseTemplate::new(status).set_body_raw(body, "application/json");
    for (k, v) in headers
        .iter()
        .filter(|(k, _)| k != "Content-Length" && k != "Content-Type")
    {
        t = t.insert_header(k.as_str(), v.as_str());
    }
    let (server, e) = answer(t).await;
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("content_filter"));
    assert!(e.is_content_filter());
    assert!(!e.is_retryable());
    assert_eq!(e.request_id(), Some("6f4f0817-70eb-41e9-a10f-62599d1fc0ab"));
    assert_eq!(
        e.metadata().unwrap().ratelimit_remaining_tokens,
        Some(24927)
    );
    assert!(
        e.api_error()
            .unwrap()
            .content_filter_results()
            .unwrap()
            .self_harm
            .as_ref()
            .unwrap()
            .filtered
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(
        e.to_string()
            .starts_with("api error: 400 (content_filter): The response was filtered"),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn recorded_401_invalid_key() {
    let rec = entry("azure-error-401-invalid-key.2024-10-21.recording.json", 0);
    let t = ResponseTemplate::new(401)
        .set_body_raw(
            serde_json::to_vec(&rec["ResponseBody"]).unwrap(),
            "application/json",
        )
        .insert_header(
            "apim-request-id",
            rec["ResponseHeaders"]["apim-request-id"].as_str().unwrap(),
        );
    let (server, e) = answer(t).await;
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.code(), Some("401"));
    assert_eq!(e.request_id(), Some("37cb48a2-c474-4f3e-a4f5-495ff977d680"));
    assert!(!e.is_retryable());
    // An API key cannot be refreshed: one request, no retry.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(!format!("{e} {e:?}").contains(KEY), "no key in the message");
}

#[tokio::test(start_paused = true)]
async fn not_found_deployment() {
    let body = r#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#;
    let (_, e) = answer(
        ResponseTemplate::new(404)
            .set_body_raw(body, "application/json")
            .insert_header("x-request-id", "req-404"),
    )
    .await;
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Api, Some(404), Some("DeploymentNotFound"))
    );
    assert_eq!(e.request_id(), Some("req-404"));
    assert!(!e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn throttled_429_carries_the_delay_and_counters() {
    let body = r#"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 86400 seconds."}}"#;
    let t = ResponseTemplate::new(429)
        .set_body_raw(body, "application/json")
        .insert_header("retry-after", "86400")
        .insert_header("x-ratelimit-remaining-requests", "0")
        .insert_header("x-request-id", "req-429");
    let (_, e) = answer(t).await;
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Api, Some(429), Some("429"))
    );
    assert!(e.is_rate_limited());
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(86400)));
    assert_eq!(e.metadata().unwrap().ratelimit_remaining_requests, Some(0));
}

#[tokio::test(start_paused = true)]
async fn server_error_500_with_a_non_json_page() {
    let page = "<html><body>Internal Server Error</body></html>";
    let (_, e) = answer(
        ResponseTemplate::new(500)
            .set_body_raw(page, "text/html")
            .insert_header("apim-request-id", "apim-500"),
    )
    .await;
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Api, Some(500), None)
    );
    assert_eq!(e.request_id(), Some("apim-500"));
    assert_eq!(e.api_error().unwrap().raw_body.as_deref(), Some(page));
    assert!(e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn truncated_success_body_is_a_decode_error() {
    let (_, e) = answer(ResponseTemplate::new(200).set_body_raw(
        r#"{"id":"chatcmpl-1","choices":[{"mess"#,
        "application/json",
    ))
    .await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.status(), Some(200));
}

#[tokio::test(start_paused = true)]
async fn nothing_listening_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = paused_builder(&format!("http://{addr}")).build().unwrap();
    let e = client
        .chat()
        .complete(&ChatRequest::new([Message::user("hi")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.is_retryable());
    assert_eq!(e.status(), None);
}
