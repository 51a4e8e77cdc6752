//! The speech route (`audio/speech`): a JSON request checked as the service checks it, answered
//! with the text carried in a tone signal ([`ToneText`]), as WAV or raw pcm (24 kHz mono 16-bit),
//! sent chunked as it is made, or as server-sent events (`stream_format: sse`).

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::errors::Failure;
use super::models::SpeechModel;
use super::reply::SAMPLE_RATE;
use super::server::{deployment, Answer, State, Stop};
use super::tone_text::ToneText;
use super::validate::VOICES;

/// The longest `input` (and `instructions`), in characters.
pub(crate) const MAX_INPUT_CHARS: usize = 4096;
/// The formats the service makes.
const FORMATS: &[&str] = &["mp3", "opus", "aac", "flac", "wav", "pcm"];
const STREAM_FORMATS: &[&str] = &["audio", "sse"];
/// About how many bytes of audio one piece of the reply (or one `speech.audio.delta`) carries.
const PIECE_BYTES: usize = 16 * 1024;
/// Output audio tokens a second, as the chat replies count them.
const AUDIO_TOKENS_PER_SECOND: f64 = 20.0;

/// What a checked speech request asks for.
#[derive(Debug, Clone, PartialEq)]
struct Request {
    input: String,
    wav: bool,
    speed: f64,
    sse: bool,
}

/// The answer to a speech request whose body is `body`.
pub(crate) fn answer(
    state: &State,
    body: &[u8],
    from_path: Option<String>,
    deployment_out: &mut Option<String>,
) -> Result<Answer, Stop> {
    let json: Value = serde_json::from_slice(body).map_err(|_| Failure::unparsable_json())?;
    let model = json.get("model").and_then(Value::as_str);
    let deployment = deployment(&state.config, from_path, model)?;
    *deployment_out = Some(deployment.clone());
    let request = check(&json, SpeechModel::of(&deployment))?;
    let tone = ToneText::new(&request.input, request.speed);
    let audio = Pieces::new(tone.clone(), request.wav);
    if !request.sse {
        let content_type = if request.wav {
            "audio/wav"
        } else {
            "audio/pcm"
        };
        return Ok(Answer::Chunked {
            content_type,
            pieces: Box::new(audio),
        });
    }
    let input_tokens = request.input.chars().count().div_ceil(4);
    let output_tokens = (tone.seconds() * AUDIO_TOKENS_PER_SECOND).ceil() as usize;
    let done = json!({
        "type": "speech.audio.done",
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
    });
    let deltas = audio.map(|piece| {
        event(&json!({
            "type": "speech.audio.delta",
            "audio": base64::engine::general_purpose::STANDARD.encode(&piece),
        }))
    });
    let events = deltas
        .chain(std::iter::once(event(&done)))
        .chain(std::iter::once(Bytes::from_static(b"data: [DONE]\n\n")));
    Ok(Answer::Chunked {
        content_type: "text/event-stream; charset=utf-8",
        pieces: Box::new(events),
    })
}

