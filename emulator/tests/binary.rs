//! `cargo run --example emulator`, end to end: the built example binary on a free port serves a
//! chat request, and Ctrl-C (SIGINT) stops it cleanly.
//!
//! The binary is the one `cargo test` builds with the examples; `cargo test --test
//! emulator_example` alone does not rebuild it, so this checks it is newer than its sources.
#![cfg(all(feature = "emulator", unix))]

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use azure_openai_audio::{AudioFormat, ChatRequest, Client, Credential, Message, Voice};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Fails, rather than testing an old build, when the example or the emulator changed since the
/// binary was built.
fn assert_fresh(bin: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("examples/emulator.rs")];
    for dir in ["src/emulator"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            sources.push(entry.unwrap().path());
        }
    }
    let built = modified(bin);
    for source in sources {
        assert!(
            modified(&source) <= built,
            "{} is older than {}: run `cargo build --example emulator` (or all of `cargo test`)",
            bin.display(),
            source.display()
        );
    }
}

/// A bound on each wait, so a broken binary fails the test instead of hanging it (not a
/// measure of speed).
async fn bounded<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing after 60 s"))
}

#[tokio::test]
async fn the_emulator_example_serves_on_a_free_port_and_stops_on_sigint() {
    let bin = common::example_binary("emulator");
    assert_fresh(&bin);
    // Killed if the test fails anywhere before it exits.
    let mut child = Command::new(&bin)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut endpoint = String::new();
    bounded("the endpoint line", stdout.read_line(&mut endpoint))
        .await
        .unwrap();
    let endpoint = endpoint.trim_end().to_owned();
    let port = endpoint
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("the first line is the endpoint: {endpoint:?}"));
    assert_ne!(port.parse::<u16>().unwrap(), 0, "a real port was chosen");

    // Raw HTTP, as a client in another language would call it.
    let url = format!(
        "{endpoint}/openai/deployments/gpt-4o-audio-preview/chat/completions?api-version=2025-01-01-preview"
    );
    let response = bounded(
        "the raw request",
        reqwest::Client::new()
            .post(&url)
            .header("api-key", "emulator-key")
            .header("content-type", "application/json")
            .body(r#"{"messages":[{"role":"user","content":"Hello"}]}"#)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], "You said: Hello.");

    // And the crate's client, with the key the example printed.
    let client = Client::new(
        &endpoint,
        "gpt-4o-audio-preview",
        Credential::api_key("emulator-key"),
    )
    .unwrap();
    let request = ChatRequest::new([Message::user("Hello")]).audio(Voice::Alloy, AudioFormat::Wav);
    let reply = bounded("the client's request", client.chat().complete(&request))
        .await
        .unwrap();
    assert_eq!(reply.audio().unwrap().transcript, "You said: Hello.");
    assert!(reply.audio().unwrap().data.starts_with(b"RIFF"));

    let pid = child.id().expect("still running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(kill.success(), "kill -INT {pid}: {kill}");
    let status = bounded("the exit after SIGINT", child.wait())
        .await
        .unwrap();
    let stderr = common::stderr_of(&mut child).await;
    assert_eq!(status.code(), Some(0), "{status}; stderr: {stderr}");
    assert!(
        stderr.starts_with("Offline Azure OpenAI audio emulator.\n"),
        "{stderr}"
    );
    assert!(stderr.contains("api-key: emulator-key"), "{stderr}");
    assert!(stderr.ends_with("Ctrl-C stops it.\nstopped\n"), "{stderr}");
    // It let go of its port.
    let refused = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await;
    assert!(refused.is_err(), "the port is still open after the exit");
}
