//! A raw WebSocket server on 127.0.0.1 for the Realtime tests: each connection it accepts
//! follows the next plan (refuse the handshake with a status, or accept and run a script), and
//! every handshake request is recorded (path, query, headers).
#![allow(dead_code, clippy::result_large_err)]

use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub type Ws = WebSocketStream<TcpStream>;
pub type Script = Box<dyn FnOnce(Ws) -> BoxFuture<'static, ()> + Send>;

/// What the server does with one connection.
pub enum Plan {
    /// Refuses the handshake with this status, JSON body and `x-request-id`, and optional
    /// `retry-after`.
    Refuse {
        status: u16,
        body: String,
        request_id: &'static str,
        retry_after: Option<&'static str>,
    },
    /// Accepts (with `x-request-id: req-ws-1`) and runs the script.
    Accept(Script),
}

/// One recorded handshake request.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Handshake {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct WsServer {
    pub uri: String,
    handshakes: Arc<Mutex<Vec<Handshake>>>,
}

impl WsServer {
    /// Starts the server; connection `i` follows `plans[i]` (connections past the plans are dropped).
    pub async fn start(plans: Vec<Plan>) -> WsServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}", listener.local_addr().unwrap());
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let recorded = handshakes.clone();
        tokio::spawn(async move {
            for plan in plans {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let recorded = recorded.clone();
                tokio::spawn(serve(stream, plan, recorded));
            }
        });
        WsServer { uri, handshakes }
    }

    pub fn handshakes(&self) -> Vec<Handshake> {
        self.handshakes.lock().unwrap().clone()
    }
}

async fn serve(stream: TcpStream, plan: Plan, recorded: Arc<Mutex<Vec<Handshake>>>) {
    let refuse = match &plan {
        Plan::Refuse {
            status,
            body,
            request_id,
            retry_after,
        } => Some((*status, body.clone(), *request_id, *retry_after)),
        Plan::Accept(_) => None,
    };
    let callback = move |request: &Request, mut response: Response| {
        recorded.lock().unwrap().push(Handshake {
            path: request.uri().path().to_owned(),
            query: request.uri().query().map(str::to_owned),
            headers: request
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
        });
        match refuse {
            Some((status, body, request_id, retry_after)) => {
                let mut refusal = ErrorResponse::new(Some(body));
                *refusal.status_mut() = status.try_into().unwrap();
                let headers = refusal.headers_mut();
                headers.insert("x-request-id", request_id.parse().unwrap());
                headers.insert("content-type", "application/json".parse().unwrap());
                if let Some(after) = retry_after {
                    headers.insert("retry-after", after.parse().unwrap());
                }
                Err(refusal)
            }
            None => {
                response
                    .headers_mut()
                    .insert("x-request-id", "req-ws-1".parse().unwrap());
                Ok(response)
            }
        }
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    if let Plan::Accept(script) = plan {
        script(ws).await;
    }
}

pub const SESSION_CREATED: &str = r#"{"type":"session.created","event_id":"ev_1","session":{"type":"realtime","id":"sess_1","model":"gpt-realtime"}}"#;

/// A script: sends `session.created`, then forwards every text message it gets to `tx` and the
/// close code (as `close:<code>`) when the client closes; answers the close.
pub fn record(tx: mpsc::UnboundedSender<String>) -> Script {
    Box::new(move |mut ws: Ws| {
        Box::pin(async move {
            ws.send(Message::text(SESSION_CREATED)).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                match message {
                    Message::Text(text) => {
                        let _ = tx.send(text.as_str().to_owned());
                    }
                    Message::Close(frame) => {
                        let code = frame.map(|f| u16::from(f.code)).unwrap_or(0);
                        let _ = tx.send(format!("close:{code}"));
                    }
                    _ => {}
                }
            }
        })
    })
}

/// A script: sends `session.created`, then each of `messages`, then keeps reading (answering
/// pings) until the client goes.
pub fn say(messages: Vec<Message>) -> Script {
    Box::new(move |mut ws: Ws| {
        Box::pin(async move {
            ws.send(Message::text(SESSION_CREATED)).await.unwrap();
            for message in messages {
                if ws.send(message).await.is_err() {
                    return;
                }
            }
            while let Some(Ok(_)) = ws.next().await {}
        })
    })
}

/// A close frame with `code` and `reason`.
pub fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}
