//! The conversation's items (messages, function calls and their outputs), kept in order as
//! `conversation.item.create|delete|truncate|retrieve` and the responses change them, and what
//! the last of them asks for.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::protocol::Protocol;
use crate::errors::Failure;
use crate::tone_text;

/// What the emulator hears in audio that carries no tone-encoded text.
pub(crate) const HEARD_DEFAULT: &str = "Hello, can you hear me?";

const ITEM_TYPES: &[&str] = &["message", "function_call", "function_call_output"];
const ROLES: &[&str] = &["user", "assistant", "system"];
const PART_TYPES: &[&str] = &[
    "input_text",
    "input_audio",
    "output_text",
    "output_audio",
    "text",
    "audio",
];

/// What the last item of the conversation asks the model to answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prompt {
    /// A user's message: its text, or what was heard in its audio.
    User(String),
    /// A function's output: the function's name (when its call is in the conversation) and the output.
    ToolOutput { name: String, output: String },
    /// Nothing to answer (no items, or the last is the assistant's).
    Nothing,
}

/// The items, in order (GA shape), and what was heard in each audio item.
#[derive(Debug, Default)]
pub(crate) struct Conversation {
    items: Vec<Value>,
    /// The text heard in an item's audio, and the audio's length in samples.
    heard: HashMap<String, (String, usize)>,
}

/// The text `samples` (24 kHz pcm16) carry, or [`HEARD_DEFAULT`].
pub(crate) fn hear(samples: &[i16]) -> String {
    tone_text::decode(samples).unwrap_or_else(|| HEARD_DEFAULT.to_owned())
}

/// Little-endian pcm16 bytes as samples (an odd last byte is dropped).
pub(crate) fn samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|p| i16::from_le_bytes([p[0], p[1]]))
        .collect()
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

impl Conversation {
    /// The id of the last item.
    pub(crate) fn last_id(&self) -> Option<String> {
        self.items.last().and_then(id_of).map(str::to_owned)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.items.iter().find(|i| id_of(i) == Some(id))
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| id_of(i) == Some(id))
    }

    /// Appends an item the server made (a committed user turn, a response's output); returns
    /// the id of the item before it.
    pub(crate) fn push(&mut self, item: Value) -> Option<String> {
        let previous = self.last_id();
        self.items.push(item);
        previous
    }

    /// Replaces the item with `item`'s id (a response's output as it completes).
    pub(crate) fn replace(&mut self, item: Value) {
        let at = id_of(&item).and_then(|id| self.position(id));
        if let Some(slot) = at.and_then(|i| self.items.get_mut(i)) {
            *slot = item;
        }
    }

    /// Records what was heard in an audio item.
    pub(crate) fn set_heard(&mut self, id: &str, text: String, samples: usize) {
        self.heard.insert(id.to_owned(), (text, samples));
    }

    /// The samples of the audio heard in the last user item, if any.
    pub(crate) fn last_audio_samples(&self) -> usize {
        let last_user = self
            .items
            .iter()
            .rev()
            .find(|i| i.get("role").and_then(Value::as_str) == Some("user"));
        last_user
            .and_then(id_of)
            .and_then(|id| self.heard.get(id))
            .map_or(0, |(_, n)| *n)
    }

    /// `conversation.item.create`: the item checked, given an id (`new_id`) when it has none,
    /// placed after `previous_item_id` (`root`: first; none: last). Returns the stored item and
    /// the id of the one before it.
    pub(crate) fn create(
        &mut self,
        item: &Value,
        previous_item_id: Option<&str>,
        new_id: String,
    ) -> Result<(Value, Option<String>), Failure> {
        let mut item = check(item)?;
        let id = match item.get("id").and_then(Value::as_str) {
            Some(id) if self.get(id).is_some() => {
                return Err(Failure::invalid(
                    format!("Item with id '{id}' already exists."),
                    Some("item.id"),
                    "item_already_exists",
                ))
            }
            Some(id) => id.to_owned(),
            None => new_id,
        };
        item.insert("id".to_owned(), json!(id));
        item.entry("status").or_insert_with(|| json!("completed"));
        let heard = heard_in(&item);
        let at = match previous_item_id {
            None => self.items.len(),
            Some("root") => 0,
            Some(p) => self
                .position(p)
                .map(|i| i + 1)
                .ok_or_else(|| not_found(p, "previous_item_id"))?,
        };
        let previous = at
            .checked_sub(1)
            .and_then(|i| self.items.get(i))
            .and_then(id_of)
            .map(str::to_owned);
        let item = Value::Object(item);
        self.items.insert(at, item.clone());
        if let Some((text, n)) = heard {
            self.heard.insert(id, (text, n));
        }
        Ok((item, previous))
    }

    /// `conversation.item.delete`.
    pub(crate) fn delete(&mut self, id: &str) -> Result<(), Failure> {
        let at = self.position(id).ok_or_else(|| not_found(id, "item_id"))?;
        self.items.remove(at);
        self.heard.remove(id);
        Ok(())
    }

    /// `conversation.item.truncate`: an assistant's audio item loses its transcript (as the
    /// service does) once cut at `audio_end_ms`.
    pub(crate) fn truncate(&mut self, id: &str, content_index: usize) -> Result<(), Failure> {
        let at = self.position(id).ok_or_else(|| not_found(id, "item_id"))?;
        let part = self
            .items
            .get_mut(at)
            .filter(|i| i.get("role").and_then(Value::as_str) == Some("assistant"))
            .and_then(|i| i.get_mut("content"))
            .and_then(|c| c.get_mut(content_index))
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("output_audio"));
        match part {
            Some(p) => {
                p["transcript"] = json!("");
                Ok(())
            }
            None => Err(Failure::invalid(
                format!("Only an assistant message's audio content can be truncated; item '{id}' has none at content_index {content_index}."),
                Some("content_index"),
                "invalid_value",
            )),
        }
    }

    /// What the last item asks for.
    pub(crate) fn prompt(&self) -> Prompt {
        let Some(last) = self.items.last() else {
            return Prompt::Nothing;
        };
        match last.get("type").and_then(Value::as_str) {
            Some("function_call_output") => {
                let call_id = last.get("call_id").and_then(Value::as_str);
                let name = self
                    .items
                    .iter()
                    .find(|i| {
                        i.get("type").and_then(Value::as_str) == Some("function_call")
                            && i.get("call_id").and_then(Value::as_str) == call_id
                    })
                    .and_then(|i| i.get("name").and_then(Value::as_str))
                    .unwrap_or("function");
                Prompt::ToolOutput {
                    name: name.to_owned(),
                    output: str_field(last, "output").to_owned(),
                }
            }
            Some("message") if last.get("role").and_then(Value::as_str) == Some("user") => {
                let heard = id_of(last).and_then(|id| self.heard.get(id));
                let mut text: Vec<String> = Vec::new();
                for part in last
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match part.get("type").and_then(Value::as_str) {
                        Some("input_audio") => match (heard, part.get("transcript")) {
                            (Some((h, _)), _) => text.push(h.clone()),
                            (None, Some(Value::String(t))) => text.push(t.clone()),
                            _ => {}
                        },
                        _ => text.push(str_field(part, "text").to_owned()),
                    }
                }
                Prompt::User(text.join(" ").trim().to_owned())
            }
            _ => Prompt::Nothing,
        }
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn not_found(id: &str, param: &str) -> Failure {
    Failure::invalid(
        format!("Item with item_id '{id}' not found."),
        Some(param),
        "item_not_found",
    )
}

