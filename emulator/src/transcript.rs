//! The reply to a transcription or translation, in each response format the service has, and
//! as streamed events: the text, its segments and words timed inside the audio's duration.

use bytes::Bytes;
use serde_json::{json, Value};

use super::models::TranscribeModel;
use super::server::Answer;

/// The fewest characters in a segment, unless the text ends first.
const SEGMENT_CHARS: usize = 40;
/// Audio tokens a second of input, as the chat replies count them.
const AUDIO_TOKENS_PER_SECOND: f64 = 10.0;

/// What to answer: the text heard, the audio's duration and how the request wants it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transcript {
    pub(crate) text: String,
    /// The audio's measured duration, in seconds.
    pub(crate) duration: f64,
    pub(crate) model: TranscribeModel,
    /// `transcribe` or `translate`.
    pub(crate) task: &'static str,
    /// The language's name (`english`).
    pub(crate) language: String,
    /// `json`, `text`, `srt`, `verbose_json`, `vtt` or `diarized_json`.
    pub(crate) format: String,
    pub(crate) words: bool,
    pub(crate) segments: bool,
    pub(crate) logprobs: bool,
    pub(crate) stream: bool,
    pub(crate) temperature: f64,
    /// Characters of `prompt`, for the token count.
    pub(crate) prompt_chars: usize,
    /// Known speakers' names, for the diarized segments (else `A`, `B`).
    pub(crate) speakers: Vec<String>,
}

/// A piece of the text and where it is in the audio.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Timed {
    pub(crate) text: String,
    pub(crate) start: f64,
    pub(crate) end: f64,
}

impl Transcript {
    /// The answer in the format asked for.
    pub(crate) fn answer(&self) -> Answer {
        if self.stream {
            return Answer::Stream(self.events());
        }
        match self.format.as_str() {
            "text" => Answer::Text(format!("{}\n", self.text)),
            "srt" => Answer::Text(subtitles(&self.segments(), ',', "")),
            "vtt" => Answer::Text(subtitles(&self.segments(), '.', "WEBVTT\n\n")),
            "verbose_json" => Answer::Json(self.verbose()),
            "diarized_json" => Answer::Json(self.diarized()),
            _ => {
                let mut body = json!({"text": self.text});
                if self.logprobs {
                    body["logprobs"] = logprobs(&self.pieces());
                }
                if let Some(usage) = self.usage() {
                    body["usage"] = usage;
                }
                Answer::Json(body)
            }
        }
    }

    /// `text[a..b]` (in characters) timed in proportion over the duration.
    fn timed(&self, text: &str, a: usize, b: usize) -> Timed {
        let total = self.text.chars().count().max(1) as f64;
        let at = |i: usize| (i as f64 / total * self.duration * 1000.0).floor() / 1000.0;
        Timed {
            text: text.to_owned(),
            start: at(a),
            end: at(b),
        }
    }

    /// The segments, each timed: whole sentences (ending in `.`, `!` or `?`), joined until a
    /// segment has [`SEGMENT_CHARS`] characters (whisper's segments are a few seconds long).
    pub(crate) fn segments(&self) -> Vec<Timed> {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in chars.iter().enumerate() {
            let next = chars.get(i + 1);
            let sentence_ends =
                matches!(c, '.' | '!' | '?') && next.is_none_or(|n| n.is_whitespace());
            let long_enough = i + 1 - start >= SEGMENT_CHARS;
            if (sentence_ends && long_enough) || next.is_none() {
                let piece: String = chars[start..=i].iter().collect();
                let lead = piece.chars().count() - piece.trim_start().chars().count();
                if !piece.trim().is_empty() {
                    out.push(self.timed(piece.trim(), start + lead, i + 1));
                }
                start = i + 1;
            }
        }
        out
    }

    /// The words, without the punctuation around them, each timed.
    pub(crate) fn words(&self) -> Vec<Timed> {
        let mut out = Vec::new();
        let mut at = 0;
        for piece in self.text.split_inclusive(char::is_whitespace) {
            let len = piece.chars().count();
            let word = piece.trim().trim_matches(|c: char| !c.is_alphanumeric());
            if !word.is_empty() {
                out.push(self.timed(word, at, at + piece.trim_end().chars().count()));
            }
            at += len;
        }
        out
    }

