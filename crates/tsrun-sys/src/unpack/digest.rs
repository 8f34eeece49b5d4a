//! The diff_id of a layer: sha256 over the uncompressed tar stream, every
//! byte of it (end-of-archive blocks and any padding after them included),
//! as the image config's `rootfs.diff_ids` names it.
//!
//! Computed by a reader wrapped around the decompressor, so the unpack that
//! reads the stream anyway gets it for free: each layer is decompressed once.
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Result, SysError};

use super::compression::{self, Compression};

/// sha256 of an uncompressed layer stream, and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TarDigest {
    pub sha256: [u8; 32],
    /// Bytes of the uncompressed stream.
    pub size: u64,
}

impl Default for TarDigest {
    /// The digest of an empty stream (an empty layer).
    fn default() -> TarDigest {
        TarDigest {
            sha256: Sha256::digest([]).into(),
            size: 0,
        }
    }
}

impl TarDigest {
    /// `sha256:<64 hex digits>`, the OCI form.
    pub fn to_oci(&self) -> String {
        let mut s = String::with_capacity(7 + 64);
        s.push_str("sha256:");
        for b in self.sha256 {
            s.push(char::from_digit(u32::from(b >> 4), 16).unwrap());
            s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap());
        }
        s
    }
}

/// Passes reads through, hashing and counting every byte handed out.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> HashingReader<R> {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// Reads what the consumer left (the tar parser stops at the
    /// end-of-archive blocks) so the digest covers the whole stream, then
    /// answers it. A decompression error here (a bad gzip trailer, say) is an
    /// error of the layer like any other.
    pub fn finish(mut self) -> io::Result<TarDigest> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(TarDigest {
            sha256: self.hasher.finalize().into(),
            size: self.size,
        })
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// The diff_id of the layer at `path` without unpacking it, for a blob whose
/// layer is unpacked already (or by a driver that unpacks later).
pub fn layer_digest(path: &Path, compression: Compression) -> Result<TarDigest> {
    let shown = path.display().to_string();
    let reader = HashingReader::new(compression::open(path, compression)?);
    reader.finish().map_err(|e| read_error(&e, &shown))
}

/// Write the uncompressed tar of a layer blob to `out` (created here, never
/// replacing a file) and answer its digest: a docker-archive carries plain
/// tars, and the digest lets the caller check the result against the
/// image's diff_id.
pub fn decompress_layer(path: &Path, compression: Compression, out: &Path) -> Result<TarDigest> {
    use std::io::Write;
    let shown = path.display().to_string();
    let out_shown = out.display().to_string();
    let mut reader = HashingReader::new(compression::open(path, compression)?);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| SysError::from_io(&e, "create", out_shown.clone()))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(&e, &shown)),
        };
        file.write_all(&buf[..n])
            .map_err(|e| SysError::from_io(&e, "write", out_shown.clone()))?;
    }
    reader.finish().map_err(|e| read_error(&e, &shown))
}

/// A read error while decompressing: the errno when there is one, else the
/// layer is corrupt (EINVAL).
pub fn read_error(e: &io::Error, shown: &str) -> SysError {
    match e.raw_os_error() {
        Some(errno) => SysError::from_errno(errno, "read", shown),
        None => SysError::invalid("layer", shown, format!("corrupt archive: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompresses_to_a_new_file_and_answers_its_digest() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("tsrun-decompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = b"layer bytes ".repeat(5000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        std::fs::write(dir.join("blob"), gz.finish().unwrap()).unwrap();
        let d = decompress_layer(&dir.join("blob"), Compression::Auto, &dir.join("plain")).unwrap();
        assert_eq!(std::fs::read(dir.join("plain")).unwrap(), data);
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
        // Never over an existing file.
        assert!(
            decompress_layer(&dir.join("blob"), Compression::Auto, &dir.join("plain")).is_err()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hashes_every_byte_read_and_the_rest_at_finish() {
        let data = b"abcdefghij".repeat(1000);
        let mut r = HashingReader::new(&data[..]);
        let mut head = [0u8; 100];
        r.read_exact(&mut head).unwrap();
        let d = r.finish().unwrap();
        assert_eq!(d.size, 10_000);
        assert_eq!(d.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
    }

    #[test]
    fn oci_form_is_lowercase_hex_with_prefix() {
        // sha256 of the empty string, as everyone knows it.
        assert_eq!(
            TarDigest::default().to_oci(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
