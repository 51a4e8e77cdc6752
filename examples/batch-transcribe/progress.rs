//! What the batch shows while it runs (a progress bar on stderr: files done, rate, backends
//! cooling down) and the summary per backend at its end.

use std::time::Duration;

use azure_openai_audio::routing::{BackendSnapshot, CircuitState};
use azure_openai_audio::{Api, Client};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;

/// How often the bar reads the pool's state.
const REFRESH: Duration = Duration::from_millis(250);

/// The bar, and the task that keeps its message on the backends' state.
pub struct Progress {
    pub bar: ProgressBar,
    watcher: JoinHandle<()>,
}

impl Progress {
    /// A bar of `files` files on stderr (drawn only when stderr is a terminal).
    pub fn start(client: &Client, files: usize) -> Progress {
        let bar = ProgressBar::new(u64::try_from(files).unwrap_or(u64::MAX));
        let style = ProgressStyle::with_template(
            "{bar:30} {pos}/{len} files  {per_sec:.1}  {elapsed}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let watcher = tokio::spawn({
            let (bar, client) = (bar.clone(), client.clone());
            async move {
                let mut tick = tokio::time::interval(REFRESH);
                loop {
                    tick.tick().await;
                    let snapshots = client.routing(Api::Transcription).unwrap_or_default();
                    bar.set_message(state_line(&snapshots));
                }
            }
        });
        Progress { bar, watcher }
    }

    /// Prints a line above the bar (or alone, when there is no bar).
    pub fn line(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// Removes the bar.
    pub fn finish(self) {
        self.watcher.abort();
        self.bar.finish_and_clear();
    }
}

/// `2/3 backends cooling down, 1 circuit open`, or `all 3 backends ready`.
fn state_line(snapshots: &[BackendSnapshot]) -> String {
    let cooling = snapshots
        .iter()
        .filter(|s| s.cooling_down_until.is_some())
        .count();
    let open = snapshots
        .iter()
        .filter(|s| !matches!(s.circuit, CircuitState::Closed))
        .count();
    let mut line = match cooling {
        0 => format!("all {} backends ready", snapshots.len()),
        n => format!("{n}/{} backends cooling down", snapshots.len()),
    };
    if open > 0 {
        line.push_str(&format!(", {open} circuit(s) open"));
    }
    line
}

/// One line per backend (`names` in the pool's order):
/// `backend 0 (http://host/ whisper): 7 requests, 1 429s, 0 failures`.
pub fn summary(client: &Client, names: &[String]) -> Vec<String> {
    let snapshots = client.routing(Api::Transcription).unwrap_or_default();
    snapshots
        .iter()
        .map(|s| {
            let name = names.get(s.id.index()).map_or("", String::as_str);
            format!(
                "{} ({name}): {} requests, {} 429s, {} failures",
                s.id, s.requests, s.rate_limited, s.failures
            )
        })
        .collect()
}
