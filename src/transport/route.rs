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
}
