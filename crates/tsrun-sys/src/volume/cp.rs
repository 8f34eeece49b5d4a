//! `tsrun cp` on a container's root directory fd, with Docker's path rules:
//!
//! - `SRC` a file: copied to `DEST` (a file, replaced) or into `DEST/` when
//!   `DEST` is a directory. `DEST/` that does not exist is an error.
//! - `SRC` a directory: copied as `DEST` when `DEST` does not exist, into
//!   `DEST/<name of SRC>` when it is a directory; `SRC/.` copies its
//!   contents into `DEST` instead.
//! - A symlink named as `SRC` is copied as a symlink.
//!
//! The container side is untrusted: every path in it is resolved with
//! openat2 `RESOLVE_IN_ROOT` from the root fd (symlinks, absolute ones
//! included, resolve inside the container, as they would for its processes),
//! then only `*at()` calls with no-follow semantics touch the entries, so
//! neither reading nor writing can leave the container's tree. The host side
//! is the caller's own and is used as given.
use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use crate::error::{Result, SysError};
use crate::mount::{components, open_in_root};

use super::copy::{
    cname, copy_contents, copy_node, fstat, lstat_at, open_dir, read_link, CopyOpts, CopyStats,
    Owner, Target,
};

/// A path split for copying: its parent, its last name, and Docker's two
/// trailing forms (`dir/` must be a directory, `dir/.` means its contents).
struct Split {
    parent: String,
    name: Option<String>,
    trailing_slash: bool,
    contents: bool,
}

fn split(p: &str) -> Result<Split> {
    let contents = p.ends_with("/.") || p == ".";
    let trailing_slash = p.ends_with('/') || contents;
    let comps: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if comps.last() == Some(&"..") {
        return Err(SysError::invalid("cp", p, "the path must not end in .."));
    }
    let absolute = p.starts_with('/');
    let join = |c: &[&str]| {
        let s = c.join("/");
        if absolute {
            format!("/{s}")
        } else if s.is_empty() {
            ".".to_string()
        } else {
            s
        }
    };
    match comps.split_last() {
        Some((last, rest)) => Ok(Split {
            parent: join(rest),
            name: Some(last.to_string()),
            trailing_slash,
            contents,
        }),
        None => Ok(Split {
            parent: join(&[]),
            name: None,
            trailing_slash: true,
            contents: true,
        }),
    }
}

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

/// The source: a parent fd and name, or (for `/` or `x/.`) a directory whose contents are copied.
pub(crate) enum Source {
    Entry {
        parent: OwnedFd,
        name: CString,
        st: libc::stat,
        /// The name it is copied as: SRC's own last name, also when `-L`
        /// followed SRC to a target of another name.
        as_name: CString,
    },
    Contents(OwnedFd),
}

/// `SRC` inside the container root. With `follow` (`cp -L`), a symlink named
/// as SRC is replaced by what it points to, resolved inside the root.
pub(crate) fn container_source(root: RawFd, src: &str, follow: bool) -> Result<Source> {
    let s = split(src)?;
    let dir_flags = libc::O_RDONLY | libc::O_DIRECTORY;
    let Some(n) = &s.name else {
        return Ok(Source::Contents(open_in_root(
            root, &s.parent, dir_flags, 0,
        )?));
    };
    let as_name = cname(n.as_bytes(), src)?;
    let (parent, name, st) = if follow && !s.trailing_slash {
        follow_in_root(root, &s.parent, n, src)?
    } else {
        let parent = open_in_root(root, &s.parent, dir_flags, 0)?;
        let st = lstat_at(parent.as_raw_fd(), &as_name)
            .map_err(|e| SysError::from_errno(e, "cp", src.to_string()))?;
        (parent, as_name.clone(), st)
    };
    if s.trailing_slash && !is_dir(&st) {
        return Err(SysError::from_errno(libc::ENOTDIR, "cp", src.to_string()));
    }
    if s.contents && is_dir(&st) {
        return Ok(Source::Contents(open_in_root(root, src, dir_flags, 0)?));
    }
    Ok(Source::Entry {
        parent,
        name,
        st,
        as_name,
    })
}

