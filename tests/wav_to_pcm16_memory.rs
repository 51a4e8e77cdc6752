//! What converting a large WAV to 24 kHz mono pcm16 costs in memory, counted by a global
//! allocator: an 8 MiB file (44.1 kHz stereo, 48 s) read a chunk at a time, as an iterator and
//! as a stream, never holds more than about half a MiB (the read buffer, the filter's table, a chunk's
//! samples), whatever the file's length.
//!
//! One test in this binary, so nothing else allocates while it measures.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/wav_files.rs"]
mod wav_files;

use std::io::Write;

use azure_openai_audio::{Pcm16Chunks, Pcm16Stream};
use futures_util::StreamExt;

use counting::{peak_above_start, Counting};
use wav_files::{chunk, encode, fmt_body, riff, Sample};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;
const RATE: u32 = 44_100;
/// 8 MiB of 44.1 kHz stereo 16-bit frames.
const FRAMES: usize = 2 * MIB;

/// Writes the WAV a second at a time: a 440 Hz tone on the left, 1 kHz on the right.
fn write_wav(path: &std::path::Path) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut header = riff(&[chunk(b"fmt ", &fmt_body(Sample::I16, RATE, 2, false))]);
    header[4..8].copy_from_slice(&(36 + 4 * FRAMES as u32).to_le_bytes());
    header.extend(b"data");
    header.extend((4 * FRAMES as u32).to_le_bytes());
    file.write_all(&header).unwrap();
    let mut second = Vec::new();
    for start in (0..FRAMES).step_by(RATE as usize) {
        second.clear();
        for i in start..(start + RATE as usize).min(FRAMES) {
            let t = i as f64 / f64::from(RATE);
            for freq in [440.0, 1000.0] {
                let x = 0.4 * (2.0 * std::f64::consts::PI * freq * t).sin();
                encode(Sample::I16, x, &mut second);
            }
        }
        file.write_all(&second).unwrap();
    }
    file.flush().unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_large_wav_converts_in_bounded_memory() {
    let path = std::env::temp_dir().join(format!("aoa-pcm16-memory-{}.wav", std::process::id()));
    write_wav(&path);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 44 + 8 * MIB as u64);
    let expected = (FRAMES as u64 * 24_000).div_ceil(u64::from(RATE)) * 2;

    let (bytes, peak) = peak_above_start(async {
        let mut bytes = 0u64;
        for chunk in Pcm16Chunks::open(&path).unwrap() {
            bytes += chunk.unwrap().len() as u64;
        }
        bytes
    })
    .await;
    eprintln!("8 MiB WAV to pcm16 as an iterator: {peak} bytes at the peak");
    assert_eq!(bytes, expected);
    assert!(peak < 768 * 1024, "converting held {peak} bytes at once");

    let (bytes, peak) = peak_above_start(async {
        let mut bytes = 0u64;
        let mut stream = Pcm16Stream::open(&path).await.unwrap();
        while let Some(chunk) = stream.next().await {
            bytes += chunk.unwrap().len() as u64;
        }
        bytes
    })
    .await;
    std::fs::remove_file(&path).unwrap();
    eprintln!("8 MiB WAV to pcm16 as a stream: {peak} bytes at the peak");
    assert_eq!(bytes, expected);
    assert!(peak < 768 * 1024, "converting held {peak} bytes at once");
}
