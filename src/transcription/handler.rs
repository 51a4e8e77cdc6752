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
use crate::transport::request::{ApiRequest, RequestBody};

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
    /// deployment's name as the model): each refusal is an
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
        let api_request = self.api_request(audio, request.clone())?;
        send(
            self.client,
            &api_request,
            request.response_format_ref(),
            options,
        )
        .await
    }

    /// The request to send: the checked form for the deployment, the model set on the
    /// `/openai/v1` route.
    pub(crate) fn api_request(
        &self,
        audio: &AudioSource,
        mut request: TranscriptionRequest,
    ) -> Result<ApiRequest> {
        let deployment = deployment(self.client, self.deployment, Api::Transcription)?;
        if self.client.route() == Route::V1 {
            request.set_model_if_unset(deployment);
        }
        request.check_for_model(request.model_ref().unwrap_or(deployment))?;
        form_request(
            "transcriptions",
            deployment,
            "audio/transcriptions",
            audio,
            &TRANSCRIPTION_RULES,
            request.form_fields(),
        )
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
        let deployment = deployment(self.client, self.deployment, Api::Translation)?;
        let mut request = request.clone();
        if self.client.route() == Route::V1 {
            request.set_model_if_unset(deployment);
        }
        request.check()?;
        let api_request = form_request(
            "translations",
            deployment,
            "audio/translations",
            audio,
            &TRANSLATION_RULES,
            request.form_fields(),
        )?;
        send(
            self.client,
            &api_request,
            request.response_format_ref(),
            options,
        )
        .await
    }
}

/// The deployment a call goes to: the one set for the call, else the client's for `api`.
fn deployment<'a>(client: &'a Client, set: Option<&'a str>, api: Api) -> Result<&'a str> {
    match set {
        Some(name) if name.trim().is_empty() => Err(Error::invalid_input(format!(
            "the {api} deployment name is empty"
        ))),
        Some(name) => Ok(name),
        None => Ok(client.deployment_for(api)),
    }
}

/// A POST of a multipart form to `path`: the audio (checked with `rules`) as the `file` part,
/// then `fields`.
pub(crate) fn form_request(
    api: &'static str,
    deployment: &str,
    path: &'static str,
    audio: &AudioSource,
    rules: &AudioRules,
    fields: Vec<FormField>,
) -> Result<ApiRequest> {
    audio.check(rules)?;
    let form = fields.into_iter().fold(
        MultipartBody::new().file("file", audio),
        |form, (name, value)| form.field(&name, value),
    );
    Ok(ApiRequest::post(
        api,
        deployment,
        path,
        RequestBody::Multipart(form),
    ))
}

/// Sends the form and decodes the reply for `format`.
async fn send(
    client: &Client,
    request: &ApiRequest,
    format: Option<&TranscriptionFormat>,
    options: &RequestOptions,
) -> Result<Transcript> {
    client
        .pipeline()
        .send(request, options, |reply: Reply| {
            let read = reply.decode(move |body| Transcript::from_body(format, &body));
            async move { read.await.map(|(t, metadata)| t.with_metadata(metadata)) }
        })
        .await
}
