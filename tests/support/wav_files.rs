//! WAV files of every sample format, written by hand (so the tests control each header field),
//! and measures of the pcm16 that comes out of the converter: tones, Goertzel power, frequency by
//! zero crossings.

#![allow(dead_code)]

pub use azure_openai_audio::WavSampleFormat as Sample;

/// Every sample format the converter reads.
pub const ALL_SAMPLES: [Sample; 6] = [
    Sample::U8,
    Sample::I16,
    Sample::I24,
    Sample::I32,
    Sample::F32,
    Sample::F64,
];

pub fn bits(sample: Sample) -> u16 {
    sample.bytes() as u16 * 8
}

fn tag(sample: Sample) -> u16 {
    match sample {
        Sample::F32 | Sample::F64 => 3,
        _ => 1,
    }
}

/// `x` in -1.0..1.0 as `sample`'s bytes.
pub fn encode(sample: Sample, x: f64, out: &mut Vec<u8>) {
    let int = |full: f64| (x * full).round().clamp(-full, full - 1.0) as i64;
    match sample {
        Sample::U8 => out.push((int(128.0) + 128) as u8),
        Sample::I16 => out.extend((int(32768.0) as i16).to_le_bytes()),
        Sample::I24 => out.extend(&(int(8388608.0) as i32).to_le_bytes()[..3]),
        Sample::I32 => out.extend((int(2147483648.0) as i32).to_le_bytes()),
        Sample::F32 => out.extend((x as f32).to_le_bytes()),
        Sample::F64 => out.extend(x.to_le_bytes()),
        other => panic!("no encoder for {other:?}"),
    }
}

/// The `fmt ` chunk's body: 16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE.
pub fn fmt_body(sample: Sample, rate: u32, channels: u16, extensible: bool) -> Vec<u8> {
    let block = channels * bits(sample) / 8;
    let mut f = Vec::new();
    f.extend(if extensible { 0xFFFEu16 } else { tag(sample) }.to_le_bytes());
    f.extend(channels.to_le_bytes());
    f.extend(rate.to_le_bytes());
    f.extend((rate * u32::from(block)).to_le_bytes());
    f.extend(block.to_le_bytes());
    f.extend(bits(sample).to_le_bytes());
    if extensible {
        f.extend(22u16.to_le_bytes());
        f.extend(bits(sample).to_le_bytes()); // valid bits
        f.extend(0u32.to_le_bytes()); // channel mask
        f.extend(tag(sample).to_le_bytes());
        f.extend([
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
        ]);
    }
    f
}

/// A chunk: id, size, body and its padding byte.
pub fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend((body.len() as u32).to_le_bytes());
    c.extend(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// `RIFF` + size + `WAVE` + the chunks.
pub fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut w = b"RIFF".to_vec();
    w.extend((body.len() as u32 + 4).to_le_bytes());
    w.extend(b"WAVE");
    w.extend(body);
    w
}

/// The interleaved samples of `channels` (all the same length) in `sample` format.
pub fn data(sample: Sample, channels: &[Vec<f64>]) -> Vec<u8> {
    let mut d = Vec::new();
    for i in 0..channels[0].len() {
        for c in channels {
            encode(sample, c[i], &mut d);
        }
    }
    d
}

/// A whole WAV file.
pub fn wav(sample: Sample, rate: u32, channels: &[Vec<f64>], extensible: bool) -> Vec<u8> {
    let fmt = fmt_body(sample, rate, channels.len() as u16, extensible);
    riff(&[
        chunk(b"fmt ", &fmt),
        chunk(b"data", &data(sample, channels)),
    ])
}

/// `amplitude` × sin at `freq` Hz, `len` samples at `rate`.
pub fn tone(freq: f64, rate: u32, len: usize, amplitude: f64) -> Vec<f64> {
    (0..len)
        .map(|i| amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
        .collect()
}

/// pcm16 bytes as samples in -1.0..1.0.
pub fn pcm16(bytes: &[u8]) -> Vec<f64> {
    assert_eq!(bytes.len() % 2, 0, "pcm16 has whole samples");
    bytes
        .chunks_exact(2)
        .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

/// The root mean square.
pub fn rms(x: &[f64]) -> f64 {
    (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
}

/// The amplitude of the `freq` Hz component of `x` (sampled at `rate`), by the Goertzel
/// algorithm: a pure tone of amplitude A over whole periods gives A.
pub fn goertzel(x: &[f64], freq: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / rate;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / x.len() as f64
}

/// The frequency of a tone, from its rising zero crossings (interpolated between samples).
pub fn zero_crossing_frequency(x: &[f64], rate: f64) -> f64 {
    let crossings: Vec<f64> = x
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, w)| i as f64 + w[0] / (w[0] - w[1]))
        .collect();
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f64 * rate / (last - first)
}
