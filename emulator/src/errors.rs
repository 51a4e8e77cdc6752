//! The error responses the emulator sends, shaped like the service's (see `shared/recordings`).
//!
//! Two shapes exist: the gateway's `{"error":{"code":"401","message":...}}` (auth, api-version,
//! deployment, 429) and the model API's
//! `{"error":{"message":...,"type":"invalid_request_error","param":...,"code":...}}` (request checks).

use std::time::Duration;

use serde_json::{json, Value};

/// An error response: status, body and extra headers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub(crate) status: u16,
    /// JSON; or, when a string, a `text/plain` body (the gateway's 413).
    pub(crate) body: Value,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Failure {
    fn gateway(status: u16, code: &str, message: &str) -> Failure {
        Failure {
            status,
            body: json!({"error": {"code": code, "message": message}}),
            headers: Vec::new(),
        }
    }

    /// A 400 from the request checks, in the model API's shape.
    pub(crate) fn invalid(message: impl Into<String>, param: Option<&str>, code: &str) -> Failure {
        Failure {
            status: 400,
            body: json!({"error": {
                "message": message.into(),
                "type": "invalid_request_error",
                "param": param,
                "code": code,
            }}),
            headers: Vec::new(),
        }
    }

    /// `Missing required parameter: 'x'.`
    pub(crate) fn missing(param: &str) -> Failure {
        Failure::invalid(
            format!("Missing required parameter: '{param}'."),
            Some(param),
            "missing_required_parameter",
        )
    }

    /// `Invalid type for 'x': expected ..., but got ... instead.`
    pub(crate) fn wrong_type(param: &str, expected: &str, got: &Value) -> Failure {
        let got = match got {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        Failure::invalid(
            format!("Invalid type for '{param}': expected {expected}, but got {got} instead."),
            Some(param),
            "invalid_type",
        )
    }

    /// `Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'.`
    pub(crate) fn invalid_value(param: &str, value: &str, supported: &[&str]) -> Failure {
        let list: Vec<String> = supported.iter().map(|s| format!("'{s}'")).collect();
        let list = match list.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{}, and {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => String::new(),
        };
        Failure::invalid(
            format!("Invalid value: '{value}'. Supported values are: {list}."),
            Some(param),
            "invalid_value",
        )
    }

    /// The body could not be parsed as JSON.
    pub(crate) fn unparsable_json() -> Failure {
        Failure {
            status: 400,
            body: json!({"error": {
                "message": "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
                "type": "invalid_request_error",
                "param": null,
                "code": null,
            }}),
            headers: Vec::new(),
        }
    }

    /// No key, or a key the emulator was told not to accept (the recorded 401).
    pub(crate) fn bad_key() -> Failure {
        Failure::gateway(
            401,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        )
    }

    /// An `Authorization` header that is not a non-empty bearer token.
    pub(crate) fn bad_token() -> Failure {
        Failure::gateway(
            401,
            "401",
            "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.",
        )
    }

    /// An api-version the emulator does not serve.
    pub(crate) fn api_version_not_supported() -> Failure {
        Failure::gateway(400, "BadRequest", "API version not supported")
    }

    /// A deployment the emulator was told it does not have.
    pub(crate) fn deployment_not_found() -> Failure {
        Failure::gateway(
            404,
            "DeploymentNotFound",
            "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
        )
    }

    /// A Realtime handshake for a deployment whose model is not a realtime one (the service's
    /// text, its code's spelling included).
    pub(crate) fn not_a_realtime_model() -> Failure {
        Failure::gateway(
            400,
            "OpperationNotSupported",
            "The realtime operation does not work with the specified model. Please choose different model and try again.",
        )
    }

    /// A request to a Realtime route that is not a WebSocket handshake.
    pub(crate) fn not_a_websocket() -> Failure {
        Failure::gateway(
            400,
            "BadRequest",
            "The realtime API is served over WebSocket: send GET with Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key.",
        )
    }

    /// A path the emulator does not serve.
    pub(crate) fn resource_not_found() -> Failure {
        Failure::gateway(404, "404", "Resource not found")
    }

    /// A body over the emulator's limit.
    pub(crate) fn body_too_large(limit: usize) -> Failure {
        Failure::gateway(
            413,
            "RequestEntityTooLarge",
            &format!("The request body is larger than {limit} bytes."),
        )
    }

    /// A body over the /audio routes' limit, as the service's gateway says it, in plain text:
    /// `read` is how many bytes of it were read in all.
    pub(crate) fn content_too_large(limit: usize, read: u64) -> Failure {
        Failure {
            status: 413,
            body: Value::String(format!(
                "Maximum content size limit ({limit}) exceeded ({read} bytes read)"
            )),
            headers: Vec::new(),
        }
    }

    /// Nothing more of the request body arrived for `idle`.
    pub(crate) fn body_timeout(idle: Duration) -> Failure {
        Failure::gateway(
            408,
            "RequestTimeout",
            &format!(
                "The request body stopped arriving: nothing was received for {} seconds.",
                idle.as_secs()
            ),
        )
    }

    /// The same answer with `Connection: close`: the server will not read the rest of the
    /// request, so the connection cannot carry another one.
    pub(crate) fn closing(mut self) -> Failure {
        self.headers.push(("connection", "close".to_owned()));
        self
    }

    /// The 429 of [`Fault::RateLimit`](super::Fault::RateLimit), for a request to `operation`.
    pub(crate) fn rate_limited(
        retry_after: Duration,
        operation: &str,
        api_version: &str,
    ) -> Failure {
        let secs = retry_after.as_millis().div_ceil(1000).max(1);
        let unit = if secs == 1 { "second" } else { "seconds" };
        let mut f = Failure::gateway(
            429,
            "429",
            &format!(
                "Requests to the {operation} Operation under Azure OpenAI API version {api_version} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after {secs} {unit}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit. (This 429 was injected by the offline emulator.)"
            ),
        );
        f.headers = vec![
            ("retry-after", secs.to_string()),
            ("retry-after-ms", retry_after.as_millis().to_string()),
            ("x-ratelimit-remaining-requests", "0".to_owned()),
            ("x-ratelimit-remaining-tokens", "0".to_owned()),
        ];
        f
    }

    /// The 500 of [`Fault::ServerError`](super::Fault::ServerError).
    pub(crate) fn server_error(request_id: &str) -> Failure {
        Failure {
            status: 500,
            body: json!({"error": {
                "message": format!("The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request if the error persists. (Please include the request ID {request_id} in your message.) (This 500 was injected by the offline emulator.)"),
                "type": "server_error",
                "param": null,
                "code": null,
            }}),
            headers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_401_is_the_recorded_one() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/recordings/azure-error-401-invalid-key.2024-10-21.recording.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let recorded: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            Failure::bad_key().body,
            recorded["Entries"][0]["ResponseBody"]
        );
    }

    #[test]
    fn supported_values_read_like_the_service() {
        let f = Failure::invalid_value("audio.voice", "robot", &["alloy", "ash", "coral"]);
        assert_eq!(
            f.body["error"]["message"],
            "Invalid value: 'robot'. Supported values are: 'alloy', 'ash', and 'coral'."
        );
        assert_eq!(f.body["error"]["param"], "audio.voice");
        assert_eq!(f.body["error"]["type"], "invalid_request_error");
        let f = Failure::rate_limited(
            Duration::from_millis(1500),
            "ChatCompletions_Create",
            "2025-01-01-preview",
        );
        assert!(f.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ChatCompletions_Create Operation under Azure OpenAI API version 2025-01-01-preview have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after 2 seconds"));
        assert!(f.headers.contains(&("retry-after-ms", "1500".to_owned())));
    }
}
