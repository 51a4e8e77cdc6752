//! WAV of any common format, rate and channel count to 24 kHz mono pcm16 (the Realtime API's
//! input): bit-exact pass-through, tones that keep their frequency and duration, anti-aliasing,
//! downmixing, every sample format, headers split anywhere, and typed errors for bad headers
//! (never a panic, whatever the bytes).

#[path = "support/rng.rs"]
mod rng;
#[path = "support/wav_files.rs"]
mod wav_files;

use std::io::Cursor;

use azure_openai_audio::{ErrorKind, Pcm16Chunks, Pcm16Converter, Pcm16Stream};
use futures_util::StreamExt;
use rng::Rng;
use wav_files::*;

const OUT_RATE: f64 = 24_000.0;

fn convert(wav: &[u8]) -> Vec<u8> {
    Pcm16Converter::convert(wav).unwrap()
}

fn error(wav: &[u8]) -> String {
    let err = Pcm16Converter::convert(wav).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    err.to_string()
}

#[test]
fn twenty_four_khz_mono_pcm16_passes_through_bit_exact() {
    // Every value once, extremes included, written by hound (the crate everyone uses).
    let samples: Vec<i16> = (i16::MIN..=i16::MAX).chain([0, -1, 1]).collect();
    let mut file = Cursor::new(Vec::new());
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 24_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(&mut file, spec).unwrap();
    samples.iter().for_each(|&s| w.write_sample(s).unwrap());
    w.finalize().unwrap();
    let expected: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    assert_eq!(convert(file.get_ref()), expected);
    // Chunk by chunk too.
    let chunks: Vec<Vec<u8>> = Pcm16Chunks::new(Cursor::new(file.into_inner()))
        .map(Result::unwrap)
        .collect();
    assert!(chunks.len() > 1 && chunks.iter().all(|c| !c.is_empty()));
    assert_eq!(chunks.concat(), expected);
}

#[test]
fn a_1_khz_tone_comes_out_at_1_khz_for_every_rate_and_length() {
    // 11,025 Hz has 320 phases: more than tabulated, so its phases are interpolated.
    for rate in [8_000, 11_025, 16_000, 22_050, 44_100, 48_000] {
        for channels in [1, 2] {
            // 1.3 s, so the length is not a whole number of anything.
            let len = rate as usize * 13 / 10;
            let t = tone(1000.0, rate, len, 0.5);
            let file = wav(Sample::I16, rate, &vec![t; channels], false);
            let out = pcm16(&convert(&file));
            let what = format!("{rate} Hz, {channels} channel(s)");
            // The duration is kept: 1.3 s at 24 kHz, rounded up.
            let expected_len = (len as f64 * OUT_RATE / f64::from(rate)).ceil() as usize;
            assert_eq!(out.len(), expected_len, "{what}");
            assert!((out.len() as f64 - 31_200.0).abs() <= 1.0, "{what}");
            // Away from the edges: 1 kHz, the same amplitude, and nothing else.
            let middle = &out[2_400..out.len() - 2_400];
            let freq = zero_crossing_frequency(middle, OUT_RATE);
            assert!((freq - 1000.0).abs() < 0.05, "{what}: {freq} Hz");
            let at_1k = goertzel(middle, 1000.0, OUT_RATE);
            assert!((at_1k - 0.5).abs() < 0.005, "{what}: amplitude {at_1k}");
            let residual: Vec<f64> = middle
                .iter()
                .zip(tone(1000.0, 24_000, out.len(), 0.5).into_iter().skip(2_400))
                .map(|(y, x)| y - x)
                .collect();
            let snr = 20.0 * (0.5 / 2f64.sqrt() / rms(&residual)).log10();
            eprintln!("{what}: {freq:.4} Hz, amplitude {at_1k:.5}, {snr:.1} dB signal to error");
            assert!(snr > 60.0, "{what}: {snr} dB");
        }
    }
}

