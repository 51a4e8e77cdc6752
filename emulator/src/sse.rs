//! Streaming replies in Azure's server-sent-event framing.
//!
//! The order is the service's: a first event that carries only `prompt_filter_results` (empty
//! `id`, `model` and `object`, `created: 0`); a first delta with the role (and, for audio, the
//! audio id and an empty transcript); transcript deltas alternating with pcm16 audio deltas; a
//! finish chunk (`delta: {}`, `finish_reason: "stop"`); the choice's content filter results
//! (an event with empty `id`, `model` and `object`, `created: 0`, and a choice with only
//! `index`, `content_filter_results`, `content_filter_offsets` and `finish_reason: null`); the
//! usage chunk (`choices: []`, only with `stream_options.include_usage`); for audio, a last
//! delta carrying only `expires_at`; then `data: [DONE]`.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Value};

use super::reply::{choice_filter_results, pcm16, Reply, FINGERPRINT, SAMPLES_PER_CHAR};

/// The events of a streamed reply, each a complete `data: ...\n\n` frame.
pub(crate) fn events(reply: &Reply, include_usage: bool) -> Vec<Bytes> {
    let mut out = vec![event(&json!({
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": reply.prompt_filter_results,
    }))];
    let chunk = |delta: Value, finish: Option<&str>| {
        event(&json!({
            "choices": [{
                "delta": delta,
                "finish_reason": finish,
                "index": 0,
                "logprobs": null,
            }],
            "created": reply.created,
            "id": reply.id,
            "model": reply.model,
            "object": "chat.completion.chunk",
            "system_fingerprint": FINGERPRINT,
            "usage": null,
        }))
    };
    let pieces = reply.transcript.split_inclusive(' ');
    match &reply.audio {
        Some(audio) => {
            out.push(chunk(
                json!({"role": "assistant", "content": null, "audio": {"id": audio.id, "transcript": ""}}),
                None,
            ));
            let mut at = 0;
            for piece in pieces {
                let end = (at + piece.chars().count() * SAMPLES_PER_CHAR).min(audio.pcm.len());
                out.push(chunk(json!({"audio": {"transcript": piece}}), None));
                let data =
                    base64::engine::general_purpose::STANDARD.encode(pcm16(&audio.pcm[at..end]));
                out.push(chunk(json!({"audio": {"data": data}}), None));
                at = end;
            }
        }
        None => {
            out.push(chunk(
                json!({"content": "", "refusal": null, "role": "assistant"}),
                None,
            ));
            for piece in pieces {
                out.push(chunk(json!({"content": piece}), None));
            }
        }
    }
    out.push(chunk(json!({}), Some("stop")));
    // As the service sends them once the content is checked; the offsets span all of it.
    out.push(event(&json!({
        "choices": [{
            "content_filter_offsets": {
                "check_offset": 0,
                "start_offset": 0,
                "end_offset": reply.transcript.chars().count(),
            },
            "content_filter_results": choice_filter_results(),
            "finish_reason": null,
            "index": 0,
        }],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
    })));
    if include_usage {
        out.push(event(&json!({
            "choices": [],
            "created": reply.created,
            "id": reply.id,
            "model": reply.model,
            "object": "chat.completion.chunk",
            "system_fingerprint": FINGERPRINT,
            "usage": reply.usage,
        })));
    }
    if let Some(audio) = &reply.audio {
        out.push(chunk(
            json!({"audio": {"expires_at": audio.expires_at}}),
            None,
        ));
    }
    out.push(Bytes::from_static(b"data: [DONE]\n\n"));
    out
}

fn event(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Spoken;
    use crate::validate::OutFormat;

    fn reply(audio: bool) -> Reply {
        let transcript = "Hello big world.".to_owned();
        Reply {
            id: "chatcmpl-1".into(),
            created: 7,
            model: "m".into(),
            audio: audio.then(|| Spoken {
                id: "audio_1".into(),
                expires_at: 3607,
                format: OutFormat::Pcm16,
                pcm: (0..transcript.len() * SAMPLES_PER_CHAR)
                    .map(|i| i as i16)
                    .collect(),
            }),
            transcript,
            usage: json!({"total_tokens": 3}),
            prompt_filter_results: json!([{"prompt_index": 0, "content_filter_results": {}}]),
        }
    }

    fn parse(events: &[Bytes]) -> Vec<Value> {
        events
            .iter()
            .map(|e| {
                let text = std::str::from_utf8(e).unwrap();
                let data = text
                    .strip_prefix("data: ")
                    .unwrap()
                    .strip_suffix("\n\n")
                    .unwrap();
                serde_json::from_str(data).unwrap_or(Value::String(data.to_owned()))
            })
            .collect()
    }

    #[test]
    fn audio_stream_is_framed_like_azure() {
        let r = reply(true);
        let e = parse(&events(&r, true));
        assert_eq!(e[0]["choices"], json!([]));
        assert_eq!(e[0]["id"], "");
        assert_eq!(e[0]["created"], 0);
        assert_eq!(e[0]["prompt_filter_results"][0]["prompt_index"], 0);
        assert_eq!(
            e[1]["choices"][0]["delta"],
            json!({"role": "assistant", "content": null, "audio": {"id": "audio_1", "transcript": ""}})
        );
        // Three words: transcript, data, transcript, data, transcript, data.
        let mut transcript = String::new();
        let mut pcm = Vec::new();
        for ev in &e[2..8] {
            let a = &ev["choices"][0]["delta"]["audio"];
            if let Some(t) = a["transcript"].as_str() {
                transcript.push_str(t);
            } else {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(a["data"].as_str().unwrap())
                    .unwrap();
                pcm.extend(bytes);
            }
        }
        assert_eq!(transcript, r.transcript);
        assert_eq!(pcm, pcm16(&r.audio.as_ref().unwrap().pcm));
        assert_eq!(e[8]["choices"][0]["finish_reason"], "stop");
        assert_eq!(
            e[9],
            json!({
                "choices": [{
                    "content_filter_offsets": {"check_offset": 0, "start_offset": 0, "end_offset": 16},
                    "content_filter_results": choice_filter_results(),
                    "finish_reason": null,
                    "index": 0,
                }],
                "created": 0,
                "id": "",
                "model": "",
                "object": "",
            })
        );
        assert_eq!(e[10]["choices"], json!([]));
        assert_eq!(e[10]["usage"]["total_tokens"], 3);
        assert_eq!(
            e[11]["choices"][0]["delta"],
            json!({"audio": {"expires_at": 3607}})
        );
        assert_eq!(e[12], "[DONE]");
        assert_eq!(e.len(), 13);
    }

    #[test]
    fn text_stream_without_usage() {
        let e = parse(&events(&reply(false), false));
        assert_eq!(e[1]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(e[2]["choices"][0]["delta"]["content"], "Hello ");
        assert_eq!(e[5]["choices"][0]["finish_reason"], "stop");
        assert_eq!(
            e[6]["choices"][0]["content_filter_results"],
            choice_filter_results()
        );
        assert_eq!(e[6]["id"], "");
        assert_eq!(e[7], "[DONE]");
        assert_eq!(e.len(), 8);
    }
}
