//! The attach socket of a detached container: `<state-dir>/attach.sock`, a
//! unix stream socket the monitor listens on so `tsrun attach` can join a
//! running container later (there is no daemon to ask).
//!
//! Protocol, per connection:
//! - monitor -> client: everything the container writes from now on. With a
//!   TTY the raw bytes; without one, frames as Docker's attach stream has
//!   them: an 8-byte header `[stream, 0, 0, 0, len as u32 big endian]`
//!   (stream 1 = stdout, 2 = stderr) followed by `len` bytes.
//! - client -> monitor: bytes for the container's stdin (dropped when the
//!   container was not started with `-i`). A client's EOF only ends its
//!   input; the container's stdin stays open for the next one.
//! - The monitor closes every connection when it exits.
//!
//! The monitor is single-threaded: a client is written to without blocking,
//! through a per-client buffer; a client that falls more than `MAX_BACKLOG`
//! behind is disconnected rather than allowed to stall the container.
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use crate::logfile::Stream;

const SOCKET_NAME: &str = "attach.sock";
const MAX_BACKLOG: usize = 4 << 20;

struct Client {
    fd: OwnedFd,
    out: Vec<u8>,
    reading: bool,
}

/// The listening socket and the attached clients.
pub struct AttachServer {
    dir: OwnedFd,
    listener: OwnedFd,
    clients: Vec<Client>,
    tty: bool,
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

impl AttachServer {
    /// Listen on `<state_dir>/attach.sock`. The path is reached through
    /// `/proc/self/fd/N/` so a long state dir cannot exceed sun_path's 108
    /// bytes. None when the socket cannot be made (attach is then unavailable,
    /// the container still runs).
    pub fn bind(state_dir: &Path, tty: bool) -> Option<AttachServer> {
        let dir_c = CString::new(state_dir.as_os_str().as_encoded_bytes()).ok()?;
        // SAFETY: open(2) with a valid C string.
        let dfd = unsafe {
            libc::open(
                dir_c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if dfd < 0 {
            return None;
        }
        // SAFETY: a fresh fd we own.
        let dir = unsafe { OwnedFd::from_raw_fd(dfd) };
        let name = CString::new(SOCKET_NAME).ok()?;
        // A stale socket from an earlier run of this container.
        // SAFETY: unlinkat with a valid dir fd and name.
        unsafe { libc::unlinkat(dfd, name.as_ptr(), 0) };
        // SAFETY: socket(2).
        let s = unsafe {
            libc::socket(
                libc::AF_UNIX,
                libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        if s < 0 {
            return None;
        }
        // SAFETY: a fresh fd we own.
        let listener = unsafe { OwnedFd::from_raw_fd(s) };
        let path = format!("/proc/self/fd/{dfd}/{SOCKET_NAME}");
        // SAFETY: a zeroed sockaddr_un filled within its bounds.
        let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
        if path.len() >= addr.sun_path.len() {
            return None;
        }
        for (i, b) in path.bytes().enumerate() {
            addr.sun_path[i] = b as libc::c_char;
        }
        let len = (std::mem::size_of::<libc::sa_family_t>() + path.len() + 1) as libc::socklen_t;
        // SAFETY: bind/listen on our socket with a valid address.
        let ok = unsafe {
            libc::bind(
                s,
                &addr as *const libc::sockaddr_un as *const libc::sockaddr,
                len,
            ) == 0
                && libc::fchmodat(dfd, name.as_ptr(), 0o600, 0) == 0
                && libc::listen(s, 16) == 0
        };
        if !ok {
            return None;
        }
        Some(AttachServer {
            dir,
            listener,
            clients: Vec::new(),
            tty,
        })
    }

    /// Add the listener and the clients to a poll set; returns where they start.
    pub fn push_pollfds(&self, fds: &mut Vec<libc::pollfd>, want_input: bool) -> usize {
        let base = fds.len();
        fds.push(libc::pollfd {
            fd: self.listener.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        });
        for c in &self.clients {
            let mut events = 0;
            if c.reading && want_input {
                events |= libc::POLLIN;
            }
            if !c.out.is_empty() {
                events |= libc::POLLOUT;
            }
            fds.push(libc::pollfd {
                fd: c.fd.as_raw_fd(),
                events,
                revents: 0,
            });
        }
        base
    }

    /// Act on what poll reported for our entries (`ready` starts at the
    /// listener): accept, flush, read input into `input`.
    pub fn handle(&mut self, ready: &[libc::pollfd], input: &mut Vec<u8>) {
        let mut gone = vec![false; self.clients.len()];
        let mut buf = [0u8; 16 * 1024];
        for (i, c) in self.clients.iter_mut().enumerate() {
            let Some(p) = ready.get(i + 1) else { break };
            if p.revents & libc::POLLOUT != 0 && flush(c).is_err() {
                gone[i] = true;
                continue;
            }
            if p.revents & (libc::POLLIN | libc::POLLHUP) != 0 && c.reading {
                match crate::relay::read_some(c.fd.as_raw_fd(), &mut buf) {
                    crate::relay::Read::Data(n) => input.extend_from_slice(&buf[..n]),
                    crate::relay::Read::Eof => c.reading = false,
                    crate::relay::Read::WouldBlock => {}
                }
            }
            if p.revents & (libc::POLLERR | libc::POLLNVAL) != 0 {
                gone[i] = true;
            }
        }
        let mut i = 0;
        self.clients.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
        if ready.first().is_some_and(|p| p.revents & libc::POLLIN != 0) {
            self.accept_all();
        }
    }

    fn accept_all(&mut self) {
        loop {
            // SAFETY: accept4 on our listening socket.
            let fd = unsafe {
                libc::accept4(
                    self.listener.as_raw_fd(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                )
            };
            if fd < 0 {
                if errno() == libc::EINTR {
                    continue;
                }
                return;
            }
            // SAFETY: a fresh fd we own.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            self.clients.push(Client {
                fd,
                out: Vec::new(),
                reading: true,
            });
        }
    }

    /// Queue container output for every client and push what the sockets take now.
    pub fn broadcast(&mut self, stream: Stream, data: &[u8]) {
        if self.clients.is_empty() || data.is_empty() {
            return;
        }
        let header = frame_header(stream, data.len());
        let tty = self.tty;
        self.clients.retain_mut(|c| {
            if !tty {
                c.out.extend_from_slice(&header);
            }
            c.out.extend_from_slice(data);
            c.out.len() <= MAX_BACKLOG && flush(c).is_ok()
        });
    }
}

impl Drop for AttachServer {
    fn drop(&mut self) {
        if let Ok(name) = CString::new(SOCKET_NAME) {
            // SAFETY: unlinkat with our dir fd and a valid name.
            unsafe { libc::unlinkat(self.dir.as_raw_fd(), name.as_ptr(), 0) };
        }
    }
}

/// Docker's stream header: `[stream, 0, 0, 0, len (u32 big endian)]`.
pub fn frame_header(stream: Stream, len: usize) -> [u8; 8] {
    let id = match stream {
        Stream::Stdout => 1u8,
        Stream::Stderr => 2u8,
    };
    let l = (len as u32).to_be_bytes();
    [id, 0, 0, 0, l[0], l[1], l[2], l[3]]
}

/// Write what the socket takes without blocking; Err when the client is gone.
fn flush(c: &mut Client) -> Result<(), ()> {
    while !c.out.is_empty() {
        let fd: RawFd = c.fd.as_raw_fd();
        // SAFETY: send from a valid buffer; MSG_NOSIGNAL keeps SIGPIPE away.
        let n = unsafe {
            libc::send(
                fd,
                c.out.as_ptr() as *const libc::c_void,
                c.out.len(),
                libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
            )
        };
        if n > 0 {
            c.out.drain(..n as usize);
            continue;
        }
        return match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => Ok(()),
            _ => Err(()),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_header_is_dockers() {
        assert_eq!(frame_header(Stream::Stdout, 5), [1, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(
            frame_header(Stream::Stderr, 0x0102_0304),
            [2, 0, 0, 0, 1, 2, 3, 4]
        );
    }
}
