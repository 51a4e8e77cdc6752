//! Reading WAV files as they arrive: the header (RIFF or RF64 `WAVE`, its `fmt ` chunk, other
//! chunks skipped) and then the samples of the `data` chunk, mixed down to mono `f32`.
//!
//! The reader is pushed bytes in pieces of any size and keeps only what it must between them:
//! the header part being read (at most [`MAX_FMT_LEN`] bytes) and the start of a frame.

use std::fmt;

use crate::error::{Error, Result};

/// How each sample of a WAV file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WavSampleFormat {
    /// 8-bit unsigned integers (128 is silence).
    U8,
    /// 16-bit signed integers.
    I16,
    /// 24-bit signed integers.
    I24,
    /// 32-bit signed integers.
    I32,
    /// 32-bit IEEE floats (-1.0 to 1.0).
    F32,
    /// 64-bit IEEE floats (-1.0 to 1.0).
    F64,
}

impl WavSampleFormat {
    /// The bytes one sample takes.
    pub fn bytes(self) -> usize {
        match self {
            WavSampleFormat::U8 => 1,
            WavSampleFormat::I16 => 2,
            WavSampleFormat::I24 => 3,
            WavSampleFormat::I32 | WavSampleFormat::F32 => 4,
            WavSampleFormat::F64 => 8,
        }
    }
}

/// The audio format of a WAV file, as its `fmt ` chunk gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct WavFormat {
    /// Frames per second (each frame holds one sample per channel).
    pub sample_rate: u32,
    /// Channels, interleaved in each frame.
    pub channels: u16,
    /// How each sample is stored.
    pub sample_format: WavSampleFormat,
}

impl WavFormat {
    /// The bytes one frame takes (a sample of every channel).
    pub fn frame_len(&self) -> usize {
        usize::from(self.channels) * self.sample_format.bytes()
    }
}

/// The highest sample rate read: 384 kHz, the most that audio interfaces record.
pub const MAX_WAV_SAMPLE_RATE: u32 = 384_000;

/// The longest `fmt ` chunk read (a WAVE_FORMAT_EXTENSIBLE one takes 40 bytes).
pub(crate) const MAX_FMT_LEN: u32 = 1024;

const WAVE_FORMAT_PCM: u16 = 1;
const WAVE_FORMAT_IEEE_FLOAT: u16 = 3;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// The bytes every KSDATAFORMAT sub-format GUID ends with (after its first two, the format tag).
const KSDATAFORMAT_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// What the reader expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// `RIFF` (or `RF64`), its size and `WAVE`: 12 bytes.
    Riff,
    /// A chunk's id and size: 8 bytes.
    ChunkHeader,
    /// The body of the `fmt ` chunk, of this many bytes (with its padding byte).
    Fmt(usize),
    /// Bytes left of a chunk the reader does not use.
    Skip(u64),
    /// Bytes left of the data chunk; `None`: up to the end of the file.
    Data(Option<u64>),
    /// The data chunk is over; what follows is ignored.
    Done,
}

/// A WAV file read as it arrives (see the module docs).
pub(crate) struct WavReader {
    state: State,
    /// The header part being read.
    header: Vec<u8>,
    /// The bytes pushed so far, for messages.
    offset: u64,
    format: Option<WavFormat>,
    /// The start of a frame whose other bytes have not arrived yet.
    partial: Vec<u8>,
}

impl fmt::Debug for WavReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WavReader")
            .field("format", &self.format)
            .field("bytes_read", &self.offset)
            .finish()
    }
}

impl WavReader {
    pub(crate) fn new() -> Self {
        WavReader {
            state: State::Riff,
            header: Vec::new(),
            offset: 0,
            format: None,
            partial: Vec::new(),
        }
    }

    /// The format, once the `fmt ` chunk has been read.
    pub(crate) fn format(&self) -> Option<WavFormat> {
        self.format
    }

