//! Azure's content-filter annotations: per prompt, per choice, and inside filter errors.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::macros::string_enum;

string_enum! {
    /// How severe the content is in one category.
    pub enum Severity {
        /// `safe`
        Safe => "safe",
        /// `low`
        Low => "low",
        /// `medium`
        Medium => "medium",
        /// `high`
        High => "high",
    }
}

/// A category scored by severity (hate, self_harm, sexual, violence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SeverityResult {
    /// Whether this category caused the content to be filtered.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub filtered: bool,
    /// The severity.
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A category that is detected or not (jailbreak, protected material, profanity, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DetectionResult {
    /// Whether this category caused the content to be filtered.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub filtered: bool,
    /// Whether it was detected.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub detected: bool,
    /// For protected code: where it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
}

/// The source of protected material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Citation {
    /// The source URL.
    #[serde(default, rename = "URL")]
    pub url: Option<String>,
    /// Its license.
    #[serde(default)]
    pub license: Option<String>,
}

/// Custom blocklist results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlocklistResults {
    /// Whether a blocklist caused the content to be filtered.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub filtered: bool,
    /// Per blocklist.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub details: Vec<BlocklistResult>,
}

/// One blocklist's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlocklistResult {
    /// Whether it matched.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub filtered: bool,
    /// The blocklist's id.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub id: String,
}

/// An error the filter itself reported (the content was not checked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilterError {
    /// The code.
    #[serde(default, deserialize_with = "crate::lenient::string_or_number")]
    pub code: Option<String>,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Content-filter results for a prompt or a choice. Every category is optional: Azure sends
/// `{}` when it did not annotate, and adds categories over time.
///
/// Decoding never fails the reply around it: a category this version of the crate does not
/// model (`custom_topics`, `personally_identifiable_information`, ...), or a known one in a shape
/// it cannot read, is kept as sent in [`other`](ContentFilterResults::other).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ContentFilterResults {
    /// Hate and fairness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hate: Option<SeverityResult>,
    /// Self-harm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_harm: Option<SeverityResult>,
    /// Sexual content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sexual: Option<SeverityResult>,
    /// Violence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violence: Option<SeverityResult>,
    /// Profanity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profanity: Option<DetectionResult>,
    /// Jailbreak attempts (prompts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jailbreak: Option<DetectionResult>,
    /// Indirect attacks (prompts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indirect_attack: Option<DetectionResult>,
    /// Protected text (completions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_material_text: Option<DetectionResult>,
    /// Protected code (completions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_material_code: Option<DetectionResult>,
    /// Ungrounded material (completions): spans of the completion its sources do not support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ungrounded_material: Option<UngroundedMaterialResult>,
    /// Custom blocklists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_blocklists: Option<BlocklistResults>,
    /// The filter failed to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FilterError>,
    /// Categories not read into the fields above, as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for ContentFilterResults {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut other = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Object(map) => map.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        /// Moves `key` out of `other` when it reads as a `T` (or is `null`).
        fn take<T: DeserializeOwned>(
            other: &mut BTreeMap<String, serde_json::Value>,
            key: &str,
        ) -> Option<T> {
            let parsed = match other.get(key)? {
                serde_json::Value::Null => None,
                value => Some(T::deserialize(value).ok()?),
            };
            other.remove(key);
            parsed
        }
        Ok(ContentFilterResults {
            hate: take(&mut other, "hate"),
            self_harm: take(&mut other, "self_harm"),
            sexual: take(&mut other, "sexual"),
            violence: take(&mut other, "violence"),
            profanity: take(&mut other, "profanity"),
            jailbreak: take(&mut other, "jailbreak"),
            indirect_attack: take(&mut other, "indirect_attack"),
            protected_material_text: take(&mut other, "protected_material_text"),
            protected_material_code: take(&mut other, "protected_material_code"),
            ungrounded_material: take(&mut other, "ungrounded_material"),
            custom_blocklists: take(&mut other, "custom_blocklists"),
            error: take(&mut other, "error"),
            other,
        })
    }
}

/// Ungrounded material: whether it was found, and where in the completion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UngroundedMaterialResult {
    /// Whether it caused the content to be filtered.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub filtered: bool,
    /// Whether it was detected.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub detected: bool,
    /// The spans of the completion it was found in.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub details: Vec<CompletionTextSpan>,
}

/// A span of the completion's text, in characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompletionTextSpan {
    /// Where it starts.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub completion_start_offset: i64,
    /// Where it ends (exclusive).
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub completion_end_offset: i64,
}

impl ContentFilterResults {
    /// True when any category filtered the content.
    pub fn any_filtered(&self) -> bool {
        let sev = [&self.hate, &self.self_harm, &self.sexual, &self.violence];
        let det = [
            &self.profanity,
            &self.jailbreak,
            &self.indirect_attack,
            &self.protected_material_text,
            &self.protected_material_code,
        ];
        sev.iter().any(|r| r.as_ref().is_some_and(|r| r.filtered))
            || det.iter().any(|r| r.as_ref().is_some_and(|r| r.filtered))
            || self.custom_blocklists.as_ref().is_some_and(|b| b.filtered)
            || self
                .ungrounded_material
                .as_ref()
                .is_some_and(|u| u.filtered)
            || self.other.values().any(|v| v["filtered"] == true)
    }

    /// True when Azure sent `{}` (nothing annotated).
    pub fn is_empty(&self) -> bool {
        *self == ContentFilterResults::default()
    }
}

impl ContentFilterResults {
    /// Takes every category `other` annotated (Azure's asynchronous filter sends a choice's
    /// categories across several stream events).
    pub(crate) fn merge_from(&mut self, other: &ContentFilterResults) {
        macro_rules! take {
            ($($field:ident),+) => {$(
                if other.$field.is_some() {
                    self.$field.clone_from(&other.$field);
                }
            )+};
        }
        take!(
            hate,
            self_harm,
            sexual,
            violence,
            profanity,
            jailbreak,
            indirect_attack,
            protected_material_text,
            protected_material_code,
            ungrounded_material,
            custom_blocklists,
            error
        );
        for (key, value) in &other.other {
            self.other.insert(key.clone(), value.clone());
        }
    }
}

/// Azure's asynchronous filter: which part of the streamed text a filter event judged
/// (character offsets into the completion).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentFilterOffsets {
    /// How far the filter has checked.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub check_offset: i64,
    /// Where the judged text starts.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub start_offset: i64,
    /// Where it ends.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub end_offset: i64,
}

/// Filter results for one prompt of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PromptFilterResult {
    /// Which prompt.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub prompt_index: u32,
    /// Its results.
    #[serde(default, deserialize_with = "crate::lenient::null_as_default")]
    pub content_filter_results: ContentFilterResults,
}