#[test]
fn tones_above_12_khz_are_removed_when_downsampling() {
    for (rate, freq) in [
        (48_000, 13_000.0),
        (48_000, 15_000.0),
        (44_100, 12_500.0),
        (96_000, 20_000.0),
    ] {
        let t = tone(freq, rate, rate as usize, 0.5);
        let out = pcm16(&convert(&wav(Sample::F32, rate, &[t], false)));
        let middle = &out[1_200..out.len() - 1_200];
        let attenuation = 20.0 * (0.5 / 2f64.sqrt() / rms(middle)).log10();
        if attenuation.is_infinite() {
            eprintln!("{freq} Hz at {rate} Hz: silent (every sample under half a pcm16 step)");
        } else {
            eprintln!("{freq} Hz at {rate} Hz: attenuated by {attenuation:.1} dB");
        }
        assert!(
            attenuation >= 40.0,
            "{freq} Hz at {rate} Hz: {attenuation} dB"
        );
    }
    // While a tone well inside the band keeps its level (within 0.1 dB).
    let t = tone(8_000.0, 48_000, 48_000, 0.5);
    let out = pcm16(&convert(&wav(Sample::F32, 48_000, &[t], false)));
    let level = goertzel(&out[1_200..out.len() - 1_200], 8_000.0, OUT_RATE);
    assert!((20.0 * (level / 0.5).log10()).abs() < 0.1, "8 kHz: {level}");
}

#[test]
fn opposite_channels_downmix_to_silence() {
    for rate in [24_000, 44_100, 8_000] {
        let left = tone(440.0, rate, rate as usize / 2, 0.9);
        let right: Vec<f64> = left.iter().map(|x| -x).collect();
        let out = convert(&wav(Sample::I16, rate, &[left, right], false));
        assert_eq!(out.len(), 24_000, "{rate} Hz");
        assert!(out.iter().all(|&b| b == 0), "{rate} Hz: not silent");
    }
}

#[test]
fn every_sample_format_reads_to_the_same_signal() {
    let left = tone(440.0, 48_000, 9_600, 0.7);
    let right = tone(1_300.0, 48_000, 9_600, 0.2);
    let reference = pcm16(&convert(&wav(
        Sample::F64,
        48_000,
        &[left.clone(), right.clone()],
        false,
    )));
    for sample in ALL_SAMPLES {
        for extensible in [false, true] {
            let file = wav(sample, 48_000, &[left.clone(), right.clone()], extensible);
            let mut converter = Pcm16Converter::new();
            let mut out = Vec::new();
            converter.push(&file, &mut out).unwrap();
            converter.finish(&mut out).unwrap();
            let format = converter.format().unwrap();
            assert_eq!((format.sample_rate, format.channels), (48_000, 2));
            assert_eq!(format.sample_format.bytes(), usize::from(bits(sample) / 8));
            let out = pcm16(&out);
            assert_eq!(out.len(), reference.len());
            // Within the format's own precision (u8 has 1/128 steps), else within a pcm16 step.
            let tolerance = if sample == Sample::U8 {
                0.01
            } else {
                1.5 / 32768.0
            };
            let worst = out
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                worst <= tolerance,
                "{sample:?} (extensible {extensible}): off by {worst}"
            );
        }
    }
    // And files hound writes read the same.
    for (bits, format) in [
        (24, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Float),
    ] {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: bits,
            sample_format: format,
        };
        let mut file = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut file, spec).unwrap();
        for (l, r) in left.iter().zip(&right) {
            for x in [l, r] {
                match format {
                    hound::SampleFormat::Int => w.write_sample((x * 8388608.0).round() as i32),
                    hound::SampleFormat::Float => w.write_sample(*x as f32),
                }
                .unwrap();
            }
        }
        w.finalize().unwrap();
        let out = pcm16(&convert(file.get_ref()));
        let worst = out
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1.5 / 32768.0, "hound {bits}-bit: off by {worst}");
    }
}

/// A WAV with chunks to skip (odd sizes, padded) around its fmt chunk and after its data.
fn wav_with_other_chunks(data_size: Option<u32>) -> (Vec<u8>, Vec<u8>) {
    let t = tone(1000.0, 16_000, 1_601, 0.3);
    let samples = data(Sample::I16, &[t]);
    let mut data_chunk = chunk(b"data", &samples);
    if let Some(size) = data_size {
        data_chunk[4..8].copy_from_slice(&size.to_le_bytes());
    }
    let mut with = vec![
        chunk(b"JUNK", &[7; 27]),
        chunk(b"fmt ", &fmt_body(Sample::I16, 16_000, 1, false)),
        chunk(b"LIST", b"INFOISFT\x05\x00\x00\x00Lavf\x00"),
        data_chunk,
    ];
    if data_size.is_none() {
        with.push(chunk(b"id3 ", &[0xFF; 33])); // after the data: ignored
    }
    let plain = riff(&[
        chunk(b"fmt ", &fmt_body(Sample::I16, 16_000, 1, false)),
        chunk(b"data", &samples),
    ]);
    (riff(&with), plain)
}

