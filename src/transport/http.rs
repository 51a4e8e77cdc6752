//! The HTTP client (one connection pool, shared by a client's clones): the settings the crate
//! needs, and the caller's hook for the rest (a root certificate, a proxy, a client certificate).

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

type Hook = Box<dyn FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// The caller's adjustments of reqwest's builder, from
/// [`ClientBuilder::configure_http`](crate::ClientBuilder::configure_http); later ones apply
/// after earlier ones.
#[derive(Default)]
pub(crate) struct HttpHook(Option<Hook>);

impl HttpHook {
    /// Adds `f`, to run after the hooks already added.
    pub(crate) fn then(
        self,
        f: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        match self.0 {
            None => HttpHook(Some(Box::new(f))),
            Some(earlier) => HttpHook(Some(Box::new(move |b| f(earlier(b))))),
        }
    }

    fn apply(self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        match self.0 {
            Some(f) => f(builder),
            None => builder,
        }
    }
}

impl fmt::Debug for HttpHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// Builds the HTTP client. `plain_http`: the endpoint is `http://` (loopback only), so no
/// proxy may carry the key.
///
/// The defaults the hook may change: the user agent and the connect timeout. What the crate
/// sets after it, whatever the hook did: no compression, HTTP/1.1, no redirects, and no proxy
/// for a plain-http endpoint.
pub(crate) fn build(
    plain_http: bool,
    connect_timeout: Option<Duration>,
    hook: HttpHook,
) -> Result<reqwest::Client> {
    let mut http = reqwest::Client::builder().user_agent(concat!(
        "azure-openai-audio/",
        env!("CARGO_PKG_VERSION"),
        " (rust)"
    ));
    if let Some(timeout) = connect_timeout {
        http = http.connect_timeout(timeout);
    }
    // The request timeout is applied per attempt by the transport (with tokio's timer), not
    // by reqwest, so that it can change per request and does not cut streams short.
    http = hook.apply(http);
    if plain_http {
        // Plain http is only allowed to a loopback host; an HTTP_PROXY from the environment
        // (or a proxy from the hook) must not carry the key off the machine in clear text.
        http = http.no_proxy();
    }
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
        .build()
        .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))
}
