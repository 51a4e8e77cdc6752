//! Load: many concurrent requests through one `Client` to a local server that counts the TCP
//! connections it accepts.
//!
//! The bounded test runs in `cargo test`. The figures for the README come from the ignored one:
//!
//! ```text
//! cargo test --release --all-features --test load -- --ignored --nocapture
//! ```
//!
//! (`LOAD_WAVES=50` for more waves than the default 10.)

mod common;

use std::time::Instant;

use azure_openai_audio::Client;
use common::{builder, ok, open_files_limit, request, rss_kib, Act, RawServer, COMPLETION};

/// 1,000 concurrent requests, or fewer when the open-file limit cannot hold two sockets per
/// request (client and server live in this process): `ulimit -n 4096` runs the full 1,000.
fn concurrency() -> usize {
    let wanted = 1000;
    match open_files_limit() {
        Some(limit) if (limit as usize) < 2 * wanted + 200 => {
            let fits = (limit as usize).saturating_sub(200) / 2;
            eprintln!("open-file limit {limit}: {fits} concurrent requests instead of {wanted}");
            fits.max(1)
        }
        _ => wanted,
    }
}

/// One wave: `n` requests at once; returns how many succeeded.
async fn wave(client: &Client, n: usize) -> usize {
    let request = request();
    let replies = futures_util::future::join_all((0..n).map(|_| {
        let client = client.clone();
        let request = request.clone();
        tokio::spawn(async move { client.chat().complete(&request).await })
    }))
    .await;
    replies
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(reply)) if reply.id == "chatcmpl-1"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_concurrent_waves_over_reused_connections() {
    let server = RawServer::start(|_| Act::Reply(ok(COMPLETION))).await;
    let client = builder(&server.uri()).build().unwrap();
    let n = concurrency();
    let waves = 3;
    for w in 1..=waves {
        assert_eq!(wave(&client, n).await, n, "wave {w}");
    }
    let (requests, connections) = (server.requests(), server.connections());
    eprintln!("{requests} requests, {connections} connections");
    // No retries were needed, and connections were kept and reused across waves.
    assert_eq!(requests, waves * n);
    assert!(
        connections <= n + n / 2,
        "{connections} connections for {requests} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "prints figures; run with --release -- --ignored --nocapture"]
async fn load_figures() {
    let server = RawServer::start(|_| Act::Reply(ok(COMPLETION))).await;
    let client = builder(&server.uri()).build().unwrap();
    let n = concurrency();
    let waves: usize = std::env::var("LOAD_WAVES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    println!("{waves} waves of {n} concurrent requests through one Client, server on 127.0.0.1");
    println!("wave  seconds  requests/s  connections(total)  VmRSS KiB");
    let rss_before = rss_kib().unwrap_or(0);
    println!("   0        -           -                   0  {rss_before:>9}");
    let all = Instant::now();
    for w in 1..=waves {
        let start = Instant::now();
        let succeeded = wave(&client, n).await;
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(succeeded, n);
        println!(
            "{w:>4}  {secs:>7.3}  {:>10.0}  {:>18}  {:>9}",
            n as f64 / secs,
            server.connections(),
            rss_kib().unwrap_or(0)
        );
    }
    let secs = all.elapsed().as_secs_f64();
    println!(
        "total: {} requests in {secs:.2} s ({:.0}/s), {} connections accepted",
        server.requests(),
        server.requests() as f64 / secs,
        server.connections()
    );
}
