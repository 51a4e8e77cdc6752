//! The cache on Tokio's paused clock, with a provider that counts its calls, can be held on a
//! `Notify`, and can fail.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::Notify;

use super::*;
use crate::credential::{BoxFuture, Credential};
use crate::error::Error;

/// What the provider does on one call.
#[derive(Debug, Clone, Copy)]
struct Step {
    /// The token's lifetime from now (negative: already expired).
    lifetime_secs: i64,
    /// Wait for `Scripted::release` before answering.
    held: bool,
    /// Answer with an error.
    fails: bool,
}

const LONG: Step = Step {
    lifetime_secs: 3600,
    held: false,
    fails: false,
};
/// Valid, but inside the refresh margin.
const SHORT: Step = Step {
    lifetime_secs: 120,
    ..LONG
};
const EXPIRED: Step = Step {
    lifetime_secs: -60,
    ..LONG
};

#[derive(Debug, Default)]
struct Scripted {
    calls: AtomicU32,
    steps: Mutex<VecDeque<Step>>,
    release: Notify,
}

impl Scripted {
    fn new(steps: &[Step]) -> Arc<Self> {
        Arc::new(Scripted {
            steps: Mutex::new(steps.iter().copied().collect()),
            ..Default::default()
        })
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl TokenProvider for Scripted {
    fn get_token<'a>(&'a self, _scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let step = self.steps.lock().unwrap().pop_front().unwrap_or(LONG);
            if step.held {
                self.release.notified().await;
            }
            if step.fails {
                return Err(Error::credential(format!("provider call {n} failed")));
            }
            let lifetime = Duration::from_secs(step.lifetime_secs.unsigned_abs());
            let now = SystemTime::now();
            Ok(AccessToken {
                token: Secret::new(format!("token-{n}")),
                expires_at: if step.lifetime_secs < 0 {
                    now - lifetime
                } else {
                    now + lifetime
                },
            })
        })
    }
}

/// The bearer token a request would carry; fails the test if the caller has to wait (on the
/// paused clock, the timeout elapses as soon as every task is idle).
async fn at_once(cred: &Credential) -> String {
    let header = tokio::time::timeout(Duration::from_secs(1), cred.header())
        .await
        .expect("the caller got a token without waiting")
        .unwrap();
    header.1.to_str().unwrap().to_owned()
}

/// Lets spawned tasks run until `done` holds (at most a bounded number of turns).
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the background work never finished");
}

/// A credential whose first token is given by `first` (and handed out), and whose second
/// refresh is held until `release`.
async fn first_then_held(first: Step) -> (Arc<Scripted>, Credential) {
    let held = Step { held: true, ..LONG };
    let provider = Scripted::new(&[first, held]);
    let cred = Credential::from_provider(provider.clone());
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    (provider, cred)
}

/// A caller on a task of its own, to see whether it waits.
fn caller(cred: &Credential) -> tokio::task::JoinHandle<HeaderValue> {
    let cred = cred.clone();
    tokio::spawn(async move { cred.header().await.unwrap().1 })
}

/// Gives every other task many turns.
async fn let_others_run() {
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
}

fn cache_of(cred: &Credential) -> &Arc<TokenCache> {
    match &cred.0 {
        crate::credential::Repr::Tokens(cache) => cache,
        _ => unreachable!("a token credential"),
    }
}

fn background_running(cred: &Credential) -> bool {
    cache_of(cred).state().background
}

