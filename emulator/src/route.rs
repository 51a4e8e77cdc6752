//! Which API a path asks for, and in which of the two route shapes.

/// The route shape: the deployment in the path, or the `/openai/v1` route (the deployment is
/// the request's `model`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Deployment(String),
    V1,
}

/// The APIs the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// `chat/completions`.
    Chat,
    /// `audio/speech`.
    Speech,
    /// `audio/transcriptions`.
    Transcriptions,
    /// `audio/translations`.
    Translations,
}

impl Api {
    /// The operation a 429 names, as the service's gateway does.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Api::Chat => "ChatCompletions_Create",
            Api::Speech => "Speech_Create",
            Api::Transcriptions => "Transcriptions_Create",
            Api::Translations => "Translations_Create",
        }
    }
}

/// The route and API of `path`, or `None` for a path the emulator does not serve.
pub(crate) fn route(path: &str) -> Option<(Route, Api)> {
    let segments: Vec<&str> = path.split('/').collect();
    let (route, rest) = match segments.as_slice() {
        ["", "openai", "deployments", d, rest @ ..] if !d.is_empty() => {
            (Route::Deployment((*d).to_owned()), rest)
        }
        ["", "openai", "v1", rest @ ..] => (Route::V1, rest),
        _ => return None,
    };
    let api = match rest {
        ["chat", "completions"] => Api::Chat,
        ["audio", "speech"] => Api::Speech,
        ["audio", "transcriptions"] => Api::Transcriptions,
        ["audio", "translations"] => Api::Translations,
        _ => return None,
    };
    Some((route, api))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route("/openai/deployments/gpt-4o-audio-preview/chat/completions"),
            Some((Route::Deployment("gpt-4o-audio-preview".into()), Api::Chat))
        );
        assert_eq!(
            route("/openai/v1/chat/completions"),
            Some((Route::V1, Api::Chat))
        );
        assert_eq!(route("/openai/deployments//chat/completions"), None);
        assert_eq!(route("/openai/deployments/x/completions"), None);
        assert_eq!(route("/"), None);
        assert_eq!(
            route("/openai/deployments/tts/audio/speech"),
            Some((Route::Deployment("tts".into()), Api::Speech))
        );
        assert_eq!(
            route("/openai/v1/audio/transcriptions"),
            Some((Route::V1, Api::Transcriptions))
        );
        assert_eq!(
            route("/openai/deployments/whisper/audio/translations"),
            Some((Route::Deployment("whisper".into()), Api::Translations))
        );
        assert_eq!(route("/openai/v1/audio/speech/extra"), None);
        assert_eq!(route("/openai/v1/audio"), None);
    }
}
