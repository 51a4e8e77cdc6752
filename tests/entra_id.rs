//! Microsoft Entra ID through azure_identity's real DeveloperToolsCredential, with a stub `az`
//! on PATH that prints what `az account get-access-token -o json` prints and counts its calls.
#![cfg(feature = "entra-id")]

mod common;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use azure_openai_audio::{ChatRequest, Client, Credential, ErrorKind, Message};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Installs `az` in a fresh directory at the front of PATH. The n-th call prints the n-th line of
/// `tokens` (`<token> <seconds until expiry>`), or fails when there is none.
fn install_stub_az(test: &str, tokens: &[(&str, i64)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-az-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let table: String = tokens
        .iter()
        .map(|(t, ttl)| format!("{t} {}\n", now + ttl))
        .collect();
    std::fs::write(dir.join("tokens"), table).unwrap();
    let script = format!(
        r#"#!/bin/sh
echo "$*" >> "{dir}/calls"
n=$(wc -l < "{dir}/calls")
line=$(sed -n "${{n}}p" "{dir}/tokens")
if [ -z "$line" ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi
set -- $line
printf '{{"accessToken":"%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":%s,"subscription":"sub","tenant":"tenant","tokenType":"Bearer"}}\n' "$1" "$2"
"#,
        dir = dir.display()
    );
    let az = dir.join("az");
    std::fs::write(&az, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    let body = serde_json::json!({"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

/// PATH is process-wide, so the scenarios run in one test, one after the other.
#[tokio::test]
async fn developer_tools_credential_with_a_stub_az() {
    let original_path = std::env::var("PATH").unwrap_or_default();
    let request = ChatRequest::new([Message::user("hi")]);

    // 1. Several requests, one `az` call; the bearer token and scope are right.
    let dir = install_stub_az("cached", &[("token-A", 3600)]);
    std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
    let server = ok_server().await;
    let client = Client::new(server.uri(), "d", Credential::developer_tools().unwrap()).unwrap();
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

    // 2. A token inside the 5-minute refresh margin is replaced before the next request.
    let dir = install_stub_az("refresh", &[("token-B", 120), ("token-C", 3600)]);
    std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
    let server = ok_server().await;
    let client = Client::new(server.uri(), "d", Credential::developer_tools().unwrap()).unwrap();
    for _ in 0..3 {
        client.chat().complete(&request).await.unwrap();
    }
    assert_eq!(calls(&dir).len(), 2);
    let seen: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(seen, ["Bearer token-B", "Bearer token-C", "Bearer token-C"]);

    // 3. A 401 drops the cached token; the request is sent once more with a fresh one.
    let dir = install_stub_az("unauthorized", &[("token-D", 3600), ("token-E", 3600)]);
    std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
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
    let client = Client::new(server.uri(), "d", Credential::developer_tools().unwrap()).unwrap();
    client.chat().complete(&request).await.unwrap();
    assert_eq!(calls(&dir).len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // 4. No login: a credential error before anything is sent, naming the fix, without panicking.
    let dir = install_stub_az("no-login", &[]);
    std::env::set_var("PATH", format!("{}:{original_path}", dir.display()));
    let server = ok_server().await;
    let client = Client::new(server.uri(), "d", Credential::developer_tools().unwrap()).unwrap();
    let e = client.chat().complete(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(e.to_string().contains("az login"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());

    std::env::set_var("PATH", original_path);
}
