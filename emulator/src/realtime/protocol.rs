//! The two Realtime protocols and where they differ on the wire: the GA one
//! (`/openai/v1/realtime?model=...`) and the older preview one
//! (`/openai/realtime?api-version=...&deployment=...`, the beta event and content names).

/// Which protocol a session speaks; chosen by the route it connected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// `/openai/v1/realtime`: the GA events.
    Ga,
    /// `/openai/realtime`: the beta events.
    Preview,
}

impl Protocol {
    /// The name a server event has in this protocol (events are built with their GA names), or
    /// `None` when the protocol has no such event (`conversation.item.done` in the preview).
    pub(crate) fn server_event(self, ga: &str) -> Option<&str> {
        if self == Protocol::Ga {
            return Some(ga);
        }
        Some(match ga {
            "conversation.item.added" => "conversation.item.created",
            "conversation.item.done" => return None,
            "response.output_audio.delta" => "response.audio.delta",
            "response.output_audio.done" => "response.audio.done",
            "response.output_audio_transcript.delta" => "response.audio_transcript.delta",
            "response.output_audio_transcript.done" => "response.audio_transcript.done",
            "response.output_text.delta" => "response.text.delta",
            "response.output_text.done" => "response.text.done",
            other => other,
        })
    }

    /// The content type of an assistant's part in `response.content_part.added|done`:
    /// `audio`/`text` in both protocols, as the OpenAPI spec's GA events say (the item's own
    /// content, in `conversation.item.*` and `response.output_item.*`, says `output_audio` /
    /// `output_text` in GA).
    pub(crate) fn output_part(audio: bool) -> &'static str {
        if audio {
            "audio"
        } else {
            "text"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_names_are_the_beta_ones() {
        let p = Protocol::Preview;
        assert_eq!(
            p.server_event("response.output_audio.delta"),
            Some("response.audio.delta")
        );
        assert_eq!(
            p.server_event("response.output_text.done"),
            Some("response.text.done")
        );
        assert_eq!(
            p.server_event("conversation.item.added"),
            Some("conversation.item.created")
        );
        assert_eq!(p.server_event("conversation.item.done"), None);
        assert_eq!(p.server_event("response.done"), Some("response.done"));
        assert_eq!(
            Protocol::Ga.server_event("conversation.item.done"),
            Some("conversation.item.done")
        );
        assert_eq!(Protocol::output_part(true), "audio");
        assert_eq!(Protocol::output_part(false), "text");
    }
}
