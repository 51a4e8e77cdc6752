//! The transcription and translation routes (`audio/transcriptions`, `audio/translations`): a
//! multipart form checked as the service checks it, then the audio measured and listened to.
//! Audio the emulator's own speech made gives its text back ([`tone_text`](super::tone_text));
//! any other audio, a sentence saying what was measured in it.

use std::io::Cursor;

use bytes::Bytes;
use hyper::header::HeaderMap;
use serde_json::{json, Value};

use super::errors::Failure;
use super::measure::{measure, sniff, Measured};
use super::models::TranscribeModel;
use super::multipart::{self, FilePart, Form};
use super::reply::{heard, SAMPLE_RATE};
use super::route::Api;
use super::server::{deployment, Answer, State, Stop};
use super::tone_text;
use super::transcript::Transcript;

/// Every response format the service knows.
const FORMATS: &[&str] = &[
    "json",
    "text",
    "srt",
    "verbose_json",
    "vtt",
    "diarized_json",
];
/// The file formats the service takes, by name.
const FILE_FORMATS: &[&str] = &[
    "flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm",
];
/// The shortest audio the service transcribes.
const MIN_SECONDS: f64 = 0.1;
/// Longer audio needs `chunking_strategy` with the diarize model.
const DIARIZE_UNCHUNKED_SECONDS: f64 = 30.0;
/// How many known speakers the diarize model takes.
const MAX_SPEAKERS: usize = 4;
/// The bytes a second of audio in a container the emulator does not measure is taken to hold
/// (128 kbit/s).
const ESTIMATED_BYTES_PER_SECOND: f64 = 16_000.0;

/// The answer to a transcription (or, for [`Api::Translations`], translation) form.
pub(crate) async fn answer(
    state: &State,
    headers: &HeaderMap,
    body: Bytes,
    from_path: Option<String>,
    api: Api,
    deployment_out: &mut Option<String>,
) -> Result<Answer, Stop> {
    let form = multipart::parse(headers, body).await?;
    let deployment = deployment(&state.config, from_path, form.get("model"))?;
    *deployment_out = Some(deployment.clone());
    let model = TranscribeModel::of(&deployment);
    let translate = api == Api::Translations;
    let mut transcript = check(&form, model, translate)?;
    let file = form.file.as_ref().ok_or_else(|| Failure::missing("file"))?;
    let (text, duration) = listen(file)?;
    if model == TranscribeModel::Diarize
        && duration > DIARIZE_UNCHUNKED_SECONDS
        && form.get("chunking_strategy").is_none()
    {
        return Err(Failure::invalid(
            format!("'chunking_strategy' is required for audio longer than {DIARIZE_UNCHUNKED_SECONDS} seconds with the model 'gpt-4o-transcribe-diarize' (this audio is {duration:.2} seconds)."),
            Some("chunking_strategy"),
            "missing_required_parameter",
        )
        .into());
    }
    transcript.text = match (translate, text) {
        (true, Heard::Text(t)) => format!("English translation: {t}"),
        (_, Heard::Text(t) | Heard::Description(t)) => t,
    };
    transcript.duration = duration;
    Ok(transcript.answer())
}

/// What the emulator heard in the audio.
enum Heard {
    /// The text the emulator's own speech carried.
    Text(String),
    /// What it measured in any other audio.
    Description(String),
}

