//! A speech written as it arrives: to any `AsyncWrite`, to a file, to a WAV file (pcm).
//!
//! Nothing is written until the first bytes of audio have arrived, so a request that fails
//! (and every retry before it) leaves no file behind. Memory stays at a chunk or two however
//! long the speech.

use std::path::Path;

use futures_util::stream::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::audio::Pcm16WavWriter;
use crate::error::{Error, Result};
use crate::speech::{Speech, SpeechByteStream, SpeechFormat, SpeechRequest};
use crate::transport::options::RequestOptions;

impl Speech<'_> {
    /// Sends the request and writes the audio to `writer` as it arrives (then flushes it);
    /// returns the number of bytes written.
    ///
    /// Retried until the first bytes arrive, never after (see [`Speech::stream`]). An error
    /// while writing is an [`ErrorKind::Io`](crate::ErrorKind::Io) error; an error of the
    /// connection after the first bytes leaves in `writer` the audio received before it.
    pub async fn to_writer<W>(self, request: &SpeechRequest, writer: W) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        self.to_writer_with(request, writer, &RequestOptions::default())
            .await
    }

    /// [`to_writer`](Speech::to_writer) with per-request settings.
    pub async fn to_writer_with<W>(
        self,
        request: &SpeechRequest,
        writer: W,
        options: &RequestOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        let audio = self.stream_with(request, options).await?;
        audio.write_to(writer).await
    }

    /// Sends the request and writes the audio to the file at `path` (created, or truncated) as
    /// it arrives, in the request's format; returns the number of bytes written.
    ///
    /// The file is created only once the first bytes have arrived: a request that fails
    /// leaves no file. A connection that breaks after that leaves in the file the audio
    /// received before it (the error says so). For a WAV file of pcm audio, see
    /// [`to_wav_file`](Speech::to_wav_file); for a `.wav` path,
    /// [`SpeechFormat::from_path`] picks [`SpeechFormat::Wav`].
    pub async fn to_file(self, request: &SpeechRequest, path: impl AsRef<Path>) -> Result<u64> {
        self.to_file_with(request, path, &RequestOptions::default())
            .await
    }

    /// [`to_file`](Speech::to_file) with per-request settings.
    pub async fn to_file_with(
        self,
        request: &SpeechRequest,
        path: impl AsRef<Path>,
        options: &RequestOptions,
    ) -> Result<u64> {
        let path = path.as_ref();
        let audio = self.stream_with(request, options).await?;
        let file = tokio::fs::File::create(path)
            .await
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        audio.write_to_named(file, &path.display()).await
    }

    /// Asks for pcm audio (24 kHz, mono, 16-bit) and writes it to a WAV file at `path` as it
    /// arrives, with [`Pcm16WavWriter`]: the file is a valid WAV of everything received so far
    /// after each chunk. Returns the number of bytes of pcm audio written.
    ///
    /// A request that asks for another format than pcm is refused before anything is sent.
    /// Retries and the file's creation are as for [`to_file`](Speech::to_file).
    pub async fn to_wav_file(self, request: &SpeechRequest, path: impl AsRef<Path>) -> Result<u64> {
        self.to_wav_file_with(request, path, &RequestOptions::default())
            .await
    }

    /// [`to_wav_file`](Speech::to_wav_file) with per-request settings.
    pub async fn to_wav_file_with(
        self,
        request: &SpeechRequest,
        path: impl AsRef<Path>,
        options: &RequestOptions,
    ) -> Result<u64> {
        let request = match request.response_format_ref() {
            None => request.clone().response_format(SpeechFormat::Pcm),
            Some(SpeechFormat::Pcm) => request.clone(),
            Some(other) => {
                return Err(Error::invalid_input(format!(
                    "to_wav_file writes pcm audio, but the request asks for {other} (use to_file for {other})"
                )))
            }
        };
        let path = path.as_ref().to_owned();
        let mut audio = self.stream_with(&request, options).await?;
        let name = path.display().to_string();
        let write_error = |e| Error::io(format!("cannot write {name}"), e);
        let create = path.clone();
        let mut wav = blocking(move || Pcm16WavWriter::create(create))
            .await
            .map_err(|e| Error::io(format!("cannot create {name}"), e))?;
        let mut written = 0u64;
        while let Some(chunk) = audio.next().await {
            let chunk = chunk.map_err(|e| written_before(e, written, &name))?;
            let len = chunk.len() as u64;
            // One trip to the blocking pool per chunk: the disk never blocks the runtime.
            wav = blocking(move || {
                wav.write_pcm16(&chunk)?;
                wav.flush()?;
                Ok(wav)
            })
            .await
            .map_err(write_error)?;
            written += len;
        }
        blocking(move || wav.finalize())
            .await
            .map_err(write_error)?;
        Ok(written)
    }
}

impl SpeechByteStream {
    /// Writes the rest of the audio to `writer` as it arrives, then flushes it; returns the
    /// number of bytes written. A write that fails is an
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) error.
    pub async fn write_to<W>(self, writer: W) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        self.write_to_named(writer, &"the writer").await
    }

    /// [`write_to`](Self::write_to), with errors naming the destination.
    async fn write_to_named<W>(mut self, mut writer: W, name: &dyn std::fmt::Display) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        let write_error = |e| Error::io(format!("cannot write {name}"), e);
        let mut written = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    // What was written stays there, complete (a file's last write lands now).
                    let _ = writer.flush().await;
                    return Err(written_before(e, written, name));
                }
            };
            writer.write_all(&chunk).await.map_err(write_error)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }
}

/// An error of the connection after `written` bytes went to `name`: they stay there.
fn written_before(e: Error, written: u64, name: &dyn std::fmt::Display) -> Error {
    e.with_context(format!(
        "after {written} bytes of audio were written to {name}"
    ))
}

/// Runs `f` on the blocking pool; a task that could not finish is an I/O error.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}