    /// Reads the next `bytes` of the file, appending the samples they complete to `mono` (the
    /// channels of each frame averaged, from -1.0 to 1.0).
    pub(crate) fn push(&mut self, mut bytes: &[u8], mono: &mut Vec<f32>) -> Result<()> {
        loop {
            match self.state {
                State::Riff => {
                    if !self.fill(&mut bytes, 12) {
                        return Ok(());
                    }
                    let magic = self.header.get(..4);
                    if !matches!(magic, Some(b"RIFF" | b"RF64"))
                        || self.header.get(8..12) != Some(b"WAVE")
                    {
                        let at = |r: std::ops::Range<usize>| {
                            self.header.get(r).unwrap_or_default().escape_ascii()
                        };
                        return Err(Error::invalid_input(format!(
                            "not a WAV file: it starts with \"{}\" and has \"{}\" at byte 8, \
                             not \"RIFF\" (or \"RF64\") and \"WAVE\"",
                            at(0..4),
                            at(8..12)
                        )));
                    }
                    self.next(State::ChunkHeader);
                }
                State::ChunkHeader => {
                    if !self.fill(&mut bytes, 8) {
                        return Ok(());
                    }
                    let size = u32_at(&self.header, 4).unwrap_or(0);
                    let state = match self.header.get(..4) {
                        Some(b"fmt ") if !(16..=MAX_FMT_LEN).contains(&size) => {
                            return Err(Error::invalid_input(format!(
                                "the WAV fmt chunk is {size} bytes long; it takes 16 to \
                                 {MAX_FMT_LEN}"
                            )))
                        }
                        Some(b"fmt ") => State::Fmt(size as usize + (size & 1) as usize),
                        Some(b"data") if self.format.is_none() => {
                            return Err(Error::invalid_input(
                                "the WAV data chunk comes before any fmt chunk",
                            ))
                        }
                        // Streamed WAVs (and RF64, which gives sizes in `ds64`) say 0 or ~0.
                        Some(b"data") if size == 0 || size == u32::MAX => State::Data(None),
                        Some(b"data") => State::Data(Some(u64::from(size))),
                        _ => State::Skip(u64::from(size) + u64::from(size & 1)),
                    };
                    self.next(state);
                }
                State::Fmt(len) => {
                    if !self.fill(&mut bytes, len) {
                        return Ok(());
                    }
                    self.format = Some(parse_fmt(&self.header)?);
                    self.next(State::ChunkHeader);
                }
                State::Skip(left) => {
                    let n = left.min(bytes.len() as u64);
                    bytes = bytes.get(n as usize..).unwrap_or_default();
                    self.offset += n;
                    if n < left {
                        self.state = State::Skip(left - n);
                        return Ok(());
                    }
                    self.state = State::ChunkHeader;
                }
                State::Data(left) => {
                    let n = left.map_or(bytes.len(), |l| l.min(bytes.len() as u64) as usize);
                    let data = bytes.get(..n).unwrap_or_default();
                    self.samples(data, mono);
                    self.offset += n as u64;
                    // All of `bytes` was data, or the data is over (and the rest is ignored).
                    self.state = match left {
                        Some(l) if l == n as u64 => State::Done,
                        Some(l) => State::Data(Some(l - n as u64)),
                        None => State::Data(None),
                    };
                    return Ok(());
                }
                State::Done => return Ok(()),
            }
        }
    }

    /// Says whether the file was a whole WAV up to its data: the end of a file is fine anywhere
    /// in the data chunk (a recording cut short converts as far as it goes; a last partial
    /// frame is left out), not before.
    pub(crate) fn finish(&self) -> Result<()> {
        if matches!(self.state, State::Data(_) | State::Done) {
            return Ok(());
        }
        let missing = if self.format.is_none() {
            "its fmt chunk"
        } else {
            "its data chunk"
        };
        Err(Error::invalid_input(format!(
            "the WAV header is truncated: the file ended after {} bytes, before {missing}",
            self.offset + self.header.len() as u64
        )))
    }

    /// Moves bytes into `header` until it holds `len`; true when it does.
    fn fill(&mut self, bytes: &mut &[u8], len: usize) -> bool {
        let take = len.saturating_sub(self.header.len()).min(bytes.len());
        let (head, rest) = bytes.split_at(take);
        self.header.extend_from_slice(head);
        *bytes = rest;
        self.header.len() == len
    }

    /// Done with the header part: on to `state`.
    fn next(&mut self, state: State) {
        self.offset += self.header.len() as u64;
        self.header.clear();
        self.state = state;
    }

