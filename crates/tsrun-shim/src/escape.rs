//! Detach keys (Docker's "escape proxy"): a byte sequence on our stdin,
//! Ctrl-P Ctrl-Q by default, that detaches the terminal from a foreground
//! container instead of reaching it. Bytes that could be the start of the
//! sequence are held back until the next byte decides; if the sequence
//! breaks they go on to the container, in order, as Docker passes them.

/// The sequence, and how much of it was typed so far.
pub struct DetachKeys {
    keys: Vec<u8>,
    held: usize,
}

impl DetachKeys {
    /// None for an empty sequence (nothing detaches).
    pub fn new(keys: Vec<u8>) -> Option<DetachKeys> {
        (!keys.is_empty()).then_some(DetachKeys { keys, held: 0 })
    }

    /// Pass `data` on: what the container should get is appended to `out`.
    /// True when the sequence was completed; whatever followed it in `data`
    /// is dropped with it, as the terminal is then no longer ours.
    pub fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        for &b in data {
            if b == self.keys[self.held] {
                self.held += 1;
            } else {
                out.extend_from_slice(&self.keys[..self.held]);
                self.held = usize::from(b == self.keys[0]);
                if self.held == 0 {
                    out.push(b);
                }
            }
            if self.held == self.keys.len() {
                self.held = 0;
                return true;
            }
        }
        false
    }
}

/// `1011` (hex, as the engine passes it) -> the bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 2 != 0 || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("detach keys must be hex bytes, not {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(keys: &[u8], chunks: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut k = DetachKeys::new(keys.to_vec()).unwrap();
        let mut out = Vec::new();
        for c in chunks {
            if k.feed(c, &mut out) {
                return (out, true);
            }
        }
        (out, false)
    }

    #[test]
    fn the_default_sequence_detaches_and_is_not_passed_on() {
        assert_eq!(run(&[0x10, 0x11], &[b"ls\r", &[0x10], &[0x11]]), (b"ls\r".to_vec(), true));
        assert_eq!(run(&[0x10, 0x11], &[&[b'a', 0x10, 0x11, b'b']]), (b"a".to_vec(), true));
    }

    #[test]
    fn a_broken_sequence_goes_on_in_order() {
        assert_eq!(run(&[0x10, 0x11], &[&[0x10], b"x"]), (vec![0x10, b'x'], false));
        // Ctrl-P Ctrl-P Ctrl-Q: the first Ctrl-P goes on, the next two detach.
        assert_eq!(run(&[0x10, 0x11], &[&[0x10, 0x10, 0x11]]), (vec![0x10], true));
    }

    #[test]
    fn a_partial_sequence_is_held_until_the_next_byte() {
        assert_eq!(run(&[0x10, 0x11], &[&[0x10]]), (vec![], false));
    }

    #[test]
    fn one_key_and_longer_sequences() {
        assert_eq!(run(b"q", &[b"abq"]), (b"ab".to_vec(), true));
        assert_eq!(run(&[0x01, b'x', b'y'], &[&[0x01, b'x', b'z', 0x01, b'x', b'y']]), (vec![0x01, b'x', b'z'], true));
    }

    #[test]
    fn hex() {
        assert_eq!(parse_hex("1011").unwrap(), vec![0x10, 0x11]);
        assert!(parse_hex("101").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(DetachKeys::new(vec![]).is_none());
    }
}
