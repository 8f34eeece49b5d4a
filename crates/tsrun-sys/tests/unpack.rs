//! Layer unpacking against real archives built here, hostile ones included
//! (raw header bytes where `tar::Builder` would refuse the path).
//!
//! Most cases need root (chown, mknod, `trusted.*` xattrs) and skip, saying
//! so, when run unprivileged.
use std::ffi::CString;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tsrun_sys::unpack::{unpack_layer, Compression, Options, Stats, Whiteouts};

// ---- archive building -------------------------------------------------------

/// A layer under construction; every entry's path is written as raw bytes.
struct Layer {
    builder: tar::Builder<Vec<u8>>,
}

struct Entry<'a> {
    kind: tar::EntryType,
    path: &'a str,
    link: &'a str,
    data: &'a [u8],
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
    dev: (u32, u32),
}

fn e(kind: tar::EntryType, path: &str) -> Entry<'_> {
    let mode = if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    };
    Entry {
        kind,
        path,
        link: "",
        data: b"",
        mode,
        uid: 0,
        gid: 0,
        mtime: 1_600_000_000,
        dev: (0, 0),
    }
}

impl Layer {
    fn new() -> Layer {
        Layer {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    fn add(&mut self, e: Entry) -> &mut Layer {
        let mut h = tar::Header::new_gnu();
        {
            let gnu = h.as_gnu_mut().unwrap();
            gnu.name[..e.path.len()].copy_from_slice(e.path.as_bytes());
            gnu.linkname[..e.link.len()].copy_from_slice(e.link.as_bytes());
        }
        h.set_entry_type(e.kind);
        h.set_mode(e.mode);
        h.set_uid(e.uid);
        h.set_gid(e.gid);
        h.set_mtime(e.mtime);
        h.set_size(e.data.len() as u64);
        h.set_device_major(e.dev.0).unwrap();
        h.set_device_minor(e.dev.1).unwrap();
        h.set_cksum();
        self.builder.append(&h, e.data).unwrap();
        self
    }

    fn file(&mut self, path: &str, data: &[u8]) -> &mut Layer {
        self.add(Entry {
            data,
            ..e(tar::EntryType::Regular, path)
        })
    }

    fn dir(&mut self, path: &str) -> &mut Layer {
        self.add(e(tar::EntryType::Directory, path))
    }

    fn symlink(&mut self, path: &str, target: &str) -> &mut Layer {
        self.add(Entry {
            link: target,
            ..e(tar::EntryType::Symlink, path)
        })
    }

    fn hardlink(&mut self, path: &str, target: &str) -> &mut Layer {
        self.add(Entry {
            link: target,
            ..e(tar::EntryType::Link, path)
        })
    }

    /// A PAX `x` header carrying `records` for the next entry.
    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Layer {
        let mut body = Vec::new();
        for (key, value) in records {
            let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
            let mut len = rest + 1;
            while len != rest + len.to_string().len() {
                len = rest + len.to_string().len();
            }
            body.extend_from_slice(format!("{len} {key}=").as_bytes());
            body.extend_from_slice(value);
            body.push(b'\n');
        }
        self.add(Entry {
            data: &body,
            ..e(tar::EntryType::XHeader, "PaxHeader")
        })
    }

    fn bytes(&mut self) -> Vec<u8> {
        self.builder.finish().unwrap();
        self.builder.get_ref().clone()
    }
}

// ---- fixtures ----------------------------------------------------------------

struct Fixture {
    tmp: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            tmp: tempfile::tempdir().unwrap(),
        }
    }
    /// dest sits three levels down so `../..` escapes have somewhere to land.
    fn dest(&self) -> PathBuf {
        self.tmp.path().join("a/b/dest")
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }
    fn write_layer(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, bytes).unwrap();
        p
    }
    fn unpack(&self, layer: &mut Layer, whiteouts: Whiteouts) -> tsrun_sys::error::Result<Stats> {
        let p = self.write_layer("layer.tar", &layer.bytes());
        unpack_layer(
            &p,
            &self.dest(),
            &Options {
                whiteouts,
                compression: Compression::Auto,
            },
        )
    }
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

macro_rules! require_root {
    () => {
        if !is_root() {
            eprintln!("skipped: needs root (chown, mknod, trusted.* xattrs)");
            return;
        }
    };
}

