//! Chat completions with audio: requests, replies, multi-turn conversations.

pub(crate) mod accumulate;
pub(crate) mod chunk;
pub(crate) mod conversation;
pub(crate) mod filter;
pub(crate) mod message;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod stream;

use crate::client::{Api, Client, Route};
use crate::error::Result;
use crate::transport::body::BodyPlan;
use crate::transport::options::RequestOptions;
use crate::transport::reply::Reply;
use crate::transport::request::{ApiRequest, BodyFor, RequestBody};

pub(crate) use request::ChatRequest;
pub(crate) use response::ChatCompletion;

// What users name is at the crate root; the details of replies and filter results are here.
pub use chunk::FunctionCallDelta;
pub use filter::{
    BlocklistResult, BlocklistResults, Citation, CompletionTextSpan, ContentFilterOffsets,
    DetectionResult, FilterError, SeverityResult, UngroundedMaterialResult,
};
pub use response::{CompletionTokensDetails, PromptTokensDetails};

/// The chat completions API of a [`Client`]: `client.chat()`.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'a> {
    pub(crate) client: &'a Client,
}

impl Chat<'_> {
    /// Sends the request and decodes the reply (audio decoded from base64 once, from the body).
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{AudioFormat, ChatRequest, Message, Voice};
    /// let request = ChatRequest::new([Message::user("Is a golden retriever a good family dog?")])
    ///     .audio(Voice::Alloy, AudioFormat::Wav);
    /// let reply = client.chat().complete(&request).await?;
    /// let audio = reply.audio().expect("spoken reply");
    /// std::fs::write("dog.wav", &audio.data).unwrap();
    /// println!("{}", audio.transcript);
    /// # Ok(()) }
    /// ```
    pub async fn complete(self, request: &ChatRequest) -> Result<ChatCompletion> {
        self.complete_with(request, &RequestOptions::default())
            .await
    }

    /// [`complete`](Chat::complete) with per-request retry and timeout settings.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client, request: azure_openai_audio::ChatRequest) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::RequestOptions;
    /// use std::time::Duration;
    /// let options = RequestOptions::new().max_retries(5).timeout(Duration::from_secs(120));
    /// let reply = client.chat().complete_with(&request, &options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn complete_with(
        self,
        request: &ChatRequest,
        options: &RequestOptions,
    ) -> Result<ChatCompletion> {
        let api_request = self.api_request(request)?;
        self.client
            .pipeline()
            .send(&api_request, options, read_completion)
            .await
    }

    /// The request to send: `chat/completions` for the client's deployment, with the model
    /// set in the body on the `/openai/v1` route.
    pub(crate) fn api_request(&self, request: &ChatRequest) -> Result<ApiRequest> {
        let deployment = self.client.deployment();
        let plan = self.plan(request)?;
        // Routed on the `/openai/v1` route, each backend's body names its deployment.
        let body_for = (self.client.route() == Route::V1 && request.model_ref().is_none())
            .then(|| BodyFor::json(request, ChatRequest::set_model_if_unset));
        Ok(ApiRequest::post(
            "chat",
            deployment,
            "chat/completions",
            RequestBody::Json(plan),
        )
        .routed(self.client.router(Api::Chat), body_for))
    }

    /// The body plan for a request, with the model set on the `/openai/v1` route.
    pub(crate) fn plan(&self, request: &ChatRequest) -> Result<BodyPlan> {
        request.check()?;
        if self.client.route() == Route::V1 && request.model_ref().is_none() {
            let mut with_model = request.clone();
            with_model.set_model_if_unset(self.client.deployment());
            return BodyPlan::new(&with_model);
        }
        BodyPlan::new(request)
    }
}

/// Reads and decodes a successful reply; a body cut short is a (retryable) transport error,
/// a body that is not a chat completion a decode error, one over the client's maximum reply
/// size a (not retried) `ReplyTooLarge`.
async fn read_completion(reply: Reply) -> Result<ChatCompletion> {
    // The audio is decoded over its own base64 text in the body: no second buffer.
    let (mut reply, metadata) = reply.decode(ChatCompletion::from_json).await?;
    reply.metadata = metadata;
    Ok(reply)
}
