//! The chat completions route: a checked request, answered with a deterministic (spoken) reply.

use serde_json::Value;

use super::errors::Failure;
use super::models::chat_model;
use super::reply::{self, Reply, Spoken};
use super::server::{deployment, unix_now, Answer, State, Stop};
use super::sse;
use super::validate::validate;

/// The answer to a chat completions request whose body is `body`; `from_path` is the
/// deployment of the deployments route (`None` on `/openai/v1`).
pub(crate) fn answer(
    state: &State,
    body: &[u8],
    from_path: Option<String>,
    request_id: &str,
    deployment_out: &mut Option<String>,
) -> Result<Answer, Stop> {
    let config = &state.config;
    let json: Value = serde_json::from_slice(body).map_err(|_| Failure::unparsable_json())?;
    let model = json.get("model").and_then(Value::as_str);
    let deployment = deployment(config, from_path, model)?;
    *deployment_out = Some(deployment.clone());
    let now = unix_now();
    let plan = validate(&json, &state.audio, now)?;
    let transcript = reply::transcript(&plan);
    let ttl = i64::try_from(config.audio_ttl.as_secs()).unwrap_or(i64::MAX);
    let audio = plan.audio.as_ref().map(|(voice, format)| Spoken {
        id: state.audio_id(),
        expires_at: now.saturating_add(ttl),
        format: *format,
        pcm: reply::synthesize(&transcript, voice),
    });
    let reply = Reply {
        id: state.completion_id(),
        created: now,
        model: chat_model(&deployment).to_owned(),
        usage: reply::usage(&plan, &transcript, audio.as_ref().map(|a| a.pcm.len())),
        prompt_filter_results: reply::prompt_filter_results(&plan),
        transcript,
        audio,
    };
    let answer = if plan.stream {
        Answer::Stream(sse::events(&reply, plan.include_usage))
    } else {
        Answer::Json(reply::completion(&reply).map_err(|_| Failure::server_error(request_id))?)
    };
    if let Some(a) = &reply.audio {
        state.audio.insert(a.id.clone(), a.expires_at);
    }
    Ok(answer)
}
