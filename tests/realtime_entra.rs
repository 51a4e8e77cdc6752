//! A Realtime session's handshake with Microsoft Entra ID through azure_identity's real
//! DeveloperToolsCredential (a stub `az` on PATH): the bearer token is sent, a new connection
//! gets a fresh token once the old one expired, and a 401 at the handshake is answered with a
//! new token. (Alone in its binary: it changes PATH.)
#![cfg(feature = "entra-id")]

mod common;
#[path = "support/ws_server.rs"]
mod ws_server;

use azure_openai_audio::{Client, Credential};
use common::{calls, install_stub_az};
use ws_server::{say, Plan, WsServer};

fn developer_client(server: &WsServer) -> Client {
    Client::new(&server.uri, "rt", Credential::developer_tools().unwrap()).unwrap()
}

fn bearers(server: &WsServer) -> Vec<String> {
    let handshakes = server.handshakes();
    handshakes
        .iter()
        .map(|h| h.header("authorization").unwrap_or("none").to_owned())
        .collect()
}

#[tokio::test]
async fn the_entra_token_is_sent_and_refreshed_for_a_new_connection() {
    let original_path = std::env::var("PATH").unwrap_or_default();
    let use_az = |test: &str, tokens: &[(&str, i64)]| {
        let dir = install_stub_az(test, tokens);
        std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
        dir
    };

    // 1. The first connection sends token-A; it has expired, so the next connection waits for
    //    token-B rather than sending it again.
    let dir = use_az("rt-expired", &[("token-A", -60), ("token-B", 3600)]);
    let server = WsServer::start(vec![Plan::Accept(say(vec![])), Plan::Accept(say(vec![]))]).await;
    let client = developer_client(&server);
    let mut first = client.realtime().connect().await.unwrap();
    first.next_event().await.unwrap().unwrap();
    let mut second = client.realtime().connect().await.unwrap();
    second.next_event().await.unwrap().unwrap();
    assert_eq!(bearers(&server), ["Bearer token-A", "Bearer token-B"]);
    assert_eq!(calls(&dir).len(), 2);
    assert!(server
        .handshakes()
        .iter()
        .all(|h| h.header("api-key").is_none()));

    // 2. A 401 at the handshake drops the token; the handshake is sent once more with a new one.
    let dir = use_az("rt-unauthorized", &[("token-C", 3600), ("token-D", 3600)]);
    let server = WsServer::start(vec![
        Plan::Refuse {
            status: 401,
            body: r#"{"error":{"code":"401","message":"Token expired"}}"#.to_owned(),
            request_id: "req-401",
            retry_after: None,
        },
        Plan::Accept(say(vec![])),
    ])
    .await;
    let client = developer_client(&server);
    let mut session = client.realtime().connect().await.unwrap();
    session.next_event().await.unwrap().unwrap();
    assert_eq!(bearers(&server), ["Bearer token-C", "Bearer token-D"]);
    assert_eq!(calls(&dir).len(), 2);
    std::env::set_var("PATH", original_path);
}
