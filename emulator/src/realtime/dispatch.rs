//! A session's state and what each client event does to it: the events it answers with, in
//! the service's order (the socket loop in `connection.rs` sends them).

use base64::Engine as _;
use serde_json::{json, Value};

use super::conversation::{hear, render, Conversation};
use super::events::{self, Ids};
use super::fields;
use super::input::{Heard, InputBuffer};
use super::protocol::Protocol;
use super::response::{Options, Run};
use super::session::Settings;
use crate::errors::Failure;

/// The client events the emulator knows.
const CLIENT_EVENTS: &[&str] = &[
    "session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "conversation.item.delete",
    "response.create",
    "response.cancel",
];

/// A connected session.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) protocol: Protocol,
    pub(crate) ids: Ids,
    settings: Settings,
    conversation: Conversation,
    conversation_id: String,
    input: InputBuffer,
    /// The item id speech detection announced, for its turn.
    speech_item: Option<String>,
    active: Option<Run>,
}

impl Session {
    pub(crate) fn new(
        protocol: Protocol,
        model: &'static str,
        seed: u64,
        expires_at: i64,
    ) -> Session {
        let mut ids = Ids::new(seed);
        let settings = Settings::new(ids.next("sess"), model, expires_at);
        Session {
            protocol,
            conversation_id: ids.next("conv"),
            ids,
            input: InputBuffer::new(settings.turn_detection.as_ref()),
            settings,
            conversation: Conversation::default(),
            speech_item: None,
            active: None,
        }
    }

    /// `session.created`.
    pub(crate) fn created(&self) -> Value {
        json!({"type": "session.created", "session": self.settings.to_json(self.protocol)})
    }

    /// Whether a response is being sent.
    pub(crate) fn responding(&self) -> bool {
        self.active.is_some()
    }

    /// The next step of the response being sent, and whether it held a delta.
    pub(crate) fn step(&mut self) -> (Vec<Value>, bool) {
        let Some(run) = &mut self.active else {
            return (Vec::new(), false);
        };
        match run.next(&mut self.conversation) {
            Some(step) => step,
            None => {
                self.active = None;
                (Vec::new(), false)
            }
        }
    }

