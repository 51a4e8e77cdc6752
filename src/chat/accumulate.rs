//! Turning streamed chunks into the reply the non-streaming call returns.

use crate::audio::AudioData;
use crate::chat::chunk::{ChatCompletionChunk, ChunkChoice};
use crate::chat::filter::ContentFilterResults;
use crate::chat::message::{FunctionCall, ToolCall};
use crate::chat::response::{ChatCompletion, Choice, ReplyAudio, Usage};
use crate::metadata::ResponseMetadata;

/// Collects streamed chunks into a [`ChatCompletion`]: the whole text and transcript, all the
/// audio bytes, the audio id and `expires_at`, usage, prompt and choice filter results.
///
/// Feed it each chunk as it arrives ([`push`](Self::push)); it can be read at any time
/// (`transcript()`, `audio_bytes()`, [`completion`](Self::completion)), and
/// [`into_completion`](Self::into_completion) gives the final reply without copying the audio.
/// The reply can be recorded in a [`Conversation`](crate::Conversation), so a conversation
/// continues from a streamed reply by citing its audio id.
///
/// The filter results of each choice are merged, but not their
/// [`content_filter_offsets`](crate::ChunkChoice::content_filter_offsets) (which part of the
/// text Azure's asynchronous filter had checked): [`Choice`] has no field for them, so read them
/// from the chunks as they arrive if you need them.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client, request: azure_openai_audio::ChatRequest) -> azure_openai_audio::Result<()> {
/// use futures_util::StreamExt;
/// let mut stream = client.chat().stream(&request).await?;
/// let mut acc = stream.accumulator();
/// while let Some(chunk) = stream.next().await {
///     let chunk = chunk?;
///     acc.push(&chunk);
///     print!("{}", chunk.transcript_delta().unwrap_or_default());
/// }
/// let reply = acc.into_completion();
/// println!("\n{} audio bytes, id {:?}", reply.audio().map_or(0, |a| a.data.len()), reply.audio().map(|a| &a.id));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct StreamAccumulator {
    head: ChatCompletion,
    choices: Vec<ChoiceState>,
}

#[derive(Clone, Default)]
struct ChoiceState {
    choice: Choice,
    has_audio: bool,
    audio: Vec<u8>,
    /// The stream's `index` of each of `choice.message.tool_calls`, in the same order.
    tool_call_indices: Vec<u32>,
}

impl std::fmt::Debug for ChoiceState {
    /// The choice so far, with the audio's length instead of its bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChoiceState")
            .field("choice", &self.choice)
            .field("audio_bytes", &self.audio.len())
            .finish_non_exhaustive()
    }
}

