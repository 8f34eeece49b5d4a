//! Pseudo-terminals for `process.terminal`: the shim keeps the master, the
//! container's PID 1 gets the slave as its controlling terminal and stdio. In
//! the foreground the shim's own terminal goes to raw mode so every key
//! (Ctrl-C, Ctrl-D) reaches the container as bytes; it is restored on exit.
use std::ffi::CStr;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::error::{Result, SysError};

/// A freshly allocated pty pair.
pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
    /// e.g. `/dev/pts/3` (host devpts), for binding onto `/dev/console`.
    pub slave_path: String,
}

/// posix_openpt + grantpt + unlockpt + open the slave (no controlling tty yet).
pub fn open_pty() -> Result<Pty> {
    // SAFETY: plain libc calls on the fd we get back.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if m < 0 {
            return Err(SysError::last("posix_openpt", "/dev/ptmx"));
        }
        let master = OwnedFd::from_raw_fd(m);
        if libc::grantpt(m) != 0 || libc::unlockpt(m) != 0 {
            return Err(SysError::last("unlockpt", "/dev/ptmx"));
        }
        let mut buf = [0 as libc::c_char; 128];
        if libc::ptsname_r(m, buf.as_mut_ptr(), buf.len()) != 0 {
            return Err(SysError::last("ptsname", "/dev/ptmx"));
        }
        let path = CStr::from_ptr(buf.as_ptr());
        let s = libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if s < 0 {
            return Err(SysError::last("open", path.to_string_lossy().to_string()));
        }
        Ok(Pty {
            master,
            slave: OwnedFd::from_raw_fd(s),
            slave_path: path.to_string_lossy().to_string(),
        })
    }
}

/// Window size of a terminal fd, if it is one.
pub fn get_winsize(fd: RawFd) -> Option<libc::winsize> {
    // SAFETY: zeroed winsize is valid; ioctl fills it.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer.
    if unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0 {
        Some(ws)
    } else {
        None
    }
}

/// Set rows/cols on a terminal fd (the master: the slave side sees SIGWINCH).
pub fn set_winsize(fd: RawFd, rows: u16, cols: u16) -> Result<()> {
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid pointer.
    if unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &ws) } != 0 {
        return Err(SysError::last("ioctl TIOCSWINSZ", "pty"));
    }
    Ok(())
}

/// Copy the window size of `from` (the shim's terminal) to `to` (the master).
pub fn copy_winsize(from: RawFd, to: RawFd) {
    if let Some(ws) = get_winsize(from) {
        let _ = set_winsize(to, ws.ws_row, ws.ws_col);
    }
}

pub fn is_tty(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the fd.
    unsafe { libc::isatty(fd) == 1 }
}

/// In the child: new session, the slave as controlling terminal, and as 0/1/2.
pub fn make_controlling(slave: RawFd) -> Result<()> {
    // SAFETY: plain syscalls on fds we own.
    unsafe {
        libc::setsid();
        if libc::ioctl(slave, libc::TIOCSCTTY, 0) != 0 {
            return Err(SysError::last("ioctl TIOCSCTTY", "pty"));
        }
        for target in 0..3 {
            if libc::dup2(slave, target) < 0 {
                return Err(SysError::last("dup2", "pty"));
            }
        }
    }
    Ok(())
}

/// A terminal in raw mode; dropping it restores the saved settings.
pub struct RawMode {
    fd: RawFd,
    saved: libc::termios,
}

impl RawMode {
    /// Put `fd` in raw mode (cfmakeraw), remembering how it was.
    pub fn enter(fd: RawFd) -> Result<RawMode> {
        // SAFETY: zeroed termios is a valid out-buffer.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointers.
        unsafe {
            if libc::tcgetattr(fd, &mut t) != 0 {
                return Err(SysError::last("tcgetattr", format!("fd {fd}")));
            }
            let saved = t;
            libc::cfmakeraw(&mut t);
            if libc::tcsetattr(fd, libc::TCSANOW, &t) != 0 {
                return Err(SysError::last("tcsetattr", format!("fd {fd}")));
            }
            Ok(RawMode { fd, saved })
        }
    }
    pub fn restore(&self) {
        // SAFETY: restoring settings we read from this fd.
        unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &self.saved) };
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Keep the master usable by the poll loop.
pub fn set_nonblocking(fd: RawFd) -> Result<()> {
    // SAFETY: fcntl on a valid fd.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl < 0 || libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) < 0 {
            return Err(SysError::last("fcntl", format!("fd {fd}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn pty_pair_and_winsize() {
        let p = open_pty().unwrap();
        assert!(p.slave_path.starts_with("/dev/pts/"));
        set_winsize(p.master.as_raw_fd(), 33, 101).unwrap();
        let ws = get_winsize(p.slave.as_raw_fd()).unwrap();
        assert_eq!((ws.ws_row, ws.ws_col), (33, 101));
        assert!(is_tty(p.slave.as_raw_fd()));
    }
}
