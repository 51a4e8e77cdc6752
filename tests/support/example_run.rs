//! Running an example's binary as a user runs it: in a directory of its own, with only the
//! environment the test gives it (no Azure variables, no `az` on PATH).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The key the examples are given with an endpoint.
pub const KEY: &str = "example-key-4e1d";

/// Where an example runs: its working directory, and the environment it sees.
pub struct Run<'a> {
    pub dir: &'a Path,
    pub endpoint: Option<&'a str>,
    pub vars: &'a [(&'a str, &'a str)],
}

impl Run<'_> {
    /// Runs the example `name` with `args` to its end.
    pub async fn example(&self, name: &str, args: &[&str]) -> Output {
        let mut command = tokio::process::Command::new(super::common::example_binary(name));
        command.args(args).current_dir(self.dir);
        for var in [
            "AZURE_OPENAI_ENDPOINT",
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
            "AZURE_OPENAI_TTS_DEPLOYMENT",
            "AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT",
            "AZURE_OPENAI_TRANSLATE_DEPLOYMENT",
            "AZURE_OPENAI_REALTIME_DEPLOYMENT",
            "OPENAI_API_VERSION",
            "AZURE_OPENAI_BACKENDS",
        ] {
            command.env_remove(var);
        }
        // No `az` (nor anything else) to be found: the examples must not need it.
        command.env("PATH", self.dir.join("no-such-dir"));
        if let Some(endpoint) = self.endpoint {
            command
                .env("AZURE_OPENAI_ENDPOINT", endpoint)
                .env("AZURE_OPENAI_API_KEY", KEY);
        }
        for (k, v) in self.vars {
            command.env(k, v);
        }
        command.output().await.unwrap()
    }
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh empty directory for one test.
pub fn fresh_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-examples-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Asserts the example succeeded, showing what it printed if not.
pub fn succeeded(name: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{name} failed\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
