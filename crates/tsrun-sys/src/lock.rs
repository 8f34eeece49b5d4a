//! Advisory exclusive file locks (`flock`), one per resource (an image, a
//! container, the store index), so concurrent short-lived `tsrun` calls
//! serialise on what they touch. `flock` locks belong to the open file
//! description: they are released when the fd is closed, including when the
//! process dies, so a crashed `tsrun` never leaves a stale lock behind.
use std::ffi::CString;
use std::os::fd::RawFd;
use std::path::Path;

use crate::error::{Result, SysError};

/// Opens `path` (created, mode 0644, if missing; `O_CLOEXEC` so the shim and
/// other children never inherit it) and blocks until it holds `LOCK_EX` on
/// it. Returns the fd; [`unlock`] closes it, which releases the lock.
pub fn lock(path: &Path) -> Result<RawFd> {
    let shown = path.display().to_string();
    let c = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| SysError::invalid("open", shown.clone(), "path contains a nul byte"))?;
    // SAFETY: c is a valid C string.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_CLOEXEC,
            0o644 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(SysError::last("open", shown));
    }
    loop {
        // SAFETY: fd is ours.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } == 0 {
            return Ok(fd);
        }
        let err = SysError::last("flock", shown.clone());
        if err.errno != libc::EINTR {
            unsafe { libc::close(fd) };
            return Err(err);
        }
    }
}

/// Releases a lock taken with [`lock`] by closing its fd.
pub fn unlock(fd: RawFd) -> Result<()> {
    if fd < 0 {
        return Err(SysError::from_errno(libc::EBADF, "close", fd.to_string()));
    }
    // SAFETY: closing an fd the caller got from `lock`; close never retries on EINTR (Linux frees the fd).
    if unsafe { libc::close(fd) } != 0 {
        let err = SysError::last("close", fd.to_string());
        if err.errno != libc::EINTR {
            return Err(err);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn try_lock_nb(path: &Path) -> std::result::Result<RawFd, i32> {
        let c = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        assert!(fd >= 0, "open second fd");
        if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            Ok(fd)
        } else {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap();
            unsafe { libc::close(fd) };
            Err(errno)
        }
    }

    #[test]
    fn a_held_lock_excludes_a_second_open_file_until_unlocked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub.lock");
        let fd = lock(&path).unwrap();
        assert!(path.exists(), "lock creates the file");
        assert_eq!(try_lock_nb(&path), Err(libc::EWOULDBLOCK));
        unlock(fd).unwrap();
        let second = try_lock_nb(&path).expect("free after unlock");
        unsafe { libc::close(second) };
    }

    #[test]
    fn lock_blocks_until_the_holder_releases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wait.lock");
        let held = try_lock_nb(&{
            std::fs::write(&path, b"").unwrap();
            path.clone()
        })
        .unwrap();
        let p = path.clone();
        let waiter = std::thread::spawn(move || lock(&p).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(
            !waiter.is_finished(),
            "lock returned while another fd held the lock"
        );
        unsafe { libc::close(held) };
        let fd = waiter.join().unwrap();
        unlock(fd).unwrap();
    }

    #[test]
    fn lock_fails_with_the_errno_and_path() {
        let err = lock(Path::new("/nonexistent-dir-tsrun/x.lock")).unwrap_err();
        assert_eq!(err.code(), "ENOENT");
        assert_eq!(
            err.to_string(),
            "open /nonexistent-dir-tsrun/x.lock: no such file or directory"
        );
    }

    #[test]
    fn unlock_of_a_bad_fd_is_ebadf() {
        assert_eq!(unlock(-1).unwrap_err().code(), "EBADF");
    }
}
