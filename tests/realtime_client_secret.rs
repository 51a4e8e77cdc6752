//! Minting a Realtime client secret for a browser: the request on the wire, the reply with its
//! secret redacted in `Debug`, and bad input refused before anything is sent.

use std::time::Duration;

use azure_openai_audio::realtime::ClientSecretRequest;
use azure_openai_audio::{Api, Client, Credential, ErrorKind, RealtimeSessionConfig, Voice};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REPLY: &str = r#"{"value":"ek_68af296e8e408191a1120ab6383263c2","expires_at":1756310470,
  "session":{"type":"realtime","object":"realtime.session","id":"sess_C9Ci","model":"rt-dep",
  "output_modalities":["audio"],"instructions":"Be brief.","audio":{"output":{"voice":"marin"}}}}"#;

fn client(server: &MockServer) -> Client {
    Client::builder(server.uri(), "chat", Credential::api_key("sk-backend"))
        .deployment_for(Api::Realtime, "rt-dep")
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_client_secret_is_minted_through_the_v1_route() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/v1/realtime/client_secrets"))
        .and(header("api-key", "sk-backend"))
        .and(body_json(json!({
            "session": {"type": "realtime", "instructions": "Be brief.",
                        "audio": {"output": {"voice": "marin"}}, "model": "rt-dep"},
            "expires_after": {"anchor": "created_at", "seconds": 600}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(REPLY, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let session = RealtimeSessionConfig::new()
        .instructions("Be brief.")
        .voice(Voice::Marin);
    let request = ClientSecretRequest::new(session).expires_after(Duration::from_secs(600));
    let secret = client(&server)
        .realtime()
        .client_secret(request)
        .await
        .unwrap();
    assert_eq!(
        secret.value.expose_secret(),
        "ek_68af296e8e408191a1120ab6383263c2"
    );
    assert_eq!(secret.expires_at, Some(1756310470));
    let session = secret.session.as_ref().unwrap();
    assert_eq!(session.extra["id"], "sess_C9Ci");
    let debug = format!("{secret:?}");
    assert!(!debug.contains("ek_68af"), "{debug}");
    assert!(debug.contains("Secret(<redacted>)"), "{debug}");
    // No api-version on the v1 route, whatever the client's.
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].url.query(), None);
}

#[tokio::test]
async fn a_model_given_in_the_session_is_kept_and_expiry_is_optional() {
    let server = MockServer::start().await;
    Mock::given(body_json(
        json!({"session": {"type": "realtime", "model": "other"}}),
    ))
    .respond_with(ResponseTemplate::new(200).set_body_raw(REPLY, "application/json"))
    .expect(1)
    .mount(&server)
    .await;
    let mut session = RealtimeSessionConfig::new();
    session.extra.insert("model".into(), json!("other"));
    client(&server)
        .realtime()
        .client_secret(session)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bad_expiry_is_refused_before_sending_and_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_raw(
            r#"{"error":{"code":"PermissionDenied","message":"no"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let realtime = client(&server);
    for seconds in [5, 7201] {
        let request = ClientSecretRequest::new(RealtimeSessionConfig::new())
            .expires_after(Duration::from_secs(seconds));
        let e = realtime
            .realtime()
            .client_secret(request)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains(&format!("not {seconds} s")), "{e}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    let e = realtime
        .realtime()
        .client_secret(RealtimeSessionConfig::new())
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(403)));
    assert!(!format!("{e:?} {e}").contains("sk-backend"));
}
