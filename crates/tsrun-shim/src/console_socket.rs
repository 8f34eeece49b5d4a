//! The receiving end of runc's `--console-socket`: a unix socket in a
//! private temporary directory (short path: sun_path holds 108 bytes, and
//! the runtime connects by path) on which the runtime sends the pty master
//! of a `process.terminal` container as one SCM_RIGHTS message.
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use tsrun_sys::error::SysError;

/// A listening console socket; its directory goes when this is dropped.
pub struct ConsoleSocket {
    dir: PathBuf,
    pub path: PathBuf,
    listener: UnixListener,
}

impl ConsoleSocket {
    /// `/tmp/tsrun-console-XXXXXX/sock`, mode 0700 on the directory.
    pub fn bind() -> Result<ConsoleSocket, SysError> {
        let mut template = *b"/tmp/tsrun-console-XXXXXX\0";
        // SAFETY: a writable NUL-terminated template.
        let p = unsafe { libc::mkdtemp(template.as_mut_ptr() as *mut libc::c_char) };
        if p.is_null() {
            return Err(SysError::last("mkdtemp", "/tmp/tsrun-console-XXXXXX"));
        }
        let dir = PathBuf::from(String::from_utf8_lossy(&template[..template.len() - 1]).into_owned());
        let path = dir.join("sock");
        let listener = UnixListener::bind(&path).map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            SysError::from_io(&e, "bind", path.display().to_string())
        })?;
        listener.set_nonblocking(true).map_err(|e| SysError::from_io(&e, "fcntl", path.display().to_string()))?;
        Ok(ConsoleSocket { dir, path, listener })
    }

    /// Wait up to `timeout_ms` for a connection and take the fd it carries.
    pub fn receive(&self, timeout_ms: i32) -> Option<OwnedFd> {
        let mut p = libc::pollfd { fd: self.listener.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, timeout_ms) } <= 0 {
            return None;
        }
        let (conn, _) = self.listener.accept().ok()?;
        conn.set_nonblocking(false).ok()?;
        tsrun_sys::scm::recv_fd(conn.as_raw_fd()).ok().flatten()
    }
}

impl Drop for ConsoleSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