/// The item checked: its type, role, content parts and function fields.
fn check(item: &Value) -> Result<Map<String, Value>, Failure> {
    let Value::Object(o) = item else {
        return Err(Failure::wrong_type("item", "an object", item));
    };
    let kind = match o.get("type") {
        Some(Value::String(k)) => k.as_str(),
        Some(other) => return Err(Failure::wrong_type("item.type", "a string", other)),
        None => return Err(Failure::missing("item.type")),
    };
    let required: &[&str] = match kind {
        "message" => &["role", "content"],
        "function_call" => &["name", "call_id", "arguments"],
        "function_call_output" => &["call_id", "output"],
        other => return Err(Failure::invalid_value("item.type", other, ITEM_TYPES)),
    };
    for key in required {
        match o.get(*key) {
            None => return Err(Failure::missing(&format!("item.{key}"))),
            Some(Value::String(_)) if *key != "content" => {}
            Some(Value::Array(_)) if *key == "content" => {}
            Some(other) => {
                let expected = if *key == "content" {
                    "an array"
                } else {
                    "a string"
                };
                return Err(Failure::wrong_type(&format!("item.{key}"), expected, other));
            }
        }
    }
    if kind == "message" {
        let role = str_field(item, "role");
        if !ROLES.contains(&role) {
            return Err(Failure::invalid_value("item.role", role, ROLES));
        }
        let parts = o
            .get("content")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (i, part) in parts.iter().enumerate() {
            let t = part.get("type").and_then(Value::as_str).unwrap_or_default();
            if !PART_TYPES.contains(&t) {
                return Err(Failure::invalid_value(
                    &format!("item.content[{i}].type"),
                    t,
                    PART_TYPES,
                ));
            }
            if let Some(audio) = part.get("audio").and_then(Value::as_str) {
                if base64::engine::general_purpose::STANDARD
                    .decode(audio)
                    .is_err()
                {
                    return Err(Failure::invalid(
                        "Invalid base64 audio.",
                        Some(&format!("item.content[{i}].audio")),
                        "invalid_value",
                    ));
                }
            }
        }
    }
    Ok(o.clone())
}

