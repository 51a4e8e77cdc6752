//! A transcription or translation reply in whichever format was asked for.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::metadata::ResponseMetadata;
use crate::transcription::subtitles::{cues_from_segments, parse_srt, parse_vtt, to_srt, Cue};
use crate::transcription::{DiarizedTranscription, Transcription, TranscriptionFormat};

/// A reply decoded for the format that was asked for: JSON formats as their types, `text` as
/// text, `srt` and `vtt` as their text with the cues parsed on demand. Each carries the
/// response's [`metadata`](Transcript::metadata) (request ids, region, rate limits).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Transcript {
    /// `json` or `verbose_json`.
    Json(Transcription),
    /// `diarized_json`.
    Diarized(DiarizedTranscription),
    /// `text`: the text as sent.
    #[non_exhaustive]
    Text {
        /// The text, as sent.
        text: String,
        /// Status and headers of the response.
        metadata: ResponseMetadata,
    },
    /// `srt` or `vtt`.
    Subtitles(Subtitles),
}

/// Subtitles as the service sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subtitles {
    /// [`TranscriptionFormat::Srt`] or [`TranscriptionFormat::Vtt`].
    pub format: TranscriptionFormat,
    /// The subtitles' text, as sent.
    pub text: String,
    /// Status and headers of the response.
    pub metadata: ResponseMetadata,
}

impl Subtitles {
    /// The cues (an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error naming the line if a
    /// timing line cannot be read).
    pub fn cues(&self) -> Result<Vec<Cue>> {
        match self.format {
            TranscriptionFormat::Vtt => parse_vtt(&self.text),
            _ => parse_srt(&self.text),
        }
    }
}

impl Transcript {
    /// Decodes a reply body for the format the request asked for (`None`: the service's
    /// default, `json`). A format this version of the crate does not know is decoded as JSON
    /// when the body is JSON, else kept as text. An
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) error when a JSON format's body is not
    /// JSON, or a text format's body is not UTF-8.
    ///
    /// ```
    /// use azure_openai_audio::{Transcript, TranscriptionFormat};
    /// let reply = Transcript::from_body(Some(&TranscriptionFormat::Text), b"Hello world.\n")?;
    /// assert_eq!(reply.text(), "Hello world.\n");
    /// let reply = Transcript::from_body(None, br#"{"text":"Hello world."}"#)?;
    /// assert_eq!(reply.text(), "Hello world.");
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    pub fn from_body(format: Option<&TranscriptionFormat>, body: &[u8]) -> Result<Transcript> {
        let json = |what: &str| Error::decode(format!("the reply is not {what}"));
        let text = || {
            String::from_utf8(body.to_vec())
                .map_err(|e| Error::decode("the reply is not UTF-8 text").with_source(e))
        };
        Ok(match format {
            None | Some(TranscriptionFormat::Json | TranscriptionFormat::VerboseJson) => {
                Transcript::Json(
                    serde_json::from_slice(body)
                        .map_err(|e| json("a transcription").with_source(e))?,
                )
            }
            Some(TranscriptionFormat::DiarizedJson) => Transcript::Diarized(
                serde_json::from_slice(body)
                    .map_err(|e| json("a diarized transcription").with_source(e))?,
            ),
            Some(TranscriptionFormat::Text) => Transcript::text_reply(text()?),
            Some(f @ (TranscriptionFormat::Srt | TranscriptionFormat::Vtt)) => {
                Transcript::Subtitles(Subtitles {
                    format: f.clone(),
                    text: text()?,
                    metadata: ResponseMetadata::default(),
                })
            }
            Some(TranscriptionFormat::Unknown(_)) => {
                match serde_json::from_slice::<Transcription>(body) {
                    Ok(t) if body.trim_ascii_start().starts_with(b"{") => Transcript::Json(t),
                    _ => Transcript::text_reply(text()?),
                }
            }
        })
    }

    /// A `text` reply (no metadata yet).
    pub(crate) fn text_reply(text: String) -> Transcript {
        Transcript::Text {
            text,
            metadata: ResponseMetadata::default(),
        }
    }

    /// Status and headers of the response (empty for a reply decoded with
    /// [`from_body`](Transcript::from_body)).
    pub fn metadata(&self) -> &ResponseMetadata {
        match self {
            Transcript::Json(t) => &t.metadata,
            Transcript::Diarized(t) => &t.metadata,
            Transcript::Text { metadata, .. } => metadata,
            Transcript::Subtitles(s) => &s.metadata,
        }
    }

    /// The reply with the response's status and headers.
    pub(crate) fn with_metadata(mut self, metadata: ResponseMetadata) -> Transcript {
        match &mut self {
            Transcript::Json(t) => t.metadata = metadata,
            Transcript::Diarized(t) => t.metadata = metadata,
            Transcript::Text { metadata: m, .. } => *m = metadata,
            Transcript::Subtitles(s) => s.metadata = metadata,
        }
        self
    }

    /// The subtitles, for an `srt` or `vtt` reply.
    pub fn subtitles(&self) -> Option<&Subtitles> {
        match self {
            Transcript::Subtitles(s) => Some(s),
            _ => None,
        }
    }

    /// The transcript's text: the `text` of a JSON reply, the text of a `text` reply, the
    /// cues' texts (one per line) of subtitles, or the subtitles as sent if they cannot be
    /// parsed.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Transcript::Json(t) => Cow::Borrowed(&t.text),
            Transcript::Diarized(t) => Cow::Borrowed(&t.text),
            Transcript::Text { text, .. } => Cow::Borrowed(text),
            Transcript::Subtitles(s) => match s.cues() {
                Ok(cues) => Cow::Owned(
                    cues.iter()
                        .map(|c| c.text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Err(_) => Cow::Borrowed(&s.text),
            },
        }
    }
}

impl Transcription {
    /// The segments as SubRip subtitles (`verbose_json` with segment timestamps; empty when
    /// the reply has no segments).
    ///
    /// ```
    /// let reply: azure_openai_audio::Transcription = serde_json::from_str(
    ///     r#"{"text":"Hi.","segments":[{"id":0,"start":0.5,"end":1.25,"text":" Hi."}]}"#,
    /// ).unwrap();
    /// assert_eq!(reply.to_srt(), "1\n00:00:00,500 --> 00:00:01,250\nHi.\n\n");
    /// ```
    pub fn to_srt(&self) -> String {
        to_srt(&cues_from_segments(&self.segments))
    }
}
