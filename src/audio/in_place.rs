//! Decoding a reply's audio over its own base64 text, in the body's buffer.
//!
//! Base64 shrinks as it decodes (4 characters give 3 bytes), so each audio string can be decoded
//! into the very bytes that held its text: no second buffer, and the peak memory of reading a
//! reply is the body alone. While [`parse`] runs, [`AudioData`]'s `Deserialize` does not decode:
//! it notes where its (borrowed, unescaped) text lies in the body and returns a stand-in; once the
//! whole value has parsed, each stand-in is replaced by its audio, decoded in place.

use std::cell::RefCell;
use std::ops::Range;

use base64::Engine as _;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::output::{AudioData, BASE64_LENIENT};
use crate::error::{Error, Result};

thread_local! {
    /// While [`parse`] runs on this thread: the body's address range, and the audio texts seen.
    static DEFERRING: RefCell<Option<Deferring>> = const { RefCell::new(None) };
}

struct Deferring {
    start: usize,
    end: usize,
    found: Vec<Range<usize>>,
}

/// Characters of base64 decoded at a time: a multiple of 4, so blocks split between groups.
const BLOCK: usize = 8 * 1024;

/// What a deferred [`AudioData`] holds until [`parse`] replaces it; recognised by its address.
static PENDING: [u8; 1] = [0];

/// Called by `AudioData`'s `Deserialize` with borrowed text: if a [`parse`] of the body that
/// holds `text` is running, notes where it is and returns the stand-in.
pub(crate) fn defer(text: &str) -> Option<AudioData> {
    DEFERRING.with(|d| {
        let mut d = d.borrow_mut();
        let d = d.as_mut()?;
        let at = text.as_ptr() as usize;
        if at < d.start || at + text.len() > d.end {
            return None;
        }
        d.found.push(at - d.start..at - d.start + text.len());
        Some(AudioData::new(Bytes::from_static(&PENDING)))
    })
}

fn is_pending(audio: &AudioData) -> bool {
    std::ptr::eq(audio.as_bytes().as_ptr(), PENDING.as_ptr())
}

/// Parses `body` as JSON into `T`, decoding its audio in place. `slots` lists the value's audio
/// fields in document order (for a chat completion: each choice's `message.audio.data`).
/// `what` is the message of a parse error.
pub(crate) fn parse<T: DeserializeOwned>(
    mut body: Vec<u8>,
    what: &'static str,
    slots: impl FnOnce(&mut T) -> Vec<&mut AudioData>,
) -> Result<T> {
    let start = body.as_ptr() as usize;
    DEFERRING.with(|d| {
        *d.borrow_mut() = Some(Deferring {
            start,
            end: start + body.len(),
            found: Vec::new(),
        })
    });
    let parsed = serde_json::from_slice::<T>(&body);
    let found = DEFERRING
        .with(|d| d.borrow_mut().take())
        .map(|d| d.found)
        .unwrap_or_default();
    let mut value = parsed.map_err(|e| Error::decode(what).with_source(e))?;
    if found.is_empty() {
        return Ok(value);
    }
    let mut pending: Vec<&mut AudioData> = slots(&mut value)
        .into_iter()
        .filter(|a| is_pending(a))
        .collect();
    let in_order = found.windows(2).all(|w| w[0].end <= w[1].start);
    if pending.len() != found.len() || !in_order {
        // Not the shape `slots` describes: parse again, decoding as usual (the body is intact).
        drop(pending);
        return serde_json::from_slice(&body).map_err(|e| Error::decode(what).with_source(e));
    }
    let mut decoded = Vec::with_capacity(found.len());
    for text in found {
        decoded.push(decode_over(&mut body, text)?);
    }
    if let [only] = &decoded[..] {
        // One audio (the usual reply): give back what follows it; what precedes it (the reply's
        // first fields, a few hundred bytes) stays with it rather than moving the audio.
        body.truncate(only.end);
        body.shrink_to_fit();
        *pending[0] = AudioData::new(Bytes::from(body).slice(only.clone()));
    } else {
        let shared = Bytes::from(body);
        for (slot, range) in pending.iter_mut().zip(decoded) {
            **slot = AudioData::new(shared.slice(range));
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

    fn slots(t: &mut Two) -> Vec<&mut AudioData> {
        let mut v = vec![&mut t.a];
        v.extend(t.b.as_mut());
        v
    }

    #[test]
    fn parse_fills_every_audio_field() {
        let (x, y) = (noise(10_000), noise(7));
        let e = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        // Two audios share the body; an escaped one is decoded as usual.
        let body = format!("{{\"a\":\"{}\",\"b\":\"{}\"}}", e(&x), e(&y));
        let two: Two = parse(body.into_bytes(), "bad", slots).unwrap();
        assert_eq!(
            (two.a.as_bytes(), two.b.unwrap().as_bytes()),
            (&x[..], &y[..])
        );
        let body = format!("{{\"a\":\"{}\"}}", e(&x).replace('/', "\\/"));
        let one: Two = parse(body.into_bytes(), "bad", slots).unwrap();
        assert_eq!(one.a.as_bytes(), &x[..]);
        // One audio after a null one.
        let body = format!("{{\"b\":null,\"a\":\"{}\"}}", e(&x));
        let one: Two = parse(body.into_bytes(), "bad", slots).unwrap();
        assert_eq!(one.a.as_bytes(), &x[..]);
        assert!(!is_pending(&one.a));
        // Outside `parse`, nothing is deferred.
        let plain: Two = serde_json::from_str(&format!("{{\"a\":\"{}\"}}", e(&y))).unwrap();
        assert_eq!(plain.a.as_bytes(), &y[..]);
    }

    #[test]
    fn a_slots_function_that_misses_a_field_falls_back_to_plain_decoding() {
        let x = noise(100);
        let e = base64::engine::general_purpose::STANDARD.encode(&x);
        let body = format!("{{\"a\":\"{e}\",\"b\":\"{e}\"}}");
        let two: Two = parse(body.into_bytes(), "bad", |t: &mut Two| vec![&mut t.a]).unwrap();
        assert_eq!(two.a.as_bytes(), &x[..]);
        assert_eq!(two.b.unwrap().as_bytes(), &x[..]);
    }

    #[test]
    fn errors_are_typed_and_leave_nothing_deferred() {
        let e = parse::<Two>(b"{\"a\":\"AA!A\"}".to_vec(), "bad", slots).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        let e = parse::<Two>(b"{\"a\":".to_vec(), "not json", slots).unwrap_err();
        assert!(e.to_string().contains("not json"), "{e}");
        assert!(DEFERRING.with(|d| d.borrow().is_none()));
    }
}
