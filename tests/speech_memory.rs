//! A 100 MiB speech reply (chunked, no Content-Length, as Azure sends speech) received from a
//! local server while a counting allocator watches: written to a file, to a writer, to a WAV
//! file, and read as a stream, memory stays at a few chunks, not the audio's size.
//!
//! One test in this binary, so nothing else allocates while it measures (the server runs in
//! this process too: it writes the same 64 KiB buffer again and again).

mod common;
#[path = "support/counting.rs"]
mod counting;

use azure_openai_audio::{Client, Credential, SpeechFormat, SpeechRequest, Voice};
use common::{Act, RawServer};
use futures_util::StreamExt;

use counting::{peak_above_start, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const TIMES: usize = 100 * MIB / CHUNK;
const TOTAL: u64 = (CHUNK * TIMES) as u64;

/// A writer that keeps nothing: it counts the bytes and checks each is the pattern's.
struct Check {
    at: u64,
}

impl tokio::io::AsyncWrite for Check {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        for &b in buf {
            assert_eq!(b, pattern(self.at as usize % CHUNK));
            self.at += 1;
        }
        std::task::Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

fn pattern(i: usize) -> u8 {
    (i * 31 % 251) as u8
}

#[tokio::test(flavor = "current_thread")]
async fn a_100_mib_speech_is_written_and_streamed_in_flat_memory() {
    let chunk: Vec<u8> = (0..CHUNK).map(pattern).collect();
    let server = RawServer::start(move |_| Act::Chunked {
        head: common::chunked_head("audio/pcm"),
        chunk: chunk.clone(),
        times: TIMES,
    })
    .await;
    let client = Client::new(server.uri(), "tts", Credential::api_key(common::KEY)).unwrap();
    let request =
        SpeechRequest::new("a long story", Voice::Alloy).response_format(SpeechFormat::Pcm);
    // Once, so the connection pool, TLS-free connector and runtime pieces exist before measuring.
    assert_eq!(
        client
            .speech()
            .to_writer(&request, Check { at: 0 })
            .await
            .unwrap(),
        TOTAL
    );

    let (written, peak) = peak_above_start(async {
        client
            .speech()
            .to_writer(&request, Check { at: 0 })
            .await
            .unwrap()
    })
    .await;
    assert_eq!(written, TOTAL);
    eprintln!("100 MiB speech to a writer: {peak} bytes at the peak");
    assert!(
        peak < 2 * MIB,
        "writing the speech held {peak} bytes at once"
    );

    let path = std::env::temp_dir().join(format!("aoa-speech-memory-{}.pcm", std::process::id()));
    let (written, peak) =
        peak_above_start(async { client.speech().to_file(&request, &path).await.unwrap() }).await;
    assert_eq!(written, TOTAL);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), TOTAL);
    std::fs::remove_file(&path).unwrap();
    eprintln!("100 MiB speech to a file: {peak} bytes at the peak");
    assert!(
        peak < 2 * MIB,
        "writing the speech to a file held {peak} bytes at once"
    );

    let wav = path.with_extension("wav");
    let (written, peak) =
        peak_above_start(async { client.speech().to_wav_file(&request, &wav).await.unwrap() })
            .await;
    assert_eq!(written, TOTAL);
    assert_eq!(std::fs::metadata(&wav).unwrap().len(), TOTAL + 44);
    std::fs::remove_file(&wav).unwrap();
    eprintln!("100 MiB speech to a WAV file: {peak} bytes at the peak");
    assert!(
        peak < 2 * MIB,
        "writing the speech to a WAV file held {peak} bytes at once"
    );

    let (received, peak) = peak_above_start(async {
        let mut stream = client.speech().stream(&request).await.unwrap();
        let mut received = 0u64;
        while let Some(bytes) = stream.next().await {
            received += bytes.unwrap().len() as u64;
        }
        received
    })
    .await;
    assert_eq!(received, TOTAL);
    eprintln!("100 MiB speech as a stream: {peak} bytes at the peak");
    assert!(
        peak < 2 * MIB,
        "streaming the speech held {peak} bytes at once"
    );
    assert_eq!(server.requests(), 5);
}
