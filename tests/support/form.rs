//! Reading a `multipart/form-data` body part by part with a real parser (multer, axum's), as a
//! server does.
#![allow(dead_code)]

/// One part as multer reads it: name, filename, content type, bytes.
pub type Part = (String, Option<String>, Option<String>, Vec<u8>);

/// The parts of `body`, sent with `content_type` (which names the boundary).
pub async fn parse(content_type: &str, body: Vec<u8>) -> Vec<Part> {
    let boundary = multer::parse_boundary(content_type).unwrap();
    let stream =
        futures_util::stream::once(
            async move { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) },
        );
    let mut form = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.unwrap() {
        let name = field.name().unwrap().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        parts.push((
            name,
            filename,
            content_type,
            field.bytes().await.unwrap().to_vec(),
        ));
    }
    parts
}

/// The text fields of `parts` after the first (the file), as (name, value).
pub fn text_fields(parts: &[Part]) -> Vec<(String, String)> {
    parts
        .iter()
        .skip(1)
        .map(|(name, filename, content_type, value)| {
            assert_eq!(
                (filename, content_type),
                (&None, &None),
                "{name} is a text field"
            );
            (name.clone(), String::from_utf8(value.clone()).unwrap())
        })
        .collect()
}
