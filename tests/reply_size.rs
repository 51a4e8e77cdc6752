//! Bounded replies, against a raw server on 127.0.0.1 that misbehaves as a broken proxy does:
//! a 200 declaring `Content-Length: 8000000000`, a 200 with an endless chunked body, an error
//! status with an endless body. Each is refused with a small, counted amount of memory, and its
//! connection is closed (the server's writes fail) rather than read to the end.
//!
//! One test in this binary, so nothing else allocates while it measures.

mod common;
#[path = "support/counting.rs"]
mod counting;

use azure_openai_audio::ErrorKind;
use common::{builder, ok, request, Act, RawServer, COMPLETION};
use counting::{peak_above_start, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

/// 64 KiB of spaces as one chunk of a chunked body.
fn chunk() -> Vec<u8> {
    let mut c = format!("{:x}\r\n", 64 * 1024).into_bytes();
    c.extend(std::iter::repeat_n(b' ', 64 * 1024));
    c.extend_from_slice(b"\r\n");
    c
}

fn head(status: &str, framing: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{framing}\r\n\r\n").into_bytes()
}

/// `body` as a whole chunked response.
fn chunked(body: &str) -> Vec<u8> {
    let mut r = head("200 OK", "transfer-encoding: chunked");
    r.extend(format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len()).into_bytes());
    r
}

#[tokio::test(flavor = "current_thread")]
async fn replies_over_the_maximum_size_are_refused_and_their_connections_dropped() {
    // A declared length far over the default maximum (256 MiB): refused before reading.
    let server = RawServer::start(|_| Act::Endless {
        head: head("200 OK", "content-length: 8000000000"),
        chunk: vec![b' '; 64 * 1024],
    })
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let (result, peak) = peak_above_start(client.chat().complete(&request())).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplyTooLarge);
    assert_eq!(
        err.to_string(),
        "reply too large: the reply declares 8000000000 bytes, more than the client's \
         max_reply_size of 268435456 bytes"
    );
    assert_eq!((err.status(), err.attempts()), (Some(200), 1));
    assert!(!err.is_retryable());
    eprintln!("declared 8 GB: {peak} bytes at the peak");
    assert!(peak < MIB, "refusing a declared 8 GB held {peak} bytes");
    let streamed = server.abandoned.wait_for(1).await;
    eprintln!("declared 8 GB: the server wrote {streamed} bytes before the client closed");
    assert!(streamed < 64 * MIB as u64, "{streamed} bytes were written");
    assert_eq!(server.requests(), 1);

    // An endless chunked body: read up to the maximum (1 MiB here), then refused.
    let server = RawServer::start(|_| Act::Endless {
        head: head("200 OK", "transfer-encoding: chunked"),
        chunk: chunk(),
    })
    .await;
    let client = builder(&server.uri())
        .max_reply_size(MIB as u64)
        .build()
        .unwrap();
    let (result, peak) = peak_above_start(client.chat().complete(&request())).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplyTooLarge);
    assert!(
        err.to_string().starts_with(
            "reply too large: the reply went past the client's max_reply_size of 1048576 bytes ("
        ),
        "{err}"
    );
    assert_eq!((err.status(), err.attempts()), (Some(200), 1));
    eprintln!("endless chunked body, 1 MiB maximum: {peak} bytes at the peak");
    assert!(peak < 3 * MIB, "an endless body held {peak} bytes");
    let streamed = server.abandoned.wait_for(1).await;
    eprintln!("endless chunked body: the server wrote {streamed} bytes before the client closed");
    assert!(
        streamed >= MIB as u64 && streamed < 64 * MIB as u64,
        "{streamed}"
    );
    assert_eq!(server.requests(), 1);

    // An error status with an endless body: its first 64 KiB make the error.
    let server = RawServer::start(|_| Act::Endless {
        head: head("500 Internal Server Error", "transfer-encoding: chunked"),
        chunk: chunk(),
    })
    .await;
    let client = builder(&server.uri()).max_retries(0).build().unwrap();
    let (result, peak) = peak_above_start(client.chat().complete(&request())).await;
    let err = result.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(500)));
    assert!(peak < MIB, "an endless error body held {peak} bytes");
    server.abandoned.wait_for(1).await;

    // At the limit exactly a reply is read, one byte over it is not: with a length, chunked.
    let len = COMPLETION.len() as u64;
    for reply in [ok(COMPLETION), chunked(COMPLETION)] {
        let server = RawServer::start(move |_| Act::Reply(reply.clone())).await;
        let at_limit = builder(&server.uri()).max_reply_size(len).build().unwrap();
        assert_eq!(
            at_limit.chat().complete(&request()).await.unwrap().id,
            "chatcmpl-1"
        );
        let under = builder(&server.uri())
            .max_reply_size(len - 1)
            .build()
            .unwrap();
        let err = under.chat().complete(&request()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReplyTooLarge, "{err}");
        assert!(err.to_string().contains(&format!("{}", len - 1)), "{err}");
        assert_eq!(server.requests(), 2);
    }

    // A maximum of 0 would refuse everything: a configuration error.
    let err = builder("http://127.0.0.1:1")
        .max_reply_size(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
