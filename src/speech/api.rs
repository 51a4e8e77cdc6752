//! The text-to-speech API of a client (`client.speech()`): the request as it goes on the wire,
//! the whole audio at once, and the event stream (`stream_format: sse`). The audio as it
//! arrives is in `byte_stream.rs`, written to files and writers in `write.rs`.

use crate::client::{Api, Client, Route};
use crate::error::{Error, Result};
use crate::speech::{SpeechAudio, SpeechEventStream, SpeechRequest, StreamFormat};
use crate::transport::body::{BodyPlan, JsonBody};
use crate::transport::event_stream::EventStream;
use crate::transport::options::RequestOptions;
use crate::transport::reply::Reply;
use crate::transport::request::{ApiRequest, BodyFor, RequestBody};

impl JsonBody for SpeechRequest {}

/// The `Accept` of a speech sent as audio bytes, as Azure's SDKs send it (recorded).
pub(crate) const ACCEPT_AUDIO: &str = "application/octet-stream";

/// The text-to-speech API of a [`Client`]: `client.speech()`, for the client's
/// [`Api::Speech`] deployment (or the one set with [`deployment`](Speech::deployment)).
///
/// Four ways to get the audio, all checked with [`SpeechRequest::check`] before anything is
/// sent:
/// - [`create`](Speech::create): the whole audio in memory (at most the client's
///   [`max_reply_size`](crate::ClientBuilder::max_reply_size));
/// - [`stream`](Speech::stream): the audio bytes as they arrive ([`SpeechByteStream`](crate::speech::SpeechByteStream));
/// - [`to_file`](Speech::to_file), [`to_writer`](Speech::to_writer),
///   [`to_wav_file`](Speech::to_wav_file): written as they arrive, in flat memory however
///   long the speech;
/// - [`events`](Speech::events): typed Server-Sent Events (`stream_format: sse`).
///
/// Retries: [`create`](Speech::create) retries a failed attempt (a retryable status, a
/// connection broken mid-body) like every other call. The streaming calls retry until the first
/// bytes of audio arrive, never after: nothing is handed out or written twice.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::{SpeechFormat, SpeechRequest, Voice};
/// let request = SpeechRequest::new("The quick brown fox jumped over the lazy dog.", Voice::Alloy)
///     .response_format(SpeechFormat::Wav);
/// let bytes = client.speech().to_file(&request, "speech.wav").await?;
/// println!("wrote {bytes} bytes");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Speech<'a> {
    client: &'a Client,
    deployment: Option<&'a str>,
}

impl<'a> Speech<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Speech {
            client,
            deployment: None,
        }
    }

    /// Sends this handler's requests to `deployment` instead of the client's speech deployment
    /// (the same client: one connection pool, one token cache, one retry budget).
    pub fn deployment(mut self, deployment: &'a str) -> Self {
        self.deployment = Some(deployment);
        self
    }

    /// The deployment the requests go to.
    pub fn deployment_name(&self) -> &str {
        self.deployment
            .unwrap_or_else(|| self.client.deployment_for(Api::Speech))
    }

    /// Sends the request and returns the whole audio once it has arrived.
    ///
    /// The audio is held in memory: a reply over the client's
    /// [`max_reply_size`](crate::ClientBuilder::max_reply_size) is an
    /// [`ErrorKind::ReplyTooLarge`](crate::ErrorKind::ReplyTooLarge) error. For long speeches
    /// use [`to_file`](Speech::to_file) or [`stream`](Speech::stream).
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{SpeechRequest, Voice};
    /// let speech = client.speech().create(&SpeechRequest::new("hello, world!", Voice::Alloy)).await?;
    /// std::fs::write("hello.mp3", &speech.audio).unwrap();
    /// # Ok(()) }
    /// ```
    pub async fn create(self, request: &SpeechRequest) -> Result<SpeechAudio> {
        self.create_with(request, &RequestOptions::default()).await
    }

    /// [`create`](Speech::create) with per-request retry and timeout settings.
    pub async fn create_with(
        self,
        request: &SpeechRequest,
        options: &RequestOptions,
    ) -> Result<SpeechAudio> {
        let api_request = self.api_request(request, None)?.accept(ACCEPT_AUDIO);
        self.client
            .pipeline()
            .send(&api_request, options, read_audio)
            .await
    }

    /// Sends the request with `stream_format: sse` and returns the typed events once the
    /// response headers have arrived: [`SpeechEvent::AudioDelta`](crate::SpeechEvent::AudioDelta)
    /// with decoded audio, then [`SpeechEvent::AudioDone`](crate::SpeechEvent::AudioDone) with
    /// the usage. Event types this version does not know are skipped. Not for `tts` / `tts-hd`.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{SpeechEvent, SpeechRequest, Voice};
    /// use futures_util::StreamExt;
    /// let mut events = client.speech().events(&SpeechRequest::new("hello", Voice::Alloy)).await?;
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         SpeechEvent::AudioDelta { audio, .. } => { /* play audio */ }
    ///         SpeechEvent::AudioDone { usage, .. } => println!("{usage:?}"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn events(self, request: &SpeechRequest) -> Result<SpeechEventStream> {
        self.events_with(request, &RequestOptions::default()).await
    }

    /// [`events`](Speech::events) with per-request settings: retries and the request timeout
    /// apply until the response headers arrive, then each piece of the body must come within
    /// the idle timeout.
    pub async fn events_with(
        self,
        request: &SpeechRequest,
        options: &RequestOptions,
    ) -> Result<SpeechEventStream> {
        let api_request = self.api_request(request, Some(StreamFormat::Sse))?;
        let inner = EventStream::open(self.client.pipeline(), api_request, options).await?;
        Ok(SpeechEventStream::new(inner))
    }

    /// The client this handler sends through.
    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }

    /// The request to send: `audio/speech` for the deployment, checked, with `stream_format`
    /// as the calling method reads the reply and, on the `/openai/v1` route, the deployment as
    /// `model` (unless the request sets one).
    pub(crate) fn api_request(
        &self,
        request: &SpeechRequest,
        stream_format: Option<StreamFormat>,
    ) -> Result<ApiRequest> {
        request.check()?;
        let deployment = self.deployment_name();
        if deployment.trim().is_empty() {
            return Err(Error::invalid_input("the speech deployment name is empty"));
        }
        let mut request = request.clone();
        request.set_stream_format(stream_format);
        // Routed on the `/openai/v1` route, each backend's body names its deployment.
        let body_for = (self.client.route() == Route::V1 && request.model_ref().is_none())
            .then(|| BodyFor::json(&request, SpeechRequest::set_model_if_unset));
        if self.client.route() == Route::V1 {
            request.set_model_if_unset(deployment);
        }
        // A deployment set for this handler is not routed.
        let router = match self.deployment {
            Some(_) => None,
            None => self.client.router(Api::Speech),
        };
        Ok(ApiRequest::post(
            "speech",
            deployment,
            "audio/speech",
            RequestBody::Json(BodyPlan::new(&request)?),
        )
        .routed(router, body_for))
    }
}

/// Reads a whole speech, bounded by the client's maximum reply size; a body cut short is a
/// (retryable) transport error.
async fn read_audio(reply: Reply) -> Result<SpeechAudio> {
    let metadata = reply.metadata();
    let content_type = reply.content_type();
    let audio = reply
        .body()
        .await
        .map_err(|e| e.with_metadata(metadata.clone()))?;
    Ok(SpeechAudio::new(audio, content_type, metadata))
}