    /// The text as streamed deltas: the first word, then each next one with its space before it.
    fn pieces(&self) -> Vec<String> {
        let mut pieces: Vec<String> = Vec::new();
        for word in self.text.split_inclusive(char::is_whitespace) {
            match pieces.last_mut() {
                Some(last) if last.trim().is_empty() => last.push_str(word),
                _ => pieces.push(word.to_owned()),
            }
        }
        // Move each trailing space to the start of the next piece, as the service sends them.
        let mut out = Vec::with_capacity(pieces.len());
        let mut carry = String::new();
        for p in pieces {
            let trimmed = p.trim_end();
            out.push(format!("{carry}{trimmed}"));
            carry = p[trimmed.len()..].to_owned();
        }
        if !carry.is_empty() {
            out.push(carry);
        }
        out
    }

    /// Token usage for the gpt-4o models, duration usage for the diarize model, none for whisper
    /// (Azure's whisper replies carry none).
    fn usage(&self) -> Option<Value> {
        match self.model {
            TranscribeModel::Whisper => None,
            TranscribeModel::Diarize => {
                Some(json!({"type": "duration", "seconds": self.duration.ceil()}))
            }
            TranscribeModel::Transcribe | TranscribeModel::MiniTranscribe => {
                let audio = (self.duration * AUDIO_TOKENS_PER_SECOND).ceil() as usize;
                let text = self.prompt_chars.div_ceil(4);
                let output = self.text.chars().count().div_ceil(4);
                Some(json!({
                    "type": "tokens",
                    "input_tokens": audio + text,
                    "input_token_details": {"text_tokens": text, "audio_tokens": audio},
                    "output_tokens": output,
                    "total_tokens": audio + text + output,
                }))
            }
        }
    }

    fn verbose(&self) -> Value {
        let mut body = json!({
            "task": self.task,
            "language": self.language,
            "duration": self.duration,
            "text": self.text,
        });
        if self.segments || !self.words {
            let segments: Vec<Value> = self
                .segments()
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    // Whisper's token ids: a timestamp token, one a word, a timestamp token.
                    let words = s.text.split_whitespace().count();
                    let mut tokens = vec![50364 + (s.start * 50.0) as u64];
                    tokens.extend(
                        (0..words as u64).map(|w| 1000 + (w * 37 + i as u64 * 11) % 40_000),
                    );
                    tokens.push(50364 + (s.end * 50.0) as u64);
                    json!({
                        "id": i,
                        "seek": 0,
                        "start": s.start,
                        "end": s.end,
                        "text": format!(" {}", s.text),
                        "tokens": tokens,
                        "temperature": self.temperature,
                        "avg_logprob": -0.25,
                        "compression_ratio": 1.0,
                        "no_speech_prob": 0.01,
                    })
                })
                .collect();
            body["segments"] = Value::Array(segments);
        }
        if self.words {
            let words: Vec<Value> = self
                .words()
                .iter()
                .map(|w| json!({"word": w.text, "start": w.start, "end": w.end}))
                .collect();
            body["words"] = Value::Array(words);
        }
        body
    }

    fn speaker(&self, i: usize) -> String {
        match self.speakers.len() {
            0 => ["A", "B"][i % 2].to_owned(),
            n => self.speakers[i % n].clone(),
        }
    }

    fn diarized_segments(&self) -> Vec<Value> {
        self.segments()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "type": "transcript.text.segment",
                    "id": format!("seg_{i}"),
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "speaker": self.speaker(i),
                })
            })
            .collect()
    }

    fn diarized(&self) -> Value {
        let mut body = json!({
            "task": "transcribe",
            "duration": self.duration,
            "text": self.text,
            "segments": self.diarized_segments(),
        });
        if let Some(usage) = self.usage() {
            body["usage"] = usage;
        }
        body
    }

    /// The streamed reply: `transcript.text.delta` events (for `diarized_json`, each segment's
    /// deltas then its `transcript.text.segment`), `transcript.text.done` with the usage, and
    /// `data: [DONE]`.
    fn events(&self) -> Vec<Bytes> {
        let mut out = Vec::new();
        let delta = |piece: &str, segment: Option<&str>| {
            let mut e = json!({"type": "transcript.text.delta", "delta": piece});
            if self.logprobs {
                e["logprobs"] = logprobs(&[piece.to_owned()]);
            }
            if let Some(id) = segment {
                e["segment_id"] = json!(id);
            }
            event(&e)
        };
        if self.format == "diarized_json" {
            for (i, segment) in self.diarized_segments().into_iter().enumerate() {
                let id = format!("seg_{i}");
                let text = segment["text"].as_str().unwrap_or_default();
                for (j, word) in text.split_whitespace().enumerate() {
                    let piece = if i + j == 0 {
                        word.to_owned()
                    } else {
                        format!(" {word}")
                    };
                    out.push(delta(&piece, Some(&id)));
                }
                out.push(event(&segment));
            }
        } else {
            out.extend(self.pieces().iter().map(|p| delta(p, None)));
        }
        let mut done = json!({"type": "transcript.text.done", "text": self.text});
        if self.logprobs {
            done["logprobs"] = logprobs(&self.pieces());
        }
        if let Some(usage) = self.usage() {
            done["usage"] = usage;
        }
        out.push(event(&done));
        out.push(Bytes::from_static(b"data: [DONE]\n\n"));
        out
    }
}

