//! A raw HTTP/1.1 server on 127.0.0.1 that can misbehave at the connection level (reset
//! mid-body, stall, stream for ever), which wiremock cannot; and the bytes of chunked replies.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the raw server does with one request.
pub enum Act {
    /// Writes these bytes (a whole response) and keeps the connection for the next request.
    Reply(Vec<u8>),
    /// Writes these bytes, then resets the connection (RST).
    ResetAfter(Vec<u8>),
    /// Writes these bytes, then closes the connection normally (FIN).
    CloseAfter(Vec<u8>),
    /// Writes these bytes, then holds the connection open and sends nothing more.
    Stall(Vec<u8>),
    /// Writes `head`, then `chunk` again and again until the client closes the connection
    /// (see [`RawServer::abandoned`]).
    Endless { head: Vec<u8>, chunk: Vec<u8> },
    /// Writes `head` (which says `transfer-encoding: chunked`), then `chunk` `times` times,
    /// each as one chunk of the chunked encoding, then the last chunk: a long body made from
    /// one small buffer.
    Chunked {
        head: Vec<u8>,
        chunk: Vec<u8>,
        times: usize,
    },
}

/// The head of a `200 OK` with a chunked body (no `Content-Length`) of `content_type`, as
/// Azure sends speech.
pub fn chunked_head(content_type: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\napim-request-id: req-chunked-1\r\n\r\n"
    )
    .into_bytes()
}

/// `bytes` as one chunk of the chunked encoding.
pub fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    framed.extend_from_slice(b"\r\n");
    framed
}

/// A whole `200 OK` whose chunked body is `parts`, one chunk each.
pub fn chunked_reply(content_type: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut reply = chunked_head(content_type);
    for part in parts {
        reply.extend(chunk(part));
    }
    reply.extend_from_slice(b"0\r\n\r\n");
    reply
}

/// The connections a client closed while an [`Act::Endless`] body was being written.
#[derive(Default)]
pub struct Abandoned {
    count: AtomicUsize,
    /// Bytes written after the heads, over all such connections.
    bytes: std::sync::atomic::AtomicU64,
    notify: tokio::sync::Notify,
}

impl Abandoned {
    /// Waits until `n` connections were closed by the client, and returns the bytes of body
    /// written to them.
    pub async fn wait_for(&self, n: usize) -> u64 {
        while self.count.load(Ordering::SeqCst) < n {
            self.notify.notified().await;
        }
        self.bytes.load(Ordering::SeqCst)
    }
}

/// A full `200 OK` response with a JSON body.
pub fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A raw HTTP/1.1 server that counts accepted connections and requests.
pub struct RawServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Requests whose head was read.
    pub requests: Arc<AtomicUsize>,
    /// TCP connections accepted.
    pub connections: Arc<AtomicUsize>,
    /// Connections the client closed during an [`Act::Endless`] body.
    pub abandoned: Arc<Abandoned>,
}

impl RawServer {
    /// Starts on 127.0.0.1; `script(n)` says what to do with the n-th request (0-based).
    pub async fn start(script: impl Fn(usize) -> Act + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let abandoned = Arc::new(Abandoned::default());
        let script = Arc::new(script);
        let (r, c, a) = (requests.clone(), connections.clone(), abandoned.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, r.clone(), script.clone(), a.clone()));
            }
        });
        RawServer {
            addr,
            requests,
            connections,
            abandoned,
        }
    }

    /// `http://127.0.0.1:port`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests seen so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve<S>(
    mut stream: TcpStream,
    requests: Arc<AtomicUsize>,
    script: Arc<S>,
    abandoned: Arc<Abandoned>,
) where
    S: Fn(usize) -> Act + Send + Sync + 'static,
{
    let mut buf = Vec::with_capacity(4096);
    loop {
        // The head.
        let head_end = loop {
            if let Some(at) = find(&buf, b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let n = requests.fetch_add(1, Ordering::SeqCst);
        // The body.
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 16384];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(k) => buf.extend_from_slice(&chunk[..k]),
            }
        }
        buf.drain(..head_end + length);
        match script(n) {
            Act::Reply(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Act::ResetAfter(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                let _ = stream.set_zero_linger();
                return;
            }
            Act::CloseAfter(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            Act::Stall(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                std::future::pending::<()>().await;
            }
            Act::Chunked {
                head,
                chunk: bytes,
                times,
            } => {
                let framed = chunk(&bytes);
                if stream.write_all(&head).await.is_err() {
                    return;
                }
                for _ in 0..times {
                    if stream.write_all(&framed).await.is_err() {
                        return;
                    }
                }
                if stream.write_all(b"0\r\n\r\n").await.is_err() {
                    return;
                }
            }
            Act::Endless { head, chunk } => {
                if stream.write_all(&head).await.is_err() {
                    return;
                }
                while stream.write_all(&chunk).await.is_ok() {
                    abandoned
                        .bytes
                        .fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
                abandoned.count.fetch_add(1, Ordering::SeqCst);
                abandoned.notify.notify_one();
                return;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
