//! Per-request headers and query parameters, and the hook on reqwest's builder, on the wire
//! against a local wiremock server.

mod common;

use azure_openai_audio::{Client, Credential, ErrorKind, RequestOptions, Route};
use common::{builder, header, request, COMPLETION};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(COMPLETION, "application/json")
                .insert_header("x-ms-client-request-id", "echoed-7"),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn request_options_add_headers_and_query_parameters() {
    let server = server().await;
    let client = builder(&server.uri()).build().unwrap();
    let options = RequestOptions::new()
        .header("x-ms-client-request-id", "echoed-7")
        .header("x-custom", "1")
        .query("trace", "a b");
    let reply = client
        .chat()
        .complete_with(&request(), &options)
        .await
        .unwrap();
    assert_eq!(
        reply.metadata.client_request_id.as_deref(),
        Some("echoed-7")
    );
    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    assert_eq!(r.url.path(), "/openai/deployments/dep/chat/completions");
    assert_eq!(
        r.url.query(),
        Some("api-version=2025-04-01-preview&trace=a+b")
    );
    assert_eq!(header(r, "x-ms-client-request-id"), Some("echoed-7"));
    assert_eq!(header(r, "x-custom"), Some("1"));
    assert_eq!(header(r, "api-key"), Some(common::KEY));

    // On the /openai/v1 route there is no api-version; the options' query is the whole query.
    let v1 = builder(&server.uri()).route(Route::V1).build().unwrap();
    v1.chat()
        .complete_with(&request(), &RequestOptions::new().query("trace", "on"))
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[1].url.path(), "/openai/v1/chat/completions");
    assert_eq!(received[1].url.query(), Some("trace=on"));
    // Without options, no query at all (not an empty `?`).
    v1.chat().complete(&request()).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[2].url.query(), None);
}

#[tokio::test]
async fn reserved_or_invalid_headers_are_refused_before_anything_is_sent() {
    let server = server().await;
    let client = builder(&server.uri()).build().unwrap();
    let refused = [
        RequestOptions::new().header("api-key", "other-key"),
        RequestOptions::new().header("Authorization", "Bearer x"),
        RequestOptions::new().header("content-length", "3"),
        RequestOptions::new().header("x-ok", "line\nbreak"),
        RequestOptions::new().header("no spaces", "x"),
        RequestOptions::new().query("api-version", "2024-10-21"),
    ];
    for options in refused {
        let e = client
            .chat()
            .complete_with(&request(), &options)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{options:?}: {e}");
        assert_eq!(e.attempts(), 0);
        assert!(!e.to_string().contains("other-key"), "{e}");
        let stream = client.chat().stream_with(&request(), &options).await;
        assert_eq!(stream.unwrap_err().kind(), ErrorKind::InvalidInput);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_http_hook_adjusts_reqwest_and_the_crate_keeps_its_settings() {
    let server = server().await;
    // A redirect the hook asks reqwest to follow: the crate still follows none.
    Mock::given(method("POST"))
        .and(wiremock::matchers::path_regex("/moved/.*"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri(), "dep", Credential::api_key("k"))
        .configure_http(|http| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("x-from-hook", "yes".parse().unwrap());
            http.default_headers(headers)
        })
        .configure_http(|http| {
            http.gzip(true)
                .redirect(reqwest::redirect::Policy::limited(5))
                .user_agent("my-app/1.0")
        })
        .build()
        .unwrap();
    client.chat().complete(&request()).await.unwrap();
    let received = server.received_requests().await.unwrap();
    let r = &received[0];
    assert_eq!(header(r, "x-from-hook"), Some("yes"));
    assert_eq!(header(r, "user-agent"), Some("my-app/1.0"));
    assert_eq!(header(r, "accept-encoding"), None, "compression stays off");
    assert_eq!(header(r, "api-key"), Some("k"));

    let redirecting = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/moved/here", server.uri()).as_str()),
        )
        .mount(&redirecting)
        .await;
    let client = Client::builder(redirecting.uri(), "dep", Credential::api_key("k"))
        .configure_http(|http| http.redirect(reqwest::redirect::Policy::limited(5)))
        .max_retries(0)
        .build()
        .unwrap();
    let e = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(e.status(), Some(307));
    let moved = server.received_requests().await.unwrap();
    assert_eq!(moved.len(), 1, "the redirect was followed with the key");
}
