//! Microsoft Entra ID through azure_identity's real DeveloperToolsCredential, with a stub `az`
//! on PATH that prints what `az account get-access-token -o json` prints and counts its calls.
#![cfg(feature = "entra-id")]

mod common;

use std::path::PathBuf;

use azure_openai_audio::{ChatRequest, Client, Credential, ErrorKind, Message};
use common::{calls, install_stub_az};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    let body = serde_json::json!({"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

/// Installs a stub `az` that hands out `tokens` and puts it first on PATH.
fn use_az(test: &str, tokens: &[(&str, i64)], original_path: &str) -> PathBuf {
    let dir = install_stub_az(test, tokens);
    std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
    dir
}

/// A client for `server` with azure_identity's DeveloperToolsCredential (the `az` on PATH).
fn developer_client(server: &MockServer) -> Client {
    Client::new(server.uri(), "d", Credential::developer_tools().unwrap()).unwrap()
}

/// PATH is process-wide, so the scenarios run in one test, one after the other.
#[tokio::test]
async fn developer_tools_credential_with_a_stub_az() {
    let original_path = std::env::var("PATH").unwrap_or_default();
    let request = ChatRequest::new([Message::user("hi")]);

    // 1. Several requests, one `az` call; the bearer token and scope are right.
    let dir = use_az("cached", &[("token-A", 3600)], &original_path);
    let server = ok_server().await;
    let client = developer_client(&server);
    let replies =
        futures_util::future::join_all((0..8).map(|_| client.chat().complete(&request))).await;
    assert!(replies.iter().all(Result::is_ok), "{replies:?}");
    client.chat().complete(&request).await.unwrap();
    let c = calls(&dir);
    assert_eq!(c.len(), 1, "one az call for nine requests: {c:?}");
    assert_eq!(
        c[0],
        "account get-access-token -o json --scope https://cognitiveservices.azure.com/.default"
    );
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 9);
    assert!(received
        .iter()
        .all(|r| r.headers.get("authorization").unwrap() == "Bearer token-A"));
    assert!(received.iter().all(|r| r.headers.get("api-key").is_none()));

    // 2. A token inside the 5-minute refresh margin is replaced in the background: requests
    //    keep the still-valid token until the new one lands, and `az` is asked once more only.
    let dir = use_az(
        "refresh",
        &[("token-B", 120), ("token-C", 3600)],
        &original_path,
    );
    let server = ok_server().await;
    let client = developer_client(&server);
    client.chat().complete(&request).await.unwrap();
    client.chat().complete(&request).await.unwrap();
    // The stub `az` is a real process: send until the refresh has landed (bounded).
    for _ in 0..400 {
        client.chat().complete(&request).await.unwrap();
        if authorizations(&server).await.last().unwrap() == "Bearer token-C" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    client.chat().complete(&request).await.unwrap();
    assert_eq!(calls(&dir).len(), 2, "one background refresh");
    let sent = authorizations(&server).await;
    assert_eq!(sent[..2], ["Bearer token-B", "Bearer token-B"]);
    let first_c = sent.iter().position(|a| a == "Bearer token-C").unwrap();
    assert!(sent[..first_c].iter().all(|a| a == "Bearer token-B"));
    assert!(sent[first_c..].iter().all(|a| a == "Bearer token-C"));
    assert!(sent.len() - first_c >= 2, "{sent:?}");

    //    A token that has already expired is never sent twice: the next request waits for
    //    the new one.
    let dir = use_az(
        "expired",
        &[("token-B", -60), ("token-C", 3600)],
        &original_path,
    );
    let server = ok_server().await;
    let client = developer_client(&server);
    for _ in 0..3 {
        client.chat().complete(&request).await.unwrap();
    }
    assert_eq!(calls(&dir).len(), 2, "expired");
    assert_eq!(
        authorizations(&server).await,
        ["Bearer token-B", "Bearer token-C", "Bearer token-C"],
        "expired"
    );

    // 3. A 401 drops the cached token; the request is sent once more with a fresh one.
    let dir = use_az(
        "unauthorized",
        &[("token-D", 3600), ("token-E", 3600)],
        &original_path,
    );
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-D"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"error":{"code":"401","message":"expired"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer token-E"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"choices":[]}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let client = developer_client(&server);
    client.chat().complete(&request).await.unwrap();
    assert_eq!(calls(&dir).len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // 4. No login: a credential error before anything is sent, naming the fix, without panicking.
    let dir = use_az("no-login", &[], &original_path);
    let server = ok_server().await;
    let client = developer_client(&server);
    let e = client.chat().complete(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(e.to_string().contains("az login"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(calls(&dir).len(), 1, "az was asked once");

    // 5. `Client::from_env()` without AZURE_OPENAI_API_KEY: Entra ID through the developer tools.
    let dir = use_az("from-env", &[("token-F", 3600)], &original_path);
    let server = ok_server().await;
    std::env::set_var("AZURE_OPENAI_ENDPOINT", server.uri());
    std::env::remove_var("AZURE_OPENAI_API_KEY");
    let client = Client::from_env().unwrap();
    assert!(
        format!("{client:?}").contains("Credential::TokenProvider"),
        "{client:?}"
    );
    client.chat().complete(&request).await.unwrap();
    assert_eq!(authorizations(&server).await, ["Bearer token-F"]);
    assert_eq!(calls(&dir).len(), 1);
    std::env::remove_var("AZURE_OPENAI_ENDPOINT");

    // 6. A sovereign cloud's scope reaches `az`; an empty scope is refused before anything runs.
    let dir = use_az("scope", &[("token-G", 3600)], &original_path);
    let server = ok_server().await;
    let us = "https://cognitiveservices.azure.us/.default";
    let credential = Credential::developer_tools().unwrap().with_scope(us);
    let client = Client::new(server.uri(), "d", credential).unwrap();
    client.chat().complete(&request).await.unwrap();
    assert_eq!(
        calls(&dir),
        [format!("account get-access-token -o json --scope {us}")]
    );
    assert_eq!(authorizations(&server).await, ["Bearer token-G"]);
    let empty = Credential::developer_tools().unwrap().with_scope("");
    let e = Client::new(server.uri(), "d", empty).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert_eq!(calls(&dir).len(), 1);

    std::env::set_var("PATH", original_path);
}

/// The `authorization` header of each request the server received.
async fn authorizations(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}
