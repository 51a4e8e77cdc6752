//! Sending transcriptions and translations: `client.transcriptions()` and
//! `client.translations()`, the multipart form they send (the audio's `file` part first, then
//! the request's fields), and the reply decoded for the format asked for.

use crate::audio::source::{AudioRules, AudioSource, TRANSCRIPTION_RULES, TRANSLATION_RULES};
use crate::client::{Api, Client, Route};
use crate::error::{Error, Result};
use crate::transcription::request::FormField;
use crate::transcription::{
    Transcript, TranscriptionFormat, TranscriptionRequest, TranslationRequest,
};
use crate::transport::multipart::MultipartBody;
use crate::transport::options::RequestOptions;
use crate::transport::reply::Reply;
use crate::transport::request::{ApiRequest, BodyFor, RequestBody};

/// The transcription API of a [`Client`] (`POST .../audio/transcriptions`):
/// `client.transcriptions()`.
///
/// It sends to the client's transcription deployment
/// ([`Client::deployment_for`]`(`[`Api::Transcription`]`)`), or to the one given to
/// [`deployment`](Transcriptions::deployment) for one call.
#[derive(Debug, Clone, Copy)]
pub struct Transcriptions<'a> {
    pub(crate) client: &'a Client,
    pub(crate) deployment: Option<&'a str>,
}

/// The translation API of a [`Client`] (`POST .../audio/translations`, speech to English
/// text): `client.translations()`.
///
/// It sends to the client's translation deployment
/// ([`Client::deployment_for`]`(`[`Api::Translation`]`)`), or to the one given to
/// [`deployment`](Translations::deployment) for one call.
#[derive(Debug, Clone, Copy)]
pub struct Translations<'a> {
    pub(crate) client: &'a Client,
    pub(crate) deployment: Option<&'a str>,
}

impl<'a> Transcriptions<'a> {
    /// Sends this call to `deployment` instead of the client's transcription deployment.
    pub fn deployment(mut self, deployment: &'a str) -> Self {
        self.deployment = Some(deployment);
        self
    }

    /// Transcribes `audio` and decodes the reply for the format asked for (`json` when unset).
    ///
    /// Before anything is sent, the audio is checked (not empty, at most 25 MiB, a format the
    /// service takes, a name that agrees with its header) and so is the request
    /// ([`TranscriptionRequest::check_for_model`], with the `model` field or else the
    /// deployment's name as the model; when routed, each backend's deployment, and a refusal
    /// names the backend): each refusal is an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the limit and
    /// the value. A file is read as the body is sent, again for every attempt.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{AudioSource, TranscriptionRequest};
    /// let audio = AudioSource::from_file("meeting.wav").await?;
    /// let transcript = client
    ///     .transcriptions()
    ///     .create(&audio, &TranscriptionRequest::new().language("en"))
    ///     .await?;
    /// println!("{}", transcript.text());
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        audio: &AudioSource,
        request: &TranscriptionRequest,
    ) -> Result<Transcript> {
        self.create_with(audio, request, &RequestOptions::default())
            .await
    }

    /// [`create`](Transcriptions::create) with per-request retry and timeout settings.
    pub async fn create_with(
        self,
        audio: &AudioSource,
        request: &TranscriptionRequest,
        options: &RequestOptions,
    ) -> Result<Transcript> {
        create(self.client, self.deployment, audio, request, options).await
    }

    /// The request to send: the checked form for the deployment (see [`FormApi::prepare`]).
    pub(crate) fn api_request(
        &self,
        audio: &AudioSource,
        request: &TranscriptionRequest,
    ) -> Result<ApiRequest> {
        request
            .prepare(self.client, self.deployment, audio)
            .map(|(r, _)| r)
    }
}

impl<'a> Translations<'a> {
    /// Sends this call to `deployment` instead of the client's translation deployment.
    pub fn deployment(mut self, deployment: &'a str) -> Self {
        self.deployment = Some(deployment);
        self
    }

    /// Translates the speech in `audio` into English text, decoded for the format asked for
    /// (`json` when unset). The audio and the request are checked before anything is sent, as
    /// for [`Transcriptions::create`].
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{AudioSource, TranslationRequest};
    /// let audio = AudioSource::from_file("discours.mp3").await?;
    /// let english = client.translations().create(&audio, &TranslationRequest::new()).await?;
    /// println!("{}", english.text());
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        audio: &AudioSource,
        request: &TranslationRequest,
    ) -> Result<Transcript> {
        self.create_with(audio, request, &RequestOptions::default())
            .await
    }

    /// [`create`](Translations::create) with per-request retry and timeout settings.
    pub async fn create_with(
        self,
        audio: &AudioSource,
        request: &TranslationRequest,
        options: &RequestOptions,
    ) -> Result<Transcript> {
        create(self.client, self.deployment, audio, request, options).await
    }
}

