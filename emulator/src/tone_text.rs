//! Text carried in the signal of the emulator's speech, so transcribing that speech gives the
//! text back, even after the audio went through other hands (raw pcm written into a WAV, say).
//!
//! The signal is 24 kHz mono 16-bit. It starts with a preamble of three 60 ms symbols: a marker
//! (350 Hz + 9250 Hz together), then the length of the other symbols in samples as two bytes
//! (little-endian). Then each byte of the text's UTF-8 is one symbol of that length: two tones
//! at once, one of 16 low frequencies for the low nibble (600 Hz to 4350 Hz, 250 Hz apart) and
//! one of 16 high ones for the high nibble (5000 Hz to 8750 Hz); an ASCII character is one
//! symbol. The marker again ends the text. Symbols are 60 ms at speed 1 (`1440 / speed`
//! samples, so 15 ms to 240 ms), with short fades against clicks.
//!
//! Decoding measures each symbol's tones with the Goertzel filter on the middle three quarters
//! of its window, and gives up (`None`) at the first window whose energy is not almost all in
//! one low and one high tone: any other audio is not taken for text.

use std::f64::consts::TAU;

use super::reply::SAMPLE_RATE;

/// Samples of a preamble symbol: 60 ms.
const MARK: usize = SAMPLE_RATE as usize * 60 / 1000;
/// The shortest text symbol (speed 4).
const MIN_SYMBOL: usize = MARK / 4;
/// The longest text symbol (speed 0.25).
const MAX_SYMBOL: usize = MARK * 4;
const MARK_LOW: f64 = 350.0;
const MARK_HIGH: f64 = 9250.0;
/// Each tone's amplitude, as a fraction of full scale.
const AMPLITUDE: f64 = 0.25;
/// The share of a window's energy its two tones must hold.
const MIN_SHARE: f64 = 0.6;

fn low(nibble: u8) -> f64 {
    600.0 + 250.0 * f64::from(nibble)
}

fn high(nibble: u8) -> f64 {
    5000.0 + 250.0 * f64::from(nibble)
}

/// A text as a signal, rendered one symbol at a time (so a long one is never held whole).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToneText {
    bytes: Vec<u8>,
    symbol: usize,
}

impl ToneText {
    /// `text` spoken at `speed` (0.25 to 4; other values are clamped).
    pub(crate) fn new(text: &str, speed: f64) -> ToneText {
        let symbol = (MARK as f64 / speed).round();
        let symbol = if symbol.is_finite() {
            symbol as usize
        } else {
            MARK
        };
        ToneText {
            bytes: text.as_bytes().to_vec(),
            symbol: symbol.clamp(MIN_SYMBOL, MAX_SYMBOL),
        }
    }

    /// How many symbols: the preamble, one a byte, the closing marker.
    pub(crate) fn symbols(&self) -> usize {
        self.bytes.len() + 4
    }

    fn symbol_len(&self, i: usize) -> usize {
        if i < 3 {
            MARK
        } else {
            self.symbol
        }
    }

    /// Samples in all.
    pub(crate) fn samples(&self) -> u64 {
        (0..self.symbols().min(3))
            .map(|i| self.symbol_len(i) as u64)
            .sum::<u64>()
            + (self.bytes.len() as u64 + 1) * self.symbol as u64
    }

    /// Seconds in all.
    pub(crate) fn seconds(&self) -> f64 {
        self.samples() as f64 / f64::from(SAMPLE_RATE)
    }

    /// The samples of symbol `i` (`0..symbols()`), as 16-bit little-endian bytes appended to `out`.
    pub(crate) fn render(&self, i: usize, out: &mut Vec<u8>) {
        let [len_lo, len_hi] = u16::try_from(self.symbol).unwrap_or(u16::MAX).to_le_bytes();
        let (f1, f2) = match i {
            1 => (low(len_lo & 15), high(len_lo >> 4)),
            2 => (low(len_hi & 15), high(len_hi >> 4)),
            _ => match self.bytes.get(i.wrapping_sub(3)) {
                Some(&b) => (low(b & 15), high(b >> 4)),
                None => (MARK_LOW, MARK_HIGH), // the first symbol and the last
            },
        };
        let len = self.symbol_len(i);
        let ramp = (SAMPLE_RATE as usize / 200).min(len / 8) as f64;
        let scale = AMPLITUDE * f64::from(i16::MAX);
        for n in 0..len {
            let envelope = (n.min(len - 1 - n) as f64 / ramp).min(1.0);
            let t = n as f64 / f64::from(SAMPLE_RATE);
            let s = ((TAU * f1 * t).sin() + (TAU * f2 * t).sin()) * scale * envelope;
            out.extend_from_slice(&(s as i16).to_le_bytes());
        }
    }
}

/// What one window holds.
#[derive(Debug, PartialEq)]
enum Symbol {
    Mark,
    Byte(u8),
}

/// The Goertzel power of `f` in `w`, as a share of the window's `energy` (1 for a pure tone).
fn share(w: &[i16], f: f64, energy: f64) -> f64 {
    let k = 2.0 * (TAU * f / f64::from(SAMPLE_RATE)).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in w {
        let s0 = f64::from(x) + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - k * s1 * s2) * 2.0 / (w.len() as f64 * energy)
}