#[test]
fn other_chunks_are_skipped_and_streamed_sizes_read_to_the_end() {
    let (with, plain) = wav_with_other_chunks(None);
    let expected = convert(&plain);
    assert_eq!(expected.len(), 2 * 2_402);
    assert_eq!(convert(&with), expected);
    for streamed in [0, u32::MAX] {
        let (file, _) = wav_with_other_chunks(Some(streamed));
        assert_eq!(convert(&file), expected, "data size {streamed:#x}");
    }
    // RF64 (sizes in its ds64 chunk, 0xFFFFFFFF in the others).
    let (mut rf64, _) = wav_with_other_chunks(Some(u32::MAX));
    rf64[..4].copy_from_slice(b"RF64");
    assert_eq!(convert(&rf64), expected);
    // A data chunk cut short converts what is there.
    // 1601 samples less 400.5: 1200 whole ones (the half sample is left out), 1800 at 24 kHz.
    let cut = &plain[..plain.len() - 801];
    assert_eq!(pcm16(&convert(cut)).len(), 1_800);
}

#[test]
fn the_file_may_arrive_in_pieces_of_any_size() {
    let (file, _) = wav_with_other_chunks(None);
    let whole = convert(&file);
    for piece in [1, 2, 3, 7, 44, 4096] {
        let mut converter = Pcm16Converter::new();
        let mut out = Vec::new();
        for p in file.chunks(piece) {
            converter.push(p, &mut out).unwrap();
        }
        converter.finish(&mut out).unwrap();
        assert_eq!(out, whole, "pieces of {piece}");
    }
}

#[test]
fn bad_headers_are_typed_errors_naming_the_value() {
    let t = vec![tone(1000.0, 16_000, 100, 0.3)];
    let with_fmt = |fmt: Vec<u8>| riff(&[chunk(b"fmt ", &fmt), chunk(b"data", &[0; 200])]);
    let mut fmt = fmt_body(Sample::I16, 16_000, 1, false);
    fmt[0..2].copy_from_slice(&0x55u16.to_le_bytes()); // MPEG Layer 3
    assert!(error(&with_fmt(fmt)).contains("format tag 0x0055"));
    let mut fmt = fmt_body(Sample::I16, 16_000, 1, false);
    fmt[14..16].copy_from_slice(&12u16.to_le_bytes());
    assert!(error(&with_fmt(fmt)).contains("PCM samples of 12 bits"));
    let mut fmt = fmt_body(Sample::F32, 16_000, 1, false);
    fmt[14..16].copy_from_slice(&16u16.to_le_bytes());
    assert!(error(&with_fmt(fmt)).contains("float samples of 16 bits"));
    let mut fmt = fmt_body(Sample::I16, 16_000, 1, false);
    fmt[2..4].copy_from_slice(&0u16.to_le_bytes());
    assert!(error(&with_fmt(fmt)).contains("0 channels"));
    for rate in [0, 768_000] {
        let message = error(&with_fmt(fmt_body(Sample::I16, rate, 1, false)));
        assert!(
            message.contains(&format!("sample rate {rate} Hz")),
            "{message}"
        );
    }
    let mut fmt = fmt_body(Sample::I16, 16_000, 2, false);
    fmt[12..14].copy_from_slice(&6u16.to_le_bytes());
    assert!(error(&with_fmt(fmt)).contains("block align is 6 bytes, not the 4"));
    let mut fmt = fmt_body(Sample::I16, 16_000, 1, true);
    fmt[30] = 0x11;
    assert!(error(&with_fmt(fmt)).contains("sub-format GUID"));
    let fmt = fmt_body(Sample::I16, 16_000, 1, true);
    assert!(error(&with_fmt(fmt[..24].to_vec())).contains("EXTENSIBLE but 24 bytes long"));
    assert!(error(&with_fmt(vec![1, 0, 1, 0, 0x80, 0x3E, 0, 0])).contains("fmt chunk is 8 bytes"));
    let data_first = riff(&[
        chunk(b"data", &[0; 4]),
        chunk(b"fmt ", &fmt_body(Sample::I16, 16_000, 1, false)),
    ]);
    assert!(error(&data_first).contains("data chunk comes before any fmt chunk"));
    assert!(error(b"ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00").contains("not a WAV file"));
    let mut rifx = wav(Sample::I16, 16_000, &t, false);
    rifx[3] = b'X';
    let message = error(&rifx);
    assert!(
        message.contains("starts with \"RIFX\" and has \"WAVE\""),
        "{message}"
    );
    // Truncated anywhere before the data: the length it had.
    let file = wav(Sample::I16, 16_000, &t, false);
    for len in 0..44 {
        let message = error(&file[..len]);
        assert!(message.contains("truncated"), "{len}: {message}");
        if len >= 12 {
            assert!(
                message.contains(&format!("ended after {len} bytes")),
                "{message}"
            );
        }
    }
    assert!(Pcm16Converter::convert(&file[..44]).unwrap().is_empty());
}

