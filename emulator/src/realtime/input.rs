//! The input audio buffer: pcm16 appended by the client, committed by the client or by turn
//! detection (speech found in the signal's energy, see `vad.rs`), cleared.

use super::turn_detection::TurnDetection;
use super::vad::{Detector, Turn, PER_MS};
use crate::errors::Failure;

/// The shortest audio a commit accepts: 100 ms.
const MIN_COMMIT_SAMPLES: usize = 100 * PER_MS;

/// What turn detection found in appended audio.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Heard {
    /// Speech started `at_ms` after the session's first input sample (prefix padding included).
    Started { at_ms: u64 },
    /// Speech stopped `at_ms`; `segment` is the turn's audio, from its padded start.
    Stopped { at_ms: u64, segment: Vec<i16> },
}

/// The buffer, with positions counted in samples from the session's first input sample.
#[derive(Debug)]
pub(crate) struct InputBuffer {
    samples: Vec<i16>,
    /// The position of `samples[0]`.
    start: u64,
    odd_byte: Option<u8>,
    detector: Option<Detector>,
    padding: u64,
    /// Where the current speech (padding included) starts, while in speech.
    speech_from: Option<u64>,
}

impl InputBuffer {
    pub(crate) fn new(turn: Option<&TurnDetection>) -> InputBuffer {
        let mut b = InputBuffer {
            samples: Vec::new(),
            start: 0,
            odd_byte: None,
            detector: None,
            padding: 0,
            speech_from: None,
        };
        b.configure(turn);
        b
    }

    fn end(&self) -> u64 {
        self.start + self.samples.len() as u64
    }

    /// Turn detection as the session now asks (the audio already in the buffer is not examined again).
    pub(crate) fn configure(&mut self, turn: Option<&TurnDetection>) {
        self.detector = turn.map(|t| {
            let mut d = Detector::new(t.threshold, t.silence_ms());
            d.reset(self.end());
            d
        });
        self.padding = turn.map_or(0, |t| t.prefix_padding_ms * PER_MS as u64);
        self.speech_from = None;
    }

    /// Appends little-endian pcm16 bytes; returns what turn detection found in them.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Vec<Heard> {
        let mut data = Vec::with_capacity(bytes.len() + 1);
        data.extend(self.odd_byte.take());
        data.extend_from_slice(bytes);
        if data.len() % 2 == 1 {
            self.odd_byte = data.pop();
        }
        let new = super::conversation::samples(&data);
        self.samples.extend_from_slice(&new);
        let turns = match &mut self.detector {
            Some(d) => d.feed(&new),
            None => return Vec::new(),
        };
        let mut heard = Vec::new();
        for turn in turns {
            match turn {
                Turn::Started(at) => {
                    let from = at.saturating_sub(self.padding).max(self.start);
                    self.speech_from = Some(from);
                    heard.push(Heard::Started {
                        at_ms: from / PER_MS as u64,
                    });
                }
                Turn::Stopped(at) => {
                    let from = self.speech_from.take().unwrap_or(self.start);
                    let segment = self.take(from, at);
                    heard.push(Heard::Stopped {
                        at_ms: at / PER_MS as u64,
                        segment,
                    });
                }
            }
        }
        heard
    }

    /// The samples from `from` to `to`; everything before `to` leaves the buffer.
    fn take(&mut self, from: u64, to: u64) -> Vec<i16> {
        let lo = usize::try_from(from.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let hi = usize::try_from(to.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let hi = hi.min(self.samples.len());
        let segment = self
            .samples
            .get(lo.min(hi)..hi)
            .map(<[i16]>::to_vec)
            .unwrap_or_default();
        self.samples.drain(..hi);
        self.start += hi as u64;
        segment
    }

    /// `input_audio_buffer.commit`: the whole buffer, if it holds at least 100 ms.
    pub(crate) fn commit(&mut self) -> Result<Vec<i16>, Failure> {
        if self.samples.len() < MIN_COMMIT_SAMPLES {
            return Err(Failure::invalid(
                format!(
                    "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {:.2}ms of audio.",
                    self.samples.len() as f64 / PER_MS as f64
                ),
                None,
                "input_audio_buffer_commit_empty",
            ));
        }
        let segment = self.take(self.start, self.end());
        self.restart();
        Ok(segment)
    }

    /// `input_audio_buffer.clear`.
    pub(crate) fn clear(&mut self) {
        let end = self.end();
        self.take(end, end);
        self.restart();
    }

    fn restart(&mut self) {
        let end = self.end();
        if let Some(d) = &mut self.detector {
            d.reset(end);
        }
        self.speech_from = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcm(samples: &[i16]) -> Vec<u8> {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn turn_detection_cuts_the_turn_with_its_padding() {
        let turn = TurnDetection::default(); // 300 ms padding, 500 ms silence
        let mut b = InputBuffer::new(Some(&turn));
        let mut signal = vec![0i16; 1000 * PER_MS];
        signal.extend((0..500 * PER_MS).map(|n| if n % 2 == 0 { 8000 } else { -8000 }));
        signal.extend(vec![0i16; 700 * PER_MS]);
        let bytes = pcm(&signal);
        let heard: Vec<Heard> = bytes.chunks(4801).flat_map(|c| b.append(c)).collect();
        assert_eq!(heard.len(), 2, "{heard:?}");
        assert_eq!(heard[0], Heard::Started { at_ms: 700 });
        let Heard::Stopped { at_ms, segment } = &heard[1] else {
            panic!()
        };
        assert_eq!(*at_ms, 1500);
        assert_eq!(segment.len(), 800 * PER_MS);
        assert!(
            b.commit().is_ok(),
            "the silence after the turn stays in the buffer"
        );
    }

    #[test]
    fn a_commit_needs_100_ms() {
        let mut b = InputBuffer::new(None);
        b.append(&pcm(&[1; 99 * PER_MS]));
        let e = b.commit().unwrap_err();
        assert_eq!(e.body["error"]["code"], "input_audio_buffer_commit_empty");
        b.append(&[0, 0]);
        b.append(&pcm(&[1; PER_MS])[1..]);
        b.append(&[0]);
        assert_eq!(b.commit().unwrap().len(), 100 * PER_MS + 1);
        b.append(&pcm(&[1; 200 * PER_MS]));
        b.clear();
        assert!(b.commit().is_err());
    }
}
