//! Assembling one Realtime response from its server events, as they come.

use crate::realtime::item::ItemKind;
use crate::realtime::response::{RealtimeUsage, ResponseStatus};
use crate::realtime::server_event::RealtimeServerEvent;

/// Collects one response from the server events: its text, audio transcript, audio bytes,
/// function calls (with their arguments joined from the deltas), usage, status and id. The
/// Realtime counterpart of [`StreamAccumulator`](crate::StreamAccumulator).
///
/// Push every event ([`push`](Self::push)); events that are not about a response are ignored, and
/// once a response id is known, events of other responses are too. Read it at any time;
/// [`is_done`](Self::is_done) turns true with `response.done`. A `*.done` event's whole text
/// replaces what the deltas gave, so a missed delta is repaired.
///
/// `Debug` shows the audio's length, never its bytes.
#[derive(Clone, Default, PartialEq)]
pub struct ResponseCollector {
    response_id: Option<String>,
    status: Option<ResponseStatus>,
    text: String,
    transcript: String,
    audio: Vec<u8>,
    function_calls: Vec<CollectedCall>,
    usage: Option<RealtimeUsage>,
    done: bool,
}

/// A function call the model made, as the collector assembled it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CollectedCall {
    /// The function call item's id.
    pub item_id: String,
    /// The call's id: cite it in the output
    /// ([`RealtimeClientEvent::function_output`](crate::RealtimeClientEvent::function_output)).
    pub call_id: String,
    /// The function's name.
    pub name: String,
    /// The arguments, JSON text.
    pub arguments: String,
}

impl std::fmt::Debug for ResponseCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCollector")
            .field("response_id", &self.response_id)
            .field("status", &self.status)
            .field("text", &self.text)
            .field("transcript", &self.transcript)
            .field("audio_bytes", &self.audio.len())
            .field("function_calls", &self.function_calls)
            .field("usage", &self.usage)
            .field("done", &self.done)
            .finish()
    }
}

impl ResponseCollector {
    /// An empty collector, for the next response.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one server event.
    pub fn push(&mut self, event: &RealtimeServerEvent) {
        use RealtimeServerEvent as E;
        match event {
            E::ResponseCreated(e) if self.accepts(&e.response.id) => {
                self.status.clone_from(&e.response.status);
            }
            E::ResponseDone(e) if self.accepts(&e.response.id) => {
                self.status.clone_from(&e.response.status);
                self.usage.clone_from(&e.response.usage);
                self.done = true;
            }
            E::OutputTextDelta(d) if self.accepts(&d.response_id) => self.text.push_str(&d.delta),
            E::OutputTextDone(d) if self.accepts(&d.response_id) => self.text.clone_from(&d.text),
            E::OutputAudioTranscriptDelta(d) if self.accepts(&d.response_id) => {
                self.transcript.push_str(&d.delta);
            }
            E::OutputAudioTranscriptDone(d) if self.accepts(&d.response_id) => {
                self.transcript.clone_from(&d.text);
            }
            E::OutputAudioDelta(d) if self.accepts(&d.response_id) => {
                self.audio.extend_from_slice(&d.delta);
            }
            E::OutputItemAdded(e) | E::OutputItemDone(e)
                if e.item.kind == ItemKind::FunctionCall && self.accepts(&e.response_id) =>
            {
                let item_id = e.item.id.clone().unwrap_or_default();
                let call = self.call_mut(&item_id);
                if let Some(call_id) = &e.item.call_id {
                    call.call_id.clone_from(call_id);
                }
                if let Some(name) = &e.item.name {
                    call.name.clone_from(name);
                }
                if let Some(arguments) = e.item.arguments.as_ref().filter(|a| !a.is_empty()) {
                    call.arguments.clone_from(arguments);
                }
            }
            E::FunctionCallArgumentsDelta(d) if self.accepts(&d.response_id) => {
                let call = self.call_mut(&d.item_id);
                if call.call_id.is_empty() {
                    call.call_id.clone_from(&d.call_id);
                }
                call.arguments.push_str(&d.delta);
            }
            E::FunctionCallArgumentsDone(d) if self.accepts(&d.response_id) => {
                let call = self.call_mut(&d.item_id);
                call.call_id.clone_from(&d.call_id);
                if let Some(name) = &d.name {
                    call.name.clone_from(name);
                }
                call.arguments.clone_from(&d.arguments);
            }
            _ => {}
        }
    }

    /// True for an event of this response (or of the first response seen, which this becomes).
    fn accepts(&mut self, response_id: &str) -> bool {
        match &self.response_id {
            Some(id) => response_id.is_empty() || id == response_id,
            None => {
                if !response_id.is_empty() {
                    self.response_id = Some(response_id.to_owned());
                }
                true
            }
        }
    }

    fn call_mut(&mut self, item_id: &str) -> &mut CollectedCall {
        let calls = &mut self.function_calls;
        let pos = match calls.iter().position(|c| c.item_id == item_id) {
            Some(pos) => pos,
            None => {
                calls.push(CollectedCall {
                    item_id: item_id.to_owned(),
                    ..CollectedCall::default()
                });
                calls.len() - 1
            }
        };
        // In range: found, or the call just pushed.
        &mut calls[pos]
    }

    /// The response's id, once an event carried it.
    pub fn response_id(&self) -> Option<&str> {
        self.response_id.as_deref()
    }

    /// The response's status: `in_progress` after `response.created`, final after
    /// `response.done`.
    pub fn status(&self) -> Option<&ResponseStatus> {
        self.status.as_ref()
    }

    /// The text so far (text responses).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The transcript of the audio so far.
    pub fn transcript(&self) -> &str {
        &self.transcript
    }

    /// The audio bytes so far, in the session's output format.
    pub fn audio(&self) -> &[u8] {
        &self.audio
    }

    /// Takes the audio collected so far (the collector keeps collecting from empty): write it
    /// out as it comes instead of holding a long answer whole.
    pub fn take_audio(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.audio)
    }

    /// The function calls so far, in the order they began.
    pub fn function_calls(&self) -> &[CollectedCall] {
        &self.function_calls
    }

    /// The token counts, after `response.done`.
    pub fn usage(&self) -> Option<&RealtimeUsage> {
        self.usage.as_ref()
    }

    /// True once `response.done` arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
#[path = "collector/tests.rs"]
mod tests;