#[tokio::test(start_paused = true)]
async fn callers_in_the_margin_keep_the_valid_token_while_one_refresh_runs() {
    let (provider, cred) = first_then_held(SHORT).await;

    // Many callers inside the margin, while the refresh is held: none waits, one refresh runs.
    let callers = futures_util::future::join_all((0..20).map(|_| at_once(&cred))).await;
    assert!(callers.iter().all(|h| h == "Bearer token-1"), "{callers:?}");
    until(|| provider.calls() == 2).await;
    for _ in 0..20 {
        assert_eq!(at_once(&cred).await, "Bearer token-1");
    }
    assert_eq!(provider.calls(), 2);
    assert!(background_running(&cred));

    // Once the refresh lands, callers get the new token, and nothing more is asked for.
    provider.release.notify_one();
    until(|| !background_running(&cred)).await;
    assert_eq!(at_once(&cred).await, "Bearer token-2");
    assert_eq!(at_once(&cred).await, "Bearer token-2");
    assert_eq!(provider.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn without_a_valid_token_callers_wait_for_one_shared_refresh() {
    let (provider, cred) = first_then_held(EXPIRED).await;

    let waiting: Vec<_> = (0..10).map(|_| caller(&cred)).collect();
    until(|| provider.calls() == 2).await;
    let_others_run().await;
    assert!(
        waiting.iter().all(|w| !w.is_finished()),
        "no caller gets the expired token"
    );

    provider.release.notify_one();
    for w in waiting {
        assert_eq!(w.await.unwrap(), "Bearer token-2");
    }
    assert_eq!(
        provider.calls(),
        2,
        "one refresh served every waiting caller"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_background_refresh_keeps_the_token_and_backs_off() {
    let fails = Step {
        fails: true,
        ..LONG
    };
    let provider = Scripted::new(&[SHORT, fails, LONG]);
    let cred = Credential::from_provider(provider.clone());
    assert_eq!(at_once(&cred).await, "Bearer token-1");

    // The refresh fails: the token still serves, and the cache is not left "refreshing".
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    until(|| provider.calls() == 2 && !background_running(&cred)).await;

    // Within the back-off, callers in the margin do not ask again.
    tokio::time::advance(BACKGROUND_RETRY - Duration::from_secs(1)).await;
    for _ in 0..10 {
        assert_eq!(at_once(&cred).await, "Bearer token-1");
        tokio::task::yield_now().await;
    }
    assert_eq!(provider.calls(), 2);

    // After it, the next caller in the margin starts one more refresh, which succeeds.
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    until(|| provider.calls() == 3 && !background_running(&cred)).await;
    assert_eq!(at_once(&cred).await, "Bearer token-3");
    assert_eq!(provider.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_401_during_a_background_refresh_waits_for_it() {
    let (provider, cred) = first_then_held(SHORT).await;
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    until(|| provider.calls() == 2).await;

    // token-1 is refused: the next caller has no valid token and waits for the refresh in
    // flight rather than start another.
    assert!(
        cred.unauthorized(&HeaderValue::from_static("Bearer token-1"))
            .await
    );
    let next = caller(&cred);
    let_others_run().await;
    assert!(!next.is_finished());
    provider.release.notify_one();
    assert_eq!(next.await.unwrap(), "Bearer token-2");
    assert_eq!(provider.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_short_lived_token_is_not_refreshed_on_every_request() {
    // Every token the provider gives is inside the margin.
    let provider = Scripted::new(&[SHORT; 10]);
    let cred = Credential::from_provider(provider.clone());
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    assert_eq!(at_once(&cred).await, "Bearer token-1");
    until(|| provider.calls() == 2 && !background_running(&cred)).await;
    for _ in 0..10 {
        assert_eq!(at_once(&cred).await, "Bearer token-2");
        tokio::task::yield_now().await;
    }
    assert_eq!(provider.calls(), 2, "one refresh per {BACKGROUND_RETRY:?}");
}

#[test]
fn outside_a_runtime_a_token_in_the_margin_still_serves() {
    let provider = Scripted::new(&[SHORT]);
    let cred = Credential::from_provider(provider.clone());
    let cache = cache_of(&cred);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(
        rt.block_on(cache.token()).unwrap().expose_secret(),
        "token-1"
    );
    drop(rt);
    // No runtime to spawn a refresh on: no panic, the valid token, nothing started.
    assert_eq!(cache.valid_token().unwrap().expose_secret(), "token-1");
    assert!(!background_running(&cred));
    assert_eq!(provider.calls(), 1);
}
