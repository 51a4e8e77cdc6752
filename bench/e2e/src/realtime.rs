//! The Realtime job's shared parts: what the server streams (one hour of 24 kHz mono pcm16 by
//! default, in deltas of a fixed duration), and the sink every program writes the decoded audio
//! to, which counts it, folds a cheap checksum and samples the process's RSS at each tenth.
//!
//! Every program is run as `PROGRAM SECONDS DELTA_MS` with `AZURE_OPENAI_ENDPOINT`,
//! `AZURE_OPENAI_API_KEY` and `AZURE_OPENAI_REALTIME_DEPLOYMENT` set, connects to
//! `/openai/v1/realtime?model=DEPLOYMENT`, sends `response.create`, writes the audio of every
//! `response.output_audio.delta` to a [`Sink`] until `response.done`, and ends with
//! [`Sink::finish`], which prints the figures and fails loudly unless exactly `SECONDS` of audio
//! arrived. Each runs on [`runtime`].

/// Samples a second (the service's pcm16 rate).
pub const RATE: u64 = 24_000;
/// The deployment every program names.
pub const DEPLOYMENT: &str = "gpt-realtime";
/// The api-key every program sends (the server checks it).
pub const KEY: &str = "bench-key";
/// How many distinct deltas the server cycles through (the audio repeats after this many).
pub const CYCLE: usize = 64;
/// How many RSS samples a run takes: one at each tenth of the audio.
pub const RSS_SAMPLES: usize = 10;

/// What the server streams and every program must receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Seconds of audio in the one response.
    pub seconds: u64,
    /// Milliseconds of audio per `response.output_audio.delta`.
    pub delta_ms: u64,
}

impl Plan {
    /// One hour in 100 ms deltas.
    pub const HOUR: Plan = Plan {
        seconds: 3600,
        delta_ms: 100,
    };

    /// The audio's size: samples * 2 bytes.
    pub fn total_bytes(&self) -> u64 {
        self.seconds * RATE * 2
    }

    /// Bytes of pcm16 per delta (the last one may be shorter).
    pub fn delta_bytes(&self) -> usize {
        (RATE * self.delta_ms / 1000 * 2) as usize
    }

    /// The plan a program was given: `PROGRAM SECONDS DELTA_MS`.
    pub fn from_args() -> Plan {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let number = |i: usize, what: &str| -> u64 {
            args.get(i)
                .and_then(|a| a.parse().ok())
                .unwrap_or_else(|| panic!("usage: PROGRAM SECONDS DELTA_MS (no {what})"))
        };
        Plan {
            seconds: number(0, "SECONDS"),
            delta_ms: number(1, "DELTA_MS"),
        }
    }

    /// The pcm16 of every delta, in order (borrowed from a cycle of [`CYCLE`] distinct deltas
    /// of deterministic noise; the last delta cut to the total).
    pub fn deltas(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        let cycle = cycle(self.delta_bytes());
        let size = self.delta_bytes() as u64;
        let count = self.total_bytes().div_ceil(size);
        let total = self.total_bytes();
        (0..count).map(move |k| {
            let len = (total - k * size).min(size) as usize;
            &cycle[k as usize % CYCLE][..len]
        })
    }

    /// The tally of the whole plan's audio, as a program that received it all computes it.
    pub fn expected(&self) -> Tally {
        let mut t = Tally::default();
        for d in self.deltas() {
            t.add(d);
        }
        t
    }
}

/// The [`CYCLE`] distinct deltas of `bytes` each, made once per size and kept for the process.
fn cycle(bytes: usize) -> &'static [Vec<u8>] {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cycles = HashMap<usize, &'static [Vec<u8>]>;
    static CYCLES: OnceLock<Mutex<Cycles>> = OnceLock::new();
    let mut cycles = CYCLES.get_or_init(Default::default).lock().expect("cycles");
    cycles.entry(bytes).or_insert_with(|| {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let deltas: Vec<Vec<u8>> = (0..CYCLE)
            .map(|_| {
                (0..bytes)
                    .map(|_| {
                        // xorshift64
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x >> 24) as u8
                    })
                    .collect()
            })
            .collect();
        Vec::leak(deltas)
    })
}

/// The audio received: its size and a checksum of each delta's first and last bytes, in order
/// (cheap, so that it costs every program the same nothing next to decoding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Bytes of pcm16.
    pub bytes: u64,
    /// The fold of each delta's length, first and last 8 bytes.
    pub checksum: u64,
}

