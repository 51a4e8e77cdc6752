//! WAV audio of any common format, rate and channel count, turned into the Realtime API's input
//! audio: pcm16, 24 kHz, mono, little-endian. Streamed: a file is converted a piece at a time.
//! [`Pcm16Converter`] takes the bytes; [`Pcm16Chunks`] and [`Pcm16Stream`] read them from a file.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_util::Stream;
use tokio::io::{AsyncRead, ReadBuf};

use super::resample::Resampler;
use super::wav_reader::{WavFormat, WavReader};
use super::PCM16_SAMPLE_RATE;
use crate::error::{Error, Result};

/// Turns a WAV file (PCM 8, 16, 24 or 32-bit, IEEE float 32 or 64-bit, plain or
/// WAVE_FORMAT_EXTENSIBLE, any rate up to 384 kHz, any number of channels) into pcm16 at
/// 24 kHz, mono: the channels are averaged and the rate changed by a band-limited
/// (windowed-sinc) resampler, so nothing above 12 kHz folds back into the audio.
///
/// Push the file's bytes in pieces of any size; each call appends the audio they complete.
/// 24 kHz mono 16-bit passes through bit-exact. The output lasts as long as the input (its
/// length is the input's duration at 24 kHz, rounded up).
///
/// The header is checked as it arrives: an unsupported format tag, sample size, channel count
/// or rate, or a file that ends before its data is an [`ErrorKind::InvalidInput`](crate::ErrorKind)
/// error naming the value. Chunks other than `fmt ` and `data` are skipped; a data size of 0
/// or 0xFFFFFFFF (streamed WAVs, RF64) means "up to the end of the file"; a data chunk cut
/// short converts as far as it goes.
///
/// [`Pcm16Chunks`] (an iterator) and [`Pcm16Stream`] (a stream) drive it from a file or a reader.
pub struct Pcm16Converter {
    reader: WavReader,
    resampler: Option<Resampler>,
    /// Mono samples at the input's rate, then at 24 kHz (kept to reuse their memory).
    mono: Vec<f32>,
    resampled: Vec<f32>,
}

impl fmt::Debug for Pcm16Converter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pcm16Converter")
            .field("format", &self.reader.format())
            .finish()
    }
}

impl Default for Pcm16Converter {
    fn default() -> Self {
        Self::new()
    }
}

impl Pcm16Converter {
    /// A converter waiting for the first bytes of a WAV file.
    pub fn new() -> Self {
        Pcm16Converter {
            reader: WavReader::new(),
            resampler: None,
            mono: Vec::new(),
            resampled: Vec::new(),
        }
    }

    /// Converts a whole WAV file in memory.
    ///
    /// ```
    /// # fn f(wav: &[u8]) -> azure_openai_audio::Result<()> {
    /// let pcm16 = azure_openai_audio::Pcm16Converter::convert(wav)?;
    /// # Ok(()) }
    /// ```
    pub fn convert(wav: &[u8]) -> Result<Vec<u8>> {
        let mut converter = Pcm16Converter::new();
        let mut out = Vec::new();
        converter.push(wav, &mut out)?;
        converter.finish(&mut out)?;
        Ok(out)
    }

    /// The input's format, once its `fmt ` chunk has arrived.
    pub fn format(&self) -> Option<WavFormat> {
        self.reader.format()
    }

    /// Reads the next `bytes` of the WAV file and appends the pcm16 they complete to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.reader.push(bytes, &mut self.mono)?;
        if let Some(format) = self.reader.format() {
            let resampler = self
                .resampler
                .get_or_insert_with(|| Resampler::new(format.sample_rate, PCM16_SAMPLE_RATE));
            resampler.push(&self.mono, &mut self.resampled);
        }
        self.mono.clear();
        self.drain(out);
        Ok(())
    }

    /// The file is over: checks that it had its header and appends the last pcm16 to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.reader.finish()?;
        if let Some(resampler) = &mut self.resampler {
            resampler.finish(&mut self.resampled);
        }
        self.drain(out);
        Ok(())
    }

    /// Appends the resampled audio to `out` as pcm16.
    fn drain(&mut self, out: &mut Vec<u8>) {
        out.reserve(self.resampled.len() * 2);
        for &y in &self.resampled {
            // `as` saturates (and makes NaN 0): no sample can wrap around.
            let s = (y * 32_768.0).round() as i16;
            out.extend_from_slice(&s.to_le_bytes());
        }
        self.resampled.clear();
    }
}

/// How many bytes of the file [`Pcm16Chunks`] and [`Pcm16Stream`] read at a time.
const READ_LEN: usize = 64 * 1024;

/// The pcm16 of a WAV file or [`Read`]er, a chunk at a time (see [`Pcm16Converter`]): an
/// [`Iterator`] (its async twin is [`Pcm16Stream`]).
///
/// It reads 64 KiB of the file at a time and yields the pcm16 each read completes (never an
/// empty chunk), so memory stays about half a MiB whatever the file's length. After an error it
/// ends.
///
/// ```no_run
/// # fn f() -> azure_openai_audio::Result<()> {
/// for pcm16 in azure_openai_audio::Pcm16Chunks::open("question.wav")? {
///     let pcm16: Vec<u8> = pcm16?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pcm16Chunks<R> {
    reader: R,
    chunks: Chunks,
}

