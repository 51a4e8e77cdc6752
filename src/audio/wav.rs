//! Writing streamed pcm16 audio to a WAV file as it arrives.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::Path;

use super::PCM16_SAMPLE_RATE;

/// Writes pcm16 audio (24 kHz, mono, 16-bit little-endian, as streamed replies carry it) to a WAV
/// file without holding the audio in memory: the header is written first, samples are appended
/// as they arrive, and the sizes in the header are fixed by [`flush`](Self::flush) and
/// [`finalize`](Self::finalize). The RIFF header is written by the `hound` crate.
///
/// Pieces may end in the middle of a sample; the odd byte is kept until the next piece.
///
/// ```no_run
/// # fn f(pieces: Vec<Vec<u8>>) -> std::io::Result<()> {
/// use azure_openai_audio::audio::Pcm16WavWriter;
/// let mut wav = Pcm16WavWriter::create("reply.wav")?;
/// for piece in pieces {
///     wav.write_pcm16(&piece)?;
///     wav.flush()?; // the file is a valid WAV up to here
/// }
/// let samples = wav.finalize()?;
/// # Ok(()) }
/// ```
pub struct Pcm16WavWriter<W: Write + Seek> {
    wav: hound::WavWriter<W>,
    /// The first byte of a sample whose second byte has not arrived yet.
    pending: Option<u8>,
    samples: u64,
}

impl<W: Write + Seek> fmt::Debug for Pcm16WavWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pcm16WavWriter")
            .field("samples", &self.samples)
            .field("pending_byte", &self.pending.is_some())
            .finish()
    }
}

/// The format of streamed pcm16 audio.
fn pcm16_spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: PCM16_SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

impl Pcm16WavWriter<BufWriter<File>> {
    /// Creates (or truncates) the file and writes the header.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = BufWriter::new(File::create(path)?);
        Self::new(file)
    }
}

impl<W: Write + Seek> Pcm16WavWriter<W> {
    /// Writes the header to `writer` (at its current position).
    pub fn new(writer: W) -> io::Result<Self> {
        Ok(Pcm16WavWriter {
            wav: hound::WavWriter::new(writer, pcm16_spec()).map_err(to_io)?,
            pending: None,
            samples: 0,
        })
    }

    /// Appends pcm16 bytes (16-bit little-endian samples); `bytes` may split a sample.
    pub fn write_pcm16(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        if let Some(lo) = self.pending {
            let Some((&hi, rest)) = bytes.split_first() else {
                return Ok(());
            };
            self.sample(i16::from_le_bytes([lo, hi]))?;
            self.pending = None;
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.sample(i16::from_le_bytes([pair[0], pair[1]]))?;
        }
        self.pending = pairs.remainder().first().copied();
        Ok(())
    }

    fn sample(&mut self, s: i16) -> io::Result<()> {
        self.wav.write_sample(s).map_err(to_io)?;
        self.samples += 1;
        Ok(())
    }

    /// Samples written so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Seconds of audio written so far.
    pub fn duration_secs(&self) -> f64 {
        self.samples as f64 / f64::from(PCM16_SAMPLE_RATE)
    }

    /// Writes buffered samples and updates the header sizes, so the file is a valid WAV of
    /// everything written so far (a player can open it while the reply is still streaming).
    pub fn flush(&mut self) -> io::Result<()> {
        self.wav.flush().map_err(to_io)
    }

    /// Fixes the header sizes and flushes; returns how many samples the file holds.
    ///
    /// If the audio ended in the middle of a sample, the file is still finalized (without that
    /// byte) and an [`io::ErrorKind::InvalidData`] error says so.
    pub fn finalize(self) -> io::Result<u64> {
        self.wav.finalize().map_err(to_io)?;
        if self.pending.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the pcm16 audio ended in the middle of a sample (1 byte left out)",
            ));
        }
        Ok(self.samples)
    }
}

fn to_io(e: hound::Error) -> io::Error {
    match e {
        hound::Error::IoError(e) => e,
        other => io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn samples(n: usize) -> Vec<i16> {
        (0..n)
            .map(|k| (k as i32 * 977 % 65536 - 32768) as i16)
            .collect()
    }

    fn le(samples: &[i16]) -> Vec<u8> {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn pieces_split_mid_sample_give_exactly_the_samples() {
        let expected = samples(1001);
        let bytes = le(&expected);
        let mut cursor = Cursor::new(Vec::new());
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        for piece in bytes.chunks(7) {
            w.write_pcm16(piece).unwrap();
            w.write_pcm16(&[]).unwrap();
        }
        assert_eq!(w.finalize().unwrap(), 1001);
        let mut reader = hound::WavReader::new(Cursor::new(cursor.into_inner())).unwrap();
        assert_eq!(reader.spec(), pcm16_spec());
        let got: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn flush_makes_a_valid_file_mid_stream() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        w.write_pcm16(&le(&samples(10))).unwrap();
        w.flush().unwrap();
        drop(w); // no finalize: the flushed header must already be right
        let reader = hound::WavReader::new(Cursor::new(cursor.into_inner())).unwrap();
        assert_eq!(reader.len(), 10);
    }

    #[test]
    fn half_a_sample_at_the_end_is_an_error_after_finalizing() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        w.write_pcm16(&[1, 0, 2]).unwrap();
        let err = w.finalize().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let reader = hound::WavReader::new(Cursor::new(cursor.into_inner())).unwrap();
        assert_eq!(reader.len(), 1);
    }
}
