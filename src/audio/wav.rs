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
/// A WAV header counts sizes in 32 bits, so one file holds at most [`MAX_SAMPLES`](Self::MAX_SAMPLES)
/// samples (4 GiB, about 24.9 hours at 24 kHz). A piece that would go past that is refused
/// whole with an [`io::ErrorKind::FileTooLarge`] error, and the file stays a valid WAV of
/// everything written before it.
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

/// Bytes of the header that the RIFF size field counts besides the data: `WAVE`, the 24-byte
/// `fmt ` chunk and the data chunk's own 8-byte header (hound writes this 44-byte header for
/// mono 16-bit).
const RIFF_OVERHEAD: u64 = 36;

/// See [`Pcm16WavWriter::MAX_SAMPLES`].
const MAX_SAMPLES: u64 = (u32::MAX as u64 - RIFF_OVERHEAD) / 2;

impl<W: Write + Seek> Pcm16WavWriter<W> {
    /// The most samples one WAV file can hold: the RIFF size (data plus 36 header bytes) must
    /// fit in a `u32`. 2,147,483,629 samples, about 24.9 hours at 24 kHz.
    pub const MAX_SAMPLES: u64 = MAX_SAMPLES;

    /// Writes the header to `writer` (at its current position).
    pub fn new(writer: W) -> io::Result<Self> {
        Ok(Pcm16WavWriter {
            wav: hound::WavWriter::new(writer, pcm16_spec()).map_err(to_io)?,
            pending: None,
            samples: 0,
        })
    }

    /// Appends pcm16 bytes (16-bit little-endian samples); `bytes` may split a sample.
    ///
    /// If the file would then hold more than [`MAX_SAMPLES`](Self::MAX_SAMPLES), nothing of
    /// `bytes` is written and an [`io::ErrorKind::FileTooLarge`] error says so.
    pub fn write_pcm16(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let new_samples = (u64::from(self.pending.is_some()) + bytes.len() as u64) / 2;
        if !fits(self.samples, new_samples) {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "a WAV file cannot hold more than {} samples of pcm16 (4 GiB, about 24.9 \
                     hours at 24 kHz): {} more would not fit after {}; start a new file",
                    Self::MAX_SAMPLES,
                    new_samples,
                    self.samples
                ),
            ));
        }
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

/// Whether `more` samples fit in a WAV file that holds `written` samples.
fn fits(written: u64, more: u64) -> bool {
    written.checked_add(more).is_some_and(|n| n <= MAX_SAMPLES)
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

    type Writer<'a> = Pcm16WavWriter<&'a mut Cursor<Vec<u8>>>;

    impl<W: Write + Seek> Pcm16WavWriter<W> {
        /// Pretends `samples` were written already (hound's own count stays at 0, so the file
        /// stays small): the size guard can be tested without writing 4 GiB.
        fn pretend_written(&mut self, samples: u64) {
            self.samples = samples;
        }
    }

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

    #[test]
    fn the_largest_file_a_wav_header_can_describe() {
        // The RIFF size field holds the data size plus 36 and is a u32.
        let data = 2 * Writer::MAX_SAMPLES;
        assert!(data + RIFF_OVERHEAD <= u64::from(u32::MAX));
        assert!(data + 2 + RIFF_OVERHEAD > u64::from(u32::MAX));
        assert_eq!(Writer::MAX_SAMPLES, 2_147_483_629);
        // And hound's header for pcm16 mono is 44 bytes: 8 (RIFF + size) + 36.
        let mut cursor = Cursor::new(Vec::new());
        Pcm16WavWriter::new(&mut cursor)
            .unwrap()
            .finalize()
            .unwrap();
        assert_eq!(cursor.get_ref().len() as u64, 8 + RIFF_OVERHEAD);
        assert!(fits(0, Writer::MAX_SAMPLES));
        assert!(fits(Writer::MAX_SAMPLES, 0));
        assert!(!fits(Writer::MAX_SAMPLES, 1));
        assert!(!fits(1, Writer::MAX_SAMPLES));
        assert!(!fits(u64::MAX, 1));
    }

    #[test]
    fn past_the_wav_limit_a_piece_is_refused_whole_before_reaching_hound() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        w.write_pcm16(&le(&samples(3))).unwrap();
        w.pretend_written(Writer::MAX_SAMPLES - 2);
        // One byte: no whole sample yet.
        w.write_pcm16(&[0x34]).unwrap();
        // With the pending byte, five bytes make three samples: one too many.
        let err = w.write_pcm16(&[0x12, 0x78, 0x56, 0, 0]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        let message = err.to_string();
        assert!(message.contains("2147483629 samples"), "{message}");
        assert!(message.contains("start a new file"), "{message}");
        assert_eq!(w.samples(), Writer::MAX_SAMPLES - 2, "nothing was written");
        // The piece that still fits: two bytes, one whole sample with the pending byte and a
        // new pending byte.
        w.write_pcm16(&[0x12, 0x78]).unwrap();
        assert_eq!(w.samples(), Writer::MAX_SAMPLES - 1);
        w.write_pcm16(&[0x56]).unwrap();
        assert_eq!(w.samples(), Writer::MAX_SAMPLES);
        // Full: not one more sample, not even across calls.
        let err = w.write_pcm16(&[0, 0]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        w.write_pcm16(&[0]).unwrap(); // half a sample is not written yet
        assert_eq!(
            w.write_pcm16(&[0]).unwrap_err().kind(),
            io::ErrorKind::FileTooLarge
        );
        assert_eq!(w.samples(), Writer::MAX_SAMPLES);
        w.flush().unwrap();
        drop(w);
        // What reached hound (and the file) is what was accepted: 3 + 2 samples.
        let reader = hound::WavReader::new(Cursor::new(cursor.into_inner())).unwrap();
        assert_eq!(reader.len(), 5);
        let got: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        let mut expected = samples(3);
        expected.extend([0x1234, 0x5678]);
        assert_eq!(got, expected);
    }
}