/// Follows `parent/name` while it is a symlink, each step resolved from the
/// container root with `RESOLVE_IN_ROOT` (so an absolute or `..` target stays
/// inside it). Answers the final entry as a parent fd and name; a target
/// that ends in `..` or `/` is a directory, answered as itself and `.`.
fn follow_in_root(
    root: RawFd,
    parent: &str,
    name: &str,
    shown: &str,
) -> Result<(OwnedFd, CString, libc::stat)> {
    let dir_flags = libc::O_RDONLY | libc::O_DIRECTORY;
    let (mut parent, mut name) = (parent.to_string(), name.to_string());
    // As the kernel's own limit on symlinks in one lookup.
    for _ in 0..40 {
        let dir = open_in_root(root, &parent, dir_flags, 0)?;
        let c = cname(name.as_bytes(), shown)?;
        let st = lstat_at(dir.as_raw_fd(), &c)
            .map_err(|e| SysError::from_errno(e, "cp", shown.to_string()))?;
        if st.st_mode & libc::S_IFMT != libc::S_IFLNK {
            return Ok((dir, c, st));
        }
        let target = read_link(dir.as_raw_fd(), &c, shown)?;
        let target = target
            .to_str()
            .map_err(|_| SysError::invalid("cp", shown, "symlink target is not UTF-8"))?;
        let next = if target.starts_with('/') {
            target.to_string()
        } else {
            format!("{parent}/{target}")
        };
        let comps = components(&next);
        match comps.split_last() {
            Some((last, rest)) if *last != ".." => {
                (parent, name) = (format!("/{}", rest.join("/")), last.to_string());
            }
            _ => {
                let d = open_in_root(root, &next, dir_flags, 0)?;
                let st = fstat(d.as_raw_fd(), shown)?;
                return Ok((d, CString::new(".").expect("no nul"), st));
            }
        }
    }
    Err(SysError::from_errno(libc::ELOOP, "cp", shown.to_string()))
}

/// Copy `src` (a path inside the container root `root`) to the host path `dest`.
/// Files are owned by the caller, as with `docker cp`. With `follow` (`-L`),
/// a symlink named as SRC is copied as what it points to.
pub fn copy_out(root: RawFd, src: &str, dest: &Path, follow: bool) -> Result<CopyStats> {
    let source = container_source(root, src, follow)?;
    // SAFETY: plain getters.
    let owner = Owner::Fixed(unsafe { libc::getuid() }, unsafe { libc::getgid() });
    let opts = CopyOpts {
        owner,
        layers: false,
    };
    let mut stats = CopyStats::default();
    let asked = dest.display().to_string();
    let resolved = resolve_host_dest(dest)?;
    let dest = resolved.as_path();
    let dest_s = dest.display().to_string();
    let dest_meta = std::fs::symlink_metadata(dest).ok();
    if let Some(m) = &dest_meta {
        // A device node, FIFO or socket would be replaced by a regular file
        // (`/dev/stdout`, `/dev/null`): refused, as podman does. A stream to
        // stdout is what `-` asks for.
        if !m.is_dir() && !m.is_file() {
            return Err(SysError::invalid(
                "destination",
                asked,
                "must be a directory or a regular file (use - to write a tar stream to stdout)",
            ));
        }
    }
    match source {
        Source::Contents(dir) => {
            if dest_meta.is_none() {
                std::fs::create_dir(dest)
                    .map_err(|e| SysError::from_io(&e, "mkdir", dest_s.clone()))?;
            } else if !dest_meta.as_ref().is_some_and(|m| m.is_dir()) {
                return Err(SysError::invalid(
                    "cp",
                    dest_s,
                    "cannot copy a directory to a file",
                ));
            }
            let d = open_dir(dest)?;
            copy_contents(&[dir], d.as_raw_fd(), &dest_s, &opts, &mut stats)?;
        }
        Source::Entry {
            parent,
            name,
            st,
            as_name,
        } => {
            let (dir, target_name, shown) =
                host_target(dest, dest_meta.as_ref(), &as_name, is_dir(&st))?;
            let target = Target {
                dir: dir.as_raw_fd(),
                name: &target_name,
                shown,
            };
            copy_node(&[parent], 0, &name, &target, &opts, &mut stats)?;
        }
    }
    Ok(stats)
}

/// The host destination with symlinks followed, as Docker does (a link to
/// a file is written through, at the file it names; a dangling link makes
/// its target). At most 40 links; a trailing `/` is kept.
fn resolve_host_dest(dest: &Path) -> Result<PathBuf> {
    let shown = dest.display().to_string();
    let slash = shown.ends_with('/') && shown.len() > 1;
    let mut cur = PathBuf::from(shown.trim_end_matches('/'));
    if cur.as_os_str().is_empty() {
        cur = PathBuf::from("/");
    }
    for _ in 0..40 {
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&cur)
                    .map_err(|e| SysError::from_io(&e, "readlink", cur.display().to_string()))?;
                cur = match cur.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => {
                if slash {
                    let mut s = cur.into_os_string();
                    s.push("/");
                    return Ok(PathBuf::from(s));
                }
                return Ok(cur);
            }
        }
    }
    Err(SysError::from_errno(libc::ELOOP, "cp", shown))
}