#[test]
fn no_bytes_make_it_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let good = wav(Sample::I24, 44_100, &[tone(500.0, 44_100, 300, 0.5)], true);
    let mut outcomes = [0usize; 2];
    for round in 0..4_000 {
        let mut file = good.clone();
        match round % 4 {
            // A header byte or a few replaced.
            0 | 1 => {
                for _ in 0..1 + round % 3 {
                    let at = rng.next() as usize % 80;
                    file[at] = rng.next() as u8;
                }
            }
            // Cut anywhere.
            2 => file.truncate(rng.next() as usize % file.len()),
            // Garbage after a valid start.
            _ => {
                let keep = rng.next() as usize % 20;
                file.truncate(keep);
                file.extend((0..rng.next() % 200).map(|_| rng.next() as u8));
            }
        }
        let mut converter = Pcm16Converter::new();
        let mut out = Vec::new();
        let split = rng.next() as usize % (file.len() + 1);
        let result = converter
            .push(&file[..split], &mut out)
            .and_then(|()| converter.push(&file[split..], &mut out))
            .and_then(|()| converter.finish(&mut out));
        match result {
            Ok(()) => outcomes[0] += 1,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
                outcomes[1] += 1;
            }
        }
        assert_eq!(out.len() % 2, 0);
    }
    eprintln!("converted {}, refused {}", outcomes[0], outcomes[1]);
    assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
}

#[tokio::test]
async fn files_convert_chunk_by_chunk_sync_and_async() {
    let left = tone(1000.0, 44_100, 300_000, 0.5);
    let file = wav(Sample::I16, 44_100, &[left.clone(), left], false);
    let expected = convert(&file);
    let path = std::env::temp_dir().join(format!("aoa-pcm16-{}.wav", std::process::id()));
    std::fs::write(&path, &file).unwrap();

    let chunks: Vec<Vec<u8>> = Pcm16Chunks::open(&path)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let through_a_reader: Vec<Vec<u8>> = Pcm16Stream::new(Cursor::new(file.clone()))
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(through_a_reader.concat(), expected);
    assert!(
        chunks.len() >= file.len() / (64 * 1024),
        "{} chunks",
        chunks.len()
    );
    assert!(chunks.iter().all(|c| !c.is_empty() && c.len() % 2 == 0));
    assert_eq!(chunks.concat(), expected);

    let mut stream = Pcm16Stream::open(&path).await.unwrap();
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next().await {
        streamed.extend(chunk.unwrap());
    }
    assert_eq!(stream.format().unwrap().sample_rate, 44_100);
    assert_eq!(streamed, expected);
    std::fs::remove_file(&path).unwrap();

    let err = Pcm16Chunks::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    // A bad header ends the chunks with its error.
    let mut bad = Pcm16Chunks::new(Cursor::new(b"RIFF\0\0\0\0WAVEfmt \x02\0\0\0".to_vec()));
    assert!(bad
        .next()
        .unwrap()
        .unwrap_err()
        .to_string()
        .contains("fmt chunk is 2 bytes"));
    assert!(bad.next().is_none());
}
