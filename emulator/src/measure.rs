//! Measuring input audio: WAV through `hound`, MP3 by walking its frame headers, FLAC from its
//! STREAMINFO block; and telling the containers the service takes apart by their first bytes.

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

/// Measures `data` declared as `format` (`wav`, `mp3` or `flac`); `Err` says why it cannot be
/// decoded.
pub(crate) fn measure(format: &str, data: &[u8]) -> Result<Measured, String> {
    match format {
        "wav" => wav(data),
        "mp3" => mp3(data),
        "flac" => flac(data),
        other => Err(format!("unsupported input format {other}")),
    }
}

/// The container `data` holds, told from its first bytes: `wav`, `flac`, `ogg`, `webm`, `mp4`
/// (m4a too) or `mp3` (MPEG audio frames, as [`measure`] checks them), or `None`.
pub(crate) fn sniff(data: &[u8]) -> Option<&'static str> {
    match data {
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'A', b'V', b'E', ..] => Some("wav"),
        [b'f', b'L', b'a', b'C', ..] => Some("flac"),
        [b'O', b'g', b'g', b'S', ..] => Some("ogg"),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => Some("webm"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("mp4"),
        _ if mp3(data).is_ok() => Some("mp3"),
        _ => None,
    }
}

/// A FLAC file's STREAMINFO block, which must come first: sample rate, channels, total samples.
fn flac(data: &[u8]) -> Result<Measured, String> {
    let Some(
        &[b'f', b'L', b'a', b'C', kind, _, _, _, _, _, _, _, _, _, _, _, _, _, r0, r1, r2, t0, t1, t2, t3, t4, ..],
    ) = data.get(..26)
    else {
        return Err("not a FLAC file with its STREAMINFO block".to_owned());
    };
    if kind & 0x7F != 0 {
        return Err("the FLAC file does not start with its STREAMINFO block".to_owned());
    }
    let sample_rate = u32::from(r0) << 12 | u32::from(r1) << 4 | u32::from(r2) >> 4;
    let channels = u16::from((r2 >> 1) & 7) + 1;
    let total = u64::from(t0 & 0x0F) << 32 | u64::from(u32::from_be_bytes([t1, t2, t3, t4]));
    if sample_rate == 0 {
        return Err("the FLAC STREAMINFO declares no sample rate".to_owned());
    }
    Ok(Measured {
        format: "flac",
        seconds: total as f64 / f64::from(sample_rate),
        sample_rate,
        channels,
    })
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
    /// The version bits: MPEG 1, 2 or 2.5.
    version: u8,
    /// 1, 2 or 3.
    layer: u8,
    len: usize,
    samples: u32,
    sample_rate: u32,
    channels: u16,
}

impl Frame {
    /// Whether `next` can follow this frame in one stream: version, layer and sample rate do
    /// not change within an MP3 (the bitrate may, and the channel mode).
    fn continued_by(&self, next: &Frame) -> bool {
        (self.version, self.layer, self.sample_rate) == (next.version, next.layer, next.sample_rate)
    }
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
    let version = (b1 >> 3) & 0b11;
    let layer: u8 = match (b1 >> 1) & 0b11 {
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
    let bitrate = u32::from(KBPS[usize::from(mpeg1)][usize::from(layer - 1)][bitrate_index]) * 1000;
    let sample_rate = RATES[usize::from(version)][rate_index];
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
        version,
        layer,
        len: len as usize,
        samples,
        sample_rate,
        channels: if b3 >> 6 == 0b11 { 1 } else { 2 },
    })
}

/// How many frames in a row, from the start, make data an MP3: data that looks like a frame
/// header by chance (1 in a few thousand places of random bytes) almost never has another one
/// exactly where the first one ends, and a third after it. Shorter data must be frames to its
/// end (the last one may be cut short).
const MIN_FRAMES: usize = 3;

/// Where the audio starts: after an ID3v2 tag ("ID3", version (2), flags (1), syncsafe size
/// (4), the tag, then a 10-byte footer when flagged), or at 0.
fn audio_start(data: &[u8]) -> Result<usize, String> {
    let [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..] = *data else {
        return Ok(0);
    };
    let size = [s0, s1, s2, s3];
    if size.iter().any(|b| b & 0x80 != 0) {
        return Err("the ID3v2 tag's size is not syncsafe".to_owned());
    }
    let size = size
        .iter()
        .fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let start = 10 + size + if flags & 0x10 != 0 { 10 } else { 0 };
    if start >= data.len() {
        return Err("the ID3v2 tag takes up all the data".to_owned());
    }
    Ok(start)
}

