//! For the unit tests of every typed stream: the recordings in `tests/fixtures`, and decoding a
//! body under every split of its bytes.

use super::*;

/// The first entry of a recording in `tests/fixtures/recordings/audio-api/`.
pub(crate) fn recorded_entry(file: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/recordings/audio-api/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("the recordings are next to the crate");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["Entries"][0].clone()
}

/// A recorded text body (stored as a list of its lines), joined.
pub(crate) fn recorded_text_body(file: &str) -> String {
    recorded_entry(file)["ResponseBody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect()
}

/// The items of a body pushed in `pieces`, and the error that ended it, if any.
pub(crate) fn decode_pieces<T: SseItem>(pieces: &[&[u8]]) -> (Vec<T>, Option<Error>) {
    let mut d = EventDecoder::<T>::new(ResponseMetadata {
        status: 200,
        x_request_id: Some("req-1".into()),
        ..ResponseMetadata::default()
    });
    let mut items = Vec::new();
    for piece in pieces {
        d.push(piece);
        while let Some(item) = d.next_item() {
            match item {
                Ok(item) => items.push(item),
                Err(e) => return (items, Some(e)),
            }
        }
    }
    while let Some(item) = d.finish() {
        match item {
            Ok(item) => items.push(item),
            Err(e) => return (items, Some(e)),
        }
    }
    (items, None)
}

/// Decodes `body` whole, then split in two at every byte and one byte at a time, and checks
/// every way gives the same items and the same error (by kind and message).
pub(crate) fn decode_under_every_split<T: SseItem + PartialEq + std::fmt::Debug>(
    body: &[u8],
) -> (Vec<T>, Option<Error>) {
    let outcome =
        |(items, err): (Vec<T>, Option<Error>)| (items, err.map(|e| (e.kind(), e.to_string())));
    let whole = outcome(decode_pieces::<T>(&[body]));
    for i in 0..=body.len() {
        let split = outcome(decode_pieces::<T>(&[&body[..i], &body[i..]]));
        assert_eq!(split, whole, "split at {i}");
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(
        outcome(decode_pieces::<T>(&bytes)),
        whole,
        "one byte at a time"
    );
    decode_pieces::<T>(&[body])
}
