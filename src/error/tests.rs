//! The error type's unit tests.
use super::*;

#[test]
fn code_string_or_number_and_inner_error_spellings() {
    let a = ApiError::parse(
        br#"{"error":{"code":429,"message":"slow down","inner_error":{"code":"X"}}}"#,
    );
    assert_eq!(a.code.as_deref(), Some("429"));
    assert_eq!(a.inner_error.unwrap().code.as_deref(), Some("X"));
    let b = ApiError::parse(br#"{"error":{"code":"401","message":"denied"}}"#);
    assert_eq!(b.code.as_deref(), Some("401"));
    assert!(!b.is_content_filter());
}

#[test]
fn display_is_one_line_and_the_cause_is_only_behind_source() {
    use std::error::Error as _;
    let cause = std::io::Error::new(std::io::ErrorKind::TimedOut, "deep cause");
    let e = Error::timeout("no reply within 5 s").with_source(cause);
    assert_eq!(e.to_string(), "timeout: no reply within 5 s");
    assert_eq!(
        e.source().map(|s| s.to_string()).as_deref(),
        Some("deep cause")
    );
    assert!(Error::config("x").source().is_none());
    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
}

#[test]
fn odd_inner_errors_keep_the_code_and_the_content_filter_verdict() {
    // An older shape of custom_blocklists (an array), an unknown category, a string innererror.
    let a = ApiError::parse(
        br#"{"error":{"code":"content_filter","message":"filtered","param":"prompt","status":400,
            "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{
            "custom_blocklists":[{"filtered":true,"id":"b1"}],"hate":{"filtered":true,"severity":"high"},
            "custom_topics":{"filtered":false,"details":[]}}}}}"#,
    );
    assert_eq!(a.code.as_deref(), Some("content_filter"));
    assert!(a.is_content_filter());
    let results = a.content_filter_results().unwrap();
    assert!(results.hate.as_ref().unwrap().filtered);
    assert!(results.custom_blocklists.is_none());
    assert!(results.other.contains_key("custom_blocklists"));
    assert!(results.other.contains_key("custom_topics"));
    assert!(results.any_filtered());

    let b =
        ApiError::parse(br#"{"error":{"code":"500","message":"x","innererror":"oops","param":3}}"#);
    assert_eq!((b.code.as_deref(), b.message.as_str()), (Some("500"), "x"));
    assert_eq!((b.inner_error, b.param, b.raw_body), (None, None, None));
}

#[test]
fn api_management_flat_bodies_keep_their_message() {
    let a = ApiError::parse(
        br#"{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 26 seconds." }"#,
    );
    assert_eq!(a.code.as_deref(), Some("429"));
    assert_eq!(
        a.message,
        "Rate limit is exceeded. Try again in 26 seconds."
    );
    assert_eq!(a.raw_body, None);
    // JSON that is neither shape is kept raw.
    let b = ApiError::parse(br#"{"detail":"nope"}"#);
    assert_eq!(b.raw_body.as_deref(), Some(r#"{"detail":"nope"}"#));
}

#[test]
fn non_json_body_keeps_its_start() {
    let body = format!("<html>{}</html>", "x".repeat(2000));
    let a = ApiError::parse(body.as_bytes());
    assert_eq!(a.raw_body.as_ref().unwrap().len(), RAW_BODY_PREFIX);
    assert!(a.raw_body.unwrap().starts_with("<html>"));
    assert_eq!(a.code, None);
}
