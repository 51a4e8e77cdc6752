//! An HTTP proxy from the environment is not used for a loopback http endpoint, so the key is
//! not sent in clear text to another host. (Alone in its binary: it sets environment variables.)

mod common;

use common::{builder, request, COMPLETION, KEY};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_loopback_endpoint_bypasses_the_environment_proxy() {
    let proxy = MockServer::start().await;
    let service = MockServer::start().await;
    for server in [&proxy, &service] {
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"))
            .mount(server)
            .await;
    }
    // Safe here: this binary has one test and sets the variables before any client exists.
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(name, proxy.uri());
    }
    let client = builder(&service.uri()).build().unwrap();
    client.chat().complete(&request()).await.unwrap();
    assert_eq!(service.received_requests().await.unwrap().len(), 1);
    let leaked = proxy.received_requests().await.unwrap();
    assert!(
        leaked.is_empty(),
        "the proxy got {:?}",
        leaked[0].headers.get("api-key").map(|_| KEY)
    );
}