fn event(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

fn check(json: &Value, model: SpeechModel) -> Result<Request, Failure> {
    let Value::Object(body) = json else {
        return Err(Failure::wrong_type("body", "an object", json));
    };
    let input = text(body, "input")?.ok_or_else(|| Failure::missing("input"))?;
    let voice = match body.get("voice") {
        None | Some(Value::Null) => return Err(Failure::missing("voice")),
        Some(Value::String(v)) => v,
        Some(other) => return Err(Failure::wrong_type("voice", "a string", other)),
    };
    if !VOICES.contains(&voice.as_str()) {
        return Err(Failure::invalid_value("voice", voice, VOICES));
    }
    let format = text(body, "response_format")?.unwrap_or("mp3");
    if !FORMATS.contains(&format) {
        return Err(Failure::invalid_value("response_format", format, FORMATS));
    }
    let wav = match format {
        "wav" => true,
        "pcm" => false,
        other => {
            let default = if body.contains_key("response_format") {
                ""
            } else {
                " (the default when 'response_format' is not given)"
            };
            return Err(Failure::invalid(
                format!("Unsupported value: the offline emulator does not produce '{other}' audio{default}: it has no {other} encoder. It makes 'wav' and 'pcm' (24 kHz mono 16-bit); the real service makes all of {}.", FORMATS.join(", ")),
                Some("response_format"),
                "unsupported_value",
            ));
        }
    };
    let speed = match body.get("speed") {
        None | Some(Value::Null) => 1.0,
        Some(Value::Number(n)) => n.as_f64().unwrap_or(1.0),
        Some(other) => return Err(Failure::wrong_type("speed", "a number", other)),
    };
    if speed < 0.25 {
        return Err(Failure::invalid(
            format!("Invalid 'speed': decimal below minimum value. Expected a value >= 0.25, but got {speed} instead."),
            Some("speed"),
            "decimal_below_min_value",
        ));
    }
    if speed > 4.0 {
        return Err(Failure::invalid(
            format!("Invalid 'speed': decimal above maximum value. Expected a value <= 4, but got {speed} instead."),
            Some("speed"),
            "decimal_above_max_value",
        ));
    }
    if text(body, "instructions")?.is_some() && model != SpeechModel::MiniTts {
        return Err(Failure::invalid(
            format!("Unsupported parameter: 'instructions' is not supported with the model '{}'; only gpt-4o-mini-tts takes instructions.", model.name()),
            Some("instructions"),
            "unsupported_parameter",
        ));
    }
    let stream_format = text(body, "stream_format")?.unwrap_or("audio");
    if !STREAM_FORMATS.contains(&stream_format) {
        return Err(Failure::invalid_value(
            "stream_format",
            stream_format,
            STREAM_FORMATS,
        ));
    }
    let sse = stream_format == "sse";
    if sse && model != SpeechModel::MiniTts {
        return Err(Failure::invalid(
            format!("Unsupported value: 'stream_format' does not support 'sse' with the model '{}'. Supported values are: 'audio'.", model.name()),
            Some("stream_format"),
            "unsupported_value",
        ));
    }
    Ok(Request {
        input: input.to_owned(),
        wav,
        speed,
        sse,
    })
}

/// A string field of at most [`MAX_INPUT_CHARS`] characters (and, for `input`, at least one).
fn text<'a>(body: &'a Map<String, Value>, param: &str) -> Result<Option<&'a str>, Failure> {
    let s = match body.get(param) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(Failure::wrong_type(param, "a string", other)),
    };
    let chars = s.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(Failure::invalid(
            format!("Invalid '{param}': string too long. Expected a string with maximum length {MAX_INPUT_CHARS}, but got a string with length {chars} instead."),
            Some(param),
            "string_above_max_length",
        ));
    }
    if chars == 0 && param == "input" {
        return Err(Failure::invalid(
            "Invalid 'input': string too short. Expected a string with minimum length 1, but got an empty string instead.",
            Some(param),
            "string_below_min_length",
        ));
    }
    Ok(Some(s))
}

/// The audio of a reply in pieces of about [`PIECE_BYTES`], rendered as they are asked for:
/// for WAV, a header with the exact sizes first.
struct Pieces {
    tone: ToneText,
    next: usize,
    header: Option<[u8; 44]>,
}

impl Pieces {
    fn new(tone: ToneText, wav: bool) -> Pieces {
        let data_len = u32::try_from(tone.samples() * 2).unwrap_or(u32::MAX - 36);
        Pieces {
            header: wav.then(|| wav_header(data_len)),
            tone,
            next: 0,
        }
    }
}

impl Iterator for Pieces {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        let mut piece = Vec::with_capacity(PIECE_BYTES + 2 * 5760);
        if let Some(header) = self.header.take() {
            piece.extend_from_slice(&header);
        }
        while piece.len() < PIECE_BYTES && self.next < self.tone.symbols() {
            self.tone.render(self.next, &mut piece);
            self.next += 1;
        }
        (!piece.is_empty()).then(|| Bytes::from(piece))
    }
}

