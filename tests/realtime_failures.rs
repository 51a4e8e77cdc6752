//! How a Realtime session fails, against a raw WebSocket server: refused handshakes (typed,
//! 429 retried on the paused clock), server closes with their code and reason, a broken
//! connection, a dead peer found by the idle limit (paused clock) but not a slow reader, the
//! server's pings answered, and a close the server answers by dropping the connection.

#[path = "support/ws_server.rs"]
mod ws_server;

use std::time::Duration;

use azure_openai_audio::{Client, Credential, ErrorKind, RealtimeServerEvent};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use ws_server::{close, say, Plan, Script, Ws, WsServer, SESSION_CREATED};

fn client(server: &WsServer) -> Client {
    Client::builder(&server.uri, "rt", Credential::api_key("k"))
        .max_retries(2)
        .build()
        .unwrap()
}

fn refuse(status: u16, body: &str) -> Plan {
    Plan::Refuse {
        status,
        body: body.to_owned(),
        request_id: "req-refused",
        retry_after: None,
    }
}

#[tokio::test]
async fn refused_handshakes_are_typed_with_status_body_and_request_id() {
    let cases = [
        (
            401,
            r#"{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}"#,
        ),
        (
            403,
            r#"{"error":{"code":"PermissionDenied","message":"The principal lacks the data action."}}"#,
        ),
        (
            404,
            r#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
        ),
        (
            400,
            r#"{"error":{"code":"OperationNotSupported","message":"The realtime operation does not work with the specified model, gpt-4o."}}"#,
        ),
    ];
    for (status, body) in cases {
        let server = WsServer::start(vec![refuse(status, body)]).await;
        let e = client(&server).realtime().connect().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Api, "{e:?}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.request_id(), Some("req-refused"));
        let message = serde_json::from_str::<serde_json::Value>(body).unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(e.api_error().unwrap().message, message);
        assert!(!e.can_reconnect());
        assert_eq!(server.handshakes().len(), 1, "{status} is not retried");
    }
}

/// A 429 asking for `retry_after` seconds.
fn too_many(retry_after: &'static str) -> Plan {
    Plan::Refuse {
        status: 429,
        body: r#"{"error":{"code":"429","message":"Rate limit exceeded."}}"#.to_owned(),
        request_id: "req-429",
        retry_after: Some(retry_after),
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_at_the_handshake_is_retried_after_the_delay_it_asks_for() {
    let server = WsServer::start(vec![too_many("7"), Plan::Accept(say(vec![]))]).await;
    let started = tokio::time::Instant::now();
    let mut session = client(&server).realtime().connect().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(7));
    assert_eq!(server.handshakes().len(), 2);
    let first = session.next_event().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "session.created");
}

#[tokio::test(start_paused = true)]
async fn each_handshake_attempt_sends_a_fresh_key_and_checks_its_own_accept() {
    let server = WsServer::start(vec![
        too_many("1"),
        too_many("1"),
        Plan::Accept(say(vec![])),
    ])
    .await;
    // The server answers the third key's accept: the session opens only if the client checks
    // the accept against the key of the attempt it answers.
    let mut session = client(&server).realtime().connect().await.unwrap();
    let keys: Vec<String> = server
        .handshakes()
        .iter()
        .map(|h| h.header("sec-websocket-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k.len() == 24), "{keys:?}");
    assert!(
        keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2],
        "{keys:?}"
    );
    let first = session.next_event().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "session.created");
}

/// The error a session ends with when the server sends `message` after `session.created`.
async fn ending_after(message: Option<Message>) -> azure_openai_audio::Error {
    let script: Script = Box::new(move |mut ws: Ws| {
        async move {
            ws.send(Message::text(SESSION_CREATED)).await.unwrap();
            if let Some(message) = message {
                ws.send(message).await.unwrap();
                while let Some(Ok(_)) = ws.next().await {}
            }
            // None: dropped, no close frame.
        }
        .boxed()
    });
    let server = WsServer::start(vec![Plan::Accept(script)]).await;
    let session = client(&server).realtime().connect().await.unwrap();
    let (_sender, mut receiver) = session.split();
    assert!(matches!(
        receiver.next_event().await,
        Ok(Some(RealtimeServerEvent::SessionCreated(_)))
    ));
    let e = receiver.next_event().await.unwrap_err();
    // The error is the last item.
    assert!(receiver.next().await.is_none());
    e
}

#[tokio::test]
async fn server_closes_arrive_typed_with_code_and_reason() {
    let cases = [
        (1000, "", true),
        (
            1001,
            "Session ended: maximum duration of 60 minutes reached",
            true,
        ),
        (1011, "internal server error", true),
        (1008, "policy violation", false),
    ];
    for (code, reason, reconnect) in cases {
        let e = ending_after(Some(close(code, reason))).await;
        assert_eq!(e.kind(), ErrorKind::Closed, "{e:?}");
        assert_eq!(e.close_code(), Some(code));
        assert_eq!(e.close_reason(), Some(reason));
        assert_eq!(e.can_reconnect(), reconnect, "{code}");
        assert!(e.to_string().contains(&format!("code {code}")), "{e}");
    }
    let e = ending_after(Some(close(1001, "maximum duration reached"))).await;
    assert!(e.to_string().ends_with("maximum duration reached"), "{e}");
}

#[tokio::test]
async fn a_broken_connection_is_a_transport_error_a_new_session_can_follow() {
    let e = ending_after(None).await;
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(e.close_code(), None);
    assert!(e.can_reconnect());
}

