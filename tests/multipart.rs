//! Multipart bodies as a real server and a real multipart parser (multer, axum's) read them:
//! part by part (names, filenames, content types, the files' exact bytes), with a
//! `Content-Length` equal to the bytes sent, produced again (reading the file again) per attempt.

mod common;

use azure_openai_audio::__private::MultipartBody;
use azure_openai_audio::AudioSource;
use common::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One part as multer reads it: name, filename, content type, bytes.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

async fn parse(content_type: &str, body: Vec<u8>) -> Vec<Part> {
    let boundary = multer::parse_boundary(content_type).unwrap();
    let stream =
        futures_util::stream::once(
            async move { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) },
        );
    let mut form = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.unwrap() {
        let name = field.name().unwrap().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        parts.push((
            name,
            filename,
            content_type,
            field.bytes().await.unwrap().to_vec(),
        ));
    }
    parts
}

fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 9) as u8)
        .collect()
}

#[tokio::test]
async fn a_server_receives_every_part_with_an_exact_length() {
    // A file across several read chunks, not a multiple of them; its content holds CRLFs and
    // dashes, as audio may.
    let mut on_disk = b"fLaC".to_vec();
    on_disk.extend(noise(3 * 192 * 1024 + 7, 1));
    on_disk.extend_from_slice(b"\r\n--\r\n");
    let path = temp_file("multipart", "speech.flac", &on_disk);
    let file = AudioSource::from_file(&path).await.unwrap();
    let in_memory = noise(1000, 2);
    let bytes = AudioSource::from_bytes(in_memory.clone())
        .with_name("take \"2\".wav")
        .with_content_type("audio/x-custom");

    let body = MultipartBody::new()
        .file("file", &file)
        .field("model", "gpt-4o-transcribe")
        .field("prompt", "Line one\r\nline two, \"quoted\", é 漢字")
        .field("include[]", "logprobs")
        .field("timestamp_granularities[]", "word")
        .field("timestamp_granularities[]", "segment")
        .field("empty", "")
        .file("second", &bytes);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let http = reqwest::Client::new();
    for _attempt in 0..2 {
        let status = http
            .post(server.uri())
            .header("content-type", body.content_type())
            .body(body.to_reqwest())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    // Each attempt produced the same body again, from the file.
    assert!(received[0].body == received[1].body);
    let r = &received[0];
    assert_eq!(r.body.len() as u64, body.content_length());
    assert_eq!(
        header(r, "content-length"),
        Some(body.content_length().to_string().as_str())
    );
    assert_eq!(header(r, "transfer-encoding"), None, "not chunked");
    let content_type = header(r, "content-type").unwrap();
    assert_eq!(content_type, body.content_type());

    let parts = parse(content_type, r.body.clone()).await;
    let text = |name: &str, value: &str| (name.to_owned(), None, None, value.as_bytes().to_vec());
    let expected: Vec<Part> = vec![
        (
            "file".into(),
            Some("speech.flac".into()),
            Some("audio/flac".into()),
            on_disk,
        ),
        text("model", "gpt-4o-transcribe"),
        text("prompt", "Line one\r\nline two, \"quoted\", é 漢字"),
        text("include[]", "logprobs"),
        text("timestamp_granularities[]", "word"),
        text("timestamp_granularities[]", "segment"),
        text("empty", ""),
        (
            "second".into(),
            // Quotes in a name are escaped as browsers do.
            Some("take %222%22.wav".into()),
            Some("audio/x-custom".into()),
            in_memory,
        ),
    ];
    assert_eq!(parts.len(), expected.len());
    for (got, want) in parts.iter().zip(&expected) {
        assert!(got == want, "part {:?} differs", want.0);
    }
}

#[tokio::test]
async fn a_file_that_changes_size_fails_the_body() {
    let path = temp_file("multipart", "shrinks.wav", &noise(500_000, 3));
    let source = AudioSource::from_file(&path).await.unwrap();
    let body = MultipartBody::new().file("file", &source);
    std::fs::write(&path, noise(400_000, 3)).unwrap();
    let mut stream = body.stream();
    let mut error = None;
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        if let Err(e) = chunk {
            error = Some(e);
            break;
        }
    }
    let e = error.expect("an error");
    assert!(e.to_string().contains("changed size"), "{e}");
    assert!(e.to_string().contains("shrinks.wav"), "{e}");
}
