//! The floor: the least work the from-audio job needs, written by hand for this one request.
//!
//! The file is streamed through a base64 encoder straight into the request body, with an exact
//! Content-Length; the reply is read into one buffer of its Content-Length, the audio string is
//! borrowed from it and decoded once, and written out. Same reqwest setup as the crate.
//!
//! A reply without a Content-Length (chunked, as a proxy may re-chunk it) is read into one buffer
//! that reserves address space for the largest reply accepted ([`MAX_REPLY`]) instead: only the
//! pages written become resident and the buffer never moves, so its resident size is the
//! reply's whatever the allocator. (Growing by doubling copies the bytes at each step, and an
//! allocator that keeps freed pages stays charged with the old buffers, unless realloc can remap
//! or extend the block in place, as glibc's does for large blocks.)
//!
//! Usage: `floor IN OUT` with AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY set.

use std::borrow::Cow;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;

const CHUNK: usize = 3 * 32 * 1024;

/// The largest reply read without a Content-Length (the crate's cap on its buffer's size hint).
const MAX_REPLY: u64 = 256 * 1024 * 1024;

/// Prefix JSON, the file as base64 in chunks, suffix JSON; exact size.
struct Body {
    state: u8,
    file: std::fs::File,
    buf: Vec<u8>,
    prefix: Bytes,
    suffix: Bytes,
    remaining: u64,
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        let out = match this.state {
            0 => {
                this.state = 1;
                this.prefix.clone()
            }
            1 => {
                let mut filled = 0;
                while filled < CHUNK {
                    match this.file.read(&mut this.buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    }
                }
                if filled < CHUNK {
                    this.state = 2;
                }
                if filled == 0 {
                    this.state = 3;
                    this.suffix.clone()
                } else {
                    Bytes::from(
                        base64::engine::general_purpose::STANDARD.encode(&this.buf[..filled]),
                    )
                }
            }
            2 => {
                this.state = 3;
                this.suffix.clone()
            }
            _ => return Poll::Ready(None),
        };
        this.remaining -= out.len() as u64;
        Poll::Ready(Some(Ok(http_body::Frame::data(out))))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(borrow)]
    choices: Vec<Choice<'a>>,
}
#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow)]
    message: Msg<'a>,
}
#[derive(Deserialize)]
struct Msg<'a> {
    #[serde(borrow)]
    audio: Audio<'a>,
}
#[derive(Deserialize)]
struct Audio<'a> {
    data: &'a str,
    #[serde(borrow)]
    transcript: Cow<'a, str>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let (endpoint, key) = aoa_e2e_bench::endpoint_and_key();
    let file = std::fs::File::open(input).expect("open input");
    let len = file.metadata().expect("stat input").len();
    let prefix = format!(
        r#"{{"messages":[{{"role":"user","content":[{{"type":"text","text":"{}"}},{{"type":"input_audio","input_audio":{{"data":""#,
        aoa_e2e_bench::PROMPT
    );
    let suffix = r#"","format":"wav"}}]}],"modalities":["text","audio"],"audio":{"voice":"alloy","format":"wav"}}"#;
    let total = prefix.len() as u64 + len.div_ceil(3) * 4 + suffix.len() as u64;
    let body = Body {
        state: 0,
        file,
        buf: vec![0; CHUNK],
        prefix: Bytes::from(prefix),
        suffix: Bytes::from_static(suffix.as_bytes()),
        remaining: total,
    };
    let url = format!(
        "{endpoint}/openai/deployments/{}/chat/completions?api-version={}",
        aoa_e2e_bench::DEPLOYMENT,
        aoa_e2e_bench::API_VERSION
    );
    let client = reqwest::Client::new();
    let mut response = client
        .post(url)
        .header("api-key", key)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap(body))
        .send()
        .await
        .expect("send");
    assert!(response.status().is_success(), "{}", response.status());
    // Exact with a Content-Length; without one, address space reserved, committed as written.
    let mut buf = Vec::with_capacity(response.content_length().unwrap_or(MAX_REPLY) as usize);
    while let Some(chunk) = response.chunk().await.expect("read reply") {
        assert!(
            buf.len() + chunk.len() <= buf.capacity(),
            "reply larger than its Content-Length or {MAX_REPLY} bytes"
        );
        buf.extend_from_slice(&chunk);
    }
    let reply: Reply = serde_json::from_slice(&buf).expect("parse reply");
    let audio = &reply.choices[0].message.audio;
    let mut decoded = Vec::with_capacity(audio.data.len() / 4 * 3);
    base64::engine::general_purpose::STANDARD
        .decode_vec(audio.data, &mut decoded)
        .expect("base64");
    std::fs::write(output, &decoded).expect("write output");
    println!("{}", audio.transcript);
}
