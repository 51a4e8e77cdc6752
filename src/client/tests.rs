//! The client's unit tests.
use super::*;

fn vars(
    pairs: &'static [(&'static str, &'static str)],
) -> impl Fn(&str) -> std::result::Result<String, std::env::VarError> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .ok_or(std::env::VarError::NotPresent)
    }
}

#[test]
fn endpoints() {
    for ok in [
        "https://r.openai.azure.com",
        "https://r.openai.azure.com/",
        "http://127.0.0.1:8080",
        "http://localhost:1/",
        "http://[::1]:9/",
    ] {
        assert!(parse_endpoint(ok).is_ok(), "{ok}");
    }
    for bad in [
        "r.openai.azure.com",
        "http://r.openai.azure.com",
        "ftp://x",
        "https://u:p@r.openai.azure.com",
        "",
    ] {
        assert!(parse_endpoint(bad).is_err(), "{bad}");
    }
    let c = Client::new(
        "https://r.openai.azure.com/",
        "dep",
        Credential::api_key("k"),
    )
    .unwrap();
    assert_eq!(
        c.url_for("chat/completions").as_str(),
        "https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2025-04-01-preview"
    );
    let c = Client::new(
        "https://gw.example.com/aoai",
        "dep",
        Credential::api_key("k"),
    )
    .unwrap();
    assert_eq!(
        c.url_for("chat/completions").path(),
        "/aoai/openai/deployments/dep/chat/completions"
    );
    let v1 = Client::builder(
        "https://r.openai.azure.com",
        "dep",
        Credential::api_key("k"),
    )
    .route(Route::V1)
    .build()
    .unwrap();
    assert_eq!(
        v1.url_for("chat/completions").as_str(),
        "https://r.openai.azure.com/openai/v1/chat/completions"
    );
}

#[test]
fn from_env_names_the_variable() {
    let e = Client::builder_from_vars(vars(&[])).unwrap_err();
    assert!(
        e.to_string().contains("AZURE_OPENAI_ENDPOINT is not set"),
        "{e}"
    );
    let e = Client::builder_from_vars(vars(&[
        ("AZURE_OPENAI_ENDPOINT", "not a url"),
        ("AZURE_OPENAI_API_KEY", "k"),
    ]))
    .unwrap()
    .build()
    .unwrap_err();
    assert!(
        e.to_string().contains("AZURE_OPENAI_ENDPOINT is not a URL"),
        "{e}"
    );
    let e = Client::builder_from_vars(vars(&[
        ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"),
        ("AZURE_OPENAI_API_KEY", "bad\nkey"),
    ]))
    .unwrap_err();
    assert!(
        e.to_string().contains("AZURE_OPENAI_API_KEY contains"),
        "{e}"
    );
    let c = Client::builder_from_vars(vars(&[
        ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/"),
        ("AZURE_OPENAI_API_KEY", "k"),
        ("OPENAI_API_VERSION", "2025-04-01-preview"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(c.deployment(), "gpt-4o-mini-audio-preview");
    assert_eq!(c.api_version(), "2025-04-01-preview");
}

#[test]
fn debug_is_pinned() {
    let c = Client::new(
        "https://r.openai.azure.com/",
        "dep",
        Credential::api_key("sk-secret"),
    )
    .unwrap();
    assert_eq!(
        format!("{c:?}"),
        "Client { endpoint: \"https://r.openai.azure.com/\", deployment: \"dep\", api_version: \"2025-04-01-preview\", route: Deployments, credential: Credential::ApiKey(<redacted>) }"
    );
}

#[test]
fn send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Client>();
    check::<Credential>();
    check::<crate::ChatRequest>();
    fn err<T: Send + Sync + std::error::Error + 'static>() {}
    err::<crate::Error>();
}
