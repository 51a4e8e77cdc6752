//! The token cache behind token-based credentials.
//!
//! - A token outside the [`REFRESH_MARGIN`] is handed out as it is.
//! - A token inside the margin is still handed out at once, and one refresh starts in the
//!   background (a spawned task); callers never wait for it. If it fails, the token keeps serving
//!   and the next refresh waits [`BACKGROUND_RETRY`], so a failing `az` is not asked on every
//!   request.
//! - Without a valid token (none yet, expired, or dropped after a 401), callers wait, and one
//!   refresh serves all of them.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::{AccessToken, Secret, TokenProvider, REFRESH_MARGIN};
use crate::error::Result;

/// After a background refresh that left the token inside the margin (it failed, or the new token
/// is short-lived too), how long until the next one may start.
const BACKGROUND_RETRY: Duration = Duration::from_secs(30);

/// Caches one token for one provider and scope.
pub(super) struct TokenCache {
    pub(super) provider: Arc<dyn TokenProvider>,
    pub(super) scope: String,
    state: Mutex<State>,
    /// Held for the whole of every refresh, so that callers without a valid token wait for the
    /// refresh in flight rather than start another.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<AccessToken>,
    /// A background refresh is under way.
    background: bool,
    /// No background refresh starts before this instant.
    not_before: Option<Instant>,
}

impl TokenCache {
    pub(super) fn new(provider: Arc<dyn TokenProvider>, scope: String) -> Self {
        TokenCache {
            provider,
            scope,
            state: Mutex::new(State::default()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// A token for one request: the cached one while it is valid, else a fresh one.
    pub(super) async fn token(self: &Arc<Self>) -> Result<Secret> {
        if let Some(token) = self.valid_token() {
            return Ok(token);
        }
        let _refresh = self.refreshing.lock().await;
        // The refresh this caller waited for may have brought a valid token.
        if let Some(token) = self.unexpired() {
            return Ok(token);
        }
        let fresh = self.provider.get_token(&self.scope).await?;
        let token = fresh.token.clone();
        let mut state = self.state();
        state.current = Some(fresh);
        state.not_before = None;
        Ok(token)
    }

    /// After a 401: drops the cached token if it is the one refused.
    pub(super) fn invalidate(&self, refused: &HeaderValue) {
        let mut state = self.state();
        let same = state.current.as_ref().is_some_and(|t| {
            refused.as_bytes().strip_prefix(b"Bearer ") == Some(t.token.expose_secret().as_bytes())
        });
        if same {
            state.current = None;
        }
    }

    /// The cached token if it is still valid; inside the margin, also starts a background refresh.
    fn valid_token(self: &Arc<Self>) -> Option<Secret> {
        let now = SystemTime::now();
        let mut state = self.state();
        let current = state.current.as_ref().filter(|t| t.expires_at > now)?;
        let token = current.token.clone();
        let due = current.expires_at <= now + REFRESH_MARGIN
            && !state.background
            && state.not_before.is_none_or(|t| Instant::now() >= t);
        // Outside a Tokio runtime nothing can run in the background: the token serves until it
        // expires, and then a caller refreshes it.
        let runtime = tokio::runtime::Handle::try_current().ok().filter(|_| due);
        if let Some(runtime) = runtime {
            state.background = true;
            // Spawned after the lock is released: a runtime that is shutting down drops the task
            // at once, and its drop takes the lock.
            drop(state);
            runtime.spawn(Background(Arc::clone(self)).refresh());
        }
        Some(token)
    }

    /// The cached token if it has not expired.
    fn unexpired(&self) -> Option<Secret> {
        let now = SystemTime::now();
        let state = self.state();
        state
            .current
            .as_ref()
            .filter(|t| t.expires_at > now)
            .map(|t| t.token.clone())
    }

    /// Whether there is no token, or one inside the margin.
    fn needs_refresh(&self) -> bool {
        let soon = SystemTime::now() + REFRESH_MARGIN;
        self.state()
            .current
            .as_ref()
            .is_none_or(|t| t.expires_at <= soon)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something did, the state is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A background refresh. Dropping it (the task finished, or its runtime shut down) clears the
/// `background` flag, so a refresh can always start again.
struct Background(Arc<TokenCache>);

impl Background {
    async fn refresh(self) {
        let cache = &self.0;
        let _refresh = cache.refreshing.lock().await;
        // A caller may have refreshed while this task waited for the lock.
        if !cache.needs_refresh() {
            return;
        }
        // A failure is not reported: the token in the cache is still valid, and whoever needs a
        // token once it has expired refreshes it and sees the error.
        if let Ok(fresh) = cache.provider.get_token(&cache.scope).await {
            cache.state().current = Some(fresh);
        }
        if cache.needs_refresh() {
            cache.state().not_before = Some(Instant::now() + BACKGROUND_RETRY);
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.0.state().background = false;
    }
}

#[cfg(test)]
mod tests;