/// A canonical 44-byte WAV header for 24 kHz mono 16-bit samples, `data_len` bytes of them.
fn wav_header(data_len: u32) -> [u8; 44] {
    let mut h = [0u8; 44];
    let fields: [(usize, &[u8]); 12] = [
        (0, b"RIFF"),
        (4, &data_len.saturating_add(36).to_le_bytes()),
        (8, b"WAVEfmt "),
        (16, &16u32.to_le_bytes()),
        (20, &1u16.to_le_bytes()),
        (22, &1u16.to_le_bytes()),
        (24, &SAMPLE_RATE.to_le_bytes()),
        (28, &(SAMPLE_RATE * 2).to_le_bytes()),
        (32, &2u16.to_le_bytes()),
        (34, &16u16.to_le_bytes()),
        (36, b"data"),
        (40, &data_len.to_le_bytes()),
    ];
    for (at, bytes) in fields {
        if let Some(slot) = h.get_mut(at..at + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn checked(body: Value, model: SpeechModel) -> Result<Request, Value> {
        check(&body, model).map_err(|f| f.body["error"].clone())
    }

    /// Each check over HTTP is in `tests/speech.rs`; here, the messages and the edges.
    #[test]
    fn requests_are_checked_as_the_service_does() {
        let wav = |input: &str| json!({"input": input, "voice": "alloy", "response_format": "wav"});
        let ok = checked(
            json!({"input": "Hi", "voice": "coral", "response_format": "pcm", "speed": 2}),
            SpeechModel::Tts,
        )
        .unwrap();
        assert_eq!((ok.wav, ok.speed, ok.sse), (false, 2.0, false));
        // 4096 characters, however many bytes.
        assert!(checked(wav(&"é".repeat(4096)), SpeechModel::Tts).is_ok());
        let messages = [
            (wav(&"x".repeat(4097)), "Expected a string with maximum length 4096, but got a string with length 4097 instead."),
            (json!({"input": "a", "voice": "robot"}), "Supported values are: 'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', and 'cedar'."),
            (json!({"input": "a", "voice": "alloy"}), "'mp3' audio (the default when 'response_format' is not given): it has no mp3 encoder. It makes 'wav' and 'pcm'"),
            (json!({"input": "a", "voice": "alloy", "response_format": "wav", "speed": 4.5}), "Expected a value <= 4, but got 4.5 instead."),
            (json!({"input": "a", "voice": "alloy", "response_format": "wav", "instructions": "Calm."}), "not supported with the model 'tts-1'"),
        ];
        for (body, message) in messages {
            let e = checked(body, SpeechModel::Tts).unwrap_err();
            assert!(e["message"].as_str().unwrap().contains(message), "{e}");
        }
        let mut sse = wav("a");
        sse["stream_format"] = json!("sse");
        sse["instructions"] = json!("Calm.");
        assert!(checked(sse.clone(), SpeechModel::MiniTts).unwrap().sse);
        sse.as_object_mut().unwrap().remove("instructions");
        let e = checked(sse, SpeechModel::TtsHd).unwrap_err();
        assert_eq!(e["param"], "stream_format");
    }

    #[test]
    fn pieces_make_one_wav_of_the_whole_signal() {
        let tone = ToneText::new("The quick brown fox jumped over the lazy dog.", 1.0);
        let pieces: Vec<Bytes> = Pieces::new(tone.clone(), true).collect();
        assert!(pieces.len() > 2, "sent in pieces");
        assert!(pieces.iter().all(|p| p.len() < PIECE_BYTES + 2 * 5760 + 44));
        let wav: Vec<u8> = pieces.concat();
        assert_eq!(wav.len() as u64, 44 + tone.samples() * 2);
        let mut reader = hound::WavReader::new(Cursor::new(&wav)).unwrap();
        let spec = reader.spec();
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (24_000, 1, 16)
        );
        assert_eq!(u64::from(reader.duration()), tone.samples());
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len() as u64, tone.samples());
        let pcm: Vec<u8> = Pieces::new(tone.clone(), false)
            .collect::<Vec<_>>()
            .concat();
        assert_eq!(&wav[44..], &pcm[..]);
    }
}
