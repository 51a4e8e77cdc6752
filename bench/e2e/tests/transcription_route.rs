//! The bench server's transcription route, over real sockets: it answers the recorded reply to a
//! well-formed form (with a Content-Length or chunked, in pieces of any size), and refuses a form
//! whose file is not the input file or that is not a form.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use aoa_e2e_bench::server::{self, Reply};
use aoa_e2e_bench::whisper_reply;

const BOUNDARY: &str = "b0undary";
const TARGET: &str = "/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21";

fn form(file: &[u8], filename: Option<&str>) -> Vec<u8> {
    let filename = filename.map_or(String::new(), |f| format!("; filename=\"{f}\""));
    [
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"{filename}\r\nContent-Type: audio/wav\r\n\r\n").as_bytes(),
        file,
        format!("\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--{BOUNDARY}--\r\n").as_bytes(),
    ]
    .concat()
}

/// Sends one request; the status and the reply's body.
fn send(endpoint: &str, content_type: &str, body: &[u8], chunk: Option<usize>) -> (u16, String) {
    let mut stream = TcpStream::connect(endpoint.trim_start_matches("http://")).unwrap();
    let framing = match chunk {
        None => format!("content-length: {}", body.len()),
        Some(_) => "transfer-encoding: chunked".to_owned(),
    };
    write!(
        stream,
        "POST {TARGET} HTTP/1.1\r\nhost: bench\r\ncontent-type: {content_type}\r\n{framing}\r\n\r\n"
    )
    .unwrap();
    match chunk {
        None => stream.write_all(body).unwrap(),
        Some(n) => {
            for c in body.chunks(n) {
                write!(stream, "{:x}\r\n", c.len()).unwrap();
                stream.write_all(c).unwrap();
                stream.write_all(b"\r\n").unwrap();
            }
            stream.write_all(b"0\r\n\r\n").unwrap();
        }
    }
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut len = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h.trim_end().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

fn multipart() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

#[test]
fn a_well_formed_form_gets_the_recorded_reply_whatever_its_framing() {
    let input = aoa_e2e_bench::wav(100_000);
    let server = server::start(&input, &[], Reply::ContentLength);
    let body = form(&input, Some("in.wav"));
    // Chunks of 7 bytes split the delimiters and headers across pieces.
    for chunk in [None, Some(7), Some(4096), Some(1 << 20)] {
        let (status, reply) = send(&server.endpoint, &multipart(), &body, chunk);
        assert_eq!(
            (status, reply.as_str()),
            (200, whisper_reply::BODY),
            "{chunk:?}"
        );
    }
    let uploads = server.uploads.lock().unwrap();
    let chunked: Vec<bool> = uploads.iter().map(|u| u.chunked).collect();
    assert_eq!(chunked, [false, true, true, true]);
    for u in uploads.iter() {
        assert_eq!(u.body_bytes, body.len() as u64);
        assert_eq!(u.parts, ["file", "model"]);
        assert!(u.problem.is_none());
    }
}

#[test]
fn a_form_whose_file_differs_from_the_input_is_refused() {
    let input = aoa_e2e_bench::wav(100_000);
    let server = server::start(&input, &[], Reply::ContentLength);
    let mut changed = input.clone();
    changed[50_000] ^= 1;
    let short = &input[..input.len() - 1];
    let long = [&input[..], b"x"].concat();
    for file in [&changed[..], short, &long] {
        let (status, reply) = send(
            &server.endpoint,
            &multipart(),
            &form(file, Some("in.wav")),
            Some(999),
        );
        assert_eq!(status, 400);
        assert!(
            reply.contains("the file part is not the input file"),
            "{reply}"
        );
    }
}

#[test]
fn a_file_part_without_a_filename_or_a_body_that_is_not_a_form_is_refused() {
    let input = aoa_e2e_bench::wav(1_000);
    let server = server::start(&input, &[], Reply::ContentLength);
    let (status, reply) = send(&server.endpoint, &multipart(), &form(&input, None), None);
    assert_eq!(status, 400);
    assert!(reply.contains("no filename"), "{reply}");
    let (status, reply) = send(&server.endpoint, "application/json", b"{}", None);
    assert_eq!(status, 400);
    assert!(reply.contains("not multipart/form-data"), "{reply}");
    let unclosed = &form(&input, Some("in.wav"))[..1_100];
    let (status, reply) = send(&server.endpoint, &multipart(), unclosed, None);
    assert_eq!(status, 400);
    assert!(reply.contains("closing delimiter"), "{reply}");
    assert_eq!(server.refused.load(std::sync::atomic::Ordering::Relaxed), 3);
}
