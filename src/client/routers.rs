//! The pools a client routes its APIs' requests over: at most one per [`Api`].

use std::sync::Arc;

use super::deployments::Api;
use crate::routing::router::Router;

/// A router per routed API; the other APIs go to the client's endpoint and deployment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Routers(Vec<(Api, Arc<Router>)>);

impl Routers {
    /// The router of `api`, if it is routed.
    pub(crate) fn get(&self, api: Api) -> Option<&Arc<Router>> {
        self.0.iter().find(|(a, _)| *a == api).map(|(_, r)| r)
    }

    /// Routes `api` over `router` (in place of any router it had).
    pub(crate) fn set(&mut self, api: Api, router: Arc<Router>) {
        self.remove(api);
        self.0.push((api, router));
    }

    /// Stops routing `api`.
    pub(crate) fn remove(&mut self, api: Api) {
        self.0.retain(|(a, _)| *a != api);
    }
}
