//! Removing what is already at a path, never following a symlink.
//!
//! Used when an entry replaces a path of another type, for whiteouts in
//! `apply` mode, and for opaque directories. Everything works on directory fds
//! opened with `O_NOFOLLOW`, so a symlink is unlinked itself and what it points
//! to is never touched.
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::secure_path::last_errno;

/// What is at `name` in `parent`: the `st_mode` type bits, or `None` when absent.
pub fn kind_at(parent: RawFd, name: &CStr) -> std::result::Result<Option<u32>, i32> {
    // SAFETY: zeroed stat is a valid out buffer; name is a valid C string.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatat(parent, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) } != 0 {
        let errno = last_errno();
        return if errno == libc::ENOENT {
            Ok(None)
        } else {
            Err(errno)
        };
    }
    Ok(Some(st.st_mode & libc::S_IFMT))
}

/// Removes `name` in `parent`, recursively when it is a directory. Absent is success.
pub fn remove_all_at(parent: RawFd, name: &CStr) -> std::result::Result<(), i32> {
    match kind_at(parent, name)? {
        None => Ok(()),
        Some(libc::S_IFDIR) => {
            // SAFETY: valid fd and C string.
            let fd = unsafe {
                libc::openat(
                    parent,
                    name.as_ptr(),
                    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return Err(last_errno());
            }
            // SAFETY: fresh fd.
            let dir = unsafe { OwnedFd::from_raw_fd(fd) };
            clear_dir(dir.as_raw_fd(), |_| false)?;
            drop(dir);
            unlink(parent, name, libc::AT_REMOVEDIR)
        }
        Some(_) => unlink(parent, name, 0),
    }
}

/// Removes every child of the directory `dir` for which `keep(name)` is false.
pub fn clear_dir(dir: RawFd, keep: impl Fn(&[u8]) -> bool) -> std::result::Result<(), i32> {
    for name in list_dir(dir)? {
        if !keep(name.as_bytes()) {
            remove_all_at(dir, &name)?;
        }
    }
    Ok(())
}

/// The names in a directory (without `.` and `..`), read fully before any
/// removal so the listing is not disturbed by our own unlinks.
pub fn list_dir(dir: RawFd) -> std::result::Result<Vec<CString>, i32> {
    // fdopendir takes ownership of its fd, so hand it a duplicate.
    // SAFETY: dir is a valid fd.
    let dup = unsafe { libc::fcntl(dir, libc::F_DUPFD_CLOEXEC, 0) };
    if dup < 0 {
        return Err(last_errno());
    }
    // SAFETY: dup is ours; on failure we close it.
    let stream = unsafe { libc::fdopendir(dup) };
    if stream.is_null() {
        let errno = last_errno();
        unsafe { libc::close(dup) };
        return Err(errno);
    }
    // The duplicate shares the file offset: start from the beginning.
    unsafe { libc::rewinddir(stream) };
    let mut names = Vec::new();
    loop {
        // SAFETY: stream is a valid DIR*; readdir's result lives until the next call.
        let ent = unsafe { libc::readdir(stream) };
        if ent.is_null() {
            break;
        }
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) };
        if name.to_bytes() != b"." && name.to_bytes() != b".." {
            names.push(name.to_owned());
        }
    }
    unsafe { libc::closedir(stream) };
    Ok(names)
}

fn unlink(parent: RawFd, name: &CStr, flags: i32) -> std::result::Result<(), i32> {
    // SAFETY: valid fd and C string.
    if unsafe { libc::unlinkat(parent, name.as_ptr(), flags) } != 0 {
        let errno = last_errno();
        if errno != libc::ENOENT {
            return Err(errno);
        }
    }
    Ok(())
}