#[tokio::test]
async fn a_server_that_drops_the_connection_after_our_close_ends_the_session_quietly() {
    // The server reads the caller's close and drops the TCP connection without answering it.
    let (script, seen_rx) = watching(vec![], Vec::new(), |m| match m {
        Message::Close(frame) => Some(frame.map(|f| u16::from(f.code))),
        _ => None,
    });
    let server = WsServer::start(vec![Plan::Accept(script)]).await;
    let (sender, mut receiver) = client(&server).realtime().connect().await.unwrap().split();
    assert!(matches!(
        receiver.next_event().await,
        Ok(Some(RealtimeServerEvent::SessionCreated(_)))
    ));
    sender.close().await.unwrap();
    assert_eq!(seen_rx.await.unwrap(), Some(Some(1000)));
    assert!(matches!(receiver.next_event().await, Ok(None)));
    assert!(matches!(receiver.next_event().await, Ok(None)));
}

/// A server that sends `session.created` and `before`, reads until `pick` takes a message and
/// reports it (`None` if the connection ended first); then sends `after` and reads on if there
/// is any, else drops the connection at once (not even answering a close).
fn watching<T: Send + 'static>(
    before: Vec<Message>,
    after: Vec<Message>,
    pick: impl Fn(Message) -> Option<T> + Send + 'static,
) -> (Script, tokio::sync::oneshot::Receiver<Option<T>>) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let script: Script = Box::new(move |mut ws: Ws| {
        async move {
            ws.send(Message::text(SESSION_CREATED)).await.unwrap();
            for message in before {
                ws.send(message).await.unwrap();
            }
            let mut picked = None;
            while let Some(Ok(message)) = ws.next().await {
                picked = pick(message);
                if picked.is_some() {
                    break;
                }
            }
            let _ = tx.send(picked);
            if after.is_empty() {
                return;
            }
            for message in after {
                ws.send(message).await.unwrap();
            }
            while let Some(Ok(_)) = ws.next().await {}
        }
        .boxed()
    });
    (script, rx)
}

/// A server that sends `session.created` and then never reads again (so it answers no ping)
/// and never writes: a dead peer on a live TCP connection.
fn silent() -> Script {
    Box::new(|mut ws: Ws| {
        async move {
            ws.send(Message::text(SESSION_CREATED)).await.unwrap();
            std::future::pending::<()>().await;
            drop(ws);
        }
        .boxed()
    })
}

/// A session with `script`'s server, pinging after 5 s of quiet and giving up after 12 s, past
/// its `session.created`.
async fn keepalive_session(script: Script) -> azure_openai_audio::RealtimeSession {
    let server = WsServer::start(vec![Plan::Accept(script)]).await;
    let mut session = client(&server)
        .realtime()
        .keepalive(Duration::from_secs(5))
        .idle_limit(Duration::from_secs(12))
        .connect()
        .await
        .unwrap();
    session.next_event().await.unwrap().unwrap();
    session
}

#[tokio::test(start_paused = true)]
async fn a_dead_peer_is_found_by_the_idle_limit() {
    let mut session = keepalive_session(silent()).await;
    let started = tokio::time::Instant::now();
    let e = tokio::time::timeout(Duration::from_secs(60), session.next_event())
        .await
        .expect("the idle limit ends the wait")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    assert!(e.to_string().contains("idle limit (12 s)"), "{e}");
    assert!(e.can_reconnect());
    let waited = started.elapsed();
    assert!(waited <= Duration::from_secs(12), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn pongs_keep_a_quiet_session_alive() {
    // `say` keeps reading, so tungstenite answers every ping with a pong.
    let mut session = keepalive_session(say(vec![])).await;
    let quiet = tokio::time::timeout(Duration::from_secs(120), session.next_event()).await;
    assert!(
        quiet.is_err(),
        "no event and no error in two quiet minutes: {quiet:?}"
    );
}

#[tokio::test]
async fn the_idle_limit_must_be_longer_than_the_keepalive() {
    let server = WsServer::start(vec![]).await;
    let e = client(&server)
        .realtime()
        .keepalive(Duration::from_secs(30))
        .idle_limit(Duration::from_secs(30))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(server.handshakes().is_empty());
}

#[tokio::test]
async fn the_servers_pings_are_answered_while_the_receiver_waits() {
    let ping = Message::Ping(b"are you there".to_vec().into());
    let after = vec![Message::text(SESSION_CREATED)];
    let (script, pong_rx) = watching(vec![ping], after, |m| match m {
        Message::Pong(payload) => Some(payload.to_vec()),
        _ => None,
    });
    let server = WsServer::start(vec![Plan::Accept(script)]).await;
    let mut session = client(&server).realtime().connect().await.unwrap();
    session.next_event().await.unwrap().unwrap();
    // The second event comes only once the server has its pong.
    session.next_event().await.unwrap().unwrap();
    assert_eq!(pong_rx.await.unwrap().unwrap(), b"are you there");
}

#[tokio::test(start_paused = true)]
async fn a_slow_reader_is_not_the_servers_silence() {
    let mut session = keepalive_session(say(vec![Message::text(SESSION_CREATED)])).await;
    // The caller does not read for longer than the idle limit: the event waiting is read first.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let event = session.next_event().await.unwrap().unwrap();
    assert_eq!(event.event_type(), "session.created");
}
