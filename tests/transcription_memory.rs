//! A 24 MiB upload through `client.transcriptions().create`, end to end over a real socket,
//! with memory counted by a global allocator: the file streams into the multipart body a chunk
//! at a time, so the process never holds more than a few chunks of it, and the server receives
//! every byte under an exact `Content-Length`.
//!
//! One test in this binary, so nothing else allocates while it measures.

#[path = "support/counting.rs"]
mod counting;

use std::io::Write;

use azure_openai_audio::{AudioSource, Client, Credential, TranscriptionRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use counting::{peak_above_start, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

/// A server for one request that reads its body into a small buffer and throws it away; returns
/// the declared `Content-Length` and the number of body bytes that came.
async fn discarding_server(listener: TcpListener) -> (u64, u64) {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    assert!(!head.contains("transfer-encoding"), "{head}");
    let declared: u64 = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length")
        .trim()
        .parse()
        .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut received = 0u64;
    while received < declared {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "the body ended at {received} of {declared} bytes");
        received += n as u64;
    }
    let body = br#"{"text":"Twenty-four mebibytes."}"#;
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(reply.as_bytes()).await.unwrap();
    socket.write_all(body).await.unwrap();
    (declared, received)
}

#[tokio::test(flavor = "current_thread")]
async fn a_24_mib_upload_streams_from_the_file() {
    // A 24 MiB WAV, written a MiB at a time.
    let path = std::env::temp_dir().join(format!("aoa-stt-memory-{}.wav", std::process::id()));
    {
        let mut file = std::fs::File::create(&path).unwrap();
        let mut header = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        header.resize(MIB, 0x2a);
        file.write_all(&header).unwrap();
        let block = vec![0x2au8; MIB];
        for _ in 1..24 {
            file.write_all(&block).unwrap();
        }
    }
    let audio = AudioSource::from_file(&path).await.unwrap();
    assert_eq!(audio.size(), 24 * MIB as u64);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(discarding_server(listener));
    let client = Client::new(endpoint, "whisper", Credential::api_key("k")).unwrap();
    let request = TranscriptionRequest::new().language("en");

    let (reply, peak) = peak_above_start(async {
        client
            .transcriptions()
            .create(&audio, &request)
            .await
            .unwrap()
    })
    .await;
    let (declared, received) = server.await.unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(reply.text(), "Twenty-four mebibytes.");
    assert_eq!(declared, received);
    assert!(declared > 24 * MIB as u64 && declared < 24 * MIB as u64 + 1024);
    eprintln!("a 24 MiB transcription upload: {peak} bytes at the peak (client and server)");
    // The client's chunks (64 KiB), the socket's buffers and the server's 64 KiB: far below
    // the file.
    assert!(
        peak < 2 * MIB,
        "the upload held {peak} bytes at once (the file is {} bytes)",
        24 * MIB
    );
}