/// The fields of the form, checked; the reply still needs its text and duration.
fn check(form: &Form, model: TranscribeModel, translate: bool) -> Result<Transcript, Failure> {
    if form.file.is_none() {
        return Err(Failure::missing("file"));
    }
    let format = form.get("response_format").unwrap_or("json");
    if !FORMATS.contains(&format) {
        return Err(Failure::invalid_value("response_format", format, FORMATS));
    }
    let allowed = if translate {
        TranscribeModel::Whisper.formats()
    } else {
        model.formats()
    };
    if !allowed.contains(&format) {
        let list: Vec<String> = allowed.iter().map(|f| format!("'{f}'")).collect();
        return Err(Failure::invalid(
            format!(
                "response_format '{format}' is not compatible with model '{}'{}. Use one of: {}.",
                model.name(),
                if translate { " for translations" } else { "" },
                list.join(", ")
            ),
            Some("response_format"),
            "unsupported_value",
        ));
    }
    let granularities = form.all("timestamp_granularities");
    for g in &granularities {
        if !["word", "segment"].contains(g) {
            return Err(Failure::invalid_value(
                "timestamp_granularities",
                g,
                &["word", "segment"],
            ));
        }
    }
    if !granularities.is_empty() && format != "verbose_json" {
        return Err(Failure::invalid(
            format!(
                "'timestamp_granularities' needs 'response_format' 'verbose_json', not '{format}'."
            ),
            Some("timestamp_granularities"),
            "invalid_value",
        ));
    }
    let include = form.all("include");
    for i in &include {
        if *i != "logprobs" {
            return Err(Failure::invalid_value("include", i, &["logprobs"]));
        }
    }
    let logprobs = !include.is_empty();
    if logprobs && format != "json" {
        return Err(Failure::invalid(
            format!(
                "'include' 'logprobs' works only with 'response_format' 'json', not '{format}'."
            ),
            Some("include"),
            "invalid_value",
        ));
    }
    if logprobs
        && !matches!(
            model,
            TranscribeModel::Transcribe | TranscribeModel::MiniTranscribe
        )
    {
        return Err(unsupported("include", "logprobs", model));
    }
    let stream = match form.get("stream").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Failure::wrong_type("stream", "a boolean", &json!("text"))),
    };
    if stream && (model == TranscribeModel::Whisper || translate) {
        return Err(Failure::invalid(
            format!("Streaming is not supported with the model '{}'{}: set 'stream' to false, or use a gpt-4o-transcribe deployment.", model.name(), if translate { " for translations" } else { "" }),
            Some("stream"),
            "unsupported_value",
        ));
    }
    let language = match form.get("language") {
        None => "english".to_owned(),
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) => {
            language_name(code)
        }
        Some(code) => {
            let mut f = Failure::invalid(
                format!("Invalid language '{code}'. Language parameter must be specified in ISO-639-1 format."),
                Some("language"),
                "invalid_language_format",
            );
            f.body["usage"] = json!({"type": "duration", "seconds": 0});
            return Err(f);
        }
    };
    let temperature = match form.get("temperature") {
        None => 0.0,
        Some(t) => match t.trim().parse::<f64>() {
            Ok(t) if (0.0..=1.0).contains(&t) => t,
            _ => {
                return Err(Failure::invalid(
                    format!("Invalid 'temperature': expected a number from 0 to 1, but got '{t}'."),
                    Some("temperature"),
                    "invalid_value",
                ))
            }
        },
    };
    let prompt = form.get("prompt").unwrap_or_default();
    if !prompt.is_empty() && model == TranscribeModel::Diarize {
        return Err(unsupported("prompt", "", model));
    }
    if let Some(strategy) = form.get("chunking_strategy") {
        chunking_strategy(strategy)?;
    }
    let speakers = speakers(form, model)?;
    Ok(Transcript {
        text: String::new(),
        duration: 0.0,
        model,
        task: if translate { "translate" } else { "transcribe" },
        language: if translate {
            "english".to_owned()
        } else {
            language
        },
        format: format.to_owned(),
        words: granularities.contains(&"word"),
        segments: granularities.contains(&"segment"),
        logprobs,
        stream,
        temperature,
        prompt_chars: prompt.chars().count(),
        speakers,
    })
}

fn unsupported(param: &str, value: &str, model: TranscribeModel) -> Failure {
    let what = if value.is_empty() {
        format!("'{param}'")
    } else {
        format!("'{param}' '{value}'")
    };
    Failure::invalid(
        format!("{what} is not supported with the model '{}'.", model.name()),
        Some(param),
        "unsupported_parameter",
    )
}

/// `auto`, or a `server_vad` object with its three settings.
fn chunking_strategy(strategy: &str) -> Result<(), Failure> {
    if strategy == "auto" {
        return Ok(());
    }
    let bad = |why: &str| {
        Failure::invalid(
            format!("Invalid 'chunking_strategy': {why}. Expected 'auto' or {{\"type\": \"server_vad\", \"threshold\": 0..1, \"prefix_padding_ms\": n, \"silence_duration_ms\": n}}."),
            Some("chunking_strategy"),
            "invalid_value",
        )
    };
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(strategy) else {
        return Err(bad(&format!(
            "'{strategy}' is neither 'auto' nor a JSON object"
        )));
    };
    if o.get("type").and_then(Value::as_str) != Some("server_vad") {
        return Err(bad("'type' must be 'server_vad'"));
    }
    for (key, value) in &o {
        let fine = match key.as_str() {
            "type" => true,
            "threshold" => value.as_f64().is_some_and(|t| (0.0..=1.0).contains(&t)),
            "prefix_padding_ms" | "silence_duration_ms" => value.as_u64().is_some(),
            _ => return Err(bad(&format!("unknown key '{key}'"))),
        };
        if !fine {
            return Err(bad(&format!("'{key}' is {value}")));
        }
    }
    Ok(())
}

