//! The Azure error body: [`ApiError`], read leniently from what the service sends.

use serde::Deserialize;

use crate::chat::filter::ContentFilterResults;

/// How many bytes of a body that is not JSON an [`ApiError`] keeps.
pub const RAW_BODY_PREFIX: usize = 512;

/// How many characters of a plain-text error body an error's message quotes.
const PLAIN_TEXT_LINE: usize = 200;

/// The `error` object of an Azure OpenAI error response, parsed leniently.
///
/// `code` may arrive as a string or a number; `innererror` and `inner_error` are both read, as
/// are `content_filter_result` and `content_filter_results`. A body that is not JSON still gives
/// an `ApiError`, with the start of the body in [`raw_body`](ApiError::raw_body).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The error code, e.g. `content_filter`, `429`, `DeploymentNotFound`.
    pub code: Option<String>,
    /// The human-readable message.
    pub message: String,
    /// The request parameter the error is about, e.g. `prompt`.
    pub param: Option<String>,
    /// The error type, when the service gives one.
    pub error_type: Option<String>,
    /// Details: Responsible AI policy code and the content-filter results.
    pub inner_error: Option<InnerError>,
    /// The start of the body (at most 512 bytes) when it was not an Azure error object.
    pub raw_body: Option<String>,
}

/// The `innererror` of an Azure error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct InnerError {
    /// Usually `ResponsibleAIPolicyViolation`.
    #[serde(default, deserialize_with = "crate::lenient::string_or_number")]
    pub code: Option<String>,
    /// Which content-filter categories fired.
    #[serde(default, alias = "content_filter_result")]
    pub content_filter_results: Option<ContentFilterResults>,
    /// The prompt as the service revised it, when it did.
    #[serde(default)]
    pub revised_prompt: Option<String>,
}

/// The shapes an error body comes in: Azure OpenAI's `{"error": {...}}`, and the flat
/// `{"statusCode": 429, "message": "..."}` of an API Management gateway in front of it.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    Wrapped { error: Box<WireError> },
    Flat(FlatError),
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default, deserialize_with = "crate::lenient::string_or_number")]
    code: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::best_effort")]
    message: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::best_effort")]
    param: Option<String>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "crate::lenient::best_effort"
    )]
    error_type: Option<String>,
    #[serde(
        default,
        alias = "inner_error",
        deserialize_with = "crate::lenient::best_effort"
    )]
    innererror: Option<InnerError>,
}

#[derive(Deserialize)]
struct FlatError {
    #[serde(
        default,
        alias = "statusCode",
        deserialize_with = "crate::lenient::string_or_number"
    )]
    code: Option<String>,
    message: String,
}

impl ApiError {
    /// Parses an error body; never fails.
    pub fn parse(body: &[u8]) -> ApiError {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(ErrorBody::Wrapped { error }) => ApiError {
                code: error.code,
                message: error.message.unwrap_or_default(),
                param: error.param,
                error_type: error.error_type,
                inner_error: error.innererror,
                raw_body: None,
            },
            Ok(ErrorBody::Flat(flat)) => ApiError {
                code: flat.code,
                message: flat.message,
                ..ApiError::default()
            },
            Err(_) => {
                let end = body.len().min(RAW_BODY_PREFIX);
                let start = String::from_utf8_lossy(&body[..end]).into_owned();
                ApiError {
                    message: String::new(),
                    raw_body: Some(start),
                    ..ApiError::default()
                }
            }
        }
    }

    /// The first line of a body that was plain text (not JSON, not an HTML page), at most
    /// [`PLAIN_TEXT_LINE`] characters: what the error's message quotes.
    pub(super) fn plain_text_line(&self) -> Option<&str> {
        let raw = self.raw_body.as_deref()?.trim_start();
        if raw.is_empty() || raw.starts_with('<') {
            return None;
        }
        let line = raw.lines().next()?.trim_end();
        Some(match line.char_indices().nth(PLAIN_TEXT_LINE) {
            Some((end, _)) => line.get(..end).unwrap_or(line),
            None => line,
        })
    }

    /// True when the content filter rejected the request.
    pub fn is_content_filter(&self) -> bool {
        self.code.as_deref() == Some("content_filter")
            || self.inner_error.as_ref().is_some_and(|i| {
                i.code.as_deref() == Some("ResponsibleAIPolicyViolation")
                    || i.content_filter_results.is_some()
            })
    }

    /// The content-filter results that caused the rejection, if any.
    pub fn content_filter_results(&self) -> Option<&ContentFilterResults> {
        self.inner_error
            .as_ref()
            .and_then(|i| i.content_filter_results.as_ref())
    }
}
