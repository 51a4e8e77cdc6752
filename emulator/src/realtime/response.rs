//! A response, sent one event at a time so a `response.cancel` can land in the middle: the
//! spoken (or written) answer with its content part and deltas, or a function call with its
//! arguments, then `response.done` with usage and `rate_limits.updated`.
//!
//! The answer repeats the prompt: `You said: <the user's text, or what was heard>`; after a
//! function's output, `The <name> function returned: <output>`. The audio is 24 kHz pcm16 that
//! carries the answer's text ([`ToneText`]), as the emulator's speech does; each audio delta is
//! five symbols (300 ms at speed 1), preceded by the transcript words its bytes carry.

use std::collections::VecDeque;

use base64::Engine as _;
use serde_json::{json, Value};

use super::conversation::{render, Conversation, Prompt};
use super::events::Ids;
use super::protocol::Protocol;
use super::session::Settings;
use super::tools;
use crate::reply::MAX_TRANSCRIPT_CHARS;
use crate::tone_text::ToneText;

/// Symbols of audio per delta.
const SYMBOLS_PER_DELTA: usize = 5;
/// Characters of function arguments per delta.
const ARGUMENT_CHARS_PER_DELTA: usize = 16;
/// Output audio tokens a second and input audio tokens a second.
const OUT_AUDIO_TOKENS_PER_SECOND: f64 = 20.0;
const IN_AUDIO_TOKENS_PER_SECOND: f64 = 10.0;

/// What one response produces, fixed when it is created.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    pub(crate) audio_out: bool,
    pub(crate) voice: String,
    pub(crate) speed: f64,
    pub(crate) instructions: String,
    pub(crate) tools: Vec<Value>,
    pub(crate) tool_choice: Value,
    /// `false` for `conversation: "none"`: the output is not added to the conversation.
    pub(crate) in_conversation: bool,
    pub(crate) metadata: Value,
}

impl Options {
    pub(crate) fn of(s: &Settings) -> Options {
        Options {
            audio_out: s.audio_out,
            voice: s.voice.clone(),
            speed: s.speed,
            instructions: s.instructions.clone(),
            tools: s.tools.clone(),
            tool_choice: s.tool_choice.clone(),
            in_conversation: true,
            metadata: Value::Null,
        }
    }
}

#[derive(Debug)]
enum Step {
    /// `response.output_item.added` and `conversation.item.added`.
    AddItem,
    PartAdded,
    /// A transcript or text delta.
    Text(String),
    /// Audio symbols `from..to`.
    Audio(usize, usize),
    Arguments(String),
    /// The `.done` events of the content, the part and the item.
    Finish,
    Done,
}

/// A response in progress.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) id: String,
    protocol: Protocol,
    options: Options,
    conversation_id: String,
    item: Value,
    item_added: bool,
    steps: VecDeque<Step>,
    /// The answer (or the arguments) and how much of it has been sent.
    text: String,
    sent: String,
    tone: Option<ToneText>,
    input_tokens: (u64, u64),
}

impl Run {
    /// A response to the conversation as it is now; returns it with its `response.created`.
    pub(crate) fn start(
        protocol: Protocol,
        options: Options,
        conversation: &Conversation,
        conversation_id: &str,
        ids: &mut Ids,
    ) -> (Run, Value) {
        let prompt = conversation.prompt();
        let call = match &prompt {
            Prompt::User(text) => tools::call(&options.tools, &options.tool_choice, text),
            _ => None,
        };
        let item_id = ids.next("item");
        let mut steps = VecDeque::from([Step::AddItem]);
        let (item, text, tone) = match call {
            Some((name, arguments)) => {
                let item = json!({"id": item_id, "type": "function_call", "status": "in_progress",
                    "name": name, "call_id": ids.next("call"), "arguments": ""});
                let chars: Vec<char> = arguments.chars().collect();
                for piece in chars.chunks(ARGUMENT_CHARS_PER_DELTA) {
                    steps.push_back(Step::Arguments(piece.iter().collect()));
                }
                (item, arguments, None)
            }
            None => {
                let item = json!({"id": item_id, "type": "message", "status": "in_progress",
                    "role": "assistant", "content": []});
                let answer = answer(&prompt);
                steps.push_back(Step::PartAdded);
                let tone = options
                    .audio_out
                    .then(|| ToneText::new(&answer, options.speed));
                match &tone {
                    Some(t) => plan_audio(&answer, t, &mut steps),
                    None => steps.extend(
                        answer
                            .split_inclusive(' ')
                            .map(|w| Step::Text(w.to_owned())),
                    ),
                }
                (item, answer, tone)
            }
        };
        steps.extend([Step::Finish, Step::Done]);
        let audio_samples = conversation.last_audio_samples();
        let prompt_chars = match &prompt {
            Prompt::User(t) => t.chars().count(),
            Prompt::ToolOutput { output, .. } => output.chars().count(),
            Prompt::Nothing => 0,
        } + options.instructions.chars().count();
        let run = Run {
            id: ids.next("resp"),
            protocol,
            options,
            conversation_id: conversation_id.to_owned(),
            item,
            item_added: false,
            steps,
            text,
            sent: String::new(),
            tone,
            input_tokens: (
                prompt_chars.div_ceil(4) as u64,
                (audio_samples as f64 / 24_000.0 * IN_AUDIO_TOKENS_PER_SECOND).ceil() as u64,
            ),
        };
        let created = json!({"type": "response.created", "response": run.response("in_progress", Value::Null, false)});
        (run, created)
    }

