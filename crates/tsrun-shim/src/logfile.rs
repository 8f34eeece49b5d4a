//! `container.log` in Docker's json-file format: one JSON object per line,
//! `{"log":"hello\n","stream":"stdout","time":"<RFC3339 nano UTC>"}`. A chunk
//! is split at newlines; a trailing partial line is its own entry. A UTF-8
//! sequence cut at the end of a read is held back for the next chunk so it
//! is not mangled into replacement characters.
use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use tsrun_sys::error::{Result, SysError};

use crate::clock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    log: &'a str,
    stream: &'a str,
    time: &'a str,
}

/// The JSON lines (each ending in `\n`) for one chunk of output.
pub fn format_chunk(chunk: &[u8], stream: Stream, time: &str) -> String {
    let mut out = String::new();
    for piece in chunk.split_inclusive(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(piece);
        let e = Entry {
            log: &text,
            stream: stream.name(),
            time,
        };
        // Serializing a struct of strings cannot fail.
        out.push_str(&serde_json::to_string(&e).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Length of the prefix of `b` that ends on a UTF-8 boundary (at most 3
/// trailing bytes of an unfinished multi-byte sequence are excluded).
pub fn utf8_complete_len(b: &[u8]) -> usize {
    let n = b.len();
    for back in 1..=3.min(n) {
        let c = b[n - back];
        if c & 0xC0 == 0x80 {
            continue; // continuation byte: keep looking for the lead
        }
        let need = if c >= 0xF0 {
            4
        } else if c >= 0xE0 {
            3
        } else if c >= 0xC0 {
            2
        } else {
            1
        };
        return if need > back { n - back } else { n };
    }
    n
}

/// The open log, with per-stream carry of split UTF-8 sequences.
pub struct LogFile {
    file: File,
    carry: [Vec<u8>; 2],
}

impl LogFile {
    pub fn open(path: &Path) -> Result<LogFile> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| SysError::from_io(&e, "open", path.display().to_string()))?;
        Ok(LogFile {
            file,
            carry: [Vec::new(), Vec::new()],
        })
    }

    /// Append one chunk read from the container.
    pub fn write(&mut self, stream: Stream, chunk: &[u8]) {
        let idx = stream as usize;
        let mut buf = std::mem::take(&mut self.carry[idx]);
        buf.extend_from_slice(chunk);
        let keep = utf8_complete_len(&buf);
        self.carry[idx] = buf.split_off(keep);
        if buf.is_empty() {
            return;
        }
        let lines = format_chunk(&buf, stream, &clock::now_rfc3339());
        // The log is best effort: a full disk must not stop the container.
        let _ = self.file.write_all(lines.as_bytes());
    }

    /// Write out whatever partial UTF-8 is still held back.
    pub fn flush(&mut self) {
        for s in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.carry[s as usize]);
            if !rest.is_empty() {
                let _ = self
                    .file
                    .write_all(format_chunk(&rest, s, &clock::now_rfc3339()).as_bytes());
            }
        }
        let _ = self.file.sync_data();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "2026-11-28T04:07:10.123456789Z";

    #[test]
    fn one_line() {
        assert_eq!(
            format_chunk(b"hello\n", Stream::Stdout, T),
            format!("{{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"{T}\"}}\n")
        );
    }

    #[test]
    fn splits_at_newlines_with_partial_tail() {
        let out = format_chunk(b"a\nb\nc", Stream::Stderr, T);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["log"], "a\n");
        assert_eq!(lines[2]["log"], "c");
        assert_eq!(lines[1]["stream"], "stderr");
    }

    #[test]
    fn escapes_and_invalid_utf8() {
        let out = format_chunk(b"q\"\t\x01\xff\n", Stream::Stdout, T);
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(v["log"], "q\"\t\u{1}\u{fffd}\n");
    }

    #[test]
    fn utf8_boundary() {
        let e = "é".as_bytes(); // 2 bytes
        assert_eq!(utf8_complete_len(&[b'a', e[0]]), 1);
        assert_eq!(utf8_complete_len(&[b'a', e[0], e[1]]), 3);
        let euro = "€".as_bytes(); // 3 bytes
        assert_eq!(utf8_complete_len(&euro[..2]), 0);
        assert_eq!(utf8_complete_len(b"abc"), 3);
    }

    #[test]
    fn carry_joins_split_sequences() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.log");
        let mut l = LogFile::open(&p).unwrap();
        let e = "é\n".as_bytes();
        l.write(Stream::Stdout, &e[..1]);
        l.write(Stream::Stdout, &e[1..]);
        l.flush();
        let text = std::fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(v["log"], "é\n");
        assert_eq!(text.lines().count(), 1);
    }
}