impl StreamAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the response metadata the final reply carries (request ids, rate limits).
    pub fn with_metadata(mut self, metadata: ResponseMetadata) -> Self {
        self.head.metadata = metadata;
        self
    }

    /// Adds one chunk.
    pub fn push(&mut self, chunk: &ChatCompletionChunk) {
        let head = &mut self.head;
        // Azure's filter-only events have an empty id, object and model and `created: 0`:
        // they must not overwrite the real ones.
        if head.id.is_empty() && !chunk.id.is_empty() {
            head.id.clone_from(&chunk.id);
        }
        if head.model.is_empty() && !chunk.model.is_empty() {
            head.model.clone_from(&chunk.model);
        }
        if head.created == 0 && chunk.created != 0 {
            head.created = chunk.created;
        }
        if head.system_fingerprint.is_none() {
            head.system_fingerprint
                .clone_from(&chunk.system_fingerprint);
        }
        if chunk.usage.is_some() {
            head.usage.clone_from(&chunk.usage);
        }
        head.prompt_filter_results
            .extend(chunk.prompt_filter_results.iter().cloned());
        for c in &chunk.choices {
            self.choice_mut(c.index).apply(c);
        }
    }

    fn choice_mut(&mut self, index: u32) -> &mut ChoiceState {
        let pos = match self.choices.iter().position(|c| c.choice.index == index) {
            Some(pos) => pos,
            None => {
                let at = self.choices.partition_point(|c| c.choice.index < index);
                let mut state = ChoiceState::default();
                state.choice.index = index;
                self.choices.insert(at, state);
                at
            }
        };
        &mut self.choices[pos]
    }

    /// The first choice's transcript so far.
    pub fn transcript(&self) -> &str {
        self.first()
            .and_then(|c| c.choice.message.audio.as_ref())
            .map_or("", |a| a.transcript.as_str())
    }

    /// The first choice's text content so far (`None` beside audio).
    pub fn content(&self) -> Option<&str> {
        self.first()?.choice.message.content.as_deref()
    }

    /// The first choice's audio bytes so far.
    pub fn audio_bytes(&self) -> &[u8] {
        self.first().map_or(&[][..], |c| c.audio.as_slice())
    }

    /// The first choice's audio id, once it has arrived.
    pub fn audio_id(&self) -> Option<&str> {
        let audio = self.first()?.choice.message.audio.as_ref()?;
        (!audio.id.is_empty()).then_some(audio.id.as_str())
    }

    /// The token counts, once the usage chunk has arrived.
    pub fn usage(&self) -> Option<&Usage> {
        self.head.usage.as_ref()
    }

    fn first(&self) -> Option<&ChoiceState> {
        self.choices.first()
    }

    /// The reply as of now (copies the audio bytes; prefer [`into_completion`](Self::into_completion) at the end).
    pub fn completion(&self) -> ChatCompletion {
        self.clone().into_completion()
    }

    /// The reply: the same type, with the same fields, as the non-streaming call returns.
    pub fn into_completion(self) -> ChatCompletion {
        let mut reply = self.head;
        reply.object = "chat.completion".to_owned();
        reply.choices = self
            .choices
            .into_iter()
            .map(|state| {
                let mut choice = state.choice;
                if state.has_audio {
                    let audio = choice.message.audio.get_or_insert_with(ReplyAudio::default);
                    audio.data = AudioData::new(state.audio);
                }
                choice
            })
            .collect();
        reply
    }
}

impl ChoiceState {
    fn apply(&mut self, c: &ChunkChoice) {
        let choice = &mut self.choice;
        if c.finish_reason.is_some() {
            choice.finish_reason.clone_from(&c.finish_reason);
        }
        if c.logprobs.as_ref().is_some_and(|l| !l.is_null()) {
            choice.logprobs.clone_from(&c.logprobs);
        }
        if let Some(results) = &c.content_filter_results {
            choice
                .content_filter_results
                .get_or_insert_with(ContentFilterResults::default)
                .merge_from(results);
        }
        let d = &c.delta;
        let m = &mut choice.message;
        if d.role.is_some() {
            m.role.clone_from(&d.role);
        }
        append(&mut m.content, d.content.as_deref());
        append(&mut m.refusal, d.refusal.as_deref());
        for t in &d.tool_calls {
            let pos = match self.tool_call_indices.iter().position(|&i| i == t.index) {
                Some(pos) => pos,
                None => {
                    // Kept in index order; the index is the service's, so no slots are made for
                    // the indices in between.
                    let at = self.tool_call_indices.partition_point(|&i| i < t.index);
                    self.tool_call_indices.insert(at, t.index);
                    let empty = ToolCall::function(String::new(), String::new(), String::new());
                    m.tool_calls.insert(at, empty);
                    at
                }
            };
            apply_tool_call(&mut m.tool_calls[pos], t);
        }
        if let Some(a) = &d.audio {
            let audio = m.audio.get_or_insert_with(ReplyAudio::default);
            self.has_audio = true;
            if let Some(id) = a.id.as_deref().filter(|id| !id.is_empty()) {
                id.clone_into(&mut audio.id);
            }
            if let Some(t) = &a.transcript {
                audio.transcript.push_str(t);
            }
            if a.expires_at.is_some() {
                audio.expires_at = a.expires_at;
            }
            if let Some(data) = &a.data {
                self.audio.extend_from_slice(data);
            }
        }
    }
}

