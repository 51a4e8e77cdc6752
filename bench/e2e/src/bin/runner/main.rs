//! Runs each program on one job against the loopback server, paired, and prints peak RSS and CPU
//! (user + system) medians with ratios to the first program (the floor).
//!
//! Usage: `runner [--job chat|transcribe|realtime] [--rounds N] [--in-bytes N] [--out-bytes N]
//! [--chunked] [--seconds N] [--delta-ms N] [--runtime multi-thread|current-thread] NAME=PATH ...`
//! (any programs, the floor first).
//!
//! - `--job chat` (the default), the from-audio job: each program is run as `PATH IN OUT` with
//!   AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY set, and must write the reply's exact audio to
//!   OUT. With `--chunked` the server sends the reply with `Transfer-Encoding: chunked` and no
//!   Content-Length, in 16 KiB chunks (as a proxy that re-chunks it would); by default it sends one
//!   body with a Content-Length, as Azure does. IN: 16 MiB by default; OUT: 4 MiB.
//! - `--job transcribe`: each program is run as `PATH IN` with AZURE_OPENAI_ENDPOINT,
//!   AZURE_OPENAI_API_KEY, AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT and OPENAI_API_VERSION set, and
//!   should print the transcript of Azure's recorded whisper reply. IN: 24 MiB by default. A
//!   program that fails (async-openai cannot decode the reply) is measured all the same; the
//!   table says how its upload was framed and how it ended.
//! - `--job realtime`: one Realtime response of `--seconds` of 24 kHz pcm16 (default 3600, one
//!   hour) in deltas of `--delta-ms` (default 100) from a loopback WebSocket server, every
//!   program on tokio's `--runtime` (default multi-thread, as `#[tokio::main]`); see [`realtime`]
//!   (its own goal: CPU and flat memory).
//!
//! The last column says whether each program is within the goal: at most 1.25x the
//! floor's peak RSS and 1.5x its CPU (a program that failed is not).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use aoa_e2e_bench::realtime::Plan;
use aoa_e2e_bench::server::{Reply, Server, Upload};

mod realtime;

/// The goal for the crate's example, as ratios to the floor.
const GOAL_RSS: f64 = 1.25;
const GOAL_CPU: f64 = 1.5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Job {
    Chat,
    Transcribe,
    Realtime,
}

struct Sample {
    rss_kib: i64,
    cpu_s: f64,
    wall_s: f64,
    /// Why the run failed, if it did.
    failure: Option<String>,
    /// How the upload was framed (transcription job).
    upload: Option<&'static str>,
    /// VmRSS (KiB) at each tenth of the audio, as the program printed it (Realtime job).
    rss_trace: Vec<u64>,
    /// Messages the program could not decode, as it printed them (Realtime job).
    unparsed: Option<u64>,
}