fn event(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

/// Deterministic log probabilities, one a piece, close to 0 (a confident model).
fn logprobs(pieces: &[String]) -> Value {
    Value::Array(
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                json!({
                    "token": p,
                    "logprob": -0.001 * (1 + i % 7) as f64,
                    "bytes": p.as_bytes(),
                })
            })
            .collect(),
    )
}

/// `HH:MM:SS,mmm` (srt) or `HH:MM:SS.mmm` (vtt).
fn timestamp(seconds: f64, separator: char) -> String {
    let ms = (seconds * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{separator}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// srt (numbered cues, a blank line to end) or vtt (a `WEBVTT` header), as the recordings.
fn subtitles(cues: &[Timed], separator: char, header: &str) -> String {
    let mut out = header.to_owned();
    for (i, cue) in cues.iter().enumerate() {
        if separator == ',' {
            out.push_str(&format!("{}\n", i + 1));
        }
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            timestamp(cue.start, separator),
            timestamp(cue.end, separator),
            cue.text
        ));
    }
    if separator == ',' {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(text: &str, duration: f64, format: &str) -> Transcript {
        Transcript {
            text: text.to_owned(),
            duration,
            model: TranscribeModel::Whisper,
            task: "transcribe",
            language: "english".to_owned(),
            format: format.to_owned(),
            words: false,
            segments: false,
            logprobs: false,
            stream: false,
            temperature: 0.0,
            prompt_chars: 0,
            speakers: Vec::new(),
        }
    }

    /// A recorded text body: its lines joined.
    fn recorded(name: &str) -> String {
        let path = format!(
            "{}/../tests/fixtures/recordings/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let lines = v["Entries"][0]["ResponseBody"].as_array().unwrap();
        lines.iter().map(|l| l.as_str().unwrap()).collect()
    }

    fn text(answer: Answer) -> String {
        match answer {
            Answer::Text(t) => t,
            _ => panic!("not text"),
        }
    }

    #[test]
    fn srt_and_vtt_read_like_the_recordings() {
        let t = transcript("Hello world, this is a test.", 3.0, "srt");
        assert_eq!(
            text(t.answer()),
            recorded("audio-api/azure-transcription-srt.whisper.2024-10-21.recording.json")
        );
        let t = transcript("Hello, world. This is a test.", 3.0, "vtt");
        assert_eq!(
            text(t.answer()),
            recorded("audio-api/azure-transcription-vtt.whisper.2024-10-21.recording.json")
        );
        assert_eq!(timestamp(3725.0049, ','), "01:02:05,005");
        assert_eq!(timestamp(0.5, '.'), "00:00:00.500");
        assert_eq!(text(transcript("Hi.", 1.0, "text").answer()), "Hi.\n");
    }

    #[test]
    fn segments_and_words_are_timed_inside_the_duration() {
        let t = transcript(
            "The quick brown fox jumped over the lazy dog. It ran away! Then what? Nothing at all, really.",
            7.0,
            "verbose_json",
        );
        let segments = t.segments();
        let texts: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The quick brown fox jumped over the lazy dog.",
                "It ran away! Then what? Nothing at all, really."
            ]
        );
        let words = t.words();
        assert_eq!(words.len(), 18);
        assert_eq!(
            (words[0].text.as_str(), words[17].text.as_str()),
            ("The", "really")
        );
        for w in segments.iter().chain(&words) {
            assert!(0.0 <= w.start && w.start < w.end && w.end <= 7.0, "{w:?}");
        }
        assert_eq!(segments[0].start, 0.0);
        assert_eq!(segments[1].end, 7.0);
        assert!(words.windows(2).all(|p| p[0].end <= p[1].start));
    }

    #[test]
    fn pieces_stream_like_the_recording() {
        let t = transcript("Hello world, this is a test.", 3.0, "json");
        assert_eq!(
            t.pieces(),
            ["Hello", " world,", " this", " is", " a", " test."]
        );
        assert_eq!(t.pieces().concat(), t.text);
        let t = transcript("  two  spaces ", 3.0, "json");
        assert_eq!(t.pieces().concat(), t.text);
    }
}
