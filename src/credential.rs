//! Credentials: API key, static bearer token, custom token providers, Microsoft Entra ID.
//!
//! Token-based credentials go through a cache that hands out the current token and refreshes it
//! [`REFRESH_MARGIN`] before it expires, in the background: requests keep the still-valid token
//! meanwhile. Only when there is no valid token do requests wait, and then one refresh serves
//! them all. A 401 drops the token that was refused.
//!
//! Tokens are asked for the scope [`COGNITIVE_SERVICES_SCOPE`] unless
//! [`Credential::with_scope`] names another (a sovereign cloud).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use crate::error::{Error, Result};

mod token_cache;

use token_cache::TokenCache;

use futures_util::future::BoxFuture;

/// The Entra ID scope of Azure OpenAI (Azure AI services) in Azure's public cloud: the default.
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

/// A source of bearer tokens: implement it to plug in your own token service.
///
/// The client caches what it returns (refreshing it 5 minutes before it expires), so
/// implementations need not cache.
/// `scope` is [`COGNITIVE_SERVICES_SCOPE`] unless the credential was given another with
/// [`Credential::with_scope`].
///
/// ```
/// use azure_openai_audio::{AccessToken, TokenProvider}; use futures_util::future::BoxFuture;
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
    /// A credential that cannot work, with the reason (reported by `validate` and `header`).
    Invalid(&'static str),
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
            COGNITIVE_SERVICES_SCOPE.to_owned(),
        ))))
    }

    /// Asks for tokens for `scope` instead of [`COGNITIVE_SERVICES_SCOPE`]: for a sovereign
    /// cloud, e.g. `https://cognitiveservices.azure.us/.default` (Azure Government).
    ///
    /// Only token-based credentials (Entra ID, token providers) have a scope: on an API key or a
    /// static bearer token, and for an empty scope, building the client fails with a
    /// [`Credential`](crate::ErrorKind::Credential) error.
    ///
    /// ```
    /// # #[cfg(feature = "entra-id")]
    /// # fn run() -> azure_openai_audio::Result<()> {
    /// use azure_openai_audio::Credential;
    ///
    /// let credential = Credential::developer_tools()?
    ///     .with_scope("https://cognitiveservices.azure.us/.default");
    /// # Ok(()) }
    /// ```
    pub fn with_scope(self, scope: impl Into<String>) -> Self {
        match self.0 {
            Repr::Tokens(cache) => Credential(Repr::Tokens(Arc::new(TokenCache::new(
                Arc::clone(&cache.provider),
                scope.into(),
            )))),
            Repr::ApiKey(_) => Credential(Repr::Invalid(
                "a scope applies to Entra ID and token providers, not to an API key",
            )),
            Repr::Bearer(_) => Credential(Repr::Invalid(
                "a scope applies to Entra ID and token providers, not to a static bearer token",
            )),
            Repr::Invalid(why) => Credential(Repr::Invalid(why)),
        }
    }

    /// Microsoft Entra ID through any azure_identity credential (ManagedIdentityCredential,
    /// WorkloadIdentityCredential, ClientSecretCredential, DeveloperToolsCredential, ...),
    /// for the scope [`COGNITIVE_SERVICES_SCOPE`].
    #[cfg(feature = "entra-id")]
    #[cfg_attr(docsrs, doc(cfg(feature = "entra-id")))]
    pub fn entra_id(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self::from_provider(Arc::new(entra::EntraId(credential)))
    }

    /// Entra ID from the developer's tools (Azure CLI `az`, then Azure Developer CLI `azd`).
    #[cfg(feature = "entra-id")]
    #[cfg_attr(docsrs, doc(cfg(feature = "entra-id")))]
    pub fn developer_tools() -> Result<Self> {
        let cred = azure_identity::DeveloperToolsCredential::new(None).map_err(|e| {
            Error::credential("cannot set up DeveloperToolsCredential").with_source(e)
        })?;
        Ok(Self::entra_id(cred))
    }

    /// Checks that a key or static token is there and can go into a header (no control
    /// characters), and that a token credential has a scope.
    pub(crate) fn validate(&self) -> Result<()> {
        let (secret, what) = match &self.0 {
            Repr::ApiKey(k) => (k, "the API key"),
            Repr::Bearer(t) => (t, "the bearer token"),
            Repr::Tokens(cache) if cache.scope.trim().is_empty() => {
                return Err(Error::credential("the Entra ID scope is empty"))
            }
            Repr::Tokens(_) => return Ok(()),
            Repr::Invalid(why) => return Err(Error::credential(*why)),
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
            Repr::Invalid(why) => Err(Error::credential(*why)),
        }
    }

    /// The header that authenticates one request, marked sensitive.
    pub(crate) async fn header(&self) -> Result<(HeaderName, HeaderValue)> {
        match &self.0 {
            Repr::ApiKey(_) | Repr::Bearer(_) | Repr::Invalid(_) => self.static_header(),
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
                cache.invalidate(refused);
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
            Repr::Invalid(why) => write!(f, "Credential::Invalid({why})"),
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
        // Inside the margin: the valid token at once, and its replacement in the background.
        assert_eq!(cred.header().await.unwrap().1, "Bearer token-1");
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
        assert_eq!(cred.header().await.unwrap().1, "Bearer token-2");
    }

    #[derive(Debug)]
    struct Scoped(std::sync::Mutex<Vec<String>>);

    impl TokenProvider for Scoped {
        fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
            self.0.lock().unwrap().push(scope.to_owned());
            Box::pin(async move {
                Ok(AccessToken {
                    token: Secret::new("t"),
                    expires_at: SystemTime::now() + Duration::from_secs(3600),
                })
            })
        }
    }

    #[tokio::test]
    async fn the_scope_is_configurable_and_checked() {
        let provider = Arc::new(Scoped(Default::default()));
        let default = Credential::from_provider(provider.clone());
        default.validate().unwrap();
        default.header().await.unwrap();
        let us = "https://cognitiveservices.azure.us/.default";
        let sovereign = default.clone().with_scope(us);
        sovereign.validate().unwrap();
        sovereign.header().await.unwrap();
        assert_eq!(
            *provider.0.lock().unwrap(),
            [COGNITIVE_SERVICES_SCOPE, us],
            "a new scope is a new token, not the cached one"
        );

        let e = default.with_scope(" ").validate().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Credential);
        assert_eq!(
            e.to_string(),
            "credential error: the Entra ID scope is empty"
        );
        for (cred, what) in [
            (Credential::api_key("k"), "an API key"),
            (Credential::bearer("t"), "a static bearer token"),
        ] {
            let cred = cred.with_scope(us);
            let e = cred.validate().unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Credential);
            assert!(e.to_string().ends_with(&format!("not to {what}")), "{e}");
            assert!(cred.header().await.is_err());
            assert!(format!("{cred:?}").starts_with("Credential::Invalid("));
        }
        assert_eq!(provider.0.lock().unwrap().len(), 2);
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
