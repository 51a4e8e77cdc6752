//! Writing streamed pcm16 audio to a WAV file as it arrives.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::PCM16_SAMPLE_RATE;

/// Writes pcm16 audio (24 kHz, mono, 16-bit little-endian, as streamed replies carry it) to a WAV
/// file without holding the audio in memory: the header is written first, samples are appended
/// as they arrive, and the sizes in the header are fixed by [`flush`](Self::flush) and
/// [`finalize`](Self::finalize).
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
/// use azure_openai_audio::Pcm16WavWriter;
/// let mut wav = Pcm16WavWriter::create("reply.wav")?;
/// for piece in pieces {
///     wav.write_pcm16(&piece)?;
///     wav.flush()?; // the file is a valid WAV up to here
/// }
/// let samples = wav.finalize()?;
/// # Ok(()) }
/// ```
pub struct Pcm16WavWriter<W: Write + Seek> {
    writer: W,
    /// Where the header starts in `writer` (its position when the writer was made).
    start: u64,
    /// The first byte of a sample whose second byte has not arrived yet.
    pending: Option<u8>,
    samples: u64,
    /// Whether the header already says `samples` (so dropping the writer has nothing to do).
    header_current: bool,
    /// Samples counted but never written (tests of the 4 GiB limit pretend to have written them).
    #[cfg(test)]
    pretended: u64,
}

impl<W: Write + Seek> fmt::Debug for Pcm16WavWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pcm16WavWriter")
            .field("samples", &self.samples)
            .field("pending_byte", &self.pending.is_some())
            .finish()
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
/// `fmt ` chunk and the data chunk's own 8-byte header.
const RIFF_OVERHEAD: u64 = 36;

/// The whole header: `RIFF`, its size, then the [`RIFF_OVERHEAD`] bytes.
const HEADER_LEN: u64 = 8 + RIFF_OVERHEAD;

/// Offset of the RIFF size field in the header.
const RIFF_SIZE_AT: u64 = 4;

/// Offset of the data chunk's size field in the header.
const DATA_SIZE_AT: u64 = 40;

/// See [`Pcm16WavWriter::MAX_SAMPLES`].
const MAX_SAMPLES: u64 = (u32::MAX as u64 - RIFF_OVERHEAD) / 2;

/// The canonical 44-byte header of a PCM WAV file (a `WAVEFORMAT` `fmt ` chunk, as every player
/// reads) for 16-bit mono at [`PCM16_SAMPLE_RATE`], holding `data_len` bytes of samples.
/// `data_len` is at most `2 * MAX_SAMPLES`, so the sizes fit in 32 bits.
fn header(data_len: u32) -> [u8; HEADER_LEN as usize] {
    const CHANNELS: u16 = 1;
    const BITS: u16 = 16;
    const BLOCK_ALIGN: u16 = CHANNELS * BITS / 8;
    let mut h = [0u8; HEADER_LEN as usize];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        h[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(b"RIFF");
    put(&(data_len + RIFF_OVERHEAD as u32).to_le_bytes());
    put(b"WAVE");
    put(b"fmt ");
    put(&16u32.to_le_bytes()); // the size of the fmt chunk that follows
    put(&1u16.to_le_bytes()); // WAVE_FORMAT_PCM
    put(&CHANNELS.to_le_bytes());
    put(&PCM16_SAMPLE_RATE.to_le_bytes());
    put(&(PCM16_SAMPLE_RATE * u32::from(BLOCK_ALIGN)).to_le_bytes()); // bytes per second
    put(&BLOCK_ALIGN.to_le_bytes());
    put(&BITS.to_le_bytes());
    put(b"data");
    put(&data_len.to_le_bytes());
    h
}

impl<W: Write + Seek> Pcm16WavWriter<W> {
    /// The most samples one WAV file can hold: the RIFF size (data plus 36 header bytes) must
    /// fit in a `u32`. 2,147,483,629 samples, about 24.9 hours at 24 kHz.
    pub const MAX_SAMPLES: u64 = MAX_SAMPLES;

    /// Writes the header to `writer` (at its current position).
    pub fn new(mut writer: W) -> io::Result<Self> {
        let start = writer.stream_position()?;
        writer.write_all(&header(0))?;
        Ok(Pcm16WavWriter {
            writer,
            start,
            pending: None,
            samples: 0,
            header_current: true,
            #[cfg(test)]
            pretended: 0,
        })
    }

    /// Appends pcm16 bytes (16-bit little-endian samples); `bytes` may split a sample.
    ///
    /// The bytes are copied to the writer as they are (WAV samples are little-endian too), with
    /// no conversion sample by sample.
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
            self.writer.write_all(&[lo, hi])?;
            self.pending = None;
            self.counted(1);
            bytes = rest;
        }
        let whole = bytes.len() & !1;
        self.writer.write_all(&bytes[..whole])?;
        self.counted(whole as u64 / 2);
        self.pending = bytes.get(whole).copied();
        Ok(())
    }

    fn counted(&mut self, samples: u64) {
        if samples > 0 {
            self.samples += samples;
            self.header_current = false;
        }
    }

    /// The samples the file holds (all of them, except in tests that pretend).
    fn samples_in_file(&self) -> u64 {
        #[cfg(test)]
        return self.samples - self.pretended;
        #[cfg(not(test))]
        self.samples
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
        if !self.header_current {
            self.write_sizes()?;
        }
        self.writer.flush()
    }

    /// Puts the sizes for `samples` into the header and comes back to the end of the data.
    fn write_sizes(&mut self) -> io::Result<()> {
        // `fits` keeps 2 * samples + 36 within a u32.
        let data_len = u32::try_from(self.samples_in_file() * 2).map_err(io::Error::other)?;
        let riff_len = data_len + RIFF_OVERHEAD as u32;
        self.writer
            .seek(SeekFrom::Start(self.start + RIFF_SIZE_AT))?;
        self.writer.write_all(&riff_len.to_le_bytes())?;
        self.writer
            .seek(SeekFrom::Start(self.start + DATA_SIZE_AT))?;
        self.writer.write_all(&data_len.to_le_bytes())?;
        self.writer.seek(SeekFrom::Start(
            self.start + HEADER_LEN + u64::from(data_len),
        ))?;
        self.header_current = true;
        Ok(())
    }

    /// Fixes the header sizes and flushes; returns how many samples the file holds.
    ///
    /// If the audio ended in the middle of a sample, the file is still finalized (without that
    /// byte) and an [`io::ErrorKind::InvalidData`] error says so.
    pub fn finalize(mut self) -> io::Result<u64> {
        self.flush()?;
        if self.pending.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the pcm16 audio ended in the middle of a sample (1 byte left out)",
            ));
        }
        Ok(self.samples)
    }
}

