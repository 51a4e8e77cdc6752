//! `client_from_env_or_emulator`, as the SDK's examples call it: the emulator only when
//! `AZURE_OPENAI_ENDPOINT` is unset, the other variables honoured either way.
//!
//! It reads the process environment, so this file holds one test (its own process) that sets the
//! variables before anything else runs.

use azure_openai_audio::DEFAULT_DEPLOYMENT;
use azure_openai_audio::{ChatRequest, Message};
use azure_openai_audio_emulator::client_from_env_or_emulator;

#[tokio::test]
async fn examples_use_the_emulator_only_without_an_endpoint() {
    for name in [
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_DEPLOYMENT_NAME",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("OPENAI_API_VERSION", "2025-03-01-preview");
    let (client, emulator) = client_from_env_or_emulator().await.unwrap();
    let emulator = emulator.expect("an emulator when AZURE_OPENAI_ENDPOINT is unset");
    assert_eq!(
        client.endpoint().as_str(),
        format!("{}/", emulator.endpoint())
    );
    assert_eq!(client.deployment(), DEFAULT_DEPLOYMENT);
    assert_eq!(client.api_version(), "2025-03-01-preview");
    let request = ChatRequest::new([Message::user("hi")]);
    let reply = client.chat().complete(&request).await.unwrap();
    assert_eq!(reply.text(), Some("You said: hi."));

    // An empty endpoint is an unset one.
    std::env::set_var("AZURE_OPENAI_ENDPOINT", " ");
    std::env::set_var("AZURE_OPENAI_DEPLOYMENT_NAME", "my-audio");
    let (client, emulator) = client_from_env_or_emulator().await.unwrap();
    assert!(emulator.is_some());
    assert_eq!(client.deployment(), "my-audio");

    std::env::set_var("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com");
    std::env::set_var("AZURE_OPENAI_API_KEY", "k");
    let (client, emulator) = client_from_env_or_emulator().await.unwrap();
    assert!(emulator.is_none());
    assert_eq!(client.endpoint().as_str(), "https://r.openai.azure.com/");
    assert_eq!(client.deployment(), "my-audio");
    assert_eq!(client.api_version(), "2025-03-01-preview");
}
