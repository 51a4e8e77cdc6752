//! Changing the sample rate of mono audio as it streams: a polyphase windowed-sinc resampler.
//!
//! Each output sample is the input convolved with a sinc low-pass filter under a Kaiser window
//! (β = 7.86, about 80 dB of stop-band attenuation), centred on the output's instant, so the
//! output is not delayed. The filter cuts at [`CUTOFF`] of the lower rate's Nyquist frequency:
//! downsampling removes what the new rate cannot hold (no aliasing), upsampling removes the
//! images. Its coefficients are computed once per phase of the rate ratio (or for
//! [`MAX_PHASES`] phases, interpolated between, when the ratio needs more).
//!
//! Memory is the table and about one filter length of input, whatever the stream's length.

/// Zero crossings of the sinc on each side of the centre (in periods of the lower rate).
const ZERO_CROSSINGS: usize = 32;

/// The filter's cutoff as a fraction of the lower rate's Nyquist frequency: with 32 zero
/// crossings the transition band is about 0.078 of the lower rate wide, so the stop band starts
/// just below its Nyquist frequency (about 11.9 kHz when the output is 24 kHz).
const CUTOFF: f64 = 0.91;

/// Kaiser β for about 80 dB of attenuation: 0.1102 × (80 − 8.7).
const KAISER_BETA: f64 = 7.857;

/// The most filter phases tabulated; a ratio with more is served by interpolating between them.
const MAX_PHASES: u64 = 256;

/// A streaming resampler of mono `f32` audio from one rate to another.
pub(crate) struct Resampler {
    /// The ratio in lowest terms: `up` output samples for every `down` input samples.
    up: u64,
    down: u64,
    /// Phases tabulated (`up` when it is at most [`MAX_PHASES`]).
    phases: u64,
    /// Filter taps per output sample (twice the half-width).
    taps: usize,
    /// `phases + 1` rows of `taps` coefficients: row `p` is the filter at phase `p / phases`.
    table: Vec<f32>,
    /// Input samples, zero-padded by `taps / 2 - 1` before the first; `input[0]` is padded
    /// index `first`.
    input: Vec<f32>,
    first: u64,
    /// Real input samples received.
    received: u64,
    /// The next output sample's index.
    next: u64,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz (both above 0).
    pub(crate) fn new(from: u32, to: u32) -> Self {
        let (from, to) = (u64::from(from.max(1)), u64::from(to.max(1)));
        let g = gcd(from, to);
        let (up, down) = (to / g, from / g);
        if up == down {
            return Resampler::identity();
        }
        // The cutoff in cycles per input sample (times 2): the lower rate's, scaled.
        let scale = CUTOFF * (to.min(from) as f64 / from as f64);
        let half = (ZERO_CROSSINGS as f64 / scale).ceil() as usize;
        let taps = 2 * half;
        let phases = up.min(MAX_PHASES);
        let mut table = Vec::with_capacity((phases as usize + 1) * taps);
        for p in 0..=phases {
            let frac = p as f64 / phases as f64;
            let start = table.len();
            // Tap k meets the input sample (half - 1 - k) before the output's instant + frac.
            table.extend((0..taps).map(|k| {
                let t = frac + (half as f64 - 1.0) - k as f64;
                (scale * sinc(scale * t) * kaiser(t / half as f64)) as f32
            }));
            // Each phase passes a constant through unchanged.
            let row = table.get_mut(start..).unwrap_or_default();
            let sum: f32 = row.iter().sum();
            row.iter_mut().for_each(|c| *c /= sum);
        }
        Resampler {
            up,
            down,
            phases,
            taps,
            table,
            input: vec![0.0; half - 1],
            first: 0,
            received: 0,
            next: 0,
        }
    }

    /// Same rate in and out: samples pass through untouched.
    fn identity() -> Self {
        Resampler {
            up: 1,
            down: 1,
            phases: 1,
            taps: 0,
            table: Vec::new(),
            input: Vec::new(),
            first: 0,
            received: 0,
            next: 0,
        }
    }

    /// Takes `samples` and appends to `out` every output sample they complete.
    pub(crate) fn push(&mut self, samples: &[f32], out: &mut Vec<f32>) {
        if self.taps == 0 {
            out.extend_from_slice(samples);
            return;
        }
        self.received += samples.len() as u64;
        self.input.extend_from_slice(samples);
        // Output n needs padded input up to its window's end; the input ends at `received`
        // real samples, padded index `received + half - 2`.
        let available = self.first + self.input.len() as u64;
        self.produce(available, u64::MAX, out);
    }