fn lxattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let p = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let n = CString::new(name).unwrap();
    let mut buf = vec![0u8; 256];
    let len =
        unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if len < 0 {
        return None;
    }
    buf.truncate(len as usize);
    Some(buf)
}

fn exists_no_follow(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

// ---- hostile paths ----------------------------------------------------------

#[test]
fn dotdot_entry_stays_inside_dest() {
    let f = Fixture::new();
    let passwd_before = fs::read("/etc/passwd").ok();
    f.unpack(
        Layer::new().file("../../etc/passwd", b"pwned\n"),
        Whiteouts::Overlay,
    )
    .unwrap();
    assert_eq!(fs::read(f.dest().join("etc/passwd")).unwrap(), b"pwned\n");
    assert!(
        !exists_no_follow(&f.path("a/etc/passwd")),
        "escaped to dest/../.."
    );
    assert!(!exists_no_follow(&f.path("etc/passwd")));
    assert_eq!(fs::read("/etc/passwd").ok(), passwd_before);
}

#[test]
fn absolute_path_lands_inside_dest() {
    let f = Fixture::new();
    let host = PathBuf::from(format!("/etc/tsrun-test-abs-{}", std::process::id()));
    let entry = format!("/{}", host.strip_prefix("/").unwrap().display());
    f.unpack(Layer::new().file(&entry, b"x"), Whiteouts::Overlay)
        .unwrap();
    assert!(
        !exists_no_follow(&host),
        "wrote to the host's {}",
        host.display()
    );
    assert_eq!(
        fs::read(f.dest().join(host.strip_prefix("/").unwrap())).unwrap(),
        b"x"
    );
}

#[test]
fn writing_through_a_symlink_to_root_stays_inside_dest() {
    let f = Fixture::new();
    let name = format!("tsrun-test-pwned-{}", std::process::id());
    let entry = format!("evil/etc/{name}");
    let result = f.unpack(
        Layer::new().symlink("evil", "/").file(&entry, b"pwned"),
        Whiteouts::Overlay,
    );
    assert!(
        !exists_no_follow(&Path::new("/etc").join(&name)),
        "wrote through evil -> / to the host"
    );
    // The symlink is kept as written; the file resolves through it inside dest.
    result.unwrap();
    assert_eq!(
        fs::read_link(f.dest().join("evil")).unwrap(),
        Path::new("/")
    );
    assert_eq!(
        fs::read(f.dest().join("etc").join(&name)).unwrap(),
        b"pwned"
    );
}

#[test]
fn writing_through_an_absolute_symlink_to_a_host_dir_stays_inside_dest() {
    let f = Fixture::new();
    let outside = f.path("outside");
    fs::create_dir(&outside).unwrap();
    let target = outside.to_str().unwrap().to_string();
    // Inside dest the link dangles (dest has no such directory): the write fails.
    let err = f
        .unpack(
            Layer::new()
                .symlink("evil", &target)
                .file("evil/x", b"pwned"),
            Whiteouts::Apply,
        )
        .unwrap_err();
    assert!(
        !outside.join("x").exists(),
        "wrote through an absolute symlink to the host"
    );
    assert_eq!(err.code(), "ENOENT", "{err}");
    // Once the directory exists inside dest, the same write lands there.
    let inside = outside
        .strip_prefix("/")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    f.unpack(
        Layer::new().dir(&inside).file("evil/x", b"pwned"),
        Whiteouts::Apply,
    )
    .unwrap();
    assert!(
        !outside.join("x").exists(),
        "wrote through an absolute symlink to the host"
    );
    assert_eq!(
        fs::read(f.dest().join(&inside).join("x")).unwrap(),
        b"pwned"
    );
}

#[test]
fn writing_through_a_dotdot_symlink_stays_inside_dest() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .symlink("up", "../../..")
            .file("up/escaped", b"1")
            .symlink("d/up2", "../../../../..")
            .file("d/up2/escaped2", b"2"),
        Whiteouts::Overlay,
    )
    .unwrap();
    for p in [
        "escaped",
        "a/escaped",
        "a/b/escaped",
        "escaped2",
        "a/escaped2",
        "a/b/escaped2",
    ] {
        assert!(!exists_no_follow(&f.path(p)), "escaped to {p}");
    }
    assert_eq!(fs::read(f.dest().join("escaped")).unwrap(), b"1");
    assert_eq!(fs::read(f.dest().join("escaped2")).unwrap(), b"2");
    assert_eq!(
        fs::read_link(f.dest().join("up")).unwrap(),
        Path::new("../../..")
    );
}