/// `known_speaker_names[]` with as many `known_speaker_references[]` (data URLs): the diarize
/// model's, at most four.
fn speakers(form: &Form, model: TranscribeModel) -> Result<Vec<String>, Failure> {
    let names = form.all("known_speaker_names");
    let references = form.all("known_speaker_references");
    if names.is_empty() && references.is_empty() {
        return Ok(Vec::new());
    }
    if model != TranscribeModel::Diarize {
        return Err(unsupported("known_speaker_names", "", model));
    }
    if names.len() > MAX_SPEAKERS {
        return Err(Failure::invalid(
            format!("Invalid 'known_speaker_names': array too long. Expected an array with maximum length {MAX_SPEAKERS}, but got an array with length {} instead.", names.len()),
            Some("known_speaker_names"),
            "array_above_max_length",
        ));
    }
    if names.len() != references.len() {
        return Err(Failure::invalid(
            format!("'known_speaker_names' ({}) and 'known_speaker_references' ({}) must have the same length.", names.len(), references.len()),
            Some("known_speaker_references"),
            "invalid_value",
        ));
    }
    if let Some(r) = references.iter().find(|r| !r.starts_with("data:")) {
        let start: String = r.chars().take(20).collect();
        return Err(Failure::invalid(
            format!("Invalid 'known_speaker_references': expected data URLs, got '{start}'."),
            Some("known_speaker_references"),
            "invalid_value",
        ));
    }
    Ok(names.into_iter().map(str::to_owned).collect())
}

fn invalid_file(why: &str) -> Failure {
    Failure::invalid(
        format!(
            "Invalid file format{why}. Supported formats: {}",
            FILE_FORMATS
                .iter()
                .map(|f| format!("'{f}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some("file"),
        "invalid_value",
    )
}

/// The text (or a description) of the audio in `file`, and its duration in seconds.
fn listen(file: &FilePart) -> Result<(Heard, f64), Failure> {
    let data = &file.data[..];
    if let Some(ext) = file
        .filename
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
    {
        if !FILE_FORMATS.contains(&ext.as_str()) {
            return Err(invalid_file(&format!(" ('{ext}')")));
        }
    }
    let too_short = || {
        Failure::invalid(
            format!("Audio file is too short. Minimum audio length is {MIN_SECONDS} seconds."),
            Some("file"),
            "audio_too_short",
        )
    };
    if data.is_empty() {
        return Err(too_short());
    }
    let kind = sniff(data).ok_or_else(|| invalid_file(""))?;
    let measured: Option<Measured> = match kind {
        "wav" | "mp3" | "flac" => Some(measure(kind, data).map_err(|_| {
            Failure::invalid(
                "The audio file could not be decoded or its format is not supported.",
                Some("file"),
                "invalid_value",
            )
        })?),
        _ => None,
    };
    let (heard, seconds) = match measured {
        Some(m) => (Heard::Description(heard(&m)), m.seconds),
        None => {
            let seconds = data.len() as f64 / ESTIMATED_BYTES_PER_SECOND;
            let text = format!("I heard {} bytes of {kind} audio, about {seconds:.2} seconds at 128 kbit/s (the emulator does not decode {kind}).", data.len());
            (Heard::Description(text), seconds)
        }
    };
    if seconds < MIN_SECONDS {
        return Err(too_short());
    }
    let heard = match kind {
        "wav" => spoken_text(data).map(Heard::Text).unwrap_or(heard),
        _ => heard,
    };
    Ok((heard, seconds))
}

/// The text a WAV of the emulator's speech carries (24 kHz 16-bit; the first channel).
fn spoken_text(wav: &[u8]) -> Option<String> {
    let mut reader = hound::WavReader::new(Cursor::new(wav)).ok()?;
    let spec = reader.spec();
    if spec.sample_rate != SAMPLE_RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return None;
    }
    let channels = usize::from(spec.channels.max(1));
    // A data chunk cut short (or claiming more than was sent) ends at the last whole sample.
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map_while(Result::ok)
        .step_by(channels)
        .collect();
    tone_text::decode(&samples)
}

/// The name whisper reports for an ISO-639-1 code (the code itself for the rarer ones).
fn language_name(code: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("en", "english"),
        ("fr", "french"),
        ("de", "german"),
        ("es", "spanish"),
        ("it", "italian"),
        ("pt", "portuguese"),
        ("nl", "dutch"),
        ("ja", "japanese"),
        ("zh", "chinese"),
        ("ko", "korean"),
        ("ru", "russian"),
        ("ar", "arabic"),
        ("hi", "hindi"),
        ("pl", "polish"),
        ("sv", "swedish"),
        ("tr", "turkish"),
    ];
    NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}