    /// The events of the next step (none when the response is over), and whether they hold a delta.
    pub(crate) fn next(&mut self, conversation: &mut Conversation) -> Option<(Vec<Value>, bool)> {
        let step = self.steps.pop_front()?;
        let base = self.base();
        let event = |kind: &str, extra: Value| with(&base, kind, extra);
        let audio = self.tone.is_some();
        let part_type = Protocol::output_part(audio);
        let text_key = if audio { "transcript" } else { "text" };
        let events = match step {
            Step::AddItem => {
                self.item_added = true;
                let mut out = vec![
                    json!({"type": "response.output_item.added", "response_id": self.id,
                    "output_index": 0, "item": render(&self.item, self.protocol)}),
                ];
                if self.options.in_conversation {
                    let previous = conversation.push(self.item.clone());
                    out.push(
                        json!({"type": "conversation.item.added", "previous_item_id": previous,
                        "item": render(&self.item, self.protocol)}),
                    );
                }
                return Some((out, false));
            }
            Step::PartAdded => vec![event(
                "response.content_part.added",
                json!({"content_index": 0, "part": {"type": part_type, text_key: ""}}),
            )],
            Step::Text(t) => {
                self.sent.push_str(&t);
                let kind = if audio {
                    "response.output_audio_transcript.delta"
                } else {
                    "response.output_text.delta"
                };
                vec![event(kind, json!({"content_index": 0, "delta": t}))]
            }
            Step::Audio(from, to) => {
                let mut pcm = Vec::new();
                if let Some(tone) = &self.tone {
                    for i in from..to {
                        tone.render(i, &mut pcm);
                    }
                }
                let delta = base64::engine::general_purpose::STANDARD.encode(&pcm);
                vec![event(
                    "response.output_audio.delta",
                    json!({"content_index": 0, "delta": delta}),
                )]
            }
            Step::Arguments(a) => {
                self.sent.push_str(&a);
                vec![event(
                    "response.function_call_arguments.delta",
                    json!({"call_id": self.item["call_id"], "delta": a}),
                )]
            }
            Step::Finish => {
                let out = self.finish("completed");
                if self.options.in_conversation {
                    conversation.replace(self.item.clone());
                }
                out
            }
            Step::Done => {
                let usage = self.usage();
                let total = usage["total_tokens"].as_u64().unwrap_or(0);
                let done = json!({"type": "response.done", "response": self.response("completed", Value::Null, true)});
                return Some((vec![done, super::events::rate_limits(total)], false));
            }
        };
        let delta = events
            .iter()
            .any(|e| e["type"].as_str().is_some_and(|t| t.ends_with(".delta")));
        Some((events, delta))
    }

    /// The `.done` events of the content, the part and the item, with the item set to `status`.
    fn finish(&mut self, status: &str) -> Vec<Value> {
        let base = self.base();
        let with = |kind: &str, extra: Value| with(&base, kind, extra);
        let mut out = Vec::new();
        self.item["status"] = json!(status);
        if self.item["type"] == "function_call" {
            self.item["arguments"] = json!(self.sent);
            if status == "completed" {
                out.push(with("response.function_call_arguments.done", json!({
                    "call_id": self.item["call_id"], "name": self.item["name"], "arguments": self.sent})));
            }
        } else {
            let audio = self.tone.is_some();
            let text_key = if audio { "transcript" } else { "text" };
            let part = json!({"type": Protocol::output_part(audio), text_key: self.sent});
            self.item["content"] = json!([{"type": if audio { "output_audio" } else { "output_text" }, text_key: self.sent}]);
            if status == "completed" {
                if audio {
                    out.push(with(
                        "response.output_audio.done",
                        json!({"content_index": 0}),
                    ));
                    out.push(with(
                        "response.output_audio_transcript.done",
                        json!({"content_index": 0, "transcript": self.sent}),
                    ));
                } else {
                    out.push(with(
                        "response.output_text.done",
                        json!({"content_index": 0, "text": self.sent}),
                    ));
                }
                out.push(with(
                    "response.content_part.done",
                    json!({"content_index": 0, "part": part}),
                ));
            }
        }
        out.push(
            json!({"type": "response.output_item.done", "response_id": self.id, "output_index": 0,
            "item": render(&self.item, self.protocol)}),
        );
        if self.options.in_conversation {
            out.push(json!({"type": "conversation.item.done", "item": render(&self.item, self.protocol)}));
        }
        out
    }