/// The strongest of 16 tones (its index and share) and the share of the next strongest.
fn strongest(w: &[i16], energy: f64, tone: fn(u8) -> f64) -> (u8, f64, f64) {
    let mut best = (0, 0.0, 0.0);
    for n in 0..16 {
        let s = share(w, tone(n), energy);
        if s > best.1 {
            best = (n, s, best.1);
        } else if s > best.2 {
            best.2 = s;
        }
    }
    best
}

fn classify(window: &[i16]) -> Option<Symbol> {
    let edge = window.len() / 8;
    let w = window.get(edge..window.len() - edge)?;
    let energy: f64 = w.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    if w.is_empty() || energy < w.len() as f64 {
        return None; // silence
    }
    if share(w, MARK_LOW, energy) + share(w, MARK_HIGH, energy) > MIN_SHARE {
        return Some(Symbol::Mark);
    }
    let (lo, lo_share, lo_next) = strongest(w, energy, low);
    let (hi, hi_share, hi_next) = strongest(w, energy, high);
    let clear = lo_share > 4.0 * lo_next && hi_share > 4.0 * hi_next;
    (clear && lo_share + hi_share > MIN_SHARE).then_some(Symbol::Byte(hi << 4 | lo))
}

fn byte(window: Option<&[i16]>) -> Option<u8> {
    match classify(window?)? {
        Symbol::Byte(b) => Some(b),
        Symbol::Mark => None,
    }
}

/// The text in `samples` (24 kHz mono), when they carry one: the preamble where the signal
/// starts (after any leading silence), then symbols up to the closing marker.
pub(crate) fn decode(samples: &[i16]) -> Option<String> {
    let start = samples.iter().position(|&s| s != 0)?.saturating_sub(1);
    let s = samples.get(start..)?;
    if classify(s.get(..MARK)?)? != Symbol::Mark {
        return None;
    }
    let len = u16::from_le_bytes([
        byte(s.get(MARK..2 * MARK))?,
        byte(s.get(2 * MARK..3 * MARK))?,
    ]);
    let symbol = usize::from(len);
    if !(MIN_SYMBOL..=MAX_SYMBOL).contains(&symbol) {
        return None;
    }
    let mut bytes = Vec::new();
    let mut at = 3 * MARK;
    loop {
        match classify(s.get(at..at + symbol)?)? {
            Symbol::Mark => break,
            Symbol::Byte(b) => bytes.push(b),
        }
        at += symbol;
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(text: &str, speed: f64) -> Vec<i16> {
        let t = ToneText::new(text, speed);
        let mut bytes = Vec::new();
        for i in 0..t.symbols() {
            t.render(i, &mut bytes);
        }
        assert_eq!(bytes.len() as u64, t.samples() * 2);
        bytes
            .chunks_exact(2)
            .map(|p| i16::from_le_bytes([p[0], p[1]]))
            .collect()
    }

    #[test]
    fn text_comes_back_at_every_speed() {
        let text = "The quick brown fox jumped over the lazy dog. Ünïcödé ✓ 123!";
        for speed in [0.25, 0.5, 1.0, 1.37, 2.0, 4.0] {
            assert_eq!(
                decode(&signal(text, speed)).as_deref(),
                Some(text),
                "{speed}"
            );
        }
        assert_eq!(decode(&signal("", 1.0)).as_deref(), Some(""));
    }

    #[test]
    fn length_follows_the_text_and_the_speed() {
        let t = ToneText::new("Hi there.", 1.0);
        assert_eq!(t.samples(), (3 + 9 + 1) * 1440);
        assert!((t.seconds() - 0.78).abs() < 1e-9);
        assert_eq!(
            ToneText::new("Hi there.", 2.0).samples(),
            3 * 1440 + 10 * 720
        );
        assert_eq!(ToneText::new("x", 100.0).symbol, 360, "clamped");
    }

    #[test]
    fn survives_leading_silence_and_trailing_audio_and_noise() {
        let text = "Hello, world.";
        let mut s = vec![0i16; 5000];
        s.extend(signal(text, 1.0));
        s.extend(std::iter::repeat_n(1234, 3000));
        // Mild noise everywhere (about -40 dB).
        let mut z = 7u64;
        for x in s.iter_mut().skip(5000) {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = x.saturating_add(((z >> 33) % 160) as i16 - 80);
        }
        assert_eq!(decode(&s).as_deref(), Some(text));
    }

    #[test]
    fn other_audio_is_not_text() {
        let tone: Vec<i16> = (0..48_000)
            .map(|n| ((n as f64 * TAU * 440.0 / 24_000.0).sin() * 8000.0) as i16)
            .collect();
        assert_eq!(decode(&tone), None);
        assert_eq!(decode(&[0; 10_000]), None);
        assert_eq!(decode(&[]), None);
        // Cut before the closing marker.
        let s = signal("Hello", 1.0);
        assert_eq!(decode(&s[..s.len() - 1000]), None);
    }
}
