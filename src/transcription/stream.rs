//! Streamed transcription (`stream=true`, gpt-4o transcribe models): the text as it is
//! recognised, as typed events.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{Stream, StreamExt};

use crate::audio::AudioSource;
use crate::error::Result;
use crate::metadata::ResponseMetadata;
use crate::transcription::handler::Transcriptions;
use crate::transcription::{TranscriptionEvent, TranscriptionRequest};
use crate::transport::event_stream::EventStream;
use crate::transport::options::RequestOptions;

impl Transcriptions<'_> {
    /// Transcribes `audio` with `stream=true` and returns the stream of events once the
    /// response headers have arrived (gpt-4o transcribe models; a whisper model, named by the
    /// `model` field or the deployment, is refused before anything is sent).
    ///
    /// The audio and the request are checked as for [`create`](Transcriptions::create); an
    /// error status is returned here, before any event.
    ///
    /// ```no_run
    /// # async fn f(client: azure_openai_audio::Client) -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::{AudioSource, TranscriptionEvent, TranscriptionRequest};
    /// use futures_util::StreamExt;
    /// let audio = AudioSource::from_file("meeting.wav").await?;
    /// let mut stream = client
    ///     .transcriptions()
    ///     .stream(&audio, &TranscriptionRequest::new())
    ///     .await?;
    /// while let Some(event) = stream.next().await {
    ///     if let Some(text) = event?.delta() {
    ///         print!("{text}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(
        self,
        audio: &AudioSource,
        request: &TranscriptionRequest,
    ) -> Result<TranscriptionStream> {
        self.stream_with(audio, request, &RequestOptions::default())
            .await
    }

    /// [`stream`](Transcriptions::stream) with per-request settings: retries and the request
    /// timeout apply until the response headers arrive, then each event must come within the
    /// idle timeout ([`RequestOptions::idle_timeout`], else the client's
    /// [`stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)). A stream that has
    /// started is not retried.
    pub async fn stream_with(
        self,
        audio: &AudioSource,
        request: &TranscriptionRequest,
        options: &RequestOptions,
    ) -> Result<TranscriptionStream> {
        let mut request = request.clone();
        request.set_streaming();
        let api_request = self.api_request(audio, &request)?;
        Ok(TranscriptionStream {
            inner: EventStream::open(self.client.pipeline(), api_request, options).await?,
        })
    }
}

/// The events of a streamed transcription, as a [`Stream`] of `Result<TranscriptionEvent>`:
/// `transcript.text.delta` (with logprobs when asked), `transcript.text.segment`
/// (diarization), `transcript.text.done`; events of a type the crate does not know are skipped.
///
/// Comes from [`Transcriptions::stream`]. It ends after `data: [DONE]`; an error event, a
/// broken connection, or a stream that ends before `[DONE]` gives one `Err` and then the end.
/// Dropping it closes the connection.
pub struct TranscriptionStream {
    inner: EventStream<TranscriptionEvent>,
}

impl fmt::Debug for TranscriptionStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptionStream")
            .field("metadata", self.inner.metadata())
            .field("finished", &self.inner.is_finished())
            .finish_non_exhaustive()
    }
}

impl TranscriptionStream {
    /// Status and headers of the response (request ids, region, rate limits).
    pub fn metadata(&self) -> &ResponseMetadata {
        self.inner.metadata()
    }

    /// Reads the rest of the stream and returns the whole text: the `transcript.text.done`
    /// event's, else the deltas put together.
    pub async fn collect_text(mut self) -> Result<String> {
        let mut deltas = String::new();
        let mut done = None;
        while let Some(event) = self.next().await {
            match event? {
                TranscriptionEvent::TextDelta { delta, .. } => deltas.push_str(&delta),
                TranscriptionEvent::TextDone { text, .. } => done = Some(text),
                _ => {}
            }
        }
        Ok(done.unwrap_or(deltas))
    }
}

impl Stream for TranscriptionStream {
    type Item = Result<TranscriptionEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
