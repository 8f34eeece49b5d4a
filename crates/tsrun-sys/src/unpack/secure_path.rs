//! Resolving archive paths inside the layer root, as if the root were `/`.
//!
//! Every parent directory is opened with `openat2(RESOLVE_IN_ROOT)` from the
//! root fd, so neither `..` nor a symlink (absolute or relative) planted by an
//! earlier entry can lead outside dest. The last component of an entry is then
//! only ever touched with `*at()` calls relative to that parent fd, with
//! no-follow semantics, so nothing is written *through* a symlink either.
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use crate::error::{Result, SysError};

/// One path component: never empty, `.`, `..`, and never contains `/`.
pub type Component = Vec<u8>;

/// Cleans an archive path lexically, like Go's `filepath.Clean` under `/`:
/// empty and `.` components go, `..` pops (and is dropped at the top), a
/// leading `/` means nothing. `../../etc/passwd` and `/etc/passwd` both give
/// `["etc", "passwd"]`.
pub fn clean(raw: &[u8]) -> Vec<Component> {
    let mut out: Vec<Component> = Vec::new();
    for part in raw.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                out.pop();
            }
            name => out.push(name.to_vec()),
        }
    }
    out
}

/// Joins components with `/` (the empty path is the root itself).
pub fn join(comps: &[Component]) -> Vec<u8> {
    comps.join(&b'/')
}

/// A C string from path bytes; a NUL byte inside an archive name is bad input.
pub fn cstr(bytes: &[u8], subject: &str) -> Result<CString> {
    CString::new(bytes).map_err(|_| SysError::invalid("layer", subject, "path contains a nul byte"))
}

/// The kernel's `struct open_how` (libc's copy is `#[non_exhaustive]`).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// `openat2(dirfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`,
/// retried on `EAGAIN` (the kernel returns it when a rename raced the walk).
/// Returns the raw errno on failure so callers can branch on `ENOENT`.
pub fn openat2_in_root(dirfd: RawFd, path: &CStr, flags: i32) -> std::result::Result<OwnedFd, i32> {
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
    };
    let mut attempts = 0;
    loop {
        // SAFETY: path is a valid C string, how lives across the call and its size is passed.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dirfd,
                path.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if fd >= 0 {
            // SAFETY: the kernel just handed us this fd; nothing else owns it.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
        let errno = last_errno();
        attempts += 1;
        if (errno == libc::EAGAIN || errno == libc::EINTR) && attempts < 64 {
            continue;
        }
        return Err(errno);
    }
}

pub fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// The layer's destination directory, held open for the whole unpack.
pub struct Root {
    fd: OwnedFd,
    /// dest as given, for messages.
    shown: String,
}

impl Root {
    /// Creates dest (and its parents, mode 0755) when missing and opens it.
    /// dest itself is the caller's path and is trusted: it may be a symlink.
    pub fn open(dest: &Path) -> Result<Root> {
        let shown = dest.display().to_string();
        std::fs::create_dir_all(dest).map_err(|e| SysError::from_io(&e, "mkdir", shown.clone()))?;
        let c = cstr(dest.as_os_str().as_encoded_bytes(), &shown)?;
        // SAFETY: c is a valid C string.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(SysError::last("open", shown));
        }
        // SAFETY: fresh fd from open(2).
        Ok(Root {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            shown,
        })
    }

    /// An already open directory (resolved by the caller, e.g. inside a
    /// container's root) as the root of the unpack.
    pub fn from_fd(fd: OwnedFd, shown: &str) -> Root {
        Root {
            fd,
            shown: shown.to_string(),
        }
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The host path an archive path lands on, for error messages.
    pub fn show(&self, rel: &[u8]) -> String {
        if rel.is_empty() {
            return self.shown.clone();
        }
        format!(
            "{}/{}",
            self.shown.trim_end_matches('/'),
            String::from_utf8_lossy(rel)
        )
    }

    /// Opens `rel` resolved inside the root with `flags` (raw errno on failure).
    pub fn resolve(&self, rel: &[u8], flags: i32) -> std::result::Result<OwnedFd, i32> {
        let path = if rel.is_empty() {
            b".".to_vec()
        } else {
            rel.to_vec()
        };
        let c = CString::new(path).map_err(|_| libc::EINVAL)?;
        openat2_in_root(self.fd(), &c, flags)
    }

    /// Opens the directory `comps` (readable, for `*at()` calls, `fchmod`,
    /// `fsetxattr`). With `create`, missing directories are made with mode
    /// 0755 (archives need not list every parent); without it a missing
    /// directory gives `Ok(None)`.
    pub fn dir(&self, comps: &[Component], create: bool) -> Result<Option<OwnedFd>> {
        let rel = join(comps);
        let flags = libc::O_RDONLY | libc::O_DIRECTORY;
        match self.resolve(&rel, flags) {
            Ok(fd) => return Ok(Some(fd)),
            Err(libc::ENOENT) if create && !comps.is_empty() => {}
            Err(libc::ENOENT) if !create => return Ok(None),
            Err(errno) => return Err(SysError::from_errno(errno, "openat2", self.show(&rel))),
        }
        let (name, parent) = comps.split_last().expect("non-empty");
        let parent_fd = self.dir(parent, true)?.expect("created");
        let c = cstr(name, &self.show(&rel))?;
        // SAFETY: valid fd and C string.
        if unsafe { libc::mkdirat(parent_fd.as_raw_fd(), c.as_ptr(), 0o755) } != 0 {
            let errno = last_errno();
            if errno != libc::EEXIST {
                return Err(SysError::from_errno(errno, "mkdirat", self.show(&rel)));
            }
        }
        // Resolve again from the root: the name may have been a symlink.
        self.resolve(&rel, flags)
            .map(Some)
            .map_err(|errno| SysError::from_errno(errno, "openat2", self.show(&rel)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(s: &str) -> String {
        String::from_utf8(join(&clean(s.as_bytes()))).unwrap()
    }

    #[test]
    fn clean_keeps_paths_under_the_root() {
        assert_eq!(cleaned("../../etc/passwd"), "etc/passwd");
        assert_eq!(cleaned("/etc/x"), "etc/x");
        assert_eq!(cleaned("./a//b/./c/"), "a/b/c");
        assert_eq!(cleaned("a/../../b"), "b");
        assert_eq!(cleaned("./"), "");
    }
}