/// Where on the host one entry lands: into `dest` when it is a directory, else as `dest`.
fn host_target(
    dest: &Path,
    meta: Option<&std::fs::Metadata>,
    name: &CString,
    src_dir: bool,
) -> Result<(OwnedFd, CString, String)> {
    let dest_s = dest.display().to_string();
    match meta {
        Some(m) if m.is_dir() => {
            let shown = format!(
                "{}/{}",
                dest_s.trim_end_matches('/'),
                name.to_string_lossy()
            );
            Ok((open_dir(dest)?, name.clone(), shown))
        }
        Some(_) if src_dir => Err(SysError::invalid(
            "cp",
            dest_s,
            "cannot copy a directory to a file",
        )),
        _ if dest_s.ends_with('/') && meta.is_none() && !src_dir => Err(SysError::invalid(
            "cp",
            dest_s,
            "destination directory does not exist",
        )),
        _ => {
            let parent = dest
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let base = dest
                .file_name()
                .ok_or_else(|| SysError::invalid("cp", dest_s.clone(), "not a file name"))?;
            Ok((
                open_dir(parent)?,
                cname(base.as_encoded_bytes(), &dest_s)?,
                dest_s,
            ))
        }
    }
}

/// Copy the host path `src` to `dest` inside the container root `root`.
/// Owned by root in the container unless `archive` (keep the source's ids).
/// With `follow` (`-L`), a symlink named as SRC is copied as what it points to.
pub fn copy_in(
    src: &Path,
    root: RawFd,
    dest: &str,
    archive: bool,
    follow: bool,
) -> Result<CopyStats> {
    let src_s = src.display().to_string();
    let s = split(&src_s)?;
    let opts = CopyOpts {
        owner: if archive {
            Owner::Keep
        } else {
            Owner::Fixed(0, 0)
        },
        layers: false,
    };
    let mut stats = CopyStats::default();
    let mut host_parent = open_dir(Path::new(&s.parent))?;
    // With -L, the name read in host_parent differs from the name it lands as.
    let mut read_name = None;
    let (src_name, src_st) = match &s.name {
        Some(n) => {
            let c = cname(n.as_bytes(), &src_s)?;
            let mut st = lstat_at(host_parent.as_raw_fd(), &c)
                .map_err(|e| SysError::from_errno(e, "cp", src_s.clone()))?;
            if follow && !s.trailing_slash && st.st_mode & libc::S_IFMT == libc::S_IFLNK {
                // The host side is the caller's own: the kernel may follow it.
                let (p, r, t) = follow_on_host(src, &src_s)?;
                (host_parent, read_name, st) = (p, Some(r), t);
            }
            (Some(c), Some(st))
        }
        None => (None, None),
    };
    let src_is_dir = src_st.as_ref().map_or(true, is_dir);
    if s.trailing_slash && !src_is_dir {
        return Err(SysError::from_errno(libc::ENOTDIR, "cp", src_s));
    }
    let contents = s.contents || src_name.is_none();
    let dir_flags = libc::O_RDONLY | libc::O_DIRECTORY;
    match open_in_root(root, dest, dir_flags, 0) {
        Ok(dir) => {
            if contents {
                let from = open_dir(src)?;
                copy_contents(&[from], dir.as_raw_fd(), dest, &opts, &mut stats)?;
            } else {
                let name = src_name.expect("named source");
                let shown = format!("{}/{}", dest.trim_end_matches('/'), name.to_string_lossy());
                let target = Target {
                    dir: dir.as_raw_fd(),
                    name: &name,
                    shown,
                };
                let read = read_name.as_ref().unwrap_or(&name);
                copy_node(&[host_parent], 0, read, &target, &opts, &mut stats)?;
            }
        }
        Err(e) if e.errno == libc::ENOENT || e.errno == libc::ENOTDIR => {
            if e.errno == libc::ENOTDIR && src_is_dir {
                return Err(SysError::invalid(
                    "cp",
                    dest,
                    "cannot copy a directory to a file",
                ));
            }
            let d = split(dest)?;
            if d.trailing_slash && !src_is_dir {
                return Err(SysError::invalid(
                    "cp",
                    dest,
                    "destination directory does not exist",
                ));
            }
            let base = d
                .name
                .ok_or_else(|| SysError::invalid("cp", dest, "not a file name"))?;
            let parent = open_in_root(root, &d.parent, dir_flags, 0).map_err(|e| {
                SysError::from_errno(e.errno, "cp", format!("{}: parent directory", dest))
            })?;
            let base_c = cname(base.as_bytes(), dest)?;
            let target = Target {
                dir: parent.as_raw_fd(),
                name: &base_c,
                shown: dest.to_string(),
            };
            match src_name {
                Some(name) => {
                    let read = read_name.as_ref().unwrap_or(&name);
                    copy_node(&[host_parent], 0, read, &target, &opts, &mut stats)?
                }
                None => {
                    // `cp ./. c:/new`: the current directory's contents as a new directory.
                    let cur = open_dir(src)?;
                    let n = CString::new(".").expect("no nul");
                    copy_node(&[cur], 0, &n, &target, &opts, &mut stats)?;
                }
            }
        }
        Err(e) => return Err(e),
    }
    Ok(stats)
}

