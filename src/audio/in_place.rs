//! Decoding a reply's audio over its own base64 text, in the body's buffer.
//!
//! Base64 shrinks as it decodes (4 characters give 3 bytes), so each audio string can be decoded
//! into the very bytes that held its text: no second buffer, and the peak memory of reading a
//! reply is the body alone. [`parse`] does it in three explicit steps, with no state in serde:
//! a private wire type borrowed from the body finds where each audio's text lies (its offsets);
//! the value is parsed from the JSON without those texts (the audio fields read as `""`); then
//! each text is decoded in place and its bytes put in the value's audio field.

use std::ops::Range;

use base64::Engine as _;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::output::{AudioData, BASE64_LENIENT};
use crate::error::{Error, Result};

/// Characters of base64 decoded at a time: a multiple of 4, so blocks split between groups.
const BLOCK: usize = 8 * 1024;

/// An audio's base64 text in a wire type: borrowed from the body when it has no escapes (then
/// [`range_in`](AudioText::range_in) finds it), else unescaped into a `String`.
///
/// (A `Cow<str>` would not do: serde borrows it only outside an `Option`.)
pub(crate) enum AudioText<'a> {
    Borrowed(&'a str),
    Unescaped,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for AudioText<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = AudioText<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("base64 audio")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(AudioText::Borrowed(v))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
                Ok(AudioText::Unescaped)
            }
        }
        d.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

impl AudioText<'_> {
    /// Where the text lies in `body` (the buffer it was borrowed from), if it was borrowed.
    pub(crate) fn range_in(&self, body: &[u8]) -> Option<Range<usize>> {
        let AudioText::Borrowed(text) = self else {
            return None;
        };
        let start = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
        let end = start.checked_add(text.len())?;
        (end <= body.len()).then_some(start..end)
    }
}

/// Parses `body` as JSON into `T`, decoding its audio in place.
///
/// `locate` reads the body through a borrowed wire type and lists the value's audio fields in
/// document order, each with the range of its base64 text when serde_json could borrow it
/// (`None` for an absent audio, or one whose text has escapes: that one is decoded as usual).
/// `slots` lists the same fields of the parsed value, in the same order. If `locate` cannot
/// read the body, it is parsed as usual (and its error, if any, reported). `what` is the message
/// of a parse error.
pub(crate) fn parse<T: DeserializeOwned>(
    mut body: Vec<u8>,
    what: &'static str,
    locate: impl FnOnce(&[u8]) -> Option<Vec<Option<Range<usize>>>>,
    slots: impl FnOnce(&mut T) -> Vec<Option<&mut AudioData>>,
) -> Result<T> {
    let plain =
        |body: &[u8]| serde_json::from_slice(body).map_err(|e| Error::decode(what).with_source(e));
    let Some(located) = locate(&body) else {
        return plain(&body);
    };
    let texts: Vec<Range<usize>> = located.iter().flatten().cloned().collect();
    let in_order = texts.windows(2).all(|w| w[0].end <= w[1].start);
    if texts.is_empty() || !in_order {
        return plain(&body);
    }
    // The JSON without the audio texts: a few hundred bytes for a usual reply.
    let audio_len: usize = texts.iter().map(|t| t.len()).sum();
    let mut rest = Vec::with_capacity(body.len().saturating_sub(audio_len));
    let mut from = 0;
    for text in &texts {
        rest.extend_from_slice(body.get(from..text.start).unwrap_or_default());
        from = text.end;
    }
    rest.extend_from_slice(body.get(from..).unwrap_or_default());
    let mut value: T = plain(&rest)?;
    drop(rest);

    let misplaced = || Error::decode(what);
    let fields = slots(&mut value);
    if fields.len() != located.len() {
        return Err(misplaced());
    }
    let mut targets = Vec::with_capacity(texts.len());
    for (field, text) in fields.into_iter().zip(located) {
        match (field, text) {
            (Some(field), Some(text)) => targets.push((field, text)),
            (None, Some(_)) => return Err(misplaced()),
            (_, None) => {}
        }
    }
    let mut decoded = Vec::with_capacity(targets.len());
    for (_, text) in &targets {
        decoded.push(decode_over(&mut body, text.clone())?);
    }
    if let ([(field, _)], [only]) = (&mut targets[..], &decoded[..]) {
        // One audio (the usual reply): give back what follows it; what precedes it (the reply's
        // first fields, a few hundred bytes) stays with it rather than moving the audio.
        body.truncate(only.end);
        body.shrink_to_fit();
        **field = AudioData::new(Bytes::from(body).slice(only.clone()));
    } else {
        let shared = Bytes::from(body);
        for ((field, _), range) in targets.into_iter().zip(decoded) {
            *field = AudioData::new(shared.slice(range));
        }
    }
    Ok(value)
}