#[test]
fn a_symlinked_parent_is_not_replaced_but_an_entry_never_follows_its_own_last_symlink() {
    let f = Fixture::new();
    let outside = f.path("victim");
    fs::write(&outside, b"keep").unwrap();
    let target = outside.to_str().unwrap().to_string();
    // A symlink to a host file, then a regular file of the same name: the
    // symlink is replaced, the host file is not written.
    f.unpack(
        Layer::new().symlink("f", &target).file("f", b"new"),
        Whiteouts::Overlay,
    )
    .unwrap();
    assert_eq!(fs::read(&outside).unwrap(), b"keep");
    assert!(fs::symlink_metadata(f.dest().join("f")).unwrap().is_file());
    assert_eq!(fs::read(f.dest().join("f")).unwrap(), b"new");
}

#[test]
fn hardlink_to_a_host_path_fails_with_einval_and_writes_nothing_outside() {
    let f = Fixture::new();
    let nlink_before = fs::metadata("/etc/passwd").map(|m| m.nlink()).ok();
    let err = f
        .unpack(
            Layer::new().hardlink("pw", "/etc/passwd"),
            Whiteouts::Overlay,
        )
        .unwrap_err();
    assert_eq!(err.code(), "EINVAL");
    assert!(
        err.to_string().contains("/dest/pw"),
        "message names the entry: {err}"
    );
    assert!(
        err.to_string().contains("/etc/passwd"),
        "message names the target: {err}"
    );
    assert!(!exists_no_follow(&f.dest().join("pw")));
    assert_eq!(
        fs::metadata("/etc/passwd").map(|m| m.nlink()).ok(),
        nlink_before
    );
}

#[test]
fn hardlink_climbing_out_of_dest_fails_with_einval() {
    let f = Fixture::new();
    fs::create_dir_all(f.path("a")).unwrap();
    fs::write(f.path("a/outside"), b"secret").unwrap();
    let err = f
        .unpack(
            Layer::new()
                .hardlink("l", "../../outside")
                .file("l", b"overwritten"),
            Whiteouts::Apply,
        )
        .unwrap_err();
    assert_eq!(err.code(), "EINVAL");
    assert_eq!(fs::metadata(f.path("a/outside")).unwrap().nlink(), 1);
    assert_eq!(fs::read(f.path("a/outside")).unwrap(), b"secret");
}

#[test]
fn hardlink_through_a_symlinked_dir_cannot_reach_the_host() {
    let f = Fixture::new();
    let outside = f.path("outdir");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret"), b"s").unwrap();
    let target = outside.to_str().unwrap().to_string();
    let err = f
        .unpack(
            Layer::new()
                .symlink("out", &target)
                .hardlink("l", "out/secret"),
            Whiteouts::Overlay,
        )
        .unwrap_err();
    assert_eq!(err.code(), "EINVAL");
    assert_eq!(fs::metadata(outside.join("secret")).unwrap().nlink(), 1);
}

#[test]
fn hardlink_inside_the_layer_shares_the_inode() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .file("bin/busybox", b"bb")
            .hardlink("bin/sh", "/bin/busybox"),
        Whiteouts::Overlay,
    )
    .unwrap();
    let a = fs::metadata(f.dest().join("bin/busybox")).unwrap();
    let b = fs::metadata(f.dest().join("bin/sh")).unwrap();
    assert_eq!(a.ino(), b.ino());
    assert_eq!(a.nlink(), 2);
}

#[test]
fn replacing_a_hardlinked_file_leaves_the_other_link_alone() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .file("a", b"old")
            .hardlink("b", "a")
            .file("b", b"new"),
        Whiteouts::Overlay,
    )
    .unwrap();
    assert_eq!(fs::read(f.dest().join("a")).unwrap(), b"old");
    assert_eq!(fs::read(f.dest().join("b")).unwrap(), b"new");
}

#[test]
fn a_whiteout_cannot_name_the_parent() {
    let f = Fixture::new();
    fs::create_dir_all(f.dest().join("d")).unwrap();
    fs::write(f.dest().join("keep"), b"k").unwrap();
    let err = f
        .unpack(Layer::new().file("d/.wh..", b""), Whiteouts::Apply)
        .unwrap_err();
    assert_eq!(err.code(), "EINVAL");
    assert!(f.dest().join("keep").exists());
}

