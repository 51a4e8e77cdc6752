//! Runs the offline emulator of the Azure OpenAI audio chat endpoint until Ctrl-C, so a client in
//! any language can use it.
//!
//! ```text
//! cargo run --example emulator                # a free port (as --port 0)
//! cargo run --example emulator -- --port 8080
//! ```
//!
//! It prints its endpoint on stdout (one line) and how to call it on stderr; on Ctrl-C (SIGINT)
//! it shuts the server down, prints `stopped` on stderr and exits with status 0.

use azure_openai_audio::emulator::Emulator;
use futures_util::FutureExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value.parse().map_err(|_| format!("bad port {value:?}"))?;
            }
            other => return Err(format!("unknown argument {other:?} (try --port 8080)").into()),
        }
    }
    let emulator = Emulator::builder().port(port).start().await?;
    // Listen for Ctrl-C before telling anyone the endpoint: polling the future once installs the
    // handler, so an interrupt sent as soon as the endpoint is read stops the server cleanly
    // instead of killing the process.
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    let early = ctrl_c.as_mut().now_or_never();
    println!("{}", emulator.endpoint());
    eprintln!(
        "Offline Azure OpenAI audio emulator.\n\
         POST {0}/openai/deployments/<deployment>/chat/completions?api-version=2025-01-01-preview\n\
         POST {0}/openai/v1/chat/completions\n\
         with `api-key: {1}` (any non-empty key or bearer token works).\n\
         For this crate's examples: AZURE_OPENAI_ENDPOINT={0} AZURE_OPENAI_API_KEY={1}\n\
         Ctrl-C stops it.",
        emulator.endpoint(),
        emulator.api_key()
    );
    match early {
        Some(result) => result?,
        None => ctrl_c.await?,
    }
    emulator.shutdown().await;
    eprintln!("stopped");
    Ok(())
}
