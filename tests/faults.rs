//! Connection-level faults and timeouts against a raw HTTP server on 127.0.0.1, on tokio's
//! paused clock: connections reset or closed mid-body, truncated JSON, an HTML error page,
//! refused connections, slow headers, a slow body.
//!
//! On the paused clock the runtime jumps to the next timer whenever it waits for I/O, so a
//! timeout fires at the first wait that has no nearer timer. The timeout tests keep the connect
//! timeout (10 s) below the request timeout, so the wait for the connection ends on the connect
//! timer's jump (the loopback connection is ready by then) and the request is written before
//! the request timeout fires: the server sees every attempt.

mod common;

use std::time::Duration;

use azure_openai_audio::{ErrorKind, RequestOptions};
use common::{builder, ok, paused_builder, request, Act, RawServer, COMPLETION};
use tokio::time::Instant;

/// Headers announcing `COMPLETION`, then only its first 40 bytes.
fn partial_completion() -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        COMPLETION.len()
    )
    .into_bytes();
    bytes.extend_from_slice(&COMPLETION.as_bytes()[..40]);
    bytes
}

#[tokio::test(start_paused = true)]
async fn a_connection_reset_mid_body_is_retried() {
    let server = RawServer::start(|n| match n {
        0 => Act::ResetAfter(partial_completion()),
        _ => Act::Reply(ok(COMPLETION)),
    })
    .await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let reply = client.chat().complete(&request()).await.unwrap();
    assert_eq!(reply.id, "chatcmpl-1");
    assert_eq!((server.requests(), server.connections()), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn a_body_cut_short_every_time_gives_up_as_a_transport_error() {
    let server = RawServer::start(|_| Act::CloseAfter(partial_completion())).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.last_status(), Some(200));
    assert_eq!(server.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn truncated_json_is_a_decode_error_and_not_retried() {
    let server = RawServer::start(|_| Act::Reply(ok(&COMPLETION[..60]))).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_html_error_page_is_an_api_error_with_the_start_of_the_page() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let response = format!(
        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\napim-request-id: apim-1\r\ncontent-length: {}\r\n\r\n{page}",
        page.len()
    );
    let server = RawServer::start(move |_| Act::Reply(response.clone().into_bytes())).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.request_id(), Some("apim-1"));
    assert_eq!(err.api_error().unwrap().raw_body.as_deref(), Some(page));
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = paused_builder(&format!("http://{addr}")).build().unwrap();
    let start = Instant::now();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.last_status(), None);
    // It backed off between attempts.
    assert!(start.elapsed() >= Duration::from_millis(1125));
}

#[tokio::test(start_paused = true)]
async fn slow_headers_time_out_on_every_attempt() {
    let server = RawServer::start(|_| Act::Stall(Vec::new())).await;
    let client = builder(&server.uri()).build().unwrap();
    let start = Instant::now();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.requests(), 3);
    // Three attempts of 600 s each.
    assert!(start.elapsed() >= Duration::from_secs(1800));

    // Per request: a shorter timeout and no retries.
    let options = RequestOptions::new()
        .timeout(Duration::from_secs(30))
        .max_retries(0);
    let start = Instant::now();
    let err = client
        .chat()
        .complete_with(&request(), &options)
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(30) && took < Duration::from_secs(600),
        "{took:?}"
    );
    assert!(err.is_timeout());
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.requests(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_after_a_503_keeps_what_the_503_said() {
    let body = r#"{"error":{"code":"503","message":"busy"}}"#;
    let busy = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         x-request-id: req-503\r\nx-ratelimit-remaining-requests: 0\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let server = RawServer::start(move |n| match n {
        0 => Act::Reply(busy.clone().into_bytes()),
        _ => Act::Stall(Vec::new()),
    })
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Timeout, 3));
    assert_eq!(err.status(), None, "the last attempt got no answer");
    assert_eq!(err.last_status(), Some(503));
    assert_eq!(err.request_id(), Some("req-503"));
    let last = err.last_response().unwrap();
    assert_eq!(last.ratelimit_remaining_requests, Some(0));
    assert_eq!(server.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_slow_body_times_out() {
    let server = RawServer::start(|_| Act::Stall(partial_completion())).await;
    let client = builder(&server.uri())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let err = client.chat().complete(&request()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.requests(), 3);
    assert!(!err.to_string().contains(common::KEY));
}

/// The response head and one event of a stream, then nothing.
fn one_event_then_silence() -> Vec<u8> {
    let event = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n";
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
        event.len()
    )
    .into_bytes()
}

#[tokio::test(start_paused = true)]
async fn a_stalled_stream_ends_with_the_idle_timeout() {
    use futures_util::StreamExt;
    let server = RawServer::start(|_| Act::Stall(one_event_then_silence())).await;
    // The request timer is off: on the paused clock it would fire at the stream's first wait.
    let client = paused_builder(&server.uri())
        .stream_idle_timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    for (options, idle) in [
        (RequestOptions::new(), Duration::from_secs(300)),
        (
            RequestOptions::new().idle_timeout(Duration::from_secs(5)),
            Duration::from_secs(5),
        ),
    ] {
        let mut stream = client
            .chat()
            .stream_with(&request(), &options)
            .await
            .unwrap();
        let first = stream.next().await.unwrap().unwrap();
        assert_eq!(first.choices[0].delta.content.as_deref(), Some("hi"));
        let start = Instant::now();
        let err = stream.next().await.unwrap().unwrap_err();
        let waited = start.elapsed();
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.to_string().contains("idle timeout"), "{err}");
        assert!(waited >= idle && waited < idle * 2, "{waited:?}");
        assert!(stream.next().await.is_none());
    }
    assert_eq!(server.requests(), 2);
}

/// A loopback address whose accept queue is full: the kernel drops further SYNs, so a connect
/// to it waits (until the connect timeout). The returned sockets must stay alive.
fn unanswered_address() -> (std::net::SocketAddr, Vec<socket2::Socket>) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    listener.bind(&any.into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut keep = vec![listener];
    // Fill the queue (a backlog of 0 still holds one or two connections); on loopback each
    // handshake completes inside `connect`.
    for _ in 0..4 {
        let c = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        c.set_nonblocking(true).unwrap();
        let _ = c.connect(&addr.into());
        keep.push(c);
    }
    (addr, keep)
}

#[tokio::test(start_paused = true)]
async fn the_connect_timeout_is_the_clients() {
    let (addr, _keep) = unanswered_address();
    let client = builder(&format!("http://{addr}"))
        .timeout(None)
        .max_retries(0)
        .build()
        .unwrap();

    let start = Instant::now();
    let e = client.chat().complete(&request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    assert_eq!(
        e.to_string(),
        "timeout: no connection within the connect timeout"
    );
    assert!(e.is_timeout() && e.is_retryable());
    assert_eq!((e.attempts(), e.status()), (1, None));
    assert_eq!(start.elapsed(), Duration::from_secs(10)); // the default

    // Another connect timeout is another client (the per-request setting, which kept a
    // connection pool per value, is gone).
    let quick = builder(&format!("http://{addr}"))
        .timeout(None)
        .max_retries(0)
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = quick.chat().complete(&request()).await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}