    /// The input is over: appends the last output samples (the input's duration at the new
    /// rate, rounded up, in all).
    pub(crate) fn finish(&mut self, out: &mut Vec<f32>) {
        if self.taps == 0 {
            return;
        }
        self.input.resize(self.input.len() + self.taps, 0.0);
        let total = (self.received * self.up).div_ceil(self.down);
        let available = self.first + self.input.len() as u64;
        self.produce(available, total, out);
        self.input.clear();
    }

    /// Produces output samples while their window lies within the first `available` padded
    /// input samples, up to `total` in all; then forgets the input no later output needs.
    fn produce(&mut self, available: u64, total: u64, out: &mut Vec<f32>) {
        let taps = self.taps as u64;
        while self.next < total {
            let at = self.next * self.down;
            // The window of output `next` starts at padded index `at / up`.
            let start = at / self.up;
            if start + taps > available {
                break;
            }
            let from = (start - self.first) as usize;
            let Some(window) = self.input.get(from..from + self.taps) else {
                break;
            };
            let phase = (at % self.up) * self.phases;
            let (row, rest) = (phase / self.up, phase % self.up);
            let y = dot(window, self.row(row));
            out.push(if rest == 0 {
                y
            } else {
                let w = rest as f32 / self.up as f32;
                y + w * (dot(window, self.row(row + 1)) - y)
            });
            self.next += 1;
        }
        let needed = (self.next * self.down / self.up).max(self.first);
        let done = ((needed - self.first) as usize).min(self.input.len());
        self.input.drain(..done);
        self.first += done as u64;
    }

    fn row(&self, p: u64) -> &[f32] {
        let at = p as usize * self.taps;
        self.table.get(at..at + self.taps).unwrap_or_default()
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// sin(πx) / (πx).
fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// The Kaiser window at `x` in -1..=1.
fn kaiser(x: f64) -> f64 {
    let r = (1.0 - x * x).max(0.0);
    bessel_i0(KAISER_BETA * r.sqrt()) / bessel_i0(KAISER_BETA)
}

/// The modified Bessel function of the first kind, order 0 (its power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > sum * 1e-16 {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        k += 1.0;
    }
    sum
}

/// The dot product, in eight lanes (so the compiler can vectorise it).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for ((l, x), y) in lanes.iter_mut().zip(x).zip(y) {
            *l += x * y;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resample(from: u32, to: u32, input: &[f32], piece: usize) -> Vec<f32> {
        let mut r = Resampler::new(from, to);
        let mut out = Vec::new();
        for p in input.chunks(piece) {
            r.push(p, &mut out);
        }
        r.finish(&mut out);
        out
    }

    #[test]
    fn the_output_does_not_depend_on_how_the_input_is_split() {
        let input: Vec<f32> = (0..5000)
            .map(|i| ((i * 7919) % 201) as f32 / 100.0 - 1.0)
            .collect();
        for (from, to) in [
            (44_100, 24_000),
            (8_000, 24_000),
            (22_050, 24_000),
            (7_919, 24_000),
        ] {
            let whole = resample(from, to, &input, input.len());
            assert_eq!(
                whole.len() as u64,
                (5000 * u64::from(to)).div_ceil(u64::from(from))
            );
            for piece in [1, 7, 1000] {
                assert_eq!(
                    resample(from, to, &input, piece),
                    whole,
                    "{from} Hz, {piece}"
                );
            }
        }
    }

    #[test]
    fn a_constant_stays_that_constant() {
        for from in [8_000, 11_025, 44_100, 48_000, 96_000, 7_919] {
            let out = resample(from, 24_000, &vec![0.5; from as usize], 4096);
            // Away from the edges (where the signal starts and stops), exactly 0.5 within f32.
            for &y in &out[200..out.len() - 200] {
                assert!((y - 0.5).abs() < 1e-4, "{from} Hz: {y}");
            }
        }
    }

    #[test]
    fn the_same_rate_passes_samples_through() {
        let input = [0.25, -1.0, 1.0, 0.0];
        assert_eq!(resample(24_000, 24_000, &input, 3), input);
    }

    #[test]
    fn the_table_stays_small_for_any_ratio() {
        // 24,000 / 23,999 has 24,000 phases; 256 are tabulated.
        let r = Resampler::new(23_999, 24_000);
        assert_eq!(r.phases, MAX_PHASES);
        assert!(
            r.table.len() * 4 < 100 * 1024,
            "{} coefficients",
            r.table.len()
        );
        let r = Resampler::new(384_000, 24_000);
        assert!(
            r.table.len() * 4 < 32 * 1024,
            "{} coefficients",
            r.table.len()
        );
    }
}
