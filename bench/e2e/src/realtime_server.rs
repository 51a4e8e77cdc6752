//! The Realtime job's loopback WebSocket server (tokio-tungstenite, on its own thread and
//! runtime in the runner's process).
//!
//! It answers the GA handshake (`GET /openai/v1/realtime?model=DEPLOYMENT` with the `api-key`
//! header; anything else is refused with Azure's status and error body), sends `session.created`,
//! and on `response.create` streams one response the way the service does, as fast as the
//! client reads it: `response.created`, `response.output_item.added`, `conversation.item.added`,
//! `response.content_part.added`, then the plan's audio as `response.output_audio.delta` events
//! (with the event, response and item ids the service sends) and a
//! `response.output_audio_transcript.delta` before every tenth, then the `.done` events of the
//! audio, the transcript, the part and the item, `response.done` with its usage and
//! `rate_limits.updated`. A content part's `type` is `audio` in the `response.content_part.*`
//! events (as the OpenAPI spec has it; the item's content part is `output_audio`).
//! `session.update` gets `session.updated`; other events are ignored.
//! Each session is logged in [`RealtimeServer::sessions`].

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::{http, Message};
use tokio_tungstenite::WebSocketStream;

use crate::realtime::{Plan, CYCLE, DEPLOYMENT, KEY, RATE};

/// A transcript delta before every this many audio deltas.
const TRANSCRIPT_EVERY: usize = 10;
/// Messages written between flushes.
const FLUSH_EVERY: usize = 16;
/// The transcript's words, in turn.
const WORDS: &[&str] = &[
    "Sure,", "here", "is", "a", "long", "answer", "about", "the", "\"sea\"", "and", "its",
    "tides,", "told", "slowly.",
];

/// The running server.
pub struct RealtimeServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Every connection, in the order they came.
    pub sessions: Arc<Mutex<Vec<Session>>>,
}

/// One connection as the server saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Why the handshake or the session failed, if it did.
    pub problem: Option<String>,
    /// Audio deltas sent, and their pcm16 bytes.
    pub audio_deltas: u64,
    pub audio_bytes: u64,
    /// `response.done` was sent.
    pub done: bool,
    /// The connection is over (the log is final).
    pub finished: bool,
}

/// Starts the server for `plan` on a loopback port.
pub fn start(plan: Plan) -> RealtimeServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let sessions = Arc::new(Mutex::new(Vec::new()));
    let log = sessions.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let index = {
                        let mut log = log.lock().expect("log");
                        log.push(Session::default());
                        log.len() - 1
                    };
                    let mut session = Session::default();
                    if let Err(why) = serve(stream, plan, &mut session).await {
                        session.problem.get_or_insert(why);
                    }
                    session.finished = true;
                    log.lock().expect("log")[index] = session;
                });
            }
        });
    });
    RealtimeServer { endpoint, sessions }
}

/// The GA route, the deployment and the key, or the status and message Azure refuses with.
fn check(req: &Request) -> Result<(), (u16, String)> {
    if req.uri().path() != "/openai/v1/realtime" {
        return Err((404, format!("no route {}", req.uri().path())));
    }
    let query: Vec<(&str, &str)> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .collect();
    if query.iter().any(|(k, _)| *k == "api-version") {
        return Err((401, "an api-version on the GA route".into()));
    }
    if !query.contains(&("model", DEPLOYMENT)) {
        return Err((404, format!("the model is not {DEPLOYMENT}")));
    }
    if req.headers().get("api-key").map(|v| v.as_bytes()) != Some(KEY.as_bytes()) {
        return Err((401, "no api-key, or not the bench's".into()));
    }
    Ok(())
}