fn main() {
    let mut job = Job::Chat;
    let mut rounds = 11usize;
    let mut in_bytes = None;
    let mut out_bytes = 4 << 20;
    let mut framing = Reply::ContentLength;
    let mut plan = Plan::HOUR;
    let mut runtime = "multi_thread";
    let mut programs: Vec<(String, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{what} needs a value"))
        };
        let mut num = |what: &str| -> usize {
            value(what)
                .parse()
                .unwrap_or_else(|_| panic!("{what} needs a number"))
        };
        match a.as_str() {
            "--job" => {
                job = match value("--job").as_str() {
                    "chat" => Job::Chat,
                    "transcribe" => Job::Transcribe,
                    "realtime" => Job::Realtime,
                    other => panic!("--job is chat, transcribe or realtime, not {other:?}"),
                }
            }
            "--rounds" => rounds = num("--rounds"),
            "--in-bytes" => in_bytes = Some(num("--in-bytes")),
            "--out-bytes" => out_bytes = num("--out-bytes"),
            "--chunked" => framing = Reply::Chunked,
            "--seconds" => plan.seconds = num("--seconds") as u64,
            "--delta-ms" => plan.delta_ms = num("--delta-ms") as u64,
            "--runtime" => {
                runtime = match value("--runtime").as_str() {
                    "multi-thread" => "multi_thread",
                    "current-thread" => "current_thread",
                    other => panic!("--runtime is multi-thread or current-thread, not {other:?}"),
                }
            }
            _ => {
                let (name, path) = a.split_once('=').expect("NAME=PATH");
                programs.push((name.to_owned(), path.to_owned()));
            }
        }
    }
    assert!(!programs.is_empty(), "no programs given");
    assert!(rounds > 0, "--rounds must be at least 1");
    assert!(
        job == Job::Chat || framing == Reply::ContentLength,
        "--chunked is for the chat job's reply"
    );
    if job == Job::Realtime {
        realtime::run_job(&programs, rounds, plan, runtime);
        return;
    }
    let in_bytes = in_bytes.unwrap_or(match job {
        Job::Chat => 16 << 20,
        Job::Transcribe | Job::Realtime => 24 << 20,
    });

    let dir = std::env::temp_dir().join(format!("aoa-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("in.wav");
    let in_audio = aoa_e2e_bench::wav(in_bytes);
    std::fs::write(&input, &in_audio).expect("write input");
    let out_audio = match job {
        Job::Chat => aoa_e2e_bench::wav(out_bytes),
        Job::Transcribe | Job::Realtime => Vec::new(),
    };
    let server = aoa_e2e_bench::server::start(&in_audio, &out_audio, framing);
    drop(in_audio);
    let mib = |n: usize| n as f64 / 1048576.0;
    match job {
        Job::Chat => println!(
            "job: from-audio, {} MiB WAV in, {} MiB of audio out; reply {}; server {}; {} paired rounds (+1 warm-up)",
            mib(in_bytes),
            mib(out_bytes),
            match framing {
                Reply::ContentLength => "with Content-Length".to_owned(),
                Reply::Chunked => format!(
                    "chunked ({} KiB chunks, no Content-Length)",
                    aoa_e2e_bench::server::CHUNK / 1024
                ),
            },
            server.endpoint,
            rounds
        ),
        Job::Transcribe => println!(
            "job: transcribe a {} MiB WAV (whisper, json; Azure's recorded reply); server {}; {} paired rounds (+1 warm-up)",
            mib(in_bytes),
            server.endpoint,
            rounds
        ),
        Job::Realtime => unreachable!("run by realtime::run"),
    }

    let mut samples: Vec<Vec<Sample>> = programs.iter().map(|_| Vec::new()).collect();
    for round in 0..=rounds {
        for k in 0..programs.len() {
            // Rotate the order every round so no program always runs first.
            let i = (k + round) % programs.len();
            let (name, path) = &programs[i];
            let output = dir.join(format!("out-{i}.wav"));
            let _ = std::fs::remove_file(&output);
            let s = match job {
                Job::Chat => run_chat(path, &input, &output, &server, &out_audio),
                Job::Transcribe => run_transcribe(path, &input, &server),
                Job::Realtime => unreachable!("run by realtime::run"),
            };
            if i == 0 {
                if let Some(why) = &s.failure {
                    panic!("the floor ({name}) failed: {why}");
                }
            }
            if job == Job::Chat {
                if let Some(why) = &s.failure {
                    panic!("{name} failed: {why}");
                }
            }
            if round > 0 {
                samples[i].push(s);
            }
        }
    }
    print_table(job, &programs, &samples, rounds);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The median (the upper one of an even count).
fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A program's medians over its rounds, and its ratios to the floor's.
pub(crate) struct Medians {
    /// Peak RSS, MiB.
    pub(crate) rss: f64,
    pub(crate) cpu: f64,
    pub(crate) wall: f64,
    pub(crate) rss_ratio: f64,
    pub(crate) cpu_ratio: f64,
}

/// The medians of `s`; the ratios are paired: the ratio within each round, then their median.
pub(crate) fn medians(s: &[Sample], floor: &[Sample]) -> Medians {
    let paired =
        |f: fn(&Sample) -> f64| med(s.iter().zip(floor).map(|(a, b)| f(a) / f(b)).collect());
    Medians {
        rss: med(s.iter().map(|x| x.rss_kib as f64 / 1024.0).collect()),
        cpu: med(s.iter().map(|x| x.cpu_s).collect()),
        wall: med(s.iter().map(|x| x.wall_s).collect()),
        rss_ratio: paired(|x| x.rss_kib as f64),
        cpu_ratio: paired(|x| x.cpu_s),
    }
}

fn print_table(job: Job, programs: &[(String, String)], samples: &[Vec<Sample>], rounds: usize) {
    let floor = &samples[0];
    let extra = job == Job::Transcribe;
    println!();
    println!(
        "| program | peak RSS (MiB) | CPU user+sys (s) | wall (s) | RSS / {0} | CPU / {0} |{1} within goal |",
        programs[0].0,
        if extra { " upload | result |" } else { "" }
    );
    println!(
        "|---|---:|---:|---:|---:|---:|{}---|",
        if extra { "---|---|" } else { "" }
    );
    for (i, (name, _)) in programs.iter().enumerate() {
        let s = &samples[i];
        let Medians {
            rss,
            cpu,
            wall,
            rss_ratio,
            cpu_ratio,
        } = medians(s, floor);
        let failures: Vec<&str> = s.iter().filter_map(|x| x.failure.as_deref()).collect();
        let within = if !failures.is_empty() {
            "no (failed)"
        } else if rss_ratio <= GOAL_RSS && cpu_ratio <= GOAL_CPU {
            "yes"
        } else {
            "no"
        };
        let extra = if extra {
            let mut uploads: Vec<&str> = s.iter().filter_map(|x| x.upload).collect();
            uploads.sort();
            uploads.dedup();
            let result = match failures.first() {
                None => "ok".to_owned(),
                Some(why) => format!("failed {}/{}: {why}", failures.len(), s.len()),
            };
            format!(" {} | {result} |", uploads.join(", "))
        } else {
            String::new()
        };
        println!(
            "| {name} | {rss:.1} | {cpu:.3} | {wall:.3} | {rss_ratio:.2}x | {cpu_ratio:.2}x |{extra} {within} |"
        );
    }
    println!();
    println!("medians over {rounds} rounds; ratios are medians of the per-round (paired) ratios;");
    println!("goal: at most {GOAL_RSS}x the floor's peak RSS and {GOAL_CPU}x its CPU.");
}

/// The from-audio job: `PATH IN OUT`; the reply's audio must be in OUT.
fn run_chat(path: &str, input: &Path, output: &Path, server: &Server, out_audio: &[u8]) -> Sample {
    let refused = server.refused.load(std::sync::atomic::Ordering::Relaxed);
    let mut command = measure(path);
    command
        .arg(input)
        .arg(output)
        .env("AZURE_OPENAI_ENDPOINT", &server.endpoint)
        .env("AZURE_OPENAI_API_KEY", "bench-key")
        .env_remove("AZURE_OPENAI_DEPLOYMENT_NAME")
        .env_remove("OPENAI_API_VERSION");
    let (mut sample, _) = run(path, command);
    let got = std::fs::read(output).unwrap_or_default();
    if sample.failure.is_none() && got != out_audio {
        sample.failure = Some(format!(
            "wrote {} bytes, not the reply's {} bytes of audio",
            got.len(),
            out_audio.len()
        ));
    }
    if server.refused.load(std::sync::atomic::Ordering::Relaxed) != refused {
        sample.failure = Some("the server refused its request".into());
    }
    sample
}

/// The transcription job: `PATH IN`; the recorded transcript must be printed.
fn run_transcribe(path: &str, input: &Path, server: &Server) -> Sample {
    let before = server.uploads.lock().expect("uploads").len();
    let mut command = measure(path);
    command
        .arg(input)
        .env("AZURE_OPENAI_ENDPOINT", &server.endpoint)
        .env("AZURE_OPENAI_API_KEY", "bench-key")
        .env(
            "AZURE_OPENAI_TRANSCRIBE_DEPLOYMENT",
            aoa_e2e_bench::TRANSCRIBE_DEPLOYMENT,
        )
        .env("OPENAI_API_VERSION", aoa_e2e_bench::TRANSCRIBE_API_VERSION)
        .env_remove("AZURE_OPENAI_DEPLOYMENT_NAME");
    let (mut sample, stdout) = run(path, command);
    let uploads: Vec<Upload> = server.uploads.lock().expect("uploads")[before..].to_vec();
    sample.upload = uploads.first().map(|u| {
        if u.chunked {
            "chunked"
        } else {
            "Content-Length"
        }
    });
    let refused = uploads.iter().find_map(|u| u.problem.as_deref());
    if let Some(why) = refused {
        sample.failure = Some(format!("the server refused its upload: {why}"));
    } else if uploads.is_empty() {
        sample
            .failure
            .get_or_insert("no request reached the server".into());
    } else if sample.failure.is_none() && !stdout.contains(aoa_e2e_bench::whisper_reply::TEXT) {
        sample.failure = Some("the transcript is not on its stdout".into());
    }
    sample
}

/// The program through the small `measure` launcher beside this binary (see measure.rs for why).
pub(crate) fn measure(path: &str) -> Command {
    let measure = std::env::current_exe()
        .expect("current exe")
        .with_file_name("measure");
    let mut command = Command::new(measure);
    command.arg(path).stdin(Stdio::null());
    command
}

/// Runs it; the sample (failed if the exit status is not 0) and the program's stdout.
pub(crate) fn run(path: &str, mut command: Command) -> (Sample, String) {
    let start = Instant::now();
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run measure for {path}: {e}"));
    let wall_s = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "measure failed for {path}: {stderr}");
    // The program's own stdout comes first; the last line is measure's.
    let text = String::from_utf8_lossy(&out.stdout);
    let (own, last) = text.trim_end().rsplit_once('\n').unwrap_or(("", &text));
    let mut figures = last.split_whitespace();
    let mut next = |what: &str| {
        figures
            .next()
            .unwrap_or_else(|| panic!("measure output: no {what} in {last:?}"))
    };
    let rss_kib = next("rss").parse().expect("rss");
    let cpu_s = next("cpu").parse().expect("cpu");
    let code: i32 = next("status").parse().expect("status");
    let failure = (code != 0).then(|| {
        // The last line that says something (a panic's last line is a note about backtraces).
        let line = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("note:"))
            .unwrap_or_default();
        format!("exit status {code}, {}", line.trim())
    });
    let sample = Sample {
        rss_kib,
        cpu_s,
        wall_s,
        failure,
        upload: None,
        rss_trace: Vec::new(),
        unparsed: None,
    };
    (sample, own.to_owned())
}
