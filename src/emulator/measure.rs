//! Measuring input audio: WAV through `hound`, MP3 by walking its frame headers.

use std::io::Cursor;

/// What the emulator measured in a piece of input audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Measured {
    /// `wav` or `mp3`.
    pub(crate) format: &'static str,
    /// Duration in seconds.
    pub(crate) seconds: f64,
    /// Samples per second.
    pub(crate) sample_rate: u32,
    /// Channels.
    pub(crate) channels: u16,
}

/// Measures `data` declared as `format` (`wav` or `mp3`); `Err` says why it cannot be decoded.
pub(crate) fn measure(format: &str, data: &[u8]) -> Result<Measured, String> {
    match format {
        "wav" => wav(data),
        "mp3" => mp3(data),
        other => Err(format!("unsupported input format {other}")),
    }
}

fn wav(data: &[u8]) -> Result<Measured, String> {
    let reader = hound::WavReader::new(Cursor::new(data)).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    if spec.sample_rate == 0 || spec.channels == 0 {
        return Err("the WAV header declares no samples per second or no channels".to_owned());
    }
    let declared = u64::from(reader.duration());
    // The data chunk may claim more than was sent: count the frames that are there.
    let data_start = reader.into_inner().position();
    let bytes_per_frame = u64::from(spec.channels) * u64::from(spec.bits_per_sample).div_ceil(8);
    let present = (data.len() as u64).saturating_sub(data_start) / bytes_per_frame.max(1);
    let frames = declared.min(present);
    Ok(Measured {
        format: "wav",
        seconds: frames as f64 / f64::from(spec.sample_rate),
        sample_rate: spec.sample_rate,
        channels: spec.channels,
    })
}

/// One MPEG audio frame header.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    len: usize,
    samples: u32,
    sample_rate: u32,
    channels: u16,
}

/// Parses the 4-byte MPEG audio frame header at the start of `b`.
fn frame(b: &[u8]) -> Option<Frame> {
    const RATES: [[u32; 3]; 4] = [
        [11_025, 12_000, 8_000],  // MPEG 2.5
        [0, 0, 0],                // reserved
        [22_050, 24_000, 16_000], // MPEG 2
        [44_100, 48_000, 32_000], // MPEG 1
    ];
    // kbit/s by [MPEG 1?][layer I, II, III][index].
    const KBPS: [[[u16; 15]; 3]; 2] = [
        [
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
            ],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ],
        [
            [
                0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
            ],
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
            ],
            [
                0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
            ],
        ],
    ];
    let &[b0, b1, b2, b3, ..] = b else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = usize::from((b1 >> 3) & 0b11);
    let layer = match (b1 >> 1) & 0b11 {
        0b11 => 1,
        0b10 => 2,
        0b01 => 3,
        _ => return None,
    };
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    if version == 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None; // reserved version, free-format or bad bitrate, reserved rate
    }
    let mpeg1 = version == 3;
    let bitrate = u32::from(KBPS[usize::from(mpeg1)][layer - 1][bitrate_index]) * 1000;
    let sample_rate = RATES[version][rate_index];
    let padding = u32::from((b2 >> 1) & 1);
    let samples = match (layer, mpeg1) {
        (1, _) => 384,
        (2, _) | (3, true) => 1152,
        _ => 576,
    };
    let len = if layer == 1 {
        (12 * bitrate / sample_rate + padding) * 4
    } else {
        samples / 8 * bitrate / sample_rate + padding
    };
    Some(Frame {
        len: len as usize,
        samples,
        sample_rate,
        channels: if b3 >> 6 == 0b11 { 1 } else { 2 },
    })
}

fn mp3(data: &[u8]) -> Result<Measured, String> {
    let mut pos = 0;
    // An ID3v2 tag: "ID3", version (2), flags (1), syncsafe size (4), then an optional footer.
    if let [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..] = *data {
        let size = [s0, s1, s2, s3]
            .iter()
            .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7F));
        pos = 10 + size + if flags & 0x10 != 0 { 10 } else { 0 };
    }
    // The first frame: a header whose successor is a header too (or the end of the data).
    const SCAN: usize = 64 * 1024;
    let end = data.len().min(pos.saturating_add(SCAN));
    let first = (pos..end).find(|&i| {
        frame(&data[i..]).is_some_and(|f| {
            let next = i + f.len;
            next >= data.len() || frame(&data[next..]).is_some()
        })
    });
    let Some(mut pos) = first else {
        return Err("no MPEG audio frame found".to_owned());
    };
    let Some(head) = frame(&data[pos..]) else {
        return Err("no MPEG audio frame found".to_owned());
    };
    let mut samples = 0u64;
    while let Some(f) = data.get(pos..).and_then(frame) {
        samples += u64::from(f.samples);
        pos += f.len.max(1);
    }
    Ok(Measured {
        format: "mp3",
        seconds: samples as f64 / f64::from(head.sample_rate),
        sample_rate: head.sample_rate,
        channels: head.channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav_bytes(rate: u32, channels: u16, frames: u32) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for i in 0..frames * u32::from(channels) {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        out.into_inner()
    }

    #[test]
    fn measures_wav() {
        let m = measure("wav", &wav_bytes(16_000, 2, 8_000)).unwrap();
        assert_eq!((m.sample_rate, m.channels), (16_000, 2));
        assert!((m.seconds - 0.5).abs() < 1e-9, "{m:?}");
        // A data chunk cut short counts what is there.
        let mut cut = wav_bytes(8_000, 1, 8_000);
        cut.truncate(cut.len() - 8_000);
        assert!((measure("wav", &cut).unwrap().seconds - 0.5).abs() < 1e-9);
        assert!(measure("wav", b"RIFF\0\0\0\0WAVEjunk").is_err());
    }

    #[test]
    fn measures_mp3_frames() {
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 417-byte frames.
        let header = [0xFF, 0xFB, 0x90, 0x44];
        let f = frame(&header).unwrap();
        assert_eq!(
            (f.len, f.samples, f.sample_rate, f.channels),
            (417, 1152, 44_100, 2)
        );
        let mut data = b"ID3\x04\x00\x00\x00\x00\x00\x05hello".to_vec();
        for _ in 0..100 {
            let mut fr = vec![0u8; 417];
            fr[..4].copy_from_slice(&header);
            data.extend(fr);
        }
        let m = measure("mp3", &data).unwrap();
        assert_eq!((m.sample_rate, m.channels), (44_100, 2));
        assert!((m.seconds - 100.0 * 1152.0 / 44_100.0).abs() < 1e-9);
        // The recorded input starts FF F3 E4 C4: MPEG-2 layer III, 24 kHz, mono.
        let f = frame(&[0xFF, 0xF3, 0xE4, 0xC4]).unwrap();
        assert_eq!((f.sample_rate, f.channels, f.samples), (24_000, 1, 576));
        assert!(measure("mp3", b"not an mp3 at all").is_err());
        assert!(measure("flac", b"fLaC").is_err());
    }
}