/// A writer dropped without [`finalize`](Pcm16WavWriter::finalize) still updates the header
/// sizes, as far as it can (errors cannot be reported from `drop`; call `finalize` or `flush` to
/// see them).
impl<W: Write + Seek> Drop for Pcm16WavWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Whether `more` samples fit in a WAV file that holds `written` samples.
fn fits(written: u64, more: u64) -> bool {
    written.checked_add(more).is_some_and(|n| n <= MAX_SAMPLES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    type Writer<'a> = Pcm16WavWriter<&'a mut Cursor<Vec<u8>>>;

    impl<W: Write + Seek> Pcm16WavWriter<W> {
        /// Pretends the writer holds `samples` in all (the file only has what was really
        /// written): the size guard can be tested without writing 4 GiB.
        fn pretend_written(&mut self, samples: u64) {
            self.pretended += samples - self.samples;
            self.samples = samples;
        }
    }

    /// The format the writer promises, as hound names it.
    fn hound_spec() -> hound::WavSpec {
        hound::WavSpec {
            channels: 1,
            sample_rate: PCM16_SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        }
    }

    /// What hound writes for `samples`: the file everyone's WAV readers agree on.
    fn written_by_hound(samples: &[i16]) -> Vec<u8> {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cursor, hound_spec()).unwrap();
        for &s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        cursor.into_inner()
    }

    #[test]
    fn the_file_is_byte_for_byte_what_hound_writes() {
        for n in [0, 1, 2, 1001, 24_000] {
            let expected = samples(n);
            let mut cursor = Cursor::new(Vec::new());
            let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
            for piece in le(&expected).chunks(333) {
                w.write_pcm16(piece).unwrap();
            }
            assert_eq!(w.finalize().unwrap(), n as u64);
            assert_eq!(
                cursor.into_inner(),
                written_by_hound(&expected),
                "{n} samples"
            );
        }
    }

    #[test]
    fn a_header_after_other_bytes_is_patched_in_place() {
        let mut cursor = Cursor::new(b"prefix".to_vec());
        cursor.set_position(6);
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        w.write_pcm16(&le(&samples(10))).unwrap();
        w.flush().unwrap();
        w.write_pcm16(&le(&samples(5))).unwrap();
        w.finalize().unwrap();
        let bytes = cursor.into_inner();
        assert_eq!(&bytes[..6], b"prefix");
        let mut expected = samples(10);
        expected.extend(samples(5));
        assert_eq!(&bytes[6..], &written_by_hound(&expected)[..]);
    }

    #[test]
    fn dropping_without_finalize_still_fixes_the_header() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = Pcm16WavWriter::new(&mut cursor).unwrap();
        w.write_pcm16(&le(&samples(7))).unwrap();
        drop(w);
        assert_eq!(cursor.into_inner(), written_by_hound(&samples(7)));
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
        assert_eq!(reader.spec(), hound_spec());
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
        // And the header for pcm16 mono is 44 bytes: 8 (RIFF + size) + 36.
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
    fn past_the_wav_limit_a_piece_is_refused_whole() {
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
        // What reached the file is what was accepted: 3 + 2 samples.
        let reader = hound::WavReader::new(Cursor::new(cursor.into_inner())).unwrap();
        assert_eq!(reader.len(), 5);
        let got: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        let mut expected = samples(3);
        expected.extend([0x1234, 0x5678]);
        assert_eq!(got, expected);
    }
}
