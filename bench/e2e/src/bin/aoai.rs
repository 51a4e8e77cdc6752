//! The from-audio job with async-openai 0.43, as its documentation shows it.
//!
//! Usage: `aoai IN OUT` with AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY set.

use async_openai::config::AzureConfig;
use async_openai::types::chat::{
    ChatCompletionAudio, ChatCompletionAudioFormat, ChatCompletionAudioVoice,
    ChatCompletionRequestMessageContentPartAudio, ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    ChatCompletionRequestUserMessageContentPart, CreateChatCompletionRequestArgs, InputAudio,
    InputAudioFormat, ResponseModalities,
};
use async_openai::Client;
use base64::Engine as _;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let (endpoint, key) = aoa_e2e_bench::endpoint_and_key();
    let config = AzureConfig::new()
        .with_api_base(endpoint)
        .with_api_key(key)
        .with_deployment_id(aoa_e2e_bench::DEPLOYMENT)
        .with_api_version(aoa_e2e_bench::API_VERSION);
    let client = Client::with_config(config);

    let audio = tokio::fs::read(input).await.expect("read input");
    let data = base64::engine::general_purpose::STANDARD.encode(&audio);
    drop(audio);
    let user = ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Array(vec![
            ChatCompletionRequestUserMessageContentPart::Text(
                ChatCompletionRequestMessageContentPartText {
                    text: aoa_e2e_bench::PROMPT.into(),
                    prompt_cache_breakpoint: None,
                },
            ),
            ChatCompletionRequestUserMessageContentPart::InputAudio(
                ChatCompletionRequestMessageContentPartAudio {
                    input_audio: InputAudio {
                        data,
                        format: InputAudioFormat::Wav,
                    },
                    prompt_cache_breakpoint: None,
                },
            ),
        ]),
        name: None,
    };
    let request = CreateChatCompletionRequestArgs::default()
        .model(aoa_e2e_bench::DEPLOYMENT)
        .messages(vec![user.into()])
        .modalities(vec![ResponseModalities::Text, ResponseModalities::Audio])
        .audio(ChatCompletionAudio {
            voice: ChatCompletionAudioVoice::Alloy,
            format: ChatCompletionAudioFormat::Wav,
        })
        .build()
        .expect("request");
    let reply = client
        .chat()
        .create(request)
        .await
        .expect("chat completion");
    let audio = reply.choices[0]
        .message
        .audio
        .as_ref()
        .expect("audio in the reply");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&audio.data)
        .expect("base64");
    tokio::fs::write(output, &bytes)
        .await
        .expect("write output");
    println!("{}", audio.transcript);
}