    /// Mixes the frames `data` completes into `mono`.
    fn samples(&mut self, mut data: &[u8], mono: &mut Vec<f32>) {
        let Some(format) = self.format else { return };
        let frame = format.frame_len();
        if !self.partial.is_empty() {
            let take = (frame - self.partial.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.partial.extend_from_slice(head);
            data = rest;
            if self.partial.len() < frame {
                return;
            }
            mix(&self.partial, format, mono);
            self.partial.clear();
        }
        let whole = data.len() - data.len() % frame;
        let (frames, rest) = data.split_at(whole);
        mix(frames, format, mono);
        self.partial.extend_from_slice(rest);
    }
}

/// Reads the `fmt ` chunk's body.
fn parse_fmt(fmt: &[u8]) -> Result<WavFormat> {
    let field = |at| u16_at(fmt, at).unwrap_or(0);
    let mut tag = field(0);
    let channels = field(2);
    let sample_rate = u32_at(fmt, 4).unwrap_or(0);
    let block_align = field(12);
    let bits = field(14);
    if tag == WAVE_FORMAT_EXTENSIBLE {
        // cbSize (22), valid bits, channel mask, then the sub-format GUID.
        let guid = fmt.get(24..40).ok_or_else(|| {
            Error::invalid_input(format!(
                "the WAV fmt chunk is WAVE_FORMAT_EXTENSIBLE but {} bytes long, not 40",
                fmt.len()
            ))
        })?;
        if guid.get(2..) != Some(&KSDATAFORMAT_TAIL[..]) {
            return Err(Error::invalid_input(format!(
                "the WAV sub-format GUID {guid:02x?} is not a KSDATAFORMAT one (PCM or IEEE float)"
            )));
        }
        tag = u16_at(guid, 0).unwrap_or(0);
    }
    let sample_format = match (tag, bits) {
        (WAVE_FORMAT_PCM, 8) => WavSampleFormat::U8,
        (WAVE_FORMAT_PCM, 16) => WavSampleFormat::I16,
        (WAVE_FORMAT_PCM, 24) => WavSampleFormat::I24,
        (WAVE_FORMAT_PCM, 32) => WavSampleFormat::I32,
        (WAVE_FORMAT_IEEE_FLOAT, 32) => WavSampleFormat::F32,
        (WAVE_FORMAT_IEEE_FLOAT, 64) => WavSampleFormat::F64,
        (WAVE_FORMAT_PCM, _) => {
            return Err(Error::invalid_input(format!(
                "WAV PCM samples of {bits} bits are not supported (8, 16, 24 or 32)"
            )))
        }
        (WAVE_FORMAT_IEEE_FLOAT, _) => {
            return Err(Error::invalid_input(format!(
                "WAV float samples of {bits} bits are not supported (32 or 64)"
            )))
        }
        _ => {
            return Err(Error::invalid_input(format!(
                "the WAV format tag {tag:#06x} is not supported (PCM 0x0001, IEEE float 0x0003, \
                 or WAVE_FORMAT_EXTENSIBLE of those)"
            )))
        }
    };
    if channels == 0 {
        return Err(Error::invalid_input("the WAV file has 0 channels"));
    }
    if sample_rate == 0 || sample_rate > MAX_WAV_SAMPLE_RATE {
        return Err(Error::invalid_input(format!(
            "the WAV sample rate {sample_rate} Hz is not supported (1 to {MAX_WAV_SAMPLE_RATE})"
        )));
    }
    let format = WavFormat {
        sample_rate,
        channels,
        sample_format,
    };
    if usize::from(block_align) != format.frame_len() {
        return Err(Error::invalid_input(format!(
            "the WAV block align is {block_align} bytes, not the {} of {channels} channels of \
             {bits} bits",
            format.frame_len()
        )));
    }
    Ok(format)
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// Averages the channels of each whole frame in `frames` into `mono`.
fn mix(frames: &[u8], format: WavFormat, mono: &mut Vec<f32>) {
    let channels = usize::from(format.channels);
    match format.sample_format {
        WavSampleFormat::U8 => mix_as(
            frames,
            channels,
            |[b]: [u8; 1]| (f32::from(b) - 128.0) / 128.0,
            mono,
        ),
        WavSampleFormat::I16 => mix_as(
            frames,
            channels,
            |b| f32::from(i16::from_le_bytes(b)) / 32_768.0,
            mono,
        ),
        WavSampleFormat::I24 => mix_as(
            frames,
            channels,
            |[a, b, c]: [u8; 3]| (i32::from_le_bytes([0, a, b, c]) >> 8) as f32 / 8_388_608.0,
            mono,
        ),
        WavSampleFormat::I32 => mix_as(
            frames,
            channels,
            |b| i32::from_le_bytes(b) as f32 / 2_147_483_648.0,
            mono,
        ),
        WavSampleFormat::F32 => mix_as(frames, channels, f32::from_le_bytes, mono),
        WavSampleFormat::F64 => mix_as(frames, channels, |b| f64::from_le_bytes(b) as f32, mono),
    }
}

/// [`mix`] for samples of `N` bytes, each read by `sample`.
fn mix_as<const N: usize>(
    frames: &[u8],
    channels: usize,
    sample: impl Fn([u8; N]) -> f32,
    mono: &mut Vec<f32>,
) {
    let scale = 1.0 / channels as f32;
    let read = |s: &[u8]| s.try_into().map_or(0.0, &sample);
    if channels == 1 {
        mono.extend(frames.chunks_exact(N).map(read));
        return;
    }
    mono.extend(
        frames
            .chunks_exact(N * channels)
            .map(|frame| frame.chunks_exact(N).map(read).sum::<f32>() * scale),
    );
}