/// What the host symlink `src` points to, as a parent fd and name (or a
/// directory and `.` when the target is `/`).
fn follow_on_host(src: &Path, shown: &str) -> Result<(OwnedFd, CString, libc::stat)> {
    let real = std::fs::canonicalize(src).map_err(|e| SysError::from_io(&e, "cp", shown))?;
    let (dir, name) = match (real.parent(), real.file_name()) {
        (Some(p), Some(n)) => (open_dir(p)?, cname(n.as_encoded_bytes(), shown)?),
        _ => (open_dir(&real)?, CString::new(".").expect("no nul")),
    };
    let st = lstat_at(dir.as_raw_fd(), &name)
        .map_err(|e| SysError::from_errno(e, "cp", shown.to_string()))?;
    Ok((dir, name, st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mount::open_in_root as oir;
    use std::os::unix::fs::{symlink, FileTypeExt};

    fn root_fd(p: &Path) -> OwnedFd {
        oir(
            open_dir(p).unwrap().as_raw_fd(),
            "/",
            libc::O_PATH | libc::O_DIRECTORY,
            0,
        )
        .unwrap()
    }

    #[test]
    fn copy_out_does_not_follow_symlinks_out_of_the_root() {
        let t = tempfile::tempdir().unwrap();
        let (root, host) = (t.path().join("root"), t.path().join("host"));
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(&host).unwrap();
        std::fs::write(root.join("etc/passwd"), "container passwd").unwrap();
        // An absolute symlink resolves inside the root, never to the host's /etc.
        symlink("/etc", root.join("link")).unwrap();
        let rfd = root_fd(&root);
        copy_out(rfd.as_raw_fd(), "/link/passwd", &host.join("p"), false).unwrap();
        assert_eq!(
            std::fs::read_to_string(host.join("p")).unwrap(),
            "container passwd"
        );
        // The link itself is copied as a link.
        copy_out(rfd.as_raw_fd(), "/link", &host, false).unwrap();
        assert_eq!(
            std::fs::read_link(host.join("link")).unwrap(),
            Path::new("/etc")
        );
    }

    #[test]
    fn copy_out_refuses_devices_and_fifos_and_writes_through_file_links() {
        let t = tempfile::tempdir().unwrap();
        let (root, host) = (t.path().join("root"), t.path().join("host"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&host).unwrap();
        std::fs::write(root.join("f"), "new").unwrap();
        let rfd = root_fd(&root);
        let fifo = host.join("fifo");
        let c = CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        symlink(&fifo, host.join("to-fifo")).unwrap();
        symlink("/dev/null", host.join("to-null")).unwrap();
        for dest in [fifo.clone(), host.join("to-fifo"), host.join("to-null")] {
            let e = copy_out(rfd.as_raw_fd(), "/f", &dest, false).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("destination {}: must be a directory or a regular file (use - to write a tar stream to stdout)", dest.display())
            );
        }
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert!(std::fs::symlink_metadata(host.join("to-null"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        // A link to a regular file is written through, as Docker does.
        std::fs::write(host.join("target"), "old").unwrap();
        symlink("target", host.join("to-file")).unwrap();
        copy_out(rfd.as_raw_fd(), "/f", &host.join("to-file"), false).unwrap();
        assert_eq!(std::fs::read_to_string(host.join("target")).unwrap(), "new");
        assert!(std::fs::symlink_metadata(host.join("to-file"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn copy_in_writes_only_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        let (root, host, outside) = (
            t.path().join("root"),
            t.path().join("host"),
            t.path().join("outside"),
        );
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&host).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(host.join("f"), "data").unwrap();
        symlink(&outside, root.join("evil")).unwrap();
        symlink(outside.join("x"), root.join("evilfile")).unwrap();
        let rfd = root_fd(&root);
        // Into a symlinked directory: resolved in the root, where it does not exist.
        assert!(copy_in(&host.join("f"), rfd.as_raw_fd(), "/evil/f", false, false).is_err());
        // Onto a symlink to a host file: the symlink is replaced, not followed.
        copy_in(&host.join("f"), rfd.as_raw_fd(), "/evilfile", false, false).unwrap();
        assert!(!outside.join("x").exists());
        assert_eq!(
            std::fs::read_to_string(root.join("evilfile")).unwrap(),
            "data"
        );
        assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
        // A directory goes in as DEST, then into DEST.
        copy_in(&host, rfd.as_raw_fd(), "/new", false, false).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("new/f")).unwrap(), "data");
        copy_in(&host, rfd.as_raw_fd(), "/new", false, false).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("new/host/f")).unwrap(),
            "data"
        );
    }
}
