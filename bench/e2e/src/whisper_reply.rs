//! Azure's reply to a whisper transcription with the default `json` format, as recorded
//! (`/work/shared/recordings/audio-api/azure-transcription-json-default.whisper.2024-10-21.recording.json`):
//! its body byte for byte (44 bytes, the recorded Content-Length) and its headers. It carries no
//! `usage`, which async-openai 0.43 requires.

/// The recorded body.
pub const BODY: &str = "{\n  \"text\": \"Hello world, this is a test.\"\n}";

/// The transcript in [`BODY`], which every program prints.
pub const TEXT: &str = "Hello world, this is a test.";

/// The recorded headers, except Content-Length (written from [`BODY`]'s length).
pub const HEADERS: &[(&str, &str)] = &[
    ("apim-request-id", "2e9bb5f2-3fa0-4c27-a05b-69939466a008"),
    ("azureml-model-session", "q94ab35513355-1"),
    ("Content-Type", "application/json"),
    ("csp-billing-usage", "CognitiveServices.OpenAI.Whisper=4"),
    ("Date", "Thu, 05 Dec 2024 01:09:06 GMT"),
    (
        "Strict-Transport-Security",
        "max-age=31536000; includeSubDomains; preload",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("x-ms-client-request-id", "Sanitized"),
    ("x-ms-region", "Sweden Central"),
    ("x-ratelimit-remaining-requests", "25"),
    ("X-Request-ID", "3a92a8d8-d65e-441e-846e-690689364a56"),
];

/// The whole HTTP/1.1 response: status line, headers, body.
pub fn response() -> Vec<u8> {
    let mut out = String::from("HTTP/1.1 200 OK\r\n");
    for (name, value) in HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{BODY}", BODY.len()));
    out.into_bytes()
}
