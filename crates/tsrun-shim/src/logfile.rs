//! `container.log` in Docker's json-file format: one JSON object per line,
//! `{"log":"hello\n","stream":"stdout","time":"<RFC3339 nano UTC>"}`. A chunk
//! is split at newlines; a trailing partial line is its own entry. A UTF-8
//! sequence cut at the end of a read is held back for the next chunk so it
//! is not mangled into replacement characters.
//!
//! Rotation (`--log-opt max-size/max-file`, annotations
//! `io.tsrun.log-max-size` in bytes and `io.tsrun.log-max-file`): before a
//! write that would take the file past max-size, `container.log.{N-1}` is
//! dropped, each `.i` becomes `.i+1`, `container.log` becomes `.1`, and a
//! new `container.log` is started; with max-file 1 the file starts over.
//! Readers take `.{N-1}` ... `.1` then `container.log`, oldest first.
//!
//! Other log drivers (annotation `io.tsrun.log-driver`): `k8s-file`
//! (podman's and the CRI's format, one `TIME STREAM F|P TEXT` line per line
//! of output, `P` for a part without its newline; rotated the same way),
//! `none` (nothing is written, no file is made) and `journald` (journal.rs).
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// The k8s-file lines (each ending in `\n`) for one chunk of output.
pub fn format_k8s_chunk(chunk: &[u8], stream: Stream, time: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in chunk.split_inclusive(|b| *b == b'\n') {
        let (text, tag) = match piece.strip_suffix(b"\n") {
            Some(t) => (t, "F"),
            None => (piece, "P"),
        };
        out.extend_from_slice(format!("{time} {} {tag} ", stream.name()).as_bytes());
        out.extend_from_slice(text);
        out.push(b'\n');
    }
    out
}

/// Annotation naming the log driver (absent: `json-file`).
pub const ANNOTATION_DRIVER: &str = "io.tsrun.log-driver";
/// Annotation with the image name, for journald's `IMAGE_NAME`.
pub const ANNOTATION_IMAGE: &str = "io.tsrun.image";

/// Where output goes.
pub enum Driver {
    JsonFile,
    K8sFile,
    None,
    Journald(crate::journal::JournalSink),
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

pub const ANNOTATION_MAX_SIZE: &str = "io.tsrun.log-max-size";
pub const ANNOTATION_MAX_FILE: &str = "io.tsrun.log-max-file";

/// When to rotate: `max_size` 0 means never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rotation {
    pub max_size: u64,
    pub max_file: u32,
}

impl Rotation {
    pub fn from_spec(spec: &tsrun_sys::oci::Spec) -> Rotation {
        let get = |k: &str| spec.annotations.get(k).and_then(|v| v.parse().ok());
        Rotation {
            max_size: get(ANNOTATION_MAX_SIZE).unwrap_or(0),
            max_file: get(ANNOTATION_MAX_FILE).unwrap_or(1).max(1) as u32,
        }
    }
}

/// The open log, with per-stream carry of split UTF-8 sequences.
pub struct LogFile {
    /// None for the drivers that write no file.
    file: Option<File>,
    carry: [Vec<u8>; 2],
    path: PathBuf,
    rotation: Rotation,
    size: u64,
    driver: Driver,
}

fn open_append(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| SysError::from_io(&e, "open", path.display().to_string()))
}

impl LogFile {
    pub fn open(path: &Path) -> Result<LogFile> {
        Self::open_rotating(path, Rotation::default())
    }

    pub fn open_rotating(path: &Path, rotation: Rotation) -> Result<LogFile> {
        Self::open_driver(path, rotation, Driver::JsonFile)
    }

    /// The log the spec asks for (driver and rotation annotations); `id`
    /// is the container's, for the journal's fields.
    pub fn from_spec(spec: &tsrun_sys::oci::Spec, path: &Path, id: &str) -> Result<LogFile> {
        let a = |k: &str| spec.annotations.get(k).map(String::as_str).unwrap_or("");
        let driver = match a(ANNOTATION_DRIVER) {
            "" | "json-file" => Driver::JsonFile,
            "k8s-file" => Driver::K8sFile,
            "none" => Driver::None,
            "journald" => Driver::Journald(crate::journal::JournalSink::new(
                id,
                a(crate::events::ANNOTATION_NAME),
                a(ANNOTATION_IMAGE),
            )),
            other => return Err(SysError::invalid("log driver", other, "unknown")),
        };
        Self::open_driver(path, Rotation::from_spec(spec), driver)
    }

