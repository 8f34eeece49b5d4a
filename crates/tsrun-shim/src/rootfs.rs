//! `tsrun-shim changes` and `tsrun-shim export`: a container's filesystem
//! read for `tsrun diff`, `tsrun commit` and `tsrun export`
//! (docs/runtime-contract.md §1c').
//!
//! ```text
//! tsrun-shim changes (--upper DIR --lower DIR... | --root DIR --base DIR) [--skip PATH]... [--layer]
//! tsrun-shim export --root DIR [--lower DIR...]
//! ```
//!
//! `changes` writes the changes to stdout as records `K /path\0` (K is
//! Docker's `A`, `C` or `D`; NUL-ended, as a path may hold a newline), or
//! with `--layer` the same changes as an OCI layer tar. `--upper`/`--lower`
//! read an overlay writable layer over the image's layer dirs (top first);
//! `--root`/`--base` compare a full rootfs with the image flattened into a
//! directory. `--skip PATH`: an empty regular file at PATH is the mount
//! target of one of the engine's own binds (`/etc/hosts`), not a change.
//!
//! `export` writes the whole filesystem as a tar to stdout: DIR itself, or,
//! with `--lower`, a read-only overlay of the lowers (top first: the
//! writable layer, then the image's) that we mount onto DIR in a private
//! mount namespace of our own (single-threaded, so unsharing is safe), which
//! dies with us. A running container's mounts (volumes, `/proc`, `/dev`)
//! live in its own namespace and are never part of it, as in Docker's.
//!
//! Every tree is walked with no-follow `*at()` calls (tsrun_sys::volume),
//! so nothing a container plants there leads outside it. Exit 0, or 1 with
//! one line on stderr.
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use tsrun_sys::error::SysError;
use tsrun_sys::mount;
use tsrun_sys::volume::{overlay_changes, overlay_layer, tar_out, tree_changes, tree_layer};

const USAGE: &str = "usage: tsrun-shim changes (--upper DIR --lower DIR... | --root DIR --base DIR) [--skip PATH]... [--layer] | tsrun-shim export --root DIR [--lower DIR...]";

#[derive(Debug, Default, PartialEq, Eq)]
struct Args {
    upper: Option<PathBuf>,
    lowers: Vec<PathBuf>,
    root: Option<PathBuf>,
    base: Option<PathBuf>,
    layer: bool,
    skip: std::collections::HashSet<String>,
}

fn parse<I: IntoIterator<Item = String>>(argv: I) -> Result<Args, String> {
    let mut it = argv.into_iter();
    let mut a = Args::default();
    while let Some(word) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("flag {name} needs a value"));
        match word.as_str() {
            "--upper" => a.upper = Some(value("--upper")?.into()),
            "--lower" => a.lowers.push(value("--lower")?.into()),
            "--root" => a.root = Some(value("--root")?.into()),
            "--base" => a.base = Some(value("--base")?.into()),
            "--layer" => a.layer = true,
            "--skip" => {
                a.skip.insert(value("--skip")?);
            }
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    Ok(a)
}

fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock())
}

fn changes(a: &Args) -> Result<(), SysError> {
    let lowers: Vec<&Path> = a.lowers.iter().map(PathBuf::as_path).collect();
    match (&a.upper, &a.root, &a.base, a.layer) {
        (Some(upper), None, None, true) => overlay_layer(upper, &a.skip, stdout()).map(|_| ()),
        (None, Some(root), Some(base), true) => {
            let c = tree_changes(root, base, &a.skip)?;
            tree_layer(root, &c, stdout()).map(|_| ())
        }
        (upper, root, base, false) => {
            let c = match (upper, root, base) {
                (Some(upper), None, None) => overlay_changes(upper, &lowers, &a.skip)?,
                (None, Some(root), Some(base)) => tree_changes(root, base, &a.skip)?,
                _ => return Err(SysError::invalid("changes", "arguments", USAGE)),
            };
            let mut out = stdout();
            for ch in c {
                let rec = format!("{} {}\0", ch.kind.letter(), ch.path);
                out.write_all(rec.as_bytes())
                    .map_err(|e| SysError::from_io(&e, "write", "-"))?;
            }
            out.flush().map_err(|e| SysError::from_io(&e, "write", "-"))
        }
        _ => Err(SysError::invalid("changes", "arguments", USAGE)),
    }
}

fn export(a: &Args) -> Result<(), SysError> {
    let root = a
        .root
        .as_ref()
        .ok_or_else(|| SysError::invalid("export", "arguments", USAGE))?;
    if !a.lowers.is_empty() {
        tsrun_sys::ns::unshare(libc::CLONE_NEWNS)?;
        mount::set_root_propagation(Some("rprivate"))?;
        let lowers: Vec<String> = a.lowers.iter().map(|p| p.display().to_string()).collect();
        // One lower is not an overlay (it needs two): bind it read-only instead.
        let target = root.display().to_string();
        let done = if lowers.len() == 1 {
            mount::sys_mount(Some(&lowers[0]), &target, None, libc::MS_BIND, None).and_then(|_| {
                mount::sys_mount(
                    None,
                    &target,
                    None,
                    libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
                    None,
                )
            })
        } else {
            let data = format!("lowerdir={}", lowers.join(":"));
            mount::sys_mount(
                Some("overlay"),
                &target,
                Some("overlay"),
                libc::MS_RDONLY,
                Some(&data),
            )
        };
        done.map_err(|e| SysError::from_errno(e, "mount", target.clone()))?;
    }
    let fd = mount::open_root(root)?;
    tar_out(fd.as_raw_fd(), "/", false, stdout()).map(|_| ())
}

/// Entry point for `tsrun-shim changes|export ...` (`verb`, then its argv); returns the exit code.
pub fn main<I: IntoIterator<Item = String>>(verb: &str, argv: I) -> i32 {
    let a = match parse(argv) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
    };
    let done = if verb == "export" {
        export(&a)
    } else {
        changes(&a)
    };
    match done {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let a =
            parse(["--upper", "/u", "--lower", "/a", "--lower", "/b", "--layer"].map(String::from))
                .unwrap();
        assert_eq!(a.lowers, [PathBuf::from("/a"), PathBuf::from("/b")]);
        assert!(a.layer && a.upper.is_some());
        assert!(parse(["--nope".to_string()]).is_err());
        assert!(parse(["--root".to_string()]).is_err());
    }
}