/// Decodes the base64 text at `text` in `buf` over itself; returns where its bytes now are.
///
/// The bytes (3 for every 4 characters) are written behind the text still to be read. Once they
/// are a block's worth behind, each block decodes straight from the text; before that (the first
/// few blocks), through a copy of the block.
fn decode_over(buf: &mut [u8], text: Range<usize>) -> Result<Range<usize>> {
    const BYTES: usize = BLOCK / 4 * 3;
    let invalid = || Error::decode("the reply's audio is not valid base64");
    let mut chars = [0u8; BLOCK];
    let mut bytes = [0u8; BYTES];
    let (mut read, mut write) = (text.start, text.start);
    while read < text.end {
        let n = (text.end - read).min(BLOCK);
        // Padding may only end the whole text, not a block inside it.
        if read + n < text.end && buf[read + n - 1] == b'=' {
            return Err(invalid());
        }
        let m = if read - write >= BYTES {
            let (done, rest) = buf.split_at_mut(read);
            BASE64_LENIENT.decode_slice(&rest[..n], &mut done[write..])
        } else {
            chars[..n].copy_from_slice(&buf[read..read + n]);
            BASE64_LENIENT
                .decode_slice(&chars[..n], &mut bytes)
                .inspect(|&m| buf[write..write + m].copy_from_slice(&bytes[..m]))
        }
        .map_err(|e| invalid().with_source(e))?;
        read += n;
        write += m;
    }
    Ok(text.start..write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7919 % 251) as u8).collect()
    }

    #[test]
    fn decodes_over_its_own_text_at_every_length_around_a_block() {
        for len in [
            0, 1, 2, 3, 4, 5, 6, 8, 9, 6143, 6144, 6145, 6146, 20_000, 100_001,
        ] {
            let audio = noise(len);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&audio);
            for text in [b64.clone(), b64.trim_end_matches('=').to_owned()] {
                let mut buf = format!("{{\"data\":\"{text}\"}}").into_bytes();
                let at = 9..9 + text.len();
                let out = decode_over(&mut buf, at).unwrap();
                assert_eq!(&buf[out], &audio[..], "len {len}");
            }
        }
    }

    #[test]
    fn refuses_padding_inside_and_bad_characters() {
        // A block that alone is valid base64 ending in padding, with text after it: the first
        // block (decoded through a copy) and the fifth (decoded straight).
        for blocks_before in [0, 4] {
            let mut text = "AAAA".repeat(BLOCK / 4 * (blocks_before + 1) - 1);
            text.push_str("AA==AAAA");
            let mut buf = text.clone().into_bytes();
            assert!(decode_over(&mut buf, 0..text.len()).is_err());
        }
        let mut buf = b"AA!A".to_vec();
        assert!(decode_over(&mut buf, 0..4).is_err());
    }

    #[derive(serde::Deserialize, Debug)]
    struct Two {
        a: AudioData,
        #[serde(default)]
        b: Option<AudioData>,
    }

    /// `Two` as far as its audio, borrowed from the body.
    #[derive(serde::Deserialize)]
    struct WireTwo<'a> {
        #[serde(borrow, default)]
        a: Option<AudioText<'a>>,
        #[serde(borrow, default)]
        b: Option<AudioText<'a>>,
    }

    fn locate(body: &[u8]) -> Option<Vec<Option<Range<usize>>>> {
        let wire: WireTwo = serde_json::from_slice(body).ok()?;
        let at = |t: Option<AudioText>| t?.range_in(body);
        Some(vec![at(wire.a), at(wire.b)])
    }

    fn slots(t: &mut Two) -> Vec<Option<&mut AudioData>> {
        vec![Some(&mut t.a), t.b.as_mut()]
    }

    #[test]
    fn parse_fills_every_audio_field() {
        let (x, y) = (noise(10_000), noise(7));
        let e = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        // Two audios share the body; an escaped one is decoded as usual.
        let body = format!("{{\"a\":\"{}\",\"b\":\"{}\"}}", e(&x), e(&y));
        let two: Two = parse(body.into_bytes(), "bad", locate, slots).unwrap();
        assert_eq!(
            (two.a.as_bytes(), two.b.unwrap().as_bytes()),
            (&x[..], &y[..])
        );
        let body = format!("{{\"a\":\"{}\"}}", e(&x).replace('/', "\\/"));
        let one: Two = parse(body.into_bytes(), "bad", locate, slots).unwrap();
        assert_eq!(one.a.as_bytes(), &x[..]);
        // One audio after a null one.
        let body = format!("{{\"b\":null,\"a\":\"{}\"}}", e(&x));
        let one: Two = parse(body.into_bytes(), "bad", locate, slots).unwrap();
        assert_eq!(one.a.as_bytes(), &x[..]);
        assert!(one.b.is_none());
        // Plain serde decodes as usual.
        let plain: Two = serde_json::from_str(&format!("{{\"a\":\"{}\"}}", e(&y))).unwrap();
        assert_eq!(plain.a.as_bytes(), &y[..]);
    }

    #[test]
    fn a_field_the_wire_type_misses_is_decoded_as_usual() {
        let x = noise(100);
        let e = base64::engine::general_purpose::STANDARD.encode(&x);
        let body = format!("{{\"a\":\"{e}\",\"b\":\"{e}\"}}");
        let only_a = |body: &[u8]| {
            locate(body).map(|mut v| {
                v[1] = None;
                v
            })
        };
        let two: Two = parse(body.into_bytes(), "bad", only_a, slots).unwrap();
        assert_eq!(two.a.as_bytes(), &x[..]);
        assert_eq!(two.b.unwrap().as_bytes(), &x[..]);
    }

    #[test]
    fn errors_are_typed() {
        let e = parse::<Two>(b"{\"a\":\"AA!A\"}".to_vec(), "bad", locate, slots).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        let e = parse::<Two>(b"{\"a\":".to_vec(), "not json", locate, slots).unwrap_err();
        assert!(e.to_string().contains("not json"), "{e}");
        // A wire type that finds an audio the value does not have.
        let body = b"{\"a\":\"AAAA\",\"b\":\"AAAA\"}".to_vec();
        let e = parse::<Two>(body, "misplaced", locate, |t: &mut Two| {
            vec![Some(&mut t.a), None]
        })
        .unwrap_err();
        assert!(e.to_string().contains("misplaced"), "{e}");
    }
}
