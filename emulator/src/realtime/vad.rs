//! Voice activity detection from the signal's energy: the input is cut into 10 ms frames; a
//! frame is speech when its RMS level (as a fraction of full scale) is over
//! `0.1 × threshold²` (threshold 0.5: −32 dBFS; 1: −20 dBFS; 0.1: −60 dBFS). Speech starts at
//! the first speech frame and stops once the frames after the last speech frame add up to the
//! silence duration.

/// Samples in a frame: 10 ms at 24 kHz.
pub(crate) const FRAME: usize = 240;
/// Samples in a millisecond at 24 kHz.
pub(crate) const PER_MS: usize = 24;

/// What the detector saw in the audio just fed to it, at sample positions counted from the
/// start of the session's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Speech began at this sample.
    Started(u64),
    /// Speech ended at this sample (the end of its last speech frame).
    Stopped(u64),
}

/// The detector's state between appends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detector {
    min_rms: f64,
    silence_frames: u64,
    /// Samples seen (whole frames only; the rest waits in `partial`).
    at: u64,
    partial: Vec<i16>,
    /// Where the current speech's last speech frame ended, while in speech.
    speech_end: Option<u64>,
    quiet_frames: u64,
}

impl Detector {
    /// A detector with a `threshold` (0 to 1) and the silence that ends speech.
    pub(crate) fn new(threshold: f64, silence_ms: u64) -> Detector {
        Detector {
            min_rms: 0.1 * threshold * threshold,
            silence_frames: silence_ms.div_ceil(10).max(1),
            at: 0,
            partial: Vec::new(),
            speech_end: None,
            quiet_frames: 0,
        }
    }

    /// Starts counting positions at `at` (the samples before were not examined), in silence.
    pub(crate) fn reset(&mut self, at: u64) {
        self.at = at;
        self.partial.clear();
        self.speech_end = None;
        self.quiet_frames = 0;
    }

    /// Feeds `samples`; returns the starts and stops found, in order.
    pub(crate) fn feed(&mut self, samples: &[i16]) -> Vec<Turn> {
        let mut turns = Vec::new();
        let mut data = std::mem::take(&mut self.partial);
        data.extend_from_slice(samples);
        let mut frames = data.chunks_exact(FRAME);
        for frame in &mut frames {
            let speech = self.is_speech(frame);
            let end = self.at + FRAME as u64;
            match (self.speech_end, speech) {
                (None, true) => {
                    turns.push(Turn::Started(self.at));
                    self.speech_end = Some(end);
                    self.quiet_frames = 0;
                }
                (Some(_), true) => {
                    self.speech_end = Some(end);
                    self.quiet_frames = 0;
                }
                (Some(last), false) => {
                    self.quiet_frames += 1;
                    if self.quiet_frames >= self.silence_frames {
                        turns.push(Turn::Stopped(last));
                        self.speech_end = None;
                    }
                }
                (None, false) => {}
            }
            self.at = end;
        }
        self.partial = frames.remainder().to_vec();
        turns
    }

    fn is_speech(&self, frame: &[i16]) -> bool {
        let energy: f64 = frame.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
        let rms = (energy / frame.len().max(1) as f64).sqrt() / 32768.0;
        rms > self.min_rms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: usize, amplitude: f64) -> Vec<i16> {
        (0..ms * PER_MS)
            .map(|n| ((n as f64 * 0.1).sin() * amplitude * 32767.0) as i16)
            .collect()
    }

    #[test]
    fn finds_speech_between_silences_whatever_the_chunking() {
        let mut signal = vec![0i16; 1000 * PER_MS];
        signal.extend(tone(800, 0.3));
        signal.extend(vec![0i16; 1000 * PER_MS]);
        for chunk in [37, 240, 4800, signal.len()] {
            let mut d = Detector::new(0.5, 500);
            let turns: Vec<Turn> = signal.chunks(chunk).flat_map(|c| d.feed(c)).collect();
            assert_eq!(
                turns,
                [
                    Turn::Started(1000 * PER_MS as u64),
                    Turn::Stopped(1800 * PER_MS as u64)
                ],
                "{chunk}"
            );
        }
    }

    #[test]
    fn a_short_pause_does_not_end_speech_and_quiet_audio_is_not_speech() {
        let mut signal = tone(300, 0.3);
        signal.extend(vec![0i16; 200 * PER_MS]);
        signal.extend(tone(300, 0.3));
        signal.extend(vec![0i16; 600 * PER_MS]);
        let mut d = Detector::new(0.5, 500);
        assert_eq!(
            d.feed(&signal),
            [Turn::Started(0), Turn::Stopped(800 * PER_MS as u64)]
        );
        let mut d = Detector::new(0.5, 500);
        assert_eq!(d.feed(&tone(1000, 0.01)), []);
        let mut d = Detector::new(0.1, 500);
        assert_eq!(d.feed(&tone(100, 0.01)), [Turn::Started(0)]);
    }
}