/// An MP3: frames from the start of the data (or right after an ID3v2 tag), at least
/// [`MIN_FRAMES`] of them in a row, or all the data; what follows them (an ID3v1 tag, say) is
/// ignored.
fn mp3(data: &[u8]) -> Result<Measured, String> {
    let start = audio_start(data)?;
    let Some(head) = data.get(start..).and_then(frame) else {
        return Err("the data does not start with an MPEG audio frame".to_owned());
    };
    let (mut pos, mut frames, mut samples) = (start, 0usize, 0u64);
    while let Some(f) = data
        .get(pos..)
        .and_then(frame)
        .filter(|f| head.continued_by(f))
    {
        frames += 1;
        samples += u64::from(f.samples);
        pos = pos.saturating_add(f.len.max(1));
    }
    if frames < MIN_FRAMES && pos < data.len() {
        return Err(format!(
            "{frames} MPEG audio frame(s), then data that is not one: not an MP3"
        ));
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
    fn measures_flac_and_tells_containers_apart() {
        // STREAMINFO: 44.1 kHz, stereo, 16-bit, 88,200 samples (2 s).
        let mut flac = b"fLaC\x80\x00\x00\x22".to_vec();
        flac.extend([0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0]);
        flac.extend([0x0A, 0xC4, 0x42, 0xF0, 0x00, 0x01, 0x58, 0x88]);
        flac.extend([0; 16]);
        let m = measure("flac", &flac).unwrap();
        assert_eq!((m.sample_rate, m.channels, m.seconds), (44_100, 2, 2.0));
        assert!(measure("flac", b"fLaC").is_err());
        assert_eq!(sniff(&flac), Some("flac"));
        assert_eq!(sniff(&wav_bytes(8_000, 1, 10)), Some("wav"));
        assert_eq!(sniff(b"OggS\0\x02rest"), Some("ogg"));
        assert_eq!(sniff(b"\x1a\x45\xdf\xa3webm"), Some("webm"));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A "), Some("mp4"));
        assert_eq!(sniff(&frames(3)), Some("mp3"));
        assert_eq!(sniff(b"just some text, not audio"), None);
        assert_eq!(sniff(b""), None);
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

    /// MPEG-1 layer III frames, 128 kbit/s, 44.1 kHz (417 bytes each).
    fn frames(n: usize) -> Vec<u8> {
        let mut data = Vec::new();
        for _ in 0..n {
            let mut fr = vec![0u8; 417];
            fr[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x44]);
            data.extend(fr);
        }
        data
    }

    /// Deterministic noise (splitmix64).
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut z = seed;
        (0..len)
            .map(|_| {
                z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut x = z;
                x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (x ^ (x >> 31)) as u8
            })
            .collect()
    }

    #[test]
    fn mp3_frames_must_start_the_data_and_follow_each_other() {
        // Whole frames to the end, however few; or at least three, then anything.
        assert!(measure("mp3", &frames(1)).is_ok());
        assert!(measure("mp3", &frames(2)).is_ok());
        let mut tagged = frames(3);
        tagged.extend(b"TAG an ID3v1 tag at the end");
        assert_eq!(
            measure("mp3", &tagged).unwrap().seconds,
            3.0 * 1152.0 / 44_100.0
        );
        // A first frame cut short (the recorded input is 192 bytes of a 480-byte frame).
        assert!(measure("mp3", &frames(1)[..192]).is_ok());
        // Two frames, then something else: not enough to tell it from chance.
        let mut two = frames(2);
        two.extend(b"garbage after two frames");
        assert!(measure("mp3", &two).is_err());
        // Frames anywhere but at the start (or after an ID3v2 tag) do not count.
        let mut late = b"junk".to_vec();
        late.extend(frames(100));
        assert!(measure("mp3", &late).is_err());
        let mut id3 = b"ID3\x04\x00\x00\x00\x00\x00\x05hello".to_vec();
        id3.extend(b"junk");
        id3.extend(frames(100));
        assert!(measure("mp3", &id3).is_err());
        // A tag that claims more than there is, or a size that is not syncsafe.
        let mut long = b"ID3\x04\x00\x00\x00\x00\x7f\x7f".to_vec();
        long.extend(frames(3));
        assert!(measure("mp3", &long).is_err());
        let mut unsafe_size = b"ID3\x04\x00\x00\x00\x00\x00\x85hello".to_vec();
        unsafe_size.extend(frames(3));
        assert!(measure("mp3", &unsafe_size).is_err());
        // The sample rate cannot change between frames.
        let mut mixed = frames(1);
        mixed.extend([0xFF, 0xFB, 0x94, 0x44]); // 48 kHz
        mixed.extend(vec![0u8; 380]);
        mixed.extend(b"more");
        assert!(measure("mp3", &mixed).is_err());
    }

    #[test]
    fn random_bytes_and_wavs_are_not_mp3() {
        for seed in 0..200 {
            let len = 1000 + (seed as usize * 997) % 70_000;
            let data = noise(seed, len);
            assert!(measure("mp3", &data).is_err(), "seed {seed}, {len} bytes");
            // The same noise right after a valid ID3v2 tag.
            let mut tagged = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
            tagged.extend(&data);
            assert!(measure("mp3", &tagged).is_err(), "seed {seed}, tagged");
        }
        // Noisy WAVs: 16-bit samples that are random bytes, so 0xFF 0xFx pairs abound.
        for seed in 0..60 {
            let samples = noise(seed, 40_000);
            let spec = hound::WavSpec {
                channels: 1 + (seed % 2) as u16,
                sample_rate: 16_000,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            let mut out = Cursor::new(Vec::new());
            let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
            for pair in samples.chunks_exact(2) {
                w.write_sample(i16::from_le_bytes([pair[0], pair[1]]))
                    .unwrap();
            }
            w.finalize().unwrap();
            let wav = out.into_inner();
            assert!(measure("wav", &wav).is_ok());
            assert!(measure("mp3", &wav).is_err(), "seed {seed}");
        }
    }
}
