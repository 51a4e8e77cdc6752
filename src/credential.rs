//! Credentials: API key, static bearer token, custom token providers, Microsoft Entra ID.
//!
//! Token-based credentials go through a cache that hands out the current token and refreshes it
//! [`REFRESH_MARGIN`] before it expires. One refresh serves every request waiting for it, and a
//! 401 drops the token that was refused.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use crate::error::{Error, Result};

/// The Entra ID scope of Azure OpenAI (Azure AI services).
pub const COGNITIVE_SERVICES_SCOPE: &str = "https://cognitiveservices.azure.com/.default";

/// How long before its expiry a cached token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A string that never shows itself in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself. Use it only to put it where it belongs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// A bearer token and when it expires.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// When it stops being valid.
    pub expires_at: SystemTime,
}

/// A boxed future, as returned by [`TokenProvider::get_token`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of bearer tokens: implement it to plug in your own token service.
///
/// The client caches what it returns (see [`REFRESH_MARGIN`]), so implementations need not cache.
///
/// ```
/// use azure_openai_audio::credential::{AccessToken, BoxFuture, TokenProvider};
/// use std::time::{Duration, SystemTime};
///
/// #[derive(Debug)]
/// struct Vault;
/// impl TokenProvider for Vault {
///     fn get_token<'a>(&'a self, _scope: &'a str) -> BoxFuture<'a, azure_openai_audio::Result<AccessToken>> {
///         Box::pin(async {
///             Ok(AccessToken { token: "from-my-vault".into(), expires_at: SystemTime::now() + Duration::from_secs(3600) })
///         })
///     }
/// }
/// let credential = azure_openai_audio::Credential::token_provider(Vault);
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// Gets a fresh token for `scope`.
    fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>>;
}

/// How the client authenticates. Cheap to clone; `Debug` never shows a key or a token.
#[derive(Clone)]
pub struct Credential(Repr);

#[derive(Clone)]
enum Repr {
    ApiKey(Secret),
    Bearer(Secret),
    Tokens(Arc<TokenCache>),
}

impl Credential {
    /// An Azure OpenAI API key, sent in the `api-key` header.
    pub fn api_key(key: impl Into<Secret>) -> Self {
        Credential(Repr::ApiKey(key.into()))
    }

    /// A bearer token you obtained yourself, sent as-is until you replace the client.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Credential(Repr::Bearer(token.into()))
    }

    /// Tokens from your own provider, cached and refreshed by the client.
    pub fn token_provider(provider: impl TokenProvider + 'static) -> Self {
        Self::from_provider(Arc::new(provider))
    }

    /// Tokens from a shared provider, cached and refreshed by the client.
    pub fn from_provider(provider: Arc<dyn TokenProvider>) -> Self {
        Credential(Repr::Tokens(Arc::new(TokenCache::new(
            provider,
            COGNITIVE_SERVICES_SCOPE,
        ))))
    }

    /// Microsoft Entra ID through any azure_identity credential (ManagedIdentityCredential,
    /// WorkloadIdentityCredential, ClientSecretCredential, DeveloperToolsCredential, ...),
    /// for the scope [`COGNITIVE_SERVICES_SCOPE`].
    #[cfg(feature = "entra-id")]
    pub fn entra_id(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self::from_provider(Arc::new(entra::EntraId(credential)))
    }

    /// Entra ID from the developer's tools (Azure CLI `az`, then Azure Developer CLI `azd`).
    #[cfg(feature = "entra-id")]
    pub fn developer_tools() -> Result<Self> {
        let cred = azure_identity::DeveloperToolsCredential::new(None).map_err(|e| {
            Error::credential("cannot set up DeveloperToolsCredential").with_source(e)
        })?;
        Ok(Self::entra_id(cred))
    }

    /// Checks that a key or static token is there and can go into a header (no control characters).
    pub(crate) fn validate(&self) -> Result<()> {
        let (secret, what) = match &self.0 {
            Repr::ApiKey(k) => (k, "the API key"),
            Repr::Bearer(t) => (t, "the bearer token"),
            Repr::Tokens(_) => return Ok(()),
        };
        if secret.expose_secret().trim().is_empty() {
            return Err(Error::credential(format!("{what} is empty")));
        }
        self.static_header().map(drop)
    }

    /// The header of an API key or a static bearer token (`None` for token providers).
    fn static_header(&self) -> Result<(HeaderName, HeaderValue)> {
        match &self.0 {
            Repr::ApiKey(k) => Ok((
                HeaderName::from_static("api-key"),
                header_value(k.expose_secret(), "the API key")?,
            )),
            Repr::Bearer(t) => Ok((
                AUTHORIZATION,
                header_value(&format!("Bearer {}", t.expose_secret()), "the bearer token")?,
            )),
            Repr::Tokens(_) => Err(Error::credential("a token provider has no static header")),
        }
    }

    /// The header that authenticates one request, marked sensitive.
    pub(crate) async fn header(&self) -> Result<(HeaderName, HeaderValue)> {
        match &self.0 {
            Repr::ApiKey(_) | Repr::Bearer(_) => self.static_header(),
            Repr::Tokens(cache) => {
                let token = cache.token().await?;
                Ok((
                    AUTHORIZATION,
                    header_value(
                        &format!("Bearer {}", token.expose_secret()),
                        "the access token",
                    )?,
                ))
            }
        }
    }

    /// After a 401: forgets the token that was refused, so the next request fetches a new one.
    /// Returns true when there is something to refresh (token-based credentials).
    pub(crate) async fn unauthorized(&self, refused: &HeaderValue) -> bool {
        match &self.0 {
            Repr::Tokens(cache) => {
                cache.invalidate(refused).await;
                true
            }
            _ => false,
        }
    }
}