/// The pcm16 of a WAV file or [`AsyncRead`]er, a chunk at a time: a [`Stream`], as
/// [`Pcm16Chunks`] is an iterator (64 KiB read at a time, about half a MiB of memory whatever
/// the file's length; never an empty chunk; after an error it ends).
///
/// ```no_run
/// # async fn f() -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::Pcm16Stream;
/// use futures_util::StreamExt;
///
/// let mut chunks = Pcm16Stream::open("question.wav").await?;
/// while let Some(pcm16) = chunks.next().await {
///     let pcm16: Vec<u8> = pcm16?; // 24 kHz mono pcm16, ready to append to a Realtime session
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pcm16Stream<R> {
    reader: R,
    chunks: Chunks,
}

impl Pcm16Chunks<File> {
    /// Opens a WAV file, to read it a chunk at a time (blocking reads: in async code, use
    /// [`Pcm16Stream::open`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| cannot_read(Some(path), e))?;
        Ok(Pcm16Chunks::new(file))
    }
}

impl<R: Read> Pcm16Chunks<R> {
    /// Converts what `reader` reads.
    pub fn new(reader: R) -> Self {
        Pcm16Chunks {
            reader,
            chunks: Chunks::new(),
        }
    }

    /// The input's format, once its `fmt ` chunk has been read.
    pub fn format(&self) -> Option<WavFormat> {
        self.chunks.converter.format()
    }
}

impl Pcm16Stream<tokio::fs::File> {
    /// Opens a WAV file, to stream it a chunk at a time.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| cannot_read(Some(path), e))?;
        Ok(Pcm16Stream::new(file))
    }
}

impl<R: AsyncRead + Unpin> Pcm16Stream<R> {
    /// Converts what `reader` reads.
    pub fn new(reader: R) -> Self {
        Pcm16Stream {
            reader,
            chunks: Chunks::new(),
        }
    }

    /// The input's format, once its `fmt ` chunk has been read.
    pub fn format(&self) -> Option<WavFormat> {
        self.chunks.converter.format()
    }
}

/// What [`Pcm16Chunks`] and [`Pcm16Stream`] share: the converter and the read buffer.
struct Chunks {
    converter: Pcm16Converter,
    buf: Box<[u8]>,
    done: bool,
}

impl fmt::Debug for Chunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunks")
            .field("format", &self.converter.format())
            .field("done", &self.done)
            .finish()
    }
}

impl Chunks {
    fn new() -> Self {
        Chunks {
            converter: Pcm16Converter::new(),
            buf: vec![0; READ_LEN].into_boxed_slice(),
            done: false,
        }
    }

    /// Converts the `n` bytes just read (0: the end): the next item, or `None` to read more.
    fn convert(&mut self, n: usize) -> Option<Option<Result<Vec<u8>>>> {
        let mut out = Vec::new();
        let result = match self.buf.get(..n) {
            Some(bytes) if n > 0 => self.converter.push(bytes, &mut out),
            _ => {
                self.done = true;
                self.converter.finish(&mut out)
            }
        };
        match result {
            Err(e) => {
                self.done = true;
                Some(Some(Err(e)))
            }
            Ok(()) if !out.is_empty() => Some(Some(Ok(out))),
            Ok(()) if self.done => Some(None),
            Ok(()) => None,
        }
    }

    fn failed(&mut self, e: io::Error) -> Option<Result<Vec<u8>>> {
        self.done = true;
        Some(Err(cannot_read(None, e)))
    }
}

fn cannot_read(path: Option<&Path>, e: io::Error) -> Error {
    let message = match path {
        Some(path) => format!("cannot read WAV file {}", path.display()),
        None => "cannot read the WAV audio".to_owned(),
    };
    Error::invalid_input(message).with_source(e)
}

impl<R: Read> Iterator for Pcm16Chunks<R> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        let chunks = &mut self.chunks;
        while !chunks.done {
            let n = match self.reader.read(&mut chunks.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return chunks.failed(e),
            };
            if let Some(item) = chunks.convert(n) {
                return item;
            }
        }
        None
    }
}

impl<R: AsyncRead + Unpin> Stream for Pcm16Stream<R> {
    type Item = Result<Vec<u8>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let chunks = &mut this.chunks;
        while !chunks.done {
            let mut buf = ReadBuf::new(&mut chunks.buf);
            let n = match ready!(Pin::new(&mut this.reader).poll_read(cx, &mut buf)) {
                Ok(()) => buf.filled().len(),
                Err(e) => return Poll::Ready(chunks.failed(e)),
            };
            if let Some(item) = chunks.convert(n) {
                return Poll::Ready(item);
            }
        }
        Poll::Ready(None)
    }
}
