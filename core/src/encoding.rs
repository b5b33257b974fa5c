//! The text encoding of a record file: UTF-8 with or without a byte order mark, UTF-16 with one,
//! or — what Excel writes for "CSV" on Chinese Windows — GBK/GB18030, detected from the first
//! bytes or named by the caller. Everything else is decoded to UTF-8 on the fly, so the readers
//! only ever see UTF-8; bytes that do not decode are an error naming their line.
//!
//! The rule, in order:
//! 1. a byte order mark decides (UTF-8, UTF-16LE, UTF-16BE) and is dropped;
//! 2. else the encoding the caller named ([`encoding_for_label`]);
//! 3. else UTF-8 if the first 64 KiB are valid UTF-8;
//! 4. else the guess of a detector (`chardetng`) when it is a Chinese encoding (GBK, GB18030,
//!    Big5); any other guess is only offered as a hint in the error, since a wrong guess would
//!    read every value wrong without a word.

use crate::error::ReadError;
use encoding_rs::{DecoderResult, Encoding, BIG5, GB18030, GBK, UTF_8};
use std::io::{BufRead, BufReader, Read};

/// Bytes looked at to detect the encoding.
const SAMPLE: usize = 1 << 16;

/// The encoding named by a label such as `gbk`, `gb18030`, `utf-16le`, `big5` or `utf-8`
/// (the WHATWG labels; case and surrounding spaces do not matter).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label_no_replacement(label.trim().as_bytes()).ok_or_else(|| {
        format!(
            "`{}` is not a known text encoding (try utf-8, gbk, gb18030, utf-16le, big5)",
            crate::excerpt(label, 40)
        )
    })
}

/// A reader of UTF-8 text over `reader`, whatever its encoding (see the module docs), and the
/// encoding it was read as.
pub(crate) fn utf8_reader(
    reader: impl Read + Send + 'static,
    named: Option<&'static Encoding>,
    file: &str,
) -> Result<(Box<dyn BufRead + Send>, &'static Encoding), ReadError> {
    let mut buffered = BufReader::with_capacity(SAMPLE, reader);
    let io = |source| ReadError::Io {
        file: file.to_string(),
        source,
    };
    let mut head = fill_sample(&mut buffered).map_err(io)?;
    let (encoding, skip) = match Encoding::for_bom(&head) {
        Some((encoding, bom)) => (encoding, bom),
        None => match named {
            Some(encoding) => (encoding, 0),
            None => (detect(&head, file)?, 0),
        },
    };
    // The sample, without its byte order mark, is put back in front of the rest of the stream.
    head.drain(..skip.min(head.len()));
    let rest = std::io::Cursor::new(head).chain(buffered);
    let rest = BufReader::with_capacity(SAMPLE, rest);
    if encoding == UTF_8 {
        return Ok((Box::new(rest), encoding));
    }
    let decoding = Decoding {
        inner: rest,
        decoder: encoding.new_decoder_without_bom_handling(),
        encoding,
        out: Vec::with_capacity(SAMPLE * 3),
        at: 0,
        lines: 0,
        done: false,
    };
    Ok((
        Box::new(BufReader::with_capacity(SAMPLE, decoding)),
        encoding,
    ))
}

