//! The floor of the transcription job: the least work it needs, written by hand for this one
//! request.
//!
//! The multipart body is written by hand: the part's headers, the file read from a
//! `tokio::fs::File` in chunks of [`CHUNK`] bytes (each chunk sent as it is read), the closing
//! delimiter; with an exact Content-Length. The reply is read whole (it is small), its text
//! borrowed from it and printed. Same reqwest setup as the crate.
//!
//! Usage: `floor-transcribe IN` with AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY set.

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt as _};
use serde::Deserialize;
use tokio::io::AsyncReadExt as _;

const CHUNK: usize = 64 * 1024;

const BOUNDARY: &str = "aoa-e2e-bench-boundary-7d1f0c2e";

/// A stream of body chunks whose total length is known.
struct Exact<S> {
    stream: S,
    remaining: u64,
}

impl<S: Stream<Item = std::io::Result<Bytes>> + Unpin> http_body::Body for Exact<S> {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.stream.poll_next_unpin(cx).map(|next| {
            next.map(|chunk| {
                let chunk = chunk?;
                self.remaining -= chunk.len() as u64;
                Ok(http_body::Frame::data(chunk))
            })
        })
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = std::path::Path::new(&args[1]);
    let (endpoint, key) = aoa_e2e_bench::endpoint_and_key();
    let file = tokio::fs::File::open(input).await.expect("open input");
    let len = file.metadata().await.expect("stat input").len();
    let filename = input
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    let head = Bytes::from(format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: audio/wav\r\n\r\n"
    ));
    let tail = Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"));
    let total = head.len() as u64 + len + tail.len() as u64;
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = BytesMut::with_capacity(CHUNK);
        match file.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), file)),
            Err(e) => Some((Err(e), file)),
        }
    });
    let stream = futures_util::stream::once(async { Ok(head) })
        .chain(chunks)
        .chain(futures_util::stream::once(async { Ok(tail) }));
    let body = Exact {
        stream: Box::pin(stream),
        remaining: total,
    };
    let url = format!(
        "{endpoint}/openai/deployments/{}/audio/transcriptions?api-version={}",
        aoa_e2e_bench::TRANSCRIBE_DEPLOYMENT,
        aoa_e2e_bench::TRANSCRIBE_API_VERSION
    );
    let response = reqwest::Client::new()
        .post(url)
        .header("api-key", key)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(reqwest::Body::wrap(body))
        .send()
        .await
        .expect("send");
    assert!(response.status().is_success(), "{}", response.status());
    let body = response.bytes().await.expect("read reply");
    let reply: Reply = serde_json::from_slice(&body).expect("parse reply");
    println!("{}", reply.text);
}
