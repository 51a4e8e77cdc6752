//! The emulator's deterministic replies: a transcript derived from the prompt, a playable signal
//! whose length follows the transcript, usage counts and Azure's filter results.

use std::f32::consts::TAU;
use std::io::Cursor;

use base64::Engine as _;
use serde_json::{json, Value};

use super::measure::Measured;
use super::validate::{OutFormat, Plan, VOICES};

/// Output sample rate (as the service's pcm16): 24 kHz, mono, 16-bit.
pub(crate) const SAMPLE_RATE: u32 = 24_000;
/// Samples of audio per transcript character: 60 ms.
pub(crate) const SAMPLES_PER_CHAR: usize = (SAMPLE_RATE as usize) * 60 / 1000;
/// The longest quote of the prompt a transcript repeats, in characters.
const QUOTE_CHARS: usize = 120;
/// The most input clips a transcript describes one by one; the others are counted in one sentence.
const DESCRIBED_CLIPS: usize = 3;
/// The longest transcript, in characters, whatever the request (the reply's audio is 60 ms a
/// character: at most 36 s, 1.7 MB of WAV). The sentences stay well under it; this is a backstop.
pub(crate) const MAX_TRANSCRIPT_CHARS: usize = 600;
/// Shown as `system_fingerprint`.
pub(crate) const FINGERPRINT: &str = "fp_emulator";

/// A reply, before it is encoded as one JSON body or as a stream of events.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    /// `chatcmpl-...`.
    pub(crate) id: String,
    /// Unix seconds.
    pub(crate) created: i64,
    /// The model name reported.
    pub(crate) model: String,
    /// What the reply says.
    pub(crate) transcript: String,
    /// The spoken reply, when audio was asked for.
    pub(crate) audio: Option<Spoken>,
    /// The `usage` object.
    pub(crate) usage: Value,
    /// The `prompt_filter_results` array.
    pub(crate) prompt_filter_results: Value,
}

/// The audio of a reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spoken {
    /// `audio_...`.
    pub(crate) id: String,
    /// Unix seconds after which the id can no longer be cited.
    pub(crate) expires_at: i64,
    /// The encoding asked for.
    pub(crate) format: OutFormat,
    /// The signal, 24 kHz mono.
    pub(crate) pcm: Vec<i16>,
}

/// The transcript: what the last user message said (quoted), the duration, sample rate and
/// channels of the first clips of audio it carried (and how many more there were), and how many
/// earlier spoken replies the request cited. Never longer than [`MAX_TRANSCRIPT_CHARS`], however
/// many parts the request has.
pub(crate) fn transcript(plan: &Plan) -> String {
    cap(sentences(plan).join(" "), MAX_TRANSCRIPT_CHARS)
}

