//! A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with one canned reply, sending
//! a chunked body in small, awkward pieces (each flushed, with a yield between), so the client
//! sees events cut at arbitrary bytes. It can also stop at a given byte of the body until the
//! test lets it go on ([`Reply::pause_after`]), so a test can look at what the client did with
//! the first part while the rest has not been sent. wiremock cannot do either, hence this.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The last chunk (`0\r\n\r\n`).
    Complete,
    /// The connection is closed without the last chunk.
    Abort,
    /// Nothing more is sent; the server waits for the client to close the connection.
    Hold,
}

/// Where a chunked body stops until the test releases it.
#[derive(Debug, Default)]
pub struct Gate {
    /// The server has sent (and flushed) everything before the pause.
    reached: tokio::sync::Notify,
    /// The test lets the server send the rest.
    release: tokio::sync::Notify,
}

/// The reply the server gives.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Sizes of the pieces the body is sent in, used in turn (a chunked body when non-empty).
    pub pieces: Vec<usize>,
    pub end: End,
    /// Stop after this many bytes of the body until the gate is released.
    pub pause: Option<(usize, Arc<Gate>)>,
}

impl Reply {
    /// A `200 text/event-stream` reply with `body`, sent in `pieces`.
    pub fn sse(body: impl Into<Vec<u8>>, pieces: &[usize]) -> Self {
        Reply {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "text/event-stream; charset=utf-8".into(),
            )],
            body: body.into(),
            pieces: pieces.to_vec(),
            end: End::Complete,
            pause: None,
        }
    }

    /// A reply with a status and a JSON body sent at once, with a `Content-Length`.
    pub fn json(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            pieces: Vec::new(),
            end: End::Complete,
            pause: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn end(mut self, end: End) -> Self {
        self.end = end;
        self
    }

    /// Sends the first `at` bytes of the (chunked) body, then waits for [`Server::release`]
    /// before the rest. [`Server::wait_paused`] returns once those bytes are sent.
    pub fn pause_after(mut self, at: usize) -> Self {
        assert!(!self.pieces.is_empty(), "only a chunked body can pause");
        assert!(0 < at && at < self.body.len(), "a pause inside the body");
        self.pause = Some((at, Arc::new(Gate::default())));
        self
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }
}

/// The running server.
pub struct Server {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub connections: Arc<AtomicUsize>,
    /// Set when the client closed the connection before the body was over: a write failed,
    /// or (for [`End::Hold`]) reading the socket gave EOF or an error. Never set otherwise.
    pub client_closed: Arc<AtomicBool>,
    closed_notify: Arc<tokio::sync::Notify>,
    gate: Option<Arc<Gate>>,
}

impl Server {
    pub async fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let client_closed = Arc::new(AtomicBool::new(false));
        let closed_notify = Arc::new(tokio::sync::Notify::new());
        let server = Server {
            addr,
            received: received.clone(),
            connections: connections.clone(),
            client_closed: client_closed.clone(),
            closed_notify: closed_notify.clone(),
            gate: reply.pause.as_ref().map(|(_, gate)| gate.clone()),
        };
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                connections.fetch_add(1, Ordering::SeqCst);
                let (reply, received) = (reply.clone(), received.clone());
                let (closed, notify) = (client_closed.clone(), closed_notify.clone());
                tokio::spawn(async move {
                    serve(socket, reply, received, closed, notify).await;
                });
            }
        });
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until the body has been sent up to its pause ([`Reply::pause_after`]).
    pub async fn wait_paused(&self) {
        self.gate
            .as_ref()
            .expect("a reply with a pause")
            .reached
            .notified()
            .await;
    }

    /// Lets the server send the rest of the body after its pause.
    pub fn release(&self) {
        self.gate
            .as_ref()
            .expect("a reply with a pause")
            .release
            .notify_one();
    }

    /// Waits (at most `limit`) until the client closes the connection mid-body.
    pub async fn wait_client_closed(&self, limit: Duration) -> bool {
        let notified = self.closed_notify.notified();
        if self.client_closed.load(Ordering::SeqCst) {
            return true;
        }
        let _ = tokio::time::timeout(limit, notified).await;
        self.client_closed.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut socket: TcpStream,
    reply: Reply,
    received: Arc<Mutex<Vec<Received>>>,
    client_closed: Arc<AtomicBool>,
    notify: Arc<tokio::sync::Notify>,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    received.lock().unwrap().push(request);
    let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (n, v) in &reply.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let chunked = !reply.pieces.is_empty();
    if chunked {
        head.push_str("transfer-encoding: chunked\r\n\r\n");
    } else {
        head.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
    }
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    if !chunked {
        let _ = socket.write_all(&reply.body).await;
        let _ = socket.flush().await;
        return;
    }
    let closed = || {
        client_closed.store(true, Ordering::SeqCst);
        notify.notify_waiters();
    };
    let mut rest = reply.body.as_slice();
    let mut sent = 0;
    let mut sizes = reply.pieces.iter().cycle();
    while !rest.is_empty() {
        if let Some((at, gate)) = &reply.pause {
            if sent == *at {
                // notify_one keeps the signal for a test that starts waiting later.
                gate.reached.notify_one();
                gate.release.notified().await;
            }
        }
        let mut n = (*sizes.next().unwrap()).clamp(1, rest.len());
        if let Some((at, _)) = &reply.pause {
            if sent < *at {
                n = n.min(at - sent);
            }
        }
        let (piece, tail) = rest.split_at(n);
        let mut frame = format!("{n:x}\r\n").into_bytes();
        frame.extend_from_slice(piece);
        frame.extend_from_slice(b"\r\n");
        if socket.write_all(&frame).await.is_err() || socket.flush().await.is_err() {
            // The client went away mid-body.
            closed();
            return;
        }
        tokio::task::yield_now().await;
        rest = tail;
        sent += n;
    }
    match reply.end {
        End::Complete => {
            let _ = socket.write_all(b"0\r\n\r\n").await;
            let _ = socket.flush().await;
        }
        End::Abort => {}
        End::Hold => {
            // Like a service still generating: a keep-alive comment now and then, until the
            // client closes the connection (read gives EOF or a write fails). The server gives
            // up after ~20 s without saying the client closed: it did not.
            let mut buf = [0u8; 1024];
            for _ in 0..1000 {
                tokio::select! {
                    read = socket.read(&mut buf) => {
                        if matches!(read, Ok(0) | Err(_)) {
                            closed();
                            return;
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {
                        let ping = b"d\r\n: keep-alive\n\r\n";
                        if socket.write_all(ping).await.is_err() || socket.flush().await.is_err() {
                            closed();
                            return;
                        }
                    }
                }
            }
        }
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}