impl Tally {
    /// One delta's audio.
    pub fn add(&mut self, pcm: &[u8]) {
        let word = |b: &[u8]| b.iter().fold(0u64, |w, &x| w << 8 | x as u64);
        let head = word(&pcm[..pcm.len().min(8)]);
        let tail = word(&pcm[pcm.len().saturating_sub(8)..]);
        self.bytes += pcm.len() as u64;
        self.checksum = (self.checksum.rotate_left(7) ^ head ^ tail.rotate_left(32))
            .wrapping_add(pcm.len() as u64);
    }
}

/// Where every program writes the decoded audio: a [`Tally`], and the process's VmRSS at each
/// tenth of the plan's audio.
#[derive(Debug)]
pub struct Sink {
    plan: Plan,
    tally: Tally,
    next_sample: usize,
    rss_kib: [u64; RSS_SAMPLES],
}

impl Sink {
    /// A sink for `plan`'s audio.
    pub fn new(plan: Plan) -> Sink {
        Sink {
            plan,
            tally: Tally::default(),
            next_sample: 0,
            rss_kib: [0; RSS_SAMPLES],
        }
    }

    /// One delta's decoded audio.
    pub fn write(&mut self, pcm: &[u8]) {
        self.tally.add(pcm);
        let total = self.plan.total_bytes();
        while self.next_sample < RSS_SAMPLES
            && self.tally.bytes * RSS_SAMPLES as u64 >= total * (self.next_sample as u64 + 1)
        {
            self.rss_kib[self.next_sample] = vm_rss_kib();
            self.next_sample += 1;
        }
    }

    /// Prints `audio BYTES CHECKSUM` and `rss KIB...` (one figure per tenth) on stdout; exits
    /// with status 3 and says why on stderr unless exactly the plan's audio arrived.
    pub fn finish(self) {
        println!("audio {} {:016x}", self.tally.bytes, self.tally.checksum);
        let rss: Vec<String> = self.rss_kib.iter().map(u64::to_string).collect();
        println!("rss {}", rss.join(" "));
        let want = self.plan.total_bytes();
        if self.tally.bytes != want {
            eprintln!(
                "received {} bytes of audio ({} samples), not the {} bytes ({} s at {} Hz) sent",
                self.tally.bytes,
                self.tally.bytes / 2,
                want,
                self.plan.seconds,
                RATE
            );
            std::process::exit(3);
        }
    }
}

/// The runtime every program runs on: tokio's multi-threaded one, as `#[tokio::main]` makes it,
/// or its current-thread one when `BENCH_RUNTIME=current_thread` (the runner's `--runtime
/// current-thread`).
pub fn runtime() -> tokio::runtime::Runtime {
    let mut builder = match std::env::var("BENCH_RUNTIME").as_deref() {
        Ok("current_thread") => tokio::runtime::Builder::new_current_thread(),
        Ok("multi_thread") | Err(_) => tokio::runtime::Builder::new_multi_thread(),
        Ok(other) => panic!("BENCH_RUNTIME is current_thread or multi_thread, not {other:?}"),
    };
    builder.enable_all().build().expect("runtime")
}

/// This process's resident set (VmRSS in /proc/self/status), in KiB; 0 where there is none.
pub fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_86_400_000_samples_in_36_000_deltas() {
        let plan = Plan::HOUR;
        assert_eq!(plan.total_bytes(), 86_400_000 * 2);
        assert_eq!(plan.delta_bytes(), 4800);
        assert_eq!(plan.deltas().count(), 36_000);
    }

    #[test]
    fn the_last_delta_is_cut_to_the_total() {
        let plan = Plan {
            seconds: 1,
            delta_ms: 300,
        };
        let sizes: Vec<usize> = plan.deltas().map(<[u8]>::len).collect();
        assert_eq!(sizes, [14_400, 14_400, 14_400, 4_800]);
        assert_eq!(plan.expected().bytes, 48_000);
    }

    #[test]
    fn the_checksum_sees_order_and_content() {
        let plan = Plan {
            seconds: 2,
            delta_ms: 100,
        };
        let mut swapped = Tally::default();
        let d: Vec<&[u8]> = plan.deltas().collect();
        swapped.add(d[1]);
        swapped.add(d[0]);
        for x in &d[2..] {
            swapped.add(x);
        }
        assert_eq!(swapped.bytes, plan.expected().bytes);
        assert_ne!(swapped.checksum, plan.expected().checksum);
        assert!(d[0].iter().any(|&b| b != 0), "the audio is not silence");
        assert_ne!(d[0], d[1]);
    }
}
