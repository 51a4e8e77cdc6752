//! PLACEHOLDER until `Pcm16Stream` (src/audio/pcm16_converter.rs, the `resample` branch) is
//! merged: the pcm16 data of a WAV that is already 24 kHz mono 16-bit, as a reader positioned
//! on its samples. Any other WAV is refused, naming what it is. Once the converter is in, the
//! `realtime` example reads any WAV through `Pcm16Stream::open` and this file goes away.
#![allow(dead_code)] // only the realtime example uses it

use std::path::Path;

use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt, SeekFrom};

/// The pcm16 samples of `path`, a 24 kHz mono 16-bit PCM WAV, read as they are sent.
pub async fn open_pcm16(path: &Path) -> Result<tokio::io::Take<File>, String> {
    let shown = path.display();
    let mut file = File::open(path)
        .await
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let bad = |why: &str| format!("{shown} {why}");
    let mut riff = [0u8; 12];
    file.read_exact(&mut riff)
        .await
        .map_err(|_| bad("is not a WAV file"))?;
    if &riff[..4] != b"RIFF" || &riff[8..] != b"WAVE" {
        return Err(bad("is not a WAV file"));
    }
    let mut format = None;
    loop {
        let mut header = [0u8; 8];
        file.read_exact(&mut header)
            .await
            .map_err(|_| bad("has no data chunk"))?;
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        match &header[..4] {
            b"fmt " => {
                let mut fmt = vec![0u8; len as usize];
                file.read_exact(&mut fmt)
                    .await
                    .map_err(|_| bad("has a truncated fmt chunk"))?;
                if fmt.len() < 16 {
                    return Err(bad("has a truncated fmt chunk"));
                }
                let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
                let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
                format = Some((u16_at(0), u16_at(2), rate, u16_at(14)));
            }
            b"data" => {
                return match format {
                    Some((1, 1, 24_000, 16)) => Ok(file.take(u64::from(len))),
                    Some((tag, channels, rate, bits)) => Err(bad(&format!(
                        "is {rate} Hz, {channels} channel(s), {bits}-bit (format {tag}): \
                         this build reads only 24 kHz mono 16-bit PCM WAV"
                    ))),
                    None => Err(bad("has no fmt chunk before its data")),
                };
            }
            _ => {
                let skip = i64::from(len) + i64::from(len % 2);
                file.seek(SeekFrom::Current(skip))
                    .await
                    .map_err(|e| format!("cannot read {shown}: {e}"))?;
            }
        }
    }
}
