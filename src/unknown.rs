//! [`UnknownValue`]: what an enum of service-chosen values holds when the value is new to this
//! version of the crate.

use std::fmt;

/// A value the crate does not know (yet), kept as it was sent: the payload of the `Unknown`
/// variant of [`Voice`](crate::Voice), [`AudioFormat`](crate::AudioFormat),
/// [`FinishReason`](crate::FinishReason), [`Severity`](crate::Severity), ...
///
/// It cannot be built by hand, only by reading a value (`From<&str>`, `FromStr`,
/// `Deserialize`) that is not a known one. So an `Unknown` never stands for a known value
/// (`Voice::from("alloy")` is always `Voice::Alloy`), and a `match` stays correct when a later
/// release adds the variant: match the known variants, and treat the rest through `as_str()`.
///
/// ```
/// use azure_openai_audio::Voice;
///
/// let voice = Voice::from("a-voice-from-next-year");
/// assert_eq!(voice.as_str(), "a-voice-from-next-year");
/// assert!(matches!(voice, Voice::Unknown(_)));
/// assert_eq!(Voice::from("alloy"), Voice::Alloy);
/// ```
///
/// Neither the value nor its field can be written by hand:
///
/// ```compile_fail,E0423
/// use azure_openai_audio::{UnknownValue, Voice};
/// let shadow = Voice::Unknown(UnknownValue("alloy".to_owned()));
/// ```
///
/// ```compile_fail,E0624
/// use azure_openai_audio::{UnknownValue, Voice};
/// let shadow = Voice::Unknown(UnknownValue::new("alloy".to_owned()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Only the `string_enum!` conversions call it, for text that is not a known value.
    pub(crate) fn new(text: String) -> Self {
        UnknownValue(text)
    }

    /// The value as it was sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use crate::chat::request::Modality;
    use crate::{AudioFormat, FinishReason, Role, Severity, Voice};

    /// For one enum: every known text reads as its variant (by every conversion) and writes
    /// back; an unknown text reads as `Unknown` and round-trips as sent.
    fn check<T>(known: &[(&str, T)], unknown: &str)
    where
        T: std::fmt::Debug
            + PartialEq
            + From<&'static str>
            + From<String>
            + FromStr
            + std::fmt::Display
            + serde::Serialize
            + serde::de::DeserializeOwned,
        <T as FromStr>::Err: std::fmt::Debug,
    {
        for (text, variant) in known {
            let json = serde_json::json!(text);
            assert_eq!(&serde_json::from_value::<T>(json.clone()).unwrap(), variant);
            assert_eq!(&T::from_str(text).unwrap(), variant);
            assert_eq!(&T::from(text.to_string()), variant);
            assert_eq!(serde_json::to_value(variant).unwrap(), json);
            assert_eq!(variant.to_string(), *text);
        }
        let json = serde_json::json!(unknown);
        let value: T = serde_json::from_value(json.clone()).unwrap();
        assert!(
            format!("{value:?}").starts_with("Unknown(UnknownValue("),
            "{value:?}"
        );
        assert!(known.iter().all(|(_, k)| *k != value));
        assert_eq!(serde_json::to_value(&value).unwrap(), json);
        assert_eq!(value.to_string(), unknown);
        assert_eq!(T::from_str(unknown).unwrap(), value);
    }

    #[test]
    fn known_values_are_never_unknown_and_unknown_ones_round_trip() {
        check(
            &[
                ("alloy", Voice::Alloy),
                ("ash", Voice::Ash),
                ("ballad", Voice::Ballad),
                ("coral", Voice::Coral),
                ("echo", Voice::Echo),
                ("fable", Voice::Fable),
                ("nova", Voice::Nova),
                ("onyx", Voice::Onyx),
                ("sage", Voice::Sage),
                ("shimmer", Voice::Shimmer),
                ("verse", Voice::Verse),
                ("marin", Voice::Marin),
                ("cedar", Voice::Cedar),
            ],
            "aurora-2",
        );
        check(
            &[
                ("wav", AudioFormat::Wav),
                ("mp3", AudioFormat::Mp3),
                ("flac", AudioFormat::Flac),
                ("opus", AudioFormat::Opus),
                ("pcm16", AudioFormat::Pcm16),
                ("aac", AudioFormat::Aac),
            ],
            "g711_ulaw",
        );
        check(
            &[
                ("stop", FinishReason::Stop),
                ("length", FinishReason::Length),
                ("content_filter", FinishReason::ContentFilter),
                ("tool_calls", FinishReason::ToolCalls),
                ("function_call", FinishReason::FunctionCall),
            ],
            "something_new",
        );
        check(
            &[
                ("safe", Severity::Safe),
                ("low", Severity::Low),
                ("medium", Severity::Medium),
                ("high", Severity::High),
            ],
            "critical",
        );
        check(
            &[
                ("developer", Role::Developer),
                ("system", Role::System),
                ("user", Role::User),
                ("assistant", Role::Assistant),
                ("tool", Role::Tool),
            ],
            "critic",
        );
        check(
            &[("text", Modality::Text), ("audio", Modality::Audio)],
            "video",
        );
    }

    #[test]
    fn matching_is_case_sensitive_and_unknown_text_is_kept_exactly() {
        // The service's values are lower case; anything else is not a known value, kept as is.
        let v = Voice::from("Alloy");
        assert!(matches!(&v, Voice::Unknown(u) if u.as_str() == "Alloy"));
        assert_ne!(v, Voice::Alloy);
        let odd = " new voice\u{e9} ";
        let v = Voice::from(odd);
        assert_eq!(v.as_str(), odd);
        assert_eq!(
            serde_json::from_str::<Voice>(&serde_json::to_string(&v).unwrap()).unwrap(),
            v
        );
    }
}