/// The text heard in a message's `input_audio` parts (tone-encoded text or the default phrase)
/// and their samples.
fn heard_in(item: &Map<String, Value>) -> Option<(String, usize)> {
    let parts = item.get("content")?.as_array()?;
    let audio: Vec<i16> = parts
        .iter()
        .filter_map(|p| p.get("audio").and_then(Value::as_str))
        .filter_map(|a| base64::engine::general_purpose::STANDARD.decode(a).ok())
        .flat_map(|bytes| samples(&bytes))
        .collect();
    (!audio.is_empty()).then(|| (hear(&audio), audio.len()))
}

/// An item as `protocol` shows it: the preview adds `object` and names output parts `text`
/// and `audio`; input audio is never echoed back.
pub(crate) fn render(item: &Value, protocol: Protocol) -> Value {
    let mut item = item.clone();
    if let Some(parts) = item.get_mut("content").and_then(Value::as_array_mut) {
        for part in parts.iter_mut() {
            if let Some(p) = part.as_object_mut() {
                p.remove("audio");
                if p.get("type").and_then(Value::as_str) == Some("input_audio") {
                    p.entry("transcript").or_insert(Value::Null);
                }
                if protocol == Protocol::Preview {
                    let t = match p.get("type").and_then(Value::as_str) {
                        Some("output_audio") => Some("audio"),
                        Some("output_text") => Some("text"),
                        _ => None,
                    };
                    if let Some(t) = t {
                        p.insert("type".to_owned(), json!(t));
                    }
                }
            }
        }
    }
    if protocol == Protocol::Preview {
        if let Some(o) = item.as_object_mut() {
            o.insert("object".to_owned(), json!("realtime.item"));
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> Value {
        json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
    }

    #[test]
    fn items_are_kept_in_order_and_answer_the_last() {
        let mut c = Conversation::default();
        let (a, prev) = c.create(&user("first"), None, "item_a".into()).unwrap();
        assert_eq!((a["id"].as_str(), prev), (Some("item_a"), None));
        let (_, prev) = c.create(&user("second"), None, "item_b".into()).unwrap();
        assert_eq!(prev.as_deref(), Some("item_a"));
        assert_eq!(c.prompt(), Prompt::User("second".into()));
        let (_, prev) = c
            .create(&user("zero"), Some("root"), "item_0".into())
            .unwrap();
        assert_eq!(prev, None);
        c.delete("item_b").unwrap();
        assert_eq!(c.prompt(), Prompt::User("first".into()));
        assert_eq!(
            c.delete("item_b").unwrap_err().body["error"]["code"],
            "item_not_found"
        );
        c.create(&json!({"type": "function_call", "name": "get_weather", "call_id": "c1", "arguments": "{}"}), None, "fc".into()).unwrap();
        c.create(
            &json!({"type": "function_call_output", "call_id": "c1", "output": "sunny"}),
            None,
            "out".into(),
        )
        .unwrap();
        assert_eq!(
            c.prompt(),
            Prompt::ToolOutput {
                name: "get_weather".into(),
                output: "sunny".into()
            }
        );
    }

    #[test]
    fn bad_items_are_refused_naming_the_field() {
        let mut c = Conversation::default();
        let param = |c: &mut Conversation, v: Value| {
            c.create(&v, None, "x".into()).unwrap_err().body["error"]["param"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(param(&mut c, json!({"role": "user"})), "item.type");
        assert_eq!(
            param(
                &mut c,
                json!({"type": "message", "role": "bot", "content": []})
            ),
            "item.role"
        );
        assert_eq!(
            param(&mut c, json!({"type": "message", "role": "user"})),
            "item.content"
        );
        assert_eq!(
            param(
                &mut c,
                json!({"type": "function_call_output", "call_id": "c"})
            ),
            "item.output"
        );
        assert_eq!(
            param(
                &mut c,
                json!({"type": "message", "role": "user", "content": [{"type": "video"}]})
            ),
            "item.content[0].type"
        );
        let mut named = user("x");
        named["id"] = json!("i");
        c.create(&named, None, "n".into()).unwrap();
        assert_eq!(param(&mut c, named), "item.id");
    }

    #[test]
    fn preview_rendering_uses_beta_part_names() {
        let item = json!({"id": "i", "type": "message", "role": "assistant",
            "content": [{"type": "output_audio", "transcript": "hi"}]});
        let r = render(&item, Protocol::Preview);
        assert_eq!(r["content"][0]["type"], "audio");
        assert_eq!(r["object"], "realtime.item");
        assert_eq!(render(&item, Protocol::Ga), item);
    }
}
