//! The requests-per-minute quota: Azure's 429 beyond it, with the wait until the window frees a
//! place, before the body is read; the `x-ratelimit-*-requests` headers on every answer; set from
//! the builder, at run time and over `/_emulator/quota`. On the paused clock: a minute passes at
//! once.
mod support;

use std::time::Duration;

use azure_openai_audio::{ChatRequest, Message};
use azure_openai_audio_emulator::{Emulator, Fault};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use support::*;

fn hi() -> Value {
    json!({"messages": [{"role": "user", "content": "hi"}]})
}

fn quota_headers(headers: &HeaderMap) -> (Option<&str>, Option<&str>) {
    let get = |name| headers.get(name).map(|v| v.to_str().unwrap());
    (
        get("x-ratelimit-limit-requests"),
        get("x-ratelimit-remaining-requests"),
    )
}

async fn with_quota(requests_per_minute: u32) -> Emulator {
    Emulator::builder()
        .requests_per_minute(requests_per_minute)
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn beyond_the_quota_azure_429_says_when_the_window_frees() {
    let emulator = with_quota(3).await;
    let start = tokio::time::Instant::now();
    for remaining in ["2", "1", "0"] {
        let (status, headers, _) = post(&emulator, &hi()).await;
        assert_eq!(status, 200);
        assert_eq!(quota_headers(&headers), (Some("3"), Some(remaining)));
    }
    // The fourth, even with a body that would be refused: the 429 comes first.
    let (status, headers, body) = post(&emulator, &json!({"messages": 5})).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "60000");
    assert_eq!(headers["retry-after"], "60");
    assert_eq!(quota_headers(&headers), (Some("3"), Some("0")));
    assert_eq!(body["error"]["code"], "429");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Requests to the ChatCompletions_Create Operation")
            && message.contains("Please retry after 60 seconds"),
        "{message}"
    );

    // 45 s later the wait is what is left of the minute.
    tokio::time::sleep(Duration::from_secs(45)).await;
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "15000");
    assert_eq!(headers["retry-after"], "15");
    // After it, the three have left the window: room for three again.
    tokio::time::sleep(Duration::from_secs(15)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 200);
    assert_eq!(quota_headers(&headers), (Some("3"), Some("2")));
    assert_eq!(emulator.requests_received(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_window_slides_request_by_request() {
    let emulator = with_quota(2).await;
    assert_eq!(post(&emulator, &hi()).await.0, 200);
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(post(&emulator, &hi()).await.0, 200);
    tokio::time::sleep(Duration::from_secs(30)).await;
    // Full: the first request leaves 10 s from now, the second 30 s.
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "10000");
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 200);
    assert_eq!(quota_headers(&headers), (Some("2"), Some("0")));
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "20000");
}

#[tokio::test(start_paused = true)]
async fn refusals_before_the_quota_and_admin_routes_do_not_count() {
    let emulator = with_quota(1).await;
    let http = reqwest::Client::new();
    // A wrong key: refused (401) before the quota, with the headers, and not counted.
    let response = http
        .post(url(&emulator, "d"))
        .header("api-key", "")
        .body(hi().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(quota_headers(response.headers()), (Some("1"), Some("1")));
    // An injected 429 keeps its own headers (nothing left) and is not counted either.
    emulator.inject(Fault::rate_limit(Duration::from_millis(500)), 1);
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after-ms"], "500");
    assert_eq!(quota_headers(&headers), (Some("1"), Some("0")));
    // The admin routes carry no quota headers and take nothing from it.
    let faults = http
        .get(format!("{}/_emulator/faults", emulator.endpoint()))
        .header("api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 200);
    assert_eq!(quota_headers(faults.headers()), (None, None));
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 200);
    assert_eq!(quota_headers(&headers), (Some("1"), Some("0")));

    // The crate's client sees a typed 429 with the wait.
    let client = emulator
        .client_builder("gpt-4o-audio-preview")
        .max_retries(0)
        .build()
        .unwrap();
    let request = ChatRequest::new([Message::user("hi")]);
    let e = client.chat().complete(&request).await.unwrap_err();
    assert!(e.is_rate_limited(), "{e}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    // With retries, it waits out the minute (on the paused clock) and gets its answer.
    let start = tokio::time::Instant::now();
    let reply = emulator
        .client_builder("gpt-4o-audio-preview")
        .max_retries(1)
        .build()
        .unwrap()
        .chat()
        .complete(&request)
        .await
        .unwrap();
    assert_eq!(reply.text(), Some("You said: hi."));
    assert_eq!(start.elapsed(), Duration::from_secs(60));

    // Without a quota, no headers.
    emulator.set_requests_per_minute(None);
    let (status, headers, _) = post(&emulator, &hi()).await;
    assert_eq!(status, 200);
    assert_eq!(quota_headers(&headers), (None, None));
}

async fn quota(emulator: &Emulator, method: reqwest::Method, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/_emulator/quota", emulator.endpoint()))
        .header("api-key", emulator.api_key());
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test(start_paused = true)]
async fn the_quota_is_set_and_removed_over_http() {
    let emulator = Emulator::start().await.unwrap();
    let none = json!({"requests_per_minute": null, "remaining": null});
    assert_eq!(
        quota(&emulator, reqwest::Method::GET, None).await,
        (200, none.clone())
    );
    let set = Some(json!({"requests_per_minute": 1}));
    assert_eq!(
        quota(&emulator, reqwest::Method::PUT, set).await,
        (200, json!({"requests_per_minute": 1, "remaining": 1}))
    );
    assert_eq!(post(&emulator, &hi()).await.0, 200);
    assert_eq!(post(&emulator, &hi()).await.0, 429);
    assert_eq!(
        quota(&emulator, reqwest::Method::GET, None).await,
        (200, json!({"requests_per_minute": 1, "remaining": 0}))
    );
    let (status, error) = quota(
        &emulator,
        reqwest::Method::PUT,
        Some(json!({"requests_per_minute": "lots"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "requests_per_minute");
    assert_eq!(
        quota(&emulator, reqwest::Method::DELETE, None).await,
        (200, none)
    );
    assert_eq!(post(&emulator, &hi()).await.0, 200);
    // It needs the key, as the other admin routes.
    let response = reqwest::Client::new()
        .get(format!("{}/_emulator/quota", emulator.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