    /// Stops the response (a `response.cancel`, or speech when turn detection interrupts):
    /// the item (if started) done as `incomplete`, then `response.done` with status `cancelled`.
    pub(crate) fn cancel(mut self, reason: &str, conversation: &mut Conversation) -> Vec<Value> {
        self.steps.clear();
        let mut out = Vec::new();
        if self.item_added {
            out = self.finish("incomplete");
            if self.options.in_conversation {
                conversation.replace(self.item.clone());
            }
        }
        out.push(json!({"type": "response.done", "response": self.response(
            "cancelled", json!({"type": "cancelled", "reason": reason}), self.item_added)}));
        out
    }

    /// The ids every event about the output item carries.
    fn base(&self) -> Value {
        json!({"response_id": self.id, "item_id": self.item["id"], "output_index": 0})
    }

    /// The response object, with its output item when `with_output`.
    fn response(&self, status: &str, details: Value, with_output: bool) -> Value {
        let output = if with_output {
            json!([render(&self.item, self.protocol)])
        } else {
            json!([])
        };
        let usage = if status == "in_progress" {
            Value::Null
        } else {
            self.usage()
        };
        let modalities = if self.options.audio_out {
            json!(["audio"])
        } else {
            json!(["text"])
        };
        match self.protocol {
            Protocol::Ga => json!({
                "object": "realtime.response", "id": self.id, "status": status, "status_details": details,
                "output": output, "conversation_id": self.conversation_id, "output_modalities": modalities,
                "max_output_tokens": "inf",
                "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24_000}, "voice": self.options.voice}},
                "usage": usage, "metadata": self.options.metadata,
            }),
            Protocol::Preview => json!({
                "object": "realtime.response", "id": self.id, "status": status, "status_details": details,
                "output": output, "conversation_id": self.conversation_id,
                "modalities": if self.options.audio_out { json!(["audio", "text"]) } else { json!(["text"]) },
                "voice": self.options.voice, "output_audio_format": "pcm16", "max_output_tokens": "inf",
                "usage": usage, "metadata": self.options.metadata,
            }),
        }
    }

    fn usage(&self) -> Value {
        let (text_in, audio_in) = self.input_tokens;
        let text_out = self.sent.chars().count().div_ceil(4) as u64;
        let audio_out = match &self.tone {
            Some(t) => {
                let share = self.sent.len() as f64 / self.text.len().max(1) as f64;
                (t.seconds() * share * OUT_AUDIO_TOKENS_PER_SECOND).ceil() as u64
            }
            None => 0,
        };
        let (input, output) = (text_in + audio_in, text_out + audio_out);
        json!({
            "total_tokens": input + output, "input_tokens": input, "output_tokens": output,
            "input_token_details": {"text_tokens": text_in, "audio_tokens": audio_in, "image_tokens": 0,
                "cached_tokens": 0, "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0}},
            "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
        })
    }
}

/// An event of `kind`: the ids of `base` and the fields of `extra`.
fn with(base: &Value, kind: &str, extra: Value) -> Value {
    let mut e = base.clone();
    e["type"] = json!(kind);
    if let (Some(e), Value::Object(extra)) = (e.as_object_mut(), extra) {
        e.extend(extra);
    }
    e
}

/// The answer to `prompt`, at most [`MAX_TRANSCRIPT_CHARS`] characters.
fn answer(prompt: &Prompt) -> String {
    let text = match prompt {
        Prompt::User(t) => format!("You said: {t}"),
        Prompt::ToolOutput { name, output } => format!("The {name} function returned: {output}"),
        Prompt::Nothing => "Hello from the Azure OpenAI audio emulator.".to_owned(),
    };
    text.chars().take(MAX_TRANSCRIPT_CHARS).collect()
}

/// Audio deltas of [`SYMBOLS_PER_DELTA`] symbols, each preceded by the transcript words whose
/// bytes it completes (symbol `i + 3` carries byte `i`).
fn plan_audio(answer: &str, tone: &ToneText, steps: &mut VecDeque<Step>) {
    let mut words = answer.split_inclusive(' ').peekable();
    let mut covered = 0; // bytes of the answer whose words were sent
    let symbols = tone.symbols();
    let mut from = 0;
    while from < symbols {
        let to = (from + SYMBOLS_PER_DELTA).min(symbols);
        let bytes_done = to.saturating_sub(3);
        while let Some(w) = words.next_if(|w| covered + w.len() <= bytes_done) {
            covered += w.len();
            steps.push_back(Step::Text(w.to_owned()));
        }
        steps.push_back(Step::Audio(from, to));
        from = to;
    }
    steps.extend(words.map(|w| Step::Text(w.to_owned())));
}
