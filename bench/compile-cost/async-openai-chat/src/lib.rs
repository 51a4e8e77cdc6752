//! Nothing but the dependency.
pub use async_openai;
