//! `--log-driver journald`: each line of output becomes one journal entry,
//! sent as a datagram in journald's native protocol to
//! `/run/systemd/journal/socket`, with the fields Docker's journald driver
//! writes (`CONTAINER_ID`, `CONTAINER_ID_FULL`, `CONTAINER_NAME`,
//! `CONTAINER_TAG`, `SYSLOG_IDENTIFIER`, `IMAGE_NAME`, `PRIORITY` 6 for
//! stdout and 3 for stderr, `CONTAINER_PARTIAL_MESSAGE=true` for a line
//! without its newline). `tsrun logs` reads them back with journalctl. The
//! journal is best effort, as the log file is: a send that fails (no
//! journald any more) drops the line, it never stops the container.
use std::os::unix::net::UnixDatagram;

use crate::logfile::Stream;

/// journald's socket for the native protocol.
pub const SOCKET: &str = "/run/systemd/journal/socket";
/// A line longer than this goes as several partial entries, as Docker splits at 16 KiB.
const MAX_MESSAGE: usize = 16 * 1024;

/// The open socket and the fields every entry carries.
pub struct JournalSink {
    sock: Option<UnixDatagram>,
    fields: Vec<u8>,
}

/// One field in the native protocol: `KEY=value\n`, or for a value that
/// holds a newline `KEY\n`, its length as 64-bit little endian, the value, `\n`.
pub fn field(out: &mut Vec<u8>, key: &str, value: &[u8]) {
    out.extend_from_slice(key.as_bytes());
    if value.contains(&b'\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        out.push(b'=');
    }
    out.extend_from_slice(value);
    out.push(b'\n');
}

impl JournalSink {
    /// `id` is the full container id; name, image and tag from the spec's annotations.
    pub fn new(id: &str, name: &str, image: &str) -> JournalSink {
        let short = &id[..id.len().min(12)];
        let mut fields = Vec::new();
        for (k, v) in [
            ("CONTAINER_ID", short),
            ("CONTAINER_ID_FULL", id),
            ("CONTAINER_NAME", name),
            ("CONTAINER_TAG", short),
            ("SYSLOG_IDENTIFIER", short),
            ("IMAGE_NAME", image),
        ] {
            field(&mut fields, k, v.as_bytes());
        }
        JournalSink {
            sock: UnixDatagram::unbound().ok(),
            fields,
        }
    }

    /// The datagrams for one chunk: a line each (without its newline), long ones in pieces.
    pub fn entries(&self, chunk: &[u8], stream: Stream) -> Vec<Vec<u8>> {
        let priority: &[u8] = if stream == Stream::Stderr { b"3" } else { b"6" };
        let mut out = Vec::new();
        for line in chunk.split_inclusive(|b| *b == b'\n') {
            let (text, whole) = match line.strip_suffix(b"\n") {
                Some(t) => (t, true),
                None => (line, false),
            };
            let pieces: Vec<&[u8]> = if text.is_empty() {
                vec![text]
            } else {
                text.chunks(MAX_MESSAGE).collect()
            };
            let last = pieces.len() - 1;
            for (i, piece) in pieces.into_iter().enumerate() {
                let mut d = self.fields.clone();
                field(&mut d, "PRIORITY", priority);
                field(&mut d, "MESSAGE", piece);
                if i < last || !whole {
                    field(&mut d, "CONTAINER_PARTIAL_MESSAGE", b"true");
                }
                out.push(d);
            }
        }
        out
    }

    pub fn send(&self, chunk: &[u8], stream: Stream) {
        let Some(sock) = &self.sock else { return };
        for d in self.entries(chunk, stream) {
            let _ = sock.send_to(&d, SOCKET);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_protocol_fields() {
        let mut v = Vec::new();
        field(&mut v, "A", b"x");
        field(&mut v, "B", b"two\nlines");
        let mut want = b"A=x\nB\n".to_vec();
        want.extend_from_slice(&9u64.to_le_bytes());
        want.extend_from_slice(b"two\nlines\n");
        assert_eq!(v, want);
    }

    #[test]
    fn a_line_each_partial_marked_stderr_priority_3() {
        let j = JournalSink::new(&"a".repeat(64), "web", "demo:1");
        let e = j.entries(b"one\ntwo", Stream::Stderr);
        assert_eq!(e.len(), 2);
        let text = |d: &Vec<u8>| String::from_utf8_lossy(d).into_owned();
        assert!(text(&e[0]).contains("CONTAINER_ID=aaaaaaaaaaaa\n"));
        assert!(text(&e[0]).contains("CONTAINER_NAME=web\n"));
        assert!(text(&e[0]).contains("PRIORITY=3\nMESSAGE=one\n"));
        assert!(!text(&e[0]).contains("PARTIAL"));
        assert!(text(&e[1]).ends_with("MESSAGE=two\nCONTAINER_PARTIAL_MESSAGE=true\n"));
        let long = vec![b'x'; MAX_MESSAGE + 1];
        let e = j.entries(&[long.as_slice(), b"\n"].concat(), Stream::Stdout);
        assert_eq!(e.len(), 2, "split at 16 KiB");
        assert!(text(&e[0]).contains("PARTIAL"));
        assert!(!text(&e[1]).contains("PARTIAL"));
    }
}
