//! A Realtime handshake goes through the proxy set with `configure_http`, as a CONNECT tunnel,
//! like any other request of the client.
//!
//! The crate never uses a proxy for a plain-`http` (loopback) endpoint, and the emulator has no
//! TLS, so the session cannot be opened end to end through a proxy here: the test proves the
//! handshake's route instead. The endpoint is `https://`, the proxy a local socket that records
//! what it is asked and refuses the tunnel (403): the proxy gets `CONNECT {host}:443` (the key
//! stays inside the tunnel, never in the proxy's request), and the refusal comes back as the
//! handshake's connection error.

use std::sync::{Arc, Mutex};

use azure_openai_audio::{Client, Credential, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "proxy-test-key-7f3a";

/// A proxy that records each request head it gets and refuses it with a 403.
async fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.ends_with(b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            let _ = socket
                .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    (uri, heads)
}

#[tokio::test]
async fn a_realtime_handshake_goes_through_the_configured_proxy_as_a_tunnel() {
    let (proxy, heads) = refusing_proxy().await;
    let via = proxy.clone();
    let client = Client::builder(
        "https://my-resource.openai.azure.com",
        "gpt-4o-audio-preview",
        Credential::api_key(KEY),
    )
    .max_retries(0)
    .configure_http(move |http| http.proxy(reqwest::Proxy::all(&via).unwrap()))
    .build()
    .unwrap();

    let e = client.realtime().connect().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(e.status(), None, "no answer from the service");
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("CONNECT my-resource.openai.azure.com:443 HTTP/1.1\r\n"),
        "{heads:?}"
    );
    assert!(!heads[0].contains(KEY), "the key stays inside the tunnel");
    assert!(!heads[0].to_ascii_lowercase().contains("upgrade"));
}