// ---- whiteouts ---------------------------------------------------------------

#[test]
fn overlay_mode_makes_overlay_whiteouts_and_opaque_dirs() {
    require_root!();
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .dir("etc")
            .file("etc/.wh.gone", b"")
            .dir("var")
            .file("var/.wh..wh..opq", b"")
            .file("var/new", b"n")
            .file(".wh..wh.plnk", b""),
        Whiteouts::Overlay,
    )
    .unwrap();
    let gone = fs::symlink_metadata(f.dest().join("etc/gone")).unwrap();
    assert!(
        gone.file_type().is_char_device(),
        "whiteout is a char device"
    );
    assert_eq!(gone.rdev(), 0, "whiteout is 0/0");
    assert!(!exists_no_follow(&f.dest().join("etc/.wh.gone")));
    assert_eq!(
        lxattr(&f.dest().join("var"), "trusted.overlay.opaque").as_deref(),
        Some(&b"y"[..])
    );
    assert!(!exists_no_follow(&f.dest().join("var/.wh..wh..opq")));
    assert_eq!(fs::read(f.dest().join("var/new")).unwrap(), b"n");
    assert!(!exists_no_follow(&f.dest().join(".wh..wh.plnk")));
    assert_eq!(
        lxattr(&f.dest().join("etc"), "trusted.overlay.opaque"),
        None
    );
}

#[test]
fn apply_mode_whiteouts_delete_recursively_without_following_symlinks() {
    let f = Fixture::new();
    let outside = f.path("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("precious"), b"p").unwrap();
    // Earlier layer: a tree with a symlink to a host dir inside it, and a bare symlink.
    let d = f.dest();
    fs::create_dir_all(d.join("gone/sub")).unwrap();
    fs::write(d.join("gone/sub/file"), b"x").unwrap();
    std::os::unix::fs::symlink(&outside, d.join("gone/link")).unwrap();
    std::os::unix::fs::symlink(&outside, d.join("toplink")).unwrap();
    fs::write(d.join("kept"), b"k").unwrap();

    f.unpack(
        Layer::new()
            .file(".wh.gone", b"")
            .file(".wh.toplink", b"")
            .file(".wh.never-existed", b""),
        Whiteouts::Apply,
    )
    .unwrap();
    assert!(!exists_no_follow(&d.join("gone")));
    assert!(!exists_no_follow(&d.join("toplink")));
    assert!(!exists_no_follow(&d.join(".wh.gone")));
    assert!(d.join("kept").exists());
    assert_eq!(
        fs::read(outside.join("precious")).unwrap(),
        b"p",
        "followed a symlink while deleting"
    );
}

#[test]
fn apply_mode_opaque_dir_drops_earlier_layers_children_only() {
    let f = Fixture::new();
    let d = f.dest();
    fs::create_dir_all(d.join("dir/old-sub")).unwrap();
    fs::write(d.join("dir/old-sub/f"), b"o").unwrap();
    fs::write(d.join("dir/old"), b"o").unwrap();
    fs::write(d.join("other"), b"o").unwrap();
    // The marker after a sibling of this layer, to show order does not matter.
    f.unpack(
        Layer::new()
            .dir("dir")
            .file("dir/new1", b"1")
            .file("dir/.wh..wh..opq", b"")
            .file("dir/new2", b"2")
            .file("dir/sub/deep", b"3"),
        Whiteouts::Apply,
    )
    .unwrap();
    let mut names: Vec<String> = fs::read_dir(d.join("dir"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["new1", "new2", "sub"]);
    assert!(
        d.join("other").exists(),
        "opaque reached outside its directory"
    );
    assert_eq!(lxattr(&d.join("dir"), "trusted.overlay.opaque"), None);
}

#[test]
fn apply_mode_whiteout_under_a_missing_dir_is_a_no_op() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .file("nope/.wh.x", b"")
            .file("nope2/.wh..wh..opq", b""),
        Whiteouts::Apply,
    )
    .unwrap();
    assert!(!exists_no_follow(&f.dest().join("nope")));
}

// ---- compression and bad input -----------------------------------------------