/// `text` cut to `max` characters, the last of them `…`, when it is longer.
fn cap(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn sentences(plan: &Plan) -> Vec<String> {
    let mut sentences = Vec::new();
    let said = plan.said.join(" ");
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    if !said.is_empty() {
        let mut quote: String = said.chars().take(QUOTE_CHARS).collect();
        if said.chars().count() > QUOTE_CHARS {
            quote.push('…');
        }
        let end = if quote.ends_with(['.', '!', '?', '…']) {
            ""
        } else {
            "."
        };
        sentences.push(format!("You said: {quote}{end}"));
    }
    for h in plan.heard.iter().take(DESCRIBED_CLIPS) {
        sentences.push(heard(h));
    }
    match plan.heard.len().saturating_sub(DESCRIBED_CLIPS) {
        0 => {}
        1 => sentences.push("I heard 1 more audio clip.".to_owned()),
        n => sentences.push(format!("I heard {n} more audio clips.")),
    }
    match plan.cited {
        0 => {}
        1 => sentences.push("I remember 1 earlier spoken reply.".to_owned()),
        n => sentences.push(format!("I remember {n} earlier spoken replies.")),
    }
    if sentences.is_empty() {
        sentences.push("Hello from the offline emulator.".to_owned());
    }
    sentences
}

/// What the emulator says it heard in a clip: `I heard 1.25 seconds of wav audio at 16000 Hz,
/// stereo.`
pub(crate) fn heard(h: &Measured) -> String {
    let channels = match h.channels {
        1 => "mono".to_owned(),
        2 => "stereo".to_owned(),
        n => format!("{n} channels"),
    };
    format!(
        "I heard {:.2} seconds of {} audio at {} Hz, {channels}.",
        h.seconds, h.format, h.sample_rate
    )
}

/// A playable signal for `text`: 60 ms per character, a soft tone whose pitch follows the
/// character and the voice, silence for spaces and punctuation, 5 ms fades against clicks.
pub(crate) fn synthesize(text: &str, voice: &str) -> Vec<i16> {
    const RAMP: usize = SAMPLE_RATE as usize / 200;
    let voice_step = VOICES.iter().position(|v| *v == voice).unwrap_or(0) as f32;
    let base = 180.0 * 2f32.powf(voice_step / 24.0);
    let mut pcm = Vec::with_capacity(text.chars().count() * SAMPLES_PER_CHAR);
    for c in text.chars() {
        if !c.is_alphanumeric() {
            pcm.extend(std::iter::repeat_n(0, SAMPLES_PER_CHAR));
            continue;
        }
        let freq = base * 2f32.powf((u32::from(c) % 12) as f32 / 12.0);
        for n in 0..SAMPLES_PER_CHAR {
            let envelope = (n.min(SAMPLES_PER_CHAR - 1 - n) as f32 / RAMP as f32).min(1.0);
            let phase = TAU * freq * n as f32 / SAMPLE_RATE as f32;
            pcm.push((phase.sin() * envelope * 0.3 * f32::from(i16::MAX)) as i16);
        }
    }
    pcm
}

/// The signal as the bytes of `format`: a WAV file, or raw little-endian samples.
pub(crate) fn encode(pcm: &[i16], format: OutFormat) -> Result<Vec<u8>, hound::Error> {
    match format {
        OutFormat::Pcm16 => Ok(pcm16(pcm)),
        OutFormat::Wav => {
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: SAMPLE_RATE,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            let mut out = Cursor::new(Vec::with_capacity(44 + pcm.len() * 2));
            let mut writer = hound::WavWriter::new(&mut out, spec)?;
            for &s in pcm {
                writer.write_sample(s)?;
            }
            writer.finalize()?;
            Ok(out.into_inner())
        }
    }
}

/// Raw 16-bit little-endian samples.
pub(crate) fn pcm16(pcm: &[i16]) -> Vec<u8> {
    pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// Token counts: text at 4 characters a token (plus 4 a message), input audio at 10 tokens a
/// second, output audio at 20 tokens a second (close to the recorded reply's 44 tokens for 2.2 s).
pub(crate) fn usage(plan: &Plan, transcript: &str, audio_samples: Option<usize>) -> Value {
    let prompt_text = plan.prompt_chars.div_ceil(4) + 4 * plan.messages;
    // Rounded to the microsecond first: a sum of many clips carries float noise
    // (1,000 × 0.001 s is 1.0000000000000007 s), which must not round up to another token.
    let tenths = (plan.prompt_audio_seconds * 10.0 * 1e6).round() / 1e6;
    let prompt_audio = tenths.ceil() as usize;
    let completion_text = transcript.chars().count().div_ceil(4);
    let completion_audio = audio_samples
        .map(|n| (n * 20).div_ceil(SAMPLE_RATE as usize))
        .unwrap_or(0);
    let prompt = prompt_text + prompt_audio;
    let completion = completion_text + completion_audio;
    json!({
        "completion_tokens": completion,
        "completion_tokens_details": {
            "accepted_prediction_tokens": 0,
            "audio_tokens": completion_audio,
            "reasoning_tokens": 0,
            "rejected_prediction_tokens": 0,
            "text_tokens": completion_text,
        },
        "prompt_tokens": prompt,
        "prompt_tokens_details": {
            "audio_tokens": prompt_audio,
            "cached_tokens": 0,
            "image_tokens": 0,
            "text_tokens": prompt_text,
        },
        "total_tokens": prompt + completion,
    })
}

fn safe() -> Value {
    json!({"filtered": false, "severity": "safe"})
}

fn not_detected() -> Value {
    json!({"filtered": false, "detected": false})
}

/// `prompt_filter_results`: all safe for a text prompt; empty, as recorded, for an audio-only one.
pub(crate) fn prompt_filter_results(plan: &Plan) -> Value {
    let results = if plan.said.is_empty() && !plan.heard.is_empty() {
        json!({})
    } else {
        json!({
            "hate": safe(),
            "jailbreak": not_detected(),
            "self_harm": safe(),
            "sexual": safe(),
            "violence": safe(),
        })
    };
    json!([{"prompt_index": 0, "content_filter_results": results}])
}

/// A choice's `content_filter_results`, as recorded for a spoken reply.
pub(crate) fn choice_filter_results() -> Value {
    json!({
        "hate": safe(),
        "protected_material_code": not_detected(),
        "protected_material_text": not_detected(),
        "self_harm": safe(),
        "sexual": safe(),
        "violence": safe(),
    })
}

/// The non-streaming body, shaped like the recorded one.
pub(crate) fn completion(reply: &Reply) -> Result<Value, hound::Error> {
    let message = match &reply.audio {
        Some(a) => json!({
            "audio": {
                "data": base64::engine::general_purpose::STANDARD.encode(encode(&a.pcm, a.format)?),
                "expires_at": a.expires_at,
                "id": a.id,
                "transcript": reply.transcript,
            },
            "content": null,
            "refusal": null,
            "role": "assistant",
        }),
        None => json!({"content": reply.transcript, "refusal": null, "role": "assistant"}),
    };
    Ok(json!({
        "choices": [{
            "content_filter_results": choice_filter_results(),
            "finish_reason": "stop",
            "index": 0,
            "logprobs": null,
            "message": message,
        }],
        "created": reply.created,
        "id": reply.id,
        "model": reply.model,
        "object": "chat.completion",
        "prompt_filter_results": reply.prompt_filter_results,
        "system_fingerprint": FINGERPRINT,
        "usage": reply.usage,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            audio: Some(("alloy".into(), OutFormat::Wav)),
            stream: false,
            include_usage: false,
            said: vec!["Is a  golden retriever\na good family dog?".into()],
            heard: vec![Measured {
                format: "wav",
                seconds: 1.5,
                sample_rate: 16_000,
                channels: 1,
            }],
            cited: 2,
            prompt_chars: 40,
            prompt_audio_seconds: 1.5,
            messages: 3,
        }
    }

    #[test]
    fn transcript_follows_the_prompt() {
        assert_eq!(
            transcript(&plan()),
            "You said: Is a golden retriever a good family dog? I heard 1.50 seconds of wav audio at 16000 Hz, mono. I remember 2 earlier spoken replies."
        );
        let mut p = plan();
        p.said = vec!["x".repeat(200)];
        p.heard.clear();
        p.cited = 0;
        assert_eq!(transcript(&p), format!("You said: {}…", "x".repeat(120)));
        p.said.clear();
        assert_eq!(transcript(&p), "Hello from the offline emulator.");
    }

    #[test]
    fn transcripts_are_bounded_however_many_clips_and_citations() {
        let clip = |seconds| Measured {
            format: "wav",
            seconds,
            sample_rate: 8_000,
            channels: 2,
        };
        let mut p = plan();
        p.said = vec!["Compare.".into()];
        p.cited = 0;
        p.heard = vec![clip(1.0), clip(2.0), clip(3.0)];
        assert_eq!(
            transcript(&p),
            "You said: Compare. I heard 1.00 seconds of wav audio at 8000 Hz, stereo. \
             I heard 2.00 seconds of wav audio at 8000 Hz, stereo. \
             I heard 3.00 seconds of wav audio at 8000 Hz, stereo."
        );
        p.heard.push(clip(4.0));
        assert!(transcript(&p).ends_with(" stereo. I heard 1 more audio clip."));
        p.heard = vec![clip(0.001); 10_000];
        let t = transcript(&p);
        assert!(
            t.ends_with(" stereo. I heard 9997 more audio clips."),
            "{t}"
        );
        assert_eq!(t.matches("I heard 0.00 seconds").count(), 3);

        // The longest sentences there can be stay under the cap, untouched.
        p.said = vec!["x".repeat(10_000)];
        p.heard = vec![
            Measured {
                format: "wav",
                seconds: 1e12,
                sample_rate: u32::MAX,
                channels: u16::MAX,
            };
            100
        ];
        p.cited = usize::MAX;
        let t = transcript(&p);
        assert!(t.chars().count() <= MAX_TRANSCRIPT_CHARS, "{t}");
        assert!(t.ends_with(&format!(
            "I remember {} earlier spoken replies.",
            usize::MAX
        )));
        // The backstop.
        assert_eq!(cap("abcdef".into(), 4), "abc…");
        assert_eq!(cap("abcd".into(), 4), "abcd");
    }

    #[test]
    fn audio_length_follows_the_transcript_and_is_a_real_wav() {
        let pcm = synthesize("Hi there.", "coral");
        assert_eq!(pcm.len(), 9 * SAMPLES_PER_CHAR);
        assert!(pcm.iter().any(|&s| s.unsigned_abs() > 5000), "audible");
        assert!(pcm[2 * SAMPLES_PER_CHAR..3 * SAMPLES_PER_CHAR]
            .iter()
            .all(|&s| s == 0));
        assert_eq!(synthesize("Hi there.", "coral"), pcm, "deterministic");
        let wav = encode(&pcm, OutFormat::Wav).unwrap();
        let mut reader = hound::WavReader::new(Cursor::new(&wav)).unwrap();
        assert_eq!(reader.spec().sample_rate, 24_000);
        assert_eq!(reader.spec().channels, 1);
        let back: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
        assert_eq!(back, pcm);
        assert_eq!(encode(&pcm, OutFormat::Pcm16).unwrap().len(), pcm.len() * 2);
    }

    #[test]
    fn usage_adds_up() {
        let u = usage(&plan(), "abcdefgh", Some(48_000));
        assert_eq!(u["completion_tokens_details"]["audio_tokens"], 40);
        assert_eq!(u["completion_tokens_details"]["text_tokens"], 2);
        assert_eq!(u["prompt_tokens_details"]["audio_tokens"], 15);
        assert_eq!(u["prompt_tokens_details"]["text_tokens"], 22);
        assert_eq!(u["total_tokens"], 42 + 37);
    }
}
