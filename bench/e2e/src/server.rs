//! A loopback HTTP/1.1 server that answers every POST with a chat completion carrying audio.
//!
//! It reads the whole request body, checks that it has the announced length and that it carries
//! the expected input audio as base64 (byte for byte), and answers 400 if not.
//!
//! The reply goes out either as one body with a Content-Length (as Azure sends it) or, with
//! [`Reply::Chunked`], with `Transfer-Encoding: chunked` and no Content-Length, in chunks of
//! [`CHUNK`] bytes (as a proxy that re-chunks it would send it).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine as _;

/// What the server expects and answers.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Requests answered with a chat completion.
    pub ok: Arc<AtomicUsize>,
    /// Requests refused (bad length or audio).
    pub refused: Arc<AtomicUsize>,
}

/// How the server frames the reply's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// One body with a Content-Length.
    ContentLength,
    /// `Transfer-Encoding: chunked`, no Content-Length, chunks of [`CHUNK`] bytes.
    Chunked,
}

/// The chunk size of a chunked reply (a proxy's usual buffer).
pub const CHUNK: usize = 16 * 1024;

/// The chat completion the server sends, with `audio` as the reply's audio.
pub fn reply_body(audio: &[u8]) -> Vec<u8> {
    let data = base64::engine::general_purpose::STANDARD.encode(audio);
    serde_json::to_vec(&serde_json::json!({
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_735_000_000u32,
        "model": "gpt-4o-mini-audio-preview-2024-12-17",
        "system_fingerprint": "fp_bench",
        "choices": [{
            "index": 0,
            "finish_reason": "stop",
            "logprobs": null,
            "message": {
                "role": "assistant",
                "content": null,
                "refusal": null,
                "audio": {
                    "id": "audio_bench",
                    "data": data,
                    "expires_at": 1_735_003_600u64,
                    "transcript": "A person speaks for a while about golden retrievers."
                }
            }
        }],
        "usage": {"prompt_tokens": 100, "completion_tokens": 200, "total_tokens": 300}
    }))
    .expect("json")
}

/// Starts the server on 127.0.0.1 in background threads.
pub fn start(input_audio: &[u8], reply_audio: &[u8], framing: Reply) -> Server {
    let expected = Arc::new(
        base64::engine::general_purpose::STANDARD
            .encode(input_audio)
            .into_bytes(),
    );
    let reply = Arc::new(reply_body(reply_audio));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let ok = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let (ok2, refused2) = (ok.clone(), refused.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (expected, reply, ok, refused) = (
                expected.clone(),
                reply.clone(),
                ok2.clone(),
                refused2.clone(),
            );
            std::thread::spawn(move || {
                let _ = serve(stream, &expected, &reply, framing, &ok, &refused);
            });
        }
    });
    Server {
        endpoint,
        ok,
        refused,
    }
}

fn serve(
    stream: TcpStream,
    expected: &[u8],
    reply: &[u8],
    framing: Reply,
    ok: &AtomicUsize,
    refused: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(256 * 1024, stream.try_clone()?);
    let mut writer = stream;
    if framing == Reply::Chunked {
        // Each chunk leaves as it is written, not held back by Nagle for the next.
        writer.set_nodelay(true)?;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut content_length: Option<usize> = None;
        let mut chunked = false;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    content_length = v.trim().parse().ok();
                }
                if k.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = true;
                }
            }
        }
        let problem = match content_length {
            _ if chunked => Some("chunked body: expected an exact Content-Length".to_owned()),
            None => Some("no Content-Length".to_owned()),
            Some(n) => {
                let mut body = vec![0u8; n];
                reader.read_exact(&mut body)?;
                check(&body, expected).err()
            }
        };
        match problem {
            None => {
                ok.fetch_add(1, Ordering::Relaxed);
                match framing {
                    Reply::ContentLength => {
                        write!(
                            writer,
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\napim-request-id: bench\r\n\r\n",
                            reply.len()
                        )?;
                        writer.write_all(reply)?;
                    }
                    Reply::Chunked => {
                        write!(
                            writer,
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\napim-request-id: bench\r\n\r\n"
                        )?;
                        // One write per chunk (size line, data, CRLF), as a proxy forwards them.
                        let mut frame = Vec::with_capacity(CHUNK + 16);
                        for chunk in reply.chunks(CHUNK) {
                            frame.clear();
                            write!(frame, "{:x}\r\n", chunk.len())?;
                            frame.extend_from_slice(chunk);
                            frame.extend_from_slice(b"\r\n");
                            writer.write_all(&frame)?;
                        }
                        writer.write_all(b"0\r\n\r\n")?;
                    }
                }
            }
            Some(why) => {
                refused.fetch_add(1, Ordering::Relaxed);
                eprintln!("server: refused a request: {why}");
                let body =
                    serde_json::json!({"error": {"code": "bench", "message": why}}).to_string();
                write!(
                    writer,
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )?;
                return Ok(());
            }
        }
        writer.flush()?;
    }
}

/// The body must be JSON whose `"data":"` string is exactly the expected base64.
fn check(body: &[u8], expected: &[u8]) -> Result<(), String> {
    let key = br#""data":""#;
    let at = body
        .windows(key.len())
        .position(|w| w == key)
        .ok_or("no \"data\" field")?
        + key.len();
    let rest = &body[at..];
    if rest.len() <= expected.len()
        || &rest[..expected.len()] != expected
        || rest[expected.len()] != b'"'
    {
        return Err("the audio is not the input file's base64".into());
    }
    if body.first() != Some(&b'{') || body.last() != Some(&b'}') {
        return Err("the body is not a JSON object".into());
    }
    Ok(())
}
