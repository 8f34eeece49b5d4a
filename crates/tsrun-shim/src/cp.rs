//! `tsrun-shim cp`: copy between the host and a container's filesystem
//! (docs/runtime-contract.md §1b).
//!
//! ```text
//! tsrun-shim cp --bundle DIR [--pid PID] [--archive] [--follow-link]
//!               (--from-container SRC --to-host DEST | --from-host SRC --to-container DEST)
//! ```
//!
//! A host side of `-` is a tar stream: `--to-host -` writes SRC as a tar to
//! stdout, `--from-host -` unpacks a tar from stdin into the directory DEST.
//! (The engine passes every other host path absolute, so `-` is never a file.)
//!
//! A running container (`--pid`): its root is `/proc/PID/root`, which shows
//! its own mount namespace (the overlay and its volumes) from here without
//! joining it. A stopped one: we unshare a private mount namespace (we are a
//! single-threaded process, so that is safe), make it `rprivate`, mount the
//! rootfs and the bundle's bind mounts (volumes included) as the container
//! would see them, copy, and exit: the namespace and every mount in it die
//! with us, so nothing reaches the host mount table.
//!
//! Paths inside the container are resolved with `RESOLVE_IN_ROOT`
//! (tsrun_sys::volume::cp). Exit 0, or 1 with one line on stderr.
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use tsrun_sys::error::SysError;
use tsrun_sys::mount::{self, MountContext};
use tsrun_sys::oci::Spec;
use tsrun_sys::volume::{copy_in, copy_out, tar_in, tar_out};

const USAGE: &str = "usage: tsrun-shim cp --bundle DIR [--pid PID] [--archive] [--follow-link] (--from-container SRC --to-host DEST | --from-host SRC --to-container DEST)";

/// The host path that means a tar stream on stdin/stdout.
const STREAM: &str = "-";

#[derive(Debug, Default, PartialEq, Eq)]
struct CpArgs {
    bundle: PathBuf,
    pid: Option<i32>,
    archive: bool,
    /// `-L`: a symlink named as SRC is copied as what it points to.
    follow: bool,
    /// (container path, host path, into the container?)
    container_path: String,
    host_path: PathBuf,
    inbound: bool,
}

fn parse<I: IntoIterator<Item = String>>(argv: I) -> Result<CpArgs, String> {
    let mut it = argv.into_iter();
    let mut a = CpArgs::default();
    let (mut bundle, mut from_c, mut to_h, mut from_h, mut to_c) = (None, None, None, None, None);
    while let Some(word) = it.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (word.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("flag {name} needs a value"))
        };
        match flag.as_str() {
            "--bundle" => bundle = Some(value("--bundle")?),
            "--pid" => {
                a.pid = Some(
                    value("--pid")?
                        .parse()
                        .map_err(|_| "--pid must be a number".to_string())?,
                )
            }
            "--archive" | "-a" => a.archive = true,
            "--follow-link" | "-L" => a.follow = true,
            "--from-container" => from_c = Some(value("--from-container")?),
            "--to-host" => to_h = Some(value("--to-host")?),
            "--from-host" => from_h = Some(value("--from-host")?),
            "--to-container" => to_c = Some(value("--to-container")?),
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    a.bundle = PathBuf::from(bundle.ok_or_else(|| format!("missing --bundle\n{USAGE}"))?);
    match (from_c, to_h, from_h, to_c) {
        (Some(c), Some(h), None, None) => (a.container_path, a.host_path) = (c, h.into()),
        (None, None, Some(h), Some(c)) => {
            (a.container_path, a.host_path, a.inbound) = (c, h.into(), true)
        }
        _ => return Err(USAGE.to_string()),
    }
    Ok(a)
}

/// The container's root: `/proc/PID/root`, or the rootfs mounted in a private namespace.
fn container_root(a: &CpArgs) -> Result<OwnedFd, SysError> {
    if let Some(pid) = a.pid {
        return mount::open_root(Path::new(&format!("/proc/{pid}/root")));
    }
    let spec = Spec::load(&a.bundle)?;
    let root = spec.root_path(&a.bundle);
    tsrun_sys::ns::unshare(libc::CLONE_NEWNS)?;
    mount::set_root_propagation(Some("rprivate"))?;
    mount::mount_rootfs(&root, &spec.rootfs_mounts()?, None)?;
    let rootfd = mount::open_root(&root)?;
    let ctx = MountContext::default();
    for m in spec
        .mounts
        .iter()
        .filter(|m| m.kind.as_deref() == Some("bind"))
    {
        mount::mount_oci(rootfd.as_raw_fd(), m, &ctx)?;
    }
    // Re-open: the fd taken before the binds still works, but a fresh one
    // makes it plain that paths resolve in the finished tree.
    mount::open_root(&root)
}

/// The soft open-file limit up to the hard one, as Node does for itself: the
/// copier keeps an fd per multiply-linked file to link later names to it, and
/// remembers a quarter of this limit's worth (volume::hard_links).
fn raise_nofile() {
    // SAFETY: a zeroed rlimit is a valid buffer; failure leaves the limit as it was.
    unsafe {
        let mut rl: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) == 0 && rl.rlim_cur < rl.rlim_max {
            rl.rlim_cur = rl.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &rl);
        }
    }
}

/// Entry point for `tsrun-shim cp ...` (argv after `cp`); returns the exit code.
pub fn main<I: IntoIterator<Item = String>>(argv: I) -> i32 {
    let a = match parse(argv) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
    };
    raise_nofile();
    let stream = a.host_path.as_os_str() == STREAM;
    let done = container_root(&a).and_then(|root| {
        let root = root.as_raw_fd();
        match (a.inbound, stream) {
            (true, true) => {
                tar_in(std::io::stdin(), root, &a.container_path, a.archive).map(|_| ())
            }
            (true, false) => {
                copy_in(&a.host_path, root, &a.container_path, a.archive, a.follow).map(|_| ())
            }
            (false, true) => {
                let out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
                tar_out(root, &a.container_path, a.follow, out).map(|_| ())
            }
            (false, false) => copy_out(root, &a.container_path, &a.host_path, a.follow).map(|_| ()),
        }
    });
    match done {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<CpArgs, String> {
        parse(s.iter().map(|s| s.to_string()))
    }

    #[test]
    fn both_directions_and_errors() {
        let a = p(&[
            "--bundle",
            "/b",
            "--pid=12",
            "--from-container",
            "/etc/x",
            "--to-host",
            "/tmp/x",
        ])
        .unwrap();
        assert_eq!(
            (a.pid, a.inbound, a.container_path.as_str()),
            (Some(12), false, "/etc/x")
        );
        let a = p(&[
            "--bundle",
            "/b",
            "-a",
            "--from-host",
            "/h",
            "--to-container",
            "/c",
        ])
        .unwrap();
        assert!(a.inbound && a.archive && !a.follow && a.pid.is_none());
        let a = p(&[
            "--bundle",
            "/b",
            "-L",
            "--from-container",
            "/c",
            "--to-host",
            "-",
        ])
        .unwrap();
        assert!(a.follow && !a.inbound && a.host_path.as_os_str() == STREAM);
        assert!(p(&["--bundle", "/b", "--from-host", "/h", "--to-host", "/c"]).is_err());
        assert!(p(&["--from-host", "/h", "--to-container", "/c"])
            .unwrap_err()
            .contains("--bundle"));
    }
}
