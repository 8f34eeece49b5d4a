//! Byte pumping between fds for the monitor: non-blocking reads from the
//! container, writes to our own stdout/stderr that survive EINTR, short
//! writes and an inherited O_NONBLOCK, and a pending buffer for stdin so a
//! container that does not read cannot block the monitor.
use std::os::fd::RawFd;

/// Outcome of one read.
pub enum Read {
    Data(usize),
    Eof,
    WouldBlock,
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// One read(2). EIO (a pty whose slave side is gone) counts as EOF.
pub fn read_some(fd: RawFd, buf: &mut [u8]) -> Read {
    loop {
        // SAFETY: read into a valid buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n > 0 {
            return Read::Data(n as usize);
        }
        if n == 0 {
            return Read::Eof;
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Read::WouldBlock,
            _ => return Read::Eof,
        }
    }
}

/// Write everything, waiting (poll) when the fd is non-blocking and full.
/// `Err(errno)` on EPIPE or another hard error.
pub fn write_all(fd: RawFd, mut data: &[u8]) -> Result<(), i32> {
    while !data.is_empty() {
        // SAFETY: write from a valid buffer.
        let n = unsafe { libc::write(fd, data.as_ptr() as *const libc::c_void, data.len()) };
        if n >= 0 {
            data = &data[n as usize..];
            continue;
        }
        match errno() {
            libc::EINTR => {}
            libc::EAGAIN => {
                let mut p = libc::pollfd {
                    fd,
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                unsafe { libc::poll(&mut p, 1, 1000) };
            }
            e => return Err(e),
        }
    }
    Ok(())
}

/// One non-blocking write of as much of `pending` as fits; drops what went.
/// `Err(errno)` when the reader is gone (EPIPE) or on another hard error.
pub fn write_pending(fd: RawFd, pending: &mut Vec<u8>) -> Result<(), i32> {
    while !pending.is_empty() {
        // SAFETY: write from a valid buffer.
        let n = unsafe { libc::write(fd, pending.as_ptr() as *const libc::c_void, pending.len()) };
        if n >= 0 {
            pending.drain(..n as usize);
            continue;
        }
        match errno() {
            libc::EINTR => {}
            libc::EAGAIN => return Ok(()),
            e => return Err(e),
        }
    }
    Ok(())
}

/// An output we copy to (our stdout or stderr); turned off after EPIPE so the
/// monitor keeps logging when whoever read our stdout is gone.
pub struct Sink {
    pub fd: RawFd,
    pub alive: bool,
}

impl Sink {
    pub fn new(fd: RawFd, alive: bool) -> Sink {
        Sink { fd, alive }
    }
    pub fn put(&mut self, data: &[u8]) {
        if self.alive && write_all(self.fd, data).is_err() {
            self.alive = false;
        }
    }
}
