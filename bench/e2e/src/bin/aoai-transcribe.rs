//! The transcription job with async-openai 0.43, as its documentation shows it: the file given by
//! its path (async-openai streams it, without a Content-Length), the default `json` format.
//!
//! Against Azure's whisper reply it fails: the reply carries no `usage`, which async-openai's
//! `CreateTranscriptionResponseJson` requires. The error goes to stderr, one line, exit status 1,
//! so the runner records the run and shows that it failed.
//!
//! Usage: `aoai-transcribe IN` with AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY set.

use async_openai::config::AzureConfig;
use async_openai::types::audio::CreateTranscriptionRequest;
use async_openai::Client;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = &args[1];
    let (endpoint, key) = aoa_e2e_bench::endpoint_and_key();
    let config = AzureConfig::new()
        .with_api_base(endpoint)
        .with_api_key(key)
        .with_deployment_id(aoa_e2e_bench::TRANSCRIBE_DEPLOYMENT)
        .with_api_version(aoa_e2e_bench::TRANSCRIBE_API_VERSION);
    let client = Client::with_config(config);
    let request = CreateTranscriptionRequest {
        file: input.into(),
        model: aoa_e2e_bench::TRANSCRIBE_DEPLOYMENT.into(),
        ..Default::default()
    };
    match client.audio().transcription().create(request).await {
        Ok(reply) => println!("{}", reply.text),
        Err(e) => {
            // On one line: the error quotes the reply's body, which has line breaks.
            eprintln!("async-openai: {}", e.to_string().replace('\n', " "));
            std::process::exit(1);
        }
    }
}
