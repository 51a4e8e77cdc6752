//! Runs the offline emulator of Azure OpenAI's audio chat completions until Ctrl-C, so a client
//! in any language can use it.
//!
//! ```text
//! cargo run -p azure-openai-audio-emulator                    # 127.0.0.1, a free port
//! cargo run -p azure-openai-audio-emulator -- --port 8080 --api-key my-key
//! ```
//!
//! It prints its endpoint, then its key, on stdout (one line each) and how to call it on stderr;
//! on Ctrl-C (SIGINT) it shuts the server down, prints `stopped` on stderr and exits with status
//! 0. A bad argument prints one line and exits with status 2.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use azure_openai_audio_emulator::{Emulator, EmulatorBuilder};
use futures_util::FutureExt as _;

const PROGRAM: &str = "azure-openai-audio-emulator";

const USAGE: &str = "\
Usage: azure-openai-audio-emulator [OPTIONS]

An offline emulator of Azure OpenAI's audio chat completions. Prints its endpoint, then its key,
on stdout, and serves until Ctrl-C.

Options:
  --host ADDR               the address to listen on (default 127.0.0.1; it has no TLS)
  --port N                  the port (default 0: a free one)
  --api-key KEY             accept only this api-key (default: any non-empty key)
  --api-versions V1,V2      the api-versions served on the deployments route (every API)
                            (default: 2024-10-01-preview to 2025-04-01-preview)
  --deployments D1,D2       the deployments that exist (default: any name)
  --audio-ttl SECS          how long an issued audio id can be cited (default 3600)
  --stream-interval-ms MS   a pause before each streamed event (default 0)
  --seed N                  seeds the ids, for runs that repeat exactly
  --requests-per-minute N   a quota: beyond N requests in any 60 s, a 429 (default none)
  -h, --help                prints this

Faults (429, 500, delays, dropped connections, Realtime drops and time limits) are queued over HTTP: POST /_emulator/faults
with {\"fault\": \"rate_limit\", \"retry_after_ms\": 2000, \"times\": 3} (see the README).";

/// The options that take a value.
const FLAGS: &[&str] = &[
    "--host",
    "--port",
    "--api-key",
    "--api-versions",
    "--deployments",
    "--audio-ttl",
    "--stream-interval-ms",
    "--seed",
    "--requests-per-minute",
];

/// What the command line asks for.
enum Command {
    Serve(EmulatorBuilder),
    Help,
}

#[tokio::main]
async fn main() -> ExitCode {
    let builder = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(builder)) => builder,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{PROGRAM}: {e} (try --help)");
            return ExitCode::from(2);
        }
    };
    match serve(builder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut builder = Emulator::builder();
    let mut args = args;
    while let Some(arg) = args.next() {
        // `--port 8080` or `--port=8080`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if !FLAGS.contains(&flag.as_str()) {
            return Err(format!("unknown argument {flag:?}"));
        }
        let value = match inline.or_else(|| args.next()) {
            Some(value) => value,
            None => return Err(format!("{flag} needs a value")),
        };
        let number = |what: &str| -> Result<u64, String> {
            value
                .parse()
                .map_err(|_| format!("{flag}: {value:?} is not {what}"))
        };
        builder = match flag.as_str() {
            "--host" => builder.host(
                value
                    .parse::<IpAddr>()
                    .map_err(|_| format!("--host: {value:?} is not an IP address"))?,
            ),
            "--port" => builder.port(
                value
                    .parse()
                    .map_err(|_| format!("--port: {value:?} is not a port (0 to 65535)"))?,
            ),
            "--api-key" if value.trim().is_empty() => {
                return Err("--api-key: the key is empty".to_owned())
            }
            "--api-key" => builder.api_key(value.trim()),
            "--api-versions" => builder.api_versions(list(&value)),
            "--deployments" => builder.deployments(list(&value)),
            "--audio-ttl" => builder.audio_ttl(Duration::from_secs(number("a number of seconds")?)),
            "--stream-interval-ms" => {
                builder.stream_interval(Duration::from_millis(number("a number of milliseconds")?))
            }
            "--seed" => builder.seed(number("a number")?),
            "--requests-per-minute" => {
                builder.requests_per_minute(value.parse().map_err(|_| {
                    format!("--requests-per-minute: {value:?} is not a number (0 to 4294967295)")
                })?)
            }
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(Command::Serve(builder))
}

/// `a,b, c` as `["a", "b", "c"]`.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn serve(builder: EmulatorBuilder) -> Result<(), Box<dyn std::error::Error>> {
    let emulator = builder.start().await?;
    // Listen for Ctrl-C before telling anyone the endpoint: polling the future once installs the
    // handler, so an interrupt sent as soon as the endpoint is read stops the server cleanly
    // instead of killing the process.
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    let early = ctrl_c.as_mut().now_or_never();
    println!("{}", emulator.endpoint());
    println!("{}", emulator.api_key());
    eprintln!(
        "Offline Azure OpenAI audio emulator.\n\
         POST {0}/openai/deployments/<deployment>/chat/completions?api-version=2025-01-01-preview\n\
         POST {0}/openai/v1/chat/completions\n\
         POST {0}/openai/deployments/<deployment>/audio/{{speech,transcriptions,translations}}?api-version=2025-01-01-preview\n\
         POST {0}/openai/v1/audio/{{speech,transcriptions,translations}} (the deployment as `model`)\n\
         WebSocket {2}/openai/v1/realtime?model=gpt-realtime (Realtime; the preview: /openai/realtime?api-version=2025-04-01-preview&deployment=...)\n\
         with `api-key: {1}` (or a non-empty bearer token).\n\
         Faults: POST {0}/_emulator/faults {{\"fault\": \"rate_limit\", \"times\": 1}}\n\
         For the SDK's examples and openai-python: AZURE_OPENAI_ENDPOINT={0} AZURE_OPENAI_API_KEY={1} OPENAI_API_VERSION=2025-01-01-preview\n\
         Ctrl-C stops it.",
        emulator.endpoint(),
        emulator.api_key(),
        emulator.endpoint().replacen("http://", "ws://", 1)
    );
    match early {
        Some(result) => result?,
        None => ctrl_c.await?,
    }
    emulator.shutdown().await;
    eprintln!("stopped");
    Ok(())
}
