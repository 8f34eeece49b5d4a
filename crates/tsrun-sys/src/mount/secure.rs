//! Paths inside the rootfs, resolved as if the rootfs were `/` (openat2 with
//! `RESOLVE_IN_ROOT`): `..` stops at the rootfs and absolute symlinks are
//! taken relative to it, so an image cannot make us create or mount through a
//! symlink that points out of it. Callers mount onto `/proc/self/fd/N` of the
//! returned `O_PATH` fd, never onto a re-walked string path.
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::error::{Result, SysError};

/// The components of a container path, without empty parts and `.`.
pub fn components(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| SysError::invalid("path", s, "contains a nul byte"))
}

/// `struct open_how` of openat2(2) (libc's is non-exhaustive).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// openat2(root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).
pub fn open_in_root(root: RawFd, path: &str, flags: i32, mode: u32) -> Result<OwnedFd> {
    let rel = components(path).join("/");
    let rel = if rel.is_empty() { ".".to_string() } else { rel };
    let c = cstr(&rel)?;
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: mode as u64,
        resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
    };
    loop {
        // SAFETY: valid C string and a properly sized open_how.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                root,
                c.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if fd >= 0 {
            // SAFETY: the kernel just handed us this fd.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
        let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        if err == libc::EAGAIN || err == libc::EINTR {
            continue;
        }
        return Err(SysError::from_errno(err, "openat2", format!("/{rel}")));
    }
}

/// Create every missing directory of `path` inside the root (like `mkdir -p`),
/// returning an `O_PATH` fd of the last one.
pub fn mkdir_all_in_root(root: RawFd, path: &str, mode: u32) -> Result<OwnedFd> {
    let comps = components(path);
    let mut parent = open_in_root(root, "/", libc::O_PATH | libc::O_DIRECTORY, 0)?;
    for i in 0..comps.len() {
        let prefix = comps[..=i].join("/");
        match open_in_root(root, &prefix, libc::O_PATH | libc::O_DIRECTORY, 0) {
            Ok(fd) => parent = fd,
            Err(e) if e.errno == libc::ENOENT => {
                let name = cstr(comps[i])?;
                // SAFETY: parent is an open directory fd; name is one component.
                let r = unsafe { libc::mkdirat(parent.as_raw_fd(), name.as_ptr(), mode) };
                if r != 0 {
                    let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                    if err != libc::EEXIST {
                        return Err(SysError::from_errno(err, "mkdirat", format!("/{prefix}")));
                    }
                }
                parent = open_in_root(root, &prefix, libc::O_PATH | libc::O_DIRECTORY, 0)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(parent)
}

/// Make sure `path` exists inside the root: a directory, or (when `file`) an
/// empty regular file; returns an `O_PATH` fd of it. An existing entry of any
/// kind is used as it is (mount(2) reports a file/dir mismatch).
pub fn ensure_in_root(root: RawFd, path: &str, file: bool) -> Result<OwnedFd> {
    if let Ok(fd) = open_in_root(root, path, libc::O_PATH, 0) {
        return Ok(fd);
    }
    if !file {
        return mkdir_all_in_root(root, path, 0o755);
    }
    let comps = components(path);
    let (name, dirs) = match comps.split_last() {
        Some((n, d)) => (*n, d.join("/")),
        None => return Err(SysError::invalid("create", path, "not a file path")),
    };
    let dir = mkdir_all_in_root(root, &dirs, 0o755)?;
    let c = cstr(name)?;
    // SAFETY: dir is an open directory fd; O_NOFOLLOW keeps the last component in place.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            c.as_ptr(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            0o644,
        )
    };
    if fd < 0 {
        return Err(SysError::last("openat", path));
    }
    // SAFETY: fresh fd from openat.
    drop(unsafe { OwnedFd::from_raw_fd(fd) });
    open_in_root(root, path, libc::O_PATH, 0)
}

/// The `/proc/self/fd/N` path mount(2) can use to reach an fd's file.
pub fn fd_path(fd: &OwnedFd) -> String {
    format!("/proc/self/fd/{}", fd.as_raw_fd())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn root_fd(dir: &std::path::Path) -> OwnedFd {
        let c = CString::new(dir.to_str().unwrap()).unwrap();
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        assert!(fd >= 0);
        unsafe { OwnedFd::from_raw_fd(fd) }
    }

    #[test]
    fn mkdir_stays_inside_through_absolute_symlink() {
        let t = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir(&root).unwrap();
        // /evil -> <outside> (absolute): must resolve to <root>/<outside> instead.
        symlink(outside.path(), root.join("evil")).unwrap();
        let rfd = root_fd(&root);
        // Dangling inside the root: refused, and nothing made outside.
        assert!(mkdir_all_in_root(rfd.as_raw_fd(), "/evil/made", 0o755).is_err());
        assert!(!outside.path().join("made").exists());
        // With the target present inside the root, it is used.
        let inner = root.join(outside.path().strip_prefix("/").unwrap());
        std::fs::create_dir_all(&inner).unwrap();
        mkdir_all_in_root(rfd.as_raw_fd(), "/evil/made", 0o755).unwrap();
        assert!(!outside.path().join("made").exists());
        assert!(inner.join("made").is_dir(), "{}", inner.display());
    }

    #[test]
    fn dotdot_cannot_escape() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir(&root).unwrap();
        symlink("../../..", root.join("up")).unwrap();
        let rfd = root_fd(&root);
        ensure_in_root(rfd.as_raw_fd(), "/up/../x/file", true).unwrap();
        assert!(root.join("x/file").is_file());
        assert!(!t.path().join("x").exists());
    }

    #[test]
    fn components_skip_empty_and_dot() {
        assert_eq!(components("//a/./b/"), vec!["a", "b"]);
        assert!(components("/").is_empty());
    }
}
