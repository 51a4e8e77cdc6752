//! Subtitles: SubRip (`srt`) and WebVTT (`vtt`) parsed into cues, and cues written back.
//!
//! The parser is lenient, as subtitle files in the wild are: LF, CRLF or CR line ends, a BOM,
//! cues with or without their number (WebVTT identifiers are optional), hours optional in
//! timestamps, `.` or `,` before the milliseconds, WebVTT cue settings after the times, and
//! `WEBVTT` headers, `NOTE`, `STYLE` and `REGION` blocks skipped. A timing line whose times
//! cannot be read is an error naming the line.

use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transcription::Segment;

/// One subtitle: its number, when it shows, and its text (lines joined with `\n`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cue {
    /// Its number: SubRip's (and a numeric WebVTT identifier), else its position from 1.
    pub index: u32,
    /// When it appears.
    pub start: Duration,
    /// When it disappears.
    pub end: Duration,
    /// Its text.
    pub text: String,
}

impl Cue {
    /// A cue.
    pub fn new(index: u32, start: Duration, end: Duration, text: impl Into<String>) -> Self {
        Cue {
            index,
            start,
            end,
            text: text.into(),
        }
    }
}

/// Parses SubRip subtitles (the `srt` format).
///
/// ```
/// use std::time::Duration;
/// let cues = azure_openai_audio::transcription::parse_srt(
///     "1\n00:00:00,000 --> 00:00:03,000\nHello world, this is a test.\n\n\n",
/// )?;
/// assert_eq!(cues[0].end, Duration::from_secs(3));
/// assert_eq!(cues[0].text, "Hello world, this is a test.");
/// # Ok::<(), azure_openai_audio::Error>(())
/// ```
pub fn parse_srt(text: &str) -> Result<Vec<Cue>> {
    parse(text, "srt")
}

/// Parses WebVTT subtitles (the `vtt` format).
pub fn parse_vtt(text: &str) -> Result<Vec<Cue>> {
    parse(text, "vtt")
}

fn parse(text: &str, format: &str) -> Result<Vec<Cue>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut cues = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    let lines = normalized.split('\n').enumerate();
    for (number, line) in lines.chain([(usize::MAX, "")]) {
        if !line.trim().is_empty() {
            block.push((number + 1, line));
            continue;
        }
        if let Some(cue) = parse_block(&block, cues.len(), format)? {
            cues.push(cue);
        }
        block.clear();
    }
    Ok(cues)
}

/// One block of lines (between blank lines): a cue, or `None` for a header, a comment, a style
/// or anything else without a timing line.
fn parse_block(block: &[(usize, &str)], before: usize, format: &str) -> Result<Option<Cue>> {
    let Some(timing) = block.iter().position(|(_, line)| line.contains("-->")) else {
        return Ok(None);
    };
    let Some(&(line_number, line)) = block.get(timing) else {
        return Ok(None);
    };
    if block
        .first()
        .is_some_and(|(_, first)| first.starts_with("NOTE"))
    {
        return Ok(None);
    }
    let bad = || {
        Error::decode(format!(
            "{format} subtitles: line {line_number} is not a cue timing: {:?}",
            line.chars().take(80).collect::<String>()
        ))
    };
    let (start, rest) = line.split_once("-->").ok_or_else(bad)?;
    let end = rest.split_whitespace().next().ok_or_else(bad)?;
    let (start, end) = (
        parse_timestamp(start.trim()).ok_or_else(bad)?,
        parse_timestamp(end).ok_or_else(bad)?,
    );
    let position = u32::try_from(before + 1).unwrap_or(u32::MAX);
    let index = block
        .get(..timing)
        .and_then(|id| id.last())
        .and_then(|(_, id)| id.trim().parse::<u32>().ok())
        .unwrap_or(position);
    let text_lines = block.get(timing + 1..).unwrap_or_default();
    let text = text_lines
        .iter()
        .map(|(_, line)| *line)
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Some(Cue::new(index, start, end, text)))
}

/// `[hh:]mm:ss[.,]mmm` (hours of any length, the fraction optional).
fn parse_timestamp(text: &str) -> Option<Duration> {
    let (clock, fraction) = match text.find(['.', ',']) {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?),
        None => (text, ""),
    };
    let mut parts = clock.split(':').rev();
    let seconds: u64 = number(parts.next()?)?;
    let minutes: u64 = number(parts.next()?)?;
    let hours: u64 = match parts.next() {
        Some(h) => number(h)?,
        None => 0,
    };
    if parts.next().is_some() || seconds > 59 || minutes > 59 || fraction.len() > 3 {
        return None;
    }
    let millis: u64 = match fraction {
        "" => 0,
        f => number(f)? * 10u64.pow(3 - f.len() as u32),
    };
    let total = hours
        .checked_mul(3600)?
        .checked_add(minutes * 60 + seconds)?;
    Some(Duration::from_secs(total) + Duration::from_millis(millis))
}

/// Digits only (no sign, no spaces).
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Writes cues as SubRip subtitles.
pub fn to_srt(cues: &[Cue]) -> String {
    let mut out = String::new();
    for cue in cues {
        let (start, end) = (timestamp(cue.start, ','), timestamp(cue.end, ','));
        let _ = write!(out, "{}\n{start} --> {end}\n{}\n\n", cue.index, cue.text);
    }
    out
}

/// Writes cues as WebVTT subtitles.
pub fn to_vtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for cue in cues {
        let (start, end) = (timestamp(cue.start, '.'), timestamp(cue.end, '.'));
        let _ = write!(out, "{start} --> {end}\n{}\n\n", cue.text);
    }
    out
}

/// The cues of `verbose_json` segments: numbered from 1, text trimmed (whisper starts each
/// segment with a space), times rounded to the millisecond (a negative or not-a-number time
/// becomes 0).
pub fn cues_from_segments(segments: &[Segment]) -> Vec<Cue> {
    let seconds = |s: f64| Duration::try_from_secs_f64(s).unwrap_or_default();
    let position = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| Cue::new(position(i), seconds(s.start), seconds(s.end), s.text.trim()))
        .collect()
}

/// `hh:mm:ss,mmm` (or `.` before the milliseconds), rounded to the millisecond.
fn timestamp(d: Duration, separator: char) -> String {
    let millis = (d.as_micros() + 500) / 1000;
    let (h, m, s, ms) = (
        millis / 3_600_000,
        millis / 60_000 % 60,
        millis / 1000 % 60,
        millis % 1000,
    );
    format!("{h:02}:{m:02}:{s:02}{separator}{ms:03}")
}

#[cfg(test)]
#[path = "subtitles/tests.rs"]
mod tests;
