//! A tar stream that is not an image layer: `tsrun cp - CONTAINER:DIR`
//! (Docker's `docker cp -`). It is just as hostile as a layer, so it goes
//! through the same `Unpacker` (every parent resolved with `RESOLVE_IN_ROOT`
//! from `dest`, no last component followed), with these differences: `.wh.`
//! names are ordinary files, an entry or hard link that climbs above `dest`
//! with `..` is refused rather than clamped, a `./` entry leaves `dest`
//! itself as it is, and the owner may be forced.
use std::io::Read;
use std::os::fd::OwnedFd;

use crate::error::Result;

use super::compression::{self, Compression};
use super::entry::Unpacker;
use super::secure_path::Root;
use super::{unpack_entries, Stats, Whiteouts};

/// Unpacks the tar (plain, gzip or zstd) read from `input` into the open
/// directory `dest` (`shown` names it in messages). `owner` forces the
/// owner of everything made (None: the archive's). Nothing outside `dest`
/// is ever written; a failure leaves what was unpacked so far.
pub fn unpack_stream<R: Read + Send + 'static>(
    input: R,
    dest: OwnedFd,
    shown: &str,
    owner: Option<(u32, u32)>,
) -> Result<Stats> {
    let reader = compression::decompress(input, Compression::Auto, "-")?;
    let mut unpacker = Unpacker::new(Root::from_fd(dest, shown), Whiteouts::Literal);
    unpacker.owner = owner;
    unpacker.refuse_escapes = true;
    unpacker.keep_root = true;
    let mut archive = tar::Archive::new(reader);
    unpack_entries(&mut archive, &mut unpacker, "-", "cp")?;
    Ok(unpacker.stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::OwnedFd;

    fn tar_of(entries: &[(&str, tar::EntryType, &[u8], &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(0o644);
            h.set_uid(77);
            h.set_gid(77);
            h.set_size(data.len() as u64);
            // Raw names: the builder's own path checks refuse `..`, which is the point here.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn dest(p: &std::path::Path) -> OwnedFd {
        std::fs::File::open(p).unwrap().into()
    }

    #[test]
    fn refuses_escapes_keeps_wh_names_and_forces_the_owner() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("d");
        std::fs::create_dir(&d).unwrap();
        let ok = tar_of(&[
            ("f", tar::EntryType::Regular, b"x", ""),
            (".wh.f", tar::EntryType::Regular, b"y", ""),
            ("g", tar::EntryType::Link, b"", "f"),
        ]);
        unpack_stream(std::io::Cursor::new(ok), dest(&d), "d", Some((0, 0))).unwrap();
        assert_eq!(std::fs::read(d.join(".wh.f")).unwrap(), b"y");
        use std::os::unix::fs::MetadataExt;
        let (f, g) = (
            std::fs::metadata(d.join("f")).unwrap(),
            std::fs::metadata(d.join("g")).unwrap(),
        );
        assert_eq!((f.ino(), f.uid()), (g.ino(), 0));
        for (name, kind, link) in [
            ("../out", tar::EntryType::Regular, ""),
            ("a/../../out", tar::EntryType::Regular, ""),
            ("hl", tar::EntryType::Link, "../x"),
        ] {
            let bad = tar_of(&[(name, kind, b"", link)]);
            let e = unpack_stream(std::io::Cursor::new(bad), dest(&d), "d", None).unwrap_err();
            assert!(e.to_string().contains("outside the destination"), "{e}");
        }
        assert!(!t.path().join("out").exists());
    }
}