#[test]
fn gzip_and_zstd_layers_are_sniffed_and_unpacked() {
    let f = Fixture::new();
    let tar = Layer::new()
        .dir("d")
        .file("d/hello", b"hello world")
        .bytes();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let gz = f.write_layer("l.tar.gz", &gz.finish().unwrap());
    let zst = f.write_layer("l.tar.zst", &zstd::encode_all(&tar[..], 3).unwrap());
    for (layer, compression) in [
        (&gz, Compression::Auto),
        (&zst, Compression::Auto),
        (&gz, Compression::Gzip),
        (&zst, Compression::Zstd),
    ] {
        let dest = f.path(&format!(
            "out-{}-{compression:?}",
            layer.file_name().unwrap().to_str().unwrap()
        ));
        let stats = unpack_layer(
            layer,
            &dest,
            &Options {
                whiteouts: Whiteouts::Overlay,
                compression,
            },
        )
        .unwrap();
        assert_eq!((stats.entries, stats.bytes), (2, 11));
        // The digest is of the tar, whatever compressed it.
        assert_eq!(stats.digest.size, tar.len() as u64);
        assert_eq!(fs::read(dest.join("d/hello")).unwrap(), b"hello world");
    }
}

#[test]
fn a_text_file_is_not_a_tar_archive() {
    let f = Fixture::new();
    for (name, bytes) in [
        ("short.txt", b"hello\n".to_vec()),
        ("long.txt", b"not a tar\n".repeat(200)),
    ] {
        let p = f.write_layer(name, &bytes);
        let err = unpack_layer(
            &p,
            &f.dest(),
            &Options {
                whiteouts: Whiteouts::Apply,
                compression: Compression::Auto,
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), "EINVAL");
        assert_eq!(
            err.to_string(),
            format!("layer {}: not a tar archive", p.display())
        );
    }
}

#[test]
fn gzipped_garbage_is_not_a_tar_archive() {
    let f = Fixture::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&b"garbage ".repeat(100)).unwrap();
    let p = f.write_layer("g.gz", &gz.finish().unwrap());
    let err = unpack_layer(
        &p,
        &f.dest(),
        &Options {
            whiteouts: Whiteouts::Apply,
            compression: Compression::Auto,
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("layer {}: not a tar archive", p.display())
    );
}

