//! Decoded audio from a reply.

use std::fmt;
use std::ops::Deref;

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Audio bytes decoded from the service's base64. `Debug` shows the length, never the bytes.
///
/// Derefs to `[u8]`; cheap to clone.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AudioData(Bytes);

impl AudioData {
    /// Wraps bytes that are already decoded.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        AudioData(bytes.into())
    }

    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The decoded bytes, without a copy.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// Decodes standard base64 (padding optional) into audio bytes.
    pub(crate) fn decode_base64(text: &str) -> Result<Self, base64::DecodeError> {
        // Sized once, exactly for unpadded text of whole quads (as audio deltas come): the bytes
        // then become a `Bytes` without a second allocation.
        let mut out = Vec::with_capacity(base64::decoded_len_estimate(text.len()));
        BASE64_LENIENT.decode_vec(text.as_bytes(), &mut out)?;
        Ok(AudioData(Bytes::from(out)))
    }
}

/// Standard alphabet, padding accepted but not required.
pub(crate) const BASE64_LENIENT: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );

impl From<Vec<u8>> for AudioData {
    fn from(bytes: Vec<u8>) -> Self {
        AudioData::new(bytes)
    }
}

impl From<&[u8]> for AudioData {
    /// Copies the bytes.
    fn from(bytes: &[u8]) -> Self {
        AudioData::new(Bytes::copy_from_slice(bytes))
    }
}

impl Deref for AudioData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for AudioData {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AudioData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AudioData(<{} bytes>)", self.0.len())
    }
}

impl Serialize for AudioData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for AudioData {
    /// Decodes the base64 text, borrowed from the input (not copied into a `String`) whenever it
    /// has no JSON escapes. A reply read by the client is instead decoded over its own text in
    /// the body's buffer (see `audio::in_place`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = AudioData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 audio")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AudioData, E> {
                AudioData::decode_base64(v)
                    .map_err(|e| E::custom(format_args!("audio data is not valid base64: {e}")))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<AudioData, E> {
                Ok(AudioData::default())
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_length_only() {
        let a = AudioData::new(vec![1u8; 1000]);
        assert_eq!(format!("{a:?}"), "AudioData(<1000 bytes>)");
    }

    #[test]
    fn decodes_with_or_without_padding() {
        let a: AudioData = serde_json::from_str("\"AAEC\"").unwrap();
        assert_eq!(a.as_bytes(), &[0, 1, 2]);
        let b: AudioData = serde_json::from_str("\"AAE\"").unwrap();
        assert_eq!(b.as_bytes(), &[0, 1]);
        assert!(serde_json::from_str::<AudioData>("\"!!\"").is_err());
    }
}
