//! The diff_id that `unpack_layer` answers: sha256 over every byte of the
//! uncompressed tar stream, whatever the compression, so a caller can check
//! it against the image config without decompressing the layer a second time.
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tsrun_sys::unpack::{layer_digest, unpack_layer, Compression, Options, TarDigest, Whiteouts};

/// A small tar as tar::Builder writes it (end-of-archive blocks included).
fn tar_bytes() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_600_000_000);
    h.set_size(11);
    h.set_cksum();
    b.append_data(&mut h, "d/hello", &b"hello world"[..])
        .unwrap();
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn oci(data: &[u8]) -> String {
    let hex: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        fs::write(&p, bytes).unwrap();
        p
    }
    fn unpack(&self, layer: &Path) -> tsrun_sys::error::Result<TarDigest> {
        let dest = self.0.path().join(format!(
            "out-{}",
            layer.file_name().unwrap().to_str().unwrap()
        ));
        let opts = Options {
            whiteouts: Whiteouts::Overlay,
            compression: Compression::Auto,
        };
        unpack_layer(layer, &dest, &opts).map(|s| s.digest)
    }
}

#[test]
fn plain_gzip_and_zstd_layers_answer_the_digest_of_the_tar() {
    let d = Dir::new();
    let tar = tar_bytes();
    for (name, blob) in [
        ("l.tar", tar.clone()),
        ("l.tar.gz", gzip(&tar)),
        ("l.tar.zst", zstd::encode_all(&tar[..], 3).unwrap()),
    ] {
        let p = d.write(name, &blob);
        let got = d.unpack(&p).unwrap();
        assert_eq!(got.to_oci(), oci(&tar), "{name}");
        assert_eq!(got.size, tar.len() as u64, "{name}");
        // The hash-only path agrees with the unpack.
        assert_eq!(layer_digest(&p, Compression::Auto).unwrap(), got, "{name}");
    }
}

#[test]
fn bytes_after_the_end_of_archive_blocks_count_too() {
    // Docker pads layers to a 10 KiB record; the tar parser stops before the
    // padding, but the diff_id covers it.
    let d = Dir::new();
    let mut tar = tar_bytes();
    tar.resize(10240, 0);
    let p = d.write("padded.tar.gz", &gzip(&tar));
    let got = d.unpack(&p).unwrap();
    assert_eq!(got.to_oci(), oci(&tar));
    assert_eq!(got.size, 10240);
}

#[test]
fn an_all_zero_layer_is_hashed_whole() {
    // What the registry test's "liar" image serves: no entries at all.
    let d = Dir::new();
    let zeros = vec![0u8; 10240];
    let got = d.unpack(&d.write("zeros.tar", &zeros)).unwrap();
    assert_eq!(got.to_oci(), oci(&zeros));
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    let d = Dir::new();
    let tar = tar_bytes();
    let (a, b) = tar.split_at(700);
    let mut blob = gzip(a);
    blob.extend(gzip(b));
    let got = d.unpack(&d.write("multi.tar.gz", &blob)).unwrap();
    assert_eq!(got.to_oci(), oci(&tar));
}

#[test]
fn a_different_tar_gives_a_different_digest() {
    let d = Dir::new();
    let tar = tar_bytes();
    let mut other = tar.clone();
    other.resize(tar.len() + 512, 0);
    let a = d.unpack(&d.write("a.tar", &tar)).unwrap();
    let b = d.unpack(&d.write("b.tar", &other)).unwrap();
    assert_ne!(a.sha256, b.sha256);
}

#[test]
fn a_gzip_trailer_that_does_not_match_fails_the_unpack() {
    // The CRC sits in the trailer, after the end-of-archive blocks: only a
    // reader that finishes the stream sees it is wrong.
    let d = Dir::new();
    let mut blob = gzip(&tar_bytes());
    let n = blob.len();
    blob[n - 8] ^= 0xff;
    let p = d.write("badcrc.tar.gz", &blob);
    let err = d.unpack(&p).unwrap_err();
    assert_eq!(err.code(), "EINVAL", "{err}");
    assert_eq!(
        layer_digest(&p, Compression::Auto).unwrap_err().code(),
        "EINVAL"
    );
}

#[test]
fn hashing_a_missing_blob_is_enoent() {
    let d = Dir::new();
    let err = layer_digest(&d.0.path().join("nope"), Compression::Auto).unwrap_err();
    assert_eq!(err.code(), "ENOENT");
}
