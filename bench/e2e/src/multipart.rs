//! A streaming check of a `multipart/form-data` body: fed the body in pieces, holding only the
//! last piece and a few bytes more, it finds the parts and compares the `file` part's bytes with
//! the expected file, byte for byte.

/// The boundary of a `multipart/form-data` Content-Type (quoted or not), if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// One part of the body, as seen.
#[derive(Debug)]
pub struct Part {
    /// The `name` of its Content-Disposition.
    pub name: String,
    /// The `filename` of its Content-Disposition.
    pub filename: Option<String>,
    /// Its length in bytes.
    pub len: u64,
    /// Whether its bytes are the expected file's (kept for the part named `file` only).
    pub is_expected_file: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: `--` (the end) or CRLF (headers follow).
    AfterDelimiter,
    /// A part's headers, up to the empty line.
    Headers,
    /// A part's content, up to the next delimiter.
    Content,
    /// After the closing delimiter.
    Done,
}

/// The checker. Feed it with [`Check::feed`], then call [`Check::finish`].
pub struct Check<'a> {
    /// CRLF, `--`, the boundary.
    delimiter: Vec<u8>,
    expected_file: &'a [u8],
    state: State,
    /// Bytes not classified yet.
    pending: Vec<u8>,
    parts: Vec<Part>,
    problem: Option<String>,
}

/// Headers longer than this are refused (a part's headers are a few lines).
const MAX_HEADERS: usize = 16 * 1024;

impl<'a> Check<'a> {
    /// A checker for a body with this boundary whose `file` part must be `expected_file`.
    pub fn new(boundary: &str, expected_file: &'a [u8]) -> Self {
        Check {
            delimiter: [b"\r\n--", boundary.as_bytes()].concat(),
            expected_file,
            state: State::Preamble,
            // The first delimiter has no CRLF before it: start as if it had one.
            pending: b"\r\n".to_vec(),
            parts: Vec::new(),
            problem: None,
        }
    }

    /// The next piece of the body.
    pub fn feed(&mut self, piece: &[u8]) {
        if self.problem.is_some() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(piece);
        let mut at = 0;
        while let Some(used) = self.step(&pending[at..]) {
            at += used;
        }
        pending.drain(..at);
        self.pending = pending;
    }

    /// The parts seen, if the body was well formed and its one `file` part (with a filename) is
    /// the expected file.
    pub fn finish(self) -> Result<Vec<Part>, String> {
        if let Some(p) = self.problem {
            return Err(p);
        }
        if self.state != State::Done {
            return Err("the body ends before the closing delimiter".into());
        }
        let files: Vec<&Part> = self.parts.iter().filter(|p| p.name == "file").collect();
        match files.as_slice() {
            [file] if file.filename.is_none() => Err("the file part has no filename".into()),
            [file] if !file.is_expected_file => Err(format!(
                "the file part is not the input file ({} bytes)",
                self.expected_file.len()
            )),
            [_] => Ok(self.parts),
            _ => Err(format!("{} parts named \"file\", not one", files.len())),
        }
    }
}

impl Check<'_> {
    /// Classifies the start of `buf`; returns how many bytes it used, or None when it needs more.
    fn step(&mut self, buf: &[u8]) -> Option<usize> {
        if self.problem.is_some() {
            return None;
        }
        match self.state {
            State::Preamble | State::Content => match find(buf, &self.delimiter) {
                Some(i) => {
                    self.content(&buf[..i]);
                    self.end_part();
                    self.state = State::AfterDelimiter;
                    Some(i + self.delimiter.len())
                }
                None => {
                    // Keep what could be the start of a delimiter split across pieces.
                    let n = buf.len().checked_sub(self.delimiter.len() - 1)?;
                    self.content(&buf[..n]);
                    (n > 0).then_some(n)
                }
            },
            State::AfterDelimiter => match buf.get(..2)? {
                b"--" => {
                    self.state = State::Done;
                    Some(2)
                }
                // The CRLF is read with the headers (it ends the delimiter's line).
                b"\r\n" => {
                    self.state = State::Headers;
                    Some(0)
                }
                _ => self.fail("a delimiter is followed by neither CRLF nor \"--\"".into()),
            },
            State::Headers => match find(buf, b"\r\n\r\n") {
                Some(i) => {
                    self.start_part(buf.get(2..i).unwrap_or_default());
                    self.state = State::Content;
                    Some(i + 4)
                }
                None if buf.len() > MAX_HEADERS => {
                    self.fail(format!("a part's headers are over {MAX_HEADERS} bytes"))
                }
                None => None,
            },
            // The epilogue is discarded.
            State::Done => (!buf.is_empty()).then_some(buf.len()),
        }
    }

    fn fail(&mut self, why: String) -> Option<usize> {
        self.problem = Some(why);
        None
    }

    fn start_part(&mut self, headers: &[u8]) {
        let headers = String::from_utf8_lossy(headers);
        let disposition = headers.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(v)
        });
        let param = |name: &str| {
            disposition?.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == name).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        let Some(name) = param("name") else {
            self.fail(format!("a part without a name: {headers:?}"));
            return;
        };
        self.parts.push(Part {
            filename: param("filename"),
            is_expected_file: name == "file",
            name,
            len: 0,
        });
    }

    /// Bytes of the current part's content (or of the preamble, discarded).
    fn content(&mut self, bytes: &[u8]) {
        if self.state != State::Content {
            return;
        }
        let Some(part) = self.parts.last_mut() else {
            return;
        };
        let from = part.len as usize;
        part.len += bytes.len() as u64;
        if part.is_expected_file {
            part.is_expected_file = self.expected_file.get(from..from + bytes.len()) == Some(bytes);
        }
    }

    fn end_part(&mut self) {
        if let (State::Content, Some(part)) = (self.state, self.parts.last_mut()) {
            part.is_expected_file &= part.len == self.expected_file.len() as u64;
        }
    }
}

/// Where `needle` (not empty) starts in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|&b| b == needle[0]) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}
