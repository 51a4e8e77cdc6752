//! 10,000 chat requests through the real `Client`, routed over three local servers with
//! different quotas, on tokio's paused clock. Each server runs in the test's runtime (so it
//! reads the same paused clock) and answers like Azure: 429 with a `retry-after` (whole
//! seconds) when a request would exceed its quota over the last minute, else 200 with
//! `x-ratelimit-remaining-requests`. Workers send the requests back to back: one worker (no
//! backend gets a request during a cool-down it asked for), and sixteen (a request may then
//! arrive during a cool-down only if it was sent before the client got the 429: at most
//! fifteen per 429).
//!
//! `cargo test --release --all-features --test routing_client_simulation -- --nocapture`
//! prints the figures.

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_openai_audio::routing::{Backend, Pool, RoutingConfig};
use azure_openai_audio::{Api, RetryPolicy};
use common::{paused_builder, request, COMPLETION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
const QUOTAS: [u32; 3] = [60, 120, 300];
const REQUESTS: u32 = 10_000;

/// One simulated deployment's quota over a sliding minute, and what it saw.
#[derive(Default)]
struct Quota {
    quota: u32,
    window: VecDeque<Instant>,
    cool_down_until: Option<Instant>,
    served: u32,
    refused: u32,
    /// Requests that arrived before the end of the cool-down this server asked for.
    during_cool_down: u32,
}

impl Quota {
    /// The response to a request arriving now.
    fn answer(&mut self) -> String {
        let now = Instant::now();
        if self.cool_down_until.is_some_and(|until| now < until) {
            self.during_cool_down += 1;
        }
        while self.window.front().is_some_and(|t| *t + MINUTE <= now) {
            self.window.pop_front();
        }
        if self.window.len() as u32 >= self.quota {
            let oldest = self.window.front().copied().unwrap_or(now);
            let wait = (oldest + MINUTE) - now;
            let seconds = wait.as_millis().div_ceil(1000) as u64;
            self.cool_down_until = Some(now + Duration::from_secs(seconds));
            self.refused += 1;
            let body = r#"{"error":{"code":"429","message":"Rate limit is exceeded."}}"#;
            return format!(
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: {seconds}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
        }
        self.window.push_back(now);
        self.served += 1;
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-remaining-requests: {}\r\ncontent-length: {}\r\n\r\n{COMPLETION}",
            self.quota as usize - self.window.len(),
            COMPLETION.len()
        )
    }
}

/// Starts a keep-alive HTTP/1.1 server on loopback answering with `quota`; returns its URL.
async fn serve(quota: Arc<Mutex<Quota>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket, quota.clone()));
        }
    });
    url
}

async fn connection(mut socket: TcpStream, quota: Arc<Mutex<Quota>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        // The head, then as many body bytes as it announces.
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let response = quota.lock().unwrap().answer();
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Sends the requests with `workers` workers; returns (served, 429s, during cool-down) per
/// backend after checking the throughput and the client's view.
async fn simulate(count: u32) -> Vec<(u32, u32, u32)> {
    let quotas: Vec<Arc<Mutex<Quota>>> = QUOTAS
        .iter()
        .map(|&quota| {
            Arc::new(Mutex::new(Quota {
                quota,
                ..Quota::default()
            }))
        })
        .collect();
    let mut backends = Vec::new();
    for (i, quota) in quotas.iter().enumerate() {
        let url = serve(quota.clone()).await;
        backends.push(Backend::new(url.parse().unwrap(), format!("region{i}")));
    }
    let pool = Pool::new(backends, RoutingConfig::default()).unwrap();
    // Waits for a backend count as retries: enough for a request that queues behind others.
    let client = paused_builder("http://127.0.0.1:1")
        .configure_http(|http| http.pool_idle_timeout(None))
        .retry_policy(RetryPolicy::default().max_retries(1_000))
        .retry_budget(None)
        .routing(Api::Chat, pool)
        .build()
        .unwrap();

    let t0 = Instant::now();
    let next = Arc::new(AtomicU32::new(0));
    let last_success = Arc::new(Mutex::new(t0));
    let mut workers = Vec::new();
    for _ in 0..count {
        let (client, next, last) = (client.clone(), next.clone(), last_success.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < REQUESTS {
                client.chat().complete(&request()).await.unwrap();
                *last.lock().unwrap() = Instant::now();
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = *last_success.lock().unwrap() - t0;
    let per_minute = f64::from(REQUESTS) / elapsed.as_secs_f64() * 60.0;
    let capacity = f64::from(QUOTAS.iter().sum::<u32>());
    let seen: Vec<(u32, u32, u32)> = quotas
        .iter()
        .map(|q| {
            let q = q.lock().unwrap();
            (q.served, q.refused, q.during_cool_down)
        })
        .collect();
    println!(
        "through the client, {count} workers: {REQUESTS} requests in {:.1} min = {per_minute:.1}/min (sum of quotas {capacity}/min, {:+.2}%); (served, 429s, during cool-down) per backend {seen:?} (quotas {QUOTAS:?}/min)",
        elapsed.as_secs_f64() / 60.0,
        (per_minute / capacity - 1.0) * 100.0,
    );
    assert!(
        (per_minute - capacity).abs() <= capacity * 0.05,
        "{per_minute:.1}/min is not within 5% of {capacity}/min"
    );
    assert_eq!(seen.iter().map(|s| s.0).sum::<u32>(), REQUESTS);
    let states = client.routing(Api::Chat).unwrap();
    for (state, (served, refused, _)) in states.iter().zip(&seen) {
        assert_eq!(
            (state.successes, state.rate_limited),
            (u64::from(*served), u64::from(*refused))
        );
        assert_eq!(state.in_flight, 0);
    }
    seen
}

#[tokio::test(start_paused = true)]
async fn one_worker_reaches_the_sum_of_the_quotas_and_never_meets_a_cool_down() {
    let seen = simulate(1).await;
    assert!(seen.iter().all(|s| s.2 == 0), "{seen:?}");
}

#[tokio::test(start_paused = true)]
async fn sixteen_workers_reach_the_sum_of_the_quotas() {
    let seen = simulate(16).await;
    // Only requests already on their way when a 429 was sent arrive during its cool-down.
    for (_, refused, during) in &seen {
        assert!(*during <= refused * 15, "{seen:?}");
    }
}