/// What tells a transcription from a translation when it is sent.
pub(crate) trait FormApi: Clone + Send + Sync + 'static {
    /// Which deployment it goes to.
    const API: Api;
    /// Its name in traces.
    const NAME: &'static str;
    /// The path under the deployment.
    const PATH: &'static str;
    /// What audio it takes.
    const RULES: AudioRules;

    /// Sets the model from the deployment on the `/openai/v1` route, unless the caller did.
    fn set_model_if_unset(&mut self, model: &str);
    /// Its checks, with `model` as the model behind the deployment.
    fn check_with_model(&self, model: &str) -> Result<()>;
    /// The text fields of the form.
    fn form_fields(&self) -> Vec<FormField>;
    /// The reply format asked for.
    fn response_format_ref(&self) -> Option<&TranscriptionFormat>;

    /// The checked request to send to `deployment` (else the client's for [`Self::API`]), the
    /// model set on the `/openai/v1` route, and the request as sent.
    fn prepare(
        &self,
        client: &Client,
        deployment: Option<&str>,
        audio: &AudioSource,
    ) -> Result<(ApiRequest, Self)> {
        // A deployment set for this call is not routed.
        let router = match deployment {
            Some(_) => None,
            None => client.router(Self::API),
        };
        let deployment = deployment_name(client, deployment, Self::API)?;
        let mut request = self.clone();
        // Routed on the `/openai/v1` route, each backend's form names its deployment.
        let body_for = (client.route() == Route::V1).then(|| {
            let (request, audio) = (request.clone(), audio.clone());
            BodyFor::new(move |deployment| {
                let mut with_model = request.clone();
                with_model.set_model_if_unset(deployment);
                Ok(RequestBody::Multipart(with_model.form(&audio)))
            })
        });
        if client.route() == Route::V1 {
            request.set_model_if_unset(deployment);
        }
        match &router {
            // Routed, the request goes to the backends' deployments, not the client's: the
            // model rules of each apply (the `model` field, when the caller set it, for all).
            Some(router) => router
                .deployments()
                .enumerate()
                .try_for_each(|(index, d)| {
                    self.check_with_model(d)
                        .map_err(|e| e.with_context(format!("backend {index} (deployment {d:?})")))
                })?,
            None => request.check_with_model(deployment)?,
        }
        audio.check(&Self::RULES)?;
        let form = request.form(audio);
        // The service's limit is on the whole body, not only the file: a file just under it can
        // still make a form over it, which the service answers with a 413.
        if form.content_length() > Self::RULES.max_size {
            return Err(Error::invalid_input(format!(
                "the {} form is {} bytes (the audio and the other fields); the service accepts at most {} bytes ({}) in all",
                Self::RULES.api,
                form.content_length(),
                Self::RULES.max_size,
                Self::RULES.max_size_text,
            )));
        }
        let api_request = ApiRequest::post(
            Self::NAME,
            deployment,
            Self::PATH,
            RequestBody::Multipart(form),
        )
        .routed(router, body_for);
        Ok((api_request, request))
    }

    /// The form of this request with `audio`.
    fn form(&self, audio: &AudioSource) -> MultipartBody {
        self.form_fields().into_iter().fold(
            MultipartBody::new().file("file", audio),
            |form, (name, value)| form.field(&name, value),
        )
    }
}

impl FormApi for TranscriptionRequest {
    const API: Api = Api::Transcription;
    const NAME: &'static str = "transcriptions";
    const PATH: &'static str = "audio/transcriptions";
    const RULES: AudioRules = TRANSCRIPTION_RULES;

    fn set_model_if_unset(&mut self, model: &str) {
        TranscriptionRequest::set_model_if_unset(self, model);
    }
    /// The `model` field, else the deployment's name, is taken as the model (its rules:
    /// whisper does not stream, the diarize model takes no prompt).
    fn check_with_model(&self, deployment: &str) -> Result<()> {
        self.check_for_model(self.model_ref().unwrap_or(deployment))
    }
    fn form_fields(&self) -> Vec<FormField> {
        TranscriptionRequest::form_fields(self)
    }
    fn response_format_ref(&self) -> Option<&TranscriptionFormat> {
        TranscriptionRequest::response_format_ref(self)
    }
}

impl FormApi for TranslationRequest {
    const API: Api = Api::Translation;
    const NAME: &'static str = "translations";
    const PATH: &'static str = "audio/translations";
    const RULES: AudioRules = TRANSLATION_RULES;

    fn set_model_if_unset(&mut self, model: &str) {
        TranslationRequest::set_model_if_unset(self, model);
    }
    fn check_with_model(&self, _deployment: &str) -> Result<()> {
        self.check()
    }
    fn form_fields(&self) -> Vec<FormField> {
        TranslationRequest::form_fields(self)
    }
    fn response_format_ref(&self) -> Option<&TranscriptionFormat> {
        TranslationRequest::response_format_ref(self)
    }
}

/// Checks and sends `request` with `audio`, and decodes the reply for its format.
async fn create<R: FormApi>(
    client: &Client,
    deployment: Option<&str>,
    audio: &AudioSource,
    request: &R,
    options: &RequestOptions,
) -> Result<Transcript> {
    let (api_request, request) = request.prepare(client, deployment, audio)?;
    let format = request.response_format_ref();
    client
        .pipeline()
        .send(&api_request, options, |reply: Reply| {
            let read = reply.decode(move |body| Transcript::from_body(format, &body));
            async move { read.await.map(|(t, metadata)| t.with_metadata(metadata)) }
        })
        .await
}

/// The deployment a call goes to: the one set for the call, else the client's for `api`.
fn deployment_name<'a>(client: &'a Client, set: Option<&'a str>, api: Api) -> Result<&'a str> {
    match set {
        Some(name) if name.trim().is_empty() => Err(Error::invalid_input(format!(
            "the {api} deployment name is empty"
        ))),
        Some(name) => Ok(name),
        None => Ok(client.deployment_for(api)),
    }
}