/// Up to [`SAMPLE`] first bytes (a reader may hand them out in several reads).
fn fill_sample(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SAMPLE);
    reader.take(SAMPLE as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The encoding of a sample without a byte order mark.
fn detect(head: &[u8], file: &str) -> Result<&'static Encoding, ReadError> {
    match std::str::from_utf8(head) {
        Ok(_) => return Ok(UTF_8),
        // Cut inside a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() => return Ok(UTF_8),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(head, head.len() < SAMPLE);
    let guess = detector.guess(None, false);
    if guess == GBK || guess == GB18030 {
        // GB18030 decodes everything GBK does, and more.
        return Ok(GB18030);
    }
    if guess == BIG5 {
        return Ok(BIG5);
    }
    let valid = match std::str::from_utf8(head) {
        Ok(_) => head.len(),
        Err(e) => e.valid_up_to(),
    };
    Err(ReadError::Encoding {
        file: file.to_string(),
        line: line_of(head, valid),
        message: format!(
            "the file is not UTF-8, GBK/GB18030 or UTF-16; it may be {} — name its encoding \
             (e.g. `--encoding {}`), or save it as UTF-8",
            guess.name(),
            guess.name().to_ascii_lowercase()
        ),
    })
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes
        .get(..offset)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// Bytes that do not decode, at a line of the file; carried inside an `io::Error` through the
/// CSV reader, and turned back into [`ReadError::Encoding`] by [`undecodable`].
#[derive(Debug)]
pub(crate) struct Undecodable {
    pub(crate) line: usize,
    pub(crate) message: String,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for Undecodable {}

/// The [`ReadError::Encoding`] inside an I/O error, if that is what it is.
pub(crate) fn undecodable(file: &str, e: &std::io::Error) -> Option<ReadError> {
    let u = e.get_ref()?.downcast_ref::<Undecodable>()?;
    Some(ReadError::Encoding {
        file: file.to_string(),
        line: u.line,
        message: u.message.clone(),
    })
}

/// A file's bytes decoded to UTF-8 as they are read.
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    encoding: &'static Encoding,
    /// Decoded text not yet handed out: `out[at..]`.
    out: Vec<u8>,
    at: usize,
    /// Line breaks decoded so far (for the line of an error).
    lines: usize,
    done: bool,
}

impl<R: BufRead> Decoding<R> {
    /// Decodes the next piece of input into `out`; false at the end.
    fn refill(&mut self) -> std::io::Result<bool> {
        self.out.clear();
        self.at = 0;
        while self.out.is_empty() && !self.done {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(input.len())
                .unwrap_or(SAMPLE * 4)
                .max(16);
            self.out.resize(room, 0);
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(input, &mut self.out, last);
            self.out.truncate(written);
            self.inner.consume(read);
            self.lines += self.out.iter().filter(|&&b| b == b'\n').count();
            match result {
                DecoderResult::InputEmpty => self.done = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        Undecodable {
                            line: self.lines + 1,
                            message: format!(
                                "bytes that are not valid {} text; check the file's encoding",
                                self.encoding.name()
                            ),
                        },
                    ));
                }
            }
        }
        Ok(!self.out.is_empty())
    }
}

impl<R: BufRead> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let pending = self.out.get(self.at..).unwrap_or(&[]);
        let n = pending.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), pending.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.at += n;
        Ok(n)
    }
}

/// A whole file's bytes as UTF-8 text (for readers that take the file at once).
pub(crate) fn decode_all(
    bytes: Vec<u8>,
    named: Option<&'static Encoding>,
    file: &str,
) -> Result<String, ReadError> {
    let (mut reader, _) = utf8_reader(std::io::Cursor::new(bytes), named, file)?;
    let mut text = Vec::new();
    reader.read_to_end(&mut text).map_err(|e| {
        undecodable(file, &e).unwrap_or(ReadError::Io {
            file: file.to_string(),
            source: e,
        })
    })?;
    String::from_utf8(text).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ReadError::Encoding {
            file: file.to_string(),
            line: line_of(e.as_bytes(), at),
            message: not_utf8(),
        }
    })
}

/// The message for bytes that are not UTF-8 in a file read as UTF-8.
pub(crate) fn not_utf8() -> String {
    "bytes that are not valid UTF-8; if the file is GBK or another encoding, name it \
     (e.g. `--encoding gbk`)"
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn read(bytes: &[u8], named: Option<&str>) -> Result<String, ReadError> {
        let named = named.map(|l| encoding_for_label(l).unwrap());
        decode_all(bytes.to_vec(), named, "t.csv")
    }

    #[test]
    fn every_supported_encoding_reads_to_the_same_text() {
        let text = "id,名称,得分\nA,甲村,3\n";
        let (gbk, _, _) = GBK.encode(text);
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        for bytes in [text.as_bytes(), &bom, &utf16le, &utf16be, &gbk] {
            assert_eq!(read(bytes, None).unwrap(), text);
        }
        assert_eq!(read(&gbk, Some("GB18030")).unwrap(), text);
    }

    #[test]
    fn undecodable_bytes_name_their_line() {
        // Valid GB18030 at first, then a lone lead byte at the end of line 3.
        let (gbk, _, _) = GBK.encode("id,名称\nA,甲村\nB,乙村");
        let mut bytes = gbk.into_owned();
        bytes.extend(b"\x81\nC,x\n");
        match read(&bytes, Some("gbk")) {
            Err(ReadError::Encoding { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        assert!(encoding_for_label("klingon").is_err());
    }
}
