//! Shared set-up of the routing tests: wiremock servers that answer a script, backends on
//! them, and clients routed over them on tokio's paused clock.
#![allow(dead_code)]

use std::time::Duration;

use azure_openai_audio::routing::{Backend, Pool, RoutingConfig};
use azure_openai_audio::{Api, Client, ClientBuilder};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{paused_builder, COMPLETION};

pub const S: Duration = Duration::from_secs(1);

pub fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json")
}

pub fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_raw(
        format!(r#"{{"error":{{"code":"{code}","message":"failed"}}}}"#),
        "application/json",
    )
}

/// A 429 asking for `seconds` in `retry-after`.
pub fn too_many(seconds: u64) -> ResponseTemplate {
    status(429).insert_header("retry-after", seconds.to_string().as_str())
}

/// A server that answers `first` `times` times, then `then` (if any).
pub async fn server(
    first: ResponseTemplate,
    times: u64,
    then: Option<ResponseTemplate>,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(&server)
        .await;
    if let Some(then) = then {
        Mock::given(method("POST"))
            .respond_with(then)
            .mount(&server)
            .await;
    }
    server
}

pub async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

pub fn backend(server: &MockServer, deployment: &str) -> Backend {
    Backend::new(server.uri().parse().unwrap(), deployment)
}

/// [`paused_builder`] without the connection pool's idle timer, which the paused clock would
/// jump to (90 s) whenever the runtime waits for a socket: simulated time then passes only
/// when the crate waits.
pub fn builder(endpoint: &str) -> ClientBuilder {
    paused_builder(endpoint).configure_http(|http| http.pool_idle_timeout(None))
}

/// A client whose chat requests are routed over `backends`.
pub fn routed(backends: Vec<Backend>, config: RoutingConfig) -> Client {
    let pool = Pool::new(backends, config).unwrap();
    builder("http://127.0.0.1:1")
        .routing(Api::Chat, pool)
        .build()
        .unwrap()
}
