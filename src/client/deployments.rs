//! Which deployment each API uses: on Azure every model is its own deployment (`whisper`,
//! `gpt-4o-mini-tts`, ...), and one [`Client`](crate::Client) serves them all.

use std::fmt;

use crate::error::{Error, Result};

/// The APIs of the crate that can each have their own deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// Chat completions with audio (`chat/completions`).
    Chat,
    /// Text to speech (`audio/speech`).
    Speech,
    /// Speech to text (`audio/transcriptions`).
    Transcription,
    /// Speech to English text (`audio/translations`).
    Translation,
    /// Realtime sessions over a WebSocket (`realtime`).
    Realtime,
}

impl Api {
    /// Every API, in a fixed order.
    pub const ALL: [Api; 5] = [
        Api::Chat,
        Api::Speech,
        Api::Transcription,
        Api::Translation,
        Api::Realtime,
    ];

    /// A short lower-case name: `chat`, `speech`, `transcription`, `translation`, `realtime`.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Chat => "chat",
            Api::Speech => "speech",
            Api::Transcription => "transcription",
            Api::Translation => "translation",
            Api::Realtime => "realtime",
        }
    }

    /// The deployment [`Client::from_env`](crate::Client::from_env) uses when the API's variable
    /// is unset, as the quickstarts name them.
    pub fn default_deployment(self) -> &'static str {
        match self {
            Api::Chat => super::DEFAULT_DEPLOYMENT,
            Api::Speech => "gpt-4o-mini-tts",
            Api::Transcription => "gpt-4o-mini-transcribe",
            Api::Translation => "whisper",
            Api::Realtime => "gpt-realtime",
        }
    }

    /// The environment variable [`Client::from_env`](crate::Client::from_env) reads for the API's
    /// deployment.
    pub fn env_var(self) -> &'static str {
        match self {
            Api::Chat => super::env::DEPLOYMENT,
            Api::Speech => super::env::TTS_DEPLOYMENT,
            Api::Transcription => super::env::TRANSCRIBE_DEPLOYMENT,
            Api::Translation => super::env::TRANSLATE_DEPLOYMENT,
            Api::Realtime => super::env::REALTIME_DEPLOYMENT,
        }
    }

    fn index(self) -> usize {
        match self {
            Api::Chat => 0,
            Api::Speech => 1,
            Api::Transcription => 2,
            Api::Translation => 3,
            Api::Realtime => 4,
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A deployment name per API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deployments([String; 5]);

impl Deployments {
    /// `name` for every API.
    pub(crate) fn all(name: &str) -> Self {
        Deployments(std::array::from_fn(|_| name.to_owned()))
    }

    pub(crate) fn get(&self, api: Api) -> &str {
        &self.0[api.index()]
    }

    pub(crate) fn set(&mut self, api: Api, name: String) {
        self.0[api.index()] = name;
    }

    /// An error naming the API whose deployment name is empty.
    pub(crate) fn check(&self) -> Result<()> {
        for api in Api::ALL {
            if self.get(api).trim().is_empty() {
                return Err(Error::config(match api {
                    Api::Chat => "the deployment name is empty".to_owned(),
                    other => format!("the {other} deployment name is empty"),
                }));
            }
        }
        Ok(())
    }
}
