//! The two Realtime protocols: GA (`/openai/v1/realtime?model=...`) and the older preview
//! (`/openai/realtime?api-version=2025-04-01-preview&deployment=...`), and what the sender
//! rewrites for the preview where its events have other shapes.
//!
//! The receiver needs no rewriting: [`RealtimeServerEvent::from_json`](crate::RealtimeServerEvent::from_json)
//! maps the preview's event names onto the same variants.

use serde_json::{Map, Value};

use crate::transport::route::UrlShape;

/// Which Realtime protocol a session speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RealtimeProtocol {
    /// The GA protocol (gpt-realtime, gpt-realtime-mini): `wss://{resource}/openai/v1/realtime?model={deployment}`,
    /// no `api-version`.
    #[default]
    Ga,
    /// The preview protocol (gpt-4o-realtime-preview deployments not yet moved):
    /// `wss://{resource}/openai/realtime?api-version=2025-04-01-preview&deployment={deployment}`,
    /// the beta event names and shapes.
    Preview,
}

impl RealtimeProtocol {
    /// The URL shape of the handshake.
    pub(crate) fn shape(self) -> UrlShape {
        match self {
            RealtimeProtocol::Ga => UrlShape::V1Model,
            RealtimeProtocol::Preview => UrlShape::Preview,
        }
    }
}

/// Rewrites a GA client event (as JSON) into the preview's shape: `session.update`'s session,
/// `response.create`'s response, and the content types of `conversation.item.create`'s item.
/// Other events are the same in both protocols.
pub(crate) fn to_preview(event: &mut Value) {
    let Some(event) = event.as_object_mut() else {
        return;
    };
    match event.get("type").and_then(Value::as_str) {
        Some("session.update") => {
            if let Some(Value::Object(session)) = event.get_mut("session") {
                session.remove("type");
                flatten_settings(session);
            }
        }
        Some("response.create") => {
            if let Some(Value::Object(response)) = event.get_mut("response") {
                flatten_settings(response);
                if let Some(Value::Array(items)) = response.get_mut("input") {
                    items.iter_mut().for_each(item_to_preview);
                }
            }
        }
        Some("conversation.item.create") => {
            if let Some(item) = event.get_mut("item") {
                item_to_preview(item);
            }
        }
        _ => {}
    }
}

/// The session's (or a response's) GA settings as the preview names them: `output_modalities`
/// → `modalities` (audio always with text), `audio.input.*` → `input_audio_format`,
/// `input_audio_transcription`, `turn_detection`, `input_audio_noise_reduction`;
/// `audio.output.*` → `output_audio_format`, `voice`, `speed`; `max_output_tokens` →
/// `max_response_output_tokens`.
fn flatten_settings(settings: &mut Map<String, Value>) {
    if let Some(Value::Array(mut modalities)) = settings.remove("output_modalities") {
        let audio = modalities.iter().any(|m| m == "audio");
        if audio && !modalities.iter().any(|m| m == "text") {
            modalities.push(Value::from("text"));
        }
        settings.insert("modalities".to_owned(), Value::Array(modalities));
    }
    if let Some(tokens) = settings.remove("max_output_tokens") {
        settings.insert("max_response_output_tokens".to_owned(), tokens);
    }
    let Some(Value::Object(mut audio)) = settings.remove("audio") else {
        return;
    };
    if let Some(Value::Object(input)) = audio.remove("input") {
        for (name, value) in input {
            let name = match name.as_str() {
                "format" => "input_audio_format",
                "transcription" => "input_audio_transcription",
                "noise_reduction" => "input_audio_noise_reduction",
                _ => name.as_str(),
            };
            settings.insert(name.to_owned(), preview_format(name, value));
        }
    }
    if let Some(Value::Object(output)) = audio.remove("output") {
        for (name, value) in output {
            let name = match name.as_str() {
                "format" => "output_audio_format",
                _ => name.as_str(),
            };
            settings.insert(name.to_owned(), preview_format(name, value));
        }
    }
}

/// A GA audio format object (`{"type": "audio/pcm", "rate": 24000}`) as the preview's name.
fn preview_format(name: &str, value: Value) -> Value {
    if !name.ends_with("_audio_format") {
        return value;
    }
    let kind = value.get("type").and_then(Value::as_str);
    match kind {
        Some("audio/pcm") => Value::from("pcm16"),
        Some("audio/pcmu") => Value::from("g711_ulaw"),
        Some("audio/pcma") => Value::from("g711_alaw"),
        _ => value,
    }
}

/// An item's content types as the preview names them: `output_text` → `text`, `output_audio`
/// → `audio`.
fn item_to_preview(item: &mut Value) {
    let Some(Value::Array(parts)) = item.get_mut("content") else {
        return;
    };
    for part in parts {
        if let Some(kind) = part.get_mut("type") {
            let renamed = match kind.as_str() {
                Some("output_text") => "text",
                Some("output_audio") => "audio",
                _ => continue,
            };
            *kind = Value::from(renamed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::session::InputTranscription;
    use crate::{
        RealtimeAudioFormat, RealtimeClientEvent, RealtimeSessionConfig, ResponseConfig,
        TurnDetection, Voice,
    };
    use serde_json::json;

    fn preview(event: &RealtimeClientEvent) -> Value {
        let mut json = serde_json::to_value(event).unwrap();
        to_preview(&mut json);
        json
    }

    #[test]
    fn session_update_in_the_preview_shape() {
        let mut session = RealtimeSessionConfig::new()
            .instructions("Be brief.")
            .voice(Voice::Alloy)
            .output_modalities([crate::Modality::Audio])
            .input_format(RealtimeAudioFormat::pcm16())
            .output_format(RealtimeAudioFormat::pcmu())
            .turn_detection(TurnDetection::Disabled);
        session
            .audio
            .as_mut()
            .unwrap()
            .input
            .as_mut()
            .unwrap()
            .transcription = Some(InputTranscription::new("whisper-1"));
        assert_eq!(
            preview(&RealtimeClientEvent::session_update(session)),
            json!({"type": "session.update", "session": {
                "instructions": "Be brief.",
                "modalities": ["audio", "text"],
                "voice": "alloy",
                "input_audio_format": "pcm16",
                "output_audio_format": "g711_ulaw",
                "input_audio_transcription": {"model": "whisper-1"},
                "turn_detection": null,
            }})
        );
    }

    #[test]
    fn response_create_and_items_in_the_preview_shape() {
        let response = ResponseConfig::new().output_modalities([crate::Modality::Text]);
        assert_eq!(
            preview(&RealtimeClientEvent::response_create_with(response)),
            json!({"type": "response.create", "response": {"modalities": ["text"]}})
        );
        let mut item = serde_json::to_value(RealtimeClientEvent::user_text("hi")).unwrap();
        item["item"]["content"][0]["type"] = json!("output_text");
        to_preview(&mut item);
        assert_eq!(item["item"]["content"][0]["type"], "text");
        let commit = RealtimeClientEvent::commit();
        assert_eq!(preview(&commit), serde_json::to_value(&commit).unwrap());
    }
}
