//! Reading a `multipart/form-data` body (with `multer`, axum's parser) into its text fields and
//! its one file part.

use bytes::Bytes;
use hyper::header::{HeaderMap, CONTENT_TYPE};

use super::errors::Failure;

/// The file part of a form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilePart {
    /// The `filename` of its `Content-Disposition`, if any.
    pub(crate) filename: Option<String>,
    /// Its bytes.
    pub(crate) data: Bytes,
}

/// A form: its text fields in order (arrays are one field per element, `name[]`), and the file.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Form {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) file: Option<FilePart>,
}

impl Form {
    /// The last value of field `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of an array field, sent as `name[]` (or as `name`), one part an element.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        let bracketed = format!("{name}[]");
        self.fields
            .iter()
            .filter(|(n, _)| *n == name || *n == bracketed)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Parses `body` as the form its `Content-Type` announces.
pub(crate) async fn parse(headers: &HeaderMap, body: Bytes) -> Result<Form, Failure> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        Failure::invalid(
            format!("Invalid Content-Type header ({content_type}), expected multipart/form-data with a boundary."),
            None,
            "invalid_content_type",
        )
    })?;
    let malformed = |e: multer::Error| {
        Failure::invalid(
            format!("The multipart/form-data body could not be parsed: {e}."),
            None,
            "invalid_multipart",
        )
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(malformed)?;
        if name == "file" {
            form.file = Some(FilePart { filename, data });
        } else {
            let text = String::from_utf8(data.to_vec()).map_err(|_| {
                Failure::invalid(
                    format!("Invalid value for '{name}': not UTF-8 text."),
                    Some(&name),
                    "invalid_value",
                )
            })?;
            form.fields.push((name, text));
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[tokio::test]
    async fn parses_fields_arrays_and_the_file() {
        let body = "--b\r\nContent-Disposition: form-data; name=file; filename=\"a.wav\"\r\n\
                    Content-Type: audio/wav\r\n\r\nRIFF\r\n--b\r\n\
                    Content-Disposition: form-data; name=\"include[]\"\r\n\r\nlogprobs\r\n--b\r\n\
                    Content-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--b--\r\n";
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=b"),
        );
        let form = parse(&headers, Bytes::from(body)).await.unwrap();
        let file = form.file.as_ref().unwrap();
        assert_eq!(
            (file.filename.as_deref(), &file.data[..]),
            (Some("a.wav"), &b"RIFF"[..])
        );
        assert_eq!(form.get("model"), Some("whisper"));
        assert_eq!(form.all("include"), ["logprobs"]);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let e = parse(&headers, Bytes::from(body)).await.unwrap_err();
        assert_eq!(e.status, 400);
    }
}
