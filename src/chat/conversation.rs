//! A conversation that keeps its history and cites earlier spoken replies by audio id.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::chat::message::{Message, ToolCall, UserContent};
use crate::chat::request::ChatRequest;
use crate::chat::response::ChatCompletion;
use crate::client::Client;
use crate::error::Result;

/// A multi-turn conversation.
///
/// Each reply is kept in the history. When the next request is built, a spoken reply is cited by
/// its audio id (`{"role":"assistant","audio":{"id":...}}`) while its `expires_at` is in the
/// future, and sent as its transcript text after that, so a long conversation never cites audio
/// the service has forgotten.
///
/// ```no_run
/// # async fn f(client: azure_openai_audio::Client, audio: azure_openai_audio::InputAudio) -> azure_openai_audio::Result<()> {
/// use azure_openai_audio::{AudioFormat, ChatRequest, ContentPart, Conversation, Voice};
/// let mut chat = Conversation::new(ChatRequest::default().audio(Voice::Alloy, AudioFormat::Wav));
/// let first = chat.ask(&client, vec![ContentPart::text("Describe this."), ContentPart::audio(audio)]).await?;
/// let second = chat.ask(&client, "Very concisely summarize the favorability.").await?;
/// # Ok(()) }
/// ```
///
/// # Saving and restoring
///
/// A conversation serializes (its settings and its history) and deserializes, so an app can
/// save it and continue it later. Replies are kept as their text, audio id, expiry and
/// transcript (never their audio); user audio from memory is kept as its base64, audio from a
/// file as its path and size (see [`InputAudio`](crate::InputAudio)).
///
/// ```
/// # use azure_openai_audio::{ChatRequest, Conversation};
/// let mut chat = Conversation::new(ChatRequest::default());
/// chat.push_user("Hello");
/// let saved = serde_json::to_string(&chat).unwrap();
/// let restored: Conversation = serde_json::from_str(&saved).unwrap();
/// assert_eq!(restored.request_at(0), chat.request_at(0));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conversation {
    settings: ChatRequest,
    turns: Vec<Turn>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Turn {
    Message(Message),
    Reply {
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        audio: Option<RecordedAudio>,
        #[serde(default)]
        tool_calls: Vec<ToolCall>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordedAudio {
    id: String,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    transcript: String,
}

impl Conversation {
    /// A conversation whose requests use `settings` (voice, format, limits, ...). Messages already
    /// in `settings` start the history.
    pub fn new(settings: ChatRequest) -> Self {
        let mut settings = settings;
        let turns = std::mem::take(settings.messages_mut())
            .into_iter()
            .map(Turn::Message)
            .collect();
        Conversation { settings, turns }
    }

    /// Changes the settings for the following requests, e.g. `chat.configure(|r| r.text_only())`.
    pub fn configure(&mut self, f: impl FnOnce(ChatRequest) -> ChatRequest) {
        let settings = std::mem::take(&mut self.settings);
        self.settings = f(settings);
    }

    /// Appends a message.
    pub fn push(&mut self, message: Message) {
        self.turns.push(Turn::Message(message));
    }

    /// Appends a user message.
    pub fn push_user(&mut self, content: impl Into<UserContent>) {
        self.push(Message::user(content));
    }

    /// Appends the first choice of a reply to the history.
    pub fn record(&mut self, reply: &ChatCompletion) {
        let Some(message) = reply.message() else {
            return;
        };
        self.turns.push(Turn::Reply {
            content: message.content.clone(),
            audio: message.audio.as_ref().map(|a| RecordedAudio {
                id: a.id.clone(),
                expires_at: a.expires_at,
                transcript: a.transcript.clone(),
            }),
            tool_calls: message.tool_calls.clone(),
        });
    }

    /// Sends the user's content with the history, records the reply and returns it.
    /// On failure the user's message is taken back out, so the call can simply be repeated.
    pub async fn ask(
        &mut self,
        client: &Client,
        content: impl Into<UserContent>,
    ) -> Result<ChatCompletion> {
        self.push_user(content);
        match client.chat().complete(&self.request()).await {
            Ok(reply) => {
                self.record(&reply);
                Ok(reply)
            }
            Err(e) => {
                self.turns.pop();
                Err(e)
            }
        }
    }

    /// The request for the next turn, as of now.
    pub fn request(&self) -> ChatRequest {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        self.request_at(now)
    }

    /// The request for the next turn, as of `now_unix` (seconds): audio that expired by then is sent as its transcript.
    pub fn request_at(&self, now_unix: i64) -> ChatRequest {
        self.settings.clone().messages(self.messages_at(now_unix))
    }

    /// The history as messages, as of `now_unix`.
    pub fn messages_at(&self, now_unix: i64) -> Vec<Message> {
        self.turns
            .iter()
            .map(|turn| match turn {
                Turn::Message(m) => m.clone(),
                Turn::Reply {
                    content,
                    audio,
                    tool_calls,
                } => {
                    let mut m = match audio {
                        Some(a) if a.expires_at.is_none_or(|t| t > now_unix) => {
                            Message::assistant_audio(&a.id)
                        }
                        Some(a) => Message::assistant(
                            content.clone().unwrap_or_else(|| a.transcript.clone()),
                        ),
                        None => Message::assistant(content.clone().unwrap_or_default()),
                    };
                    if let Message::Assistant {
                        tool_calls: calls, ..
                    } = &mut m
                    {
                        calls.clone_from(tool_calls);
                    }
                    m
                }
            })
            .collect()
    }

    /// How many turns the history has.
    pub fn len(&self) -> usize {
        self.turns.len()
    }

    /// True when nothing has been said yet.
    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }
}
