//! What a transcription was billed: tokens (gpt-4o models) or seconds of audio (whisper).

use serde::{Deserialize, Serialize};

/// The `usage` of a transcription, by its `type`. Azure's whisper replies carry none.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TranscriptionUsage {
    /// `"type": "tokens"`: models billed by token.
    Tokens(TokenUsage),
    /// `"type": "duration"`: models billed by the second of audio.
    Duration {
        /// Seconds of audio billed.
        seconds: f64,
    },
    /// A usage of a type this version of the crate does not know, kept as sent.
    Unknown(serde_json::Value),
}

/// Token counts of a transcription.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenUsage {
    /// Input tokens billed.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub input_tokens: u64,
    /// Input tokens by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_token_details: Option<InputTokenDetails>,
    /// Output tokens generated.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub output_tokens: u64,
    /// Both.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub total_tokens: u64,
}

/// Input tokens by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputTokenDetails {
    /// Tokens of text (the prompt).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub text_tokens: u64,
    /// Tokens of audio.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub audio_tokens: u64,
}

#[derive(Deserialize)]
struct DurationWire {
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    seconds: f64,
}

impl<'de> Deserialize<'de> for TranscriptionUsage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let typed = match value.get("type").and_then(serde_json::Value::as_str) {
            Some("tokens") => TokenUsage::deserialize(&value).ok().map(Self::Tokens),
            Some("duration") => DurationWire::deserialize(&value)
                .ok()
                .map(|w| Self::Duration { seconds: w.seconds }),
            _ => None,
        };
        Ok(typed.unwrap_or(Self::Unknown(value)))
    }
}

impl Serialize for TranscriptionUsage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = match self {
            Self::Tokens(tokens) => {
                let mut v = serde_json::to_value(tokens).map_err(serde::ser::Error::custom)?;
                if let Some(object) = v.as_object_mut() {
                    object.insert("type".into(), "tokens".into());
                }
                v
            }
            Self::Duration { seconds } => {
                serde_json::json!({"type": "duration", "seconds": seconds})
            }
            Self::Unknown(value) => value.clone(),
        };
        value.serialize(s)
    }
}

impl TranscriptionUsage {
    /// The token counts, for a token usage.
    pub fn tokens(&self) -> Option<&TokenUsage> {
        match self {
            Self::Tokens(tokens) => Some(tokens),
            _ => None,
        }
    }

    /// The seconds billed, for a duration usage.
    pub fn seconds(&self) -> Option<f64> {
        match self {
            Self::Duration { seconds } => Some(*seconds),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_duration_and_unknown_usages_round_trip() {
        let tokens = json!({"type": "tokens", "total_tokens": 27, "input_tokens": 17,
            "input_token_details": {"text_tokens": 0, "audio_tokens": 17}, "output_tokens": 10});
        let u: TranscriptionUsage = serde_json::from_value(tokens.clone()).unwrap();
        let t = u.tokens().unwrap();
        assert_eq!(
            (t.input_tokens, t.output_tokens, t.total_tokens),
            (17, 10, 27)
        );
        assert_eq!(t.input_token_details.as_ref().unwrap().audio_tokens, 17);
        assert_eq!(serde_json::to_value(&u).unwrap(), tokens);

        let duration = json!({"type": "duration", "seconds": 0});
        let u: TranscriptionUsage = serde_json::from_value(duration).unwrap();
        assert_eq!(u.seconds(), Some(0.0));
        assert_eq!(u.tokens(), None);

        // A type the crate does not know, and a known type in a shape it cannot read.
        for odd in [
            json!({"type": "characters", "count": 12}),
            json!({"type": "duration", "seconds": "x"}),
        ] {
            let u: TranscriptionUsage = serde_json::from_value(odd.clone()).unwrap();
            assert_eq!(u, TranscriptionUsage::Unknown(odd.clone()));
            assert_eq!(serde_json::to_value(&u).unwrap(), odd);
        }
    }
}
