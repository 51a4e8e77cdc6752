//! Test helpers: the shared recordings, small real WAV files, clients pointed at a local server.
#![allow(dead_code)]

use serde_json::Value;

/// The path of a file in ../shared/recordings.
pub fn recording_path(name: &str) -> String {
    format!("{}/../shared/recordings/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A recording's JSON.
pub fn recording(name: &str) -> Value {
    let text =
        std::fs::read_to_string(recording_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Entry `i` of a test-proxy recording.
pub fn entry(name: &str, i: usize) -> Value {
    recording(name)["Entries"][i].clone()
}

/// The response body and status of the VCR cassette (YAML): the body is a single-quoted scalar.
pub fn cassette_response(name: &str) -> (u16, Vec<u8>, Vec<(String, String)>) {
    let text = std::fs::read_to_string(recording_path(name)).unwrap();
    let response = &text[text.find("  response:").unwrap()..];
    let start = response.find("string: '").unwrap() + "string: '".len();
    let rest = &response[start..];
    // The scalar ends at a single quote not followed by another one.
    let mut end = 0;
    let bytes = rest.as_bytes();
    while end < bytes.len() {
        if bytes[end] == b'\'' {
            if bytes.get(end + 1) == Some(&b'\'') {
                end += 2;
                continue;
            }
            break;
        }
        end += 1;
    }
    // YAML folding: a line break plus indentation becomes one space; '' is a quote.
    let body = rest[..end]
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .replace("''", "'");
    let code_at = response.find("code: ").unwrap() + "code: ".len();
    let status: u16 = response[code_at..code_at + 3].parse().unwrap();
    let mut headers = Vec::new();
    let h =
        &response[response.find("    headers:").unwrap()..response.find("    status:").unwrap()];
    let mut name = None;
    for line in h.lines().skip(1) {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("- ") {
            if let Some(n) = name.clone() {
                headers.push((n, v.trim_matches('\'').to_owned()));
            }
        } else if let Some(n) = t.strip_suffix(':') {
            name = Some(n.to_owned());
        }
    }
    (status, body.into_bytes(), headers)
}

/// A real 16-bit mono WAV file with `samples` samples of a ramp at `rate` Hz.
pub fn wav(samples: usize, rate: u32) -> Vec<u8> {
    let data_len = (samples * 2) as u32;
    let mut v = Vec::with_capacity(44 + samples * 2);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data_len).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 2).to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        v.extend_from_slice(&((i % 2000) as i16 * 16).to_le_bytes());
    }
    v
}

/// Writes `bytes` to a fresh file in a per-test temporary directory and returns its path.
pub fn temp_file(test: &str, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aoa-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