fn append(to: &mut Option<String>, piece: Option<&str>) {
    if let Some(piece) = piece {
        to.get_or_insert_with(String::new).push_str(piece);
    }
}

/// Tool-call pieces carry an `index` (matched by the caller, in the order calls first appear);
/// the id, type and name come in the first piece of a call.
fn apply_tool_call(call: &mut ToolCall, t: &crate::chat::chunk::ToolCallDelta) {
    if let Some(id) = &t.id {
        call.id.push_str(id);
    }
    if let Some(kind) = &t.kind {
        kind.clone_into(&mut call.kind);
    }
    if let Some(f) = &t.function {
        let FunctionCall { name, arguments } = &mut call.function;
        if let Some(n) = &f.name {
            name.push_str(n);
        }
        if let Some(a) = &f.arguments {
            arguments.push_str(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(json: &str) -> ChatCompletionChunk {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn tool_call_pieces_join_by_index() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":""}}]}}]}"#,
        ));
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
        ));
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":"tool_calls"}]}"#,
        ));
        let reply = acc.into_completion();
        let m = reply.message().unwrap();
        assert_eq!(
            m.tool_calls,
            vec![ToolCall::function(
                "call_1",
                "weather",
                r#"{"city":"Oslo"}"#
            )]
        );
        assert_eq!(m.content, None);
        assert_eq!(
            reply.choices[0].finish_reason,
            Some(crate::FinishReason::ToolCalls)
        );
    }

    #[test]
    fn tool_calls_follow_their_index_whatever_its_size() {
        let mut acc = StreamAccumulator::new();
        for (index, name) in [(u32::MAX, "last"), (3, "first")] {
            acc.push(&chunk(&format!(
                r#"{{"choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":{index},"id":"c{index}","function":{{"name":"{name}","arguments":"{{}}"}}}}]}}}}]}}"#
            )));
        }
        let reply = acc.into_completion();
        let names: Vec<_> = reply
            .message()
            .unwrap()
            .tool_calls
            .iter()
            .map(|c| c.function.name.as_str())
            .collect();
        assert_eq!(names, ["first", "last"]);
    }

    #[test]
    fn debug_shows_the_audio_length_not_the_bytes() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"audio":{"id":"audio_1","data":"AAECAwQF","transcript":"hi"}}}]}"#,
        ));
        let debug = format!("{acc:?}");
        assert!(debug.contains("audio_bytes: 6"), "{debug}");
        assert!(!debug.contains("[0, 1, 2"), "{debug}");
    }

    #[test]
    fn choices_are_kept_in_index_order_and_text_without_audio_has_no_audio() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(
            r#"{"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"}}]}"#,
        ));
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"content":"!"}}]}"#,
        ));
        let reply = acc.completion();
        assert_eq!(reply.choices.len(), 2);
        assert_eq!(reply.choices[0].message.content.as_deref(), Some("a!"));
        assert_eq!(reply.choices[1].message.content.as_deref(), Some("b"));
        assert!(reply.audio().is_none());
        assert_eq!(acc.content(), Some("a!"));
    }

    #[test]
    fn filter_offsets_are_not_kept_as_documented() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"delta":{"content":"Hello"}}]}"#,
        ));
        acc.push(&chunk(
            r#"{"choices":[{"index":0,"content_filter_offsets":{"check_offset":0,"start_offset":0,"end_offset":5},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}"#,
        ));
        let reply = acc.into_completion();
        let choice = &reply.choices[0];
        assert!(choice
            .content_filter_results
            .as_ref()
            .unwrap()
            .hate
            .is_some());
        let json = serde_json::to_value(choice).unwrap();
        assert!(json.get("content_filter_offsets").is_none(), "{json}");
    }
}
