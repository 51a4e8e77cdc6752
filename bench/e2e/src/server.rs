//! A loopback HTTP/1.1 server for the two jobs.
//!
//! `POST .../audio/transcriptions` (the transcription job): the multipart body is read as it
//! arrives, with a Content-Length or chunked, and discarded, its one `file` part compared byte
//! for byte with the input file ([`crate::multipart`]); the reply is Azure's recorded whisper
//! reply ([`crate::whisper_reply`]). Each such request is logged in [`Server::uploads`].
//!
//! Any other POST (the from-audio job): it reads the whole request body, checks that it has the
//! announced length and that it carries the expected input audio as base64 (byte for byte), and
//! answers with a chat completion carrying audio. The reply goes out either as one body with a
//! Content-Length (as Azure sends it) or, with [`Reply::Chunked`], with `Transfer-Encoding:
//! chunked` and no Content-Length, in chunks of [`CHUNK`] bytes (as a proxy that re-chunks it
//! would send it).
//!
//! A request that fails its checks gets a 400 naming the problem.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;

use crate::body::{self, Framing};
use crate::{multipart, whisper_reply};

/// What the server expects and answers.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Requests answered with a chat completion or a transcription.
    pub ok: Arc<AtomicUsize>,
    /// Requests refused (bad length, audio or form).
    pub refused: Arc<AtomicUsize>,
    /// Every transcription request, in order.
    pub uploads: Arc<Mutex<Vec<Upload>>>,
}

/// A transcription request as the server received it.
#[derive(Clone, Debug)]
pub struct Upload {
    /// Sent with `Transfer-Encoding: chunked` (no Content-Length).
    pub chunked: bool,
    /// The body's length.
    pub body_bytes: u64,
    /// The parts' names, in order (empty when refused).
    pub parts: Vec<String>,
    /// Why it was refused, if it was.
    pub problem: Option<String>,
}

/// What every connection shares.
struct Shared {
    input: Vec<u8>,
    expected_base64: Vec<u8>,
    reply: Vec<u8>,
    framing: Reply,
    ok: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    uploads: Arc<Mutex<Vec<Upload>>>,
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

/// Starts the server on 127.0.0.1 in background threads. `input_audio` is the input file;
/// `reply_audio` the audio of the chat reply.
pub fn start(input_audio: &[u8], reply_audio: &[u8], framing: Reply) -> Server {
    let (ok, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let uploads = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        input: input_audio.to_vec(),
        expected_base64: base64::engine::general_purpose::STANDARD
            .encode(input_audio)
            .into_bytes(),
        reply: reply_body(reply_audio),
        framing,
        ok: ok.clone(),
        refused: refused.clone(),
        uploads: uploads.clone(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let _ = serve(stream, &shared);
            });
        }
    });
    Server {
        endpoint,
        ok,
        refused,
        uploads,
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(256 * 1024, stream.try_clone()?);
    let mut writer = stream;
    if shared.framing == Reply::Chunked {
        // Each chunk leaves as it is written, not held back by Nagle for the next.
        writer.set_nodelay(true)?;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let mut content_length: Option<u64> = None;
        let mut chunked = false;
        let mut content_type = String::new();
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
                if k.eq_ignore_ascii_case("content-type") {
                    content_type = v.trim().to_owned();
                }
            }
        }
        let path = target.split('?').next().unwrap_or_default();
        let problem = if path.ends_with("/audio/transcriptions") {
            let framing = match content_length {
                _ if chunked => Framing::Chunked,
                n => Framing::Length(n.unwrap_or(0)),
            };
            transcription(&mut reader, framing, &content_type, shared)?
        } else {
            chat(&mut reader, chunked, content_length, shared)?
        };
        match problem {
            None if path.ends_with("/audio/transcriptions") => {
                shared.ok.fetch_add(1, Ordering::Relaxed);
                writer.write_all(&whisper_reply::response())?;
            }
            None => {
                shared.ok.fetch_add(1, Ordering::Relaxed);
                write_chat_reply(&mut writer, &shared.reply, shared.framing)?;
            }
            Some(why) => {
                shared.refused.fetch_add(1, Ordering::Relaxed);
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

/// Reads a chat request's body whole; the problem with it, if any.
fn chat(
    reader: &mut impl BufRead,
    chunked: bool,
    content_length: Option<u64>,
    shared: &Shared,
) -> std::io::Result<Option<String>> {
    Ok(match content_length {
        _ if chunked => Some("chunked body: expected an exact Content-Length".to_owned()),
        None => Some("no Content-Length".to_owned()),
        Some(n) => {
            let mut body = vec![0u8; n as usize];
            reader.read_exact(&mut body)?;
            check(&body, &shared.expected_base64).err()
        }
    })
}

/// Reads a transcription request's body as it arrives, discarding it, and logs it; the problem
/// with it, if any.
fn transcription(
    reader: &mut impl BufRead,
    framing: Framing,
    content_type: &str,
    shared: &Shared,
) -> std::io::Result<Option<String>> {
    let mut form =
        multipart::boundary(content_type).map(|b| multipart::Check::new(&b, &shared.input));
    let body_bytes = body::for_each_piece(reader, framing, |piece| {
        if let Some(form) = &mut form {
            form.feed(piece);
        }
    })?;
    let (parts, problem) = match form.map(multipart::Check::finish) {
        None => (
            Vec::new(),
            Some(format!(
                "not multipart/form-data with a boundary: {content_type:?}"
            )),
        ),
        Some(Ok(parts)) => (parts.into_iter().map(|p| p.name).collect(), None),
        Some(Err(why)) => (Vec::new(), Some(why)),
    };
    shared.uploads.lock().expect("uploads").push(Upload {
        chunked: framing == Framing::Chunked,
        body_bytes,
        parts,
        problem: problem.clone(),
    });
    Ok(problem)
}

fn write_chat_reply(writer: &mut impl Write, reply: &[u8], framing: Reply) -> std::io::Result<()> {
    match framing {
        Reply::ContentLength => {
            write!(
                writer,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\napim-request-id: bench\r\n\r\n",
                reply.len()
            )?;
            writer.write_all(reply)
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
            writer.write_all(b"0\r\n\r\n")
        }
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