    /// The events answering a client event's text.
    pub(crate) fn handle(&mut self, text: &str) -> Vec<Value> {
        let event: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let f = events::invalid(
                    "invalid_json",
                    format!("The client event is not valid JSON: {e}."),
                    None,
                );
                return vec![events::error(&f, None)];
            }
        };
        let client_id = event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match self.dispatch(&event) {
            Ok(out) => out,
            Err(f) => vec![events::error(&f, client_id.as_deref())],
        }
    }

    fn dispatch(&mut self, event: &Value) -> Result<Vec<Value>, Failure> {
        let kind = match event.get("type") {
            Some(Value::String(k)) => k.as_str(),
            Some(other) => return Err(Failure::wrong_type("type", "a string", other)),
            None => {
                return Err(events::invalid(
                    "invalid_event",
                    "The 'type' field is missing.",
                    None,
                ))
            }
        };
        let string = |key: &str| -> Result<&str, Failure> {
            match event.get(key) {
                Some(Value::String(s)) => Ok(s),
                Some(other) => Err(Failure::wrong_type(key, "a string", other)),
                None => Err(Failure::missing(key)),
            }
        };
        let count = |key: &str| -> Result<u64, Failure> {
            let v = event.get(key).ok_or_else(|| Failure::missing(key))?;
            v.as_u64()
                .ok_or_else(|| Failure::wrong_type(key, "a non-negative integer", v))
        };
        Ok(match kind {
            "session.update" => {
                let s = event
                    .get("session")
                    .ok_or_else(|| Failure::missing("session"))?;
                let before = self.settings.turn_detection.clone();
                self.settings.update(self.protocol, s)?;
                if self.settings.turn_detection != before {
                    self.input.configure(self.settings.turn_detection.as_ref());
                    self.speech_item = None;
                }
                vec![
                    json!({"type": "session.updated", "session": self.settings.to_json(self.protocol)}),
                ]
            }
            "input_audio_buffer.append" => {
                let audio = base64::engine::general_purpose::STANDARD
                    .decode(string("audio")?)
                    .map_err(|_| {
                        events::invalid(
                            "invalid_value",
                            "Invalid 'audio'. Expected base64-encoded pcm16 audio.",
                            Some("audio"),
                        )
                    })?;
                let heard = self.input.append(&audio);
                let mut out = Vec::new();
                for h in heard {
                    self.heard(h, &mut out);
                }
                out
            }
            "input_audio_buffer.commit" => {
                let segment = self.input.commit()?;
                let item_id = self
                    .speech_item
                    .take()
                    .unwrap_or_else(|| self.ids.next("item"));
                self.commit_turn(&segment, item_id)
            }
            "input_audio_buffer.clear" => {
                self.input.clear();
                self.speech_item = None;
                vec![json!({"type": "input_audio_buffer.cleared"})]
            }
            "conversation.item.create" => {
                let item = event.get("item").ok_or_else(|| Failure::missing("item"))?;
                let previous = match event.get("previous_item_id") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(string("previous_item_id")?),
                };
                let new_id = self.ids.next("item");
                let (item, previous) = self.conversation.create(item, previous, new_id)?;
                self.item_added(&item, previous)
            }
            "conversation.item.retrieve" => {
                let id = string("item_id")?;
                let item = self.conversation.get(id).ok_or_else(|| {
                    Failure::invalid(
                        format!("Item with item_id '{id}' not found."),
                        Some("item_id"),
                        "item_not_found",
                    )
                })?;
                vec![
                    json!({"type": "conversation.item.retrieved", "item": render(item, self.protocol)}),
                ]
            }
            "conversation.item.truncate" => {
                let id = string("item_id")?;
                let content_index = count("content_index")?;
                let audio_end_ms = count("audio_end_ms")?;
                self.conversation
                    .truncate(id, usize::try_from(content_index).unwrap_or(usize::MAX))?;
                vec![json!({"type": "conversation.item.truncated", "item_id": id,
                    "content_index": content_index, "audio_end_ms": audio_end_ms})]
            }
            "conversation.item.delete" => {
                let id = string("item_id")?;
                self.conversation.delete(id)?;
                vec![json!({"type": "conversation.item.deleted", "item_id": id})]
            }
            "response.create" => {
                if let Some(run) = &self.active {
                    return Err(events::invalid(
                        "conversation_already_has_active_response",
                        format!("Conversation already has an active response in progress: {}. Wait until the response is finished before creating a new one.", run.id),
                        None,
                    ));
                }
                let options = self.options(event.get("response"))?;
                vec![self.respond(options)]
            }
            "response.cancel" => match self.active.take() {
                Some(run) => run.cancel("client_cancelled", &mut self.conversation),
                None => {
                    return Err(events::invalid(
                        "response_cancel_not_active",
                        "Cancellation failed: no active response found",
                        None,
                    ))
                }
            },
            other => return Err(Failure::invalid_value("type", other, CLIENT_EVENTS)),
        })
    }

    /// Starts a response; returns its `response.created`.
    fn respond(&mut self, options: Options) -> Value {
        let (run, created) = Run::start(
            self.protocol,
            options,
            &self.conversation,
            &self.conversation_id,
            &mut self.ids,
        );
        self.active = Some(run);
        created
    }

    /// The options of `response.create`'s `response`: the session's, with its overrides.
    fn options(&self, response: Option<&Value>) -> Result<Options, Failure> {
        let mut o = Options::of(&self.settings);
        let Some(r) = response.filter(|r| !r.is_null()) else {
            return Ok(o);
        };
        let r = r
            .as_object()
            .ok_or_else(|| Failure::wrong_type("response", "an object", r))?;
        let modalities = match self.protocol {
            Protocol::Ga => "output_modalities",
            Protocol::Preview => "modalities",
        };
        if let Some(m) = r.get(modalities) {
            let m = fields::modalities(m, &format!("response.{modalities}"))?;
            o.audio_out = m.contains(&"audio");
        }
        if let Some(i) = r.get("instructions").and_then(Value::as_str) {
            o.instructions = i.to_owned();
        }
        let voice = r
            .get("voice")
            .or_else(|| r.get("audio").and_then(|a| a.pointer("/output/voice")));
        if let Some(v) = voice.and_then(Value::as_str) {
            if !fields::VOICES.contains(&v) {
                return Err(Failure::invalid_value("response.voice", v, fields::VOICES));
            }
            o.voice = v.to_owned();
        }
        if let Some(t) = r.get("tools") {
            o.tools = fields::tools(t, "response.tools")?;
        }
        if let Some(c) = r.get("tool_choice") {
            o.tool_choice = fields::tool_choice(c, "response.tool_choice")?;
        }
        match r.get("conversation").and_then(Value::as_str) {
            Some("none") => o.in_conversation = false,
            Some("auto") | None => {}
            Some(other) => {
                return Err(Failure::invalid_value(
                    "response.conversation",
                    other,
                    &["auto", "none"],
                ))
            }
        }
        if let Some(m) = r.get("metadata") {
            o.metadata = m.clone();
        }
        Ok(o)
    }

    /// What turn detection found: speech started (which may interrupt the response being sent)
    /// or stopped (the turn is committed and, when asked, answered).
    fn heard(&mut self, heard: Heard, out: &mut Vec<Value>) {
        let turn = self.settings.turn_detection.clone().unwrap_or_default();
        match heard {
            Heard::Started { at_ms } => {
                let item_id = self.ids.next("item");
                out.push(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": at_ms, "item_id": item_id}));
                self.speech_item = Some(item_id);
                if turn.interrupt_response {
                    if let Some(run) = self.active.take() {
                        out.extend(run.cancel("turn_detected", &mut self.conversation));
                    }
                }
            }
            Heard::Stopped { at_ms, segment } => {
                let item_id = self
                    .speech_item
                    .take()
                    .unwrap_or_else(|| self.ids.next("item"));
                out.push(json!({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": at_ms, "item_id": item_id}));
                out.extend(self.commit_turn(&segment, item_id));
                if turn.create_response && self.active.is_none() {
                    let options = Options::of(&self.settings);
                    out.push(self.respond(options));
                }
            }
        }
    }

    /// A committed turn: `input_audio_buffer.committed`, the user's item, and its transcription
    /// when the session asks for one.
    fn commit_turn(&mut self, segment: &[i16], item_id: String) -> Vec<Value> {
        let item = json!({"id": item_id, "type": "message", "status": "completed", "role": "user",
            "content": [{"type": "input_audio", "transcript": null}]});
        let previous = self.conversation.push(item.clone());
        let text = hear(segment);
        self.conversation
            .set_heard(&item_id, text.clone(), segment.len());
        let mut out = vec![
            json!({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item_id}),
        ];
        out.extend(self.item_added(&item, previous));
        if self.settings.transcription.is_some() {
            let mut done = item;
            done["content"][0]["transcript"] = json!(text);
            self.conversation.replace(done);
            let audio_tokens = (segment.len() as u64).div_ceil(2400);
            let text_tokens = text.chars().count().div_ceil(4) as u64;
            for word in text.split_inclusive(' ') {
                out.push(
                    json!({"type": "conversation.item.input_audio_transcription.delta",
                    "item_id": item_id, "content_index": 0, "delta": word}),
                );
            }
            out.push(json!({"type": "conversation.item.input_audio_transcription.completed",
                "item_id": item_id, "content_index": 0, "transcript": text,
                "usage": {"type": "tokens", "total_tokens": audio_tokens + text_tokens, "input_tokens": audio_tokens,
                    "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens}, "output_tokens": text_tokens}}));
        }
        out
    }

    /// `conversation.item.added` and (GA) `conversation.item.done` for an item the client or a turn added.
    fn item_added(&self, item: &Value, previous: Option<String>) -> Vec<Value> {
        let item = render(item, self.protocol);
        vec![
            json!({"type": "conversation.item.added", "previous_item_id": previous, "item": item}),
            json!({"type": "conversation.item.done", "previous_item_id": previous, "item": item}),
        ]
    }
}
