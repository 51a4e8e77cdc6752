//! Client secrets: a short-lived key a Rust backend mints for a browser or app, so that the
//! resource's own key or token never leaves the backend (WebRTC sessions).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::credential::Secret;
use crate::error::{Error, Result};
use crate::realtime::session::RealtimeSessionConfig;
use crate::transport::body::{BodyPlan, JsonBody};
use crate::transport::options::RequestOptions;
use crate::transport::pipeline::Pipeline;
use crate::transport::request::{ApiRequest, RequestBody};
use crate::transport::route::UrlShape;

/// The shortest and longest life of a client secret the service accepts, in seconds.
const EXPIRY_SECONDS: std::ops::RangeInclusive<u64> = 10..=7200;

/// What [`Realtime::client_secret`](crate::realtime::Realtime::client_secret) asks for: the
/// session configuration the secret's sessions start with, and how long the secret lasts.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClientSecretRequest {
    /// The configuration of the sessions made with the secret.
    pub session: RealtimeSessionConfig,
    /// How long the secret can open sessions (10 s to 2 h; the service's default, 10 min, when
    /// unset).
    pub expires_after: Option<Duration>,
}

impl ClientSecretRequest {
    /// A secret for sessions configured as `session`.
    pub fn new(session: RealtimeSessionConfig) -> Self {
        ClientSecretRequest {
            session,
            expires_after: None,
        }
    }

    /// How long the secret can open sessions (10 s to 2 h, whole seconds).
    pub fn expires_after(mut self, life: Duration) -> Self {
        self.expires_after = Some(life);
        self
    }
}

impl From<RealtimeSessionConfig> for ClientSecretRequest {
    fn from(session: RealtimeSessionConfig) -> Self {
        Self::new(session)
    }
}

/// A client secret (`ek_...`), and the session it opens. `Debug` never shows the secret.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ClientSecret {
    /// The secret: hand it to the browser or app, which sends it as a bearer token.
    #[serde(deserialize_with = "secret")]
    pub value: Secret,
    /// When it expires, in seconds since the Unix epoch.
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// The session configuration as the service holds it (`id`, `model`, ... in `extra`).
    #[serde(default)]
    pub session: Option<RealtimeSessionConfig>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::new)
}

#[derive(Serialize)]
struct Body<'a> {
    session: &'a RealtimeSessionConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_after: Option<Value>,
}

impl JsonBody for Body<'_> {}

/// Sends the request: checked first, the deployment as the session's `model` unless it names one.
pub(crate) async fn create(
    pipeline: &Pipeline,
    deployment: &str,
    request: ClientSecretRequest,
    options: &RequestOptions,
) -> Result<ClientSecret> {
    let expires_after = match request.expires_after {
        Some(life) if !EXPIRY_SECONDS.contains(&life.as_secs()) || life.subsec_nanos() != 0 => {
            return Err(Error::invalid_input(format!(
                "a client secret lasts 10 to 7200 whole seconds, not {} s",
                life.as_secs_f64()
            )))
        }
        Some(life) => Some(json!({"anchor": "created_at", "seconds": life.as_secs()})),
        None => None,
    };
    let mut session = request.session;
    if !session.extra.contains_key("model") {
        session
            .extra
            .insert("model".to_owned(), Value::from(deployment));
    }
    let body = Body {
        session: &session,
        expires_after,
    };
    let api_request = ApiRequest::post(
        "realtime",
        deployment,
        "realtime/client_secrets",
        RequestBody::Json(BodyPlan::new(&body)?),
    )
    .shape(UrlShape::V1);
    pipeline
        .send(&api_request, options, |reply| async {
            let (secret, _) = reply
                .decode(|body| {
                    serde_json::from_slice::<ClientSecret>(&body).map_err(|e| {
                        Error::decode("the client secret reply is not one").with_source(e)
                    })
                })
                .await?;
            Ok(secret)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let secret: ClientSecret = serde_json::from_str(
            r#"{"value":"ek_abc123","expires_at":1756310470,"session":{"type":"realtime","id":"sess_1"}}"#,
        )
        .unwrap();
        assert_eq!(secret.value.expose_secret(), "ek_abc123");
        let debug = format!("{secret:?}");
        assert!(!debug.contains("ek_abc"), "{debug}");
        assert!(
            debug.starts_with(
                "ClientSecret { value: Secret(<redacted>), expires_at: Some(1756310470)"
            ),
            "{debug}"
        );
    }
}
