//! Runs each program on the from-audio job against the loopback server, paired, and prints peak
//! RSS and CPU (user + system) medians with ratios to the first program (the floor).
//!
//! Usage: `runner [--rounds N] [--in-bytes N] [--out-bytes N] [--chunked] NAME=PATH ...`
//! Each program is run as `PATH IN OUT` with AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY set.
//! With `--chunked` the server sends the reply with `Transfer-Encoding: chunked` and no
//! Content-Length, in 16 KiB chunks (as a proxy that re-chunks it would); by default it sends one
//! body with a Content-Length, as Azure does.
//! The last column says whether each program is within the performance issue's goal: at most
//! 1.25x the floor's peak RSS and 1.5x its CPU.

use std::process::{Command, Stdio};
use std::time::Instant;

/// The performance issue's goal for the crate's example, as ratios to the floor.
const GOAL_RSS: f64 = 1.25;
const GOAL_CPU: f64 = 1.5;

struct Sample {
    rss_kib: i64,
    cpu_s: f64,
    wall_s: f64,
}

fn main() {
    let mut rounds = 11usize;
    let mut in_bytes = 16 << 20;
    let mut out_bytes = 4 << 20;
    let mut framing = aoa_e2e_bench::server::Reply::ContentLength;
    let mut programs: Vec<(String, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{what} needs a number"))
        };
        match a.as_str() {
            "--rounds" => rounds = num("--rounds"),
            "--in-bytes" => in_bytes = num("--in-bytes"),
            "--out-bytes" => out_bytes = num("--out-bytes"),
            "--chunked" => framing = aoa_e2e_bench::server::Reply::Chunked,
            _ => {
                let (name, path) = a.split_once('=').expect("NAME=PATH");
                programs.push((name.to_owned(), path.to_owned()));
            }
        }
    }
    assert!(!programs.is_empty(), "no programs given");

    let dir = std::env::temp_dir().join(format!("aoa-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("in.wav");
    let in_audio = aoa_e2e_bench::wav(in_bytes);
    std::fs::write(&input, &in_audio).expect("write input");
    let out_audio = aoa_e2e_bench::wav(out_bytes);
    let server = aoa_e2e_bench::server::start(&in_audio, &out_audio, framing);
    drop(in_audio);
    println!(
        "job: {} MiB WAV in, {} MiB of audio out; reply {}; server {}; {} paired rounds (+1 warm-up)",
        in_bytes as f64 / 1048576.0,
        out_bytes as f64 / 1048576.0,
        match framing {
            aoa_e2e_bench::server::Reply::ContentLength => "with Content-Length".to_owned(),
            aoa_e2e_bench::server::Reply::Chunked => format!(
                "chunked ({} KiB chunks, no Content-Length)",
                aoa_e2e_bench::server::CHUNK / 1024
            ),
        },
        server.endpoint,
        rounds
    );

    let mut samples: Vec<Vec<Sample>> = programs.iter().map(|_| Vec::new()).collect();
    for round in 0..=rounds {
        for k in 0..programs.len() {
            // Rotate the order every round so no program always runs first.
            let i = (k + round) % programs.len();
            let (name, path) = &programs[i];
            let output = dir.join(format!("out-{i}.wav"));
            let _ = std::fs::remove_file(&output);
            let s = run(path, &input, &output, &server.endpoint);
            let got = std::fs::read(&output).unwrap_or_default();
            assert!(
                got == out_audio,
                "{name} wrote {} bytes, not the reply's {} bytes of audio",
                got.len(),
                out_audio.len()
            );
            if round > 0 {
                samples[i].push(s);
            }
        }
    }
    assert_eq!(
        server.refused.load(std::sync::atomic::Ordering::Relaxed),
        0,
        "the server refused requests"
    );

    let med = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let floor = &samples[0];
    println!();
    println!(
        "| program | peak RSS (MiB) | CPU user+sys (s) | wall (s) | RSS / {0} | CPU / {0} | within goal |",
        programs[0].0
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (i, (name, _)) in programs.iter().enumerate() {
        let s = &samples[i];
        let rss = med(&mut s.iter().map(|x| x.rss_kib as f64 / 1024.0).collect());
        let cpu = med(&mut s.iter().map(|x| x.cpu_s).collect());
        let wall = med(&mut s.iter().map(|x| x.wall_s).collect());
        // Paired: the ratio within each round, then the median of those.
        let rss_ratio = med(&mut s
            .iter()
            .zip(floor)
            .map(|(a, f)| a.rss_kib as f64 / f.rss_kib as f64)
            .collect());
        let cpu_ratio = med(&mut s
            .iter()
            .zip(floor)
            .map(|(a, f)| a.cpu_s / f.cpu_s)
            .collect());
        let within = if rss_ratio <= GOAL_RSS && cpu_ratio <= GOAL_CPU {
            "yes"
        } else {
            "no"
        };
        println!(
            "| {name} | {rss:.1} | {cpu:.3} | {wall:.3} | {rss_ratio:.2}x | {cpu_ratio:.2}x | {within} |"
        );
    }
    println!();
    println!("medians over {rounds} rounds; ratios are medians of the per-round (paired) ratios;");
    println!("goal: at most {GOAL_RSS}x the floor's peak RSS and {GOAL_CPU}x its CPU.");
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(path: &str, input: &std::path::Path, output: &std::path::Path, endpoint: &str) -> Sample {
    // Through the small `measure` launcher beside this binary (see measure.rs for why).
    let measure = std::env::current_exe()
        .expect("current exe")
        .with_file_name("measure");
    let start = Instant::now();
    let out = Command::new(&measure)
        .arg(path)
        .arg(input)
        .arg(output)
        .env("AZURE_OPENAI_ENDPOINT", endpoint)
        .env("AZURE_OPENAI_API_KEY", "bench-key")
        .env_remove("AZURE_OPENAI_DEPLOYMENT_NAME")
        .env_remove("OPENAI_API_VERSION")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", measure.display()));
    let wall_s = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{path} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The program's own stdout (the transcript) comes first; the last line is measure's.
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    let (rss, cpu) = last.split_once(' ').expect("measure output");
    Sample {
        rss_kib: rss.parse().expect("rss"),
        cpu_s: cpu.parse().expect("cpu"),
        wall_s,
    }
}
