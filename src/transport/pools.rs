//! The client's HTTP connection pools: one for the client's connect timeout, and one more for
//! each other connect timeout a request asks for (reqwest sets it per pool, not per request).

use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, Result};

/// reqwest clients (each a connection pool) by connect timeout. Shared by a client's clones.
pub(crate) struct Pools {
    plain_http: bool,
    connect_timeout: Option<Duration>,
    default: reqwest::Client,
    /// Pools made for requests with another connect timeout, most recently used last; at most
    /// [`MAX_OTHER_POOLS`] (a caller that computes a new timeout for every request must not
    /// make a pool for every request).
    others: Mutex<Vec<(Option<Duration>, reqwest::Client)>>,
}

/// How many pools for other connect timeouts a client keeps; the least recently used goes
/// (its connections close once the requests using it are done).
const MAX_OTHER_POOLS: usize = 4;

impl Pools {
    /// `plain_http`: the endpoint is `http://` (loopback only), so no proxy may carry the key.
    pub(crate) fn new(plain_http: bool, connect_timeout: Option<Duration>) -> Result<Pools> {
        Ok(Pools {
            plain_http,
            connect_timeout,
            default: build(plain_http, connect_timeout)?,
            others: Mutex::new(Vec::new()),
        })
    }

    /// The pool for a request: the client's, unless the request sets another connect timeout.
    pub(crate) fn get(&self, connect_timeout: Option<Option<Duration>>) -> Result<reqwest::Client> {
        let Some(wanted) = connect_timeout.filter(|&t| t != self.connect_timeout) else {
            return Ok(self.default.clone());
        };
        // A panic elsewhere while the lock was held leaves a list that is still valid.
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = others.iter().position(|(t, _)| *t == wanted) {
            let used = others.remove(at);
            let client = used.1.clone();
            others.push(used);
            return Ok(client);
        }
        let client = build(self.plain_http, wanted)?;
        if others.len() == MAX_OTHER_POOLS {
            others.remove(0);
        }
        others.push((wanted, client.clone()));
        Ok(client)
    }
}

fn build(plain_http: bool, connect_timeout: Option<Duration>) -> Result<reqwest::Client> {
    let mut http = reqwest::Client::builder();
    if let Some(timeout) = connect_timeout {
        http = http.connect_timeout(timeout);
    }
    if plain_http {
        // Plain http is only allowed to a loopback host; an HTTP_PROXY from the environment
        // must not carry the key off the machine in clear text.
        http = http.no_proxy();
    }
    // The request timeout is applied per attempt by the transport (with tokio's timer), not
    // by reqwest, so that it can change per request and does not cut streams short.
    http
        // The same bytes on the wire whatever else in the program turned on reqwest's features
        // (azure_identity's defaults turn on gzip and deflate, reqwest's own http2): no
        // `Accept-Encoding`, so replies keep their `Content-Length` and the audio is decoded
        // in the buffer it arrived in; HTTP/1.1, as documented and tested.
        .no_gzip()
        .no_deflate()
        .no_brotli()
        .no_zstd()
        .http1_only()
        // A custom `api-key` header would follow a redirect to another host: never follow.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "azure-openai-audio/",
            env!("CARGO_PKG_VERSION"),
            " (rust)"
        ))
        .build()
        .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(pools: &Pools) -> Vec<Option<Duration>> {
        pools
            .others
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| *t)
            .collect()
    }

    #[test]
    fn a_new_timeout_for_every_request_keeps_a_bounded_number_of_pools() {
        let default = Some(Duration::from_secs(10));
        let pools = Pools::new(false, default).unwrap();
        pools.get(None).unwrap();
        pools.get(Some(default)).unwrap();
        assert!(
            kept(&pools).is_empty(),
            "the client's own timeout uses its pool"
        );
        for ms in 1..=20 {
            pools.get(Some(Some(Duration::from_millis(ms)))).unwrap();
        }
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(kept(&pools), [ms(17), ms(18), ms(19), ms(20)]);
        // Using one again makes it the most recent, so the next new one evicts another.
        pools.get(Some(ms(17))).unwrap();
        pools.get(Some(None)).unwrap();
        assert_eq!(kept(&pools), [ms(19), ms(20), ms(17), None]);
    }
}