#[test]
fn a_truncated_archive_fails_with_einval() {
    let f = Fixture::new();
    let tar = Layer::new()
        .file("a", b"a")
        .file("big", &[7u8; 4096])
        .bytes();
    let p = f.write_layer("cut.tar", &tar[..512 * 4]);
    let err = unpack_layer(
        &p,
        &f.dest(),
        &Options {
            whiteouts: Whiteouts::Apply,
            compression: Compression::None,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "EINVAL", "{err}");
}

#[test]
fn a_missing_layer_file_is_enoent_naming_it() {
    let f = Fixture::new();
    let p = f.path("nope.tar");
    let err = unpack_layer(
        &p,
        &f.dest(),
        &Options {
            whiteouts: Whiteouts::Apply,
            compression: Compression::Auto,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "ENOENT");
    assert_eq!(
        err.to_string(),
        format!("open {}: no such file or directory", p.display())
    );
}

#[test]
fn an_empty_file_is_an_empty_layer_and_dest_is_created() {
    let f = Fixture::new();
    let p = f.write_layer("empty.tar", b"");
    let stats = unpack_layer(
        &p,
        &f.dest(),
        &Options {
            whiteouts: Whiteouts::Apply,
            compression: Compression::Auto,
        },
    )
    .unwrap();
    assert_eq!(stats, Stats::default());
    assert!(f.dest().is_dir());
}

#[test]
fn option_names_parse_as_the_contract_spells_them() {
    assert_eq!(Whiteouts::parse("overlay").unwrap(), Whiteouts::Overlay);
    assert_eq!(Whiteouts::parse("apply").unwrap(), Whiteouts::Apply);
    assert_eq!(Compression::parse("zstd").unwrap(), Compression::Zstd);
    assert_eq!(Whiteouts::parse("aufs").unwrap_err().code(), "EINVAL");
    assert_eq!(Compression::parse("xz").unwrap_err().code(), "EINVAL");
}

// ---- metadata ------------------------------------------------------------------

#[test]
fn setuid_ownership_mtime_and_xattrs_are_kept() {
    require_root!();
    let f = Fixture::new();
    let cap = b"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
    f.unpack(
        Layer::new()
            .add(Entry {
                mode: 0o755,
                uid: 1234,
                gid: 5678,
                mtime: 1_500_000_000,
                ..e(tar::EntryType::Directory, "usr")
            })
            .add(Entry {
                mode: 0o4755,
                uid: 1234,
                gid: 5678,
                mtime: 1_000_000_000,
                data: b"su",
                ..e(tar::EntryType::Regular, "usr/su")
            })
            .add(Entry {
                link: "su",
                uid: 42,
                gid: 43,
                mtime: 1_100_000_000,
                ..e(tar::EntryType::Symlink, "usr/su-link")
            })
            .add(Entry {
                mode: 0o1777,
                ..e(tar::EntryType::Directory, "tmp")
            })
            .pax(&[
                ("SCHILY.xattr.user.note", b"hi"),
                ("SCHILY.xattr.security.capability", cap),
                ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
                ("mtime", b"1200000000.25"),
            ])
            .add(Entry {
                mode: 0o755,
                data: b"ping",
                ..e(tar::EntryType::Regular, "usr/ping")
            })
            // A later child must not disturb the directory's kept mtime.
            .file("usr/late", b"l"),
        Whiteouts::Overlay,
    )
    .unwrap();
    let d = f.dest();
    let su = fs::symlink_metadata(d.join("usr/su")).unwrap();
    assert_eq!(su.mode() & 0o7777, 0o4755, "setuid kept");
    assert_eq!((su.uid(), su.gid()), (1234, 5678));
    assert_eq!(su.mtime(), 1_000_000_000);
    let link = fs::symlink_metadata(d.join("usr/su-link")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        (link.uid(), link.gid()),
        (42, 43),
        "lchown, not chown of the target"
    );
    assert_eq!(link.mtime(), 1_100_000_000);
    let usr = fs::metadata(d.join("usr")).unwrap();
    assert_eq!(
        (usr.uid(), usr.gid(), usr.mtime()),
        (1234, 5678, 1_500_000_000)
    );
    assert_eq!(
        fs::metadata(d.join("tmp")).unwrap().permissions().mode() & 0o7777,
        0o1777
    );
    let ping = d.join("usr/ping");
    assert_eq!(lxattr(&ping, "user.note").as_deref(), Some(&b"hi"[..]));
    assert_eq!(
        lxattr(&ping, "security.capability").as_deref(),
        Some(&cap[..])
    );
    assert_eq!(
        lxattr(&ping, "trusted.overlay.opaque"),
        None,
        "a layer must not forge overlay xattrs"
    );
    let pm = fs::metadata(&ping).unwrap();
    assert_eq!((pm.mtime(), pm.mtime_nsec()), (1_200_000_000, 250_000_000));
}

#[test]
fn devices_and_fifos_are_created() {
    require_root!();
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .add(Entry {
                dev: (1, 3),
                mode: 0o666,
                ..e(tar::EntryType::Char, "dev/null")
            })
            .add(Entry {
                dev: (7, 0),
                mode: 0o660,
                gid: 6,
                ..e(tar::EntryType::Block, "dev/loop0")
            })
            .add(Entry {
                mode: 0o600,
                ..e(tar::EntryType::Fifo, "run/fifo")
            }),
        Whiteouts::Overlay,
    )
    .unwrap();
    let null = fs::symlink_metadata(f.dest().join("dev/null")).unwrap();
    assert!(null.file_type().is_char_device());
    assert_eq!(null.rdev(), libc::makedev(1, 3));
    assert_eq!(null.mode() & 0o777, 0o666, "mode not cut by the umask");
    let lo = fs::symlink_metadata(f.dest().join("dev/loop0")).unwrap();
    assert!(lo.file_type().is_block_device());
    assert_eq!((lo.rdev(), lo.gid()), (libc::makedev(7, 0), 6));
    assert!(fs::symlink_metadata(f.dest().join("run/fifo"))
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn blank_device_numbers_are_valid_as_gnu_tar_writes_them() {
    require_root!();
    // GNU tar's default format leaves devmajor/devminor all NUL for a FIFO;
    // some builders do the same for devices. Both mean 0, as in Docker.
    let f = Fixture::new();
    let mut layer = Layer::new();
    for (kind, path) in [
        (tar::EntryType::Fifo, "run/gnu-fifo"),
        (tar::EntryType::Char, "dev/blank"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
        h.set_entry_type(kind);
        h.set_mode(0o640);
        h.set_uid(0);
        h.set_gid(0);
        h.set_size(0);
        h.set_mtime(1_600_000_000);
        assert!(
            h.as_bytes()[329..345].iter().all(|b| *b == 0),
            "fields left blank"
        );
        h.set_cksum();
        layer.builder.append(&h, &b""[..]).unwrap();
    }
    f.unpack(&mut layer, Whiteouts::Overlay).unwrap();
    let fifo = fs::symlink_metadata(f.dest().join("run/gnu-fifo")).unwrap();
    assert!(fifo.file_type().is_fifo());
    assert_eq!(fifo.mode() & 0o777, 0o640);
    let blank = fs::symlink_metadata(f.dest().join("dev/blank")).unwrap();
    assert!(blank.file_type().is_char_device());
    assert_eq!(blank.rdev(), libc::makedev(0, 0));
}

#[test]
fn garbage_device_numbers_are_refused() {
    let f = Fixture::new();
    let mut layer = Layer::new();
    let mut h = tar::Header::new_gnu();
    h.as_gnu_mut().unwrap().name[..7].copy_from_slice(b"dev/bad");
    h.set_entry_type(tar::EntryType::Char);
    h.set_mode(0o600);
    h.set_uid(0);
    h.set_gid(0);
    h.set_size(0);
    h.as_gnu_mut()
        .unwrap()
        .dev_major
        .copy_from_slice(b"zz-zz-z\0");
    h.set_cksum();
    layer.builder.append(&h, &b""[..]).unwrap();
    let err = f.unpack(&mut layer, Whiteouts::Overlay).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("layer ") && msg.ends_with("/dev/bad: bad device number in tar header"),
        "{msg}"
    );
}

// ---- replacing paths -------------------------------------------------------------

#[test]
fn a_file_replaces_a_dir_and_a_dir_replaces_a_file() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .file("a", b"file")
            .dir("a")
            .file("a/x", b"x")
            .dir("b")
            .file("b/child", b"c")
            .file("b", b"now a file"),
        Whiteouts::Overlay,
    )
    .unwrap();
    assert!(fs::symlink_metadata(f.dest().join("a")).unwrap().is_dir());
    assert_eq!(fs::read(f.dest().join("a/x")).unwrap(), b"x");
    assert_eq!(fs::read(f.dest().join("b")).unwrap(), b"now a file");
}

#[test]
fn across_layers_dirs_merge_and_types_replace() {
    let f = Fixture::new();
    f.unpack(
        Layer::new()
            .dir("etc")
            .file("etc/old", b"o")
            .file("f", b"file")
            .dir("d")
            .file("d/c", b"c"),
        Whiteouts::Apply,
    )
    .unwrap();
    f.unpack(
        Layer::new()
            .dir("etc")
            .file("etc/new", b"n")
            .dir("f")
            .symlink("d", "/etc"),
        Whiteouts::Apply,
    )
    .unwrap();
    let d = f.dest();
    assert!(
        d.join("etc/old").exists() && d.join("etc/new").exists(),
        "dir over dir merges"
    );
    assert!(fs::symlink_metadata(d.join("f")).unwrap().is_dir());
    assert_eq!(fs::read_link(d.join("d")).unwrap(), Path::new("/etc"));
}

#[test]
fn a_dir_entry_replaces_a_symlink_instead_of_following_it() {
    let f = Fixture::new();
    let outside = f.path("outside");
    fs::create_dir(&outside).unwrap();
    let target = outside.to_str().unwrap().to_string();
    f.unpack(
        Layer::new().symlink("s", &target).add(Entry {
            mode: 0o700,
            ..e(tar::EntryType::Directory, "s")
        }),
        Whiteouts::Overlay,
    )
    .unwrap();
    assert!(fs::symlink_metadata(f.dest().join("s")).unwrap().is_dir());
    assert_eq!(
        fs::metadata(&outside).unwrap().permissions().mode() & 0o777,
        0o755,
        "chmod followed the symlink"
    );
}

#[test]
fn long_names_and_pax_paths_work() {
    let f = Fixture::new();
    let long = format!("{}/file", "d".repeat(150));
    let mut layer = Layer::new();
    layer
        .pax(&[("path", long.as_bytes())])
        .file("short", b"via pax");
    f.unpack(&mut layer, Whiteouts::Overlay).unwrap();
    assert_eq!(fs::read(f.dest().join(&long)).unwrap(), b"via pax");
}
