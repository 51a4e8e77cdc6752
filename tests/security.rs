//! Credentials: no key follows a redirect, a refused token is refreshed once, and no secret
//! shows in an error's Display, Debug or sources.

mod common;

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use azure_openai_audio::{AccessToken, TokenProvider};
use azure_openai_audio::{Client, Credential, Error, ErrorKind, RequestOptions};
use common::{builder, request, Tokens, COMPLETION, KEY};
use futures_util::future::BoxFuture;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DENIED: &str = r#"{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}"#;

/// Display, Debug and every source's Display and Debug.
fn all_text(e: &Error) -> String {
    let mut text = format!("{e} {e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

fn assert_no_secret(e: &Error) {
    let text = all_text(e);
    assert!(!text.contains(KEY), "{text}");
    assert!(!text.contains("secret-token"), "{text}");
}

#[tokio::test]
async fn no_credential_follows_a_redirect_to_another_origin() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"))
        .mount(&elsewhere)
        .await;
    // 127.0.0.1 and localhost are different origins.
    let target = format!(
        "http://localhost:{}/openai/deployments/dep/chat/completions",
        elsewhere.address().port()
    );
    let tokens = Arc::new(Tokens::new("secret-token"));
    for code in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(code).insert_header("location", target.as_str()))
            .mount(&server)
            .await;
        for credential in [
            Credential::api_key(KEY),
            Credential::from_provider(tokens.clone()),
        ] {
            let client = Client::new(server.uri(), "dep", credential).unwrap();
            let err = client.chat().complete(&request()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Api, "{code}");
            assert_eq!(err.status(), Some(code));
            assert_eq!(err.attempts(), 1);
            assert_no_secret(&err);
        }
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 2, "{code}");
        assert_eq!(received[0].headers["api-key"], KEY);
        let bearer = received[1].headers["authorization"].to_str().unwrap();
        assert!(bearer.starts_with("Bearer secret-token-"), "{bearer}");
    }
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once_with_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer secret-token-1"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(DENIED, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer secret-token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"))
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::new("secret-token"));
    // Even with retries off: refreshing a refused token is not a retry.
    let client = Client::builder(
        server.uri(),
        "dep",
        Credential::from_provider(tokens.clone()),
    )
    .max_retries(0)
    .build()
    .unwrap();
    let reply = client.chat().complete(&request()).await.unwrap();
    assert_eq!(reply.id, "chatcmpl-1");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(tokens.calls(), 2);
    // The new token is cached.
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(tokens.calls(), 2);
}

#[tokio::test]
async fn a_second_401_is_surfaced() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(DENIED, "application/json"))
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::new("secret-token"));
    let client = Client::new(
        server.uri(),
        "dep",
        Credential::from_provider(tokens.clone()),
    )
    .unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("401"));
    assert_eq!(err.attempts(), 2);
    assert!(!err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(tokens.calls(), 2);
    assert_no_secret(&err);

    // An API key cannot be refreshed: one request.
    let client = builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(401), 1));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_no_secret(&err);
}

#[tokio::test]
async fn errors_of_every_kind_keep_secrets_out() {
    // Transport: nothing listens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = builder(&format!("http://{addr}"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_no_secret(&err);

    // Timeout.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build().unwrap();
    let options = RequestOptions::new()
        .timeout(Duration::from_millis(50))
        .max_retries(0);
    let err = client
        .chat()
        .complete_with(&request(), &options)
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_no_secret(&err);

    // Configuration: a key over plain http to a host that is not loopback is refused.
    let err = builder("http://my-resource.openai.azure.com")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_no_secret(&err);
    let err = Client::new(
        "http://10.0.0.1",
        "dep",
        Credential::bearer("secret-token-x"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_no_secret(&err);

    // The client's Debug.
    let client = builder("http://127.0.0.1:1").build().unwrap();
    assert!(!format!("{client:?}").contains(KEY));
}

/// A token service that never answers.
#[derive(Debug)]
struct Hangs;

impl TokenProvider for Hangs {
    fn get_token<'a>(
        &'a self,
        _scope: &'a str,
    ) -> BoxFuture<'a, azure_openai_audio::Result<AccessToken>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_service_that_hangs_is_bounded_by_the_request_timeout() {
    let server = MockServer::start().await;
    let client = Client::builder(server.uri(), "dep", Credential::token_provider(Hangs))
        .timeout(Duration::from_secs(30))
        .connect_timeout(None)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let e = client.chat().complete(&request()).await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    // Nothing was sent, and a token service that hangs is not asked again and again.
    assert_eq!(e.attempts(), 0);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}
