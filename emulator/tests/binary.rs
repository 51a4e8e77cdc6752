//! The `azure-openai-audio-emulator` binary, end to end: on a free port it prints its endpoint
//! and key, serves a chat request (raw HTTP, as from another language, and the SDK's client),
//! takes faults over HTTP, and Ctrl-C (SIGINT) stops it cleanly.
#![cfg(unix)]

use std::process::Stdio;
use std::time::Duration;

use azure_openai_audio::{AudioFormat, ChatRequest, Client, Credential, Message, Voice};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_azure-openai-audio-emulator");

/// A bound on each wait, so a broken binary fails the test instead of hanging it (not a
/// measure of speed).
async fn bounded<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing after 60 s"))
}

/// Sends `request` with the key the emulator accepts by default, within the bound.
async fn send(what: &str, request: reqwest::RequestBuilder) -> reqwest::Response {
    bounded(what, request.header("api-key", "emulator-key").send())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_binary_serves_on_a_free_port_and_stops_on_sigint() {
    // Killed if the test fails anywhere before it exits.
    let mut child = Command::new(BIN)
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
    let mut key = String::new();
    bounded("the key line", stdout.read_line(&mut key))
        .await
        .unwrap();
    assert_eq!(key, "emulator-key\n");

    // Raw HTTP, as a client in another language would call it.
    let url = format!(
        "{endpoint}/openai/deployments/gpt-4o-audio-preview/chat/completions?api-version=2025-01-01-preview"
    );
    let http = reqwest::Client::new();
    let hello = r#"{"messages":[{"role":"user","content":"Hello"}]}"#;
    let response = send(
        "the raw request",
        http.post(&url)
            .header("content-type", "application/json")
            .body(hello),
    )
    .await;
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

    // A fault queued over HTTP, as another language would: the next chat request gets a 500.
    let faults = format!("{endpoint}/_emulator/faults");
    let queued = send(
        "the fault request",
        http.post(&faults).body(r#"{"fault": "server_error"}"#),
    )
    .await;
    assert_eq!(queued.status(), 200);
    assert_eq!(queued.text().await.unwrap(), r#"{"pending":1}"#);
    let failed = send("the faulted request", http.post(&url).body(hello)).await;
    assert_eq!(failed.status(), 500);
    let left = send("the pending faults", http.get(&faults)).await;
    assert_eq!(left.text().await.unwrap(), r#"{"pending":0}"#);

    let pid = child.id().expect("still running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(kill.success(), "kill -INT {pid}: {kill}");
    let status = bounded("the exit after SIGINT", child.wait())
        .await
        .unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
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

#[tokio::test]
async fn bad_arguments_exit_with_status_2_and_one_line() {
    for (args, says) in [
        (
            &["--port", "http"][..],
            "--port: \"http\" is not a port (0 to 65535)",
        ),
        (&["--port"][..], "--port needs a value"),
        (
            &["--host", "localhost"][..],
            "--host: \"localhost\" is not an IP address",
        ),
        (&["--fast"][..], "unknown argument \"--fast\""),
        (&["--api-key="][..], "--api-key: the key is empty"),
        (
            &["--requests-per-minute", "-1"][..],
            "--requests-per-minute: \"-1\" is not a number (0 to 4294967295)",
        ),
    ] {
        let out = bounded("the refusal", Command::new(BIN).args(args).output())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            format!("azure-openai-audio-emulator: {says} (try --help)\n"),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let help = bounded("--help", Command::new(BIN).arg("--help").output())
        .await
        .unwrap();
    assert!(help.status.success());
    let usage = String::from_utf8_lossy(&help.stdout);
    assert!(
        usage.starts_with("Usage: azure-openai-audio-emulator [OPTIONS]"),
        "{usage}"
    );
    assert!(usage.contains("--api-key KEY"), "{usage}");
}

#[tokio::test]
async fn options_reach_the_server() {
    let mut child = Command::new(BIN)
        .args([
            "--api-key",
            "sk-emu",
            "--deployments=voice,other",
            "--api-versions",
            "2025-04-01-preview",
            "--requests-per-minute=1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let endpoint = bounded("the endpoint line", stdout.next_line())
        .await
        .unwrap()
        .unwrap();
    let key = bounded("the key line", stdout.next_line())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key, "sk-emu");
    let request = ChatRequest::new([Message::user("Hello")]);
    let client = |deployment: &str, key: &str| {
        Client::builder(&endpoint, deployment, Credential::api_key(key))
            .max_retries(0)
            .build()
            .unwrap()
    };
    let reply = bounded(
        "a request",
        client("voice", "sk-emu").chat().complete(&request),
    )
    .await
    .unwrap();
    assert_eq!(reply.text(), Some("You said: Hello."));
    let e = bounded(
        "another key",
        client("voice", "other-key").chat().complete(&request),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status(), Some(401), "{e}");
    let e = bounded(
        "another deployment",
        client("nope", "sk-emu").chat().complete(&request),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Some("DeploymentNotFound"), "{e}");
    // The quota of 1 request a minute: the refusals above did not count, this one is over it.
    let e = bounded(
        "a second request",
        client("voice", "sk-emu").chat().complete(&request),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status(), Some(429), "{e}");
    assert!(e.retry_after().is_some_and(|d| d.as_secs() > 50), "{e:?}");
    child.kill().await.unwrap();
}