    fn open_driver(path: &Path, rotation: Rotation, driver: Driver) -> Result<LogFile> {
        let file = match driver {
            Driver::JsonFile | Driver::K8sFile => Some(open_append(path)?),
            Driver::None | Driver::Journald(_) => None,
        };
        let size = file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| m.len())
            .unwrap_or(0);
        Ok(LogFile {
            file,
            carry: [Vec::new(), Vec::new()],
            path: path.to_path_buf(),
            rotation,
            size,
            driver,
        })
    }

    fn numbered(&self, i: u32) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(format!(".{i}"));
        PathBuf::from(p)
    }

    /// Shift the files and start a new one (best effort: on failure keep appending).
    fn rotate(&mut self) {
        let n = self.rotation.max_file;
        if n <= 1 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(self.numbered(n - 1));
            for i in (1..n - 1).rev() {
                let _ = std::fs::rename(self.numbered(i), self.numbered(i + 1));
            }
            let _ = std::fs::rename(&self.path, self.numbered(1));
        }
        if let Ok(f) = open_append(&self.path) {
            self.file = Some(f);
            self.size = 0;
        }
    }

    /// Append JSON lines, rotating between lines (a read may bring many).
    fn append(&mut self, text: &[u8]) {
        let r = self.rotation;
        if r.max_size == 0 {
            // The log is best effort: a full disk must not stop the container.
            if let Some(f) = &mut self.file {
                let _ = f.write_all(text);
            }
            return;
        }
        for line in text.split_inclusive(|b| *b == b'\n') {
            if self.size > 0 && self.size + line.len() as u64 > r.max_size {
                self.rotate();
            }
            if let Some(f) = &mut self.file {
                if f.write_all(line).is_ok() {
                    self.size += line.len() as u64;
                }
            }
        }
    }

    /// One chunk of output in the driver's form.
    fn emit(&mut self, stream: Stream, buf: &[u8]) {
        match &self.driver {
            Driver::None => {}
            Driver::Journald(j) => j.send(buf, stream),
            Driver::JsonFile => {
                let lines = format_chunk(buf, stream, &clock::now_rfc3339());
                self.append(lines.as_bytes());
            }
            Driver::K8sFile => {
                let lines = format_k8s_chunk(buf, stream, &clock::now_rfc3339());
                self.append(&lines);
            }
        }
    }

    /// Append one chunk read from the container.
    pub fn write(&mut self, stream: Stream, chunk: &[u8]) {
        if matches!(self.driver, Driver::None) {
            return;
        }
        let idx = stream as usize;
        let mut buf = std::mem::take(&mut self.carry[idx]);
        buf.extend_from_slice(chunk);
        let keep = utf8_complete_len(&buf);
        self.carry[idx] = buf.split_off(keep);
        if buf.is_empty() {
            return;
        }
        self.emit(stream, &buf);
    }

    /// Write out whatever partial UTF-8 is still held back.
    pub fn flush(&mut self) {
        for s in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.carry[s as usize]);
            if !rest.is_empty() {
                self.emit(s, &rest);
            }
        }
        if let Some(f) = &self.file {
            let _ = f.sync_data();
        }
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
    fn rotation_keeps_at_most_max_file_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("container.log");
        let r = Rotation {
            max_size: 200,
            max_file: 3,
        };
        let mut l = LogFile::open_rotating(&p, r).unwrap();
        for i in 0..20 {
            l.write(Stream::Stdout, format!("line {i:03}\n").as_bytes());
        }
        // A read can bring many lines at once: rotation still happens between them.
        let many: String = (20..40).map(|i| format!("line {i:03}\n")).collect();
        l.write(Stream::Stdout, many.as_bytes());
        l.flush();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["container.log", "container.log.1", "container.log.2"]
        );
        for n in &names {
            assert!(
                std::fs::metadata(dir.path().join(n)).unwrap().len() <= 200,
                "{n}"
            );
        }
        // Oldest first across the files: the lines stay in order and the newest is last.
        let mut all = String::new();
        for n in ["container.log.2", "container.log.1", "container.log"] {
            all.push_str(&std::fs::read_to_string(dir.path().join(n)).unwrap());
        }
        let logs: Vec<String> = all
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["log"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(logs.last().unwrap(), "line 039\n");
        let mut sorted = logs.clone();
        sorted.sort();
        assert_eq!(logs, sorted);
    }

    #[test]
    fn max_file_one_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("container.log");
        let mut l = LogFile::open_rotating(
            &p,
            Rotation {
                max_size: 100,
                max_file: 1,
            },
        )
        .unwrap();
        for _ in 0..10 {
            l.write(Stream::Stdout, b"0123456789\n");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(std::fs::metadata(&p).unwrap().len() <= 100);
    }

    #[test]
    fn k8s_file_lines_mark_partial_ones() {
        assert_eq!(
            String::from_utf8(format_k8s_chunk(b"a\nb", Stream::Stderr, T)).unwrap(),
            format!("{T} stderr F a\n{T} stderr P b\n")
        );
    }

    #[test]
    fn none_writes_nothing_and_makes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("container.log");
        let mut l = LogFile::open_driver(&p, Rotation::default(), Driver::None).unwrap();
        l.write(Stream::Stdout, b"hello\n");
        l.flush();
        assert!(!p.exists());
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
