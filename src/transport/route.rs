//! Where a request goes: the resource's endpoint, the URL shape, and the one function that
//! turns a deployment and a path under it into a URL.

use url::Url;

/// Which URL shape requests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// `{endpoint}/openai/deployments/{deployment}/{path}?api-version=...`
    Deployments,
    /// `{endpoint}/openai/v1/{path}`, with the deployment as `model` in the body and no api-version.
    V1,
}

/// The URL shape of one request: the client's [`Route`], or a shape an API always uses whatever
/// the client's route (Realtime's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum UrlShape {
    /// The client's [`Route`] (see [`Resource::url`]).
    #[default]
    Client,
    /// `{endpoint}/openai/v1/{path}?model={deployment}`: Realtime GA (no api-version).
    V1Model,
    /// `{endpoint}/openai/v1/{path}`, the deployment in the body (Realtime client secrets).
    V1,
    /// `{endpoint}/openai/{path}?api-version={REALTIME_PREVIEW_API_VERSION}&deployment={deployment}`:
    /// the Realtime preview protocol.
    Preview,
}

/// The api-version of the Realtime preview protocol (independent of the client's).
pub(crate) const REALTIME_PREVIEW_API_VERSION: &str = "2025-04-01-preview";

/// One Azure OpenAI resource: its endpoint, the URL shape and the API version.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub(crate) endpoint: Url,
    pub(crate) route: Route,
    pub(crate) api_version: String,
}

impl Resource {
    /// The URL of `path` (such as `chat/completions` or `audio/speech`) for `deployment`:
    /// `{endpoint}/openai/deployments/{deployment}/{path}?api-version=V`, or on the
    /// [`Route::V1`] shape `{endpoint}/openai/v1/{path}` (the API module then sends the
    /// deployment as `model`). Each segment is percent-encoded; the endpoint's own path (a
    /// gateway's prefix) is kept.
    pub(crate) fn url(&self, deployment: &str, path: &str) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            match self.route {
                Route::Deployments => segments.extend(["openai", "deployments", deployment]),
                Route::V1 => segments.extend(["openai", "v1"]),
            };
            segments.extend(path.split('/').filter(|s| !s.is_empty()));
        }
        if self.route == Route::Deployments {
            url.query_pairs_mut()
                .append_pair("api-version", &self.api_version);
        }
        url
    }

    /// The URL of `path` for `deployment` in `shape` ([`UrlShape::Client`]: [`url`](Self::url)).
    pub(crate) fn url_shaped(&self, shape: UrlShape, deployment: &str, path: &str) -> Url {
        let (prefix, query): (&[&str], &[(&str, &str)]) = match shape {
            UrlShape::Client => return self.url(deployment, path),
            UrlShape::V1Model => (&["openai", "v1"], &[("model", deployment)]),
            UrlShape::V1 => (&["openai", "v1"], &[]),
            UrlShape::Preview => (
                &["openai"],
                &[
                    ("api-version", REALTIME_PREVIEW_API_VERSION),
                    ("deployment", deployment),
                ],
            ),
        };
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(prefix);
            segments.extend(path.split('/').filter(|s| !s.is_empty()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(endpoint: &str, route: Route) -> Resource {
        Resource {
            endpoint: Url::parse(endpoint).unwrap(),
            route,
            api_version: "2025-01-01-preview".to_owned(),
        }
    }

    #[test]
    fn both_shapes_for_any_path() {
        let r = resource("https://r.openai.azure.com/", Route::Deployments);
        assert_eq!(
            r.url("dep", "audio/speech").as_str(),
            "https://r.openai.azure.com/openai/deployments/dep/audio/speech?api-version=2025-01-01-preview"
        );
        let r = resource("https://gw.example.com/aoai", Route::V1);
        assert_eq!(
            r.url("dep", "audio/transcriptions").as_str(),
            "https://gw.example.com/aoai/openai/v1/audio/transcriptions"
        );
        // A deployment name cannot add segments or a query.
        let r = resource("https://r.openai.azure.com", Route::Deployments);
        assert_eq!(
            r.url("a/b?c", "chat/completions").path(),
            "/openai/deployments/a%2Fb%3Fc/chat/completions"
        );
    }

    #[test]
    fn realtime_shapes_ignore_the_clients_route_and_api_version() {
        for route in [Route::Deployments, Route::V1] {
            let r = resource("https://gw.example.com/aoai/", route);
            assert_eq!(
                r.url_shaped(UrlShape::V1Model, "gpt realtime", "realtime")
                    .as_str(),
                "https://gw.example.com/aoai/openai/v1/realtime?model=gpt+realtime"
            );
            assert_eq!(
                r.url_shaped(UrlShape::V1, "d", "realtime/client_secrets")
                    .as_str(),
                "https://gw.example.com/aoai/openai/v1/realtime/client_secrets"
            );
            assert_eq!(
                r.url_shaped(UrlShape::Preview, "rt", "realtime").as_str(),
                "https://gw.example.com/aoai/openai/realtime?api-version=2025-04-01-preview&deployment=rt"
            );
            assert_eq!(
                r.url_shaped(UrlShape::Client, "d", "audio/speech"),
                r.url("d", "audio/speech")
            );
        }
    }
}