/// One connection: the handshake, then events until the client closes.
async fn serve(stream: TcpStream, plan: Plan, log: &mut Session) -> Result<(), String> {
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut refused = None;
    // tungstenite's callback type, with its large error.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        check(req).map(|()| resp).map_err(|(status, why)| {
            let body = json!({"error": {"code": status.to_string(), "message": why}}).to_string();
            refused = Some(why);
            let mut refusal = http::Response::new(Some(body));
            *refusal.status_mut() = http::StatusCode::from_u16(status).expect("status");
            refusal
        })
    };
    let accepted = tokio_tungstenite::accept_hdr_async(stream, callback).await;
    if let Some(why) = refused {
        return Err(format!("handshake refused: {why}"));
    }
    let mut ws = accepted.map_err(|e| format!("handshake failed: {e}"))?;
    let mut ids = Ids::default();
    let session = session_object(&mut ids);
    send(
        &mut ws,
        &mut ids,
        json!({"type": "session.created", "session": session}),
    )
    .await?;
    while let Some(message) = ws.next().await {
        let text = match message.map_err(|e| format!("read: {e}"))? {
            Message::Text(text) => text,
            // tungstenite answers the close; the stream then ends.
            _ => continue,
        };
        let event: Value =
            serde_json::from_str(text.as_str()).map_err(|e| format!("not JSON: {e}"))?;
        match event["type"].as_str() {
            Some("response.create") => respond(&mut ws, &mut ids, plan, log).await?,
            Some("session.update") => {
                let updated = json!({"type": "session.updated", "session": session});
                send(&mut ws, &mut ids, updated).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Writes one event with its `event_id` (and flushes).
async fn send(
    ws: &mut WebSocketStream<TcpStream>,
    ids: &mut Ids,
    mut event: Value,
) -> Result<(), String> {
    event["event_id"] = json!(ids.next("event"));
    ws.send(Message::text(event.to_string()))
        .await
        .map_err(|e| format!("write: {e}"))
}

/// The response: its opening events, the deltas, its closing events.
async fn respond(
    ws: &mut WebSocketStream<TcpStream>,
    ids: &mut Ids,
    plan: Plan,
    log: &mut Session,
) -> Result<(), String> {
    let response_id = ids.next("resp");
    let item_id = ids.next("item");
    let conversation_id = ids.next("conv");
    let item = |status: &str, transcript: Option<&str>| {
        let content = match transcript {
            Some(t) => json!([{"type": "output_audio", "transcript": t}]),
            None => json!([]),
        };
        json!({"id": item_id, "type": "message", "status": status, "role": "assistant",
            "object": "realtime.item", "content": content})
    };
    let base = json!({"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0});
    let with = |kind: &str, extra: Value| {
        let mut e = base.clone();
        e["type"] = json!(kind);
        if let (Some(e), Value::Object(extra)) = (e.as_object_mut(), extra) {
            e.extend(extra);
        }
        e
    };
    let response = |status: &str, output: Value, usage: Value| {
        json!({"object": "realtime.response", "id": response_id, "status": status,
            "status_details": null, "output": output, "conversation_id": conversation_id,
            "output_modalities": ["audio"], "max_output_tokens": "inf",
            "audio": {"output": {"format": {"type": "audio/pcm", "rate": RATE}, "voice": "marin"}},
            "usage": usage, "metadata": null})
    };
    for event in [
        json!({"type": "response.created", "response": response("in_progress", json!([]), Value::Null)}),
        json!({"type": "response.output_item.added", "response_id": response_id, "output_index": 0,
            "item": item("in_progress", None)}),
        json!({"type": "conversation.item.added", "previous_item_id": null, "item": item("in_progress", None)}),
        with(
            "response.content_part.added",
            json!({"part": {"type": "audio", "transcript": ""}}),
        ),
    ] {
        send(ws, ids, event).await?;
    }

    let engine = base64::engine::general_purpose::STANDARD;
    let mut encoded: Vec<Option<String>> = vec![None; CYCLE];
    let mut transcript = String::new();
    let mut written = 0;
    for (k, pcm) in plan.deltas().enumerate() {
        if k % TRANSCRIPT_EVERY == 0 {
            let word = format!("{} ", WORDS[k / TRANSCRIPT_EVERY % WORDS.len()]);
            transcript.push_str(&word);
            let mut event = with(
                "response.output_audio_transcript.delta",
                json!({"delta": word}),
            );
            event["event_id"] = json!(ids.next("event"));
            ws.feed(Message::text(event.to_string()))
                .await
                .map_err(|e| format!("write: {e}"))?;
        }
        let fresh;
        let b64 = if pcm.len() == plan.delta_bytes() {
            encoded[k % CYCLE]
                .get_or_insert_with(|| engine.encode(pcm))
                .as_str()
        } else {
            fresh = engine.encode(pcm);
            fresh.as_str()
        };
        let event = format!(
            r#"{{"type":"response.output_audio.delta","event_id":"{}","response_id":"{response_id}","item_id":"{item_id}","output_index":0,"content_index":0,"delta":"{b64}"}}"#,
            ids.next("event")
        );
        ws.feed(Message::text(event))
            .await
            .map_err(|e| format!("write: {e}"))?;
        log.audio_deltas += 1;
        log.audio_bytes += pcm.len() as u64;
        written += 1;
        if written % FLUSH_EVERY == 0 {
            ws.flush().await.map_err(|e| format!("write: {e}"))?;
        }
    }

    let transcript = transcript.trim_end().to_owned();
    let done_item = item("completed", Some(&transcript));
    let audio_tokens = plan.seconds * 20;
    let text_tokens = transcript.len().div_ceil(4) as u64;
    let usage = json!({"total_tokens": 20 + audio_tokens + text_tokens, "input_tokens": 20,
        "output_tokens": audio_tokens + text_tokens,
        "input_token_details": {"text_tokens": 20, "audio_tokens": 0, "image_tokens": 0, "cached_tokens": 0,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0}},
        "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens}});
    for event in [
        with("response.output_audio.done", json!({})),
        with(
            "response.output_audio_transcript.done",
            json!({"transcript": transcript}),
        ),
        with(
            "response.content_part.done",
            json!({"part": {"type": "audio", "transcript": transcript}}),
        ),
        json!({"type": "response.output_item.done", "response_id": response_id, "output_index": 0, "item": done_item}),
        json!({"type": "conversation.item.done", "item": done_item}),
        json!({"type": "response.done", "response": response("completed", json!([done_item]), usage)}),
        json!({"type": "rate_limits.updated", "rate_limits": [
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
            {"name": "tokens", "limit": 50_000, "remaining": 0, "reset_seconds": 60}]}),
    ] {
        send(ws, ids, event).await?;
    }
    log.done = true;
    Ok(())
}

/// The session object of `session.created` (GA).
fn session_object(ids: &mut Ids) -> Value {
    json!({"type": "realtime", "object": "realtime.session", "id": ids.next("sess"), "model": DEPLOYMENT,
        "output_modalities": ["audio"], "instructions": "", "tools": [], "tool_choice": "auto",
        "max_output_tokens": "inf", "tracing": null, "prompt": null, "expires_at": 1_900_000_000,
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": RATE}, "transcription": null,
                "noise_reduction": null,
                "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                    "silence_duration_ms": 200, "idle_timeout_ms": null, "create_response": true,
                    "interrupt_response": true}},
            "output": {"format": {"type": "audio/pcm", "rate": RATE}, "voice": "marin", "speed": 1.0}},
        "include": null})
}

/// Ids shaped like the service's: `prefix_` and 21 letters and digits, from a counter.
#[derive(Default)]
struct Ids {
    n: u64,
}

impl Ids {
    fn next(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        self.n += 1;
        let mut x = self.n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut id = String::with_capacity(prefix.len() + 22);
        id.push_str(prefix);
        id.push('_');
        for _ in 0..21 {
            // splitmix64's finalizer, one letter a step.
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^= x >> 31;
            id.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
        }
        id
    }
}
