//! Shared pieces of the end-to-end benchmark: the jobs' fixed texts and the test audio, the
//! loopback servers.

/// The prompt every program sends beside the audio.
pub const PROMPT: &str = "Describe in detail the spoken audio input.";

/// A mono 16-bit 24 kHz WAV of `len` bytes in total, filled with deterministic noise
/// (so nothing along the way can compress it).
pub fn wav(len: usize) -> Vec<u8> {
    assert!(len >= 44);
    let data_len = (len - 44) as u32;
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data_len).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&24_000u32.to_le_bytes());
    v.extend_from_slice(&48_000u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ len as u64;
    while v.len() < len {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
        let n = (len - v.len()).min(8);
        v.extend_from_slice(&r[..n]);
    }
    v
}

/// `AZURE_OPENAI_ENDPOINT` and `AZURE_OPENAI_API_KEY`, as the crate's example reads them.
pub fn endpoint_and_key() -> (String, String) {
    let endpoint = std::env::var("AZURE_OPENAI_ENDPOINT").expect("AZURE_OPENAI_ENDPOINT");
    let key = std::env::var("AZURE_OPENAI_API_KEY").expect("AZURE_OPENAI_API_KEY");
    (endpoint.trim_end_matches('/').to_owned(), key)
}

/// The deployment every program names.
pub const DEPLOYMENT: &str = "gpt-4o-mini-audio-preview";
/// The api-version every program sends.
pub const API_VERSION: &str = "2025-01-01-preview";

/// The deployment every program names in the transcription job (as in the recording).
pub const TRANSCRIBE_DEPLOYMENT: &str = "whisper";
/// The api-version every program sends in the transcription job (as in the recording).
pub const TRANSCRIBE_API_VERSION: &str = "2024-10-21";

pub mod body;
pub mod multipart;
pub mod realtime;
pub mod realtime_client;
pub mod realtime_server;
pub mod server;
pub mod whisper_reply;
