//! The Realtime job: each program receives one response of the plan's audio (one hour of 24 kHz
//! mono pcm16 by default) from the loopback WebSocket server
//! ([`aoa_e2e_bench::realtime_server`]) and decodes every delta into the job's sink.
//!
//! Each program is run as `PATH SECONDS DELTA_MS` with AZURE_OPENAI_ENDPOINT,
//! AZURE_OPENAI_API_KEY, AZURE_OPENAI_REALTIME_DEPLOYMENT and BENCH_RUNTIME set, and prints `audio BYTES
//! CHECKSUM` and `rss KIB x10` (its VmRSS at each tenth of the audio). A run fails unless the
//! server's session went through `response.done` and the program received exactly the audio
//! sent (its size and checksum). The goal (issue 13): at most 1.25x the floor's CPU, and flat
//! memory: the last RSS sample (at 100 %) at most [`FLAT_KIB`] above the first (at 10 %), in
//! every round.

use std::time::{Duration, Instant};

use aoa_e2e_bench::realtime::{Plan, Tally, DEPLOYMENT, KEY, RATE, RSS_SAMPLES};
use aoa_e2e_bench::realtime_server::{self, RealtimeServer, Session};

use super::{measure, med, medians, run, Sample};

/// The goal for CPU, as a ratio to the floor.
const GOAL_CPU: f64 = 1.25;
/// Flat memory: how far the last RSS sample may be above the first.
const FLAT_KIB: u64 = 1024;

/// Runs the job: paired rounds, then the table.
pub(crate) fn run_job(programs: &[(String, String)], rounds: usize, plan: Plan, runtime: &str) {
    let server = realtime_server::start(plan);
    let expected = plan.expected();
    println!(
        "job: realtime, one response of {} s of {} Hz mono pcm16 ({} samples, {} bytes) in {} ms deltas ({} deltas); server {}; tokio runtime: {runtime}; {} paired rounds (+1 warm-up)",
        plan.seconds,
        RATE,
        expected.bytes / 2,
        expected.bytes,
        plan.delta_ms,
        plan.deltas().count(),
        server.endpoint,
        rounds
    );
    let mut samples: Vec<Vec<Sample>> = programs.iter().map(|_| Vec::new()).collect();
    for round in 0..=rounds {
        for k in 0..programs.len() {
            // Rotate the order every round so no program always runs first.
            let i = (k + round) % programs.len();
            let (name, path) = &programs[i];
            let s = run_one(path, plan, runtime, &server, expected);
            if i == 0 {
                if let Some(why) = &s.failure {
                    panic!("the floor ({name}) failed: {why}");
                }
            }
            eprintln!(
                "round {round} {name}: cpu {:.3} s, peak {:.1} MiB, rss {:?}{}",
                s.cpu_s,
                s.rss_kib as f64 / 1024.0,
                s.rss_trace,
                s.failure
                    .as_deref()
                    .map(|f| format!(", FAILED: {f}"))
                    .unwrap_or_default()
            );
            if round > 0 {
                samples[i].push(s);
            }
        }
    }
    print_table(programs, &samples, rounds);
}

/// One program's run, checked against the server's log and the audio sent.
fn run_one(
    path: &str,
    plan: Plan,
    runtime: &str,
    server: &RealtimeServer,
    expected: Tally,
) -> Sample {
    let before = server.sessions.lock().expect("sessions").len();
    let mut command = measure(path);
    command
        .arg(plan.seconds.to_string())
        .arg(plan.delta_ms.to_string())
        .env("AZURE_OPENAI_ENDPOINT", &server.endpoint)
        .env("AZURE_OPENAI_API_KEY", KEY)
        .env("AZURE_OPENAI_REALTIME_DEPLOYMENT", DEPLOYMENT)
        .env("BENCH_RUNTIME", runtime)
        .env_remove("AZURE_OPENAI_DEPLOYMENT_NAME")
        .env_remove("OPENAI_API_VERSION");
    let (mut sample, stdout) = run(path, command);
    let mut received = None;
    for line in stdout.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("audio") => {
                let bytes = words.next().and_then(|b| b.parse().ok());
                let sum = words.next().and_then(|c| u64::from_str_radix(c, 16).ok());
                if let (Some(bytes), Some(checksum)) = (bytes, sum) {
                    received = Some(Tally { bytes, checksum });
                }
            }
            Some("rss") => sample.rss_trace = words.filter_map(|w| w.parse().ok()).collect(),
            Some("unparsed") => sample.unparsed = words.next().and_then(|n| n.parse().ok()),
            _ => {}
        }
    }
    let session = finished_session(server, before);
    let problem = match (&session, received) {
        _ if sample.failure.is_some() => None,
        (None, _) => Some("no session reached the server".to_owned()),
        (Some(s), _) if s.problem.is_some() => s.problem.clone(),
        (Some(s), _) if !s.done => Some("the server did not finish the response".to_owned()),
        (_, None) => Some("no `audio` line on its stdout".to_owned()),
        (_, Some(got)) if got.bytes != expected.bytes => Some(format!(
            "received {} bytes of audio, not {}",
            got.bytes, expected.bytes
        )),
        (_, Some(got)) if got != expected => Some("the audio differs (checksum)".to_owned()),
        _ if sample.rss_trace.len() != RSS_SAMPLES || sample.rss_trace.contains(&0) => {
            Some(format!("{} RSS samples", sample.rss_trace.len()))
        }
        _ => None,
    };
    if problem.is_some() {
        sample.failure = problem;
    } else if let (Some(failure), Some(why)) =
        (&mut sample.failure, session.and_then(|s| s.problem))
    {
        failure.push_str(&format!(" (the server: {why})"));
    }
    sample
}

