//! Reading an HTTP/1.1 request body piece by piece as it arrives, whatever its framing: nothing is
//! held beyond the reader's own buffer.

use std::io::{self, BufRead};

/// How a request's body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// A `Content-Length` of this many bytes (0 when the request has neither header).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Passes the body to `f` in pieces (as the reader's buffer holds them) and returns its length.
pub fn for_each_piece(
    reader: &mut impl BufRead,
    framing: Framing,
    mut f: impl FnMut(&[u8]),
) -> io::Result<u64> {
    match framing {
        Framing::Length(n) => {
            take(reader, n, &mut f)?;
            Ok(n)
        }
        Framing::Chunked => {
            let mut total = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line)?;
                let size = line.split(';').next().unwrap_or_default().trim();
                let n = u64::from_str_radix(size, 16)
                    .map_err(|_| invalid(format!("bad chunk size line {line:?}")))?;
                if n == 0 {
                    // Trailers, up to the empty line.
                    loop {
                        let mut trailer = String::new();
                        if reader.read_line(&mut trailer)? == 0 || trailer.trim_end().is_empty() {
                            return Ok(total);
                        }
                    }
                }
                take(reader, n, &mut f)?;
                total += n;
                let mut crlf = [0u8; 2];
                reader.read_exact(&mut crlf)?;
                if &crlf != b"\r\n" {
                    return Err(invalid("a chunk's data is not followed by CRLF".into()));
                }
            }
        }
    }
}

/// Passes the next `n` bytes to `f`.
fn take(reader: &mut impl BufRead, mut n: u64, f: &mut impl FnMut(&[u8])) -> io::Result<()> {
    while n > 0 {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let k = buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
        f(&buf[..k]);
        reader.consume(k);
        n -= k as u64;
    }
    Ok(())
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}