fn header_value(text: &str, what: &str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(text).map_err(|_| {
        Error::credential(format!(
            "{what} contains characters that cannot be sent in a header"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::ApiKey(_) => f.write_str("Credential::ApiKey(<redacted>)"),
            Repr::Bearer(_) => f.write_str("Credential::Bearer(<redacted>)"),
            Repr::Tokens(c) => write!(f, "Credential::TokenProvider({:?})", c.provider),
        }
    }
}

/// Caches one token per credential; refreshes are single-flight.
struct TokenCache {
    provider: Arc<dyn TokenProvider>,
    scope: &'static str,
    current: tokio::sync::Mutex<Option<AccessToken>>,
}

impl TokenCache {
    fn new(provider: Arc<dyn TokenProvider>, scope: &'static str) -> Self {
        TokenCache {
            provider,
            scope,
            current: tokio::sync::Mutex::new(None),
        }
    }

    async fn token(&self) -> Result<Secret> {
        // Holding the lock across the fetch makes concurrent callers wait for one refresh.
        let mut current = self.current.lock().await;
        let now = SystemTime::now();
        if let Some(t) = current.as_ref() {
            if t.expires_at > now + REFRESH_MARGIN {
                return Ok(t.token.clone());
            }
        }
        match self.provider.get_token(self.scope).await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                *current = Some(fresh);
                Ok(token)
            }
            // A failed early refresh keeps using the token while it is still valid.
            Err(e) => match current.as_ref() {
                Some(t) if t.expires_at > now => Ok(t.token.clone()),
                _ => Err(e),
            },
        }
    }

    async fn invalidate(&self, refused: &HeaderValue) {
        let mut current = self.current.lock().await;
        let same = current.as_ref().is_some_and(|t| {
            refused.as_bytes().strip_prefix(b"Bearer ") == Some(t.token.expose_secret().as_bytes())
        });
        if same {
            *current = None;
        }
    }
}

#[cfg(feature = "entra-id")]
mod entra {
    use super::*;

    /// Adapts an azure_core `TokenCredential` to [`TokenProvider`].
    #[derive(Debug)]
    pub(super) struct EntraId(pub(super) Arc<dyn azure_core::credentials::TokenCredential>);

    impl TokenProvider for EntraId {
        fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
            Box::pin(async move {
                let t = self.0.get_token(&[scope], None).await.map_err(|e| {
                    Error::credential("could not get a Microsoft Entra ID token (for developer tools: run `az login`)")
                        .with_source(e)
                })?;
                let secs = t.expires_on.unix_timestamp().max(0) as u64;
                Ok(AccessToken {
                    token: Secret::new(t.token.secret()),
                    expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
                })
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicU32,
        lifetime_secs: u64,
    }

    impl TokenProvider for Counting {
        fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
            Box::pin(async move {
                assert_eq!(scope, COGNITIVE_SERVICES_SCOPE);
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::task::yield_now().await;
                Ok(AccessToken {
                    token: Secret::new(format!("token-{n}")),
                    expires_at: SystemTime::now() + Duration::from_secs(self.lifetime_secs),
                })
            })
        }
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_fetch_and_401_drops_the_token() {
        let provider = Arc::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        let cred = Credential::from_provider(provider.clone());
        let headers = futures_util::future::join_all((0..50).map(|_| cred.header())).await;
        assert!(headers
            .iter()
            .all(|h| h.as_ref().unwrap().1 == "Bearer token-1"));
        assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
        // A 401 for an older token does not drop the current one.
        assert!(
            cred.unauthorized(&HeaderValue::from_static("Bearer token-0"))
                .await
        );
        assert_eq!(cred.header().await.unwrap().1, "Bearer token-1");
        assert!(
            cred.unauthorized(&HeaderValue::from_static("Bearer token-1"))
                .await
        );
        assert_eq!(cred.header().await.unwrap().1, "Bearer token-2");
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn tokens_inside_the_refresh_margin_are_replaced() {
        let provider = Arc::new(Counting {
            lifetime_secs: 60,
            ..Default::default()
        });
        let cred = Credential::from_provider(provider.clone());
        cred.header().await.unwrap();
        cred.header().await.unwrap();
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn every_auth_header_is_marked_sensitive() {
        let provider = Arc::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        for cred in [
            Credential::api_key("k"),
            Credential::bearer("t"),
            Credential::from_provider(provider),
        ] {
            let (name, value) = cred.header().await.unwrap();
            assert!(value.is_sensitive(), "{name} is not marked sensitive");
        }
    }

    #[test]
    fn empty_secrets_are_refused() {
        for cred in [Credential::api_key(""), Credential::bearer("  ")] {
            let e = cred.validate().unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Credential);
            assert!(e.to_string().ends_with("is empty"), "{e}");
        }
    }

    #[test]
    fn debug_and_header_never_show_secrets() {
        let k = Credential::api_key("sk-very-secret");
        assert_eq!(format!("{k:?}"), "Credential::ApiKey(<redacted>)");
        assert_eq!(
            format!("{:?}", Credential::bearer("tok")),
            "Credential::Bearer(<redacted>)"
        );
        assert_eq!(format!("{:?}", Secret::new("x")), "Secret(<redacted>)");
        let bad = Credential::api_key("line\nbreak-secret")
            .validate()
            .unwrap_err();
        assert!(!bad.to_string().contains("secret"), "{bad}");
        assert!(!format!("{bad:?}").contains("break-secret"));
    }
}