/// The server's log of the session at `index`, once the connection is over (the program has
/// exited, so it soon is).
fn finished_session(server: &RealtimeServer, index: usize) -> Option<Session> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let session = server
            .sessions
            .lock()
            .expect("sessions")
            .get(index)
            .cloned();
        match session {
            Some(s) if s.finished => return Some(s),
            _ if Instant::now() > deadline => return session,
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn print_table(programs: &[(String, String)], samples: &[Vec<Sample>], rounds: usize) {
    let floor = &samples[0];
    let mib = |kib: f64| kib / 1024.0;
    println!();
    println!(
        "| program | peak RSS (MiB) | CPU user+sys (s) | wall (s) | RSS / {0} | CPU / {0} | RSS at 10 % → 100 % (MiB) | most growth 10 → 100 % (MiB) | result | within goal |",
        programs[0].0
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
    let mut traces = Vec::new();
    for (i, (name, _)) in programs.iter().enumerate() {
        let s = &samples[i];
        let m = medians(s, floor);
        let traced: Vec<&Vec<u64>> = s
            .iter()
            .map(|x| &x.rss_trace)
            .filter(|t| t.len() == RSS_SAMPLES)
            .collect();
        let at = |k: usize| med(traced.iter().map(|t| mib(t[k] as f64)).collect());
        let growth_kib = traced
            .iter()
            .map(|t| t[RSS_SAMPLES - 1] as i64 - t[0] as i64)
            .max();
        let flat = growth_kib.is_some_and(|g| g <= FLAT_KIB as i64);
        let failures: Vec<&str> = s.iter().filter_map(|x| x.failure.as_deref()).collect();
        let mut result = match failures.first() {
            None => "ok".to_owned(),
            Some(why) => format!("failed {}/{}: {why}", failures.len(), s.len()),
        };
        if let Some(n) = s.iter().filter_map(|x| x.unparsed).max().filter(|&n| n > 0) {
            result.push_str(&format!(" ({n} events its types cannot decode, skipped)"));
        }
        let within = if !failures.is_empty() {
            "no (failed)"
        } else if m.cpu_ratio <= GOAL_CPU && flat {
            "yes"
        } else {
            "no"
        };
        let (first, last, growth) = match growth_kib {
            Some(g) => (
                format!("{:.1}", at(0)),
                format!("{:.1}", at(RSS_SAMPLES - 1)),
                format!("{:+.2}", mib(g as f64)),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "| {name} | {:.1} | {:.3} | {:.3} | {:.2}x | {:.2}x | {first} → {last} | {growth} | {result} | {within} |",
            m.rss, m.cpu, m.wall, m.rss_ratio, m.cpu_ratio
        );
        if !traced.is_empty() {
            let trace: Vec<String> = (0..RSS_SAMPLES).map(|k| format!("{:.1}", at(k))).collect();
            traces.push(format!("{name}: {}", trace.join(" ")));
        }
    }
    println!();
    println!("RSS (MiB, medians) at 10 %, 20 %, ... 100 % of the audio:");
    for t in traces {
        println!("  {t}");
    }
    println!();
    println!("medians over {rounds} rounds; ratios are medians of the per-round (paired) ratios;");
    println!(
        "goal: at most {GOAL_CPU}x the floor's CPU, and flat memory (in every round, RSS at 100 % at most {} MiB above RSS at 10 %).",
        FLAT_KIB / 1024
    );
}
