//! Backends written as text, as an environment variable or a command line gives them:
//! `ENDPOINT|DEPLOYMENT[|PRIORITY]`, several separated by whitespace.

use std::str::FromStr;

use url::Url;

use super::backend::Backend;
use crate::error::{Error, Result};

impl FromStr for Backend {
    type Err = Error;

    /// Reads `ENDPOINT|DEPLOYMENT[|PRIORITY]`, such as
    /// `https://eastus.openai.azure.com|whisper|1` (priority 0 when left out). An error names
    /// the part that is wrong and quotes the text (which holds no secret).
    ///
    /// ```
    /// use azure_openai_audio::routing::Backend;
    /// let backend: Backend = "https://eastus.openai.azure.com|whisper|1".parse()?;
    /// assert_eq!((backend.deployment.as_str(), backend.priority), ("whisper", 1));
    /// # Ok::<(), azure_openai_audio::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<Backend> {
        let mut parts = text.trim().split('|');
        let bad = |why: &str| Error::config(format!("backend {text:?}: {why}"));
        let endpoint = parts.next().unwrap_or_default().trim();
        let endpoint =
            Url::parse(endpoint).map_err(|e| bad(&format!("the endpoint is not a URL ({e})")))?;
        let deployment = parts.next().map(str::trim).unwrap_or_default();
        if deployment.is_empty() {
            return Err(bad("no deployment (write ENDPOINT|DEPLOYMENT[|PRIORITY])"));
        }
        let mut backend = Backend::new(endpoint, deployment);
        if let Some(priority) = parts.next() {
            let priority = priority
                .trim()
                .parse()
                .map_err(|_| bad("the priority is not a whole number from 0"))?;
            backend = backend.priority(priority);
        }
        if parts.next().is_some() {
            return Err(bad("more than three parts"));
        }
        Ok(backend)
    }
}

/// Reads whitespace-separated backends, each `ENDPOINT|DEPLOYMENT[|PRIORITY]` (see
/// [`Backend::from_str`]); an empty list is an error.
///
/// ```
/// let backends = azure_openai_audio::routing::parse_backends(
///     "https://ptu.openai.azure.com|whisper https://eastus.openai.azure.com|whisper|1",
/// )?;
/// assert_eq!(backends.len(), 2);
/// # Ok::<(), azure_openai_audio::Error>(())
/// ```
pub fn parse_backends(list: &str) -> Result<Vec<Backend>> {
    let backends = list
        .split_whitespace()
        .map(Backend::from_str)
        .collect::<Result<Vec<_>>>()?;
    if backends.is_empty() {
        return Err(Error::config("the list of backends is empty"));
    }
    Ok(backends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_and_mistakes_named() {
        let backends =
            parse_backends(" https://a.openai.azure.com|d1\n\thttps://b.example.com/gw|d2|3 ")
                .unwrap();
        assert_eq!(backends[0].endpoint.as_str(), "https://a.openai.azure.com/");
        assert_eq!(
            (backends[0].deployment.as_str(), backends[0].priority),
            ("d1", 0)
        );
        assert_eq!(
            (backends[1].deployment.as_str(), backends[1].priority),
            ("d2", 3)
        );
        for (text, why) in [
            ("", "the list of backends is empty"),
            ("https://a|", "no deployment"),
            ("nope|d", "the endpoint is not a URL"),
            ("https://a|d|high", "the priority is not a whole number"),
            ("https://a|d|1|2", "more than three parts"),
        ] {
            let err = parse_backends(text).unwrap_err();
            assert!(err.to_string().contains(why), "{text}: {err}");
        }
    }
}
