//! An incremental Server-Sent Events parser: bytes in, events out. Pure, no I/O.
//!
//! It follows the event-stream grammar of the HTML standard: lines end in LF, CRLF or CR (a line
//! end may be cut across reads), `:` starts a comment, `field: value` strips one space after the
//! colon, several `data` lines join with `\n`, a blank line dispatches the event. A leading UTF-8
//! BOM is skipped. Unlike a browser, [`SseParser::finish`] also dispatches a last event that has
//! no blank line after it, because a stream that ends is over.

use std::fmt;

/// The largest event (all its lines) the parser buffers; a bigger one is an error rather than
/// unbounded memory.
pub(crate) const MAX_EVENT_BYTES: usize = 64 * 1024 * 1024;

/// One dispatched event.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event` field, if the event had one.
    pub(crate) event: Option<String>,
    /// The `data` lines joined with `\n`, as bytes (usually JSON).
    pub(crate) data: Vec<u8>,
}

impl fmt::Debug for SseEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Data can be large base64 audio: show its length only.
        f.debug_struct("SseEvent")
            .field("event", &self.event)
            .field("data_len", &self.data.len())
            .finish()
    }
}

/// The event being read grew past [`MAX_EVENT_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventTooLarge;

/// The parser's state between reads.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes received and not yet consumed: at most one partial line after `next_event` returns `None`.
    buf: Vec<u8>,
    /// Where unconsumed bytes start in `buf`.
    pos: usize,
    /// `buf[pos..searched]` has no line end: a long line sent in small reads is scanned once.
    searched: usize,
    /// The previous line ended in CR: an LF at the start of the next read belongs to it.
    skip_lf: bool,
    /// Nothing has been read yet (a BOM may still come).
    started: bool,
    /// `data` lines of the current event, each followed by `\n`.
    data: Vec<u8>,
    /// The current event has at least one `data` line.
    has_data: bool,
    /// The `event` field of the current event.
    event: Option<String>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds bytes from the stream; call [`next_event`](Self::next_event) until it returns `None`.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            (self.pos, self.searched) = (0, 0);
        } else if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.searched = self.searched.saturating_sub(self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete event in the bytes pushed so far.
    pub(crate) fn next_event(&mut self) -> Result<Option<SseEvent>, EventTooLarge> {
        loop {
            if !self.started {
                if !self.skip_bom() {
                    return Ok(None);
                }
                self.started = true;
            }
            if self.skip_lf && self.pos < self.buf.len() {
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                self.skip_lf = false;
            }
            let from = self.searched.max(self.pos);
            let unsearched = &self.buf[from..];
            let Some(end) = unsearched.iter().position(|&b| b == b'\n' || b == b'\r') else {
                self.searched = self.buf.len();
                if self.buf.len() - self.pos + self.data.len() > MAX_EVENT_BYTES {
                    return Err(EventTooLarge);
                }
                return Ok(None);
            };
            let line_start = self.pos;
            let line_end = from + end;
            self.skip_lf = self.buf[line_end] == b'\r';
            self.pos = line_end + 1;
            if let Some(event) = self.line(line_start, line_end)? {
                return Ok(Some(event));
            }
        }
    }

    /// The stream ended: the last line (if unterminated) and the last event (if undispatched).
    pub(crate) fn finish(&mut self) -> Result<Option<SseEvent>, EventTooLarge> {
        let mut last = None;
        if self.pos < self.buf.len() {
            let (start, end) = (self.pos, self.buf.len());
            self.pos = end;
            last = self.line(start, end)?;
        }
        self.buf.clear();
        (self.pos, self.searched) = (0, 0);
        match last {
            Some(event) => Ok(Some(event)),
            None => Ok(self.dispatch()),
        }
    }

    /// Bytes the parser holds on to (its buffers' capacity).
    #[cfg(test)]
    pub(crate) fn buffered_capacity(&self) -> usize {
        self.buf.capacity() + self.data.capacity()
    }

    /// Skips a UTF-8 BOM at the very start. False while too few bytes have arrived to tell.
    fn skip_bom(&mut self) -> bool {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let rest = &self.buf[self.pos..];
        let n = rest.len().min(BOM.len());
        if rest[..n] != BOM[..n] {
            return true;
        }
        if n < BOM.len() {
            return false;
        }
        self.pos += BOM.len();
        true
    }

    /// Processes the line `buf[start..end]` (without its line end).
    fn line(&mut self, start: usize, end: usize) -> Result<Option<SseEvent>, EventTooLarge> {
        let line = &self.buf[start..end];
        if line.is_empty() {
            return Ok(self.dispatch());
        }
        if line[0] == b':' {
            return Ok(None);
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                if self.data.len() + value.len() > MAX_EVENT_BYTES {
                    return Err(EventTooLarge);
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            // `id` and `retry` only matter for reconnecting, which a POST stream never does.
            _ => {}
        }
        Ok(None)
    }

    /// Ends the current event; `None` when it had no data (such events are not dispatched).
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !std::mem::take(&mut self.has_data) {
            self.data.clear();
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the `\n` after the last data line
        Some(SseEvent { event, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_pieces(pieces: &[&[u8]]) -> Vec<(Option<String>, String)> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for piece in pieces {
            p.push(piece);
            while let Some(e) = p.next_event().unwrap() {
                out.push(e);
            }
        }
        out.extend(p.finish().unwrap());
        out.into_iter()
            .map(|e| (e.event, String::from_utf8(e.data).unwrap()))
            .collect()
    }

    fn parse_all_splits(input: &[u8]) -> Vec<(Option<String>, String)> {
        let whole = parse_pieces(&[input]);
        for i in 0..=input.len() {
            assert_eq!(
                parse_pieces(&[&input[..i], &input[i..]]),
                whole,
                "split at {i}"
            );
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(parse_pieces(&bytes), whole, "one byte at a time");
        whole
    }

    fn data(s: &str) -> (Option<String>, String) {
        (None, s.to_owned())
    }

    #[test]
    fn lf_crlf_and_cr_line_ends_under_every_split() {
        for sep in ["\n", "\r\n", "\r"] {
            let text = "data: one\n\ndata: two\n\n".replace('\n', sep);
            assert_eq!(
                parse_all_splits(text.as_bytes()),
                vec![data("one"), data("two")],
                "{sep:?}"
            );
        }
    }

    #[test]
    fn comments_fields_and_multi_line_data() {
        let text = b": keep-alive\n\nevent: error\ndata: {\"a\":\ndata:1}\nid: 7\nretry: 10\n\n:x\ndata\n\n";
        assert_eq!(
            parse_all_splits(text),
            vec![
                (Some("error".into()), "{\"a\":\n1}".into()),
                data(""), // `data` with no colon is an empty data line
            ]
        );
    }

    #[test]
    fn only_one_space_is_stripped_and_events_without_data_are_not_dispatched() {
        let text = b"data:  two spaces\n\nevent: ping\n\ndata:x\n\n";
        assert_eq!(parse_all_splits(text), vec![data(" two spaces"), data("x")]);
    }

    #[test]
    fn last_event_without_blank_line_is_dispatched_at_the_end() {
        assert_eq!(
            parse_all_splits(b"data: a\n\ndata: [DONE]"),
            vec![data("a"), data("[DONE]")]
        );
        assert_eq!(
            parse_all_splits(b"data: a\n\ndata: [DONE]\r\n"),
            vec![data("a"), data("[DONE]")]
        );
    }

    #[test]
    fn bom_is_skipped_and_utf8_cut_across_reads_survives() {
        let text = "\u{FEFF}data: caf\u{e9} \u{1F415}\n\n";
        assert_eq!(parse_all_splits(text.as_bytes()), vec![data("café 🐕")]);
    }

    #[test]
    fn debug_hides_data() {
        let e = SseEvent {
            event: None,
            data: vec![b'A'; 5000],
        };
        assert_eq!(format!("{e:?}"), "SseEvent { event: None, data_len: 5000 }");
    }

    #[test]
    fn a_long_line_in_one_byte_reads_is_scanned_once() {
        let mut p = SseParser::new();
        let line = format!("data: {}\n\n", "A".repeat(100_000));
        for b in line.as_bytes() {
            p.push(std::slice::from_ref(b));
            if let Some(e) = p.next_event().unwrap() {
                assert_eq!(e.data.len(), 100_000);
                return;
            }
            assert!(p.searched >= p.pos);
        }
        panic!("no event");
    }

    #[test]
    fn buffer_does_not_grow_with_the_stream() {
        let mut p = SseParser::new();
        let event = b"data: 0123456789012345678901234567890123456789\n\n";
        for _ in 0..10_000 {
            p.push(event);
            assert!(p.next_event().unwrap().is_some());
            assert!(p.next_event().unwrap().is_none());
        }
        assert!(p.buf.capacity() < 4 * event.len());
    }

    #[test]
    fn an_event_of_exactly_the_limit_is_buffered_and_one_byte_more_is_an_error() {
        let mut p = SseParser::new();
        p.push(b"data: ");
        p.push(&vec![b'A'; MAX_EVENT_BYTES - 6]);
        assert_eq!(
            p.next_event(),
            Ok(None),
            "exactly the limit, no line end yet"
        );
        p.push(b"A");
        assert_eq!(p.next_event(), Err(EventTooLarge));
    }

    #[test]
    fn data_lines_that_add_up_past_the_limit_are_an_error() {
        let mut p = SseParser::new();
        let line = format!("data: {}\n", "A".repeat(MAX_EVENT_BYTES / 2));
        p.push(line.as_bytes());
        assert_eq!(p.next_event(), Ok(None));
        p.push(line.as_bytes());
        assert_eq!(p.next_event(), Err(EventTooLarge));
    }
}
